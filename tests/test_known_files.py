"""Files that ``stat`` shows unchanged since the last review are not read again (``source.known_files``),
and every change of content is still seen: each test below edits the tree in a way that a review trusting
a stale record would miss, and checks the review against one made without a cache."""

from __future__ import annotations

import os
import pickle
from dataclasses import replace
from pathlib import Path

import pytest
from test_cache import FLASK_APP, RUNNER, SAFE_HELPERS, UNSAFE_HELPERS, make_tree, tainted

from secreview.config import DEFAULT_CONFIG
from secreview.engine import cache as cache_module
from secreview.engine.pipeline import ReviewOptions, review
from secreview.reports import ReportOptions, render
from secreview.source import gather, known_files, reading
from secreview.source.discover import Candidate
from secreview.source.known_files import KnownFiles
from secreview.source.reading import SourceChanged, UnreadSource, read_source


def same_size(text: str, like: str) -> str:
    """``text`` padded with a comment to the size of ``like``: a rewrite that leaves the size as it was."""
    assert len(text.encode()) < len(like.encode())
    return text + "#" * (len(like.encode()) - len(text.encode()) - 1) + "\n"


SAFE = SAFE_HELPERS
UNSAFE = same_size(UNSAFE_HELPERS, SAFE)  # (``value.strip()`` is shorter than ``shlex.quote(value)``)


@pytest.fixture
def reads(monkeypatch):
    """The files reviews read, by display path: ``read`` by discovery's side (``gather``), ``reread`` when
    an ``UnreadSource`` is read. Files are recorded at once (no wait for them to be older than a review's
    start: ``RACY_NS``), so that the trees the tests have just written are taken as read."""
    monkeypatch.setattr(known_files, "RACY_NS", 0)
    seen: dict = {"read": [], "reread": []}

    def counting(kind, original):
        def read(path, display, *args):
            seen[kind].append(display)
            return original(path, display, *args)
        return read

    monkeypatch.setattr(gather, "read_source", counting("read", read_source))
    monkeypatch.setattr(reading, "read_source", counting("reread", read_source))
    return seen


def report(root: Path, cache_dir: Path | None, config=DEFAULT_CONFIG) -> str:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = review(["."], ReviewOptions(config=config, cache_dir=cache_dir))
    finally:
        os.chdir(cwd)
    return render("json", result, ReportOptions(tool_version="test"))


def warmed(tmp_path: Path, reads: dict, helpers: str = SAFE) -> tuple[Path, Path]:
    """A tree reviewed once with a cache (every file read), and the cache."""
    tree = make_tree(tmp_path / "tree", helpers=helpers)
    cache = tmp_path / "cache"
    report(tree, cache)
    assert len(reads["read"]) == 15
    reads["read"].clear()
    return tree, cache


def test_an_unchanged_tree_is_reviewed_without_reading_a_file(tmp_path, reads):
    tree, cache = warmed(tmp_path, reads)
    warm = report(tree, cache)
    assert reads == {"read": [], "reread": []}
    assert warm == report(tree, None)


def test_a_file_rewritten_with_its_size_and_modification_time_is_read(tmp_path, reads):
    tree, cache = warmed(tmp_path, reads)
    helpers = tree / "helpers.py"
    before = helpers.stat()
    with open(helpers, "r+b") as handle:  # in place: the same inode
        handle.write(UNSAFE.encode())
    os.utime(helpers, ns=(before.st_atime_ns, before.st_mtime_ns))  # the modification time set back
    after = helpers.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    warm = report(tree, cache)
    assert reads["read"] == ["helpers.py"]  # its change time says it changed
    assert tainted(warm) == [("runner.py", 5)]
    assert warm == report(tree, None)


def test_a_touched_file_is_read_and_its_results_reused(tmp_path, reads, analysed):
    tree, cache = warmed(tmp_path, reads)
    os.utime(tree / "runner.py")
    analysed.clear()
    warm = report(tree, cache)
    assert reads["read"] == ["runner.py"]
    assert analysed == []  # the same text: the stored result
    assert warm == report(tree, None)
    reads["read"].clear()
    report(tree, cache)
    assert reads["read"] == []  # recorded again with its new stat


