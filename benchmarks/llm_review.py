#!/usr/bin/env python3
"""Measure the optional model pass on labelled corpora, against a model you run.

Usage::

    python benchmarks/llm_review.py --base-url http://127.0.0.1:11434/v1 --model qwen2.5-coder:7b CORPUS...
        [--json FILE] [--max-requests N] [--limit N]

A CORPUS is either

* an OWASP Benchmark for Python checkout (``expectedresults-*.csv`` and ``testcode/``): each
  test case ``testcode/BenchmarkTestNNNNN.py`` is labelled real (vulnerable) or not, with its
  CWE; its *place* is the file; or
* a labelled-corpus manifest (JSON), for instance of the OpenStack security fixes (issue 14)::

      {"name": "openstack-fixes",
       "cases": [{"id": "keystone/a9d6832", "cwe": 863, "family": [863, 285, 639],
                  "vulnerable": {"root": "trees/keystone/a9d6832/before",
                                 "regions": [{"path": "keystone/api/x.py", "start_line": 40, "end_line": 46}]},
                  "fixed": {"root": "trees/keystone/a9d6832/after",
                            "regions": [{"path": "keystone/api/x.py", "start_line": 40, "end_line": 49}]}}]}

  (``root`` relative to the manifest; ``fixed`` optional; ``family`` defaults to ``[cwe]``).

For each case the script runs ``secreview review`` with the model pass (JSON, no cache), on the
case's tree, and counts, per corpus:

* **found**: vulnerable cases where a verified claim names the labelled defect's type (a CWE
  of its family) and place (for OWASP the file; for a manifest within 2 lines of a region);
  a claim is a model finding (origin ``llm``) or an engine finding the model confirmed;
* **claims on fixed versions**: model findings on safe OWASP cases or on the fixed trees;
* **dropped**: model claims dropped by verification, by reason;
* **not reviewed**: functions the pass did not review; tokens (input, output) and wall time.

It only measures; nothing in secreview keys on a corpus. No figure in docs/llm.md comes from
a model this project ran: none is available where it is developed.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

WINDOW = 2
OWASP_FAMILIES: dict[int, frozenset[int]] = {
    22: frozenset({22, 23, 36, 73}), 78: frozenset({78, 77, 88}), 79: frozenset({79, 80, 83, 116}),
    89: frozenset({89, 564}), 90: frozenset({90}), 94: frozenset({94, 95, 96}), 95: frozenset({94, 95, 96}),
    327: frozenset({327, 328, 916}), 328: frozenset({327, 328, 916}), 330: frozenset({330, 338}),
    501: frozenset({501}), 502: frozenset({502}), 601: frozenset({601}), 611: frozenset({611, 776, 827}),
    614: frozenset({614, 1004, 315}), 643: frozenset({643}), 918: frozenset({918}),
}


@dataclass(frozen=True)
class Region:
    path: str
    start_line: int
    end_line: int


@dataclass
class Side:
    root: Path
    regions: tuple[Region, ...] = ()
    """Empty: the place is any file in ``files``."""
    files: tuple[str, ...] = ()


@dataclass
class Case:
    id: str
    family: frozenset[int]
    vulnerable: Side | None
    fixed: Side | None


@dataclass
class Tally:
    corpus: str
    cases: int = 0
    vulnerable: int = 0
    found: int = 0
    fixed_sides: int = 0
    claims_on_fixed: int = 0
    fixed_sides_flagged: int = 0
    model_findings: int = 0
    dropped: Counter = field(default_factory=Counter)
    not_reviewed: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"corpus": self.corpus, "cases": self.cases, "vulnerable": self.vulnerable, "found": self.found,
                "fixed_sides": self.fixed_sides, "claims_on_fixed": self.claims_on_fixed,
                "fixed_sides_flagged": self.fixed_sides_flagged, "model_findings": self.model_findings,
                "claims_dropped": dict(self.dropped), "not_reviewed": self.not_reviewed,
                "tokens": {"input": self.input_tokens, "output": self.output_tokens},
                "seconds": round(self.seconds, 1), "errors": self.errors}


# --- corpora --------------------------------------------------------------------------


def load_corpus(path: str) -> tuple[str, list[Case]]:
    p = Path(path)
    if p.is_dir() and glob.glob(str(p / "expectedresults-*.csv")) and (p / "testcode").is_dir():
        return p.name, owasp_cases(p)
    if p.is_file() and p.suffix == ".json":
        return manifest_cases(p)
    raise SystemExit(f"llm_review: {path}: neither an OWASP Benchmark checkout nor a corpus manifest (.json)")


def owasp_cases(root: Path) -> list[Case]:
    csv_path = sorted(glob.glob(str(root / "expectedresults-*.csv")))[-1]
    cases = []
    with open(csv_path, newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            if not row or row[0].startswith("#"):
                continue
            name, real, cwe = row[0].strip(), row[2].strip().lower() == "true", int(row[3])
            side = Side(root, (), (f"testcode/{name}.py",))
            cases.append(Case(name, OWASP_FAMILIES.get(cwe, frozenset({cwe})), side if real else None,
                              None if real else side))
    return cases


def manifest_cases(path: Path) -> tuple[str, list[Case]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    cases = []
    for item in doc["cases"]:
        def side(key, item=item):
            data = item.get(key)
            if not data:
                return None
            regions = tuple(Region(r["path"], r["start_line"], r["end_line"]) for r in data.get("regions", ()))
            return Side((path.parent / data["root"]).resolve(), regions, tuple(sorted({r.path for r in regions})))
        family = frozenset(item.get("family") or [item["cwe"]])
        cases.append(Case(str(item["id"]), family, side("vulnerable"), side("fixed")))
    return doc.get("name", path.stem), cases


# --- scoring ----------------------------------------------------------------------------


def claims(report: dict) -> list[dict]:
    """What the model pass claims: its own findings, and engine findings it confirmed."""
    return [f for f in report.get("findings", ())
            if f.get("origin") == "llm" or (f.get("triage") or {}).get("verdict") == "confirmed"]


def _norm(path: str) -> str:
    return path.replace("\\", "/").removeprefix("./")


def at_place(finding: dict, side: Side) -> bool:
    path = _norm(finding["path"])
    if not side.regions:
        return path in {_norm(f) for f in side.files}
    return any(path == _norm(r.path) and finding["line"] <= r.end_line + WINDOW
               and finding["end_line"] >= r.start_line - WINDOW for r in side.regions)


def score_side(report: dict, case: Case, side: Side, vulnerable: bool, tally: Tally) -> None:
    llm = report.get("llm") or {}
    tally.dropped.update(llm.get("claims_dropped", {}))
    tally.not_reviewed += len(llm.get("not_reviewed", ()))
    tally.input_tokens += llm.get("tokens", {}).get("input", 0)
    tally.output_tokens += llm.get("tokens", {}).get("output", 0)
    own = [f for f in report.get("findings", ()) if f.get("origin") == "llm"]
    tally.model_findings += len(own)
    if vulnerable:
        tally.vulnerable += 1
        if any(f["cwe"] in case.family and at_place(f, side) for f in claims(report)):
            tally.found += 1
    else:
        tally.fixed_sides += 1
        on = [f for f in own if at_place(f, side)]
        tally.claims_on_fixed += len(on)
        tally.fixed_sides_flagged += bool(on)


# --- running ----------------------------------------------------------------------------


def review(side: Side, args) -> tuple[dict | None, float, str]:
    paths = list(side.files) or ["."]
    env = dict(os.environ)
    src = Path(__file__).resolve().parents[1] / "src"
    env["PYTHONPATH"] = str(src) + os.pathsep + env.get("PYTHONPATH", "")
    argv = [sys.executable, "-m", "secreview", "review", *paths, "--format", "json", "--exit-zero", "--no-cache",
            "--no-progress", "--llm-base-url", args.base_url, "--llm-model", args.model]
    if args.max_requests:
        argv += ["--llm-max-requests", str(args.max_requests)]
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=side.root, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        return None, seconds, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
    try:
        return json.loads(done.stdout), seconds, ""
    except ValueError:
        return None, seconds, "not JSON"


def evaluate(corpus: str, args) -> Tally:
    name, cases = load_corpus(corpus)
    if args.limit:
        cases = cases[:args.limit]
    tally = Tally(name, cases=len(cases))
    for case in cases:
        for side, vulnerable in ((case.vulnerable, True), (case.fixed, False)):
            if side is None:
                continue
            report, seconds, error = review(side, args)
            tally.seconds += seconds
            if report is None:
                tally.errors.append(f"{case.id}: {error}")
                continue
            score_side(report, case, side, vulnerable, tally)
    return tally


def print_tally(t: Tally) -> None:
    share = f"{t.found / t.vulnerable:.1%}" if t.vulnerable else "n/a"
    print(f"{t.corpus}: {t.cases} cases")
    print(f"  found (verified claim of the labelled type at the labelled place): {t.found} of {t.vulnerable} "
          f"vulnerable ({share})")
    print(f"  claims on fixed or safe versions: {t.claims_on_fixed} model findings on {t.fixed_sides_flagged} "
          f"of {t.fixed_sides}")
    print(f"  model findings: {t.model_findings}; claims dropped by verification: {sum(t.dropped.values())}"
          + (" (" + ", ".join(f"{r}: {n}" for r, n in t.dropped.most_common()) + ")" if t.dropped else ""))
    print(f"  functions not reviewed by the model: {t.not_reviewed}")
    print(f"  tokens: {t.input_tokens:,} in, {t.output_tokens:,} out; time {t.seconds:.1f} s")
    for error in t.errors[:10]:
        print(f"  error: {error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="OpenAI-compatible endpoint with its API prefix")
    parser.add_argument("--model", required=True)
    parser.add_argument("corpora", nargs="+", metavar="CORPUS")
    parser.add_argument("--json", metavar="FILE", help="write the counts as JSON")
    parser.add_argument("--max-requests", type=int, default=None, help="--llm-max-requests per review")
    parser.add_argument("--limit", type=int, default=None, help="first N cases of each corpus only")
    args = parser.parse_args(argv)
    tallies = [evaluate(corpus, args) for corpus in args.corpora]
    for tally in tallies:
        print_tally(tally)
    if args.json:
        Path(args.json).write_text(json.dumps({"model": args.model, "corpora": [t.as_dict() for t in tallies]},
                                              indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
