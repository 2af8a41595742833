"""Nothing is left out of a review without the report saying so (issue 12, item 13).

* In a git work tree every tracked Python file is reviewed whatever ``.gitignore`` says; git is
  asked once per work tree, and nothing of the reviewed repository runs (no fsmonitor, no
  hook, the index is not written). Untracked files git ignores are left out.
* Outside a git work tree ``.gitignore`` files are honoured (nested ones too).
* Whatever is left out (``.gitignore``, the default exclusions of other projects' code, the
  configured ``exclude``) is counted by mechanism in JSON ``summary.excluded`` and summarised
  beside the verdict in every other format, with ``--include-ignored``, which reviews the first
  two kinds; the configured ``exclude`` still applies.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest

from secreview.cli import main
from secreview.config import DEFAULT_CONFIG, load_config
from secreview.engine.pipeline import ReviewOptions, review
from secreview.findings.model import ReviewResult, no_exclusions
from secreview.reports import FORMATS, NO_DEFECTS, ReportOptions, render
from secreview.reports.json_report import SCHEMA_PATH
from secreview.source import gitignored
from secreview.source.discover import discover

VULNERABLE = ("import os\nfrom flask import request\n\ndef run(cmd):\n    os.system('ls ' + cmd)\n\n\n"
              "run(request.args['cmd'])\n")
CLEAN = "x = 1\n"
GIT_ENV = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a",
           "GIT_COMMITTER_EMAIL": "a@b", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def make(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def report(args: list[str], capsys) -> dict:
    main([*args, "--format", "json", "--no-cache", "--no-progress", "--exit-zero"])
    return json.loads(capsys.readouterr().out)


def counts(doc: dict) -> dict:
    return {kind: (v["files"], v["directories"]) for kind, v in doc["summary"]["excluded"].items()}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git work tree: ``gen/`` and ``local.py`` ignored, ``gen/g.py`` tracked all the same."""
    root = tmp_path / "repo"
    make(root, {
        "app.py": CLEAN,
        "gen/g.py": VULNERABLE,  # tracked, then ignored: still reviewed
        "gen/untracked.py": VULNERABLE,  # untracked in an ignored directory: left out
        "local.py": VULNERABLE,  # untracked, ignored: left out
        "notes/n.py": CLEAN,  # untracked, not ignored: reviewed
        ".venv/lib/site.py": VULNERABLE,
        "pkg.egg-info/x.py": VULNERABLE,
        "pkg/__pycache__/c.py": VULNERABLE,  # a cache: never entered, never counted
        "migrations/m.py": VULNERABLE,
        "pyproject.toml": '[tool.secreview]\nexclude = ["migrations/"]\n',
    })
    git(root, "init", "-q")
    git(root, "add", "app.py", "gen/g.py", "pyproject.toml")
    make(root, {".gitignore": "gen/\nlocal.py\n"})
    git(root, "add", ".gitignore")
    git(root, "commit", "-qm", "start")
    monkeypatch.chdir(root)
    return root


def test_tracked_files_are_reviewed_whatever_gitignore_says(repo, capsys):
    doc = report(["review", "."], capsys)
    assert {f["path"] for f in doc["findings"]} == {"gen/g.py"}
    assert doc["summary"]["files_reviewed"] == 3  # app.py, gen/g.py, notes/n.py
    # gen/ holds a tracked file: git lists what it ignores there one by one
    assert counts(doc) == {"gitignore": (2, 0), "default": (0, 2), "configured": (0, 1)}
    assert doc["summary"]["excluded"]["gitignore"]["examples"] == ["gen/untracked.py", "local.py"]
    assert doc["summary"]["excluded"]["default"]["examples"] == [".venv/", "pkg.egg-info/"]
    assert doc["summary"]["excluded"]["configured"]["examples"] == ["migrations/"]


def test_a_change_cannot_hide_its_own_file_with_a_gitignore_line(repo, capsys):
    make(repo, {"evil.py": VULNERABLE})
    git(repo, "add", "evil.py")
    make(repo, {".gitignore": "gen/\nlocal.py\nevil.py\n"})
    git(repo, "commit", "-qam", "hide it")
    doc = report(["review", "."], capsys)
    assert "evil.py" in {f["path"] for f in doc["findings"]}
    assert "evil.py" in {f["path"] for f in report(["review", "evil.py"], capsys)["findings"]}


def test_a_subdirectory_of_the_work_tree(repo, capsys):
    make(repo, {"gen/sub/s.py": CLEAN})
    git(repo, "add", "-f", "gen/sub/s.py")
    git(repo, "commit", "-qm", "more")
    doc = report(["review", "gen"], capsys)
    assert {f["path"] for f in doc["findings"]} == {"gen/g.py"}
    assert doc["summary"]["files_reviewed"] == 2  # gen/g.py, gen/sub/s.py
    assert counts(doc)["gitignore"] == (1, 0)  # gen/untracked.py


