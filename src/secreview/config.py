"""Configuration: ``[tool.secreview]`` in the nearest ``pyproject.toml``.

Configuration is data only. Its values are validated strictly and nothing in
it names code to import or run: keys such as ``plugins`` or ``python-path`` are
unknown keys, and an error. Extra taint models (``models``) are TOML data files,
read by the model loader, never imported.

Example::

    [tool.secreview]
    exclude = ["migrations/", "*_pb2.py"]
    select = []                       # rule ids or names, or "all"; empty = the default set
    ignore = ["SR101"]
    min-severity = "medium"           # low | medium | high
    min-confidence = "medium"         # the default; "low" also shows guesses (counted beside the verdict)
    test-paths = ["tests/", "test_*.py"]
    non-production-paths = ["examples/", "/contrib/", "/tools/"]  # findings there not shown by default
    max-file-size = 2000000           # bytes
    models = ["security/models.toml"] # relative to this file
    analysis-budget = 3000000         # analysis steps per function

    [tool.secreview.llm]              # caps of the optional model pass (docs/llm.md): only
    max-requests = 50                 # lower than the user's; never the endpoint or the key
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from secreview.findings.model import Level
from secreview.source.reading import read_regular_file

DEFAULT_TEST_PATHS: tuple[str, ...] = (
    # test code, in the layouts of pytest, unittest, Django (tests.py) and OpenStack (functionaltests/...)
    "tests/", "test/", "*tests/", "test_*.py", "*_test.py", "*_tests.py", "tests.py", "testing/", "conftest.py",
    # a project's helpers for its own test suite (pretix's ``testutils/settings.py``, awscli's ``testutils.py``, a
    # ``test_project/``
    # Django project or one named for the app, django-tenants' ``dts_test_project/``, CKAN's
    # ``create_test_data.py``)
    "testutils/", "testutils.py", "test_*/", "*_test_*.py", "*_test_*/",
    # unittest modules named the Java way (zVM Cloud Connector's ``smtLayer/smtTest.py``, ``LoginTests.py``)
    "*[a-z]Test.py", "*[a-z]Tests.py",
    # Django's test application of a reusable app (``testapp/``, its settings and views). Not a module named
    # ``test.py``: Salt's ``test`` execution module, state and runner are production code
    "testapp/",
    # and the test project of one (django-rosetta's ``testproject/settings.py`` with ``DEBUG = True``, judged on
    # panel AZ)
    "testproject/",
    # OpenStack's Rally scenarios for its CI jobs (``rally-jobs/plugins/``)
    "rally-jobs/",
    # a test suite kept as a package of its own (borgbackup's ``src/borg/testsuite/``, ``functional_testsuite/``;
    # judged on panel AE: a test helper's ``os.system`` and ``chmod 0o777`` reported as production code)
    "*testsuite/", "*testsuites/",
    # a pytest plugin's fixtures for the project's test suites (pulp_ansible's ``pytest_plugin.py``: a fixture's
    # ``ansible-galaxy`` command judged false on panel AX, test code)
    # (and a package's module named ``pytest.py``, its plugin: appyter's ``ext/pytest.py``, whose helper probing
    # the server a test started turns certificate checks off, judged false on panel BB)
    "pytest_plugin.py", "pytest_plugins.py", "pytest_plugin/", "pytest.py",
    # documentation, examples and demos: code shown to readers, not run in production (CKAN's example plugins
    # are packages named ``example_*``)
    "docs/", "doc/", "examples/", "example/", "samples/", "demo/", "demos/", "example_*/",
    # the code of a documentation's tutorials (FastAPI's layout, which projects built on it copy: mcp's
    # ``docs_src/identity_assertion/tutorial001.py``, a demo signing key judged false on panel V)
    "docs_src/",
)
DEFAULT_NON_PRODUCTION_PATHS: tuple[str, ...] = (
    # code that ships with a project but is not the project's running code: examples and documentation,
    # benchmarks, and the top-level folders of developer tools and contributed scripts (anchored: a
    # package may hold production modules named ``tools``)
    "examples/", "example/", "samples/", "demo/", "demos/", "docs/", "doc/", "bench/", "benchmark/", "benchmarks/",
    "/contrib/", "/tools/", "example_*/", "docs_src/",
    # the same under other names: a benchmark's mock servers (llama-stack's ``benchmarking/``), a product's demo
    # data generators (evidently's ``demo_projects/``, which download public sample data: judged false on panel AG)
    "benchmarking/", "demo_*/",
    # the example project a reusable Django app ships beside it (django-defender's ``exampleapp/settings.py`` with
    # ``DEBUG = True``: judged false on panel AS), and its other names
    "exampleapp/", "exampleproject/", "demoapp/", "demoproject/", "sampleapp/", "sampleproject/",
    # maintainers' scripts and extras at the top of the project (judged on real code: 0 real, 1 worth a
    # look, 9 false: source rewriters, changelog helpers, demo-data generators, one-off importers)
    "/scripts/", "/extras/",
    # the same under the names projects give their developer-only scripts (``scripts-dev/``), and Sphinx
    # extensions that build the documentation (a package's ``sphinxext/``; judged on panel H: 2 false)
    "/scripts-dev/", "/dev-scripts/", "/dev_scripts/", "/devtools/", "/dev-tools/", "/dev_tools/", "sphinxext/",
    # the scripts that build the project's packages and installers (opencanary's ``build_scripts/``, which
    # writes launchd files and installer shell scripts: judged false on panel AE)
    "/build_scripts/", "/build-scripts/",
    # the configuration of the project's continuous integration and the scripts its jobs run (cowrie's
    # ``.github/scripts/`` logs in to the honeypot under test: judged false on panel T)
    "/.github/", "/.gitlab/", "/.circleci/",
    # and every other folder at the top whose name starts with a dot: no import reaches into it (a dot cannot
    # start a package's name), so it holds the settings and scripts of developer tools (``.devcontainer/``,
    # ``.vscode/``, an assistant's ``.opencode/skills/liveserver/liveserver_settings.py`` with ``DEBUG = True``:
    # judged on panel AZ)
    "/.*/",
    # the project's build scripts (``setup.py`` at its top: compiles, copies and cleans at build time; Hatch's
    # build hook ``hatch_build.py``, which fetches a pinned release of the project's UI: judged false on panel AG)
    "/setup.py", "/hatch_build.py",
    # other projects' code copied in (pip's ``_vendor/``, dagster's ``_vendored/dateutil``): its findings are its
    # upstream's to fix, and the copy is replaced, not patched (judged on panel M: a vendored maintainer tool)
    # (also spelled ``thirdparty/``: congress's ``thirdparty/antlr3-antlr-3.5/``, the ANTLR runtime's debugger
    # listening on every interface, judged on panel BB)
    "_vendor/", "_vendored/", "vendored/", "third_party/", "thirdparty/", "third-party/",
    # templates of new projects a framework copies out (pecan's ``scaffolds/``, Django's ``project_template/`` and
    # ``app_template/``): the new project's code to be, not this project's (judged on panel N: pecan's scaffold);
    # also a template for ``startproject --template``, whose package folder Django names ``project_name`` (renamed
    # when copied: EOxServer's ``instance_template/project_name/settings.py``, judged false on panel AL)
    "scaffolds/", "project_template/", "app_template/", "project_name/",
    # the project's nox sessions (``noxfile.py``, a ``noxfiles/`` package): its developers' automation (docker
    # compose, test runs), as tox's configuration is
    "noxfile.py", "noxfiles/",
)
DEFAULT_MAX_FILE_SIZE = 2_000_000
DEFAULT_ANALYSIS_BUDGET = 3_000_000
"""Analysis steps (blocks and statements interpreted) allowed for one analysis of one
function (or module body) before it stops and its file gets a ``budget-exceeded`` problem: a count, not a time, so the
same input and budget give the same review whatever the machine's load."""
_DEFAULT_TEST_REGEXES = (  # pathspec's GitIgnoreSpecPattern of each default test path (tests check they still are)
    r"^(?:.+/)?tests/",
    r"^(?:.+/)?test/",
    r"^(?:.+/)?[^/]*tests/",
    r"^(?:.+/)?test_[^/]*\.py(?:/|$)",
    r"^(?:.+/)?[^/]*_test\.py(?:/|$)",
    r"^(?:.+/)?[^/]*_tests\.py(?:/|$)",
    r"^(?:.+/)?tests\.py(?:/|$)",
    r"^(?:.+/)?testing/",
    r"^(?:.+/)?conftest\.py(?:/|$)",
    r"^(?:.+/)?testutils/",
    r"^(?:.+/)?testutils\.py(?:/|$)",
    r"^(?:.+/)?test_[^/]*/",
    r"^(?:.+/)?[^/]*_test_[^/]*\.py(?:/|$)",
    r"^(?:.+/)?[^/]*_test_[^/]*/",
    r"^(?:.+/)?[^/]*[a-z]Test\.py(?:/|$)",
    r"^(?:.+/)?[^/]*[a-z]Tests\.py(?:/|$)",
    r"^(?:.+/)?testapp/",
    r"^(?:.+/)?testproject/",
    r"^(?:.+/)?rally\-jobs/",
    r"^(?:.+/)?[^/]*testsuite/",
    r"^(?:.+/)?[^/]*testsuites/",
    r"^(?:.+/)?pytest_plugin\.py(?:/|$)",
    r"^(?:.+/)?pytest_plugins\.py(?:/|$)",
    r"^(?:.+/)?pytest_plugin/",
    r"^(?:.+/)?pytest\.py(?:/|$)",
    r"^(?:.+/)?docs/",
    r"^(?:.+/)?doc/",
    r"^(?:.+/)?examples/",
    r"^(?:.+/)?example/",
    r"^(?:.+/)?samples/",
    r"^(?:.+/)?demo/",
    r"^(?:.+/)?demos/",
    r"^(?:.+/)?example_[^/]*/",
    r"^(?:.+/)?docs_src/",
)
_DEFAULT_NON_PRODUCTION_REGEXES = (  # pathspec's GitIgnoreSpecPattern of each default non-production path (tests
    # check they still are)
    r"^(?:.+/)?examples/",
    r"^(?:.+/)?example/",
    r"^(?:.+/)?samples/",
    r"^(?:.+/)?demo/",
    r"^(?:.+/)?demos/",
    r"^(?:.+/)?docs/",
    r"^(?:.+/)?doc/",
    r"^(?:.+/)?bench/",
    r"^(?:.+/)?benchmark/",
    r"^(?:.+/)?benchmarks/",
    r"^contrib/",
    r"^tools/",
    r"^(?:.+/)?example_[^/]*/",
    r"^(?:.+/)?docs_src/",
    r"^(?:.+/)?benchmarking/",
    r"^(?:.+/)?demo_[^/]*/",
    r"^(?:.+/)?exampleapp/",
    r"^(?:.+/)?exampleproject/",
    r"^(?:.+/)?demoapp/",
    r"^(?:.+/)?demoproject/",
    r"^(?:.+/)?sampleapp/",
    r"^(?:.+/)?sampleproject/",
    r"^scripts/",
    r"^extras/",
    r"^scripts\-dev/",
    r"^dev\-scripts/",
    r"^dev_scripts/",
    r"^devtools/",
    r"^dev\-tools/",
    r"^dev_tools/",
    r"^(?:.+/)?sphinxext/",
    r"^build_scripts/",
    r"^build\-scripts/",
    r"^\.github/",
    r"^\.gitlab/",
    r"^\.circleci/",
    r"^\.[^/]*/",
    r"^setup\.py(?:/|$)",
    r"^hatch_build\.py(?:/|$)",
    r"^(?:.+/)?_vendor/",
    r"^(?:.+/)?_vendored/",
    r"^(?:.+/)?vendored/",
    r"^(?:.+/)?third_party/",
    r"^(?:.+/)?thirdparty/",
    r"^(?:.+/)?third\-party/",
    r"^(?:.+/)?scaffolds/",
    r"^(?:.+/)?project_template/",
    r"^(?:.+/)?app_template/",
    r"^(?:.+/)?project_name/",
    r"^(?:.+/)?noxfile\.py(?:/|$)",
    r"^(?:.+/)?noxfiles/",
)
_ANY_FOLDERS = "^(?:.+/)?"
"""How pathspec's expression of a pattern without a slash before its end starts: at any depth."""


