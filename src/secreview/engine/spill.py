"""Bytes a review writing the cache sets aside on disk until it stores them.

A process that fills the cache holds, until its analysis ends, what only the cache needs: its
files' pickled stubs, its summaries' pickles, what each function read of other modules. None of
it is read before the store, so it waits in an unnamed temporary file beside the cache (deleted
by the system when the process closes it or ends) instead of in memory: on neutron a worker kept
15 MB of it at its peak (tenth session, ``docs/performance-history.md``).
"""

from __future__ import annotations

import os
import pickle
import tempfile


class Spill:
    """``put(blob)`` gives a handle (an int) that ``get`` turns back into the same bytes. In an
    unnamed file in ``directory`` when one can be made there (else in memory, as before)."""

    def __init__(self, directory=None):
        self._chains: dict = {}  # chain key -> handle of its newest record (``add``)
        self._kept: list | None = None
        self._file = None
        self._size = 0
        self._unflushed = False
        try:
            if directory is not None:
                os.makedirs(directory, exist_ok=True)
            self._file = tempfile.TemporaryFile(dir=directory, prefix=".spill-")
        except OSError:  # a cache that cannot be written: the store will say so; meanwhile, memory
            self._kept = []

    def put(self, blob: bytes) -> int:
        if self._file is None:
            self._kept.append(blob)
            return len(self._kept) - 1
        if len(blob) >> 32:
            raise ValueError("a blob of 4 GiB or more")  # (before writing: the file keeps only what handles name)
        self._file.write(blob)
        handle = (self._size << 32) | len(blob)
        self._size += len(blob)
        self._unflushed = True
        return handle

    def get(self, handle: int) -> bytes:
        if self._file is None:
            return self._kept[handle]
        if self._unflushed:
            self._file.flush()
            self._unflushed = False
        length = handle & 0xFFFFFFFF
        blob = os.pread(self._file.fileno(), length, handle >> 32)
        if len(blob) != length:
            raise OSError(f"spill file truncated: {len(blob)} of {length} bytes read")
        return blob

    def add(self, chain, record: tuple) -> None:
        """``record`` (picklable) set aside as the newest of ``chain`` (any key: a module's records, so
        that one handle per module is held, not one per function)."""
        self._chains[chain] = self.put(pickle.dumps((self._chains.get(chain), record),
                                                    protocol=pickle.HIGHEST_PROTOCOL))

    def chain(self, chain):
        """The records ``add``ed to ``chain``, newest first."""
        handle = self._chains.get(chain)
        while handle is not None:
            handle, record = pickle.loads(self.get(handle))
            yield record

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._kept = None
