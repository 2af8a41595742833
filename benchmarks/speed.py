#!/usr/bin/env python3
"""Speed benchmark: secreview, bandit and ruff (``S`` rules) on one large source tree.

Usage::

    python benchmarks/speed.py [--repeat N] [--markdown FILE] [--check-identical]
        [--tree DIR | --sdist FILE | --package SPEC] [--cache-dir DIR]
        [--secreview-args ARGS] [--secreview CMD] [--bandit CMD] [--ruff CMD]
        [--secreview-at REV] [--out-dir DIR] [--warm-cache]

The tree is, by default, the ``neutron`` 29.0.0 sdist from PyPI (about 2,100
Python files, 440,000 lines), fetched with ``pip download --no-deps
--no-binary :all: neutron==29.0.0`` into a cache directory and unpacked
there; ``--sdist FILE`` unpacks a local sdist instead and ``--tree DIR`` uses
an unpacked tree as it is.  Nothing in secreview may key on the tree.

Each tool runs ``--repeat`` times (default 3) on the same tree, in rounds
(secreview, bandit, ruff; secreview, bandit, ruff; ...) so that slow drift of
the machine affects all three alike:

* ``secreview review <tree> --format json --output <out> --exit-zero --no-progress``
  (flags that ``secreview review --help`` does not list are left out; extra
  arguments come from ``--secreview-args``; ``--secreview-at REV`` runs
  ``python -m secreview`` from ``src/`` of this repository at commit REV,
  exported to a temporary directory, instead of the checkout, whose files
  other work may change while the benchmark runs -- the script warns when
  they did);
* ``bandit -r <tree> -f json -o <out> -q`` (exit status 1 means "found
  issues" and is normal);
* ``ruff check --isolated --no-cache --select S --output-format json
  --exit-zero <tree>`` with its standard output sent to a file.

All three run in a fresh empty working directory.  ``--no-cache`` is added to
ruff (and to secreview, should ``secreview review --help`` ever list it) so
that every run does the full work: ruff otherwise keeps a ``.ruff_cache`` in
its working directory and answers repeated runs from it in a fraction of the
time.  ``--warm-cache`` leaves the flag out.

Measured, per run:

* wall time: ``time.perf_counter()`` from just before ``subprocess.Popen`` to
  just after ``os.wait4()`` returns;
* CPU time (user + system) and peak resident set size (``ru_maxrss``, KiB on
  Linux) from the rusage ``os.wait4(pid, 0)`` returns for the tool's process.
  On Linux that rusage covers the process and the descendants it waited for,
  and its ``ru_maxrss`` is the *largest single process* among them, not a sum:
  for a tool that forks workers it is the biggest worker (or the parent),
  never the total.  secreview, bandit and ruff each run as one process here
  (ruff's threads share one address space), so it is the tool's peak;
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
little and reads no report until all runs are done) and measures it by running
``true`` at the start of each round.

Afterwards it counts the findings in each JSON report (secreview: ``findings``
and ``problems``; bandit: ``results``, and ``errors`` for files it could not
scan; ruff: the list) and the ``.py`` files and their lines in the tree, and
prints a table: median / min / max wall time, median CPU time, peak RSS
(largest over the runs), findings, and the ratio of each tool's median wall
time to bandit's.  It also records the 1-minute load average before and after
the runs: on a busy machine the wall times grow, the CPU times much less.
``--markdown FILE`` writes the same table with the exact commands, the
machine and the tool versions (no timestamps, so that the file only changes
when the numbers do).  ``--check-identical`` also requires all secreview
reports to be byte-identical.

Exit status: 0; 1 when a tool fails or ``--check-identical`` fails; 2 on bad
arguments (no tree, download failure).
"""

from __future__ import annotations

import argparse
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
import time
from dataclasses import dataclass, field

DEFAULT_PACKAGE = "neutron==29.0.0"
TREE_PLACEHOLDER = "<tree>"
OUT_PLACEHOLDER = "<out.json>"
EXIT_TOOL_FAILED = 1
EXIT_USAGE = 2
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPRODUCE = "python benchmarks/speed.py --repeat 3 --markdown docs/performance.md"


# --------------------------------------------------------------------------
# data


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds, wait4 rusage
    maxrss_kib: int  # wait4 ru_maxrss
    children_cpu: float  # RUSAGE_CHILDREN user + system delta over the run
    children_maxrss_kib: int  # RUSAGE_CHILDREN ru_maxrss after the run (session high-water mark)
    exit_code: int
    out: str  # the report file


