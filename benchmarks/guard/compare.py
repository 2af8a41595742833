#!/usr/bin/env python3
"""Compare two guard runs (OUTDIRs of run.sh): headline figures and every finding that differs.

    python benchmarks/guard/compare.py BASE_OUTDIR NEW_OUTDIR [--explanations] [--limit N]

A finding is identified by (report, rule, path, line, confidence); --explanations also lists the
findings kept at the same place whose explanation or trace changed. Exit status 0 when nothing
differs, 1 otherwise.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path


def load(p: Path):
    try:
        return json.loads(p.read_text())
    except (OSError, ValueError):
        return None


def findings_of(report: dict | None) -> dict:
    out = collections.defaultdict(list)
    for f in (report or {}).get("findings", []):
        out[(f["rule_id"], f["path"], f["line"], f["confidence"])].append(
            (f.get("explanation", ""), json.dumps(f.get("trace", []), sort_keys=True)))
    return out


def diff_reports(a_dir: Path, b_dir: Path, pattern: str, label: str, args, skip=("runs.json", "check.json")):
    """Findings added, removed and re-explained between the reports matching pattern in two folders."""
    if not a_dir.is_dir() or not b_dir.is_dir():
        return 0, 0, 0, [f"  {label}{a_dir.name}: folder missing in {'base' if not a_dir.is_dir() else 'new'}"]
    names = sorted({p.relative_to(a_dir).as_posix() for p in a_dir.glob(pattern)} |
                   {p.relative_to(b_dir).as_posix() for p in b_dir.glob(pattern)})
    added = removed = reworded = 0
    lines = []
    for n in names:
        if n.rsplit("/", 1)[-1] in skip:
            continue
        ra, rb = load(a_dir / n), load(b_dir / n)
        if ra is None or rb is None:
            lines.append(f"  {label} {n}: report {'missing' if (ra is None) != (rb is None) else 'unreadable'} in "
                         f"{'base' if ra is None else 'new'}")
            continue
        fa, fb = findings_of(ra), findings_of(rb)
        for k in sorted(set(fa) | set(fb), key=str):
            na, nb = len(fa.get(k, [])), len(fb.get(k, []))
            if nb > na:
                added += nb - na
                lines.append(f"  + {label} {n}: {k[1]}:{k[2]} {k[0]} {k[3]}" + (f" ×{nb - na}" if nb - na > 1 else ""))
            elif na > nb:
                removed += na - nb
                lines.append(f"  - {label} {n}: {k[1]}:{k[2]} {k[0]} {k[3]}" + (f" ×{na - nb}" if na - nb > 1 else ""))
            elif sorted(fa[k]) != sorted(fb[k]):
                reworded += 1
                if args.explanations:
                    lines.append(f"  ~ {label} {n}: {k[1]}:{k[2]} {k[0]} {k[3]} (explanation or trace changed)")
    return added, removed, reworded, lines


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("base", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--explanations", action="store_true", help="list findings whose explanation/trace changed")
    ap.add_argument("--limit", type=int, default=200, help="list at most this many lines per step (0: all)")
    args = ap.parse_args()
    A, B = args.base, args.new
    sa, sb = load(A / "summary.json") or {}, load(B / "summary.json") or {}
    differ = False

    def show(title, a, r, w, lines):
        nonlocal differ
        differ |= bool(a or r or lines and any(not x.startswith("  ~") for x in lines))
        print(f"{title}: +{a} -{r} findings, {w} re-explained")
        lim = args.limit or len(lines)
        for x in lines[:lim]:
            print(x)
        if len(lines) > lim:
            print(f"  ... {len(lines) - lim} more")

    # headline figures
    print(f"base {sa.get('meta', {}).get('rev', '?')[:12]}  new {sb.get('meta', {}).get('rev', '?')[:12]}")
    def absent(key, title):
        if sa.get(key) and sb.get(key):
            return False
        if sa.get(key) or sb.get(key):
            print(f"{title}: not run in {'base' if not sa.get(key) else 'new'}")
        return True

    for key, fields in (("owasp", ("overall_score", "pooled_tpr", "pooled_fpr", "tp", "fp", "findings")),):
        if absent(key, "OWASP"):
            continue
        a, b = sa.get(key) or {}, sb.get(key) or {}
        vals = [f"{f} {a.get(f)} → {b.get(f)}" for f in fields if a.get(f) != b.get(f)]
        differ |= bool(vals)
        print(f"OWASP: {'; '.join(vals) if vals else 'same figures'}")
        ca, cb = (a.get("categories") or {}), (b.get("categories") or {})
        for c in sorted(set(ca) | set(cb)):
            if ca.get(c) != cb.get(c):
                print(f"  {c}: {ca.get(c)} → {cb.get(c)}")
    for key, groups in (("codeql", ("target CWEs", "all")), ("rc", ("all", "in scope"))):
        if absent(key, key):
            continue
        a, b = (sa.get(key) or {}).get("groups", {}), (sb.get(key) or {}).get("groups", {})
        changed = [g for g in sorted(set(a) | set(b)) if a.get(g) != b.get(g)]
        differ |= bool(changed)
        def j(d, g):
            v = (d.get(g) or {}).get("j")
            return "—" if v is None else f"{v:+.3f}"
        head = "; ".join(f"{g}: J {j(a, g)} → {j(b, g)}" for g in groups)
        print(f"{key}: {head}; groups changed: {', '.join(changed) or 'none'}")
        for g in changed:
            print(f"  {g}: {a.get(g)} → {b.get(g)}")
    if not absent("osf", "OSF"):
        oa, ob = (sa.get("osf") or {}).get("classes", {}), (sb.get("osf") or {}).get("classes", {})
        changed = [c for c in sorted(set(oa) | set(ob)) if oa.get(c) != ob.get(c)]
        differ |= bool(changed)
        print(f"OSF: all defective {oa.get('all', {}).get('defective_flagged')} → "
              f"{ob.get('all', {}).get('defective_flagged')}, classes changed: {', '.join(changed) or 'none'}")

    # OWASP cases
    ja, jb = load(A / "owasp.json"), load(B / "owasp.json")
    if ja and jb:
        ca, cb = ja["tools"]["secreview"]["categories"], jb["tools"]["secreview"]["categories"]
        for c in sorted(set(ca) | set(cb)):
            for kind in sorted({k for k, v in (ca.get(c) or {}).items() if isinstance(v, list) and k != "cwes"} |
                               {k for k, v in (cb.get(c) or {}).items() if isinstance(v, list) and k != "cwes"}):
                x, y = set((ca.get(c) or {}).get(kind, [])), set((cb.get(c) or {}).get(kind, []))
                if x != y:
                    differ = True
                    print(f"  OWASP {c} {kind}: +{sorted(y - x)} -{sorted(x - y)}")

    # panels
    only = sorted((set(p.name for p in A.glob("panel-*")) ^ set(p.name for p in B.glob("panel-*"))),
                  key=lambda n: (len(n), n))
    if only:
        print(f"panels run on one side only (not compared): {', '.join(only)}")
    for d in sorted(set(p.name for p in A.glob("panel-*")) & set(p.name for p in B.glob("panel-*")),
                    key=lambda n: (len(n), n)):
        pa, pb = (sa.get("panels") or {}).get(d[6:], {}), (sb.get("panels") or {}).get(d[6:], {})
        title = (f"panel {d[6:].upper()} (shown {pa.get('shown')} → {pb.get('shown')}, "
                 f"all {pa.get('findings')} → {pb.get('findings')})")
        show(title, *diff_reports(A / d, B / d, "*.json", "", args))
    # realworld and services reports
    for sub, title in (("codeql-reports", "CodeQL reports"), ("rc-reports", "reality-check reports"),
                       ("services", "services")):
        if (A / sub).is_dir() and (B / sub).is_dir():
            show(title, *diff_reports(A / sub, B / sub, "**/*.json" if sub != "services" else "*.json", "", args))
    # OSF hunks
    fa, fb = load(A / "osf.json"), load(B / "osf.json")
    if fa and fb:
        def hunks(doc):
            out = {}
            for c in doc["commits"]:
                for i, h in enumerate(c["hunks"]):
                    s = h.get("secreview", {})
                    out[(c["project"], c["commit"][:10], h["path"], i)] = (
                        s.get("before", {}).get("flagged"), s.get("after", {}).get("flagged"),
                        tuple(sorted((x["rule"], x["line"]) for side in ("before", "after")
                                     for x in s.get(side, {}).get("findings", []))))
            return out
        ha, hb = hunks(fa), hunks(fb)
        ch = [k for k in sorted(set(ha) | set(hb)) if ha.get(k) != hb.get(k)]
        differ |= bool(ch)
        print(f"OSF hunks changed: {len(ch)}")
        for k in ch[: args.limit or len(ch)]:
            print(f"  {k}: {ha.get(k)} → {hb.get(k)}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
