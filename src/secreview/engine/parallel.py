"""Lowering and analysis in worker processes (``--jobs``).

Each worker owns a share of the files: it parses and lowers them, keeps their IR
(shipping IR between processes costs more than building it; dropping a module's IR once
analysed, as ``--jobs 1`` does, cost 14 % more CPU on neutron, modules being lowered again
when a summary of another share they read changes), and analyses them.
Workers then trade what the analysis needs across the share boundaries, in rounds
coordinated by this process:

1. every worker sends the stubs of its modules (``analysis.interface``) and gets
   everyone else's, so calls into other shares resolve (pickled and compressed, and kept so
   until a lookup needs one: a share resolves into a part of the others only);
2. every worker analyses its module bodies and trades their globals, then analyses
   its functions in ``FIRST_PASS_PARTS`` parts, with not-yet-known summaries of other
   shares' functions standing as provisional (as inside a recursion cycle), and after
   each part sends the summaries and field stores that changed and receives the others'
   (summaries pickled one by one, and unpickled only where a lookup reads one; a field's
   stores are what the share's functions store there at their last analyses, and what a
   worker receives of a field, the others' stores joined, replaces what it received before:
   a store made while a summary was provisional, which a later analysis no longer makes,
   leaves the field, as it does with ``--jobs 1``);
3. each worker receives the others' changes, analyses again what read the older
   ones, and sends what changed in turn, until a round where nothing changes;
4. every worker sends its findings, grouped by the function whose analysis made them.

The analysis is a fixed point whatever the order functions are analysed in
(``Program.settle``), so the result is the one ``--jobs 1`` gives.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import sys
import traceback
import zlib
from functools import partial

from secreview.analysis.compact import squeezed
from secreview.analysis.findings_builder import merge_buckets
from secreview.analysis.interface import interned, module_stub
from secreview.analysis.program import Program, release_ir
from secreview.engine.analysed import Analysed, analysis_problems
from secreview.engine.lowering import lower_source
from secreview.engine.packed_texts import PackedTexts
from secreview.engine.store import module_keys, store_entries
from secreview.engine.timings import PhaseClock
from secreview.source.reading import PackedSource, SourceText

FIRST_PASS_PARTS = 4
"""Each worker analyses its functions in this many parts (by module, in path order), and
the workers trade summaries after each part: callers then find most of another share's
summaries already there instead of analysing with provisional ones and again later."""


def analyse_in_workers(sources: list, models, rules, budget: int, config, jobs: int, progress=None, *,
                       cache=None, keys=None):
    """Everything ``local.analyse_here`` does, on ``jobs`` processes; with a cache, each
    worker stores its files' results in it."""
    clock = PhaseClock("coordinator")
    shares = partition([len(src.text) for src, _, _ in sources], jobs,
                       [config.on_demand(src.display) for src, _, _ in sources])
    # Forked workers inherit the job as it is in memory: nothing of it is pickled.
    job = {"sources": sources, "models": models, "rules": rules, "budget": budget, "config": config,
           "cache": cache, "keys": keys}
    context = multiprocessing.get_context("fork")
    conns, workers = [], []
    for share in shares:
        parent_end, child_end = context.Pipe()
        worker = context.Process(target=_worker_main, args=(child_end, share, job), daemon=True)
        worker.start()
        child_end.close()
        conns.append(parent_end)
        workers.append(worker)
    clock.lap("start workers")
    try:
        lowered, results = exchange([_PipeChannel(conn, worker) for conn, worker in zip(conns, workers)],
                                    len(sources), progress)
    finally:
        for conn in conns:
            conn.close()
        for worker in workers:
            worker.join(timeout=60)
            if worker.is_alive():
                worker.kill()
    clock.lap("exchange")
    analysed = merge(lowered, results)
    clock.lap("merge")
    clock.report()
    return analysed


