"""Resource-leak cases waiting for an engine fix, kept out of the rule's fixture folder.

``return`` inside ``except`` must run the enclosing ``finally`` (issue 12 item 4): the
control-flow graph does not route it there yet, so the ``# ok:`` line below is reported.
The test is a strict xfail: when the CFG fix lands it passes, pytest fails it, and the
file moves into ``fixtures/resource-leak/`` (and this test goes).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review

PENDING = Path(__file__).parent / "pending" / "resource-leak"
MARK = re.compile(r"#\s*(ruleid|ok):\s*resource-leak\s*$")


def _expectations(folder: Path):
    must, must_not = set(), set()
    for path in sorted(folder.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = MARK.search(line)
            if m:
                (must if m.group(1) == "ruleid" else must_not).add((path.relative_to(folder).as_posix(), number))
    return must, must_not


@pytest.mark.xfail(strict=True, reason="CFG: return inside except does not go through finally (issue 12 item 4)")
def test_return_in_except_runs_finally(monkeypatch):
    must, must_not = _expectations(PENDING)
    assert must and must_not
    monkeypatch.chdir(PENDING)
    result = review(["."], ReviewOptions(config=replace(DEFAULT_CONFIG, select=("all",))))
    reported = {(f.path.removeprefix("./"), f.line) for f in result.findings if f.rule_name == "resource-leak"}
    assert must <= reported, must - reported
    assert not reported & must_not, reported & must_not
