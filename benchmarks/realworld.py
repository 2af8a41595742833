#!/usr/bin/env python3
"""Recall on real code: secreview and Bandit side by side on real CVEs and on CodeQL's query tests.

Usage::

    # once: vulnerable and patched trees of the reality-check CVEs, from git mirrors (and sdists)
    python benchmarks/realworld.py prepare REALITY_CHECK --mirrors DIR --checkouts DIR [--sdists DIR]

    # score both tools on both corpora
    python benchmarks/realworld.py score --reality-check REALITY_CHECK --checkouts DIR \\
        --codeql QL_CHECKOUT [--codeql-extra DIR] --bandit BANDIT \\
        [--reports DIR] [--markdown FILE] [--json FILE] [--list-misses]

``score`` is also the default sub-command (``realworld.py --reality-check ...``).
Nothing is vendored: every corpus is a path given on the command line. The
script only measures; nothing in secreview may key on these corpora's names.

Corpora
=======

reality-check (``flawgarden/reality-check``, its ``python/`` part)
    ``python/cves_db.csv`` lists each CVE with its CWE, the upstream repository
    and a vulnerable and a patched revision; ``python/markup/PROJECT/VERSION/
    truth.sarif`` marks, per version, the regions (whole functions or classes)
    of each CVE: ``kind: fail`` in the vulnerable version, ``kind: pass`` in the
    patched one. ``prepare`` lays the trees out as ``CHECKOUTS/PROJECT/VERSION``
    (``VERSION`` as named in ``cves_db.csv``, e.g. ``mlflow-v2.5.0``).

    * A **positive** is a CVE in its vulnerable tree; it is *found* when the tool
      reports a finding of a compatible CWE (``CWE_FAMILIES``) on a line inside
      one of the CVE's ``fail`` regions, or at most two lines outside it.
    * A **negative** is the same CVE in its patched tree; the tool raises a
      *false alarm* when it reports such a finding in or near (two lines) one of
      the CVE's ``pass`` regions.
    * Regions in test code (a ``test``/``tests``/``testing`` directory,
      ``test_*.py``, ``*_test.py``, ``conftest.py``) and in files that are not
      Python are not scored: neither tool reviews them as product code (also
      ``*_tests``/``*_test``/``test_*`` directories, e.g. ``end_to_end_tests``). A CVE
      side with no region left, or whose tree is missing, is not counted.
    * TPR = found / positives, FPR = false alarms / negatives, Youden's J =
      TPR - FPR; pooled over all CVEs, over the *in-scope* ones (CWE classes
      that static taint or pattern rules address: injection, path traversal,
      redirect, SSRF, XXE, deserialization, temporary files, crypto), and per
      CWE class.

CodeQL query tests (``Semmle/ql``, 2021, and optionally newer ``github/codeql`` tests)
    Each ``query-tests/Security/CWE-NNN*`` directory (and
    ``experimental/query-tests/Security/CWE-NNN*``) is reviewed on its own
    (the tools run from inside it), with the directory's CWE. Lines are
    labelled from:

    * the alerts the security query is expected to give (``#select`` rows of a
      ``.expected`` file that has a ``.qlref`` beside it): positive;
    * inline annotations on a code line: ``# NOT OK``, ``# BAD``, ``$ Alert``,
      ``$ MISSING: Alert``, ``result=BAD`` positive; ``# OK``, ``# GOOD``,
      ``# FP``, ``$ SPURIOUS: Alert``, ``result=OK`` negative (an annotation
      wins over ``.expected``, which lists CodeQL's own known false positives);
    * a comment line that starts with such a marker (``# GOOD -- Using
      parameters``) labels the first code line after it (when that line has no
      label of its own), except in files written with inline expectations
      (``# $ Alert``), where such comments describe the case;
    * an annotation holding both markers (``# OK if only running on UNIX
      systems, NOT OK if could be running on windows``) leaves the line
      unlabelled.

    Each finding of a compatible CWE is credited to the nearest labelled line
    within two lines (its own line first; on a tie the later line, since
    annotations sit on a statement's last line). A positive line is found when
    a finding is credited to it; a negative line is a false alarm when one is.
    Findings credited to no labelled line are counted apart ("unlabelled
    alarms"): the tests do not say whether they are right. Negatives are only
    the lines the tests mark safe, so FPR here is over few lines.

Tools
=====

secreview runs as ``secreview review . --format json --output FILE --exit-zero
--no-progress`` from inside each tree (``--secreview CMD``; by default
``python -m secreview`` on this interpreter); bandit as ``bandit -r . -f json -q
-o FILE`` (``--bandit CMD``; use a bandit installed on Python 3.12 or later, which
parses 3.12 syntax). Each report is kept in ``--reports DIR`` (default: a
temporary directory) under ``TOOL/CORPUS/TREE.json``; ``--secreview-json DIR``
and ``--bandit-json DIR`` score reports already there instead of running the
tool, so that after changing secreview one re-runs only secreview (``--only``
narrows the trees).

Exit status: 0 (also when a tool fails on a tree: the failure is reported); 2 on
a usage error (a corpus path that is not what it should be).
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from owasp_benchmark import CWE_FAMILIES as OWASP_FAMILIES  # noqa: E402

EXIT_USAGE = 2
SLACK = 2  # a finding this many lines outside a labelled line or region still counts

# --------------------------------------------------------------------------
# CWE families

_PATH = frozenset({22, 23, 29, 36, 73})
_CMD = frozenset({77, 78, 88})
_CODE = frozenset({94, 95, 96, 1336})
_XSS = frozenset({79, 80, 83, 116})
_CRLF = frozenset({93, 113, 644})
_INJECTION = frozenset({74, 75, 77, 78, 79, 80, 83, 88, 89, 90, 91, 93, 94, 95, 96, 113, 116, 643, 917, 1336})
_TEMPFILE = frozenset({59, 61, 377, 379})
_CRYPTO = frozenset({310, 326, 327, 328, 329, 330, 338, 916, 321})
_INFO = frozenset({200, 209, 497, 532, 538})
_PERMS = frozenset({264, 269, 276, 284, 285, 732})

# Labelled CWE -> CWEs of findings that count as finding it.  Starts from the
# OWASP Benchmark's table (benchmarks/owasp_benchmark.py) and adds the CWEs the
# two corpora label with: children credit their class (CWE-29/36/73 are path
# traversal; CWE-80 is XSS; CWE-93 CRLF counts header injection, CWE-113), and
# the broad injection CWEs (74 Injection, 75 special elements into another
# plane) credit any injection finding.  A CWE missing here credits only itself.
CWE_FAMILIES: dict[int, frozenset[int]] = dict(OWASP_FAMILIES)
CWE_FAMILIES.update({
    **{c: _PATH for c in (22, 23, 29, 36, 73)},
    **{c: _CMD for c in (77, 78, 88)},
    **{c: _CODE for c in (94, 95, 96, 1336)},
    **{c: _XSS for c in (79, 80, 83, 116)},
    **{c: _CRLF for c in (93, 113)},
    74: _INJECTION,
    75: _INJECTION,
    91: frozenset({91}),  # XSLT / XML injection
    59: _TEMPFILE,  # link following: symlink races on predictable temporary files
    377: _TEMPFILE,
    310: _CRYPTO,  # cryptographic issues (category)
    311: frozenset({311, 312, 319}),  # missing encryption
    200: _INFO,
    209: _INFO,
    264: _PERMS,  # permissions, privileges and access controls (category)
    203: frozenset({203, 208}),  # observable discrepancy: its child, an observable timing discrepancy (CWE-208)
    732: _PERMS,
    295: frozenset({295, 297, 322}),  # certificate or SSH host key not verified (CWE-322)
    215: frozenset({215, 489}),  # debug mode left on (CodeQL's FlaskDebug query is CWE-215 and 489)
    312: frozenset({312, 313, 315, 359, 532}),  # cleartext storage, in a cookie, in logs
    798: frozenset({798, 259, 321}),
})

# Classes for the per-CWE tables: labelled CWE -> (class name, in scope?).
# "In scope" = a class that static taint or pattern rules address at all.
_CLASSES: list[tuple[str, frozenset[int], bool]] = [
    ("path traversal (22, 23, 29, 36, 73)", _PATH, True),
    ("OS command / argument injection (77, 78, 88)", _CMD, True),
    ("code / template injection (94, 95, 1336)", _CODE, True),
    ("XSS (79, 80)", _XSS, True),
    ("SQL injection (89)", frozenset({89, 564}), True),
    ("LDAP injection (90)", frozenset({90}), True),
    ("XPath injection (643)", frozenset({643}), True),
    ("XSLT injection (91)", frozenset({91}), True),
    ("CRLF / header injection (93, 113)", _CRLF, True),
    ("injection, general (74, 75)", frozenset({74, 75}), True),
    ("deserialization (502)", frozenset({502}), True),
    ("open redirect (601)", frozenset({601}), True),
    ("XXE (611)", frozenset({611, 776, 827}), True),
    ("SSRF (918)", frozenset({918}), True),
    ("link following / temp files (59, 377)", _TEMPFILE, True),
    ("crypto / randomness (310, 326, 327, 330)", _CRYPTO, True),
]


def family(cwe: int) -> frozenset[int]:
    return CWE_FAMILIES.get(cwe, frozenset({cwe}))


def cwe_class(cwe: int) -> tuple[str, bool]:
    """The per-CWE table a labelled CWE is counted in, and whether it is in scope."""
    for name, members, in_scope in _CLASSES:
        if cwe in members:
            return name, in_scope
    return f"CWE-{cwe}", False


def compatible(label_cwe: int, finding_cwe: int) -> bool:
    return finding_cwe in family(label_cwe)


# --------------------------------------------------------------------------
# data


@dataclass(frozen=True)
class Region:
    path: str  # relative to the tree, forward slashes
    start: int
    end: int
    name: str = ""  # function or class the markup names

    def near(self, line: int, slack: int = SLACK) -> bool:
        return self.start - slack <= line <= self.end + slack

    def __str__(self) -> str:
        where = f"{self.path}:{self.start}" + (f"-{self.end}" if self.end != self.start else "")
        return where + (f" ({self.name})" if self.name else "")


@dataclass
class Item:
    """One scored unit: a CVE in one tree (reality-check) or one labelled line (CodeQL)."""

    corpus: str  # "reality-check" | "codeql"
    key: str  # CVE-2023-4033 / CWE-078/command_injection.py:13
    cwe: int
    positive: bool
    tree: str  # tree id (see Tree)
    regions: list[Region]
    note: str = ""

    @property
    def group(self) -> str:
        return cwe_class(self.cwe)[0] if self.corpus == "reality-check" else f"CWE-{self.cwe}"

    @property
    def in_scope(self) -> bool:
        return cwe_class(self.cwe)[1]


@dataclass
class Tree:
    corpus: str
    id: str  # "mlflow/mlflow-v2.5.0" or "query-tests/Security/CWE-078"
    path: str  # absolute directory the tools review


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    cwe: int
    rule: str

    def __str__(self) -> str:
        return f"{self.rule}:CWE-{self.cwe}@{self.line}"


@dataclass
class ToolRun:
    name: str
    version: str = "unknown"
    command: str = ""
    hits: dict[str, dict[str, list[Hit]]] = field(default_factory=dict)  # tree id -> path -> hits
    seconds: dict[str, float] = field(default_factory=dict)  # tree id -> wall time
    errors: dict[str, str] = field(default_factory=dict)  # tree id -> failure
    unparsed: dict[str, list[str]] = field(default_factory=dict)  # tree id -> files not parsed


# --------------------------------------------------------------------------
# reality-check

TEST_DIRS = {"test", "tests", "testing"}


def is_test_path(path: str) -> bool:
    parts = path.split("/")
    base = parts[-1]
    return (any(p in TEST_DIRS or p.endswith(("_tests", "_test")) or p.startswith("test_") for p in parts[:-1])
            or base.startswith("test_") or base.endswith("_test.py") or base == "conftest.py")


def parse_truth_sarif(data: dict) -> dict[tuple[str, str], list[Region]]:
    """(CVE, kind) -> regions, from one truth.sarif document (kind "fail" or "pass")."""
    out: dict[tuple[str, str], list[Region]] = {}
    for run in data.get("runs", []):
        for result in run.get("results", []):
            cve = ((result.get("message") or {}).get("text") or "").strip()
            kind = result.get("kind", "")
            regions = out.setdefault((cve, kind), [])
            for loc in result.get("locations", []):
                phys = loc.get("physicalLocation") or {}
                uri = ((phys.get("artifactLocation") or {}).get("uri") or "").replace("\\", "/")
                reg = phys.get("region") or {}
                if not uri or "startLine" not in reg:
                    continue
                start = int(reg["startLine"])
                end = int(reg.get("endLine", start))
                names = [ll.get("name", "") for ll in loc.get("logicalLocations", []) if ll.get("name")]
                if uri.startswith("./"):
                    uri = uri[2:]
                regions.append(Region(uri, start, end, names[0] if names else ""))
    return out


def truth_cwes(data: dict) -> dict[str, int]:
    """CVE -> CWE number, from the ruleId ("CWE-78") of a truth.sarif's results."""
    out = {}
    for run in data.get("runs", []):
        for result in run.get("results", []):
            cve = ((result.get("message") or {}).get("text") or "").strip()
            m = re.match(r"CWE-(\d+)", result.get("ruleId", ""))
            if cve and m:
                out[cve] = int(m.group(1))
    return out


