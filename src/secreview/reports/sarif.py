"""The review as a SARIF 2.1.0 log, for code-scanning services and IDEs.

One run. ``tool.driver.rules`` describes every rule that has a result, with
its CWE both as a ``external/cwe/cwe-N`` tag (what GitHub code scanning reads)
and as a relationship to a taxon of the CWE taxonomy in ``run.taxonomies``.
Paths are relative URIs under ``%SRCROOT%``; columns are 1-based code points.
Files that were not (fully) reviewed become tool execution notifications of
the invocation, so that a consumer cannot mistake them for clean files.
Every result has ``partialFingerprints["secreview/v1"]`` (rule, file and
normalised code, no line number), so that code-scanning services follow a
finding across runs and edits; a second result of the same code in the same
file gets it with its occurrence's number, hashed, so that no two are alike.
In a change review, the findings hidden by a suppression comment the change
adds are results too, with an ``inSource`` suppression of status
``underReview``; the invocation's properties list every added suppression
(``addedSuppressions``) and the change's message.
No timestamps, so the same review gives the same log.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from secreview.findings.model import AddedSuppression, FileProblem, Finding, Level, ReviewResult
from secreview.reports import (
    MODEL_OPINION,
    ReportOptions,
    below_threshold_counts,
    cwe_label,
    excluded_counts,
    excluded_note,
    files_not_reviewed,
    is_model_opinion,
    model_pass_sentences,
    non_production_counts,
    problem_status,
    short_verdict,
    sorted_findings,
    sorted_problems,
)
from secreview.rules.registry import find_rule

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"

LEVEL = {Level.HIGH: "error", Level.MEDIUM: "warning", Level.LOW: "note"}
SECURITY_SEVERITY = {Level.HIGH: "8.8", Level.MEDIUM: "5.5", Level.LOW: "2.0"}
PRECISION = {Level.HIGH: "high", Level.MEDIUM: "medium", Level.LOW: "low"}

CWE_TAXONOMY = {"name": "CWE", "index": 0}
"""``toolComponentReference`` to the CWE taxonomy, the only entry of ``run.taxonomies``."""


def render(result: ReviewResult, options: ReportOptions) -> str:
    return json.dumps(log(result, options), indent=2, ensure_ascii=False) + "\n"


def log(result: ReviewResult, options: ReportOptions) -> dict[str, Any]:
    """The SARIF log as plain JSON data."""
    findings = sorted_findings(result)
    added = sorted(result.added_suppressions, key=lambda s: (s.path, s.line, s.comment))
    hidden = [(f, s) for s in added for f in sorted(s.hides, key=Finding.sort_key)]
    every = findings + [f for f, _ in hidden]
    rule_ids = sorted({f.rule_id for f in every})
    rule_index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    cwes = sorted({f.cwe for f in every if f.cwe > 0})
    taxon_index = {cwe: i for i, cwe in enumerate(cwes)}

    first_of = {}
    for f in every:
        first_of.setdefault(f.rule_id, f)
    rules = [_rule(first_of[rule_id], taxon_index) for rule_id in rule_ids]

    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "secreview",
                "version": options.tool_version,
                "rules": rules,
            }
        },
        "invocations": [_invocation(result)],
        "originalUriBaseIds": {
            SRCROOT: {
                "description": {
                    "text": "Root of the reviewed sources; result paths are relative to it."
                }
            }
        },
        "results": _distinct_fingerprints(
            [_result(f, rule_index[f.rule_id], taxon_index) for f in findings]
            + [_suppressed(_result(f, rule_index[f.rule_id], taxon_index), s) for f, s in hidden]),
        "columnKind": "unicodeCodePoints",
    }
    if cwes:
        run["tool"]["driver"]["supportedTaxonomies"] = [dict(CWE_TAXONOMY)]
        run["taxonomies"] = [
            {
                "name": "CWE",
                "organization": "MITRE",
                "shortDescription": {"text": "The MITRE Common Weakness Enumeration"},
                "informationUri": "https://cwe.mitre.org/",
                "taxa": [
                    {"id": str(cwe), "name": cwe_label(cwe), "helpUri": _cwe_uri(cwe)}
                    for cwe in cwes
                ],
            }
        ]
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _cwe_uri(cwe: int) -> str:
    return f"https://cwe.mitre.org/data/definitions/{cwe}.html"


def _taxon_ref(cwe: int, taxon_index: dict[int, int]) -> dict[str, Any]:
    return {
        "id": str(cwe),
        "index": taxon_index[cwe],
        "toolComponent": dict(CWE_TAXONOMY),
    }


def _rule(example: Finding, taxon_index: dict[int, int]) -> dict[str, Any]:
    """Metadata of the rule of ``example``, from the rule catalog when it knows the rule.

    A rule the catalog does not know (a plugin, a hand-built finding) is described
    by the fields of its first finding.
    """
    rule = find_rule(example.rule_id)
    if rule is not None and rule.id == example.rule_id:
        name, title, cwe = rule.name, rule.title, rule.cwe
        severity, confidence = rule.severity, rule.confidence
        summary, doc = rule.summary(), rule.doc()
    else:
        name, title, cwe = example.rule_name, example.title, example.cwe
        severity, confidence = example.severity, example.confidence
        summary = doc = ""

    descriptor: dict[str, Any] = {"id": example.rule_id}
    if name:
        descriptor["name"] = name
    if title:
        descriptor["shortDescription"] = {"text": title}
    if summary:
        descriptor["fullDescription"] = {"text": summary}
    if doc:
        descriptor["help"] = {"text": doc, "markdown": doc}
    descriptor["defaultConfiguration"] = {"level": LEVEL[severity]}
    if cwe > 0 and cwe in taxon_index:
        descriptor["relationships"] = [
            {"target": _taxon_ref(cwe, taxon_index), "kinds": ["relevant"]}
        ]
    tags = ["security"] + ([f"external/cwe/cwe-{cwe}"] if cwe > 0 else [])
    descriptor["properties"] = {
        "tags": tags,
        "security-severity": SECURITY_SEVERITY[severity],
        "precision": PRECISION[confidence],
    }
    return descriptor


def _result(f: Finding, rule_index: int, taxon_index: dict[int, int]) -> dict[str, Any]:
    region: dict[str, Any] = {
        "startLine": f.span.line,
        "startColumn": f.span.col + 1,
        "endLine": f.span.end_line,
        "endColumn": f.span.end_col + 1,
    }
    if f.code:
        region["snippet"] = {"text": f.code}
    message = f"{f.title}: {f.explanation}" if f.explanation else f.title
    if is_model_opinion(f):
        message = f"{MODEL_OPINION[0].upper()}{MODEL_OPINION[1:]}: {message}"
    out: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL[f.severity],
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact(f.path),
                    "region": region,
                }
            }
        ],
    }
    if f.cwe > 0 and f.cwe in taxon_index:
        out["taxa"] = [_taxon_ref(f.cwe, taxon_index)]
    # Every result has one, so that code-scanning services can follow it across runs and line moves.
    out["partialFingerprints"] = {"secreview/v1": f.fingerprint or _fingerprint(f)}
    if f.trace:
        steps = []
        for step in f.trace:
            step_region: dict[str, Any] = {
                "startLine": step.line,
                "startColumn": step.col + 1,
            }
            if step.code:
                step_region["snippet"] = {"text": step.code}
            location: dict[str, Any] = {
                "physicalLocation": {
                    "artifactLocation": artifact(step.path),
                    "region": step_region,
                }
            }
            if step.note:
                location["message"] = {"text": step.note}
            steps.append({"location": location})
        out["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]
    properties: dict[str, Any] = {
        "severity": str(f.severity),
        "confidence": str(f.confidence),
    }
    if f.cwe > 0:
        properties["cwe"] = cwe_label(f.cwe)
    if f.fix:
        properties["fix"] = f.fix
    tags = list(dict.fromkeys(f.tags))  # SARIF property-bag tags are unique
    if tags:
        properties["tags"] = tags
    if f.origin != "engine":
        properties["origin"] = f.origin
    if f.triage is not None:
        t = f.triage
        properties["llmTriage"] = {
            "verdict": t.verdict, "confidence": str(t.confidence), "reason": t.reason, "note": t.note,
            "evidence": [{"path": e.path, "line": e.line, "endLine": e.end_line, "code": e.code} for e in t.evidence],
        }
    out["properties"] = properties
    return out


def _distinct_fingerprints(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The second and later results of one fingerprint (identical code in one file: a construction written
    the same way in two functions) get it with their occurrence's number, hashed, as GitLab's report does,
    so that a code-scanning service keeps them as separate alerts; the first keeps the plain one."""
    import hashlib

    seen: dict[str, int] = {}
    for r in results:
        base = r["partialFingerprints"]["secreview/v1"]
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            r["partialFingerprints"]["secreview/v1"] = hashlib.sha256(
                f"{base}\0{seen[base]}".encode()).hexdigest()[:32]
    return results


