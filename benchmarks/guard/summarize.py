#!/usr/bin/env python3
"""Headline figures of one guard run (an OUTDIR of run.sh): writes OUTDIR/summary.json and summary.md.

    python benchmarks/guard/summarize.py OUTDIR [--src /work/bench/src]

Panels: findings per confidence; "shown" = medium or high confidence outside test code (what the
precision docs count and judge: the panels are reviewed at --min-confidence low, the judged reports
are the shown findings), with the test-code rules of precision_audit.py (the snapshot's).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
from pathlib import Path


def meta(out: Path) -> dict:
    m = {}
    p = out / "meta.txt"
    if p.exists():
        for line in p.read_text().splitlines():
            k, _, v = line.partition(": ")
            m.setdefault(k.strip(), v.strip())
    return m


def load_audit(out: Path):
    snap = meta(out).get("snapshot")
    for cand in ([Path(snap) / "benchmarks"] if snap else []) + [Path("/work/main/benchmarks")]:
        if (cand / "precision_audit.py").exists():
            sys.path.insert(0, str(cand))
            if snap:
                os.environ.setdefault("PYTHONPATH", str(Path(snap) / "src"))
                sys.path.insert(0, str(Path(snap) / "src"))
            import precision_audit  # noqa: E402
            return precision_audit
    return None


def steps(out: Path) -> list[dict]:
    p = out / "steps.tsv"
    if not p.exists():
        return []
    rows = [line.split("\t") for line in p.read_text().splitlines()[1:] if line.strip()]
    # the last record of each step wins (a step re-run)
    last = {}
    for r in rows:
        last[r[0]] = {"step": r[0], "start": r[1], "end": r[2], "seconds": int(r[3]), "rc": int(r[4])}
    return list(last.values())


def panel_figures(out: Path, src: Path, audit) -> dict:
    res = {}
    for d in sorted(out.glob("panel-*"), key=lambda p: (len(p.name), p.name)):
        x = d.name[len("panel-"):]
        runs = json.loads((d / "runs.json").read_text()) if (d / "runs.json").exists() else {}
        projects = {k: v for k, v in runs.items() if not k.startswith("_")}
        conf = collections.Counter()
        shown = shown_test = low_prod = 0
        per_project = {}
        for rep in sorted(d.glob("*.json")):
            if rep.name in ("runs.json", "check.json"):
                continue
            key = rep.stem
            data = json.loads(rep.read_text())
            tp = audit.project_test_paths(src / key) if audit and (src / key).is_dir() else \
                (audit.DEFAULT_TEST_PATHS if audit else ("tests/", "test/"))
            n_shown = 0
            for f in data["findings"]:
                conf[f["confidence"]] += 1
                test = audit.is_test_path(f["path"], tp) if audit else False
                if f["confidence"] != "low":
                    if test:
                        shown_test += 1
                    else:
                        shown += 1
                        n_shown += 1
                elif not test:
                    low_prod += 1
            per_project[key] = {"findings": len(data["findings"]), "shown": n_shown,
                                "problems": data["summary"].get("files_not_reviewed")}
        check = {}
        if (d / "check.json").exists():
            try:
                cj = json.loads((d / "check.json").read_text())
                vs = cj.get("violations", cj) if isinstance(cj, dict) else cj
                check = {"violations": len(vs) if isinstance(vs, list) else None}
                if isinstance(cj, dict):
                    check.update({k: v for k, v in cj.items() if isinstance(v, (int, float))})
            except ValueError:
                check = {"violations": None}
        res[x] = {"projects": len(projects), "failed": sorted(k for k, v in projects.items()
                                                              if v.get("returncode") != 0 or not v.get("json")),
                  "wall": round(sum(v.get("wall", 0) for v in projects.values()), 1),
                  "findings": sum(conf.values()), "high": conf["high"], "medium": conf["medium"],
                  "low": conf["low"], "shown": shown, "shown_in_tests": shown_test, "low_outside_tests": low_prod,
                  "check": check, "per_project": per_project}
    return res


def owasp_figures(out: Path) -> dict | None:
    p = out / "owasp.json"
    if not p.exists():
        return None
    t = json.loads(p.read_text())["tools"]["secreview"]
    cats = t["categories"]
    n = len(cats)
    return {"overall_score": t["overall_score"], "tpr_avg": sum(c["tpr"] for c in cats.values()) / n,
            "fpr_avg": sum(c["fpr"] for c in cats.values()) / n, "pooled_tpr": t["pooled_tpr"],
            "pooled_fpr": t["pooled_fpr"], "findings": t["findings"], "ok": t["ok"], "error": t["error"],
            "tp": sum(c["tp"] for c in cats.values()), "fp": sum(c["fp"] for c in cats.values()),
            "lowest": min(((c["score"], k) for k, c in cats.items())),
            "categories": {k: {"tp": c["tp"], "fn": c["fn"], "fp": c["fp"], "score": c["score"]}
                           for k, c in cats.items()}}


def realworld_figures(path: Path, corpus: str, groups: tuple[str, ...]) -> dict | None:
    if not path.exists():
        return None
    doc = json.loads(path.read_text())
    res = {"errors": doc["tools"].get("secreview", {}).get("errors", {}),
           "seconds": doc["tools"].get("secreview", {}).get("seconds"),
           "unlabelled_alarms": None}
    ua = doc.get("unlabelled_alarms", {}).get("secreview")
    if isinstance(ua, (list, dict)):
        res["unlabelled_alarms"] = len(ua)
    for row in doc["summary"]:
        if row["corpus"] != corpus:
            continue
        s = row["tools"]["secreview"]
        res.setdefault("groups", {})[row["group"]] = {"p": row["positives"], "n": row["negatives"],
                                                      "tp": s["tp"], "fp": s["fp"], "tpr": s["tpr"],
                                                      "fpr": s["fpr"], "j": s["youden"]}
    res["headline"] = {g: res.get("groups", {}).get(g) for g in groups}
    return res


def report_findings(reports: Path) -> dict:
    """Findings counted over a realworld --reports folder (secreview/CORPUS/TREE.json)."""
    total = collections.Counter()
    for p in reports.glob("secreview/**/*.json"):
        try:
            d = json.loads(p.read_text())
        except ValueError:
            continue
        for f in d.get("findings", []):
            total[f["confidence"]] += 1
    return {"findings": sum(total.values()), **dict(total)}


def osf_figures(out: Path) -> dict | None:
    p = out / "osf.json"
    if not p.exists():
        return None
    doc = json.loads(p.read_text())
    res = {"skipped": len(doc.get("skipped", [])), "seconds": doc.get("seconds"), "classes": {}}
    for cls, e in doc["classes"].items():
        s = e.get("secreview")
        if not s:
            continue
        res["classes"][cls] = {"commits": e["commits"], "hunks": e["hunks"], **s["rates"],
                               "flagged_before": s["counts"]["flagged_before"],
                               "flagged_after": s["counts"]["flagged_after"],
                               "n_commits_flagged": s["counts"]["commits_flagged"]}
    return res


def service_figures(out: Path) -> dict:
    res = {}
    for p in sorted((out / "services").glob("*.json")):
        try:
            d = json.loads(p.read_text())
        except ValueError:
            res[p.stem] = None
            continue
        c = collections.Counter(f["confidence"] for f in d["findings"])
        res[p.stem] = {"findings": len(d["findings"]), **dict(c),
                       "files": d["summary"].get("files_reviewed"),
                       "not_reviewed": d["summary"].get("files_not_reviewed")}
    return res


def pct(x) -> str:
    return "—" if x is None else f"{100 * x:.1f} %"


def markdown(s: dict) -> str:
    m = s["meta"]
    lines = [f"# Guard run {m.get('rev', '?')[:12]}", "",
             f"snapshot `{m.get('snapshot')}`, src fingerprint `{m.get('src fingerprint')}`, "
             f"started {m.get('started')}, finished {m.get('finished', '?')}", ""]
    lines += ["## Steps", "", "| step | seconds | exit |", "|---|---:|---:|"]
    lines += [f"| {r['step']} | {r['seconds']} | {r['rc']} |" for r in s["steps"]]
    lines += ["", "## Panels (reviewed at --min-confidence low)", "",
              "| panel | projects | failed | findings | high | medium | low | shown (≥ medium, outside tests) "
              "| shown in tests | check violations |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for x, p in s["panels"].items():
        lines.append(f"| {x.upper()} | {p['projects']} | {len(p['failed'])} | {p['findings']} | {p['high']} | "
                     f"{p['medium']} | {p['low']} | **{p['shown']}** | {p['shown_in_tests']} | "
                     f"{p['check'].get('violations', '—')} |")
    o = s.get("owasp")
    if o:
        lines += ["", "## OWASP Benchmark", "",
                  f"overall score {pct(o['overall_score'])} (TPR avg {pct(o['tpr_avg'])}, FPR avg "
                  f"{pct(o['fpr_avg'])}), pooled TPR {pct(o['pooled_tpr'])}, FPR {pct(o['pooled_fpr'])}, "
                  f"TP {o['tp']}, FP {o['fp']}, findings {o['findings']}, lowest {o['lowest'][1]} "
                  f"{pct(o['lowest'][0])}"]
    for name, title in (("codeql", "CodeQL query tests"), ("rc", "reality-check")):
        r = s.get(name)
        if not r:
            continue
        lines += ["", f"## {title}", "", "| group | P | N | TP | FP | TPR | FPR | J |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for g, v in r["headline"].items():
            if v:
                lines.append(f"| {g} | {v['p']} | {v['n']} | {v['tp']} | {v['fp']} | {pct(v['tpr'])} | "
                             f"{pct(v['fpr'])} | {v['j']:+.3f} |")
        lines.append("")
        lines.append(f"findings in the reports: {r.get('report_findings')}; tool errors: {len(r['errors'])}; "
                     f"unlabelled alarms: {r.get('unlabelled_alarms')}")
    f = s.get("osf")
    if f:
        a = f["classes"].get("all", {})
        lines += ["", "## OpenStack fix commits", "",
                  f"defective hunks {pct(a.get('defective_flagged'))} ({a.get('flagged_before')} of {a.get('hunks')}), "
                  f"fixed {pct(a.get('fixed_flagged'))} ({a.get('flagged_after')}), commits "
                  f"{pct(a.get('commits_flagged'))} ({a.get('n_commits_flagged')} of {a.get('commits')}); "
                  f"any finding {pct(a.get('defective_any'))} / {pct(a.get('fixed_any'))}; skipped {f['skipped']}", "",
                  "| class | commits | hunks | defective | fixed | commits flagged |", "|---|---:|---:|---:|---:|---:|"]
        for cls, v in sorted(f["classes"].items()):
            lines.append(f"| {cls} | {v['commits']} | {v['hunks']} | {pct(v['defective_flagged'])} | "
                         f"{pct(v['fixed_flagged'])} | {pct(v['commits_flagged'])} |")
    if s.get("services"):
        lines += ["", "## OpenStack services (default review)", "", "| service | findings | high | medium | files |",
                  "|---|---:|---:|---:|---:|"]
        for k, v in s["services"].items():
            if v:
                lines.append(f"| {k} | {v['findings']} | {v.get('high', 0)} | {v.get('medium', 0)} | {v['files']} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--src", type=Path, default=Path(os.environ.get("BENCH_SRC", "/work/bench/src")))
    a = ap.parse_args()
    out = a.outdir
    audit = load_audit(out)
    s = {"meta": meta(out), "steps": steps(out), "panels": panel_figures(out, a.src, audit),
         "owasp": owasp_figures(out),
         "codeql": realworld_figures(out / "codeql.json", "codeql", ("target CWEs", "all")),
         "rc": realworld_figures(out / "rc.json", "reality-check", ("all", "in scope")),
         "osf": osf_figures(out), "services": service_figures(out)}
    if s["codeql"]:
        s["codeql"]["report_findings"] = report_findings(out / "codeql-reports")
    if s["rc"]:
        s["rc"]["report_findings"] = report_findings(out / "rc-reports")
    (out / "summary.json").write_text(json.dumps(s, indent=1) + "\n")
    md = markdown(s)
    (out / "summary.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