@dataclass(frozen=True)
class CveRow:
    project: str
    cve: str
    cwe: int
    repository: str  # owner/name
    vul_version: str
    vul_rev: str
    patch_version: str
    patch_rev: str


def rev_of(url: str) -> str:
    """The tag or commit a GitHub release/tree URL names."""
    for marker in ("/releases/tag/", "/tree/", "/commit/"):
        if marker in url:
            return url.rsplit(marker, 1)[1].strip("/")
    return ""


def read_cves_db(path: str) -> list[CveRow]:
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            repo = r["full_name"].split("github.com/", 1)[-1].strip("/")
            m = re.match(r"CWE-(\d+)", r["cwe"].strip())
            rows.append(CveRow(r["project"], r["cve"], int(m.group(1)) if m else 0, repo,
                               r["vul_version"], rev_of(r["vul_url"]),
                               r["patch_version"], rev_of(r["patch_url"])))
    return rows


def reality_check_root(path: str) -> str:
    """The python/ folder of a reality-check checkout (or the folder itself)."""
    for cand in (os.path.join(path, "python"), path):
        if os.path.isfile(os.path.join(cand, "cves_db.csv")) and os.path.isdir(os.path.join(cand, "markup")):
            return cand
    usage_error(f"{path}: not a reality-check checkout (no python/cves_db.csv and python/markup/)")
    return ""


