"""Where a built SQL string splices its non-constant parts: where SQL takes a name, or a value."""

from __future__ import annotations

import ast

import pytest

from secreview.analysis.sql_text import concat_parts, name_part, names_only, statements_only
from secreview.ir import nodes as ir
from secreview.ir.lower import lower_module

PARAMS = "self, column, cn, classname, n, a, b, table_name, scols, cols, args, name, uid, table, x, db, user"


def built(code: str) -> ir.StringBuild:
    tree = ast.parse(f"def f({PARAMS}):\n    return {code}\n")
    module = lower_module(tree, module="m", path="m.py", text="")
    fn = next(f for q, f in module.functions.items() if q.endswith(".f"))
    return next(e for st in fn.statements() for e in ir.walk(st.value) if isinstance(e, ir.StringBuild))


@pytest.mark.parametrize("code", [
    "'drop table _%s' % cn",                                   # a schema statement
    "'create table %s_%s (linkid INTEGER, nodeid INTEGER)' % (a, b)",
    "'show index from %s' % table_name",                        # after a keyword that takes a name
    "f\"select {cols} from {table}\"",
    "'SELECT * FROM ' + table + ' WHERE x = 1'",
    "'delete from {}__journal where nodeid=1'.format(cn)",      # part of a name
    "'create table \"%s\" (id int)' % table",                 # a quoted name where the schema is defined
    "'DROP TABLE `%s_%s`' % (cn, prop)",
    "'_%s' % cn",                                               # a name built before its statement
    "'%s_%s' % (a, b)",
    "'_%s_id_idx' % cn",
    "'pragma index_list(%s)' % table_name",                     # SQLite pragmas take names
    "f\"PRAGMA table_info({table});\"",
    "'SAVEPOINT %s' % name",                                    # savepoints are names
    "'ROLLBACK TO %s' % name",
    "f\"{column} = ?\"",                                          # compared with a bound parameter
    "'%s=%%s' % name",
    "name + ' LIKE :pattern'",
    "f\"select * from t where {column} in (%s)\"",
    "f\"update t set {a} = :a, {b} = :b where id = :id\"",
    "f\"select setval('{table}_id_seq', (select max(id) from {table}))\"",  # a sequence's name as text
    "\"SELECT nextval('%s')\" % name",
    "'SELECT `user_id` FROM `%s` WHERE `role_id` = %%s' % table_name",  # the code quotes every name
    "f\"SELECT [id] FROM [{table}]\"",
])
def test_names(code):
    assert names_only(built(code))


@pytest.mark.parametrize("code", [
    "\"SELECT * FROM users WHERE name = '%s'\" % name",         # a quoted value
    "'SELECT * FROM t WHERE name = ' + name",                   # after a comparison
    "f\"select * from t where a = {x}\"",
    "'select %s from _%s where id=%s' % (scols, classname, self.arg)",  # one name, one value
    "'insert into _%s (%s) values (%s)' % (cn, cols, args)",    # values
    "\"select setval('_%s_ids', %s) from dual\" % (classname, n)",
    "'hello %s' % name",                                        # not SQL
    "'select * from users where id=%d' % uid",                  # every part constant or a number
    "'%s' % name",                                              # no text to tell
    "'x-%s' % name",                                            # not name characters
    "'%s %s' % (a, b)",
    "f\"KILL CONNECTION {x}\"",                                  # a value (a number, if anything)
    "'select * from \"%s\"' % table",                          # a quoted identifier: a name that may hold
    "f\"SHOW VIEWS IN `{schema}`\"",                              # any character, not the program's own
    "f\"PRAGMA foreign_key_list([{table}])\"",
    "f\"`{catalog}.{schema}.INFORMATION_SCHEMA.TABLES`\"",
    "f\"{a} = {b}\"",                                             # compared with a value, not a parameter
    "'select * from t where %s' % x",                           # a whole condition
    "f\"select * from t where {a} = ? or {b}\"",
    "f\"select lower('{table}_id_seq')\"",                       # text, not a sequence function's
    "\"SELECT `user_id` FROM `%s` WHERE `name` = '%s'\" % (table_name, x)",  # a name and a value
    "'SELECT \"user_id\" FROM \"%s\"' % table_name",                 # MySQL's \"...\" may be a string
    "f\"SELECT `id` FROM t WHERE name = '{name}'\"",                  # a value, whatever the names
])
def test_not_names_only(code):
    assert not names_only(built(code))


@pytest.mark.parametrize("code, whole", [
    ("f\"EXPLAIN {x}\"", True),                                   # a statement the caller gives
    ("f\"EXPLAIN ANALYZE {x};\"", True),
    ("f\"BEGIN TRANSACTION; {x}\"", True),
    ("f\"COMMIT; BEGIN TRANSACTION; {x}\"", True),
    ("f\"select * from t where a = {x}\"", False),
    ("f\"EXPLAIN SELECT * FROM t WHERE {x} = 1\"", False),
    ("f\"SELECT {x}\"", False),
    ("'%s' % x", False),                                         # no text to tell
])
def test_statements_only(code, whole):
    assert statements_only(built(code)) is whole


@pytest.mark.parametrize("code, index, name", [
    ("'select count(*) from _%s where id=%s' % (classname, x)", 0, True),    # a name beside a value
    ("'select count(*) from _%s where id=%s' % (classname, x)", 1, False),
    ("'insert into _%s (%s) values (%s)' % (cn, cols, args)", 1, True),       # an insert's column list
    ("'insert into _%s (%s) values (%s)' % (cn, cols, args)", 2, False),
    ("\"select * from t where a = '%s'\" % x", 0, False),
    ("'_%s=%s' % (column, x)", 0, True),                                     # a piece built first
    ("'_%s=%s' % (column, x)", 1, False),
    ("'%s = %s' % (column, x)", 0, False),
    ("'hello %s' % name", 0, False),                                         # not SQL
    ("'SELECT `a` FROM `%s` WHERE (%s)' % (table_name, x)", 0, True),       # the code quotes every name
    ("'SELECT a FROM `%s` WHERE (%s)' % (table_name, x)", 0, False),        # only this one: may hold any
])
def test_name_part(code, index, name):
    node = built(code)
    assert name_part(node, node.parts[index]) is name


@pytest.mark.parametrize("code, known, names", [
    ("table + BUILD", "zuul_build", True),                      # a prefix and the module's constant
    ("table + BUILD + '_new'", "zuul_build", True),
    ("BUILD + table", "select * from ", True),
    ("BUILD + table", "select * from t where name = ", False),
    ("table + BUILD", "-x", False),
    ("'%s%s' % (table, BUILD)", "_ids", True),
    ("f\"{table}{BUILD!r}\"", "_ids", False),                  # its repr is not the text
])
def test_names_with_known_constants(code, known, names):
    """Parts whose value the analysis knows (``BUILD_TABLE = 'zuul_build'``) count as the text they hold."""
    tree = ast.parse(f"def f(table):\n    return {code}\n")
    module = lower_module(tree, module="m", path="m.py", text="")
    fn = next(f for q, f in module.functions.items() if q.endswith(".f"))
    node = list(fn.statements())[-1].value
    if isinstance(node, ir.StringBuild) and isinstance(node.parts[0], ir.BinOp):
        node = node.parts[0]  # ``table + BUILD + '_new'``: ``table + BUILD`` is built (and judged) first
    parts = concat_parts(node) or node.parts
    consts = {id(p): known for p in parts
              if getattr(p.value if isinstance(p, ir.FormattedValue) else p, "id", None) == "BUILD"}
    assert names_only(node, consts) is names
