import os
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secreview.findings.model import ProblemKind
from secreview.source import discover as discover_mod
from secreview.source.discover import OUTSIDE_TREE, Candidate, discover


def make(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content)


def displays(cands: list[Candidate]) -> list[str]:
    return [c.display for c in cands]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_walk_takes_py_and_python_shebang_only(in_tmp):
    make(
        in_tmp,
        {
            "proj/a.py": "x = 1\n",
            "proj/b.txt": "text\n",
            "proj/stub.pyi": "x: int\n",
            "proj/tool": "#!/usr/bin/env python3\nprint(1)\n",
            "proj/script": "#!/bin/sh\necho hi\n",
            "proj/other.sh": "#!/usr/bin/env python3\n",
            "proj/pkg/__init__.py": "",
            "proj/pkg/mod.py": "y = 2\n",
        },
    )
    cands, problems = discover(["proj"])
    assert displays(cands) == ["proj/a.py", "proj/pkg/__init__.py", "proj/pkg/mod.py", "proj/tool"]
    assert problems == []
    assert all(c.path.is_absolute() and c.path.is_file() for c in cands)


def test_files_of_other_extensions_are_passed_by_their_listing_alone(in_tmp, monkeypatch):
    """A regular file named with an extension other than ``.py`` is left as the folder's listing says, never
    stat-ed; a folder or a link named so is looked at as before (walked, followed, shebang-checked)."""
    make(in_tmp, {"proj/a.d/x.py": "x = 1\n", "proj/notes.txt": "text\n", "proj/tool": "#!/usr/bin/env python\n",
                  "proj/run.": "#!/usr/bin/env python\n", "proj/.hidden": "#!/usr/bin/env python\n",
                  "proj/c.py": "y = 2\n"})
    os.symlink(in_tmp / "proj" / "c.py", in_tmp / "proj" / "link.txt")  # a link to a .py file, named .txt
    os.symlink(in_tmp / "proj" / "a.d", in_tmp / "proj" / "dir.link")  # a link to a folder already walked
    stat_ed = []
    real_stat = os.DirEntry.stat

    class Entry:
        def __init__(self, entry):
            self._entry = entry

        def __getattr__(self, name):
            return getattr(self._entry, name)

        def stat(self, *, follow_symlinks=True):
            stat_ed.append(self._entry.name)
            return real_stat(self._entry, follow_symlinks=follow_symlinks)

    real_scandir = os.scandir

    class Listing:
        def __init__(self, path):
            self._it = real_scandir(path)

        def __enter__(self):
            return (Entry(e) for e in self._it)

        def __exit__(self, *exc):
            self._it.close()

    monkeypatch.setattr(discover_mod.os, "scandir", Listing)
    cands, problems = discover(["proj"])
    assert displays(cands) == ["proj/.hidden", "proj/a.d/x.py", "proj/c.py", "proj/tool"]
    assert problems == []
    assert "notes.txt" not in stat_ed and "run." not in stat_ed  # (``run.`` has an extension: ``.``)
    assert {"a.d", "x.py", "c.py", "tool", ".hidden", "link.txt", "dir.link"} <= set(stat_ed)


def test_explicit_file_any_extension_and_dedup(in_tmp):
    make(in_tmp, {"notes.txt": "x\n", "a.py": "x\n"})
    cands, problems = discover(["notes.txt", "a.py", "./a.py", str(in_tmp / "a.py")])
    assert displays(cands) == ["notes.txt", "a.py"]
    assert problems == []


def test_display_as_named_and_forward_slashes(in_tmp, monkeypatch):
    """An absolute path stays absolute (even inside the working directory), a relative one
    relative to where it was given."""
    make(in_tmp, {"src/pkg/m.py": "", "outside/o.py": ""})
    monkeypatch.chdir(in_tmp / "src")
    cands, _ = discover([str(in_tmp / "src"), "../outside"])
    assert displays(cands) == [f"{in_tmp.as_posix()}/src/pkg/m.py", "../outside/o.py"]
    cands, _ = discover(["."])
    assert displays(cands) == ["pkg/m.py"]
    cands, _ = discover(["./pkg/../pkg"])
    assert displays(cands) == ["pkg/m.py"]


def test_absolute_outside_cwd_stays_absolute(tmp_path, monkeypatch):
    make(tmp_path, {"a/x.py": "", "cwd/keep": ""})
    monkeypatch.chdir(tmp_path / "cwd")
    cands, _ = discover([str(tmp_path / "a")])
    assert displays(cands) == [f"{tmp_path.as_posix()}/a/x.py"]


def test_default_excluded_dirs(in_tmp):
    make(
        in_tmp,
        {
            "p/ok.py": "",
            "p/.git/hooks/h.py": "",
            "p/.venv/lib/site.py": "",
            "p/venv/x.py": "",
            "p/__pycache__/c.py": "",
            "p/node_modules/n.py": "",
            "p/foo.egg-info/e.py": "",
            "p/.tox/t.py": "",
            "p/build/lib/kept.py": "",
        },
    )
    cands, _ = discover(["p"])
    assert displays(cands) == ["p/build/lib/kept.py", "p/ok.py"]


