"""What a regular expression match says of the value it matched (``analysis.interpreter``): whether
every string it matches whole is a number ``int()`` (or ``float()``) reads, whether it matches only
whole strings. The rule fixtures (unhandled-input-conversion/regex_checks.py, path-traversal/
regex_validators.py) hold the cases in code."""

from __future__ import annotations

import pytest

from secreview.analysis.interpreter import regex_anchored, regex_number


@pytest.mark.parametrize("pattern, how, expected", [
    (r"\d+", "fullmatch", True), (r"[0-9]{4}", "fullmatch", True), (r"^\d{1,6}$", "match", True),
    (r"^-?\d+$", "match", True), (r"[+-]?[0-9]+", "fullmatch", True), (r"\A\d+\Z", "search", True),
    (r"[01]+", "fullmatch", True),
    (r"\d+", "match", False),  # "12abc"
    (r"^\d+", "search", False), (r"\d+$", "search", False), (r"\d*", "fullmatch", False),  # "" too
    (r"-?", "fullmatch", False), (r"-?\d*", "fullmatch", False), (r"[-\d]+", "fullmatch", False),
    (r"\d+(\.\d+)?", "fullmatch", False), (r"[a-z0-9]+", "fullmatch", False), (r"\d+|x", "fullmatch", False),
    (r".+", "fullmatch", False), ("(", "fullmatch", False),
])
def test_a_number_pattern(pattern, how, expected):
    assert regex_number(pattern, how) is expected


def test_a_decimal_pattern_for_float():
    assert regex_number(r"\d+(\.\d+)?", "fullmatch", decimal=True)
    assert not regex_number(r"[\d.a-f]+", "fullmatch", decimal=True)


@pytest.mark.parametrize("pattern, how, expected", [
    (r"[a-f0-9-]{36}", "fullmatch", True), (r"^[a-z]+$", "match", True), (r"[a-z]+$", "match", True),
    (r"^[a-z]+$", "search", True), (r"[a-z]+", "match", False), (r"^[a-z]+", "search", False),
    (r"[a-z]+$", "search", False),
])
def test_an_anchored_pattern(pattern, how, expected):
    assert regex_anchored(pattern, how) is expected


SUBSTITUTED = '''\
import os
import re

from flask import Flask, Response, request

app = Flask(__name__)
UNSAFE = re.compile(r"[^a-z0-9]")


@app.route("/export")
def export():
    filename = re.sub(r"[^\\w\\d\\-\\.]+", "", request.args["name"])
    response = Response("data")
    response.headers["Content-Disposition"] = 'attachment; filename="%s"' % filename
    return response


@app.route("/file")
def file():
    name = re.sub(r"[^\\w\\-]+", "", request.args["name"])
    return open(os.path.join("/srv/files", name)).read()


@app.route("/slug")
def slug():
    return open(os.path.join("/srv/files", UNSAFE.sub("_", request.args["slug"]))).read()


@app.route("/raw")
def raw():
    response = Response("data")
    response.headers["Content-Disposition"] = 'attachment; filename="%s"' % request.args["name"]
    kept = re.sub(r"[^\\w/.]+", "", request.args["path"])
    return open(os.path.join("/srv/files", kept)).read()
'''


def test_a_substitution_that_keeps_only_a_class_cleans_for_what_the_class_lacks(tmp_path, monkeypatch):
    """``re.sub(r"[^\\w.-]+", "", s)`` (or a compiled pattern's ``sub``) leaves only the class's characters
    and the replacement's: no CR/LF for a header (sqlite-web's export file name, judged false on panel N),
    no ``/`` or ``.`` for a path, no markup for HTML; a class that keeps ``/`` and ``.`` cleans no path."""
    from dataclasses import replace

    from secreview.config import DEFAULT_CONFIG, Level
    from secreview.engine.pipeline import ReviewOptions, review

    (tmp_path / "app.py").write_text(SUBSTITUTED)
    monkeypatch.chdir(tmp_path)
    result = review(["."], ReviewOptions(config=replace(DEFAULT_CONFIG, min_confidence=Level.LOW)))
    found = sorted((f.rule_id, f.line) for f in result.findings)
    assert ("SR113", 14) not in found and ("SR113", 32) in found
    assert not any(line in (21, 26) for _, line in found)
    assert ("SR105", 34) in found
