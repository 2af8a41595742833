"""Markdown and text rendering of the single-tree benchmark (``--tree``, ``--sdist``, ``--package``): the
tables, the commands, the checks and the page ``--markdown`` writes.  The panel's page is ``panel_page``."""

from __future__ import annotations

import platform
import shlex
from dataclasses import dataclass

from speedbench.common import CACHE_PLACEHOLDER, OUT_PLACEHOLDER, TREE_PLACEHOLDER
from speedbench.findings import Check
from speedbench.helper import Helper
from speedbench.machine import cpu_model, mem_total, nproc
from speedbench.tools import Tool

REPRODUCE = "python benchmarks/speed.py --repeat 3 --check-identical --markdown FILE"
PRESERVE_MARKER = "<!-- hand-kept sections below are preserved by benchmarks/speed.py -->"


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

    def fmt(row: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

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


