"""A project whose packaging says it is an offensive-security tool: its peer-identity findings are low, saying why."""

from __future__ import annotations

import textwrap
from dataclasses import replace

import pytest

from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review
from secreview.findings.model import Level
from secreview.source.project_purpose import offensive_purpose

CLIENT = textwrap.dedent('''\
    import os

    import paramiko
    import requests


    def probe(url):
        return requests.get(url, verify=False).status_code


    def login(host, user, password):
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        client.connect(host, username=user, password=password)
        return client


    def ping(host):
        os.system("ping -c 1 " + host)
    ''')


@pytest.mark.parametrize("name, text", [
    ("PKG-INFO", "Metadata-Version: 2.1\nName: rsploit\nSummary: Exploitation Framework for Embedded Devices\n"),
    ("PKG-INFO", "Metadata-Version: 2.1\nName: x\nSummary: A tool\nKeywords: offsec,cyber,privesc\n"),
    ("pyproject.toml", '[project]\nname = "x"\ndescription = "Open-sourced remote vulnerability testing framework."\n'),
    ("pyproject.toml", '[project]\nname = "x"\nkeywords = ["ctf", "penetration testing"]\n'),
    ("setup.cfg", "[metadata]\nname = x\ndescription = The Leading Android Security Testing Framework\n"),
    ("setup.py", "from setuptools import setup\nsetup(name='x', description='IoT security testing')\n"),
])
def test_an_offensive_tool_says_so_in_its_metadata(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    assert offensive_purpose(tmp_path)
    sub = tmp_path / "pkg" / "pocs"
    sub.mkdir(parents=True)
    assert offensive_purpose(sub) == offensive_purpose(tmp_path)  # a folder of the project: the project's


@pytest.mark.parametrize("name, text", [
    ("PKG-INFO", "Metadata-Version: 2.1\nName: x\nSummary: Fast barcode scanner for warehouses\n"),
    ("pyproject.toml", '[project]\nname = "x"\ndescription = "A security library for web applications"\n'),
    ("pyproject.toml", '[project]\nname = "x"\ndescription = "Anti-abuse rate limiting"\n'),
    ("pyproject.toml", "[project\nbroken"),
    ("setup.cfg", "[metadata]\nname = x\ndescription = Exploring data\n"),
    ("setup.py", "from setuptools import setup\nsetup(name='x', description='An HTTP client')\n"),
])
def test_other_projects_do_not(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    assert offensive_purpose(tmp_path) is None


def test_no_metadata_and_a_repository_top_say_nothing(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndescription = "An exploit framework"\n')
    inner = tmp_path / "vendor" / "lib"
    inner.mkdir(parents=True)
    (tmp_path / "vendor" / ".git").mkdir()
    assert offensive_purpose(inner) is None  # another repository's top stops the search
    assert offensive_purpose(tmp_path / "vendor") is None


def _review(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = review(["."], ReviewOptions(config=replace(DEFAULT_CONFIG, min_confidence=Level.LOW)))
    return {f.rule_id: f for f in result.findings}


def test_peer_identity_findings_of_an_offensive_tool_are_low(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "rsploit"\n'
                                             'description = "Exploitation Framework for Embedded Devices"\n')
    (tmp_path / "client.py").write_text(CLIENT)
    got = _review(tmp_path, monkeypatch)
    for rule in ("SR301", "SR304"):
        assert got[rule].confidence == Level.LOW, rule
        assert '"Exploitation Framework for Embedded Devices", in its packaging metadata' in got[rule].explanation
    assert got["SR101"].confidence > Level.LOW  # other rules keep their confidence
    assert "offensive-security" not in got["SR101"].explanation


def test_the_same_code_elsewhere_keeps_its_confidence(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "devices"\ndescription = "Embedded device manager"\n')
    (tmp_path / "client.py").write_text(CLIENT)
    got = _review(tmp_path, monkeypatch)
    assert got["SR301"].confidence == Level.HIGH and got["SR304"].confidence == Level.HIGH
    assert "offensive-security" not in got["SR301"].explanation


MATERIAL = textwrap.dedent('''\
    import hashlib
    import logging
    import random
    import string

    LOG = logging.getLogger(__name__)


    def throwaway_password():
        password = "".join(random.choice(string.ascii_letters) for _ in range(12))
        return password


    def try_login(session, url, user, password):
        LOG.info("trying %s with password %s", user, password)
        return session.post(url, data={"user": user, "password": password})


    def legacy_login_hash(challenge, password):
        return hashlib.md5(challenge + password.encode()).hexdigest()
    ''')


def test_attack_material_findings_of_an_offensive_tool_are_low(tmp_path, monkeypatch):
    """In a tool that says it is an exploitation framework, a throwaway password from ``random``, a guess
    logged while it tries it and the MD5 a target's login protocol dictates are low, saying why (12 such
    findings on panels AI-AX, all judged false); the same code in another project keeps its confidence."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "rsploit"\n'
                                             'description = "Exploitation Framework for Embedded Devices"\n')
    (tmp_path / "attack.py").write_text(MATERIAL)
    got = _review(tmp_path, monkeypatch)
    for rule in ("SR202", "SR702", "SR201"):
        assert got[rule].confidence == Level.LOW, rule
        assert "the secrets, keys, random values and commands it handles mostly serve its attacks" in \
            got[rule].explanation, rule
    other = tmp_path / "other"
    other.mkdir()
    (other / "pyproject.toml").write_text('[project]\nname = "devices"\ndescription = "Embedded device manager"\n')
    (other / "attack.py").write_text(MATERIAL)
    got = _review(other, monkeypatch)
    for rule in ("SR202", "SR702", "SR201"):
        assert got[rule].confidence > Level.LOW, rule
        assert "offensive-security" not in got[rule].explanation
