"""Test code where no naming convention finds it: the folders a project's pytest configuration names
(``testpaths``) and those holding a ``conftest.py`` beside test modules (celery's ``t/unit/`` and
``t/integration/``) are test code, as ``tests/`` is; a project's own ``test-paths`` replace them."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from secreview.config import DEFAULT_CONFIG, Level
from secreview.engine.pipeline import ReviewOptions, review
from secreview.source.test_layout import conftest_folders, declared_test_paths, runner_test_paths

# (a private key of celery's test suite: a finding of hardcoded-secret in production code)
KEY = '''KEY1 = """-----BEGIN RSA PRIVATE KEY-----
MIICXQIBAAKBgQC9Twh0V5q/R1Q8N+Y+CNM4lj9AXeZL0gYowoK1ht2ZLCDU9vN5
dhV0x3sqaXLjQNeCGd6b2vTbFGdF2E45//IWz6/BdPFWaPm0rtYbcxZHqXDZScRp
vFDLHhMysdqQWHxXVxpqIXXo4B7bnfnGvXhYwYITeEyQylV/rnH53mdV8wIDAQAB
AoGBAKUJN4elr+S9nHP7D6BZNTsJ0Q6eTd0ftfrmx+jVMG8Oh3jh6ZSkG0R5e6iX
0W7I4pgrUWRyWDB98yJy1o+90CAN/D80o8SbmW/zfA2WLBteOujMfCEjNrc/Nodf
6MZ0QQ6PnPH6pp94i3kNmFD8Mlzm+ODrUjPF0dCNf474qeKhAkEA7SXj5cQPyQXM
s15oGX5eb6VOk96eAPtEC72cLSh6o+VYmXyGroV1A2JPm6IzH87mTqjWXG229hjt
XVvDbdY2uQJBAMxblWFaWJhhU6Y1euazaBl/OyLYlqNz4LZ0RzCulEoV/gMGYU32
PbilD5fpFsyhp5oCxnWNEsUFovYMKjKM3AsCQQCIlOcBoP76ZxWzRK8t56MaKBnu
fiuAIzbYkDbPp12i4Wc61wZ2ozR2Y3u4Bh3tturb6M+04hea+1ZSC5StwM85AkAp
UPLYpe13kWXaGsHoVqlbTk/kcamzDkCGYufpvcIZYGzkq6uMmZZM+II4klWbtasv
BhSdu5Hp54PU/wyg/72VAkBy1/oM3/QJ35Vb6TByHBLFR4nOuORoRclmxcoCPva9
xqkQQn+UgBtOemRXpFCuKaoXonA3nLeB54SWcC6YUOcR
-----END RSA PRIVATE KEY-----"""
'''
DEBUG = "DEBUG = True\nINSTALLED_APPS = [\"django.contrib.auth\"]\n"


def _write(root: Path, files: dict) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def _findings(root: Path, monkeypatch, config=DEFAULT_CONFIG):
    monkeypatch.chdir(root)
    result = review(["."], ReviewOptions(config=replace(config, min_confidence=Level.LOW)))
    return {(f.rule_id, f.path): "test-code" in f.tags for f in result.findings}


CELERY_LIKE = {
    "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = "t/unit/"\n',
    "t/__init__.py": "",
    "t/unit/__init__.py": "",
    "t/unit/test_app.py": "def test_it():\n    assert True\n",
    "t/unit/security/__init__.py": KEY,
    "t/integration/conftest.py": "import pytest\n",
    "t/integration/test_worker.py": "def test_it():\n    assert True\n",
    "t/integration/django_settings.py": DEBUG + KEY,
    "app/settings.py": DEBUG + KEY,
}


def test_testpaths_and_conftest_folders_are_test_code(tmp_path, monkeypatch):
    _write(tmp_path, CELERY_LIKE)
    found = _findings(tmp_path, monkeypatch)
    # production code keeps its findings, untagged
    assert found[("SR701", "app/settings.py")] is False
    assert found[("SR402", "app/settings.py")] is False
    # a hardcoded secret is not looked for in test code; debug settings there are tagged test code
    assert not any(path.startswith("t/") and rule == "SR701" for rule, path in found)
    assert all(tagged for (rule, path), tagged in found.items() if path.startswith("t/"))


def test_a_projects_own_test_paths_replace_what_pytest_is_told(tmp_path, monkeypatch):
    _write(tmp_path, CELERY_LIKE)
    config = replace(DEFAULT_CONFIG, test_paths=("tests/",))
    found = _findings(tmp_path, monkeypatch, config)
    assert found[("SR701", "t/unit/security/__init__.py")] is False
    assert found[("SR701", "t/integration/django_settings.py")] is False


def test_a_small_project_with_its_tests_beside_it_is_not_test_code(tmp_path, monkeypatch):
    """``conftest.py`` and ``test_tool.py`` beside ``tool.py`` at the project's top, or in a folder that is
    a project of its own (a tree of several): the module stays production code."""
    _write(tmp_path, {"conftest.py": "", "test_tool.py": "def test_x():\n    pass\n", "tool.py": KEY,
                      "sub/setup.py": "", "sub/conftest.py": "", "sub/test_lib.py": "", "sub/lib.py": KEY})
    found = _findings(tmp_path, monkeypatch)
    assert found[("SR701", "tool.py")] is False
    assert found[("SR701", "sub/lib.py")] is False


def test_what_each_configuration_file_declares(tmp_path):
    _write(tmp_path, {
        "pyproject.toml": '[tool.pytest]\ntestpaths = ["it", "unit", "pkg"]\n',
        "pytest.ini": "[pytest]\ntestpaths = checks\n    more_checks\n",
        "tox.ini": "[pytest]\ntestpaths = ./tox_tests\n",
        "setup.cfg": "[tool:pytest]\ntestpaths = ../outside /abs cfg_tests\n",
        "unit/test_a.py": "", "checks/test_b.py": "", "tox_tests/test_c.py": "",
        "pkg/__init__.py": "", "pkg/core.py": "", "pkg/util.py": "", "pkg/tests/test_core.py": "",
    })
    assert declared_test_paths(tmp_path) == ("it", "unit", "pkg", "checks", "more_checks", "./tox_tests",
                                             "../outside", "/abs", "cfg_tests")
    files = ["x/conftest.py", "x/test_y.py", "z/conftest.py", "unit/test_a.py", "checks/test_b.py",
             "tox_tests/test_c.py", "pkg/__init__.py", "pkg/core.py", "pkg/util.py", "pkg/tests/test_core.py"]
    # folders the runner is told of that hold a test suite, anchored under the path as named; not what lies
    # outside the tree, not a folder that is not there, not a package named for its doctests or keeping its
    # tests inside (mostly the project's code); a conftest folder without test modules is no test folder
    assert runner_test_paths(tmp_path, "proj", files) == ("/proj/x/", "/proj/unit/", "/proj/checks/",
                                                          "/proj/tox_tests/")
    assert conftest_folders(["conftest.py", "test_a.py", "t/conftest.py", "t/helpers.py"]) == ()


def test_the_precision_audit_counts_them_as_test_code(tmp_path):
    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("precision_audit", root / "benchmarks" / "precision_audit.py")
    audit = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("precision_audit", audit)
    spec.loader.exec_module(audit)
    _write(tmp_path, CELERY_LIKE)
    paths = audit.project_test_paths(tmp_path)
    assert audit.is_test_path("t/unit/security/__init__.py", paths)
    assert audit.is_test_path("t/integration/django_settings.py", paths)
    assert not audit.is_test_path("app/settings.py", paths)


FILE_PARTS = ["t", "t-x", "t.d", "t0", "unit", "tests", "pkg", "conftest.py", "test_a.py", "a_test.py", "mod.py",
              "__init__.py", "tests.py", "T", "é"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(FILE_PARTS), min_size=1, max_size=4), max_size=30),
       st.sampled_from(["t", "t/", "t/unit", "t-x", "pkg/tests", "tests", "é"]))
def test_mostly_tests_reads_the_sorted_files_under_the_folder_only(paths, folder):
    """``_mostly_tests`` looks at the files under the folder from where ``bisect`` puts it in the sorted list:
    the same verdict as looking at every file."""
    from secreview.source.test_layout import _TEST_FOLDERS, _is_test_module, _mostly_tests

    files = ["/".join(p) for p in paths]
    under = folder.rstrip("/") + "/"
    tests = others = 0
    has_test_module = False
    for rel in files:  # every file, in any order
        if not rel.startswith(under):
            continue
        name = rel.rpartition("/")[2]
        if name == "__init__.py":
            continue
        module = _is_test_module(name)
        has_test_module = has_test_module or module
        if module or name in ("conftest.py", "tests.py") or \
                any(p in _TEST_FOLDERS for p in rel[len(under):].split("/")[:-1]):
            tests += 1
        else:
            others += 1
    assert _mostly_tests(folder, sorted(files)) == (has_test_module and tests > others)
