"""Where values are spliced into SQL text: in the places of names (a table, a column, an index) or of values.

SQL takes values as bound parameters, but names only as text: a program that builds a table or column
name into its statements (``'drop table _%s' % classname``, ``f"select {cols} from {table}"``) does what
every schema-driven program must, and on real code such names come from the program's own schema. A value
spliced in where SQL expects a value (``"where name = '%s'" % name``) is the injection every reviewer flags.
``names_only`` tells the two apart for strings built with ``%``, ``.format``, f-strings and ``+``, by the
constant text around each part that is not constant; it says nothing about where the parts come from (a
name traced to a request is a finding all the same).
"""

from __future__ import annotations

import re
import string

from secreview.ir import nodes as ir

# a placeholder written inside quotes (``'%s'``, ``"%(name)s"``, ``'%%%s%%'``): a driver that interpolates
# parameters on the client (psycopg2, PyMySQL, MySQLdb) quotes the value again, so its text ends up outside
QUOTED_PLACEHOLDER = re.compile(r"""(['"])(?:%%)?%(?:\(\w+\))?s(?:%%)?\1""")
_SQL = re.compile(r"\b(select|insert|update|delete|create|drop|alter|truncate|from|where|join|into)\b", re.I)
_DDL = re.compile(r"^\s*(create|drop|alter|truncate)\b", re.I)
_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_`\"[].")
# keywords after which SQL takes a name (or a list of columns), not a value
_NAME_BEFORE = re.compile(r"\b(from|into|table|join|update|index|on|exists|sequence|view|by|select|distinct|"
                          r"column|database|schema|trigger|as)\s*$", re.I)
_PERCENT = re.compile(r"%(?:\((?P<key>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>[a-zA-Z%])")
_NUMERIC = frozenset("diouxXeEfFgGcb")

HOLE = object()
"""A part of the built string that is not constant (a numeric format such as ``%d`` is constant enough)."""


def names_only(node: ir.StringBuild) -> bool:
    """Whether ``node`` builds SQL text and every part of it that is not constant sits where SQL takes a
    name: next to name characters (``_%s_ids``, ``%s__journal``, a quoted identifier ``"%s"`` or
    ```%s```), after a keyword that takes a name (``from %s``, ``table %s``, ``select %s from``), or
    anywhere in a statement that defines the schema (``create``/``drop``/``alter``)."""
    segments = _segments(node)
    if segments is None or HOLE not in segments:
        return False
    text = "".join(s for s in segments if s is not HOLE)
    if not _SQL.search(text):
        return False
    if _DDL.match(text):
        return True
    for i, seg in enumerate(segments):
        if seg is not HOLE:
            continue
        before = "".join(s for s in segments[:i] if s is not HOLE)
        after = "".join(s for s in segments[i + 1:] if s is not HOLE)
        if not _name_position(before, after):
            return False
    return True


def _name_position(before: str, after: str) -> bool:
    prev, nxt = before[-1:], after[:1]
    if prev == "'" or nxt == "'":
        return False  # the whole of a quoted literal: a value
    if (prev and prev in _NAME_CHARS) or (nxt and nxt in _NAME_CHARS):
        return True  # part of a name: ``_%s_ids``, ``%s__journal``, ``"%s"``, ``schema.%s``
    return bool(_NAME_BEFORE.search(before))


def _segments(node: ir.StringBuild) -> list | None:
    """The built string as constant text and ``HOLE``s, in order; None when its shape is not known."""
    kind = node.kind
    if kind in ("fstring", "concat"):
        out = []
        for part in node.parts:
            value = part.value if isinstance(part, ir.FormattedValue) else part
            if isinstance(value, ir.Const) and isinstance(value.value, str):
                out.append(value.value)
            elif isinstance(part, ir.FormattedValue) and isinstance(part.spec, ir.Const) \
                    and str(part.spec.value)[-1:] in _NUMERIC:
                out.append("0")
            else:
                out.append(HOLE)
        return out
    template = node.template
    if not (isinstance(template, ir.Const) and isinstance(template.value, str)):
        return None
    if kind == "percent":
        out, pos, index = [], 0, 0
        for m in _PERCENT.finditer(template.value):
            out.append(template.value[pos:m.start()])
            pos = m.end()
            if m.group("type") == "%":
                out.append("%")
                continue
            part = node.parts[index] if index < len(node.parts) and m.group("key") is None else None
            index += 1
            if m.group("type") in _NUMERIC or (isinstance(part, ir.Const) and isinstance(part.value, (str, int))):
                out.append(str(part.value) if isinstance(part, ir.Const) else "0")
            else:
                out.append(HOLE)
        out.append(template.value[pos:])
        return out
    if kind == "format":
        out = []
        try:
            fields = list(string.Formatter().parse(template.value))
        except ValueError:
            return None
        for literal, field, spec, _conversion in fields:
            out.append(literal)
            if field is None:
                continue
            out.append("0" if spec and spec[-1:] in _NUMERIC else HOLE)
        return out
    return None
