"""The tools the benchmark runs -- secreview, bandit, ruff -- and how one run of a tool is made and checked.

A ``Tool`` is one scenario: a command with ``{tree}``, ``{out}`` and ``{cache}`` placeholders, the exit
codes that mean success, and the runs measured so far.  Also: finding the flags a secreview knows (from
``secreview review --help``), the versions of the tools, and which secreview sources run
(``--secreview-at REV`` exports ``src/`` at REV so that edits of the checkout during the runs do not
change what is measured).
"""

from __future__ import annotations

import importlib.util
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass, field

from speedbench.common import (
    CACHE_PLACEHOLDER,
    EXIT_TOOL_FAILED,
    OUT_PLACEHOLDER,
    REPO,
    SAMPLE_MS,
    TREE_PLACEHOLDER,
    fail,
)
from speedbench.measure import Run, _cpu, measure


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



def export_sources(rev: str, work: str) -> tuple[str, str]:
    """Export ``src/`` of this repository at ``rev`` into ``work``, compiled to bytecode as an installed package
    is (pip compiles what it installs; run from a source tree where ``PYTHONDONTWRITEBYTECODE`` is set, as on the
    machines of these figures, every run would compile secreview's modules again: about 0.3 s of a warm change
    review of neutron); the commit and the exported ``src`` path."""
    try:
        commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--verify", f"{rev}^{{commit}}"],
                                capture_output=True, text=True, check=True).stdout.strip()
        archive = os.path.join(work, "src.tar")
        subprocess.run(["git", "-C", REPO, "archive", "--format=tar", "-o", archive, commit, "src"], check=True)
        subprocess.run(["tar", "-xf", archive, "-C", work], check=True)
        os.remove(archive)
        subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(work, "src")], check=True)
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




@dataclass
class SecreviewCommand:
    """How secreview is run: the command, its environment, its ``review --help`` and the prefix the pages show."""

    argv: list[str]
    env: dict[str, str] | None
    help: str
    shown_prefix: str = ""

    def knows(self, flag: str) -> bool:
        return knows(self.help, flag)


def secreview_command(command: str, pinned_src: str | None = None, at: str | None = None) -> SecreviewCommand:
    """``command`` (shell words), or ``python -m secreview`` from ``pinned_src`` (``--secreview-at``);
    fails unless ``review --help`` answers and lists ``--format`` and ``--output``."""
    if pinned_src is not None:  # run the exported sources, not whatever the checkout holds right now
        argv = [sys.executable, "-m", "secreview"]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (pinned_src, os.environ.get("PYTHONPATH")) if p)
        prefix = f"PYTHONPATH=<src/ at {at}> "
    else:
        argv = shlex.split(command)
        env = absolute_pythonpath(dict(os.environ))
        prefix = ""
    help_ = help_text(argv, env)
    if not help_:
        fail(f"cannot run `{command if pinned_src is None else 'python -m secreview'} review --help`",
             EXIT_TOOL_FAILED)
    for flag in ("--format", "--output"):
        if not knows(help_, flag):
            fail(f"`{command} review` has no {flag} option", EXIT_TOOL_FAILED)
    return SecreviewCommand(argv, env, help_, prefix)
