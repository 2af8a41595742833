"""Module names and the file checks of change review, against the pathlib code they replace."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secreview.source import changes
from secreview.source.module_names import ModuleNames, module_name_for


def reference_module_name(path: Path, root: Path | None) -> tuple[str, bool]:
    """``module_name_for`` as it was written with pathlib (one Path per file)."""
    path = path.resolve() if not path.is_absolute() else path
    stem = path.stem
    is_package = stem == "__init__"
    parts = ([] if is_package else [stem]) + list(reference_folder_parts(path.parent, root))
    parts.reverse()
    if parts and parts[0] in ("src", "lib") and len(parts) > 1:
        parts = parts[1:]
    name = ".".join(p for p in parts if p.isidentifier() or p)
    return name or stem, is_package


def reference_folder_parts(folder: Path, root: Path | None) -> tuple:
    """The names a folder adds, innermost first, as pathlib gave them: its chain of regular
    packages, else its path below ``root``."""
    parts: list = []
    stop = root.parent if root is not None else None
    while (folder / "__init__.py").exists() and folder.parent != folder:
        parts.append(folder.name)
        folder = folder.parent
        if folder == stop:
            break
    if root is not None and not parts:
        try:
            parts.extend(reversed([p for p in folder.relative_to(root).parts if p != "."]))
        except ValueError:
            pass
    return tuple(parts)


FILES = [
    "a.py", "pkg/__init__.py", "pkg/mod.py", "pkg/sub/__init__.py", "pkg/sub/deep.py", "pkg/sub/x.y.py",
    "src/lib_pkg/__init__.py", "src/lib_pkg/m.py", "src/script.py", "lib/tool.py", "scripts/run", "scripts/.hidden",
    "scripts/trailing.", "nsp/inner/mod.py", "nsp/inner/__init__", "odd dir/with space.py", "pkg/sub/-dash.py",
    "pkg/nopkg/m.py", "__init__.py",
]


@pytest.mark.parametrize("relative", [False, True])
def test_module_names_are_those_pathlib_gave(tmp_path, monkeypatch, relative):
    tree = tmp_path / "tree"
    for name in FILES:
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text("")
    monkeypatch.chdir(tmp_path)
    for root in (tree, tree / "pkg", tmp_path, None, tree / "src"):
        for name in FILES:
            path = Path("tree") / name if relative else tree / name
            assert module_name_for(path, root) == reference_module_name(path, root), (name, root)
            if not relative:  # as discover gives it: a normalised absolute string
                assert module_name_for(str(path), root) == reference_module_name(path, root), (name, root)
        names = ModuleNames(root)  # one namer for many files answers as many namers would
        for name in FILES:
            path = Path("tree") / name if relative else tree / name
            assert names.name_of(path) == reference_module_name(path, root), (name, root)


def test_a_regular_file_not_a_link_as_pathlib_says(tmp_path):
    (tmp_path / "file.py").write_text("x = 1\n")
    (tmp_path / "dir").mkdir()
    (tmp_path / "link.py").symlink_to(tmp_path / "file.py")
    (tmp_path / "dirlink").symlink_to(tmp_path / "dir")
    (tmp_path / "broken.py").symlink_to(tmp_path / "missing.py")
    (tmp_path / "loop.py").symlink_to(tmp_path / "loop.py")
    os.mkfifo(tmp_path / "fifo.py")
    for name in ("file.py", "dir", "link.py", "dirlink", "broken.py", "loop.py", "fifo.py", "missing.py",
                 "file.py/under", "loop.py/under"):
        path = tmp_path / name
        regular = changes._regular_file_stat(str(path)) is not None
        assert regular == (not (path.is_symlink() or not path.is_file())), name


@pytest.mark.parametrize("display", ["a.py", "pkg/mod.py", "pkg//mod.py", "./a.py", "pkg/./m.py", "pkg/../m.py",
                                     "pkg/", "/abs/x.py", "odd dir/x.py", "\\x80.py"])
def test_a_clean_listed_path_joins_as_a_string_to_what_pathlib_gives(tmp_path, display):
    top = str(tmp_path)
    if os.path.normpath(display) == display:  # what collect_sources joins as a string
        assert os.path.join(top, display) == str(tmp_path / display)


def reference_import_paths(sources: list) -> tuple[dict, set]:
    """``ImportResolver``'s ``by_path`` and ``package_dirs`` as it built them, walking every file's namespace
    folders up to the top each time."""
    by_path: dict = {}
    package_dirs: set = set()
    for src, name, is_package in sources:
        path = os.path.normpath(os.path.join(os.getcwd(), src.display))
        folder = os.path.dirname(path)
        key = folder if is_package else os.path.splitext(path)[0]
        by_path.setdefault(key, name)
        if is_package:
            package_dirs.add(folder)
        parts, k = name.split("."), key
        while len(parts) > 1 and os.path.basename(os.path.dirname(k)) == parts[-2]:
            parts, k = parts[:-1], os.path.dirname(k)
            by_path.setdefault(k, ".".join(parts))
    return by_path, package_dirs


PATH_PARTS = ["a", "b", "pkg", "src", "a.b"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(PATH_PARTS), min_size=1, max_size=5), st.booleans(),
                          st.integers(0, 3), st.sampled_from(["", "x.", "pkg."])), max_size=25))
def test_the_import_resolver_names_the_folders_as_walking_each_file_up_did(files):
    """``ImportResolver`` names a namespace folder once for all the files below it: the same folders, with the
    same names (the first file's), as following each file up to the top; and each file's own folder."""
    from secreview.source.module_names import ImportResolver
    from secreview.source.reading import SourceText

    sources = []
    for parts, is_package, drop, prefix in files:
        display = "/".join(parts) + ("/__init__.py" if is_package else ".py")
        dotted = parts[min(drop, len(parts) - 1):]  # the name: the path from some folder down, as a package's is
        sources.append((SourceText(display, "", "utf-8", 0), prefix + ".".join(dotted), is_package))
    resolver = ImportResolver(sources)
    assert (resolver.by_path, resolver.package_dirs) == reference_import_paths(sources)
    for src, _, _ in sources:
        folder = os.path.dirname(os.path.normpath(os.path.join(os.getcwd(), src.display)))
        assert resolver.for_file(src.display).script_dir == (None if folder in resolver.package_dirs else folder)
