"""Reviews that reuse the cache (``cache.py``): nothing, or only what a change reaches, is analysed again.

* The same files with the same bytes as a review already made: its stored result.
* The same paths, some edited: each cached file result records what its functions
  read of other files (summaries, field stores, definitions) and what they found.
  The edited files are analysed again, against the cached results of the others;
  then every cached file whose reads now find something else, wave after wave
  until none does. Files in a read cycle are analysed together. A cached result
  whose reads all still find what they found is what analysing its file again
  would give, so the review equals one made without cache.
* Anything else (first review of these paths, files added or removed, most files
  edited): a full review, which fills the cache.
"""

from __future__ import annotations

import pickle

from secreview.analysis import values as V
from secreview.analysis.findings_builder import merge_buckets
from secreview.analysis.interface import definition, module_stub
from secreview.cache import MAX_PACKS, ReviewCache, run_key, target_key

FULL_REVIEW_SHARE = 0.4
"""When more than this share of the files must be analysed again, a full review
(on all cores) is faster than an incremental one (in one process)."""


def review_cached(sources: list, models, rules, budget: int, config, jobs: int, cache: ReviewCache, progress=None):
    from secreview.review import Analysed

    keys = [cache.file_key(src.display, name, is_package, src.text) for src, name, is_package in sources]
    result_key = run_key(keys)
    stored = cache.load("results", result_key)
    if stored is not None:
        findings, lines, problems, suppressions, files_reviewed = stored
        return Analysed(findings, {id(f): line for f, line in zip(findings, lines)}, problems, suppressions,
                        files_reviewed, [])
    target = target_key(sources)
    last = cache.load("targets", target)
    analysed = None
    if last is not None:
        analysed = _incremental(sources, keys, last, models, rules, budget, config, cache, progress)
    if analysed is None:
        analysed = _full(sources, keys, models, rules, budget, config, jobs, cache, progress)
    cache.store("results", result_key, (analysed.findings, [analysed.statement_lines.get(id(f)) for f in analysed.findings],
                                        analysed.problems, analysed.suppressions, analysed.files_reviewed))
    return analysed


def _full(sources, keys, models, rules, budget, config, jobs, cache, progress):
    from secreview.review import analyse_all
    analysed = analyse_all(sources, models, rules, budget, config, jobs, progress, cache=cache, keys=keys)
    _store_target(cache, sources, keys)
    return analysed


def _store_target(cache: ReviewCache, sources, keys) -> None:
    """Which entry holds each file of this review: the next one finds the old version of an edited file there."""
    cache.store("targets", target_key(sources), {"files": {src.display: key for (src, _, _), key in zip(sources, keys)}})


def file_entries(program, lowered: list, problems_by_path: dict) -> dict:
    """Per file (display path): what the cache keeps of it after a review."""
    return dict(iter_file_entries(program, lowered, problems_by_path))


def iter_file_entries(program, lowered: list, problems_by_path: dict, stubs=None, pickled=None):
    """``(display path, entry)`` one file at a time (a worker stores each before building the next).
    ``stubs``, when given, are the files' stubs already made (``module_stub``), or their pickles
    (``cache.Pickled``), in the order of ``lowered``; ``pickled``, summaries pickled beforehand
    (qualname -> (summary, its pickle)), used for the summaries still current."""
    buckets = program.findings.buckets
    parts_by_path: dict = {}  # path -> field key -> {function: value}
    for key, parts in program.field_parts.items():
        for function, value in parts.items():
            path = program.function_module[function].path
            parts_by_path.setdefault(path, {}).setdefault(key, {})[function] = value
    empty_blob = None  # every empty summary pickles to the same bytes: pickled once
    for n, item in enumerate(lowered):
        module = item.module
        stub = module_stub(module) if stubs is None else stubs[n]
        summaries, file_buckets, reads = {}, {}, {}
        for q in module.functions:
            if q in program.summaries:  # pickled apart: a later review unpickles only those it calls
                summary = program.summaries[q]
                if summary.is_empty():
                    if empty_blob is None:
                        empty_blob = pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL)
                    blob = empty_blob
                elif pickled is not None and q in pickled and pickled[q][0] is summary:
                    blob = pickled[q][1]
                else:
                    blob = pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL)
                summaries[q] = (blob, q in program.opaque, summary.digest())
            for bucket in (q, q + "\0function rules"):
                if bucket in buckets:
                    file_buckets[bucket] = buckets[bucket]
            if q in program.reads:  # with what each read found, to check it still does
                reads[q] = {read: program.read_value(*read) for read in sorted(program.reads[q], key=repr)}
        yield module.path, {
            "stub": stub, "lowering_problem": item.problem,
            "digests": {q: (digest, opaque) for q, (_, opaque, digest) in summaries.items()},
            "suppressions": item.suppressions,
            "reviewed": item.problem is None or item.problem.reviewed,
            "summaries": summaries, "buckets": file_buckets, "reads": reads,
            "fields": parts_by_path.get(module.path, {}),
            "problems": problems_by_path.get(module.path, []),
            # to map the lines of this version to those of the next one (``remap``)
            "text": "\n".join(module.lines) if module.lines else "",
        }


