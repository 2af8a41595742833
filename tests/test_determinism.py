"""Determinism: the same input gives byte-identical reports, run after run.

Each review runs in a fresh interpreter with a different ``PYTHONHASHSEED``, so that
any dependence on set or dict-of-str iteration order (which the seed changes) shows up
as a difference. Inputs: a tree built from the rule fixtures (every rule fires) plus files
that become problems (syntax error, binary, undecodable, over budget), and the OWASP
Benchmark for Python checkout when there is one (``SECREVIEW_OWASP`` or
``/work/bench/BenchmarkPython``). When ``secreview review`` has a ``--jobs`` option, the
runs with ``--jobs 1`` and ``--jobs 2`` must give the same bytes too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "rules" / "fixtures"
OWASP = Path(os.environ.get("SECREVIEW_OWASP", "/work/bench/BenchmarkPython"))
FORMATS = ("json", "sarif", "markdown", "text")
pytestmark = pytest.mark.slow

DRIVER = """
import sys
from pathlib import Path
from secreview import __version__
from secreview.analysis.models import load_models
from secreview.config import load_config
from secreview.reports import ReportOptions, render
from secreview.engine.pipeline import ReviewOptions, review
out = Path(sys.argv[1])
config = load_config(Path("."))
result = review(["."], ReviewOptions(config=config, models=load_models(config.model_paths)))
for fmt in sys.argv[2:]:
    (out / f"report.{fmt}").write_text(render(fmt, result, ReportOptions(tool_version=__version__)), encoding="utf-8")
