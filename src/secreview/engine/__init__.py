"""The engine: runs the pipeline's stages for one review.

Layers, each importing only those below it::

    cli                      the command line
    engine.pipeline          one project's review (``review``, ``review_sources``); engine.change
                             for a change
    engine stages            source.gather (discovery, reading), engine.lowering,
                             engine.analyse (engine.local here, engine.parallel on workers),
                             engine.incremental, engine.store and engine.cache (reusing and
                             storing results), engine.line_shift, engine.timings
    analysis, rules, models  taint analysis and the rules it feeds
    ir, parse, source        the IR, the parsers, files
    findings                 what a review produces

A library user calls ``secreview.engine.pipeline(paths, ReviewOptions(config=...))``; it holds
no state between calls.
"""

from secreview.engine.pipeline import ReviewOptions, review, review_sources

__all__ = ["ReviewOptions", "review", "review_sources"]
