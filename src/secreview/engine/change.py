"""Change review: the whole tree after a change goes through the same review, and
the findings whose location or data flow touches a changed line are kept
(``source.changes`` materialises the change; ``docs/change-review.md``)."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import replace
from pathlib import Path

from secreview.engine.pipeline import (
    ReviewOptions,
    gathered_with_known_files,
    known_files_path,
    project_purposes,
    review_sources,
    with_known_files,
    with_project_test_paths,
)
from secreview.findings.model import AddedSuppression, Finding, ReviewResult
from secreview.findings.suppress import Suppressions
from secreview.source.changes import Change, collect_sources, ranges, touches
from secreview.source.gather import non_production_at


def review_change(change: Change, options: ReviewOptions) -> ReviewResult:
    """Review the whole tree after ``change``; keep what touches the change."""
    return with_known_files(_known_files_path(change, options), lambda path: _review_change(change, options, path))


def _known_files_path(change: Change, options: ReviewOptions) -> Path | None:
    """Where the records of the files that change reviews of this tree read are kept (``source.known_files``),
    when this review may use them: for a work tree's own files only (a tree written out for a revision or the
    index is new each time, and each of its files just written)."""
    if change.tree != change.root:
        return None
    return known_files_path(options, [str(change.tree)], kind="diff")


def _review_change(change: Change, options: ReviewOptions, known_path: Path | None) -> ReviewResult:
    """``review_change``; the files that the records at ``known_path`` show unchanged are not read."""
    result = ReviewResult(target=change.target, message=change.message)
    sources, problems = gathered_with_known_files(known_path, lambda known: collect_sources(
        change, include_ignored=options.include_ignored, excluded=result.excluded, known=known))
    result.problems.extend(problems)
    sink: list = []
    options.suppressed_sink = sink
    # (the tree's display paths are relative to its top)
    options = with_project_test_paths(options, [(change.root, ".")], [src.display for src, _, _ in sources])
    config = options.config
    non_production = non_production_files(config, str(change.tree), [src.display for src, _, _ in sources])
    changed_tests = frozenset(path for path in change.files if config.is_test_path(path))
    if changed_tests:  # the test files the change touches are analysed in full (``Config.on_demand``)
        config = replace(config, named_tests=config.named_tests | changed_tests)
        options = replace(options, config=config)
    review_sources(sources, options, result, non_production=non_production,
                   purposes=project_purposes([(change.root, ".")]))
    result.findings = [f for f in result.findings if touches(f, change.files)]
    result.suppressed = sum(1 for f, _ in sink if touches(f, change.files))
    texts = {src.display: src.text for src, _, _ in sources if src.display in change.files}
    result.added_suppressions = added_suppressions(change, texts, sink)
    result.changed_lines = {path: ranges(fc.touched) for path, fc in sorted(change.files.items()) if fc.touched}
    result.sort()
    return result


def non_production_files(config, tree: str, displays: list[str]) -> set[str]:
    """The files of the post-image ``tree`` (display paths relative to it) whose findings a review
    withholds, as ``source.gather.non_production_file`` decides for a tree under review: a path matching
    ``non_production_paths`` from the tree's top, or a file in a copy of another project
    (``vendored_copy``); neither when the setting lists no path."""
    if not config.non_production_paths:
        return set()
    base = os.path.abspath(tree)
    folders: dict = {}
    return {display for display in displays
            if non_production_at(config, display, os.path.join(base, *display.split("/")), base, folders)}


def _comment_key(text: str) -> str:
    return " ".join(text.split()).lower()


def added_suppressions(change: Change, texts: dict[str, str], sink: list) -> list[AddedSuppression]:
    """Suppression comments on lines the change adds that the file did not hold before."""
    out = []
    for path, fc in sorted(change.files.items()):
        text = texts.get(path)
        if text is None or not fc.added:
            continue
        post = [s for s in Suppressions.from_source(text).all() if s.line in fc.added]
        if not post:
            continue
        before = change.pre_image(fc)
        pre_counts: Counter = Counter()
        if before is not None:
            pre_text = before.decode("utf-8", "replace")
            pre_counts = Counter(_comment_key(s.text) for s in Suppressions.from_source(pre_text).all())
        post_counts = Counter(_comment_key(s.text) for s in Suppressions.from_source(text).all())
        for sup in post:
            key = _comment_key(sup.text)
            if post_counts[key] <= pre_counts[key]:
                continue  # the same comment was there before: moved, not added
            hides = tuple(sorted((f for f, hit in sink if f.path == path and hit == sup), key=Finding.sort_key))
            out.append(AddedSuppression(path=path, line=sup.line, comment=sup.text, rules=sup.rules,
                                        reason=sup.reason, hides=hides))
    return out
