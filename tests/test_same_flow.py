"""One defect, one finding: a source passed to a helper that sends it to several sinks of one rule
is reported once, listing the other sinks; sinks reached directly stay separate findings."""

from __future__ import annotations

import textwrap

from reviewing import findings

APP = """
import os
from flask import Flask, request

app = Flask(__name__)


def replace_file(path, data):
    if os.path.exists(path):
        os.remove(path)
    with open(path, "w") as f:
        f.write(data)


@app.route("/save", methods=["POST"])
def save():
    replace_file("/srv/files/" + request.form["name"], request.form["data"])
    return "ok"


@app.route("/drop", methods=["POST"])
def drop():
    name = request.form["name"]
    os.remove(name)
    os.unlink(name)
    return "ok"
"""


def test_sinks_reached_through_one_call_are_one_finding_that_names_the_others(tmp_path, monkeypatch):
    found = findings(tmp_path, monkeypatch, {"app.py": textwrap.dedent(APP).lstrip("\n")}, "path-traversal")
    lines = sorted(f.line for f in found)
    # (the existence test at line 8 is no finding of its own: the same path is removed and opened there)
    in_helper = [f for f in found if f.line in (8, 9, 10)]
    assert len(in_helper) == 1, lines
    kept = in_helper[0]
    assert kept.line != 8
    others = sorted({9, 10} - {kept.line})
    assert "passed on at app.py:16" in kept.explanation
    for line in others:
        assert f"(app.py:{line})" in kept.explanation
    assert "`os.remove(path)` (app.py:9)" in kept.explanation or kept.line == 9
    # the two sinks written in the handler itself are two lines to change: two findings
    assert [line for line in lines if line in (23, 24)] == [23, 24]


STATEMENTS = """
def variate(cursor, table, oid, value):
    cursor.execute("select access from %s where oid='%s'" % (table, oid))
    cursor.execute("update %s set value='%s'" % (table, value))
"""


def test_strings_built_from_parameters_of_one_function_are_findings_of_their_own(tmp_path, monkeypatch):
    # a construction's trace lists its parameters first, where each is declared: that is no value passed on into
    # another function, and the update's ``value`` is a defect the select's fix leaves (snmpsim's SQL
    # variation module, panel AW: "passed on at" the ``def`` line, untrue, and the update not reported)
    found = findings(tmp_path, monkeypatch, {"sql.py": textwrap.dedent(STATEMENTS).lstrip("\n")}, "sql-injection")
    assert sorted(f.line for f in found) == [2, 3]
    assert not any("passed on at" in f.explanation for f in found)
