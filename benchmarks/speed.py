#!/usr/bin/env python3
"""Speed benchmark: secreview (empty cache, warm cache, edited helper), bandit and ruff (``S`` rules) on one tree.

Usage::

    python benchmarks/speed.py [--repeat N] [--markdown FILE] [--check-identical]
        [--tree DIR | --sdist FILE | --package SPEC] [--cache-dir DIR]
        [--secreview-args ARGS] [--secreview CMD] [--bandit CMD] [--ruff CMD]
        [--secreview-at REV] [--out-dir DIR] [--warm-cache] [--helper FILE]
        [--sample-interval MS]

The tree is, by default, the ``neutron`` 29.0.0 sdist from PyPI (about 2,100
Python files, 440,000 lines), fetched with ``pip download --no-deps
--no-binary :all: neutron==29.0.0`` into a cache directory and unpacked
there; ``--sdist FILE`` unpacks a local sdist instead and ``--tree DIR`` uses
an unpacked tree.  Nothing in secreview may key on the tree.  The script
never changes that tree: it copies it into its working directory and runs
every tool on the copy, the only tree it edits.

The edited helper
-----------------

A static scan of the copy's imports with ``ast`` (no code is run; in a child
process, so that parsing the tree does not raise this script's peak RSS, see
below) names each ``.py`` file's module (its dotted path from the first
directory above it without an ``__init__.py``), resolves ``import`` and ``from ... import``
statements (relative ones too) to the tree's own modules, and counts, for each
module, the other modules that import it and those that use one of its
top-level functions (``from m import f``, or ``m.f`` through a name an import
bound).  The helper is the module that is not an ``__init__.py`` with the most
such function users (then the most importers, then the smallest path), and it
must have at least 20 importers; ``--helper FILE`` (relative to the tree)
chooses another.  On neutron 29.0.0 it is ``neutron/common/utils.py``.  The
edit inserts a five-line function after the module's docstring and
``from __future__`` imports (or before its first statement), so that every
later line -- and so every function's summary, whose traces carry line
numbers -- moves; the file is restored, bytes and modification time, right
after each run that needs it.

A second edit changes what a function of the helper does: the helper's
top-level function with parameters that the most other modules use (by the
same scan; ``wait_until_true`` on neutron) gets, as its first statement, a call
passing its first parameter to an inserted function that runs it in a shell
(``subprocess.call(value, shell=True)``), inserted as above. That function's
summary gains a command-injection flow from its parameter, so every module
that calls it must be checked again, and those that pass it their own
parameters change their summaries in turn.

Runs
----

First, three **reference** runs: ``secreview review ... --jobs 1 --no-cache`` on
the unedited copy and on each edited copy (one run each; shown in the table).
Then ``--repeat`` rounds (default 3), so that slow drift of the machine
affects every scenario alike; each round runs, in this order:

1. **secreview, empty cache**: ``--cache-dir`` a fresh empty directory;
2. **secreview, warm cache**: the same directory, which run 1 of the round
   filled, on the same unchanged tree (run 1 is the fill run: it is timed as
   an empty-cache run, never as a warm one);
3. **secreview, edited helper**: the helper edited as above, the same cache
   (warm from the unedited tree); the helper is restored afterwards;
   **secreview, edited helper function**: the second edit, with a copy of the
   cache made right after run 2 (so also warm from the unedited tree).  Each
   round starts from a new empty cache directory, so every round measures
   the same thing whatever the cache keeps;
4. ``bandit -r <tree> -f json -o <out> -q`` (exit status 1 means "found
   issues" and is normal);
5. ``ruff check --isolated --no-cache --select S --output-format json
   --exit-zero <tree>`` with its standard output sent to a file.

secreview runs as ``secreview review <tree> --format json --output <out>
--exit-zero --no-progress --cache-dir <dir>``, plus ``--secreview-args``
(``--jobs`` is left to its default, all cores).  Flags that ``secreview review
--help`` does not list are left out: without ``--cache-dir`` the scenarios
run without a cache (they still run, and the output says so), without
``--jobs`` or ``--no-cache`` the reference runs without them.  Every secreview
run also gets ``XDG_CACHE_HOME`` set to its cache directory, so that no run
reads or fills the user's cache, whatever the flags.  After each round's
empty-cache run the script measures what it left in the cache directory
(files, MiB): an empty directory means this secreview has no cache and the
warm and edited runs did the full work.  ``--secreview-at REV`` runs
``python -m secreview`` from ``src/`` of this repository at commit REV,
exported to a temporary directory, instead of the checkout, whose files other
work may change while the benchmark runs (the script warns when they did);
relative ``PYTHONPATH`` entries are made absolute, since the tools run in
other directories.

All tools run in a fresh empty working directory.  ``--no-cache`` keeps ruff
from answering runs 2 and later from a ``.ruff_cache`` in a fraction of the
time; ``--warm-cache`` leaves it out.

Measured, per run
-----------------

* wall time: ``time.perf_counter()`` from just before ``subprocess.Popen`` to
  the moment ``os.waitid(..., WEXITED | WNOWAIT)`` reports that the tool's
  process ended;
* CPU time (user + system) and the peak resident set size of the largest
  process (``ru_maxrss``, KiB on Linux) from the rusage ``os.wait4(pid, 0)``
  returns for the tool's process.  On Linux that rusage covers the process
  and the descendants it waited for (secreview's workers), and its
  ``ru_maxrss`` is the *largest single process* among them, not a sum;
* the peak of the *summed* RSS of the tool's process and all its descendants:
  a thread of this script samples, every ``--sample-interval`` ms (default
  20), the process tree (``/proc/<pid>/task/*/children`` where the kernel
  has it, else the parent ids of ``/proc/*/stat``, read once per process)
  and adds up ``VmRSS`` from ``/proc/<pid>/status``.  It is a sampled peak (a
  burst shorter than the interval can be missed) and counts pages that forked
  workers share with their parent once per process, so it bounds the memory
  the tool needed from above more than it measures it;
* as a cross-check, ``resource.getrusage(RUSAGE_CHILDREN)`` before and after
  each run: the CPU-time delta is the CPU of every descendant reaped during
  the run and should match the wait4 figure; its ``ru_maxrss`` is the
  high-water mark over *all* children of this script so far (a maximum, not a
  sum), so it only tells something about a run when it rises.

The kernel counts the peak RSS of the launching process at ``exec`` into
the child's ``ru_maxrss`` (``subprocess`` starts children with ``vfork``), so
a child's figure is the larger of this script's peak RSS and the tool's own:
a figure above that floor is the tool's own peak, one at the floor says only
that the tool's peak is no higher.  The script keeps the floor low (it imports
little, parses the tree in a child process and reads no report until all runs
are done) and measures it by running ``true`` at the start of each round.

Afterwards
----------

It counts the findings in each JSON report (secreview: ``findings`` and
``problems``; bandit: ``results``, and ``errors`` for files it could not scan;
ruff: the list) and the ``.py`` files and their lines in the tree, and checks
that every secreview run's ``findings`` equal those of the reference run on
the same tree (unedited or edited), after making paths relative to the tree
(every string in a finding loses the tree's path prefix) and dropping each
finding's ``fingerprint`` (a hash of its rule, path and code, which are
compared anyway); it prints OK or MISMATCH per scenario.  The table gives,
per scenario: the number of runs, median / min / max wall time, median CPU
time, the medians of both peak-memory figures, findings, and the ratio of the
median wall time to bandit's.  It also records the 1-minute load average
before and after the runs: on a busy machine the wall times grow, the CPU
times much less.  ``--markdown FILE`` writes the same table with the exact
commands, the identity check, the machine and the tool versions (no
timestamps, so that the file only changes when the numbers do); when FILE
already exists, everything from its line ``<!-- hand-kept sections below are
preserved by benchmarks/speed.py -->`` to its end is kept after the new text.

Exit status: 0; 1 when a tool fails, or when ``--check-identical`` is given
and a secreview run's findings differ from the reference; 2 on bad arguments
(no tree, download failure, no helper module).
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import platform
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

DEFAULT_PACKAGE = "neutron==29.0.0"
TREE_PLACEHOLDER = "<tree>"
OUT_PLACEHOLDER = "<out.json>"
CACHE_PLACEHOLDER = "<cache dir>"
EXIT_TOOL_FAILED = 1
EXIT_USAGE = 2
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPRODUCE = "python benchmarks/speed.py --repeat 3 --check-identical --markdown docs/performance.md"
MIN_IMPORTERS = 20
SAMPLE_MS = 20
PRESERVE_MARKER = "<!-- hand-kept sections below are preserved by benchmarks/speed.py -->"
EDIT_NAME = "_speed_benchmark_edit"
EDIT_LINES = (
    f"def {EDIT_NAME}(value=None):",
    '    """Added by benchmarks/speed.py: moves every later line of this module."""',
    "    return value",
    "",
    "",
)

SINK_EDIT_LINES = (
    f"def {EDIT_NAME}(value=None):",
    '    """Added by benchmarks/speed.py: runs its argument in a shell, and a function of this module calls it."""',
    "    import subprocess",
    "    return subprocess.call(value, shell=True)",
    "",
    "",
)

SEC_EMPTY, SEC_WARM, SEC_EDITED = "secreview-empty", "secreview-warm", "secreview-edited"
SEC_EDITED_FN = "secreview-edited-function"
REF_UNEDITED, REF_EDITED, REF_EDITED_FN = "reference-unedited", "reference-edited", "reference-edited-function"


# --------------------------------------------------------------------------
# data


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds, wait4 rusage
    maxrss_kib: int  # wait4 ru_maxrss: the largest single process
    sum_rss_kib: int  # sampled peak of the summed VmRSS of the process and its descendants (0: not sampled)
    samples: int  # how many samples that peak was taken from
    max_procs: int  # most processes seen in one sample
    children_cpu: float  # RUSAGE_CHILDREN user + system delta over the run
    children_maxrss_kib: int  # RUSAGE_CHILDREN ru_maxrss after the run (session high-water mark)
    exit_code: int
    out: str  # the report file
    tree: str  # the tree it reviewed
    round: int  # 0 for the reference runs


@dataclass
class Tool:
    """One scenario: a command and how it is run; ``runs`` are its measurements."""

    key: str  # SEC_EMPTY, ..., "bandit", "ruff"
    label: str  # shown in the tables
    kind: str  # "secreview", "bandit" or "ruff"
    argv: list[str]  # with "{tree}", "{out}" and "{cache}" placeholders
    ok_codes: frozenset[int]
    stdout_is_report: bool = False
    env: dict[str, str] | None = None  # None: this script's environment
    shown_prefix: str = ""  # e.g. "PYTHONPATH=<src/ of REV> ", for the shown command
    reference: str | None = None  # key of the scenario whose findings this one's must equal
    runs: list[Run] = field(default_factory=list)
    findings: str = "?"  # rendered count
    notes: list[str] = field(default_factory=list)

    def command(self, tree: str, out: str, cache: str = "") -> list[str]:
        return [a.replace("{tree}", tree).replace("{out}", out).replace("{cache}", cache) for a in self.argv]

    def run_env(self, cache: str | None) -> dict[str, str] | None:
        """The environment of a run: secreview's points ``XDG_CACHE_HOME`` at the run's cache directory."""
        if self.kind != "secreview" or cache is None:
            return self.env
        env = dict(self.env if self.env is not None else os.environ)
        env["XDG_CACHE_HOME"] = cache
        return env

    def shown(self) -> str:
        """The command as run, with the tree, report and cache paths as placeholders."""
        argv = ["python" if a == sys.executable else a
                for a in self.command(TREE_PLACEHOLDER, OUT_PLACEHOLDER, CACHE_PLACEHOLDER)]
        prefix = self.shown_prefix + (f"XDG_CACHE_HOME={shlex.quote(CACHE_PLACEHOLDER)} "
                                      if self.kind == "secreview" else "")
        text = prefix + shlex.join(argv)
        return text + (f" > {OUT_PLACEHOLDER}" if self.stdout_is_report else "")

    @property
    def walls(self) -> list[float]:
        return [r.wall for r in self.runs]

    @property
    def median_wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def median_cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def median_maxrss_mib(self) -> float:
        return statistics.median(r.maxrss_kib for r in self.runs) / 1024

    @property
    def median_sum_mib(self) -> float:
        return statistics.median(r.sum_rss_kib for r in self.runs) / 1024


# --------------------------------------------------------------------------
# the tree


def fail(message: str, status: int = EXIT_USAGE) -> None:
    print(f"speed.py: {message}", file=sys.stderr)
    raise SystemExit(status)


def default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "secreview-bench")


def download_sdist(spec: str, cache_dir: str) -> str:
    """The sdist of ``spec`` ("name==version") in ``cache_dir``, downloaded with pip unless already there."""
    name, sep, version = spec.partition("==")
    if not sep or not name or not version:
        fail(f"--package wants NAME==VERSION, not {spec!r}")
    name_re = "[-_.]+".join(re.escape(part) for part in re.split(r"[-_.]+", name))
    stem = re.compile(rf"^{name_re}-{re.escape(version)}\.(tar\.gz|zip)$", re.IGNORECASE)

    def cached() -> str | None:
        hits = sorted(f for f in os.listdir(cache_dir) if stem.match(f)) if os.path.isdir(cache_dir) else []
        return os.path.join(cache_dir, hits[0]) if hits else None

    if (hit := cached()) is not None:
        return hit
    os.makedirs(cache_dir, exist_ok=True)
    argv = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", spec, "-d", cache_dir]
    print(f"downloading: {shlex.join(argv)}", file=sys.stderr)
    if subprocess.run(argv, check=False).returncode != 0 or (hit := cached()) is None:
        fail(f"could not download the sdist of {spec}; pass --sdist FILE or --tree DIR")
    return hit


def sha256_file(path: str) -> str:
    import hashlib  # here, not at the top: OpenSSL adds megabytes to this process (see the RSS floor)

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return not name.startswith(("/", "\\")) and ".." not in parts and ":" not in parts[0]


def unpack_sdist(sdist: str, cache_dir: str) -> str:
    """Unpack ``sdist`` under ``cache_dir`` (once; keyed by its hash) and return the source tree."""
    import tarfile
    import zipfile

    if not os.path.isfile(sdist):
        fail(f"no such sdist: {sdist}")
    key = sha256_file(sdist)[:16]
    dest = os.path.join(cache_dir, "src", key)
    if not os.path.isdir(dest):
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=f"{key}.", dir=os.path.dirname(dest))
        print(f"unpacking {sdist} into {dest}", file=sys.stderr)
        try:
            if zipfile.is_zipfile(sdist):
                with zipfile.ZipFile(sdist) as z:
                    if not all(_safe_name(n) for n in z.namelist()):
                        fail(f"{sdist}: unsafe member names")
                    z.extractall(tmp)
            else:
                with tarfile.open(sdist) as t:
                    if hasattr(tarfile, "data_filter"):
                        t.extractall(tmp, filter="data")
                    else:  # Python < 3.11.4: regular files and directories with safe names only
                        members = [m for m in t.getmembers() if (m.isfile() or m.isdir()) and _safe_name(m.name)]
                        t.extractall(tmp, members=members)
            os.rename(tmp, dest)
        except (OSError, tarfile.TarError, zipfile.BadZipFile) as err:
            shutil.rmtree(tmp, ignore_errors=True)
            fail(f"could not unpack {sdist}: {err}")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    entries = os.listdir(dest)
    if len(entries) == 1 and os.path.isdir(os.path.join(dest, entries[0])):
        return os.path.join(dest, entries[0])  # the usual single top-level NAME-VERSION/ directory
    return dest


def count_python(tree: str) -> tuple[int, int]:
    """Number of ``.py`` files under ``tree`` and their lines (a last line without newline counts)."""
    files = lines = 0
    for root, dirs, names in os.walk(tree):
        dirs.sort()
        for name in sorted(names):
            if not name.endswith(".py"):
                continue
            path = os.path.join(root, name)
            if not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                data = f.read()
            files += 1
            lines += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return files, lines


# --------------------------------------------------------------------------
# the edited helper: a static import scan, and the edit


@dataclass
class Helper:
    path: str  # relative to the tree, "/"-separated
    module: str  # dotted name
    importers: int  # other modules that import it
    users: int  # other modules that use one of its top-level functions
    functions: int  # its top-level functions
    top_function: str = ""  # its function with parameters that the most other modules use
    top_users: int = 0  # how many


def module_names(tree: str) -> dict[str, str]:
    """Each ``.py`` file under ``tree`` (relative, "/"-separated) -> its dotted module name.

    The name is the file's path from the first directory above it that has no ``__init__.py`` (so ``src/``
    layouts and folders of scripts work); a package's ``__init__.py`` is named after the package.
    """
    names: dict[str, str] = {}
    tree = os.path.abspath(tree)
    for root, dirs, files in os.walk(tree):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".py") or not os.path.isfile(os.path.join(root, name)):
                continue
            parts = [name[:-3]]
            d = root
            while d != tree and os.path.isfile(os.path.join(d, "__init__.py")):
                parts.insert(0, os.path.basename(d))
                d = os.path.dirname(d)
            if parts[-1] == "__init__" and len(parts) > 1:
                parts.pop()
            rel = os.path.relpath(os.path.join(root, name), tree).replace(os.sep, "/")
            if all(p.isidentifier() for p in parts):
                names[rel] = ".".join(parts)
    return names


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def scan_imports(tree: str) -> dict[str, Helper]:
    """Per module of ``tree`` (by relative path): who imports it and who uses its top-level functions.

    Static (``ast`` only): ``import a.b``, ``import a.b as x``, ``from a import b`` and relative imports are
    resolved to the tree's own modules; a *use* is ``from m import f`` or an attribute chain such as
    ``x.f`` or ``a.b.f`` through a name an import statement bound, with ``f`` a top-level function of ``m``.
    Files that do not parse are left out.  One file's syntax tree at a time is kept.
    """
    paths = module_names(tree)
    by_name: dict[str, str] = {}
    for rel, name in paths.items():
        by_name.setdefault(name, rel)  # two files with one name (rare): the first path wins
    functions: dict[str, set[str]] = {}
    importers: dict[str, set[str]] = defaultdict(set)
    wanted: dict[str, set[tuple[str, str]]] = {}  # module -> (module, name) it reads, function or not
    for name, rel in by_name.items():
        try:
            with open(os.path.join(tree, rel), "rb") as f:
                module = ast.parse(f.read(), filename=rel)
        except (SyntaxError, ValueError, OSError, RecursionError):
            continue
        functions[name] = {n.name: bool(n.args.posonlyargs or n.args.args) for n in module.body
                           if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        package = name if rel.endswith("__init__.py") else name.rpartition(".")[0]
        bound: dict[str, str] = {}  # local name -> dotted module path it stands for
        reads: set[tuple[str, str]] = set()
        chains: list[str] = []
        for node in ast.walk(module):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".")[0]
                        bound[head] = head
                    if alias.name in by_name and alias.name != name:
                        importers[alias.name].add(name)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base_parts = package.split(".") if package else []
                    if node.level > 1:
                        base_parts = base_parts[: max(0, len(base_parts) - (node.level - 1))]
                    base = ".".join(base_parts + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                for alias in node.names:
                    full = f"{base}.{alias.name}" if base else alias.name
                    if full in by_name:  # from package import module
                        bound[alias.asname or alias.name] = full
                        if full != name:
                            importers[full].add(name)
                    elif base in by_name and base != name:  # from module import something
                        importers[base].add(name)
                        reads.add((base, alias.name))
            elif isinstance(node, ast.Attribute) and (dotted := _dotted(node)) is not None:
                chains.append(dotted)
        for dotted in chains:
            head, _, rest = dotted.partition(".")
            if head in bound:
                target, _, attr = (bound[head] + "." + rest).rpartition(".")
                if target != name and target in by_name:
                    reads.add((target, attr))
        wanted[name] = reads
        del module
    users: dict[str, set[str]] = defaultdict(set)
    function_users: dict[tuple[str, str], set[str]] = defaultdict(set)
    for name, reads in wanted.items():
        for target, attr in reads:
            if attr in functions.get(target, ()):
                users[target].add(name)
                function_users[(target, attr)].add(name)
    helpers = {}
    for name, funcs in functions.items():
        ranked = sorted((-len(function_users[(name, f)]), f) for f, has_params in funcs.items()
                        if has_params and function_users[(name, f)])
        top_users, top = (-ranked[0][0], ranked[0][1]) if ranked else (0, "")
        helpers[by_name[name]] = Helper(by_name[name], name, len(importers[name]), len(users[name]), len(funcs),
                                        top, top_users)
    return helpers


def choose_helper(tree: str, min_importers: int = MIN_IMPORTERS) -> Helper | None:
    """The module (not an ``__init__.py``) whose top-level functions the most other modules use.

    Ties go to the most importers, then the smallest path.  None when no such module has at least
    ``min_importers`` importers and one function user.
    """
    candidates = [h for h in scan_imports(tree).values()
                  if not h.path.endswith("__init__.py") and h.functions and h.users and h.importers >= min_importers]
    if not candidates:
        return None
    return min(candidates, key=lambda h: (-h.users, -h.importers, h.path))


def edit_function_source(data: bytes, function: str) -> bytes:
    """``data`` with ``SINK_EDIT_LINES`` inserted near its top (as ``edit_source``) and a call passing the
    first parameter of its top-level ``function`` to it, as that function's first statement (after its
    docstring): ``function``'s summary changes (its parameter now reaches a shell command), and so may the
    summaries and findings of its callers."""
    module = ast.parse(data)
    node = next((n for n in module.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.name == function), None)
    if node is None or not (node.args.posonlyargs or node.args.args):
        raise ValueError(f"no top-level function {function} with a parameter")
    param = (node.args.posonlyargs or node.args.args)[0].arg
    first = node.body[0]
    docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
    if docstring and len(node.body) > 1:
        at, indent = first.end_lineno, node.body[1].col_offset
    elif docstring:
        at, indent = first.end_lineno, first.col_offset
    else:
        at, indent = first.lineno - 1, first.col_offset
    if first.lineno == node.lineno:  # ``def f(x): return x``: the body is on the def line
        raise ValueError(f"{function} has its body on its def line")
    lines = data.splitlines(keepends=True)
    newline = b"\r\n" if lines and lines[0].endswith(b"\r\n") else b"\n"
    if not lines[at - 1].endswith((b"\n", b"\r")):
        lines[at - 1] += newline
    call = b" " * indent + f"{EDIT_NAME}({param})".encode() + newline
    return edit_source(b"".join(lines[:at]) + call + b"".join(lines[at:]), SINK_EDIT_LINES)


def edit_source(data: bytes, edit_lines: tuple = EDIT_LINES) -> bytes:
    """``data`` (a module's source) with ``edit_lines`` inserted near its top, so every later line moves.

    They go after the module docstring and ``from __future__`` imports when there are any (nothing may
    precede those), else before the first statement (after leading comments, which keeps an encoding
    declaration on its line).  The result must parse, or ValueError.
    """
    module = ast.parse(data)
    lines = data.splitlines(keepends=True)
    newline = b"\r\n" if lines and lines[0].endswith(b"\r\n") else b"\n"
    prefix_end = 0  # the last line (1-based) of the docstring and __future__ imports
    for i, node in enumerate(module.body):
        docstring = (i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                     and isinstance(node.value.value, str))
        if docstring or (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            prefix_end = node.end_lineno
        else:
            break
    if prefix_end:
        at = prefix_end  # insert after this line
    elif module.body:
        first = module.body[0]
        at = min([first.lineno, *(d.lineno for d in getattr(first, "decorator_list", ()))]) - 1
    else:
        at = len(lines)
    if at > 0 and lines and not lines[at - 1].endswith((b"\n", b"\r")):
        lines[at - 1] += newline
    insert = b"".join(line.encode() + newline for line in edit_lines)
    edited = b"".join(lines[:at]) + insert + b"".join(lines[at:])
    try:
        ast.parse(edited)
    except SyntaxError as err:
        raise ValueError(f"the edit does not parse: {err}") from err
    return edited


class EditedFile:
    """``with EditedFile(path, edited):`` -- ``path`` holds ``edited`` (default: ``edit_source`` of its text);
    restored, bytes and access and modification times, afterwards."""

    def __init__(self, path: str, edited: bytes | None = None):
        self.path = path
        self.edited = edited
        self.original = b""
        self.times = (0, 0)

    def __enter__(self) -> None:
        with open(self.path, "rb") as f:
            self.original = f.read()
        st = os.stat(self.path)
        self.times = (st.st_atime_ns, st.st_mtime_ns)
        with open(self.path, "wb") as f:
            f.write(self.edited if self.edited is not None else edit_source(self.original))

    def __exit__(self, *exc) -> None:
        with open(self.path, "wb") as f:
            f.write(self.original)
        os.utime(self.path, ns=self.times)


def prepare_helper(tree: str, chosen: str | None, edited_out: str) -> Helper | None:
    """The helper (``chosen``, relative to ``tree``, or ``choose_helper``), its edited text written to ``edited_out``.

    Run in a child process (``--prepare-helper``): parsing the whole tree would raise this script's peak RSS,
    which the kernel counts into every tool's ``ru_maxrss``.
    """
    if chosen:
        path = os.path.normpath(chosen).replace(os.sep, "/")
        helper = scan_imports(tree).get(path)
        if helper is None:
            raise ValueError(f"--helper {chosen}: no Python module of the tree that parses")
    else:
        helper = choose_helper(tree)
    if helper is not None:
        with open(os.path.join(tree, helper.path), "rb") as f:
            original = f.read()
        with open(edited_out, "wb") as f:
            f.write(edit_source(original))
        if helper.top_function:
            with open(edited_out + ".function", "wb") as f:
                f.write(edit_function_source(original, helper.top_function))
    return helper


def prepare_helper_in_child(tree: str, chosen: str | None, edited_out: str) -> Helper | None:
    argv = [sys.executable, os.path.abspath(__file__), "--prepare-helper", tree, edited_out]
    argv += ["--helper", chosen] if chosen else []
    out = subprocess.run(argv, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        fail(f"choosing the helper module failed: {out.stderr.strip()[-2000:]}")
    found = json.loads(out.stdout)
    return Helper(**found) if found else None


def copy_tree(tree: str, dest: str) -> str:
    """A private copy of ``tree`` at ``dest``/<its name> (symbolic links copied as links)."""
    target = os.path.join(dest, os.path.basename(tree.rstrip(os.sep)) or "tree")
    shutil.copytree(tree, target, symlinks=True)
    return target


def dir_size(path: str) -> tuple[int, int]:
    """Regular files under ``path`` and their bytes (0, 0 when it does not exist)."""
    files = size = 0
    for root, _, names in os.walk(path):
        for name in names:
            try:
                st = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            if not os.path.islink(os.path.join(root, name)):
                files += 1
                size += st.st_size
    return files, size


# --------------------------------------------------------------------------
# tools and machine


def first_line(argv: list[str], env: dict[str, str] | None = None) -> str:
    try:
        out = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=120, env=env)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    lines = (out.stdout or out.stderr).strip().splitlines()
    return lines[0].strip() if lines else "unknown"


def tool_version(argv: list[str], env: dict[str, str] | None = None) -> str:
    """First line of ``CMD --version``, plus the Python it names or runs on when that can be told."""
    version = first_line([*argv, "--version"], env)
    py = None
    try:
        out = subprocess.run([*argv, "--version"], check=False, capture_output=True, text=True, timeout=120,
                             env=env).stdout
        for line in out.splitlines()[1:]:  # bandit: "  python version = 3.11.7 (main, ...)"
            key, _, value = line.partition("=")
            if key.strip() == "python version" and value.split():
                py = value.split()[0]
    except (OSError, subprocess.SubprocessError):
        pass
    if py is None and argv[0] == sys.executable:  # python -m ...
        py = platform.python_version()
    if py is None and (exe := shutil.which(argv[0])) is not None:  # a Python entry-point script
        try:
            with open(exe, "rb") as f:
                shebang = f.readline().decode("utf-8", "replace")
            if shebang.startswith("#!") and "python" in shebang:
                py = first_line([*shlex.split(shebang[2:].strip()), "-c",
                                 "import platform; print(platform.python_version())"])
        except OSError:
            pass
    return f"{version} (Python {py})" if py and py != "unknown" else version


def help_text(argv: list[str], env: dict[str, str] | None = None) -> str:
    try:
        out = subprocess.run(argv + ["review", "--help"], check=False, capture_output=True, text=True, timeout=120,
                             env=env)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout + out.stderr


def knows(help_: str, flag: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", help_) is not None


def secreview_source() -> str:
    """The commit of this repository's secreview sources, when they are what ``secreview`` runs.

    Found without importing secreview, which would swell this process (see the RSS floor).
    """
    try:
        spec = importlib.util.find_spec("secreview")
    except (ImportError, ValueError):
        return "unknown"
    if spec is None or not spec.origin:
        return "unknown"
    if not os.path.realpath(spec.origin).startswith(os.path.realpath(os.path.join(REPO, "src")) + os.sep):
        return "unknown (not this checkout)"
    try:
        commit = subprocess.run(["git", "-C", REPO, "rev-parse", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "src"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit} (with uncommitted changes under src/)" if dirty else commit


def src_state() -> str:
    """A fingerprint of this checkout's ``src/`` (commit, uncommitted diff, untracked files), to notice edits."""
    import zlib

    try:
        head = subprocess.run(["git", "-C", REPO, "rev-parse", "HEAD"], capture_output=True, check=True).stdout
        diff = subprocess.run(["git", "-C", REPO, "diff", "HEAD", "--", "src"], capture_output=True, check=True).stdout
        others = subprocess.run(["git", "-C", REPO, "ls-files", "--others", "--exclude-standard", "-z", "--", "src"],
                                capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    state = zlib.crc32(head + diff)
    for name in sorted(others.split(b"\0")):
        if name:
            try:
                st = os.stat(os.path.join(REPO, os.fsdecode(name)))
            except OSError:
                continue
            state = zlib.crc32(name + f"{st.st_size}:{st.st_mtime_ns}".encode(), state)
    return f"{state:08x}"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Model", "Hardware", "cpu model"):
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def nproc() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 0


def loadavg() -> str:
    """The 1-minute load average: other work on the machine slows the tools' wall time, not their CPU time."""
    try:
        with open("/proc/loadavg", encoding="utf-8") as f:
            return f.read().split()[0]
    except (OSError, IndexError):
        return "unknown"


def mem_total() -> str:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return "unknown"


# --------------------------------------------------------------------------
# summed memory of a process tree, sampled from /proc


def vmrss_kib(pid: int) -> int:
    """``VmRSS`` of ``pid`` in KiB from ``/proc/<pid>/status``; 0 when gone, a zombie or a kernel thread."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def children_files_work() -> bool:
    """Whether this kernel has ``/proc/<pid>/task/<tid>/children`` (CONFIG_PROC_CHILDREN)."""
    pid = os.getpid()
    return os.path.exists(f"/proc/{pid}/task/{pid}/children")


def children_of(pid: int) -> list[int]:
    """The children of every thread of ``pid``, from ``/proc/<pid>/task/*/children``."""
    found: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                found += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return found


def parent_of(pid: int) -> int | None:
    """The parent process id of ``pid`` from ``/proc/<pid>/stat`` (None when gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        return int(stat[stat.rindex(b")") + 2:].split()[1])  # the name in (...) may hold spaces
    except (OSError, ValueError, IndexError):
        return None


def descendants(root: int, parents: dict[int, int]) -> list[int]:
    """``root`` and every process below it, given each process's parent id."""
    kids: dict[int, list[int]] = defaultdict(list)
    for pid, ppid in parents.items():
        kids[ppid].append(pid)
    found, todo, seen = [], [root], {root}
    while todo:
        pid = todo.pop()
        found.append(pid)
        for kid in kids.get(pid, ()):
            if kid not in seen:
                seen.add(kid)
                todo.append(kid)
    return sorted(found)


class ProcessTree:
    """The processes of a tree rooted at one pid, listed again at each call of ``pids()``."""

    def __init__(self, root: int, use_children_files: bool | None = None):
        self.root = root
        self.use_children_files = children_files_work() if use_children_files is None else use_children_files
        self.parents: dict[int, int] = {}  # pid -> parent, read once per process

    def pids(self) -> list[int]:
        if self.use_children_files:
            found, todo, seen = [], [self.root], {self.root}
            while todo:
                pid = todo.pop()
                found.append(pid)
                for kid in children_of(pid):
                    if kid not in seen:
                        seen.add(kid)
                        todo.append(kid)
            return sorted(found)
        try:
            alive = {int(d) for d in os.listdir("/proc") if d.isdigit()}
        except OSError:
            return [self.root]
        for pid in list(self.parents):
            if pid not in alive:
                del self.parents[pid]
        for pid in alive - self.parents.keys():
            if (ppid := parent_of(pid)) is not None:
                self.parents[pid] = ppid
        return descendants(self.root, self.parents)

    def rss_kib(self) -> tuple[int, int]:
        """Summed VmRSS (KiB) of the tree's processes now, and how many processes there were."""
        pids = self.pids()
        return sum(vmrss_kib(p) for p in pids), len(pids)


class Sampler:
    """A thread sampling a process tree's summed RSS every ``interval`` seconds; ``stop()`` ends it."""

    def __init__(self, root: int, interval: float):
        self.tree = ProcessTree(root)
        self.interval = interval
        self.peak_kib = 0
        self.samples = 0
        self.max_procs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def sample(self) -> None:
        total, count = self.tree.rss_kib()
        self.samples += 1
        self.peak_kib = max(self.peak_kib, total)
        self.max_procs = max(self.max_procs, count)

    def _loop(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


# --------------------------------------------------------------------------
# measuring


def _cpu(ru: resource.struct_rusage) -> float:
    return ru.ru_utime + ru.ru_stime


@dataclass
class Measured:
    wall: float
    exit_code: int
    usage: resource.struct_rusage  # wait4's
    before: resource.struct_rusage  # RUSAGE_CHILDREN
    after: resource.struct_rusage
    sum_rss_kib: int = 0
    samples: int = 0
    max_procs: int = 0


def measure(argv: list[str], cwd: str, stdout_path: str, stderr_path: str, env: dict[str, str] | None = None,
            interval: float = 0.0) -> Measured:
    """Run ``argv``; wall seconds, exit code, rusages, and (``interval`` > 0) the sampled summed RSS."""
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        sampler = Sampler(proc.pid, interval).start() if interval > 0 else None
        try:
            os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)  # ended, not reaped: its pid stays ours
            wall = time.perf_counter() - start
        finally:
            if sampler is not None:
                sampler.stop()
        _, status, usage = os.wait4(proc.pid, 0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
    m = Measured(wall, proc.returncode, usage, before, after)
    if sampler is not None:
        m.sum_rss_kib, m.samples, m.max_procs = sampler.peak_kib, sampler.samples, sampler.max_procs
    return m


def run_once(tool: Tool, tree: str, work: str, label: str, round_: int, cache: str | None = None,
             interval: float = SAMPLE_MS / 1000) -> Run:
    out = os.path.join(work, f"{tool.key}-{label}.json")
    argv = tool.command(tree, out, cache or "")
    stdout_path = out if tool.stdout_is_report else os.path.join(work, f"{tool.key}-{label}.stdout")
    stderr_path = os.path.join(work, f"{tool.key}-{label}.stderr")
    run_dir = os.path.join(work, f"cwd-{tool.key}-{label}")
    os.mkdir(run_dir)
    try:
        m = measure(argv, run_dir, stdout_path, stderr_path, tool.run_env(cache), interval)
    except OSError as err:
        fail(f"cannot run {tool.label} ({shlex.join(argv)}): {err}", EXIT_TOOL_FAILED)
    if m.exit_code not in tool.ok_codes:
        with open(stderr_path, encoding="utf-8", errors="replace") as f:
            tail = f.read()[-3000:]
        fail(f"{tool.label} exited with {m.exit_code}: {shlex.join(argv)}\n{tail}", EXIT_TOOL_FAILED)
    return Run(wall=m.wall, cpu=_cpu(m.usage), maxrss_kib=m.usage.ru_maxrss, sum_rss_kib=m.sum_rss_kib,
               samples=m.samples, max_procs=m.max_procs, children_cpu=_cpu(m.after) - _cpu(m.before),
               children_maxrss_kib=m.after.ru_maxrss, exit_code=m.exit_code, out=out, tree=tree, round=round_)


def floor_kib(work: str) -> int:
    """ru_maxrss of ``true``: the part of every figure that is this script's own RSS."""
    true = shutil.which("true") or "/bin/true"
    path = os.path.join(work, "true.out")
    return measure([true], work, path, path).usage.ru_maxrss


# --------------------------------------------------------------------------
# reading the reports (only after all runs: parsing them grows this process)


def load_json(path: str):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def spread(values: list[int]) -> str:
    lo, hi = min(values), max(values)
    return str(lo) if lo == hi else f"{lo}–{hi}"


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
    key = lambda f: json.dumps(f, sort_keys=True)
    a, b = Counter(map(key, got)), Counter(map(key, want))
    extra, missing = list((a - b).elements()), list((b - a).elements())
    if not extra and not missing:
        return False, f"{_n_findings(len(got))}, the same ones in another order"
    parts = [f"{_n_findings(len(got))} against {len(want)}"]
    if extra:
        parts.append(f"{len(extra)} not in the reference (" +
                     ", ".join(_finding_name(json.loads(e)) for e in extra[:3]) + (", ..." if len(extra) > 3 else "") + ")")
    if missing:
        parts.append(f"{len(missing)} missing (" +
                     ", ".join(_finding_name(json.loads(m)) for m in missing[:3]) + (", ..." if len(missing) > 3 else "") + ")")
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


# --------------------------------------------------------------------------
# output


HEADER = ["scenario", "runs", "median wall (s)", "min (s)", "max (s)", "median CPU (s)",
          "peak RSS, largest process (MiB)", "peak RSS, summed (MiB)", "findings", "wall / bandit"]


def rows(tools: dict[str, Tool]) -> list[list[str]]:
    bandit = tools.get("bandit")
    base = bandit.median_wall if bandit is not None and bandit.runs else None
    table = []
    for t in tools.values():
        if not t.runs:
            continue
        ratio = f"{t.median_wall / base:.2f}" if base else "n/a"
        table.append([t.label, str(len(t.runs)), f"{t.median_wall:.2f}", f"{min(t.walls):.2f}",
                      f"{max(t.walls):.2f}", f"{t.median_cpu:.2f}", f"{t.median_maxrss_mib:.1f}",
                      f"{t.median_sum_mib:.1f}", t.findings, ratio])
    return table


def text_table(header: list[str], body: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([fmt(header), "  ".join("-" * w for w in widths), *map(fmt, body)])


def md_table(header: list[str], body: list[list[str]], right_from: int = 1) -> str:
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    return "\n".join(lines)


RUN_HEADER = ["scenario", "round", "wall (s)", "CPU (s)", "ru_maxrss (MiB)", "summed RSS (MiB)", "samples",
              "processes", "RUSAGE_CHILDREN CPU Δ (s)", "RUSAGE_CHILDREN ru_maxrss (MiB)"]


def run_rows(tools: dict[str, Tool]) -> list[list[str]]:
    body = []
    for t in tools.values():
        for r in t.runs:
            body.append([t.label, str(r.round) if r.round else "–", f"{r.wall:.2f}", f"{r.cpu:.2f}",
                         f"{r.maxrss_kib / 1024:.1f}", f"{r.sum_rss_kib / 1024:.1f}", str(r.samples),
                         str(r.max_procs), f"{r.children_cpu:.2f}", f"{r.children_maxrss_kib / 1024:.1f}"])
    return body


def shown_invocation(argv: list[str], tree: str | None) -> str:
    shown = []
    for a in argv:
        shown.append("<unpacked tree>" if tree is not None and a == tree else a)
    return "python benchmarks/speed.py " + " ".join(shlex.quote(a) if a != "<unpacked tree>" else a for a in shown)


def command_lines(tools: dict[str, Tool]) -> list[str]:
    """``# scenarios`` comment lines, each followed by the command those scenarios ran."""
    by_command: dict[str, list[str]] = {}
    for t in tools.values():
        if t.runs:
            by_command.setdefault(t.shown(), []).append(t.label)
    lines = []
    for command, labels in by_command.items():
        lines += [f"# {'; '.join(labels)}", command]
    return lines


def check_lines(checks: list[Check]) -> list[str]:
    lines = []
    for c in checks:
        lines.append(f"{c.label}: {'OK' if c.ok else 'MISMATCH'} against {c.reference}")
        lines += [f"    {d}" for d in c.details]
    return lines


def merge_preserved(generated: str, existing: str | None) -> str:
    """``generated``, then the ``PRESERVE_MARKER`` line, then what follows that line in ``existing``.

    Without an existing file, or without the marker in it, nothing is kept: the result ends with the marker,
    below which sections may be added by hand.
    """
    kept = ""
    if existing:
        lines = existing.splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.strip() == PRESERVE_MARKER:
                kept = "".join(lines[i + 1:])
                break
    return generated.rstrip("\n") + "\n\n" + PRESERVE_MARKER + "\n" + kept


@dataclass
class Context:
    """What the report says besides the measurements."""

    tree_name: str
    py_files: int
    py_lines: int
    floor_kib: int
    versions: dict[str, str]
    source: str
    load: tuple[str, str]
    helper: Helper | None
    facts: dict[str, object]
    checks: list[Check]
    notes: list[str]  # about the scenarios (flags, cache)
    sampling: str


def markdown(args, tools: dict[str, Tool], ctx: Context) -> str:
    invocation = shown_invocation(args.argv, args.tree)
    helper = (f"`{ctx.helper.path}` (imported by {ctx.helper.importers} other modules, {ctx.helper.users} of "
              f"which use its functions)" if ctx.helper else "none")
    function = (f"`{ctx.helper.top_function}` (used by {ctx.helper.top_users} other modules)"
                if ctx.helper and ctx.helper.top_function else "none")
    out = [
        "# Performance",
        "",
        (f"How long secreview takes to review a large real code base, and how much memory it needs, next to "
         f"bandit and ruff's flake8-bandit rules (`--select S`). All tools review the same tree "
         f"({ctx.tree_name}: {ctx.py_files} `.py` files, {ctx.py_lines} lines) in {args.repeat} rounds within one "
         f"session. Each round runs secreview four times — with an empty cache, with the cache that run left "
         f"(warm), after an edit that moves every line of a helper module, {helper}, and after an edit that "
         f"makes that module's most used function, {function}, pass its first parameter to a shell command "
         f"(so its summary, and those of callers that pass it their own parameters, change), each edit with the "
         f"cache warm from the unedited tree — then bandit and ruff. Before the rounds, secreview runs once with "
         f"`--jobs 1 --no-cache` on the unedited tree and on each edited tree: the references whose findings "
         f"every other secreview run must reproduce. The table gives per scenario the wall time (median, min, max), "
         f"the CPU time (user + system of the process and the workers it waited for; less sensitive than wall "
         f"time to other work on the machine), the median over the runs of two memory peaks (the largest single "
         f"process; the sum over all the tool's processes), the findings, and the median wall time relative to "
         f"bandit's. The tools do different amounts of work (secreview follows data flow; bandit and ruff match "
         f"patterns in the syntax tree), so the findings are counts, not a comparison of quality. Reproduce with:"),
        "",
        "```sh",
        REPRODUCE,
        "```",
        "",
        (f"which downloads the `{args.package}` sdist from PyPI (`--sdist FILE` or `--tree DIR` use a local copy). "
         f"This page was generated by `benchmarks/speed.py` (see its docstring for the method) with "
         f"`{invocation}`; do not edit it by hand above the marker line that ends it."),
        "",
        "## Results",
        "",
        md_table(HEADER, rows(tools)),
        "",
    ]
    if "secreview_note" in ctx.facts:
        out.append(f"- {ctx.facts['secreview_note']}")
    for t in tools.values():
        out += [f"- {n}" for n in t.notes]
    out += [f"- {n}" for n in ctx.notes]
    out += [
        "",
        "## Same findings as `--jobs 1 --no-cache`",
        "",
        ("Each secreview run's `findings`, with paths made relative to the tree and `fingerprint` left out, "
         "against the reference run on the same tree (`--check-identical` fails the benchmark on a mismatch):"),
        "",
    ]
    for c in ctx.checks:
        out.append(f"- {c.label}: **{'OK' if c.ok else 'MISMATCH'}** against {c.reference}")
        out += [f"  - {d}" for d in c.details]
    if not ctx.checks:
        out.append("- nothing to check (no reference run)")
    out += [
        "",
        "## Commands",
        "",
        (f"Each run in a fresh empty working directory; `{TREE_PLACEHOLDER}` is the benchmark's copy of the "
         f"tree, `{OUT_PLACEHOLDER}` a file in a temporary directory, `{CACHE_PLACEHOLDER}` the round's cache "
         f"directory (empty before the round's first secreview run; a fresh empty one for each reference run)."),
        "",
        "```sh",
        *command_lines(tools),
        "```",
        "",
    ]
    if not args.warm_cache:
        out += [("`--no-cache` keeps ruff from answering runs 2 and later from its `.ruff_cache`; without it "
                 "those runs take a fraction of the first one's time."), ""]
    out += [
        "## Machine and versions",
        "",
        f"- CPUs: {nproc()} (`nproc`), {cpu_model()}; memory {mem_total()}",
        f"- OS: {platform.system()} {platform.release()} ({platform.machine()})",
        (f"- 1-minute load average: {ctx.load[0]} before the runs, {ctx.load[1]} after (with {nproc()} CPUs, a "
         f"load above that number means the tools waited for a CPU and their wall time exceeds their CPU time)"),
        f"- Python: {platform.python_version()} ({platform.python_implementation()}) runs this script",
        *[f"- `{name} --version`: {v}" for name, v in ctx.versions.items()],
        f"- secreview sources: commit {ctx.source}",
        f"- Tree: {ctx.tree_name}; {ctx.py_files} `.py` files, {ctx.py_lines} lines",
        "",
        "## Memory: what the numbers mean",
        "",
        ("- *peak RSS, largest process* and *ru_maxrss* are the `ru_maxrss` of the rusage `os.wait4(pid, 0)` "
         "returns for the tool's process: on Linux, the largest resident set of that process and of the "
         "descendants it waited for (secreview's workers) — the largest *single* process, not a sum."),
        (f"- *peak RSS, summed* is the largest sum of `VmRSS` (`/proc/<pid>/status`) over the tool's process and "
         f"all its descendants, sampled {ctx.sampling}. A burst between two samples can be missed, and pages "
         f"forked workers share with their parent count once per process, so it overstates what several "
         f"processes need together; for a single process (bandit; ruff, whose threads share one address space) "
         f"it is that process's sampled peak."),
        ("- *RUSAGE_CHILDREN CPU Δ* is the change of `resource.getrusage(RUSAGE_CHILDREN)` user + system time "
         "over the run: the CPU of every descendant reaped meanwhile. It matches *CPU* (the wait4 figure) when "
         "the tool leaves no orphaned processes behind."),
        ("- *RUSAGE_CHILDREN ru_maxrss* is a high-water mark over all children of the benchmark so far (a "
         "maximum, not a sum): it says something about a run only when it rises."),
        (f"- Linux counts the peak RSS of the launching process at `exec` into the child's `ru_maxrss`, so each "
         f"figure is the larger of the benchmark script's own peak RSS — {ctx.floor_kib / 1024:.1f} MiB here "
         f"(`ru_maxrss` of `true`, largest over the rounds) — and the tool's peak. A figure above that floor is "
         f"the tool's own peak; one at the floor only says the tool needed no more. The script reads no report "
         f"until all runs are done, so the floor stays put."),
        "",
        "## All runs",
        "",
        "Round – is a reference run, made before the rounds.",
        "",
        md_table(RUN_HEADER, run_rows(tools), right_from=1),
        "",
    ]
    return "\n".join(out)


# --------------------------------------------------------------------------
# main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = p.add_mutually_exclusive_group()
    src.add_argument("--tree", metavar="DIR", help="an unpacked source tree to review (copied, never changed)")
    src.add_argument("--sdist", metavar="FILE", help="a source distribution (.tar.gz or .zip) to unpack and review")
    p.add_argument("--package", metavar="SPEC", default=DEFAULT_PACKAGE,
                   help=f"what to download with pip when neither --tree nor --sdist is given (default {DEFAULT_PACKAGE})")
    p.add_argument("--cache-dir", metavar="DIR", default=None,
                   help=f"where sdists are downloaded and unpacked (default {default_cache_dir()}); "
                        f"not secreview's cache, which lives in the working directory")
    p.add_argument("--repeat", type=int, default=3, metavar="N", help="rounds (default 3)")
    p.add_argument("--markdown", metavar="FILE",
                   help=f"write the results as markdown to FILE, keeping what follows its line {PRESERVE_MARKER}")
    p.add_argument("--check-identical", action="store_true",
                   help="exit 1 unless every secreview run's findings equal those of `--jobs 1 --no-cache` on "
                        "the same tree")
    p.add_argument("--helper", metavar="FILE",
                   help="the module to edit, relative to the tree (default: chosen by an import scan)")
    p.add_argument("--secreview-args", default="", metavar="ARGS",
                   help="extra arguments for `secreview review`, one shell-quoted string: --secreview-args='--jobs 4' "
                        "(write it with '=' when it starts with '-')")
    p.add_argument("--secreview", default="secreview", metavar="CMD", help="the secreview command (default secreview)")
    p.add_argument("--secreview-at", metavar="REV",
                   help="run secreview from src/ of this repository at commit REV (exported to a temporary "
                        "directory, run as `python -m secreview` with PYTHONPATH), not from the checkout, whose "
                        "files may change during the runs; --secreview is then ignored")
    p.add_argument("--bandit", default="bandit", metavar="CMD", help="the bandit command (default bandit)")
    p.add_argument("--ruff", default="ruff", metavar="CMD", help="the ruff command (default ruff)")
    p.add_argument("--warm-cache", action="store_true",
                   help="do not pass --no-cache to ruff, so its runs after the first may hit its cache")
    p.add_argument("--sample-interval", type=float, default=SAMPLE_MS, metavar="MS",
                   help=f"how often the summed RSS of each tool's processes is sampled (default {SAMPLE_MS} ms)")
    p.add_argument("--out-dir", metavar="DIR", help="keep the reports and logs in DIR (default: a temporary directory, removed)")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    if args.sample_interval <= 0:
        p.error("--sample-interval must be positive")
    return args


def export_sources(rev: str, work: str) -> tuple[str, str]:
    """Export ``src/`` of this repository at ``rev`` into ``work``; the commit and the exported ``src`` path."""
    try:
        commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--verify", f"{rev}^{{commit}}"],
                                capture_output=True, text=True, check=True).stdout.strip()
        archive = os.path.join(work, "src.tar")
        subprocess.run(["git", "-C", REPO, "archive", "--format=tar", "-o", archive, commit, "src"], check=True)
        subprocess.run(["tar", "-xf", archive, "-C", work], check=True)
        os.remove(archive)
    except (OSError, subprocess.CalledProcessError) as err:
        fail(f"cannot export src/ at {rev!r}: {err}")
    return commit, os.path.join(work, "src")


def absolute_pythonpath(env: dict[str, str]) -> dict[str, str] | None:
    """``env`` with relative ``PYTHONPATH`` entries made absolute (the tools run elsewhere); None if none were."""
    entries = env.get("PYTHONPATH", "").split(os.pathsep) if env.get("PYTHONPATH") else []
    if all(os.path.isabs(e) for e in entries if e):
        return None
    fixed = dict(env)
    fixed["PYTHONPATH"] = os.pathsep.join(os.path.abspath(e) if e else e for e in entries)
    return fixed


def make_tools(args: argparse.Namespace, pinned_src: str | None = None) -> tuple[dict[str, Tool], list[str]]:
    """The scenarios, in the order the tables show them, and notes on the flags secreview lacks."""
    if pinned_src is not None:  # run the exported sources, not whatever the checkout holds right now
        sec = [sys.executable, "-m", "secreview"]
        sec_env = dict(os.environ)
        sec_env["PYTHONPATH"] = os.pathsep.join(p for p in (pinned_src, os.environ.get("PYTHONPATH")) if p)
    else:
        sec = shlex.split(args.secreview)
        sec_env = absolute_pythonpath(dict(os.environ))
    help_ = help_text(sec, sec_env)
    if not help_:
        fail(f"cannot run `{args.secreview} review --help`", EXIT_TOOL_FAILED)
    for flag in ("--format", "--output"):
        if not knows(help_, flag):
            fail(f"`{args.secreview} review` has no {flag} option", EXIT_TOOL_FAILED)
    notes = []
    base = [*sec, "review", "{tree}", "--format", "json", "--output", "{out}"]
    base += [f for f in ("--exit-zero", "--no-progress") if knows(help_, f)]
    extra = shlex.split(args.secreview_args)
    cached = [*base, "--cache-dir", "{cache}"] if knows(help_, "--cache-dir") else list(base)
    if not knows(help_, "--cache-dir"):
        notes.append("`secreview review --help` lists no `--cache-dir`: the empty-cache, warm-cache and "
                     "edited-helper runs ran without that flag (`XDG_CACHE_HOME` still pointed at the round's "
                     "cache directory).")
    ref_flags = [f for f in ("--jobs", "1") if knows(help_, "--jobs")] + (["--no-cache"] if knows(help_, "--no-cache") else [])
    missing = [f for f in ("--jobs", "--no-cache") if not knows(help_, f)]
    if missing:
        notes.append(f"`secreview review --help` lists no {' or '.join(f'`{m}`' for m in missing)}: the reference "
                     f"runs ran without {'it' if len(missing) == 1 else 'them'}.")
    reference = [*base, *extra, *ref_flags]  # after --secreview-args: the last --jobs wins
    prefix = f"PYTHONPATH=<src/ at {args.secreview_at}> " if pinned_src is not None else ""

    def sec_tool(key: str, label: str, argv: list[str], ref: str | None) -> Tool:
        return Tool(key, label, "secreview", argv, frozenset({0}), env=sec_env, shown_prefix=prefix, reference=ref)

    ruff_argv = [*shlex.split(args.ruff), "check", "--isolated"]
    ruff_argv += [] if args.warm_cache else ["--no-cache"]
    ruff_argv += ["--select", "S", "--output-format", "json", "--exit-zero", "{tree}"]
    tools = {
        SEC_EMPTY: sec_tool(SEC_EMPTY, "secreview, empty cache", [*cached, *extra], REF_UNEDITED),
        SEC_WARM: sec_tool(SEC_WARM, "secreview, warm cache", [*cached, *extra], REF_UNEDITED),
        SEC_EDITED: sec_tool(SEC_EDITED, "secreview, edited helper", [*cached, *extra], REF_EDITED),
        SEC_EDITED_FN: sec_tool(SEC_EDITED_FN, "secreview, edited helper function", [*cached, *extra],
                                REF_EDITED_FN),
        "bandit": Tool("bandit", "bandit", "bandit",
                       [*shlex.split(args.bandit), "-r", "{tree}", "-f", "json", "-o", "{out}", "-q"],
                       frozenset({0, 1})),
        "ruff": Tool("ruff", "ruff", "ruff", ruff_argv, frozenset({0}), stdout_is_report=True),
        REF_UNEDITED: sec_tool(REF_UNEDITED, "reference, unedited", reference, None),
        REF_EDITED: sec_tool(REF_EDITED, "reference, edited", reference, None),
        REF_EDITED_FN: sec_tool(REF_EDITED_FN, "reference, edited function", reference, None),
    }
    return tools, notes


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--prepare-helper"]:  # the child process of prepare_helper_in_child
        tree, edited_out, *rest = argv[1:]
        chosen = rest[1] if rest[:1] == ["--helper"] and len(rest) == 2 else None
        try:
            helper = prepare_helper(tree, chosen, edited_out)
        except ValueError as err:
            fail(str(err))
        print(json.dumps(helper.__dict__ if helper else None))
        return 0
    args = parse_args(argv)
    args.argv = list(argv)
    cache_dir = os.path.abspath(args.cache_dir or default_cache_dir())
    if args.tree:
        tree = os.path.abspath(args.tree)
        if not os.path.isdir(tree):
            fail(f"no such directory: {args.tree}")
    else:
        sdist = os.path.abspath(args.sdist) if args.sdist else download_sdist(args.package, cache_dir)
        tree = unpack_sdist(sdist, cache_dir)

    work = os.path.abspath(args.out_dir) if args.out_dir else tempfile.mkdtemp(prefix="secreview-speed-")
    os.makedirs(work, exist_ok=True)
    snapshot = None
    try:
        if args.secreview_at:
            snapshot = tempfile.mkdtemp(prefix="secreview-src-")
            commit, pinned = export_sources(args.secreview_at, snapshot)
            source_before = f"{commit} (src/ exported from {args.secreview_at} with --secreview-at)"
            state_before = None
        else:
            pinned = None
            source_before = secreview_source()
            state_before = src_state()
        tools, notes = make_tools(args, pinned)
        sec = tools[SEC_EMPTY]
        versions = {
            "secreview": tool_version(sec.argv[: sec.argv.index("review")], sec.env),
            "bandit": tool_version(shlex.split(args.bandit)),
            "ruff": first_line([*shlex.split(args.ruff), "--version"]),
        }
        return measure_all(args, tools, tree, work, versions, source_before, state_before, notes)
    finally:
        if not args.out_dir:
            shutil.rmtree(work, ignore_errors=True)
        if snapshot is not None:
            shutil.rmtree(snapshot, ignore_errors=True)


def fresh_dir(path: str) -> str:
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def measure_all(args: argparse.Namespace, tools: dict[str, Tool], original: str, work: str,
                versions: dict[str, str], source: str, state: str | None, notes: list[str]) -> int:
    tree_name = os.path.basename(original.rstrip(os.sep))
    copy_at = fresh_dir(os.path.join(work, "tree"))
    print(f"copying {original} to {copy_at}", file=sys.stderr, flush=True)
    tree = copy_tree(original, copy_at)
    edited_path = os.path.join(work, "helper.edited")
    helper = prepare_helper_in_child(tree, args.helper, edited_path)
    if helper is None:
        notes.append(f"No module of the tree is imported by {MIN_IMPORTERS} others and has a function they use: "
                     f"the edited-helper scenario did not run.")
        print(f"no helper module with {MIN_IMPORTERS} importers: the edited-helper scenario is skipped",
              file=sys.stderr)
    else:
        print(f"helper: {helper.path} ({helper.module}): imported by {helper.importers} other modules, "
              f"{helper.users} of them use some of its {helper.functions} top-level functions",
              file=sys.stderr, flush=True)
    helper_file = os.path.join(tree, helper.path) if helper else None
    edited_text = function_text = None
    if helper_file is not None:
        with open(edited_path, "rb") as f:
            edited_text = f.read()
        if helper.top_function:
            with open(edited_path + ".function", "rb") as f:
                function_text = f.read()
    edits = {REF_EDITED: edited_text, SEC_EDITED: edited_text, REF_EDITED_FN: function_text,
             SEC_EDITED_FN: function_text}
    interval = args.sample_interval / 1000

    def show(tool: Tool, run: Run, round_text: str) -> None:
        print(f"{round_text}  {tool.label:<26} {run.wall:7.2f} s  {run.maxrss_kib / 1024:7.1f} MiB largest  "
              f"{run.sum_rss_kib / 1024:7.1f} MiB summed", file=sys.stderr, flush=True)

    floors = []
    load_before = loadavg()
    # The references: --jobs 1 --no-cache, each with its own empty cache directory (which should stay empty).
    for key in (REF_UNEDITED, REF_EDITED, REF_EDITED_FN):
        if key != REF_UNEDITED and edits[key] is None:
            continue
        tool = tools[key]
        cache = fresh_dir(os.path.join(work, f"cache-{key}"))
        if key != REF_UNEDITED:
            with EditedFile(helper_file, edits[key]):
                run = run_once(tool, tree, work, "ref", 0, cache, interval)
        else:
            run = run_once(tool, tree, work, "ref", 0, cache, interval)
        tool.runs.append(run)
        show(tool, run, "reference")
        files, size = dir_size(cache)
        if files:
            tool.notes.append(f"{tool.label}: left {files} file{'s' * (files > 1)} ({size / 2**20:.1f} MiB) in its cache directory.")
        shutil.rmtree(cache, ignore_errors=True)

    cache_sizes = []
    for round_ in range(1, args.repeat + 1):
        floors.append(floor_kib(work))
        cache = fresh_dir(os.path.join(work, f"cache-round{round_}"))
        text = f"round {round_}/{args.repeat}"
        warm_copy = os.path.join(work, f"cache-round{round_}-function")
        for key in (SEC_EMPTY, SEC_WARM, SEC_EDITED, SEC_EDITED_FN, "bandit", "ruff"):
            tool = tools[key]
            if key in (SEC_EDITED, SEC_EDITED_FN):
                if edits[key] is None:
                    continue
                # each edited scenario starts from the cache warm from the unedited tree
                use = warm_copy if key == SEC_EDITED_FN else cache
                with EditedFile(helper_file, edits[key]):
                    run = run_once(tool, tree, work, f"run{round_}", round_, use, interval)
            else:
                run = run_once(tool, tree, work, f"run{round_}", round_, cache, interval)
            tool.runs.append(run)
            show(tool, run, text)
            if key == SEC_EMPTY:
                cache_sizes.append(dir_size(cache))
            if key == SEC_WARM and edits[SEC_EDITED_FN] is not None:
                shutil.rmtree(warm_copy, ignore_errors=True)
                shutil.copytree(cache, warm_copy, symlinks=True)
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(warm_copy, ignore_errors=True)

    # Everything below may grow this process; no more measurements.
    facts = count_findings(tools)
    py_files, py_lines = count_python(tree)
    checks = check_findings(tools)
    if tools[REF_EDITED].runs:
        same, detail = compare_findings(
            *(normalise_findings(load_json(tools[k].runs[0].out), tools[k].runs[0].tree) for k in (REF_EDITED, REF_UNEDITED)))
        notes.append("The edit changes no finding of the reference (no finding's trace passes through the helper): "
                     "the edited-helper check would catch findings lost or added, not stale line numbers from "
                     "the helper." if same else
                     f"The edit changes the reference's findings: edited against unedited, {detail}.")
    files = [f for f, _ in cache_sizes]
    if max(files) == 0:
        notes.append("The empty-cache runs left nothing in the cache directory: this secreview keeps no cache, "
                     "so the warm-cache and edited-helper runs did the whole work again.")
    else:
        notes.append(f"The empty-cache run left {spread(files)} file{'' if files == [1] * len(files) else 's'} "
                     f"({', '.join(sorted({f'{s / 2**20:.1f}' for _, s in cache_sizes}))} MiB) in the cache "
                     f"directory that the warm-cache and edited-helper runs of its round used.")
    if helper is not None:
        notes.append(f"Edited helper: `{helper.path}` (`{helper.module}`), imported by {helper.importers} other "
                     f"modules of the tree, {helper.users} of which use some of its {helper.functions} top-level "
                     f"functions; the edit inserts a {len(EDIT_LINES)}-line function after its docstring, which "
                     f"moves every later line.")

    if state is not None and src_state() != state:
        source = (f"`{source}` at the start, `{secreview_source()}` at the end: the sources changed during the "
                  f"runs, so the runs may have measured different versions (`--secreview-at REV` pins them)")
        print(f"WARNING: secreview's sources changed during the runs ({source})", file=sys.stderr)
    else:
        source = f"`{source}`"
    sampling = (f"every {args.sample_interval:g} ms from "
                + ("`/proc/<pid>/task/*/children`" if children_files_work() else "the parent ids in `/proc/*/stat`"))
    ctx = Context(tree_name, py_files, py_lines, max(floors), versions, source, (load_before, loadavg()), helper,
                  facts, checks, notes, sampling)

    print(f"\n{tree_name}: {py_files} .py files, {py_lines} lines; {args.repeat} round{'s' * (args.repeat > 1)}\n")
    print(text_table(HEADER, rows(tools)))
    if "secreview_note" in facts:
        print(f"  {str(facts['secreview_note']).replace('`', '')}")
    for t in tools.values():
        for note in t.notes:
            print(f"  {note.replace('`', '')}")
    for note in notes:
        print(f"  {note.replace('`', '')}")
    print(f"  ru_maxrss floor (RSS of this script, counted into every child): {ctx.floor_kib / 1024:.1f} MiB")
    print(f"  summed RSS sampled {sampling.replace('`', '')}")
    print(f"  1-minute load average: {ctx.load[0]} before, {ctx.load[1]} after ({nproc()} CPUs)")
    print("\nfindings against --jobs 1 --no-cache on the same tree:")
    for line in check_lines(checks) or ["nothing to check"]:
        print(f"  {line}")
    print(f"\ncommand: {shown_invocation(args.argv, None)}")
    print("commands run (<tree> is the copy; <cache dir> the round's cache directory):")
    for line in command_lines(tools):
        print(f"  {line}")
    print()
    print(text_table(RUN_HEADER, run_rows(tools)))

    if args.markdown:
        existing = None
        if os.path.exists(args.markdown):
            with open(args.markdown, encoding="utf-8") as f:
                existing = f.read()
        text = merge_preserved(markdown(args, tools, ctx), existing)
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"\nwrote {args.markdown}", file=sys.stderr)
    mismatch = any(not c.ok for c in checks)
    if mismatch:
        print("MISMATCH: some secreview runs' findings differ from --jobs 1 --no-cache on the same tree",
              file=sys.stderr)
    return EXIT_TOOL_FAILED if mismatch and args.check_identical else 0


if __name__ == "__main__":
    sys.exit(main())