@dataclass
class Tool:
    name: str
    argv: list[str]  # with the real tree and a "{out}" placeholder for the report
    ok_codes: frozenset[int]
    stdout_is_report: bool = False
    env: dict[str, str] | None = None  # None: this script's environment
    shown_prefix: str = ""  # e.g. "PYTHONPATH=<src/ of REV> ", for the shown command
    version: str = "unknown"
    runs: list[Run] = field(default_factory=list)
    findings: str = "?"  # rendered count
    notes: list[str] = field(default_factory=list)

    def command(self, tree: str, out: str) -> list[str]:
        return [a.replace("{tree}", tree).replace("{out}", out) for a in self.argv]

    def shown(self) -> str:
        """The command as run, with the tree and report paths as placeholders."""
        argv = ["python" if a == sys.executable else a for a in self.command(TREE_PLACEHOLDER, OUT_PLACEHOLDER)]
        text = self.shown_prefix + shlex.join(argv)
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
    def peak_mib(self) -> float:
        return max(r.maxrss_kib for r in self.runs) / 1024


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
# measuring


def _cpu(ru: resource.struct_rusage) -> float:
    return ru.ru_utime + ru.ru_stime


def measure(argv: list[str], cwd: str, stdout_path: str, stderr_path: str, env: dict[str, str] | None = None,
            ) -> tuple[float, int, resource.struct_rusage, resource.struct_rusage, resource.struct_rusage]:
    """Run ``argv``; wall seconds, exit code, wait4 rusage, RUSAGE_CHILDREN before and after."""
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
    return wall, proc.returncode, usage, before, after


def run_once(tool: Tool, tree: str, work: str, label: str) -> Run:
    out = os.path.join(work, f"{tool.name}-{label}.json")
    argv = tool.command(tree, out)
    stdout_path = out if tool.stdout_is_report else os.path.join(work, f"{tool.name}-{label}.stdout")
    stderr_path = os.path.join(work, f"{tool.name}-{label}.stderr")
    run_dir = os.path.join(work, f"cwd-{tool.name}-{label}")
    os.mkdir(run_dir)
    try:
        wall, code, usage, before, after = measure(argv, run_dir, stdout_path, stderr_path, tool.env)
    except OSError as err:
        fail(f"cannot run {tool.name} ({shlex.join(argv)}): {err}", EXIT_TOOL_FAILED)
    if code not in tool.ok_codes:
        with open(stderr_path, encoding="utf-8", errors="replace") as f:
            tail = f.read()[-3000:]
        fail(f"{tool.name} exited with {code}: {shlex.join(argv)}\n{tail}", EXIT_TOOL_FAILED)
    return Run(wall=wall, cpu=_cpu(usage), maxrss_kib=usage.ru_maxrss,
               children_cpu=_cpu(after) - _cpu(before), children_maxrss_kib=after.ru_maxrss,
               exit_code=code, out=out)


def floor_kib(work: str) -> int:
    """ru_maxrss of ``true``: the part of every figure that is this script's own RSS."""
    true = shutil.which("true") or "/bin/true"
    path = os.path.join(work, "true.out")
    _, _, usage, _, _ = measure([true], work, path, path)
    return usage.ru_maxrss


# --------------------------------------------------------------------------
# reading the reports (only after all runs: parsing them grows this process)


def load_json(path: str):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def spread(values: list[int]) -> str:
    lo, hi = min(values), max(values)
    return str(lo) if lo == hi else f"{lo}–{hi}"


def count_findings(tools: dict[str, Tool]) -> dict[str, object]:
    facts: dict[str, object] = {}
    if (t := tools.get("secreview")) is not None:
        reports = [load_json(r.out) for r in t.runs]
        findings = [len(d.get("findings", [])) for d in reports]
        problems = [len(d.get("problems", [])) for d in reports]
        t.findings = f"{spread(findings)} ({spread(problems)} problems)"
        summary = reports[0].get("summary", {})
        facts["secreview_files"] = summary.get("files_reviewed")
        facts["secreview_lines"] = summary.get("lines_reviewed")
        t.notes.append(f"secreview reviewed {summary.get('files_reviewed')} files, "
                       f"{summary.get('lines_reviewed')} lines; `problems` lists files not (or only partly) reviewed.")
    if (t := tools.get("bandit")) is not None:
        reports = [load_json(r.out) for r in t.runs]
        results = [len(d.get("results", [])) for d in reports]
        errors = [len(d.get("errors", [])) for d in reports]
        t.findings = spread(results)
        t.notes.append(f"bandit: {spread(errors)} files in `errors` (not scanned); exit status "
                       f"{spread([r.exit_code for r in t.runs])} (1 = issues found).")
    if (t := tools.get("ruff")) is not None:
        t.findings = spread([len(load_json(r.out)) for r in t.runs])
    return facts


