"""A repository as a local tree to review, on the worker that reviews it.

* ``tree``: the directory itself, read in place.
* ``sdist``: the archive (a path, or an fsspec URL fetched to scratch space) unpacked into
  scratch space with tarfile's ``data`` filter (no absolute paths, no ``..``, no links out, no
  devices) or zipfile's checked names, within ``MAX_UNPACKED`` bytes and ``MAX_MEMBERS`` files;
  its root is its one top folder, as pip and PyPI lay sdists out.
* ``git``: the blobs of the revision that a review reads (Python files, extension-less
  scripts, ``.gitignore`` and ``.toml`` files: configuration and taint models) written from
  git's object store, as ``secreview diff`` does.

A materialised tree lies in ``<scratch>/tree`` beside an empty ``<scratch>/.git``: the search
for ``pyproject.toml`` and for enclosing ``.gitignore`` files stops there, as it stops at the top
of a checkout, so nothing in the worker's scratch folders can configure a review.

``identity`` is known before anything is unpacked: the archive's SHA-256 or the commit id (the
store is asked first); a ``tree`` has none (its key is the digest of what is read from it).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from secreview.fleet.repos import Repository

MAX_UNPACKED = 2_000_000_000
MAX_MEMBERS = 500_000
MAX_ARCHIVE = 1_000_000_000


class MaterialiseError(Exception):
    """The repository cannot be had as a tree (missing, not an archive, unknown revision...)."""


class Checkout:
    """``with Checkout(repo) as c``: ``c.identity`` at once, ``c.root()`` (unpacking if needed)."""

    def __init__(self, repo: Repository):
        self.repo = repo
        self.scratch: str | None = None
        self._root: str | None = None
        self._archive: str | None = None
        self.identity: str | None = None

    def __enter__(self) -> Checkout:
        try:
            self._prepare()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None

    def _scratch(self) -> str:
        if self.scratch is None:
            self.scratch = tempfile.mkdtemp(prefix="secreview-fleet-")
            os.mkdir(os.path.join(self.scratch, ".git"))  # the top: see the module's docstring
        return self.scratch

    def _prepare(self) -> None:
        repo = self.repo
        if repo.kind == "tree":
            if not os.path.isdir(repo.location):
                raise MaterialiseError(f"{repo.location}: no such directory")
            self._root = repo.location
        elif repo.kind == "sdist":
            self._archive = self._fetch(repo.location)
            self.identity = "sdist:" + _sha256_file(self._archive)
        elif repo.kind == "git":
            from secreview.source.changes import ChangeError, resolve
            try:
                self.identity = "git:" + resolve(repo.revision or "HEAD", Path(repo.location))
            except ChangeError as exc:
                raise MaterialiseError(f"{repo.location}: {exc}") from None
        else:
            raise MaterialiseError(f"unknown kind of repository {repo.kind!r}")

    def root(self) -> str:
        if self._root is None:
            tree = os.path.join(self._scratch(), "tree")
            os.mkdir(tree)
            if self.repo.kind == "sdist":
                self._root = _unpack(self._archive, tree)
            else:
                _write_revision(self.repo.location, self.identity.removeprefix("git:"), tree)
                self._root = tree
        return self._root

    def _fetch(self, location: str) -> str:
        if os.path.isabs(location):
            if not os.path.isfile(location):
                raise MaterialiseError(f"{location}: no such file")
            return location
        import fsspec
        target = os.path.join(self._scratch(), "archive")
        try:
            with fsspec.open(location, "rb") as src, open(target, "wb") as dst:
                copied = 0
                while chunk := src.read(1 << 20):
                    copied += len(chunk)
                    if copied > MAX_ARCHIVE:
                        raise MaterialiseError(f"{location}: larger than {MAX_ARCHIVE} bytes")
                    dst.write(chunk)
        except (OSError, ValueError) as exc:
            raise MaterialiseError(f"{location}: cannot fetch: {exc}") from None
        return target


def _sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _unpack(archive: str, dest: str) -> str:
    """Unpack ``archive`` into ``dest``; the sdist's root (its one top folder, else ``dest``)."""
    try:
        if zipfile.is_zipfile(archive):
            _unzip(archive, dest)
        else:
            with tarfile.open(archive) as tar:
                members = tar.getmembers()
                _check_size(archive, len(members), sum(m.size for m in members if m.isfile()))
                tar.extractall(dest, filter="data")
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise MaterialiseError(f"{archive}: not a readable sdist archive: {exc}") from None
    entries = os.listdir(dest)
    if len(entries) == 1 and os.path.isdir(os.path.join(dest, entries[0])):
        return os.path.join(dest, entries[0])
    return dest


def _unzip(archive: str, dest: str) -> None:
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        _check_size(archive, len(infos), sum(i.file_size for i in infos))
        for info in infos:
            parts = PurePosixPath(info.filename).parts
            if info.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise MaterialiseError(f"{archive}: unsafe member name {info.filename!r}")
            zf.extract(info, dest)


def _check_size(archive: str, members: int, size: int) -> None:
    if members > MAX_MEMBERS:
        raise MaterialiseError(f"{archive}: more than {MAX_MEMBERS} members")
    if size > MAX_UNPACKED:
        raise MaterialiseError(f"{archive}: unpacks to more than {MAX_UNPACKED} bytes")


def _wanted(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.endswith((".py", ".toml")) or name == ".gitignore" or "." not in name


def _write_revision(repo: str, commit: str, dest: str) -> None:
    from secreview.source.changes import ChangeError, git, write_blobs
    try:
        listing = git(["ls-tree", "-r", "-z", "--full-tree", commit], Path(repo))
        entries = []
        for item in listing.split(b"\0"):
            if not item:
                continue
            meta, _, path = item.decode("utf-8", "surrogateescape").partition("\t")
            mode, kind, sha = meta.split()
            if kind == "blob" and mode in ("100644", "100755") and _wanted(path):
                entries.append((sha, path))
        write_blobs(entries, Path(repo), Path(dest))
    except ChangeError as exc:
        raise MaterialiseError(f"{repo}: {exc}") from None
