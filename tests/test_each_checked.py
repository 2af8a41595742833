"""Checks made of every element of a container in a loop before it is used (``for key in fields: if key not in
ALLOWED: raise``), and ``hasattr`` of a class of the reviewed code as a check of a name."""

from __future__ import annotations

import textwrap

import pytest
from reviewing import findings

HEADER = '''\
    ALLOWED = ("name", "status")


    class JobSpec:
        name = None
        status = None


    class Loose:
        def __getattr__(self, name):
            return None


    '''


def _lines(tmp_path, monkeypatch, body: str) -> list:
    header = textwrap.dedent(HEADER)
    found = findings(tmp_path, monkeypatch, {"store.py": header + textwrap.dedent(body)}, rule="sql-injection")
    return sorted(f.line - header.count("\n") for f in found)


@pytest.mark.parametrize(("body", "reported"), [
    # every key checked against an allow-list, the loop raising on the others: the later loop's keys are names
    # the code chose
    ('''\
    def update(cur, fields):
        for key in fields:
            if key not in ALLOWED:
                raise ValueError(key)
        sql = "UPDATE t SET "
        for key in fields:
            sql += "%s = :%s," % (key, key)
        cur.execute(sql[:-1], fields)
    ''', []),
    # the same with hasattr of a class of the reviewed code, .keys() and .items()
    ('''\
    def update(cur, fields):
        for key in fields.keys():
            if not hasattr(JobSpec, key):
                raise ValueError(key)
        sql = "UPDATE t SET "
        for key, value in fields.items():
            sql += "%s = :%s," % (key, key)
        cur.execute(sql[:-1], fields)
    ''', []),
    # the checked keys joined into the column list of an insert
    ('''\
    def insert(cur, row):
        for key in row:
            if key not in ALLOWED:
                raise KeyError(key)
        cur.execute("INSERT INTO t (%s) VALUES (%s)" % (", ".join(row.keys()), ", ".join("?" * len(row))),
                    list(row.values()))
    ''', []),
    # no check at all
    ('''\
    def update(cur, fields):
        sql = "UPDATE t SET "
        for key in fields:
            sql += "%s = :%s," % (key, key)
        cur.execute(sql[:-1], fields)
    ''', [5]),
    # a key that fails the check is skipped in the first loop only: the second loop still meets it
    ('''\
    def update(cur, fields):
        for key in fields:
            if key not in ALLOWED:
                continue
        sql = "UPDATE t SET "
        for key in fields:
            sql += "%s = :%s," % (key, key)
        cur.execute(sql[:-1], fields)
    ''', [8]),
    # the values were not checked, only the keys
    ('''\
    def update(cur, fields):
        for key in fields:
            if key not in ALLOWED:
                raise ValueError(key)
        for key, value in fields.items():
            cur.execute("UPDATE t SET %s = '%s'" % (key, value))
    ''', [6]),
    # a class that answers any attribute name checks nothing
    ('''\
    def update(cur, fields):
        for key in fields:
            if not hasattr(Loose(), key):
                raise ValueError(key)
        for key in fields:
            cur.execute("UPDATE t SET %s = 1" % key)
    ''', [6]),
    # another container's keys were checked
    ('''\
    def update(cur, fields, other):
        for key in other:
            if key not in ALLOWED:
                raise ValueError(key)
        for key in fields:
            cur.execute("UPDATE t SET %s = 1" % key)
    ''', [6]),
    # the container replaced after the check
    ('''\
    def update(cur, fields, other):
        for key in fields:
            if key not in ALLOWED:
                raise ValueError(key)
        fields = other
        for key in fields:
            cur.execute("UPDATE t SET %s = 1" % key)
    ''', [7]),
])
def test_a_loop_that_checks_every_key_before_they_are_spliced(tmp_path, monkeypatch, body, reported):
    assert _lines(tmp_path, monkeypatch, body) == reported


@pytest.mark.parametrize(("check", "reported"), [
    ("if not hasattr(JobSpec, column):", []),  # an attribute of a class of the reviewed code: an identifier
    ("if not hasattr(JobSpec(), column):", []),  # or of its instance
    ("if not hasattr(Loose, column):", [4]),  # a class with __getattr__ has any attribute
    ("if not hasattr(cur, column):", [4]),  # an object of unknown type
])
def test_hasattr_of_a_class_of_the_reviewed_code_checks_a_name(tmp_path, monkeypatch, check, reported):
    body = f'''\
    def select(cur, column):
        {check}
            raise ValueError(column)
        cur.execute("SELECT %s FROM t" % column)
    '''
    assert _lines(tmp_path, monkeypatch, body) == reported
