"""Fixtures of the model-pass tests: a fake endpoint, a small project, a clean environment."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fakellm import FakeLLM  # noqa: E402

APP = '''\
import subprocess

from flask import Flask, request

from store import db

app = Flask(__name__)


def run(command):
    return subprocess.run(command, shell=True, capture_output=True)


@app.route("/ping")
def ping():
    host = request.args.get("host", "localhost")
    return {"reachable": run(f"ping -c 1 {host}").returncode == 0}


@app.route("/ports/<port_id>", methods=["DELETE"])
def delete_port(port_id):
    port = db.get_port(port_id)
    db.delete(port)
    return {"deleted": port_id}
'''

STORE = '''\
class Store:
    def get_port(self, port_id):
        return {"id": port_id}

    def delete(self, port):
        return None


db = Store()
'''


def line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.split("\n"), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


@pytest.fixture(autouse=True)
def no_user_llm_settings(monkeypatch, tmp_path_factory):
    """No endpoint from the developer's own environment or configuration file."""
    for name in ("SECREVIEW_LLM_BASE_URL", "SECREVIEW_LLM_MODEL", "SECREVIEW_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "app.py").write_text(APP)
    (root / "store.py").write_text(STORE)
    return root


@pytest.fixture
def fake():
    with FakeLLM() as server:
        yield server
