"""Files written whole or not at all: a temporary file in the same folder, renamed into place,
so a reader (another review, a fleet client, a crash-interrupted run) never sees half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import BinaryIO


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], object], *, suffix: str = "",
                 mode: int | None = None, fsync: bool = False) -> None:
    """``write(handle)`` into a temporary file renamed to ``path``; on any failure the temporary
    file is removed and the error raised. ``mode``: the file's permissions (``mkstemp`` makes it
    0o600); ``fsync``: flush it to disk before the rename (a store other processes read)."""
    folder = os.path.dirname(os.fspath(path)) or "."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=suffix)
    try:
        if mode is not None:
            os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def umask() -> int:
    """The process's umask (read by setting it and setting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
