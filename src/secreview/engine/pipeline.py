"""The review of one project: source -> parse -> IR -> analyses -> findings.

``review`` takes what the user named (paths or standard input) and returns a
``ReviewResult``; reports render it. Every file that cannot be read or fully
parsed is recorded as a ``FileProblem`` and the rest of the review goes on.

This module only orchestrates. The stages it calls sit below it and never
import it: ``source.gather`` (discovery and reading), ``engine.lowering``,
``engine.analyse`` (in this process, ``engine.local``, or on workers,
``engine.parallel``), ``engine.cache`` with ``engine.store`` and
``engine.incremental`` (storing and reusing results).
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from secreview.config import DEFAULT_ANALYSIS_BUDGET, DEFAULT_CONFIG, DEFAULT_TEST_PATHS, Config
from secreview.engine.analysed import Analysed
from secreview.findings.fingerprint import fingerprint
from secreview.findings.model import ReviewResult
from secreview.findings.offensive_tool import lower_in_offensive_tools
from secreview.findings.same_flow import merge_same_flow
from secreview.source.gather import gather_sources
from secreview.source.module_names import ImportResolver, ambiguous_imports, unique_module_names
from secreview.source.reading import PackedSource, SourceChanged, SourceText, text_digest
from secreview.source.test_layout import runner_test_paths

if TYPE_CHECKING:
    from secreview.analysis.models import ModelSet
    from secreview.engine.cache import KeptModels
    from secreview.source.known_files import KnownFiles

DEFAULT_BUDGET = DEFAULT_ANALYSIS_BUDGET


@dataclass
class ReviewOptions:
    config: Config = DEFAULT_CONFIG
    models: ModelSet | KeptModels | None = None
    """The taint models; None: the configuration's (``load_models``). A ``KeptModels`` (the built-in
    models kept in the cache) is loaded only when the review is not answered from the cache."""
    budget: int | None = None
    """Analysis steps per file; None: the configuration's ``analysis-budget``."""
    progress: Callable[[int, int], None] | None = None
    rules: Sequence[type] | None = None
    suppressed_sink: list | None = None
    """When a list, every finding a suppression comment hides is appended to it
    as ``(finding, suppression)`` (change review lists what added comments hide)."""
    source_lines: dict | None = None
    """When a dict, it is filled with display path -> the lines of each file
    reviewed (for report context and baselines)."""
    jobs: int | None = 1
    """Worker processes for lowering and analysis; None: one per available core. Any
    number gives the same result."""
    cache_dir: Path | None = None
    """Where to keep and find per-file results (``engine.cache``); None: no cache."""
    sources: list | None = None
    """When a list, the ``(SourceText, module name, is package)`` of every file reviewed is appended
    to it (for a pass after the review: the optional model pass, ``secreview.llm``)."""
    include_ignored: bool = False
    """Review what ``.gitignore`` and the default exclusions (virtual environments,
    ``node_modules``...) leave out; the configured ``exclude`` still applies."""
    include_non_production: bool = False
    """Report the findings in non-production code (``Config.non_production_paths``) too; by
    default they are withheld and counted (``ReviewResult.non_production``)."""
    list_ambiguous_imports: bool = False
    """Fill ``ReviewResult.ambiguous_imports`` (what ``--verbose`` prints): the imports that several
    reviewed files could satisfy. Off by default: finding them parses the files that may hold one."""
    keep_alive: list | None = None
    """When a list, the review's intermediate objects (IR, summaries) are appended to it and
    the collector frozen, instead of being freed: for a process that exits right after
    reporting (the ``secreview`` command), where freeing millions of objects one by one
    would cost seconds for nothing."""
    analyse: Callable[..., Analysed] | None = None
    """Without a cache: when given, ``analyse(sources, models, rules, budget, config, progress)``
    lowers and analyses the files instead of ``engine.analyse.analyse_all`` (``jobs`` is then
    not used), and must return what it would (``secreview fleet`` runs the shares of
    ``engine.parallel`` as Dask tasks)."""


def review(paths: Sequence[str], options: ReviewOptions, *, stdin_data: bytes | None = None) -> ReviewResult:
    """Review the files under ``paths`` (``-``: ``stdin_data``) as one project, configured by
    ``options.config``. Holds no state between calls: any number of reviews may run one after
    another in one process."""
    known_path = known_files_path(options, paths) if not all(p == "-" for p in paths) else None
    return with_known_files(known_path, lambda path: _review(paths, options, stdin_data, path))


