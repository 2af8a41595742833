"""Test code the user did not name is analysed only where other code calls into it
(``Config.on_demand``): every finding outside test code is the same as with test code
analysed in full, with one process or several; the test files' own findings are looked for
only in test files named on the command line, in a review of test code only, and in the
test files a change review's change touches."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from secreview.cli import main
from secreview.config import DEFAULT_CONFIG, Level
from secreview.engine.pipeline import ReviewOptions, review

TEST_FINDING = "import os\nfrom flask import request\n\nos.system('ls ' + request.args['cmd'])\n"
FILES = {
    # production code calling a helper of the test suite: the flow through it is still followed
    "aaa/app.py": "from flask import request\nfrom zzz.tests.helpers import run_it, quoted\n\n\n"
                  "def view():\n    run_it(request.args['cmd'])\n    return quoted(request.args['q'])\n",
    "zzz/tests/helpers.py": "import os\n\n\ndef run_it(cmd):\n    os.system('ls ' + cmd)\n\n\n"
                            "def quoted(text):\n    return '<b>' + text + '</b>'\n",
    "zzz/tests/test_app.py": TEST_FINDING,
}


def make(root: Path, files: dict) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def tree(root: Path) -> None:
    # enough files for the review to be split between two workers (``PARALLEL_MIN_FILES``), the
    # production caller in the first share and the test helper in the second
    make(root, FILES)
    make(root, {f"mmm/filler_{i:02}.py": f"def f{i}(x):\n    return x + {i}\n" * 20 for i in range(40)})


def found(root: Path, monkeypatch, jobs: int, on_demand: bool, paths=(".",)) -> list:
    monkeypatch.chdir(root)
    config = replace(DEFAULT_CONFIG, min_confidence=Level.LOW, tests_on_demand=on_demand)
    result = review(list(paths), ReviewOptions(config=config, jobs=jobs))
    return sorted((f.path.removeprefix("./"), f.line, f.rule_id, f.explanation, f.tags) for f in result.findings)


@pytest.mark.parametrize("jobs", [1, 2])
def test_findings_outside_tests_unchanged(tmp_path, monkeypatch, jobs):
    tree(tmp_path)
    full = found(tmp_path, monkeypatch, jobs, on_demand=False)
    light = found(tmp_path, monkeypatch, jobs, on_demand=True)
    assert any(f[0] == "zzz/tests/test_app.py" for f in full)
    assert [f for f in light if f[0] != "zzz/tests/test_app.py"] == \
           [f for f in full if f[0] != "zzz/tests/test_app.py"]
    assert any(f[0] == "zzz/tests/helpers.py" or f[0] == "aaa/app.py" for f in light)  # the flow through the helper
    assert not any(f[0] == "zzz/tests/test_app.py" for f in light)  # the test's own finding is not looked for
    assert found(tmp_path, monkeypatch, 1, on_demand=False) == full  # one process or two: the same


def report(args: list, capsys) -> set:
    main([*args, "--format", "json", "--no-cache", "--no-progress", "--exit-zero", "--jobs", "1"])
    return {(f["path"].removeprefix("./"), f["rule_id"]) for f in json.loads(capsys.readouterr().out)["findings"]}


def test_named_test_files_are_analysed_in_full(tmp_path, monkeypatch, capsys):
    make(tmp_path, {"app/views.py": TEST_FINDING, "tests/test_views.py": TEST_FINDING})
    monkeypatch.chdir(tmp_path)
    assert {p for p, _ in report(["review", "."], capsys)} == {"app/views.py"}
    assert {p for p, _ in report(["review", "tests/test_views.py"], capsys)} == {"tests/test_views.py"}
    assert {p for p, _ in report(["review", "tests"], capsys)} == {"tests/test_views.py"}  # test code only
    assert {p for p, _ in report(["review", "app", "tests/test_views.py"], capsys)} == \
           {"app/views.py", "tests/test_views.py"}
