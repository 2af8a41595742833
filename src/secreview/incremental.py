"""Reviews that reuse the cache (``cache.py``): nothing, or only what a change reaches, is analysed again.

* The same files with the same bytes as a review already made: its stored result.
* The same files, some edited: the edited files, and every file with a function
  whose cached result read something of them (a summary, a field they store to, or
  their interface when that changed), and so on up the readers, are lowered and
  analysed again, against the cached summaries of everything else. What those
  others read was not touched by the change, so their cached results still hold, and
  the functions analysed again start from nothing, as in a review without cache:
  the result is the same.
* Anything else (first review of these paths, files added or removed, most files
  edited): a full review, which fills the cache.
"""

from __future__ import annotations

from typing import Optional

from secreview.analysis import values as V
from secreview.analysis.findings_builder import merge_buckets
from secreview.analysis.interface import definition, module_stub
from secreview.analysis.program import Program
from secreview.cache import ReviewCache, run_key, target_key

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
    from secreview.review import analyse_here
    if jobs > 1:
        from secreview.parallel import WorkerFailed, analyse_in_workers
        try:
            analysed = analyse_in_workers(sources, models, rules, budget, config, jobs, progress,
                                          cache=cache, keys=keys)
            _store_target(cache, sources, keys)
            return analysed
        except WorkerFailed as exc:
            import sys
            print(f"secreview: {exc}; analysing in this process instead", file=sys.stderr)
    analysed = analyse_here(sources, models, rules, budget, config, progress, cache=cache, keys=keys)
    _store_target(cache, sources, keys)
    return analysed


def _store_target(cache: ReviewCache, sources, keys) -> None:
    """Which entry holds each file of this review: the next one finds the old version of an edited file there."""
    cache.store("targets", target_key(sources), {"files": {src.display: key for (src, _, _), key in zip(sources, keys)}})


def file_entries(program: Program, lowered: list, problems_by_path: dict) -> dict:
    """Per file (display path): what the cache keeps of it after a review."""
    entries = {}
    buckets = program.findings.buckets
    parts_by_path: dict = {}  # path -> field key -> {function: value}
    for key, parts in program.field_parts.items():
        for function, value in parts.items():
            path = program.function_module[function].path
            parts_by_path.setdefault(path, {}).setdefault(key, {})[function] = value
    for item in lowered:
        module = item.module
        stub = module_stub(module)
        summaries, file_buckets, reads = {}, {}, {}
        for q in module.functions:
            if q in program.summaries:
                summaries[q] = (program.summaries[q], q in program.opaque)
            for bucket in (q, q + "\0function rules"):
                if bucket in buckets:
                    file_buckets[bucket] = buckets[bucket]
            if q in program.reads:
                reads[q] = program.reads[q]
        entries[module.path] = {
            "stub": stub, "lowering_problem": item.problem,
            "suppressions": item.suppressions,
            "reviewed": item.problem is None or item.problem.reviewed,
            "summaries": summaries, "buckets": file_buckets, "reads": reads,
            "fields": parts_by_path.get(module.path, {}),
            "problems": problems_by_path.get(module.path, []),
        }
    return entries


def _incremental(sources, keys, last: dict, models, rules, budget, config, cache: ReviewCache, progress):
    from secreview.review import Analysed, analysis_problems, lower_source

    from secreview.parallel import _Clock
    clock = _Clock("incremental review")
    entries = {}
    for i, key in enumerate(keys):
        entry = cache.load("files", key)
        if entry is not None:
            entries[i] = entry
    changed = [i for i in range(len(sources)) if i not in entries]
    if len(changed) > FULL_REVIEW_SHARE * len(sources):
        return None
    clock.lap("load cache")
    lowered = {i: lower_source(*sources[i]) for i in changed}
    old_entries = {}
    for i in changed:
        old_key = last["files"].get(sources[i][0].display)
        old = cache.load("files", old_key) if old_key else None
        if old is None:
            return None  # what the old version exported, and so who read it, is unknown
        old_entries[i] = old
    graph = ReadGraph({**entries, **old_entries})
    clock.lap("lower edited")
    # Cached code that looked up a name whose definition the edit changed (a new
    # function, other parameters...) resolved its calls differently: analysed again.
    redo = set(changed)
    for i in changed:
        old, new_stub = old_entries[i], module_stub(lowered[i].module)
        for name in sorted(graph.definitions_read.get(old["stub"].name, ())):
            if definition(old["stub"], name) != definition(new_stub, name):
                redo |= graph.reader_files(("def", name))
    waves = 0
    program = None
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
        more = _readers_of_changes(program, graph, redo, entries, old_entries, lowered)
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
    for i in sorted(redo):
        cache.store("files", keys[i], new_entries[sources[i][0].display])
    clock.lap("store")
    kept = {i: e for i, e in entries.items() if i not in redo}
    all_entries = {**{i: new_entries[sources[i][0].display] for i in redo}, **kept}
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
    return Analysed(findings, statement_lines, problems, suppressions, reviewed, [program, lowered])