def with_known_files(known_path: Path | None, run: Callable[[Path | None], ReviewResult]) -> ReviewResult:
    """``run(known_path)``: a review that takes the files the records at ``known_path`` show unchanged as read;
    ``run(None)`` again, reading every file, when one of them changed while it looked at the tree
    (``SourceChanged``), or when there are no records to use."""
    if known_path is not None:
        try:
            return run(known_path)
        except SourceChanged:
            pass
    return run(None)


def known_files_path(options: ReviewOptions, paths: Sequence[str], kind: str = "review") -> Path | None:
    """Where the cache keeps the records of the files that reviews of ``paths`` (of ``kind``) read, when this
    review may take the files they show unchanged as read (``source.known_files``): with a cache, on a system
    that keeps files' change times, and when nothing but the analysis needs the texts (the lines for a report,
    the model pass and the list of ambiguous imports read every file); None otherwise."""
    from secreview.source.known_files import CHANGE_TIME_KEPT
    if not CHANGE_TIME_KEPT or options.cache_dir is None or options.source_lines is not None \
            or options.sources is not None or options.list_ambiguous_imports:
        return None
    from secreview.engine import cache
    return cache.known_files_path(options.cache_dir, paths, kind)


def _review(paths: Sequence[str], options: ReviewOptions, stdin_data: bytes | None,
            known_path: Path | None) -> ReviewResult:
    """``review``; the files that the records at ``known_path`` show unchanged are not read."""
    result = ReviewResult(target=" ".join(paths) if paths else "<stdin>")
    non_production: set[str] = set()
    sources, problems = gathered_with_known_files(known_path, lambda known: gather_sources(
        paths, options.config, stdin_data, include_ignored=options.include_ignored, excluded=result.excluded,
        non_production=non_production, known=known))
    result.problems.extend(problems)
    if options.source_lines is None and options.sources is None:
        # Nothing reads the texts after the analysis, which reads each a few times: they wait packed
        # (``PackedSource``), not as strings held to the end of the review (Django's: 30 MiB).
        sources = [(PackedSource.of(src) if type(src) is SourceText else src, name, is_package)
                   for src, name, is_package in sources]
    named = [(Path(p), p) for p in paths if p != "-" and os.path.isdir(p)]
    return review_gathered(sources, options, result, named, non_production=non_production,
                           files_named=any(p == "-" or Path(p).is_file() for p in paths))


def review_gathered(sources: list, options: ReviewOptions, result: ReviewResult,
                    named: Sequence[tuple[Path, str]], *, non_production: Collection[str] = (),
                    files_named: bool = False) -> ReviewResult:
    """The review of the sources gathered (``source.gather``) from what the user named: ``named`` the
    directories among it, ``(directory, as the user named it)``, whose projects add their own test folders
    and may say they are offensive-security tools; ``files_named`` when a file (or standard input) was
    named. ``secreview review`` and each repository of ``secreview fleet`` end here, so that both give the
    same report."""
    options = with_project_test_paths(options, named, [src.display for src, _, _ in sources])
    config = options.config
    if config.tests_on_demand and (files_named or all(config.is_test_path(src.display) for src, _, _ in sources)):
        # a file named, or test code only: what the user asked for is analysed in full, tests too
        options = replace(options, config=replace(config, tests_on_demand=False))
    return review_sources(sources, options, result, non_production=non_production, purposes=project_purposes(named))


def project_purposes(named: Sequence[tuple[Path, str]]) -> dict[str, str]:
    """``{display prefix: declared purpose}`` of the named directories whose project says it is an
    offensive-security tool (``source.project_purpose``; ``""`` for the current directory)."""
    from secreview.source.project_purpose import offensive_purpose
    found = {}
    for directory, shown_as in named:
        purpose = offensive_purpose(directory)
        if purpose is not None:
            top = shown_as.replace(os.sep, "/").rstrip("/")
            found["" if top in ("", ".") else top.removeprefix("./")] = purpose
    return found


def gathered_with_known_files(known_path: Path | None, gather: Callable[[KnownFiles | None], tuple]) -> tuple:
    """``gather(known)``, ``known`` the records kept at ``known_path`` for a review starting now (before it looks
    at any file; None without a path), and the records it leaves kept there for the next review when they are not
    those it found."""
    if known_path is None:
        return gather(None)
    from secreview.engine import cache
    from secreview.source.known_files import KnownFiles
    known = KnownFiles(cache.load_known_files(known_path), time.time_ns())
    found = gather(known)
    if known.changed:
        cache.keep_known_files(known_path, known.now)
    return found


