"""What earlier reviews read of each file, by the ``stat`` that shows it unchanged since: a review of an
unchanged tree then reads no file, as git's index spares ``git status`` reading the work tree.

A record is kept of each file a review read and decoded: where it is, what ``stat`` said of it when
discovery found it (``discover.stat_identity``: size, modification and change times, inode), and what
decoding found (its encoding, its line count, the SHA-256 of its text). A later review whose discovery
finds a file with the same identity at the same place takes it as read (``UnreadSource``): its text is
read only when something asks for it, and checked against the digest then (``SourceChanged``). Anything
else — no record, another identity, a file now above the size limit — is read as before.

Racy files: a file written twice within one tick of the file system's clock keeps the change time of
the first write. A review records only files whose change (and modification) time is older than its own
start by ``RACY_NS``, far more than any tick: a file changed after the review read it then has another
change time, whatever its size and modification time say (git checks its "racily clean" entries again
for the same reason). A file just edited is read by each review until it is that old.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from secreview.source.discover import Candidate
from secreview.source.reading import SourceText, UnreadSource, text_digest

RACY_NS = 2_000_000_000
"""How much older than a review's start a file's change time must be for the review to record it."""

CHANGE_TIME_KEPT = os.name == "posix"
"""Whether the file system keeps each file's change time (``st_ctime``), which only the kernel sets: on
Windows ``st_ctime`` is the creation time, and a file rewritten in place with its size and modification time
would look unchanged. Reviews there read every file."""


class KnownFiles:
    """The records one review finds (``before``: location -> ``(stat identity, encoding, line count, text
    digest)``, as the last review of the same paths left them) and those it leaves (``now``: the files it
    took as read or read, when not racy), for the next one."""

    def __init__(self, before: dict | None, started_ns: int):
        """``started_ns``: the wall-clock time (``time.time_ns()``) before discovery looked at any file."""
        self.before = before if isinstance(before, dict) else {}
        self.now: dict = {}
        self.started_ns = started_ns

    def unread(self, cand: Candidate, max_bytes: int) -> UnreadSource | None:
        """``cand`` as read, when a record shows it unchanged and within ``max_bytes``; else None (read it)."""
        record = self.before.get(cand.location)
        if record is None or not cand.stat or record[0] != cand.stat or cand.stat[0] > max_bytes:
            return None
        self.now[cand.location] = record
        _, encoding, n_lines, digest = record
        return UnreadSource(cand.display, cand.location, encoding, n_lines, digest, max_bytes)

    def note(self, cand: Candidate, src: SourceText) -> None:
        """Record ``src``, ``cand`` as this review read it, unless it changed too recently to be sure of."""
        if cand.stat and max(cand.stat[1], cand.stat[2]) < self.started_ns - RACY_NS:
            self.now[cand.location] = (cand.stat, src.encoding, src.n_lines, text_digest(src))

    @property
    def changed(self) -> bool:
        """Whether the next review needs other records than it would find."""
        return self.now != self.before


def read_unless_known(cand: Candidate, max_bytes: int, known: KnownFiles | None, read: Callable):
    """``cand``'s source: as read (an ``UnreadSource``) when ``known`` shows it unchanged; else ``read(location,
    display, max_bytes)`` now (a ``SourceText``, or what ``read`` gives for a file it cannot read), the text read
    noted in ``known``."""
    src = known.unread(cand, max_bytes) if known is not None else None
    if src is None:
        src = read(cand.location, cand.display, max_bytes)
        if known is not None and isinstance(src, SourceText):
            known.note(cand, src)
    return src
