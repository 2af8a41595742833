import importlib.util
import os
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secreview.findings.model import FileProblem, ProblemKind
from secreview.source import reading
from secreview.source.reading import SourceText, format_size, read_source, read_stdin


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_plain_utf8(tmp_path):
    p = write(tmp_path, "a.py", "x = 'é'\nprint(x)\n".encode())
    src = read_source(p, "a.py")
    assert isinstance(src, SourceText)
    assert src.text == "x = 'é'\nprint(x)\n"
    assert src.encoding == "utf-8"
    assert src.n_lines == 2
    assert src.display == "a.py"


def test_line_count_without_final_newline_and_empty(tmp_path):
    assert read_source(write(tmp_path, "a.py", b"a\nb"), "a.py").n_lines == 2
    empty = read_source(write(tmp_path, "e.py", b""), "e.py")
    assert isinstance(empty, SourceText) and empty.n_lines == 0 and empty.text == ""


def test_crlf_and_cr_normalised(tmp_path):
    src = read_source(write(tmp_path, "a.py", b"a = 1\r\nb = 2\rc = 3\r\n"), "a.py")
    assert src.text == "a = 1\nb = 2\nc = 3\n"
    assert src.n_lines == 3


def test_utf8_bom_stripped(tmp_path):
    src = read_source(write(tmp_path, "a.py", b"\xef\xbb\xbfx = 1\n"), "a.py")
    assert isinstance(src, SourceText)
    assert src.text == "x = 1\n"
    assert src.encoding == "utf-8-sig"


def test_bom_conflicting_with_cookie(tmp_path):
    prob = read_source(write(tmp_path, "a.py", b"\xef\xbb\xbf# coding: latin-1\nx = 1\n"), "a.py")
    assert isinstance(prob, FileProblem)
    assert prob.kind is ProblemKind.UNDECODABLE
    assert "byte-order mark" in prob.message


def test_latin1_cookie(tmp_path):
    data = b"# -*- coding: latin-1 -*-\ns = '\xe9t\xe9'\n"
    src = read_source(write(tmp_path, "a.py", data), "a.py")
    assert isinstance(src, SourceText)
    assert src.encoding == "iso-8859-1"
    assert "été" in src.text


def test_cookie_on_second_line(tmp_path):
    data = b"#!/usr/bin/env python\n# coding: cp1252\ns = '\x80'\n"
    src = read_source(write(tmp_path, "a.py", data), "a.py")
    assert isinstance(src, SourceText)
    assert src.encoding == "cp1252"
    assert "€" in src.text


def test_unknown_codec(tmp_path):
    prob = read_source(write(tmp_path, "a.py", b"# coding: klingon-8\nx = 1\n"), "a.py")
    assert prob.kind is ProblemKind.UNDECODABLE
    assert "klingon-8" in prob.message and "unknown encoding" in prob.message


def test_non_text_codec(tmp_path):
    prob = read_source(write(tmp_path, "a.py", b"# coding: hex\n78\n"), "a.py")
    assert isinstance(prob, FileProblem)
    assert prob.kind is ProblemKind.UNDECODABLE
    assert "hex" in prob.message


def test_invalid_utf8_names_offset_and_line(tmp_path):
    data = b"a = 1\nb = 2\nc = 3\nd = '\xff'\n"
    prob = read_source(write(tmp_path, "a.py", data), "a.py")
    assert isinstance(prob, FileProblem)
    assert prob.kind is ProblemKind.UNDECODABLE
    offset = data.index(b"\xff")
    assert f"offset {offset}" in prob.message
    assert "line 4" in prob.message
    assert "0xff" in prob.message


def test_invalid_utf8_in_first_line(tmp_path):
    # detect_encoding itself rejects this one; the message must still locate the byte.
    data = b"x = '\xc3\x28'\n"
    prob = read_source(write(tmp_path, "a.py", data), "a.py")
    assert prob.kind is ProblemKind.UNDECODABLE
    assert "offset 5" in prob.message and "line 1" in prob.message


