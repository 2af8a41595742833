"""Reading a property of a class of the reviewed code runs its getter."""

from __future__ import annotations

from reviewing import findings

PROPERTY = """
    import subprocess

    from flask import Flask, request

    app = Flask(__name__)


    class Job:
        def __init__(self, name):
            self._name = name

        @property
        def name(self):
            return self._name

        @property
        def kind(self):
            return "batch"


    @app.route("/job")
    def job():
        j = Job(request.args["name"])
        subprocess.call("run --kind " + j.kind, shell=True)
        subprocess.call("run --name " + j.name, shell=True)
        return "ok"
"""


def test_reading_a_property_runs_its_getter(tmp_path, monkeypatch):
    found = findings(tmp_path, monkeypatch, {"app.py": PROPERTY})
    # the constant kind is no command injection; the name, the client's, is
    assert [(f.line, str(f.confidence)) for f in found] == [(26, "high")]
    notes = [s.note for s in found[0].trace]
    assert any(n.startswith("returned by property `name`") for n in notes)
    assert not any("name()" in n for n in notes)


SETTER = """
    import subprocess

    from flask import Flask, request

    app = Flask(__name__)


    class Job:
        def __init__(self):
            self._name = "job"

        @property
        def name(self):
            return self._name

        @name.setter
        def name(self, value):
            self._name = value.strip()


    @app.route("/job")
    def job():
        j = Job()
        j.name = request.args["name"]
        subprocess.call("run --name " + j.name, shell=True)
        return "ok"
"""


def test_a_property_with_a_setter_reads_what_was_assigned(tmp_path, monkeypatch):
    # the setter is not run on assignment: the getter's ``self._name`` would miss the client's value
    assert [(f.line, str(f.confidence)) for f in findings(tmp_path, monkeypatch, {"app.py": SETTER})] == [(26, "high")]
