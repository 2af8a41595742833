"""The review as a GitLab Code Quality report (``artifacts: reports: codequality``).

A JSON array of issues, the subset of the Code Climate format GitLab reads::

    [
      {
        "description": "SR101 OS command injection (CWE-78): `cmd` holds ...",
        "check_name": "SR101 command-injection",
        "fingerprint": "3b1f...",
        "severity": "critical",
        "location": {"path": "app/views.py", "lines": {"begin": 12}}
      }
    ]

Severity high is ``critical``, medium ``major``, low ``minor``. GitLab compares
the issues of a merge request with those of its target branch by
``fingerprint``, and shows one issue per fingerprint, so fingerprints are
unique: the finding's line-independent fingerprint (rule, file, code), with the
number of the occurrence when the same code appears more than once in a file.
A file that was not (fully) reviewed is an ``info`` issue (check
``secreview/not-reviewed``), an added suppression comment a ``major`` issue
(check ``secreview/added-suppression``) when it hides a finding, ``info``
otherwise. A clean review is an empty array: this format has no place for
the verdict.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from secreview.findings.model import Finding, Level, ReviewResult
from secreview.reports import (
    MODEL_OPINION,
    ReportOptions,
    cwe_label,
    excluded_note,
    is_model_opinion,
    model_pass_sentences,
    problem_status,
    sorted_findings,
    sorted_problems,
    triage_line,
)
from secreview.reports._comments import suppression_summary

SEVERITY = {Level.HIGH: "critical", Level.MEDIUM: "major", Level.LOW: "minor"}


def render(result: ReviewResult, options: ReportOptions) -> str:
    return json.dumps(issues(result), indent=2, ensure_ascii=False) + "\n"


def _hash(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def base_fingerprint(f: Finding) -> str:
    if f.fingerprint:
        return f.fingerprint
    from secreview.findings.fingerprint import fingerprint

    return fingerprint(f)


def issues(result: ReviewResult) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: Counter = Counter()
    for f in sorted_findings(result):
        base = base_fingerprint(f)
        seen[base] += 1
        opinion = f"{MODEL_OPINION}: " if is_model_opinion(f) else ""
        title = f"{f.rule_id} {opinion}{f.title}" + (f" ({cwe_label(f.cwe)})" if f.cwe > 0 else "")
        description = f"{title}: {f.explanation}" if f.explanation else title
        triage = triage_line(f)
        if triage:
            description += f" ({triage})"
        out.append({
            "description": description,
            "check_name": f"{f.rule_id} {f.rule_name}",
            "fingerprint": _hash("finding", base, str(seen[base])),
            "severity": SEVERITY[f.severity],
            "location": {"path": f.path, "lines": {"begin": f.span.line}},
        })
    for s in result.added_suppressions:
        key = ("added-suppression", s.path, " ".join(s.comment.split()))
        seen[key] += 1
        out.append({
            "description": suppression_summary(s),
            "check_name": "secreview/added-suppression",
            "fingerprint": _hash(*key, str(seen[key])),
            "severity": "major" if s.hides else "info",
            "location": {"path": s.path, "lines": {"begin": s.line}},
        })
    for p in sorted_problems(result):
        key = ("problem", p.path, p.kind.value)
        seen[key] += 1
        out.append({
            "description": f"secreview could not review {p.path} ({p.kind.value}): {problem_status(p)}",
            "check_name": "secreview/not-reviewed",
            "fingerprint": _hash(*key, str(seen[key])),
            "severity": "info",
            "location": {"path": p.path, "lines": {"begin": p.lines[0][0] if p.lines else 1}},
        })
    mp = result.model_pass
    if mp is not None and not mp.complete:  # this format has no verdict: what the model did not review is an issue
        summary = " ".join(model_pass_sentences(result))
        for path in sorted({n.path for n in mp.not_reviewed}):
            items = [n for n in mp.not_reviewed if n.path == path]
            where = "; ".join(f"{n.scope} (lines {n.line}-{n.end_line}): {n.reason}" for n in items)
            out.append({
                "description": f"secreview's model pass did not review {path}: {where}. {summary}",
                "check_name": "secreview/not-reviewed-by-model",
                "fingerprint": _hash("not-reviewed-by-model", path),
                "severity": "info",
                "location": {"path": path, "lines": {"begin": items[0].line}},
            })
    note = excluded_note(result)
    if note:  # what was left out of the review: one issue, placed on the first path left out
        first = next((e for left_out in result.excluded.values() for e in left_out.examples),
                     next(iter(result.non_production.examples), "."))
        out.append({
            "description": f"secreview: {note}",
            "check_name": "secreview/excluded",
            "fingerprint": _hash("excluded"),
            "severity": "info",
            "location": {"path": first.rstrip("/") or ".", "lines": {"begin": 1}},
        })
    return out
