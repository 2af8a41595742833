#!/usr/bin/env python3
"""Score secreview (and bandit) on the OWASP Benchmark for Python.

Usage::

    git clone https://github.com/OWASP-Benchmark/BenchmarkPython
    python benchmarks/owasp_benchmark.py BenchmarkPython [--markdown FILE]
        [--json FILE] [--no-bandit] [--list-errors CATEGORY]
        [--secreview-json FILE] [--bandit CMD]

The checkout is never vendored: the script takes its path.  It only measures;
nothing in secreview may key on the benchmark's file names.

Method (the one the benchmark's own scorecards use):

* secreview reviews the *whole* checkout (``secreview review .`` run from the
  checkout), so the benchmark's helper modules (``helpers/``, ``app.py``) are
  analysed as code, not treated as opaque.
* bandit runs on ``testcode/`` and ``helpers/``; each issue keeps its own CWE
  (``issue_cwe.id``).
* A test case ``testcode/BenchmarkTestNNNNN.py`` is *flagged* by a tool when
  the tool reports, in that file, a finding whose CWE belongs to the family
  of the case's expected CWE (``CWE_FAMILIES`` below).  Where in the file, and
  how many findings, does not matter.
* Per category: TP (real and flagged), FN (real, not flagged), TN (safe, not
  flagged), FP (safe, flagged); TPR = TP/(TP+FN), FPR = FP/(FP+TN), score =
  TPR - FPR.  The overall score is the average of the category scores (the
  scorecard average); the pooled TPR/FPR are computed over all cases.

Exit status: 0, also when a tool fails (the failure is reported); 2 when the
checkout is missing or is not a BenchmarkPython checkout.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

# Expected CWE (as in expectedresults-*.csv) -> CWEs that count as a hit.
# A tool that reports a narrower or broader relative of the expected weakness
# is credited, as the benchmark's scorecards do.
CWE_FAMILIES: dict[int, frozenset[int]] = {
    22: frozenset({22, 23, 36, 73}),  # pathtraver: path traversal, relative/absolute, external file name
    78: frozenset({78, 77, 88}),  # cmdi: OS command, command, argument injection
    79: frozenset({79, 80, 83, 116}),  # xss: XSS, basic XSS, attribute XSS, improper output encoding
    89: frozenset({89, 564}),  # sqli: SQL injection, Hibernate/ORM injection
    90: frozenset({90}),  # ldapi
    94: frozenset({94, 95, 96}),  # codeinj: code injection, eval injection, static code injection
    95: frozenset({94, 95, 96}),
    327: frozenset({327, 328, 916}),  # hash: broken crypto, weak hash, weak password hash
    328: frozenset({327, 328, 916}),
    330: frozenset({330, 338}),  # weakrand: insufficient randomness, weak PRNG
    501: frozenset({501}),  # trustbound: trust boundary violation
    502: frozenset({502}),  # deserialization
    601: frozenset({601}),  # redirect: open redirect
    611: frozenset({611, 776, 827}),  # xxe: XXE, entity expansion, DTD not restricted
    614: frozenset({614, 1004, 315}),  # securecookie: no Secure, no HttpOnly, cleartext in cookie
    643: frozenset({643}),  # xpathi
    918: frozenset({918}),  # ssrf
}

TESTCODE = "testcode"
EXIT_BAD_CHECKOUT = 2


# --------------------------------------------------------------------------
# data


@dataclass(frozen=True)
class Case:
    name: str  # BenchmarkTest00001
    category: str  # pathtraver
    real: bool  # true vulnerability?
    cwe: int  # expected CWE

    @property
    def path(self) -> str:
        return f"{TESTCODE}/{self.name}.py"


@dataclass(frozen=True)
class Hit:
    cwe: int
    rule: str
    line: int

    def __str__(self) -> str:
        return f"{self.rule}:CWE-{self.cwe}@{self.line}"


@dataclass
class ToolRun:
    """What one tool reported over the checkout."""

    name: str
    version: str = "unknown"
    command: str = ""
    seconds: float | None = None  # wall time; None when not measured
    ok: bool = True
    error: str = ""
    hits: dict[str, list[Hit]] = field(default_factory=dict)  # path -> findings
    unparsed: list[str] = field(default_factory=list)  # testcode files the tool could not parse
    problems: list[dict] = field(default_factory=list)  # all problems the tool reported
    findings_total: int = 0
    findings_outside_testcode: int = 0


@dataclass
class CategoryScore:
    category: str
    cwes: tuple[int, ...]
    tp: list[Case] = field(default_factory=list)
    fn: list[Case] = field(default_factory=list)
    tn: list[Case] = field(default_factory=list)
    fp: list[Case] = field(default_factory=list)

    @property
    def tpr(self) -> float:
        n = len(self.tp) + len(self.fn)
        return len(self.tp) / n if n else 0.0

    @property
    def fpr(self) -> float:
        n = len(self.fp) + len(self.tn)
        return len(self.fp) / n if n else 0.0

    @property
    def score(self) -> float:
        return self.tpr - self.fpr


@dataclass
class Scorecard:
    tool: ToolRun
    categories: dict[str, CategoryScore]

    def _count(self, attr: str) -> int:
        return sum(len(getattr(c, attr)) for c in self.categories.values())

    @property
    def pooled_tpr(self) -> float:
        tp, fn = self._count("tp"), self._count("fn")
        return tp / (tp + fn) if tp + fn else 0.0

    @property
    def pooled_fpr(self) -> float:
        fp, tn = self._count("fp"), self._count("tn")
        return fp / (fp + tn) if fp + tn else 0.0

    @property
    def overall(self) -> float:
        cats = list(self.categories.values())
        return sum(c.score for c in cats) / len(cats) if cats else 0.0


# --------------------------------------------------------------------------
# checkout


def fail_checkout(message: str) -> None:
    print(f"owasp_benchmark: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_CHECKOUT)


def load_cases(checkout: str) -> tuple[str, list[Case]]:
    """The expected results of the checkout; exits with 2 when it is not one."""
    if not os.path.isdir(checkout):
        fail_checkout(f"{checkout}: no such directory (clone "
                      "https://github.com/OWASP-Benchmark/BenchmarkPython and pass its path)")
    if not os.path.isdir(os.path.join(checkout, TESTCODE)):
        fail_checkout(f"{checkout}: no {TESTCODE}/ directory; not a BenchmarkPython checkout")
    csvs = sorted(glob.glob(os.path.join(checkout, "expectedresults-*.csv")))
    if not csvs:
        fail_checkout(f"{checkout}: no expectedresults-*.csv; not a BenchmarkPython checkout")
    expected = csvs[-1]
    cases: list[Case] = []
    try:
        with open(expected, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                if not row or row[0].lstrip().startswith("#"):
                    continue
                name, category, real, cwe = (x.strip() for x in row[:4])
                cases.append(Case(name, category, real.lower() == "true", int(cwe)))
    except (OSError, ValueError, csv.Error) as exc:
        fail_checkout(f"{expected}: cannot read expected results: {exc}")
    if not cases:
        fail_checkout(f"{expected}: no test cases")
    missing = [c.path for c in cases if not os.path.isfile(os.path.join(checkout, c.path))]
    if missing:
        fail_checkout(f"{checkout}: {len(missing)} test files named in {os.path.basename(expected)} "
                      f"are missing (first: {missing[0]})")
    return expected, cases


def checkout_commit(checkout: str) -> str:
    """HEAD of the checkout, or "unknown" (also when the checkout sits inside another repository)."""
    try:
        top = subprocess.run(["git", "-C", checkout, "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()
        if os.path.realpath(top) != os.path.realpath(checkout):
            return "unknown"
        return subprocess.run(["git", "-C", checkout, "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip() or "unknown"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def secreview_source() -> str:
    """The commit of this repository's secreview sources, when they are what Python imports.

    The scorecard depends on the exact rules and models, and secreview's
    version number alone does not pin them.
    """
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        import secreview

        module = os.path.realpath(secreview.__file__)
        if not module.startswith(os.path.realpath(os.path.join(repo, "src")) + os.sep):
            return "unknown"
        commit = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--", "src"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (ImportError, OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit} (with uncommitted changes under src/)" if dirty else commit


def family(cwe: int) -> frozenset[int]:
    return CWE_FAMILIES.get(cwe, frozenset({cwe}))


def norm_path(path: str, checkout: str) -> str:
    """A tool's path, made relative to the checkout with forward slashes.

    Paths are taken as relative to the checkout; an absolute path, or (for a
    reused report) a relative path that names a file only from the current
    directory, is made relative to the checkout.
    """
    if not os.path.isabs(path) and not os.path.exists(os.path.join(checkout, path)) and os.path.exists(path):
        path = os.path.abspath(path)
    if os.path.isabs(path):
        path = os.path.relpath(path, checkout)
    return os.path.normpath(path).replace(os.sep, "/")


def is_testcode(path: str) -> bool:
    return path.startswith(TESTCODE + "/") and path.endswith(".py")


def tool_version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv + ["--version"], check=False, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    lines = (out.stdout or out.stderr).strip().splitlines()
    if not lines:
        return "unknown"
    version = lines[0].strip()
    for line in lines[1:]:  # bandit: "  python version = 3.11.7 (main, ...)"
        key, _, value = line.partition("=")
        if key.strip() == "python version" and value.split():
            version += f" (Python {value.split()[0]})"
    return version


def python_of(version: str) -> tuple[int, ...] | None:
    """The Python version in a tool_version() string, if it names one."""
    _, _, rest = version.partition("(Python ")
    try:
        return tuple(int(x) for x in rest.rstrip(")").split(".")[:2]) if rest else None
    except ValueError:
        return None


def unparsed_note(run: ToolRun, n_cases: int) -> str:
    if not run.unparsed:
        return ""
    note = (f"{run.name} could not parse {len(run.unparsed)} of the {n_cases} test files; "
            "they count as not flagged.")
    py = python_of(run.version)
    if run.name == "bandit" and py is not None and py < (3, 12):
        note += (" bandit parses with the Python it runs on, here " + ".".join(map(str, py)) +
                 "; the test files use Python 3.12 f-string syntax (PEP 701), so this understates "
                 "bandit. Pass `--bandit` a bandit installed on Python 3.12 or later for a fair comparison.")
    return note


# --------------------------------------------------------------------------
# tools


def run_secreview(checkout: str, reuse: str | None) -> ToolRun:
    run = ToolRun("secreview", version=tool_version(["secreview"]),
                  command="secreview review . --format json --output <tmp> --exit-zero --no-progress"
                          "  (cwd = checkout)")
    if reuse:
        run.command = f"(reused {reuse})"
        report_path = reuse
        tmpdir = None
    else:
        if shutil.which("secreview") is None:
            run.ok, run.error = False, "secreview is not on PATH"
            return run
        tmpdir = tempfile.mkdtemp(prefix="owasp-secreview-")
        report_path = os.path.join(tmpdir, "secreview.json")
        argv = ["secreview", "review", ".", "--format", "json", "--output", report_path,
                "--exit-zero", "--no-progress"]
        start = time.perf_counter()
        proc = subprocess.run(argv, check=False, cwd=checkout, capture_output=True, text=True)
        run.seconds = time.perf_counter() - start
        if proc.returncode != 0:
            run.ok = False
            run.error = f"secreview exited {proc.returncode}: {proc.stderr.strip()[-2000:]}"
    try:
        with open(report_path, encoding="utf-8") as fh:
            report = json.load(fh)
    except (OSError, ValueError) as exc:
        run.ok = False
        run.error = (run.error + "; " if run.error else "") + f"cannot read the JSON report: {exc}"
        return run
    finally:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
    json_version = (report.get("tool") or {}).get("version")
    if reuse and json_version:
        run.version = f"secreview {json_version} (from the reused report)"
    for f in report.get("findings", []):
        path = norm_path(f["path"], checkout)
        run.findings_total += 1
        if not is_testcode(path):
            run.findings_outside_testcode += 1
        run.hits.setdefault(path, []).append(Hit(int(f.get("cwe") or 0), f.get("rule_id", "?"),
                                                 int(f.get("line") or 0)))
    run.problems = list(report.get("problems", []))
    unparsed = set()
    for p in run.problems:
        path = norm_path(p["path"], checkout)
        if is_testcode(path) and (p.get("kind") == "syntax-error" or not p.get("reviewed", False)):
            unparsed.add(path)
    run.unparsed = sorted(unparsed)
    return run


def run_bandit(checkout: str, bandit_cmd: str) -> ToolRun:
    argv0 = shlex.split(bandit_cmd)
    run = ToolRun("bandit", version=tool_version(argv0),
                  command=f"{bandit_cmd} -r testcode helpers -f json -q -o <tmp>  (cwd = checkout)")
    if shutil.which(argv0[0]) is None:
        run.ok, run.error = False, f"{argv0[0]} is not on PATH"
        return run
    tmpdir = tempfile.mkdtemp(prefix="owasp-bandit-")
    report_path = os.path.join(tmpdir, "bandit.json")
    targets = [t for t in (TESTCODE, "helpers") if os.path.isdir(os.path.join(checkout, t))]
    argv = argv0 + ["-r", *targets, "-f", "json", "-q", "-o", report_path]
    try:
        start = time.perf_counter()
        proc = subprocess.run(argv, check=False, cwd=checkout, capture_output=True, text=True)
        run.seconds = time.perf_counter() - start
        if proc.returncode not in (0, 1):  # 1 = issues found
            run.ok = False
            run.error = f"bandit exited {proc.returncode}: {proc.stderr.strip()[-2000:]}"
        with open(report_path, encoding="utf-8") as fh:
            report = json.load(fh)
    except (OSError, ValueError) as exc:
        run.ok = False
        run.error = (run.error + "; " if run.error else "") + f"cannot read the JSON report: {exc}"
        return run
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    for issue in report.get("results", []):
        path = norm_path(issue["filename"], checkout)
        run.findings_total += 1
        if not is_testcode(path):
            run.findings_outside_testcode += 1
        cwe = int(((issue.get("issue_cwe") or {}).get("id")) or 0)
        run.hits.setdefault(path, []).append(Hit(cwe, issue.get("test_id", "?"),
                                                 int(issue.get("line_number") or 0)))
    run.problems = list(report.get("errors", []))
    run.unparsed = sorted({norm_path(e["filename"], checkout) for e in run.problems
                           if is_testcode(norm_path(e["filename"], checkout))})
    return run


# --------------------------------------------------------------------------
# scoring


def score(run: ToolRun, cases: list[Case]) -> Scorecard:
    cats: dict[str, CategoryScore] = {}
    for case in cases:
        cat = cats.setdefault(case.category, CategoryScore(case.category, ()))
        if case.cwe not in cat.cwes:
            cat.cwes = tuple(sorted(cat.cwes + (case.cwe,)))
        fam = family(case.cwe)
        flagged = any(h.cwe in fam for h in run.hits.get(case.path, ()))
        if case.real:
            (cat.tp if flagged else cat.fn).append(case)
        else:
            (cat.fp if flagged else cat.tn).append(case)
    return Scorecard(run, dict(sorted(cats.items())))


# --------------------------------------------------------------------------
# output


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def secs(run: ToolRun) -> str:
    return "not measured" if run.seconds is None else f"{run.seconds:.1f} s"


COUNT_COLS = ("TP", "FN", "TN", "FP", "TPR", "FPR", "Score")


def row_cells(cat: CategoryScore | None) -> list[str]:
    if cat is None:
        return ["-"] * len(COUNT_COLS)
    return [str(len(cat.tp)), str(len(cat.fn)), str(len(cat.tn)), str(len(cat.fp)),
            pct(cat.tpr), pct(cat.fpr), pct(cat.score)]


def table_rows(cards: list[Scorecard], cases: list[Case]) -> tuple[list[str], list[list[str]]]:
    header = ["Category", "CWE", "Real", "Safe"]
    for card in cards:
        header += [f"{card.tool.name} {c}" for c in COUNT_COLS]
    first = cards[0].categories
    rows = []
    for name, cat in first.items():
        n_real = len(cat.tp) + len(cat.fn)
        n_safe = len(cat.tn) + len(cat.fp)
        cells = [name, ",".join(map(str, cat.cwes)), str(n_real), str(n_safe)]
        for card in cards:
            cells += row_cells(card.categories.get(name))
        rows.append(cells)
    total = [f"pooled ({len(cases)} cases)", "", str(sum(c.real for c in cases)),
             str(sum(not c.real for c in cases))]
    for card in cards:
        total += [str(card._count(a)) for a in ("tp", "fn", "tn", "fp")]
        total += [pct(card.pooled_tpr), pct(card.pooled_fpr), pct(card.pooled_tpr - card.pooled_fpr)]
    rows.append(total)
    overall = ["overall score (category average)", "", "", ""]
    for card in cards:
        overall += ["", "", "", "", pct(sum(c.tpr for c in card.categories.values()) / len(card.categories)),
                    pct(sum(c.fpr for c in card.categories.values()) / len(card.categories)),
                    pct(card.overall)]
    rows.append(overall)
    return header, rows


def print_text(cards: list[Scorecard], cases: list[Case], checkout: str, commit: str) -> None:
    print(f"OWASP Benchmark for Python: {checkout} (commit {commit}), {len(cases)} test cases")
    for card in cards:
        t = card.tool
        status = "" if t.ok else f"  FAILED: {t.error}"
        print(f"  {t.version}: {t.findings_total} findings "
              f"({t.findings_outside_testcode} outside {TESTCODE}/), wall time {secs(t)}, "
              f"{len(t.unparsed)} {TESTCODE} files not parsed{status}")
    for card in cards:
        if card.tool.unparsed:
            print("  note: " + unparsed_note(card.tool, len(cases)))
    print()
    header, rows = table_rows(cards, cases)
    # Two header lines: tool names over their columns, then the column names.
    short = header[:4] + list(COUNT_COLS) * len(cards)
    widths = [max(len(r[i]) for r in [short] + rows) for i in range(len(short))]
    widths[0] = max(widths[0], 9)
    group = "  ".join(" " * w for w in widths[:4])
    for i, card in enumerate(cards):
        w = sum(widths[4 + 7 * i: 11 + 7 * i]) + 2 * 6
        group += " | " + card.tool.name.center(w, "-")
    print(group)

    def line(cells: list[str]) -> str:
        parts = [cells[0].ljust(widths[0])] + [c.rjust(widths[i]) for i, c in enumerate(cells[1:4], 1)]
        out = "  ".join(parts)
        for k in range(len(cards)):
            seg = cells[4 + 7 * k: 11 + 7 * k]
            out += " | " + "  ".join(c.rjust(widths[4 + 7 * k + j]) for j, c in enumerate(seg))
        return out

    print(line(short))
    for r in rows[:-2]:
        print(line(r))
    print("-" * len(line(short)))
    for r in rows[-2:]:
        print(line(r))


def markdown(cards: list[Scorecard], cases: list[Case], commit: str, expected: str,
             argv_display: str, source: str) -> str:
    out: list[str] = []
    w = out.append
    w("# OWASP Benchmark for Python: scorecard")
    w("")
    w("Generated by `benchmarks/owasp_benchmark.py` (see `benchmarks/README.md`); do not edit by hand.")
    w("")
    w("## Method")
    w("")
    w("- secreview reviews the whole checkout (run from the checkout as "
      "`secreview review . --format json --exit-zero`), so the benchmark's `helpers/` "
      "modules and `app.py` are analysed as code.")
    w("- bandit runs on `testcode/` and `helpers/` (`bandit -r testcode helpers -f json -q`); "
      "each issue keeps its own CWE (`issue_cwe.id`).")
    w("- A test case `testcode/BenchmarkTestNNNNN.py` counts as *flagged* when the tool reports, "
      "in that file, a finding whose CWE is in the family of the case's expected CWE (below). "
      "Files a tool cannot parse are simply not flagged.")
    w("- Per category: TPR = TP/(TP+FN), FPR = FP/(FP+TN), score = TPR − FPR. "
      "The overall score is the average of the category scores (as on the benchmark's "
      "scorecards); the pooled TPR/FPR count every case once.")
    w("- Nothing in secreview keys on the benchmark's file names; the script only measures.")
    w("")
    w("CWE families (expected CWE → CWEs credited):")
    w("")
    w("| Category | Expected CWE | Credited CWEs |")
    w("|---|---|---|")
    cats = cards[0].categories
    for name, cat in cats.items():
        fams = sorted(set().union(*(family(c) for c in cat.cwes)))
        w(f"| {name} | {', '.join(map(str, cat.cwes))} | {', '.join(map(str, fams))} |")
    w("")
    w("## Run")
    w("")
    w(f"- Command: `{argv_display}`")
    w(f"- Checkout: OWASP-Benchmark/BenchmarkPython, commit `{commit}`, "
      f"expected results `{os.path.basename(expected)}`, {len(cases)} test cases "
      f"({sum(c.real for c in cases)} real, {sum(not c.real for c in cases)} safe)")
    for card in cards:
        t = card.tool
        w(f"- {t.name}: `{t.version}`; `{t.command}`")
        if t.name == "secreview":
            w(f"- secreview sources: commit `{source}`")
    w("")
    w("| Tool | Overall score | Pooled TPR | Pooled FPR | Findings | Wall time | "
      "testcode files not parsed |")
    w("|---|---|---|---|---|---|---|")
    for card in cards:
        t = card.tool
        name = t.name if t.ok else f"{t.name} (FAILED: {t.error.splitlines()[0] if t.error else ''})"
        w(f"| {name} | {pct(card.overall)} | {pct(card.pooled_tpr)} | {pct(card.pooled_fpr)} | "
          f"{t.findings_total} | {secs(t)} | {len(t.unparsed)} |")
    w("")
    w("Wall times are of one run on the machine that generated this file.")
    for card in cards:
        if card.tool.unparsed:
            w("")
            w("**Note:** " + unparsed_note(card.tool, len(cases)))
    w("")
    w("## Per category")
    w("")
    header, rows = table_rows(cards, cases)
    w("| " + " | ".join(header) + " |")
    w("|" + "---|" * 2 + "---:|" * (len(header) - 2))
    for r in rows[:-2]:
        w("| " + " | ".join(r) + " |")
    for r in rows[-2:]:
        w("| " + " | ".join(f"**{c}**" if c else "" for c in r) + " |")
    w("")
    return "\n".join(out)


def errors_of(card: Scorecard, category: str) -> dict:
    cat = card.categories[category]

    def entry(c: Case) -> dict:
        return {"case": c.name, "path": c.path,
                "findings": [str(h) for h in card.tool.hits.get(c.path, ())]}

    return {"false_positives": [entry(c) for c in cat.fp],
            "false_negatives": [entry(c) for c in cat.fn]}


def print_errors(card: Scorecard, category: str) -> None:
    cat = card.categories[category]
    fam = ",".join(map(str, sorted(set().union(*(family(c) for c in cat.cwes)))))
    errs = errors_of(card, category)
    print()
    print(f"{card.tool.name}, {category} (credited CWEs {fam}): "
          f"{len(cat.fp)} false positives, {len(cat.fn)} false negatives")
    for kind in ("false_positives", "false_negatives"):
        print(f"  {kind.replace('_', ' ')}:")
        for e in errs[kind]:
            found = " ".join(e["findings"]) or "-"
            print(f"    {e['path']}  findings: {found}")


def to_json(cards: list[Scorecard], cases: list[Case], commit: str, expected: str) -> dict:
    doc: dict = {"secreview_source": secreview_source(),
                 "benchmark": {"name": "OWASP Benchmark for Python", "commit": commit,
                               "expected_results": os.path.basename(expected),
                               "cases": len(cases),
                               "real": sum(c.real for c in cases)},
                 "cwe_families": {str(k): sorted(v) for k, v in CWE_FAMILIES.items()},
                 "tools": {}}
    for card in cards:
        t = card.tool
        doc["tools"][t.name] = {
            "version": t.version, "command": t.command, "ok": t.ok, "error": t.error,
            "wall_seconds": None if t.seconds is None else round(t.seconds, 3),
            "findings": t.findings_total,
            "findings_outside_testcode": t.findings_outside_testcode,
            "testcode_files_not_parsed": t.unparsed,
            "overall_score": round(card.overall, 4),
            "pooled_tpr": round(card.pooled_tpr, 4), "pooled_fpr": round(card.pooled_fpr, 4),
            "categories": {
                name: {"cwes": list(cat.cwes), "tp": len(cat.tp), "fn": len(cat.fn),
                       "tn": len(cat.tn), "fp": len(cat.fp), "tpr": round(cat.tpr, 4),
                       "fpr": round(cat.fpr, 4), "score": round(cat.score, 4),
                       **{k: [e["case"] for e in v] for k, v in errors_of(card, name).items()}}
                for name, cat in card.categories.items()},
        }
    return doc


# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Score secreview (and bandit) on a checkout of "
                                 "OWASP-Benchmark/BenchmarkPython.")
    ap.add_argument("checkout", help="path of a BenchmarkPython checkout")
    ap.add_argument("--markdown", metavar="FILE", help="write the scorecard as markdown to FILE")
    ap.add_argument("--json", metavar="FILE", help="write machine-readable results to FILE")
    ap.add_argument("--list-errors", metavar="CATEGORY", action="append", default=[],
                    help="print secreview's false positives and false negatives of CATEGORY "
                         "(repeatable; 'all' for every category)")
    ap.add_argument("--no-bandit", action="store_true", help="do not run bandit")
    ap.add_argument("--bandit", metavar="CMD", default="bandit",
                    help="bandit command (default: bandit); bandit parses with the Python it runs "
                         "on, and the benchmark needs Python >= 3.12 (PEP 701 f-strings)")
    ap.add_argument("--secreview-json", metavar="FILE",
                    help="score this existing secreview JSON report (paths relative to the checkout) "
                         "instead of running secreview")
    args = ap.parse_args(argv)

    checkout = os.path.abspath(args.checkout)
    expected, cases = load_cases(checkout)
    commit = checkout_commit(checkout)
    categories = sorted({c.category for c in cases})
    unmapped = sorted({c.cwe for c in cases if c.cwe not in CWE_FAMILIES})
    if unmapped:
        print(f"owasp_benchmark: warning: no CWE family for {unmapped}; only the CWE itself is credited",
              file=sys.stderr)
    wanted = []
    for cat in args.list_errors:
        if cat == "all":
            wanted += categories
        elif cat in categories:
            wanted.append(cat)
        else:
            print(f"owasp_benchmark: --list-errors: unknown category {cat!r} "
                  f"(one of: {', '.join(categories)}, all)", file=sys.stderr)

    runs = [run_secreview(checkout, args.secreview_json)]
    if not args.no_bandit:
        runs.append(run_bandit(checkout, args.bandit))
    for r in runs:
        if not r.ok:
            print(f"owasp_benchmark: {r.name} failed: {r.error}", file=sys.stderr)
    sr = runs[0]
    if sr.unparsed:
        print(f"owasp_benchmark: warning: secreview did not parse {len(sr.unparsed)} {TESTCODE} "
              f"files (first: {sr.unparsed[0]})", file=sys.stderr)

    cards = [score(r, cases) for r in runs]
    print_text(cards, cases, args.checkout, commit)
    for cat in wanted:
        print_errors(cards[0], cat)

    if args.markdown:
        shown = ["python", "benchmarks/owasp_benchmark.py", "<BenchmarkPython checkout>"]
        if args.no_bandit:
            shown.append("--no-bandit")
        if args.bandit != "bandit":
            shown += ["--bandit", args.bandit]
        shown += ["--markdown", args.markdown]
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(markdown(cards, cases, commit, expected, " ".join(shown), secreview_source()))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(to_json(cards, cases, commit, expected), fh, indent=2)
            fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
