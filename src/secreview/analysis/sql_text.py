"""Where values are spliced into SQL text: in the places of names (a table, a column, an index) or of values.

SQL takes values as bound parameters, but names only as text: a program that builds a table or column
name into its statements (``'drop table _%s' % classname``, ``f"select {cols} from {table}"``) does what
every schema-driven program must, and on real code such names come from the program's own schema. A value
spliced in where SQL expects a value (``"where name = '%s'" % name``) is the injection every reviewer flags.
``names_only`` tells the two apart for strings built with ``%``, ``.format``, f-strings and ``+``, by the
constant text around each part that is not constant (with the text of parts the analysis knows to be
constants: ``prefix + BUILDS``, ``BUILDS = 'builds'`` in the module); it says nothing about where the
parts come from (a name traced to a request is a finding all the same). A part compared with a bound
parameter (``f"{column} = ?"``) is a column. A name the text puts inside identifier quotes
(`` `%s` ``, ``[%s]``, ``"%s"``) is not counted as one: quoting is for names that may hold any character.
"""

from __future__ import annotations

import re
import string

from secreview.analysis.percent_format import PERCENT_SPEC
from secreview.ir import nodes as ir

# a placeholder written inside quotes (``'%s'``, ``"%(name)s"``, ``'%%%s%%'``): a driver that interpolates
# parameters on the client (psycopg2, PyMySQL, MySQLdb) quotes the value again, so its text ends up outside
QUOTED_PLACEHOLDER = re.compile(r"""(['"])(?:%%)?%(?:\(\w+\))?s(?:%%)?\1""")
_SQL = re.compile(r"\b(select|insert|update|delete|create|drop|alter|truncate|from|where|join|into|pragma|"
                  r"savepoint|rollback|release|explain)\b", re.I)
# statements that take only names: the schema's (``create``/``drop``...), SQLite's ``pragma table_info(t)``,
# savepoints (``savepoint sp_1``, ``rollback to sp_1``, ``release savepoint sp_1``)
_DDL = re.compile(r"^\s*(create|drop|alter|truncate|pragma|savepoint|rollback\s+to|release)\b", re.I)
# statements that define the schema: a name quoted there is one of the program's own tables or columns
# (``CREATE TABLE `%s_%s` ``), quoted as a schema's definition quotes every name
_SCHEMA = re.compile(r"^\s*(create|drop|alter|truncate)\b", re.I)
# what may stand before a whole statement spliced in: nothing, an earlier statement (``"BEGIN; " + script``)
# or ``EXPLAIN`` and its options
_STATEMENT_BEFORE = re.compile(r"(^|;)\s*(explain(\s+(analy[sz]e|verbose|query\s+plan|\(.*\)))*)?\s*$", re.I | re.S)
# a subquery's opening: ``FROM (``, ``JOIN (``, ``EXISTS (``, a common table expression's ``AS (``
_SUBQUERY_BEFORE = re.compile(r"\b(from|join|exists|as)\s*\(\s*$", re.I)
# what may follow a whole statement (or subquery) a caller wrote: its end, the subquery's closing parenthesis,
# or a clause that refines it (``f"{query} {where} ORDER BY ... LIMIT ..."``: a pagination helper)
_REFINING = r"where|group\s+by|order\s+by|limit|offset|having|union|returning"
_STATEMENT_AFTER = re.compile(rf"\s*($|;|\)|({_REFINING}|intersect|except|for\s+update)\b)", re.I)
# (a text holding only these words still reads as SQL around a statement: ``f"{query} ORDER BY id"``)
_CLAUSE_WORDS = re.compile(rf"\b({_REFINING})\b", re.I)
_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_`\"[].")
# keywords after which SQL takes a name (or a list of columns), not a value
_NAME_BEFORE = re.compile(r"\b(from|into|table|join|update|index|on|exists|sequence|view|by|select|distinct|"
                          r"column|database|schema|trigger|as)\s*$", re.I)
# the list of columns of an ``insert``: ``insert into _%s (%s) values``, also after a table name that is a part
# itself (``'insert into %s (%s) values (%s)' % (table, keys, values)``: the constant text reads ``into  (``)
_COLUMN_LIST = re.compile(r"\binto\s+[\w`\"\[\].%]*\s*\(\s*$", re.I)
# a comparison with a bound parameter right after a part: ``f"{column} = ?"``, ``'%s=%%s' % key``,
# ``key + " LIKE :pattern"``: what is compared with the parameter is a column
_BEFORE_PLACEHOLDER = re.compile(r"\s*(=|==|!=|<>|<=|>=|<|>|\s(not\s+)?(i?like|in|is)\s)\s*\(?\s*"
                                 r"(\?|%s|%\(\w+\)s|:\w+|\$\d+)", re.I)
