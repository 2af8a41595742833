"""Change review: ``secreview diff`` against the working tree, the index, a range, a patch."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from secreview.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, main
from secreview.reports.json_report import SCHEMA_PATH
from secreview.source.changes import parse_diff, patch_message

A_SAFE = 'from flask import request\n\n\ndef get_host():\n    return "localhost"\n'
A_TAINTED = 'from flask import request\n\n\ndef get_host():\n    return request.args.get("host", "localhost")\n'
B = ('import os\n\nfrom pkg.a import get_host\n\n\ndef ping():\n'
     '    os.system("ping -c 1 " + get_host())\n')
OLD_DEFECT = 'import os\n\n\ndef legacy(cmd):\n    os.system("ls " + cmd)\n'


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "test@example.com")
        monkeypatch.setenv(f"GIT_{who}_DATE", "2001-02-03T04:05:06Z")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def write(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def commit(repo: Path, message: str, files: dict[str, str] | None = None) -> str:
    if files:
        write(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commit(root, "Initial", {"pkg/__init__.py": "", "pkg/a.py": A_SAFE, "pkg/b.py": B, "pkg/legacy.py": OLD_DEFECT})
    monkeypatch.chdir(root)
    return root


def run(args, capsys, stdin: bytes | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def review_json(args, capsys, **kw) -> tuple[int, dict]:
    code, out, err = run([*args, "--format", "json"], capsys, **kw)
    assert code in (EXIT_CLEAN, EXIT_FINDINGS), err
    doc = json.loads(out)
    jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).validate(doc)
    return code, doc


def locations(doc) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["rule_id"]) for f in doc["findings"]]


# --- what is reported ---------------------------------------------------------------


def test_change_in_one_file_reports_finding_in_another_whose_trace_crosses_it(repo, capsys):
    (repo / "pkg/a.py").write_text(A_TAINTED)
    code, doc = review_json(["diff"], capsys)
    assert code == EXIT_FINDINGS
    # b.py did not change; its finding is reported because its trace crosses a.py:5, the changed line
    assert locations(doc) == [("pkg/b.py", 7, "SR101")]
    trace = [(s["path"], s["line"]) for s in doc["findings"][0]["trace"]]
    assert ("pkg/a.py", 5) in trace
    assert doc["changed_lines"] == {"pkg/a.py": [[5, 5]]}
    assert doc["target"] == "changes from HEAD to the working tree"
    # the old defect in legacy.py (untouched, off the change's lines) is not reported...
    assert all(f["path"] != "pkg/legacy.py" for f in doc["findings"])
    # ...though a full review sees it
    _, full = review_json(["review", "."], capsys)
    assert ("pkg/legacy.py", 5, "SR101") in locations(full)


def test_clean_change_gives_the_verdict_and_exit_0(repo, capsys):
    (repo / "pkg/a.py").write_text(A_SAFE + "\n\ndef other():\n    return 1\n")
    code, out, _ = run(["diff", "--format", "text"], capsys)
    assert code == EXIT_CLEAN
    assert "No security defects are detected in the code." in out


def test_gerrit_comment_goes_on_the_changed_line_of_the_flow(repo, capsys):
    (repo / "pkg/a.py").write_text(A_TAINTED)
    code, out, _ = run(["diff", "HEAD", "--format", "gerrit"], capsys)
    assert code == EXIT_FINDINGS
    review = json.loads(out)
    # b.py is not part of the change: Gerrit would refuse a comment there
    assert list(review["comments"]) == ["pkg/a.py"]
    (comment,) = review["comments"]["pkg/a.py"]
    assert comment["line"] == 5 and comment["unresolved"] is True
    assert "pkg/b.py:7" in comment["message"]


def test_untracked_file_counts_as_added(repo, capsys):
    write(repo, {"pkg/new.py": OLD_DEFECT})
    _, doc = review_json(["diff"], capsys)
    assert locations(doc) == [("pkg/new.py", 5, "SR101")]


def test_deleting_a_check_is_reviewed(repo, capsys):
    guarded = ('import os\n\nfrom pkg.a import get_host\n\nALLOWED = {"a", "b"}\n\n\ndef ping():\n'
               '    host = get_host()\n    if host not in ALLOWED:\n        return\n'
               '    os.system("ping -c 1 " + host)\n')
    commit(repo, "Guarded", {"pkg/a.py": A_TAINTED, "pkg/b.py": guarded})
    _, doc = review_json(["diff"], capsys)
    assert doc["findings"] == []
    lines = guarded.splitlines(keepends=True)
    (repo / "pkg/b.py").write_text("".join(lines[:9] + lines[11:]))  # delete the check
    _, doc = review_json(["diff"], capsys)
    assert locations(doc) == [("pkg/b.py", 10, "SR101")]


# --- the forms of the command ----------------------------------------------------------


def test_staged_reviews_the_index_not_the_working_tree(repo, capsys):
    (repo / "pkg/a.py").write_text(A_TAINTED)
    git(repo, "add", "pkg/a.py")
    (repo / "pkg/a.py").write_text(A_SAFE)  # the working tree says otherwise
    index_before = (repo / ".git/index").read_bytes()
    code, doc = review_json(["diff", "--staged"], capsys)
    assert code == EXIT_FINDINGS
    assert doc["target"] == "changes from HEAD to the index"
    assert locations(doc) == [("pkg/b.py", 7, "SR101")]
    # the working tree and the index are as they were
    assert (repo / "pkg/a.py").read_text() == A_SAFE
    assert (repo / ".git/index").read_bytes() == index_before
    _, doc = review_json(["diff"], capsys)  # working tree against HEAD: nothing changed there
    assert doc["findings"] == []


def test_range_reviews_the_tree_at_b_with_the_commit_message(repo, capsys):
    a = git(repo, "rev-parse", "HEAD").strip()
    b = commit(repo, "Read the host from the request\n\nSo that users can ping any host.", {"pkg/a.py": A_TAINTED})
    commit(repo, "Back to safe", {"pkg/a.py": A_SAFE})  # HEAD and the working tree are clean
    code, doc = review_json(["diff", f"{a}..{b}"], capsys)
    assert code == EXIT_FINDINGS
    assert doc["target"] == f"{a[:7]}..{b[:7]}"
    assert doc["message"] == "Read the host from the request\n\nSo that users can ping any host."
    assert locations(doc) == [("pkg/b.py", 7, "SR101")]
    code, out, _ = run(["diff", f"{a}..{b}", "--format", "markdown"], capsys)
    assert out.startswith(f"# Security review of `{a[:7]}..{b[:7]}`\n\n> **Read the host from the request**\n")
    code, out, _ = run(["diff", f"{a}..{b}", "--format", "text"], capsys)
    assert out.startswith(f"Change: {a[:7]}..{b[:7]}\n    Read the host from the request\n")
    # A...B: from the merge base
    _, doc = review_json(["diff", f"{b}...{a}"], capsys)
    assert doc["findings"] == [] and doc["target"] == f"{b[:7]}...{a[:7]}"


def test_commit_messages_of_the_working_tree_change(repo, capsys):
    base = git(repo, "rev-parse", "HEAD").strip()
    commit(repo, "Taint a", {"pkg/a.py": A_TAINTED})
    _, doc = review_json(["diff", base], capsys)
    assert doc["message"] == "Taint a" and doc["target"] == f"changes from {base} to the working tree"
    assert locations(doc) == [("pkg/b.py", 7, "SR101")]
    _, doc = review_json(["diff", base, "--message", "Reviewed by hand"], capsys)
    assert doc["message"] == "Reviewed by hand"
    _, doc = review_json(["diff"], capsys)
    assert "message" not in doc and doc["findings"] == []


def test_patch_on_stdin_from_git_diff(repo, capsys, monkeypatch):
    (repo / "pkg/a.py").write_text(A_TAINTED)
    patch = git(repo, "diff").encode()
    git(repo, "checkout", "pkg/a.py")
    code, doc = review_json(["diff", "-"], capsys, stdin=patch, monkeypatch=monkeypatch)
    assert code == EXIT_FINDINGS
    assert locations(doc) == [("pkg/b.py", 7, "SR101")]
    assert doc["target"] == "patch from standard input, applied to the current tree"
    assert (repo / "pkg/a.py").read_text() == A_SAFE  # the user's file is untouched
    assert git(repo, "status", "--porcelain") == ""


def test_patch_on_stdin_from_format_patch(repo, capsys, monkeypatch):
    commit(repo, "Read the host from the request\n\nBody text.", {"pkg/a.py": A_TAINTED})
    patch = git(repo, "format-patch", "-1", "--stdout").encode()
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    assert patch_message(patch) == "Read the host from the request\n\nBody text."
    code, doc = review_json(["diff", "-"], capsys, stdin=patch, monkeypatch=monkeypatch)
    assert locations(doc) == [("pkg/b.py", 7, "SR101")]
    assert doc["message"] == "Read the host from the request\n\nBody text."
    assert git(repo, "status", "--porcelain") == ""


def test_patch_adding_a_file_and_plain_diff_without_prefixes(repo, capsys, monkeypatch):
    patch = (b"--- /dev/null\n+++ pkg/new.py\n@@ -0,0 +1,5 @@\n+import os\n+\n+\n+def f(cmd):\n"
             b'+    os.system("ls " + cmd)\n')
    _, doc = review_json(["diff", "-"], capsys, stdin=patch, monkeypatch=monkeypatch)
    assert locations(doc) == [("pkg/new.py", 5, "SR101")]
    assert not (repo / "pkg/new.py").exists()


def test_patch_that_does_not_apply_is_an_error(repo, capsys, monkeypatch):
    patch = b"--- a/pkg/a.py\n+++ b/pkg/a.py\n@@ -1,1 +1,1 @@\n-not there\n+x\n"
    code, _, err = run(["diff", "-"], capsys, stdin=patch, monkeypatch=monkeypatch)
    assert code == EXIT_ERROR and "git apply" in err
    code, _, err = run(["diff", "-"], capsys, stdin=b"", monkeypatch=monkeypatch)
    assert code == EXIT_ERROR


def test_usage_errors(repo, capsys, tmp_path, monkeypatch):
    code, _, err = run(["diff", "no-such-rev"], capsys)
    assert code == EXIT_ERROR and "no-such-rev" in err
    code, _, err = run(["diff", "--staged", "HEAD..HEAD"], capsys)
    assert code == EXIT_ERROR
    elsewhere = tmp_path / "not-a-repo"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, _, err = run(["diff"], capsys)
    assert code == EXIT_ERROR and "git" in err


def test_runs_from_a_subdirectory_with_repository_paths(repo, capsys, monkeypatch):
    (repo / "pkg/a.py").write_text(A_TAINTED)
    monkeypatch.chdir(repo / "pkg")
    _, doc = review_json(["diff"], capsys)
    assert locations(doc) == [("pkg/b.py", 7, "SR101")]


# --- a change cannot switch the reviewer off -------------------------------------------


def test_configuration_comes_from_the_base(repo, capsys):
    write(repo, {"pyproject.toml": '[tool.secreview]\nignore = ["command-injection"]\n', "pkg/a.py": A_TAINTED})
    _, doc = review_json(["diff"], capsys)
    assert locations(doc) == [("pkg/b.py", 7, "SR101")]  # the change's own configuration is not used
    commit(repo, "Configure", {"pyproject.toml": '[tool.secreview]\nignore = ["command-injection"]\n',
                               "pkg/a.py": A_SAFE})
    (repo / "pkg/a.py").write_text(A_TAINTED)
    (repo / "pyproject.toml").write_text("[tool.secreview]\n")  # removing the ignore does not count either
    _, doc = review_json(["diff"], capsys)
    assert doc["findings"] == []


def test_model_files_come_from_the_base(repo, capsys):
    model = '[[source]]\nkind = "remote"\ncallees = ["acmelib.user_input"]\n'
    commit(repo, "Models", {"pyproject.toml": '[tool.secreview]\nmodels = ["models/app.toml"]\n',
                            "models/app.toml": model})
    # the change empties the model file: the base's model still applies
    write(repo, {"models/app.toml": "",
                 "pkg/c.py": "import os\nfrom acmelib import user_input\n\n\ndef f():\n"
                             "    os.system(user_input())\n"})
    code, out, err = run(["diff", "--format", "json"], capsys)
    assert code in (EXIT_CLEAN, EXIT_FINDINGS), err
    doc = json.loads(out)
    assert any(f["path"] == "pkg/c.py" and f["confidence"] == "high" for f in doc["findings"]), doc["findings"]


def test_gitignore_added_by_the_change_does_not_hide_its_files(repo, capsys):
    commit(repo, "Ignore", {".gitignore": "generated/\n"})
    write(repo, {".gitignore": "generated/\npkg/b.py\n", "pkg/a.py": A_TAINTED})
    _, doc = review_json(["diff"], capsys)
    assert locations(doc) == [("pkg/b.py", 7, "SR101")]


def test_added_suppressions_are_listed_with_what_they_hide(repo, capsys):
    commit(repo, "Taint", {"pkg/a.py": A_TAINTED, "pkg/old.py": OLD_DEFECT.replace(
        'cmd)\n', 'cmd)  # nosec -- reviewed in 2019\n')})
    (repo / "pkg/b.py").write_text(B.replace("get_host())\n", "get_host())  # nosec B605 -- host is trusted\n")
                                   + "\n\ndef noop():\n    return 1  # secreview: ignore[SR101]\n")
    # an old suppression moved, not added
    (repo / "pkg/old.py").write_text("\n\n" + (repo / "pkg/old.py").read_text())
    code, doc = review_json(["diff"], capsys)
    assert code == EXIT_FINDINGS  # a comment that hides a finding needs a reviewer
    assert doc["findings"] == []
    added = doc["added_suppressions"]
    assert [(s["path"], s["line"], s["rules"], s["reason"]) for s in added] == [
        ("pkg/b.py", 7, ["B605"], "host is trusted"),
        ("pkg/b.py", 11, ["SR101"], None),
    ]
    assert [(f["path"], f["line"], f["rule_id"]) for f in added[0]["hides"]] == [("pkg/b.py", 7, "SR101")]
    assert added[1]["hides"] == []
    for fmt, needle in (("markdown", "## Added suppressions"), ("text", "The change adds 2 suppression comments"),
                        ("sarif", '"addedByChange": true'), ("html", "Added suppressions"),
                        ("gerrit", "hides 1 finding"), ("github-review", "added suppression"),
                        ("github", "title=secreview%3A added suppression"),
                        ("gitlab", "secreview/added-suppression"), ("junit", "secreview.added-suppressions")):
        code, out, _ = run(["diff", "--format", fmt], capsys)
        assert needle in out, fmt
    code, _, _ = run(["diff", "--format", "json", "--exit-zero"], capsys)
    assert code == EXIT_CLEAN


def test_suppression_that_hides_nothing_keeps_exit_0(repo, capsys):
    (repo / "pkg/a.py").write_text(A_SAFE.replace('"localhost"\n', '"localhost"  # nosec\n'))
    code, doc = review_json(["diff"], capsys)
    assert code == EXIT_CLEAN
    assert [(s["line"], s["hides"]) for s in doc["added_suppressions"]] == [(5, [])]


# --- parsing -----------------------------------------------------------------------


def test_parse_diff_lines():
    text = ("diff --git a/f.py b/f.py\n--- a/f.py\n+++ b/f.py\n@@ -2 +2 @@\n-b\n+B\n@@ -4 +3,0 @@\n-d\n"
            "diff --git a/r.py b/s.py\nsimilarity index 88%\nrename from r.py\nrename to s.py\n"
            "--- a/r.py\n+++ b/s.py\n@@ -8,0 +9 @@\n+9\n"
            "diff --git a/gone.py b/gone.py\ndeleted file mode 100644\n--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 "
            "@@\n-x\n")
    changes = parse_diff(text)
    assert set(changes) == {"f.py", "s.py"}
    assert changes["f.py"].added == {2} and changes["f.py"].touched == {2, 3, 4}
    assert changes["s.py"].old_path == "r.py" and changes["s.py"].added == {9}


def test_one_tagged_listing_gives_what_the_two_listings_gave(repo, monkeypatch):
    """The working tree's listing and its untracked files come from one ``git ls-files -t``:
    the same paths as ``--cached --others`` and ``--others``, with skip-worktree, unmerged
    and ignored files about."""
    from secreview.source import changes

    git(repo, "checkout", "-q", "-b", "other")
    commit(repo, "other side", {"pkg/c.py": "a = 1\n"})
    git(repo, "checkout", "-q", "main")
    commit(repo, "main side", {"pkg/c.py": "a = 2\n", ".gitignore": "ignored.py\n"})
    subprocess.run(["git", "merge", "-q", "other"], cwd=repo, capture_output=True)  # a conflict: pkg/c.py unmerged
    git(repo, "update-index", "--skip-worktree", "pkg/legacy.py")
    write(repo, {"ignored.py": "x = 1\n", "new.py": "y = 2\n", "dir/new2.py": "", "odd name\tx.py": "",
                 "late.py": "z = 3\n", "pkg/b.py": B + "\n# edited\n"})
    calls = []
    original = changes.git
    monkeypatch.setattr(changes, "git", lambda args, cwd, **kw: calls.append(args) or original(args, cwd, **kw))
    with changes.open_change(None) as change:
        listing, files = list(change.listing), dict(change.files)
    assert sum(1 for args in calls if args[0] == "ls-files") == 1

    def z(*args):
        return [p for p in subprocess.run(["git", "ls-files", "-z", *args], cwd=repo, capture_output=True,
                                          check=True).stdout.decode().split("\0") if p]

    assert listing == z("--cached", "--others", "--exclude-standard")
    untracked = {p for p in z("--others", "--exclude-standard") if p.endswith(".py")}
    assert untracked == {"new.py", "dir/new2.py", "odd name\tx.py", "late.py"}
    assert untracked <= set(files) and all(files[p].old_path is None for p in untracked)


def test_a_changed_test_file_is_analysed_in_full(repo, capsys):
    """Test code is analysed only where production code calls it (``Config.on_demand``), but a test
    file the change touches is the user's to see: its own findings are looked for."""
    test = "import os\nfrom flask import request\n\nos.system('ls ' + request.args['cmd'])\n"
    commit(repo, "A test", {"tests/test_ls.py": test})
    write(repo, {"tests/test_ls.py": test.replace("'ls '", "'ls -l '")})
    _, doc = review_json(["diff"], capsys)
    assert [f["path"] for f in doc["findings"]] == ["tests/test_ls.py"]


def test_the_test_folders_the_project_keeps_elsewhere_are_test_code_in_a_change_too(repo, capsys):
    """A change to a settings file of a test suite under ``t/integration/`` (a ``conftest.py`` beside test
    modules, as ``review`` finds it): tagged test code, and a secret there is not looked for."""
    settings = "DEBUG = True\nINSTALLED_APPS = [\"django.contrib.auth\"]\n"
    commit(repo, "A suite", {"t/integration/conftest.py": "", "t/integration/test_it.py": "def test_x():\n    pass\n",
                             "t/integration/settings.py": "X = 1\n"})
    write(repo, {"t/integration/settings.py": settings})
    _, doc = review_json(["diff"], capsys)
    found = [f for f in doc["findings"] if f["path"] == "t/integration/settings.py"]
    assert found and all("test-code" in f["tags"] for f in found)
