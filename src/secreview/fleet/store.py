"""The result store: one JSON document per repository result, by key, in a directory or at any
fsspec URL (``file://``, ``s3://``, ``gs://``, ``memory://``...).

Layout::

    entries/<key[:2]>/<key>.json    {"format", "key", "checksum", "payload"}
    runs/<UTC time>-<id>.json       what each finished run found ({"format", "checksum", "payload"})

Documents are JSON, never pickle: a store may be shared, and reading one must not run code.
``checksum`` is the SHA-256 of the payload's canonical JSON (sorted keys, no spaces, ASCII); a
document that does not parse, names another key or fails its checksum is treated as missing
(and written again by the run that finds it so). Writes are atomic: on a local file system to a
temporary file in the same folder, flushed to disk and renamed into place; elsewhere in one
``put`` of the whole document (object stores show an object whole or not at all).

Only the client of a fleet run reads and writes the store; workers never touch it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time

from secreview.engine.atomic import atomic_write

ENTRY_FORMAT = "secreview-fleet-entry-v1"
RUN_FORMAT = "secreview-fleet-run-v1"
_KEY = re.compile(r"^[0-9a-f]{64}$")


def canonical(payload) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def checksum(payload) -> str:
    return "sha256:" + hashlib.sha256(canonical(payload)).hexdigest()


def encode(fmt: str, payload, **extra) -> bytes:
    doc = {"format": fmt, **extra, "checksum": checksum(payload), "payload": payload}
    return json.dumps(doc, sort_keys=True, ensure_ascii=True).encode("ascii")


def decode(data: bytes, fmt: str, **expected):
    """The payload of a document written by ``encode``, or None when it is not one, whole."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        return None
    if any(doc.get(name) != value for name, value in expected.items()):
        return None
    payload = doc.get("payload")
    try:
        if doc.get("checksum") != checksum(payload):
            return None
    except (TypeError, ValueError):
        return None
    return payload


class ResultStore:
    def __init__(self, location: str):
        from fsspec.core import url_to_fs
        from fsspec.implementations.local import LocalFileSystem
        self.location = location
        self.fs, root = url_to_fs(location)
        self.root = root.rstrip("/") or "/"
        self.local = isinstance(self.fs, LocalFileSystem)
        self.corrupt = 0
        """Entries found unreadable, truncated or failing their checksum by ``load``."""
        for folder in ("entries", "runs"):
            self.fs.makedirs(self._path(folder), exist_ok=True)

    def _path(self, *parts: str) -> str:
        return "/".join([self.root.rstrip("/"), *parts]) if self.root != "/" else "/" + "/".join(parts)

    def _entry(self, key: str) -> str:
        return self._path("entries", key[:2], key + ".json")

    # -- entries

    def keys(self) -> set[str]:
        """The keys with an entry (not checked: ``load`` checks)."""
        out = set()
        for path in self.fs.find(self._path("entries")):
            name = path.rsplit("/", 1)[-1]
            if name.endswith(".json") and _KEY.match(name[:-5]):
                out.add(name[:-5])
        return out

    def load(self, key: str):
        """The payload stored under ``key``, or None (missing, or not whole: counted in ``corrupt``)."""
        try:
            data = self.fs.cat_file(self._entry(key))
        except FileNotFoundError:
            return None
        payload = decode(data, ENTRY_FORMAT, key=key)
        if payload is None:
            self.corrupt += 1
        return payload

    def save(self, key: str, payload) -> None:
        if not _KEY.match(key):
            raise ValueError(f"not a store key: {key!r}")
        self._write(self._entry(key), encode(ENTRY_FORMAT, payload, key=key))

    # -- runs

    def save_run(self, payload) -> str:
        name = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(4) + ".json"
        self._write(self._path("runs", name), encode(RUN_FORMAT, payload))
        return name

    def previous_run(self):
        """The record of the latest finished run that reads whole, or None."""
        try:
            names = sorted((p for p in self.fs.ls(self._path("runs"), detail=False) if p.endswith(".json")),
                           reverse=True)
        except FileNotFoundError:
            return None
        for path in names:
            try:
                payload = decode(self.fs.cat_file(path), RUN_FORMAT)
            except FileNotFoundError:
                continue
            if payload is not None:
                return payload
        return None

    # -- size

    def size(self) -> tuple[int, int]:
        """(entries, bytes of entries)."""
        sizes = [info["size"] for info in self.fs.find(self._path("entries"), detail=True).values()
                 if info["name"].endswith(".json")]
        return len(sizes), sum(sizes)

    # -- writing

    def _write(self, path: str, data: bytes) -> None:
        if not self.local:
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            self.fs.pipe_file(path, data)
            return
        os.makedirs(os.path.dirname(path), exist_ok=True)
        atomic_write(path, lambda handle: handle.write(data), suffix=".part", fsync=True)
