"""Command line: ``secreview review``, ``rules``, ``explain``.

Exit codes: 0 no findings, 1 findings reported, 2 usage error or fatal error
(bad configuration, missing path). Files that cannot be reviewed do not change
the exit code by themselves: they are listed in every report.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Optional, Sequence

from secreview import __version__
from secreview.findings.model import Level

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

FORMATS = ("markdown", "text", "json", "sarif")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's default exit code is already 2; keep it, with our prefix
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"secreview: error: {message}\n")


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
    _add_output_options(review)

    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "markdown", "json"), default="text")

    explain = sub.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("rule", metavar="RULE", help="rule id (SR101) or name (command-injection)")
    return parser


def _add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", "-f", choices=FORMATS, default=None,
                   help="report format (default: text on a terminal, markdown otherwise)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--min-severity", type=_level, default=None, metavar="LEVEL",
                   help="report only findings of at least this severity (low, medium, high)")
    p.add_argument("--min-confidence", type=_level, default=None, metavar="LEVEL",
                   help="report only findings of at least this confidence (low, medium, high)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.add_argument("--config", metavar="FILE", help="pyproject.toml to read [tool.secreview] from")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        if args.command == "review":
            return _review(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "explain":
            return _explain(args)
    except KeyboardInterrupt:
        print("secreview: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_ERROR
    return EXIT_ERROR


def _fail(message: str) -> int:
    print(f"secreview: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _review(args) -> int:
    from dataclasses import replace

    from secreview.analysis.models import ModelError, load_models
    from secreview.config import ConfigError, load_config
    from secreview.reports import ReportOptions, render
    from secreview.review import ReviewOptions, review

    paths = list(args.paths)
    start = Path(next((p for p in paths if p != "-"), "."))
    try:
        config = load_config(start if start.exists() else Path("."), Path(args.config) if args.config else None)
    except ConfigError as exc:
        return _fail(str(exc))
    if args.min_severity is not None:
        config = replace(config, min_severity=args.min_severity)
    if args.min_confidence is not None:
        config = replace(config, min_confidence=args.min_confidence)
    try:
        models = load_models(config.model_paths)
    except ModelError as exc:
        return _fail(str(exc))
    stdin_data = sys.stdin.buffer.read() if "-" in paths else None
    progress = None
    if not args.no_progress and sys.stderr.isatty() and not os.environ.get("CI"):
        progress = _ProgressBar()
    options = ReviewOptions(config=config, models=models, progress=progress)
    try:
        result = review(paths, options, stdin_data=stdin_data)
    except FileNotFoundError as exc:
        return _fail(str(exc))
    except ValueError as exc:
        return _fail(str(exc))
    finally:
        if progress is not None:
            progress.close()
    fmt = args.format or ("text" if (args.output is None and sys.stdout.isatty()) else "markdown")
    color = fmt == "text" and args.output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    text = render(fmt, result, ReportOptions(color=color, tool_version=__version__))
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            return _fail(f"cannot write {args.output}: {exc.strerror or exc}")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if result.findings and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


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
                 "summary": r.summary(), "bandit": list(r.bandit)} for r in rules]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    elif args.format == "markdown":
        from secreview.docs import rule_catalog
        sys.stdout.write(rule_catalog())
    else:
        for r in rules:
            print(f"{r.id}  {r.name:<34} CWE-{r.cwe:<5} {str(r.severity):<7} {r.title}")
    return EXIT_CLEAN


def _explain(args) -> int:
    from secreview.rules.registry import find_rule

    rule = find_rule(args.rule)
    if rule is None:
        return _fail(f"no rule {args.rule!r}; `secreview rules` lists them")
    print(f"{rule.id} {rule.name}: {rule.title}")
    print(f"CWE-{rule.cwe} · default severity {rule.severity}" + (f" · Bandit {', '.join(rule.bandit)}" if rule.bandit else ""))
    print()
    print(rule.doc())
    return EXIT_CLEAN


if __name__ == "__main__":
    raise SystemExit(main())