def test_invalid_utf8_after_bom_offset_counts_bom(tmp_path):
    data = b"\xef\xbb\xbfa = 1\n\n\nb = '\xfe'\n"
    prob = read_source(write(tmp_path, "a.py", data), "a.py")
    offset = data.index(b"\xfe")
    assert f"offset {offset}" in prob.message
    assert "line 4" in prob.message


def test_stray_nul_bytes_are_kept(tmp_path):
    data = b"x = 1\n" * 50 + b"y = '\x00'\n"
    src = read_source(write(tmp_path, "a.py", data), "a.py")
    assert isinstance(src, SourceText)
    assert "\x00" in src.text


def test_many_nul_bytes_is_binary(tmp_path):
    data = b"x = 1\n" + bytes(range(32)) * 100
    prob = read_source(write(tmp_path, "a.py", data), "a.py")
    assert isinstance(prob, FileProblem)
    assert prob.kind is ProblemKind.BINARY


def test_utf16_is_binary_not_crash(tmp_path):
    prob = read_source(write(tmp_path, "a.py", "x = 1\n".encode("utf-16-le") * 20), "a.py")
    assert isinstance(prob, FileProblem)
    assert prob.kind is ProblemKind.BINARY


@pytest.mark.parametrize(
    "magic",
    [b"\x7fELF\x02\x01\x01", b"PK\x03\x04rest", b"\x1f\x8b\x08\x00", b"\x89PNG\r\n\x1a\n\x00"],
)
def test_magic_numbers_are_binary(tmp_path, magic):
    prob = read_source(write(tmp_path, "a.py", magic + b"print(1)\n"), "a.py")
    assert isinstance(prob, FileProblem)
    assert prob.kind is ProblemKind.BINARY


def test_pyc_is_binary(tmp_path):
    data = importlib.util.MAGIC_NUMBER + b"\x00\x00\x00\x00" + b"\x12\x34\x56\x78" + b"\x10\x00\x00\x00" + b"\xe3"
    prob = read_source(write(tmp_path, "a.py", data), "a.py")
    assert prob.kind is ProblemKind.BINARY
    assert "bytecode" in prob.message


def test_text_resembling_nothing_binary(tmp_path):
    # Starts with "GIF" / "MZ"-like text and CR LF: still text.
    src = read_source(write(tmp_path, "a.py", b"MZ\r\nx = 1\n"), "a.py")
    assert isinstance(src, SourceText)
    assert src.text == "MZ\nx = 1\n"


def test_too_large(tmp_path):
    p = write(tmp_path, "a.py", b"x = 1\n" * 400_000)  # 2.4 MB
    prob = read_source(p, "a.py")
    assert isinstance(prob, FileProblem)
    assert prob.kind is ProblemKind.TOO_LARGE
    assert prob.message == "2.4 MB exceeds the 2.0 MB limit (max-file-size)"


def test_too_large_custom_limit_and_near_limit(tmp_path):
    p = write(tmp_path, "a.py", b"x" * 1001)
    assert isinstance(read_source(p, "a.py", max_bytes=1001), SourceText)
    prob = read_source(p, "a.py", max_bytes=1000)
    assert prob.kind is ProblemKind.TOO_LARGE
    assert prob.message == "1001 bytes exceeds the 1000-byte limit (max-file-size)"


def test_format_size():
    assert format_size(2_300_000) == "2.3 MB"
    assert format_size(12_000) == "12.0 kB"
    assert format_size(12) == "12 bytes"


def test_missing_file_is_unreadable(tmp_path):
    prob = read_source(tmp_path / "nope.py", "nope.py")
    assert prob.kind is ProblemKind.UNREADABLE
    assert "No such file" in prob.message


