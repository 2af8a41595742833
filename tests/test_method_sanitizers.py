"""Sanitizers matched by method name (``[[sanitizer]] methods = [...]``, with ``imports``), and the count of
``enumerate()`` (issue 12: SQLAlchemy statements' bound parameters; placeholder names numbered by position)."""

from __future__ import annotations

import textwrap

import pytest
from reviewing import findings

from secreview.analysis.models import ModelError, load_models

ACME = """
    library = "acme"
    [[sink]]
    kind = "command"
    callees = ["acme.run"]
    [[sanitizer]]
    methods = ["bind"]
    imports = ["acme"]
    protects = ["command"]
"""


@pytest.mark.parametrize("spec, message", [
    ('methods = ["bind"]\nprotects = ["sql"]', "imports"),
    ('methods = ["bind"]\nimports = ["acme"]\nraises = true', "neither"),
    ('methods = ["bind"]\nimports = ["acme"]\nargs = [0]', "neither"),
])
def test_a_sanitizer_by_method_name_needs_imports(tmp_path, spec, message):
    model = tmp_path / "m.toml"
    model.write_text(f'library = "x"\n[[sanitizer]]\n{spec}\n')
    with pytest.raises(ModelError, match=message):
        load_models([model])


def test_a_sanitizer_by_method_name_cleans_what_the_call_is_given(tmp_path, monkeypatch):
    model = tmp_path / "acme.toml"
    model.write_text(textwrap.dedent(ACME))
    code = {
        "app.py": """
            import acme
            from flask import Flask, request

            app = Flask(__name__)


            @app.route("/a")
            def a():
                job = acme.job()
                acme.run(job.bind(request.args["x"]))
                acme.run(job.bind(x=request.args["x"]).start())
                acme.run(request.args["y"].bind(1))  # the receiver's own data passes on
                acme.run(request.args["z"].strip())
                acme.run(request.args["w"].bind())  # given nothing: not matched
        """,
        "other.py": """
            from flask import Flask, request

            import runner

            app = Flask(__name__)


            @app.route("/b")
            def b():
                runner.run(runner.JOB.bind(request.args["x"]))  # a module that does not import acme
        """,
        "runner.py": """
            import acme

            JOB = acme.job()


            def run(cmd):
                acme.run(cmd)
        """,
        "own.py": """
            import acme
            from flask import Flask, request

            app = Flask(__name__)


            class Job:
                def bind(self, value):
                    return "echo " + value


            @app.route("/c")
            def c():
                acme.run(Job().bind(request.args["x"]))  # the reviewed code's own method: its body says
        """,
    }
    found = findings(tmp_path, monkeypatch, code, "command-injection", models=load_models(extra=[model]))
    got = sorted((f.path.removeprefix("./"), f.line) for f in found if "tainted" in f.tags)
    assert got == [("app.py", 13), ("app.py", 14), ("app.py", 15), ("own.py", 15), ("runner.py", 8)]


def test_the_count_of_enumerate_is_a_number(tmp_path, monkeypatch):
    code = {"app.py": """
        import os
        from flask import Flask, request

        app = Flask(__name__)


        @app.route("/a")
        def a():
            for i, name in enumerate(request.args.getlist("n")):
                os.system(f"kill -{i} 1")
                os.system(f"echo {name}")
            for pair in enumerate(request.args.getlist("m")):
                os.system("echo " + pair[1])
            for j, (k, v) in enumerate(request.args.items()):
                os.system(f"echo {j} {v}")
            names = ["ls", request.args["o"]]
            for n, item in enumerate(names):
                os.system("echo %d" % n)
                os.system("echo " + item)
    """}
    found = findings(tmp_path, monkeypatch, code, "command-injection")
    assert sorted(f.line for f in found if "tainted" in f.tags) == [12, 14, 16, 20]


@pytest.mark.parametrize("item", ['"0"', "-1", "true"])
def test_a_returns_item_must_be_a_tuple_index(tmp_path, item):
    model = tmp_path / "m.toml"
    model.write_text(f'library = "x"\n[[returns]]\ntype = "x.Conn"\ncallees = ["x.Server.accept"]\nitem = {item}\n')
    with pytest.raises(ModelError, match="returns item must be a tuple index"):
        load_models([model])
