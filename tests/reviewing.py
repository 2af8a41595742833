"""Reviewing small trees written by a test: shared by the test modules that check flows end to end."""

from __future__ import annotations

import textwrap

from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review
from secreview.rules.registry import find_rule


def findings(tmp_path, monkeypatch, files: dict, rule="command-injection", **kw):
    """The findings of ``rule`` when the files ``{name: code}`` (dedented) are reviewed from ``tmp_path``."""
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    monkeypatch.chdir(tmp_path)
    result = review(["."], ReviewOptions(config=DEFAULT_CONFIG, **kw))
    rule_id = find_rule(rule).id
    return [f for f in result.findings if f.rule_id == rule_id]
