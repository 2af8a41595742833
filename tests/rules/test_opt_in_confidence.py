"""Findings the code does not choose by default are low confidence (hidden by default): the unverified
variant of a session or mail backend a caller or an operator's setting selects, and a digest a wire
protocol fixes (issue 14: flag insecure defaults in code, not values an operator sets)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review
from secreview.findings.model import Level

FIXTURES = Path(__file__).parent / "fixtures"


def _confidences(monkeypatch, folder: str, path: str, rule_id: str) -> dict:
    monkeypatch.chdir(FIXTURES / folder)
    config = replace(DEFAULT_CONFIG, select=("all",), min_confidence=Level.LOW)
    result = review(["."], ReviewOptions(config=config))
    return {f.line: f.confidence for f in result.findings
            if f.rule_id == rule_id and f.path.removeprefix("./") == path}


def _line(folder: str, path: str, needle: str) -> int:
    lines = (FIXTURES / folder / path).read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if needle in text)


def test_insecure_session_variant_is_low(monkeypatch):
    found = _confidences(monkeypatch, "tls-verification-disabled", "openstack.py", "SR301")
    variant = _line("tls-verification-disabled", "openstack.py", "def get_insecure_session")
    plain = _line("tls-verification-disabled", "openstack.py", "def get_session_checked")
    assert found[variant + 1] is Level.LOW
    assert found[plain + 1] is Level.HIGH


def test_no_verification_backend_is_low(monkeypatch):
    found = _confidences(monkeypatch, "unverified-ssl-context", "clients.py", "SR302")
    start = _line("unverified-ssl-context", "clients.py", "class NoVerificationEmailBackend")
    assert start + 6 not in found and found[start + 7] is Level.LOW  # (one defect: the CERT_NONE line)
    assert found[_line("unverified-ssl-context", "clients.py", "ctx = ssl._create_unverified_context()")] \
        is Level.HIGH


def test_wire_format_digest_is_low(monkeypatch):
    found = _confidences(monkeypatch, "weak-hash", "digests.py", "SR201")
    lines = (FIXTURES / "weak-hash" / "digests.py").read_text(encoding="utf-8").splitlines()
    start = next(i for i, text in enumerate(lines, 1) if "class KeyedMD5" in text)
    codec = next(i for i, text in enumerate(lines, 1) if i > start and "hashlib.md5()" in text)
    record = next(i for i, text in enumerate(lines, 1) if "md5(data + record_secret)" in text)
    assert found[codec] is Level.LOW
    # a digest kept as a signature, of no password: low since the twenty-first session's calibration (2 real of
    # 27 judged, both a password's digest), whatever the wire format
    assert found[record] is Level.LOW


def test_string_built_for_a_remote_ssh_command_is_low(monkeypatch):
    found = _confidences(monkeypatch, "command-injection", "remote_ssh.py", "SR101")
    query = _line("command-injection", "remote_ssh.py", '"gerrit query change:%s"')
    pack = _line("command-injection", "remote_ssh.py", '"git-upload-pack %s"')
    local = _line("command-injection", "remote_ssh.py", '"git log %s" % name')
    traced = _line("command-injection", "remote_ssh.py", 'request.args["ref"]')
    assert found[query] is Level.LOW and found[pack] is Level.LOW
    assert found[local] is Level.MEDIUM  # the same construction run by a local shell
    assert found[traced] is Level.HIGH  # request data sent to the server: traced, as before


def test_context_named_insecure_is_low(monkeypatch):
    found = _confidences(monkeypatch, "unverified-ssl-context", "opt_in.py", "SR302")
    # (its check_hostname line is folded into the CERT_NONE one: one defect)
    assert _line("unverified-ssl-context", "opt_in.py", "INSECURE_SSLCONTEXT.check_hostname") not in found
    assert found[_line("unverified-ssl-context", "opt_in.py", "INSECURE_SSLCONTEXT.verify_mode")] is Level.LOW
    assert found[_line("unverified-ssl-context", "opt_in.py", "SHARED_CONTEXT.check_hostname")] is Level.HIGH


def test_ssh_key_only_authentication_is_medium_and_says_so(monkeypatch):
    monkeypatch.chdir(FIXTURES / "ssh-host-key-unverified")
    config = replace(DEFAULT_CONFIG, select=("all",), min_confidence=Level.LOW)
    result = review(["."], ReviewOptions(config=config))
    found = {f.line: f for f in result.findings if f.rule_id == "SR304" and f.path.endswith("key_auth.py")}
    password = found[_line("ssh-host-key-unverified", "key_auth.py", "AutoAddPolicy())")]
    key = found[_line("ssh-host-key-unverified", "key_auth.py", "WarningPolicy())")]
    assert password.confidence is Level.HIGH and "capture the password sent to it" in password.explanation
    assert key.confidence is Level.MEDIUM and "private key itself is not revealed" in key.explanation
    assert "capture" not in key.explanation


def test_weak_hash_is_high_for_a_password_and_low_for_any_other_secret(monkeypatch):
    found = _confidences(monkeypatch, "weak-hash", "secret_names.py", "SR201")
    assert found[_line("weak-hash", "secret_names.py", "hashlib.sha1(password")] is Level.HIGH
    assert found[_line("weak-hash", "secret_names.py", "SECRET_SALT + text")] is Level.LOW


def test_cipher_only_decrypting_is_low(monkeypatch):
    # a cipher this function only decrypts with reads a format that fixes it (volatility3's SAM hashes, pypdf's
    # /Perms block); one that also encrypts, or is returned, is the code's own choice
    path = "format_readers.py"
    weak = _confidences(monkeypatch, "weak-cipher", path, "SR203")
    ecb = _confidences(monkeypatch, "weak-cipher", path, "SR204")
    line = lambda needle: _line("weak-cipher", path, needle)  # noqa: E731
    for needle in ("des1 = DES.new", "return DES.new(key", "decryptor = Cipher(algorithms.ARC4"):
        assert weak[line(needle)] is Level.LOW, needle
    assert ecb[line("des1 = DES.new")] is Level.LOW
    assert ecb[line("cipher = Cipher(algorithms.AES")] is Level.LOW
    assert weak[line("des = DES.new")] is Level.HIGH
    assert ecb[line("des = DES.new")] is Level.MEDIUM
    assert weak[line("cipher = ARC4.new")] is Level.HIGH
