"""The ReDoS analyser's verdicts, checked against the real `re` engine.

Every pattern the fixture ``tests/rules/fixtures/redos`` marks as a must-case
is analysed, and the attack string the analyser builds from it
(``prefix + pump * n + suffix``) is timed in a subprocess: matching must grow
super-linearly (two extra characters must more than double the time).
The must-not patterns must not be flagged, and stay fast on long input.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from secreview.rules.redos import analyse

FIXTURE = Path(__file__).parent / "rules" / "fixtures" / "redos" / "validators.py"
MARK = re.compile(r"#\s*(ruleid|ok):\s*redos\s*$")

# Runs in a child process so a pattern that explodes cannot hang the test run.
_TIMER = r"""
import json, re, sys, time
cases = json.loads(sys.argv[1])
out = []
for case in cases:
    rx = re.compile(case["pattern"], case.get("flags", 0))
    run = getattr(rx, case["method"])
    def t(n, runs=3):
        s = case["prefix"] + case["pump"] * n + case["suffix"]
        best = None
        for _ in range(runs):
            start = time.perf_counter()
            run(s)
            took = time.perf_counter() - start
            best = took if best is None else min(best, took)
        return best
    n = 4
    while t(n, 1) < 0.002 and n < 60:
        n += 1
    small, large = t(n), t(n + 2, 1)
    out.append({"n": n, "small": small, "large": large})
print(json.dumps(out))
"""


def _fixture_cases():
    """(line, method, pattern, must) for every re.* call with a literal pattern on a marked line."""
    source = FIXTURE.read_text(encoding="utf-8")
    lines = source.splitlines()
    cases = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            continue
        m = MARK.search(lines[node.lineno - 1])
        if m:
            method = node.func.attr if node.func.attr != "compile" else "match"
            cases.append((node.lineno, method, node.args[0].value, m.group(1) == "ruleid"))
    return cases


CASES = _fixture_cases()


def test_fixture_has_cases():
    assert any(c[3] for c in CASES) and any(not c[3] for c in CASES)


def test_must_cases_really_backtrack():
    payload = []
    for line, method, pattern, must in CASES:
        if not must:
            continue
        issues = analyse(pattern, 0, method == "fullmatch")
        assert issues, f"line {line}: analyser does not flag {pattern!r}"
        issue = issues[0]
        payload.append({"pattern": pattern, "method": method, "prefix": issue.prefix, "pump": issue.pump,
                        "suffix": issue.suffix})
    result = subprocess.run([sys.executable, "-c", _TIMER, json.dumps(payload)], capture_output=True, text=True,
                            timeout=60, check=True)
    timings = json.loads(result.stdout)
    for case, timing in zip(payload, timings):
        assert timing["n"] < 60, f"{case['pattern']!r}: no slowdown up to 60 repetitions ({timing})"
        ratio = timing["large"] / max(timing["small"], 1e-9)
        # Exponential: 2 more characters multiply the time (>= 1.5**2 = 2.25); linear would stay near 1.1.
        assert ratio > 2, f"{case['pattern']!r}: time grew only {ratio:.1f}x for 2 more characters ({timing})"


_MUST_PATTERNS = {c[2] for c in CASES if c[3]}


@pytest.mark.parametrize("pattern", [c[2] for c in CASES if not c[3] and c[2] not in _MUST_PATTERNS] + [
    r"^[a-z]+$", r"(ab)+", r"\d{1,3}(\.\d{1,3}){3}", r"([a-z]+\.)+[a-z]+$", r"(a{2})+$", r"^\w+@\w+\.com$"])
def test_safe_patterns_not_flagged(pattern):
    assert analyse(pattern) == ()


def test_safe_patterns_stay_fast():
    import time
    for pattern in (r"^[a-z]+$", r"(ab)+$", r"\d{1,3}(\.\d{1,3}){3}$", r"([a-z]+\.)+[a-z]+$"):
        start = time.perf_counter()
        re.match(pattern, "a" * 20_000 + "!")
        assert time.perf_counter() - start < 0.5


def test_unparsable_pattern_is_not_an_error():
    assert analyse("(unclosed") == ()
    assert analyse(b"(a+)+$") != ()


def test_verbose_patterns_are_read_with_their_flags(tmp_path, monkeypatch):
    """``flags=re.MULTILINE | re.VERBOSE`` is read from the call: the attack string is built for the pattern
    as re reads it (spaces ignored), and it really backtracks there."""
    from secreview.config import DEFAULT_CONFIG
    from secreview.engine.pipeline import ReviewOptions, review

    pattern = r" a b ( (?:x|x)* )* c "
    (tmp_path / "pat.py").write_text(f"import re\nP = re.compile(r{pattern!r}, flags=re.MULTILINE | re.VERBOSE)\n")
    monkeypatch.chdir(tmp_path)
    finding = next(f for f in review(["."], ReviewOptions(config=DEFAULT_CONFIG)).findings if f.rule_id == "SR802")
    assert "`abxxx!`" in finding.explanation, finding.explanation
    issue = analyse(pattern, re.MULTILINE | re.VERBOSE)[0]
    payload = [{"pattern": pattern, "flags": int(re.MULTILINE | re.VERBOSE), "method": "match",
                "prefix": issue.prefix, "pump": issue.pump, "suffix": issue.suffix}]
    result = subprocess.run([sys.executable, "-c", _TIMER, json.dumps(payload)], capture_output=True, text=True,
                            timeout=60, check=True)
    timing = json.loads(result.stdout)[0]
    assert timing["n"] < 60 and timing["large"] / max(timing["small"], 1e-9) > 2, timing


def test_a_pattern_compiled_with_debug_prints_nothing(tmp_path, capfd):
    """spyne compiles a pattern with ``re.DEBUG | re.UNICODE``: the analyser must not pass the debug bit on to
    the parser, which would print the pattern's tree into the report on standard output."""
    from secreview.cli import main

    (tmp_path / "addtl.py").write_text("import re\nP = re.compile(r'(a+)+$', re.DEBUG | re.UNICODE)\n")
    code = main(["review", str(tmp_path / "addtl.py"), "--format", "json", "--no-cache", "--exit-zero"])
    out = capfd.readouterr().out
    assert code == 0
    report = json.loads(out)  # nothing but the report
    assert [f["rule_id"] for f in report["findings"]] == ["SR802"]
    assert analyse("(a+)+$", re.DEBUG) == analyse("(a+)+$")
