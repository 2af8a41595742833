"""The real-world sweep's own checks (``benchmarks/sweep.py``): which files a review must cover,
and what counts as a failure (a crash, a lost file, an internal error)."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location("sweep", Path(__file__).parent.parent / "benchmarks" / "sweep.py")
sweep = importlib.util.module_from_spec(spec)
sys.modules.setdefault("sweep", sweep)  # its dataclasses look their module up
spec.loader.exec_module(sweep)


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "pkg" / "__pycache__").mkdir(parents=True)
    (tmp_path / "pkg" / "mod.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "__pycache__" / "mod.py").write_text("x = 1\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "gen.py").write_text("y = 2\n")
    (tmp_path / ".gitignore").write_text("build/\n")
    (tmp_path / "tool").write_text("#!/usr/bin/env python3\nprint(1)\n")
    (tmp_path / "notes").write_text("just text\n")
    (tmp_path / "x.egg-info").mkdir()
    (tmp_path / "x.egg-info" / "a.py").write_text("")
    return tmp_path


def test_expected_files(tree):
    files, lines = sweep.expected_files(tree)
    assert sorted(files) == ["build/gen.py", "pkg/mod.py", "tool"]  # an sdist's .gitignore hides nothing
    assert lines == 4


def fake_secreview(tmp_path: Path, doc: dict, code: int = 0, stderr: str = "") -> list[str]:
    script = tmp_path / "fake_secreview.py"
    script.write_text(f"import sys\nsys.stdout.write({json.dumps(json.dumps(doc))})\n"
                      f"sys.stderr.write({stderr!r})\nsys.exit({code})\n")
    return [sys.executable, str(script)]


def doc(reviewed: int, problems=()) -> dict:
    return {"summary": {"files_reviewed": reviewed, "lines_reviewed": 3}, "findings": [], "problems": list(problems)}


def test_all_files_accounted_for(tree, tmp_path_factory):
    cmd = fake_secreview(tmp_path_factory.mktemp("fake"), doc(2, [
        {"path": "tool", "kind": "binary", "message": "binary", "lines": [], "reviewed": False}]))
    out = sweep.review_tree("t", "1", tree, cmd, 60, [])
    assert out.failures == [] and out.internal_errors == []
    assert out.problems_by_kind == {"binary": 1}


def test_silently_skipped_file_is_a_failure(tree, tmp_path_factory):
    cmd = fake_secreview(tmp_path_factory.mktemp("fake"), doc(1))
    out = sweep.review_tree("t", "1", tree, cmd, 60, [])
    assert len(out.failures) == 1 and "3 files to review, but 1 reviewed" in out.failures[0]


def test_internal_error_is_a_failure(tree, tmp_path_factory):
    cmd = fake_secreview(tmp_path_factory.mktemp("fake"), doc(3, [
        {"path": "pkg/mod.py", "kind": "internal-error", "message": "internal error while analysing: KeyError",
         "lines": [], "reviewed": True}]))
    out = sweep.review_tree("t", "1", tree, cmd, 60, [])
    assert out.failures == []
    assert out.internal_errors == ["pkg/mod.py: internal error while analysing: KeyError"]
    assert sweep.totals([out])["failed_packages"] == ["t"]


@pytest.mark.parametrize("code,stderr", [(2, "secreview: error: boom"), (0, "Traceback (most recent call last):\n")])
def test_crash_is_a_failure(tree, tmp_path_factory, code, stderr):
    cmd = fake_secreview(tmp_path_factory.mktemp("fake"), doc(3), code=code, stderr=stderr)
    out = sweep.review_tree("t", "1", tree, cmd, 60, [])
    assert out.failures


def test_real_secreview_on_a_small_tree(tree):
    out = sweep.review_tree("t", "1", tree, [sys.executable, "-m", "secreview"], 120, [])
    assert out.failures == [] and out.internal_errors == []
    assert out.files_reviewed == 3


def test_native_sources_outside_tests_make_a_package_impure(tmp_path):
    import tarfile

    def sdist(name, members):
        src = tmp_path / name
        for m in members:
            (src / m).parent.mkdir(parents=True, exist_ok=True)
            (src / m).write_text("")
        archive = tmp_path / f"{name}.tar.gz"
        with tarfile.open(archive, "w:gz") as tf:
            tf.add(src, arcname=name)
        return archive

    assert sweep.native_sources(sdist("pure-1.0", ["pkg/a.py", "tests/data/sample.c", "docs/x.rs"])) == ""
    assert "_speedups.c" in sweep.native_sources(sdist("native-1.0", ["pkg/a.py", "pkg/_speedups.c"]))
    assert os.path.basename(sweep.unpack(tmp_path / "pure-1.0.tar.gz", tmp_path / "out")) == "pure-1.0"
