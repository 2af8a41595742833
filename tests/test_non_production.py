"""Non-production code: examples, documentation, benchmarks and the project's top-level
developer tools (``non-production-paths``) are reviewed, but their findings are withheld from
the report unless asked for (``--include-non-production``) or named on the command line; how
many were withheld is said beside the verdict in every format and counted in JSON
``summary.non_production``."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from secreview.cli import main
from secreview.config import DEFAULT_CONFIG, ConfigError, load_config
from secreview.engine.pipeline import ReviewOptions, review
from secreview.findings.model import ReviewResult
from secreview.reports import FORMATS, NO_DEFECTS, ReportOptions, render
from secreview.reports.json_report import SCHEMA_PATH

VULNERABLE = ("import os\nfrom flask import request\n\ndef run(cmd):\n    os.system('ls ' + cmd)\n\n\n"
              "run(request.args['cmd'])\n")
CLEAN = "x = 1\n"


def make(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def report(args: list[str], capsys) -> dict:
    main([*args, "--format", "json", "--no-cache", "--no-progress", "--exit-zero", "--jobs", "1"])
    return json.loads(capsys.readouterr().out)


def paths(doc: dict) -> set[str]:
    return {f["path"] for f in doc["findings"]}


@pytest.fixture
def project(tmp_path, monkeypatch):
    make(tmp_path, {
        "app/__init__.py": "",
        "app/views.py": VULNERABLE,
        "app/tools/run.py": VULNERABLE,  # a package module named tools: production code
        "app/docs_helper.py": VULNERABLE,  # a name containing "docs" is not a docs/ directory
        "examples/demo_app.py": VULNERABLE,
        "src/pkg/examples/more.py": VULNERABLE,  # examples/ anywhere
        "falcon/bench/bench.py": VULNERABLE,  # bench/ anywhere
        "benchmarks/b.py": VULNERABLE,
        "contrib/script.py": VULNERABLE,  # top-level contrib/ and tools/
        "tools/gen.py": VULNERABLE,
        "scripts/logformat.py": VULNERABLE,  # top-level maintainers' scripts and extras
        "extras/dummy/generator.py": VULNERABLE,
        "app/scripts/run.py": VULNERABLE,  # a package's scripts module: production code
        "scripts-dev/schema_versions.py": VULNERABLE,  # developer-only scripts under another name
        "app/sphinxext/palette_role.py": VULNERABLE,  # a Sphinx extension building the documentation
        ".github/scripts/smoke.py": VULNERABLE,  # a script the project's CI jobs run
    })
    monkeypatch.chdir(tmp_path)
    return tmp_path


PRODUCTION = {"app/views.py", "app/tools/run.py", "app/docs_helper.py", "app/scripts/run.py"}
WITHHELD = {"examples/demo_app.py", "src/pkg/examples/more.py", "falcon/bench/bench.py", "benchmarks/b.py",
            "contrib/script.py", "tools/gen.py", "scripts/logformat.py", "extras/dummy/generator.py",
            "scripts-dev/schema_versions.py", "app/sphinxext/palette_role.py", ".github/scripts/smoke.py"}


def test_findings_in_non_production_code_are_withheld_and_counted(project, capsys):
    doc = report(["review", "."], capsys)
    assert paths(doc) == PRODUCTION
    assert doc["summary"]["non_production"] == {
        "findings": 11, "files": 11, "examples": [".github/scripts/smoke.py", "app/sphinxext/palette_role.py",
                                                  "benchmarks/b.py"]}
    assert doc["summary"]["files_reviewed"] == 16  # all reviewed: only their findings are withheld
    jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).validate(doc)


def test_include_non_production_lists_them(project, capsys):
    doc = report(["review", ".", "--include-non-production"], capsys)
    assert paths(doc) == PRODUCTION | WITHHELD
    assert doc["summary"]["non_production"]["findings"] == 0


def test_anchored_paths_are_relative_to_the_project_not_the_current_directory(project, capsys, monkeypatch):
    monkeypatch.chdir(project.parent)
    doc = report(["review", str(project)], capsys)  # named from outside: the named directory is the project
    assert {Path(p).relative_to(project).as_posix() for p in paths(doc)} == PRODUCTION
    doc = report(["review", str(project / "app")], capsys)  # a package's tools/ is not a top-level tools/
    assert {Path(p).relative_to(project).as_posix() for p in paths(doc)} == PRODUCTION


def test_a_path_named_on_the_command_line_is_reported(project, capsys):
    doc = report(["review", "tools/gen.py", "app/views.py"], capsys)
    assert paths(doc) == {"tools/gen.py", "app/views.py"}
    assert doc["summary"]["non_production"]["findings"] == 0
    doc = report(["review", "examples"], capsys)
    assert paths(doc) == {"examples/demo_app.py"}
    doc = report(["review", "contrib", "app"], capsys)
    assert paths(doc) == {"contrib/script.py"} | PRODUCTION
    # a directory above the non-production one is not a request for it
    doc = report(["review", "src"], capsys)
    assert paths(doc) == set() and doc["summary"]["non_production"]["findings"] == 1


def test_configuration_replaces_the_default(project, capsys):
    # (examples/ is a default test path too: analysed in full with --include-tests, or as non-production code)
    (project / "pyproject.toml").write_text('[tool.secreview]\nnon-production-paths = ["/app/tools/"]\n')
    doc = report(["review", ".", "--include-tests"], capsys)
    assert paths(doc) == (PRODUCTION | WITHHELD) - {"app/tools/run.py"}
    (project / "pyproject.toml").write_text('[tool.secreview]\nnon-production-paths = []\n')
    assert paths(report(["review", ".", "--include-tests"], capsys)) == PRODUCTION | WITHHELD
    (project / "pyproject.toml").write_text('[tool.secreview]\nnon-production-paths = "tools/"\n')
    with pytest.raises(ConfigError, match="non-production-paths"):
        load_config(project)


def test_the_default_patterns():
    match = DEFAULT_CONFIG.is_non_production_path
    for path in ("examples/a.py", "x/example/a.py", "docs/conf.py", "a/doc/b.py", "p/bench/b.py",
                 "benchmarks/x.py", "benchmark/_starlette.py", "contrib/a.py", "tools/a.py", "demo/a.py",
                 "samples/s.py", "setup.py",
                 "dagster/_vendored/dateutil/zoneinfo/rebuild.py", "pip/_vendor/rich/x.py", "app/vendored/lib.py",
                 "third_party/pkg/mod.py", "thirdparty/antlr3-antlr-3.5/runtime/Python/antlr3/debug.py",
                 "x/third-party/y.py", "pecan/scaffolds/rest-api/+package+/controllers/root.py",
                 "django/conf/project_template/project_name/settings.py-tpl.py", "x/app_template/views.py",
                 "noxfile.py", "noxfiles/run_infrastructure.py", "docs_src/identity_assertion/tutorial001.py",
                 "build_scripts/generate_macOS_launchctl_service_files.py", "build-scripts/mkdeb.py",
                 "benchmarking/k8s-benchmark/openai-mock-server.py", "src/evidently/ui/service/demo_projects/bikes.py",
                 "hatch_build.py", "eoxserver/instance_template/project_name/settings.py",
                 "exampleapp/settings.py", "src/demoproject/urls.py", "sampleapp/views.py",
                 # a developer tool's folder at the top, which no import reaches (a dot cannot start a package name)
                 ".opencode/skills/liveserver/liveserver_settings.py", ".devcontainer/setup.py", ".vscode/x.py"):
        assert match(path), path
    for path in ("app/tools/a.py", "app/contrib/auth.py", "tools.py", "contrib.py", "app/examples.py",
                 "docs_helper.py", "benchmark.py", "app/setup.py", "setup_views.py", "shop/vendor/models.py",
                 "app/vendors.py", "app/noxfile_helpers.py", "app/docs_srcs.py", "app/docs_src.py",
                 "app/build_scripts/x.py", "build_scripts.py", "app/benchmarking.py", "app/demo_views.py",
                 "app/hatch_build.py", "pkg/demonstration/a.py", "app/project_names.py", "app/project_name.py",
                 "app/exampleapp.py", "app/sampleapps/models.py", "app/.hidden/x.py", "a.b/c.py", "app.py",
                 "app/thirdparty.py", "app/third_party_auth.py"):
        assert not match(path), path
    # OpenStack's Rally CI scenarios are test code (the test profile; their findings are tagged)
    assert DEFAULT_CONFIG.is_test_path("rally-jobs/plugins/vpn_scenario.py")
    assert not DEFAULT_CONFIG.is_test_path("neutron_vpnaas/rally.py")
    # a test suite kept as a package of its own (borgbackup's ``src/borg/testsuite/``); a module or a package
    # whose name only contains the word is not one
    for path in ("src/borg/testsuite/__init__.py", "src/borg/testsuite/archiver.py", "functional_testsuite/a.py",
                 "pkg/testsuites/b.py"):
        assert DEFAULT_CONFIG.is_test_path(path), path
    for path in ("pkg/testsuite.py", "src/borg/archiver.py", "pkg/testsuiteutils.py", "testsuite_runner.py"):
        assert not DEFAULT_CONFIG.is_test_path(path), path
    # a pytest plugin's fixtures; not a module that only names pytest
    for path in ("pulp_ansible/pytest_plugin.py", "pkg/pytest_plugins.py", "pkg/pytest_plugin/fixtures.py",
                 "appyter/ext/pytest.py"):
        assert DEFAULT_CONFIG.is_test_path(path), path
    for path in ("pkg/pytest_runner.py", "pkg/plugin.py", "pytest_helpers/views.py", "pkg/mypytest.py"):
        assert not DEFAULT_CONFIG.is_test_path(path), path
    # a reusable Django app's test application is test code; names that only contain the word are not, nor
    # a module named test.py (Salt's test execution module is production code)
    for path in ("guardian/testapp/testsettings.py", "testapp/views.py", "testproject/settings.py",
                 "src/testproject/urls.py",
                 # a Django test project named for its app (django-tenants' ``dts_test_project``)
                 "dts_test_project/dts_test_project/settings.py"):
        assert DEFAULT_CONFIG.is_test_path(path), path
    for path in ("app/attest.py", "app/testament.py", "app/contest/views.py", "app/testapply.py",
                 "salt/modules/test.py", "app/latest_project/views.py", "app/testprojects.py",
                 "app/mytestproject_views.py"):
        assert not DEFAULT_CONFIG.is_test_path(path), path


def test_a_suppressed_finding_counts_as_suppressed_only(project, capsys):
    (project / "tools" / "gen.py").write_text(VULNERABLE.replace("+ cmd)", "+ cmd)  # nosec"))
    doc = report(["review", "."], capsys)
    assert doc["summary"]["non_production"]["findings"] == 10 and doc["summary"]["suppressed"] == 1


def test_clean_verdict_never_without_the_count(tmp_path, capsys, monkeypatch):
    make(tmp_path, {"app.py": CLEAN, "examples/e.py": VULNERABLE})
    monkeypatch.chdir(tmp_path)
    for fmt in FORMATS:
        main(["review", ".", "--format", fmt, "--no-cache", "--no-progress", "--jobs", "1"])
        out = capsys.readouterr().out
        if fmt == "json":
            doc = json.loads(out)
            assert doc["verdict"] == NO_DEFECTS and doc["summary"]["non_production"]["findings"] == 1
            continue
        if fmt != "gitlab":
            assert NO_DEFECTS in out, fmt
        assert "--include-non-production" in out and "non-production code" in out, fmt


def test_a_change_review_withholds_them_too(tmp_path, capsys, monkeypatch):
    import os
    import subprocess
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a",
           "GIT_COMMITTER_EMAIL": "a@b", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}
    make(tmp_path, {"app.py": CLEAN, "tools/gen.py": CLEAN})
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, env=env)
    make(tmp_path, {"app.py": VULNERABLE, "tools/gen.py": VULNERABLE})
    monkeypatch.chdir(tmp_path)
    doc = report(["diff"], capsys)
    assert paths(doc) == {"app.py"} and doc["summary"]["non_production"]["findings"] == 1
    assert paths(report(["diff", "--include-non-production"], capsys)) == {"app.py", "tools/gen.py"}


def test_review_api(project):
    result = review(["."], ReviewOptions(config=load_config(project), jobs=1))
    assert result.non_production.findings == 11 and len(result.non_production.paths) == 11
    result = review(["."], ReviewOptions(config=load_config(project), jobs=1, include_non_production=True))
    assert not result.non_production


def _withheld() -> ReviewResult:
    result = ReviewResult(files_reviewed=3, lines_reviewed=40, target=".")
    for path in ("tools/gen.py", "examples/a.py", "examples/a.py", "contrib/x.py", "bench/b.py"):
        result.non_production.add(path)
    return result


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_says_what_was_withheld(fmt):
    out = render(fmt, _withheld(), ReportOptions(tool_version="9.9.9"))
    if fmt == "json":
        doc = json.loads(out)
        jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).validate(doc)
        assert doc["summary"]["non_production"] == {
            "findings": 5, "files": 4, "examples": ["bench/b.py", "contrib/x.py", "examples/a.py"]}
        return
    assert "--include-non-production" in out and "5 findings in 4 files of non-production code" in out, fmt
    if fmt == "sarif":
        invocation = json.loads(out)["runs"][0]["invocations"][0]
        assert invocation["properties"]["non_production"]["findings"] == 5
    if fmt == "gitlab":
        [issue] = json.loads(out)
        assert issue["location"]["path"] == "bench/b.py"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_nothing_said_when_nothing_was_withheld(fmt):
    out = render(fmt, ReviewResult(files_reviewed=3, lines_reviewed=40, target="."),
                 ReportOptions(tool_version="9.9.9"))
    assert "--include-non-production" not in out and "Not shown:" not in out


def test_example_packages_and_test_utilities(tmp_path, monkeypatch, capsys):
    """``ckanext/example_theme/`` (a plugin shipped as an example) is withheld as non-production code and
    ``testutils/`` is test code; a module named ``example.py`` is production code."""
    make(tmp_path, {"ckanext/example_theme/plugin.py": VULNERABLE, "app/example.py": VULNERABLE,
                    "src/pkg/testutils/settings.py": VULNERABLE, "test_project/settings.py": VULNERABLE,
                    "ckan/lib/create_test_data.py": VULNERABLE, "awscli/testutils.py": VULNERABLE})
    monkeypatch.chdir(tmp_path)
    doc = report(["review", ".", "--include-tests"], capsys)
    tests = {"src/pkg/testutils/settings.py", "test_project/settings.py", "ckan/lib/create_test_data.py",
             "awscli/testutils.py"}
    assert paths(doc) == {"app/example.py"} | tests
    tags = {f["path"]: f["tags"] for f in doc["findings"]}
    assert all("test-code" in tags[p] for p in tests) and "test-code" not in tags["app/example.py"]
    assert doc["summary"]["non_production"]["findings"] == 1


def test_non_production_file_decides_as_relative_paths_do(tmp_path):
    """``non_production_file`` takes a file's path below its project's top by slicing its location, once it
    knows the top (kept per named directory in ``tops``): the same verdicts as ``os.path.relpath`` each time."""
    import os

    from secreview.config import Config
    from secreview.source.discover import Candidate, discover
    from secreview.source.gather import non_production_file, project_top

    def by_relpath(config, cand: Candidate) -> bool:
        if not cand.top or not config.non_production_paths:
            return False
        base = project_top(config, cand.top)
        top_rel = os.path.relpath(cand.top, base).replace(os.sep, "/")
        if top_rel != "." and config.is_non_production_path(top_rel + "/"):
            return False
        return config.is_non_production_path(os.path.relpath(cand.location, base).replace(os.sep, "/"))

    repo = tmp_path / "repo"
    make(repo, {f: CLEAN for f in ("setup.py", "app.py", "tools/gen.py", "examples/demo.py", "docs/conf.py",
                                   "pkg/__init__.py", "pkg/tools/run.py", "pkg/sub/__init__.py",
                                   "pkg/sub/tools/x.py", "pkg/examples/e.py", "scripts/s.py", "lib/setup.py")})
    (repo / ".git").mkdir()
    plain = tmp_path / "plain"  # no repository: the top is the nearest folder that is not a package
    make(plain, {f: CLEAN for f in ("pkg/__init__.py", "pkg/tools/t.py", "tools/u.py", "setup.py")})
    configs = [DEFAULT_CONFIG, Config(root=repo / "pkg"), Config(root=repo / "pkg", non_production_paths=("/tools/",)),
               Config(non_production_paths=("tools/", "!pkg/tools/"))]
    named = [["."], ["pkg"], ["examples"], ["pkg/sub"], ["tools", "pkg"], ["pkg/sub/tools", "setup.py"]]
    seen = 0
    for config in configs:
        for cwd, args in [(repo, a) for a in named] + [(plain, ["."]), (plain, ["pkg"]), (tmp_path, ["plain"])]:
            candidates, _ = discover(args, cwd=str(cwd))
            tops: dict = {}
            for cand in candidates:
                expected = by_relpath(config, cand)
                assert non_production_file(config, cand, tops) == expected, (config, args, cand)
                assert non_production_file(config, cand) == expected
                seen += expected
    assert seen > 10


def test_a_licensed_package_in_a_folder_of_copies_is_another_projects_code(tmp_path, monkeypatch, capsys):
    # (pyqaserver's python_packages/bottlepy/ carries Bottle's LICENSE: judged on panel AM, seven findings of
    # Bottle's and mpld3's code, none pyqaserver's to fix); a licensed subpackage elsewhere is the project's own
    make(tmp_path, {
        "app/__init__.py": "",
        "app/views.py": VULNERABLE,
        "app/libs/__init__.py": "",
        "app/libs/copied/__init__.py": "",
        "app/libs/copied/LICENSE": "MIT License\n",
        "app/libs/copied/server.py": VULNERABLE,
        "app/libs/own/__init__.py": "",
        "app/libs/own/helpers.py": VULNERABLE,  # no licence of its own: the project's code
        "app/gis/__init__.py": "",
        "app/gis/gdal/__init__.py": "",
        "app/gis/gdal/LICENSE": "BSD\n",
        "app/gis/gdal/bindings.py": VULNERABLE,  # licensed, but not in a folder of copies
    })
    monkeypatch.chdir(tmp_path)
    doc = report(["review", "."], capsys)
    assert paths(doc) == {"app/views.py", "app/libs/own/helpers.py", "app/gis/gdal/bindings.py"}
    assert doc["summary"]["non_production"] == {"findings": 1, "files": 1, "examples": ["app/libs/copied/server.py"]}
    shown = report(["review", ".", "--include-non-production"], capsys)
    assert "app/libs/copied/server.py" in paths(shown)


@pytest.mark.parametrize("spec", [[], ["HEAD~1..HEAD"]])
def test_a_change_review_withholds_a_copy_of_another_project(tmp_path, capsys, monkeypatch, spec):
    # (what ``review`` withholds, ``diff`` withholds too: a copy's licence is read from the working tree, or
    # from the revision's tree for ``A..B``)
    import os
    import subprocess
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a",
           "GIT_COMMITTER_EMAIL": "a@b", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}
    files = {"app/__init__.py": "", "app/views.py": CLEAN, "app/libs/__init__.py": "",
             "app/libs/copied/__init__.py": "", "app/libs/copied/LICENSE.txt": "MIT License\n",
             "app/libs/copied/server.py": CLEAN, "app/libs/own/__init__.py": "", "app/libs/own/helpers.py": CLEAN}
    make(tmp_path, files)
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, env=env)
    make(tmp_path, {"app/views.py": VULNERABLE, "app/libs/copied/server.py": VULNERABLE,
                    "app/libs/own/helpers.py": VULNERABLE})
    if spec:
        for args in (["add", "."], ["commit", "-qm", "y"]):
            subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, env=env)
    monkeypatch.chdir(tmp_path)
    doc = report(["diff", *spec], capsys)
    assert paths(doc) == {"app/views.py", "app/libs/own/helpers.py"}
    assert doc["summary"]["non_production"]["examples"] == ["app/libs/copied/server.py"]
    shown = report(["diff", *spec, "--include-non-production"], capsys)
    assert "app/libs/copied/server.py" in paths(shown)
