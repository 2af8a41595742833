"""Measure ``secreview fleet`` on real repositories (issue 17, point 6).

    python benchmarks/fleet.py --panel benchmarks/panels/fleet-openstack.toml --sdists /work/bench/sdists \\
        --workers 1 2 --markdown docs/fleet-benchmark.md --json /tmp/fleet-bench.json

For the repositories of the panel (PyPI sdists, reviewed as the archives, unpacked on the worker):

1. *in one process, no Dask*: each repository reviewed by the fleet's own task function called
   directly, one after the other: the per-repository cost (wall and CPU seconds, lines) that the
   cost model in ``docs/fleet.md`` is built from;
2. *fleet, N workers* (each of ``--workers``): a ``LocalCluster`` of N processes on 127.0.0.1 and an
   empty store; cluster start, the run (``orchestrate.review_fleet``), lines per second, the time
   the workers spent in tasks, and the overhead per repository: N times the run's wall time,
   less the time in tasks, divided by the repositories. With one worker that is the time the
   worker was in no task of ours (scheduling, transfers, the client's store and reports); with
   more it also counts workers idle at the end of the run, waiting for the last repository;
3. *re-run, nothing changed*: the same store again (every key answered from it);
4. the store's size, and a no-op task's round trip on the same cluster.

The machine's load average is recorded before and after each part: other jobs change wall times
(CPU seconds much less).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path


def panel_sources(panel: Path, sdists: Path) -> list[str]:
    data = tomllib.loads(panel.read_text())
    by_norm = {re.sub(r"[-_.]+", "_", p.name.lower()): p for p in sdists.iterdir()}
    out = []
    for project in data["project"]:
        stem = re.sub(r"[-_.]+", "_", f"{project['name']}-{project['version']}".lower())
        found = [p for norm, p in by_norm.items() if norm.startswith(stem + "_tar") or norm.startswith(stem + "_zip")]
        if not found:
            sys.exit(f"{project['name']}=={project['version']}: no sdist in {sdists} "
                     f"(python benchmarks/get_sdists.py {sdists} --archives {project['name']}=={project['version']})")
        out.append(str(found[0]))
    return out


def load() -> str:
    a, b, c = os.getloadavg()
    return f"{a:.1f} / {b:.1f} / {c:.1f}"


def in_one_process(repos, settings) -> dict:
    from secreview.fleet.task import _warm_up, review_repository
    _warm_up()  # imports, as the fleet's workers are warmed before their run
    rows = []
    start = time.perf_counter()
    for repo in repos:
        outcome = review_repository(repo, settings)
        rows.append({"name": repo.name, "status": outcome["status"], "seconds": outcome["seconds"],
                     "cpu": outcome.get("cpu"), "lines": outcome.get("lines", 0), "files": outcome.get("files", 0),
                     "reason": outcome.get("reason")})
        print(f"  {repo.name}: {outcome['status']} {outcome['seconds']:.1f} s, cpu {outcome.get('cpu')}",
              file=sys.stderr, flush=True)
    return {"wall": time.perf_counter() - start, "repositories": rows}


def fleet_run(repos, settings, workers: int, store_dir: str, rerun: bool) -> dict:
    from secreview.fleet.orchestrate import Cluster, review_fleet
    from secreview.fleet.store import ResultStore
    part = {"workers": workers, "load_before": load()}
    store = ResultStore(store_dir)
    t0 = time.perf_counter()
    cluster = Cluster(workers=workers)
    client = cluster.__enter__()
    try:
        part["cluster_start"] = time.perf_counter() - t0
        # warm the workers' imports, as a long run amortises them (each worker imports the engine once)
        client.run(lambda: __import__("secreview.fleet.task").fleet.task._warm_up())
        t1 = time.perf_counter()
        results = review_fleet(client, repos, settings, store)
        part["run"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        client.gather(client.map(lambda i: i, range(500), pure=False))
        part["noop_task"] = (time.perf_counter() - t2) / 500
    finally:
        t3 = time.perf_counter()
        cluster.__exit__(None, None, None)
        part["cluster_stop"] = time.perf_counter() - t3
    part["load_after"] = load()
    rows = [{"name": r.repo.name, "status": r.status, "seconds": r.seconds, "cpu": r.cpu, "lines": r.lines,
             "key_seconds": r.key_seconds, "shares": r.shares, "reason": r.reason} for r in results]
    part["repositories"] = rows
    this_run = [r for r in rows if r["status"] == "reviewed"]
    part["lines"] = sum(r["lines"] for r in this_run)
    part["task_seconds"] = sum(r["seconds"] or 0 for r in this_run) + sum(r["key_seconds"] or 0 for r in rows)
    part["failed"] = [r for r in rows if r["status"] == "failed"]
    part["from_store"] = sum(r["status"] == "stored" for r in rows)
    part["overhead_per_repository"] = (part["run"] * workers - part["task_seconds"]) / len(rows)
    entries, size = store.size()
    part["store"] = {"entries": entries, "bytes": size}
    print(f"  {workers} workers{' (re-run)' if rerun else ''}: run {part['run']:.1f} s, "
          f"cluster start {part['cluster_start']:.1f} s, load {part['load_before']} -> {part['load_after']}",
          file=sys.stderr, flush=True)
    return part


def markdown(report: dict) -> str:
    base = report.get("one_process")
    if base is not None:
        rows = base["repositories"]
    else:  # the per-repository costs of the first fleet run (its tasks' own times)
        first = report["fleet"][0]
        rows = [dict(r, files=r.get("files", 0)) for r in first["repositories"]]
    lines = sum(r["lines"] for r in rows)
    cpu = [r["cpu"] for r in rows if r["cpu"] is not None]
    out = ["# Fleet benchmark", "",
           f"Measured by `{report['command']}` at secreview commit {report['commit']}, Python {report['python']}, "
           f"{report['cores']} cores, {report['date']}.", "",
           f"{len(rows)} repositories (PyPI sdists, reviewed from the archives), {lines:,} lines reviewed. "
           f"Load average (1 / 5 / 15 min) when the benchmark started: "
           f"{report['load_start']}; at its end: {report['load_end']}.", "",
           "| part | wall | lines/s | time in tasks | overhead per repository | load before → after |",
           "|---|---|---|---|---|---|"]
    if base is not None:
        out.append(f"| one process, no Dask | {base['wall']:.1f} s | {lines / base['wall']:,.0f} | "
                   f"{sum(r['seconds'] for r in rows):.1f} s (CPU {sum(cpu):.1f} s) | — | — |")
    for part in report["fleet"]:
        name = f"fleet, {part['workers']} worker{'s' if part['workers'] > 1 else ''}"
        if part.get("rerun"):
            name += ", re-run, nothing changed"
        rate = f"{part['lines'] / part['run']:,.0f}" if part["lines"] else "—"
        # With more than one worker, tasks of split repositories leave the pool while their shares run
        # (and others start meanwhile): time in tasks overlaps, and no overhead can be read from it.
        alone = part["workers"] == 1 or part.get("rerun")
        overhead = f"{part['overhead_per_repository'] * 1000:,.0f} ms" if alone else "—"
        out.append(f"| {name} | {part['run']:.1f} s (+ cluster start {part['cluster_start']:.1f} s, stop "
                   f"{part['cluster_stop']:.1f} s) | {rate} | {part['task_seconds']:.1f} s | "
                   f"{overhead} | {part['load_before']} → {part['load_after']} |")
    last = report["fleet"][-1]
    out += ["", f"Store after the runs: {last['store']['entries']} entries, {last['store']['bytes'] / 1e6:.1f} MB "
            f"({last['store']['bytes'] / max(1, last['store']['entries']) / 1e3:.0f} kB each on average). "
            f"A no-op task's round trip on the cluster: "
            + ", ".join(f"{p['noop_task'] * 1000:.1f} ms ({p['workers']} workers)" for p in report["fleet"]
                        if not p.get("rerun")) + ".", "",
            "Per repository (" + ("one process, no Dask" if base is not None else
                                  f"the review task of the {report['fleet'][0]['workers']}-worker run") + "):", "",
            "| repository | lines | wall s | CPU s | lines per CPU s |", "|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: -r["lines"]):
        rate = f"{r['lines'] / r['cpu']:,.0f}" if r["cpu"] else "—"
        out.append(f"| {r['name']} | {r['lines']:,} | {r['seconds'] or 0:.1f} | {r['cpu'] or 0:.1f} | {rate} |")
    out += ["", "Extrapolation to 1,000 repositories (see `docs/fleet.md` for what it assumes):", "",
            cost_model(report).rstrip()]
    if cpu:
        out += ["", f"CPU seconds per repository: mean {statistics.mean(cpu):.1f}, "
                f"median {statistics.median(cpu):.1f}, "
                f"90th percentile {sorted(cpu)[int(0.9 * (len(cpu) - 1))]:.1f}, largest {max(cpu):.1f}; "
                f"{lines / sum(cpu):,.0f} lines per CPU second overall."]
    return "\n".join(out) + "\n"


def cost_model(report: dict, repositories: int = 1000, workers=(10, 100)) -> str:
    """The extrapolation of ``docs/fleet.md`` from the first (one-worker) fleet run's measured
    per-repository costs; every assumption is printed with it."""
    first = report["fleet"][0]
    rows = [r for r in first["repositories"] if r["status"] == "reviewed" and r["cpu"]]
    n = len(rows)
    cpu = [r["cpu"] for r in rows]
    key = [r["key_seconds"] or 0 for r in first["repositories"]]
    mean_cpu, mean_key, largest = statistics.mean(cpu), statistics.mean(key), max(cpu)
    overhead = max(0.0, first["overhead_per_repository"])
    noop = first["noop_task"]
    rerun = next((p for p in report["fleet"] if p.get("rerun")), None)
    entry = rerun["store"]["bytes"] / max(1, rerun["store"]["entries"]) if rerun else 0
    per_repo = mean_cpu + mean_key + 2 * noop
    # The client handles results one at a time (store, reports): in the re-run, the time not spent in
    # tasks, per repository, is that cost (with nothing to review, it is all there is).
    client = max(0.0, (rerun["run"] - rerun["task_seconds"] / rerun["workers"]) / len(rerun["repositories"])) \
        if rerun else 0.0
    out = ["| | 10 workers | 100 workers |", "|---|---|---|"]
    cells = {}
    for w in workers:
        busy = max(repositories * per_repo / w, repositories * client)
        cells[w] = (busy, busy + largest)
    out.append("| CPU per repository (review + key task + two task round trips) | "
               + " | ".join(f"{per_repo:.1f} s" for _ in workers) + " |")
    out.append(f"| total CPU, {repositories:,} repositories | "
               + " | ".join(f"{repositories * per_repo / 3600:.1f} core-hours" for _ in workers) + " |")
    out.append(f"| the client's part (store and reports, one repository at a time, {client * 1000:.0f} ms each) | "
               + " | ".join(f"{repositories * client / 60:.1f} min" for _ in workers) + " |")
    out.append("| wall, all workers busy (total / workers, or the client's part if longer) | "
               + " | ".join(f"{cells[w][0] / 60:.1f} min" for w in workers) + " |")
    out.append(f"| wall, at worst (+ the largest repository, {largest:.0f} s, started last) | "
               + " | ".join(f"{cells[w][1] / 60:.1f} min" for w in workers) + " |")
    out.append("| re-run, nothing changed (key tasks, or the client's part if longer) | "
               + " | ".join(f"{max(repositories * (mean_key + 2 * noop) / w, repositories * client):.0f} s"
                            for w in workers) + " |")
    out.append(f"| store | {repositories * entry / 1e6:.0f} MB | {repositories * entry / 1e6:.0f} MB |")
    facts = (f"From the {n} repositories of the one-worker run: review CPU per repository mean {mean_cpu:.1f} s "
             f"(median {statistics.median(cpu):.1f} s, largest {largest:.1f} s), key task {mean_key:.2f} s on "
             f"average (wall, loaded machine), a no-op task's round trip {noop * 1000:.0f} ms; the run's "
             f"overhead per repository (wall less time in tasks) was {overhead * 1000:.0f} ms under that load.")
    return "\n".join(out) + "\n\n" + facts + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("sources", nargs="*", help="fleet SOURCES (as for secreview fleet)")
    p.add_argument("--panel", type=Path, help="a TOML panel of PyPI sdists (name, version)")
    p.add_argument("--sdists", type=Path, default=Path("/work/bench/sdists"), help="where the panel's archives are")
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--split-lines", type=int, default=200_000)
    p.add_argument("--skip-one-process", action="store_true")
    p.add_argument("--markdown", type=Path)
    p.add_argument("--json", type=Path)
    p.add_argument("--from-json", type=Path, help="write --markdown from the --json of an earlier run, running nothing")
    args = p.parse_args(argv)
    if args.from_json:
        if args.markdown:
            args.markdown.write_text(markdown(json.loads(args.from_json.read_text())))
        return 0
    from secreview.fleet.repos import find_repositories
    from secreview.fleet.task import Settings
    sources = list(args.sources) + (panel_sources(args.panel, args.sdists) if args.panel else [])
    repos = find_repositories(sources)
    settings = Settings(split_lines=args.split_lines)
    import subprocess
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).parent).stdout.strip()
    report = {"command": "python " + " ".join([os.path.relpath(__file__)] + (argv or sys.argv[1:])),
              "commit": commit, "python": sys.version.split()[0], "cores": os.cpu_count(),
              "date": time.strftime("%Y-%m-%d"), "load_start": load(), "fleet": []}
    print(f"{len(repos)} repositories", file=sys.stderr)
    if not args.skip_one_process:
        print("one process, no Dask:", file=sys.stderr)
        report["one_process"] = in_one_process(repos, settings)
    scratch = tempfile.mkdtemp(prefix="secreview-fleet-bench-")
    try:
        for workers in args.workers:
            store = os.path.join(scratch, f"store-{workers}")
            report["fleet"].append(fleet_run(repos, settings, workers, store, False))
        again = fleet_run(repos, settings, args.workers[-1], os.path.join(scratch, f"store-{args.workers[-1]}"), True)
        again["rerun"] = True
        report["fleet"].append(again)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report["load_end"] = load()
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    if args.markdown:
        args.markdown.write_text(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