def test_directory_is_unreadable(tmp_path):
    prob = read_source(tmp_path, "dir")
    assert prob.kind is ProblemKind.UNREADABLE
    assert "directory" in prob.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_not_opened_blocking(tmp_path):
    fifo = tmp_path / "f.py"
    os.mkfifo(fifo)
    result: list = []
    t = threading.Thread(target=lambda: result.append(read_source(fifo, "f.py")), daemon=True)
    t.start()
    t.join(5)
    assert not t.is_alive(), "read_source blocked on a FIFO"
    assert result[0].kind is ProblemKind.UNREADABLE
    assert "FIFO" in result[0].message


def test_permission_denied(tmp_path, monkeypatch):
    p = write(tmp_path, "a.py", b"x = 1\n")
    if os.geteuid() != 0:
        p.chmod(0)
        try:
            prob = read_source(p, "a.py")
        finally:
            p.chmod(0o644)
    else:  # root reads anything: simulate the OS refusing
        real_open = os.open

        def deny(path, *args, **kwargs):
            if Path(path) == p:
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(reading.os, "open", deny)
        prob = read_source(p, "a.py")
    assert isinstance(prob, FileProblem)
    assert prob.kind is ProblemKind.UNREADABLE
    assert prob.message == "Permission denied"
    assert prob.path == "a.py"


def test_read_stdin_same_rules():
    src = read_stdin(b"# coding: latin-1\r\nx = '\xe9'\r\n")
    assert isinstance(src, SourceText)
    assert src.display == "<stdin>"
    assert src.text == "# coding: latin-1\nx = 'é'\n"
    assert read_stdin(b"\x7fELF....").kind is ProblemKind.BINARY
    assert read_stdin(b"x = '\xff'\n", "-").kind is ProblemKind.UNDECODABLE
    assert read_stdin(b"x" * 10, max_bytes=5).kind is ProblemKind.TOO_LARGE


def test_unicode_escape_codec_decoded_like_python(tmp_path):
    # The code Python runs is what the reviewer must see.
    data = b"# coding: unicode_escape\nx = 1\\nimport os\n"
    src = read_source(write(tmp_path, "a.py", data), "a.py")
    assert isinstance(src, SourceText)
    assert src.encoding == "unicode_escape"
    assert "x = 1\nimport os" in src.text


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_give_text_or_problem(data):
    # Hostile input must never raise: it is either source or a reported problem.
    result = read_stdin(data)
    assert isinstance(result, (SourceText, FileProblem))
    if isinstance(result, SourceText):
        assert "\r" not in result.text
        pieces = result.text.split("\n")
        assert result.n_lines == len(pieces) - (pieces[-1] == "")


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["utf-7", "unicode_escape", "raw_unicode_escape", "utf-16", "latin-1", "idna", "punycode"]),
    st.binary(max_size=100),
)
def test_unusual_declared_codecs_never_raise(codec, body):
    result = read_stdin(f"# coding: {codec}\n".encode() + body)
    assert isinstance(result, (SourceText, FileProblem))


DECODING_CASES = [
    b"", b"x = 1", b"x = 1\n", b"x = 1\r\ny = 2\r\n", b"x = 1\ry = 2\r", b"\xef\xbb\xbfx = 1\n",
    b"\xef\xbb\xbf\xef\xbb\xbfx = 1\n", b"# -*- coding: latin-1 -*-\nx = '\xe9'\n",
    b"#!/usr/bin/env python\n# coding: latin-1\nx = '\xe9'\n", b"x = 1\n# coding: latin-1\nx = '\xe9'\n",
    b"\n# coding=utf-8\nx = '\xc3\xa9'\n", b"x = '\xe9'\n", b"# comment\nx = '\xe9'\n", b"x = 1\ny = 2\nz = '\xe9'\n",
    b"\xef\xbb\xbf# coding: latin-1\n", b"# coding: nonsense\n", b"# coding: hex\nx = 1\n", b"s = 'coding'\n",
    b"# coding: unicode_escape\ns = '\\ud800'\n", b"x = '\xed\xa0\x80'\n", b"# coding: utf-8\nx = '\xff'\n",
    b"x = 1\x00\ny\n", "x = 'é€😀'\r\n".encode(),
]