def load_reality_check(rc: str, checkouts: str) -> tuple[list[Tree], list[Item], list[str]]:
    """Trees, items and notes (what was not scored, and why)."""
    root = reality_check_root(rc)
    rows = read_cves_db(os.path.join(root, "cves_db.csv"))
    trees: dict[str, Tree] = {}
    items: list[Item] = []
    notes: list[str] = []
    truth_cache: dict[str, dict] = {}

    def truth(project: str, version: str) -> dict | None:
        p = os.path.join(root, "markup", project, version, "truth.sarif")
        if p not in truth_cache:
            try:
                with open(p, encoding="utf-8") as fh:
                    truth_cache[p] = json.load(fh)
            except (OSError, ValueError):
                truth_cache[p] = None
        return truth_cache[p]

    for row in rows:
        for positive, version, kind in ((True, row.vul_version, "fail"), (False, row.patch_version, "pass")):
            side = "vulnerable" if positive else "patched"
            data = truth(row.project, version)
            if data is None:
                notes.append(f"{row.cve} {side}: no markup/{row.project}/{version}/truth.sarif")
                continue
            tree_id = f"{row.project}/{version}"
            tree_dir = os.path.join(checkouts, row.project, version)
            if not os.path.isdir(tree_dir):
                notes.append(f"{row.cve} {side}: tree {tree_id} not prepared")
                continue
            regions = parse_truth_sarif(data).get((row.cve, kind), [])
            scored = [r for r in regions if r.path.endswith(".py") and not is_test_path(r.path)]
            if not scored:
                notes.append(f"{row.cve} {side}: no region in non-test Python code "
                             f"({len(regions)} region(s) in tests or other files)")
                continue
            scored = [resolve_region(tree_dir, r) for r in scored]
            missing = [r for r in scored if not os.path.isfile(os.path.join(tree_dir, r.path))]
            scored = [r for r in scored if r not in missing]
            if not scored:
                notes.append(f"{row.cve} {side}: region files missing from tree {tree_id} "
                             f"(first: {missing[0].path})")
                continue
            trees.setdefault(tree_id, Tree("reality-check", tree_id, tree_dir))
            cwe = truth_cwes(data).get(row.cve, row.cwe)
            note = ""
            bad = [r for r in scored if not region_matches_source(tree_dir, r)]
            if bad:
                note = f"{len(bad)} of {len(scored)} regions do not start at the named function"
            items.append(Item("reality-check", row.cve, cwe, positive, tree_id, scored, note))
    return list(trees.values()), items, notes


_TREE_FILES: dict[str, list[str]] = {}


def resolve_region(tree_dir: str, region: Region) -> Region:
    """The region with its path made to name a file of the tree: as given, else the one file whose
    path ends with it (markup made from a release archive of a ``src/`` layout names ``pkg/mod.py``)."""
    if os.path.isfile(os.path.join(tree_dir, region.path)):
        return region
    if tree_dir not in _TREE_FILES:
        files = []
        for dirpath, _, names in os.walk(tree_dir):
            files += [os.path.relpath(os.path.join(dirpath, n), tree_dir).replace(os.sep, "/")
                      for n in names if n.endswith(".py")]
        _TREE_FILES[tree_dir] = files
    cands = [f for f in _TREE_FILES[tree_dir] if f.endswith("/" + region.path)]
    if len(cands) == 1:
        return Region(cands[0], region.start, region.end, region.name)
    return region


