"""Files that ``stat`` shows unchanged since the last review are not read again (``source.known_files``),
and every change of content is still seen: each test below edits the tree in a way that a review trusting
a stale record would miss, and checks the review against one made without a cache."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from test_cache import FLASK_APP, RUNNER, SAFE_HELPERS, UNSAFE_HELPERS, make_tree, tainted

from secreview.config import DEFAULT_CONFIG
from secreview.engine import cache as cache_module
from secreview.engine.change import review_change
from secreview.engine.pipeline import ReviewOptions, review
from secreview.reports import ReportOptions, render
from secreview.source import gather, known_files, reading
from secreview.source.changes import open_change
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


# --- change review (``secreview diff`` of a work tree) ------------------------------------------------------------

GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false",
       "-c", "core.hooksPath=/dev/null"]


@pytest.fixture
def all_reads(monkeypatch):
    """Every file a review reads (display paths), by discovery's side or as an ``UnreadSource``; files are
    recorded at once, as with ``reads``."""
    monkeypatch.setattr(known_files, "RACY_NS", 0)
    seen: list = []

    def counting(path, display, *args):
        seen.append(display)
        return read_source(path, display, *args)

    monkeypatch.setattr(reading, "read_source", counting)
    return seen


GET_HOST = 'from flask import request\n\n\ndef get_host():\n    return "localhost"\n'
GET_HOST_TAINTED = GET_HOST.replace('"localhost"', 'request.args.get("host", "localhost")')
PING = 'import os\n\nfrom host import get_host\n\n\ndef ping():\n    os.system("ping -c 1 " + get_host())\n'


def committed_tree(tmp_path: Path) -> Path:
    """make_tree's files, and host.py, whose function ping.py calls, in one commit."""
    tree = make_tree(tmp_path / "repo")
    (tree / "host.py").write_text(GET_HOST)
    (tree / "ping.py").write_text(PING)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "--no-verify", "-m", "base"]):
        subprocess.run([*GIT, *args], cwd=tree, check=True, capture_output=True)
    return tree


def diff_report(tree: Path, cache_dir: Path | None) -> str:
    with open_change(None, cwd=tree) as change:
        result = review_change(change, ReviewOptions(config=change.config, cache_dir=cache_dir))
    return render("json", result, ReportOptions(tool_version="test"))


def diff_warmed(tmp_path: Path, all_reads: list) -> tuple[Path, Path]:
    """A repository whose work tree adds a function to host.py, reviewed once with a cache (every file read),
    and the cache; then host.py's ``get_host`` returns what the request says."""
    tree = committed_tree(tmp_path)
    (tree / "host.py").write_text(GET_HOST + "\n\ndef other():\n    return 1\n")
    cache = tmp_path / "cache"
    assert "ping.py" not in diff_report(tree, cache)
    assert len(all_reads) == 17
    all_reads.clear()
    (tree / "host.py").write_text(GET_HOST_TAINTED)
    return tree, cache


def reported(text: str) -> list:
    return sorted((f["path"], f["line"]) for f in json.loads(text)["findings"])


def test_a_change_review_reads_the_edited_file_only(tmp_path, all_reads, analysed):
    tree, cache = diff_warmed(tmp_path, all_reads)
    analysed.clear()
    warm = diff_report(tree, cache)
    assert all_reads == ["host.py"]  # ping.py, which reads it, is analysed again from its cached text
    assert "ping" in {name for names in analysed for name in names}
    assert reported(warm) == [("ping.py", 7)]  # its trace crosses host.py:5
    assert warm == diff_report(tree, None)


def test_a_change_review_reads_a_file_rewritten_with_its_size_and_modification_time(tmp_path, all_reads):
    tree, cache = diff_warmed(tmp_path, all_reads)
    assert reported(diff_report(tree, cache)) == [("ping.py", 7)]
    ping = tree / "ping.py"
    before = ping.stat()
    with open(ping, "r+b") as handle:  # in place, the same size: it runs nothing now
        handle.write(PING.replace("os.system(", "os.getenv(").encode())
    os.utime(ping, ns=(before.st_atime_ns, before.st_mtime_ns))
    all_reads.clear()
    warm = diff_report(tree, cache)
    assert "ping.py" in all_reads  # its change time says it changed
    assert reported(warm) == []
    assert warm == diff_report(tree, None)


def test_a_change_review_whose_record_is_not_the_files_text_reads_every_file(tmp_path, all_reads):
    tree, cache = diff_warmed(tmp_path, all_reads)
    path = cache_module.known_files_path(cache, [str(tree)], "diff")
    records = pickle.loads(path.read_bytes())
    location = os.path.join(str(tree), "ping.py")
    stat, encoding, n_lines, _ = records[location]
    records[location] = (stat, encoding, n_lines, b"\0" * 32)  # no cache entry has this text: it is read
    path.write_bytes(pickle.dumps(records))
    warm = diff_report(tree, cache)
    assert all_reads[:2] == ["host.py", "ping.py"] and len(all_reads) == 2 + 17  # found changed: all read again
    assert warm == diff_report(tree, None)


def test_a_change_review_sees_an_added_and_a_deleted_file(tmp_path, all_reads):
    tree, cache = diff_warmed(tmp_path, all_reads)
    diff_report(tree, cache)
    (tree / "other3.py").unlink()
    (tree / "added.py").write_text(PING.replace("def ping", "def pong"))
    warm = diff_report(tree, cache)
    assert reported(warm) == [("added.py", 7), ("ping.py", 7)]
    assert warm == diff_report(tree, None)


def test_change_reviews_and_reviews_keep_records_apart(tmp_path, all_reads):
    tree, cache = diff_warmed(tmp_path, all_reads)
    assert cache_module.known_files_path(cache, [str(tree)], "diff") != \
        cache_module.known_files_path(cache, [str(tree)])
    diff_report(tree, cache)
    report(tree, cache)
    all_reads.clear()
    os.utime(tree / "ping.py")  # the same text: the stored result, and only this file read
    diff_report(tree, cache)
    assert all_reads == ["ping.py", "host.py"]  # (and the changed file, for the suppressions it adds)


def test_a_change_review_of_another_secreview_reads_every_file(tmp_path, all_reads, monkeypatch):
    tree, cache = diff_warmed(tmp_path, all_reads)
    diff_report(tree, cache)
    all_reads.clear()
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "another secreview")
    warm = diff_report(tree, cache)
    assert len(all_reads) == 17
    assert warm == diff_report(tree, None)


def test_a_change_review_after_the_configuration_changed_reads_what_it_analyses(tmp_path, all_reads):
    tree, cache = diff_warmed(tmp_path, all_reads)
    assert reported(diff_report(tree, cache)) == [("ping.py", 7)]
    (tree / "pyproject.toml").write_text('[tool.secreview]\nignore = ["SR101"]\n')  # the base's: committed
    for args in (["add", "pyproject.toml"], ["commit", "-q", "--no-verify", "-m", "config"]):
        subprocess.run([*GIT, *args], cwd=tree, check=True, capture_output=True)
    all_reads.clear()
    warm = diff_report(tree, cache)
    assert len(set(all_reads)) == 17  # no entry of the new configuration: a full review, every file read
    assert reported(warm) == [] and warm == diff_report(tree, None)