"""


def reports(tree: Path, out: Path, seed: int) -> dict[str, bytes]:
    out.mkdir()
    subprocess.run([sys.executable, "-c", DRIVER, str(out), *FORMATS], cwd=tree, check=True, timeout=600,
                   env={**os.environ, "PYTHONHASHSEED": str(seed)}, stdin=subprocess.DEVNULL)
    return {fmt: (out / f"report.{fmt}").read_bytes() for fmt in FORMATS}


def has_jobs_option() -> bool:
    help_text = subprocess.run([sys.executable, "-m", "secreview", "review", "--help"], capture_output=True,
                               text=True).stdout
    return "--jobs" in help_text


@pytest.fixture(scope="module")
def fixture_tree(tmp_path_factory) -> Path:
    tree = tmp_path_factory.mktemp("determinism") / "tree"
    shutil.copytree(FIXTURES, tree / "fixtures")
    (tree / ".git").mkdir()  # the top of the "repository": no configuration found above it
    problems = tree / "problems"
    problems.mkdir()
    (problems / "broken.py").write_text("import os\ndef f(x:\n    os.system(x)\n\nos.system(input())\n")
    (problems / "binary.py").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)))
    (problems / "latin.py").write_bytes(b"x = '\xe9'\n")
    body = "".join(f"    if a == {i}:\n        x = x + a\n" for i in range(400))
    (problems / "big.py").write_text(f"import os\ndef f(a):\n    x = a\n    for i in a:\n{body}    os.system(x)\n")
    (tree / "pyproject.toml").write_text("[tool.secreview]\nanalysis-budget = 2000\n")
    return tree


def test_fixture_tree_reports_are_byte_identical(fixture_tree, tmp_path):
    first = reports(fixture_tree, tmp_path / "one", seed=0)
    second = reports(fixture_tree, tmp_path / "two", seed=4242)
    for fmt in FORMATS:
        assert first[fmt] == second[fmt], f"{fmt} report differs between runs"
    text = first["json"].decode()
    assert text.count('"rule_id"') >= 40  # several findings of many rules
    for kind in ("syntax-error", "binary", "undecodable", "budget-exceeded"):
        assert f'"{kind}"' in text, kind


@pytest.mark.skipif(not (OWASP / "testcode").is_dir(), reason="no OWASP Benchmark for Python checkout")
def test_owasp_benchmark_reports_are_byte_identical(tmp_path):
    first = reports(OWASP, tmp_path / "one", seed=1)
    second = reports(OWASP, tmp_path / "two", seed=987654)
    for fmt in ("json", "sarif"):
        assert first[fmt] == second[fmt], f"{fmt} report differs between runs"
    assert first["json"].count(b'"rule_id"') > 500


def cli_report(tree: Path, fmt: str, *extra: str, seed: int = 0) -> bytes:
    proc = subprocess.run([sys.executable, "-m", "secreview", "review", ".", "--format", fmt, "--exit-zero",
                           "--no-progress", *extra], cwd=tree, capture_output=True, timeout=600,
                          env={**os.environ, "PYTHONHASHSEED": str(seed)}, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_command_line_output_is_byte_identical(fixture_tree, fmt):
    runs = [cli_report(fixture_tree, fmt, seed=3), cli_report(fixture_tree, fmt, seed=77)]
    if has_jobs_option():
        runs += [cli_report(fixture_tree, fmt, "--jobs", "1", seed=5),
                 cli_report(fixture_tree, fmt, "--jobs", "2", seed=11)]
    assert all(r == runs[0] for r in runs[1:])


@pytest.mark.parametrize("order", ["reversed", "shuffled"])
def test_result_does_not_depend_on_the_order_functions_are_first_analysed(fixture_tree, order, monkeypatch):
    """The analysis is a fixed point: which module is analysed first (and so which
    callee summaries are provisional when) changes nothing, traces included. This is what
    lets workers and the cache analyse files in any order and still agree."""
    import random

    from secreview import __version__
    from secreview.analysis.program import Program
    from secreview.config import load_config
    from secreview.engine.pipeline import ReviewOptions, review
    from secreview.reports import ReportOptions, render

    trees = [fixture_tree] + ([OWASP] if OWASP.is_dir() else [])
    original = Program.first_pass_order
    for tree in trees:
        monkeypatch.chdir(tree)
        config = load_config(Path("."))
        expected = render("json", review(["."], ReviewOptions(config=config)), ReportOptions(tool_version=__version__))

        def other_order(self):
            modules = original(self)
            if order == "reversed":
                return modules[::-1]
            random.Random(7).shuffle(modules)
            return modules

        monkeypatch.setattr(Program, "first_pass_order", other_order)
        got = render("json", review(["."], ReviewOptions(config=config)), ReportOptions(tool_version=__version__))
        monkeypatch.setattr(Program, "first_pass_order", original)
        assert got == expected, f"{tree}: the report depends on the analysis order"


@pytest.mark.parametrize("first", ["top", "bottom"])
def test_call_chain_deeper_than_the_nesting_limit_is_followed_from_either_end(tmp_path, monkeypatch, first):
    """A chain of 60 calls across 60 modules: analysed from its top, the callees below the
    nesting limit are analysed later and the callers above them again, so the flow from
    the request to ``os.system`` is found whichever module comes first."""
    from secreview.analysis.program import Program
    from secreview.config import DEFAULT_CONFIG
    from secreview.engine.pipeline import ReviewOptions, review

    n = 60
    (tmp_path / "m00.py").write_text("import os\n\ndef f00(x):\n    return os.system(x)\n")
    for i in range(1, n):
        (tmp_path / f"m{i:02d}.py").write_text(f"from m{i-1:02d} import f{i-1:02d}\n\n"
                                               f"def f{i:02d}(x):\n    return f{i-1:02d}(x)\n")
    (tmp_path / "top.py").write_text(f"from flask import Flask, request\nfrom m{n-1:02d} import f{n-1:02d}\n\n"
                                     "app = Flask(__name__)\n\n@app.route('/run')\ndef run():\n"
                                     f"    f{n-1:02d}(request.args['c'])\n    return 'done'\n")
    original = Program.first_pass_order
    monkeypatch.setattr(Program, "first_pass_order",
                        lambda self: original(self)[::-1] if first == "top" else original(self))
    monkeypatch.chdir(tmp_path)
    result = review(["."], ReviewOptions(config=DEFAULT_CONFIG))
    tainted = [f for f in result.findings if "tainted" in f.tags]
    assert [(f.rule_id, f.path, f.span.line) for f in tainted] == [("SR101", "m00.py", 4)]
    assert "top.py" in {s.path for s in tainted[0].trace}


def test_a_field_read_before_its_first_store_is_read_again(tmp_path, monkeypatch):
    """``go`` comes first in the file and reads ``self.proc`` before ``__init__`` stores the
    module in it: when the store comes, ``go`` is analysed again and sees ``subprocess.call``."""
    from secreview.config import DEFAULT_CONFIG
    from secreview.engine.pipeline import ReviewOptions, review

    (tmp_path / "runner.py").write_text("import subprocess\n\n\nclass Runner:\n    def go(self, arg):\n"
                                        "        return self.proc.call(arg, shell=True)\n\n"
                                        "    def __init__(self):\n        self.proc = subprocess\n")
    monkeypatch.chdir(tmp_path)
    from dataclasses import replace

    from secreview.findings.model import Level
    result = review(["."], ReviewOptions(config=replace(DEFAULT_CONFIG, min_confidence=Level.LOW)))
    assert [(f.rule_id, f.span.line) for f in result.findings] == [("SR101", 6)]


DIGESTS = """
import json, sys
from secreview.analysis.program import Program
from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review
found = {}
original = Program.run
def run(self):
    out = original(self)
    found.update((q, s.digest()) for q, s in self.summaries.items())
    return out
