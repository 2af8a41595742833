"""Stage: lower and analyse every file in this process (``--jobs 1``, and small reviews)."""

from __future__ import annotations

from secreview.engine.analysed import Analysed, analysis_problems
from secreview.engine.lowering import LoweredFile, lower_source
from secreview.engine.store import module_keys, store_entries


def analyse_here(sources: list, models, rules, budget: int, config, progress=None, *, cache=None,
                 keys=None) -> Analysed:
    """Lower and analyse every source in this process (and fill the cache, if given).

    Files are lowered when the analysis first needs them and their IR is dropped once they
    are analysed (``Program(lazy_owned=...)``): what the whole-program step keeps of a file
    analysed is its stub and summaries, so the peak is far below the IR of the whole tree.
    Files whose functions are analysed only on demand (test code) are lowered first, each
    dropped at once (``Program(dropped=...)``): lowering a large file needs its syntax tree
    and the parser's own for a moment (neutron's largest test file: 29 MiB for 4.6 MiB of
    IR), and this way that moment comes before the analysis has grown, not at its end.
    """
    from secreview.analysis.interface import module_stub
    from secreview.analysis.program import Program, release_ir
    from secreview.ir.lower import LoweringTables
    first: dict = {}  # module name -> its first lowering's LoweredFile, without the IR
    tables = LoweringTables()  # this review's: shared by the modules it lowers, gone with it

    def lowering(src, name: str, is_package: bool):
        def lower():
            item = lower_source(src, name, is_package, tables)
            if name not in first:
                first[name] = LoweredFile(None, item.suppressions, item.problem)
                if progress:
                    progress(len(first), len(sources))
            return item.module
        return (src.display, lower)

    def dropped_at_once(relower):
        module = relower()
        stub = module_stub(module)  # (without its text: ``foreign_text`` below gives it when a finding quotes it)
        release_ir(module)
        return stub, relower

    # A dropped module's stub holds no text: a file's text is read from its source when a finding quotes it
    # (a ``PackedSource``'s is decompressed then), not held as a string per file to the end of the review.
    by_path = {src.display: src for src, _, _ in sources}
    on_demand = [(src, name, is_package) for src, name, is_package in sources if config.on_demand(src.display)]
    if cache is None:
        # Without a cache to store their stubs in, the modules analysed on demand need none until a lookup
        # reaches them (most never are: neutron 56 of 880, Django 171 of 1,992): lowered for their problems
        # and suppressions, then left unlowered (``on_demand_unlowered``), lowered again if a lookup needs one.
        for src, name, is_package in on_demand:
            release_ir(lowering(src, name, is_package)[1]())
        dropped = {}
    else:
        dropped = {name: dropped_at_once(lowering(src, name, is_package)[1]) for src, name, is_package in on_demand}
    del on_demand
    spill = cache.spill() if cache is not None else None  # what only the store reads waits on disk
    program = Program([], models, rules, budget_steps=budget, test_path=config.is_test_path, on_demand=config.on_demand,
                      lazy_owned={name: lowering(src, name, is_package) for src, name, is_package in sources
                                  if name not in dropped},
                      all_texts=lambda: ((src.display, src.text) for src, _, _ in sources),
                      foreign_text=lambda path: by_path[path].text if path in by_path else "",
                      record_reads=cache is not None, spill=spill, dropped=dropped,
                      on_demand_unlowered=cache is None)
    del dropped
    findings = program.run()
    lowered: list[LoweredFile] = []
    problems = []
    for src, name, _ in sources:
        item = first[name]
        item.module = program.owned.get(name)  # its stub, or its IR if never dropped (None: never looked up)
        if cache is not None and item.module.text is None:
            item.module.text = src.text  # (the cache keeps each file's text)
        lowered.append(item)
        if item.problem is not None:
            problems.append(item.problem)
    found = analysis_problems(program)
    problems.extend(found)
    if cache is not None:
        store_entries(cache, keys, program, lowered, found, module_keys(sources, keys))
        spill.close()
    return Analysed(findings, program.findings.statement_lines, problems,
                    {src.display: item.suppressions for item, (src, _, _) in zip(lowered, sources)},
                    sum(1 for item in lowered if item.problem is None or item.problem.reviewed),
                    [program, lowered])
