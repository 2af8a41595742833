"""The command line: exit codes, formats, stdin, bad input, config."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from secreview.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, main

VERDICT = "No security defects are detected in the code."
VULNERABLE = 'import os\n\ndef handler(cmd):\n    os.system("ls " + cmd)\n'
CLEAN = 'import os\n\ndef handler():\n    os.system("ls -l")\n'


def run(args, capsys, stdin: bytes | None = None, monkeypatch=None):
    if stdin is not None:
        import io
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_findings_exit_1_and_markdown_by_default(tmp_path, capsys, monkeypatch):
    (tmp_path / "a.py").write_text(VULNERABLE)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["review", "a.py"], capsys)
    assert code == EXIT_FINDINGS
    assert out.startswith("# Security review")
    assert "a.py:4" in out and "CWE-78" in out
    assert VERDICT not in out


def test_clean_exit_0_with_exact_verdict(tmp_path, capsys, monkeypatch):
    (tmp_path / "a.py").write_text(CLEAN)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["review", "a.py"], capsys)
    assert code == EXIT_CLEAN
    assert VERDICT in out


def test_exit_zero(tmp_path, capsys, monkeypatch):
    (tmp_path / "a.py").write_text(VULNERABLE)
    monkeypatch.chdir(tmp_path)
    code, _, _ = run(["review", "a.py", "--exit-zero"], capsys)
    assert code == EXIT_CLEAN


def test_missing_path_is_usage_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["review", "nope.py"], capsys)
    assert code == EXIT_ERROR
    assert "nope.py" in err


def test_bad_option_is_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["review", "--min-severity", "extreme", "x.py"])
    assert exc.value.code == EXIT_ERROR


def test_stdin(capsys, monkeypatch):
    code, out, _ = run(["review", "-", "--format", "json"], capsys, stdin=VULNERABLE.encode(), monkeypatch=monkeypatch)
    assert code == EXIT_FINDINGS
    data = json.loads(out)
    assert data["findings"][0]["path"] == "<stdin>"
    assert data["findings"][0]["line"] == 4


def test_min_severity_and_confidence_filter(tmp_path, capsys, monkeypatch):
    (tmp_path / "a.py").write_text('import os\nos.mkdir("spool", 0o1777)\n')  # low severity, low confidence
    monkeypatch.chdir(tmp_path)
    # low confidence is under the default minimum (medium): withheld, and counted beside the verdict
    code, out, _ = run(["review", "a.py", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == EXIT_CLEAN and data["findings"] == []
    assert data["summary"]["below_threshold"] == {"confidence": 1, "severity": 0}
    code, out, _ = run(["review", "a.py", "--format", "markdown"], capsys)
    assert "No security defects are detected in the code." in out
    assert "Not shown: 1 finding under the minimum confidence, which `--min-confidence low` shows." in out
    code, out, _ = run(["review", "a.py", "--format", "json", "--min-confidence", "low"], capsys)
    assert code == EXIT_FINDINGS and len(json.loads(out)["findings"]) == 1
    code, out, _ = run(["review", "a.py", "--format", "json", "--min-confidence", "low", "--min-severity", "medium"],
                       capsys)
    data = json.loads(out)
    assert code == EXIT_CLEAN and data["findings"] == []
    assert data["summary"]["below_threshold"] == {"confidence": 0, "severity": 1}
    code, out, _ = run(["review", "a.py", "--format", "json", "--min-confidence", "high"], capsys)
    assert code == EXIT_CLEAN


def test_output_file_and_sarif(tmp_path, capsys, monkeypatch):
    (tmp_path / "a.py").write_text(VULNERABLE)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["review", "a.py", "--format", "sarif", "--output", "out.sarif"], capsys)
    assert code == EXIT_FINDINGS and out == ""
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["results"][0]["ruleId"] == "SR101"


def test_bad_files_are_listed_and_review_goes_on(tmp_path, capsys, monkeypatch):
    (tmp_path / "good.py").write_text(VULNERABLE)
    (tmp_path / "binary.py").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    (tmp_path / "latin.py").write_bytes(b"x = '\xff\xfe'\n")
    (tmp_path / "broken.py").write_text('import os\ndef f(:\n    pass\nos.system(input())\n')
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["review", ".", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == EXIT_FINDINGS
    kinds = {p["path"].removeprefix("./"): p["kind"] for p in data["problems"]}
    assert kinds["binary.py"] == "binary"
    assert kinds["latin.py"] == "undecodable"
    assert kinds["broken.py"] == "syntax-error"
    broken = next(p for p in data["problems"] if p["path"].endswith("broken.py"))
    assert broken["reviewed"] is True and broken["lines"][0][0] == 2
    assert any(f["path"].endswith("good.py") for f in data["findings"])


def test_clean_verdict_never_without_unreviewed_files(tmp_path, capsys, monkeypatch):
    (tmp_path / "ok.py").write_text(CLEAN)
    (tmp_path / "binary.py").write_bytes(b"\x00\x01\x02\x03" * 100)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["review", ".", "--format", "markdown"], capsys)
    assert VERDICT in out
    assert "binary.py" in out


def test_malformed_config_is_a_clear_error(tmp_path, capsys, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\nmin-severity = 'extreme'\n")
    (tmp_path / "a.py").write_text(CLEAN)
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["review", "a.py"], capsys)
    assert code == EXIT_ERROR
    assert "pyproject.toml" in err and "min-severity" in err


def test_config_selects_rules(tmp_path, capsys, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\nignore = ['command-injection']\n")
    (tmp_path / "a.py").write_text(VULNERABLE)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["review", "a.py", "--format", "json"], capsys)
    assert code == EXIT_CLEAN, out


def test_nosec_on_any_line_of_a_statement(tmp_path, capsys, monkeypatch):
    source = ('import subprocess\n\ndef f(cmd):\n    subprocess.run(\n        cmd,\n'
              '        shell=True,  # nosec B602\n    )\n\ndef g(cmd):\n'
              '    subprocess.run(cmd, shell=True)  # secreview: ignore[command-injection] -- admin-only tool\n'
              '\ndef h(cmd):\n    subprocess.run(cmd, shell=True)  # nosec B101\n')
    (tmp_path / "a.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["review", "a.py", "--format", "json", "--min-confidence", "low"], capsys)
    data = json.loads(out)
    assert [f["line"] for f in data["findings"]] == [13]
    assert data["summary"]["suppressed"] == 2


def test_rules_and_explain(capsys):
    code, out, _ = run(["rules"], capsys)
    assert code == EXIT_CLEAN and "SR101" in out and "command-injection" in out
    code, out, _ = run(["explain", "command-injection"], capsys)
    assert code == EXIT_CLEAN and "CWE-78" in out and "Fix" in out
    code, _, err = run(["explain", "SR999"], capsys)
    assert code == EXIT_ERROR


def test_rule_catalog_in_docs_is_current():
    from secreview.docs import rule_catalog
    committed = Path(__file__).parents[1] / "docs" / "rules.md"
    assert committed.read_text(encoding="utf-8") == rule_catalog(), \
        "docs/rules.md is stale: run `secreview rules --format markdown > docs/rules.md`"


def test_rule_docs_keep_one_indentation():
    """A docstring line written at another indentation than the rest (``inspect.cleandoc`` keeps the difference)
    makes the other lines indented code blocks in ``docs/rules.md``: SR108's and SR301's were."""
    from secreview.rules.registry import all_rules
    for rule in all_rules():
        indented = [line for line in rule.doc().splitlines() if line.startswith("    ")]
        assert not indented, f"{rule.id}: docstring lines at a deeper indentation than the rest: {indented[:2]}"


def test_console_script_runs_without_importing_reviewed_code(tmp_path):
    marker = tmp_path / "imported"
    (tmp_path / "evil.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    proc = subprocess.run([sys.executable, "-m", "secreview", "review", str(tmp_path / "evil.py")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode in (EXIT_CLEAN, EXIT_FINDINGS), proc.stderr
    assert not marker.exists()


def test_empty_directory_does_not_claim_clean_code(tmp_path, capsys, monkeypatch):
    (tmp_path / "README.txt").write_text("not python\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["review", ".", "--format", "markdown"], capsys)
    assert code == EXIT_CLEAN
    assert VERDICT not in out
    assert "No Python code was reviewed" in out


def test_select_option_runs_extended_rules_and_rejects_unknown_ones(tmp_path, capsys):
    app = tmp_path / "app.py"
    app.write_text("import logging\nfrom flask import request\n\n\ndef view():\n"
                   "    logging.info('user ' + request.args['u'])\n")
    assert main(["review", str(app), "--format", "json", "--exit-zero"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
    assert main(["review", str(app), "--format", "json", "--exit-zero", "--select", "log-injection"]) == 0
    assert [f["rule_name"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["log-injection"]
    assert main(["review", str(app), "--select", "no-such-rule"]) == 2
    assert "unknown rule 'no-such-rule'" in capsys.readouterr().err


def test_a_command_that_exits_after_reporting_runs_without_the_collector_but_for_the_model_pass(
        tmp_path, capsys, monkeypatch):
    """``run`` (``keep_alive``): review, diff and baseline turn the cyclic collector off for good (the process
    exits after reporting); the model pass turns it on again; ``main`` called otherwise leaves it as it was."""
    import gc

    import secreview.llm.run
    from secreview import cli

    (tmp_path / "app.py").write_text(CLEAN)
    monkeypatch.chdir(tmp_path)
    was = gc.isenabled()
    try:
        gc.enable()
        assert main(["review", ".", "--no-cache", "--no-progress", "--jobs", "1", "--no-llm"]) == EXIT_CLEAN
        assert gc.isenabled()
        assert main(["review", ".", "--no-cache", "--no-progress", "--jobs", "1", "--no-llm"],
                    keep_alive=[]) == EXIT_CLEAN
        assert not gc.isenabled()
        gc.enable()
        assert main(["rules"], keep_alive=[]) == EXIT_CLEAN and gc.isenabled()
        seen = []
        monkeypatch.setattr(secreview.llm.run, "run_model_pass", lambda *a, **k: seen.append(gc.isenabled()))
        monkeypatch.setattr(cli, "_model_pass_request", lambda args: cli._ModelPassRequest(settings=None))
        assert main(["review", ".", "--no-cache", "--no-progress", "--jobs", "1"], keep_alive=[]) == EXIT_CLEAN
        assert seen == [True]
    finally:
        gc.unfreeze()  # (what keep_alive froze: this test process goes on)
        gc.enable() if was else gc.disable()
    capsys.readouterr()
