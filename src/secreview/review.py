"""The pipeline: source -> parse -> IR -> analyses -> findings.

``review`` takes what the user named (paths or standard input) and returns a
``ReviewResult``; reports render it. Every file that cannot be read or fully
parsed is recorded as a ``FileProblem`` and the rest of the review goes on.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Optional, Sequence

from secreview.analysis.models import ModelSet, load_models
from secreview.config import DEFAULT_ANALYSIS_BUDGET, DEFAULT_CONFIG, Config
from secreview.findings.model import FileProblem, Finding, ProblemKind, ReviewResult
from secreview.findings.suppress import Suppressions
from secreview.rules.registry import all_rules
from secreview.source.discover import discover
from secreview.source.reading import SourceText, read_source, read_stdin

if TYPE_CHECKING:
    from secreview.ir.nodes import Module

DEFAULT_BUDGET = DEFAULT_ANALYSIS_BUDGET


@dataclass(slots=True)
class LoweredFile:
    module: Module
    suppressions: Suppressions
    problem: Optional[FileProblem] = None


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What reporting needs of a rule (``Config.rule_enabled``, ``_keep_reported``) without
    importing its module: a review answered from the cache takes these from ``cache.rule_catalog``."""

    id: str
    name: str
    bandit: tuple
    tests_relevant: bool

    @classmethod
    def of(cls, rule) -> "RuleInfo":
        return cls(rule.id, rule.name, tuple(rule.bandit), bool(rule.tests_relevant))


@dataclass
class ReviewOptions:
    config: Config = DEFAULT_CONFIG
    models: Optional[ModelSet] = None
    budget: Optional[int] = None
    """Analysis steps per file; None: the configuration's ``analysis-budget``."""
    progress: Optional[Callable[[int, int], None]] = None
    rules: Optional[Sequence[type]] = None
    suppressed_sink: Optional[list] = None
    """When a list, every finding a suppression comment hides is appended to it
    as ``(finding, suppression)`` (change review lists what added comments hide)."""
    source_lines: Optional[dict] = None
    """When a dict, it is filled with display path -> the lines of each file
    reviewed (for report context and baselines)."""
    jobs: Optional[int] = 1
    """Worker processes for lowering and analysis; None: one per available core. Any
    number gives the same result."""
    cache_dir: Optional[Path] = None
    """Where to keep and find per-file results (``cache.py``); None: no cache."""


def module_name_for(path: Path | str, root: Optional[Path]) -> tuple[str, bool]:
    """The dotted module name a file would be imported as, and whether it is a package.

    Inside regular packages (``__init__.py`` at each level) this is the package
    path; elsewhere (namespace packages, scripts) the path relative to the
    reviewed root, so that ``import helpers.utils`` finds ``helpers/utils.py``. An absolute
    ``path`` given as a string must be normalised, as ``Candidate.location`` is.
    """
    if isinstance(path, str) and os.path.isabs(path):  # normalised already (a discovered file's location)
        text = path
    else:
        path = path if isinstance(path, Path) else Path(path)
        text = str(path.resolve() if not path.is_absolute() else path)
    folder, name = os.path.split(text)  # str: no Path objects made per file
    dot = name.rfind(".")
    stem = name[:dot] if 0 < dot < len(name) - 1 else name  # as Path.stem
    is_package = stem == "__init__"
    parts = ([] if is_package else [stem]) + list(_folder_parts_at(folder, root))
    parts.reverse()
    if parts and parts[0] in ("src", "lib") and len(parts) > 1:
        parts = parts[1:]
    name = ".".join(p for p in parts if p.isidentifier() or p)
    return name or stem, is_package


@functools.lru_cache(maxsize=65536)
def _folder_parts_at(folder: str, root: Optional[Path]) -> tuple:
    return _folder_parts(Path(folder), root)


@functools.lru_cache(maxsize=65536)
def _folder_parts(folder: Path, root: Optional[Path]) -> tuple:
    """The names a folder adds to the dotted names of its files, innermost first: the
    chain of regular packages (``__init__.py``) above it, else its path below ``root``.
    Asked once per folder, not once per file."""
    parts: list = []
    stop = root.parent if root is not None else None
    while _is_package_folder(folder) and folder.parent != folder:
        parts.append(folder.name)
        folder = folder.parent
        if folder == stop:
            break
    if root is not None and not parts:
        try:
            rel = folder.relative_to(root)
            parts.extend(reversed([p for p in rel.parts if p not in (".",)]))
        except ValueError:
            pass
    return tuple(parts)


