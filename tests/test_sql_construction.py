"""How confident a SQL construction finding is: names (tables, columns) built from a function's parameters
are of low confidence, values spliced into SQL text of medium; what the analysis knows of each part counts."""

from __future__ import annotations

from reviewing import findings

from secreview.findings.model import Level


def confidences(tmp_path, monkeypatch, code: str) -> dict:
    found = findings(tmp_path, monkeypatch, {"store.py": code}, rule="sql-injection")
    return {f.line: f.confidence for f in found}


def test_names_built_from_a_parameter_and_module_constants_are_names(tmp_path, monkeypatch):
    """``prefixed = table_prefix + BUILD_TABLE`` with ``BUILD_TABLE = 'zuul_build'``: a table name built
    from a prefix and the module's constant, spliced later where SQL takes a name (``insert into {p}``,
    ``from {p} bs``, ``{p}.id``, a ``.format`` field ``UPDATE {table}``), is a name like ``'_%s' % cn``;
    spliced where SQL takes a value it is medium again; a value built with a constant's help stays a
    value."""
    got = confidences(tmp_path, monkeypatch, '''\
        import sqlalchemy as sa

        BUILD_TABLE = 'zuul_build'
        SUFFIX = '_new'
        WHERE = "select * from t where name = '"

        def upgrade(connection, table_prefix):
            prefixed = table_prefix + BUILD_TABLE
            prefixed_new = table_prefix + BUILD_TABLE + '_new'
            other = table_prefix + BUILD_TABLE + SUFFIX
            connection.execute(sa.text(f"insert into {prefixed_new} select b.id, b.name from {prefixed} b"))
            connection.execute(sa.text(f"select {other}.id from {other} join {prefixed} on 1 = 1"))
            connection.execute(sa.text(f"drop table {prefixed}"))

        def find(connection, table_prefix, name):
            prefixed = table_prefix + BUILD_TABLE
            connection.execute(sa.text(f"select * from t where name = '{prefixed}'"))
            connection.execute(sa.text(WHERE + name + "'"))

        def formatted(connection, table_prefix, name):
            connection.execute(sa.text("UPDATE {table} SET x = 1".format(table=table_prefix + "zuul_buildset")))
            connection.execute(sa.text("UPDATE {} SET x = 1".format(table_prefix + BUILD_TABLE)))
            connection.execute(sa.text("UPDATE {0} SET x = '{1}'".format(table_prefix + BUILD_TABLE, name)))
        ''')
    assert got == {11: Level.LOW, 12: Level.LOW, 13: Level.LOW, 17: Level.MEDIUM, 18: Level.MEDIUM,
                   21: Level.LOW, 22: Level.LOW, 23: Level.MEDIUM}


def test_a_value_helper_of_issue_13_stays_medium(tmp_path, monkeypatch):
    """A helper formatting its own parameter into a WHERE value on an untyped cursor is reported at
    medium (the recall issue's example), whatever constants stand around it."""
    got = confidences(tmp_path, monkeypatch, '''\
        import sqlite3

        TABLE = 'users'

        class Store:
            def __init__(self, path):
                self.conn = sqlite3.connect(path)
                self.cur = self.conn.cursor()

            def find(self, name):
                self.cur.execute("SELECT * FROM users WHERE name = '%s'" % name)
                return self.cur.fetchall()

            def find_in(self, name):
                self.cur.execute("SELECT * FROM " + TABLE + " WHERE name = '" + name + "'")
        ''')
    assert got == {11: Level.MEDIUM, 15: Level.MEDIUM}


def test_columns_compared_with_a_bound_parameter_are_names(tmp_path, monkeypatch):
    """``",".join(key + "=" + "?" for key in data)`` after ``UPDATE ... SET``, ``f"{column} = %s"``: what
    is compared with a bound parameter is a column, the value is bound; a value compared with another
    value, or a whole condition spliced after ``WHERE``, stays medium."""
    got = confidences(tmp_path, monkeypatch, '''\
        import sqlite3

        class Store:
            def __init__(self, path):
                self.cur = sqlite3.connect(path).cursor()

            def update(self, id, data):
                sets = ",".join(key + "=" + "?" for key in data)
                self.cur.execute("UPDATE comments SET " + sets + " WHERE id=?", list(data.values()) + [id])

            def find(self, column, value):
                self.cur.execute(f"SELECT * FROM t WHERE {column} = ?", (value,))

            def like(self, column, value):
                self.cur.execute("SELECT * FROM t WHERE %s LIKE %%s AND x = 1" % column, (value,))

            def compare(self, column, value):
                self.cur.execute(f"SELECT * FROM t WHERE {column} = {value}")

            def where(self, condition):
                self.cur.execute("SELECT * FROM t WHERE %s" % condition)

            def pair(self, key, value):
                piece = "%s=%s" % (key, value)
                self.cur.execute("UPDATE t SET " + piece)
        ''')
    assert got == {9: Level.LOW, 12: Level.LOW, 15: Level.LOW, 18: Level.MEDIUM, 21: Level.MEDIUM,
                   25: Level.MEDIUM}



