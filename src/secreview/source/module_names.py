"""The dotted module name each reviewed file would be imported as.

Inside regular packages (``__init__.py`` at each level) a file's name is its
package path; elsewhere (namespace packages, scripts) it is its path relative to
the reviewed root, so that ``import helpers.utils`` finds ``helpers/utils.py``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path


class ModuleNames:
    """Names the files of one review. What it learns of folders (whether one holds
    ``__init__.py``, the names it adds) is asked once per folder and kept for this
    review only: a process that reviews many trees sees each as it is now."""

    def __init__(self, root: Path | None):
        self.root = root
        self._folder_parts: dict = {}
        self._package_folders: dict = {}

    def name_of(self, path: Path | str) -> tuple[str, bool]:
        """The dotted module name of ``path``, and whether it is a package. An absolute
        ``path`` given as a string must be normalised, as ``Candidate.location`` is."""
        if isinstance(path, str) and os.path.isabs(path):  # normalised already (a discovered file's location)
            text = path
        else:
            path = path if isinstance(path, Path) else Path(path)
            text = str(path.resolve() if not path.is_absolute() else path)
        folder, name = os.path.split(text)  # str: no Path objects made per file
        dot = name.rfind(".")
        stem = name[:dot] if 0 < dot < len(name) - 1 else name  # as Path.stem
        is_package = stem == "__init__"
        parts = ([] if is_package else [stem]) + list(self._parts_of(folder))
        parts.reverse()
        if parts and parts[0] in ("src", "lib") and len(parts) > 1:
            parts = parts[1:]
        name = ".".join(p for p in parts if p.isidentifier() or p)
        return name or stem, is_package

    def _parts_of(self, folder_text: str) -> tuple:
        """The names a folder adds to the dotted names of its files, innermost first: the
        chain of regular packages (``__init__.py``) above it, else its path below the root."""
        parts = self._folder_parts.get(folder_text)
        if parts is not None:
            return parts
        folder = Path(folder_text)
        root = self.root
        found: list = []
        stop = root.parent if root is not None else None
        while self._is_package(folder) and folder.parent != folder:
            found.append(folder.name)
            folder = folder.parent
            if folder == stop:
                break
        if root is not None and not found:
            try:
                rel = folder.relative_to(root)
                found.extend(reversed([p for p in rel.parts if p not in (".",)]))
            except ValueError:
                pass
        parts = self._folder_parts[folder_text] = tuple(found)
        return parts

    def _is_package(self, folder: Path) -> bool:
        known = self._package_folders.get(folder)
        if known is None:
            known = self._package_folders[folder] = (folder / "__init__.py").exists()
        return known


def module_name_for(path: Path | str, root: Path | None) -> tuple[str, bool]:
    """``ModuleNames(root).name_of(path)``, for one file."""
    return ModuleNames(root).name_of(path)


def unique_module_names(sources: list) -> list:
    """Two files that would import under one name (scripts in different folders) keep
    both: the second gets a suffix from its path."""
    out = []
    names_seen: dict = {}
    for src, name, is_package in sources:
        if name in names_seen:
            name = f"{name}@{hashlib.sha1(src.display.encode()).hexdigest()[:8]}"
        names_seen[name] = src.display
        out.append((src, name, is_package))
    return out


def common_root(paths: Sequence[str]) -> Path | None:
    """The deepest folder holding every path named (a file stands for its folder)."""
    dirs = []
    for p in paths:
        path = Path(p).absolute()
        dirs.append(str(path if path.is_dir() else path.parent))
    if not dirs:
        return None
    try:
        return Path(os.path.commonpath(dirs))
    except ValueError:
        return None
