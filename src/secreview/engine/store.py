"""Stage: what the cache keeps of each file after a review, and a whole result stored before.

A file's entry holds its stub, its summaries (each pickled apart, unpickled only
when called), its findings grouped by function, its field stores, what each of
its functions read of other files with what it found (``incremental`` checks
those reads to decide what an edit makes stale), its text, and its parts of the
facts of the whole review's text (``whole_text.file_parts``).
"""

from __future__ import annotations

import pickle

from secreview.analysis import whole_text
from secreview.engine.analysed import Analysed


def stored_result(cache, result_key: str) -> Analysed | None:
    """The whole result stored for a review of the same files (by ``incremental.review_cached``), or None."""
    stored = cache.load("results", result_key)
    if stored is None:
        return None
    findings, lines, problems, suppressions, files_reviewed = stored
    return Analysed(findings, {id(f): line for f, line in zip(findings, lines)}, problems, suppressions,
                    files_reviewed, [])


def store_entries(cache, keys: list, program, lowered: list, problems: list, module_keys: dict, stubs=None,
                  pickles=None) -> None:
    """Each file's results into the cache (``module_keys``, ``stubs``, ``pickles``: see
    ``iter_file_entries``)."""
    by_path: dict = {}
    for problem in problems:
        by_path.setdefault(problem.path, []).append(problem)
    key_of = {item.module.path: key for key, item in zip(keys, lowered)}
    cache.store_files((key_of[path], entry) for path, entry
                      in iter_file_entries(program, lowered, by_path, module_keys, stubs, pickles))


def file_entries(program, lowered: list, problems_by_path: dict, module_keys: dict) -> dict:
    """Per file (display path): what the cache keeps of it after a review."""
    return dict(iter_file_entries(program, lowered, problems_by_path, module_keys))


def module_keys(sources: list, keys: list) -> dict:
    """The file key of every module of a review, by module name (for ``definition_keys``)."""
    return {name: key for (_, name, _), key in zip(sources, keys)}


def definition_keys(reads: dict, module_keys: dict) -> dict:
    """The file key of each module whose definitions ``reads`` found: a definition depends on
    its module's text only, so a read of a module whose key is the same still holds."""
    names = {module_name for found in reads.values() for kind, _, module_name in found if kind == "def"}
    return {name: module_keys.get(name) for name in sorted(names)}


def entry_stub(entry: dict):
    """A cached file's stub, unpickled only where needed: most reviews from the cache need few."""
    from secreview.analysis.interface import interned
    return interned(pickle.loads(entry["stub_blob"]))


def iter_file_entries(program, lowered: list, problems_by_path: dict, module_keys: dict, stubs=None, pickles=None):
    """``(display path, entry)`` one file at a time (a worker stores each before building the next).
    ``module_keys``: the file key of every module of the review, by name. ``stubs``, when given,
    are the files' stubs already pickled, in the order of ``lowered``; ``pickles(module name)``, when
    given, the summaries of a module pickled beforehand (``{qualname: (its digest, its pickle)}``),
    used for those whose digest is still the summary's."""
    from secreview.analysis.interface import module_stub  # not needed by a review answered from the cache
    buckets = program.findings.buckets
    parts_by_path: dict = {}  # path -> field key -> {function: value}
    for key, parts in program.field_parts.items():
        for function, value in parts.items():
            path = program.function_module[function].path
            parts_by_path.setdefault(path, {}).setdefault(key, {})[function] = value
    empty_blob = None  # every empty summary pickles to the same bytes: pickled once
    for n, item in enumerate(lowered):
        module = item.module
        stub = pickle.dumps(module_stub(module), protocol=pickle.HIGHEST_PROTOCOL) if stubs is None else stubs[n]
        summaries, file_buckets, reads = {}, {}, {}
        ready = pickles(module.name) if pickles is not None else {}
        function_reads = program.reads_by_function(module.name, module.functions)
        for q in module.functions:
            if q in program.summaries:  # pickled apart: a later review unpickles only those it calls
                summary = program.summaries[q]
                if summary.is_empty():
                    if empty_blob is None:
                        empty_blob = pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL)
                    blob = empty_blob
                elif (done := ready.get(q)) is not None and done[0] == summary.digest():
                    blob = done[1]
                else:
                    blob = pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL)
                summaries[q] = (blob, q in program.opaque, summary.digest())
            for bucket in (q, q + "\0function rules"):
                if bucket in buckets:
                    file_buckets[bucket] = buckets[bucket]
            if q in function_reads:  # with what each read found, to check it still does
                reads[q] = {read: program.read_value(*read) for read in sorted(function_reads[q], key=repr)}
        yield module.path, {
            "stub_blob": stub, "lowering_problem": item.problem,
            "def_keys": definition_keys(reads, module_keys),
            "digests": {q: (digest, opaque) for q, (_, opaque, digest) in summaries.items()},
            "suppressions": item.suppressions,
            "reviewed": item.problem is None or item.problem.reviewed,
            "summaries": summaries, "buckets": file_buckets, "reads": reads,
            "fields": parts_by_path.get(module.path, {}),
            "problems": problems_by_path.get(module.path, []),
            # to map the lines of this version to those of the next one (``line_shift``)
            "text": module.text or "",
            # what its text says for the facts of the whole review's text: a review from the cache joins
            # the others' without their texts (``incremental``)
            "text_facts": whole_text.file_parts(module.text),
        }
        program.forget_read_values()  # the next file reads other definitions, mostly: 3 MiB kept otherwise
