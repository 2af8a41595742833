"""The repositories a fleet review names: ``secreview fleet SOURCES...``.

A SOURCE is

* a directory: each of its subdirectories is a repository (reviewed as its working tree),
  and each sdist archive in it is one too; hidden and tool directories are skipped;
* an sdist archive (``.tar.gz``, ``.tgz``, ``.tar.bz2``, ``.tar.xz``, ``.zip``), a path or
  any fsspec URL (``https://``, ``s3://``, ``file://``...);
* any other file: a list, one repository a line, ``LOCATION [REVISION]`` (``#`` starts a
  comment). LOCATION is a directory, an sdist or a URL, relative to the list's folder; with a
  REVISION it is a git repository, reviewed as the tree of that revision.

Each repository's reports are named after its directory's (or archive's) base name; when two
share a name, the later ones get ``-2``, ``-3``... in the order the SOURCES give them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from secreview.source.discover import DEFAULT_EXCLUDED_DIRS

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip")
RESERVED_NAMES = frozenset({"summary", "index"})
"""Names the fleet's own outputs use (``summary.json``, ``index.html``)."""


class FleetError(Exception):
    """What the command line names cannot be used (a missing path, a malformed list)."""


@dataclass(frozen=True)
class Repository:
    name: str
    """The reports' base name (``<name>.json``, ``<name>.sarif``), unique in the fleet."""
    kind: str
    """``tree`` (a directory as it is), ``sdist`` (an archive) or ``git`` (a revision of a repository)."""
    location: str
    """An absolute path, or a URL for an sdist."""
    revision: str | None = None
    source: str = ""
    """How the command line or the list named it."""


def is_url(text: str) -> bool:
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text) is not None


def is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def archive_stem(name: str) -> str:
    base = name.rstrip("/").rsplit("/", 1)[-1]
    for suffix in ARCHIVE_SUFFIXES:
        if base.lower().endswith(suffix):
            return base[: -len(suffix)]
    return base


def find_repositories(sources: Sequence[str]) -> list[Repository]:
    """The repositories ``sources`` name, with unique report names. Raises ``FleetError``."""
    found: list[tuple[str, str, str | None, str]] = []  # (kind, location, revision, source)
    for source in sources:
        found.extend(_expand(source))
    seen, unique = set(), []
    for item in found:
        if item[:3] not in seen:
            seen.add(item[:3])
            unique.append(item)
    names = unique_names([_base_name(kind, location) for kind, location, _, _ in unique])
    return [Repository(name, kind, location, revision, source)
            for name, (kind, location, revision, source) in zip(names, unique)]


def unique_names(bases: Sequence[str]) -> list[str]:
    """``bases`` made unique, in order (case-insensitively, and apart from ``RESERVED_NAMES``): a
    name already taken gets the smallest free suffix ``-2``, ``-3``..."""
    used: set[str] = set()
    out = []
    for base in bases:
        name, n = base, 2
        while name.casefold() in used or name.casefold() in RESERVED_NAMES:
            name, n = f"{base}-{n}", n + 1
        used.add(name.casefold())
        out.append(name)
    return out


def _base_name(kind: str, location: str) -> str:
    base = archive_stem(location) if kind == "sdist" else os.path.basename(location.rstrip("/")) or "repository"
    return re.sub(r"[\x00-\x1f\x7f/\\]", "_", base) or "repository"


def _expand(source: str) -> list[tuple[str, str, str | None, str]]:
    if is_url(source) and not source.startswith("file://"):
        if not is_archive(source):
            raise FleetError(f"{source}: a URL must name an sdist archive ({', '.join(ARCHIVE_SUFFIXES)})")
        return [("sdist", source, None, source)]
    path = os.path.abspath(source.removeprefix("file://"))
    if os.path.isdir(path):
        return _children(path, source)
    if not os.path.isfile(path):
        raise FleetError(f"{source}: no such directory, sdist or list file")
    if is_archive(path):
        return [("sdist", path, None, source)]
    return _list_file(path, source)


def _children(folder: str, source: str) -> list[tuple[str, str, str | None, str]]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise FleetError(f"{source}: cannot list: {exc.strerror or exc}") from None
    out = []
    for entry in entries:
        if entry.name.startswith(".") or entry.name in DEFAULT_EXCLUDED_DIRS or entry.name.endswith(".egg-info"):
            continue
        shown = os.path.join(source, entry.name)
        if entry.is_dir():
            out.append(("tree", entry.path, None, shown))
        elif entry.is_file() and is_archive(entry.name):
            out.append(("sdist", entry.path, None, shown))
    return out


def _list_file(path: str, source: str) -> list[tuple[str, str, str | None, str]]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(10_000_000)
    except (OSError, UnicodeDecodeError) as exc:
        raise FleetError(f"{source}: cannot read the list: {exc}") from None
    base = os.path.dirname(path)
    out = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        parts = line.split()
        if len(parts) > 2:
            raise FleetError(f"{source}:{number}: expected LOCATION [REVISION], found {len(parts)} words")
        location, revision = parts[0], (parts[1] if len(parts) == 2 else None)
        where = f"{source}:{number}"
        if is_url(location) and not location.startswith("file://"):
            if revision is not None or not is_archive(location):
                raise FleetError(f"{where}: a URL must name an sdist archive, with no revision")
            out.append(("sdist", location, None, location))
            continue
        full = os.path.normpath(os.path.join(base, location.removeprefix("file://")))
        if os.path.isdir(full):
            out.append(("git" if revision else "tree", full, revision, location))
        elif os.path.isfile(full) and is_archive(full) and revision is None:
            out.append(("sdist", full, None, location))
        else:
            raise FleetError(f"{where}: {location}: no such directory" + ("" if revision else " or sdist"))
    return out
