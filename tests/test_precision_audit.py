"""The real-code precision audit's own machinery (``benchmarks/precision_audit.py``): test
paths, the stratified sample, the mechanical check of findings against files, and the
scoring of a judged worksheet. No network, no fetched project."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location(
    "precision_audit", Path(__file__).parent.parent / "benchmarks" / "precision_audit.py")
audit = importlib.util.module_from_spec(spec)
sys.modules.setdefault("precision_audit", audit)  # its dataclasses look their module up
spec.loader.exec_module(audit)


# --------------------------------------------------------------------------- test paths

@pytest.mark.parametrize("path, expected", [
    ("pkg/tests/unit/test_x.py", True),
    ("tests/conftest.py", True),
    ("pkg/test/helpers.py", True),
    ("pkg/test_api.py", True),
    ("pkg/api_test.py", True),
    ("pkg/testing/fixtures.py", True),
    ("conftest.py", True),
    ("./pkg/tests/x.py", True),
    ("pkg/api.py", False),
    ("pkg/testsuite.py", False),
    ("pkg/contest.py", False),
    ("pkg/latest/views.py", False),
    ("pkg/attestation.py", False),
])
def test_default_test_paths(path, expected):
    assert audit.is_test_path(path) is expected


def test_configured_test_paths(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.secreview]\ntest-paths = ["qa/", "src/pkg/check_*.py"]\n')
    tp = audit.project_test_paths(tmp_path)
    assert tp == ("qa/", "src/pkg/check_*.py")
    assert audit.is_test_path("qa/x.py", tp)
    assert audit.is_test_path("src/pkg/check_a.py", tp)
    assert not audit.is_test_path("other/src/pkg/check_a.py", tp)  # a pattern with a slash is anchored
    assert not audit.is_test_path("tests/x.py", tp)  # configured paths replace the defaults
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert audit.project_test_paths(tmp_path) == audit.DEFAULT_TEST_PATHS


# --------------------------------------------------------------------------- sampling

def _finding(rule_id, rule_name, path, line, confidence="high", project="p-1", test=False):
    data = {"rule_id": rule_id, "rule_name": rule_name, "path": path, "line": line, "col": 0,
            "end_line": line, "severity": "high", "confidence": confidence, "code": "x",
            "explanation": "e", "trace": [], "tags": [], "fingerprint": f"{rule_id}{path}{line}"}
    return audit.Finding(project, "run", data, test)


def _population():
    fs = [_finding("SR101", "command-injection", f"a{i}.py", i) for i in range(60)]
    fs += [_finding("SR201", "weak-hash", f"b{i}.py", i) for i in range(30)]
    fs += [_finding("SR701", "hardcoded-secret", "c.py", 1)]
    fs += [_finding("SR802", "redos", f"d{i}.py", i) for i in range(9)]
    fs += [_finding("SR104", "sql-injection", f"tests/e{i}.py", i, test=True) for i in range(50)]
    return fs


def test_allocation_is_stratified():
    alloc = audit.allocate({"A": 60, "B": 30, "C": 1, "D": 9}, 20, min_per_rule=2)
    assert sum(alloc.values()) == 20
    assert alloc["C"] == 1  # cannot take more than the rule has
    assert alloc["D"] >= 2  # every rule at least twice
    assert alloc["A"] > alloc["B"] > alloc["D"]  # the rest in proportion
    assert audit.allocate({"A": 3, "B": 2}, 100) == {"A": 3, "B": 2}  # a sample larger than all


def test_sample_is_deterministic_and_leaves_out_test_code():
    fs = _population()
    a = audit.draw_sample(fs, 20, seed=7)
    b = audit.draw_sample(list(reversed(fs)), 20, seed=7)  # input order does not matter
    assert [audit.finding_key(f) for f in a] == [audit.finding_key(f) for f in b]
    assert len(a) == 20
    assert not any(f.test_code for f in a)
    rules = Counter(f.data["rule_id"] for f in a)
    assert set(rules) == {"SR101", "SR201", "SR701", "SR802"}
    assert rules["SR101"] > rules["SR201"] > rules["SR802"] >= 1
    c = audit.draw_sample(fs, 20, seed=8)
    assert [audit.finding_key(f) for f in a] != [audit.finding_key(f) for f in c]


# --------------------------------------------------------------------------- mechanical check

SOURCE = """\
import subprocess
from flask import request


