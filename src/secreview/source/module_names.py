"""The dotted module name each reviewed file would be imported as.

Inside regular packages (``__init__.py`` at each level) a file's name is its
package path; elsewhere (namespace packages, scripts) it is its path relative to
the reviewed root, so that ``import helpers.utils`` finds ``helpers/utils.py``.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path


class ModuleNames:
    """Names the files of one review. What it learns of folders (whether one holds
    ``__init__.py``, the names it adds) is asked once per folder and kept for this
    review only: a process that reviews many trees sees each as it is now."""

    def __init__(self, root: Path | None):
        self.root = root
        self._stop = str(root.parent) if root is not None else None  # (where the chain of packages stops)
        self._root_prefix = os.path.join(str(root), "") if root is not None else None  # (``_below_root``)
        self._folder_parts: dict = {}
        self._package_folders: dict = {}
        self._chains: dict = {}
        self._names: dict = {}

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
        package, prefix = self._names_in(folder)
        if stem == "__init__":
            return package or stem, True
        return f"{prefix}.{stem}" if prefix else stem, False

    def _names_in(self, folder_text: str) -> tuple[str, str]:
        """What names the files of a folder: the dotted name of its package (its ``__init__.py``), and the
        prefix of its modules' names. Both are its parts (``_parts_of``), outermost first, less a leading
        ``src`` or ``lib`` that is not the whole name; asked once per folder."""
        known = self._names.get(folder_text)
        if known is None:
            outer = list(reversed(self._parts_of(folder_text)))
            lead = bool(outer) and outer[0] in ("src", "lib")
            package = outer[1:] if lead and len(outer) > 1 else outer
            modules = outer[1:] if lead else outer
            known = self._names[folder_text] = (".".join(p for p in package if p), ".".join(p for p in modules if p))
        return known

    def _parts_of(self, folder_text: str) -> tuple:
        """The names a folder adds to the dotted names of its files, innermost first: the
        chain of regular packages (``__init__.py``) above it, else its path below the root."""
        parts = self._folder_parts.get(folder_text)
        if parts is not None:
            return parts
        found = self._packages_up(folder_text)
        if self.root is not None and not found:
            below = self._below_root(folder_text)
            if below is not None:
                found = tuple(reversed([p for p in below if p not in (".",)]))
        parts = self._folder_parts[folder_text] = found
        return parts

    def _below_root(self, folder_text: str) -> list | None:
        """``Path(folder_text).relative_to(self.root).parts``, None where it raises ``ValueError`` (not below the
        root). Where ``/`` is the only separator, a folder whose text starts with the root's is split as text
        (a ``Path`` per folder cost a third of naming ansible-core's files); ``Path`` decides the others."""
        if os.altsep is None and folder_text.startswith(self._root_prefix):
            return [p for p in folder_text[len(self._root_prefix):].split(os.sep) if p]
        try:
            return list(Path(folder_text).relative_to(self.root).parts)
        except ValueError:
            return None

    def _packages_up(self, folder_text: str) -> tuple:
        """The names of the regular packages from ``folder_text`` (absolute, normalised) up, innermost first:
        up to the first folder that is not one, the top of the file system, or the folder above the root.
        Each folder's is kept, so that a folder's is its own name and its parent's."""
        chain = self._chains.get(folder_text)
        if chain is None:
            parent = os.path.dirname(folder_text)  # (as ``Path.parent`` of a normalised path)
            if not self._is_package(folder_text) or parent == folder_text:
                chain = ()
            elif self._stop is not None and parent == self._stop:
                chain = (os.path.basename(folder_text),)
            else:
                chain = (os.path.basename(folder_text),) + self._packages_up(parent)
            self._chains[folder_text] = chain
        return chain

    def _is_package(self, folder: str) -> bool:
        known = self._package_folders.get(folder)
        if known is None:
            known = self._package_folders[folder] = _exists(os.path.join(folder, "__init__.py"))
        return known


def _exists(path: str) -> bool:
    """``Path(path).exists()`` without making a ``Path``: False when there is nothing there (or the path
    cannot be one), the error raised when the file system cannot tell."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP):
            return False
        raise
    except ValueError:  # (a NUL in the path)
        return False
    return True


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


_DJANGO_MANAGE = re.compile(r"DJANGO_SETTINGS_MODULE|execute_from_command_line")
"""What a Django ``manage.py`` holds (other projects' ``manage.py`` are console scripts, not run from
their folder)."""


class ImportResolver:
    """Which reviewed modules an absolute import names, found as Python finds them: by their
    names as reviewed (regular packages, paths below the reviewed root), below any folder named
    ``src``, below any folder holding a Django ``manage.py`` (the folder Python puts first on
    ``sys.path`` when ``manage.py`` runs, so ``from core.utils import x`` there names
    ``core/utils.py`` beside it even inside a package) and below each ``source-roots`` folder,
    and — from a file in a folder without ``__init__.py``, which is also a script folder that
    Python puts first on ``sys.path`` when one of its scripts runs — among that folder's own files.
    Every candidate is kept: when several files could be the module, each is. Built from the
    review's file list alone (no
    file system access), so that it is the same for every process of one review."""

    def __init__(self, sources: list, source_roots: Sequence[str] = ()):
        by_path: dict = {}  # absolute path without ``.py`` (a package: its folder) -> module name
        names: set = set()
        displays: dict = {}  # module name -> display path
        package_dirs: set = set()
        self.by_path, self.names, self.displays, self.package_dirs = by_path, names, displays, package_dirs
        src_roots: set = set()
        walked: set = set()  # folders whose ancestors were looked at for ``src`` already
        chained: set = set()  # (folder, name) of the namespace folders named already, and of those above them
        folders = self._folders = {}  # display path -> its folder (``for_file``)
        dirname, basename = os.path.dirname, os.path.basename
        for src, name, is_package in sources:
            display = src.display
            if name == "stdin" and display == "<stdin>":
                continue
            path = self._abspath(display)
            folder = folders[display] = dirname(path)
            key = folder if is_package else os.path.splitext(path)[0]
            by_path.setdefault(key, name)
            names.add(name)
            displays[name] = display
            if is_package:
                package_dirs.add(folder)
            elif basename(path) == "manage.py" and _DJANGO_MANAGE.search(src.text or ""):
                src_roots.add(folder)
            parts, k = name.split("."), key  # the folders of namespace packages: the name's prefixes
            while len(parts) > 1:
                up = dirname(k)
                if basename(up) != parts[-2]:
                    break
                parts, k = parts[:-1], up
                prefix = ".".join(parts)
                if (k, prefix) in chained:  # a file beside it went this way: the same folders, named already
                    break
                chained.add((k, prefix))
                by_path.setdefault(k, prefix)
            at = folder
            while at and at not in walked:  # the files of one folder (and of its subfolders) walk it once
                walked.add(at)
                parent = dirname(at)
                if parent == at:
                    break
                if basename(at) == "src":
                    src_roots.add(at)
                at = parent
        self.roots = tuple(sorted(src_roots)) + tuple(os.path.abspath(r) for r in source_roots)
        self.digest = hashlib.sha1(repr((sorted(self.by_path.items()), self.roots)).encode()).hexdigest()[:16]
        self._memo: dict = {}

    def for_file(self, display: str) -> FileImports:
        folder = self._folders.get(display) if self._folders is not None else None
        if folder is None:
            folder = os.path.dirname(self._abspath(display))
        return FileImports(self, folder if folder not in self.package_dirs else None)

    _cwd: str | None = None
    _folders: dict | None = None

    def _abspath(self, path: str) -> str:
        """``os.path.abspath``, the working directory read once (it reads it for every path)."""
        if os.path.isabs(path):
            return os.path.normpath(path)
        if self._cwd is None:
            self._cwd = os.getcwd()
        return os.path.normpath(os.path.join(self._cwd, path))

    def resolve(self, script_dir: str | None, dotted: str) -> tuple:
        key = (script_dir, dotted)
        found = self._memo.get(key)
        if found is None:
            out = [dotted] if dotted in self.names else []
            rel = dotted.replace(".", os.sep)
            for root in ((script_dir,) if script_dir else ()) + self.roots:
                name = self.by_path.get(os.path.join(root, rel))
                if name is not None and name not in out:
                    out.append(name)
            found = self._memo[key] = tuple(out)
        return found

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("_memo", "_cwd", "_folders")}

    def __setstate__(self, state):
        self.__dict__.update(state, _memo={})


class FileImports:
    """``ImportResolver.resolve`` from one file: a module name as written -> the reviewed modules
    it may be (empty when none is)."""

    __slots__ = ("resolver", "script_dir")

    def __init__(self, resolver: ImportResolver, script_dir: str | None):
        self.resolver, self.script_dir = resolver, script_dir

    def __call__(self, dotted: str) -> tuple:
        return self.resolver.resolve(self.script_dir, dotted)


_IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+([\w, \t]+)|import[ \t]+([\w., \t]+))",
                          re.MULTILINE)


def ambiguous_imports(sources: list) -> list:
    """``(display, line, module as written, candidates' display paths)`` of each absolute import
    that several reviewed files could satisfy (what ``--verbose`` lists). Files whose text shows
    no such import are not parsed."""
    import ast
    out = []
    for src, _, _ in sources:
        resolve = src.resolve
        if resolve is None or "import" not in src.text:
            continue
        suspects = False
        for m in _IMPORT_LINE.finditer(src.text):
            names = [m.group(1)] + [f"{m.group(1)}.{n.strip()}" for n in m.group(2).split(",")] if m.group(1) \
                else [n.strip().split(" ")[0] for n in m.group(3).split(",")]
            if any(len(resolve(n)) > 1 for n in names if n):
                suspects = True
                break
        if not suspects:
            continue
        try:
            tree = ast.parse(src.text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                written = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                written = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for name in written:
                found = resolve(name)
                if len(found) > 1:
                    displays = resolve.resolver.displays
                    out.append((src.display, node.lineno, name, tuple(displays.get(f, f) for f in found)))
    out.sort()
    return out