@pytest.mark.parametrize("data", DECODING_CASES)
def test_files_without_a_declaration_decode_as_detect_encoding_says(data, monkeypatch):
    """UTF-8 is assumed without tokenize.detect_encoding when the first two lines name no
    coding and there is no byte-order mark: the same outcome, message for message."""
    fast = reading.decode_source(data, "a.py")
    monkeypatch.setattr(reading, "_first_two_lines", lambda data: b"coding")  # always detect_encoding
    assert fast == reading.decode_source(data, "a.py")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40) | st.text(max_size=30).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_decoding_without_detect_encoding_agrees_on_any_bytes(data):
    fast = reading.decode_source(data, "a.py")
    original = reading._first_two_lines
    reading._first_two_lines = lambda data: b"coding"
    try:
        assert fast == reading.decode_source(data, "a.py")
    finally:
        reading._first_two_lines = original


def _digest_as_encoded(result) -> None:
    import hashlib
    if isinstance(result, SourceText) and result.digest is not None:
        assert result.digest == hashlib.sha256(result.text.encode("utf-8", "surrogatepass")).digest()


@pytest.mark.parametrize("data", DECODING_CASES + [b"# coding: utf-8\nx = '\xc3\xa9'\n", b"# coding: utf8\nx = 1\n",
                                                   b"\xef\xbb\xbf# coding: utf-8\nx = 1\n", b"x = '\\ufeff'\n"])
def test_the_digest_decoding_keeps_is_that_of_the_text_in_utf8(data):
    """``SourceText.digest``, hashed from the bytes as read, is the hash of the text encoded again (the cache
    key's); it is there for plain UTF-8 (with or without a declaration), not where decoding changed the bytes."""
    result = reading.decode_source(data, "a.py")
    _digest_as_encoded(result)
    if isinstance(result, SourceText):
        plain = result.encoding == "utf-8" and b"\r" not in data and not data.startswith(b"\xef\xbb\xbf")
        assert (result.digest is not None) == plain, data


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=60) | st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass"))
       | st.text(max_size=40).map(lambda t: ("# coding: utf-8\n" + t).encode("utf-8", "surrogatepass")))
def test_the_digest_of_any_bytes_is_that_of_their_text(data):
    _digest_as_encoded(reading.decode_source(data, "a.py"))


def test_the_cache_key_of_a_text_is_the_same_with_its_digest_or_without(tmp_path):
    from secreview.engine.cache import ReviewCache

    cache = ReviewCache(tmp_path, "salt")
    for data in DECODING_CASES:
        result = reading.decode_source(data, "a.py")
        if isinstance(result, SourceText):
            assert cache.file_key("a.py", "a", False, result.text, "i", result.digest) == \
                cache.file_key("a.py", "a", False, result.text, "i")


@pytest.mark.parametrize("size", [0, 1, 65535, 65536, 65537, 1 << 20, (1 << 20) + 1, 3 << 20])
@pytest.mark.parametrize("said", ["as is", "smaller", "larger"])
def test_a_regular_file_is_read_whole_whatever_fstat_said_of_its_size(tmp_path, monkeypatch, size, said):
    """Reads ask for the size fstat gave and one byte more: a file that grew or shrank since is still read to
    its end (or to one byte past the limit)."""
    path = tmp_path / "f.py"
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path.write_bytes(data)
    real_fstat = os.fstat

    def fstat(fd):
        st = real_fstat(fd)
        if said == "as is":
            return st
        fake = list(st)
        fake[6] = max(0, st.st_size - 70_000) if said == "smaller" else st.st_size + 70_000  # st_size
        return os.stat_result(fake)

    monkeypatch.setattr(reading.os, "fstat", fstat)
    assert reading.read_regular_file(path, 4 << 20) == data
    if size > 1:
        with pytest.raises(reading.FileTooLarge):
            reading.read_regular_file(path, size - 1 if said == "smaller" else size // 2)
