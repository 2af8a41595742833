"""A bug of secreview met on one file is that file's problem, never the end of the review.

Faults are injected (monkeypatched) into each stage: reading, parsing, lowering and the
analysis. The file becomes a problem of kind ``internal-error`` whose message names the
exception type and message; the traceback is kept for ``--verbose``; every other file is
still reviewed, and every report renders. The command line turns any exception that still
escapes into exit code 2 (never 1, which means findings) with the traceback.
"""

from __future__ import annotations

import contextlib
import json

import pytest

import secreview.source.gather as gather_mod
from secreview.analysis import interpreter
from secreview.analysis.models import load_models
from secreview.cli import main as cli_main
from secreview.engine.pipeline import ReviewOptions, review
from secreview.findings.model import ProblemKind
from secreview.reports import ReportOptions, render

MODELS = load_models(())
VULNERABLE = "import os\nfrom flask import request\n\ndef run(cmd):\n    os.system(cmd)\n\n\nrun(request.args['cmd'])\n"
HELPER = "def helper(value):\n    return value.strip()\n\n\ndef other(x):\n    return x\n"


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "a.py").write_text(VULNERABLE)
    (tmp_path / "b.py").write_text(HELPER)
    (tmp_path / "c.py").write_text(VULNERABLE)
    return tmp_path


def run_review(tree):
    with contextlib.chdir(tree):
        result = review(["."], ReviewOptions(models=MODELS))
    for fmt in ("json", "sarif", "markdown", "text"):
        assert render(fmt, result, ReportOptions())
    return result


def only_problem(result):
    assert len(result.problems) == 1, result.problems
    return result.problems[0]


def test_exception_while_analysing_one_function(tree, monkeypatch):
    original = interpreter.FunctionInterpreter.run

    def run(self):
        if self.fn.name == "helper":
            raise KeyError("no such block")
        return original(self)

    monkeypatch.setattr(interpreter.FunctionInterpreter, "run", run)
    result = run_review(tree)
    problem = only_problem(result)
    assert (problem.path, problem.kind, problem.reviewed) == ("b.py", ProblemKind.INTERNAL_ERROR, True)
    assert "`b.helper`" in problem.message and "KeyError: 'no such block'" in problem.message
    assert "Traceback" in problem.detail and "no such block" in problem.detail
    assert result.files_reviewed == 3
    assert sorted(f.path for f in result.findings) == ["a.py", "c.py"]
    doc = json.loads(render("json", result, ReportOptions()))
    assert doc["problems"][0]["kind"] == "internal-error" and "detail" not in doc["problems"][0]
    sarif = json.loads(render("sarif", result, ReportOptions()))
    assert "internal error" in json.dumps(sarif["runs"][0]["invocations"])


def test_exception_in_a_callee_of_another_file_costs_only_the_callee(tree, monkeypatch):
    (tree / "a.py").write_text(
        "from b import helper\nimport os\nfrom flask import request\nos.system(helper(request.args['x']))\n")
    original = interpreter.FunctionInterpreter.run

    def run(self):
        if self.fn.name == "helper":
            raise ValueError("boom")
        return original(self)

    monkeypatch.setattr(interpreter.FunctionInterpreter, "run", run)
    result = run_review(tree)
    # Only the function that failed is lost: its callers treat it as code they cannot see into.
    assert {(p.path, p.kind) for p in result.problems} == {("b.py", ProblemKind.INTERNAL_ERROR)}
    assert all("`b.helper`" in p.message for p in result.problems)
    assert [f.path for f in result.findings] == ["a.py", "c.py"]


def test_recursion_error_in_analysis_is_too_deep(tree, monkeypatch):
    original = interpreter.FunctionInterpreter.run

    def run(self):
        if self.fn.name == "helper":
            raise RecursionError("maximum recursion depth exceeded")
        return original(self)

    monkeypatch.setattr(interpreter.FunctionInterpreter, "run", run)
    problem = only_problem(run_review(tree))
    assert (problem.path, problem.kind, problem.reviewed) == ("b.py", ProblemKind.TOO_DEEP, True)


@pytest.mark.parametrize("stage", ["lower_module", "parse_source", "read_source"])
def test_exception_before_the_analysis(tree, monkeypatch, stage):
    import secreview.ir.lower
    import secreview.parse.frontend
    owner = {"lower_module": secreview.ir.lower, "parse_source": secreview.parse.frontend}.get(stage, gather_mod)
    original = getattr(owner, stage)

    def broken(*args, **kwargs):
        text = " ".join(map(str, args)) + " ".join(map(str, kwargs.values()))
        if "b.py" in text and (stage != "lower_module" or args[0].body):
            raise RuntimeError(f"broken {stage}")
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, stage, broken)
    result = run_review(tree)
    problem = only_problem(result)
    assert (problem.path, problem.kind, problem.reviewed) == ("b.py", ProblemKind.INTERNAL_ERROR, False)
    assert f"RuntimeError: broken {stage}" in problem.message
    assert result.files_reviewed == 2
    assert sorted(f.path for f in result.findings) == ["a.py", "c.py"]


def test_verbose_prints_the_traceback(tree, monkeypatch, capsys):
    original = interpreter.FunctionInterpreter.run

    def run(self):
        if self.fn.name == "helper":
            raise ZeroDivisionError("injected")
        return original(self)

    monkeypatch.setattr(interpreter.FunctionInterpreter, "run", run)
    with contextlib.chdir(tree):
        assert cli_main(["review", ".", "--format", "json", "--exit-zero"]) == 0
        quiet = capsys.readouterr()
        assert cli_main(["review", ".", "--format", "json", "--exit-zero", "--verbose"]) == 0
        verbose = capsys.readouterr()
    assert json.loads(quiet.out)["problems"][0]["kind"] == "internal-error"
    assert "Traceback" not in quiet.err
    assert "Traceback (most recent call last)" in verbose.err and "ZeroDivisionError: injected" in verbose.err
    assert quiet.out == verbose.out


def test_an_escaping_exception_exits_2_not_1(tree, monkeypatch, capsys):
    def explode(*args, **kwargs):
        raise AttributeError("escaped")

    monkeypatch.setattr("secreview.engine.pipeline.review_sources", explode)
    with contextlib.chdir(tree):
        assert cli_main(["review", "."]) == 2
    err = capsys.readouterr().err
    assert "AttributeError: escaped" in err and "internal error (a bug" in err


SLICE_STORES = '''import os
import random
import string

from flask import request


def gen_random_cdc():
    cdc = random.choices(string.ascii_lowercase, k=26)
    cdc[-6:-4] = map(str.upper, cdc[-6:-4])
    cdc[2] = cdc[0]
    return "".join(cdc).encode()


def handler():
    headers = {}
    headers[1:2] = request.args["h"]
    values = list(os.environ)
    values[::2] = [request.args["v"]]
    session = {}
    session["token"] = random.random()
    return headers, values, session
'''


def test_slices_as_stored_indexes_are_no_internal_error(tmp_path):
    """``cdc[-6:-4] = ...`` of a random value: the constant index is a slice, which no name check may
    hash (seleniumbase's ``gen_random_cdc`` was only partly reviewed); the rest is still reviewed."""
    (tmp_path / "stores.py").write_text(SLICE_STORES)
    result = run_review(tmp_path)
    assert not result.problems, result.problems
    assert [(f.rule_id, f.line) for f in result.findings if f.rule_id == "SR202"] == [("SR202", 21)]