@functools.lru_cache(maxsize=65536)
def _is_package_folder(folder: Path) -> bool:
    """Whether a folder holds ``__init__.py`` (asked once per folder, not once per file in it)."""
    return (folder / "__init__.py").exists()


def internal_error(path: str, stage: str, exc: BaseException, *, reviewed: bool = False) -> FileProblem:
    """A bug of secreview met on one file: a problem of that file, with the exception and its traceback."""
    text = " ".join(str(exc).split())
    if len(text) > 300:
        text = text[:300] + "..."
    message = f"internal error while {stage}: {type(exc).__name__}" + (f": {text}" if text else "")
    message += "; partly reviewed" if reviewed else "; not reviewed"
    return FileProblem(path, ProblemKind.INTERNAL_ERROR, message, (), reviewed=reviewed,
                       detail="".join(traceback.format_exception(exc)))


def lower_source(source: SourceText, module_name: str, is_package: bool) -> LoweredFile:
    """Parse and lower one file; never raises: what goes wrong becomes the file's problem."""
    from secreview.ir.lower import lower_module  # not needed by a review answered from the cache
    lines = source.text.split("\n")
    try:
        return _lower_source(source, module_name, is_package, lines)
    except RecursionError:
        problem = FileProblem(source.display, ProblemKind.TOO_DEEP,
                              "code is nested too deeply to analyse; not reviewed", (), reviewed=False)
    except Exception as exc:  # a bug of the parser or lowering: this file's problem, not the whole review's
        problem = internal_error(source.display, "parsing or lowering", exc)
    module = lower_module(_empty_module(), module=module_name, path=source.display, lines=lines, is_package=is_package)
    return LoweredFile(module, Suppressions.from_source(""), problem)


def _lower_source(source: SourceText, module_name: str, is_package: bool, lines: list) -> LoweredFile:
    from secreview.ir.lower import lower_module
    from secreview.parse.frontend import parse_source
    parsed = parse_source(source.text, source.display)
    problem = None
    if parsed.problems:
        ranges = tuple((p.line, p.end_line) for p in parsed.problems)
        messages = "; ".join(sorted({p.message for p in parsed.problems}))[:200]
        problem = FileProblem(source.display, ProblemKind.SYNTAX_ERROR,
                              f"could not parse {_describe_ranges(ranges)}: {messages}", ranges, reviewed=True)
    try:
        module = lower_module(parsed.tree, module=module_name, path=source.display, lines=lines, is_package=is_package)
    except RecursionError:
        module = lower_module(_empty_module(), module=module_name, path=source.display, lines=lines, is_package=is_package)
        problem = FileProblem(source.display, ProblemKind.TOO_DEEP,
                              "code is nested too deeply to analyse; not reviewed", (), reviewed=False)
    return LoweredFile(module, Suppressions.from_source(source.text), problem)


def _empty_module():
    import ast
    return ast.Module(body=[], type_ignores=[])


def _describe_ranges(ranges) -> str:
    parts = [f"line {a}" if a == b else f"lines {a}-{b}" for a, b in ranges[:5]]
    more = f" and {len(ranges) - 5} more regions" if len(ranges) > 5 else ""
    return ", ".join(parts) + more


def review(paths: Sequence[str], options: ReviewOptions, *, stdin_data: Optional[bytes] = None) -> ReviewResult:
    config = options.config
    result = ReviewResult(target=" ".join(paths) if paths else "<stdin>")
    sources: list[tuple[SourceText, str, bool]] = []
    if stdin_data is not None:
        src = read_stdin(stdin_data, "<stdin>", config.max_file_size)
        if isinstance(src, FileProblem):
            result.problems.append(src)
        else:
            sources.append((src, "stdin", False))
    files = [p for p in paths if p != "-"]
    if files:
        root = config.root
        candidates, problems = discover(files, excludes=config.exclude, root=root)
        result.problems.extend(problems)
        name_root = _common_root(files)
        for cand in candidates:
            try:
                src = read_source(cand.location, cand.display, config.max_file_size)
            except Exception as exc:  # reading reports what it knows as problems; anything else is a bug
                src = internal_error(cand.display, "reading", exc)
            if isinstance(src, FileProblem):
                result.problems.append(src)
                continue
            try:
                name, is_package = module_name_for(cand.location, name_root)
            except (OSError, ValueError):  # e.g. a folder above it that cannot be searched
                name, is_package = cand.path.stem, cand.path.name == "__init__.py"
            sources.append((src, name, is_package))
    return review_sources(sources, options, result)


