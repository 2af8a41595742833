"""The page a panel run writes (``--panel ... --markdown docs/performance.md``), in full: nothing on it is
kept by hand.  Rendered from a ``PanelResult`` alone, so that a fixed set of measurements always gives
the same page (the tests render one)."""

from __future__ import annotations

import statistics

from speedbench.common import CACHE_PLACEHOLDER, OUT_PLACEHOLDER, TREE_PLACEHOLDER
from speedbench.panel import BANDIT, EMPTY, JOBS1, LABELS, REFERENCE, WARM, PanelResult, TreeResult
from speedbench.render import check_lines, command_lines, md_table
from speedbench.timings import phase_order

MET, NOT_MET = "met", "**not met**"


def mib(kib: float) -> str:
    return f"{kib / 1024:.0f}"


def median(values: list[float]) -> float:
    return statistics.median(values)


def pair_ratios(t: TreeResult) -> list[float]:
    """Per round, secreview's empty-cache wall time over bandit's of the same round (the A/B pair)."""
    return [a.wall / b.wall for a, b in zip(t.tools[EMPTY].runs, t.tools[BANDIT].runs, strict=True) if b.wall > 0]


def cpu_ratios(t: TreeResult) -> list[float]:
    """Per round, secreview's empty-cache CPU time (all its processes) over bandit's of the same round."""
    return [a.cpu / b.cpu for a, b in zip(t.tools[EMPTY].runs, t.tools[BANDIT].runs, strict=True) if b.cpu > 0]


def time_ratio(t: TreeResult) -> float:
    return median(pair_ratios(t))


def memory_ratio(t: TreeResult, key: str) -> float:
    return t.tools[key].median_maxrss_mib / t.tools[BANDIT].median_maxrss_mib


def verdict(ok: bool) -> str:
    return MET if ok else NOT_MET


def ratio_text(values: list[float]) -> str:
    return ", ".join(f"{v:.3f}" for v in values)


def targets_met(result: PanelResult) -> tuple[int, int, list[str]]:
    """How many targets the run met, of how many, and the ones it missed (for the summary)."""
    tg = result.panel.targets
    checks = []
    for t in result.trees:
        name = t.tree.name
        checks.append((time_ratio(t) <= tg["empty-cache-vs-bandit"],
                       f"{name}: empty cache {time_ratio(t):.2f} × bandit"))
        checks.append((t.tools[WARM].median_wall <= tg["warm-seconds"],
                       f"{name}: warm {t.tools[WARM].median_wall:.2f} s"))
        for key, label in ((EMPTY, "default jobs"), (JOBS1, "--jobs 1")):
            checks.append((memory_ratio(t, key) <= tg["peak-memory-vs-bandit"],
                           f"{name}: peak memory, {label}, {memory_ratio(t, key):.2f} × bandit"))
    if result.change is not None:
        warm = median(result.change.warm)
        checks.append((warm <= tg["change-review-warm-seconds"], f"change review, warm: {warm:.2f} s"))
    missed = [text for ok, text in checks if not ok]
    return len(checks) - len(missed), len(checks), missed


def time_table(result: PanelResult) -> str:
    tg = result.panel.targets
    header = ["tree", "`.py` files", "lines", "secreview, empty cache (s)", "bandit (s)",
              "empty / bandit, per pair", f"median ratio (≤ {tg['empty-cache-vs-bandit']:g} ×)",
              f"warm cache (s) (≤ {tg['warm-seconds']:g} s)", "CPU: empty cache / bandit", "warm cache, CPU (s)",
              "`--jobs 1`, empty cache (s)"]
    body = []
    for t in result.trees:
        ratio = time_ratio(t)
        warm = t.tools[WARM].median_wall
        body.append([t.tree.label, f"{t.py_files:,}", f"{t.py_lines:,}", f"{t.tools[EMPTY].median_wall:.2f}",
                     f"{t.tools[BANDIT].median_wall:.2f}", ratio_text(pair_ratios(t)),
                     f"{ratio:.3f} {verdict(ratio <= tg['empty-cache-vs-bandit'])}",
                     f"{warm:.2f} {verdict(warm <= tg['warm-seconds'])}", f"{median(cpu_ratios(t)):.3f}",
                     f"{t.tools[WARM].median_cpu:.2f}", f"{t.tools[JOBS1].median_wall:.2f}"])
    return "\n".join([
        md_table(header, body), "",
        ("Wall times are medians over the rounds; the ratio is the median of the rounds' ratios. *CPU: empty "
         "cache / bandit* is the same median for CPU time (user + system of all the tool's processes): it does "
         "not depend on how busy the machine was, and on an idle machine with as many free cores as secreview "
         "has workers, the wall-time ratio would be about this figure divided by the workers' parallelism.")])