def with_project_test_paths(options: ReviewOptions, named: Sequence[tuple[Path, str]],
                            displays: list[str]) -> ReviewOptions:
    """``options`` whose test paths add the test folders each project of ``named`` (its directory, and
    the path its files are displayed under, as the user named it) keeps where no convention looks
    (``source.test_layout``), by ``displays``, the display paths of the files reviewed; unchanged when
    the project configures its own ``test-paths`` (they replace the conventions and these alike)."""
    config = options.config
    if config.test_paths != DEFAULT_TEST_PATHS:
        return options
    found: list[str] = []
    for directory, shown_as in named:
        top = shown_as.replace(os.sep, "/").rstrip("/") or "/"
        under = "" if top == "." else top if top == "/" else top + "/"
        files = [d[len(under):] for d in displays if d.startswith(under)] if under else \
            [d for d in displays if not d.startswith("/") and not d.startswith("../")]
        found.extend(runner_test_paths(directory, shown_as, files))
    if not found:
        return options
    return replace(options, config=replace(config, test_paths=DEFAULT_TEST_PATHS + tuple(dict.fromkeys(found))))


def review_sources(sources: Iterable[tuple[SourceText, str, bool]], options: ReviewOptions,
                   result: ReviewResult | None = None, *, non_production: Collection[str] = (),
                   purposes: Mapping[str, str] | None = None) -> ReviewResult:
    """Review ``(text, module name, is package)`` sources read already (``source.gather``). The
    findings in the files of ``non_production`` (display paths) are withheld and counted in
    ``result.non_production``, unless ``options.include_non_production``: those files are
    analysed all the same, so that flows through them stay as they are. ``purposes``: the projects
    (by display prefix) that say they are offensive-security tools (``findings.offensive_tool``)."""
    result = result or ReviewResult()
    config = options.config
    shown_tests = frozenset(p for p in non_production if config.tests_on_demand and config.is_test_path(p))
    if shown_tests - config.named_tests:  # (counted, and listed on request: analysed in full)
        config = replace(config, named_tests=config.named_tests | shown_tests)
        options = replace(options, config=config)
    if options.models is not None:
        models = options.models
    else:
        from secreview.analysis.models import load_models
        models = load_models(config.model_paths)
    sources = _with_imports(unique_module_names(list(sources)), config)
    if options.list_ambiguous_imports:
        result.ambiguous_imports = ambiguous_imports(sources)
    if options.sources is not None:
        options.sources.extend(sources)
    budget = options.budget if options.budget is not None else config.analysis_budget
    # Many long-lived IR objects: the cyclic collector would rescan them over and over.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 20_000))
    analysed = None
    try:
        if options.cache_dir is not None and sources:
            analysed, rules = _review_with_cache(sources, options, models, budget)
        else:
            from secreview.engine.analyse import analyse_all, effective_jobs
            from secreview.engine.cache import loaded_models
            models = loaded_models(models)
            rules = _enabled_rules(options.rules, all_rules, config)
            if options.analyse is not None:
                analysed = options.analyse(sources, models, rules, budget, config, options.progress)
            else:
                jobs = effective_jobs(options.jobs, len(sources))
                analysed = analyse_all(sources, models, rules, budget, config, jobs, options.progress)
        for src, _, _ in sources:
            result.lines_reviewed += src.n_lines
            if options.source_lines is not None:
                options.source_lines[src.display] = src.text.split("\n")
        result.problems.extend(analysed.problems)
        result.files_reviewed = analysed.files_reviewed
        lower_in_offensive_tools(analysed.findings, purposes or {}, {r.id for r in rules if r.peer_identity},
                                 {r.id for r in rules if r.attack_material})
        _keep_reported(analysed, rules, config, options, result,
                       frozenset() if options.include_non_production else frozenset(non_production))
        result.sort()
        return result
    finally:
        sys.setrecursionlimit(old_limit)
        if options.keep_alive is not None and analysed is not None:
            options.keep_alive.append(analysed.keep)
            gc.freeze()
        if gc_was_enabled:
            gc.enable()


def _with_imports(sources: list, config: Config) -> list:
    """The sources, each told how its absolute imports find the reviewed modules."""
    resolver = ImportResolver(sources, [str(p) for p in config.source_root_paths])
    return [(src.with_resolve(resolver.for_file(src.display)), name, is_package) for src, name, is_package in sources]


