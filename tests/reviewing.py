"""Reviewing small trees written by a test: shared by the test modules that check flows end to end."""

from __future__ import annotations

import textwrap
from dataclasses import replace

from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review
from secreview.findings.model import Level
from secreview.rules.registry import find_rule

EVERY_CONFIDENCE = replace(DEFAULT_CONFIG, min_confidence=Level.LOW)
"""The default configuration, reporting low-confidence findings too: these tests check what a rule
finds; which confidences a review shows by default is tested on its own (tests/test_confidence.py)."""


def findings(tmp_path, monkeypatch, files: dict, rule="command-injection", **kw):
    """The findings of ``rule``, of every confidence, when the files ``{name: code}`` (dedented) are
    reviewed from ``tmp_path``."""
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    monkeypatch.chdir(tmp_path)
    result = review(["."], ReviewOptions(config=kw.pop("config", EVERY_CONFIDENCE), **kw))
    rule_id = find_rule(rule).id
    return [f for f in result.findings if f.rule_id == rule_id]
