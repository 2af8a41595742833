"""The review as a versioned JSON document (``schema_version`` 1).

The document is described by ``json-schema-v1.json`` next to this module and
in ``docs/json-format.md``. Any change that removes or renames a field, or
changes its meaning, bumps ``schema_version``; adding an optional field does
not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from secreview.findings.model import AddedSuppression, FileProblem, Finding, ModelPass, ReviewResult, TraceStep
from secreview.reports import (
    ReportOptions,
    below_threshold_counts,
    excluded_counts,
    files_not_reviewed,
    model_pass_sentences,
    non_production_counts,
    severity_counts,
    short_verdict,
    sorted_findings,
    sorted_problems,
)

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("json-schema-v1.json")


def render(result: ReviewResult, options: ReportOptions) -> str:
    return (
        json.dumps(
            document(result, options), indent=2, sort_keys=False, ensure_ascii=False
        )
        + "\n"
    )


def document(result: ReviewResult, options: ReportOptions) -> dict[str, Any]:
    """The report as plain JSON data, before serialisation."""
    findings = sorted_findings(result)
    n = len(findings)
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "secreview", "version": options.tool_version},
        "target": result.target,
    }
    if result.message is not None:
        doc["message"] = result.message
    doc.update({
        "summary": {
            "files_reviewed": result.files_reviewed,
            "lines_reviewed": result.lines_reviewed,
            "findings": n,
            "by_severity": severity_counts(findings),
            "suppressed": result.suppressed,
            "files_not_reviewed": files_not_reviewed(result),
            "excluded": excluded_counts(result),
            "non_production": non_production_counts(result),
            "below_threshold": below_threshold_counts(result),
        },
        "verdict": short_verdict(result),
    })
    if result.model_pass is not None:
        doc["llm"] = _model_pass(result.model_pass, result)
    doc.update({
        "findings": [_finding(f) for f in findings],
        "problems": [_problem(p) for p in sorted_problems(result)],
    })
    if result.baselined:
        doc["summary"]["baselined"] = result.baselined
    if result.changed_lines is not None:
        doc["changed_lines"] = {path: [[a, b] for a, b in spans]
                                for path, spans in sorted(result.changed_lines.items())}
        doc["added_suppressions"] = [
            _added(s) for s in sorted(result.added_suppressions, key=lambda s: (s.path, s.line, s.comment))]
    return doc


def _added(s: AddedSuppression) -> dict[str, Any]:
    return {
        "path": s.path,
        "line": s.line,
        "comment": s.comment,
        "rules": list(s.rules),
        "reason": s.reason,
        "hides": [_finding(f) for f in sorted(s.hides, key=Finding.sort_key)],
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "title": f.title,
        "cwe": f.cwe,
        "severity": str(f.severity),
        "confidence": str(f.confidence),
        "path": f.path,
        "line": f.span.line,
        "col": f.span.col,
        "end_line": f.span.end_line,
        "end_col": f.span.end_col,
        "code": f.code,
        "explanation": f.explanation,
        "fix": f.fix,
        "trace": [_step(s) for s in f.trace],
        "tags": list(f.tags),
        "fingerprint": f.fingerprint,
        "origin": f.origin,
        **({"triage": _triage(f)} if f.triage is not None else {}),
    }


def _triage(f: Finding) -> dict[str, Any]:
    t = f.triage
    assert t is not None
    return {
        "verdict": t.verdict,
        "confidence": str(t.confidence),
        "reason": t.reason,
        "evidence": [{"path": e.path, "line": e.line, "end_line": e.end_line, "code": e.code} for e in t.evidence],
        "note": t.note,
    }


def _model_pass(mp: ModelPass, result: ReviewResult) -> dict[str, Any]:
    return {
        "model": mp.model,
        "endpoint": mp.endpoint,
        "prompt_version": mp.prompt_version,
        "complete": mp.complete,
        "summary": " ".join(model_pass_sentences(result)),
        "functions": mp.units,
        "reviewed": mp.reviewed,
        "requests": mp.requests,
        "retries": mp.retries,
        "cached_answers": mp.cached_answers,
        "tokens": {"input": mp.input_tokens, "output": mp.output_tokens},
        "findings": mp.findings,
        "confirmed": mp.confirmed,
        "likely_false_positives": mp.dismissed,
        "uncertain": mp.uncertain,
        "filtered": mp.filtered,
        "claims_dropped": dict(mp.dropped),
        "not_reviewed": [{"path": n.path, "scope": n.scope, "line": n.line, "end_line": n.end_line,
                          "reason": n.reason} for n in mp.not_reviewed],
    }


def _step(s: TraceStep) -> dict[str, Any]:
    return {
        "path": s.path,
        "line": s.line,
        "col": s.col,
        "note": s.note,
        "code": s.code,
    }


def _problem(p: FileProblem) -> dict[str, Any]:
    return {
        "path": p.path,
        "kind": p.kind.value,
        "message": p.message,
        "lines": [[a, b] for a, b in p.lines],
        "reviewed": p.reviewed,
    }
