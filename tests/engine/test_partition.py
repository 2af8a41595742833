"""How the files of a review are cut into the workers' shares, and a share's functions into parts.

Test code is analysed on demand (``Config.on_demand``): a test file costs its lowering only. Cut by
size alone, the share that got a tree's tests had little to analyse and waited on the other at every
exchange; each share now gets about half of the production code and half of the tests.
"""

from __future__ import annotations

from types import SimpleNamespace

from secreview.config import DEFAULT_CONFIG
from secreview.engine import parallel


def test_without_test_code_the_files_are_cut_by_size_in_order():
    assert parallel.partition([10, 10, 10, 10], 2) == [[0, 1], [2, 3]]
    assert parallel.partition([10, 10, 10, 10], 2, [False] * 4) == [[0, 1], [2, 3]]
    assert parallel.partition([30, 1, 1, 1], 2) == [[0], [1, 2, 3]]


def test_production_code_and_test_code_are_shared_out_apart():
    # production files first in path order, then the tests: by size alone the second share would get
    # every test file and no production code
    sizes = [10, 10, 10, 10, 40, 40, 40, 40]
    on_demand = [False] * 4 + [True] * 4
    assert parallel.partition(sizes, 2) == [[0, 1, 2, 3, 4, 5], [6, 7]]
    assert parallel.partition(sizes, 2, on_demand) == [[0, 1, 4, 5], [2, 3, 6, 7]]


def test_every_file_is_in_one_share():
    sizes = [5, 80, 3, 3, 40, 7, 1, 60, 2]
    on_demand = [True, False, False, True, True, False, True, False, True]
    for jobs in (1, 2, 3, 4, 12):
        shares = parallel.partition(sizes, jobs, on_demand)
        assert sorted(i for share in shares for i in share) == list(range(len(sizes)))
        assert all(share == sorted(share) and share for share in shares)
        assert len(shares) <= jobs


def test_first_pass_parts_weigh_what_the_first_pass_analyses():
    modules = [SimpleNamespace(path=p) for p in ("a.py", "b.py", "c.py", "d.py", "tests/t1.py", "tests/t2.py")]
    sizes = {m.path: 100 for m in modules}
    parts = parallel._first_pass_parts(modules, sizes, lambda path: path.startswith("tests/"), 4)
    assert [[m.path for m in part] for part in parts] == [
        ["a.py"], ["b.py"], ["c.py"], ["d.py", "tests/t1.py", "tests/t2.py"]]
    # nothing analysed in the first pass: every part but the last empty, the number of parts kept
    parts = parallel._first_pass_parts(modules[4:], sizes, lambda path: True, 4)
    assert [len(part) for part in parts] == [2, 0, 0, 0]


_PRODUCTION = '''
import subprocess
from tests.helpers import quoted


def run(host):
    quoted(host)  # a test-suite helper: analysed on demand, by whichever share holds it
    return subprocess.check_output("ping -c 1 " + host, shell=True)
''' + "".join(f"\n\ndef other_{i}(y):\n    return y * {i}\n" for i in range(20))

_HELPERS = '''
def quoted(text):
    return "'" + text + "'"
'''

_VIEW = '''
from flask import request
from app.run import run


def view():
    return run(request.args["host"])
'''

_TEST = '''
from app.run import run


def test_run():
    assert run("localhost")
''' + "".join(f"\n\ndef test_other_{i}():\n    assert {i}\n" for i in range(40))


def test_shares_with_test_code_find_what_one_process_finds(tmp_path, monkeypatch):
    from secreview.engine import analyse
    from secreview.engine.pipeline import ReviewOptions, review

    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "run.py").write_text(_PRODUCTION)
    (tmp_path / "app" / "view.py").write_text(_VIEW)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "__init__.py").write_text("")
    (tmp_path / "tests" / "helpers.py").write_text(_HELPERS)
    (tmp_path / "tests" / "test_run.py").write_text(_TEST)
    monkeypatch.chdir(tmp_path)
    assert DEFAULT_CONFIG.on_demand("tests/helpers.py") and not DEFAULT_CONFIG.on_demand("app/run.py")

    def described(**options):
        result = review(["."], ReviewOptions(config=DEFAULT_CONFIG, **options))
        return [(f.rule_id, f.path, f.span, f.code, f.explanation, [(s.path, s.line, s.note, s.code) for s in f.trace])
                for f in result.findings]

    expected = described(jobs=1)
    assert [f[:2] for f in expected] == [("SR101", "app/run.py")]
    monkeypatch.setattr(analyse, "PARALLEL_MIN_FILES", 2)
    assert described(jobs=2) == expected
    assert described(jobs=3) == expected