@dataclass
class Analysed:
    """What lowering and analysing the sources gave, before filtering and suppression."""

    findings: list
    statement_lines: dict  # id(finding) -> (first, last) line of its statement
    problems: list
    suppressions: dict  # display path -> Suppressions
    files_reviewed: int
    keep: list  # objects the command line keeps alive instead of freeing (see KEEP_ALIVE)


def review_sources(sources: Iterable[tuple[SourceText, str, bool]], options: ReviewOptions,
                   result: Optional[ReviewResult] = None) -> ReviewResult:
    result = result or ReviewResult()
    config = options.config
    models = options.models if options.models is not None else load_models(config.model_paths)
    sources = unique_module_names(list(sources))
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
            rules = [r for r in (options.rules or all_rules()) if config.rule_enabled(r)]
            jobs = effective_jobs(options.jobs, len(sources))
            analysed = analyse_all(sources, models, rules, budget, config, jobs, options.progress)
        for src, _, _ in sources:
            result.lines_reviewed += src.n_lines
            if options.source_lines is not None:
                options.source_lines[src.display] = src.text.split("\n")
        result.problems.extend(analysed.problems)
        result.files_reviewed = analysed.files_reviewed
        _keep_reported(analysed, rules, config, options, result)
        result.sort()
        return result
    finally:
        sys.setrecursionlimit(old_limit)
        if KEEP_ALIVE is not None and analysed is not None:
            # The command line exits right after reporting: freeing millions of IR
            # objects one by one would cost seconds for nothing.
            KEEP_ALIVE.append(analysed.keep)
            gc.freeze()
        if gc_was_enabled:
            gc.enable()


def _review_with_cache(sources: list, options: ReviewOptions, models, budget: int):
    """(analysed, the enabled rules) from the cache: the stored result of the same files, or an
    incremental or full review. The stored result needs neither the rule modules (their
    ``RuleInfo`` is kept in the cache) nor the analysis modules."""
    from secreview.cache import ReviewCache, rule_catalog, run_key, salt_for
    config = options.config
    catalog = options.rules or rule_catalog(options.cache_dir)
    rules = [r for r in catalog if config.rule_enabled(r)]
    cache = ReviewCache(options.cache_dir, salt_for(config, models, rules, budget))  # by rule ids only
    keys = [cache.file_key(src.display, name, is_package, src.text) for src, name, is_package in sources]
    analysed = stored_result(cache, run_key(keys))
    if analysed is not None:
        return analysed, rules
    from secreview.incremental import review_cached
    rules = [r for r in (options.rules or all_rules()) if config.rule_enabled(r)]
    jobs = effective_jobs(options.jobs, len(sources))  # (imports multiprocessing)
    return review_cached(sources, models, rules, budget, config, jobs, cache, options.progress, keys=keys), rules


def stored_result(cache, result_key: str) -> Optional[Analysed]:
    """The whole result stored for a review of the same files (by ``incremental.review_cached``), or None."""
    stored = cache.load("results", result_key)
    if stored is None:
        return None
    findings, lines, problems, suppressions, files_reviewed = stored
    return Analysed(findings, {id(f): line for f, line in zip(findings, lines)}, problems, suppressions,
                    files_reviewed, [])


PARALLEL_MIN_FILES = 32
"""Fewer files than this are analysed in the review's own process: starting workers
and exchanging summaries would cost more than it saves."""