def test_nothing_of_the_repository_runs_and_its_index_is_not_written(repo, capsys):
    marker = repo.parent / "ran"
    script = repo.parent / "fsmonitor.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    git(repo, "config", "core.fsmonitor", str(script))
    hooks = repo / ".git" / "hooks"
    for hook in ("post-checkout", "post-index-change", "reference-transaction"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (hooks / hook).chmod(0o755)
    index = repo / ".git" / "index"
    before = (index.stat().st_mtime_ns, hashlib.sha256(index.read_bytes()).hexdigest())
    doc = report(["review", "."], capsys)
    assert {f["path"] for f in doc["findings"]} == {"gen/g.py"}
    assert not marker.exists()
    assert (index.stat().st_mtime_ns, hashlib.sha256(index.read_bytes()).hexdigest()) == before


def test_a_hooks_git_dir_does_not_point_git_elsewhere(repo, capsys, monkeypatch, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))  # as in a hook of another repository
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    doc = report(["review", "."], capsys)
    assert {f["path"] for f in doc["findings"]} == {"gen/g.py"}
    assert counts(doc)["gitignore"] == (2, 0)


def test_one_git_call_per_work_tree(repo, monkeypatch):
    for n in range(30):
        make(repo, {f"many/d{n}/m.py": CLEAN})
    nested = repo / "vendor" / "nested"
    make(nested, {"n.py": CLEAN, "skip.py": VULNERABLE, ".gitignore": "skip.py\n"})
    git(nested, "init", "-q")
    calls = []
    real = gitignored.subprocess.run

    def run(args, **kwargs):
        calls.append((args, kwargs["cwd"]))
        return real(args, **kwargs)

    monkeypatch.setattr(gitignored.subprocess, "run", run)
    excluded = no_exclusions()
    cands, _ = discover(["."], excluded=excluded)
    assert [cwd for _, cwd in calls] == [str(repo), str(nested)]
    assert all(args[:3] == ["git", "-c", "core.fsmonitor=false"] for args, _ in calls)
    displays = {c.display for c in cands}
    assert "vendor/nested/n.py" in displays and "vendor/nested/skip.py" not in displays
    assert "gen/g.py" in displays and "local.py" not in displays
    assert excluded["gitignore"].files == 3  # local.py, gen/untracked.py, vendor/nested/skip.py


def test_without_git_the_gitignore_files_are_read(repo, monkeypatch):
    """When git cannot tell (not installed, a repository it refuses), .gitignore is read as before."""
    monkeypatch.setattr(gitignored, "git_ignored", lambda repo, top: None)
    monkeypatch.setenv("PATH", "/nonexistent")
    excluded = no_exclusions()
    cands, _ = discover(["."], excluded=excluded)
    displays = {c.display for c in cands}
    assert "gen/g.py" not in displays and "local.py" not in displays  # the pattern wins over git's index
    assert (excluded["gitignore"].files, excluded["gitignore"].directories) == (1, 1)


def test_outside_git_gitignore_files_hide_nothing(tmp_path, capsys, monkeypatch):
    """An unpacked sdist: no repository; as Ruff, secreview does not honour the .gitignore
    files it ships (nested ones neither), so nothing it ships hides its own files."""
    make(tmp_path, {
        "sdist/setup.py": CLEAN,
        "sdist/.gitignore": "build/\n*_local.py\n",
        "sdist/pkg/a.py": CLEAN,
        "sdist/pkg/a_local.py": VULNERABLE,
        "sdist/pkg/.gitignore": "gen.py\n",
        "sdist/pkg/gen.py": VULNERABLE,
        "sdist/build/lib/pkg/a.py": VULNERABLE,
        "sdist/pkg.egg-info/SOURCES.txt": "",
    })
    monkeypatch.chdir(tmp_path / "sdist")
    doc = report(["review", "."], capsys)
    assert {f["path"] for f in doc["findings"]} == {"pkg/a_local.py", "pkg/gen.py", "build/lib/pkg/a.py"}
    assert counts(doc) == {"gitignore": (0, 0), "default": (0, 1), "configured": (0, 0)}
    doc = report(["review", ".", "--include-ignored"], capsys)
    assert {f["path"] for f in doc["findings"]} == {"pkg/a_local.py", "pkg/gen.py", "build/lib/pkg/a.py"}
    assert counts(doc) == {"gitignore": (0, 0), "default": (0, 0), "configured": (0, 0)}


def test_include_ignored_reviews_ignored_and_default_excluded_not_configured(repo, capsys):
    doc = report(["review", ".", "--include-ignored"], capsys)
    assert {f["path"] for f in doc["findings"]} == {"gen/g.py", "gen/untracked.py", "local.py", "pkg.egg-info/x.py"}
    # (a folder at the top whose name starts with a dot is non-production code: reviewed, its findings counted)
    assert doc["summary"]["non_production"]["examples"] == [".venv/lib/site.py"]
    doc = report(["review", ".", "--include-ignored", "--include-non-production"], capsys)
    assert {f["path"] for f in doc["findings"]} == {"gen/g.py", "gen/untracked.py", "local.py",
                                                     ".venv/lib/site.py", "pkg.egg-info/x.py"}
    assert counts(doc) == {"gitignore": (0, 0), "default": (0, 0), "configured": (0, 1)}
    # a file named on the command line is reviewed whatever excludes it
    assert {f["path"] for f in report(["review", "migrations/m.py"], capsys)["findings"]} == {"migrations/m.py"}


