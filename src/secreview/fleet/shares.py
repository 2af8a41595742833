"""A large repository's analysis split across Dask workers by the engine's own partitioning.

``engine.parallel`` cuts a review's files into shares (``partition``) and coordinates one worker
per share (``exchange``): each lowers its files, keeps their IR, and trades stubs, globals and
summaries with the others in rounds until nothing changes. There its workers are forked
processes talking through pipes; here each share is a Dask *actor* (``ShareActor``) on its own
worker, running the same ``run_share`` on a thread of its own and talking through queues, and
the repository's task coordinates them with the same ``exchange``. The result is the one of a
review in one process (the engine's fixed point does not depend on the split).

Actors hold state that Dask cannot recompute: when a worker holding a share dies (or anything
else goes wrong on the way) the repository is analysed again in the task's own process, as
``engine.analyse`` does when a forked worker dies, and the result is the same.
"""

from __future__ import annotations

import gc
import queue
import sys
from collections.abc import Callable
from dataclasses import replace

from secreview.fleet import threads

POLL_SECONDS = 1.0
"""How long one call to an actor waits for its share's next message: the actor's thread is free
between calls, so that several shares on one worker are all served."""
MIN_FILES_PER_SHARE = 16
"""As ``engine.analyse.effective_jobs``: fewer files than this per share cost more than they save."""


def plan_shares(lines: int, files: int, split_lines: int, workers: int) -> int:
    """How many shares: one per ``split_lines`` lines, at most one per worker and per
    ``MIN_FILES_PER_SHARE`` files; 1 means not split."""
    if split_lines <= 0 or lines < split_lines or workers < 2:
        return 1
    return max(1, min(workers, -(-lines // split_lines), files // MIN_FILES_PER_SHARE))


class ClusterShares:
    """``ReviewOptions.analyse`` for a repository of ``lines`` lines: its shares on Dask actors when
    the cluster has workers to spare, else (or when that fails) in this process."""

    def __init__(self, lines: int, split_lines: int, secede: Callable[[], None]):
        self.lines, self.split_lines, self.secede = lines, split_lines, secede
        self.used = 1
        """Shares the analysis ran in (1: in this process)."""
        self.note: str | None = None
        """Why the analysis ran in this process after all, when it was to be split."""

    def __call__(self, sources, models, rules, budget, config, progress=None):
        from secreview.engine.local import analyse_here
        from secreview.engine.parallel import WorkerFailed, partition
        try:
            from distributed import get_client, get_worker
            client, me = get_client(), get_worker().address
            workers = sorted(client.scheduler_info()["workers"])
        except (ImportError, ValueError):  # not on a Dask worker
            workers, client, me = [], None, None
        n = plan_shares(self.lines, len(sources), self.split_lines, len(workers))
        shares = partition([len(src.text) for src, _, _ in sources], n,
                           [config.on_demand(src.display) for src, _, _ in sources]) if n > 1 else []
        if len(shares) > 1:
            self.secede()  # this task now waits on the shares' workers: its slot is theirs
            placement = [me] + [w for w in workers if w != me]
            try:
                analysed = _on_actors(client, sources, models, rules, budget, config, shares, placement, progress)
                self.used = len(shares)
                return analysed
            except (WorkerFailed, OSError) as exc:
                self.note = f"shares on other workers failed ({exc}); analysed in one task"
                print(f"secreview fleet: {self.note}", file=sys.stderr)
        return analyse_here(sources, models, rules, budget, config, progress)


def _on_actors(client, sources, models, rules, budget, config, shares, placement, progress):
    from secreview.engine.parallel import exchange, merge
    # A fresh Config: one whose cached matchers were built holds functions pickle cannot ship.
    job = {"sources": sources, "models": models, "rules": rules, "budget": budget, "config": replace(config),
           "cache": None, "keys": None}
    job_future = client.scatter([job], hash=False)[0]  # (a dict alone would be scattered key by key)
    futures = [client.submit(ShareActor, job_future, share, actor=True, pure=False,
                             workers=[placement[i % len(placement)]], allow_other_workers=True)
               for i, share in enumerate(shares)]
    channels = []
    try:
        for future in futures:
            channels.append(_ActorChannel(_call(future.result)))
        lowered, results = exchange(channels, len(sources), progress)
    finally:
        for channel in channels:
            channel.close()
        del channels
        client.cancel(futures + [job_future], force=True)
    return merge(lowered, results)


def _call(method, *args):
    from secreview.engine.parallel import WorkerFailed
    try:
        return method(*args)
    except Exception as exc:  # the actor's worker is gone (OSError, CommClosedError), or Dask failed
        raise WorkerFailed(f"a Dask worker holding a share failed: {type(exc).__name__}: {exc}") from None


class _ActorChannel:
    """The coordinator's end of ``engine.parallel.exchange`` for one ``ShareActor``."""

    def __init__(self, actor):
        self.actor = actor

    def send(self, message) -> None:
        _call(lambda: self.actor.send(message).result())

    def recv(self):
        from secreview.engine.parallel import WorkerFailed
        while True:
            ready, message = _call(lambda: self.actor.recv(POLL_SECONDS).result())
            if ready:
                break
        if isinstance(message, WorkerFailed):
            raise message
        return message

    def close(self) -> None:
        try:
            self.actor.close().result(timeout=10)
        except Exception:  # gone already
            pass


_CLOSE = ("secreview-fleet-close",)


class _Closed(Exception):
    pass


class _QueueConn:
    """What ``run_share`` talks through: a pipe's ``send``, ``recv`` and ``poll``, on two queues."""

    def __init__(self, inbox: queue.Queue, outbox: queue.Queue):
        self.inbox, self.outbox = inbox, outbox

    def send(self, message) -> None:
        self.outbox.put(message)

    def recv(self):
        message = self.inbox.get()
        if message is _CLOSE:
            raise _Closed
        return message

    def poll(self) -> bool:
        return not self.inbox.empty()


class ShareActor:
    """A Dask actor: one share of a repository's files, lowered and analysed by
    ``engine.parallel.run_share`` on a thread of this worker."""

    def __init__(self, job: dict, share: list[int]):
        self._inbox: queue.Queue = queue.Queue()
        self._outbox: queue.Queue = queue.Queue()
        self._thread = threads.start(self._run, job, share, name="secreview-share")

    def _run(self, job: dict, share: list[int]) -> None:
        from secreview.engine.parallel import WorkerFailed, run_share
        threads.raise_recursion_limit()
        gc_was_enabled = gc.isenabled()
        gc.disable()  # as in the engine's own workers: the collector would rescan the IR over and over
        try:
            run_share(_QueueConn(self._inbox, self._outbox), share, job)
        except _Closed:
            pass
        except BaseException as exc:  # the coordinator must hear of it, not wait for ever
            import traceback
            self._outbox.put(WorkerFailed("a share failed: " + "".join(traceback.format_exception(exc))))
        finally:
            if gc_was_enabled:
                gc.enable()

    def send(self, message) -> None:
        self._inbox.put(message)

    def recv(self, wait: float):
        """(True, the share's next message), or (False, None) when it has none within ``wait`` s."""
        try:
            return True, self._outbox.get(timeout=wait)
        except queue.Empty:
            return False, None

    def close(self) -> None:
        self._inbox.put(_CLOSE)