def region_matches_source(tree_dir: str, region: Region) -> bool:
    """Whether the named function or class is defined at (or within three lines of) the region's start."""
    if not region.name:
        return True
    name = region.name.split(".")[-1]
    try:
        with open(os.path.join(tree_dir, region.path), encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return False
    pat = re.compile(r"^\s*(async\s+def|def|class)\s+" + re.escape(name) + r"\b")
    lo, hi = max(region.start - 4, 0), min(region.start + 3, len(lines))
    return any(pat.match(line) for line in lines[lo:hi])


# --------------------------------------------------------------------------
# CodeQL query tests

_MARK_RE = re.compile(r"(not ok|bad|ok|good|fp)\b", re.I)
_POS_WORDS = re.compile(r"\bnot ok\b|\bbad\b", re.I)
_NEG_WORDS = re.compile(r"\bok\b|\bgood\b", re.I)


def annotation_of(comment: str) -> bool | None:
    """True (vulnerable), False (safe) or None (no marker, or both) for one comment's text.

    The comment must start with its marker (``# NOT OK``, ``# OK, FP``, ``# GOOD -- ...``), or hold an
    inline expectation (``# $ Alert``); prose that merely mentions a marker is no annotation.
    """
    text = comment.lstrip("#").strip()
    if text.startswith("$"):
        if re.search(r"\$\s*SPURIOUS:\s*Alert\b", text):
            return False
        if re.search(r"\$\s*(MISSING:\s*)?Alert\b", text) or "result=BAD" in text:
            return True
        if "result=OK" in text:
            return False
        return None
    m = _MARK_RE.match(text)
    if not m:
        return None
    rest = text[m.end():]
    if m.group(1).lower() in ("not ok", "bad"):
        return None if _NEG_WORDS.search(_POS_WORDS.sub("", rest)) else True
    return None if _POS_WORDS.search(rest) else False


def _comment_of(line: str) -> tuple[str, bool] | None:
    """(comment text, whether the line is only a comment), using the tokenizer-free rule of a
    '#' outside string quotes; None when the line has no comment."""
    quote = None
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if line.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
        elif ch in "\"'":
            quote = line[i:i + 3] if line[i:i + 3] in ('"""', "'''") else ch
            i += len(quote)
            continue
        elif ch == "#":
            return line[i:], line[:i].strip() == ""
        i += 1
    return None


def parse_annotations(source: str) -> dict[int, bool]:
    """Line -> True (vulnerable) / False (safe), from the comments of one test file."""
    lines = source.splitlines()
    labels: dict[int, bool] = {}
    pending: bool | None = None
    ambiguous: set[int] = set()
    # A file written with inline expectations (`# $ Alert`) marks its sinks itself; its comment lines
    # ("# NOT OK -- user has full control") describe the case and would label the wrong line.
    inline_style = bool(re.search(r"#\s*\$\s*(MISSING:\s*|SPURIOUS:\s*)?(Alert|Source|result=)", source))
    for no, line in enumerate(lines, 1):
        c = _comment_of(line)
        if c is not None and c[1]:  # comment-only line
            mark = annotation_of(c[0])
            if mark is not None and not inline_style:
                pending = mark
            continue
        if not line.strip():
            pending = None
            continue
        if c is not None:
            mark = annotation_of(c[0])
            if mark is not None:
                labels[no] = mark
                pending = None
                continue
            if _MARK_RE.match(c[0].lstrip("#").strip()):
                ambiguous.add(no)  # starts with a marker, but with both kinds
        if pending is not None and no not in labels:
            labels[no] = pending
        pending = None
    for no in ambiguous:
        labels.pop(no, None)
    return labels


def ambiguous_lines(source: str) -> set[int]:
    """Code lines whose annotation holds both a safe and a vulnerable marker."""
    out = set()
    for no, line in enumerate(source.splitlines(), 1):
        c = _comment_of(line)
        if c is None or c[1]:
            continue
        if _MARK_RE.match(c[0].lstrip("#").strip()) and annotation_of(c[0]) is None:
            out.add(no)
    return out


_SELECT_ROW = re.compile(r"^\|\s*([^|:\s]+\.py):(\d+):\d+:\d+:\d+\s*\|")


def parse_expected(text: str) -> dict[str, set[int]]:
    """File -> alert lines, from the #select section of a CodeQL .expected file."""
    out: dict[str, set[int]] = {}
    in_select = False
    saw_section = False
    for line in text.splitlines():
        if line.strip() in ("edges", "nodes", "subpaths", "#select", "testFailures"):
            saw_section = True
            in_select = line.strip() == "#select"
            continue
        if saw_section and not in_select:
            continue
        m = _SELECT_ROW.match(line)
        if m:
            out.setdefault(m.group(1), set()).add(int(m.group(2)))
    return out


def codeql_test_dirs(root: str) -> list[str]:
    """The CWE-NNN* query-test directories under a CodeQL checkout (or one such tree)."""
    pats = ["python/ql/test/query-tests/Security/CWE-*", "python/ql/test/experimental/query-tests/Security/CWE-*",
            "query-tests/Security/CWE-*", "experimental/query-tests/Security/CWE-*", "CWE-*"]
    found: list[str] = []
    for pat in pats:
        for d in sorted(glob.glob(os.path.join(root, pat))):
            if os.path.isdir(d) and d not in found:
                found.append(d)
    return found


def dir_cwe(path: str) -> int:
    m = re.match(r"CWE-0*(\d+)", os.path.basename(os.path.normpath(path)))
    return int(m.group(1)) if m else 0


def label_test_dir(d: str) -> dict[str, dict[int, bool]]:
    """Relative file -> line -> vulnerable? for one query-test directory."""
    expected: dict[str, set[int]] = {}
    for exp in sorted(glob.glob(os.path.join(d, "*.expected"))):
        stem = os.path.splitext(exp)[0]
        if not os.path.isfile(stem + ".qlref"):
            continue  # a library or sinks test, not the security query's alerts
        with open(exp, encoding="utf-8", errors="replace") as fh:
            for f, ls in parse_expected(fh.read()).items():
                expected.setdefault(f, set()).update(ls)
    out: dict[str, dict[int, bool]] = {}
    for py in sorted(glob.glob(os.path.join(d, "**", "*.py"), recursive=True)):
        rel = os.path.relpath(py, d).replace(os.sep, "/")
        with open(py, encoding="utf-8", errors="replace") as fh:
            src = fh.read()
        labels = parse_annotations(src)
        skip = ambiguous_lines(src)
        for line in expected.get(rel, set()) | expected.get(os.path.basename(rel), set()):
            if line not in labels and line not in skip:
                labels[line] = True
        if labels:
            out[rel] = labels
    return out


def load_codeql(roots: list[str], tag: str = "codeql") -> tuple[list[Tree], list[Item], list[str]]:
    trees, items, notes = [], [], []
    for root in roots:
        dirs = codeql_test_dirs(root)
        if not dirs:
            usage_error(f"{root}: no CWE-* query-test directories found")
        base = os.path.basename(os.path.normpath(root))
        for d in dirs:
            cwe = dir_cwe(d)
            rel = os.path.relpath(d, root).replace(os.sep, "/")
            tree_id = f"{base}/{rel}"
            labels = label_test_dir(d)
            if not labels:
                notes.append(f"{tree_id}: no labelled line")
                continue
            trees.append(Tree(tag, tree_id, os.path.abspath(d)))
            for f, ls in sorted(labels.items()):
                for line, pos in sorted(ls.items()):
                    items.append(Item(tag, f"{os.path.basename(d)}/{f}:{line}", cwe, pos, tree_id,
                                      [Region(f, line, line)]))
    return trees, items, notes


# --------------------------------------------------------------------------
# matching and scoring


def credit_lines(items: list[Item], hits: list[Hit]) -> dict[int, list[Hit]]:
    """CodeQL-style matching: each hit goes to the nearest compatible labelled line of its file
    within SLACK lines (same line first; on a tie the later line). Returns id(item) -> hits."""
    out: dict[int, list[Hit]] = {}
    by_path: dict[str, list[Item]] = {}
    for it in items:
        by_path.setdefault(it.regions[0].path, []).append(it)
    for h in hits:
        best = None
        for it in by_path.get(h.path, ()):
            if not compatible(it.cwe, h.cwe):
                continue
            d = abs(it.regions[0].start - h.line)
            if d > SLACK:
                continue
            rank = (d, -it.regions[0].start)
            if best is None or rank < best[0]:
                best = (rank, it)
        if best is not None:
            out.setdefault(id(best[1]), []).append(h)
    return out


def region_hits(item: Item, hits_by_path: dict[str, list[Hit]]) -> list[Hit]:
    """reality-check matching: compatible hits in or within SLACK lines of any of the item's regions."""
    out = []
    for r in item.regions:
        out += [h for h in hits_by_path.get(r.path, ()) if r.near(h.line) and compatible(item.cwe, h.cwe)]
    return out


def nearby_hits(item: Item, hits_by_path: dict[str, list[Hit]]) -> list[Hit]:
    """Any hit (whatever its CWE) in or near the item's regions: what a developer debugging a miss sees."""
    out = []
    for r in item.regions:
        out += [h for h in hits_by_path.get(r.path, ()) if r.near(h.line)]
    return out


@dataclass
class Score:
    tp: list[Item] = field(default_factory=list)
    fn: list[Item] = field(default_factory=list)
    tn: list[Item] = field(default_factory=list)
    fp: list[Item] = field(default_factory=list)

    def add(self, item: Item, flagged: bool) -> None:
        if item.positive:
            (self.tp if flagged else self.fn).append(item)
        else:
            (self.fp if flagged else self.tn).append(item)

    @property
    def p(self) -> int:
        return len(self.tp) + len(self.fn)

    @property
    def n(self) -> int:
        return len(self.fp) + len(self.tn)

    @property
    def tpr(self) -> float:
        return len(self.tp) / self.p if self.p else 0.0

    @property
    def fpr(self) -> float:
        return len(self.fp) / self.n if self.n else 0.0

    @property
    def youden(self) -> float:
        return self.tpr - self.fpr


def youden(tp: int, fn: int, fp: int, tn: int) -> float:
    """TPR - FPR, with an empty side counting 0."""
    tpr = tp / (tp + fn) if tp + fn else 0.0
    fpr = fp / (fp + tn) if fp + tn else 0.0
    return tpr - fpr


def flags(items: list[Item], run: ToolRun) -> dict[int, list[Hit]]:
    """id(item) -> the tool's hits that flag it (empty list: not flagged)."""
    out: dict[int, list[Hit]] = {}
    by_tree: dict[str, list[Item]] = {}
    for it in items:
        by_tree.setdefault(it.tree, []).append(it)
    for tree, its in by_tree.items():
        hits_by_path = run.hits.get(tree, {})
        line_items = [it for it in its if it.corpus != "reality-check"]
        if line_items:
            allhits = [h for hs in hits_by_path.values() for h in hs]
            out.update(credit_lines(line_items, allhits))
        for it in its:
            if it.corpus == "reality-check":
                out[id(it)] = region_hits(it, hits_by_path)
    return out


def unlabelled_alarms(items: list[Item], run: ToolRun, trees: list[Tree]) -> dict[str, int]:
    """CodeQL trees: compatible hits credited to no labelled line, per tree CWE group."""
    out: dict[str, int] = {}
    for t in trees:
        its = [it for it in items if it.tree == t.id]
        if not its or its[0].corpus == "reality-check":
            continue
        cwe = its[0].cwe
        allhits = [h for hs in run.hits.get(t.id, {}).values() for h in hs if compatible(cwe, h.cwe)]
        credited = {id(h) for hs in credit_lines(its, allhits).values() for h in hs}
        out[f"CWE-{cwe}"] = out.get(f"CWE-{cwe}", 0) + sum(1 for h in allhits if id(h) not in credited)
    return out


def score(items: list[Item], run: ToolRun, key=lambda it: it.group) -> dict[str, Score]:
    f = flags(items, run)
    out: dict[str, Score] = {}
    for it in items:
        out.setdefault(key(it), Score()).add(it, bool(f.get(id(it))))
    return out


# --------------------------------------------------------------------------
# tools


def usage_error(msg: str) -> None:
    print(f"realworld: {msg}", file=sys.stderr)
    sys.exit(EXIT_USAGE)


def child_env(environ=None) -> dict:
    """The environment the tools run in: each tool runs from inside a tree, so a relative
    ``PYTHONPATH`` entry (``PYTHONPATH=src``) would name the tree's folder, and ``python -m secreview``
    would silently import the installed copy instead of the checkout the command was started from.
    Relative entries are made absolute against the current folder."""
    env = dict(os.environ if environ is None else environ)
    path = env.get("PYTHONPATH")
    if path:
        env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) if p else p for p in path.split(os.pathsep))
    return env


