"""Reading the reports after the runs: counting findings, and checking that every secreview run reports
exactly the findings of the reference run (``--jobs 1 --no-cache``) on the same tree (``--check-identical``).

Reports are read only after all runs: parsing them grows this process, whose peak RSS the kernel counts
into every later tool's ``ru_maxrss``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass

from speedbench.common import load_json, spread
from speedbench.measure import Run
from speedbench.tools import Tool


def _strip_roots(value, prefixes: tuple[str, ...]):
    if isinstance(value, str):
        for prefix in prefixes:
            value = value.replace(prefix, "")
        return value
    if isinstance(value, list):
        return [_strip_roots(v, prefixes) for v in value]
    if isinstance(value, dict):
        return {k: _strip_roots(v, prefixes) for k, v in value.items()}
    return value


def normalise_findings(report: dict, tree: str) -> list[dict]:
    """The report's ``findings``, comparable across runs on copies of a tree at different paths.

    Every string loses the tree's path (as given and resolved) followed by a separator, so paths become
    relative to the tree; ``fingerprint`` is dropped (a hash of rule, path and code, all compared anyway).
    """
    roots = {tree.rstrip(os.sep), os.path.realpath(tree).rstrip(os.sep)}
    prefixes = tuple(sorted((r + os.sep for r in roots if r), key=len, reverse=True))
    found = []
    for finding in report.get("findings", []):
        finding = {k: v for k, v in finding.items() if k != "fingerprint"}
        found.append(_strip_roots(finding, prefixes))
    return found


def _n_findings(n: int) -> str:
    return f"{n} finding{'' if n == 1 else 's'}"


def _finding_name(f: dict) -> str:
    return f"{f.get('rule_id', '?')} {f.get('path', '?')}:{f.get('line', '?')}"


def compare_findings(got: list[dict], want: list[dict]) -> tuple[bool, str]:
    """Whether two normalised findings lists are equal, and what differs (as multisets) when not."""
    if got == want:
        return True, f"{_n_findings(len(got))}, equal"
    def key(finding: dict) -> str:
        return json.dumps(finding, sort_keys=True)

    a, b = Counter(map(key, got)), Counter(map(key, want))
    extra, missing = list((a - b).elements()), list((b - a).elements())
    if not extra and not missing:
        return False, f"{_n_findings(len(got))}, the same ones in another order"
    parts = [f"{_n_findings(len(got))} against {len(want)}"]
    if extra:
        parts.append(f"{len(extra)} not in the reference (" +
                     ", ".join(_finding_name(json.loads(e)) for e in extra[:3])
                     + (", ..." if len(extra) > 3 else "") + ")")
    if missing:
        parts.append(f"{len(missing)} missing (" +
                     ", ".join(_finding_name(json.loads(m)) for m in missing[:3])
                     + (", ..." if len(missing) > 3 else "") + ")")
    return False, "; ".join(parts)


@dataclass
class Check:
    label: str
    reference: str  # label of the reference
    ok: bool
    details: list[str]  # per run


def check_findings(tools: dict[str, Tool]) -> list[Check]:
    """Each secreview scenario's runs against its reference run (same tree, unedited or edited)."""
    checks = []
    cache: dict[str, list[dict]] = {}

    def findings(run: Run) -> list[dict]:
        if run.out not in cache:
            cache[run.out] = normalise_findings(load_json(run.out), run.tree)
        return cache[run.out]

    for t in tools.values():
        ref = tools.get(t.reference) if t.reference else None
        if ref is None or not ref.runs or not t.runs:
            continue
        want = findings(ref.runs[0])
        details, ok = [], True
        for i, run in enumerate(t.runs, 1):
            same, detail = compare_findings(findings(run), want)
            ok &= same
            details.append(f"run {i}: {'OK' if same else 'MISMATCH'} ({detail})")
        checks.append(Check(t.label, ref.label, ok, details))
    return checks


def count_findings(tools: dict[str, Tool]) -> dict[str, object]:
    facts: dict[str, object] = {}
    for t in tools.values():
        if not t.runs:
            continue
        reports = [load_json(r.out) for r in t.runs]
        if t.kind == "secreview":
            findings = [len(d.get("findings", [])) for d in reports]
            problems = [len(d.get("problems", [])) for d in reports]
            t.findings = f"{spread(findings)} ({spread(problems)} problems)"
            if "secreview_files" not in facts:
                summary = reports[0].get("summary", {})
                facts["secreview_files"] = summary.get("files_reviewed")
                facts["secreview_lines"] = summary.get("lines_reviewed")
        elif t.kind == "bandit":
            results = [len(d.get("results", [])) for d in reports]
            errors = [len(d.get("errors", [])) for d in reports]
            t.findings = spread(results)
            t.notes.append(f"bandit: {spread(errors)} files in `errors` (not scanned); exit status "
                           f"{spread([r.exit_code for r in t.runs])} (1 = issues found).")
        elif t.kind == "ruff":
            t.findings = spread([len(d) for d in reports])
    if "secreview_files" in facts:
        facts["secreview_note"] = (f"secreview reviewed {facts['secreview_files']} files, "
                                   f"{facts['secreview_lines']} lines; `problems` lists files not (or only partly) "
                                   f"reviewed.")
    return facts