def identical(runs: list[Run]) -> tuple[bool, list[str]]:
    digests = [sha256_file(r.out) for r in runs]
    return len(set(digests)) == 1, digests


# --------------------------------------------------------------------------
# output


HEADER = ["tool", "median wall (s)", "min (s)", "max (s)", "median CPU (s)", "peak RSS (MiB)", "findings",
          "wall / bandit"]


def rows(tools: dict[str, Tool]) -> list[list[str]]:
    base = tools["bandit"].median_wall if "bandit" in tools else None
    table = []
    for t in tools.values():
        ratio = f"{t.median_wall / base:.2f}" if base else "n/a"
        table.append([t.name, f"{t.median_wall:.2f}", f"{min(t.walls):.2f}", f"{max(t.walls):.2f}",
                      f"{t.median_cpu:.2f}", f"{t.peak_mib:.1f}", t.findings, ratio])
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


def run_rows(tools: dict[str, Tool]) -> list[list[str]]:
    body = []
    for t in tools.values():
        for i, r in enumerate(t.runs, 1):
            body.append([t.name, str(i), f"{r.wall:.2f}", f"{r.cpu:.2f}", f"{r.maxrss_kib / 1024:.1f}",
                         f"{r.children_cpu:.2f}", f"{r.children_maxrss_kib / 1024:.1f}"])
    return body


RUN_HEADER = ["tool", "run", "wall (s)", "CPU (s)", "ru_maxrss (MiB)", "RUSAGE_CHILDREN CPU Δ (s)",
              "RUSAGE_CHILDREN ru_maxrss (MiB)"]


def shown_invocation(argv: list[str], tree: str | None) -> str:
    shown = []
    for a in argv:
        shown.append("<unpacked tree>" if tree is not None and a == tree else a)
    return "python benchmarks/speed.py " + " ".join(shlex.quote(a) if a != "<unpacked tree>" else a for a in shown)