def tool_version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv + ["--version"], check=False, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    lines = (out.stdout or out.stderr).strip().splitlines()
    if not lines:
        return "unknown"
    version = lines[0].strip()
    for line in lines[1:]:
        k, _, v = line.partition("=")
        if k.strip() == "python version" and v.split():
            version += f" (Python {v.split()[0]})"
    return version


def norm(path: str, tree: str) -> str:
    if os.path.isabs(path):
        path = os.path.relpath(path, tree)
    return os.path.normpath(path).replace(os.sep, "/")


def read_secreview(report: dict, tree: str) -> tuple[dict[str, list[Hit]], list[str]]:
    hits: dict[str, list[Hit]] = {}
    for f in report.get("findings", []):
        p = norm(f["path"], tree)
        hits.setdefault(p, []).append(Hit(p, int(f.get("line") or 0), int(f.get("cwe") or 0),
                                          f.get("rule_id", "?")))
    unparsed = sorted({norm(p["path"], tree) for p in report.get("problems", [])
                       if p.get("kind") == "syntax-error" or not p.get("reviewed", False)})
    return hits, unparsed


def read_bandit(report: dict, tree: str) -> tuple[dict[str, list[Hit]], list[str]]:
    hits: dict[str, list[Hit]] = {}
    for i in report.get("results", []):
        p = norm(i["filename"], tree)
        cwe = int(((i.get("issue_cwe") or {}).get("id")) or 0)
        hits.setdefault(p, []).append(Hit(p, int(i.get("line_number") or 0), cwe, i.get("test_id", "?")))
    unparsed = sorted({norm(e["filename"], tree) for e in report.get("errors", [])})
    return hits, unparsed


def report_path(reports: str, tool: str, tree: Tree) -> str:
    safe = tree.id.replace("/", "__")
    return os.path.join(reports, tool, tree.corpus, safe + ".json")


def run_tool(tool: str, argv0: list[str], trees: list[Tree], reports: str, reuse: str | None,
             extra: list[str], targets: dict[str, list[str]] | None = None) -> ToolRun:
    """Run one tool over every tree (or read the reports kept in `reuse`).

    ``targets`` (tree id -> files) makes bandit check only those files of the tree: bandit checks one
    file at a time, so what it reports on them is what it reports on them in a run over the whole tree.
    """
    targets = targets or {}
    run = ToolRun(tool)
    if tool == "secreview":
        run.command = shlex.join(argv0 + ["review", ".", "--format", "json", "--output", "<report>",
                                          "--exit-zero", "--no-progress"] + extra) + "  (cwd = tree)"
    else:
        run.command = shlex.join(argv0 + ["-r", ".", "-f", "json", "-q", "-o", "<report>"] + extra) + \
            "  (cwd = tree)" + ("; on reality-check trees `FILES` (the files holding the CVE's regions) "
                                "instead of `-r .`" if targets else "")
    if reuse:
        reuse = os.path.abspath(reuse)
        run.command = f"(reports reused from {reuse})"
        if tool == "bandit" and shutil.which(argv0[0]):  # bandit's JSON does not name its version
            run.version = tool_version(argv0) + " (the --bandit given; its reports were reused)"
    else:
        run.version = tool_version(argv0)
    reader = read_secreview if tool == "secreview" else read_bandit
    for i, tree in enumerate(trees, 1):
        if reuse:
            out = report_path(reuse, tool, tree)
        else:
            out = report_path(reports, tool, tree)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            if tool == "secreview":
                argv = argv0 + ["review", ".", "--format", "json", "--output", out, "--exit-zero",
                                "--no-progress"] + extra
            else:
                files = targets.get(tree.id)
                argv = argv0 + (files if files else ["-r", "."]) + ["-f", "json", "-q", "-o", out] + extra
            print(f"  [{i}/{len(trees)}] {tool} {tree.id}", file=sys.stderr, flush=True)
            start = time.perf_counter()
            try:
                proc = subprocess.run(argv, cwd=tree.path, capture_output=True, text=True, check=False,
                                      env=child_env())
            except OSError as exc:
                run.errors[tree.id] = str(exc)
                continue
            run.seconds[tree.id] = time.perf_counter() - start
            ok_codes = (0,) if tool == "secreview" else (0, 1)
            if proc.returncode not in ok_codes:
                run.errors[tree.id] = f"exit {proc.returncode}: {proc.stderr.strip()[-500:]}"
        try:
            with open(out, encoding="utf-8") as fh:
                report = json.load(fh)
        except (OSError, ValueError) as exc:
            run.errors[tree.id] = (run.errors.get(tree.id, "") + f" cannot read report: {exc}").strip()
            continue
        if reuse and tool == "secreview" and run.version == "unknown":
            v = (report.get("tool") or {}).get("version")
            if v:
                run.version = f"secreview {v} (from the reused reports)"
        run.hits[tree.id], run.unparsed[tree.id] = reader(report, tree.path)
    return run