Program.run = run
review(["."], ReviewOptions(config=DEFAULT_CONFIG))
print(json.dumps(found, sort_keys=True))
"""


def test_summary_digests_are_the_same_in_every_process(fixture_tree):
    """The cache compares what a function read, recorded in one process, with what another
    process computes: set order (string hashing) must not show in a summary's digest."""
    runs = [subprocess.run([sys.executable, "-c", DIGESTS], cwd=fixture_tree, capture_output=True, text=True,
                           check=True, timeout=600, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "3")]
    assert len(runs[0]) > 1000 and runs[0] == runs[1] == runs[2]


@pytest.mark.parametrize("mix", ["reversed", "scrambled"])
def test_result_does_not_depend_on_the_iteration_order_of_taints(fixture_tree, mix, monkeypatch):
    """Taints hash by identity, so a value's set of taints iterates in an order that changes from
    run to run (memory addresses; ``PYTHONHASHSEED`` does not touch it). Code that picks one taint
    of a value (whose trace to show) must pick the same one whatever that order: here the order is
    changed on purpose, and the report must stay the same (weak-hash's ``upload_either`` has two)."""
    from secreview import __version__
    from secreview.analysis import values as V
    from secreview.config import load_config
    from secreview.engine.pipeline import ReviewOptions, review
    from secreview.reports import ReportOptions, render

    monkeypatch.chdir(fixture_tree)
    config = load_config(Path("."))

    def report():
        return render("json", review(["."], ReviewOptions(config=config)), ReportOptions(tool_version=__version__))

    expected = report()
    if mix == "reversed":
        monkeypatch.setattr(V.Taint, "__hash__", lambda self: -(id(self) >> 4), raising=False)
    else:
        monkeypatch.setattr(V.Taint, "__hash__", lambda self: hash(str(id(self))), raising=False)
    assert report() == expected, "the report depends on the iteration order of a value's taints"