def test_a_directory_named_on_the_command_line_is_walked_even_if_ignored(repo, capsys):
    make(repo, {"build/lib/b.py": VULNERABLE, ".gitignore": "gen/\nlocal.py\nbuild/\n"})
    assert "build/lib/b.py" not in {f["path"] for f in report(["review", "."], capsys)["findings"]}
    doc = report(["review", "build", ".venv", "gen"], capsys)
    # gen/ holds a tracked file, so git ignores its untracked files one by one
    assert {f["path"] for f in doc["findings"]} == {"build/lib/b.py", ".venv/lib/site.py", "gen/g.py"}
    assert counts(doc)["gitignore"] == (1, 0)


def test_clean_verdict_never_without_the_count(repo, capsys):
    (repo / "gen" / "g.py").write_text(CLEAN)
    for fmt in FORMATS:
        main(["review", ".", "--format", fmt, "--no-cache", "--no-progress"])
        out = capsys.readouterr().out
        if fmt == "json":
            doc = json.loads(out)
            assert doc["verdict"] == NO_DEFECTS and counts(doc)["gitignore"] == (2, 0)
            continue
        if fmt != "gitlab":
            assert NO_DEFECTS in out, fmt
        assert "--include-ignored" in out and "ignored by .gitignore" in out, fmt


def test_baseline_and_diff_take_the_option(repo, capsys):
    make(repo, {".venv/lib/site.py": VULNERABLE})
    git(repo, "add", "-f", ".venv/lib/site.py")  # tracked in a default-excluded directory
    git(repo, "commit", "-qm", "venv")
    (repo / "app.py").write_text(CLEAN + "y = 2\n")
    doc = report(["diff"], capsys)
    # git's listing, counted one by one: the tracked .venv/lib/site.py (pkg.egg-info/x.py is untracked,
    # so part of the change, and reviewed)
    assert counts(doc) == {"gitignore": (0, 0), "default": (1, 0), "configured": (1, 0)}
    reviewed = doc["summary"]["files_reviewed"]
    doc = report(["diff", "--include-ignored"], capsys)
    assert counts(doc)["default"] == (0, 0) and doc["summary"]["files_reviewed"] == reviewed + 1
    # a changed file is reviewed wherever it is
    (repo / ".venv" / "lib" / "site.py").write_text(VULNERABLE.replace("'ls '", "'ls -l '"))
    assert ".venv/lib/site.py" in {f["path"] for f in report(["diff", "--include-non-production"], capsys)["findings"]}
    main(["baseline", "base.json", ".", "--include-ignored", "--include-non-production", "--no-cache", "--no-progress"])
    paths = {e["path"] for e in json.loads((repo / "base.json").read_text())["findings"]}
    assert ".venv/lib/site.py" in paths and "local.py" in paths


def test_review_api_counts_into_the_result(repo):
    config = load_config(repo)
    result = review(["."], ReviewOptions(config=config))
    assert (result.excluded["default"].directories, result.excluded["configured"].directories) == (2, 1)
    result = review(["."], ReviewOptions(config=config, include_ignored=True))
    assert result.excluded["default"].directories == 0
    assert review(["-"], ReviewOptions(config=DEFAULT_CONFIG), stdin_data=b"x = 1\n").excluded == no_exclusions()


def _left_out() -> ReviewResult:
    result = ReviewResult(files_reviewed=3, lines_reviewed=40, target=".")
    result.excluded["gitignore"].add("build", True)
    result.excluded["gitignore"].add("local.py", False)
    result.excluded["default"].add(".venv", True)
    result.excluded["configured"].add("migrations", True)
    return result


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_summarises_what_was_left_out(fmt):
    out = render(fmt, _left_out(), ReportOptions(tool_version="9.9.9"))
    if fmt == "json":
        doc = json.loads(out)
        jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).validate(doc)
        assert doc["summary"]["excluded"] == {
            "gitignore": {"files": 1, "directories": 1, "examples": ["build/", "local.py"]},
            "default": {"files": 0, "directories": 1, "examples": [".venv/"]},
            "configured": {"files": 0, "directories": 1, "examples": ["migrations/"]},
        }
        return
    assert "--include-ignored" in out
    assert "ignored by .gitignore" in out and "skipped by default" in out and "excluded by the configuration" in out
    if fmt == "sarif":
        invocation = json.loads(out)["runs"][0]["invocations"][0]
        assert invocation["properties"]["excluded"]["default"]["directories"] == 1
        assert [n["descriptor"]["id"] for n in invocation["toolExecutionNotifications"]] == ["excluded"]
    if fmt == "gitlab":
        [issue] = json.loads(out)
        assert (issue["check_name"], issue["severity"], issue["location"]["path"]) == (
            "secreview/excluded", "info", "build")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_nothing_said_when_nothing_was_left_out(fmt):
    out = render(fmt, ReviewResult(files_reviewed=3, lines_reviewed=40, target="."),
                 ReportOptions(tool_version="9.9.9"))
    assert "--include-ignored" not in out and "Not reviewed:" not in out