def _one_expression(regexes: tuple[str, ...]):
    """The expressions of ``regexes`` (each anchored with ``^``) in one that matches where any of them does:
    those that start at any depth share one ``^(?:.+/)?`` and those at the top one ``^``, so that the
    folders before a name are tried once for all the names, not once per pattern."""
    import re
    assert all(r.startswith("^") for r in regexes)
    anywhere = [r[len(_ANY_FOLDERS):] for r in regexes if r.startswith(_ANY_FOLDERS)]
    at_top = [r[1:] for r in regexes if not r.startswith(_ANY_FOLDERS)]
    parts = [f"{_ANY_FOLDERS}(?:{'|'.join(anywhere)})"] if anywhere else []
    parts += [f"^(?:{'|'.join(at_top)})"] if at_top else []
    return re.compile("|".join(parts))


def _anchored_literal(pattern: str) -> str | None:
    """The expression pathspec makes of ``/folder/`` or ``/folder/file`` whose parts are plain names (letters,
    digits, ``_``, ``.``, ``-``; not dots alone): a path below the top, as ``source.test_layout`` adds them.
    None for any other pattern (globs, escapes, spaces, patterns at any depth...), which pathspec reads."""
    body = pattern[1:-1] if pattern.endswith("/") else pattern[1:]
    if not pattern.startswith("/") or not _PLAIN_PATH.fullmatch(body) \
            or any(not part.strip(".") for part in body.split("/")):
        return None
    return f"^{re.escape(body)}/" if pattern.endswith("/") else f"^{re.escape(body)}(?:/|$)"


