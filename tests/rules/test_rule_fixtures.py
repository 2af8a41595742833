"""Every rule's must and must-not cases.

Each rule has a folder ``fixtures/<rule name>/`` of Python files reviewed as one
tree. A line ending in ``# ruleid: <rule name>`` must be reported by that rule at
that line; a line ending in ``# ok: <rule name>`` must not be. Any other finding
of the rule in the folder is a failure too, so fixtures cannot hide noise.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review
from secreview.findings.model import Level
from secreview.rules.registry import all_rules

FIXTURES = Path(__file__).parent / "fixtures"
MARK = re.compile(r"#\s*(ruleid|ok):\s*([\w\-, ]+?)\s*$")


def _expectations(folder: Path, rule_name: str):
    must, must_not = set(), set()
    for path in sorted(folder.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = MARK.search(line)
            if not m:
                continue
            names = {n.strip() for n in m.group(2).split(",")}
            if rule_name in names:
                key = (path.relative_to(folder).as_posix(), number)
                (must if m.group(1) == "ruleid" else must_not).add(key)
    return must, must_not


def _rules_with_fixtures():
    return [r for r in all_rules() if r.from_engine]  # model-opinion: tested in tests/llm/


@pytest.mark.parametrize("rule", _rules_with_fixtures(), ids=lambda r: r.name)
def test_rule_fixture(rule, monkeypatch):
    folder = FIXTURES / rule.name
    assert folder.is_dir(), f"rule {rule.id} {rule.name} has no fixture folder {folder}"
    must, must_not = _expectations(folder, rule.name)
    assert must, f"{rule.name}: no '# ruleid: {rule.name}' case"
    assert must_not, f"{rule.name}: no '# ok: {rule.name}' case"
    monkeypatch.chdir(folder)
    # every confidence: a fixture tests what the rule finds; which confidences are shown is tested apart
    # test code in full: the fixtures' tests/ folders test what the rules do there
    result = review(["."], ReviewOptions(config=replace(DEFAULT_CONFIG, select=("all",), min_confidence=Level.LOW,
                                                        tests_on_demand=False)))
    assert not [p for p in result.problems if not p.reviewed], result.problems
    reported = {(f.path.removeprefix("./"), f.line) for f in result.findings if f.rule_id == rule.id}
    missing = sorted(must - reported)
    assert not missing, f"{rule.name}: not reported at {missing}"
    wrong = sorted(reported & must_not)
    assert not wrong, f"{rule.name}: reported at 'ok' lines {wrong}"
    unexpected = sorted(reported - must)
    assert not unexpected, f"{rule.name}: unexpected findings at {unexpected}"


def test_every_rule_documented():
    for rule in all_rules():
        assert rule.id and rule.name and rule.title and (rule.cwe or not rule.from_engine), rule
        assert len(rule.doc()) > 80, f"{rule.id} needs a docstring that explains it"
        assert "Fix" in rule.doc(), f"{rule.id} docstring gives no fix"


def test_rules_of_the_extended_set_run_only_when_selected(monkeypatch):
    extended = [r for r in all_rules() if r.extended]
    assert {r.name for r in extended} >= {"log-injection", "request-without-timeout"}
    monkeypatch.chdir(FIXTURES / "log-injection")
    by_default = review(["."], ReviewOptions(config=DEFAULT_CONFIG))
    assert by_default.files_reviewed and not any(f.rule_name == "log-injection" for f in by_default.findings)
    for select in (("SR114",), ("all",)):
        selected = review(["."], ReviewOptions(config=replace(DEFAULT_CONFIG, select=select)))
        assert any(f.rule_name == "log-injection" for f in selected.findings), select
    ignored = review(["."], ReviewOptions(config=replace(DEFAULT_CONFIG, select=("all",), ignore=("SR114",))))
    assert not any(f.rule_name == "log-injection" for f in ignored.findings)
