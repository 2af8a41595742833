"""Coverage-guided fuzzing of the whole pipeline with atheris (libFuzzer). Run by hand, not by pytest:

    python -m pip install atheris
    python benchmarks/fuzz_atheris.py -atheris_runs=20000            # a bounded run
    python benchmarks/fuzz_atheris.py -max_total_time=600 corpus/    # ten minutes, keeping a corpus

Each input is raw bytes given to ``decode_source`` then ``review_sources`` with a small
analysis budget, and every report format is rendered. A crash is any exception that
escapes, or a problem of kind ``internal-error`` (a bug that the pipeline's guard
caught): both abort the run with the input saved by libFuzzer (``crash-<sha1>``); replay
one with ``python benchmarks/fuzz_atheris.py crash-<sha1>``. Seeds: with no corpus
directory the fuzzer starts from nothing; give it a directory of ``.py`` files (for
instance a copy of ``tests/rules/fixtures``) to start from real code.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from secreview.analysis.models import load_models
    from secreview.engine.pipeline import ReviewOptions, review_sources
    from secreview.findings.model import FileProblem, ProblemKind
    from secreview.reports import ReportOptions, render
    from secreview.source.reading import decode_source

MODELS = load_models(())
OPTIONS = ReviewOptions(models=MODELS, budget=100_000)
FORMATS = ("json", "sarif", "markdown", "text")


def test_one_input(data: bytes) -> None:
    src = decode_source(data, "fuzzed.py")
    if isinstance(src, FileProblem):
        assert src.message, src
        return
    result = review_sources([(src, "fuzzed", False)], OPTIONS)
    for problem in result.problems:
        if problem.kind is ProblemKind.INTERNAL_ERROR:
            raise AssertionError(f"{problem.message}\n{problem.detail}")
    reviewed = result.files_reviewed + len({p.path for p in result.problems if not p.reviewed})
    assert reviewed == 1, (result.files_reviewed, result.problems)
    for fmt in FORMATS:
        render(fmt, result, ReportOptions(tool_version="fuzz")).encode("utf-8")


def main() -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