def _two_keyword_callers(root: Path, first: str) -> None:
    """``Driver.spawn(cls, port, network_id=None, router_id=None)`` stores ``network_id or router_id``
    in a field through ``ProcessManager(uuid)``, whose method opens a path built from it; one view
    passes request data as ``network_id``, another as ``router_id``. ``first``: which view's module
    sorts (and so is analysed) first."""
    app = root / "app"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "process.py").write_text(
        "class ProcessManager:\n    def __init__(self, uuid):\n        self.uuid = uuid\n\n"
        "    def enable(self):\n        with open('/var/run/' + self.uuid, 'w') as f:\n            f.write('1')\n")
    (app / "driver.py").write_text(
        "from app.process import ProcessManager\n\n\nclass Driver:\n    @classmethod\n"
        "    def spawn(cls, port, network_id=None, router_id=None):\n        uuid = network_id or router_id\n"
        "        pm = ProcessManager(uuid)\n        pm.enable()\n")
    for name, keyword in (("network", "network_id"), ("router", "router_id")):
        prefix = "a" if name == first else "b"
        (app / f"{prefix}_{name}.py").write_text(
            "from flask import Flask, request\n\nfrom app.driver import Driver\n\napp = Flask(__name__)\n\n\n"
            f"@app.route('/{name}')\ndef {name}():\n    Driver.spawn(80, {keyword}=request.args['id'])\n"
            "    return 'ok'\n")


@pytest.mark.parametrize("first", ["router", "network"])
def test_trace_through_a_field_does_not_depend_on_which_caller_is_analysed_first(tmp_path, monkeypatch, first):
    """Two callers store data with the same source and cleansing into one field, through two
    keyword parameters of a classmethod (``uuid = network_id or router_id``): the field's value
    keeps one trace, the canonical one (``Taint.order``: here the step naming `network_id`, the
    parameter declared first), whichever caller was analysed first, in whatever order the
    modules are analysed, with one process or workers, with or without the cache. (The first trace
    stored used to stay: a better trace with the same source and cleansing was not seen as a
    change of the field, so neutron's metadata proxy finding named `router_id` in some runs.)"""
    from secreview.analysis.program import Program
    from secreview.config import DEFAULT_CONFIG
    from secreview.engine.pipeline import ReviewOptions, review

    tree = tmp_path / "tree"
    _two_keyword_callers(tree, first)
    monkeypatch.chdir(tree)
    cache = tmp_path / "cache"

    def traces(**options):
        result = review(["."], ReviewOptions(config=DEFAULT_CONFIG, **options))
        return [(f.rule_id, f.path, f.span.line, [(s.path, s.line, s.note) for s in f.trace])
                for f in result.findings]

    expected = traces()
    assert [(rule, path, line) for rule, path, line, _ in expected] == [("SR105", "app/process.py", 6)]
    notes = [note for _, _, note in expected[0][3]]
    assert "parameter `network_id` of `spawn()`" in notes, notes
    from secreview.engine import analyse
    monkeypatch.setattr(analyse, "PARALLEL_MIN_FILES", 2)  # workers even for these few files
    assert traces(jobs=2) == expected
    assert traces(cache_dir=cache, jobs=2) == expected
    assert traces(cache_dir=cache) == expected  # warm
    assert traces(cache_dir=tmp_path / "cache-1") == expected
    original = Program.first_pass_order
    monkeypatch.setattr(Program, "first_pass_order", lambda self: original(self)[::-1])
    assert traces() == expected


_STORED_THROUGH_A_FACTORY = '''import os

from flask import Flask, request

from zz_factory import make_constant

app = Flask(__name__)


class Runner:
    def take(self):
        self.cmd = make_constant()(request.args["c"])

    def go(self):
        os.system(self.cmd)


@app.route("/run")
def run():
    runner = Runner()
    runner.take()
    runner.go()
    return "ok"
'''

_FACTORY = '''def make_constant():
    def constant(value):
        return "uptime"
    return constant
'''


