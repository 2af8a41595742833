"""Command line: ``secreview review``, ``diff``, ``baseline``, ``fleet``, ``rules``, ``explain``.

Exit codes: 0 no findings, 1 findings reported, 2 usage error or fatal error
(bad configuration, missing path). Files that cannot be reviewed do not change
the exit code by themselves: they are listed in every report.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from secreview import __version__
from secreview.findings.model import Level

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

def _formats() -> tuple[str, ...]:
    from secreview.reports import FORMATS as RENDERERS
    return tuple(RENDERERS)


FORMATS = _formats()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's default exit code is already 2; keep it, with our prefix
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"secreview: error: {message}\n")


def _positive(what: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a positive number of {what}, not {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive number of {what}, not {value}")
        return value
    return parse


_steps = _positive("steps")
_jobs = _positive("processes")


def _cache_dir(args) -> Path | None:
    if args.no_cache:
        return None
    if args.cache_dir:
        return Path(args.cache_dir)
    from secreview.engine.cache import default_cache_dir
    return default_cache_dir()


def _load_models(args, config):
    """The taint models of ``config``: from the cache when there is one (``cache.kept_models``: the
    built-in models are loaded only when the review needs more than their fingerprint)."""
    cache_dir = _cache_dir(args)
    if cache_dir is None:
        from secreview.analysis.models import load_models
        return load_models(config.model_paths)
    from secreview.engine.cache import kept_models
    return kept_models(cache_dir, config.model_paths)


def _level(text: str) -> Level:
    try:
        return Level.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="secreview", description="Security code review for Python.")
    parser.add_argument("--version", action="version", version=f"secreview {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    review = sub.add_parser("review", help="review files and directories (- reads code from stdin)")
    review.add_argument("paths", nargs="+", metavar="PATH")
    _add_analysis_options(review)
    _add_output_options(review)
    _add_llm_options(review)

    diff = sub.add_parser(
        "diff", help="review a change: the working tree against BASE (default HEAD), --staged, A..B, "
                     "or a patch on stdin (-)")
    diff.add_argument("change", nargs="?", default=None, metavar="BASE|A..B|-",
                      help="base revision (default HEAD), a range A..B or A...B, or - for a patch on stdin")
    diff.add_argument("--staged", "--cached", action="store_true", help="review the index against BASE")
    diff.add_argument("--message", "-m", metavar="TEXT",
                      help="the change's description for the report header (default: the commit messages)")
    _add_analysis_options(diff)
    _add_output_options(diff)
    _add_llm_options(diff)

    baseline = sub.add_parser("baseline", help="write the current findings to a baseline file")
    baseline.add_argument("file", metavar="FILE", help="the baseline file to write (JSON)")
    baseline.add_argument("paths", nargs="*", metavar="PATH", default=["."], help="what to review (default .)")
    _add_analysis_options(baseline)

    fleet = sub.add_parser("fleet", help='review many repositories on a Dask cluster (pip install "secreview[fleet]")')
    from secreview.fleet.command import add_arguments as add_fleet_arguments
    add_fleet_arguments(fleet, _level)

    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "markdown", "json"), default="text")

    explain = sub.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("rule", metavar="RULE", help="rule id (SR101) or name (command-injection)")
    return parser


def _add_analysis_options(p: argparse.ArgumentParser) -> None:
    """What to report and how to configure the analysis (review, diff, baseline)."""
    p.add_argument("--min-severity", type=_level, default=None, metavar="LEVEL",
                   help="report only findings of at least this severity (low, medium, high)")
    p.add_argument("--min-confidence", type=_level, default=None, metavar="LEVEL",
                   help="report only findings of at least this confidence (low, medium, high)")
    p.add_argument("--config", metavar="FILE", help="pyproject.toml to read [tool.secreview] from")
    p.add_argument("--select", metavar="RULES", default=None,
                   help="run only these rules (ids or names, comma-separated; 'all' adds the extended set), "
                        "instead of the configuration's select")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--analysis-budget", type=_steps, default=None, metavar="N",
                   help="analysis steps allowed per function before its analysis stops (default: the "
                        "configuration's analysis-budget, 3000000); the same budget gives the same review")
    p.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N",
                   help="worker processes (default: one per available core); any number gives the same review")
    p.add_argument("--no-cache", action="store_true",
                   help="neither use nor fill the cache of per-file results (the review is the same)")
    p.add_argument("--cache-dir", metavar="DIR", default=None,
                   help="where the cache lives (default: $SECREVIEW_CACHE_DIR, else $XDG_CACHE_HOME/secreview, "
                        "else ~/.cache/secreview)")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="print the traceback of each internal error on stderr")
    p.add_argument("--include-ignored", action="store_true",
                   help="also review what is left out by default: untracked files .gitignore ignores (every file "
                        "git tracks is reviewed anyway) and directories of other projects' code (virtual "
                        "environments, node_modules, .tox, *.egg-info); the configuration's exclude still applies")
    p.add_argument("--include-tests", action="store_true",
                   help="analyse test code (test-paths) in full and report its findings; by default it is "
                        "analysed only where other code calls it, unless a test file or test code only is named")
    p.add_argument("--include-non-production", action="store_true",
                   help="also report the findings in non-production code (non-production-paths: examples, docs, "
                        "benchmarks, top-level contrib/ and tools/), which are otherwise withheld and counted "
                        "beside the verdict; a path named on the command line is always reported")


def _add_output_options(p: argparse.ArgumentParser) -> None:
    """How to report (review, diff)."""
    p.add_argument("--format", "-f", choices=FORMATS, default=None,
                   help="report format (default: text on a terminal, markdown otherwise)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.add_argument("--baseline", metavar="FILE",
                   help="report only findings not in this baseline (written by `secreview baseline`)")


_LLM_CAPS = (("max-requests", "requests per run"), ("max-input-tokens", "prompt tokens per run"),
             ("max-output-tokens", "answer tokens per run"), ("max-seconds", "wall time of the model pass"),
             ("concurrency", "requests in flight at once"), ("timeout", "seconds one request may take"),
             ("max-request-tokens", "prompt tokens of one request"),
             ("max-answer-tokens", "answer tokens of one request"))


def _add_llm_options(p: argparse.ArgumentParser) -> None:
    """The optional model pass (review, diff); see docs/llm.md."""
    group = p.add_argument_group("language-model pass (optional, off by default; docs/llm.md)")
    group.add_argument("--llm-base-url", metavar="URL", default=None,
                       help="OpenAI-compatible endpoint with its API prefix, e.g. http://127.0.0.1:11434/v1 "
                            "(default: $SECREVIEW_LLM_BASE_URL, else ~/.config/secreview/config.toml); "
                            "the key comes from $SECREVIEW_LLM_API_KEY")
    group.add_argument("--llm-model", metavar="NAME", default=None,
                       help="model name (default: $SECREVIEW_LLM_MODEL, else the user configuration)")
    group.add_argument("--no-llm", action="store_true", help="no model pass, whatever the environment says")
    group.add_argument("--hide-llm-dismissed", action="store_true",
                       help="markdown and text: leave out findings the model judged likely false positives "
                            "(JSON and SARIF keep them, with the judgement)")
    for key, what in _LLM_CAPS:
        group.add_argument(f"--llm-{key}", dest=f"llm_cap_{key.replace('-', '_')}", type=_positive(what),
                           default=None, metavar="N", help=f"cap: {what}")


class _ModelPassRequest:
    """The user's model-pass settings, and what the review leaves for the pass."""

    def __init__(self, settings):
        self.settings = settings
        self.sources: list = []
        self.config = None