def _incremental(sources, keys, last: dict, models, rules, budget, config, cache: ReviewCache, progress):
    from secreview.timings import PhaseClock
    from secreview.review import Analysed, analysis_problems, lower_source

    clock = PhaseClock("incremental review")
    old_keys = {i: last["files"].get(src.display) for i, (src, _, _) in enumerate(sources)}
    found = cache.load_files(set(keys) | {k for k in old_keys.values() if k})
    entries = {i: found[key] for i, key in enumerate(keys) if key in found}
    changed = [i for i in range(len(sources)) if i not in entries]
    if len(changed) > FULL_REVIEW_SHARE * len(sources):
        return None
    clock.lap("load cache")
    lowered = {i: lower_source(*sources[i]) for i in changed}
    clock.lap("lower edited")
    # The previous versions of the edited files, when still cached, show the read cycles
    # through them (what they read is only used as graph edges, never trusted).
    previous = {i: found[old_keys[i]] for i in changed if old_keys[i] in found}
    graph = ReadGraph({**entries, **previous}, {src[1]: i for i, src in enumerate(sources)})
    stubs = {i: entry["stub"] for i, entry in entries.items()}
    stubs.update((i, module_stub(item.module)) for i, item in lowered.items())
    # Cached files whose reads of files not analysed again no longer find what they found:
    # edited definitions, and (another tree with the same paths, a branch switched back)
    # summaries computed elsewhere. The rest is checked once the edited files are analysed.
    redo = set(changed) | graph.stale(entries, set(changed), stubs)
    program = None
    if not redo:
        redo = graph.stale_fields(_cached_fields(entries))
    waves = 0
    new = set(redo)
    while new:
        waves += 1
        redo = graph.with_cycles(redo)  # a cycle through cached summaries would keep what the edit removed
        if len(redo) > FULL_REVIEW_SHARE * len(sources):
            return None
        new = {i for i in redo if program is None or sources[i][1] not in program.owned}
        for i in sorted(new):
            if i not in lowered:
                lowered[i] = lower_source(*sources[i])
        clock.lap("lower")
        if program is None:
            program = _program_over(sources, lowered, entries, redo, models, rules, budget, config)
        else:
            program.adopt([lowered[i].module for i in sorted(new)])
        clock.lap("analyse")
        cycle = graph.new_cycles(redo, program)
        if cycle:  # what the analysis found went round the cycle through stale summaries: start again
            redo |= cycle | graph.stale_after(redo, program)
            program, new = None, set(redo)
            continue
        more = graph.stale_after(redo, program)
        redo |= more
        new = more
    if progress:
        progress(len(sources), len(sources))
    problems_by_path: dict = {}
    new_entries: dict = {}
    if program is not None:  # None: every file was cached (only the whole result was not)
        for problem in analysis_problems(program):
            problems_by_path.setdefault(problem.path, []).append(problem)
        new_entries = file_entries(program, [lowered[i] for i in sorted(redo)], problems_by_path)
    if program is not None:
        cache.store_files((keys[i], new_entries[sources[i][0].display]) for i in sorted(redo))
    clock.lap("store")
    kept = {i: e for i, e in entries.items() if i not in redo}
    all_entries = {**{i: new_entries[sources[i][0].display] for i in redo}, **kept}
    packs = cache.pack_names()
    if len(packs) > MAX_PACKS:
        cache.compact({keys[i]: entry for i, entry in all_entries.items()}, packs)
        clock.lap("compact")
    _store_target(cache, sources, keys)
    findings, statement_lines = merge_buckets([all_entries[i]["buckets"] for i in sorted(all_entries)])
    problems, suppressions, reviewed = [], {}, 0
    for i in sorted(all_entries):
        entry = all_entries[i]
        if entry["lowering_problem"] is not None:
            problems.append(entry["lowering_problem"])
        problems.extend(entry["problems"])
        suppressions[sources[i][0].display] = entry["suppressions"]
        reviewed += entry["reviewed"]
    clock.lap("merge")
    clock.report(f"{len(redo)} of {len(sources)} files analysed again ({len(changed)} edited), {waves} waves")
    # kept, not freed: the command exits right after reporting (see review.KEEP_ALIVE)
    return Analysed(findings, statement_lines, problems, suppressions, reviewed, [program, lowered, found, graph])