def test_a_sequence_functions_text_argument_is_a_name(tmp_path, monkeypatch):
    """PostgreSQL's sequence functions take a relation's name as text: ``setval('{p}_id_seq', ...)`` with
    ``p`` a name built first is a name; the same text compared with a column is a value."""
    got = confidences(tmp_path, monkeypatch, '''\
        import sqlite3

        cur = sqlite3.connect("x").cursor()

        def seq(table_prefix):
            p = table_prefix + "_t"
            cur.execute(f"select setval('{p}_id_seq', 1, false)")

        def find(table_prefix):
            p = table_prefix + "_t"
            cur.execute(f"select * from t where name = '{p}_id_seq'")
        ''')
    assert got == {7: Level.LOW, 11: Level.MEDIUM}


ROWS_OF_A_BOUND_VALUE = '''\
    import sqlite3
    from flask import Flask, request

    app = Flask(__name__)
    CONNECTIONS = {}

    class DB:
        def __init__(self, name):
            self.connection = CONNECTIONS[name]

        def select_one(self, query, args=None):
            if not args:
                rows = self.connection.cursor().execute(query)
            else:
                rows = self.connection.cursor().execute(query, args)
            return rows.fetchone()

    @app.route("/snatch", methods=["POST"])
    def snatch():
        url = request.form["url"]
        row = DB("cache").select_one("SELECT * FROM results WHERE url = ?", [url])
        name = row["provider"]
        return DB("cache").select_one(f"SELECT * FROM providers WHERE name = '{name}'")

    @app.route("/search")
    def search():
        return DB("cache").select_one(f"SELECT * FROM results WHERE url = '{request.args['url']}'")
    '''


def test_rows_selected_with_a_bound_client_value_are_the_databases(tmp_path, monkeypatch):
    """The rows a statement selects with the client's value bound as a parameter are the database's data,
    not that value: a column of them formatted into the next query (``row["provider"]``) is no flow from
    the request (it was reported at high, with a trace through ``execute(query, args)`` as if the rows
    were the request's text, and as cross-site scripting where the rows are returned). The client's
    value spliced into the SQL text itself stays a finding at high."""
    found = findings(tmp_path, monkeypatch, {"app.py": ROWS_OF_A_BOUND_VALUE}, rule="sql-injection")
    assert {(f.line, f.confidence) for f in found} == {(13, Level.HIGH)}
    assert all(any(s.line == 27 for s in f.trace) and not any("`args`" in s.note for s in f.trace) for f in found)
    xss = findings(tmp_path, monkeypatch, {"app.py": ROWS_OF_A_BOUND_VALUE}, rule="xss")
    assert all(f.line != 23 for f in xss)


def test_unquoted_values_are_numbers_most_likely(tmp_path, monkeypatch):
    """A parameter spliced unquoted where SQL takes a value (``where eid=%s``, ``LIMIT %s``, ``in (%s)``) is
    valid SQL only as a number or a literal quoted already: low. Inside quotes it is the textbook injection
    (medium), also when another part of the same statement is unquoted; a whole clause (``WHERE `` + where)
    stays medium."""
    got = confidences(tmp_path, monkeypatch, '''\
        import sqlite3

        class Store:
            def __init__(self, path):
                self.cur = sqlite3.connect(path).cursor()

            def by_id(self, eid):
                self.cur.execute("SELECT * FROM users WHERE eid=%s" % eid)

            def top(self, limit):
                self.cur.execute("SELECT * FROM users ORDER BY score LIMIT %s" % limit)

            def some(self, ids):
                self.cur.execute("SELECT * FROM users WHERE id IN (%s)" % ids)

            def find(self, name):
                self.cur.execute("SELECT * FROM users WHERE name = '%s'" % name)

            def both(self, eid, name):
                self.cur.execute("SELECT * FROM users WHERE eid=%s AND name='%s'" % (eid, name))

            def filtered(self, where):
                self.cur.execute("SELECT * FROM users WHERE " + where)
        ''')
    assert got == {8: Level.LOW, 11: Level.LOW, 14: Level.LOW, 17: Level.MEDIUM, 20: Level.MEDIUM,
                   23: Level.MEDIUM}


def test_unquoted_value_explanation_says_so(tmp_path, monkeypatch):
    found = findings(tmp_path, monkeypatch, {"store.py": '''\
        import sqlite3

        def by_id(cur, eid):
            cur.execute("SELECT * FROM users WHERE eid=%s" % eid)
        '''}, rule="sql-injection")
    [finding] = found
    assert finding.confidence is Level.LOW
    assert "spliced in unquoted where SQL takes a value" in finding.explanation