def _model_pass_request(args) -> _ModelPassRequest | int | None:
    """The model pass the user asked for, None when off, or an exit code (it cannot run)."""
    from secreview.llm.settings import SettingsError, resolve

    caps = {key.replace("-", "_"): getattr(args, f"llm_cap_{key.replace('-', '_')}") for key, _ in _LLM_CAPS}
    try:
        settings = resolve(base_url=args.llm_base_url, model=args.llm_model, disabled=args.no_llm,
                           command_line_caps={k: v for k, v in caps.items() if v is not None})
    except SettingsError as exc:
        return _fail(str(exc))
    return _ModelPassRequest(settings) if settings is not None else None


def _run_model_pass(args, result, request: _ModelPassRequest | None) -> None:
    if request is None:
        return
    import gc
    gc.enable()
    from secreview.llm.run import run_model_pass

    log = (lambda text: print(text, file=sys.stderr)) if args.verbose else None
    run_model_pass(result, request.sources, request.settings, config=request.config, cache_dir=_cache_dir(args),
                   log=log)


def run() -> None:
    """The ``secreview`` command: ``main`` in a process that ends right after it.

    Exiting with ``os._exit`` once the output is flushed skips tearing down the
    review's objects, which takes longer than some reviews."""
    code = EXIT_ERROR
    try:
        code = main(keep_alive=[])
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (BrokenPipeError, OSError):
            code = EXIT_ERROR if code == EXIT_CLEAN else code
        os._exit(code)