def effective_jobs(jobs: Optional[int], n_files: int) -> int:
    if jobs is None:
        jobs = available_cores()
    if jobs <= 1 or n_files < PARALLEL_MIN_FILES:
        return 1
    import multiprocessing
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # workers inherit the sources and models by forking
    return min(jobs, max(1, n_files // (PARALLEL_MIN_FILES // 2)))


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def unique_module_names(sources: list) -> list:
    """Two files that would import under one name (scripts in different folders) keep
    both: the second gets a suffix from its path."""
    out = []
    names_seen: dict = {}
    for src, name, is_package in sources:
        if name in names_seen:
            name = f"{name}@{hashlib.sha1(src.display.encode()).hexdigest()[:8]}"
        names_seen[name] = src.display
        out.append((src, name, is_package))
    return out


def analyse_all(sources: list, models, rules, budget: int, config, jobs: int, progress=None, *, cache=None,
                keys=None) -> Analysed:
    """Lower and analyse every source, on ``jobs`` worker processes when more than one (and
    filling the cache, if given)."""
    if jobs > 1:
        from secreview.parallel import WorkerFailed, analyse_in_workers
        try:
            return analyse_in_workers(sources, models, rules, budget, config, jobs, progress, cache=cache, keys=keys)
        except WorkerFailed as exc:  # killed (out of memory?) or broken: lose nothing, do it here
            print(f"secreview: {exc}; analysing in this process instead", file=sys.stderr)
    return analyse_here(sources, models, rules, budget, config, progress, cache=cache, keys=keys)


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
        from secreview.incremental import module_keys
        store_entries(cache, keys, program, lowered, found, module_keys(sources, keys))
    return Analysed(findings, program.findings.statement_lines, problems,
                    {item.module.path: item.suppressions for item in lowered},
                    sum(1 for item in lowered if item.problem is None or item.problem.reviewed),
                    [program, lowered])


def store_entries(cache, keys: list, program, lowered: list, problems: list, module_keys: dict, stubs=None,
                  pickled=None) -> None:
    """Each file's results into the cache (``module_keys``, ``stubs``, ``pickled``: see
    ``incremental.iter_file_entries``)."""
    from secreview.incremental import iter_file_entries
    by_path: dict = {}
    for problem in problems:
        by_path.setdefault(problem.path, []).append(problem)
    key_of = {item.module.path: key for key, item in zip(keys, lowered)}
    cache.store_files((key_of[path], entry) for path, entry
                      in iter_file_entries(program, lowered, by_path, module_keys, stubs, pickled))


def analysis_problems(program) -> list[FileProblem]:
    """Files whose analysis ran out of budget or met a bug of secreview."""
    problems = []
    for path, reason in sorted(program.failed.items()):
        problems.append(FileProblem(path, ProblemKind.BUDGET_EXCEEDED, reason, (), reviewed=True))
    for path, (where, exc) in sorted(program.errors.items()):
        if isinstance(exc, RecursionError):
            problems.append(FileProblem(path, ProblemKind.TOO_DEEP,
                                        "code is nested too deeply to analyse fully; partly reviewed",
                                        (), reviewed=True))
        else:
            problems.append(internal_error(path, f"analysing {where}", exc, reviewed=True))
    return problems


def _keep_reported(analysed: Analysed, rules, config, options: ReviewOptions, result: ReviewResult) -> None:
    """Findings above the configured thresholds and not suppressed, with their fingerprints."""
    kept = []
    for finding in analysed.findings:
        if finding.severity < config.min_severity or finding.confidence < config.min_confidence:
            continue
        rule_cls = _rule_of(rules, finding.rule_id)
        if "test-code" in finding.tags and rule_cls is not None and not rule_cls.tests_relevant:
            continue
        lines = analysed.statement_lines.get(id(finding), (finding.span.line, finding.span.end_line))
        sup = analysed.suppressions.get(finding.path)
        hit = sup.match(finding.rule_id, finding.rule_name, rule_cls.bandit,
                        range(min(lines[0], finding.span.line), max(lines[1], finding.span.end_line) + 1)
                        ) if sup is not None and rule_cls is not None else None
        if hit is not None:
            result.suppressed += 1
            if options.suppressed_sink is not None:
                finding.fingerprint = fingerprint(finding)
                options.suppressed_sink.append((finding, hit))
            continue
        finding.fingerprint = fingerprint(finding)
        kept.append(finding)
    result.findings = kept


KEEP_ALIVE: Optional[list] = None
"""Set to a list by the ``secreview`` command, which ends the process with ``os._exit``:
the review's intermediate objects are then kept instead of freed."""


def _rule_of(rules, rule_id):
    for r in rules:
        if r.id == rule_id:
            return r
    return None


def _common_root(paths: Sequence[str]) -> Optional[Path]:
    dirs = []
    for p in paths:
        path = Path(p).absolute()
        dirs.append(str(path if path.is_dir() else path.parent))
    if not dirs:
        return None
    try:
        return Path(os.path.commonpath(dirs))
    except ValueError:
        return None


def fingerprint(finding: Finding) -> str:
    """Stable across runs and line moves: rule, file and the normalised code."""
    code = " ".join(finding.code.split())
    data = f"{finding.rule_id}\0{finding.path}\0{code}".encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:32]