_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*")


CONFIG_FILE_LIMIT = 5_000_000
"""A ``pyproject.toml`` larger than this is refused rather than parsed."""

TABLE = "[tool.secreview]"
ALL_RULES = "all"
"""In ``select``: every rule, those of the extended set included."""


class ConfigError(Exception):
    """A configuration file that cannot be used; the message is one line naming the file and the problem."""


@dataclass(frozen=True)
class Config:
    exclude: tuple[str, ...] = ()
    """Gitignore-style patterns, relative to ``root``, of paths not to review."""
    select: tuple[str, ...] = ()
    """Rule ids to run (names are normalised to ids when loaded), or ``all``; empty means the
    default set (every rule but those of the extended set, ``Rule.extended``)."""
    ignore: tuple[str, ...] = ()
    """Rule ids never to run."""
    min_severity: Level = Level.LOW
    min_confidence: Level = Level.MEDIUM
    """Low-confidence findings are those judged mostly false on real code (docs/precision.md): a trace
    resting on a guess about unreviewed code, a secret known by its name alone. By default they are
    withheld and counted beside the verdict."""
    test_paths: tuple[str, ...] = DEFAULT_TEST_PATHS
    """Gitignore-style patterns of test code (some rules are off there, findings are tagged)."""
    tests_on_demand: bool = True
    """Test code (``test_paths``) is analysed only where other code calls into it (``on_demand``): its
    own findings are then not looked for. Not a setting of the file: the review turns it off when
    the user names a file, or names test code only (``engine.pipeline.review``)."""
    named_tests: frozenset[str] = frozenset()
    """Test files (display paths) analysed in full all the same: those a change review's change touches,
    and those of non-production code (``docs/``, ``examples/``: their findings are counted beside the
    verdict, and listed with ``--include-non-production``)."""
    non_production_paths: tuple[str, ...] = DEFAULT_NON_PRODUCTION_PATHS
    """Gitignore-style patterns, relative to the reviewed project (``root``, or the directory named on
    the command line), of code that is not the project's running code (examples, benchmarks, developer
    tools): analysed, but its findings are withheld from the report (and counted) unless asked for."""
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    models: tuple[str, ...] = ()
    """Extra taint-model TOML files as written in the configuration."""
    model_paths: tuple[Path, ...] = ()
    """``models`` resolved to absolute paths (relative to the configuration file)."""
    analysis_budget: int = DEFAULT_ANALYSIS_BUDGET
    """Analysis steps allowed per function (see ``DEFAULT_ANALYSIS_BUDGET``)."""
    llm_caps: tuple[tuple[str, int], ...] = ()
    """``[tool.secreview.llm]``: caps of the model pass that this project lowers (attribute, value);
    never an endpoint, model or key (``secreview.llm.caps``)."""
    source_roots: tuple[str, ...] = ()
    """Folders, relative to ``root``, that Python finds modules in besides the reviewed root and
    ``src`` folders (like Ruff's ``src``): ``backend`` makes ``backend/app/models.py`` ``app.models``."""
    source_root_paths: tuple[Path, ...] = ()
    """``source_roots`` resolved to absolute paths."""
    root: Path | None = None
    """The directory of the configuration file."""
    source: Path | None = None
    """The configuration file, or None for the defaults."""

    @cached_property
    def _test_match(self):
        """``GitIgnoreSpec.from_lines(test_paths).match_file``; for the default test paths, and those with
        the folders and files a project's test runner is told of added (``source.test_layout``: plain names
        below the top, ``_anchored_literal``), the regular expressions pathspec makes of them, in one
        (``_one_expression``), without importing pathspec (60 ms)."""
        extra = self.test_paths[len(DEFAULT_TEST_PATHS):]
        if self.test_paths[:len(DEFAULT_TEST_PATHS)] == DEFAULT_TEST_PATHS:
            regexes = [_anchored_literal(pattern) for pattern in extra]
            if None not in regexes:
                default = _one_expression(_DEFAULT_TEST_REGEXES + tuple(regexes))
                return lambda path: default.match(path.removeprefix("./")) is not None  # as pathspec's normalize_file
        from pathspec import GitIgnoreSpec
        return GitIgnoreSpec.from_lines(list(self.test_paths)).match_file

    def is_test_path(self, display_path: str) -> bool:
        """Whether a file (as displayed: forward slashes, relative) is test code."""
        path = display_path.replace("\\", "/")
        while path.startswith("./"):
            path = path[2:]
        path = path.lstrip("/")
        return bool(path) and self._test_match(path)

    def on_demand(self, display_path: str) -> bool:
        """Whether a file's functions are analysed only when other code asks for their summaries:
        test code the user did not ask for. Findings in test code are for the test suite's authors:
        what production code does never rests on test code (test code is no caller of it), so
        every finding outside test code is the same either way."""
        return self.tests_on_demand and display_path not in self.named_tests and self.is_test_path(display_path)

    @cached_property
    def _non_production_match(self):
        """``GitIgnoreSpec.from_lines(non_production_paths).match_file``; for the default paths, the
        regular expressions pathspec makes of them, in one (``_one_expression``), without importing
        pathspec (as ``_test_match``)."""
        if not self.non_production_paths:
            return lambda path: False
        if self.non_production_paths == DEFAULT_NON_PRODUCTION_PATHS:
            default = _one_expression(_DEFAULT_NON_PRODUCTION_REGEXES)
            return lambda path: default.match(path.removeprefix("./")) is not None  # as pathspec's normalize_file
        from pathspec import GitIgnoreSpec
        return GitIgnoreSpec.from_lines(list(self.non_production_paths)).match_file

    def is_non_production_path(self, relative_path: str) -> bool:
        """Whether a path relative to the reviewed project (forward slashes; a directory ends with
        ``/``) is non-production code (``non_production_paths``)."""
        path = relative_path.replace("\\", "/")
        while path.startswith("./"):
            path = path[2:]
        path = path.lstrip("/")
        return bool(path) and self._non_production_match(path)

    def rule_enabled(self, rule: Any, *, tier: bool = True) -> bool:
        """Whether ``rule`` (a ``Rule`` class or instance, or a ``RuleInfo``) is selected and not
        ignored. With no ``select``, a rule of the extended set is not, unless ``tier`` is false
        (a caller that named its rules itself)."""
        keys = {str(rule.id).lower(), str(rule.name).lower()}
        if any(_norm(k) in keys for k in self.ignore):
            return False
        if self.select:
            return any(_norm(k) in keys or _norm(k) == ALL_RULES for k in self.select)
        return not (tier and getattr(rule, "extended", False))