def test_a_parameter_defaulting_to_a_number_is_expected_to_be_one(tmp_path, monkeypatch):
    """``def is_flapping(self, window=1800)`` spliced into quoted SQL text: its callers are expected to pass a
    number (alerta's ``INTERVAL '{window} seconds'``, no caller passing anything): low, and the explanation
    says why; a parameter defaulting to text stays medium, and a caller passing the client's text is traced
    (high) whatever the default."""
    code = '''\
        import sqlite3

        from flask import Flask, request

        app = Flask(__name__)
        DB = sqlite3.connect("x.db")


        def flapping(window=1800):
            return DB.execute(f"SELECT * FROM a WHERE t > NOW() - INTERVAL '{window} seconds'").fetchall()


        def named(name="x"):
            return DB.execute(f"SELECT * FROM a WHERE n = '{name}'").fetchall()


        def recent(window=60):
            return DB.execute(f"SELECT * FROM a WHERE t > NOW() - INTERVAL '{window} seconds'").fetchall()


        @app.route("/recent")
        def view():
            return str(recent(request.args["w"]))
        '''
    found = {f.line: f for f in findings(tmp_path, monkeypatch, {"store.py": code}, rule="sql-injection")}
    assert {line: f.confidence for line, f in found.items()} == {10: Level.LOW, 14: Level.MEDIUM, 18: Level.HIGH}
    assert "its default is a number, so callers are expected to pass one" in found[10].explanation


def test_a_query_a_caller_wrote_refined_by_clauses_is_the_callers(tmp_path, monkeypatch):
    """A pagination helper's ``query`` parameter spliced in where a whole statement stands (at the start,
    followed by other parts and refining clauses, or as a subquery) is SQL text its caller wrote: not a
    construction of the helper; the helper's callers, which pass literal statements, show it safe. The same
    parameter spliced after ``WHERE``, or a first part followed by more statement words than a refining clause,
    is still reported, and so is a caller splicing a value into the statement it passes."""
    got = confidences(tmp_path, monkeypatch, '''\
        import sqlite3


        class Pages:
            def __init__(self, path):
                self.conn = sqlite3.connect(path)

            def fetch_page(self, query, clause, limit: int = 10):
                rows = self.conn.execute(f"""
                    {query}
                    {clause}
                    ORDER BY id LIMIT {limit}
                """).fetchall()
                count = self.conn.execute(f"SELECT COUNT(*) FROM ({query} {clause}) AS count").fetchone()
                return rows, count

            def filtered(self, query, where):
                return self.conn.execute(f"SELECT * FROM t WHERE {where}").fetchall()

            def columns(self, cols):
                return self.conn.execute(f"{cols} FROM t").fetchall()


        def users(name):
            pages = Pages(":memory:")
            pages.fetch_page("SELECT * FROM users", "")
            pages.fetch_page(f"SELECT * FROM users WHERE name = '{name}'", "")
        ''')
    assert got == {18: Level.MEDIUM, 21: Level.MEDIUM, 27: Level.MEDIUM}, got


def test_a_name_built_in_pieces_is_no_statement(tmp_path, monkeypatch):
    """``'%s%s' % (name[:n], digest)`` holds no SQL of its own: its first part is a piece of a name, not a
    statement a caller wrote, and the name it builds, quoted as an identifier in a query, is still reported."""
    got = confidences(tmp_path, monkeypatch, '''\
        import hashlib


        def truncate_name(name, length=None, hash_len=4):
            if length is None or len(name) <= length:
                return name
            hsh = hashlib.md5(name.encode()).hexdigest()[:hash_len]
            return '%s%s' % (name[:length - hash_len], hsh)


        class Operations:
            def last_insert_id(self, cursor, table_name):
                sq_name = '%s_SQ' % truncate_name(table_name, 26).upper()
                cursor.execute('SELECT "%s".currval FROM dual' % sq_name)
                return cursor.fetchone()[0]
        ''')
    assert got == {14: Level.MEDIUM}, got


def test_a_statement_laid_out_with_other_parts_only_is_the_callers(tmp_path, monkeypatch):
    """lnbits' ``fetch_page``: an f-string of whitespace and parts only, the query first, then the clause and the
    order each on its own line, holds the caller's statement first; glued to the next part with nothing between
    (``'%s%s' % (name, digest)``) a part is a piece of a name, as in the test before."""
    got = confidences(tmp_path, monkeypatch, '''\
        import sqlite3


        class Pages:
            def __init__(self, path):
                self.conn = sqlite3.connect(path)

            def fetch_page(self, query, clause, order):
                return self.conn.execute(f"""
                    {query}
                    {clause}
                    {order}
                """).fetchall()


        def users(pages: Pages, name):
            pages.fetch_page("SELECT * FROM users", "", "")
            pages.fetch_page(f"SELECT * FROM users WHERE name = '{name}'", "", "")
        ''')
    assert set(got) == {18}, got
