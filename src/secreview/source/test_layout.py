"""Where a project keeps its tests when no naming convention says so: what its test runner is told.

A project that keeps its tests where the conventions of ``Config.test_paths`` do not look (celery's
``t/unit/`` and ``t/integration/``) tells pytest: ``testpaths`` in ``pytest.ini``, ``pyproject.toml``
(``[tool.pytest.ini_options]`` or pytest 9's ``[tool.pytest]``), ``tox.ini`` (``[pytest]``) or
``setup.cfg`` (``[tool:pytest]``); and a folder below the project's top holding a ``conftest.py``
beside test modules (``test_*.py``, ``*_test.py``) is one pytest collects as tests, with its helper
modules (settings, fixtures, keys). Both are test code to the review as well (only when the project
configures no ``test-paths`` of its own). Files are only read, never run; a file that cannot be read
or parsed names no test path.
"""

from __future__ import annotations

import configparser
import os
import tomllib
from bisect import bisect_left
from pathlib import Path

from secreview.source.reading import small_text

_LIMIT = 1_000_000  # (a configuration file larger than this is not one pytest's users write)
_INI_FILES = (("pytest.ini", "pytest"), ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest"))


def _text(path: Path) -> str | None:
    return small_text(path, _LIMIT)


def declared_test_paths(directory: Path) -> tuple[str, ...]:
    """The ``testpaths`` the pytest configuration files in ``directory`` declare, relative to it, as
    written (folders, files or glob patterns), in the order of the files above."""
    found: list[str] = []
    text = _text(directory / "pyproject.toml") if (directory / "pyproject.toml").is_file() else None
    if text is not None:
        try:
            tool = tomllib.loads(text).get("tool", {})
        except (tomllib.TOMLDecodeError, RecursionError):
            tool = {}
        pytest = tool.get("pytest", {}) if isinstance(tool, dict) else {}
        for table in (pytest.get("ini_options", {}), pytest) if isinstance(pytest, dict) else ():
            value = table.get("testpaths") if isinstance(table, dict) else None
            if isinstance(value, str):
                found.extend(value.split())
            elif isinstance(value, list):
                found.extend(v for v in value if isinstance(v, str))
    for name, section in _INI_FILES:
        if not (directory / name).is_file():
            continue
        text = _text(directory / name)
        if text is None:
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text)
        except configparser.Error:
            continue
        if parser.has_option(section, "testpaths"):
            found.extend(parser.get(section, "testpaths").split())
    return tuple(dict.fromkeys(p for p in found if p.strip("./")))


_PROJECT_FILES = ("setup.py", "pyproject.toml", "setup.cfg")


def _is_test_module(name: str) -> bool:
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def conftest_folders(files) -> tuple[str, ...]:
    """The folders (relative, ``/``-separated, as in ``files``, the relative paths of a project's Python
    files) that hold a ``conftest.py`` beside at least one test module: a test suite's folder. Not the
    project's top (``""``: a small project keeps its module, its tests and its ``conftest.py`` side by
    side)."""
    conftest, tests = set(), set()
    for rel in files:
        folder, _, name = rel.rpartition("/")
        if name == "conftest.py":
            conftest.add(folder)
        elif _is_test_module(name):
            tests.add(folder)
    return tuple(sorted(f for f in conftest & tests if f))


def runner_test_paths(directory: Path, shown_as: str, files=()) -> tuple[str, ...]:
    """The test folders of the project at ``directory`` (``declared_test_paths``, and the
    ``conftest_folders`` of ``files``, its Python files relative to it), as gitignore-style patterns
    anchored at ``directory``, whose files are displayed under ``shown_as`` (the path as the user named
    it: ``.``, ``proj``, ``/abs/proj``). A folder matches everything under it; ``..`` or an absolute
    path is left out (tests outside the reviewed tree are not reviewed here), and so is a conftest
    folder that is the top of a project of its own (``setup.py``, ``pyproject.toml``...: a tree of
    several projects)."""
    prefix = shown_as.replace(os.sep, "/").rstrip("/")
    while prefix.startswith("./"):
        prefix = prefix[2:]
    prefix = "" if prefix in ("", ".") else prefix.lstrip("/") + "/"
    files = sorted(files)  # (the files under a folder are then side by side: ``_mostly_tests``)
    out = [f"/{prefix}{folder}/" for folder in conftest_folders(files)
           if not any((directory / folder / name).is_file() for name in _PROJECT_FILES)
           and _mostly_tests(folder, files)]
    for declared in declared_test_paths(directory):
        rel = declared.replace("\\", "/").strip()
        while rel.startswith("./"):
            rel = rel[2:]
        rel = rel.rstrip("/")
        if not rel or rel.startswith("/") or ".." in rel.split("/") or any(c in rel for c in "*?["):
            continue
        if (directory / rel).is_dir():
            # (a package named for its doctests, ``testpaths = src/webob tests``, is the project's code)
            if _mostly_tests(rel, files):
                out.append(f"/{prefix}{rel}/")
        elif _is_test_module(rel.rpartition("/")[2]):
            out.append(f"/{prefix}{rel}")
    return tuple(dict.fromkeys(out))


def _mostly_tests(folder: str, files: list) -> bool:
    """Whether the Python files under ``folder`` hold a test module and are mostly a test suite's: test
    modules, ``conftest.py``, files in folders named as tests. A package that keeps its tests inside
    (``pkg/tests/``) or that pytest is told of for its doctests is mostly the project's own code.
    ``files``: sorted, so that those under ``folder`` (which start with ``folder/``) follow one another
    from where ``bisect`` puts ``folder/``."""
    under = folder.rstrip("/") + "/"
    tests = others = 0
    has_test_module = False
    for i in range(bisect_left(files, under), len(files)):
        rel = files[i]
        if not rel.startswith(under):
            break
        name = rel.rpartition("/")[2]
        if name == "__init__.py":
            continue
        parts = rel[len(under):].split("/")[:-1]
        module = _is_test_module(name)
        has_test_module = has_test_module or module
        if module or name in ("conftest.py", "tests.py") or any(p in _TEST_FOLDERS for p in parts):
            tests += 1
        else:
            others += 1
    return has_test_module and tests > others


_TEST_FOLDERS = frozenset({"tests", "test", "testing", "unit", "functional", "integration"})
