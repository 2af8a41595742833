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
from secreview.analysis import whole_text
from secreview.analysis.findings_builder import merge_buckets
from secreview.analysis.interface import definition
from secreview.engine.analyse import analyse_all, effective_jobs
from secreview.engine.analysed import Analysed, analysis_problems
from secreview.engine.cache import MAX_PACKS, ReviewCache, run_key, target_key
from secreview.engine.line_shift import LineShift, Unmovable, line_map
from secreview.engine.lowering import lower_source
from secreview.engine.store import definition_keys, entry_stub, file_entries, module_keys
from secreview.engine.timings import PhaseClock
from secreview.source.reading import UnreadSource, read_all

FULL_REVIEW_SHARE = 0.4
"""When more than this share of the files must be analysed again, a full review
(on all cores) is faster than an incremental one (in one process)."""


def review_cached(sources: list, models, rules, budget: int, config, jobs: int | None, cache: ReviewCache,
                  progress=None, *, keys: list):
    """The review of ``sources`` (file keys ``keys``; some may be ``UnreadSource``, read here when
    their texts are needed) when the cache holds no stored result of the same files
    (``store.stored_result``, which the caller looked up): incremental or full; its whole result
    is stored for the next review of the same files. ``jobs``: the workers asked for (``ReviewOptions.jobs``),
    for a full review."""
    result_key = run_key(keys)
    target = target_key(sources)
    last = cache.load("targets", target)
    analysed = None
    if last is not None:
        analysed = _incremental(sources, keys, last, models, rules, budget, config, cache, progress)
    if analysed is None:
        analysed = _full(read_all(sources), keys, models, rules, budget, config, jobs, cache, progress)
    # (the suppressions of the files that have some: a file without is the same as one not listed, to
    # ``pipeline._keep_reported``, and unpickling an empty one for each file cost more than the rest)
    cache.store("results", result_key, (analysed.findings,
                                        [analysed.statement_lines.get(id(f)) for f in analysed.findings],
                                        analysed.problems, {path: sup for path, sup in analysed.suppressions.items()
                                                            if len(sup)}, analysed.files_reviewed))
    return analysed


def _full(sources, keys, models, rules, budget, config, jobs, cache, progress):
    jobs = effective_jobs(jobs, len(sources))  # (imports multiprocessing: not for an incremental review)
    analysed = analyse_all(sources, models, rules, budget, config, jobs, progress, cache=cache, keys=keys)
    _store_target(cache, sources, keys)
    return analysed


def _store_target(cache: ReviewCache, sources, keys) -> None:
    """Which entry holds each file of this review: the next one finds the old version of an edited file there."""
    cache.store("targets", target_key(sources), {"files": {src.display: key for (src, _, _), key in zip(sources,
                                                                                                        keys)}})