def run(command):
    return subprocess.run(command, shell=True)


def ping():
    host = request.args.get("host")
    return run(f"ping {host}")
"""

TEST_SOURCE = """\
from app import run


def test_run():
    run("ls")
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "app.py").write_text(SOURCE)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_app.py").write_text(TEST_SOURCE)
    return tmp_path


def _report(**changes):
    finding = {
        "rule_id": "SR101", "rule_name": "command-injection", "severity": "high", "confidence": "high",
        "path": "app.py", "line": 6, "col": 11, "end_line": 6, "end_col": 46,
        "code": "    return subprocess.run(command, shell=True)",
        "explanation": "`subprocess.run(command, shell=True)` receives `command`, which carries "
                       "`request.args.get(\"host\")` (line 10), through `run()`.",
        "trace": [
            {"path": "app.py", "line": 10, "col": 11, "note": "`request.args.get(\"host\")`: assigned to `host`",
             "code": "host = request.args.get(\"host\")"},
            {"path": "app.py", "line": 11, "col": 11, "note": "passed to `run()`",
             "code": "return run(f\"ping {host}\")"},
            {"path": "app.py", "line": 5, "col": 0, "note": "parameter `command` of `run()`",
             "code": "def run(command):"},
            {"path": "app.py", "line": 6, "col": 11, "note": "reaches `subprocess.run(command, shell=True)`",
             "code": "return subprocess.run(command, shell=True)"},
        ],
        "tags": ["tainted"], "fingerprint": "f",
    }
    finding.update(changes)
    return {"findings": [finding]}


def test_clean_report_passes(project):
    assert audit.check_report(_report(), project) == []


def test_step_code_differs(project):
    report = _report()
    report["findings"][0]["trace"][1]["code"] = "return run(host)"
    kinds = [v.kind for v in audit.check_report(report, project)]
    assert kinds == ["step-code"]


def test_identifier_not_on_step_line(project):
    report = _report()
    report["findings"][0]["trace"][1]["note"] = "stored in `self.__obj`"
    vs = audit.check_report(report, project)
    assert [v.kind for v in vs] == ["step-note-fragment"]
    assert vs[0].line == 11 and "self.__obj" in vs[0].detail


def test_explanation_fragment_not_on_cited_line(project):
    report = _report(explanation="`command` carries `request.args.get(\"host\")` (line 11).")
    vs = audit.check_report(report, project)
    assert [v.kind for v in vs] == ["explanation-fragment-cited"]
    report = _report(explanation="`host` reaches the shell.", trace=[])  # `host` is on line 10 only
    assert [v.kind for v in audit.check_report(report, project)] == ["explanation-fragment"]


def test_punctuation_is_not_a_code_fragment(project):
    report = _report(explanation="The shell parses `;`, `|`, `` ` `` or `$(...)` in `command`.")
    assert audit.check_report(report, project) == []


def test_code_spans():
    assert audit.code_spans("a `x` b `` ` `` or `$(...)` c") == [("x", 5), ("`", 15), ("$(...)", 27)]
    assert [c for c, _ in audit.code_spans("`LOG.debug( ...` receives `{ ...`")] == ["LOG.debug( ...", "{ ..."]


