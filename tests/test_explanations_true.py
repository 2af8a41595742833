"""Every sentence of a report is true of the code: the mechanical check of
``benchmarks/precision_audit.py`` (each trace step's code is its line; each identifier
a step or an explanation backquotes is on the line it cites; no production finding
rests on a step in test code) over every rule fixture and over traces that go through
constructors and fields."""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review
from secreview.findings.model import Level
from secreview.reports import ReportOptions, render
from secreview.rules.registry import all_rules

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "rules" / "fixtures"
_spec = importlib.util.spec_from_file_location("precision_audit", ROOT / "benchmarks" / "precision_audit.py")
audit = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("precision_audit", audit)
_spec.loader.exec_module(audit)

# Kinds the audit lists for a human but does not count as untrue: the JSON code of a span
# longer than the report shows, and payload illustrations (`<script>`) in explanations.
NOT_UNTRUE = {"finding-code-cut", "explanation-illustration"}


def untrue(folder: Path, monkeypatch, min_confidence=None) -> list:
    monkeypatch.chdir(folder)
    config = replace(DEFAULT_CONFIG, select=("all",))
    if min_confidence is not None:
        config = replace(config, min_confidence=min_confidence)
    result = review(["."], ReviewOptions(config=config))
    report = json.loads(render("json", result, ReportOptions(tool_version="test")))
    # a rule's documentation may name terms the explanation uses as such (`HttpOnly`, `finally`)
    vocabulary = {r.id: {m.group(1).strip() for m in audit.BACKQUOTED.finditer(r.doc())} for r in all_rules()}
    found = audit.check_report(report, folder, vocabulary=vocabulary)
    return [v for v in found if v.kind not in NOT_UNTRUE], report