# --------------------------------------------------------------------------
# output


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def jfmt(x: float) -> str:
    return f"{x:+.3f}"


CODEQL_TARGET_CWES = (22, 78, 79, 89, 90, 94, 502, 601, 611, 643, 918)


def summary_rows(items: list[Item], runs: list[ToolRun]) -> list[dict]:
    """One row per (corpus, scope/group) with each tool's counts."""
    rows = []
    corpora = sorted({it.corpus for it in items}, key=lambda c: (c != "reality-check", c))
    for corpus in corpora:
        its = [it for it in items if it.corpus == corpus]
        subsets = [("all", its)]
        if corpus == "reality-check":
            subsets.append(("in scope", [it for it in its if it.in_scope]))
        else:
            subsets.append(("target CWEs", [it for it in its if it.cwe in CODEQL_TARGET_CWES]))
        groups = sorted({it.group for it in its}, key=_group_sort)
        for g in groups:
            subsets.append((g, [it for it in its if it.group == g]))
        for name, sub in subsets:
            row = {"corpus": corpus, "group": name, "positives": sum(it.positive for it in sub),
                   "negatives": sum(not it.positive for it in sub), "tools": {}}
            for run in runs:
                s = score(sub, run, key=lambda it: "x").get("x", Score())
                row["tools"][run.name] = {"tp": len(s.tp), "fn": len(s.fn), "fp": len(s.fp), "tn": len(s.tn),
                                          "tpr": s.tpr, "fpr": s.fpr, "youden": s.youden}
            rows.append(row)
    return rows


def _group_sort(g: str):
    m = re.search(r"(\d+)", g)
    return (0 if not g.startswith("CWE-") else 1, int(m.group(1)) if m else 0, g)


def misses(items: list[Item], run: ToolRun) -> dict[str, list[dict]]:
    f = flags(items, run)
    out: dict[str, list[dict]] = {"false_negatives": [], "false_positives": []}
    for it in items:
        flagged = f.get(id(it)) or []
        hits_by_path = run.hits.get(it.tree, {})
        entry = {"corpus": it.corpus, "key": it.key, "cwe": it.cwe, "tree": it.tree,
                 "regions": [str(r) for r in it.regions],
                 "findings_near": [f"{h.path}:{h.line} {h.rule} CWE-{h.cwe}" for h in nearby_hits(it, hits_by_path)]}
        if it.note:
            entry["note"] = it.note
        if it.positive and not flagged:
            out["false_negatives"].append(entry)
        elif not it.positive and flagged:
            entry["flagged_by"] = [f"{h.path}:{h.line} {h.rule} CWE-{h.cwe}" for h in flagged]
            out["false_positives"].append(entry)
    return out


def print_table(rows: list[dict], runs: list[ToolRun]) -> None:
    for corpus in dict.fromkeys(r["corpus"] for r in rows):
        print(f"\n{corpus}")
        head = f"  {'group':44} {'P':>4} {'N':>4}"
        for run in runs:
            head += f" | {run.name:>9}  TP  FP    TPR    FPR      J"
        print(head)
        for r in rows:
            if r["corpus"] != corpus:
                continue
            line = f"  {r['group'][:44]:44} {r['positives']:4d} {r['negatives']:4d}"
            for run in runs:
                t = r["tools"][run.name]
                line += (f" | {'':>9} {t['tp']:3d} {t['fp']:3d} {pct(t['tpr']):>6} {pct(t['fpr']):>6} "
                         f"{jfmt(t['youden'])}")
            print(line)


def print_misses(items: list[Item], runs: list[ToolRun]) -> None:
    for run in runs:
        m = misses(items, run)
        for kind, label in (("false_negatives", "missed (positives not found)"),
                            ("false_positives", "false alarms (negatives flagged)")):
            print(f"\n{run.name}: {label}: {len(m[kind])}")
            for e in m[kind]:
                near = "; ".join(e["findings_near"]) or "-"
                print(f"  [{e['corpus']}] {e['key']} CWE-{e['cwe']} {e['tree']}")
                for r in e["regions"]:
                    print(f"      at {r}")
                if kind == "false_positives":
                    print(f"      flagged by: {'; '.join(e['flagged_by'])}")
                else:
                    print(f"      findings near (any CWE): {near}")
                if e.get("note"):
                    print(f"      note: {e['note']}")


def markdown(rows: list[dict], runs: list[ToolRun], items: list[Item], notes: dict[str, list[str]],
             argv: str, sources: dict[str, str], unlabelled: dict[str, dict[str, int]]) -> str:
    out: list[str] = []
    w = out.append
    w("# Recall on real code: reality-check CVEs and CodeQL query tests")
    w("")
    w("Generated by `benchmarks/realworld.py` (method in its docstring and in `benchmarks/README.md`).")
    w("")
    w(f"- Command: `{argv}`")
    for k, v in sources.items():
        w(f"- {k}: {v}")
    region_files = {(it.tree, r.path) for it in items if it.corpus == "reality-check" for r in it.regions}
    for run in runs:
        timing = (f"{sum(run.seconds.values()):.0f} s over {len(run.seconds)} trees; " if run.seconds
                  else "")
        unparsed_regions = sum(1 for t, ps in run.unparsed.items() for p in ps if (t, p) in region_files)
        w(f"- {run.name}: `{run.version}`; `{run.command}`; {timing}"
          f"{len(run.errors)} trees failed; reality-check files holding scored regions that it could "
          f"not (fully) parse: {unparsed_regions} of {len(region_files)}")
    w("")
    for corpus in dict.fromkeys(r["corpus"] for r in rows):
        w(f"## {corpus}")
        w("")
        hdr = "| group | P | N |"
        sep = "|---|---:|---:|"
        for run in runs:
            hdr += f" {run.name} TP | FP | TPR | FPR | J |"
            sep += "---:|---:|---:|---:|---:|"
        w(hdr)
        w(sep)
        for r in rows:
            if r["corpus"] != corpus:
                continue
            bold = r["group"] in ("all", "in scope", "target CWEs")
            g = f"**{r['group']}**" if bold else r["group"]
            line = f"| {g} | {r['positives']} | {r['negatives']} |"
            for run in runs:
                t = r["tools"][run.name]
                line += f" {t['tp']} | {t['fp']} | {pct(t['tpr'])} | {pct(t['fpr'])} | {jfmt(t['youden'])} |"
            w(line)
        w("")
        if corpus != "reality-check" and unlabelled:
            w("Compatible findings credited to no labelled line (the tests do not say whether they are right): " +
              "; ".join(f"{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(u.items(),
                                                                              key=lambda kv: _group_sort(kv[0])) if v)
                        for name, u in unlabelled.items()))
            w("")
        if notes.get(corpus):
            w("<details><summary>Not scored</summary>")
            w("")
            for n in notes[corpus]:
                w(f"- {n}")
            w("")
            w("</details>")
            w("")
    return "\n".join(out)


