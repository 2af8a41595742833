"""On a Dask worker: one repository reviewed, as ``secreview review .`` run at its root would.

``review_repository`` is the task the client submits for each repository. It runs the review in
this process (``ReviewOptions(jobs=1)``: no process pool inside a Dask worker) on a thread of its
own (``threads``), with a large stack and the engine's recursion limit, so that deep code fails
as ``too-deep`` exactly as in the ``secreview`` command and never overflows a worker thread's
stack; a large
repository's analysis is split into Dask actors (``shares``). Problems of the repository itself
(a missing directory, an unreadable archive, a malformed ``pyproject.toml``, an internal error,
the ``--timeout``) are returned as a failure with its reason, never raised: only the loss of the
worker itself is Dask's to handle (it runs the task again elsewhere).

What it returns is a plain dict: ``status`` ``keyed`` (``key_only``: the store key, nothing
reviewed), ``reviewed`` (the key, the JSON and SARIF reports) or ``failed`` (with ``reason``).
The client asks for the key first and has the repository reviewed only when the store does not
hold that key: for an sdist or a git revision the key needs no unpacking, for a tree it is the
digest of the files read (reading is a few per cent of a review).
"""

from __future__ import annotations

import contextvars
import threading
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path

from secreview.fleet import threads
from secreview.fleet.repos import Repository

INTERRUPT_GRACE = 30.0


@dataclass(frozen=True)
class Settings:
    """What the command line sets for every repository of a run."""

    min_severity: str | None = None
    min_confidence: str | None = None
    split_lines: int = 200_000
    """A repository of at least this many lines is split into shares on several workers; 0: never."""
    timeout: float | None = None
    """Seconds one repository may take on its worker; None: no limit."""

    def key_options(self) -> dict:
        return {"min_severity": self.min_severity, "min_confidence": self.min_confidence}


class RepositoryTimeout(BaseException):
    """Raised inside a review's thread when its time is up (a BaseException: the engine's guards
    of each file catch ``Exception`` and must not turn this into a file's problem)."""


def review_repository(repo: Repository, settings: Settings, key_only: bool = False) -> dict:
    """The task: review ``repo`` (with ``key_only``, only say what its store key is)."""
    started = time.perf_counter()
    _warm_up()
    box: dict = {}
    link = TaskLink()
    # The task's context goes along: Dask finds the worker (get_worker, get_client) through it.
    context = contextvars.copy_context()
    thread = threads.start(context.run, _run, repo, settings, key_only, box, link, name=f"secreview-fleet-{repo.name}")
    if not link.serve(thread, settings.timeout):
        threads.interrupt(thread, RepositoryTimeout)
        thread.join(INTERRUPT_GRACE)
        outcome = failed(f"timed out after {settings.timeout:g} s")
    else:
        outcome = box.get("outcome") or failed("internal error: the review ended without a result")
    outcome["seconds"] = round(time.perf_counter() - started, 3)
    outcome["worker"] = _worker_address()
    return outcome