def memory_table(result: PanelResult) -> str:
    tg = result.panel.targets["peak-memory-vs-bandit"]
    header = ["tree", "secreview, default jobs (MiB)", "secreview `--jobs 1` (MiB)", "bandit (MiB)",
              f"default jobs / bandit (≤ {tg:g} ×)", f"`--jobs 1` / bandit (≤ {tg:g} ×)",
              "secreview, summed over its processes (MiB)", "warm cache (MiB)"]
    body = []
    for t in result.trees:
        d, j = memory_ratio(t, EMPTY), memory_ratio(t, JOBS1)
        body.append([t.tree.label, f"{t.tools[EMPTY].median_maxrss_mib:.0f}", f"{t.tools[JOBS1].median_maxrss_mib:.0f}",
                     f"{t.tools[BANDIT].median_maxrss_mib:.0f}", f"{d:.2f} {verdict(d <= tg)}",
                     f"{j:.2f} {verdict(j <= tg)}", f"{t.tools[EMPTY].median_sum_mib:.0f}",
                     f"{t.tools[WARM].median_maxrss_mib:.0f}"])
    return md_table(header, body)


def change_table(result: PanelResult) -> list[str]:
    c = result.change
    if c is None:
        return []
    target = result.panel.targets["change-review-warm-seconds"]
    body = []
    for label, values, limit in (("empty cache", c.cold, None),
                                 ("warm cache (second edit of the same file)", c.warm, target)):
        verdict_text = "" if limit is None else verdict(median(values) <= limit)
        body.append([label, str(len(values)), f"{median(values):.2f}", f"{min(values):.2f}", f"{max(values):.2f}",
                     ", ".join(f"{v:.2f}" for v in values), (f"≤ {limit:g} s: {verdict_text}" if limit else "–")])
    return [
        "## Change review of a one-file change",
        "",
        (f"`benchmarks/change_review.py` on {c.tree} ({c.files:,} Python files): the tree is copied into a fresh "
         f"git repository with one commit; then, per run, a function passing a parameter to "
         f"`subprocess.call(..., shell=True)` is appended to `{c.file}` and `secreview diff` runs with an empty "
         f"cache directory (empty cache), then a second such function is appended and `secreview diff` runs "
         f"again with the cache the first run left (warm: the edit-review loop). Every run must report the "
         f"finding the edit adds."),
        "",
        md_table(["change review", "runs", "median wall (s)", "min", "max", "runs (s)", "target"], body),
        "",
    ]