def _incremental(sources, keys, last: dict, models, rules, budget, config, cache: ReviewCache, progress):
    clock = PhaseClock("incremental review")
    old_keys = {i: last["files"].get(src.display) for i, (src, _, _) in enumerate(sources)}
    found = cache.load_files(set(keys) | {k for k in old_keys.values() if k})
    entries = {i: found[key] for i, key in enumerate(keys) if key in found}
    changed = [i for i in range(len(sources)) if i not in entries]
    if len(changed) > FULL_REVIEW_SHARE * len(sources):
        return None
    sources = _with_texts(sources, entries)
    clock.lap("load cache")
    from secreview.ir.lower import LoweringTables
    tables = LoweringTables()  # this review's (``ir.lower``)
    lowered = {i: lower_source(*sources[i], tables) for i in changed}
    clock.lap("lower edited")
    # The previous versions of the edited files, when still cached, show the read cycles
    # through them (what they read is only used as graph edges, never trusted).
    previous = {i: found[old_keys[i]] for i in changed if old_keys[i] in found}
    graph = ReadGraph({**entries, **previous}, {src[1]: i for i, src in enumerate(sources)})
    # Cached files whose reads of files not analysed again no longer find what they found:
    # edited definitions, and (another tree with the same paths, a branch switched back)
    # summaries computed elsewhere. The rest is checked once the edited files are analysed.
    facts = _TextFacts(sources, entries)
    redo = set(changed) | graph.stale(entries, set(changed), keys) | graph.stale_texts(facts)
    program = None
    if not redo:
        redo = graph.stale_fields(_cached_fields(entries))
    moves = _Moves.after_edits(sources, previous, entries)
    clock.lap("read graph")
    waves = 0
    new = set(redo)
    while new:
        waves += 1
        redo = graph.with_cycles(redo)  # a cycle through cached summaries would keep what the edit removed
        if len(redo) > FULL_REVIEW_SHARE * len(sources):
            return None
        clock.lap("cycles")
        new = {i for i in redo if program is None or sources[i][1] not in program.owned}
        for i in sorted(new):
            if i not in lowered:
                lowered[i] = lower_source(*sources[i], tables)
        clock.lap("lower")
        if program is None:  # files moved before a restart stand with their moved summaries
            cached = {**entries, **moves.moved} if moves is not None else entries
            program = _program_over(sources, lowered, cached, redo, models, rules, budget, config, facts)
        else:
            program.adopt([lowered[i].module for i in sorted(new)])
        clock.lap("analyse")
        cycle = graph.new_cycles(redo, program)
        if cycle:  # what the analysis found went round the cycle through stale summaries: start again
            redo |= cycle | graph.stale_after(redo, program)
            program, new = None, set(redo)
            continue
        more = graph.stale_after(redo, program)
        if moves is not None:  # of those, the ones that only see moved lines are moved, not analysed
            more = moves.absorb(more, redo, program, graph)
        redo |= more
        new = more
    if progress:
        progress(len(sources), len(sources))
    problems_by_path: dict = {}
    new_entries: dict = {}
    keys_by_module = module_keys(sources, keys)
    if program is not None:  # None: every file was cached (only the whole result was not)
        for problem in analysis_problems(program):
            problems_by_path.setdefault(problem.path, []).append(problem)
        new_entries = file_entries(program, [lowered[i] for i in sorted(redo)], problems_by_path, keys_by_module)
    moved = moves.final_entries(program, redo, keys_by_module) if moves is not None and program is not None else {}
    new_entries.update((sources[i][0].display, entry) for i, entry in moved.items())
    if program is not None:
        cache.store_files((keys[i], new_entries[sources[i][0].display]) for i in sorted(redo | set(moved)))
    clock.lap("store")
    kept = {i: moved.get(i, e) for i, e in entries.items() if i not in redo}
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
    clock.report(f"{len(redo)} of {len(sources)} files analysed again ({len(changed)} edited), {len(moved)} moved, "
                 f"{waves} waves")
    # kept, not freed when the process exits right after reporting (``ReviewOptions.keep_alive``)
    return Analysed(findings, statement_lines, problems, suppressions, reviewed, [program, lowered, found, graph])


def _with_texts(sources: list, entries: dict) -> list:
    """``sources`` with every ``UnreadSource`` given its text: a cached file's from its entry (its key
    hashes the digest of its text, so the entry holds that text), another's read now."""
    out = []
    for i, (src, name, is_package) in enumerate(sources):
        if type(src) is UnreadSource:
            src = src.as_read(entries[i]["text"]) if i in entries else src.read()
        out.append((src, name, is_package))
    return out


class _TextFacts:
    """The facts of the review's whole text (``whole_text``), each joined when first asked for from every
    file's parts: a cached file's from its entry (they depend on its path and text only, which its key
    hashes), another's from its text."""

    def __init__(self, sources: list, entries: dict):
        self.parts = [(src.display, entries[i]["text_facts"] if i in entries else whole_text.file_parts(src.text))
                      for i, (src, _, _) in enumerate(sources)]
        self.values: dict = {}

    def __call__(self, name: str):
        if name not in self.values:
            self.values[name] = whole_text.fact_of_parts(name, self.parts)
        return self.values[name]


