import re

from secreview.analysis.sql_text import QUOTED_PLACEHOLDER as _QUOTED_PLACEHOLDER
from secreview.analysis.values import CONSTRUCTION_NAME_OR_STEP, CONSTRUCTION_NAMES, CONSTRUCTION_UNQUOTED
from secreview.findings.model import Level
from secreview.rules.base import SinkRule, file_text_untraced

# the code of an argument that starts with a string literal: the SQL text itself, not its parameters
_STRING_START = re.compile(r"[rRbBuUfF]{0,2}['\"]")


def _quoted_placeholder(site) -> bool:
    """The value reaching the sink at ``site`` is a bound parameter whose placeholder is quoted. Not when what
    reaches it is the SQL text (``"... key='%(key)s'" % {...}``: Python's ``%`` fills the placeholder in, and the
    shortened code of a long statement may leave the quoted placeholder out of ``arg_code``)."""
    arg_code = site.arg_code or ""
    return bool(_QUOTED_PLACEHOLDER.search(site.code or "")) and not _QUOTED_PLACEHOLDER.search(arg_code) \
        and not _STRING_START.match(arg_code)


class SqlInjection(SinkRule):
    """SQL statement built from untrusted data.

    A value spliced into SQL text (`"... WHERE name = '" + name + "'"`, an
    f-string, `%` formatting) is parsed as SQL: a quote or a keyword in it
    changes the statement, so the client can read other rows, bypass a login
    or modify the database.

    Reported when data traced to untrusted input (request data, RPC arguments,
    network reads) reaches the SQL text of `cursor.execute` and friends (sqlite3,
    psycopg2/psycopg, PyMySQL, MySQLdb, mysql.connector), SQLAlchemy `text()`,
    `literal_column()`, `prefix_with()`/`with_hint()` text and string statements
    given to `execute()`, Django `raw()`, `extra()`, `RawSQL` and
    `connection.cursor().execute`, and `psycopg2.sql.SQL()`. Not reported:
    values passed as query parameters (the second argument of `execute`, `:name`
    bound parameters of `text()`, given to `.bindparams()` or in a dict),
    SQLAlchemy Core statements
    (`insert(t).values(**data)`, `table.update().where(t.c.id == x).values(...)`,
    `select(...).where(col == value)`: what they are given is bound, never SQL
    text), placeholder names numbered by `enumerate()` (`f"(:name_{i})"`),
    values converted with `int()`/`float()` or checked against an allow-list,
    identifiers quoted with `psycopg2.sql.Identifier`. An escaper of another
    language (`html.escape`) does not count. A parameter is reported when the
    SQL text writes its placeholder inside quotes (`WHERE name = '%s'`,
    `'%(name)s'`) and it is traced to untrusted input: psycopg2, PyMySQL,
    MySQLdb and Django's PostgreSQL and MySQL backends interpolate parameters
    on the client and quote each value again, so its text lands outside the
    string literal (numbers excepted).

    SQL text built (`+`, `%`, `.format`, an f-string, `join`) from a parameter
    of the function that builds it is reported with medium confidence even when
    no untrusted source is traced ("built from parameter `name` of `find()`; the
    analysis found no caller in the reviewed code showing it to be safe"), unless every caller in
    the reviewed code passes a constant, a number or a sanitized value; when
    one passes traced data, that flow is reported instead, once.
    Of low confidence instead (not shown by default) when every caller in
    the reviewed code passes a value the analysis cannot trace to outside
    data (a call's result, an attribute that is not a setting, a command-line
    option), or when the function is a command's entry point (a Django
    management command's `handle()`, a click, typer or cyclopts command): its options
    are what whoever runs it types. Judged on real code (panels E-M), every
    such finding was false. Low as well when every such parameter sits
    unquoted where SQL takes a value (`"... WHERE eid=%s" % eid`, `LIMIT %s`,
    `IN (%s)`): text is valid SQL there only as a number or as a literal
    quoted already, and on real code those parameters were entity ids and
    limits (the 6 judged on panels K and P were all false); inside quotes
    (`WHERE name = '%s'`) it stays medium. Low too when every such parameter
    defaults to a number (`def is_flapping(self, window=1800)`): callers are
    expected to pass one; and when they are a lambda's captured values
    (`lambda db=db: connect(db)` made in a loop), which whoever calls the
    lambda does not pass. Low too when the function is in a module the
    project marks internal by its name (a package or module named `internal`,
    or whose name starts with one underscore: `conan/internal/cache/db/`,
    `cubedash/index/postgis/_api.py`): its callers are the project's own, and
    no untrusted source was traced through them (a caller passing one is
    reported instead); judged on panels H to AU, such SQL and shell commands
    at 32 places were 27 false, 5 worth a look, none real.
    Built in one
    function and executed by a pass-through wrapper, it is reported where it
    is built. Not reported as built: numbers (`%d`, `int()`, `len()`, a value
    ordered against a number past the test: `if not 0 < pct <= 100: raise`), a
    record's primary key (`user.pk`, `review_request.id`: the key the
    database assigned), the current time (`timezone.now()`), values
    chosen from constants (also the `.value` or `.name` of a member of an
    `Enum` the code declares: `direction.value` of a parameter or a declared
    field `direction: Direction`), values passed through a function named for quoting
    (`escape_sqlite(table)`, `quote_ident(name)`), and values of unknown origin
    alone (an attribute, a call's result: on real code they were settings,
    paths and the database's own table names), nor attributes of a parameter
    typed as configuration (`config.offline_store.database` of `config:
    RepoConfig`, a `Settings`: the deployment's settings its caller hands
    over); nor in test code. A caller
    that passes such values shows the parameter safe when they are settings
    or read from one (`for column in self.metadata_columns: ...column[0]`),
    and when it passes them quoted by a function named for quoting
    (`quote_qualified_name(schema, table.name)`, or text built of such calls
    and constants, as a construction in place would be);
    another call's result does not (the function may be called elsewhere,
    through code the analysis does not resolve, with outside data). Built only
    where SQL takes a name (a table, a column, an index: `'drop table _%s' %
    name`, `f"select {cols} from {table}"`, any `create`/`drop`/`alter`, a
    SQLite `pragma`, a savepoint, an insert's column list (also a list joined
    before its statement: `keys = ", ".join(data.keys())`), the text argument
    of a PostgreSQL sequence function: `setval('%s_id_seq', ...)`, a column
    compared with a bound parameter: `f"{column} = ?"`, `",".join(k + "=?"
    for k in data)` after `SET`, or a name built before its statement:
    `index = '_%s_idx' % cn`, `table = prefix + BUILDS` where the module sets
    `BUILDS = 'builds'`: constants the code names count as the text they
    hold; also by another function: `table_id(project, view)` returning
    `f"{project}_{view.name}"`), which no driver binds as a parameter, it is
    of low confidence (not shown by default): on real code such names came
    from the program's own schema. A name the code writes
    inside identifier quotes (`` f"SHOW VIEWS IN `{schema}`" ``,
    `f"PRAGMA foreign_key_list([{table}])"`, `'"%s"' % name`) is the
    exception, reported with medium confidence: quoting is for names that may
    hold any character (a schema or table a user named), and a quote in it
    ends the identifier unless it is doubled; not when the statement quotes
    its own names the same way (`` SELECT `user_id` FROM `%s` ``: MySQL's
    backticks or SQL Server's brackets around every name are the code's
    style). Traced to untrusted input,
    a name is reported like any value. A function that runs a whole statement
    it is given, with words of its own around it (`f"EXPLAIN {statement}"`,
    `f"BEGIN; {script}"`), refined by clauses (`f"{query} {where} ORDER BY id
    LIMIT {n}"`: a pagination helper) or wrapped as a subquery (`f"SELECT
    COUNT(*) FROM ({query}) AS count"`), passes it through: the statement is its
    caller's to build, and a caller's construction is reported there; the other
    parts it splices in are judged as any part is. The rows of
    SQLite's schema pragmas (`PRAGMA foreign_key_check`: table names and row
    ids) are the database's own facts, like `SELECT pg_backend_pid()`.

    **Fix:** keep the SQL text constant and pass values as parameters:
    `cur.execute("SELECT * FROM users WHERE name = %s", (name,))` (`?` for
    sqlite3, `:name` with SQLAlchemy `text()`); for table or column names, pick
    from an allow-list or quote with `psycopg2.sql.Identifier`.
    """

    id = "SR104"
    name = "sql-injection"
    title = "SQL injection"
    cwe = 89
    severity = Level.HIGH
    confidence = Level.HIGH
    bandit = ("B608", "B610", "B611")
    sink_kinds = ("sql",)
    untainted = None
    constructions = ("sql",)
    names_confidence = Level.LOW
    names_origins = frozenset({CONSTRUCTION_NAMES, CONSTRUCTION_NAME_OR_STEP, CONSTRUCTION_UNQUOTED})
    origin_notes = {CONSTRUCTION_UNQUOTED: (
        Level.LOW, "it is spliced in unquoted where SQL takes a value, where text is valid SQL only as a number or a "
                   "literal quoted already, so callers most likely pass a number")}
    danger = ("The database parses it as SQL, so a quote or keyword in it (`' OR '1'='1`, `; DROP TABLE`) "
              "changes what the statement does: any row this connection can reach may be read or changed.")
    fix = ("Keep the SQL text constant and pass the value as a query parameter, e.g. "
           "`cur.execute(\"SELECT * FROM t WHERE name = %s\", (name,))` (`?` for sqlite3, `:name` with "
           "SQLAlchemy `text()`); choose table/column names from an allow-list.")

    def excused(self, site, sink, callee: str) -> bool:
        # ``cur.executescript(open(path).read())``: a SQL script the program reads from a file (its schema,
        # its migrations) is that file's text, not a string built from the path it was given
        for ref in sink.args or ():
            value, _ = site.arg(ref.position, ref.name)
            if file_text_untraced(self, value, sink.kind):
                return True
        return False

    def danger_at(self, site) -> str:
        if _quoted_placeholder(site):
            quoted = _QUOTED_PLACEHOLDER.search(site.code).group(0)
            return (f"Its placeholder is written inside quotes (`{quoted}`): drivers that interpolate parameters "
                    "on the client (psycopg2, PyMySQL, MySQLdb, Django's PostgreSQL and MySQL backends) quote the "
                    "value again, so its text lands outside the string literal and is parsed as SQL "
                    "(`OR 1=1 --` needs no quote of its own).")
        return self.danger

    def fix_at(self, site) -> str:
        if _quoted_placeholder(site):
            return ("Remove the quotes around the placeholder (`WHERE name = %s`, `LIKE %s` with the `%` "
                    "wildcards added to the value): the driver quotes the value itself.")
        return self.fix
