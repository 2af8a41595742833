"""Verified claims into the review's result.

* A triage verdict sets ``Finding.triage`` on the engine finding it names; the finding is
  never removed, and its own severity and confidence are never changed (filters and exit
  codes read those). A likely false positive gets ``Triage.confidence`` one step lower.
* A verified finding claim at the lines (overlapping) and CWE of an engine finding confirms
  that finding instead of adding a second one.
* Any other verified finding claim becomes a finding of rule ``SR901`` model-opinion, origin
  ``llm``: confidence at most medium, severity medium (low for crashes, unbounded work and
  input validation), with a fingerprint. The configuration's thresholds, rule selection and
  suppression comments apply to it as to any finding.
"""

from __future__ import annotations

import hashlib

from secreview.findings.model import Evidence, Finding, Level, ModelPass, ReviewResult, Span, Triage
from secreview.findings.suppress import Suppressions
from secreview.llm.prompt import LOW_SEVERITY_CWES
from secreview.llm.verify import VerifiedFinding
from secreview.rules.model_opinion import ModelOpinion

TAG = "model-opinion"


def lowered(level: Level) -> Level:
    return Level(max(int(Level.LOW), int(level) - 1))


def model_fingerprint(rule_id: str, cwe: int, path: str, code: str) -> str:
    """Rule, CWE, file and normalised code: stable across line moves, distinct per CWE."""
    data = f"{rule_id}\0CWE-{cwe}\0{path}\0{' '.join(code.split())}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:32]


def _overlaps(f: Finding, v: VerifiedFinding) -> bool:
    return f.path == v.path and f.span.line <= v.end_line and v.line <= f.span.end_line


def apply_triage(finding: Finding, triage: Triage, summary: ModelPass) -> None:
    finding.triage = triage
    if triage.verdict == "confirmed":
        summary.confirmed += 1
    elif triage.verdict == "likely-false-positive":
        summary.dismissed += 1
    else:
        summary.uncertain += 1


def _recount(result: ReviewResult, summary: ModelPass) -> None:
    summary.confirmed = summary.dismissed = summary.uncertain = 0
    for f in result.findings:
        if f.triage is not None:
            key = {"confirmed": "confirmed", "likely-false-positive": "dismissed"}.get(f.triage.verdict, "uncertain")
            setattr(summary, key, getattr(summary, key) + 1)


def merge_findings(result: ReviewResult, verified: list[VerifiedFinding], config, texts: dict[str, str],
                   summary: ModelPass) -> None:
    """Confirmations and new model findings from ``verified`` (already in unit order)."""
    seen: set[tuple] = set()
    engine = [f for f in result.findings if f.origin == "engine"]
    added: list[Finding] = []
    suppressions: dict[str, Suppressions] = {}
    for v in verified:
        key = (v.path, v.line, v.end_line, v.cwe)
        if key in seen:
            continue
        seen.add(key)
        matches = [f for f in engine if f.cwe == v.cwe and _overlaps(f, v)]
        if matches:
            for f in matches:
                _confirm(f, v)
            continue
        finding = model_finding(v)
        if (finding.severity < config.min_severity or finding.confidence < config.min_confidence
                or not config.rule_enabled(ModelOpinion)):
            summary.filtered += 1
            continue
        sup = suppressions.get(v.path)
        if sup is None:
            sup = suppressions[v.path] = Suppressions.from_source(texts.get(v.path, ""))
        if sup.match(ModelOpinion.id, ModelOpinion.name, (), range(v.line, v.end_line + 1)) is not None:
            result.suppressed += 1
            continue
        added.append(finding)
    result.findings.extend(added)
    summary.findings = len(added)
    _recount(result, summary)
    result.sort()


def _confirm(f: Finding, v: VerifiedFinding) -> None:
    evidence = (Evidence(v.path, v.line, v.end_line, v.code),)
    if f.triage is not None and f.triage.verdict == "likely-false-positive":
        f.triage = Triage("uncertain", f.confidence, note="the model both named this defect at these lines and "
                                                          "judged the finding a likely false positive")
    elif f.triage is None or f.triage.verdict != "confirmed":
        f.triage = Triage("confirmed", f.confidence, reason=v.explanation, evidence=evidence,
                          note="the model named this defect at these lines")


def model_finding(v: VerifiedFinding) -> Finding:
    lines = v.code.split("\n")
    first, last = lines[0], lines[-1]
    col = len(first) - len(first.lstrip())
    end_col = len(last.rstrip())
    if v.line == v.end_line and end_col <= col:
        end_col = col
    severity = Level.LOW if v.cwe in LOW_SEVERITY_CWES else Level.MEDIUM
    return Finding(rule_id=ModelOpinion.id, rule_name=ModelOpinion.name, title=v.title, cwe=v.cwe,
                   severity=severity, confidence=min(v.confidence, Level.MEDIUM), path=v.path,
                   span=Span(v.line, col, v.end_line, end_col), code=v.code, explanation=v.explanation, fix=v.fix,
                   tags=(TAG,), origin="llm",
                   fingerprint=model_fingerprint(ModelOpinion.id, v.cwe, v.path, v.code))