def main(argv: Sequence[str] | None = None, *, keep_alive: list | None = None) -> int:
    """Run one command; ``keep_alive``: see ``ReviewOptions.keep_alive`` (for a process that
    exits right after)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.keep_alive = keep_alive
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    if keep_alive is not None and args.command in ("review", "diff", "baseline"):
        # A process that exits once it has reported (``run``): what it makes before and after the analysis
        # (which runs with the collector off: ``pipeline.review_sources``) is freed by reference counting or
        # left at exit, and collecting on the way took time for nothing. The model pass, which may talk to a
        # server for minutes, turns it on again (``_run_model_pass``).
        import gc
        gc.disable()
    try:
        if args.command == "review":
            return _review(args)
        if args.command == "diff":
            return _diff(args)
        if args.command == "baseline":
            return _baseline(args)
        if args.command == "fleet":
            from secreview.fleet.command import run as run_fleet
            return run_fleet(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "explain":
            return _explain(args)
    except _UsageError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        print("secreview: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception:  # a bug: exit 2 (never 1, which means findings), with what is needed to report it
        import traceback
        traceback.print_exc()
        print(f"secreview: internal error (a bug of secreview {__version__}); please report it with the "
              "traceback above", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_ERROR


class _UsageError(Exception):
    """A command-line value found wrong after parsing (exit 2 with its message)."""


def _fail(message: str) -> int:
    print(f"secreview: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _with_overrides(args, config):
    """``config`` with the command line's --min-severity / --min-confidence."""
    from dataclasses import replace

    if args.min_severity is not None:
        config = replace(config, min_severity=args.min_severity)
    if args.min_confidence is not None:
        config = replace(config, min_confidence=args.min_confidence)
    if getattr(args, "include_tests", False):
        config = replace(config, tests_on_demand=False)
    if getattr(args, "analysis_budget", None) is not None:
        config = replace(config, analysis_budget=args.analysis_budget)
    if getattr(args, "select", None) is not None:
        from secreview.config import ConfigError, select_list
        try:
            config = replace(config, select=select_list(args.select))
        except ConfigError as exc:
            raise _UsageError(str(exc)) from None
    return config


def _progress(args):
    if not args.no_progress and sys.stderr.isatty() and not os.environ.get("CI"):
        return _ProgressBar()
    return None


def _needs_lines(args) -> bool:
    """Whether the report or the baseline needs the reviewed files' lines."""
    return bool(getattr(args, "baseline", None)) or getattr(args, "format", None) == "html"