def test_shortened_quotes_and_path_citations(project):
    report = _report(explanation="`subprocess.run( ...` receives data read by "
                                 "`request.args.get( ...` (app.py:10).")
    assert audit.check_report(report, project) == []
    report = _report(explanation="`subprocess.run( ...` receives data read by `request.form` (app.py:10).")
    assert [v.kind for v in audit.check_report(report, project)] == ["explanation-fragment-cited"]


def test_explanation_fragments_checked_against_trace_and_signatures(project):
    # named in a trace step: fine; "parameter `x` of `f()`" checked against f's def
    report = _report(explanation="`command` comes from parameter `command` of `run()`, through `run()`.")
    assert audit.check_report(report, project) == []
    report = _report(explanation="`command` comes from parameter `cmd` of `run()`.", trace=[])
    vs = audit.check_report(report, project)
    assert [v.kind for v in vs] == ["explanation-fragment"] and "`cmd`" in vs[0].detail
    # the function the finding is in may be named without a line
    report = _report(explanation="`command` reaches a shell in `run()`.", trace=[])
    assert audit.check_report(report, project) == []
    # a fragment that is in none of the files: an illustration, listed apart
    report = _report(explanation="a `$(rm -rf x)` in `command` runs.", trace=[])
    assert [v.kind for v in audit.check_report(report, project)] == ["explanation-illustration"]
    # ... unless the rule's documentation uses it
    assert audit.check_report(report, project, vocabulary={"SR101": {"$(rm -rf x)"}}) == []
    # a standard-library name the files do not hold is library behaviour, listed apart too
    report = _report(explanation="`command` waits unless `socket.setdefaulttimeout()` was called.", trace=[])
    assert [v.kind for v in audit.check_report(report, project)] == ["explanation-illustration"]


def test_step_note_forms(tmp_path):
    (tmp_path / "m.py").write_text(
        "class Box:\n"
        "    def __init__(self, item):\n"
        "        self.item = item\n"
        "\n"
        "\n"
        "def send(host,\n"
        "         port):\n"
        "    return Box(port)\n")
    def step(line, note):
        return {"path": "m.py", "line": line, "col": 0, "note": note, "code": ""}

    finding = {"rule_id": "SR114", "rule_name": "log-injection", "path": "m.py", "line": 3, "col": 8,
               "end_line": 3, "code": "        self.item = item", "explanation": "`item`", "trace": [
                   step(7, "parameter `port` of `send()`"),       # a later line of send's signature
                   step(8, "passed to `__init__()`"),             # a class called: listed apart
                   step(8, "stored in `self.item`"),              # the store is in another line
                   step(3, "stored in `self.item`")]}
    vs = audit.check_report({"findings": [finding]}, tmp_path)
    assert [(v.kind, v.line) for v in vs] == [("init-at-class-call", 8), ("step-note-fragment", 8)]


def test_a_trace_that_stops_before_the_sink(project):
    """A finding traced from a source whose last step is not on its lines (the trace was cut on the way) is
    listed; the same trace reaching the sink, and a construction reported where it is built, are not."""
    report = _report()
    report["findings"][0]["trace"] = report["findings"][0]["trace"][:3]
    assert [v.kind for v in audit.check_report(report, project)] == ["trace-short"]
    report["findings"][0]["tags"] = ["built"]
    assert audit.check_report(report, project) == []


def test_finding_code_and_missing_line(project):
    report = _report(code="    return subprocess.call(command, shell=True)")
    assert [v.kind for v in audit.check_report(report, project)] == ["finding-code"]
    report = _report()
    report["findings"][0]["trace"][0]["line"] = 99
    assert [v.kind for v in audit.check_report(report, project)] == ["missing-line"]


