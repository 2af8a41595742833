"""Cached results moved to the new lines of edited files, instead of analysed again.

Traces and sink sites carry line numbers. Inserting a line near the top of a helper
module moves every later line, so the summary of every function below changes, and so
would, without this module, the summary of every caller in every other file: a
one-line edit would make an incremental review analyse again everything that calls
the helper.

Instead, the lines of each edited file's previous version (its cached text) are
matched to its new text (``difflib``: lines equal in both, in order). A cached result
whose only difference from a fresh analysis would be those moved lines is moved, not
analysed again. The incremental review (``incremental.py``) decides when that holds:
only for summaries whose every read finds either what it found or what it found
moved, so analysing them again would compute the same thing on moved inputs. The
analysis compares positions only by order, never by their text, so moving every
input moves the output and changes nothing else.

A line of an edited file that is no longer there (deleted or changed), a finding
that touches an edited file (its explanation names lines as text), or a field store
that would change, makes a result ``Unmovable``: its file is analysed again.
"""

from __future__ import annotations

import difflib
import io
import pickle

from secreview.analysis.interpreter import SinkSite
from secreview.analysis.values import Step, digest
from secreview.findings.model import Span


class Unmovable(Exception):
    """A cached result refers to a line of an edited file that has no new position."""


def line_map(old_text: str, new_text: str) -> dict:
    """Old line number -> new line number, for every line the edit kept (1-based)."""
    old, new = old_text.split("\n"), new_text.split("\n")
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    moved = {}
    for i, j, size in matcher.get_matching_blocks():
        for k in range(size):
            moved[i + k + 1] = j + k + 1
    return moved


class LineShift:
    """The line maps of the edited files (display path -> {old line: new line})."""

    def __init__(self, maps: dict):
        self.maps = maps
        self._needles = [path.encode("utf-8", "surrogatepass") for path in maps]

    def __bool__(self) -> bool:
        return bool(self.maps)

    def line(self, path: str, line: int) -> int:
        new = self.maps[path].get(line)
        if new is None:
            raise Unmovable(f"{path}:{line}")
        return new

    def moved(self, obj):
        """A copy of ``obj`` with every trace step and sink site in an edited file moved."""
        return pickle.loads(self.moved_blob(obj))

    def moved_blob(self, obj) -> bytes:
        buffer = io.BytesIO()
        _Mover(buffer, self).dump(obj)
        return buffer.getvalue()

    def mentions(self, blob: bytes) -> bool:
        """Whether a pickle may refer to an edited file (pickles hold paths as UTF-8 text)."""
        return any(needle in blob for needle in self._needles)

    def moved_summary(self, cached: tuple) -> tuple | None:
        """A cached summary ``(pickle, failed, digest)`` moved, or None when it has nothing to move."""
        blob, failed, old_digest = cached
        if not self.mentions(blob):
            return None
        summary = pickle.loads(blob)
        new_blob = self.moved_blob(summary)
        new_digest = pickle.loads(new_blob).digest()
        if new_digest == old_digest:
            return None
        return (new_blob, failed, new_digest)

    def moved_entry(self, entry: dict) -> tuple[dict, dict]:
        """A cached file's entry moved: ``(entry, {function: moved (pickle, failed, digest)})``.

        Raises Unmovable when a finding of the file touches an edited file, or when a
        field store would change (its readers would have to be checked as well).
        """
        for bucket in entry["buckets"].values():
            for finding, _ in bucket.values():
                if finding is None:
                    continue  # what callers pass (votes): no lines in it
                if finding.path in self.maps or any(s.path in self.maps for s in finding.trace):
                    raise Unmovable(finding.path)
        for parts in entry["fields"].values():
            for value in parts.values():
                if self.mentions(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) and \
                        digest(self.moved(value)) != digest(value):
                    raise Unmovable("field store")
        changed = {}
        for q, cached in entry["summaries"].items():
            moved = self.moved_summary(cached)
            if moved is not None:
                changed[q] = moved
        if not changed:
            return entry, {}
        summaries = {**entry["summaries"], **changed}
        digests = {**entry["digests"], **{q: (d, failed) for q, (_, failed, d) in changed.items()}}
        return {**entry, "summaries": summaries, "digests": digests}, changed


class _Mover(pickle.Pickler):
    """Pickles steps and sink sites of edited files as their moved copies."""

    def __init__(self, buffer, shift: LineShift):
        super().__init__(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        self.shift = shift

    def reducer_override(self, obj):
        kind = type(obj)
        if kind is Step and obj.path in self.shift.maps:
            return Step, (obj.path, self.shift.line(obj.path, obj.line), obj.col, obj.note, obj.prev, obj.origin)
        if kind is SinkSite and obj.path in self.shift.maps:
            return _sink_site, (_moved_site_state(obj, self.shift),)
        return NotImplemented


def _moved_site_state(site: SinkSite, shift: LineShift) -> tuple:
    path = site.path
    span = site.span
    if span is not None:  # its code is quoted: every line of it must have moved together
        first = shift.line(path, span.line)
        if any(shift.line(path, n) != first + n - span.line for n in range(span.line + 1, span.end_line + 1)):
            raise Unmovable(f"{path}:{span.line}")
        span = Span(first, span.col, first + span.end_line - span.line, span.end_col)
    stmt_lines = site.stmt_lines
    if stmt_lines is not None:
        stmt_lines = tuple(shift.line(path, n) for n in stmt_lines)
    moved = {"line": shift.line(path, site.line), "span": span, "stmt_lines": stmt_lines}
    return tuple(moved[k] if k in moved else getattr(site, k) for k in SinkSite.__slots__)


def _sink_site(state: tuple) -> SinkSite:
    site = SinkSite.__new__(SinkSite)
    site.__setstate__(state)
    return site