def _run_review(args, paths: list[str], model_pass: _ModelPassRequest | None = None):
    """Review ``paths`` as ``secreview review`` does: (result, lines by path) or an exit code."""
    from secreview.analysis.model_error import ModelError
    from secreview.config import ConfigError, load_config
    from secreview.engine.pipeline import ReviewOptions, review

    start = Path(next((p for p in paths if p != "-"), "."))
    try:
        config = load_config(start if start.exists() else Path("."), Path(args.config) if args.config else None)
    except ConfigError as exc:
        return _fail(str(exc))
    config = _with_overrides(args, config)
    try:
        models = _load_models(args, config)
    except ModelError as exc:
        return _fail(str(exc))
    stdin_data = sys.stdin.buffer.read() if "-" in paths else None
    progress = _progress(args)
    lines: dict | None = {} if (_needs_lines(args) or args.command == "baseline") else None
    options = ReviewOptions(config=config, models=models, progress=progress, source_lines=lines, jobs=args.jobs,
                            cache_dir=_cache_dir(args), keep_alive=args.keep_alive,
                            sources=model_pass.sources if model_pass is not None else None,
                            include_ignored=args.include_ignored,
                            list_ambiguous_imports=bool(getattr(args, "verbose", False)),
                            include_non_production=args.include_non_production)
    if model_pass is not None:
        model_pass.config = config
    try:
        result = review(paths, options, stdin_data=stdin_data)
    except FileNotFoundError as exc:
        return _fail(str(exc))
    except ValueError as exc:
        return _fail(str(exc))
    finally:
        if progress is not None:
            progress.close()
    return result, lines or {}


def _review(args) -> int:
    model_pass = _model_pass_request(args)
    if isinstance(model_pass, int):
        return model_pass
    outcome = _run_review(args, list(args.paths), model_pass)
    if isinstance(outcome, int):
        return outcome
    result, lines = outcome
    return _report(args, result, lines, Path.cwd(), model_pass)


def _diff(args) -> int:
    from secreview.analysis.model_error import ModelError
    from secreview.config import ConfigError
    from secreview.engine.change import review_change
    from secreview.engine.pipeline import ReviewOptions
    from secreview.source.changes import ChangeError, open_change

    if args.change == "-" and args.staged:
        return _fail("--staged does not go with a patch on standard input")
    model_pass = _model_pass_request(args)
    if isinstance(model_pass, int):
        return model_pass
    patch = sys.stdin.buffer.read() if args.change == "-" else None
    lines: dict | None = {} if _needs_lines(args) else None
    progress = _progress(args)
    try:
        with open_change(args.change, staged=args.staged, patch=patch,
                         config_file=Path(args.config) if args.config else None,
                         message=args.message) as change:
            config = _with_overrides(args, change.config)
            models = _load_models(args, config)  # model files live in the change's scratch space
            options = ReviewOptions(config=config, models=models, progress=progress, source_lines=lines,
                                    jobs=args.jobs, cache_dir=_cache_dir(args), keep_alive=args.keep_alive,
                                    sources=model_pass.sources if model_pass is not None else None,
                                    include_ignored=args.include_ignored,
                                    list_ambiguous_imports=bool(getattr(args, "verbose", False)),
                                    include_non_production=args.include_non_production)
            if model_pass is not None:
                model_pass.config = config
            result = review_change(change, options)
            base_dir = change.root
    except (ChangeError, ConfigError, ModelError, FileNotFoundError, ValueError) as exc:
        return _fail(str(exc))
    finally:
        if progress is not None:
            progress.close()
    return _report(args, result, lines or {}, base_dir, model_pass)


def _baseline(args) -> int:
    from secreview.findings import baseline

    outcome = _run_review(args, list(args.paths))
    if isinstance(outcome, int):
        return outcome
    result, lines = outcome
    try:
        n = baseline.write(result, lines, Path.cwd(), Path(args.file), __version__)
    except OSError as exc:
        return _fail(f"cannot write {args.file}: {exc.strerror or exc}")
    note = f"; {len({p.path for p in result.problems})} files not (fully) reviewed" if result.problems else ""
    print(f"secreview: wrote {n} finding{'s' if n != 1 else ''} to {args.file}{note}", file=sys.stderr)
    from secreview.reports import excluded_note
    left_out = excluded_note(result)
    if left_out:
        print(f"secreview: {left_out}", file=sys.stderr)
    return EXIT_CLEAN