def _norm(key: str) -> str:
    return key.strip().lower()


DEFAULT_CONFIG = Config()

_KEYS = {
    "exclude": "exclude",
    "select": "select",
    "ignore": "ignore",
    "min-severity": "min_severity",
    "min-confidence": "min_confidence",
    "test-paths": "test_paths",
    "non-production-paths": "non_production_paths",
    "max-file-size": "max_file_size",
    "models": "models",
    "analysis-budget": "analysis_budget",
    "llm": "llm_caps",
    "source-roots": "source_roots",
}
VALID_KEYS = tuple(sorted(_KEYS))


def _error(path: Path, message: str) -> ConfigError:
    return ConfigError(f"{path}: {message}")


def _string_list(path: Path, key: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        raise _error(path, f"{TABLE} {key}: expected a list of strings, not a string (write [{value!r}])")
    if not isinstance(value, list):
        raise _error(path, f"{TABLE} {key}: expected a list of strings, not {_toml_type(value)}")
    for item in value:
        if not isinstance(item, str):
            raise _error(path, f"{TABLE} {key}: expected a list of strings, found {_toml_type(item)} {item!r}")
    return tuple(value)


def _toml_type(value: object) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _patterns(path: Path, key: str, value: object) -> tuple[str, ...]:
    from pathspec import GitIgnoreSpec

    patterns = _string_list(path, key, value)
    for pattern in patterns:
        if "\n" in pattern or "\r" in pattern:
            raise _error(path, f"{TABLE} {key}: pattern {pattern!r} spans lines")
        try:
            GitIgnoreSpec.from_lines([pattern])
        except ValueError as exc:
            raise _error(path, f"{TABLE} {key}: invalid pattern {pattern!r}: {exc}") from None
    return patterns


def _rules(path: Path, key: str, value: object) -> tuple[str, ...]:
    from secreview.rules.registry import all_rules, find_rule  # (not imported by a configuration without rules)

    ids = []
    for item in _string_list(path, key, value):
        if key == "select" and _norm(item) == ALL_RULES:
            ids.append(ALL_RULES)
            continue
        rule = find_rule(item)
        if rule is None:
            known = ", ".join(f"{r.id} ({r.name})" for r in all_rules())
            raise _error(path, f"{TABLE} {key}: unknown rule {item!r}; known rules: {known}")
        if rule.id not in ids:
            ids.append(rule.id)
    return tuple(ids)


def select_list(text: str) -> tuple[str, ...]:
    """``--select``'s comma-separated rule ids or names (or ``all``), as ``select`` holds them."""
    from secreview.rules.registry import find_rule

    ids: list = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if _norm(item) == ALL_RULES:
            ids.append(ALL_RULES)
            continue
        rule = find_rule(item)
        if rule is None:
            raise ConfigError(f"--select: unknown rule {item!r}; `secreview rules` lists them")
        ids.append(rule.id)
    if not ids:
        raise ConfigError("--select: no rule named")
    return tuple(dict.fromkeys(ids))


def _level(path: Path, key: str, value: object) -> Level:
    if not isinstance(value, str):
        raise _error(path, f"{TABLE} {key}: expected low, medium or high, not {_toml_type(value)} {value!r}")
    try:
        return Level.parse(value)
    except ValueError as exc:
        raise _error(path, f"{TABLE} {key}: {exc}") from None


def _size(path: Path, key: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _error(path, f"{TABLE} {key}: expected a number of bytes, not {_toml_type(value)} {value!r}")
    if value <= 0:
        raise _error(path, f"{TABLE} {key}: expected a positive number of bytes, not {value}")
    return value


def _steps(path: Path, key: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _error(path, f"{TABLE} {key}: expected a number of analysis steps, not {_toml_type(value)} {value!r}")
    if value <= 0:
        raise _error(path, f"{TABLE} {key}: expected a positive number of analysis steps, not {value}")
    return value


def _model_paths(path: Path, key: str, models: tuple[str, ...], confine: bool) -> tuple[Path, ...]:
    base = path.parent
    resolved = []
    for model in models:
        if not model.strip():
            raise _error(path, f"{TABLE} {key}: empty path")
        target = (base / model).resolve()
        if confine and not target.is_relative_to(base.resolve()):
            raise _error(
                path,
                f"{TABLE} {key}: {model!r} lies outside the project ({base}); "
                "name such a model file with an explicit --config",
            )
        if not target.is_file():
            raise _error(path, f"{TABLE} {key}: model file {model!r} not found (looked for {target})")
        resolved.append(target)
    return tuple(resolved)


def config_from_table(table: dict[str, Any], path: Path, *, confine_models: bool = True) -> Config:
    """Validate a ``[tool.secreview]`` table read from ``path``."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            hint = ""
            if key.replace("_", "-") in _KEYS:
                hint = f" (did you mean {key.replace('_', '-')!r}?)"
            raise _error(path, f"unknown key {key!r} in {TABLE}{hint}; valid keys: {', '.join(VALID_KEYS)}")
        attr = _KEYS[key]
        if key in ("exclude", "test-paths", "non-production-paths"):
            values[attr] = _patterns(path, key, value)
        elif key in ("select", "ignore"):
            values[attr] = _rules(path, key, value)
        elif key in ("min-severity", "min-confidence"):
            values[attr] = _level(path, key, value)
        elif key == "max-file-size":
            values[attr] = _size(path, key, value)
        elif key == "analysis-budget":
            values[attr] = _steps(path, key, value)
        elif key == "llm":
            from secreview.llm.caps import CapsError, parse_caps
            try:
                values[attr] = tuple(sorted(parse_caps(value, f"{TABLE[:-1]}.llm]").items()))
            except CapsError as exc:
                raise _error(path, str(exc)) from None
        elif key == "source-roots":
            roots = _string_list(path, key, value)
            values["source_roots"] = roots
            values["source_root_paths"] = tuple((path.parent / r).resolve() for r in roots)
        elif key == "models":
            models = _string_list(path, key, value)
            values["models"] = models
            values["model_paths"] = _model_paths(path, key, models, confine_models)
    return replace(DEFAULT_CONFIG, **values, root=path.parent, source=path)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = read_regular_file(path, CONFIG_FILE_LIMIT)
    except OSError as exc:
        raise _error(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _error(path, f"not UTF-8 (byte offset {exc.start})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _error(path, f"invalid TOML: {exc}") from None
    except RecursionError:
        raise _error(path, "invalid TOML: nested too deeply") from None


def _secreview_table(doc: dict[str, Any], path: Path) -> dict[str, Any] | None:
    tool = doc.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise _error(path, f"'tool' must be a table, not {_toml_type(tool)}")
    table = tool.get("secreview")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise _error(path, f"'tool.secreview' must be a table, not {_toml_type(table)}")
    return table


def find_config_file(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.secreview]`` table, from ``start`` upward.

    The search stops at the filesystem root or after a directory holding ``.git``
    (the top of the repository).
    """
    directory = Path(os.path.abspath(start))
    if not directory.is_dir():
        directory = directory.parent
    while True:
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and _secreview_table(_read_toml(candidate), candidate) is not None:
            return candidate
        if os.path.lexists(directory / ".git") or directory.parent == directory:
            return None
        directory = directory.parent


def load_config(start: Path, explicit: Path | None = None) -> Config:
    """The configuration for reviewing ``start`` (a file or directory).

    With ``explicit``, that file is used: its ``[tool.secreview]`` table, or, for
    a file not named ``pyproject.toml`` with no such table, the whole document.
    Otherwise the nearest ``pyproject.toml`` with a ``[tool.secreview]`` table
    (see ``find_config_file``); none found gives ``DEFAULT_CONFIG``.
    Raises ``ConfigError``.
    """
    if explicit is not None:
        path = Path(os.path.abspath(explicit))
        if not path.exists():
            raise ConfigError(f"{path}: configuration file not found")
        doc = _read_toml(path)
        table = _secreview_table(doc, path)
        if table is None:
            table = {} if path.name == "pyproject.toml" else doc
        return config_from_table(table, path, confine_models=False)
    found = find_config_file(start)
    if found is None:
        return DEFAULT_CONFIG
    table = _secreview_table(_read_toml(found), found)
    assert table is not None
    return config_from_table(table, found)


__all__ = [
    "DEFAULT_ANALYSIS_BUDGET",
    "DEFAULT_CONFIG",
    "DEFAULT_NON_PRODUCTION_PATHS",
    "DEFAULT_TEST_PATHS",
    "VALID_KEYS",
    "Config",
    "ConfigError",
    "config_from_table",
    "find_config_file",
    "load_config",
]

# Keep the dataclass field list and the key table in step.
assert {f.name for f in fields(Config)} == set(_KEYS.values()) | {"model_paths", "source_root_paths", "root", "source",
                                                                   "tests_on_demand", "named_tests"}