# the text argument of PostgreSQL's functions that take a sequence's or relation's name, open up to here
_RELATION_TEXT = re.compile(r"\b(setval|nextval|currval|pg_get_serial_sequence|to_regclass)\s*\(\s*'[\w.]*$", re.I)
# clauses a list of ``column = ?`` pieces built first is spliced after (``"UPDATE t SET " + ", ".join(sets)``)
_CLAUSE_BEFORE = re.compile(r"\b(set|where|and|or|having)\s*$", re.I)
_NUMERIC = frozenset("diouxXeEfFgGcb")
# what stands right before a value SQL takes: a comparison, an arithmetic operator, ``IN (``, ``LIMIT``,
# ``OFFSET``, ``KILL`` (in text that reads as SQL by another keyword: ``KILL`` alone does not), a ``VALUES (``
# list or a comma inside one (``AND``/``OR`` start a clause: not here)
_VALUE_BEFORE = re.compile(r"(=|==|!=|<>|<=|>=|<|>|[+\-*/]|\bin\s*\(|\blimit|\boffset|\bkill(\s+(query|connection))?"
                           r"|\bvalues\s*\(|,)\s*$", re.I)

HOLE = object()
"""A part of the built string that is not constant (a numeric format such as ``%d`` is constant enough)."""


def names_only(node: ir.Expr, known: dict | None = None) -> bool:
    """Whether ``node`` builds SQL text and every part of it that is not constant sits where SQL takes a
    name: next to name characters (``_%s_ids``, ``%s__journal``, a quoted identifier ``"%s"`` or
    ```%s```), after a keyword that takes a name (``from %s``, ``table %s``, ``select %s from``), compared
    with a bound parameter (``%s = ?``), or anywhere in a statement that defines the schema
    (``create``/``drop``/``alter``). ``known``: the constant
    text of parts the analysis knows (``id`` of a part of ``node.parts``: its string), as ``built_segments``."""
    segments = built_segments(node, None, known)
    if segments is None or HOLE not in segments:
        return False
    text = "".join(s for s in segments if s is not HOLE)
    if not _SCHEMA.match(text) and any(seg is HOLE and _quoted_name(segments, i) and not _quotes_every_name(segments, i)
                                       for i, seg in enumerate(segments)):
        return False
    if not _SQL.search(text):
        return _name_fragment(segments, text) or all(
            _compared_to_placeholder(segments, i) for i, seg in enumerate(segments) if seg is HOLE)
    if _DDL.match(text):
        return True
    for i, seg in enumerate(segments):
        if seg is not HOLE:
            continue
        before, after = _around(segments, i)
        if not (_name_position(before, after) or _compared_to_placeholder(segments, i)):
            return False
    return True


_QUOTES = {"`": "`", '"': '"', "[": "]"}
_IN_NAME = re.compile(r"[\w.]*")


