"""What a project says it is for, from its own packaging metadata: an offensive-security tool.

An exploitation framework, a penetration-testing or vulnerability-testing tool connects to the hosts it
attacks or probes, whose certificates and host keys it cannot and need not check (on held-out panels AT to AW,
18 TLS, SSH host-key and cleartext-protocol findings of pocsuite3, routersploit, pwncat and pwntools: 16 judged
false, 2 worth a look, none real). The project says so in the summary, keywords or classifiers it publishes:
``PKG-INFO`` (an sdist's), ``pyproject.toml`` (``[project]``), ``setup.cfg`` (``[metadata]``) or the
``description=``/``keywords=`` literals of ``setup.py``. Files are only read, never run; one that cannot be
read or parsed says nothing.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from email.parser import HeaderParser
from pathlib import Path

from secreview.source.reading import small_text

_LIMIT = 1_000_000

# whole words or phrases (lower case) that say the project attacks or probes hosts for weaknesses; not "scanner"
# or "security" alone (a barcode scanner, a security library), nor "abuse" (anti-abuse tools)
_OFFENSIVE = re.compile(
    r"\b(?:exploit|exploits|exploitation|post-exploitation|pentest|pentests|pentesting|pen-test|pen-testing"
    r"|penetration[ -]test\w*|offsec|offensive[ -]security|red[ -]?team\w*|hacking|privesc"
    r"|vulnerability[ -](?:test\w*|scan\w*|assessment)|security[ -](?:test\w*|scan\w*|assessment))\b")


def _text(path: Path) -> str | None:
    return small_text(path, _LIMIT, errors="replace")


def _pkg_info(directory: Path) -> list[str]:
    text = _text(directory / "PKG-INFO")
    if text is None:
        return []
    headers = HeaderParser().parsestr(text, headersonly=True)
    return [str(v) for k in ("Summary", "Keywords") for v in headers.get_all(k) or ()] + \
        [str(v) for v in headers.get_all("Classifier") or () if "Security" in str(v)]


def _pyproject(directory: Path) -> list[str]:
    text = _text(directory / "pyproject.toml")
    try:
        project = tomllib.loads(text).get("project", {}) if text is not None else {}
    except tomllib.TOMLDecodeError:
        return []
    if not isinstance(project, dict):
        return []
    found = [project.get("description")] + list(project.get("keywords") or [])
    return [v for v in found if isinstance(v, str)]


def _setup_cfg(directory: Path) -> list[str]:
    text = _text(directory / "setup.cfg")
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text or "")
    except configparser.Error:
        return []
    if not parser.has_section("metadata"):
        return []
    return [parser.get("metadata", k) for k in ("description", "summary", "keywords")
            if parser.has_option("metadata", k)]


_SETUP_LITERAL = re.compile(r"""\b(?:description|keywords)\s*=\s*(?:'([^'\n]*)'|"([^"\n]*)")""")


def _setup_py(directory: Path) -> list[str]:
    text = _text(directory / "setup.py") or ""
    return [a or b for a, b in _SETUP_LITERAL.findall(text)]


_METADATA = ("PKG-INFO", "pyproject.toml", "setup.cfg", "setup.py")


def _project_root(directory: Path) -> Path | None:
    """``directory`` or the nearest folder above it (three at most, not past a repository's top) that holds
    packaging metadata: a review of ``pocsuite3/pocs`` is of pocsuite3."""
    try:
        here = directory.resolve()
    except OSError:
        return None
    for folder in (here, *list(here.parents)[:3]):
        if any((folder / name).is_file() for name in _METADATA):
            return folder
        if (folder / ".git").exists():
            return None
    return None


def offensive_purpose(directory: Path) -> str | None:
    """The text of the packaging metadata of the project ``directory`` is in that declares an offensive-security
    tool ("Exploitation Framework for Embedded Devices"), shortened; None when it declares none (or has no
    metadata)."""
    directory = _project_root(directory)
    if directory is None:
        return None
    for read in (_pkg_info, _pyproject, _setup_cfg, _setup_py):
        for text in read(directory):
            if _OFFENSIVE.search(text.lower()):
                text = " ".join(text.split())
                return text if len(text) <= 80 else text[:77] + "..."
    return None