def test_flow_through_test_code(project):
    report = _report()
    report["findings"][0]["trace"] = [
        {"path": "tests/test_app.py", "line": 5, "col": 4, "note": "passed to `run()`", "code": "run(\"ls\")"},
        {"path": "app.py", "line": 5, "col": 0, "note": "parameter `command` of `run()`", "code": "def run(command):"},
        {"path": "app.py", "line": 6, "col": 11, "note": "reaches `subprocess.run(command, shell=True)`",
         "code": "return subprocess.run(command, shell=True)"},
    ]
    report["findings"][0]["explanation"] = "`command` reaches the shell."
    kinds = [v.kind for v in audit.check_report(report, project)]
    assert kinds == ["source-in-test-code"]
    # the same flow for a finding in test code is no violation
    report["findings"][0]["path"] = "tests/test_app.py"
    report["findings"][0]["line"] = 5
    report["findings"][0]["end_line"] = 5
    report["findings"][0]["code"] = "    run(\"ls\")"
    report["findings"][0]["explanation"] = "`run` is called."
    report["findings"][0]["tags"] = ["built"]  # (reported where the test builds it, not where the trace ends)
    assert audit.check_report(report, project) == []


def test_check_command_counts(tmp_path, capsys):
    panel = tmp_path / "panel.toml"
    panel.write_text('[[project]]\nname = "app"\nversion = "1"\nkind = "web"\n')
    src = tmp_path / "src"
    (src / "app-1").mkdir(parents=True)
    (src / "app-1" / "app.py").write_text(SOURCE)
    reports = tmp_path / "reports"
    reports.mkdir()
    report = _report()
    report["findings"][0]["trace"][2]["note"] = "stored in `self.cmd`"
    (reports / "app-1.json").write_text(json.dumps(report))
    assert audit.main(["check", str(panel), str(src), "--reports", str(reports), "--strict"]) == 1
    out = capsys.readouterr().out
    assert "findings checked: 1 (1 outside test code); violations: 1" in out
    assert "| step-note-fragment | 1 | 1 |" in out


# --------------------------------------------------------------------------- worksheet and scoring

def test_worksheet_round_trip_and_blind(tmp_path):
    src = tmp_path / "src"
    (src / "p-1").mkdir(parents=True)
    (src / "p-1" / "a.py").write_text("".join(f"x{i} = {i}\n" for i in range(1, 40)))
    fs = [_finding("SR101", "command-injection", "a.py", 20), _finding("SR201", "weak-hash", "a.py", 3)]
    fs[0].run = "reports-after"
    population = Counter({"SR101 command-injection": 10, "SR201 weak-hash": 30})
    text = audit.worksheet_markdown(fs, src, population, seed=5, size=2, blind=True)
    assert "reports-after" not in text and "p-1" not in text  # no run, no version
    assert ">20 | x20 = 20" in text and " 13 | x13 = 13" in text and " 27 | x27 = 27" in text
    judged, pop = audit.parse_worksheet(text.replace("| F005-001 |  |  |  |", "| F005-001 | real | yes | ok |")
                                        .replace("| F005-002 |  |  |  |", "| F005-002 | false | no | constant |"))
    assert pop == population
    assert [(j.fid, j.verdict, j.explanation_true) for j in judged] == [("F005-001", "real", True),
                                                                        ("F005-002", "false", False)]
    with pytest.raises(ValueError):
        audit.parse_worksheet(text.replace("| F005-001 |  |  |  |", "| F005-001 | maybe | yes | ? |"))


TINY = """\
<!-- population: rule | findings -->
| SR101 command-injection | 10 | 2 |
| SR201 weak-hash | 30 | 2 |
<!-- /population -->

## F001-001 · SR101 command-injection · a · `a.py:1`
severity **high** · confidence **high** · tags: -
| id | verdict | explanation true? | reason |
|---|---|---|---|
| F001-001 | real | yes | request data reaches shell |

## F001-002 · SR101 command-injection · a · `a.py:2`
severity **high** · confidence **high** · tags: -
| F001-002 | worth | no | step 2 names a variable not on its line |

## F001-003 · SR201 weak-hash · b · `b.py:3`
severity **medium** · confidence **low** · tags: -
| F001-003 | worth | yes | md5 of a cache key, confirm |

## F001-004 · SR201 weak-hash · b · `b.py:4`
severity **medium** · confidence **high** · tags: -
| F001-004 | false | yes | usedforsecurity=False |
"""


