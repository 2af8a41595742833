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
    # Who read what, over the cached files: (kind, key) -> {(file index, function)}.
    readers: dict = {}
    definitions_read: dict = {}  # module name -> names whose definition cached code looked up there
    writers: dict = {}  # function -> field keys it stores to
    for i, entry in entries.items():
        for function, reads in entry["reads"].items():
            for kind, key, module_name in reads:
                readers.setdefault((kind, key), set()).add((i, function))
                if kind == "def":
                    definitions_read.setdefault(module_name, set()).add(key)
        for key, parts in entry["fields"].items():
            for function in parts:
                writers.setdefault(function, set()).add(key)
    clock.lap("lower edited")
    redo = set(changed)
    invalid: set = set()
    queue: list = []

    def touch(read) -> None:
        for j, function in readers.get(read, ()):
            if function not in invalid:
                invalid.add(function)
                queue.append(function)
                redo.add(j)

    for i in changed:
        old, new_stub = old_entries[i], module_stub(lowered[i].module)
        for q in old["summaries"]:
            touch(("sum", q))
        for key in old["fields"]:
            touch(("field", key))
        for name in sorted(definitions_read.get(old["stub"].name, ())):
            if definition(old["stub"], name) != definition(new_stub, name):
                touch(("def", name))
    while True:
        while queue:
            function = queue.pop()
            touch(("sum", function))
            for key in writers.get(function, ()):
                touch(("field", key))
        if len(redo) > FULL_REVIEW_SHARE * len(sources):
            return None
        clock.lap("find readers")
        for i in sorted(redo):
            if i not in lowered:
                lowered[i] = lower_source(*sources[i])
        clock.lap("lower readers")
        program = _program_over(sources, lowered, entries, redo, models, rules, budget, config)
        clock.lap("analyse")
        # Fields the new code stores to that it did not before: their cached readers too.
        changed_functions = invalid | {q for i in changed for q in lowered[i].module.functions}
        before = len(redo)
        for key, parts in program.field_parts.items():
            if any(writer in changed_functions for writer in parts):
                touch(("field", key))
        if len(redo) == before and not queue:
            break
    if progress:
        progress(len(sources), len(sources))
    problems_by_path: dict = {}
    for problem in analysis_problems(program):
        problems_by_path.setdefault(problem.path, []).append(problem)
    items = [lowered[i] for i in sorted(redo)]
    new_entries = file_entries(program, items, problems_by_path)
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
    clock.report(f"{len(redo)} of {len(sources)} files analysed again ({len(changed)} edited), "
                 f"{len(invalid)} cached functions invalidated")
    return Analysed(findings, statement_lines, problems, suppressions, reviewed, [program, lowered])


def _program_over(sources, lowered: dict, entries: dict, redo: set, models, rules, budget, config) -> Program:
    """The files in ``redo`` analysed from scratch against the cached results of the others."""
    texts = {src.display: src.text for src, _, _ in sources}
    cached = [i for i in sorted(entries) if i not in redo]
    program = Program([lowered[i].module for i in sorted(redo)], models, rules, budget_steps=budget,
                      test_path=config.is_test_path, foreign=[entries[i]["stub"] for i in cached],
                      foreign_lines=lambda path: texts.get(path, "").split("\n"))
    summaries, fields = {}, {}
    for i in cached:
        summaries.update(entries[i]["summaries"])
        for key, parts in entries[i]["fields"].items():
            for value in parts.values():
                fields[key] = value if key not in fields else V.join(fields[key], value)
    program.receive(summaries, fields)
    program.first_pass(bodies_only=True)
    program.first_pass()
    return program