def test_gitignore_root_nested_and_negation(in_tmp):
    make(
        in_tmp,
        {
            "repo/.gitignore": "generated/\n*_pb2.py\nsecret*.py\n!secret_ok.py\n",
            "repo/a.py": "",
            "repo/a_pb2.py": "",
            "repo/secret1.py": "",
            "repo/secret_ok.py": "",
            "repo/generated/g.py": "",
            "repo/sub/.gitignore": "local.py\n!b_pb2.py\n",
            "repo/sub/local.py": "",
            "repo/sub/b_pb2.py": "",
            "repo/sub/c.py": "",
            "repo/other/local.py": "",
        },
    )
    (in_tmp / "repo/.git").mkdir()
    cands, problems = discover(["repo"])
    assert displays(cands) == [
        "repo/a.py",
        "repo/other/local.py",
        "repo/secret_ok.py",
        "repo/sub/b_pb2.py",
        "repo/sub/c.py",
    ]
    assert problems == []


def test_gitignore_of_enclosing_repo_applies_to_subdir_and_info_exclude(in_tmp):
    make(
        in_tmp,
        {
            "repo/.gitignore": "src/gen/\n",
            "repo/.git/info/exclude": "scratch.py\n",
            "repo/src/m.py": "",
            "repo/src/scratch.py": "",
            "repo/src/gen/g.py": "",
        },
    )
    cands, _ = discover(["repo/src"])
    assert displays(cands) == ["repo/src/m.py"]


def test_configured_excludes_relative_to_root(in_tmp):
    make(
        in_tmp,
        {
            "proj/migrations/0001.py": "",
            "proj/app/views.py": "",
            "proj/app/migrations/0002.py": "",
            "proj/app/legacy.py": "",
        },
    )
    cands, _ = discover(["proj"], excludes=["migrations/", "/app/legacy.py"], root=in_tmp / "proj")
    assert displays(cands) == ["proj/app/views.py"]
    # Explicit files are reviewed even when excluded, unless force_exclude.
    cands, _ = discover(["proj/app/legacy.py"], excludes=["/app/legacy.py"], root=in_tmp / "proj")
    assert displays(cands) == ["proj/app/legacy.py"]
    cands, _ = discover(
        ["proj/app/legacy.py"], excludes=["/app/legacy.py"], root=in_tmp / "proj", force_exclude=True
    )
    assert cands == []


def test_nonexistent_argument_raises(in_tmp):
    with pytest.raises(FileNotFoundError, match="missing.py"):
        discover(["missing.py"])
    with pytest.raises(FileNotFoundError):
        discover([""])


def test_symlink_outside_tree_not_followed(tmp_path, monkeypatch):
    make(tmp_path, {"outside/secret.py": "", "outside/d/x.py": "", "proj/a.py": "", "proj/in/b.py": ""})
    monkeypatch.chdir(tmp_path)
    os.symlink(tmp_path / "outside/secret.py", tmp_path / "proj/link.py")
    os.symlink(tmp_path / "outside/d", tmp_path / "proj/dirlink")
    os.symlink(tmp_path / "proj/in/b.py", tmp_path / "proj/inlink.py")  # inside: fine, deduplicated
    cands, problems = discover(["proj"])
    assert displays(cands) == ["proj/a.py", "proj/in/b.py"]
    assert sorted((p.path, p.kind, p.message) for p in problems) == [
        ("proj/dirlink", ProblemKind.UNREADABLE, OUTSIDE_TREE),
        ("proj/link.py", ProblemKind.UNREADABLE, OUTSIDE_TREE),
    ]
    cands, problems = discover(["proj"], follow_symlinks=True)
    assert displays(cands) == ["proj/a.py", "proj/dirlink/x.py", "proj/in/b.py", "proj/link.py"]
    assert problems == []


def test_symlink_loop_terminates(in_tmp):
    make(in_tmp, {"proj/a/x.py": ""})
    os.symlink(in_tmp / "proj", in_tmp / "proj/a/up")  # loop back to the top
    os.symlink("self", in_tmp / "proj/self")  # self-referential link
    for follow in (False, True):
        cands, problems = discover(["proj"], follow_symlinks=follow)
        assert displays(cands) == ["proj/a/x.py"]
        messages = {p.path: p.message for p in problems}
        assert "loop" in messages["proj/a/up"]
        assert "loop" in messages["proj/self"]