def _review_with_cache(sources: list, options: ReviewOptions, models, budget: int):
    """(analysed, the enabled rules) from the cache: the stored result of the same files, or an
    incremental or full review. The stored result needs neither the rule modules (their
    ``RuleInfo`` is kept in the cache) nor the analysis modules."""
    from secreview.engine.cache import ReviewCache, rule_catalog, run_key, salt_for
    from secreview.engine.store import stored_result
    config = options.config
    rules = _enabled_rules(options.rules, lambda: rule_catalog(options.cache_dir), config)
    cache = ReviewCache(options.cache_dir, salt_for(config, models, rules, budget))  # by rule ids only
    keys = [cache.file_key(src.display, name, is_package, None, src.resolve.resolver.digest if src.resolve else "",
                           text_digest(src)) for src, name, is_package in sources]
    analysed = stored_result(cache, run_key(keys))
    if analysed is not None:
        return analysed, rules
    from secreview.engine.cache import loaded_models
    from secreview.engine.incremental import review_cached
    rules = _enabled_rules(options.rules, all_rules, config)
    return review_cached(sources, loaded_models(models), rules, budget, config, options.jobs, cache, options.progress,
                         keys=keys), rules


def all_rules() -> list:
    """``rules.registry.all_rules()``, imported when called: a review answered from the cache needs no
    rule module (``_review_with_cache``)."""
    from secreview.rules.registry import all_rules as registered
    return registered()


def _enabled_rules(named, catalog, config: Config) -> list:
    """The rules to run: those the caller named (filtered by ``select``/``ignore`` only), else
    those of ``catalog()`` the configuration enables (the default set, unless it selects more)."""
    if named:
        return [r for r in named if config.rule_enabled(r, tier=False)]
    return [r for r in catalog() if config.rule_enabled(r)]


def _suppressed_on_step(sup, finding, rule_cls):
    """A suppression naming the rule (or one of its Bandit ids) on the line of a step of the finding's own
    trace in its file: where Bandit reports the same defect (``ddl = (  # nosec B608`` where the query is
    built, ``LISTEN_HOST = "0.0.0.0"  # nosec B104`` where the address is written), someone already looked
    at it and accepted it. A bare ``# nosec`` there covers only what is reported on its own line."""
    for step in finding.trace:
        if step.path == finding.path:
            hit = sup.match(finding.rule_id, finding.rule_name, rule_cls.bandit, range(step.line, step.line + 1),
                            named_only=True)
            if hit is not None:
                return hit
    return None


def _keep_reported(analysed: Analysed, rules, config, options: ReviewOptions, result: ReviewResult,
                   non_production: frozenset[str] = frozenset()) -> None:
    """Findings above the configured thresholds and not suppressed, with their fingerprints; those
    in ``non_production`` files are counted in ``result.non_production`` instead (after the
    suppressions: a suppressed finding is counted as suppressed)."""
    kept = []
    by_id = {r.id: r for r in rules}
    for finding in analysed.findings:
        rule_cls = by_id.get(finding.rule_id)
        if "test-code" in finding.tags and rule_cls is not None and not rule_cls.tests_relevant:
            continue
        if finding.confidence < config.min_confidence:
            result.below_confidence += 1  # counted beside the verdict, with the option that shows them
            continue
        if finding.severity < config.min_severity:
            result.below_severity += 1
            continue
        lines = analysed.statement_lines.get(id(finding), (finding.span.line, finding.span.end_line))
        sup = analysed.suppressions.get(finding.path)
        hit = sup.match(finding.rule_id, finding.rule_name, rule_cls.bandit,
                        range(min(lines[0], finding.span.line), max(lines[1], finding.span.end_line) + 1)
                        ) if sup is not None and rule_cls is not None else None
        if hit is None and sup is not None and rule_cls is not None:
            hit = _suppressed_on_step(sup, finding, rule_cls)
        if hit is not None:
            result.suppressed += 1
            if options.suppressed_sink is not None:
                finding.fingerprint = fingerprint(finding)
                options.suppressed_sink.append((finding, hit))
            continue
        if finding.path in non_production:
            result.non_production.add(finding.path)
            continue
        kept.append(finding)
    kept = merge_same_flow(kept)
    for finding in kept:
        finding.fingerprint = fingerprint(finding)
    result.findings = kept