def exchange(channels: list, n_sources: int, progress=None) -> tuple[list, list]:
    """Coordinate the shares' workers through ``channels`` (one per share, in share order: objects
    with ``send(message)`` and ``recv()``, which raises ``WorkerFailed`` when the worker is gone)
    as described above; ``(what each share lowered, what each found)`` for ``merge``. The workers
    run ``run_share``: here forked processes and pipes, in ``secreview fleet`` Dask actors."""
    lowered = [channel.recv() for channel in channels]
    if progress:
        progress(n_sources, n_sources)
    for i, channel in enumerate(channels):
        channel.send([stub for j, (stubs, _, _, _) in enumerate(lowered) if j != i for stub in stubs])
    lowered = [(None, *rest) for _, *rest in lowered]  # the stubs are the workers' now: not held here
    stores: list[dict] = [{} for _ in channels]  # each share's stores into fields now: field key -> value
    while True:
        messages = [channel.recv() for channel in channels]
        changes = [(summaries, fields) for _, summaries, fields in messages]
        if all(done for done, _, _ in messages) and not any(summaries or fields for summaries, fields in changes):
            break
        for j, (_, their_fields) in enumerate(changes):
            for key, value in their_fields.items():
                if value is None:
                    stores[j].pop(key, None)
                else:
                    stores[j][key] = value
        for i, channel in enumerate(channels):
            summaries, changed = {}, set()
            for j, (their_summaries, their_fields) in enumerate(changes):
                if j != i:
                    summaries.update(their_summaries)
                    changed.update(their_fields)
            channel.send((summaries, _others_stores(stores, i, changed)))
    for channel in channels:
        channel.send(None)
    results = [channel.recv() for channel in channels]
    return lowered, results


def merge(lowered: list, results: list) -> Analysed:
    """What ``exchange`` gathered, as one ``Analysed``."""
    findings, statement_lines = merge_buckets([buckets for buckets, _ in results])
    problems, suppressions, files_reviewed = [], {}, 0
    for _, lowering_problems, file_suppressions, reviewed in lowered:
        problems.extend(lowering_problems)
        suppressions.update(file_suppressions)
        files_reviewed += reviewed
    for _, found in results:
        problems.extend(found)
    return Analysed(findings, statement_lines, _unique(problems), suppressions, files_reviewed, [])


def partition(sizes: list, jobs: int, on_demand: list | None = None) -> list[list[int]]:
    """Consecutive runs of the (path-ordered) files, of about equal total size: files of
    one package tend to call each other, and calls within a share need no exchange.

    ``on_demand``: whether each file's functions are analysed only when asked for (test code,
    ``Config.on_demand``). Such a file costs its lowering only, a few times less than one whose
    functions are all analysed: the two kinds are cut apart, each into consecutive runs of about
    equal size, and each share gets one run of each. (Cut together, the share that got a tree's
    tests did little else than lower them: Salt's two workers analysed 14,916 and 651 functions,
    the second waiting on the first at every exchange.)"""
    if on_demand is None or all(on_demand) or not any(on_demand):
        return _cut(list(range(len(sizes))), sizes, jobs)
    shares = [a + b for a, b in zip(_cut([i for i, d in enumerate(on_demand) if not d], sizes, jobs),
                                    _cut([i for i, d in enumerate(on_demand) if d], sizes, jobs))]
    return [sorted(s) for s in shares if s]


