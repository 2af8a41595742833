"""Request data read in a handler that a decorator reserves for administrators: still reported where an
administrator must not reach (a shell), worded for that sender and one level less severe; a conversion
error fails only the administrator's own request and is not reported."""

from __future__ import annotations

import pytest
from reviewing import findings

from secreview.findings.model import Level

APP = '''
import subprocess

from flask import Flask, request

app = Flask(__name__)


def admin_required(f):
    return f


@app.route("/admin/run", methods=["POST"])
@{decorator}
def run():
    limit = int(request.form["limit"])
    subprocess.call("ls " + request.form["dir"], shell=True)
    return str(limit) + open(request.form["path"]).read()


@app.route("/run", methods=["POST"])
def run_any():
    limit = int(request.form["limit"])
    subprocess.call("ls " + request.form["dir"], shell=True)
    return str(limit)
'''


@pytest.mark.parametrize("decorator", ["admin_required", "Permissions.ADMIN.require(403)",
                                       "staff_member_required", "roles_required('administrator')",
                                       "roles_accepted('admin', 'superuser')"])
def test_admin_only_handlers_are_worded_for_administrators(decorator, tmp_path, monkeypatch):
    files = {"app.py": APP.replace("{decorator}", decorator)}
    commands = findings(tmp_path, monkeypatch, files)
    assert [f.line for f in commands] == [17, 24]
    admin, anyone = commands
    assert "admits only administrators" in admin.explanation and admin.severity == Level.MEDIUM
    assert "administrator" not in anyone.explanation and anyone.severity == Level.HIGH
    conversions = findings(tmp_path, monkeypatch, files, rule="unhandled-input-conversion")
    assert [f.line for f in conversions] == [23]
    # the administrator names a file of the server: theirs to read
    assert findings(tmp_path, monkeypatch, files, rule="path-traversal") == []


@pytest.mark.parametrize("decorator", ["roles_required('editor')", "roles_accepted('admin', 'editor')",
                                       "roles_required('admin', permission='edit_user_info')"])
def test_roles_other_than_an_administrators_are_not_administration(decorator, tmp_path, monkeypatch):
    files = {"app.py": APP.replace("{decorator}", decorator)}
    assert [f.line for f in findings(tmp_path, monkeypatch, files, rule="path-traversal")] == [18]


def test_login_alone_is_not_administration(tmp_path, monkeypatch):
    files = {"app.py": APP.replace("{decorator}", "login_required").replace(
        "def admin_required(f):", "def login_required(f):")}
    assert [f.line for f in findings(tmp_path, monkeypatch, files, rule="unhandled-input-conversion")] == [16, 23]
    assert [f.line for f in findings(tmp_path, monkeypatch, files, rule="path-traversal")] == [18]


FASTAPI_APP = '''
import subprocess

import requests
from fastapi import APIRouter, Depends

from .auth import get_admin_user, get_verified_user

router = APIRouter()


@router.post("/admin/servers/verify")
async def verify_server(url: str, user=Depends(get_admin_user)):
    requests.get(url + "/api/config")
    subprocess.call("ping " + url, shell=True)
    return {"limit": int(url)}


@router.post("/servers/verify")
async def verify_any(url: str, user=Depends(get_verified_user)):
    requests.get(url + "/api/config")
    return {"limit": int(url)}
'''


def test_a_fastapi_dependency_on_an_administrator_is_admin_only(tmp_path, monkeypatch):
    """open-webui's ``user=Depends(get_admin_user)``: the outbound URLs, files and conversions of an
    administrator's request are the administrator's to choose; a shell command is still reported, worded for
    them; a handler depending on any signed-in user is not admin-only."""
    files = {"app/__init__.py": "", "app/auth.py": "def get_admin_user():\n    pass\n\n\n"
             "def get_verified_user():\n    pass\n", "app/routers.py": FASTAPI_APP}
    assert [f.line for f in findings(tmp_path, monkeypatch, files, rule="ssrf")] == [21]
    assert [f.line for f in findings(tmp_path, monkeypatch, files, rule="unhandled-input-conversion")] == [22]
    [shell] = findings(tmp_path, monkeypatch, files, rule="command-injection")
    assert shell.line == 15 and "administrator" in shell.explanation
