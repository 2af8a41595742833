import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secreview.config import (
    DEFAULT_CONFIG,
    DEFAULT_NON_PRODUCTION_PATHS,
    DEFAULT_TEST_PATHS,
    VALID_KEYS,
    Config,
    ConfigError,
    load_config,
)
from secreview.findings.model import Level
from secreview.rules.registry import find_rule


def pyproject(directory: Path, body: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    p = directory / "pyproject.toml"
    p.write_text(body)
    return p


def test_defaults_when_no_config(tmp_path):
    (tmp_path / ".git").mkdir()  # stop the upward search here
    cfg = load_config(tmp_path)
    assert cfg is DEFAULT_CONFIG
    assert cfg.min_severity is Level.LOW and cfg.min_confidence is Level.MEDIUM
    assert cfg.test_paths == DEFAULT_TEST_PATHS
    assert cfg.max_file_size == 2_000_000
    assert cfg.source is None and cfg.root is None


def test_found_upward_from_file(tmp_path):
    p = pyproject(
        tmp_path,
        """
[project]
name = "x"

[tool.secreview]
exclude = ["migrations/"]
select = ["command-injection"]
min-severity = "Medium"
min-confidence = "high"
test-paths = ["qa/"]
max-file-size = 1000
""",
    )
    (tmp_path / "src/pkg").mkdir(parents=True)
    target = tmp_path / "src/pkg/m.py"
    target.write_text("")
    cfg = load_config(target)
    assert cfg.source == p
    assert cfg.root == tmp_path
    assert cfg.exclude == ("migrations/",)
    assert cfg.select == ("SR101",)  # names are normalised to ids
    assert cfg.min_severity is Level.MEDIUM
    assert cfg.min_confidence is Level.HIGH
    assert cfg.test_paths == ("qa/",)
    assert cfg.max_file_size == 1000


def test_search_stops_at_git_root(tmp_path):
    pyproject(tmp_path, "[tool.secreview]\nignore = ['SR101']\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "src").mkdir()
    assert load_config(repo / "src") is DEFAULT_CONFIG
    # Without the .git boundary the outer file is found.
    (repo / ".git").rmdir()
    assert load_config(repo / "src").ignore == ("SR101",)


def test_pyproject_without_section_is_passed_over(tmp_path):
    outer = pyproject(tmp_path, "[tool.secreview]\nmin-severity = 'high'\n")
    pyproject(tmp_path / "sub", "[project]\nname = 'sub'\n")
    cfg = load_config(tmp_path / "sub")
    assert cfg.source == outer and cfg.min_severity is Level.HIGH


def test_malformed_toml(tmp_path):
    pyproject(tmp_path, "[tool.secreview]\nexclude = [\n  'a',\n  oops\n]\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    msg = str(info.value)
    assert "pyproject.toml" in msg and "invalid TOML" in msg and "line 4" in msg
    assert "\n" not in msg


def test_unknown_key_lists_valid_keys(tmp_path):
    pyproject(tmp_path, "[tool.secreview]\nseverity = 'high'\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    msg = str(info.value)
    assert "'severity'" in msg
    for key in VALID_KEYS:
        assert key in msg


def test_snake_case_key_gets_a_hint(tmp_path):
    pyproject(tmp_path, "[tool.secreview]\nmin_severity = 'high'\n")
    with pytest.raises(ConfigError, match="did you mean 'min-severity'"):
        load_config(tmp_path)


@pytest.mark.parametrize("key", ["plugins", "load", "import", "python-path"])
def test_code_loading_keys_rejected(tmp_path, key):
    pyproject(tmp_path, f"[tool.secreview]\n{key} = ['evil_module']\n")
    with pytest.raises(ConfigError, match=f"unknown key '{key}'"):
        load_config(tmp_path)


def test_nested_table_rejected(tmp_path):
    pyproject(tmp_path, "[tool.secreview.plugins]\nx = 'y'\n")
    with pytest.raises(ConfigError, match="unknown key 'plugins'"):
        load_config(tmp_path)


def test_bad_level(tmp_path):
    pyproject(tmp_path, "[tool.secreview]\nmin-confidence = 'critical'\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert "min-confidence" in str(info.value) and "'critical'" in str(info.value)
    pyproject(tmp_path, "[tool.secreview]\nmin-severity = 3\n")
    with pytest.raises(ConfigError, match="min-severity"):
        load_config(tmp_path)


def test_unknown_rule_id(tmp_path):
    pyproject(tmp_path, "[tool.secreview]\nignore = ['SR999']\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert "'SR999'" in str(info.value) and "ignore" in str(info.value) and "SR101" in str(info.value)


@pytest.mark.parametrize(
    "body, fragment",
    [
        ("exclude = 'migrations/'", "not a string"),
        ("exclude = [1]", "list of strings"),
        ("select = 'SR101'", "not a string"),
        ("max-file-size = '2MB'", "max-file-size"),
        ("max-file-size = true", "max-file-size"),
        ("max-file-size = -5", "positive"),
        ("test-paths = {a = 1}", "test-paths"),
        ("models = ['missing.toml']", "not found"),
    ],
)
def test_strict_types(tmp_path, body, fragment):
    pyproject(tmp_path, f"[tool.secreview]\n{body}\n")
    with pytest.raises(ConfigError, match=fragment):
        load_config(tmp_path)


def test_section_must_be_a_table(tmp_path):
    pyproject(tmp_path, "[tool]\nsecreview = 1\n")
    with pytest.raises(ConfigError, match="must be a table"):
        load_config(tmp_path)


def test_models_resolved_relative_to_config(tmp_path):
    (tmp_path / "sec").mkdir()
    (tmp_path / "sec/models.toml").write_text("")
    pyproject(tmp_path, "[tool.secreview]\nmodels = ['sec/models.toml']\n")
    cfg = load_config(tmp_path / "sec")
    assert cfg.models == ("sec/models.toml",)
    assert cfg.model_paths == ((tmp_path / "sec/models.toml").resolve(),)
    assert all(p.is_absolute() for p in cfg.model_paths)


def test_discovered_config_cannot_point_models_outside_project(tmp_path):
    (tmp_path / "outside.toml").write_text("")
    pyproject(tmp_path / "proj", "[tool.secreview]\nmodels = ['../outside.toml']\n")
    with pytest.raises(ConfigError, match="outside the project"):
        load_config(tmp_path / "proj")
    # ...but an explicitly named configuration may.
    cfg = load_config(tmp_path / "proj", explicit=tmp_path / "proj/pyproject.toml")
    assert cfg.model_paths == ((tmp_path / "outside.toml").resolve(),)


def test_explicit_standalone_file(tmp_path):
    p = tmp_path / "secreview.toml"
    p.write_text("ignore = ['command-injection']\n")
    cfg = load_config(tmp_path / "elsewhere", explicit=p)
    assert cfg.ignore == ("SR101",) and cfg.source == p and cfg.root == tmp_path
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path, explicit=tmp_path / "nope.toml")


def test_is_test_path():
    cfg = DEFAULT_CONFIG
    assert cfg.is_test_path("tests/test_a.py")
    assert cfg.is_test_path("pkg/tests/helpers.py")
    assert cfg.is_test_path("./src/test_views.py")
    assert cfg.is_test_path("src/views_test.py")
    assert cfg.is_test_path("conftest.py")
    assert not cfg.is_test_path("src/views.py")
    assert not cfg.is_test_path("src/contest.py")
    assert cfg.is_test_path("smtLayer/smtTest.py") and cfg.is_test_path("app/LoginTests.py")
    assert not cfg.is_test_path("src/latest.py") and not cfg.is_test_path("src/Test.py")
    assert Config(test_paths=("qa/",)).is_test_path("qa/x.py")
    assert not Config(test_paths=("qa/",)).is_test_path("tests/x.py")


def test_rule_enabled():
    rule = find_rule("SR101")
    assert DEFAULT_CONFIG.rule_enabled(rule)
    assert not Config(ignore=("SR101",)).rule_enabled(rule)
    assert not Config(ignore=("Command-Injection",)).rule_enabled(rule)
    assert Config(select=("sr101",)).rule_enabled(rule)

    class Other:
        id, name = "SR999", "other"

    assert not Config(select=("SR101",)).rule_enabled(Other)
    assert Config(ignore=("SR101",)).rule_enabled(Other)


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_CONFIG.max_file_size = 1  # type: ignore[misc]


def test_the_default_test_path_expressions_are_those_pathspec_makes():
    from pathspec import GitIgnoreSpec

    from secreview.config import _DEFAULT_TEST_REGEXES

    spec = GitIgnoreSpec.from_lines(list(DEFAULT_TEST_PATHS))
    assert all(p.include and not p.regex.flags & ~re.UNICODE for p in spec.patterns)
    assert tuple(p.regex.pattern.replace("(?P<ps_d>/)", "/") for p in spec.patterns) == _DEFAULT_TEST_REGEXES


def test_the_default_non_production_path_expressions_are_those_pathspec_makes():
    from pathspec import GitIgnoreSpec

    from secreview.config import _DEFAULT_NON_PRODUCTION_REGEXES

    spec = GitIgnoreSpec.from_lines(list(DEFAULT_NON_PRODUCTION_PATHS))
    assert all(p.include and not p.regex.flags & ~re.UNICODE for p in spec.patterns)
    assert tuple(p.regex.pattern.replace("(?P<ps_d>/)", "/") for p in spec.patterns) == \
        _DEFAULT_NON_PRODUCTION_REGEXES


NON_PRODUCTION_PARTS = ["examples", "example", "example_app", "docs", "doc", "bench", "benchmarks", "contrib",
                        "tools", "scripts", "scripts-dev", "dev_tools", ".github", "sphinxext", "setup.py",
                        "noxfile.py", "noxfiles", "_vendor", "vendored", "third_party", "thirdparty", "third-party",
                        "scaffolds",
                        "project_template", "app_template", "pkg", "x.py", "", ".", "..", "Examples", "setup.pyc",
                        "tools.py", "a\nb", "\n", " ", "\\", "docs_x", "xdocs"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(NON_PRODUCTION_PARTS), min_size=1, max_size=5),
       st.sampled_from(["", "./", "/", "././", "/./", ".//"]), st.sampled_from(["", "/", "\n"]))
def test_default_non_production_paths_match_as_pathspec_matches(parts, prefix, suffix):
    path = prefix + "/".join(parts) + suffix
    with_pathspec = Config(non_production_paths=DEFAULT_NON_PRODUCTION_PATHS + ("docs/",))  # pathspec decides
    assert DEFAULT_CONFIG.is_non_production_path(path) == with_pathspec.is_non_production_path(path), path


def test_real_paths_are_non_production_as_pathspec_says():
    from pathspec import GitIgnoreSpec

    spec = GitIgnoreSpec.from_lines(list(DEFAULT_NON_PRODUCTION_PATHS))
    paths = ["docs/conf.py", "django/conf/project_template/manage.py-tpl", "setup.py", "setup.py/x", "a/setup.py",
             "tools/x.py", "a/tools/x.py", "scripts/x.py", "a/scripts/x.py", ".github/x.py", "a/.github/x.py",
             "example_app/x.py", "a/example_b/c.py", "example_/x.py", "example_.py", "noxfile.py", "a/noxfile.py",
             "noxfile.pyc", "a/b/c/_vendor/d.py", "salt/ext/tornado/x.py", "examples", "examples/", "setup.py\n",
             "tools/\n", "x/docs", "x/docs/", "dev-tools/a.py", "dev_tools/a.py", "devtools/a.py",
             "scripts-dev/a.py", "scripts\\dev/a.py"]
    for path in paths:
        assert DEFAULT_CONFIG.is_non_production_path(path) == spec.match_file(path.replace("\\", "/")), path


EXPRESSION_PARTS = ["docs", "doc", "tools", "setup.py", "noxfile.py", "example_x", "example_", "a", "a.py",
                    "tests", "test_a.py", "a_test.py", "testapp", "rally-jobs", "aTest.py", "conftest.py", "", ".",
                    "\n", "setup.pyx", ".github", "scripts-dev", "scripts\\-dev"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(EXPRESSION_PARTS), min_size=1, max_size=5), st.sampled_from(["", "/", "\n", "/x"]))
def test_one_expression_matches_where_one_of_the_expressions_does(parts, suffix):
    from secreview.config import _DEFAULT_NON_PRODUCTION_REGEXES, _DEFAULT_TEST_REGEXES, _one_expression

    path = "/".join(parts) + suffix
    for regexes in (_DEFAULT_TEST_REGEXES, _DEFAULT_NON_PRODUCTION_REGEXES):
        assert (_one_expression(regexes).match(path) is not None) == any(re.match(r, path) for r in regexes), path


PATH_PARTS = ["tests", "test", "testing", "conftest.py", "test_a.py", "a_test.py", "test_.py", "_test.py", "x.py",
              "pkg", "", ".", "..", "tests.py", "test_a.pyc", "Tests", "test_a.py.x", "atest_b.py", " ", "\\"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PATH_PARTS), min_size=1, max_size=5), st.sampled_from(["", "./", "/", "././", "/./"]))
def test_default_test_paths_match_as_pathspec_matches(parts, prefix):
    path = prefix + "/".join(parts)
    with_pathspec = Config(test_paths=DEFAULT_TEST_PATHS + ("tests/",))  # not the default: pathspec decides
    assert DEFAULT_CONFIG.is_test_path(path) == with_pathspec.is_test_path(path), path


RUNNER_NAMES = ["t", "unit", "units", "test", "integration", "a.b", "x-y", "_u", ".ci", "...", "..", ".", "a b", "a*",
                "[a]", "a\\b", "!x", "#x", "test_x.py", "x.py", "**", ""]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.lists(st.sampled_from(RUNNER_NAMES), min_size=1, max_size=3), max_size=3),
       st.lists(st.booleans(), min_size=3, max_size=3),
       st.lists(st.sampled_from(RUNNER_NAMES + ["tests", "pkg", "m.py"]), min_size=1, max_size=5),
       st.sampled_from(["", "./", "/"]))
