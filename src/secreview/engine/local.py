"""Stage: lower and analyse every file in this process (``--jobs 1``, and small reviews)."""

from __future__ import annotations

from secreview.engine.analysed import Analysed, analysis_problems
from secreview.engine.lowering import LoweredFile, lower_source
from secreview.engine.store import module_keys, store_entries


def analyse_here(sources: list, models, rules, budget: int, config, progress=None, *, cache=None,
                 keys=None) -> Analysed:
    """Lower and analyse every source in this process (and fill the cache, if given)."""
    from secreview.analysis.program import Program
    lowered: list[LoweredFile] = []
    problems = []
    for i, (src, name, is_package) in enumerate(sources):
        item = lower_source(src, name, is_package)
        lowered.append(item)
        if item.problem is not None:
            problems.append(item.problem)
        if progress:
            progress(i + 1, len(sources))
    program = Program([item.module for item in lowered], models, rules, budget_steps=budget,
                      test_path=config.is_test_path)
    findings = program.run()
    found = analysis_problems(program)
    problems.extend(found)
    if cache is not None:
        store_entries(cache, keys, program, lowered, found, module_keys(sources, keys))
    return Analysed(findings, program.findings.statement_lines, problems,
                    {item.module.path: item.suppressions for item in lowered},
                    sum(1 for item in lowered if item.problem is None or item.problem.reviewed),
                    [program, lowered])