class _Moves:
    """Cached files whose results are moved to the new lines of edited files (``line_shift``)
    instead of analysed again, and the reads that find a moved version of what they found.

    A read "translates" when what it found before and what it finds now are a summary and
    the same summary moved: checked by moving the previous summary of a function analysed
    again, and true by construction for a moved file's own summaries. A cached file some
    read of which finds something else is moved when every such read translates (its
    analysis would compute the same on moved inputs), else analysed again.
    """

    def __init__(self, shift: LineShift, entries: dict, previous: dict):
        self.shift = shift
        self.entries = entries
        self.before = {**entries, **previous}  # a file's last cached entry, for what it exported
        self.moved: dict = {}  # file index -> moved entry
        self.translated: dict = {}  # ("sum", qualname) -> (found before, found now)
        self._checked: dict = {}  # qualname -> the value last checked for a translation

    @classmethod
    def after_edits(cls, sources, previous: dict, entries: dict) -> _Moves | None:
        maps = {sources[i][0].display: line_map(entry["text"], sources[i][0].text)
                for i, entry in previous.items() if entry.get("text") is not None}
        return cls(LineShift(maps), entries, previous) if maps else None

    def absorb(self, stale: set, redo: set, program, graph) -> set:
        """Of the cached files in ``stale`` (and those moved so far, checked again), move
        those whose every read finds what it found or its moved version; the others are
        returned, to analyse again. Summaries moved replace the cached ones in ``program``."""
        for i in redo:
            self.moved.pop(i, None)
        out: set = set()
        while True:
            self._note_analysed(redo, program)
            queue = sorted((stale | set(self.moved)) - redo - out, reverse=True)
            while queue:
                i = queue.pop()
                if i in out or i in redo:
                    continue
                if not self._reads_hold(i, program):
                    out.add(i)
                    self._withdraw(i)
                    continue
                if i not in self.moved:
                    try:
                        queue.extend(self._move(i, program, graph) - out - redo)
                    except Unmovable:
                        out.add(i)
            if not program.dirty:
                return out
            program.settle()  # what is analysed read summaries that were moved since
            stale = graph.stale_after(redo, program)

    def _move(self, i: int, program, graph) -> set:
        """Move file ``i``'s cached results; its summaries that moved replace the cached
        ones in ``program``. Returns the files that read those."""
        entry, changed = self.shift.moved_entry(self.entries[i])
        self.moved[i] = entry
        for q, (blob, failed, digest) in changed.items():
            self.translated[("sum", q)] = (self.entries[i]["digests"][q], (digest, failed))
            if q in program.lazy_summaries:
                program.lazy_summaries[q] = (blob, failed, digest)
            else:  # already read by what is analysed: what read it is analysed again
                program.receive({q: (pickle.loads(blob), failed)}, {})
        return graph.readers_of(i, changed)

    def _note_analysed(self, files: set, program) -> None:
        """Translations for the summaries of ``files`` (analysed again) that equal their
        previous version moved."""
        for i in files:
            before = self.before.get(i)
            if before is None:
                continue
            for q, cached in before["summaries"].items():
                now = program.read_value("sum", q, None)
                if self._checked.get(q, 0) == now:
                    continue
                self._checked[q] = now
                self.translated.pop(("sum", q), None)
                found = (cached[2], cached[1])
                if now is None or now == found or now[1] != found[1]:
                    continue
                try:
                    moved = self.shift.moved_summary(cached)
                except Unmovable:
                    continue
                if moved is not None and moved[2] == now[0]:
                    self.translated[("sum", q)] = (found, now)

    def _reads_hold(self, i: int, program) -> bool:
        owned, translated = program.owned, self.translated
        for reads in self.entries[i]["reads"].values():
            for read, found in reads.items():
                kind, key, module_name = read
                if module_name not in owned and (kind == "def" or (kind == "sum" and (kind, key) not in translated)):
                    continue  # cached, not moved: checked against each other before any analysis (``stale``)
                now = program.read_value(kind, key, module_name)
                if now != found and self.translated.get((kind, key)) != (found, now):
                    return False
        return True

    def _withdraw(self, i: int) -> None:
        """A moved file turned out to need analysing again: its moved summaries no longer
        stand for a translation (``adopt`` replaces them in the program)."""
        entry = self.moved.pop(i, None)
        if entry is not None:
            for q in entry["summaries"]:
                self.translated.pop(("sum", q), None)

    def final_entries(self, program, redo: set, module_keys: dict) -> dict:
        """The moved files' entries, their reads recording what they find now."""
        out = {}
        for i, entry in self.moved.items():
            if i in redo:
                continue
            reads = {function: {read: program.read_value(*read) for read in found}
                     for function, found in entry["reads"].items()}
            out[i] = {**entry, "reads": reads, "def_keys": definition_keys(reads, module_keys)}
        return out


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
        # Reads of summaries and definitions, by owner file: {(kind, key, module, value found): {reader files}}.
        # Many functions of a file read the same definitions: each distinct read is checked once.
        self.reads_into: dict = {}
        self.field_reads: dict = {}  # field key -> {value found: {reader files}}, for reads that found a value
        # field key -> {reader files}, for reads that found none: most field reads (each function reads whether
        # something registers it as a handler), checked by the fields that hold a value (``_stale_absent``)
        self.absent_field_reads: dict = {}
        self.text_reads: dict = {}  # fact name (``whole_text``) -> {value found: {reader files}}
        readers, edges, reads_into, field_reads = self.readers, self.edges, self.reads_into, self.field_reads
        # The readers of a field are only looked for from a cached function that stores to it (``upstream``):
        # most field reads are of fields no cached function stores to, and are not indexed there.
        stored = {key for entry in entries.values() for key in entry["fields"]}
        for i, entry in entries.items():
            for function in entry["summaries"]:
                self.file_of[function] = i
            for function, reads in entry["reads"].items():
                out = edges.setdefault(function, [])
                reader = (i, function)
                for read, found in reads.items():
                    kind, key, module_name = read
                    if kind == "text":  # a fact of every file's text: checked against the texts now (``stale_texts``)
                        self.text_reads.setdefault(key, {}).setdefault(found, set()).add(i)
                        continue
                    if kind == "def":  # definitions are checked by owner (reads_into), never walked
                        owner = file_of_module.get(module_name)
                        if owner is not None:
                            reads_into.setdefault(owner, {}).setdefault((kind, key, module_name, found), set()).add(i)
                        continue
                    if kind == "field":
                        if key in stored:
                            readers.setdefault((kind, key), set()).add(reader)
                        out.append(("field", key))
                        if found is None:
                            self.absent_field_reads.setdefault(key, set()).add(i)
                        else:
                            field_reads.setdefault(key, {}).setdefault(found, set()).add(i)
                        continue
                    readers.setdefault((kind, key), set()).add(reader)
                    out.append(key)
                    owner = file_of_module.get(module_name)
                    if owner is not None:
                        reads_into.setdefault(owner, {}).setdefault((kind, key, module_name, found), set()).add(i)
            for key, parts in entry["fields"].items():
                edges.setdefault(("field", key), []).extend(parts)

    def readers_of(self, owner: int, keys) -> set:
        """The files that read one of ``keys`` (summaries of file ``owner``)."""
        return {reader for (kind, key, _, _), files in self.reads_into.get(owner, {}).items()
                if kind == "sum" and key in keys for reader in files}

    def stale(self, entries: dict, redo: set, keys: list) -> set:
        """Cached files outside ``redo`` whose reads of summaries and definitions of other
        files outside ``redo`` find something else now. A definition depends on its
        module's text only: read from a module whose file key is the one the reader
        recorded (``def_keys``), it holds without unpickling the module's stub."""
        out = set()
        for owner, reads in self.reads_into.items():
            if owner in redo:
                continue
            entry, definitions, stub = entries[owner], {}, None
            digests, key_now = entry["digests"], keys[owner]
            for (kind, key, module_name, found), files in reads.items():
                files = files - redo  # the others are analysed again anyway (and may be previous versions)
                if not files:
                    continue
                if kind == "sum":
                    if digests.get(key) != found:
                        out.update(files)
                    continue
                unsure = {i for i in files if entries[i].get("def_keys", {}).get(module_name) != key_now}
                if not unsure:
                    continue
                now = definitions.get(key)
                if now is None:
                    stub = stub or entry_stub(entry)
                    now = definitions[key] = definition(stub, key)
                if now != found:
                    out.update(unsure)
        return out - redo

    def stale_texts(self, facts: _TextFacts) -> set:
        """Cached files that read a fact of the review's whole text (``whole_text``) whose value is another now
        (``log_opt_values`` called in an edited file changes what a cached file's option declarations mean)."""
        out: set = set()
        for name, by_found in self.text_reads.items():
            now = whole_text.comparable(facts(name)) if whole_text.is_fact(name) else None
            for found, files in by_found.items():
                if found != now:
                    out |= files
        return out

    def stale_fields(self, fields: dict) -> set:
        """With nothing else to analyse again: cached files whose reads of a field find another value."""
        out = self._stale_absent(fields)
        for key, by_found in self.field_reads.items():
            now = V.digest(fields[key]) if key in fields else None
            for found, files in by_found.items():
                if found != now:
                    out.update(files)
        return out

    def _stale_absent(self, held) -> set:
        """The files that read a field and found no value, where one of the fields ``held`` (those that hold
        a value now) was read."""
        absent, out = self.absent_field_reads, set()
        for key in held:
            files = absent.get(key)
            if files:
                out.update(files)
        return out

    def stale_after(self, redo: set, program) -> set:
        """After ``redo`` was analysed: cached files that read its summaries or any field
        and find something else."""
        out = set()
        for owner in redo:
            for (kind, key, module_name, found), files in self.reads_into.get(owner, {}).items():
                if not files <= out and program.read_value(kind, key, module_name) != found:
                    out.update(files)
        out |= self._stale_absent(program.fields_held())
        for key, by_found in self.field_reads.items():
            now = program.read_value("field", key, "")
            for found, files in by_found.items():
                if found != now:
                    out.update(files)
        return out - redo

    def new_cycles(self, redo: set, program) -> set:
        """Cached files that the analysed code now reads and that read it: a read cycle
        the cached graph did not show (the edit made it)."""
        out = set()
        owned = {q for module in program.owned.values() for q in module.functions}
        read = {key for function in program.reads for kind, key, _ in program.reads[function]
                if kind == "sum" and key not in owned}
        upstream = self.upstream(owned, within=self.downstream(read, program) | read)
        reach: dict = {}
        for function in sorted(program.reads):
            for kind, key, _ in sorted(program.reads[function], key=repr):
                if kind != "sum" or key not in upstream or self.file_of.get(key) in redo:
                    continue
                if key not in reach:  # the analysed functions it depends on: cached reads, then current ones
                    reach[key] = self.downstream([key], program) & owned
                if function in reach[key]:  # key reads, through others, the function that now reads it
                    out.add(self.file_of[key])
        return out

    def upstream(self, functions: set, with_fields: bool = False, within: set | None = None) -> set:
        """Every function (and, with ``with_fields``, field) whose cached result depends,
        through reads, on one of ``functions``; only those in ``within``, when given (a
        path between two nodes of a cycle region never leaves it, so the walk need not)."""
        seen: set = set()
        stack = list(functions)
        while stack:
            node = stack.pop()
            if isinstance(node, tuple):
                read = ("field", node[1])
            else:
                read = ("sum", node)
                for key in self._fields_written_by(node):
                    field = ("field", key)
                    if field not in seen and (within is None or field in within):
                        seen.add(field)
                        stack.append(field)
            for _, reader in self.readers.get(read, ()):
                if reader not in seen and (within is None or reader in within):
                    seen.add(reader)
                    stack.append(reader)
        return seen if with_fields else {n for n in seen if not isinstance(n, tuple)}

    def downstream(self, nodes, program=None) -> set:
        """Every node that one of ``nodes`` depends on through reads: cached reads, and the
        current reads of the functions ``program`` analysed (when given)."""
        owned = {q for module in program.owned.values() for q in module.functions} if program is not None else ()
        seen: set = set()
        stack = list(nodes)
        while stack:
            node = stack.pop()
            if node in owned:
                nexts = [key if kind == "sum" else ("field", key)
                         for kind, key, _ in program.reads.get(node, ()) if kind in ("sum", "field")]
            elif program is not None and isinstance(node, tuple):
                nexts = list(self.edges.get(node, ())) + list(program.field_parts.get(node[1], ()))
            else:
                nexts = self.edges.get(node, ())
            for nxt in nexts:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
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
        """``files`` and the files of every function in a read cycle with one of theirs.
        A cycle through a function lies within what both reads it (up) and is read by
        it (down): the strongly connected components are sought there only."""
        functions = {q for q, i in self.file_of.items() if i in files}
        down = self.downstream(functions)  # a helper module reads little, and is read by much
        if not down:
            return set(files)
        region = self.upstream(functions, with_fields=True, within=down) | functions
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


def _program_over(sources, lowered: dict, entries: dict, redo: set, models, rules, budget, config,
                  facts: _TextFacts):
    """The files in ``redo`` analysed from scratch against the cached results of the others."""
    from secreview.analysis.program import Program
    texts = {src.display: src.text for src, _, _ in sources}
    cached = [i for i in sorted(entries) if i not in redo]
    program = Program([lowered[i].module for i in sorted(redo)], models, rules, budget_steps=budget,
                      test_path=config.is_test_path, on_demand=config.on_demand,
                      lazy_foreign={sources[i][1]: (sources[i][0].display, lambda entry=entries[i]: entry_stub(entry))
                                    for i in cached},
                      foreign_text=lambda path: texts.get(path, ""), text_facts=facts)
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