def test_score_tiny_worksheet():
    judged, population = audit.parse_worksheet(TINY)
    res = audit.score(judged, population)
    assert res["sampled"] == 4
    assert (res["real"], res["worth"], res["false"], res["untrue"]) == (1, 1, 2, 1)  # untrue counts as false
    assert (res["judged_real"], res["judged_worth"], res["judged_false"]) == (1, 2, 1)
    assert res["strict"] == pytest.approx(0.25)
    assert res["lenient"] == pytest.approx(0.5)
    assert res["false_rate"] == pytest.approx(0.5)
    assert (res["high"], res["high_false"]) == (3, 2)
    assert res["high_false_rate"] == pytest.approx(2 / 3)
    w = res["weighted"]
    # SR101: real 1/2, worth 0, false 1/2 (weight 10); SR201: real 0, worth 1/2, false 1/2 (weight 30)
    assert w["strict"] == pytest.approx((10 * 0.5) / 40)
    assert w["lenient"] == pytest.approx((10 * 0.5 + 30 * 0.5) / 40)
    assert w["false_rate"] == pytest.approx(0.5)
    assert w["untrue_rate"] == pytest.approx(10 * 0.5 / 40)
    # high confidence: SR101 2 of 2 sampled high (1 false), SR201 1 of 2 high (1 false)
    assert w["high_false_rate"] == pytest.approx((10 * 1 * 0.5 + 15 * 1.0) / (10 + 15))
    md = audit.score_markdown(res, population)
    assert "| strict precision (real / sampled) | 1/4 = 25.0 % | 12.5 % |" in md


def test_fill_worksheet():
    text = "## F001-001 · SR101 command-injection · a · `a.py:1`\n| F001-001 |  |  |  |\n| F001-002 |  |  |  |\n"
    filled, missing = audit.fill_worksheet(text, {"F001-001": ("false", "no", "constant | safe")})
    assert "| F001-001 | false | no | constant / safe |" in filled
    assert missing == ["F001-002"]


def test_pooled_blind_sample_and_per_run_scores(tmp_path, capsys):
    panel = tmp_path / "panel.toml"
    panel.write_text('[[project]]\nname = "app"\nversion = "1"\n')
    src = tmp_path / "src"
    (src / "app-1").mkdir(parents=True)
    (src / "app-1" / "app.py").write_text(SOURCE)
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir(), new.mkdir()
    same = _report()["findings"][0]
    gone = dict(same, line=5, end_line=5, code="def run(command):", explanation="`command`", trace=[])
    (old / "app-1.json").write_text(json.dumps({"findings": [same, gone]}))
    # the new run reports the same finding with a lower confidence: pooled, and scored with its own
    (new / "app-1.json").write_text(json.dumps({"findings": [dict(same, confidence="medium")]}))
    ws, key = tmp_path / "ws.md", tmp_path / "key.json"
    assert audit.main(["sample", str(panel), str(src), "--reports", str(old), "--reports", str(new), "--dedupe",
                       "--blind", "--seed", "3", "--size", "10", "--worksheet", str(ws), "--key", str(key)]) == 0
    text = ws.read_text()
    assert str(old) not in text and str(new) not in text and "app-1" not in text and "run 1" not in text
    entries = json.loads(key.read_text())
    assert sorted(len(e["runs"]) for e in entries["findings"].values()) == [1, 2]  # identical finding pooled
    ids = {e["line"]: fid for fid, e in entries["findings"].items()}
    filled, missing = audit.fill_worksheet(text, {ids[6]: ("real", "yes", "r"), ids[5]: ("false", "yes", "f")})
    assert not missing
    ws.write_text(filled)
    capsys.readouterr()
    assert audit.main(["score", str(ws), "--key", str(key)]) == 0
    out = capsys.readouterr().out
    assert f"### {new}\n\nSampled and judged: **1** findings." in out  # only the finding the new run kept
    assert f"### {old}\n\nSampled and judged: **2** findings." in out
    parts = {head.strip(): body for head, body in (p.split("\n", 1) for p in out.split("### ")[1:])}
    old_part, new_part = parts[str(old)], parts[str(new)]
    assert "| false rate among high-confidence findings | 1/2 " in old_part
    assert "| false rate among high-confidence findings | 0/0 " in new_part