def _cut(files: list[int], sizes: list, jobs: int) -> list[list[int]]:
    """``files`` (indexes into ``sizes``, in order) in ``jobs`` consecutive runs of about equal
    total size (some may be empty)."""
    total = sum(sizes[i] for i in files) or 1
    shares: list[list[int]] = [[] for _ in range(jobs)]
    done = 0
    for i in files:
        share = min(jobs - 1, done * jobs // total)
        shares[share].append(i)
        done += sizes[i]
    return shares


def _others_stores(stores: list, i: int, keys) -> dict:
    """For share ``i``, what the other shares store now into each field of ``keys`` (one changed it),
    joined: None where none stores anything any more. It replaces what share ``i`` was sent before
    (``Program.receive``): a store a share's function no longer makes leaves the field."""
    from secreview.analysis import values as V
    out = {}
    for key in sorted(keys, key=repr):
        joined = None
        for j, held in enumerate(stores):
            if j != i and key in held:
                joined = held[key] if joined is None else V.join(joined, held[key])
        out[key] = joined
    return out


def _unique(problems: list) -> list:
    seen, out = set(), []
    for p in problems:
        key = (p.path, p.kind, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


class WorkerFailed(RuntimeError):
    pass


class _PipeChannel:
    """A forked worker's end of ``exchange``."""

    def __init__(self, conn, worker):
        self.conn, self.worker = conn, worker

    def send(self, message) -> None:
        self.conn.send(message)

    def recv(self):
        try:
            message = self.conn.recv()
        except EOFError:
            self.worker.join(timeout=5)
            raise WorkerFailed(f"a worker process ended unexpectedly (exit code {self.worker.exitcode})") from None
        if isinstance(message, WorkerFailed):
            raise message
        return message


# ---------------------------------------------------------------- in the worker

def _worker_main(conn, share: list[int], job: dict) -> None:
    try:
        _work(conn, share, job, _forget_other_texts(job["sources"], share))
    except BaseException as exc:  # the review must fail loudly, not hang waiting for this worker
        try:
            conn.send(WorkerFailed("a worker process failed: " + "".join(traceback.format_exception(exc))))
        except Exception:
            pass
    finally:
        conn.close()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)  # nothing to free or flush: the IR dies with the process


def run_share(conn, share: list[int], job: dict) -> None:
    """A worker's part of ``exchange``: lower and analyse the files of ``share`` (indexes into
    ``job["sources"]``), talking through ``conn`` (``send`` and ``recv``). Raises what goes wrong;
    the caller tells the coordinator."""
    _work(conn, share, job)


def _forget_other_texts(sources: list, share: list[int]) -> PackedTexts:
    """In a forked worker: the texts of the files of ``share`` as they are, the others' packed
    (``PackedTexts``: this worker reads them only to quote lines), and their strings freed.

    The worker inherited the parent's objects, among them every ``SourceText`` of the review,
    those of its list and those of the lists its callers keep (the files as read, before their
    imports were resolved): each lets go of its text here, or the strings would stay alive. The
    parent's own objects are untouched.

    Texts that came packed (``PackedSource``) stay so, those of ``share`` too: unpacked for ``PackedTexts``,
    each would be held twice, there and by its module's IR (which has its own copy, unpacked to lower it);
    the others' packed bytes are let go as their strings are, once copied into ``PackedTexts``."""
    mine = {sources[i][0].display for i in share}
    own = {src.display: src.text for src in (sources[i][0] for i in share) if type(src) is not PackedSource}
    texts = PackedTexts(((src.display, src.packed if type(src) is PackedSource else src.text)
                         for src, _, _ in sources if src.display not in own), own)
    for obj in gc.get_objects():
        if type(obj) is SourceText and obj.text and obj.display not in own:
            object.__setattr__(obj, "text", "")  # (frozen: this process's copy only, which nothing reads again)
        elif type(obj) is PackedSource and obj.display not in mine:
            obj.packed = b""
    return texts


def _work(conn, share: list[int], job: dict, texts=None) -> None:
    """``texts``: ``{path: text}`` of every file of the review (``PackedTexts`` in a forked worker);
    None: those of ``job["sources"]``."""
    clock = PhaseClock(f"worker {os.getpid()}")
    from secreview.ir.lower import LoweringTables
    sources = job["sources"]
    tables = LoweringTables()  # the share's: what its modules share, gone with the worker
    on_demand = job["config"].on_demand
    # What only the cache needs waits on disk until stored (``Spill``), not in this process's memory.
    spill = job["cache"].spill() if job.get("cache") is not None else None
    # Each stub pickled once, sent compressed (zlib, fastest level: pickled stubs shrink to a third or
    # less, and the others keep those they never need as they arrive); the cache stores them as pickled.
    stubs = []
    sent = []
    lowered = []
    # The IR of a module whose functions are analysed only on demand (test code, most of a share's text)
    # is let go as soon as its stub is made, as ``--jobs 1`` does (``Program(dropped=...)``): its stub,
    # with its text, stands for it, and it is lowered anew if one of its functions is asked for.
    dropped = {}
    for i in share:
        item = lower_source(*sources[i], tables)
        stub = module_stub(item.module)
        blob = pickle.dumps(stub, protocol=pickle.HIGHEST_PROTOCOL)
        if spill is not None:
            stubs.append(spill.put(blob))
        sent.append((item.module.name, item.module.path, zlib.compress(blob, 1)))
        if on_demand(item.module.path):
            # (its stub without its text, as the other shares': ``texts`` gives it when a finding quotes it)
            dropped[item.module.name] = (stub, partial(_lowered_again, sources[i], tables))
            release_ir(item.module)
            item.module = stub
        lowered.append(item)
    sizes = {sources[i][0].display: len(sources[i][0].text) for i in share}
    clock.lap("lower")
    problems = [item.problem for item in lowered if item.problem is not None]
    conn.send((sent, problems,
               {item.module.path: item.suppressions for item in lowered},
               sum(1 for item in lowered if item.problem is None or item.problem.reviewed)))
    del sent
    if texts is None:
        texts = {src.display: src.text for src, _, _ in sources}
    # The other shares' stubs stay pickled until a lookup needs them (``lazy_foreign``): a share
    # resolves into a part of the others only.
    foreign = {name: (path, partial(_load_stub, blob)) for name, path, blob in conn.recv()}
    clock.lap("trade stubs")
    program = Program([item.module for item in lowered if item.module.name not in dropped], job["models"],
                      job["rules"], budget_steps=job["budget"], test_path=job["config"].is_test_path,
                      on_demand=on_demand, lazy_foreign=foreign, foreign_text=lambda path: texts.get(path, ""),
                      all_texts=texts.items, record_reads=spill is not None, spill=spill, dropped=dropped)
    del foreign, dropped
    # Module bodies first, and their globals traded before any function reads them.
    program.first_pass(bodies_only=True)
    clock.lap("module bodies")
    conn.send((False, *_pickled_exports(program, spill)))
    program.receive_pickled(*conn.recv())
    clock.lap("trade globals")
    # The functions in parts, trading summaries after each: what a share calls of another
    # is then mostly known before its callers are analysed, not analysed again once it is.
    parts = _first_pass_parts(program.first_pass_order(), sizes, job["config"].on_demand, FIRST_PASS_PARTS)
    for n, part in enumerate(parts):
        program.first_pass(modules=part)
        clock.lap("functions")
        if n < len(parts) - 1:
            conn.send((False, *_pickled_exports(program, spill)))
            program.receive_pickled(*conn.recv())
            clock.lap("trade parts")
            program.settle()
            clock.lap("functions")
    while True:
        conn.send((True, *_pickled_exports(program, spill)))
        message = conn.recv()
        if message is None:
            break
        clock.lap("trade summaries")
        program.receive_pickled(*message)
        program.settle()
        clock.lap("analyse again")
    problems = analysis_problems(program)
    for item in lowered:
        item.module = program.owned[item.module.name]  # a dropped module's stub, or its IR if lowered again
        if spill is not None and item.module.text is None:
            item.module.text = texts.get(item.module.path, "")  # (the cache keeps each file's text)
    if spill is not None:
        _forget_bodies(lowered)
        program.forget_analysis()
        store_entries(job["cache"], [job["keys"][i] for i in share], program, lowered, problems,
                      module_keys(job["sources"], job["keys"]), _Spilled(stubs, spill),
                      partial(_spilled_pickles, spill))
        spill.close()
        clock.lap("store in cache")
    conn.send((program.findings.buckets, problems))
    clock.lap("send findings")
    clock.report(f"{sum(program.analysis_count.values())} analyses of {len(program.analysis_count)} functions")


def _first_pass_parts(modules: list, sizes: dict, on_demand, parts: int) -> list[list]:
    """``modules`` (in order) in ``parts`` consecutive runs of about equal size of the text whose
    functions the first pass analyses (``on_demand`` files count for nothing): every share is at an
    exchange at once when its parts take about as long as the others'. (Cut by the number of modules,
    a share's first part held its production code and the rest its tests, analysed on demand: it
    then waited on the others at every exchange but the first, and they on it at the first.)"""
    weights = [0 if on_demand(m.path) else sizes.get(m.path, 0) for m in modules]
    total = sum(weights) or 1
    runs: list[list] = [[] for _ in range(parts)]
    done = 0
    for module, weight in zip(modules, weights):
        runs[min(parts - 1, done * parts // total)].append(module)
        done += weight
    return runs


def _forget_bodies(lowered: list) -> None:
    """Once the analysis is over, the statements of the share's functions are let go before the
    store: it reads of a module its functions' names, parameters and decorators, its classes, its
    text (as a stub holds them), never a statement, and what the statements freed holds what the
    store makes (it raised a worker's peak by 2.5 MB on Django)."""
    for item in lowered:
        for fn in item.module.functions.values():
            fn.blocks = ()
            fn.handlers = ()


def _lowered_again(source, tables):
    """The IR of a module of the share whose IR was let go (``Program(dropped=...)``), lowered anew: lowering
    is a pure function of the text, so it is the IR lowered first."""
    return lower_source(*source, tables).module


def _load_stub(blob: bytes):
    return interned(pickle.loads(zlib.decompress(blob)))


def _pickled_exports(program, spill=None) -> tuple[dict, dict]:
    """``program.exports()`` with each summary pickled apart, ``{qualname: (pickle, failed, digest)}``
    (``Program.receive_pickled``): the coordinator passes the bytes on as they are, and the others
    unpickle only those they read, keeping the others as they came: large ones compressed
    (``compact.squeezed``; neutron's second worker held 6.4 MB of them, 2.9 MB compressed). With a
    cache, each pickle is set aside in ``spill`` for the store, among its module's (``_spilled_pickles``):
    every summary that changed is exported, so the last pickle set aside is the summary's."""
    summaries, fields = program.exports()
    out = {}
    empty = None  # most summaries are empty, and pickle to the same bytes
    for q, (summary, failed) in summaries.items():
        if summary.is_empty():
            if empty is None:
                empty = squeezed(pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL))
            blob = empty
        else:
            blob = pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL)
            if spill is not None:
                spill.add(("summaries", program.function_module[q].name), (q, summary.digest(), blob))
            blob = squeezed(blob)
        out[q] = (blob, failed, summary.digest())
    return out, fields


def _spilled_pickles(spill, module_name: str) -> dict:
    """The newest pickle set aside (``_pickled_exports``) of each summary of a module: ``{qualname:
    (digest, pickle)}`` (``store.iter_file_entries`` uses one whose digest is still the summary's)."""
    ready: dict = {}
    for q, digest, blob in spill.chain(("summaries", module_name)):
        ready.setdefault(q, (digest, blob))
    return ready


class _Spilled:
    """The stubs ``store_entries`` takes by position, each pickle read back from ``spill`` as it is taken."""

    def __init__(self, handles: list, spill):
        self.handles, self.spill = handles, spill

    def __getitem__(self, n: int) -> bytes:
        return self.spill.get(self.handles[n])