def test_test_paths_a_test_runner_adds_match_as_pathspec_matches(patterns, folders, parts, prefix):
    # the patterns ``source.test_layout`` adds after the defaults (``/t/unit/``, ``/tests/test_x.py``): plain ones
    # are matched without pathspec (``_anchored_literal``), any other by pathspec, and both as pathspec would
    from pathspec import GitIgnoreSpec

    extra = tuple("/" + "/".join(names) + ("/" if folder else "") for names, folder in zip(patterns, folders))
    config = Config(test_paths=DEFAULT_TEST_PATHS + extra)
    path = prefix + "/".join(parts)
    normal = path.replace("\\", "/")
    while normal.startswith("./"):  # (as is_test_path gives it to the matcher: ``././/t`` is ``t``)
        normal = normal[2:]
    normal = normal.lstrip("/")
    expected = bool(normal) and GitIgnoreSpec.from_lines(list(config.test_paths)).match_file(normal)
    assert config.is_test_path(path) == expected, (extra, path)


def test_plain_test_runner_paths_need_no_pathspec():
    from secreview.config import _anchored_literal

    assert _anchored_literal("/t/unit/") == "^t/unit/"
    assert _anchored_literal("/tests/test_x.py") == r"^tests/test_x\.py(?:/|$)"
    assert [_anchored_literal(p) for p in ("t/unit/", "/t/*/", "/a b/", "/../x/", "/", "/a//b/")] == [None] * 6