def _compared_to_placeholder(segments: list, i: int) -> bool:
    """Whether the ``HOLE`` at ``segments[i]`` is compared with a bound parameter, the constant text up to
    the next ``HOLE`` being ``= ?`` (``%s``, ``:name``, ``%(name)s``, ``$1``), ``LIKE ?``, ``IN (?``: a
    column (``f"{column} = ?"`` in the ``SET`` list of an ``UPDATE``, ``'%s=%%s' % key``), the value being
    bound. A part glued to name characters before it (``x_{c} = ?``) counts too."""
    return bool(_BEFORE_PLACEHOLDER.match(_next_text(segments, i)))


def _quoted_name(segments: list, i: int) -> bool:
    """Whether the ``HOLE`` at ``segments[i]`` is inside identifier quotes the code writes around it,
    with nothing but name characters between (``"`%s`"``, ``f"[{table}]"``, ``'"%s"'``,
    ``f"`{catalog}.{schema}.INFORMATION_SCHEMA.TABLES`"``): outside a statement that defines the schema,
    quoting is for names that may hold any character, a name the code does not choose (a schema or a
    table a user named); unless the value doubles the quote (a call), a quote in it ends the identifier
    and the rest is SQL."""
    before, after = _around(segments, i)
    opener = _opening_quote(before)
    closer = _QUOTES.get(opener)
    if closer is None:
        return False
    rest = after[_IN_NAME.match(after).end():]
    return rest[:1] == closer


# (not ``"``: in MySQL ``"foo"`` may be a string, a value)
_QUOTED_NAMES = {opener: re.compile(rf"{re.escape(opener)}[A-Za-z_][\w.]*{re.escape(_QUOTES[opener])}")
                 for opener in ("`", "[")}


def _opening_quote(before: str) -> str:
    """The character before the name characters that end ``before`` (an identifier quote, if any)."""
    return before.rstrip(string.ascii_letters + string.digits + "_.")[-1:]


def _quotes_every_name(segments: list, i: int) -> bool:
    """Whether the statement's own text quotes a name of its own the way the ``HOLE`` at ``segments[i]`` is
    quoted (``SELECT `user_id` FROM `%s` WHERE `role_id` = ...``): quoting every name is the code's
    style (MySQL's backticks, SQL Server's brackets), not a sign that this one may hold any character."""
    pattern = _QUOTED_NAMES.get(_opening_quote(_around(segments, i)[0]))
    return pattern is not None and any(seg is not HOLE and pattern.search(seg) for seg in segments)


def _name_fragment(segments: list, text: str) -> bool:
    """``'_%s' % cn``, ``'%s_%s' % (classname, prop)``, ``'_%s_id_idx' % cn``: a piece with no SQL of its own
    whose constant text is all name characters, each part that is not constant glued to it: a name (of a
    table, a column, an index) built before it is spliced into a statement."""
    if not text or not all(c in _NAME_CHARS for c in text):
        return False
    return all(_glued(segments, i) for i, seg in enumerate(segments) if seg is HOLE)


def _around(segments: list, i: int) -> tuple[str, str]:
    """The constant text before and after the ``HOLE`` at ``segments[i]``."""
    return ("".join(s for s in segments[:i] if s is not HOLE),
            "".join(s for s in segments[i + 1:] if s is not HOLE))


def _glued_to_name(segments: list, i: int) -> bool:
    before, after = _around(segments, i)
    return (before[-1:] or "'") in _NAME_CHARS or (after[:1] or "'") in _NAME_CHARS


def _glued(segments: list, i: int) -> bool:
    before, after = _around(segments, i)
    return bool(before[-1:] or after[:1])


def statements_only(node: ir.Expr, known: dict | None = None) -> bool:
    """Whether every part of ``node`` that is not constant is a whole SQL statement: ``f"EXPLAIN {sql}"``,
    ``f"BEGIN TRANSACTION; {script}"``. What is spliced in is SQL text already, given by the caller as
    a wrapper's ``sql`` parameter is: the construction to judge is the caller's, not this one."""
    segments = _without_comments(built_segments(node, None, known))
    if segments is None or HOLE not in segments:
        return False
    for i, seg in enumerate(segments):
        if seg is not HOLE:
            continue
        before, after = _around(segments, i)
        if not _STATEMENT_BEFORE.search(before) or not re.fullmatch(r"\s*(;.*)?", after, re.S):
            return False
    text = "".join(s for s in segments if s is not HOLE)
    return bool(text.strip()) and bool(_SQL.search(text) or ";" in text)