@pytest.mark.parametrize("folder", sorted(p for p in FIXTURES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_every_step_and_explanation_of_the_rule_fixtures_is_true(folder, monkeypatch):
    wrong, _ = untrue(folder, monkeypatch)
    assert wrong == [], "\n".join(f"{v.kind} {v.path}:{v.line}: {v.detail}" for v in wrong)


def test_a_field_stored_by_a_constructor_is_stored_where_the_constructor_stores_it(tmp_path, monkeypatch):
    (tmp_path / "controllers.py").write_text(textwrap.dedent("""\
        import os

        from flask import request


        class SecretController:
            def __init__(self, secret_id):
                self.secret_id = secret_id

            def purge(self):
                os.system("purge " + self.secret_id)


        def lookup():
            secret = request.args["id"]
            return SecretController(secret), "rest"
        """))
    wrong, report = untrue(tmp_path, monkeypatch)
    assert wrong == [], "\n".join(f"{v.kind} {v.path}:{v.line}: {v.detail}" for v in wrong)
    (finding,) = [f for f in report["findings"] if f["rule_name"] == "command-injection" and "tainted" in f["tags"]]
    notes = [(s["line"], s["note"]) for s in finding["trace"]]
    assert (8, "stored in `self.secret_id`") in notes  # in __init__, where the store is
    assert not any(line == 16 and "stored" in note for line, note in notes)  # not at the call
    assert any(line == 16 and note == "passed to `SecretController()`" for line, note in notes)


def test_a_trace_goes_through_the_branch_the_call_takes(tmp_path, monkeypatch):
    """A helper returning a secret from two branches chosen by a parameter's test: the finding at a call giving
    the constant of the second branch is traced through that branch's return, not the first's."""
    import textwrap
    from dataclasses import replace

    from secreview.config import DEFAULT_CONFIG
    from secreview.engine.pipeline import ReviewOptions, review
    from secreview.findings.model import Level

    (tmp_path / "client.py").write_text(textwrap.dedent('''\
        import logging

        log = logging.getLogger(__name__)


        class Integration:
            def __init__(self, api_key):
                self.api_key = api_key

            def default_headers(self, request_type):
                if request_type.upper() == "GET":
                    return {"Accept": "text/html", "Authorization": self.api_key}
                elif request_type.upper() == "POST":
                    return {"Content-Type": "application/json", "Authorization": self.api_key}
                return {}

            def post(self, url):
                log.error("request to %s failed, headers %s", url, self.default_headers("POST"))
        '''))
    monkeypatch.chdir(tmp_path)
    result = review(["."], ReviewOptions(config=replace(DEFAULT_CONFIG, min_confidence=Level.LOW)))
    found = [f for f in result.findings if f.rule_id == "SR702"]
    assert len(found) == 1
    lines = [step.line for step in found[0].trace]
    assert 14 in lines and 12 not in lines, lines


def test_a_source_read_in_a_branch_the_call_does_not_take_is_not_traced(tmp_path, monkeypatch):
    """A helper reading the query string in one branch and the form body in the other, chosen by a parameter
    compared with a constant: a call giving ``method="POST"`` gets the body's value, traced through the body's
    line, never the query string's (the other branch); a call giving ``"GET"`` the query string's."""
    from dataclasses import replace

    from secreview.config import DEFAULT_CONFIG
    from secreview.engine.pipeline import ReviewOptions, review

    (tmp_path / "utils.py").write_text(textwrap.dedent('''\
        from django.conf import settings


        def get_next_url(request, method="GET"):
            if method == "GET":
                nxt = request.GET.get("next")
            else:
                nxt = request.POST.get("next")
            return nxt
        '''))
    (tmp_path / "views.py").write_text(textwrap.dedent('''\
        from django.http import HttpResponseRedirect

        from utils import get_next_url


        def edit(request):
            return HttpResponseRedirect(get_next_url(request, method="POST"))


        def show(request):
            return HttpResponseRedirect(get_next_url(request))
        '''))
    monkeypatch.chdir(tmp_path)
    result = review(["."], ReviewOptions(config=replace(DEFAULT_CONFIG, min_confidence=Level.LOW)))
    found = {f.line: f for f in result.findings if f.rule_id == "SR107"}
    assert set(found) == {7, 11}, found
    edit_lines = [(s.path, s.line) for s in found[7].trace]
    assert ("utils.py", 8) in edit_lines and ("utils.py", 6) not in edit_lines, edit_lines
    assert "request.POST" in found[7].explanation and "request.GET" not in found[7].explanation
    show_lines = [(s.path, s.line) for s in found[11].trace]
    assert ("utils.py", 6) in show_lines and ("utils.py", 8) not in show_lines, show_lines


def test_a_digest_beside_a_stronger_one_names_the_branch_and_cites_both_lines(tmp_path, monkeypatch):
    (tmp_path / "handlers.py").write_text(textwrap.dedent("""\
        from hashlib import sha1, sha256


        class PubKeyHandler:
            def derive_shared_encryption_key(self):
                if self._handler.version >= 5:
                    md = sha256()
                else:
                    md = sha1()
                md.update(self._recp_key_seed)
                return md.digest()
        """))
    wrong, report = untrue(tmp_path, monkeypatch, Level.LOW)
    assert wrong == [], "\n".join(f"{v.kind} {v.path}:{v.line}: {v.detail}" for v in wrong)
    (finding,) = [f for f in report["findings"] if f["rule_name"] == "weak-hash"]
    assert "taken when `self._handler.version >= 5` (a test of the version of a format or protocol) is false" \
        in finding["explanation"]
    notes = {(s["line"], s["note"]) for s in finding["trace"]}
    assert (6, "`self._handler.version >= 5`: the version test") in notes
    assert (7, "`sha256()`: the other branch") in notes


def test_a_length_field_names_no_code_off_its_lines(tmp_path, monkeypatch):
    (tmp_path / "blob.py").write_text(textwrap.dedent("""\
        import io


        class Blob:
            @classmethod
            def read_dpapi_blob(
                cls,
                data,
            ):
                view = io.BytesIO(data)


                update_timestamp = int.from_bytes(view.read(8), byteorder='little', signed=False)
                blob_length = int.from_bytes(view.read(4), byteorder='little', signed=False)
                flags = int.from_bytes(view.read(4), byteorder='little', signed=False)
                blob = view.read(blob_length)
                return cls(blob, flags)
        """))
    wrong, report = untrue(tmp_path, monkeypatch, Level.LOW)
    assert [f for f in report["findings"] if f["rule_name"] == "unbounded-length-field"]
    assert wrong == [], "\n".join(f"{v.kind} {v.path}:{v.line}: {v.detail}" for v in wrong)


def test_a_secret_keyword_on_its_own_line_cites_the_call(tmp_path, monkeypatch):
    (tmp_path / "db.py").write_text(textwrap.dedent("""\
        from airflow.models import Connection


        def create_default_connections(session):
            session.add(
                Connection(
                    conn_id="airflow_db",
                    conn_type="mysql",
                    host="mysql",
                    login="root",
                    password="s3cr3t-Pa55w0rd",
                    schema="airflow",
                )
            )
        """))
    wrong, report = untrue(tmp_path, monkeypatch, Level.LOW)
    assert [f for f in report["findings"] if f["rule_name"] == "hardcoded-secret"]
    assert wrong == [], "\n".join(f"{v.kind} {v.path}:{v.line}: {v.detail}" for v in wrong)


def test_a_cipher_wrapper_cites_the_def_it_is_named_by(tmp_path, monkeypatch):
    (tmp_path / "ciphers.py").write_text(textwrap.dedent("""\
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
        from Crypto.Cipher import ARC4, DES3


        def rc4_encrypt(key, data):
            return ARC4.new(key).encrypt(data)


        class PyCrypto_TripleDES:
            def __init__(self, key, iv):
                self.context = DES3.new(key, DES3.MODE_CBC, iv)


        def aes_ecb_encrypt(key, data):
            encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
            return encryptor.update(data) + encryptor.finalize()
        """))
    wrong, report = untrue(tmp_path, monkeypatch, Level.LOW)
    assert {f["rule_name"] for f in report["findings"]} >= {"weak-cipher", "ecb-mode"}
    assert wrong == [], "\n".join(f"{v.kind} {v.path}:{v.line}: {v.detail}" for v in wrong)


def test_a_constant_cipher_key_is_described_whichever_way_the_code_uses_it(tmp_path, monkeypatch):
    """unblob decrypts a vendor's firmware with the vendor's AES key and encrypts nothing: 'decrypt everything
    this code encrypts' was untrue of it (panel AX); what the key allows is said of the key itself."""
    (tmp_path / "firmware.py").write_text(textwrap.dedent('''\
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        KEY = b"he9-4+M!)d6=m~we1,q2a3d1n&2*Z^%8"
        IV = b"J%1iQl8$=lm-;8AE"


        def extract(blob):
            decryptor = Cipher(algorithms.AES(KEY), modes.CBC(IV)).decryptor()
            return decryptor.update(blob) + decryptor.finalize()
        '''))
    monkeypatch.chdir(tmp_path)
    result = review(["."], ReviewOptions(config=DEFAULT_CONFIG))
    found = [f for f in result.findings if f.rule_id == "SR207"]
    assert [f.line for f in found] == [8]
    assert "decrypt whatever was encrypted with it and make ciphertexts that decrypt with it" in found[0].explanation
    assert "this code encrypts" not in found[0].explanation


def test_a_long_flow_is_traced_to_its_sink(tmp_path, monkeypatch):
    """A request value passed through twelve functions before it reaches ``os.system``: the trace
    starts at the request and its last step is the sink's line, saying that steps before it are not shown (a
    trace cut at twelve steps stopped in the middle, in another function, where no reader could check it)."""
    chain = "\n".join(f"def hop{i}(value):\n    return hop{i + 1}(value)\n" for i in range(12))
    (tmp_path / "app.py").write_text(textwrap.dedent("""\
        import os

        from flask import Flask, request

        app = Flask(__name__)


        @app.route("/run")
        def run():
            return hop0(request.args["cmd"])


        """) + chain + textwrap.dedent("""\

        def hop12(value):
            os.system("ls " + value)
            return ""
        """))
    wrong, report = untrue(tmp_path, monkeypatch)
    assert wrong == [], "\n".join(f"{v.kind} {v.path}:{v.line}: {v.detail}" for v in wrong)
    [finding] = [f for f in report["findings"] if f["rule_id"] == "SR101"]
    lines = (tmp_path / "app.py").read_text().splitlines()
    assert "request.args" in finding["trace"][0]["code"]
    assert finding["trace"][-1]["line"] == finding["line"]
    assert lines[finding["line"] - 1].strip() == 'os.system("ls " + value)'
    assert "steps before this one are not shown" in finding["trace"][-1]["note"]
    assert len(finding["trace"]) <= 13
