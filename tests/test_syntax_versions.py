"""Python 3.8-3.14 syntax is reviewed whatever interpreter runs secreview:
each fixture in tests/syntax holds defects inside newer syntax, marked
``# defect`` on their line, and every one must be reported."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pytest

from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review
from secreview.findings.model import Level

FIXTURES = sorted((Path(__file__).parent / "syntax").glob("*.py"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_defects_inside_new_syntax_are_reported(path, monkeypatch):
    monkeypatch.chdir(path.parent)
    expected = {n for n, line in enumerate(path.read_text().splitlines(), 1) if "# defect" in line}
    assert expected
    result = review([path.name], ReviewOptions(config=replace(DEFAULT_CONFIG, min_confidence=Level.LOW)))
    assert not result.problems, result.problems
    reported = {f.line for f in result.findings}
    assert expected <= reported, f"missing {sorted(expected - reported)}"


def test_fixtures_really_need_a_newer_parser_somewhere():
    """Most fixtures are syntax this interpreter (3.11) rejects: the fallback is exercised."""
    rejected = 0
    for path in FIXTURES:
        try:
            ast.parse(path.read_text())
        except SyntaxError:
            rejected += 1
    assert rejected >= 4 or not __import__("sys").version_info < (3, 12)
