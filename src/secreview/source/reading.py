"""Turning a file's bytes into source text, the way Python itself would decode them.

Nothing here executes or imports anything from the reviewed tree. Files are
opened non-blocking and checked to be regular files *after* opening (``fstat``),
so a FIFO or device that replaced a file between discovery and reading can
never block or stream forever.

Decoding follows PEP 263 exactly as CPython does (``tokenize.detect_encoding``):
a UTF-8 byte-order mark, or a ``# -*- coding: ... -*-`` declaration on one of
the first two lines, else UTF-8. The codec is the one Python would use, even an
unusual one (``utf-7``, ``unicode_escape``), so the analysis sees the code that
actually runs; ``SourceText.encoding`` records which one it was.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tokenize
import warnings
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from secreview.findings.model import FileProblem, ProblemKind

DEFAULT_MAX_BYTES = 2_000_000
SNIFF_BYTES = 8192
"""How much of the start of a file binary detection looks at."""
NON_TEXT_SHARE = 0.10
"""A file with NUL bytes is binary when more than this share of its first bytes are not text."""

_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)

# Control bytes that do occur in text files: \t \n \v \f \r and ESC (colour codes in strings).
_TEXT_CONTROLS = frozenset(b"\t\n\x0b\x0c\r\x1b")

_MAGIC = (
    (b"\x7fELF", "an ELF executable"),
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "a zip archive"),
    (b"PK\x07\x08", "a zip archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"\x28\xb5\x2f\xfd", "zstd data"),
    (b"\xca\xfe\xba\xbe", "a Java class or Mach-O file"),
    (b"\xfe\xed\xfa\xce", "a Mach-O executable"),
    (b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
)


@dataclass(frozen=True, slots=True)
class SourceText:
    """A decoded source file. ``text`` has ``\\n`` line ends only and no byte-order mark."""

    display: str
    text: str
    encoding: str
    """The codec used, as ``tokenize.detect_encoding`` names it (``utf-8``, ``utf-8-sig``, ``iso-8859-1``...)."""
    n_lines: int
    resolve: Any = field(default=None, compare=False, repr=False)
    """How this file's absolute imports find reviewed modules (``module_names.FileImports``,
    set by the review); None: as written."""
    digest: bytes | None = field(default=None, compare=False, repr=False)
    """The SHA-256 of ``text`` in UTF-8, when decoding had it at hand: the file's bytes were that text
    already (hashed as read, not encoded again for the cache key: ``ReviewCache.file_key``)."""

    def with_resolve(self, resolve) -> SourceText:
        """This file, its absolute imports found by ``resolve``."""
        return replace(self, resolve=resolve)


def text_digest(src: SourceText | UnreadSource) -> bytes:
    """The SHA-256 of ``src.text`` in UTF-8: ``digest`` when decoding had it at hand (always, for an
    ``UnreadSource``), else hashed now."""
    return src.digest if src.digest is not None else hashlib.sha256(src.text.encode("utf-8", "surrogatepass")).digest()


class SourceChanged(Exception):
    """A file proven unchanged by its ``stat`` (``UnreadSource``) held another text when it was read: it
    changed while it was being reviewed. The review starts again, reading every file."""


class UnreadSource:
    """A source file that earlier reviews read and that its ``stat`` shows unchanged since
    (``source.known_files``): what they found of it (its text's digest, its line count, its encoding),
    its text read only when something asks for it. ``read()`` gives the ``SourceText``, after checking
    that the text is still the one of ``digest`` (``SourceChanged`` when it is not)."""

    __slots__ = ("display", "location", "encoding", "n_lines", "digest", "resolve", "max_bytes")

    def __init__(self, display: str, location: str, encoding: str, n_lines: int, digest: bytes, max_bytes: int,
                 resolve: Any = None) -> None:
        self.display, self.location, self.encoding, self.n_lines = display, location, encoding, n_lines
        self.digest, self.max_bytes, self.resolve = digest, max_bytes, resolve

    def with_resolve(self, resolve) -> UnreadSource:
        return UnreadSource(self.display, self.location, self.encoding, self.n_lines, self.digest, self.max_bytes,
                            resolve)

    def read(self) -> SourceText:
        src = read_source(self.location, self.display, self.max_bytes)
        if isinstance(src, FileProblem) or text_digest(src) != self.digest:
            raise SourceChanged(self.display)
        return replace(src, resolve=self.resolve)

    @property
    def text(self) -> str:
        """The text, read now (``read``): a review reads the texts it needs through ``read_all`` instead."""
        return self.read().text

    def as_read(self, text: str) -> SourceText:
        """The ``SourceText`` that ``read`` would give, from ``text``, this file's text kept elsewhere: by
        whoever knows it to be the one of ``digest`` (a cache entry under a key made from the digest)."""
        return SourceText(self.display, text, self.encoding, self.n_lines, self.resolve, self.digest)


class PackedSource:
    """A ``SourceText`` whose text is kept zlib-compressed (about a quarter of its size) and decompressed each
    time ``text`` is read: for a review that reads a file's text a few times only (to lower it, for the few
    questions asked of the whole tree's text, to quote lines in findings) but holds every file to its end
    (``pipeline``: Django's texts took 30 MiB as strings, 4.5 MiB packed). The same attributes otherwise."""

    __slots__ = ("display", "packed", "encoding", "n_lines", "resolve", "digest")

    def __init__(self, display: str, packed: bytes, encoding: str, n_lines: int, resolve: Any = None,
                 digest: bytes | None = None) -> None:
        self.display, self.packed, self.encoding, self.n_lines = display, packed, encoding, n_lines
        self.resolve, self.digest = resolve, digest

    @classmethod
    def of(cls, src: SourceText) -> PackedSource:
        """``src``, its text packed (``pack_text``)."""
        return cls(src.display, pack_text(src.text), src.encoding, src.n_lines, src.resolve, src.digest)

    @property
    def text(self) -> str:
        return unpack_text(self.packed)

    def with_resolve(self, resolve) -> PackedSource:
        return PackedSource(self.display, self.packed, self.encoding, self.n_lines, resolve, self.digest)


def pack_text(text: str) -> bytes:
    """``text`` compressed (zlib's fastest level), UTF-8 with ``surrogatepass``: any ``str`` round-trips."""
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


def unpack_text(packed) -> str:
    """What ``pack_text`` packed (``bytes`` or a ``memoryview`` of them)."""
    return zlib.decompress(packed).decode("utf-8", "surrogatepass")


def read_all(sources: list) -> list:
    """``sources`` (``(source, module name, is package)``) with every ``UnreadSource`` read (``SourceText``)."""
    return [(src.read() if type(src) is UnreadSource else src, name, is_package) for src, name, is_package in sources]


def format_size(n: int) -> str:
    """``2.3 MB``, ``12.0 kB`` or ``300 bytes`` (decimal units)."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f} kB"
    return f"{n} bytes"


def _too_large(display: str, size: int, limit: int) -> FileProblem:
    got, lim = format_size(size), format_size(limit)
    if got == lim:  # 2_000_001 vs 2_000_000 would both print as "2.0 MB"
        got, lim = f"{size} bytes", f"{limit}-byte"
    return FileProblem(display, ProblemKind.TOO_LARGE, f"{got} exceeds the {lim} limit (max-file-size)")


def file_type_name(mode: int) -> str:
    """What kind of non-regular file ``mode`` describes, for messages."""
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISLNK(mode):
        return "symbolic link"
    return "special file"


class NotRegularFile(OSError):
    """Raised by ``read_regular_file`` for a directory, FIFO, socket or device."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"not a regular file ({kind})")
        self.kind = kind


class FileTooLarge(OSError):
    def __init__(self, size: int) -> None:
        super().__init__(f"larger than the limit ({format_size(size)})")
        self.size = size


def read_regular_file(path: Path | str, limit: int) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes.

    Opens without blocking (a FIFO never blocks), checks the opened file with
    ``fstat``, and never reads more than ``limit + 1`` bytes. Raises ``OSError``
    (``NotRegularFile``, ``FileTooLarge``, or what the OS said).
    """
    fd = os.open(path, os.O_RDONLY | _O_NONBLOCK | _O_CLOEXEC | _O_BINARY)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(file_type_name(st.st_mode))
        if st.st_size > limit:
            raise FileTooLarge(st.st_size)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            # (asking for what fstat said is left, and one byte more, not 1 MiB each time: a buffer that
            # size is made for every read, the last one, which finds the end, too)
            chunk = os.read(fd, min(1 << 20, limit + 1 - total, max(st.st_size + 1 - total, 1 << 16)))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:  # the file grew after fstat
            raise FileTooLarge(total)
        return b"".join(chunks)
    finally:
        os.close(fd)


def small_text(path: Path | str, limit: int, errors: str = "strict") -> str | None:
    """The UTF-8 text of a small file the review consults (a project's configuration or packaging metadata), or
    None when it is missing, not a regular file, over ``limit`` bytes, unreadable or, with ``errors`` strict, not
    UTF-8: such a file says nothing."""
    try:
        return read_regular_file(path, limit).decode("utf-8", errors=errors)
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, (NotRegularFile, FileTooLarge)):
        return str(exc)
    if isinstance(exc, IsADirectoryError):
        return "not a regular file (directory)"
    return exc.strerror or str(exc) or type(exc).__name__


def read_source(path: Path, display: str, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceText | FileProblem:
    """Read and decode one source file, or say why it cannot be reviewed."""
    try:
        data = read_regular_file(path, max_bytes)
    except FileTooLarge as exc:
        return _too_large(display, exc.size, max_bytes)
    except OSError as exc:
        return FileProblem(display, ProblemKind.UNREADABLE, _os_reason(exc))
    return decode_source(data, display)


def read_stdin(data: bytes, display: str = "<stdin>", max_bytes: int | None = None) -> SourceText | FileProblem:
    """Decode source given as bytes (standard input), with the same rules as ``read_source``."""
    if max_bytes is not None and len(data) > max_bytes:
        return _too_large(display, len(data), max_bytes)
    return decode_source(data, display)


_MAGIC_PREFIXES = tuple(magic for magic, _ in _MAGIC)


def binary_reason(data: bytes) -> str | None:
    """Why ``data`` looks like a binary file rather than source, or None.

    Known magic numbers are binary outright. Otherwise only a start that holds
    NUL bytes *and* many other non-text bytes is: a few stray NULs in source are
    kept (the parser copes with them).
    """
    if data.startswith(_MAGIC_PREFIXES):
        for magic, what in _MAGIC:
            if data.startswith(magic):
                return f"binary file ({what})"
    if _is_pyc(data):
        return "binary file (compiled Python bytecode)"
    head = data[:SNIFF_BYTES]
    if b"\x00" not in head:
        return None
    non_text = sum(1 for b in head if (b < 0x20 and b not in _TEXT_CONTROLS) or b == 0x7F)
    if non_text > NON_TEXT_SHARE * len(head):
        return f"binary file ({non_text * 100 // len(head)}% of the first {format_size(len(head))} are not text)"
    return None


def _is_pyc(data: bytes) -> bool:
    # A .pyc starts with a 2-byte little-endian magic number then b"\r\n".
    if len(data) < 8 or data[2:4] != b"\r\n":
        return False
    magic = int.from_bytes(data[:2], "little")
    if 3000 <= magic < 4000:
        # Python 3: the high byte is a control character; 3.7+ has a 4-byte
        # flags word (0..3) after the magic, older ones an mtime and a source
        # size or marshal data, which hold NUL bytes.
        if magic >= 3390:
            return data[5:8] == b"\x00\x00\x00"
        return b"\x00" in data[4:16]
    # Python 2 (20121..62211): both bytes outside printable ASCII.
    lo, hi = data[0], data[1]
    return 20000 <= magic < 63000 and not (0x20 <= lo < 0x7F) and not (0x20 <= hi < 0x7F)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode_error(display: str, data: bytes, encoding: str, exc: UnicodeDecodeError, base: int) -> FileProblem:
    offset = base + exc.start
    bad = data[offset : offset + 1]
    byte = f"byte 0x{bad[0]:02x}" if bad else "truncated sequence"
    message = f"cannot decode as {encoding}: {byte} at offset {offset} (line {_line_of(data, offset)}): {exc.reason}"
    return FileProblem(display, ProblemKind.UNDECODABLE, message)


def decode_source(data: bytes, display: str) -> SourceText | FileProblem:
    """Binary detection, PEP 263 decoding and newline normalisation of ``data``."""
    reason = binary_reason(data)
    if reason:
        return FileProblem(display, ProblemKind.BINARY, reason)
    if data.startswith(b"\xef\xbb\xbf") or b"coding" in _first_two_lines(data):
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:
            return _declaration_problem(display, data, exc)
    else:
        # No byte-order mark and no coding declaration (the usual file): UTF-8, as
        # detect_encoding would say. Bytes that are not UTF-8 in the first two lines,
        # which it rejects, fail the decoding below with the same message.
        encoding = "utf-8"
    body, base, codec = data, 0, encoding
    if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf"):
        # Decode the body as plain UTF-8 so error offsets count from the file start.
        body, base, codec = data[3:], 3, "utf-8"
    try:
        if codec == "utf-8":
            text = body.decode(codec)
        else:
            # unicode_escape and friends warn about bad escapes; the file's text is not our warning.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                text = body.decode(codec)
    except UnicodeDecodeError as exc:
        return _decode_error(display, data, encoding, exc, base)
    except LookupError as exc:  # e.g. "# coding: hex": a codec, but not a text encoding
        return FileProblem(display, ProblemKind.UNDECODABLE, f"coding declaration names {encoding!r}: {exc}")
    except ValueError as exc:  # codecs such as utf-7 or unicode_escape reject bad input their own way
        return FileProblem(display, ProblemKind.UNDECODABLE, f"cannot decode as {encoding}: {exc}")
    if codec != "utf-8":  # the UTF-8 decoder never gives a lone surrogate
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:  # unicode_escape & co. can decode "\ud800" to a lone surrogate
            line = text.count("\n", 0, exc.start) + 1
            return FileProblem(display, ProblemKind.UNDECODABLE,
                               f"decoding as {encoding} gives a lone surrogate (U+{ord(text[exc.start]):04X}) "
                               f"at line {line}, which Python cannot compile either")
    text = text.removeprefix("\ufeff")  # a BOM left by an explicit utf-8 cookie decode
    digest = None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    elif codec == "utf-8" and base == 0:  # the whole of ``data``, decoded as UTF-8 and kept as it is
        digest = hashlib.sha256(data).digest()  # (what UTF-8 gives back of text is data)
    n_lines = text.count("\n") + (1 if text and not text.endswith("\n") else 0)
    return SourceText(display=display, text=text, encoding=encoding, n_lines=n_lines, digest=digest)


def _first_two_lines(data: bytes) -> bytes:
    """The lines ``tokenize.detect_encoding`` looks at for a coding declaration."""
    end = data.find(b"\n")
    if end >= 0:
        end = data.find(b"\n", end + 1)
    return data if end < 0 else data[:end]


def _declaration_problem(display: str, data: bytes, exc: SyntaxError) -> FileProblem:
    msg = str(exc.msg if exc.msg else exc)
    if msg.startswith("unknown encoding"):
        name = msg.partition(":")[2].strip()
        return FileProblem(display, ProblemKind.UNDECODABLE, f"unknown encoding {name!r} in the coding declaration")
    if msg.startswith("encoding problem"):
        name = msg.partition(":")[2].strip()
        return FileProblem(
            display,
            ProblemKind.UNDECODABLE,
            f"the UTF-8 byte-order mark conflicts with the coding declaration ({name})",
        )
    # "invalid or missing encoding declaration": non-UTF-8 bytes in the first lines.
    base = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        data[base:].decode("utf-8")
    except UnicodeDecodeError as dec:
        return _decode_error(display, data, "utf-8", dec, base)
    return FileProblem(display, ProblemKind.UNDECODABLE, msg)
