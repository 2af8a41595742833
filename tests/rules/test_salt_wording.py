"""A salt is not called a secret: weak-hash names it as a salt, weak-random does not say "this secret"."""

from __future__ import annotations

from dataclasses import replace

from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review
from secreview.findings.model import Level

_CODE = '''from hashlib import sha1
import random


def check_passwd(guess, passwd):
    m = sha1()
    salt = passwd[:8]
    m.update(guess.encode() + salt.encode())
    return salt + m.hexdigest() == passwd


def make_salt():
    salt = "%016x" % random.getrandbits(64)
    return salt
'''


def test_salt_is_not_called_a_secret(tmp_path, monkeypatch):
    (tmp_path / "users.py").write_text(_CODE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    # (a predictable salt is low confidence: tests/test_confidence.py)
    result = review(["."], ReviewOptions(config=replace(DEFAULT_CONFIG, select=("all",), min_confidence=Level.LOW)))
    by_rule = {f.rule_id: f for f in result.findings}
    hashed = by_rule["SR201"].explanation
    assert "`salt`, whose name marks it as a salt" in hashed
    assert "marks it as a secret" not in hashed
    drawn = by_rule["SR202"].explanation
    assert "this secret" not in drawn
    assert "needs to be unique rather than unpredictable" in drawn
