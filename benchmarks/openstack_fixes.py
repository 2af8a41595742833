#!/usr/bin/env python3
"""Score secreview (and Bandit) on real security fixes from OpenStack history.

Usage::

    python benchmarks/openstack_fixes.py benchmarks/openstack-fixes.toml MIRRORS
        [--scope package|files|tree] [--cache DIR] [--markdown FILE] [--json FILE]
        [--list] [--no-bandit] [--bandit CMD] [--secreview CMD] [--rescore]
        [--project NAME] [--commit SHA] [--class CLASS]
    python benchmarks/openstack_fixes.py --candidates MIRRORS [--project NAME]
    python benchmarks/openstack_fixes.py --check benchmarks/openstack-fixes.toml MIRRORS

``MIRRORS`` is a directory holding one git repository per project, as
``openstack+<project>/repo`` (what the ``fetch`` tool brings), ``<project>``,
``<project>.git`` or ``openstack+<project>``; nothing fetched is committed here.
The corpus file lists commit ids and labels only (no code).  The script only
measures: no rule, model or setting of secreview may key on the corpus.

Method
------

*Corpus.*  Each entry is a commit C that fixed a security-relevant defect; its
parent P holds the defect.  Only non-test Python files count (``is_test_path``).

*Hunks.*  ``git diff -U0 P C`` over those files gives the hunks.  The
*defective hunk* is the hunk's line range in P (a pure insertion is the two
lines around the insertion point); the *fixed hunk* is its range in C.  Hunks
whose changed lines are all blank, comments or import statements are left out
(an added ``import`` is not where the defect is).

*Trees.*  For each side, the files to review are materialised from the mirror
with ``git archive`` into the cache (``--cache``) and reused on later runs:

- ``package`` (default): the touched files, every other non-test ``.py`` file
  of their directories, and the ``__init__.py`` files of the directories above
  (so that imports between them resolve);
- ``files``: the touched files alone (each file must be reviewable alone);
- ``tree``: every non-test ``.py`` file of the project at that revision (gives
  all callers; about an hour per project-sized run, so not the default).

*Tools.*  secreview reviews the materialised tree
(``secreview review . --format json --exit-zero --no-progress``, run from the
tree, with this checkout's ``src`` on ``PYTHONPATH`` unless ``--secreview`` is
given).  Bandit is a per-file tool, so it reads the touched files only
(``bandit -f json -q FILES``); its result is the same whatever the scope.
Raw reports are kept under ``<cache>/reports/secreview/<scope>/<project>/<commit>/<side>.json``
and ``<cache>/reports/bandit/<project>/<commit>/<side>.json``;
``--rescore`` scores the stored reports again without running anything.

*Scoring.*  A hunk is *flagged* by a tool when the tool reports, in that file,
a finding whose lines come within ``WINDOW`` (2) lines of the hunk and whose
CWE belongs to the commit's CWE family: ``CLASS_CWES[class]`` together with
the group of the commit's own CWE (``CWE_GROUPS``).  "Any finding" counts a
finding of any CWE in the same window.  Per class and overall the script
reports the share of defective hunks flagged, of fixed hunks flagged, and of
commits with at least one defective hunk flagged.  Files a tool could not
parse count as not flagged; the script counts them.

Exit status: 0 (also when a tool fails on a commit: the failure is reported);
2 for a bad corpus file or a missing mirror.
"""

from __future__ import annotations

import argparse
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
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

WINDOW = 2
SIDES = ("before", "after")
TOOLS = ("secreview", "bandit")
CLASSES = ("race", "crash", "leak", "authz", "dos", "validation", "info-exposure",
           "injection", "crypto", "other")

# CWEs that count as a match for every commit of a class.
CLASS_CWES: dict[str, frozenset[int]] = {
    "race": frozenset({362, 364, 366, 367, 667, 820, 821}),
    "crash": frozenset({20, 248, 476, 690, 703, 754, 755, 1284}),
    "leak": frozenset({401, 404, 459, 772, 775}),
    "authz": frozenset({284, 285, 639, 862, 863, 269, 287, 290, 294, 306, 613}),
    "dos": frozenset({400, 770, 1333, 835, 674, 409}),
    "validation": frozenset({20, 22, 23, 36, 73, 918, 1284}),
    "info-exposure": frozenset({532, 209, 200, 201, 204, 215, 226, 312, 359, 497, 538}),
    "injection": frozenset({74, 77, 78, 79, 80, 88, 89, 90, 93, 94, 95, 116, 117, 611, 643,
                            776, 1236, 1336}),
    "crypto": frozenset({295, 297, 319, 326, 327, 328, 330, 338, 208, 345, 347, 916}),
    "other": frozenset(),
}