@pytest.mark.parametrize("provisional", ["other worker", "nesting limit"])
def test_a_field_holds_what_the_last_analysis_of_each_writer_stores(tmp_path, monkeypatch, provisional):
    """``take`` stores into ``self.cmd`` the result of calling what ``make_constant()`` returns: a function
    returning a constant. Analysed before ``make_constant``'s summary is known (it stands as provisional:
    another worker's function, or one met at the nesting limit), the call's result is unknown code's, taken
    to return the request data it is given; once the summary is known, ``take`` is analysed again and
    stores the constant. The field must then hold that, not the request data too: a store no analysis
    makes any more leaves the field. (Fields only gained what each analysis stored: on pypowervm, a token
    stored that way filled ``Response.reqheaders`` with taints of a string built from the user name that
    pushed out the session token's (``MAX_TAINTS``), and ``--jobs 2`` lost the sensitive-data-logged
    finding ``--jobs 1`` reports; here ``--jobs 2``, or the nesting limit, reported ``os.system`` with
    the request data.)"""
    from dataclasses import replace

    from secreview.analysis import program
    from secreview.config import DEFAULT_CONFIG
    from secreview.engine import analyse
    from secreview.engine.pipeline import ReviewOptions, review
    from secreview.findings.model import Level

    (tmp_path / "app.py").write_text(_STORED_THROUGH_A_FACTORY)
    (tmp_path / "zz_factory.py").write_text(_FACTORY)  # last by path: the other worker's share
    monkeypatch.chdir(tmp_path)
    config = replace(DEFAULT_CONFIG, min_confidence=Level.LOW)  # (a call taken to return its argument: low)

    def found(jobs: int):
        result = review(["."], ReviewOptions(config=config, jobs=jobs))
        return [(f.rule_id, f.path, f.span.line) for f in result.findings]

    expected = found(1)
    assert expected == []
    if provisional == "other worker":
        monkeypatch.setattr(analyse, "PARALLEL_MIN_FILES", 2)  # workers even for these two files
        assert found(2) == expected
    else:
        monkeypatch.setattr(program, "MAX_DEPTH", 1)  # ``take``'s callees analysed only after it
        assert found(1) == expected
    # the same tree with a real flow to the field is reported either way
    (tmp_path / "app.py").write_text(_STORED_THROUGH_A_FACTORY.replace('make_constant()(request.args["c"])',
                                                                       'request.args["c"]'))
    assert found(2 if provisional == "other worker" else 1) == [("SR101", "app.py", 15)]


_CHECKED_IN_ONE_BRANCH = '''import os

from flask import Flask, request

ALLOWED = {"uptime", "date"}


class Runner:
    def __init__(self, cmd, check):
        if check:
            if cmd not in ALLOWED:
                raise ValueError(cmd)
        self.cmd = cmd

    def go(self):
        os.system(self.cmd)


app = Flask(__name__)


@app.route("/run")
def run():
    Runner(request.args["c"], False).go()
    return "ok"
'''


@pytest.mark.parametrize("mix", ["identity", "reversed", "scrambled"])
def test_a_field_stored_from_a_parameter_checked_on_one_branch_only(tmp_path, monkeypatch, mix):
    """``self.cmd = cmd`` after ``if check: <allow-list cmd>``: the stored value holds two taints of
    the parameter with one trace, one allow-listed and one not. A method summary keeps one taint per
    parameter stored in a field, and with equal traces the first met in the set used to stay: with
    the allow-listed one, the request data passed unchecked reached ``os.system`` unreported. Which
    was met first follows memory addresses (taints hash by identity): on Salt, ``--jobs 1`` with
    300,000 objects allocated first reported another sensitive-data-logged finding than without.
    The less cleansed taint is kept, in whatever order the set iterates."""
    from secreview.analysis import values as V
    from secreview.config import DEFAULT_CONFIG
    from secreview.engine.pipeline import ReviewOptions, review

    (tmp_path / "app.py").write_text(_CHECKED_IN_ONE_BRANCH)
    monkeypatch.chdir(tmp_path)
    if mix == "identity":
        monkeypatch.setattr(V.Taint, "__hash__", lambda self: id(self) >> 4, raising=False)
    elif mix == "reversed":
        monkeypatch.setattr(V.Taint, "__hash__", lambda self: -(id(self) >> 4), raising=False)
    else:
        monkeypatch.setattr(V.Taint, "__hash__", lambda self: hash(str(id(self))), raising=False)
    result = review(["."], ReviewOptions(config=DEFAULT_CONFIG))
    found = [(f.rule_id, f.span.line, [(s.line, s.note) for s in f.trace]) for f in result.findings]
    assert found == [("SR101", 16, [
        (24, "`request.args`: data from the HTTP request, controlled by the client; passed to `Runner()`"),
        (9, "parameter `cmd` of `__init__()`"), (13, "stored in `self.cmd`"),
        (16, "reaches `os.system(self.cmd)`")])]


