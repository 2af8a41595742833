"""What a stored result is keyed by: the repository's content, secreview's own code, the
configuration and the command line's options.

* content: an sdist's SHA-256 or a revision's commit id when known before reading anything
  (their configuration is inside them), else the digest of every file the review reads (path,
  module name, encoding, text), of every file it could not read and of what discovery left out
  (the reports count it), plus the configuration;
* secreview's own code: the digest the review cache uses (``engine.cache.code_fingerprint``:
  version, and every ``.py``, ``.toml``, ``.json`` file of the package), and Python's version
  (the parser it runs first is the interpreter's own);
* options: ``--min-severity``, ``--min-confidence``.

The same key means the same reports, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import fields

KEY_FORMAT = 1


def code_digest() -> str:
    from secreview.engine.cache import code_fingerprint
    return code_fingerprint()


def config_digest(config) -> str:
    """The configuration's values (not where its file lies), with the bytes of its model files."""
    values = {}
    for f in fields(config):
        if f.name in ("root", "source", "model_paths"):
            continue
        value = getattr(config, f.name)
        values[f.name] = [str(v) for v in value] if isinstance(value, tuple) else str(value)
    digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode())
    for path in config.model_paths:
        digest.update(b"\0model\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def tree_digest(sources: list, problems: list, excluded: dict | None = None) -> str:
    """What a review of a tree reads: ``(text, module name, is package)`` sources, the problems
    of the files it could not read, and what discovery left out (reports count it)."""
    digest = hashlib.sha256()
    for src, name, is_package in sources:
        head = json.dumps([src.display, name, is_package, src.encoding]).encode()
        digest.update(b"S" + len(head).to_bytes(8, "big") + head)
        text = src.text.encode("utf-8", "surrogatepass")
        digest.update(len(text).to_bytes(8, "big") + text)
    for problem in problems:
        head = json.dumps([problem.path, str(problem.kind.value), problem.message, problem.reviewed]).encode()
        digest.update(b"P" + len(head).to_bytes(8, "big") + head)
    for kind, left_out in sorted((excluded or {}).items()):
        head = json.dumps([kind, left_out.files, left_out.directories, list(left_out.examples)]).encode()
        digest.update(b"X" + len(head).to_bytes(8, "big") + head)
    return "tree:" + digest.hexdigest()


def repository_key(identity: str, options: dict, config: str | None = None) -> str:
    """The store key: ``identity`` (``sdist:``, ``git:`` or ``tree:`` digest), the configuration's
    digest when ``identity`` does not cover it, the options, secreview's code and Python."""
    doc = {"format": KEY_FORMAT, "identity": identity, "config": config, "options": options,
           "code": code_digest(), "python": f"{sys.version_info.major}.{sys.version_info.minor}"}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()