# --------------------------------------------------------------------------
# prepare


def _extract_stream(stream, dest: str, strip: int = 0) -> int:
    """Extract the Python files of a tar stream (``strip`` leading path parts removed); returns the count."""
    n = 0
    with tarfile.open(fileobj=stream, mode="r|*") as tar:
        for member in tar:
            parts = member.name.split("/")
            if len(parts) <= strip or not member.isfile() or not member.name.endswith(".py"):
                continue
            member.name = "/".join(parts[strip:])
            tar.extract(member, dest, filter="data")
            n += 1
    return n


def _extract_git(git_dir: str, commit: str, dest: str) -> tuple[int, list[str]]:
    """Write the Python files of ``commit`` under ``dest``; returns (count, paths whose blob the mirror lacks)."""
    ls = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", "--full-tree", commit],
                        capture_output=True, check=True).stdout.decode("utf-8", "surrogateescape")
    wanted = []
    for entry in ls.split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind == "blob" and mode in ("100644", "100755") and path.endswith(".py"):
            wanted.append((sha, path))
    missing = []
    proc = subprocess.Popen(["git", "--git-dir", git_dir, "cat-file", "--batch"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    proc.stdin.write("".join(sha + "\n" for sha, _ in wanted).encode())
    proc.stdin.close()
    n = 0
    for _sha, path in wanted:
        header = proc.stdout.readline().decode().split()
        if len(header) < 3 or header[1] != "blob":
            missing.append(path)
            continue
        data = proc.stdout.read(int(header[2]))
        proc.stdout.read(1)
        target = os.path.normpath(os.path.join(dest, path))
        if not target.startswith(os.path.abspath(dest) + os.sep):
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as fh:
            fh.write(data)
        n += 1
    proc.wait()
    return n, missing


def find_git_dir(mirrors: str, repository: str) -> str | None:
    base = os.path.join(mirrors, repository.replace("/", "+"))
    for cand in (os.path.join(base, "repo", ".git"), os.path.join(base, "repo"), base,
                 os.path.join(mirrors, repository.split("/")[-1] + ".git")):
        if os.path.isfile(os.path.join(cand, "HEAD")) and os.path.isdir(os.path.join(cand, "objects")):
            return cand
    return None


def find_sdist(sdists: str, project: str, version: str) -> str | None:
    """An sdist whose name is PROJECT-VERSION(.tar.gz|.zip), any case, version with a leading v stripped."""
    if not sdists or not os.path.isdir(sdists):
        return None
    ver = version[len(project) + 1:] if version.lower().startswith(project.lower() + "-") else version
    ver = ver[1:] if ver[:1] == "v" and ver[1:2].isdigit() else ver
    want = f"{project}-{ver}".lower()
    for name in sorted(os.listdir(sdists)):
        if name.lower() in (want + ".tar.gz", want + ".tgz"):
            return os.path.join(sdists, name)
    return None


def read_revisions(path: str) -> dict[str, dict]:
    """version -> row of benchmarks/realworld-revisions.csv (overrides of the revision or source)."""
    if not path or not os.path.isfile(path):
        return {}
    with open(path, newline="", encoding="utf-8") as fh:
        return {r["version"]: r for r in csv.DictReader(fh)}


def prepare(args) -> int:
    root = reality_check_root(args.reality_check)
    rows = read_cves_db(os.path.join(root, "cves_db.csv"))
    overrides = read_revisions(args.revisions)
    versions: dict[tuple[str, str], tuple[str, str]] = {}
    for r in rows:
        versions.setdefault((r.project, r.vul_version), (r.repository, r.vul_rev))
        versions.setdefault((r.project, r.patch_version), (r.repository, r.patch_rev))
    manifest = []
    for (project, version), (repository, rev) in sorted(versions.items()):
        if args.only and not any(o in (project, version) for o in args.only):
            continue
        ov = overrides.get(version, {})
        rev = ov.get("revision") or rev
        dest = os.path.join(args.checkouts, project, version)
        entry = {"project": project, "version": version, "repository": repository, "revision": rev,
                 "source": "", "commit": "", "note": ov.get("note", "")}
        if os.path.isdir(dest) and not args.force:
            prev = _manifest_entry(args.checkouts, version)
            entry.update(prev or {"source": "existing"})
            print(f"{version}: exists, kept")
            manifest.append(entry)
            continue
        gd = find_git_dir(args.mirrors, repository) if args.mirrors else None
        commit = ""
        if gd and ov.get("source", "git") == "git":
            p = subprocess.run(["git", "--git-dir", gd, "rev-parse", "--verify", "-q", rev + "^{commit}"],
                               capture_output=True, text=True)
            commit = p.stdout.strip() if p.returncode == 0 else ""
        tmp = dest + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        if commit:
            n, missing = _extract_git(gd, commit, os.path.abspath(tmp))
            entry.update(source="git", commit=commit, files=n)
            if missing:
                entry["note"] = (entry["note"] + "; " if entry["note"] else "") + \
                    f"{len(missing)} Python files absent from the mirror"
        else:
            sd = find_sdist(args.sdists, project, version)
            if sd:
                with open(sd, "rb") as fh:
                    n = _extract_stream(fh, tmp, strip=1)
                entry.update(source=f"sdist {os.path.basename(sd)}", files=n)
            else:
                shutil.rmtree(tmp, ignore_errors=True)
                why = "no mirror" if not gd else f"revision {rev} not in the mirror"
                entry.update(source="unavailable", note=(entry["note"] + "; " if entry["note"] else "") +
                             f"{why}, no sdist")
                print(f"{version}: UNAVAILABLE ({why}, no sdist)")
                manifest.append(entry)
                continue
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(tmp, dest)
        print(f"{version}: {entry['source']} {commit[:12]}")
        manifest.append(entry)
    path = os.path.join(args.checkouts, "manifest.json")
    old = []
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as fh:
            old = [e for e in json.load(fh) if e["version"] not in {m["version"] for m in manifest}]
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(sorted(old + manifest, key=lambda e: (e["project"], e["version"])), fh, indent=1)
    print(f"manifest: {path}")
    return 0


def _manifest_entry(checkouts: str, version: str) -> dict | None:
    path = os.path.join(checkouts, "manifest.json")
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as fh:
        for e in json.load(fh):
            if e["version"] == version:
                return e
    return None


# --------------------------------------------------------------------------
# main


def git_head(path: str) -> str:
    try:
        return subprocess.run(["git", "-C", path, "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip() or "unknown"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def score_main(args) -> int:
    if not (args.reality_check or args.codeql or args.codeql_extra):
        usage_error("give --reality-check (with --checkouts) and/or --codeql")
    trees: list[Tree] = []
    items: list[Item] = []
    notes: dict[str, list[str]] = {}
    sources: dict[str, str] = {}
    if args.reality_check:
        if not args.checkouts or not os.path.isdir(args.checkouts):
            usage_error("--reality-check needs --checkouts DIR (made by the prepare sub-command)")
        t, i, n = load_reality_check(args.reality_check, args.checkouts)
        trees += t
        items += i
        notes["reality-check"] = n
        sources["reality-check"] = f"`{git_head(args.reality_check)}` (commit of the reality-check checkout, " \
                                   f"'unknown' when not a git clone); trees in `{args.checkouts}`"
    if args.codeql or args.codeql_extra:
        t, i, n = load_codeql(list(args.codeql or []) + list(args.codeql_extra or []))
        trees += t
        items += i
        notes["codeql"] = n
        sources["CodeQL tests"] = ", ".join(f"`{p}`" for p in (args.codeql or []) + (args.codeql_extra or []))
    if args.only:
        keep = {t.id for t in trees if any(o in t.id for o in args.only)}
        keep |= {it.tree for it in items if any(o == it.key or o in it.key for o in args.only)}
        trees = [t for t in trees if t.id in keep]
        items = [it for it in items if it.tree in keep]
    if not items:
        usage_error("nothing to score")
    print(f"{len(items)} labelled items in {len(trees)} trees", file=sys.stderr)
    reused_all = args.secreview_json and (args.no_bandit or args.bandit_json)
    reports = os.path.abspath(args.reports or (args.secreview_json if reused_all else
                                               tempfile.mkdtemp(prefix="realworld-reports-")))
    runs = []
    sec_cmd = shlex.split(args.secreview) if args.secreview else [sys.executable, "-m", "secreview"]
    runs.append(run_tool("secreview", sec_cmd, trees, reports, args.secreview_json, shlex.split(args.secreview_args)))
    if not args.no_bandit:
        targets: dict[str, list[str]] = {}
        if not args.bandit_whole_trees:
            for it in items:
                if it.corpus == "reality-check":
                    targets.setdefault(it.tree, [])
                    targets[it.tree] += [r.path for r in it.regions if r.path not in targets[it.tree]]
        runs.append(run_tool("bandit", shlex.split(args.bandit), trees, reports, args.bandit_json, [],
                             targets))
    for run in runs:
        for tid, err in sorted(run.errors.items()):
            print(f"  {run.name} failed on {tid}: {err}", file=sys.stderr)
    rows = summary_rows(items, runs)
    print(f"reports kept in {reports}", file=sys.stderr)
    print_table(rows, runs)
    unl = {run.name: unlabelled_alarms(items, run, trees) for run in runs}
    if args.list_misses:
        print_misses(items, runs)
    argv_display = "python benchmarks/realworld.py " + shlex.join(sys.argv[1:])
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(markdown(rows, runs, items, notes, argv_display, sources, unl) + "\n")
    if args.json:
        doc = {"command": argv_display, "sources": sources, "slack_lines": SLACK,
               "tools": {r.name: {"version": r.version, "command": r.command, "seconds": r.seconds,
                                  "errors": r.errors, "unparsed": r.unparsed} for r in runs},
               "summary": rows, "notes": notes, "unlabelled_alarms": unl,
               "misses": {r.name: misses(items, r) for r in runs}}
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=1)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="realworld.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="sub-commands: score (default), prepare. See the module docstring.")
    sub = p.add_subparsers(dest="command")
    s = sub.add_parser("score", help="run secreview and bandit and score them (default)",
                       description="Score secreview and bandit on the reality-check CVEs and CodeQL's query "
                                   "tests (the default sub-command). Method: the docstring of "
                                   "benchmarks/realworld.py and benchmarks/README.md.",
                       epilog="The trees come from: realworld.py prepare REALITY_CHECK --mirrors DIR "
                              "--checkouts DIR [--sdists DIR] (see realworld.py prepare --help).")
    _score_args(s)
    pr = sub.add_parser("prepare", help="lay out the reality-check trees from git mirrors and sdists")
    pr.add_argument("reality_check", help="reality-check checkout")
    pr.add_argument("--mirrors", help="directory of bare git mirrors (OWNER+NAME/repo[/.git] or NAME.git)")
    pr.add_argument("--sdists", help="directory of sdists (PROJECT-VERSION.tar.gz) for versions no mirror has")
    pr.add_argument("--checkouts", required=True, help="where the trees go (CHECKOUTS/PROJECT/VERSION)")
    pr.add_argument("--revisions", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                        "realworld-revisions.csv"),
                    help="CSV of revision overrides (default: benchmarks/realworld-revisions.csv)")
    pr.add_argument("--only", action="append", help="only this project or version (repeatable)")
    pr.add_argument("--force", action="store_true", help="re-create trees that exist")
    return p


def _score_args(s: argparse.ArgumentParser) -> None:
    s.add_argument("--reality-check", metavar="DIR", help="reality-check checkout (its python/ part is used)")
    s.add_argument("--checkouts", metavar="DIR", help="the trees `prepare` made")
    s.add_argument("--codeql", metavar="DIR", action="append",
                   help="CodeQL checkout (Semmle/ql or github/codeql) or a folder of CWE-* query-test dirs "
                        "(repeatable)")
    s.add_argument("--codeql-extra", metavar="DIR", action="append",
                   help="more CWE-* query-test directories' parent (repeatable)")
    s.add_argument("--reports", metavar="DIR", help="keep each tool's JSON report per tree here")
    s.add_argument("--secreview", metavar="CMD", help="secreview command (default: python -m secreview)")
    s.add_argument("--secreview-args", metavar="ARGS", default="",
                   help="extra arguments for `secreview review` (e.g. '--jobs 2')")
    s.add_argument("--secreview-json", metavar="DIR",
                   help="score the secreview reports already in DIR (as --reports wrote them) instead of running it")
    s.add_argument("--bandit", metavar="CMD", default="bandit", help="bandit command (default: bandit)")
    s.add_argument("--bandit-json", metavar="DIR",
                   help="score the bandit reports already in DIR instead of running bandit")
    s.add_argument("--no-bandit", action="store_true", help="skip bandit")
    s.add_argument("--bandit-whole-trees", action="store_true",
                   help="run bandit with -r over each whole reality-check tree (default: only the files "
                        "holding regions; the same result for those files, since bandit checks files one by one)")
    s.add_argument("--only", action="append", metavar="TEXT",
                   help="only trees whose id contains TEXT, or the trees of items whose key contains it "
                        "(e.g. mlflow, CVE-2023-4033, CWE-089); repeatable")
    s.add_argument("--list-misses", action="store_true",
                   help="print each tool's misses and false alarms with path:line and the findings near them")
    s.add_argument("--markdown", metavar="FILE", help="write the results as markdown")
    s.add_argument("--json", metavar="FILE", help="write machine-readable results")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("score", "prepare"):
        argv = ["score"] + argv  # also --help: the default sub-command's options
    args = build_parser().parse_args(argv)
    if args.command == "prepare":
        return prepare(args)
    return score_main(args)


if __name__ == "__main__":
    sys.exit(main())