def _cached_fields(entries: dict) -> dict:
    """Every field's value, joined from the stores the cached files recorded."""
    fields: dict = {}
    for entry in entries.values():
        for key, parts in entry["fields"].items():
            for value in parts.values():
                fields[key] = value if key not in fields else V.join(fields[key], value)
    return fields


class ReadGraph:
    """Who read what, over cached results: functions and fields as nodes, an edge from
    each function to the summaries and fields it read, and from each field to the
    functions that store to it; and what each read found."""

    def __init__(self, entries: dict, file_of_module: dict):
        self.readers: dict = {}  # (kind, key) -> {(file index, function)}
        self.file_of: dict = {}  # function -> file index
        self.edges: dict = {}  # node -> nodes it depends on
        self.reads_into: dict = {}  # file index -> [(reader file, kind, key, module, value found)]
        self.field_reads: list = []  # [(reader file, key, value found)]
        for i, entry in entries.items():
            for function in entry["summaries"]:
                self.file_of[function] = i
            for function, reads in entry["reads"].items():
                out = self.edges.setdefault(function, [])
                for (kind, key, module_name), found in reads.items():
                    if kind != "def":  # definitions are checked by owner (reads_into), never walked
                        self.readers.setdefault((kind, key), set()).add((i, function))
                    if kind == "field":
                        out.append(("field", key))
                        self.field_reads.append((i, key, found))
                        continue
                    if kind == "sum":
                        out.append(key)
                    owner = file_of_module.get(module_name)
                    if owner is not None:
                        self.reads_into.setdefault(owner, []).append((i, kind, key, module_name, found))
            for key, parts in entry["fields"].items():
                self.edges.setdefault(("field", key), []).extend(parts)

    def stale(self, entries: dict, redo: set, stubs: dict) -> set:
        """Cached files outside ``redo`` whose reads of summaries and definitions of other
        files outside ``redo`` find something else now."""
        out = set()
        for owner, reads in self.reads_into.items():
            if owner in redo:
                continue
            digests, stub, definitions = entries[owner]["digests"], stubs[owner], {}
            for reader, kind, key, _module, found in reads:
                if reader in redo or reader in out:
                    continue
                if kind == "sum":
                    now = digests.get(key)
                else:
                    now = definitions.get(key)
                    if now is None:
                        now = definitions[key] = definition(stub, key)
                if now != found:
                    out.add(reader)
        return out

    def stale_fields(self, fields: dict) -> set:
        """With nothing else to analyse again: cached files whose reads of a field find another value."""
        digests = {key: V.digest(value) for key, value in fields.items()}
        return {reader for reader, key, found in self.field_reads if digests.get(key) != found}

    def stale_after(self, redo: set, program) -> set:
        """After ``redo`` was analysed: cached files that read its summaries or any field
        and find something else."""
        out = set()
        for owner in redo:
            for reader, kind, key, module_name, found in self.reads_into.get(owner, ()):
                if reader not in redo and reader not in out and program.read_value(kind, key, module_name) != found:
                    out.add(reader)
        for reader, key, found in self.field_reads:
            if reader not in redo and reader not in out and program.read_value("field", key, "") != found:
                out.add(reader)
        return out

    def new_cycles(self, redo: set, program) -> set:
        """Cached files that the analysed code now reads and that read it: a read cycle
        the cached graph did not show (the edit made it)."""
        out = set()
        owned = {q for module in program.owned.values() for q in module.functions}
        upstream = self.upstream(owned)
        reach: dict = {}
        for function in sorted(program.reads):
            for kind, key, _ in sorted(program.reads[function], key=repr):
                if kind != "sum" or key not in upstream or self.file_of.get(key) in redo:
                    continue
                if key not in reach:
                    reach[key] = self._reaches(key, owned, program)
                if function in reach[key]:  # key reads, through others, the function that now reads it
                    out.add(self.file_of[key])
        return out

    def _reaches(self, start, owned: set, program) -> set:
        """The analysed functions that ``start`` depends on through reads: cached reads for
        cached functions, current reads for analysed ones."""
        found, seen, stack = set(), {start}, [start]
        while stack:
            node = stack.pop()
            if isinstance(node, tuple):  # a field: its writers, cached and new
                nexts = list(self.edges.get(node, ())) + list(program.field_parts.get(node[1], ()))
            elif node in owned:
                found.add(node)
                nexts = [key if kind == "sum" else ("field", key)
                         for kind, key, _ in program.reads.get(node, ()) if kind in ("sum", "field")]
            else:
                nexts = self.edges.get(node, ())
            for nxt in nexts:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return found

    def upstream(self, functions: set, with_fields: bool = False) -> set:
        """Every function (and, with ``with_fields``, field) whose cached result depends,
        through reads, on one of ``functions``."""
        seen: set = set()
        stack = list(functions)
        while stack:
            node = stack.pop()
            if isinstance(node, tuple):
                read = ("field", node[1])
            else:
                read = ("sum", node)
                for key in self._fields_written_by(node):
                    if ("field", key) not in seen:
                        seen.add(("field", key))
                        stack.append(("field", key))
            for _, reader in self.readers.get(read, ()):
                if reader not in seen:
                    seen.add(reader)
                    stack.append(reader)
        return seen if with_fields else {n for n in seen if not isinstance(n, tuple)}

    def _fields_written_by(self, function) -> list:
        if not hasattr(self, "_writes"):
            self._writes: dict = {}
            for node, deps in self.edges.items():
                if isinstance(node, tuple):
                    for writer in deps:
                        self._writes.setdefault(writer, []).append(node[1])
        return self._writes.get(function, [])

    def with_cycles(self, files: set) -> set:
        """``files`` and the files of every function in a read cycle with one of theirs.
        A cycle through a function lies within what both reads it (up) and is read by
        it (down): the strongly connected components are sought there only."""
        functions = {q for q, i in self.file_of.items() if i in files}
        up = self.upstream(functions, with_fields=True)
        if not up:
            return set(files)
        down: set = set()
        stack = list(functions)
        while stack:
            node = stack.pop()
            for nxt in self.edges.get(node, ()):
                if nxt not in down:
                    down.add(nxt)
                    stack.append(nxt)
        region = (up & down) | functions
        out = set(files)
        for component in _components(region, self.edges):
            if len(component) > 1 and not functions.isdisjoint(component):
                out.update(self.file_of[q] for q in component if q in self.file_of)
        return out