def test_parameters_named_together_and_long_signatures(tmp_path):
    """``parameters `a` and `b` of `f()``` is checked against f's signature, each name; a parameter
    declared 40 lines below its ``def`` is still in the signature."""
    params = "".join(f"    p{i},\n" for i in range(40))
    (tmp_path / "m.py").write_text(f"def f(\n{params}    a,\n    b,\n):\n    run(a + b)\n")
    files = audit.FileCache(tmp_path)
    m = audit.PARAMETERS_OF.search("built from parameters `a` and `b` of `f()`; no caller")
    assert re.findall(r"`(\w+)`", m.group("params")) == ["a", "b"] and m.group("func") == "f"
    assert audit.PARAMETERS_OF.search("from parameter `a` of `f()`").group("params") == "`a`"
    assert all(audit.has_parameter(files, "m.py", "f", p) for p in ("a", "b"))
    assert not audit.has_parameter(files, "m.py", "f", "c")
    assert audit.in_signature_of(files, "m.py", 42, "f")  # the line declaring `a`
    assert not audit.in_signature_of(files, "m.py", 45, "f")  # the body


def _run_on_files(tmp_path, command: str, key: dict, reports: dict) -> int:
    """``precision_audit.py COMMAND`` on TINY as the judged worksheet, ``key`` beside it, and ``reports``
    (project -> report) written as a folder of reports."""
    (tmp_path / "ws.md").write_text(TINY)
    (tmp_path / "key.json").write_text(json.dumps(key))
    folder = tmp_path / "reports"
    folder.mkdir()
    for project, report in reports.items():
        (folder / f"{project}.json").write_text(json.dumps(report))
    return audit.main([command, "--judged", str(tmp_path / "ws.md"), str(tmp_path / "key.json"),
                       "--reports", str(folder)])


def test_carry_judged_findings_onto_new_reports(tmp_path, capsys):
    """Judged findings carried onto another version's reports by project and fingerprint: shown at the
    default confidence (with their effective verdicts: an untrue explanation is false), fallen below it,
    or gone; a real or worth-a-look one no longer shown is listed."""
    judged, _ = audit.parse_worksheet(TINY)
    key = {"findings": {"F001-001": {"project": "a-1", "fingerprint": "f1"},
                        "F001-002": {"project": "a-1", "fingerprint": "f2"},
                        "F001-003": {"project": "b-1", "fingerprint": "f3"},
                        "F001-004": {"project": "b-1", "fingerprint": "f4"}}}
    reports = [{"a-1": {"findings": [{"fingerprint": "f1", "confidence": "high"},
                                     {"fingerprint": "f2", "confidence": "low"}]},
                "b-1": {"findings": [{"fingerprint": "f4", "confidence": "medium"},
                                     {"fingerprint": "new", "confidence": "high"}]}}]
    res = audit.carry([(judged, key)], reports)
    assert res["judged"] == 4
    assert res["shown"] == {"real": 1, "false": 1} and res["high"] == {"real": 1}
    assert res["below"] == {"false": 1}  # F001-002: worth a look, but its explanation was untrue
    assert res["gone"] == {"worth": 1}
    assert [fid for fid, *_ in res["lost"]] == ["F001-003"]
    # the command: a worksheet and its key, a folder of reports
    assert _run_on_files(tmp_path, "carry", key, reports[0]) == 0
    out = capsys.readouterr().out
    assert "shown at medium confidence or above: 2 (real 1, worth a look 0, false 1)" in out
    assert "not shown: F001-003" in out