def test_a_replaced_file_is_read(tmp_path, reads):
    tree, cache = warmed(tmp_path, reads)
    helpers = tree / "helpers.py"
    before = helpers.stat()
    new = tree / "helpers.new"
    new.write_text(UNSAFE)
    os.utime(new, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(new, helpers)  # another file, with the size and the times of the one it replaces
    assert (helpers.stat().st_size, helpers.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    warm = report(tree, cache)
    assert reads["read"] == ["helpers.py"]
    assert tainted(warm) == [("runner.py", 5)]
    assert warm == report(tree, None)


def test_a_deleted_and_an_added_file_are_seen(tmp_path, reads):
    tree, cache = warmed(tmp_path, reads)
    (tree / "other3.py").unlink()
    warm = report(tree, cache)
    assert reads["read"] == []
    assert "other3.py" not in warm and warm == report(tree, None)
    (tree / "added.py").write_text("import os\n\n\ndef run(arg):\n    os.system('ls ' + arg)\n")
    reads["read"].clear()
    warm = report(tree, cache)
    assert reads["read"] == ["added.py"]
    assert "added.py" in warm and warm == report(tree, None)


def test_a_file_moved_to_where_another_was_is_read(tmp_path, reads):
    tree, cache = warmed(tmp_path, reads, helpers=UNSAFE)
    os.replace(tree / "runner.py", tree / "helpers.py")  # helpers.py is now runner's text, its record stale
    (tree / "runner.py").write_text(RUNNER)
    warm = report(tree, cache)
    assert sorted(reads["read"]) == ["helpers.py", "runner.py"]
    assert warm == report(tree, None)


def test_a_lower_size_limit_is_applied_to_a_known_file(tmp_path, reads):
    tree, cache = warmed(tmp_path, reads)
    config = replace(DEFAULT_CONFIG, max_file_size=len(FLASK_APP) - 1)  # app.py is now too large
    warm = report(tree, cache, config)
    assert reads["read"] == ["app.py"]
    assert "max-file-size" in warm and warm == report(tree, None, config)


def test_another_secreview_reads_every_file_again(tmp_path, reads, monkeypatch):
    tree, cache = warmed(tmp_path, reads)
    first = cache_module.known_files_path(cache, [os.path.realpath(tree)])
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "another secreview")
    assert cache_module.known_files_path(cache, [os.path.realpath(tree)]) != first
    warm = report(tree, cache)
    assert len(reads["read"]) == 15
    assert warm == report(tree, None)


def test_where_change_times_are_not_kept_every_file_is_read(tmp_path, reads, monkeypatch):
    tree, cache = warmed(tmp_path, reads)
    monkeypatch.setattr(known_files, "CHANGE_TIME_KEPT", False)  # (Windows: st_ctime is the creation time)
    report(tree, cache)
    assert len(reads["read"]) == 15


def test_a_review_that_needs_the_texts_reads_every_file(tmp_path, reads):
    tree, cache = warmed(tmp_path, reads)
    lines: dict = {}
    cwd = os.getcwd()
    os.chdir(tree)
    try:
        review(["."], ReviewOptions(config=DEFAULT_CONFIG, cache_dir=cache, source_lines=lines))
    finally:
        os.chdir(cwd)
    assert len(reads["read"]) == 15 and lines["runner.py"] == RUNNER.split("\n")


def test_a_file_whose_text_is_not_its_records_makes_the_review_read_every_file(tmp_path, reads):
    # as when a file changes between discovery and the moment its text is needed: here its record
    # says another text, so that the result stored for the tree does not answer, and the text is read
    tree, cache = warmed(tmp_path, reads)
    path = cache_module.known_files_path(cache, [os.path.realpath(tree)])
    records = pickle.loads(path.read_bytes())
    location = os.path.join(os.path.realpath(tree), "helpers.py")
    stat, encoding, n_lines, _ = records[location]
    records[location] = (stat, encoding, n_lines, b"\0" * 32)
    path.write_bytes(pickle.dumps(records))
    warm = report(tree, cache)
    assert reads["reread"]  # read as an UnreadSource, found to be another text,
    assert len(reads["read"]) == 15  # and the review made again, reading every file
    assert warm == report(tree, None)


def test_no_record_of_a_file_changed_just_before_the_review():
    st = os.stat(__file__)
    cand = Candidate(__file__, "f.py", "", (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev))
    src = read_source(Path(__file__), "f.py")
    fresh = KnownFiles(None, max(st.st_mtime_ns, st.st_ctime_ns) + known_files.RACY_NS)  # changed 2 s before
    fresh.note(cand, src)
    assert fresh.now == {}
    older = KnownFiles(None, max(st.st_mtime_ns, st.st_ctime_ns) + known_files.RACY_NS + 1)
    older.note(cand, src)
    assert list(older.now) == [__file__]
    known = KnownFiles(older.now, 0)
    unread = known.unread(cand, 10**9)
    assert isinstance(unread, UnreadSource) and unread.read().text == src.text
    assert known.unread(cand, st.st_size - 1) is None  # above the size limit: read, to say so
    assert known.unread(replace(cand, stat=cand.stat[:2] + (cand.stat[2] + 1,) + cand.stat[3:]), 10**9) is None


def test_an_unread_file_that_changed_says_so(tmp_path):
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    src = read_source(path, "a.py")
    unread = UnreadSource("a.py", str(path), src.encoding, src.n_lines, reading.text_digest(src), 1000)
    assert unread.read() == src
    path.write_text("x = 2\n")
    with pytest.raises(SourceChanged):
        unread.read()
