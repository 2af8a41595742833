"""The text of the reviewed code at an IR node: what findings quote and explanations name."""

from __future__ import annotations

from secreview.findings.model import Span
from secreview.ir import nodes as ir


def char_col(line_text: str, byte_col: int) -> int:
    """IR columns are UTF-8 byte offsets (as CPython's ast); findings use characters."""
    if byte_col <= 0 or line_text.isascii():
        return max(0, byte_col)
    return len(line_text.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))


def span_of(module: ir.Module, node: ir.Node) -> Span:
    first = module.source_line(node.line)
    last = module.source_line(node.end_line) if node.end_line != node.line else first
    return Span(node.line, char_col(first, node.col), node.end_line, char_col(last, node.end_col))


def code_lines(module: ir.Module, line: int, end_line: int) -> str:
    """Lines ``line``..``end_line``, the whole span (a finding's ``code``; reports that show
    less say so)."""
    return module.source_span(line, end_line)


def code_of(module: ir.Module, node: ir.Node, limit: int = 80) -> str:
    """The source text of ``node`` (first line only, shortened), for explanations."""
    line = module.source_line(node.line)
    if not line:
        return ""
    data = line.encode("utf-8")
    if node.end_line == node.line:
        text = data[node.col:node.end_col].decode("utf-8", "replace")
    else:
        text = data[node.col:].decode("utf-8", "replace").rstrip() + " ..."
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text