def test_field_taints_of_one_parameter_are_chosen_whatever_the_order_met():
    """Two taints of one parameter with the same trace but cleansed for different sinks: the
    summary keeps the same one met in either order, and its digest tells them apart (a summary
    that changes only in what its field's taint was cleansed for is a change for its callers)."""
    from secreview.analysis import program as P
    from secreview.analysis import values as V
    from secreview.analysis.interpreter import Summary

    step = V.Step("m.py", 3, 4, "parameter `cmd` of `__init__()`", None)
    plain = V.Taint("param", 1, frozenset(), step)
    checked = V.Taint("param", 1, frozenset({"*", "allow-listed"}), step)
    kept = []
    for order in ((plain, checked), (checked, plain)):
        by_param: dict = {}
        for t in order:
            P._keep_field_taint(by_param, t)
        kept.append(by_param[1])
    assert kept == [plain, plain]
    digests = []
    for t in (plain, checked):
        summary = Summary()
        summary.fields[("m.Runner", "cmd")] = {1: t}
        digests.append(summary.digest())
    assert digests[0] != digests[1]


def _hub_at_the_nesting_limit(root: Path, sinks: int = 10) -> None:
    """A request handler passes ``sinks`` request values down a chain of calls to ``hub``, which hands
    each to its own function running it in a shell. The chain is long enough that ``hub`` is analysed
    at the nesting limit (``MAX_DEPTH``): its callees are analysed later, one at a time, and ``hub``
    (and the chain above it) again after each, more often than ``MAX_ANALYSES``, in no call cycle."""
    from secreview.analysis.program import MAX_DEPTH

    root.mkdir(parents=True)
    params = ", ".join(f"a{i}" for i in range(sinks))
    (root / "sinks.py").write_text("import os\n" + "".join(
        f"\n\ndef run_{i:02d}(x):\n    return os.system('tool{i} ' + x)\n" for i in range(sinks)))
    (root / "hub.py").write_text("from sinks import " + ", ".join(f"run_{i:02d}" for i in range(sinks))
                                 + f"\n\n\ndef hub({params}):\n" + "".join(f"    run_{i:02d}(a{i})\n"
                                                                           for i in range(sinks)))
    n = MAX_DEPTH - 2  # the handler and n links: hub is the MAX_DEPTH-th function being analysed
    lines = ["from hub import hub", ""]
    for i in range(1, n + 1):
        lines += ["", f"def g{i:02d}({params}):", f"    return {'hub' if i == 1 else f'g{i - 1:02d}'}({params})"]
    (root / "chain.py").write_text("\n".join(lines) + "\n")
    args = ", ".join(f"request.args['c{i}']" for i in range(sinks))
    (root / "app.py").write_text(f"from flask import Flask, request\n\nfrom chain import g{n:02d}\n\n"
                                 f"app = Flask(__name__)\n\n\n@app.route('/run')\ndef run():\n"
                                 f"    g{n:02d}({args})\n    return 'done'\n")


def test_a_function_in_no_call_cycle_is_analysed_until_its_callees_settle(tmp_path, monkeypatch):
    """``hub`` is analysed again each time one of its callees' summaries arrives: 11 times, in no
    call cycle. Stopped at ``MAX_ANALYSES`` (as recursion is), it kept the summary it had then, and
    the request data reached five of the ten shells unseen (reported as strings built from a
    parameter only); which five depended on the order summaries arrived in, so on ``--jobs``."""
    from secreview.analysis.program import MAX_ANALYSES, Program
    from secreview.config import DEFAULT_CONFIG
    from secreview.engine import analyse
    from secreview.engine.pipeline import ReviewOptions, review

    _hub_at_the_nesting_limit(tmp_path / "tree")
    monkeypatch.chdir(tmp_path / "tree")
    counts: dict = {}
    original = Program.run

    def run(self):
        out = original(self)
        counts.update(self.analysis_count)
        return out

    monkeypatch.setattr(Program, "run", run)

    def found(**options):
        result = review(["."], ReviewOptions(config=DEFAULT_CONFIG, **options))
        return sorted((f.rule_id, f.path, f.span.line, f.tags) for f in result.findings)

    expected = [("SR101", "sinks.py", 5 + 4 * i, ("tainted",)) for i in range(10)]
    assert found() == expected
    assert counts["hub.hub"] > MAX_ANALYSES  # the case this test is about
    monkeypatch.setattr(analyse, "PARALLEL_MIN_FILES", 2)  # workers even for these few files
    assert found(jobs=2) == expected


