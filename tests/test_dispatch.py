"""Calls through a base class whose method does nothing reach the subclasses' overrides."""

from __future__ import annotations

import json
import textwrap

from reviewing import EVERY_CONFIDENCE, findings

from secreview.analysis import whole_text
from secreview.engine.pipeline import ReviewOptions, review
from secreview.reports import ReportOptions, render


def _found(found):
    return sorted((f.path.removeprefix("./"), f.line, str(f.confidence)) for f in found)


BASE = """
    import abc


    class Provider(abc.ABC):
        @abc.abstractmethod
        def submit(self, job_name):
            '''Submit a job; return its id.'''

        def cancel(self, job_ids):
            raise NotImplementedError
"""

SLURM = """
    import subprocess

    from base import Provider


    class SlurmProvider(Provider):
        def submit(self, job_name):
            return subprocess.check_output("sbatch %s" % job_name, shell=True)

        def cancel(self, job_ids):
            return subprocess.check_output("scancel " + " ".join(job_ids), shell=True)
"""

# the executor holds a provider of the base type, through a property (``Optional[...]``, as parsl writes it)
EXECUTOR = """
    from typing import Optional

    from base import Provider
    from jobnames import make_name


    class Executor:
        def __init__(self, label, provider: Optional[Provider]):
            self.label = label
            self._provider = provider
            self.blocks = {}

        @property
        def provider(self):
            return self._provider

        def launch(self, block_id: int):
            return self.provider.submit(make_name(self.label, block_id))

        def scale_in(self, count):
            to_kill = [self.blocks[b] for b in sorted(self.blocks)[:count]]
            if self.provider:
                return self.provider.cancel(to_kill)
"""


def test_constructions_in_overrides_are_judged_by_the_calls_through_the_base(tmp_path, monkeypatch):
    # every call through ``Provider`` passes what the analysis cannot trace to outside data: low, not "no call
    # of submit() followed" (medium)
    found = findings(tmp_path, monkeypatch, {"base.py": BASE, "slurm.py": SLURM, "executor.py": EXECUTOR})
    assert _found(found) == [("slurm.py", 9, "low"), ("slurm.py", 12, "low")]
    texts = [f.explanation for f in found]
    assert all("every caller in the reviewed code passes a value the analysis cannot trace" in t for t in texts)


WEB = """
    from flask import Flask, request

    from base import Provider
    from slurm import SlurmProvider

    app = Flask(__name__)


    class Runner:
        def __init__(self, provider: Provider):
            self.provider = provider

        def run_named(self, name):
            return self.provider.submit(name)


    @app.route("/run")
    def run():
        return Runner(SlurmProvider()).run_named(request.args["name"])
"""


def test_request_data_reaches_an_override_through_the_base(tmp_path, monkeypatch):
    found = [f for f in findings(tmp_path, monkeypatch, {"base.py": BASE, "slurm.py": SLURM, "web.py": WEB})
             if f.line == 9]
    assert [str(f.confidence) for f in found] == ["high"]
    steps = [(s.path.removeprefix("./"), s.line, s.note) for s in found[0].trace]
    assert ("web.py", 15, "passed to `submit()`") in steps
    assert steps[-1][:2] == ("slurm.py", 9)


def test_a_base_method_with_a_body_is_not_dispatched(tmp_path, monkeypatch):
    # ``submit`` does something in the base: the call runs it, as before, and the override's construction is
    # left to its own callers (none followed: medium)
    base = BASE.replace("'''Submit a job; return its id.'''", "return None if job_name is None else 0")
    found = findings(tmp_path, monkeypatch, {"base.py": base, "slurm.py": SLURM, "executor.py": EXECUTOR})
    assert ("slurm.py", 9, "medium") in _found(found)


def test_an_override_in_test_code_is_not_reached_from_the_product(tmp_path, monkeypatch):
    fake = SLURM.replace("SlurmProvider", "FakeProvider")
    found = findings(tmp_path, monkeypatch, {"base.py": BASE, "tests/test_fake.py": fake,
                                             "web.py": WEB.replace("from slurm import SlurmProvider\n", "")
                                             .replace("SlurmProvider()", "None")})
    assert [f for f in found if str(f.confidence) == "high"] == []


def test_subclasses_are_found_by_their_bases_last_name():
    texts = [("a.py", "class A(base.Provider, Mixin):\n    pass\nclass B(\n    Provider,\n    metaclass=M):\n"
                      "    pass\n"), ("b.py", "class C(ProviderBase): pass\nclass D(Generic[T], Provider): pass\n"),
             ("c.py", None)]
    assert whole_text.subclasses(texts, "Provider") == (("a.py", "A"), ("a.py", "B"), ("b.py", "D"))
    assert whole_text.subclass_index(texts)["Provider"] == whole_text.subclasses(texts, "Provider")
    assert whole_text.is_fact(whole_text.SUBCLASSES + "Provider")
    parts = [(path, whole_text.file_parts(text)) for path, text in texts]
    assert whole_text.fact_of_parts(whole_text.SUBCLASSES + "Provider", parts) == \
        whole_text.subclasses(texts, "Provider")


def test_a_subclass_added_by_an_edit_reaches_the_cached_callers(tmp_path, monkeypatch):
    files = {"base.py": BASE, "executor.py": EXECUTOR, "slurm.py": "X = 1\n"}
    cache = tmp_path / "cache"
    tree = tmp_path / "tree"
    tree.mkdir()

    def report(**kw) -> list:
        for name, text in files.items():
            (tree / name).write_text(textwrap.dedent(text))
        monkeypatch.chdir(tree)
        result = review(["."], ReviewOptions(config=EVERY_CONFIDENCE, **kw))
        return json.loads(render("json", result, ReportOptions(tool_version="test")))["findings"]

    assert report(cache_dir=cache) == []
    files["slurm.py"] = SLURM  # an edit elsewhere adds the override: the executor's calls now reach it
    warm = report(cache_dir=cache)
    assert [(f["path"], f["line"], f["confidence"]) for f in warm if f["rule_id"] == "SR101"] == \
        [("slurm.py", 9, "low"), ("slurm.py", 12, "low")]
    assert warm == report()
