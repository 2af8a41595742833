"""The model's answer, version 1: its JSON schema (given in the prompt, documented in
``docs/llm.md``) and its parsing.

The answer is one JSON object (alone, or alone in one fenced code block)::

    {"findings": [{"path": "pkg/mod.py", "start_line": 12, "end_line": 13,
                   "quote": "exact text of lines 12-13", "identifiers": ["port_id", "context"],
                   "cwe": 639, "title": "...", "explanation": "...", "fix": "...",
                   "confidence": "low|medium|high"}],
     "triage": [{"finding": "F1", "verdict": "confirmed|likely-false-positive|uncertain",
                 "reason": "...",
                 "evidence": [{"path": "...", "start_line": 1, "end_line": 1, "quote": "..."}]}]}

``path`` may be omitted when only one file was sent; extra fields are ignored. An answer
that is not such an object is *unusable* (``UnusableAnswer``: the request is retried once).
One claim that does not fit the schema is dropped (``malformed claim``) and the rest kept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache

ANSWER_VERSION = 1
MAX_CLAIMS = 50
"""Claims (findings plus triage entries) read from one answer; more are dropped (``too many claims``)."""

_LINE = {"type": "integer", "minimum": 1}
_EVIDENCE = {
    "type": "object",
    "required": ["start_line", "end_line", "quote"],
    "properties": {
        "path": {"type": "string", "minLength": 1, "maxLength": 500},
        "start_line": _LINE,
        "end_line": _LINE,
        "quote": {"type": "string", "minLength": 1, "maxLength": 4000},
    },
}
FINDING_SCHEMA = {
    "type": "object",
    "required": ["start_line", "end_line", "quote", "identifiers", "cwe", "title", "explanation"],
    "properties": {
        "path": {"type": "string", "minLength": 1, "maxLength": 500},
        "start_line": _LINE,
        "end_line": _LINE,
        "quote": {"type": "string", "minLength": 1, "maxLength": 4000},
        "identifiers": {"type": "array", "minItems": 1, "maxItems": 20,
                        "items": {"type": "string", "minLength": 1, "maxLength": 200}},
        "cwe": {"type": "integer", "minimum": 1},
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "explanation": {"type": "string", "minLength": 1, "maxLength": 3000},
        "fix": {"type": "string", "maxLength": 3000},
        "confidence": {"enum": ["low", "medium", "high"]},
    },
}
TRIAGE_SCHEMA = {
    "type": "object",
    "required": ["finding", "verdict", "reason", "evidence"],
    "properties": {
        "finding": {"type": "string", "minLength": 1, "maxLength": 50},
        "verdict": {"enum": ["confirmed", "likely-false-positive", "uncertain"]},
        "reason": {"type": "string", "maxLength": 3000},
        "evidence": {"type": "array", "maxItems": 10, "items": _EVIDENCE},
    },
}
ANSWER_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": f"secreview model answer, version {ANSWER_VERSION}",
    "type": "object",
    "properties": {
        "findings": {"type": "array", "items": FINDING_SCHEMA},
        "triage": {"type": "array", "items": TRIAGE_SCHEMA},
    },
}


class UnusableAnswer(Exception):
    """The answer as a whole is not one JSON object of the expected shape; ``kind`` says how."""

    def __init__(self, kind: str, message: str = ""):
        super().__init__(message or kind)
        self.kind = kind


@dataclass(frozen=True)
class Answer:
    findings: tuple[dict, ...]
    triage: tuple[dict, ...]
    malformed: int = 0
    """Claims that did not fit the schema."""
    excess: int = 0
    """Claims beyond ``MAX_CLAIMS``."""


_FENCE = re.compile(r"\A```[A-Za-z]*[ \t]*\n(.*)\n```\Z", re.S)
_CWE = re.compile(r"\A\s*(?:CWE-)?(\d{1,6})\s*\Z", re.I)


def parse(text: str) -> Answer:
    """The claims of an answer. Raises ``UnusableAnswer`` (``not-json``, ``not-an-object``,
    ``wrong-shape``)."""
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1).strip()
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        raise UnusableAnswer("not-json", "the answer is not one JSON object") from None
    if not isinstance(doc, dict):
        raise UnusableAnswer("not-an-object", "the answer is JSON but not an object")
    findings, triage = doc.get("findings", []), doc.get("triage", [])
    if not isinstance(findings, list) or not isinstance(triage, list):
        raise UnusableAnswer("wrong-shape", "findings and triage must be arrays")
    malformed = 0
    kept_findings, kept_triage = [], []
    for item in findings:
        item = _normalised(item)
        if _valid(FINDING_SCHEMA, item):
            kept_findings.append(item)
        else:
            malformed += 1
    for item in triage:
        if _valid(TRIAGE_SCHEMA, item):
            kept_triage.append(item)
        else:
            malformed += 1
    excess = max(0, len(kept_findings) + len(kept_triage) - MAX_CLAIMS)
    kept_triage = kept_triage[:MAX_CLAIMS]
    kept_findings = kept_findings[:MAX_CLAIMS - len(kept_triage)]
    return Answer(tuple(kept_findings), tuple(kept_triage), malformed, excess)


def _normalised(item):
    """``"cwe": "CWE-639"`` read as ``639`` (a spelling, not a claim); nothing else changes."""
    if isinstance(item, dict) and isinstance(item.get("cwe"), str):
        m = _CWE.match(item["cwe"])
        if m:
            return {**item, "cwe": int(m.group(1))}
    return item


@cache
def _validator(schema_id: int):
    import jsonschema
    schema = {id(FINDING_SCHEMA): FINDING_SCHEMA, id(TRIAGE_SCHEMA): TRIAGE_SCHEMA}[schema_id]
    return jsonschema.Draft202012Validator(schema)


def _valid(schema: dict, item) -> bool:
    if not _validator(id(schema)).is_valid(item):
        return False
    numbers = [item.get(k) for k in ("start_line", "end_line", "cwe")]
    numbers += [e[k] for e in item.get("evidence", ()) for k in ("start_line", "end_line")]
    if any(n is not None and type(n) is not int for n in numbers):  # 12.0 is an integer to JSON Schema
        return False
    if item.get("start_line", 1) > item.get("end_line", 1):
        return False
    return all(e["start_line"] <= e["end_line"] for e in item.get("evidence", ()))


def schema_text() -> str:
    """The schema as the prompt gives it."""
    return json.dumps(ANSWER_SCHEMA, indent=1)
