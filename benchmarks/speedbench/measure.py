"""Running and measuring one command: wall time, CPU time, and peak memory.

Peak memory is measured two ways:

* ``ru_maxrss`` of the rusage ``os.wait4(pid, 0)`` returns for the tool's process -- what GNU ``time``
  prints as ``%M`` (it reads the same rusage): on Linux the largest resident set of that process and of
  the descendants it waited for (secreview's workers), the largest *single* process, not a sum;
* the peak of the *summed* ``VmRSS`` of the process and all its descendants, sampled from ``/proc`` by a
  thread of this process every few milliseconds.

The kernel counts the peak RSS of the launching process at ``exec`` into the child's ``ru_maxrss``, so a
figure is the larger of this process's own peak and the tool's: ``floor_kib`` measures that floor.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import threading
import time
from collections import defaultdict
from dataclasses import dataclass


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
    """Run ``argv``; wall seconds, exit code, rusages, and (``interval`` > 0) the sampled summed RSS.

    Linux counts this process's own peak RSS into the child's ``ru_maxrss`` (``floor_kib``), so
    call it from a process that stays small (the benchmark never reviews in-process)."""
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


def floor_kib(work: str) -> int:
    """ru_maxrss of ``true``: the part of every figure that is this script's own RSS."""
    true = shutil.which("true") or "/bin/true"
    path = os.path.join(work, "true.out")
    return measure([true], work, path, path).usage.ru_maxrss


