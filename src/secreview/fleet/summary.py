"""The fleet's summary (``summary.json``), and the record of a run kept in the store to tell the
next run what changed.

Everything here is read from the repositories' JSON reports (``docs/json-format.md``): counts
per repository, rule and severity, the repositories with the most severe findings first, the
repositories not reviewed and why. Changes are told by finding fingerprints (the identity
baselines use, stable across edits that move lines): a finding of a repository whose
fingerprint the previous run did not report for it is new, one it reported that is gone is
fixed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

SCHEMA_VERSION = 1
SEVERITIES = ("high", "medium", "low")
MAX_LISTED = 500
"""Findings listed one by one under ``changes`` (new and fixed each); the counts are always whole."""


def repository_entry(result) -> dict:
    """One repository of ``summary.json`` from its ``orchestrate.RepoResult``."""
    repo = result.repo
    entry = {"name": repo.name, "source": repo.source, "kind": repo.kind, "revision": repo.revision,
             "status": result.status, "key": result.key}
    if result.status == "failed":
        entry["reason"] = result.reason
        return entry
    report = json.loads(result.report_json)
    summary = report["summary"]
    by_rule = Counter(f["rule_id"] for f in report["findings"])
    entry.update({
        "reports": {"json": repo.name + ".json", "sarif": repo.name + ".sarif"},
        "files_reviewed": summary["files_reviewed"], "lines_reviewed": summary["lines_reviewed"],
        "findings": summary["findings"], "by_severity": dict(summary["by_severity"]),
        "by_rule": dict(sorted(by_rule.items())), "files_not_reviewed": summary["files_not_reviewed"],
        "seconds": result.seconds, "shares": result.shares,
    })
    return entry


def severity_rank(entry: dict) -> tuple:
    """Most severe first: more high findings, then medium, then low; failures last; then by name."""
    if entry["status"] == "failed":
        return (1, 0, 0, 0, entry["name"])
    counts = entry["by_severity"]
    return (0, -counts["high"], -counts["medium"], -counts["low"], entry["name"])


def build_summary(results: Sequence, previous: dict | None, run: dict, tool_version: str) -> dict:
    entries = [repository_entry(r) for r in results]
    reviewed = [e for e in entries if e["status"] != "failed"]
    rules: dict[str, dict] = {}
    for result, entry in zip(results, entries):
        if entry["status"] == "failed":
            continue
        for finding in json.loads(result.report_json)["findings"]:
            rule = rules.setdefault(finding["rule_id"], {
                "rule_id": finding["rule_id"], "rule_name": finding["rule_name"], "title": finding["title"],
                "cwe": finding["cwe"], "findings": 0, "by_severity": dict.fromkeys(SEVERITIES, 0),
                "repositories": set()})
            rule["findings"] += 1
            rule["by_severity"][finding["severity"]] += 1
            rule["repositories"].add(entry["name"])
    rule_list = sorted(rules.values(), key=lambda r: (-r["by_severity"]["high"], -r["findings"], r["rule_id"]))
    for rule in rule_list:
        rule["repositories"] = len(rule["repositories"])
    by_severity = {s: sum(e["by_severity"][s] for e in reviewed) for s in SEVERITIES}
    totals = {
        "repositories": len(entries),
        "reviewed": sum(e["status"] == "reviewed" for e in entries),
        "from_store": sum(e["status"] == "stored" for e in entries),
        "failed": len(entries) - len(reviewed),
        "with_findings": sum(1 for e in reviewed if e["findings"]),
        "files_reviewed": sum(e["files_reviewed"] for e in reviewed),
        "lines_reviewed": sum(e["lines_reviewed"] for e in reviewed),
        "findings": sum(by_severity.values()),
        "by_severity": by_severity,
        "files_not_reviewed": sum(e["files_not_reviewed"] for e in reviewed),
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "secreview", "version": tool_version},
        "run": run,
        "totals": totals,
        "repositories": sorted(entries, key=severity_rank),
        "rules": rule_list,
        "not_reviewed": [{"name": e["name"], "source": e["source"], "reason": e["reason"]}
                         for e in entries if e["status"] == "failed"],
        "changes": changes(run_record(results, run), previous),
    }


def run_record(results: Sequence, run: dict) -> dict:
    """What the store keeps of a run: per repository its key, status and findings' identities."""
    repositories = {}
    for result in results:
        item = {"key": result.key, "status": result.status, "source": result.repo.source}
        if result.status == "failed":
            item["reason"] = result.reason
        else:
            item["findings"] = [[f["fingerprint"], f["rule_id"], f["severity"], f["path"], f["line"], f["title"]]
                                for f in json.loads(result.report_json)["findings"]]
        repositories[result.repo.name] = item
    return {"run": run, "repositories": repositories}


def changes(current: dict, previous: dict | None) -> dict:
    """What changed from the ``previous`` run record to the ``current`` one."""
    if previous is None:
        return {"previous_run": None}
    now, before = current["repositories"], previous.get("repositories", {})
    out = {
        "previous_run": previous.get("run"),
        "added": sorted(set(now) - set(before)),
        "removed": sorted(set(before) - set(now)),
        "repositories": [],
        "new_findings": 0,
        "fixed_findings": 0,
        "new": [],
        "fixed": [],
    }
    for name in sorted(set(now) & set(before)):
        cur, old = now[name], before[name]
        item = {"name": name, "content_changed": cur["key"] != old.get("key")}
        cur_failed, old_failed = cur["status"] == "failed", old.get("status") == "failed" or "findings" not in old
        if cur_failed or old_failed:
            if cur_failed != old_failed:
                item["status"] = ("failed" if old_failed else "reviewed") + " -> " + \
                                 ("failed" if cur_failed else "reviewed")
                out["repositories"].append(item)
            continue
        new, fixed = _difference(cur["findings"], old["findings"]), _difference(old["findings"], cur["findings"])
        if new or fixed or item["content_changed"]:
            item.update({"new_findings": len(new), "fixed_findings": len(fixed)})
            out["repositories"].append(item)
        out["new_findings"] += len(new)
        out["fixed_findings"] += len(fixed)
        for kind, found in (("new", new), ("fixed", fixed)):
            room = MAX_LISTED - len(out[kind])
            out[kind].extend(_described(name, f) for f in found[:max(0, room)])
    return out


def _difference(these: list, those: list) -> list:
    """The findings of ``these`` whose fingerprints ``those`` does not have as often."""
    left = Counter(f[0] for f in those)
    out = []
    for finding in these:
        if left[finding[0]] > 0:
            left[finding[0]] -= 1
        else:
            out.append(finding)
    return out


def _described(repository: str, finding: list) -> dict:
    fingerprint, rule_id, severity, path, line, title = finding
    return {"repository": repository, "rule_id": rule_id, "severity": severity, "path": path, "line": line,
            "title": title, "fingerprint": fingerprint}