def _fingerprint(f: Finding) -> str:
    from secreview.findings.fingerprint import fingerprint

    return fingerprint(f)


def _suppressed(out: dict[str, Any], s: AddedSuppression) -> dict[str, Any]:
    """A result hidden by a suppression comment the reviewed change adds: ``underReview``."""
    suppression: dict[str, Any] = {
        "kind": "inSource",
        "status": "underReview",
        "location": {
            "physicalLocation": {
                "artifactLocation": artifact(s.path),
                "region": {"startLine": s.line, "snippet": {"text": s.comment}},
            }
        },
        "properties": {"addedByChange": True, "comment": s.comment},
    }
    if s.reason:
        suppression["justification"] = s.reason
    out["suppressions"] = [suppression]
    return out


def _invocation(result: ReviewResult) -> dict[str, Any]:
    """The run's one invocation: the verdict and coverage, beside the files not (fully) reviewed."""
    invocation: dict[str, Any] = {
        "executionSuccessful": True,
        "properties": {
            "verdict": short_verdict(result),
            "filesReviewed": result.files_reviewed,
            "linesReviewed": result.lines_reviewed,
            "suppressed": result.suppressed,
            "filesNotReviewed": files_not_reviewed(result),
        },
    }
    if result.baselined:
        invocation["properties"]["baselined"] = result.baselined
    mp = result.model_pass
    if mp is not None:  # next to the verdict: what the model pass covered and did
        invocation["properties"]["modelPass"] = {
            "summary": " ".join(model_pass_sentences(result)),
            "model": mp.model,
            "endpoint": mp.endpoint,
            "promptVersion": mp.prompt_version,
            "complete": mp.complete,
            "functions": mp.units,
            "reviewed": mp.reviewed,
            "requests": mp.requests,
            "inputTokens": mp.input_tokens,
            "outputTokens": mp.output_tokens,
            "claimsDropped": dict(mp.dropped),
            "notReviewed": [{"path": n.path, "scope": n.scope, "line": n.line, "endLine": n.end_line,
                             "reason": n.reason} for n in mp.not_reviewed],
        }
    if result.message is not None:
        invocation["properties"]["changeMessage"] = result.message
    if result.changed_lines is not None:
        invocation["properties"]["addedSuppressions"] = [
            {
                "path": s.path,
                "line": s.line,
                "comment": s.comment,
                "hides": [f"{f.rule_id} {f.path}:{f.span.line}" for f in sorted(s.hides, key=Finding.sort_key)],
            }
            for s in sorted(result.added_suppressions, key=lambda s: (s.path, s.line, s.comment))
        ]
    notifications = [_notification(p) for p in sorted_problems(result)]
    note = excluded_note(result)
    if note:  # paths left out of the review: counted beside the verdict, and a note (nothing failed)
        invocation["properties"]["excluded"] = excluded_counts(result)
        invocation["properties"]["non_production"] = non_production_counts(result)
        invocation["properties"]["below_threshold"] = below_threshold_counts(result)
        notifications.append({"level": "note", "message": {"text": note}, "descriptor": {"id": "excluded"}})
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _notification(problem: FileProblem) -> dict[str, Any]:
    where = artifact(problem.path)
    if problem.lines:
        locations = [
            {
                "physicalLocation": {
                    "artifactLocation": dict(where),
                    "region": {"startLine": a, "endLine": b},
                }
            }
            for a, b in problem.lines
        ]
    else:
        locations = [{"physicalLocation": {"artifactLocation": where}}]
    return {
        "level": "warning" if problem.reviewed else "error",
        "message": {"text": f"{problem.path}: {problem_status(problem)}"},
        "descriptor": {"id": problem.kind.value},
        "locations": locations,
    }


_DRIVE = re.compile(r"^[A-Za-z]:/")


def artifact(path: str) -> dict[str, Any]:
    """``artifactLocation`` of ``path``: a relative URI under ``%SRCROOT%``.

    The path is kept as given, with forward slashes and URI escapes for the
    characters a URI cannot hold. A path that is already absolute becomes a
    ``file:`` URI with no base.
    """
    posix = path.replace("\\", "/")
    if posix.startswith("//"):  # UNC: //server/share/...
        return {"uri": "file:" + quote(posix, safe="/")}
    if _DRIVE.match(posix) or PureWindowsPath(path).is_absolute():
        return {"uri": "file:///" + quote(posix.lstrip("/"), safe="/:")}
    if PurePosixPath(posix).is_absolute():
        return {"uri": "file://" + quote(posix, safe="/")}
    # ':' stays escaped, so that "a:b.py" cannot read as a URI scheme.
    return {"uri": quote(posix, safe="/!$&'()*+,;=@-._~"), "uriBaseId": SRCROOT}