def statement_part(node: ir.Expr, part, known: dict | None = None) -> bool:
    """Whether ``part`` (one of ``node.parts``) is spliced in only where a whole SQL statement stands: at the
    start of the text (or after an earlier statement, or ``EXPLAIN``) or as a subquery (``FROM ({query}) AS
    count``), followed only by other parts, its end, the subquery's closing parenthesis or clauses that refine
    it (``f"{query} {clause} ORDER BY id LIMIT {n}"``). A pagination or counting helper's ``query``
    parameter is SQL text its caller wrote: the construction to judge is the caller's, not this one."""
    owners: list = []
    segments = _without_comments(built_segments(node, owners, known))
    if segments is None or not any(owner is part for owner in owners):
        return False
    text = "".join(s for s in segments if s is not HOLE)
    # SQL around it, or a layout of parts on their own lines (lnbits' ``f"""\n{query}\n{clause}\n"""``); not
    # parts glued together with no SQL (``'%s%s' % (name[:n], digest)``: a name built in pieces)
    laid_out = not text.strip() and not any(_touches_part(segments, i) for i in _holes_of(segments, owners, part))
    if not (laid_out or _SQL.search(text) or _CLAUSE_WORDS.search(text)):
        return False
    for i in _holes_of(segments, owners, part):
        first = HOLE not in segments[:i]
        before = _around(segments, i)[0] if first else _previous_text(segments, i)
        starts = (first and _STATEMENT_BEFORE.search(before)) or re.search(r";\s*$", before) \
            or _SUBQUERY_BEFORE.search(before)
        if not starts or not _STATEMENT_AFTER.match(_next_text(segments, i)):
            return False
    return True


_COMMENT = re.compile(r"/\*.*?\*/|--[^\n]*", re.S)


def _without_comments(segments: list | None) -> list | None:
    """``segments`` with each SQL comment in their constant text read as a space: a statement its caller wrote
    followed by a comment naming where it runs (panda-server's ``sql + " /* DBProxy.querySQL */"``) is still
    a whole statement followed by nothing."""
    if segments is None:
        return None
    return [seg if seg is HOLE or ("/*" not in seg and "--" not in seg) else _COMMENT.sub(" ", seg)
            for seg in segments]


def _touches_part(segments: list, i: int) -> bool:
    """Whether another ``HOLE`` stands right before or after the ``HOLE`` at ``segments[i]``, with no text
    between: pieces of one word (``'%s%s'``)."""
    for step in (1, -1):
        j = i + step
        while 0 <= j < len(segments) and segments[j] == "":
            j += step
        if 0 <= j < len(segments) and segments[j] is HOLE:
            return True
    return False


def _previous_text(segments: list, i: int) -> str:
    """The constant text right before the ``HOLE`` at ``segments[i]``, back to the previous ``HOLE``."""
    before = []
    for seg in reversed(segments[:i]):
        if seg is HOLE:
            break
        before.append(seg)
    return "".join(reversed(before))


def _next_text(segments: list, i: int) -> str:
    """The constant text right after the ``HOLE`` at ``segments[i]``, up to the next ``HOLE`` (where another
    part stands) or the end."""
    after = []
    for seg in segments[i + 1:]:
        if seg is HOLE:
            break
        after.append(seg)
    return "".join(after)


def _name_position(before: str, after: str) -> bool:
    prev, nxt = before[-1:], after[:1]
    if prev == "'" or nxt == "'":
        # the whole of a quoted literal: a value; but for PostgreSQL's sequence functions, whose argument
        # is a relation's name given as text (``setval('{table}_id_seq', ...)``), a name
        return bool(_RELATION_TEXT.search(before))
    if (prev and prev in _NAME_CHARS) or (nxt and nxt in _NAME_CHARS):
        return True  # part of a name: ``_%s_ids``, ``%s__journal``, ``"%s"``, ``schema.%s``
    return bool(_NAME_BEFORE.search(before) or _COLUMN_LIST.search(before))


