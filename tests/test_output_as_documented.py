"""The output says what the documentation says (issue 12, item 15).

* A finding's ``code`` holds its whole span (``docs/json-format.md``); markdown and text may show
  less, and say how much they leave out. Fingerprints and baselines keep to the first six lines,
  as when ``code`` was cut there, so that those written before still match.
* Paths are printed as the user named them: an absolute path stays absolute, a relative one
  stays relative to where it was given; ``secreview diff`` keeps repository-relative paths.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from secreview.cli import main
from secreview.findings.baseline import Baseline
from secreview.findings.fingerprint import fingerprint
from secreview.findings.model import Finding, Level, Span

LONG_CALL = """\
import subprocess
from flask import request

def run(command):
    subprocess.run(
        command,
        shell=True,
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )


run(request.args["command"])
"""
SPAN = LONG_CALL.splitlines()[4:12]  # lines 5..12: the call


def _json(args, capsys) -> dict:
    main([*args, "--format", "json", "--no-cache", "--exit-zero", "--no-progress"])
    return json.loads(capsys.readouterr().out)


def _long_finding(doc: dict) -> dict:
    [finding] = [f for f in doc["findings"] if f["rule_id"] == "SR101"]
    return finding


def test_json_code_holds_the_whole_span(tmp_path, capsys, monkeypatch):
    (tmp_path / "app.py").write_text(LONG_CALL)
    monkeypatch.chdir(tmp_path)
    finding = _long_finding(_json(["review", "app.py"], capsys))
    assert (finding["line"], finding["end_line"]) == (5, 12)
    assert finding["code"] == "\n".join(SPAN)


@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_markdown_and_text_shorten_it_and_say_so(tmp_path, capsys, monkeypatch, fmt):
    (tmp_path / "app.py").write_text(LONG_CALL)
    monkeypatch.chdir(tmp_path)
    main(["review", "app.py", "--format", fmt, "--no-cache", "--no-progress"])
    out = capsys.readouterr().out
    for number, line in enumerate(SPAN[:6], 5):
        assert f"{number:>2} | {line}".rstrip() in out
    assert "… (2 more lines)" in out
    assert "timeout=30" not in out


def test_fingerprint_and_baseline_keep_to_the_first_six_lines(tmp_path, capsys, monkeypatch):
    """A baseline written when ``code`` held six lines still matches the finding."""
    (tmp_path / "app.py").write_text(LONG_CALL)
    monkeypatch.chdir(tmp_path)
    main(["baseline", "base.json", ".", "--no-cache", "--no-progress"])
    capsys.readouterr()
    doc = json.loads((tmp_path / "base.json").read_text())
    [entry] = [e for e in doc["findings"] if e["rule_id"] == "SR101"]
    assert entry["code"] == " ".join(" ".join(SPAN[:6]).split())
    finding = _long_finding(_json(["review", "."], capsys))
    made = Finding(finding["rule_id"], finding["rule_name"], finding["title"], finding["cwe"], Level.HIGH,
                   Level.HIGH, finding["path"], Span(5, 4, 12, 5), finding["code"], "", "")
    cut = replace(made, code="\n".join(SPAN[:6]))
    assert fingerprint(made) == fingerprint(cut) == finding["fingerprint"]
    baseline = Baseline.load(tmp_path / "base.json")
    assert sum(baseline.counts.values()) == len(doc["findings"])
    code = main(["review", ".", "--baseline", "base.json", "--format", "json", "--no-cache", "--no-progress"])
    after = json.loads(capsys.readouterr().out)
    assert code == 0 and after["findings"] == [] and after["summary"]["baselined"] >= 1


def _cli(args, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    return subprocess.run([sys.executable, "-m", "secreview", *args, "--format", "json", "--no-cache",
                           "--exit-zero", "--no-progress"], capture_output=True, text=True, cwd=cwd, env=env)


def test_absolute_path_stays_absolute_even_from_the_root(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "app.py").write_text(LONG_CALL)
    proc = _cli(["review", str(tmp_path)], cwd="/")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    expected = f"{tmp_path.as_posix()}/pkg/app.py"
    assert [f["path"] for f in doc["findings"]] == [expected]
    assert all(s["path"] == expected for f in doc["findings"] for s in f["trace"])
    # the same tree named relatively, from inside it and from above it
    inside = json.loads(_cli(["review", "."], cwd=tmp_path).stdout)
    assert [f["path"] for f in inside["findings"]] == ["pkg/app.py"]
    above = json.loads(_cli(["review", tmp_path.name], cwd=tmp_path.parent).stdout)
    assert [f["path"] for f in above["findings"]] == [f"{tmp_path.name}/pkg/app.py"]
    # an absolute path inside the working directory is not made relative either
    here = json.loads(_cli(["review", str(tmp_path / "pkg" / "app.py")], cwd=tmp_path).stdout)
    assert [f["path"] for f in here["findings"]] == [expected]


def test_relative_path_stays_relative_to_where_it_was_given(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "app.py").write_text(LONG_CALL)
    doc = json.loads(_cli(["review", "../other"], cwd=tmp_path / "src").stdout)
    assert [f["path"] for f in doc["findings"]] == ["../other/app.py"]
    doc = json.loads(_cli(["review", "../src/../other/app.py"], cwd=tmp_path / "src").stdout)
    assert [f["path"] for f in doc["findings"]] == ["../other/app.py"]


def test_diff_keeps_repository_relative_paths(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True,
                       env={**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b",
                            "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@b"})
    git("init", "-q")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "app.py").write_text("import subprocess\n")
    git("add", ".")
    git("commit", "-qm", "start")
    (tmp_path / "pkg" / "app.py").write_text(LONG_CALL)
    proc = _cli(["diff"], cwd=tmp_path / "pkg")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [f["path"] for f in doc["findings"]] == ["pkg/app.py"]
    assert _long_finding(doc)["code"] == "\n".join(SPAN)