def markdown(args, tools: dict[str, Tool], tree_name: str, py_files: int, py_lines: int, floor: int,
             versions: dict[str, str], source: str, same: bool | None, load: tuple[str, str]) -> str:
    repeat = args.repeat
    invocation = shown_invocation(sys.argv[1:], args.tree)
    out = [
        "# Performance",
        "",
        (f"How long secreview takes to review a large real code base, and how much memory it needs, next to "
        f"bandit and ruff's flake8-bandit rules (`--select S`). All three tools review the same tree "
        f"({tree_name}: {py_files} `.py` files, {py_lines} lines), {repeat} times each, in rounds within one "
        f"session; the table gives the wall time of each tool (median, min, max), its CPU time (user + "
        f"system; less sensitive than wall time to other work on the machine), the peak resident set "
        f"size of its process (largest over the runs), the number of findings it reported, and its median "
        f"wall time relative to bandit's. The tools do different amounts of work (secreview follows data "
        f"flow; bandit and ruff match patterns in the syntax tree), so the findings are counts, not a "
        f"comparison of quality. Reproduce with:"),
        "",
        "```sh",
        REPRODUCE,
        "```",
        "",
        (f"which downloads the `{args.package}` sdist from PyPI (`--sdist FILE` or `--tree DIR` use a local copy). "
        f"This page was generated by `benchmarks/speed.py` (see its docstring for the method) with "
        f"`{invocation}`; do not edit it by hand."),
        "",
        "## Results",
        "",
        md_table(HEADER, rows(tools)),
        "",
    ]
    for t in tools.values():
        out += [f"- {n}" for n in t.notes]
    if same is not None:
        out.append(f"- The {len(tools['secreview'].runs)} secreview reports were "
                   f"{'byte-identical' if same else 'NOT byte-identical'} (`--check-identical`).")
    out += [
        "",
        "## Commands",
        "",
        (f"Each run in a fresh empty working directory; `{TREE_PLACEHOLDER}` is the unpacked tree, "
        f"`{OUT_PLACEHOLDER}` a file in a temporary directory."),
        "",
        "```sh",
        *[t.shown() for t in tools.values()],
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
        (f"- 1-minute load average: {load[0]} before the runs, {load[1]} after (with {nproc()} CPUs, a load "
         f"above that number means the tools waited for a CPU and their wall time exceeds their CPU time)"),
        f"- Python: {platform.python_version()} ({platform.python_implementation()}) runs this script",
        *[f"- `{name} --version`: {v}" for name, v in versions.items()],
        f"- secreview sources: commit {source}",
        f"- Tree: {tree_name}; {py_files} `.py` files, {py_lines} lines",
        "",
        "## Memory: what the numbers mean",
        "",
        ("- *peak RSS* and *ru_maxrss* are the `ru_maxrss` of the rusage `os.wait4(pid, 0)` returns for the "
        "tool's process: on Linux, the largest resident set of that process and of the descendants it "
        "waited for — the largest *single* process, not a sum. Each tool here runs as one process (ruff's "
        "threads share its address space), so this is the tool's peak."),
        ("- *RUSAGE_CHILDREN CPU Δ* is the change of `resource.getrusage(RUSAGE_CHILDREN)` user + system time "
        "over the run: the CPU of every descendant reaped meanwhile. It matches *CPU* (the wait4 figure) when "
        "the tool leaves no orphaned processes behind."),
        ("- *RUSAGE_CHILDREN ru_maxrss* is a high-water mark over all children of the benchmark so far (a "
        "maximum, not a sum): it says something about a run only when it rises."),
        (f"- Linux counts the peak RSS of the launching process at `exec` into the child's `ru_maxrss`, so each "
         f"figure is the larger of the benchmark script's own peak RSS — {floor / 1024:.1f} MiB here (`ru_maxrss` "
         f"of `true`, largest over the rounds) — and the tool's peak. A figure above that floor is the tool's own "
         f"peak; one at the floor only says the tool needed no more. The script reads no report until all runs "
         f"are done, so the floor stays put."),
        "",
        "## All runs",
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
    src.add_argument("--tree", metavar="DIR", help="an unpacked source tree to review")
    src.add_argument("--sdist", metavar="FILE", help="a source distribution (.tar.gz or .zip) to unpack and review")
    p.add_argument("--package", metavar="SPEC", default=DEFAULT_PACKAGE,
                   help=f"what to download with pip when neither --tree nor --sdist is given (default {DEFAULT_PACKAGE})")
    p.add_argument("--cache-dir", metavar="DIR", default=None,
                   help=f"where sdists are downloaded and unpacked (default {default_cache_dir()})")
    p.add_argument("--repeat", type=int, default=3, metavar="N", help="runs per tool (default 3)")
    p.add_argument("--markdown", metavar="FILE", help="write the results as markdown to FILE")
    p.add_argument("--check-identical", action="store_true",
                   help="fail unless all secreview JSON reports are byte-identical")
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
                   help="do not pass --no-cache to ruff (and secreview), so runs after the first may hit a cache")
    p.add_argument("--out-dir", metavar="DIR", help="keep the reports and logs in DIR (default: a temporary directory, removed)")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
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