class TaskLink:
    """What a review's thread asks of the Dask task's own thread, where Dask keeps the state that
    ``distributed.secede`` needs: to leave the worker's thread pool while the review waits on
    other workers (``shares``), so that no two waiting reviews can hold every slot."""

    POLL = 0.1

    def __init__(self):
        self._asked = threading.Event()
        self._answered = threading.Event()
        self._error: BaseException | None = None

    def secede(self) -> None:
        """From the review's thread: leave the thread pool (once; later calls do nothing)."""
        if not self._answered.is_set():
            self._asked.set()
            self._answered.wait()
        if self._error is not None:
            raise self._error

    def serve(self, thread: threading.Thread, timeout: float | None) -> bool:
        """On the task's thread: wait for ``thread``, answering its requests; False when
        ``timeout`` seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while thread.is_alive():
            wait = self.POLL if deadline is None else min(self.POLL, max(0.0, deadline - time.monotonic()))
            thread.join(wait)
            if self._asked.is_set() and not self._answered.is_set():
                try:
                    from distributed import secede
                    secede()
                except BaseException as exc:  # no worker (called outside Dask): the caller goes on without
                    self._error = exc
                self._answered.set()
            if deadline is not None and time.monotonic() >= deadline and thread.is_alive():
                return False
        return True


def _warm_up() -> None:
    """Import what a review runs, outside the ``--timeout``: the exception a timeout raises into a
    review's thread then never lands in the middle of importing a module (the caches the engine
    fills later store whole values only)."""
    import secreview.analysis.program  # noqa: F401
    import secreview.engine.local  # noqa: F401
    import secreview.engine.pipeline  # noqa: F401
    import secreview.ir.lower  # noqa: F401
    import secreview.parse.frontend  # noqa: F401
    import secreview.reports.json_report  # noqa: F401
    import secreview.reports.sarif  # noqa: F401
    from secreview.rules.registry import all_rules
    all_rules()


def failed(reason: str, detail: str | None = None) -> dict:
    return {"status": "failed", "reason": reason, "detail": detail}


def _run(repo: Repository, settings: Settings, key_only: bool, box: dict, link: TaskLink) -> None:
    from secreview.analysis.models import ModelError
    from secreview.config import ConfigError
    from secreview.fleet.materialise import Checkout, MaterialiseError
    cpu = time.thread_time()
    try:
        threads.raise_recursion_limit()
        with Checkout(repo) as checkout:
            box["outcome"] = _review_checkout(checkout, settings, key_only, link)
            box["outcome"]["cpu"] = round(time.thread_time() - cpu, 3)  # this thread's: not the shares' on actors
    except RepositoryTimeout:
        pass  # the task's thread reports it
    except (MaterialiseError, ConfigError, ModelError) as exc:
        box["outcome"] = failed(str(exc))
    except (FileNotFoundError, NotADirectoryError, ValueError) as exc:
        box["outcome"] = failed(f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a bug of secreview: this repository's failure, with what is needed to report it
        box["outcome"] = failed(f"internal error: {type(exc).__name__}: {exc}", traceback.format_exc())


def _review_checkout(checkout, settings: Settings, key_only: bool, link: TaskLink) -> dict:
    from secreview.fleet.keys import config_digest, repository_key, tree_digest
    from secreview.source.gather import gather_sources
    options = settings.key_options()
    if checkout.identity is not None:
        key = repository_key(checkout.identity, options)
        if key_only:
            return {"status": "keyed", "key": key}
    root = checkout.root()
    config = _config(root, settings)
    from secreview.findings.model import ReviewResult
    result = ReviewResult(target=".")  # as engine.review(["."]) run at the root makes it
    non_production: set[str] = set()
    sources, problems = gather_sources(["."], config, excluded=result.excluded, cwd=root,
                                       non_production=non_production)
    if checkout.identity is None:
        key = repository_key(tree_digest(sources, problems, result.excluded), options, config_digest(config))
        if key_only:
            return {"status": "keyed", "key": key}
    result.problems.extend(problems)
    result, shares = _review(sources, result, config, settings, link, Path(root), non_production)
    from secreview import __version__
    from secreview.reports import ReportOptions, render
    report_options = ReportOptions(tool_version=__version__)
    return {"status": "reviewed", "key": key, "json": render("json", result, report_options),
            "sarif": render("sarif", result, report_options), "lines": result.lines_reviewed,
            "files": result.files_reviewed, "shares": shares}


def _config(root: str, settings: Settings):
    """The configuration ``secreview review`` finds at ``root``, with the command line's levels."""
    from secreview.config import load_config
    from secreview.findings.model import Level
    config = load_config(Path(root))
    if settings.min_severity is not None:
        config = replace(config, min_severity=Level.parse(settings.min_severity))
    if settings.min_confidence is not None:
        config = replace(config, min_confidence=Level.parse(settings.min_confidence))
    return config


def _review(sources: list, result, config, settings: Settings, link: TaskLink, root: Path,
            non_production=frozenset()):
    """The rest of ``engine.review`` for the tree at ``root`` whose files were gathered already into
    ``result``: (result, shares used)."""
    from secreview.engine.pipeline import ReviewOptions, review_gathered
    from secreview.fleet.shares import ClusterShares
    lines = sum(src.n_lines for src, _, _ in sources)
    analyse = None
    if settings.split_lines and lines >= settings.split_lines:
        analyse = ClusterShares(lines, settings.split_lines, link.secede)
    options = ReviewOptions(config=config, models=_models(config), jobs=1, analyse=analyse)
    result = review_gathered(sources, options, result, [(root, ".")], non_production=non_production)
    return result, (analyse.used if analyse is not None else 1)


def _models(config):
    from secreview.analysis.models import load_models
    return load_models(config.model_paths)


def _worker_address() -> str | None:
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):
        return None
