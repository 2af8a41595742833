from secreview.findings.model import Level
from secreview.rules.base import SinkRule


class SqlInjection(SinkRule):
    """SQL statement built from untrusted data.

    A value spliced into SQL text (`"... WHERE name = '" + name + "'"`, an
    f-string, `%` formatting) is parsed as SQL: a quote or a keyword in it
    changes the statement, so the client can read other rows, bypass a login
    or modify the database.

    Reported when data traced to untrusted input (request data, RPC arguments,
    network reads) reaches the SQL text of `cursor.execute` and friends (sqlite3,
    psycopg2/psycopg, PyMySQL, MySQLdb, mysql.connector), SQLAlchemy `text()`,
    `literal_column()` and string statements given to `execute()`, Django
    `raw()`, `extra()`, `RawSQL` and `connection.cursor().execute`, and
    `psycopg2.sql.SQL()`. Not reported: values passed as query parameters (the
    second argument of `execute`, `:name` bound parameters of `text()`), values
    converted with `int()`/`float()` or checked against an allow-list,
    identifiers quoted with `psycopg2.sql.Identifier`, and SQL that is merely
    not constant (a helper building a query from its own parameter is judged
    at its callers). An escaper of another language (`html.escape`) does not
    count.

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
    danger = ("The database parses it as SQL, so a quote or keyword in it (`' OR '1'='1`, `; DROP TABLE`) "
              "rewrites the statement: other users' rows can be read or changed.")
    fix = ("Keep the SQL text constant and pass the value as a query parameter, e.g. "
           "`cur.execute(\"SELECT * FROM t WHERE name = %s\", (name,))` (`?` for sqlite3, `:name` with "
           "SQLAlchemy `text()`); choose table/column names from an allow-list.")