def test_only_functions_in_a_call_cycle_stop_at_max_analyses():
    """``settle`` analyses a dirty function again up to ``MAX_ANALYSES`` times when it calls itself
    (directly or through others, as ``dependents`` records the calls), up to ``MAX_ACYCLIC_ANALYSES``
    otherwise."""
    from secreview.analysis import program as P

    program = P.Program.__new__(P.Program)
    # a -> b -> c -> a is a cycle, d calls a (in none), e calls itself
    program.dependents = {"a": {"c", "d"}, "b": {"a"}, "c": {"b"}, "e": {"e"}}
    program._call_edges, program._cyclic, program._acyclic = 5, set(), {}
    assert [q for q in "abcde" if program.in_call_cycle(q)] == ["a", "b", "c", "e"]
    program.dependents["d"] = {"c"}  # c calls d too: d joins the cycle
    program._call_edges += 1
    assert program.in_call_cycle("d")

    analysed = []
    program.analysis_count = {"a": P.MAX_ANALYSES, "f": P.MAX_ANALYSES, "g": P.MAX_ACYCLIC_ANALYSES}
    program.dependents["f"] = {"b"}  # b calls f, which calls nothing of the cycle

    def analyse(qualname):
        analysed.append(qualname)
        program.analysis_count[qualname] = program.analysis_count.get(qualname, 0) + 1

    program.analyse = analyse
    program.dirty = {"a", "f", "g"}
    program.settle()
    assert analysed == ["f"]


SOURCE_OF_SEVERAL_TYPES = '''\
from webob import Request, Response

from swift.common.utils import public


class ObjectController(object):

    @public
    def PUT(self, req):
        if req.headers.get("x-fresh"):
            req = Request.blank(req.path_info, environ=req.environ)
        resp = Response(request=req)
        for k, v in req.headers.items():
            if k.lower().startswith("x-object-meta-"):
                resp.headers[k] = v
        return resp
'''


def test_an_attribute_source_of_an_object_of_several_types_whatever_the_hash_seed(tmp_path):
    """``req`` is a swob Request (the @public entrypoint) or a webob one (rebound): both models name
    ``Request.headers`` a source, cleansing different sink kinds. Which one was taken was the first
    of the value's types in the set's order, so the header finding came and went with
    ``PYTHONHASHSEED``; both are now taken, joined, whatever the order."""
    tree = tmp_path / "tree"
    (tree / "pkg").mkdir(parents=True)
    (tree / ".git").mkdir()
    (tree / "pkg" / "server.py").write_text(SOURCE_OF_SEVERAL_TYPES)
    found = set()
    for seed in (1, 2, 3, 4, 5, 6):
        out = subprocess.run([sys.executable, "-m", "secreview", "review", str(tree), "--format", "json",
                              "--exit-zero", "--no-progress", "--no-cache", "--jobs", "1"], capture_output=True,
                             text=True, check=True, timeout=600, env={**os.environ, "PYTHONHASHSEED": str(seed)},
                             stdin=subprocess.DEVNULL).stdout
        findings = json.loads(out)["findings"]
        found.add(tuple(sorted((f["rule_id"], Path(f["path"]).name, f["line"]) for f in findings)))
    assert found == {(("SR113", "server.py", 15),)}
