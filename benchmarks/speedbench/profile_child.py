"""Profile one ``secreview`` command in this process and write what was found as JSON (``--profile``).

    python profile_child.py cpu|memory OUT.json -- review TREE --jobs 1 --no-cache ...

Run as a script by the panel (with secreview on ``PYTHONPATH``), never imported by the benchmark: it
imports secreview, which the benchmark itself must not (its RSS is counted into every tool's peak).

* ``cpu``: ``cProfile`` around ``secreview.cli.main(argv)``; the functions with the most own time, and the
  cumulative time of the pipeline's stages (found by function name, so that a moved module is still
  found).  The profiler slows the run (about 2x), more so for small functions: the shares matter.
* ``memory``: ``tracemalloc`` (one frame per allocation) from before secreview is imported; after the
  review, with its objects kept alive as the ``secreview`` command keeps them (``keep_alive``), the
  allocation sites holding the most memory, by line and by file, the traced peak, and the live objects
  the garbage collector tracks, by type (count and shallow size).
"""

from __future__ import annotations

import json
import os
import sys
import time

STAGES = (  # (label, function name, file name or None): the first one found of each label is reported
    ("discover and read", "discover", "discover.py"),
    ("read files", "read_source", "reading.py"),
    ("parse and lower (lower_source)", "lower_source", None),
    ("parse (CPython and tree-sitter)", "parse_source", None),
    ("lower to IR (lower_module)", "lower_module", None),
    ("whole-program analysis (Program.first_pass)", "first_pass", "program.py"),
    ("analyse one function (Program.analyse)", "analyse", "program.py"),
    ("collect findings (FindingsBuilder.result)", "result", "findings_builder.py"),
    ("store in the cache (store_entries)", "store_entries", None),
    ("write the report", "_report", "cli.py"),
)


def short(path: str) -> str:
    """``.../src/secreview/ir/lower.py`` -> ``secreview/ir/lower.py``; the standard library by its name."""
    norm = path.replace(os.sep, "/")
    for marker in ("/secreview/", "/lib/python"):
        at = norm.rfind(marker)
        if at >= 0:
            rest = norm[at + 1:]
            return rest if marker == "/secreview/" else rest.split("/", 1)[-1]
    return norm


def run_main(argv: list[str]) -> tuple[int, bool]:
    """``secreview.cli.main(argv)`` keeping the review's objects alive, as the ``secreview`` command does
    (it exits with ``os._exit`` rather than free them): its exit code, and whether they were kept.

    ``main(argv, keep_alive=[])`` where ``main`` takes it; else the older module-level ``KEEP_ALIVE`` list.
    """
    import importlib
    import inspect

    from secreview.cli import main

    if "keep_alive" in inspect.signature(main).parameters:
        return main(argv, keep_alive=[]), True
    kept = False
    for name in ("secreview.review", "secreview.engine.pipeline"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if getattr(module, "KEEP_ALIVE", 0) is None:
            module.KEEP_ALIVE = []
            kept = True
    return main(argv), kept


def cpu(argv: list[str]) -> dict:
    import cProfile
    import pstats

    import secreview.cli  # noqa: F401  (imported outside the profile, as the command imports it first)

    prof = cProfile.Profile()
    start = time.perf_counter()
    prof.enable()
    code, kept = run_main(argv)
    prof.disable()
    wall = time.perf_counter() - start
    stats = pstats.Stats(prof)
    rows = []
    for (file, line, func), (_, nc, tt, ct, _) in stats.stats.items():
        where = "<built-in>" if file == "~" else f"{short(file)}:{line}"
        rows.append((func, where, tt, ct, nc, os.path.basename(file)))
    total = sum(r[2] for r in rows)
    top = sorted(rows, key=lambda r: -r[2])[:25]
    stages = []
    for label, func, base in STAGES:
        hits = [r for r in rows if r[0] == func and (base is None or r[5] == base)]
        if hits:
            best = max(hits, key=lambda r: r[3])
            stages.append([label, best[1], best[3], best[4]])
    return {"mode": "cpu", "exit": code, "wall": wall, "total": total, "kept_alive": kept,
            "top": [[f, w, tt, ct, nc] for f, w, tt, ct, nc, _ in top], "stages": stages}


def memory(argv: list[str]) -> dict:
    import gc
    import tracemalloc

    tracemalloc.start(1)
    start = time.perf_counter()
    code, kept = run_main(argv)
    wall = time.perf_counter() - start
    current, peak = tracemalloc.get_traced_memory()
    snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
    tracemalloc.stop()

    def grouped(key: str, n: int) -> list:
        out = []
        for stat in snapshot.statistics(key)[:n]:
            frame = stat.traceback[0]
            where = short(frame.filename) + (f":{frame.lineno}" if key == "lineno" else "")
            out.append([where, stat.size, stat.count])
        return out

    by_line, by_file = grouped("lineno", 25), grouped("filename", 15)
    gc.unfreeze()  # the review froze its objects (gc.freeze) into a generation get_objects does not list
    counts: dict = {}
    for obj in gc.get_objects():
        kind = type(obj)
        name = f"{kind.__module__}.{kind.__qualname__}"
        n, size = counts.get(name, (0, 0))
        counts[name] = (n + 1, size + sys.getsizeof(obj))
    objects = sorted(([k, n, s] for k, (n, s) in counts.items()), key=lambda r: -r[2])[:20]
    with open("/proc/self/status", encoding="ascii", errors="replace") as f:
        status = {line.split(":")[0]: line.split(":")[1].strip() for line in f if ":" in line}
    return {"mode": "memory", "exit": code, "wall": wall, "kept_alive": kept, "traced_current": current,
            "traced_peak": peak, "vm_hwm_kib": int(status.get("VmHWM", "0 kB").split()[0]), "by_line": by_line,
            "by_file": by_file,
            "objects": objects}


def main() -> int:
    if len(sys.argv) < 4 or sys.argv[1] not in ("cpu", "memory") or sys.argv[3] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    mode, out, argv = sys.argv[1], sys.argv[2], sys.argv[4:]
    result = cpu(argv) if mode == "cpu" else memory(argv)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f)
    sys.stdout.flush()
    os._exit(0)  # as the secreview command: freeing the review's objects one by one would take seconds


if __name__ == "__main__":
    raise SystemExit(main())
