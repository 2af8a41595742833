"""Where values are spliced into XPath text: inside a quoted value or a comparison, or where XPath takes
a step, a name or a whole expression.

A value spliced into a string literal of a predicate (``"//user[@name='%s']" % name``) or compared in
one (``f"//item[@id={item}]"``) is the injection every reviewer flags: a quote in it ends the literal
and ``or '1'='1'`` rewrites the predicate. A part spliced where XPath takes a location step, a tag name or
a whole expression (``f".//{tag}"``, ``"." + xpath``, ``"./following-sibling::" + tag``) is XPath already:
the function takes a selector from its caller, as a scraping library's extraction schema gives them,
and whether that selector can hold outside data is its callers' question. ``steps_only`` tells the
two apart for strings built with ``%``, ``.format``, f-strings and ``+``; it says nothing about where the
parts come from (a selector traced to a request is a finding all the same).
"""

from __future__ import annotations

import re

from secreview.analysis.sql_text import HOLE, built_segments
from secreview.ir import nodes as ir

# XPath text: a location path (``/``, ``./``, ``//``, ``..``, the context node ``.`` before a part), an axis
# (``child::``) or a predicate (``[@``)
_XPATH = re.compile(r"^\s*\.{0,2}/|^\s*\.{1,2}\s*$|::|\[@")
# SQL text (whose ``::`` is PostgreSQL's cast): ``sql_text`` judges it
_SQL = re.compile(r"\b(select|insert|update|delete|from|where)\b", re.I)
# what XPath compares a value with, or passes it to as an argument, right before a part
_VALUE_BEFORE = re.compile(r"(=|!=|<|>|<=|>=|,|\(|\b(and|or|div|mod)\s)\s*$")


def steps_only(node: ir.Expr, known: dict | None = None) -> bool:
    """Whether ``node`` builds XPath text and every part of it that is not constant sits where XPath
    takes a location step, a name or an expression: outside every quoted literal of the constant text
    before it, and not right after a comparison, an operator or a function's parenthesis or comma.
    ``known``: the constant text of parts the analysis knows (as ``sql_text.names_only`` takes it)."""
    segments = built_segments(node, None, known)
    if segments is None or HOLE not in segments:
        return False
    text = "".join(s for s in segments if s is not HOLE)
    if not _XPATH.search(text) or _SQL.search(text):
        return False
    before = ""
    for seg in segments:
        if seg is not HOLE:
            before += seg
            continue
        if _inside_literal(before) or _VALUE_BEFORE.search(before):
            return False
    return True


def _inside_literal(text: str) -> bool:
    """Whether ``text`` ends inside a quoted XPath literal (``'...`` or ``"...`` not closed)."""
    quote = None
    for c in text:
        if quote is None:
            if c in "'\"":
                quote = c
        elif c == quote:
            quote = None
    return quote is not None
