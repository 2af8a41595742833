"""Stage: the whole-program analysis of a review's files, on worker processes or in this one."""

from __future__ import annotations

import os
import sys

from secreview.engine.analysed import Analysed

PARALLEL_MIN_FILES = 32
"""Fewer files than this are analysed in the review's own process: starting workers
and exchanging summaries would cost more than it saves."""


def analyse_all(sources: list, models, rules, budget: int, config, jobs: int, progress=None, *, cache=None,
                keys=None) -> Analysed:
    """Lower and analyse every source, on ``jobs`` worker processes when more than one (and
    filling the cache, if given)."""
    if jobs > 1:
        from secreview.engine.parallel import WorkerFailed, analyse_in_workers
        try:
            return analyse_in_workers(sources, models, rules, budget, config, jobs, progress, cache=cache, keys=keys)
        except WorkerFailed as exc:  # killed (out of memory?) or broken: lose nothing, do it here
            print(f"secreview: {exc}; analysing in this process instead", file=sys.stderr)
    from secreview.engine.local import analyse_here
    return analyse_here(sources, models, rules, budget, config, progress, cache=cache, keys=keys)


def effective_jobs(jobs: int | None, n_files: int) -> int:
    if jobs is None:
        jobs = available_cores()
    if jobs <= 1 or n_files < PARALLEL_MIN_FILES:
        return 1
    import multiprocessing
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # workers inherit the sources and models by forking
    return min(jobs, max(1, n_files // (PARALLEL_MIN_FILES // 2)))


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
