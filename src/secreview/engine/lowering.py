"""Stage: parse and lower one file into the IR, whatever goes wrong."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from secreview.findings.model import FileProblem, ProblemKind, internal_error
from secreview.findings.suppress import Suppressions
from secreview.source.reading import SourceText

if TYPE_CHECKING:
    from secreview.ir.lower import LoweringTables
    from secreview.ir.nodes import Module


@dataclass(slots=True)
class LoweredFile:
    module: Module
    suppressions: Suppressions
    problem: FileProblem | None = None


def lower_source(source: SourceText, module_name: str, is_package: bool,
                 tables: LoweringTables | None = None) -> LoweredFile:
    """Parse and lower one file; never raises: what goes wrong becomes the file's problem.
    ``tables``: what the files lowered for one review share (``ir.lower.LoweringTables``; None:
    this file's own)."""
    from secreview.ir.lower import lower_module  # not needed by a review answered from the cache
    try:
        return _lower_source(source, module_name, is_package, tables)
    except RecursionError:
        problem = FileProblem(source.display, ProblemKind.TOO_DEEP,
                              "code is nested too deeply to analyse; not reviewed", (), reviewed=False)
    except Exception as exc:  # a bug of the parser or lowering: this file's problem, not the whole review's
        problem = internal_error(source.display, "parsing or lowering", exc)
    module = lower_module(_empty_module(), module=module_name, path=source.display, text=source.text,
                          is_package=is_package, tables=tables)
    return LoweredFile(module, Suppressions.from_source(""), problem)


def _lower_source(source: SourceText, module_name: str, is_package: bool, tables) -> LoweredFile:
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
        module = lower_module(parsed.tree, module=module_name, path=source.display, text=source.text,
                              is_package=is_package, resolve=source.resolve, tables=tables)
    except RecursionError:
        module = lower_module(_empty_module(), module=module_name, path=source.display, text=source.text,
                              is_package=is_package, tables=tables)
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
