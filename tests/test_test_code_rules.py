"""Rules whose findings the report drops in test code (``Rule.tests_relevant = False``) are not run on the
functions and statements of test files at all (``Program.in_test_code``): the report is the same, and the
work is not done for the majority of a large tree's code that its tests are."""

from __future__ import annotations

import json
from pathlib import Path

from secreview.cli import main
from secreview.rules.hardcoded_secret import HardcodedSecret
from secreview.rules.timing_unsafe_comparison import TimingUnsafeComparison

CODE = '''\
import hmac


def check(request, expected_token):
    token = request.headers["X-Token"]
    if token == expected_token:
        return True
    return False


admin_password = "Adm1n-pr0d-2024"
'''


def review(tmp_path: Path, monkeypatch, capsys) -> tuple[dict, list, list]:
    for rel in ("app/__init__.py", "app/auth.py", "tests/__init__.py", "tests/test_auth.py"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("" if rel.endswith("__init__.py") else CODE)
    checked_functions, checked_statements = [], []
    check_function, check_statement = TimingUnsafeComparison.check_function, HardcodedSecret.check_statement

    def spy_function(self, module, function):
        checked_functions.append(module.path)
        return check_function(self, module, function)

    def spy_statement(self, interp, stmt):
        checked_statements.append(interp.module.path)
        return check_statement(self, interp, stmt)

    monkeypatch.setattr(TimingUnsafeComparison, "check_function", spy_function)
    monkeypatch.setattr(HardcodedSecret, "check_statement", spy_statement)
    monkeypatch.chdir(tmp_path)
    main(["review", ".", "--format", "json", "--no-cache", "--no-progress", "--exit-zero", "--jobs", "1",
          "--min-confidence", "low"])
    return json.loads(capsys.readouterr().out), checked_functions, checked_statements


def test_rules_not_reported_in_tests_do_not_run_there(tmp_path, monkeypatch, capsys):
    doc, functions, statements = review(tmp_path, monkeypatch, capsys)
    found = {(f["rule_name"], f["path"]) for f in doc["findings"]}
    assert ("timing-unsafe-comparison", "app/auth.py") in found
    assert ("hardcoded-secret", "app/auth.py") in found
    assert not any(path.startswith("tests/") for _, path in found)  # as before: dropped from the report
    assert functions and all(path == "app/auth.py" for path in functions)
    assert statements and all(path == "app/auth.py" for path in statements)