def _components(nodes: set, edges: dict) -> list:
    """Strongly connected components of the graph restricted to ``nodes`` (iterative Tarjan)."""
    index: dict = {}
    low: dict = {}
    on_stack: set = set()
    stack: list = []
    out: list = []
    counter = 0
    for root in sorted(nodes, key=repr):
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter([n for n in edges.get(root, ()) if n in nodes]))]
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter([n for n in edges.get(child, ()) if n in nodes])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(component)
    return out


def _program_over(sources, lowered: dict, entries: dict, redo: set, models, rules, budget, config):
    """The files in ``redo`` analysed from scratch against the cached results of the others."""
    from secreview.analysis.program import Program
    texts = {src.display: src.text for src, _, _ in sources}
    cached = [i for i in sorted(entries) if i not in redo]
    program = Program([lowered[i].module for i in sorted(redo)], models, rules, budget_steps=budget,
                      test_path=config.is_test_path, foreign=[entries[i]["stub"] for i in cached],
                      foreign_lines=lambda path: texts.get(path, "").split("\n"))
    summaries, parts = {}, {}
    for i in cached:
        summaries.update(entries[i]["summaries"])
        for key, by_function in entries[i]["fields"].items():
            parts.setdefault(key, {}).update(by_function)
    program.lazy_summaries = summaries
    program.receive_field_parts(parts)
    program.first_pass(bodies_only=True)
    program.first_pass()
    return program