def _report(args, result, lines: dict, base_dir: Path, model_pass: _ModelPassRequest | None = None) -> int:
    """Apply the baseline, run the model pass when asked for, render, write; the exit code."""
    from secreview.reports import ReportOptions, render

    if getattr(args, "verbose", False):
        for problem in result.problems:
            if problem.detail:
                print(f"secreview: {problem.path}: {problem.message}\n{problem.detail}", file=sys.stderr)
        for path, line, name, candidates in result.ambiguous_imports:
            print(f"secreview: {path}:{line}: `{name}` could be any of {', '.join(candidates)}; each is analysed "
                  "as the module imported", file=sys.stderr)

    if args.baseline:
        from secreview.findings.baseline import Baseline, BaselineError
        try:
            Baseline.load(Path(args.baseline)).filter(result, lines, base_dir)
        except BaselineError as exc:
            return _fail(str(exc))
    _run_model_pass(args, result, model_pass)
    fmt = args.format or ("text" if (args.output is None and sys.stdout.isatty()) else "markdown")
    color = fmt == "text" and args.output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    context = _context(result, lines) if fmt == "html" else None
    text = render(fmt, result, ReportOptions(color=color, tool_version=__version__, context=context,
                                             hide_llm_dismissed=getattr(args, "hide_llm_dismissed", False)))
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            return _fail(f"cannot write {args.output}: {exc.strerror or exc}")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    hiding = any(s.hides for s in result.added_suppressions)
    if (result.findings or hiding) and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _context(result, lines: dict) -> dict:
    """The lines of the files a report shows code from (findings, trace steps, added suppressions)."""
    wanted = set()
    for finding in result.findings:
        wanted.add(finding.path)
        wanted.update(step.path for step in finding.trace)
    for sup in result.added_suppressions:
        wanted.add(sup.path)
        for finding in sup.hides:
            wanted.add(finding.path)
            wanted.update(step.path for step in finding.trace)
    return {path: tuple(lines[path]) for path in sorted(wanted) if path in lines}


class _ProgressBar:
    """A progress bar on stderr for long runs (shown only on a terminal)."""

    def __init__(self):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        self.progress = Progress(TextColumn("reviewing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 transient=True)
        self.task = None
        self.started = False

    def __call__(self, done: int, total: int) -> None:
        if total < 50:
            return
        if not self.started:
            self.progress.start()
            self.task = self.progress.add_task("review", total=total)
            self.started = True
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.started:
            self.progress.stop()


def _rules(args) -> int:
    from secreview.rules.registry import all_rules

    rules = all_rules()
    if args.format == "json":
        import json
        data = [{"id": r.id, "name": r.name, "title": r.title, "cwe": r.cwe, "severity": str(r.severity),
                 "summary": r.summary(), "bandit": list(r.bandit), "set": "extended" if r.extended else "default"}
                for r in rules]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    elif args.format == "markdown":
        from secreview.docs import rule_catalog
        sys.stdout.write(rule_catalog())
    else:
        for r in rules:
            tier = "extended" if r.extended else "default"
            cwe = f"CWE-{r.cwe}" if r.cwe else "CWE-*"
            print(f"{r.id}  {r.name:<34} {cwe:<9} {str(r.severity):<7} {tier:<8} {r.title}")
    return EXIT_CLEAN


def _explain(args) -> int:
    from secreview.rules.registry import find_rule

    rule = find_rule(args.rule)
    if rule is None:
        return _fail(f"no rule {args.rule!r}; `secreview rules` lists them")
    print(f"{rule.id} {rule.name}: {rule.title}")
    bandit = f" · Bandit {', '.join(rule.bandit)}" if rule.bandit else ""
    print((f"CWE-{rule.cwe}" if rule.cwe else "CWE of each claim") + f" · default severity {rule.severity}" + bandit)
    print()
    print(rule.doc())
    return EXIT_CLEAN


if __name__ == "__main__":
    raise SystemExit(main())
