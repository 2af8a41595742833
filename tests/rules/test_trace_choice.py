"""Which of several equally true traces a finding shows is fixed by the code, never by the order a set
iterates in (issue 12: the same report from every run, worker count and hash seed)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review
from secreview.findings.model import Level

FOLDER = Path(__file__).parent / "fixtures" / "exception-details-exposed"


def test_exception_text_trace_cites_the_latest_assignment(monkeypatch):
    # ``error_detail`` is assigned three times before the response; the trace names the last, not whichever the
    # set of assignments happened to yield first (open-webui's mineru.py gave three traces in three runs)
    monkeypatch.chdir(FOLDER)
    config = replace(DEFAULT_CONFIG, select=("all",), min_confidence=Level.LOW)
    result = review(["."], ReviewOptions(config=config))
    found = [f for f in result.findings if f.rule_id == "SR602" and f.path.endswith("error_text_built_up.py")]
    assert len(found) == 1
    lines = (FOLDER / "error_text_built_up.py").read_text(encoding="utf-8").splitlines()
    last = next(i for i, text in enumerate(lines, 1) if 'error_detail += f" - {e.response.text}"' in text)
    assert [step.line for step in found[0].trace][-1] == last