# Groups of closely related CWEs: a commit labelled with one of them also
# accepts the others (on top of its class's set).
CWE_GROUPS: tuple[frozenset[int], ...] = (
    frozenset({377, 378, 379, 367}),                 # insecure temporary file
    frozenset({732, 276, 281}),                      # permissions
    frozenset({798, 259, 321, 1188, 1392}),          # hard-coded / default credentials
    frozenset({471}),                                # modification of assumed-immutable data
    frozenset({22, 23, 36, 73}),                     # path traversal / external file name
    frozenset({611, 776, 827}),                      # XML entities
    frozenset({79, 80, 116}),                        # cross-site scripting
    frozenset({93, 113, 74}),                        # CRLF / config injection
    frozenset({208, 203, 385}),                      # timing side channels
    frozenset({295, 297, 599}),                      # certificate validation
    frozenset({200, 201, 209, 532, 538}),            # exposure
    frozenset({400, 770, 1333}),                     # resource exhaustion
    frozenset({772, 775, 404, 401}),                 # release
)

BUG_RE = re.compile(r"(?im)^\s*(closes|partial|related)-bug:\s*#?\s*\d+|bug/\d+")
KEYWORD_RE = re.compile(
    r"(?i)\b(race|racy|races|crash\w*|leak\w*|authori[sz]\w*|unauthori[sz]\w*|policy|policies|"
    r"owner\w*|permission\w*|admin\w*|privilege\w*|denial[- ]of[- ]service|dos|validat\w*|"
    r"information (?:exposure|disclosure)|disclos\w*|expos\w*|password\w*|token\w*|secret\w*|"
    r"ossa|cve-\d+|security\w*|vulnerab\w*|attack\w*|malicious|escalat\w*|bypass\w*|spoof\w*|"
    r"ssrf|xss|csrf|deadlock\w*|concurren\w*|traceback|unhandled|overflow|limit\w*|restrict\w*|"
    r"forbid\w*|released|500|internal server error|keyerror|typeerror|valueerror|attributeerror|"
    r"nonetype|mask\w*|sanitiz\w*|inject\w*|traversal|timing|constant[_ ]time|insecure|tls|ssl|"
    r"certificate|unbounded|exhaust\w*|infinite)\b")
MAX_FILES = 3
MAX_LINES = 60
_TEST_RE = re.compile(r"(^|/)(tests?|functional|unit|fakes?)(/|$)|(^|/)(test_[^/]*|tests)\.py$|_test\.py$|"
                      r"^(doc|releasenotes|devstack|tools|contrib|playbooks)/")
_TRIVIAL_RE = re.compile(r"^\s*($|#|import\s|from\s+\S+\s+import\b)")
_IMPORT_RE = re.compile(r"^\s*(import\s|from\s+\S+\s+import\b)")

EXIT_BAD_INPUT = 2


# --------------------------------------------------------------------------
# data


@dataclass(frozen=True)
class Fix:
    project: str
    commit: str
    cls: str
    cwe: int
    reason: str


@dataclass
class Hunk:
    path: str
    before: tuple[int, int]  # line range in the parent (inclusive)
    after: tuple[int, int]   # line range in the fixed commit (inclusive)
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    end_line: int
    cwe: int
    rule: str


@dataclass
class Report:
    """One tool's findings on one side of one commit."""
    hits: list[Hit] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)  # touched files the tool could not parse
    error: str = ""
    seconds: float = 0.0


@dataclass
class HunkScore:
    hunk: Hunk
    flagged: dict[str, bool] = field(default_factory=dict)        # side -> matching CWE nearby
    any_finding: dict[str, bool] = field(default_factory=dict)    # side -> any finding nearby
    hits: dict[str, list[Hit]] = field(default_factory=dict)      # side -> findings nearby


@dataclass
class CommitScore:
    fix: Fix
    hunks: list[HunkScore]
    reports: dict[str, Report]  # side -> report


# --------------------------------------------------------------------------
# corpus


