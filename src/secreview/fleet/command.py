"""``secreview fleet SOURCES...``: review many repositories on a Dask cluster.

Exit codes as for ``review``: 0 no findings, 1 findings (``--exit-zero``: 0), 2 a usage or fatal
error, and 2 when any repository could not be reviewed, once all the others are done
(``--exit-zero`` concerns findings only).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

DEFAULT_STORE = ".secreview-fleet/store"
DEFAULT_OUTPUT = ".secreview-fleet/report"
DEFAULT_SPLIT_LINES = 200_000
INSTALL = 'pip install "secreview[fleet]"'
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def add_arguments(p: argparse.ArgumentParser, level) -> None:
    """The ``fleet`` command's options; ``level`` parses ``low``, ``medium``, ``high``."""
    p.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="a directory whose subdirectories (and sdist archives) are repositories, an sdist "
                        "(path or URL), or a file listing repositories, one 'LOCATION [REVISION]' a line")
    p.add_argument("--store", default=DEFAULT_STORE, metavar="DIR_OR_URL",
                   help=f"where results are kept, a directory or an fsspec URL (default {DEFAULT_STORE})")
    p.add_argument("--output", "-o", default=DEFAULT_OUTPUT, metavar="DIR",
                   help="the directory for <name>.json and <name>.sarif of each repository, summary.json and "
                        f"index.html (default {DEFAULT_OUTPUT})")
    p.add_argument("--min-severity", type=level, default=None, metavar="LEVEL",
                   help="report only findings of at least this severity (low, medium, high)")
    p.add_argument("--min-confidence", type=level, default=None, metavar="LEVEL",
                   help="report only findings of at least this confidence (low, medium, high)")
    p.add_argument("--exit-zero", action="store_true",
                   help="exit 0 even when there are findings (a repository not reviewed still exits 2)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="an existing Dask scheduler (tcp://HOST:8786) whose workers have secreview installed and "
                        "can read the repositories; default: a LocalCluster on this machine")
    p.add_argument("--workers", type=_positive, default=None, metavar="N",
                   help="worker processes of the local cluster (default: one per available core)")
    p.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS",
                   help="give up on a repository after this long on its worker (default: no limit)")
    p.add_argument("--split-lines", type=_count, default=DEFAULT_SPLIT_LINES, metavar="N",
                   help="split a repository of at least N lines across workers, by the engine's shares (default "
                        f"{DEFAULT_SPLIT_LINES}; 0: never)")
    p.add_argument("--no-progress", action="store_true", help="no live progress display")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="Dask's warnings, and the traceback of each repository's internal error, on stderr")


def _positive(text: str) -> int:
    value = _count(text)
    if value == 0:
        raise argparse.ArgumentTypeError("expected a positive number, not 0")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of at least 0, not {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, not {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, not {text}")
    return value


def _fail(message: str) -> int:
    print(f"secreview: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def dask_missing() -> str | None:
    """The name of the first of Dask, distributed and fsspec that cannot be imported, or None."""
    for name in ("dask", "distributed", "fsspec"):
        try:
            __import__(name)
        except ImportError:
            return name
    return None


def run(args) -> int:
    missing = dask_missing()
    if missing is not None:
        return _fail(f"secreview fleet needs Dask, distributed and fsspec, and {missing} is not installed: {INSTALL}")
    from secreview import __version__
    from secreview.fleet import html_page
    from secreview.fleet.orchestrate import Cluster, review_fleet, write_text
    from secreview.fleet.progress import FleetProgress, wanted
    from secreview.fleet.repos import FleetError, find_repositories
    from secreview.fleet.store import ResultStore
    from secreview.fleet.summary import build_summary, run_record
    from secreview.fleet.task import Settings

    if args.scheduler and args.workers:
        return _fail("--workers sets the local cluster's size; it does not go with --scheduler")
    try:
        repos = find_repositories(args.sources)
    except FleetError as exc:
        return _fail(str(exc))
    if not repos:
        return _fail(f"no repositories in {' '.join(args.sources)}")
    try:
        store = ResultStore(args.store)
        previous = store.previous_run()
    except (OSError, ValueError, ImportError) as exc:
        return _fail(f"cannot use the store {args.store}: {exc}")
    try:
        os.makedirs(args.output, exist_ok=True)
    except OSError as exc:
        return _fail(f"cannot make {args.output}: {exc.strerror or exc}")
    settings = Settings(min_severity=_text(args.min_severity), min_confidence=_text(args.min_confidence),
                        split_lines=args.split_lines, timeout=args.timeout)
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    start = time.perf_counter()
    progress = FleetProgress(len(repos)) if wanted(args.no_progress) else None
    try:
        with Cluster(args.scheduler, args.workers, quiet=not args.verbose) as client:
            workers = len(client.scheduler_info()["workers"])
            _check_workers(client)
            results = review_fleet(client, repos, settings, store, args.output, progress)
    except RuntimeError as exc:
        return _fail(str(exc))
    except (OSError, TimeoutError) as exc:
        where = f"the scheduler at {args.scheduler}" if args.scheduler else "the local cluster"
        return _fail(f"cannot use {where}: {type(exc).__name__}: {exc}")
    finally:
        if progress is not None:
            progress.close()
    run_info = {"started": started, "seconds": round(time.perf_counter() - start, 3), "store": args.store,
                "scheduler": args.scheduler or "local", "workers": workers}
    summary = build_summary(results, previous, run_info, __version__)
    store.save_run(run_record(results, run_info))
    write_text(os.path.join(args.output, "summary.json"), json.dumps(summary, indent=2) + "\n")
    write_text(os.path.join(args.output, "index.html"), html_page.render(summary))
    for result in results:
        if result.status == "failed":
            print(f"secreview: {result.repo.name}: not reviewed: {result.reason}", file=sys.stderr)
            if args.verbose and result.detail:
                print(result.detail, file=sys.stderr)
    totals = summary["totals"]
    print(f"secreview fleet: {totals['repositories']} repositories ({totals['reviewed']} reviewed, "
          f"{totals['from_store']} from the store, {totals['failed']} failed), {totals['findings']} findings; "
          f"reports in {args.output}", file=sys.stderr)
    if totals["failed"]:
        return EXIT_ERROR
    if totals["findings"] and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _check_workers(client) -> None:
    """Fail when the workers cannot run the tasks; say so when they run other code than this
    process (their results are stored under their code's digest, not this one's)."""
    from secreview.engine.cache import code_fingerprint
    from secreview.fleet.orchestrate import worker_code
    theirs = set(worker_code(client).values())
    mine = code_fingerprint()
    if any(digest != mine for _, digest in theirs):
        versions = ", ".join(sorted({version for version, _ in theirs}))
        print(f"secreview fleet: the workers run other secreview code than this process (version {versions}); "
              "results are keyed, stored and reported as theirs", file=sys.stderr)


def _text(level) -> str | None:
    return None if level is None else str(level)