def _readers_of_changes(program: Program, graph: "ReadGraph", redo: set, entries: dict, old_entries: dict,
                        lowered: dict) -> set:
    """Files outside ``redo`` whose cached results read something the new analysis of
    ``redo`` changed: a summary, a field's stores, or (new reads) a function that
    itself reads ``redo``."""
    more: set = set()
    for i in redo:
        before = old_entries.get(i) or entries[i]
        functions = set(before["summaries"]) | set(lowered[i].module.functions)
        for q in functions:
            old = before["summaries"].get(q)
            new = program.summaries.get(q)
            if old is None or new is None or old[1] != (q in program.opaque) or not new.same_as(old[0]):
                more |= graph.reader_files(("sum", q))
        old_parts = before["fields"]
        for key in set(old_parts) | {k for k, parts in program.field_parts.items()
                                      if any(w in lowered[i].module.functions for w in parts)}:
            old_values = old_parts.get(key, {})
            new_values = {w: v for w, v in program.field_parts.get(key, {}).items() if w in lowered[i].module.functions}
            if {w: V.fingerprint(v) for w, v in old_values.items()} != {w: V.fingerprint(v) for w, v in new_values.items()}:
                more |= graph.reader_files(("field", key))
    upstream = graph.upstream({q for i in redo for q in lowered[i].module.functions})
    for function, reads in program.reads.items():
        for kind, key, _ in reads:
            if kind == "sum" and key in upstream:
                more.add(graph.file_of[key])
    return more - redo


class ReadGraph:
    """Who read what, over cached results: functions and fields as nodes, an edge from
    each function to the summaries and fields it read, and from each field to the
    functions that store to it."""

    def __init__(self, entries: dict):
        self.readers: dict = {}  # (kind, key) -> {(file index, function)}
        self.definitions_read: dict = {}  # module name -> names cached code looked up in it
        self.file_of: dict = {}  # function -> file index
        self.edges: dict = {}  # node -> nodes it depends on
        for i, entry in entries.items():
            for function in entry["summaries"]:
                self.file_of[function] = i
            for function, reads in entry["reads"].items():
                out = self.edges.setdefault(function, [])
                for kind, key, module_name in reads:
                    self.readers.setdefault((kind, key), set()).add((i, function))
                    if kind == "def":
                        self.definitions_read.setdefault(module_name, set()).add(key)
                    elif kind == "sum":
                        out.append(key)
                    else:
                        out.append(("field", key))
            for key, parts in entry["fields"].items():
                self.edges.setdefault(("field", key), []).extend(parts)
        self._components: Optional[dict] = None

    def reader_files(self, read) -> set:
        return {i for i, _ in self.readers.get(read, ())}

    def upstream(self, functions: set) -> set:
        """Every function whose cached result depends, through reads, on one of ``functions``."""
        seen: set = set()
        stack = list(functions)
        while stack:
            node = stack.pop()
            for read in (("sum", node),) if not isinstance(node, tuple) else (("field", node[1]),):
                for _, reader in self.readers.get(read, ()):
                    if reader not in seen:
                        seen.add(reader)
                        stack.append(reader)
                        for key in self._fields_written_by(reader):
                            stack.append(("field", key))
        return seen

    def _fields_written_by(self, function) -> list:
        if not hasattr(self, "_writes"):
            self._writes: dict = {}
            for node, deps in self.edges.items():
                if isinstance(node, tuple):
                    for writer in deps:
                        self._writes.setdefault(writer, []).append(node[1])
        return self._writes.get(function, [])

    def with_cycles(self, files: set) -> set:
        """``files`` and the files of every function in a read cycle with one of theirs."""
        components = self.components()
        members: dict = {}
        for node, comp in components.items():
            members.setdefault(comp, []).append(node)
        out = set(files)
        for node, comp in components.items():
            if not isinstance(node, tuple) and self.file_of.get(node) in files and len(members[comp]) > 1:
                out.update(self.file_of[m] for m in members[comp] if not isinstance(m, tuple) and m in self.file_of)
        return out

    def components(self) -> dict:
        """Strongly connected components (iterative Tarjan): node -> component number."""
        if self._components is not None:
            return self._components
        index: dict = {}
        low: dict = {}
        on_stack: set = set()
        stack: list = []
        comp: dict = {}
        counter = 0
        for root in self.edges:
            if root in index:
                continue
            work = [(root, iter(self.edges.get(root, ())))]
            index[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack.add(root)
            while work:
                node, children = work[-1]
                advanced = False
                for child in children:
                    if child not in index:
                        index[child] = low[child] = counter
                        counter += 1
                        stack.append(child)
                        on_stack.add(child)
                        work.append((child, iter(self.edges.get(child, ()))))
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
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        comp[member] = index[node]
                        if member == node:
                            break
        self._components = comp
        return comp


def _program_over(sources, lowered: dict, entries: dict, redo: set, models, rules, budget, config) -> Program:
    """The files in ``redo`` analysed from scratch against the cached results of the others."""
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
    program.receive(summaries, {})
    program.receive_field_parts(parts)
    program.first_pass(bodies_only=True)
    program.first_pass()
    return program