def make_tools(args: argparse.Namespace, pinned_src: str | None = None) -> dict[str, Tool]:
    sec_env = None
    if pinned_src is not None:  # run the exported sources, not whatever the checkout holds right now
        sec = [sys.executable, "-m", "secreview"]
        sec_env = dict(os.environ)
        sec_env["PYTHONPATH"] = os.pathsep.join(p for p in (pinned_src, os.environ.get("PYTHONPATH")) if p)
    else:
        sec = shlex.split(args.secreview)
    help_ = help_text(sec, sec_env)
    if not help_:
        fail(f"cannot run `{args.secreview} review --help`", EXIT_TOOL_FAILED)
    for flag in ("--format", "--output"):
        if not knows(help_, flag):
            fail(f"`{args.secreview} review` has no {flag} option", EXIT_TOOL_FAILED)
    sec_argv = [*sec, "review", "{tree}", "--format", "json", "--output", "{out}"]
    sec_argv += [f for f in ("--exit-zero", "--no-progress") if knows(help_, f)]
    if not args.warm_cache and knows(help_, "--no-cache"):
        sec_argv.append("--no-cache")
    sec_argv += shlex.split(args.secreview_args)
    ruff_argv = [*shlex.split(args.ruff), "check", "--isolated"]
    ruff_argv += [] if args.warm_cache else ["--no-cache"]
    ruff_argv += ["--select", "S", "--output-format", "json", "--exit-zero", "{tree}"]
    return {
        "secreview": Tool("secreview", sec_argv, frozenset({0}), env=sec_env,
                          shown_prefix=f"PYTHONPATH=<src/ at {args.secreview_at}> " if sec_env else ""),
        "bandit": Tool("bandit", [*shlex.split(args.bandit), "-r", "{tree}", "-f", "json", "-o", "{out}", "-q"],
                       frozenset({0, 1})),
        "ruff": Tool("ruff", ruff_argv, frozenset({0}), stdout_is_report=True),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cache_dir = os.path.abspath(args.cache_dir or default_cache_dir())
    if args.tree:
        tree = os.path.abspath(args.tree)
        if not os.path.isdir(tree):
            fail(f"no such directory: {args.tree}")
    else:
        sdist = os.path.abspath(args.sdist) if args.sdist else download_sdist(args.package, cache_dir)
        tree = unpack_sdist(sdist, cache_dir)
    tree_name = os.path.basename(tree.rstrip(os.sep))

    work = os.path.abspath(args.out_dir) if args.out_dir else tempfile.mkdtemp(prefix="secreview-speed-")
    os.makedirs(work, exist_ok=True)
    snapshot = None
    try:
        if args.secreview_at:
            snapshot = tempfile.mkdtemp(prefix="secreview-src-")
            commit, pinned = export_sources(args.secreview_at, snapshot)
            source_before = f"{commit} (src/ exported from {args.secreview_at} with --secreview-at)"
        else:
            pinned = None
            source_before = secreview_source()
            state_before = src_state()
        tools = make_tools(args, pinned)
        sec = tools["secreview"]
        versions = {
            "secreview": tool_version(sec.argv[: sec.argv.index("review")], sec.env),
            "bandit": tool_version(shlex.split(args.bandit)),
            "ruff": first_line([*shlex.split(args.ruff), "--version"]),
        }
        return measure_all(args, tools, tree, tree_name, work, versions, source_before,
                           None if pinned else state_before)
    finally:
        if not args.out_dir:
            shutil.rmtree(work, ignore_errors=True)
        if snapshot is not None:
            shutil.rmtree(snapshot, ignore_errors=True)


def measure_all(args: argparse.Namespace, tools: dict[str, Tool], tree: str, tree_name: str, work: str,
                versions: dict[str, str], source: str, state: str | None) -> int:
    floors = []
    load_before = loadavg()
    for round_ in range(1, args.repeat + 1):
        floors.append(floor_kib(work))
        for tool in tools.values():
            run = run_once(tool, tree, work, f"run{round_}")
            tool.runs.append(run)
            print(f"round {round_}/{args.repeat}  {tool.name:<9}  {run.wall:7.2f} s  "
                  f"{run.maxrss_kib / 1024:7.1f} MiB", file=sys.stderr, flush=True)

    # Everything below may grow this process; no more measurements.
    count_findings(tools)
    py_files, py_lines = count_python(tree)
    same = None
    if args.check_identical:
        same, digests = identical(tools["secreview"].runs)
        if not same:
            print("secreview reports differ between runs: " + ", ".join(d[:12] for d in digests), file=sys.stderr)

    if state is not None and src_state() != state:
        source = (f"`{source}` at the start, `{secreview_source()}` at the end: the sources changed during the "
                  f"runs, so the runs may have measured different versions (`--secreview-at REV` pins them)")
        print(f"WARNING: secreview's sources changed during the runs ({source})", file=sys.stderr)
    else:
        source = f"`{source}`"
    floor = max(floors)
    load = (load_before, loadavg())
    print(f"\n{tree_name}: {py_files} .py files, {py_lines} lines; {args.repeat} runs per tool\n")
    print(text_table(HEADER, rows(tools)))
    for t in tools.values():
        for note in t.notes:
            print(f"  {note.replace('`', '')}")
    print(f"  ru_maxrss floor (RSS of this script, counted into every child): {floor / 1024:.1f} MiB")
    print(f"  1-minute load average: {load[0]} before, {load[1]} after ({nproc()} CPUs)")
    if same is not None:
        print(f"  secreview reports byte-identical across runs: {'yes' if same else 'NO'}")
    print("\ncommands:")
    for t in tools.values():
        print(f"  {t.shown()}")
    print()
    print(text_table(RUN_HEADER, run_rows(tools)))

    if args.markdown:
        text = markdown(args, tools, tree_name, py_files, py_lines, floor, versions, source, same, load)
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"\nwrote {args.markdown}", file=sys.stderr)
    return EXIT_TOOL_FAILED if same is False else 0


if __name__ == "__main__":
    sys.exit(main())