def phases_section(result: PanelResult) -> list[str]:
    out = [
        "## Where the time goes: phases",
        "",
        ("Every secreview run had `SECREVIEW_TIMINGS=1`; each worker of the empty-cache review (default jobs) "
         "printed its CPU / wall seconds per phase. The round shown is the one whose empty-cache wall time is "
         "the median. `--jobs 1` runs in one process and prints none."),
        "",
    ]
    any_clock = False
    for t in result.trees:
        runs = t.tools[EMPTY].runs
        if not runs or not t.clocks:
            continue
        walls = [r.wall for r in runs]
        chosen = sorted(range(len(walls)), key=lambda i: walls[i])[(len(walls) - 1) // 2]
        clocks = t.clocks[chosen] if chosen < len(t.clocks) else []
        if not clocks:
            continue
        any_clock = True
        names = [f"{c.name.split()[0]} {i}" if c.name.split()[-1].isdigit() else c.name
                 for i, c in enumerate(clocks, 1)]
        body = []
        for phase in phase_order(clocks):
            row = [phase]
            for c in clocks:
                cpu, wall = c.phases.get(phase, (None, None))
                row.append("–" if cpu is None else f"{cpu:.2f} / {wall:.2f}")
            body.append(row)
        body.append(["**sum**", *[f"{c.cpu:.2f} / {c.wall:.2f}" for c in clocks]])
        if any(c.extra for c in clocks):
            body.append(["", *[c.extra for c in clocks]])
        out += [f"**{t.tree.label}**, round {chosen + 1} ({walls[chosen]:.2f} s wall, {runs[chosen].cpu:.2f} s "
                f"CPU for all processes):", "", md_table(["phase", *names], body), ""]
    if not any_clock:
        out += ["No secreview run printed timings (this secreview has no `SECREVIEW_TIMINGS`).", ""]
    return out


def profile_section(result: PanelResult) -> list[str]:
    profiled = [t for t in result.trees if t.profile_cpu or t.profile_memory]
    if not profiled:
        return []
    out = [
        "## Where the time and the memory go: profiles of `--jobs 1 --no-cache`",
        "",
        ("`--profile NAME` ran `secreview review <tree> --jobs 1 --no-cache` twice more, in one process, with "
         "`benchmarks/speedbench/profile_child.py`: under cProfile (deterministic; it slows the run about "
         "twofold, more so for small functions, so the shares matter, not the seconds), and under tracemalloc "
         "(one frame per allocation), whose snapshot is taken after the review with the review's objects kept "
         "alive, as the `secreview` command keeps them until it exits."),
        "",
    ]
    for t in profiled:
        out += [f"### {t.tree.label}", ""]
        cpu = t.profile_cpu
        if cpu:
            out += [f"cProfile: {cpu['wall']:.1f} s wall under the profiler, {cpu['total']:.1f} s of own time "
                    f"recorded.", ""]
            if cpu.get("stages"):
                out += [md_table(["stage", "function", "cumulative (s)", "share", "calls"],
                                 [[s, f"`{w}`", f"{ct:.2f}", f"{100 * ct / cpu['total']:.0f} %", f"{n:,}"]
                                  for s, w, ct, n in cpu["stages"]], right_from=2), ""]
            out += ["Functions with the most own time:", "", "```",
                    *[f"{tt:8.2f} s {100 * tt / cpu['total']:5.1f} %  {ct:8.2f} s cum  {nc:>10,}  {f}  {w}"
                      for f, w, tt, ct, nc in cpu["top"][:20]], "```", ""]
        mem = t.profile_memory
        if mem:
            keep = "" if mem.get("kept_alive") else (
                " (this secreview cannot be told to keep the review's objects: they "
                "may have been freed before the snapshot)")
            out += [(f"tracemalloc: {mem['traced_current'] / 2**20:.0f} MiB traced at the snapshot, peak "
                     f"{mem['traced_peak'] / 2**20:.0f} MiB; the process's peak RSS (`VmHWM`, tracemalloc's own "
                     f"tables included) {mem.get('vm_hwm_kib', 0) / 1024:.0f} MiB{keep}. Without tracemalloc, "
                     f"`--jobs 1` peaked at "
                     f"{t.tools[JOBS1].median_maxrss_mib:.0f} MiB (median of the rounds)."), "",
                    "By file:", "", "```",
                    *[f"{size / 2**20:8.1f} MiB {count:>10,} blocks  {where}" for where, size, count in mem["by_file"]],
                    "```", "", "By line:", "", "```",
                    *[f"{size / 2**20:8.1f} MiB {count:>10,} blocks  {where}" for where, size, count in mem["by_line"]],
                    "```", "",
                    "Live objects the garbage collector tracks, by type (count, shallow size; strings, numbers and "
                    "other untracked objects are not listed):", "", "```",
                    *[f"{n:>10,} {size / 2**20:8.1f} MiB  {kind}" for kind, n, size in mem["objects"]],
                    "```", ""]
    return out


def runs_table(t: TreeResult) -> str:
    header = ["round", "scenario", "wall (s)", "CPU (s)", "peak RSS, largest process (MiB)",
              "peak RSS, summed (MiB)", "samples", "processes"]
    body = []
    if REFERENCE in t.tools:
        for r in t.tools[REFERENCE].runs:
            body.append(["–", LABELS[REFERENCE], f"{r.wall:.2f}", f"{r.cpu:.2f}", f"{r.maxrss_kib / 1024:.1f}",
                         f"{r.sum_rss_kib / 1024:.1f}", str(r.samples), str(r.max_procs)])
    for i, order in enumerate(t.order, 1):
        for key in order:
            r = t.tools[key].runs[i - 1]
            body.append([str(i), LABELS[key], f"{r.wall:.2f}", f"{r.cpu:.2f}", f"{r.maxrss_kib / 1024:.1f}",
                         f"{r.sum_rss_kib / 1024:.1f}", str(r.samples), str(r.max_procs)])
    return md_table(header, body, right_from=2)


def render(result: PanelResult) -> str:
    tg = result.panel.targets
    met, total, missed = targets_met(result)
    names = ", ".join(t.tree.label for t in result.trees)
    m = result.machine
    out = [
        "# Performance",
        "",
        ("<!-- Generated by benchmarks/speed.py --panel; every line of this page is rewritten by the next run. "
         "Do not edit it by hand. -->"),
        "",
        (f"How long secreview takes to review large real code bases, and how much memory it needs, next to "
         f"Bandit, on the panel of `{result.panel_path}`: {names} (PyPI sdists). Every figure below comes from "
         f"one run of:"),
        "",
        "```sh",
        result.command,
        "```",
        "",
        (f"at secreview commit {result.source}, on {m.get('cpus', '?')} CPUs ({m.get('cpu', '?')}), "
         f"{m.get('memory', '?')} of memory. The machine was shared with other work: the 1-minute load average "
         f"per tree is in *Machine and versions*; wall times are noisy, CPU times and memory much less."),
        "",
        ("Earlier measurements, the analyses of where the time and memory go, and what each session changed "
         "are in [`performance-history.md`](performance-history.md), dated by session."),
        "",
        "## Method",
        "",
        (f"For each tree, {result.repeat} round{'s' * (result.repeat != 1)}. Each round is an A/B pair — "
         f"secreview with an empty cache directory and the default jobs (one worker per core), and "
         f"`bandit -r` — run secreview first in odd rounds and bandit first in even ones, so that a slow drift "
         f"of the machine weighs on both sides of a pair alike and cancels in the pair's ratio; the ratio on "
         f"the page is the median of the pairs' ratios. Then, in the same round, secreview with the cache the "
         f"empty-cache run left, on the unchanged tree (warm), and secreview `--jobs 1` with another empty "
         f"cache directory."),
        "",
        ("Wall time is measured from just before the tool starts to its exit; the peak memory of the largest "
         "process is the `ru_maxrss` that `wait4` returns for the tool's process — what GNU `time` prints as "
         "`%M` — which on Linux is the largest resident set of the process and of each worker it waited for, "
         "not a sum (the sum over all processes, sampled from `/proc`, is shown beside it). Medians are over "
         "the rounds."),
        "",
        "Targets (from the panel file):",
        "",
        f"- empty-cache review ≤ {tg['empty-cache-vs-bandit']:g} × bandit's wall time, on each tree;",
        f"- peak memory of the largest process ≤ {tg['peak-memory-vs-bandit']:g} × bandit's, with the default "
        f"jobs and with `--jobs 1`, on each tree;",
        f"- warm review of the unchanged tree ≤ {tg['warm-seconds']:g} s, on each tree;",
    ]
    if result.panel.change_review is not None:
        out.append(f"- `secreview diff` of a one-file change, warm cache ≤ {tg['change-review-warm-seconds']:g} s, "
                   f"on {result.panel.change_review.tree}.")
    out += [
        "",
        f"**{met} of {total} targets met.**" + (" Not met: " + "; ".join(missed) + "." if missed else ""),
        "",
        "## Time",
        "",
        time_table(result),
        "",
        "## Memory (peak RSS of the largest process)",
        "",
        memory_table(result),
        "",
        *change_table(result),
        *phases_section(result),
        *profile_section(result),
    ]
    checks = [c for t in result.trees for c in t.checks]
    if checks:
        out += ["## Same findings as `--jobs 1 --no-cache`", "",
                ("Each secreview run's `findings`, paths made relative to the tree and `fingerprint` left out, "
                 "against the reference run on the same tree (`--check-identical` fails the run on a mismatch):"),
                ""]
        for t in result.trees:
            out += [f"- {t.tree.label}:"] + [f"  - {line.strip()}" for line in check_lines(t.checks)]
        out.append("")
    out += ["## Findings", "",
            md_table(["tree", *[LABELS[k] for k in (EMPTY, WARM, JOBS1, BANDIT)]],
                     [[t.tree.label, *[t.tools[k].findings for k in (EMPTY, WARM, JOBS1, BANDIT)]]
                      for t in result.trees]),
            "",
            ("The tools do different work (secreview follows data flow; bandit matches patterns in the syntax "
             "tree): the counts are not a comparison of quality."),
            ""]
    first = result.trees[0].tools if result.trees else {}
    out += [
        "## Commands",
        "",
        (f"Each run in a fresh empty working directory; `{TREE_PLACEHOLDER}` is the benchmark's copy of the tree, "
         f"`{OUT_PLACEHOLDER}` a file in a temporary directory, `{CACHE_PLACEHOLDER}` the round's cache directory "
         f"(empty before the round's empty-cache run; the warm run uses what it left; `--jobs 1` has its own)."),
        "",
        "```sh",
        *command_lines(first),
        "```",
        "",
        "## Machine and versions",
        "",
        f"- CPUs: {m.get('cpus', '?')} (`nproc`), {m.get('cpu', '?')}; memory {m.get('memory', '?')}",
        f"- OS: {m.get('os', '?')}",
        f"- Python running the benchmark: {m.get('python', '?')}",
        *[f"- `{name} --version`: {v}" for name, v in result.versions.items()],
        f"- secreview sources: commit {result.source}",
        *[f"- {t.tree.label}: 1-minute load average {t.load[0]} before its runs, {t.load[1]} after"
          for t in result.trees],
        *[f"- {note}" for note in result.notes],
        "",
        "## Memory: what the numbers mean",
        "",
        ("- *largest process* is `ru_maxrss` from `wait4`: the largest resident set of the tool's process and of "
         "the descendants it waited for (secreview's workers) — one process, not a sum. It is what GNU `time "
         "-f %M` reports."),
        ("- *summed* is the largest sum of `VmRSS` over the tool's process and its descendants, sampled from "
         "`/proc` every few milliseconds: a short burst can be missed, and pages that forked workers share with "
         "their parent count once per process."),
        ("- Linux counts the launching process's peak RSS at `exec` into the child's `ru_maxrss`, so each figure "
         "is at least the benchmark script's own peak: " +
         ", ".join(f"{t.tree.name} {t.floor_kib / 1024:.1f} MiB" for t in result.trees) +
         " (`ru_maxrss` of `true`, largest over the rounds). A figure above it is the tool's own."),
        "",
        "## All runs",
        "",
        "In the order they ran; round – is the reference run.",
        "",
    ]
    for t in result.trees:
        out += [f"**{t.tree.label}**", "", runs_table(t), ""]
    return "\n".join(out).rstrip("\n") + "\n"