def name_part(node: ir.Expr, part, known: dict | None = None) -> bool:
    """Whether ``part`` (one of ``node.parts``) is spliced into SQL text only where SQL takes a name
    (``'select count(*) from _%s where id=%s' % (classname, placeholder)``: ``classname``), whatever the
    other parts are."""
    owners: list = []
    segments = built_segments(node, owners, known)
    if segments is None or not any(owner is part for owner in owners):
        return False
    text = "".join(s for s in segments if s is not HOLE)
    holes = [i for i, seg in enumerate(segments) if seg is HOLE]
    if not _SCHEMA.match(text) and any(owners[n] is part and _quoted_name(segments, i)
                                       and not _quotes_every_name(segments, i) for n, i in enumerate(holes)):
        return False
    sql = bool(_SQL.search(text))
    if sql and _DDL.match(text):
        return True
    if not sql:  # a piece built first: ``'_%s=%s' % (column, placeholder)``, the column glued to ``_``
        return all(_glued_to_name(segments, i) or _compared_to_placeholder(segments, i)
                   for n, i in enumerate(holes) if owners[n] is part)
    for n, i in enumerate(holes):
        if owners[n] is part:
            before, after = _around(segments, i)
            if not (_name_position(before, after) or _compared_to_placeholder(segments, i)):
                return False
    return True


def in_value_position(node: ir.Expr, part, known: dict | None = None) -> bool:
    """Whether ``part`` (one of ``node.parts``), a name built first, is spliced into SQL text where SQL takes
    a value: not a name (``_name_position``), not a whole statement, not a clause of ``column = ?`` pieces
    (``"UPDATE t SET " + sets``). True when ``node`` reads as SQL but where ``part`` lands is not known
    (``.format`` fields, ``%(key)s``)."""
    owners: list = []
    segments = built_segments(node, owners, known)
    if segments is None:
        return False
    text = "".join(s for s in segments if s is not HOLE)
    if not _SQL.search(text) or _DDL.match(text) or statements_only(node, known):
        return False
    if not any(owner is part for owner in owners):
        return True
    for i in _holes_of(segments, owners, part):
        before, after = _around(segments, i)
        if not (_name_position(before, after) or _compared_to_placeholder(segments, i)
                or _CLAUSE_BEFORE.search(before)):
            return True
    return False


def _holes_of(segments: list, owners: list, part):
    """The indexes in ``segments`` of the ``HOLE``s whose part (``owners``, in the holes' order) is ``part``."""
    n = 0
    for i, seg in enumerate(segments):
        if seg is HOLE:
            if n < len(owners) and owners[n] is part:
                yield i
            n += 1


def unquoted_value_part(node: ir.Expr, part, known: dict | None = None) -> bool:
    """Whether ``part`` (one of ``node.parts``) is spliced into SQL text only where SQL takes a value and
    outside any quotes (``"... where eid=%s" % eid``, ``"... LIMIT %s" % n``, ``IN (%s)``): text is
    valid SQL there only as a number or a literal quoted already, so the part is most likely a number.
    Not a name's place (``name_part``), not a clause of ``column = ?`` pieces, not a whole statement."""
    owners: list = []
    segments = built_segments(node, owners, known)
    if segments is None or not any(owner is part for owner in owners):
        return False
    text = "".join(s for s in segments if s is not HOLE)
    if not _SQL.search(text) or _DDL.match(text) or statements_only(node, known):
        return False
    for i in _holes_of(segments, owners, part):
        before, after = _around(segments, i)
        if before.count("'") % 2 or before.count('"') % 2 or _name_position(before, after) \
                or _compared_to_placeholder(segments, i) or _CLAUSE_BEFORE.search(before) \
                or not _VALUE_BEFORE.search(before):
            return False
    return True