def test_fifo_skipped_without_blocking(in_tmp):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    make(in_tmp, {"proj/a.py": ""})
    os.mkfifo(in_tmp / "proj/pipe.py")
    os.mkfifo(in_tmp / "proj/pipe")  # extension-less: shebang sniffing must not open it
    os.mkfifo(in_tmp / "named.py")
    out: list = []
    t = threading.Thread(target=lambda: out.append(discover(["proj", "named.py"])), daemon=True)
    t.start()
    t.join(10)
    assert not t.is_alive(), "discover blocked on a FIFO"
    cands, problems = out[0]
    assert displays(cands) == ["proj/a.py"]
    assert sorted((p.path, p.message) for p in problems) == [
        ("named.py", "not a regular file (FIFO)"),
        ("proj/pipe.py", "not a regular file (FIFO)"),
    ]
    assert all(p.kind is ProblemKind.UNREADABLE for p in problems)


def test_socket_is_not_a_regular_file(in_tmp):
    import socket

    make(in_tmp, {"proj/a.py": ""})
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind("proj/sock.py")
    except OSError:
        pytest.skip("cannot bind a unix socket here")
    try:
        cands, problems = discover(["proj"])
    finally:
        s.close()
    assert displays(cands) == ["proj/a.py"]
    assert [(p.path, p.message) for p in problems] == [("proj/sock.py", "not a regular file (socket)")]


def test_permission_denied_directory_walk_continues(in_tmp, monkeypatch):
    make(in_tmp, {"proj/a.py": "", "proj/locked/b.py": "", "proj/z.py": ""})
    locked = in_tmp / "proj/locked"
    if os.geteuid() != 0:
        locked.chmod(0)
        try:
            cands, problems = discover(["proj"])
        finally:
            locked.chmod(0o755)
    else:  # root can list anything: make scandir refuse like the OS would
        real = os.scandir

        def scandir(path):
            if Path(path) == locked:
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)

        monkeypatch.setattr(discover_mod.os, "scandir", scandir)
        cands, problems = discover(["proj"])
    assert displays(cands) == ["proj/a.py", "proj/z.py"]
    assert [(p.path, p.kind) for p in problems] == [("proj/locked", ProblemKind.UNREADABLE)]
    assert "Permission denied" in problems[0].message


def test_unreadable_file_is_still_a_candidate(in_tmp):
    # Discovery only stats files; reading (and its error) is read_source's job.
    make(in_tmp, {"proj/a.py": ""})
    (in_tmp / "proj/a.py").chmod(0)
    try:
        cands, problems = discover(["proj"])
    finally:
        (in_tmp / "proj/a.py").chmod(0o644)
    assert displays(cands) == ["proj/a.py"]
    assert problems == []


def test_deterministic_order(in_tmp):
    names = ["b.py", "a.py", "c/z.py", "c/a.py", "B.py", "a_/x.py"]
    make(in_tmp, {f"p/{n}": "" for n in names})
    first, _ = discover(["p"])
    second, _ = discover(["p"])
    assert first == second
    assert displays(first) == ["p/B.py", "p/a.py", "p/a_/x.py", "p/b.py", "p/c/a.py", "p/c/z.py"]


def test_explicit_non_regular_argument(in_tmp):
    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null")
    cands, problems = discover(["/dev/null"])
    assert cands == []
    assert problems[0].message == "not a regular file (character device)"


def test_installed_packages_and_virtual_environments_are_other_projects(in_tmp):
    """A folder pip installed packages into (``*.dist-info`` beside them), a virtual environment under
    any name (``pyvenv.cfg``) and ``site-packages`` hold other projects' code: left out by default,
    counted as ``default``, reviewed with ``include_ignored``."""
    make(
        in_tmp,
        {
            "app/views.py": "",
            "app/dist/__init__.py": "",
            "app/dist/django/http.py": "",
            "app/dist/Django-3.2.dist-info/METADATA": "",
            "app/env311/pyvenv.cfg": "",
            "app/env311/lib/x.py": "",
            "app/lib/site-packages/y.py": "",
            "app/plugins/dist_info_reader.py": "",
            "app/plugins/README.dist-info": "",
        },
    )
    cands, _ = discover(["app"])
    assert displays(cands) == ["app/plugins/dist_info_reader.py", "app/views.py"]
    cands, _ = discover(["app"], include_ignored=True)
    assert "app/dist/django/http.py" in displays(cands) and "app/env311/lib/x.py" in displays(cands)


@pytest.mark.parametrize("name", ["a.py", "a.txt", "a.", "a..", ".a", ".a.b", "..a.b", "...", ".", "..", "a", ".bashrc",
                                  "a.b.c", "a.tar.gz", "...a", "a...", ".a.", "é.x", "\udcff.y", ""])
def test_has_extension_is_what_splitext_says(name):
    assert discover_mod._has_extension(name) == bool(os.path.splitext(name)[1])


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=".ab/\\", max_size=8).filter(lambda n: "/" not in n))
def test_has_extension_is_what_splitext_says_of_any_name(name):
    assert discover_mod._has_extension(name) == bool(os.path.splitext(name)[1])
