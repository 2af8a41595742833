"""Baselines: ``secreview baseline`` and ``--baseline``, matched without line numbers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from secreview.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, main
from secreview.findings.baseline import Baseline, Scopes

APP = '''import os
import subprocess


def ping(host):
    os.system("ping -c 1 " + host)


class Runner:
    def run(self, cmd):
        return subprocess.run("echo " + cmd, shell=True)


def listing(path):
    os.system("ls " + path)
'''


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def findings(args, capsys) -> tuple[int, dict]:
    code, out, err = run([*args, "--format", "json"], capsys)
    assert code in (EXIT_CLEAN, EXIT_FINDINGS), err
    return code, json.loads(out)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(APP)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_baseline_written_and_matched(project, capsys):
    code, before = findings(["review", "app"], capsys)
    assert code == EXIT_FINDINGS and len(before["findings"]) == 3
    code, _, err = run(["baseline", "baseline.json", "app"], capsys)
    assert code == EXIT_CLEAN and "wrote 3 findings" in err
    doc = json.loads((project / "baseline.json").read_text())
    assert doc["secreview_baseline"] == 1
    entries = {(e["rule_id"], e["path"], e["scope"], e["count"]) for e in doc["findings"]}
    assert ("SR101", "app/views.py", "ping", 1) in entries
    assert ("SR101", "app/views.py", "Runner.run", 1) in entries
    assert all("line" not in e for e in doc["findings"])  # nothing that moves with the code
    code, after = findings(["review", "app", "--baseline", "baseline.json"], capsys)
    assert code == EXIT_CLEAN and after["findings"] == []
    assert after["summary"]["baselined"] == 3
    code, out, _ = run(["review", "app", "--baseline", "baseline.json", "--format", "markdown"], capsys)
    assert "No security defects are detected in the code." in out
    assert "3 findings in the baseline not shown." in out


def test_the_same_baseline_from_another_directory(project, capsys, monkeypatch):
    run(["baseline", "baseline.json", "."], capsys)
    monkeypatch.chdir(project / "app")
    code, doc = findings(["review", ".", "--baseline", "../baseline.json"], capsys)
    assert code == EXIT_CLEAN and doc["summary"]["baselined"] == 3


def test_moving_code_does_not_bring_old_findings_back(project, capsys):
    run(["baseline", "baseline.json", "app"], capsys)
    functions = APP.split("\n\n\n")
    header, ping, runner, listing = functions
    moved = "\n\n\n".join([header + "\n\nimport sys\n# a comment\n\n\nLIMIT = 3",
                           listing, "def helper():\n    return sys.argv", ping.replace("    os",
                                                                                       "    # re-indented\n    os"),
                           runner])
    (project / "app" / "views.py").write_text(moved)
    code, doc = findings(["review", "app"], capsys)
    assert {f["line"] for f in doc["findings"]}.isdisjoint({6, 11, 15})  # every finding moved
    code, doc = findings(["review", "app", "--baseline", "baseline.json"], capsys)
    assert code == EXIT_CLEAN, doc["findings"]
    assert doc["findings"] == [] and doc["summary"]["baselined"] == 3


def test_a_second_identical_finding_is_new(project, capsys):
    run(["baseline", "baseline.json", "app"], capsys)
    (project / "app" / "views.py").write_text(APP.replace(
        '    os.system("ls " + path)\n', '    os.system("ls " + path)\n    os.system("ls " + path)\n'))
    code, doc = findings(["review", "app", "--baseline", "baseline.json"], capsys)
    assert code == EXIT_FINDINGS
    assert [(f["line"], f["code"].strip()) for f in doc["findings"]] == [(16, 'os.system("ls " + path)')]
    assert doc["summary"]["baselined"] == 3
    # the same code in another function is another finding
    (project / "app" / "views.py").write_text(APP + '\n\ndef other(path):\n    os.system("ls " + path)\n')
    code, doc = findings(["review", "app", "--baseline", "baseline.json"], capsys)
    assert [f["line"] for f in doc["findings"]] == [19]


def test_changing_the_finding_line_makes_it_new(project, capsys):
    run(["baseline", "baseline.json", "app"], capsys)
    (project / "app" / "views.py").write_text(APP.replace('"ping -c 1 " + host', '"ping -c 3 " + host'))
    code, doc = findings(["review", "app", "--baseline", "baseline.json"], capsys)
    assert [f["line"] for f in doc["findings"]] == [6]


def test_baseline_with_diff(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    env = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@e"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(APP)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "init"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)
    monkeypatch.chdir(tmp_path)
    run(["baseline", ".secreview-baseline.json"], capsys)
    # the change re-indents a function body into a new block: its old finding touches a changed line
    (tmp_path / "app" / "views.py").write_text(APP.replace(
        '    os.system("ping -c 1 " + host)\n', '    if host:\n        os.system("ping -c 1 " + host)\n')
        + '\n\ndef new(cmd):\n    os.system("echo " + cmd)\n')
    code, doc = findings(["diff"], capsys)
    assert {f["line"] for f in doc["findings"]} == {7, 20}
    code, doc = findings(["diff", "--baseline", ".secreview-baseline.json"], capsys)
    assert [f["line"] for f in doc["findings"]] == [20] and doc["summary"]["baselined"] == 1


def test_bad_baseline_is_an_error(project, capsys):
    (project / "bad.json").write_text("{}")
    code, _, err = run(["review", "app", "--baseline", "bad.json"], capsys)
    assert code == EXIT_ERROR and "bad.json" in err
    code, _, err = run(["review", "app", "--baseline", "missing.json"], capsys)
    assert code == EXIT_ERROR and "missing.json" in err


def test_scopes():
    scopes = Scopes(APP.splitlines())
    assert scopes.at(1) == "<module>"
    assert scopes.at(6) == "ping"
    assert scopes.at(11) == "Runner.run"
    assert scopes.at(10) == "Runner.run"
    assert Scopes(["def broken(:", "    x = 1"]).at(2) in ("broken", "<module>")  # never raises


def test_baseline_counts_load(tmp_path):
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"secreview_baseline": 1, "findings": [
        {"rule_id": "SR101", "path": "a.py", "scope": "f", "code": "os.system(x)", "count": 2}]}))
    baseline = Baseline.load(path)
    assert baseline.counts[("SR101", "a.py", "os.system(x)", "f")] == 2