def concat_parts(node: ir.Expr) -> tuple | None:
    """The parts of a string built by ``+``: a ``concat`` ``StringBuild``'s, or the two operands of a ``+``
    whose sides are both names (``table_prefix + BUILD_TABLE``: the lowering cannot tell it is text)."""
    if isinstance(node, ir.StringBuild):
        return node.parts if node.kind in ("fstring", "concat") else None
    if isinstance(node, ir.BinOp) and node.op == "+":
        return (node.left, node.right)
    return None


def built_segments(node: ir.Expr, owners: list | None = None, known: dict | None = None) -> list | None:
    """The built string as constant text and ``HOLE``s, in order; None when its shape is not known. Each
    ``HOLE``'s part of ``node.parts`` (None where not known) is appended to ``owners`` when given. ``known``
    maps the ``id`` of a part to the text the analysis knows it holds (a module's constant
    ``BUILD_TABLE = 'zuul_build'``, a local bound to one): that text counts as written there."""
    owners = [] if owners is None else owners
    known = known or {}
    parts = concat_parts(node)
    if parts is not None:
        out = []
        for part in parts:
            value = part.value if isinstance(part, ir.FormattedValue) else part
            if isinstance(value, ir.Const) and isinstance(value.value, str):
                out.append(value.value)
            elif isinstance(part, ir.FormattedValue) and isinstance(part.spec, ir.Const) \
                    and str(part.spec.value)[-1:] in _NUMERIC:
                out.append("0")
            elif id(part) in known and not (isinstance(part, ir.FormattedValue) and (
                    part.spec is not None or part.conversion in (ord("r"), ord("a")))):
                out.append(known[id(part)])
            else:
                out.append(HOLE)
                owners.append(part)
        return out
    if not isinstance(node, ir.StringBuild):
        return None
    kind = node.kind
    template = node.template
    if not (isinstance(template, ir.Const) and isinstance(template.value, str)):
        return None
    if kind == "percent":
        out, pos, index = [], 0, 0
        for m in PERCENT_SPEC.finditer(template.value):
            out.append(template.value[pos:m.start()])
            pos = m.end()
            if m.group("conversion") == "%":
                out.append("%")
                continue
            part = node.parts[index] if index < len(node.parts) and m.group("key") is None else None
            index += 1
            if m.group("conversion") in _NUMERIC or (isinstance(part, ir.Const) and isinstance(part.value, (str, int))):
                out.append(str(part.value) if isinstance(part, ir.Const) else "0")
            elif part is not None and id(part) in known and m.group(0) == "%s":
                out.append(known[id(part)])
            else:
                out.append(HOLE)
                owners.append(part)
        out.append(template.value[pos:])
        return out
    if kind == "format":
        out = []
        try:
            fields = list(string.Formatter().parse(template.value))
        except ValueError:
            return None
        positional = node.parts[:len(node.parts) - len(node.names)]
        if any(isinstance(p, ir.Starred) for p in positional):
            positional = ()
        named = dict(zip(node.names, node.parts[len(node.parts) - len(node.names):]))
        auto = 0
        for literal, field, spec, conversion in fields:
            out.append(literal)
            if field is None:
                continue
            if spec and spec[-1:] in _NUMERIC:
                out.append("0")
                continue
            # the part a plain field names (``{}``, ``{0}``, ``{table}``); None for ``{t.name}``, ``{d[k]}``
            part = None
            if field == "":
                part = positional[auto] if auto < len(positional) else None
                auto += 1
            elif field.isdigit():
                part = positional[int(field)] if int(field) < len(positional) else None
            elif field.isidentifier():
                part = named.get(field)
            if part is not None and id(part) in known and not spec and conversion in (None, "s"):
                out.append(known[id(part)])
            else:
                out.append(HOLE)
                owners.append(part)
        return out
    return None
