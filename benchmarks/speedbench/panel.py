"""Panel mode (``--panel FILE``): the targets of a panel of trees, measured in one run.

For each tree of the panel, in the panel's order (all rounds of one tree, then the next):

* with ``--check-identical``, first a reference run, ``--jobs 1 --no-cache``, whose findings every other
  secreview run on the tree must reproduce;
* ``--repeat`` rounds, each an A/B pair -- secreview with an empty cache and the default jobs (A), bandit
  (B) -- run A then B in odd rounds and B then A in even ones, so that a slow drift of the machine
  affects both sides of a pair alike and cancels in the pair's ratio; then, in the same round, secreview
  with the cache A left (warm, the tree unchanged), and secreview ``--jobs 1`` with an empty cache;
* with ``[change-review]`` in the panel, ``benchmarks/change_review.py`` on that tree (a one-file change
  reviewed by ``secreview diff``, empty then warm cache);
* with ``--profile NAME``, two more runs of ``--jobs 1 --no-cache`` on that tree, not timed: one under
  cProfile, one under tracemalloc (``profile_child``).

Every secreview run has ``SECREVIEW_TIMINGS=1``: the phases its workers print on stderr are on the page.
Measured per run (``measure``): wall time, CPU time, the peak RSS of the largest process (``ru_maxrss``
from ``wait4``, as GNU ``time``'s ``%M``), the sampled peak of the summed RSS of all its processes.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

from speedbench.common import BENCHMARKS, EXIT_TOOL_FAILED, fail, fresh_dir, load_json
from speedbench.findings import check_findings, count_findings
from speedbench.machine import loadavg
from speedbench.measure import floor_kib
from speedbench.panel_file import Panel, PanelTree, find_tree
from speedbench.scenarios import bandit_tool
from speedbench.timings import Clock, parse_timings
from speedbench.tools import SecreviewCommand, Tool, run_once
from speedbench.trees import copy_tree, count_python, download_sdist, unpack_sdist

EMPTY, WARM, JOBS1, BANDIT, REFERENCE = "empty", "warm", "jobs1", "bandit", "reference"
LABELS = {
    EMPTY: "secreview, empty cache",
    WARM: "secreview, warm cache",
    JOBS1: "secreview --jobs 1, empty cache",
    BANDIT: "bandit",
    REFERENCE: "reference, --jobs 1 --no-cache",
}


@dataclass
class ChangeResult:
    """What ``change_review.py --json`` wrote."""

    tree: str  # the panel tree's label
    file: str
    files: int
    cold: list[float]
    warm: list[float]


@dataclass
class TreeResult:
    tree: PanelTree
    py_files: int = 0
    py_lines: int = 0
    tools: dict[str, Tool] = field(default_factory=dict)  # EMPTY, WARM, JOBS1, BANDIT (, REFERENCE)
    order: list[list[str]] = field(default_factory=list)  # per round, the keys in the order they ran
    floor_kib: int = 0
    load: tuple[str, str] = ("?", "?")
    clocks: list[list[Clock]] = field(default_factory=list)  # per round: the empty-cache run's timings
    checks: list = field(default_factory=list)
    profile_cpu: dict | None = None
    profile_memory: dict | None = None
    profile_memory_rss_kib: int = 0  # ru_maxrss of the tracemalloc run (tracemalloc's own tables included)
    copy: str = ""  # the benchmark's copy of the tree, which every run reviewed


@dataclass
class PanelResult:
    panel: Panel
    trees: list[TreeResult]
    change: ChangeResult | None = None
    command: str = ""
    panel_path: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    source: str = ""
    repeat: int = 0
    machine: dict[str, str] = field(default_factory=dict)  # filled by the caller, rendered as given
    notes: list[str] = field(default_factory=list)


def locate(tree: PanelTree, sdists: str | None, cache_dir: str) -> str:
    """The unpacked tree: a folder under ``sdists``, or an archive there unpacked, or a download."""
    found = find_tree(tree, sdists)
    if found is not None and found[0] == "dir":
        return os.path.abspath(found[1])
    archive = os.path.abspath(found[1]) if found is not None else download_sdist(tree.spec, cache_dir)
    return unpack_sdist(archive, cache_dir)


def secreview_tools(sec: SecreviewCommand, extra: list[str], reference: bool) -> dict[str, Tool]:
    base = [*sec.argv, "review", "{tree}", "--format", "json", "--output", "{out}"]
    base += [f for f in ("--exit-zero", "--no-progress") if sec.knows(f)]
    if not (sec.knows("--cache-dir") and sec.knows("--jobs") and sec.knows("--no-cache")):
        fail("panel mode needs a secreview with --cache-dir, --jobs and --no-cache", EXIT_TOOL_FAILED)
    env = dict(sec.env if sec.env is not None else os.environ)
    env["SECREVIEW_TIMINGS"] = "1"
    prefix = sec.shown_prefix + "SECREVIEW_TIMINGS=1 "
    cached = [*base, "--cache-dir", "{cache}", *extra]

    def tool(key: str, argv: list[str], ref: str | None) -> Tool:
        return Tool(key, LABELS[key], "secreview", argv, frozenset({0}), env=env, shown_prefix=prefix,
                    reference=ref)

    ref = REFERENCE if reference else None
    tools = {EMPTY: tool(EMPTY, cached, ref), WARM: tool(WARM, cached, ref),
             JOBS1: tool(JOBS1, [*cached, "--jobs", "1"], ref)}
    if reference:
        tools[REFERENCE] = tool(REFERENCE, [*base, *extra, "--jobs", "1", "--no-cache"], None)
    return tools


def round_order(round_: int) -> list[str]:
    """The runs of a round: the A/B pair (secreview first in odd rounds, bandit first in even ones), then
    the warm run (which needs the cache the empty-cache run left) and ``--jobs 1``."""
    pair = [EMPTY, BANDIT] if round_ % 2 else [BANDIT, EMPTY]
    return [*pair, WARM, JOBS1]


def show(tree: str, tool: Tool, round_text: str) -> None:
    run = tool.runs[-1]
    print(f"{tree:<14} {round_text:<9} {tool.label:<32} {run.wall:8.2f} s  {run.cpu:8.2f} s CPU  "
          f"{run.maxrss_kib / 1024:7.1f} MiB largest  {run.sum_rss_kib / 1024:7.1f} MiB summed",
          file=sys.stderr, flush=True)


def measure_tree(args: argparse.Namespace, sec: SecreviewCommand, tree: PanelTree, original: str, work: str,
                 interval: float) -> TreeResult:
    """Every measured run of one tree (reference, rounds); reports are read later."""
    result = TreeResult(tree)
    result.tools = secreview_tools(sec, shlex.split(args.secreview_args), args.check_identical)
    result.tools[BANDIT] = bandit_tool(args.bandit, BANDIT, LABELS[BANDIT])
    base = fresh_dir(os.path.join(work, tree.name))
    print(f"copying {original}", file=sys.stderr, flush=True)
    copy = copy_tree(original, fresh_dir(os.path.join(base, "tree")))
    result.load = (loadavg(), "?")
    floors = []
    if REFERENCE in result.tools:
        cache = fresh_dir(os.path.join(base, "cache-reference"))
        result.tools[REFERENCE].runs.append(run_once(result.tools[REFERENCE], copy, base, "ref", 0, cache, interval))
        show(tree.name, result.tools[REFERENCE], "reference")
    for round_ in range(1, args.repeat + 1):
        floors.append(floor_kib(base))
        cache = fresh_dir(os.path.join(base, f"cache-round{round_}"))
        jobs1_cache = fresh_dir(os.path.join(base, f"cache-round{round_}-jobs1"))
        order = round_order(round_)
        result.order.append(order)
        for key in order:
            tool = result.tools[key]
            tool.runs.append(run_once(tool, copy, base, f"run{round_}", round_,
                                      jobs1_cache if key == JOBS1 else cache, interval))
            show(tree.name, tool, f"{round_}/{args.repeat}")
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(jobs1_cache, ignore_errors=True)
    result.floor_kib = max(floors)
    result.load = (result.load[0], loadavg())
    result.copy = copy
    return result


def read_tree(result: TreeResult) -> None:
    """After every run of the panel: findings, checks, timings, lines (all grow this process)."""
    count_findings(result.tools)
    result.checks = check_findings(result.tools)
    for run in result.tools[EMPTY].runs:
        stderr = run.out[: -len(".json")] + ".stderr"
        try:
            with open(stderr, encoding="utf-8", errors="replace") as f:
                result.clocks.append(parse_timings(f.read()))
        except OSError:
            result.clocks.append([])
    result.py_files, result.py_lines = count_python(result.tools[EMPTY].runs[0].tree)


def run_change_review(args: argparse.Namespace, sec: SecreviewCommand, tree: PanelTree, original: str,
                      work: str) -> ChangeResult:
    change = args.panel_data.change_review
    out = os.path.join(work, "change-review.json")
    argv = [sys.executable, os.path.join(BENCHMARKS, "change_review.py"), "--tree", original, "--file",
            change.file, "--repeat", str(change.repeat), "--secreview", shlex.join(sec.argv), "--json", out]
    print(f"change review: {shlex.join(argv)}", file=sys.stderr, flush=True)
    proc = subprocess.run(argv, env=sec.env, check=False)
    if proc.returncode != 0:
        fail(f"change review failed ({proc.returncode})", EXIT_TOOL_FAILED)
    data = load_json(out)
    return ChangeResult(tree.label, change.file, data["files"], data["cold"], data["warm"])


def run_profiles(sec: SecreviewCommand, result: TreeResult, work: str) -> None:
    """``--jobs 1 --no-cache`` under cProfile, then under tracemalloc (``profile_child``)."""
    child = os.path.join(os.path.dirname(os.path.abspath(__file__)), "profile_child.py")
    copy = result.copy
    env = dict(sec.env if sec.env is not None else os.environ)
    env.pop("SECREVIEW_TIMINGS", None)
    for mode in ("cpu", "memory"):
        out = os.path.join(work, result.tree.name, f"profile-{mode}.json")
        report = os.path.join(work, result.tree.name, f"profile-{mode}-report.json")
        argv = [sys.executable, child, mode, out, "--", "review", copy, "--format", "json", "--output", report,
                "--exit-zero", "--no-progress", "--jobs", "1", "--no-cache"]
        print(f"{result.tree.name}: {mode} profile", file=sys.stderr, flush=True)
        tool = Tool(f"profile-{mode}", f"profile {mode}", "profile", argv, frozenset({0}), env=env)
        run = run_once(tool, copy, os.path.join(work, result.tree.name), "profile", 0, None, 0)
        data = load_json(out)
        data["run_wall"] = run.wall
        if mode == "cpu":
            result.profile_cpu = data
        else:
            result.profile_memory = data
            result.profile_memory_rss_kib = run.maxrss_kib


def run_panel(args: argparse.Namespace, sec: SecreviewCommand, work: str, cache_dir: str) -> PanelResult:
    panel: Panel = args.panel_data
    located = {t.name: locate(t, args.sdists, cache_dir) for t in panel.trees}  # all before any run
    profiles = {p.lower() for p in args.profile}
    unknown = profiles - {"all"} - {t.name.lower() for t in panel.trees}
    if unknown:
        fail(f"--profile {', '.join(sorted(unknown))}: not a tree of the panel")
    interval = args.sample_interval / 1000
    results = []
    change = None
    for tree in panel.trees:
        result = measure_tree(args, sec, tree, located[tree.name], work, interval)
        results.append(result)
        if panel.change_review is not None and panel.change_review.tree == tree.name and not args.no_change_review:
            change = run_change_review(args, sec, tree, located[tree.name], os.path.join(work, tree.name))
        if "all" in profiles or tree.name.lower() in profiles:
            run_profiles(sec, result, work)
    for result in results:
        read_tree(result)
    return PanelResult(panel, results, change, repeat=args.repeat)


def write_json(result: PanelResult, path: str) -> None:
    """Every figure of the run, for other scripts (and for regenerating the page without running again)."""

    def runs(tool: Tool) -> list[dict]:
        return [{"round": r.round, "wall": r.wall, "cpu": r.cpu, "maxrss_kib": r.maxrss_kib,
                 "sum_rss_kib": r.sum_rss_kib, "exit_code": r.exit_code} for r in tool.runs]

    data = {
        "command": result.command, "source": result.source, "versions": result.versions, "repeat": result.repeat,
        "machine": result.machine, "targets": result.panel.targets,
        "trees": [{"name": t.tree.name, "version": t.tree.version, "py_files": t.py_files, "py_lines": t.py_lines,
                   "floor_kib": t.floor_kib, "load": list(t.load), "order": t.order,
                   "findings": {k: tool.findings for k, tool in t.tools.items()},
                   "runs": {k: runs(tool) for k, tool in t.tools.items()},
                   "checks": [{"label": c.label, "ok": c.ok, "details": c.details} for c in t.checks],
                   "timings": [[{"name": c.name, "phases": c.phases, "extra": c.extra} for c in clocks]
                               for clocks in t.clocks],
                   "profile_cpu": t.profile_cpu, "profile_memory": t.profile_memory}
                  for t in result.trees],
        "change_review": None if result.change is None else result.change.__dict__,
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