def test_shown_counts_each_finding_shown_once_with_the_verdict_judged_at_its_place(tmp_path, capsys):
    """``shown`` counts the findings a version shows, each once: judged at its place (the later worksheet where
    two judged it, a reworded one), else at its fingerprint's one judged place; unjudged ones are listed."""
    judged, _ = audit.parse_worksheet(TINY)
    key = {"findings": {
        "F001-001": {"project": "a-1", "fingerprint": "f1", "rule": "SR101 command-injection", "path": "a.py",
                     "line": 1},
        "F001-002": {"project": "a-1", "fingerprint": "f1", "rule": "SR101 command-injection", "path": "a.py",
                     "line": 9},
        "F001-003": {"project": "b-1", "fingerprint": "f3", "rule": "SR105 path-traversal", "path": "b.py",
                     "line": 3}}}
    reworded = {"findings": {"F001-004": {"project": "b-1", "fingerprint": "f3", "rule": "SR105 path-traversal",
                                          "path": "b.py", "line": 3}}}
    reports = [{"a-1": {"findings": [
        {"fingerprint": "f1", "rule_id": "SR101", "path": "/src/a-1/a.py", "line": 1, "confidence": "high"},
        {"fingerprint": "new", "rule_id": "SR101", "path": "/src/a-1/a.py", "line": 5, "confidence": "medium"},
        {"fingerprint": "f9", "rule_id": "SR101", "path": "/src/a-1/a.py", "line": 7, "confidence": "low"}]},
        "b-1": {"findings": [
            {"fingerprint": "f3", "rule_id": "SR105", "path": "/src/b-1/b.py", "line": 3, "confidence": "medium"}]}}]
    # carry finds F001-001 and F001-002 both at the one finding of fingerprint f1; shown counts it once
    res = audit.shown_figures([(judged[:3], key), (judged[3:], reworded)], reports)
    assert res["shown"] == 3 and res["judged"] == 2
    verdicts = {j.fid: audit.effective(j) for j in judged}
    assert res["verdicts"] == Counter({verdicts["F001-001"]: 1}) + Counter({verdicts["F001-004"]: 1})
    assert res["high"] == Counter({verdicts["F001-001"]: 1})
    assert res["unjudged"] == [("a-1", "SR101", "/src/a-1/a.py", 5)]
    assert _run_on_files(tmp_path, "shown", key, reports[0]) == 0
    out = capsys.readouterr().out
    assert "shown at medium confidence or above: 3, judged 2:" in out
    assert "- not judged: a-1 SR101 /src/a-1/a.py:5" in out


def test_carry_tells_apart_findings_that_share_a_fingerprint():
    """A fingerprint is rule, file and code: two findings on identical code in one file share it (alerta's
    ``select = f\"\"\"`` constructions), and each verdict is carried to the finding at its own place."""
    judged, _ = audit.parse_worksheet(TINY)
    key = {"findings": {
        "F001-001": {"project": "a-1", "fingerprint": "same", "rule": "SR101 command-injection", "path": "a.py",
                     "line": 1},
        "F001-002": {"project": "a-1", "fingerprint": "same", "rule": "SR101 command-injection", "path": "a.py",
                     "line": 2}}}
    reports = [{"a-1": {"findings": [
        {"fingerprint": "same", "rule_id": "SR101", "path": "/src/a-1/a.py", "line": 1, "confidence": "high"},
        {"fingerprint": "same", "rule_id": "SR101", "path": "/src/a-1/a.py", "line": 2, "confidence": "low"}]}}]
    res = audit.carry([(judged[:2], key)], reports)
    assert res["judged"] == 2
    assert res["shown"] == {"real": 1} and res["below"] == {"false": 1}