def load_corpus(path: str | os.PathLike) -> list[Fix]:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    fixes = []
    seen = set()
    for i, entry in enumerate(data.get("fix", [])):
        try:
            fix = Fix(str(entry["project"]), str(entry["commit"]), str(entry["class"]),
                      int(entry["cwe"]), str(entry.get("reason", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"entry {i + 1}: {exc!r}") from exc
        if fix.cls not in CLASSES:
            raise ValueError(f"entry {i + 1} ({fix.commit}): unknown class {fix.cls!r}")
        if not re.fullmatch(r"[0-9a-f]{40}", fix.commit):
            raise ValueError(f"entry {i + 1}: commit {fix.commit!r} is not a full 40-hex id")
        if (fix.project, fix.commit) in seen:
            raise ValueError(f"entry {i + 1}: {fix.project} {fix.commit} listed twice")
        seen.add((fix.project, fix.commit))
        fixes.append(fix)
    return fixes


def cwe_family(fix: Fix) -> frozenset[int]:
    fam = set(CLASS_CWES[fix.cls]) | {fix.cwe}
    for group in CWE_GROUPS:
        if fix.cwe in group:
            fam |= group
    return frozenset(fam)


def is_test_path(path: str) -> bool:
    return bool(_TEST_RE.search(path))


def find_repo(mirrors: str, project: str) -> str | None:
    for name in (f"openstack+{project}/repo", f"openstack+{project}", project, f"{project}.git",
                 f"{project}/repo"):
        cand = os.path.join(mirrors, name)
        if os.path.isdir(cand) and (os.path.exists(os.path.join(cand, "HEAD"))
                                    or os.path.isdir(os.path.join(cand, ".git"))):
            return cand
    return None


def git(repo: str, *args: str, binary: bool = False) -> str | bytes:
    proc = subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True)
    return proc.stdout if binary else proc.stdout.decode("utf-8", "replace")


# --------------------------------------------------------------------------
# selection


def message_selected(message: str) -> bool:
    """The commit message references a Launchpad bug and names a selected defect class."""
    return bool(BUG_RE.search(message)) and bool(KEYWORD_RE.search(message))


def size_of(numstat: str) -> tuple[list[str], int]:
    """Non-test Python files changed and their changed-line count, from ``--numstat`` output."""
    files, lines = [], 0
    for row in numstat.splitlines():
        parts = row.split("\t")
        if len(parts) != 3:
            continue
        added, deleted, path = parts
        if "=>" in path:  # a rename: keep the new name
            path = re.sub(r"\{[^}]*=> ([^}]*)\}", r"\1", path).split(" => ")[-1]
        if not path.endswith(".py") or is_test_path(path) or added == "-":
            continue
        files.append(path)
        lines += int(added) + int(deleted)
    return files, lines


def size_selected(files: list[str], lines: int) -> bool:
    return 0 < len(files) <= MAX_FILES and lines <= MAX_LINES


def candidates(repo: str, project: str) -> list[dict]:
    # A snapshot may lack its largest blobs; git then stops with an error after the commits it
    # could read: keep those, and say so.
    proc = subprocess.run(["git", "-C", repo, "log", "--no-merges", "--format=%x00%H%x01%B%x02", "--numstat",
                           "HEAD"], capture_output=True)
    out = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0:
        print(f"{project}: git log stopped early ({proc.stderr.decode(errors='replace').strip()[:200]}); "
              "the commits after that point are not listed", file=sys.stderr)
    rows = []
    for chunk in out.split("\x00")[1:]:
        commit, rest = chunk.split("\x01", 1)
        message, stat = rest.split("\x02", 1)
        if not message_selected(message):
            continue
        files, lines = size_of(stat)
        if not size_selected(files, lines):
            continue
        rows.append({"project": project, "commit": commit, "subject": message.strip().splitlines()[0],
                     "files": files, "lines": lines,
                     "keywords": sorted({m.group(0).lower() for m in KEYWORD_RE.finditer(message)})})
    return rows


def check_fix(repo: str, fix: Fix) -> list[str]:
    """Why a listed commit does not meet the selection rules (empty when it does)."""
    try:
        message = git(repo, "log", "-1", "--format=%B", fix.commit)
        stat = git(repo, "show", "--numstat", "--format=", fix.commit)
        parents = git(repo, "rev-list", "--parents", "-n", "1", fix.commit).split()[1:]
    except subprocess.CalledProcessError as exc:
        return [f"not in the mirror: {exc.stderr.decode(errors='replace').strip()}"]
    why = []
    if len(parents) != 1:
        why.append(f"{len(parents)} parents")
    if not BUG_RE.search(message):
        why.append("no Launchpad bug reference")
    if not KEYWORD_RE.search(message):
        why.append("message names no selected defect class")
    files, lines = size_of(stat)
    if not size_selected(files, lines):
        why.append(f"{len(files)} non-test Python files, {lines} changed lines")
    return why


# --------------------------------------------------------------------------
# hunks


_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def _range(start: int, count: int) -> tuple[int, int]:
    if count == 0:  # pure insertion/deletion on this side: the lines around the point
        return (max(start, 1), start + 1)
    return (start, start + count - 1)


def parse_hunks(diff_text: str) -> list[Hunk]:
    """Hunks of a ``git diff -U0`` output."""
    hunks: list[Hunk] = []
    path = None
    for line in diff_text.splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            path = None if target == "/dev/null" else target[2:] if target.startswith("b/") else target
            continue
        if line.startswith("--- ") or line.startswith("diff --git"):
            continue
        m = _HUNK_RE.match(line)
        if m and path is not None:
            a, b = int(m.group(1)), 1 if m.group(2) is None else int(m.group(2))
            c, d = int(m.group(3)), 1 if m.group(4) is None else int(m.group(4))
            hunks.append(Hunk(path, _range(a, b), _range(c, d)))
            continue
        if hunks and path is not None and hunks[-1].path == path:
            if line.startswith("-"):
                hunks[-1].removed.append(line[1:])
            elif line.startswith("+"):
                hunks[-1].added.append(line[1:])
    return hunks


def is_trivial(hunk: Hunk) -> bool:
    """Only blank lines, comments or imports changed (an import replaced by another is not trivial:
    the module used is then the fix, as with ``xml.etree`` -> ``defusedxml``)."""
    if not all(_TRIVIAL_RE.match(text) for text in hunk.removed + hunk.added):
        return False
    def imports(lines):
        return any(_IMPORT_RE.match(text) for text in lines)
    return not (imports(hunk.removed) and imports(hunk.added))


def commit_hunks(repo: str, commit: str) -> tuple[str, list[str], list[Hunk]]:
    """(parent, touched non-test Python files, substantive hunks) of a commit."""
    parent = git(repo, "rev-parse", f"{commit}^").strip()
    names = git(repo, "diff", "--name-only", "--no-renames", parent, commit).split("\n")
    files = [p for p in names if p.endswith(".py") and not is_test_path(p)]
    if not files:
        return parent, [], []
    diff = git(repo, "diff", "-U0", "--no-renames", parent, commit, "--", *files)
    hunks = [h for h in parse_hunks(diff) if not is_trivial(h)]
    return parent, files, hunks


# --------------------------------------------------------------------------
# trees


def scope_paths(all_files: list[str], touched: list[str], scope: str) -> list[str]:
    """Which files of a revision to materialise for review."""
    all_files = [f for f in all_files if f]
    present = set(all_files)
    if scope == "files":
        return sorted(p for p in touched if p in present)
    py = [p for p in all_files if p.endswith(".py") and not is_test_path(p)]
    if scope == "tree":
        return sorted(py)
    dirs = {os.path.dirname(p) for p in touched}
    keep = {p for p in py if os.path.dirname(p) in dirs} | {p for p in touched if p in present}
    for d in dirs:
        while d:
            d = os.path.dirname(d)
            if d and os.path.join(d, "__init__.py") in present:
                keep.add(os.path.join(d, "__init__.py"))
    return sorted(keep)


def materialise(repo: str, rev: str, paths: list[str], dest: str) -> None:
    """Write ``paths`` of ``rev`` under ``dest`` (reused when complete)."""
    marker = os.path.join(dest, ".complete")
    if os.path.exists(marker):
        return
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    if paths:
        data = git(repo, "archive", "--format=tar", rev, "--", *paths, binary=True)
        with tempfile.TemporaryFile() as tmp:
            tmp.write(data)
            tmp.seek(0)
            with tarfile.open(fileobj=tmp) as tar:
                tar.extractall(dest, filter="data")
    with open(marker, "w") as fh:
        fh.write(rev + "\n")


# --------------------------------------------------------------------------
# tools


def norm(path: str) -> str:
    path = path.replace(os.sep, "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def parse_secreview(report: dict, touched: list[str]) -> Report:
    rep = Report()
    for f in report.get("findings", []):
        line = int(f.get("line") or 0)
        rep.hits.append(Hit(norm(f["path"]), line, int(f.get("end_line") or line),
                            int(f.get("cwe") or 0), str(f.get("rule_id", "?"))))
    wanted = set(touched)
    rep.unparsed = sorted({norm(p["path"]) for p in report.get("problems", [])
                           if norm(p["path"]) in wanted
                           and (p.get("kind") == "syntax-error" or not p.get("reviewed", False))})
    return rep


def parse_bandit(report: dict, touched: list[str]) -> Report:
    rep = Report()
    for issue in report.get("results", []):
        lines = [int(x) for x in issue.get("line_range") or []] or [int(issue.get("line_number") or 0)]
        cwe = int(((issue.get("issue_cwe") or {}).get("id")) or 0)
        rep.hits.append(Hit(norm(issue["filename"]), min(lines), max(lines), cwe,
                            str(issue.get("test_id", "?"))))
    wanted = set(touched)
    rep.unparsed = sorted({norm(e["filename"]) for e in report.get("errors", [])
                           if norm(e["filename"]) in wanted})
    return rep


def this_checkout() -> Path:
    return Path(__file__).resolve().parent.parent


def secreview_checkout(args) -> Path:
    return Path(args.secreview_src).resolve() if getattr(args, "secreview_src", None) else this_checkout()


def secreview_argv(args) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    if args.secreview:
        return shlex.split(args.secreview), env
    src = str(secreview_checkout(args) / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return [sys.executable, "-m", "secreview"], env


def run_tool(tool: str, tree: str, touched: list[str], out_path: str, args) -> tuple[dict | None, str, float]:
    """Run a tool on a materialised tree; the raw JSON report goes to ``out_path``."""
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    files = [p for p in touched if os.path.exists(os.path.join(tree, p))]
    if tool == "secreview":
        argv, env = secreview_argv(args)
        extra = shlex.split(args.secreview_args or "")
        if not any(a in ("--no-cache", "--cache-dir") or a.startswith("--cache-dir=") for a in extra):
            extra += ["--cache-dir", os.path.join(args.cache, "secreview-cache")]
        argv = argv + ["review", ".", "--format", "json", "--output", out_path, "--exit-zero",
                       "--no-progress", *extra]
        ok_codes = (0,)
    else:
        env = dict(os.environ)
        if not files:
            with open(out_path, "w") as fh:
                json.dump({"results": [], "errors": []}, fh)
            return {"results": [], "errors": []}, "", 0.0
        argv = shlex.split(args.bandit) + ["-f", "json", "-q", "-o", out_path, *files]
        ok_codes = (0, 1)
    start = time.perf_counter()
    try:
        proc = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True,
                              timeout=args.timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"{tool} did not run: {exc}", time.perf_counter() - start
    seconds = time.perf_counter() - start
    error = "" if proc.returncode in ok_codes else f"{tool} exited {proc.returncode}: {proc.stderr.strip()[-500:]}"
    try:
        with open(out_path, encoding="utf-8") as fh:
            return json.load(fh), error, seconds
    except (OSError, ValueError) as exc:
        return None, (error + "; " if error else "") + f"no JSON report: {exc}", seconds


def tool_version(tool: str, args) -> str:
    if tool == "secreview":
        argv, env = secreview_argv(args)
        try:
            head = subprocess.run(["git", "-C", str(secreview_checkout(args)), "rev-parse", "--short", "HEAD"],
                                  capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            head = ""
    else:
        argv, env, head = shlex.split(args.bandit), dict(os.environ), ""
    try:
        out = subprocess.run(argv + ["--version"], capture_output=True, text=True, env=env, timeout=60)
        text = (out.stdout or out.stderr).strip().splitlines()
        version = text[0].strip() if text else "unknown"
        for line in text[1:]:
            key, _, value = line.partition("=")
            if key.strip() == "python version" and value.split():
                version += f" (Python {value.split()[0]})"
    except (OSError, subprocess.SubprocessError):
        version = "unknown"
    if tool == "secreview" and head and not args.secreview:
        version += f" at {head}"
    return version


# --------------------------------------------------------------------------
# scoring


def near(hit: Hit, rng: tuple[int, int], window: int = WINDOW) -> bool:
    lo, hi = rng[0] - window, rng[1] + window
    return hit.line <= hi and max(hit.end_line, hit.line) >= lo


def score_commit(fix: Fix, hunks: list[Hunk], reports: dict[str, Report]) -> CommitScore:
    fam = cwe_family(fix)
    scored = []
    for hunk in hunks:
        hs = HunkScore(hunk)
        for side in SIDES:
            rng = hunk.before if side == "before" else hunk.after
            rep = reports.get(side) or Report()
            nearby = [h for h in rep.hits if h.path == hunk.path and near(h, rng)]
            hs.hits[side] = nearby
            hs.any_finding[side] = bool(nearby)
            hs.flagged[side] = any(h.cwe in fam for h in nearby)
        scored.append(hs)
    return CommitScore(fix, scored, reports)


@dataclass
class Tally:
    commits: int = 0
    hunks: int = 0
    flagged_before: int = 0
    flagged_after: int = 0
    any_before: int = 0
    any_after: int = 0
    commits_flagged: int = 0
    commits_unparsed: int = 0

    def add(self, cs: CommitScore) -> None:
        self.commits += 1
        self.hunks += len(cs.hunks)
        self.flagged_before += sum(h.flagged["before"] for h in cs.hunks)
        self.flagged_after += sum(h.flagged["after"] for h in cs.hunks)
        self.any_before += sum(h.any_finding["before"] for h in cs.hunks)
        self.any_after += sum(h.any_finding["after"] for h in cs.hunks)
        self.commits_flagged += any(h.flagged["before"] for h in cs.hunks)
        self.commits_unparsed += any(r.unparsed for r in cs.reports.values())

    def rates(self) -> dict[str, float | None]:
        def r(n, d):
            return n / d if d else None
        return {"defective_flagged": r(self.flagged_before, self.hunks),
                "fixed_flagged": r(self.flagged_after, self.hunks),
                "defective_any": r(self.any_before, self.hunks),
                "fixed_any": r(self.any_after, self.hunks),
                "commits_flagged": r(self.commits_flagged, self.commits)}


def tally(scores: list[CommitScore]) -> dict[str, Tally]:
    out: dict[str, Tally] = {}
    for cs in scores:
        out.setdefault(cs.fix.cls, Tally()).add(cs)
        out.setdefault("all", Tally()).add(cs)
    return out


# --------------------------------------------------------------------------
# driver


@dataclass
class Prepared:
    fix: Fix
    parent: str
    touched: list[str]
    hunks: list[Hunk]
    error: str = ""


def prepare(fix: Fix, mirrors: str) -> Prepared:
    repo = find_repo(mirrors, fix.project)
    if repo is None:
        return Prepared(fix, "", [], [], f"no mirror of {fix.project} in {mirrors}")
    try:
        parent, touched, hunks = commit_hunks(repo, fix.commit)
    except subprocess.CalledProcessError as exc:
        return Prepared(fix, "", [], [], f"git failed: {exc.stderr.decode(errors='replace').strip()}")
    return Prepared(fix, parent, touched, hunks)


def report_path(cache: str, tool: str, fix: Fix, side: str, scope: str = "package") -> str:
    """Where a raw report is kept; Bandit's does not depend on the scope (it reads the touched files)."""
    parts = [cache, "reports", tool] + ([scope] if tool == "secreview" else [])
    return os.path.join(*parts, fix.project, fix.commit[:12], f"{side}.json")


def run_commit(prep: Prepared, mirrors: str, tools: list[str], args, log) -> dict[str, dict[str, Report]]:
    """Reports per tool and side for one commit (running the tools unless --rescore)."""
    out: dict[str, dict[str, Report]] = {t: {} for t in tools}
    repo = find_repo(mirrors, prep.fix.project)
    for side, rev in (("before", prep.parent), ("after", prep.fix.commit)):
        tree = None
        for tool in tools:
            path = report_path(args.cache, tool, prep.fix, side, args.scope)
            data, error, seconds = None, "", 0.0
            if args.rescore or (args.reuse and os.path.exists(path)):
                try:
                    with open(path, encoding="utf-8") as fh:
                        data = json.load(fh)
                except (OSError, ValueError) as exc:
                    error = f"no stored report {path}: {exc}"
            else:
                if tree is None:
                    all_files = git(repo, "ls-tree", "-r", "--name-only", rev).split("\n")
                    paths = scope_paths(all_files, prep.touched, args.scope)
                    tree = os.path.join(args.cache, "trees", args.scope, prep.fix.project,
                                        prep.fix.commit[:12], side)
                    materialise(repo, rev, paths, tree)
                data, error, seconds = run_tool(tool, tree, prep.touched, path, args)
            parse = parse_secreview if tool == "secreview" else parse_bandit
            rep = parse(data, prep.touched) if data is not None else Report()
            rep.error, rep.seconds = error, seconds
            if error:
                log(f"  {tool} {side}: {error}")
            out[tool][side] = rep
    return out


def evaluate(fixes: list[Fix], mirrors: str, tools: list[str], args, log=print) -> dict:
    scores: dict[str, list[CommitScore]] = {t: [] for t in tools}
    skipped: list[dict] = []
    seconds = {t: 0.0 for t in tools}
    for i, fix in enumerate(fixes, 1):
        prep = prepare(fix, mirrors)
        if prep.error or not prep.hunks:
            skipped.append({"project": fix.project, "commit": fix.commit,
                            "why": prep.error or "no substantive non-test Python hunk"})
            log(f"[{i}/{len(fixes)}] {fix.project} {fix.commit[:10]}: skipped ({skipped[-1]['why']})")
            continue
        if not args.quiet:
            log(f"[{i}/{len(fixes)}] {fix.project} {fix.commit[:10]} {fix.cls} "
                f"({len(prep.hunks)} hunks in {len(prep.touched)} files)")
        reports = run_commit(prep, mirrors, tools, args, log)
        for tool in tools:
            seconds[tool] += sum(r.seconds for r in reports[tool].values())
            scores[tool].append(score_commit(fix, prep.hunks, reports[tool]))
    return {"scores": scores, "skipped": skipped, "seconds": seconds}


# --------------------------------------------------------------------------
# output


def pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def class_order(keys) -> list[str]:
    return [c for c in CLASSES if c in keys] + (["all"] if "all" in keys else [])


def table(result: dict, tools: list[str]) -> tuple[list[str], list[list[str]]]:
    header = ["class", "commits", "hunks"]
    for tool in tools:
        header += [f"{tool} defective", f"{tool} fixed", f"{tool} commits", f"{tool} any (def/fix)"]
    tallies = {t: tally(result["scores"][t]) for t in tools}
    keys = set().union(*(tallies[t].keys() for t in tools)) if tools else set()
    rows = []
    for cls in class_order(keys):
        first = tallies[tools[0]][cls]
        row = [cls, str(first.commits), str(first.hunks)]
        for tool in tools:
            t = tallies[tool].get(cls) or Tally()
            r = t.rates()
            row += [pct(r["defective_flagged"]), pct(r["fixed_flagged"]), pct(r["commits_flagged"]),
                    f"{pct(r['defective_any'])} / {pct(r['fixed_any'])}"]
        rows.append(row)
    return header, rows


def print_text(result: dict, tools: list[str], versions: dict[str, str], args) -> None:
    header, rows = table(result, tools)
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) if rows else len(header[i])
              for i in range(len(header))]
    print()
    for tool in tools:
        print(f"{tool}: {versions.get(tool, '?')}  ({result['seconds'][tool]:.0f} s)")
    print(f"scope: {args.scope}; window ±{WINDOW} lines; a hunk is flagged by a finding of the "
          "commit's CWE family\n")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    for tool in tools:
        t = tally(result["scores"][tool]).get("all")
        if t and t.commits_unparsed:
            print(f"\n{tool}: {t.commits_unparsed} commits with a touched file it could not parse "
                  "(on either side); their hunks count as not flagged.")
    if result["skipped"]:
        print(f"\nskipped {len(result['skipped'])} commits:")
        for s in result["skipped"]:
            print(f"  {s['project']} {s['commit'][:10]}: {s['why']}")


def print_list(result: dict, tools: list[str]) -> None:
    by_commit: dict[tuple[str, str], dict[str, CommitScore]] = {}
    for tool in tools:
        for cs in result["scores"][tool]:
            by_commit.setdefault((cs.fix.project, cs.fix.commit), {})[tool] = cs
    for (project, commit), per_tool in by_commit.items():
        fix = next(iter(per_tool.values())).fix
        print(f"\n{project} {commit[:10]} {fix.cls} CWE-{fix.cwe}: {fix.reason}")
        first = next(iter(per_tool.values()))
        for i, hs in enumerate(first.hunks):
            h = hs.hunk
            print(f"  hunk {h.path}:{h.before[0]}-{h.before[1]} -> {h.after[0]}-{h.after[1]}")
            for tool, cs in per_tool.items():
                th = cs.hunks[i]
                fam = cwe_family(fix)
                for side in SIDES:
                    hits = ", ".join(f"{x.rule}/CWE-{x.cwe}@{x.line}{'*' if x.cwe in fam else ''}"
                                     for x in th.hits[side]) or "-"
                    print(f"    {tool:9} {side:6} {hits}")
        for tool, cs in per_tool.items():
            for side, rep in cs.reports.items():
                if rep.unparsed:
                    print(f"  {tool} could not parse ({side}): {', '.join(rep.unparsed)}")


def family_table_md() -> list[str]:
    lines = ["| class | CWEs that match every commit of the class |", "|---|---|"]
    for cls in CLASSES:
        cwes = ", ".join(str(c) for c in sorted(CLASS_CWES[cls])) or "(only the commit's own CWE group)"
        lines.append(f"| {cls} | {cwes} |")
    lines += ["", "Groups (a commit labelled with one CWE of a group also accepts the others): " +
              "; ".join("{" + ", ".join(str(c) for c in sorted(g)) + "}" for g in CWE_GROUPS) + "."]
    return lines


def markdown(result: dict, tools: list[str], versions: dict[str, str], args, n_fixes: int) -> str:
    header, rows = table(result, tools)
    out = ["# OpenStack security fixes: scorecard", "",
           "Generated by `benchmarks/openstack_fixes.py` (see `docs/openstack.md` for the corpus and method).", "",
           f"- corpus: `{args.corpus}` ({n_fixes} commits; {n_fixes - len(result['skipped'])} scored)",
           f"- scope: `{args.scope}`; window ±{WINDOW} lines"]
    for tool in tools:
        out.append(f"- {tool}: {versions.get(tool, '?')} ({result['seconds'][tool]:.0f} s in all)")
    out += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    out += ["", "*defective*: share of defective hunks (before the fix) flagged by a finding of the "
            "commit's CWE family within two lines; *fixed*: the same for the fixed hunks; *commits*: "
            "share of commits with at least one defective hunk flagged; *any*: a finding of any CWE "
            "within two lines (defective / fixed)."]
    return "\n".join(out) + "\n"


def to_json(result: dict, tools: list[str], versions: dict[str, str], args) -> dict:
    out = {"scope": args.scope, "window": WINDOW, "versions": versions, "skipped": result["skipped"],
           "seconds": result["seconds"], "classes": {}, "commits": []}
    for tool in tools:
        for cls, t in tally(result["scores"][tool]).items():
            entry = out["classes"].setdefault(cls, {"commits": t.commits, "hunks": t.hunks})
            entry[tool] = {"counts": dict(t.__dict__), "rates": t.rates()}
    per: dict[tuple[str, str], dict] = {}
    for tool in tools:
        for cs in result["scores"][tool]:
            e = per.setdefault((cs.fix.project, cs.fix.commit), {
                "project": cs.fix.project, "commit": cs.fix.commit, "class": cs.fix.cls,
                "cwe": cs.fix.cwe, "hunks": [{"path": h.hunk.path, "before": h.hunk.before,
                                              "after": h.hunk.after} for h in cs.hunks]})
            for i, h in enumerate(cs.hunks):
                e["hunks"][i][tool] = {side: {"flagged": h.flagged[side], "any": h.any_finding[side],
                                              "findings": [{"rule": x.rule, "cwe": x.cwe, "line": x.line}
                                                           for x in h.hits[side]]} for side in SIDES}
            e.setdefault("unparsed", {})[tool] = {side: r.unparsed for side, r in cs.reports.items()}
    out["commits"] = list(per.values())
    return out


# --------------------------------------------------------------------------
# main


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description="Score secreview and Bandit on a frozen corpus of OpenStack security fixes "
                    "(defective hunks before the fix, the same hunks after it).")
    p.add_argument("corpus", nargs="?", help="the corpus TOML (benchmarks/openstack-fixes.toml)")
    p.add_argument("mirrors", nargs="?", help="directory holding one git repository per project")
    p.add_argument("--candidates", metavar="MIRRORS",
                   help="print the commits of the mirrors that meet the selection rules (JSON lines) and exit")
    p.add_argument("--check", action="store_true",
                   help="check that every corpus commit meets the selection rules and exit (1 if not)")
    p.add_argument("--scope", choices=("package", "files", "tree"), default="package",
                   help="what secreview reviews on each side (default: package)")
    p.add_argument("--cache", default=os.environ.get("OPENSTACK_FIXES_CACHE")
                   or os.path.expanduser("~/.cache/secreview-openstack-fixes"),
                   help="materialised trees and raw reports (default ~/.cache/secreview-openstack-fixes)")
    p.add_argument("--rescore", action="store_true",
                   help="do not run any tool: score the reports stored in the cache")
    p.add_argument("--reuse", action="store_true",
                   help="reuse a stored report where there is one, run the tool where there is none")
    p.add_argument("--markdown", metavar="FILE", help="write the scorecard as markdown")
    p.add_argument("--json", metavar="FILE", help="write per-class and per-hunk results as JSON")
    p.add_argument("--list", action="store_true", help="print, per commit and hunk, what each tool flagged")
    p.add_argument("--no-bandit", action="store_true", help="skip Bandit")
    p.add_argument("--no-secreview", action="store_true", help="skip secreview")
    p.add_argument("--bandit", default="bandit", help="the Bandit command (default: bandit)")
    p.add_argument("--secreview", help="the secreview command (default: this checkout's src with "
                                       f"{os.path.basename(sys.executable)} -m secreview)")
    p.add_argument("--secreview-src", metavar="CHECKOUT",
                   help="run secreview from CHECKOUT/src (default: this checkout); its commit is reported")
    p.add_argument("--secreview-args", default="", help="extra arguments for secreview review")
    p.add_argument("--timeout", type=int, default=1800, help="seconds per tool run (default 1800)")
    p.add_argument("--project", action="append", help="only this project (repeatable)")
    p.add_argument("--commit", action="append", help="only commits starting with this id (repeatable)")
    p.add_argument("--class", dest="classes", action="append", choices=CLASSES, help="only this class")
    p.add_argument("--quiet", action="store_true", help="no per-commit progress lines")
    args = p.parse_args(argv)

    if args.candidates:
        projects = args.project or sorted(
            n.split("+", 1)[1] for n in os.listdir(args.candidates) if n.startswith("openstack+"))
        for project in projects:
            repo = find_repo(args.candidates, project)
            if repo is None:
                print(f"no mirror of {project}", file=sys.stderr)
                continue
            for row in candidates(repo, project):
                print(json.dumps(row))
        return 0

    if not args.corpus or not args.mirrors:
        p.error("give the corpus file and the mirrors directory")
    try:
        fixes = load_corpus(args.corpus)
    except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
        print(f"bad corpus {args.corpus}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not os.path.isdir(args.mirrors):
        print(f"no directory {args.mirrors}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.project:
        fixes = [f for f in fixes if f.project in args.project]
    if args.commit:
        fixes = [f for f in fixes if any(f.commit.startswith(c) for c in args.commit)]
    if args.classes:
        fixes = [f for f in fixes if f.cls in args.classes]

    if args.check:
        bad = 0
        for fix in fixes:
            repo = find_repo(args.mirrors, fix.project)
            why = [f"no mirror of {fix.project}"] if repo is None else check_fix(repo, fix)
            if why:
                bad += 1
                print(f"{fix.project} {fix.commit}: {'; '.join(why)}")
        print(f"{len(fixes) - bad} of {len(fixes)} commits meet the selection rules")
        return 1 if bad else 0

    tools = [t for t in TOOLS if not (t == "bandit" and args.no_bandit)
             and not (t == "secreview" and args.no_secreview)]
    if not tools:
        p.error("nothing to run")
    versions = {t: ("(stored reports)" if args.rescore else tool_version(t, args)) for t in tools}
    os.makedirs(args.cache, exist_ok=True)
    result = evaluate(fixes, args.mirrors, tools, args,
                      log=(lambda m: print(m, file=sys.stderr)))
    print_text(result, tools, versions, args)
    if args.list:
        print_list(result, tools)
    if args.markdown:
        Path(args.markdown).write_text(markdown(result, tools, versions, args, len(fixes)), encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(to_json(result, tools, versions, args), indent=2) + "\n",
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
