"""The client side of a fleet run: a cluster, two kinds of task per repository, the store, the
reports.

For each repository the client first asks a worker for its store key (``task.review_repository``
with ``key_only``). A key the store holds, whole, is answered from the store; any other (missing,
or an entry that is truncated or fails its checksum) is reviewed by a second task, and the
result stored before its reports are written. Results are taken as they come
(``as_completed``), so the reports of a repository are on disk as soon as it is done, and a run
killed half way keeps everything stored so far: the next run with the same store asks for the
keys again and reviews only what is missing.

A task whose worker dies is run again by Dask on another worker (up to Dask's
``distributed.scheduler.allowed-failures``, then the repository fails with ``KilledWorker``).
Only this process reads and writes the store; the workers only read the repositories.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from secreview.engine.atomic import atomic_write, umask
from secreview.fleet.repos import Repository
from secreview.fleet.store import ResultStore
from secreview.fleet.task import Settings, review_repository


@dataclass
class RepoResult:
    repo: Repository
    status: str
    """``reviewed`` (in this run), ``stored`` (answered from the store) or ``failed``."""
    key: str | None = None
    reason: str | None = None
    detail: str | None = None
    report_json: str | None = None
    report_sarif: str | None = None
    seconds: float | None = None
    """Time the review took on its worker (this run's, or the stored one's)."""
    lines: int = 0
    cpu: float | None = None
    """CPU time of the review's thread (not counting shares on other workers)."""
    key_seconds: float | None = None
    """Time the key task took on its worker, this run."""
    shares: int = 1
    worker: str | None = None
    attempts: int = 1
    """Review tasks submitted (more than one when a stored entry was found not whole)."""


Progress = Callable[[RepoResult, int, int], None]


def review_fleet(client, repos: Sequence[Repository], settings: Settings, store: ResultStore,
                 output: str | None = None, progress: Progress | None = None) -> list[RepoResult]:
    """Review ``repos`` on ``client``'s cluster; one result per repository, in ``repos`` order.
    With ``output``, each repository's reports are written there as soon as it is done."""
    from distributed import as_completed
    token = uuid.uuid4().hex[:8]
    pending: dict = {}
    done: dict[str, RepoResult] = {}

    def submit(repo: Repository, key_only: bool):
        phase = "key" if key_only else "review"
        future = client.submit(review_repository, repo, settings, key_only, pure=False,
                               key=f"secreview-{phase}-{repo.name}-{token}")
        pending[future] = (repo, key_only)
        return future

    futures = as_completed([submit(repo, True) for repo in repos])
    attempts: dict[str, int] = {}
    key_seconds: dict[str, float] = {}
    for future in futures:
        repo, key_only = pending.pop(future)
        outcome = _outcome(future)
        future.release()
        status = outcome["status"]
        result = None
        if status == "failed":
            result = RepoResult(repo, "failed", outcome.get("key"), outcome.get("reason"), outcome.get("detail"),
                                seconds=outcome.get("seconds"), worker=outcome.get("worker"))
        elif status == "keyed":
            key_seconds[repo.name] = outcome.get("seconds")
            payload = store.load(outcome["key"])
            if payload is None:  # not stored, or not whole: review it
                attempts[repo.name] = attempts.get(repo.name, 0) + 1
                futures.add(submit(repo, False))
                continue
            result = _from_payload(repo, "stored", outcome["key"], payload)
        elif status == "reviewed":
            payload = {"json": outcome["json"], "sarif": outcome["sarif"], "lines": outcome["lines"],
                       "files": outcome["files"], "seconds": outcome["seconds"], "cpu": outcome.get("cpu"),
                       "shares": outcome["shares"],
                       "name": repo.name, "source": repo.source}
            store.save(outcome["key"], payload)
            result = _from_payload(repo, "reviewed", outcome["key"], payload)
            result.worker = outcome.get("worker")
        else:
            result = RepoResult(repo, "failed", reason=f"internal error: unexpected task status {status!r}")
        result.attempts = attempts.get(repo.name, 0)
        result.key_seconds = key_seconds.get(repo.name)
        done[repo.name] = result
        if output is not None:
            write_reports(output, result)
        if progress is not None:
            progress(result, len(done), len(repos))
    return [done[repo.name] for repo in repos]


def worker_code(client) -> dict:
    """Each worker's secreview version and code digest (the store keys are made with the latter).
    Raises ``RuntimeError`` when a worker cannot import secreview's fleet."""
    try:
        return client.run(_code)
    except Exception as exc:  # ModuleNotFoundError on a worker without secreview, pickling errors...
        raise RuntimeError(f"the workers cannot run secreview fleet's tasks ({type(exc).__name__}: {exc}); "
                           f'install secreview with its fleet extra on them: pip install "secreview[fleet]"') from None


def _code() -> tuple[str, str]:
    from secreview import __version__
    from secreview.engine.cache import code_fingerprint
    return __version__, code_fingerprint()


def _outcome(future) -> dict:
    """The task's dict, or a failure saying why there is none."""
    try:
        return future.result()
    except Exception as exc:
        name = type(exc).__name__
        if name == "KilledWorker":
            return {"status": "failed", "reason": "the workers reviewing it died again and again "
                                                  f"(out of memory?): {exc}"}
        return {"status": "failed", "reason": f"{name}: {exc}"}


def _from_payload(repo: Repository, status: str, key: str, payload: dict) -> RepoResult:
    return RepoResult(repo, status, key, report_json=payload["json"], report_sarif=payload["sarif"],
                      seconds=payload.get("seconds"), cpu=payload.get("cpu"), lines=payload.get("lines", 0),
                      shares=payload.get("shares", 1))


def write_reports(output: str, result: RepoResult) -> None:
    """``<name>.json`` and ``<name>.sarif`` of a repository; a failed one has none (older ones go)."""
    for suffix, text in ((".json", result.report_json), (".sarif", result.report_sarif)):
        path = os.path.join(output, result.repo.name + suffix)
        if text is None:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        else:
            write_text(path, text)


def write_text(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed into place (permissions as the
    umask gives a new file)."""
    atomic_write(path, lambda handle: handle.write(text.encode("utf-8")), mode=0o666 & ~umask())


class Cluster:
    """``with Cluster(scheduler, workers) as client``: a client of the cluster at ``scheduler``,
    or of a ``LocalCluster`` of ``workers`` processes (one thread each: a review is Python code,
    which a second thread in one process would not run any faster) on 127.0.0.1."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None, quiet: bool = True):
        self.scheduler, self.workers, self.quiet = scheduler, workers, quiet
        self.cluster = None
        self.client = None
        self.started = 0.0

    def __enter__(self):
        import logging

        from distributed import Client, LocalCluster
        start = time.perf_counter()
        if self.quiet:
            logging.getLogger("distributed").setLevel(logging.ERROR)
        if self.scheduler:
            self.client = Client(self.scheduler, timeout="60s")
        else:
            from secreview.engine.analyse import available_cores
            self.cluster = LocalCluster(n_workers=self.workers or available_cores(), threads_per_worker=1,
                                        processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                        silence_logs=logging.ERROR if self.quiet else logging.WARNING)
            self.client = Client(self.cluster)
        self.started = time.perf_counter() - start
        return self.client

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
