"""A decorator that turns every exception of a handler into a response is known across modules and
processes: it is part of a function's stub (``wraps_in_handler``), so the result does not depend on
whether the decorator's module was analysed in the same worker."""

from __future__ import annotations

import textwrap
from dataclasses import replace

import pytest

from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review
from secreview.findings.model import Level

ERRORS = textwrap.dedent('''\
    import functools

    from flask import jsonify


    def handle_errors(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except BaseException as exc:
                return jsonify(error=type(exc).__name__), 400
        return wrapper


    def passes_errors(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return func(*args, **kwargs)
        return wrapper
    ''')

VIEWS = textwrap.dedent('''\
    from flask import Flask, jsonify, request

    from errors import handle_errors, passes_errors

    app = Flask(__name__)


    @app.route("/handled")
    @handle_errors
    def handled():
        return jsonify(end=int(request.args.get("end")))


    @app.route("/unhandled")
    @passes_errors
    def unhandled():
        return jsonify(end=int(request.args.get("end")))
    ''')


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_catch_all_decorator_in_another_module_handles_the_conversion(tmp_path, monkeypatch, jobs):
    (tmp_path / "errors.py").write_text(ERRORS)
    (tmp_path / "views.py").write_text(VIEWS)
    for n in range(6):  # enough modules that two workers share them out
        (tmp_path / f"filler{n}.py").write_text(f"VALUE = {n}\n")
    monkeypatch.chdir(tmp_path)
    result = review(["."], ReviewOptions(config=replace(DEFAULT_CONFIG, min_confidence=Level.LOW), jobs=jobs))
    lines = sorted(f.span.line for f in result.findings if f.rule_id == "SR604")
    assert lines == [17], lines


BASE = textwrap.dedent('''\
    from tornado.web import RequestHandler


    class WebHandler(RequestHandler):
        async def get(self, route):
            method = getattr(self, route)
            return await self.call(method)

        async def call(self, function):
            try:
                return function(**{k: self.get_argument(k) for k in self.request.arguments})
            except Exception:
                return "<h1>error</h1>"


    class Plain(RequestHandler):
        def get(self, route):
            return getattr(self, route)()
    ''')

PAGES = textwrap.dedent('''\
    from base import Plain, WebHandler


    class Home(WebHandler):
        def set_sort(self):
            return int(self.get_query_argument("direction"))


    class Other(Plain):
        def set_sort(self):
            return int(self.get_query_argument("direction"))
    ''')


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_catch_all_dispatcher_in_another_module_handles_the_conversion(tmp_path, monkeypatch, jobs):
    # the dispatcher of a base class (``ir.Class.dispatches``) is kept in its module's stub
    (tmp_path / "base.py").write_text(BASE)
    (tmp_path / "pages.py").write_text(PAGES)
    for n in range(6):
        (tmp_path / f"filler{n}.py").write_text(f"VALUE = {n}\n")
    monkeypatch.chdir(tmp_path)
    result = review(["."], ReviewOptions(config=replace(DEFAULT_CONFIG, min_confidence=Level.LOW), jobs=jobs))
    lines = sorted(f.span.line for f in result.findings if f.rule_id == "SR604")
    assert lines == [11], lines
