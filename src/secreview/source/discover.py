"""Which files a review looks at: walking the paths the user named.

Rules:

* A file named on the command line is reviewed whatever its extension (unless
  it is not a regular file, which is reported as a problem).
* Directories are walked recursively in sorted order. They yield ``*.py`` files
  and extension-less files whose first line is a Python shebang.
* Directories that hold no source (``.git``, ``__pycache__``, caches) are
  never entered. Unless ``include_ignored``, neither are the directories of
  other projects' code (``.venv``, ``venv``, ``node_modules``, ``.tox``,
  ``*.egg-info``, ``site-packages``, any virtual environment (a directory
  holding ``pyvenv.cfg``) and any folder of installed packages (a directory
  holding ``*.dist-info`` metadata: ``pip install --target``, a vendored
  site-packages)...: ``default``), nor what ``.gitignore`` leaves out
  (``gitignore``): in a git work tree, git is asked once per work tree which
  untracked paths it ignores (``source.gitignored``), so that every tracked
  file is reviewed whatever ``.gitignore`` says; when git cannot tell, the
  ``.gitignore`` files of the walked directories (and of the enclosing
  repository above them, with ``.git/info/exclude``) are read and matched as
  git would. Outside a git work tree (an unpacked sdist) ``.gitignore`` files
  are not honoured, as Ruff does not honour them there: nothing an sdist
  ships can hide its own files. The configured
  ``excludes`` (gitignore patterns relative to ``root``) always apply
  (``configured``). Each path left out is counted by mechanism in ``excluded``
  (a directory once, whatever it holds).
* A directory named on the command line is walked even when it would be left
  out; a file named there is reviewed whatever its name.
* A symbolic link whose target lies outside the walked directory is not
  followed (a problem says so) unless ``follow_symlinks``; links back to an
  enclosing directory (loops) are detected by device and inode and reported.
* FIFOs, sockets and devices are never opened: they are only ``stat``-ed.
* The same file reached twice (named twice, or through a link) is listed once.

Nothing here imports or runs anything from the reviewed tree; ``.gitignore``
files are read as text through ``read_regular_file`` (non-blocking, regular
files only, size-capped).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from secreview.findings.model import Excluded, FileProblem, ProblemKind, no_exclusions
from secreview.source.reading import file_type_name, read_regular_file

if TYPE_CHECKING:
    from secreview.source.gitignored import GitIgnored

if TYPE_CHECKING:  # pathspec is imported only when there are patterns to match (its import is slow)
    from pathspec import GitIgnoreSpec

NO_SOURCE_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
"""Repository metadata and caches: never entered, never counted, hold no source."""

OTHER_PROJECTS_DIRS = frozenset({".tox", ".nox", ".venv", "venv", "node_modules", ".eggs", "site-packages",
                                 "dist-packages"})
"""Virtual environments and installed dependencies (plus any ``*.egg-info``): not entered
unless ``include_ignored``, and counted as ``default`` exclusions."""

DEFAULT_EXCLUDED_DIRS = NO_SOURCE_DIRS | OTHER_PROJECTS_DIRS
"""Directory names not entered by default (plus any ``*.egg-info``)."""

IGNORE_FILE_LIMIT = 1_000_000
"""Largest ``.gitignore`` / ``info/exclude`` file read; larger ones are disregarded."""

def _holds_installed_packages(entries) -> bool:
    """A virtual environment (``pyvenv.cfg``) or a folder pip installed packages into (``*.dist-info``
    beside them): other projects' code shipped inside this one, which their own projects review.
    ``entries``: the folder's listing (None: it cannot be listed)."""
    if entries is None:
        return False
    for e in entries:  # (a loop, not any() over a generator: this is asked of every folder walked)
        name = e.name
        if name == "pyvenv.cfg" or (name.endswith(".dist-info") and e.is_dir(follow_symlinks=False)):
            return True
    return False


def _has_extension(name: str) -> bool:
    """``os.path.splitext(name)[1] != ""`` for a name without separators (a folder's entry): a dot
    after its leading dots (``a.txt``, ``a.``, ``.a.b``; not ``.bashrc`` or ``...``)."""
    return "." in name.lstrip(".")


def _listing(path: str) -> list | None:
    """The entries of folder ``path``, or None when it cannot be listed."""
    try:
        with os.scandir(path) as it:
            return list(it)
    except OSError:
        return None


_SHEBANG = re.compile(rb"\A#![^\n]*?\b(?:python|pypy)[0-9.]*\b")

OUTSIDE_TREE = "symbolic link to a path outside the reviewed tree, not followed"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file to review: ``location`` to open (absolute, normalised), ``display`` to show (forward slashes)."""

    location: str
    display: str
    top: str = ""
    """The directory named on the command line that it was found under (absolute, normalised);
    ``""`` for a file named there itself."""
    stat: tuple = ()
    """What ``stat`` said of the file when discovery found it (``stat_identity``): a later review that
    finds the same knows its text unchanged (``source.known_files``)."""

    @property
    def path(self) -> Path:
        """``location`` as a ``Path`` (made on demand: a review of thousands of files needs none)."""
        return Path(self.location)


def stat_identity(st: os.stat_result) -> tuple:
    """What of a file's ``stat`` changes whenever its content may have: its size, modification and
    change times and inode (and device). As git's index does: the change time catches a file rewritten
    with the same size and its modification time set back (only the kernel sets it); the inode, a file
    replaced by another."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


# --------------------------------------------------------------------------- helpers


def _is_under(path: str, parent: str) -> bool:
    """Whether absolute ``path`` is ``parent`` or inside it (both normalised)."""
    if path == parent:
        return True
    try:
        return os.path.commonpath([path, parent]) == parent
    except ValueError:  # different drives
        return False


def _slash(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def printable_name(name: str) -> str:
    """``name`` as reports can show it: bytes that are not UTF-8 (decoded by the OS layer as
    lone surrogates) and control characters become ``\\xNN``. Only what is displayed changes;
    files are opened by their real path. A name with a newline cannot forge report lines."""
    if not _UNPRINTABLE.search(name):
        return name

    def escape(m: re.Match) -> str:
        code = ord(m.group())
        if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's surrogateescape of byte 0x80..0xff
            return f"\\x{code - 0xDC00:02x}"
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNPRINTABLE.sub(escape, name)


def _display_for(arg: str) -> str:
    """How a path named on the command line is shown: as it was named (normalised), an
    absolute path absolute and a relative one relative to where it was given."""
    return printable_name(_slash(os.path.normpath(arg)))


def _child_display(base: str, name: str) -> str:
    name = printable_name(name)
    if base == ".":
        return name
    return base + name if base.endswith("/") else f"{base}/{name}"


def _compile_patterns(lines: Sequence[str]) -> GitIgnoreSpec | None:
    """A gitignore spec; lines that are not valid patterns are dropped (git skips them too)."""
    lines = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        return None
    from pathspec import GitIgnoreSpec
    try:
        return GitIgnoreSpec.from_lines(lines)
    except ValueError:
        good = [line for line in lines if _valid_pattern(line)]
        return GitIgnoreSpec.from_lines(good) if good else None


def _valid_pattern(line: str) -> bool:
    from pathspec import GitIgnoreSpec
    try:
        GitIgnoreSpec.from_lines([line])
    except ValueError:
        return False
    return True


def _load_ignore_file(path: str) -> GitIgnoreSpec | None:
    try:
        data = read_regular_file(path, IGNORE_FILE_LIMIT)
    except OSError:
        return None
    return _compile_patterns(data.decode("utf-8", errors="replace").splitlines())


def _git_dir(repo: str) -> str | None:
    """The git directory of the repository whose work tree is ``repo`` (``.git`` or a ``gitdir:`` file)."""
    dot_git = os.path.join(repo, ".git")
    try:
        st = os.stat(dot_git)
    except OSError:
        return None
    if stat.S_ISDIR(st.st_mode):
        return dot_git
    if stat.S_ISREG(st.st_mode):  # worktree or submodule: "gitdir: <path>"
        try:
            first = read_regular_file(dot_git, 4096).decode("utf-8", errors="replace").splitlines()
        except OSError:
            return None
        if first and first[0].startswith("gitdir:"):
            return os.path.normpath(os.path.join(repo, first[0][len("gitdir:") :].strip()))
    return None


def _shebang_is_python(path: str) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        head = os.read(fd, 256)
    except OSError:
        return False
    finally:
        os.close(fd)
    return bool(_SHEBANG.match(head))


# A chain of (base directory, spec) from the outermost to the innermost .gitignore.
_Chain = "tuple[tuple[str, GitIgnoreSpec], ...]"


def _gitignored(chain: _Chain, abs_path: str, is_dir: bool) -> bool:
    """Git's rule: the innermost ``.gitignore`` with a matching pattern decides; last match wins within a file."""
    for base, spec in reversed(chain):
        if not _is_under(abs_path, base) or abs_path == base:
            continue
        rel = _slash(os.path.relpath(abs_path, base)) + ("/" if is_dir else "")
        verdict = spec.check_file(rel).include
        if verdict is not None:
            return verdict
    return False


@dataclass(slots=True)
class _Frame:
    abs: str
    display: str
    chain: _Chain | None
    """The ``.gitignore`` files that apply, when git is not asked; None outside a git work tree,
    where they are not honoured."""
    ancestors: frozenset[tuple[int, int]]
    git: GitIgnored | None = None
    """What git ignores, in a git work tree (``chain`` is then not used)."""
    under: str = ""
    """``os.path.join(abs, "")``: an entry's path is this and its name (``os.path.join(abs, name)``)."""


class _Discovery:
    def __init__(self, excludes: Sequence[str], root: str, follow_symlinks: bool, include_ignored: bool = False,
                 excluded: dict[str, Excluded] | None = None) -> None:
        self.exclude_spec = None
        if excludes:
            from pathspec import GitIgnoreSpec
            self.exclude_spec = GitIgnoreSpec.from_lines(list(excludes))
        self.root = root
        self.follow_symlinks = follow_symlinks
        self.include_ignored = include_ignored
        self.excluded_by = excluded if excluded is not None else no_exclusions()
        self.candidates: list[Candidate] = []
        self.problems: list[FileProblem] = []
        self.cwd: str | None = None  # what relative arguments are relative to (None: the current directory)
        self.seen_files: set[tuple[int, int]] = set()
        self.seen_dirs: set[tuple[int, int]] = set()
        self.listed: tuple | None = None  # (folder, its entries): the last one ``_entry`` listed (``_list``)
        self.git_failed: set[str] = set()
        """Work trees git could not list (their ``.gitignore`` files are read instead)."""

    # -- recording

    def problem(self, display: str, message: str) -> None:
        self.problems.append(FileProblem(display, ProblemKind.UNREADABLE, message))

    def add(self, abs_path: str, display: str, st: os.stat_result, top: str = "") -> None:
        key = (st.st_dev, st.st_ino)
        if key in self.seen_files:
            return
        self.seen_files.add(key)
        self.candidates.append(Candidate(abs_path, display, top, stat_identity(st)))

    def skip(self, kind: str, display: str, abs_path: str, st: os.stat_result, is_py: bool) -> None:
        """Count a path left out by ``kind``: a directory, or a file that would have been reviewed."""
        if stat.S_ISDIR(st.st_mode):
            self.excluded_by[kind].add(display, True)
        elif stat.S_ISREG(st.st_mode) and (is_py or (not os.path.splitext(abs_path)[1]
                                                     and _shebang_is_python(abs_path))):
            self.excluded_by[kind].add(display, False)

    # -- filters

    def excluded(self, abs_path: str, is_dir: bool, top: str) -> bool:
        if self.exclude_spec is None:
            return False
        base = self.root if _is_under(abs_path, self.root) else top
        if abs_path == base:
            return False
        rel = _slash(os.path.relpath(abs_path, base)) + ("/" if is_dir else "")
        return self.exclude_spec.match_file(rel)

    # -- explicit arguments

    def argument(self, arg: str, force_exclude: bool) -> None:
        if not arg:
            raise _not_found(arg, "empty path")
        abs_arg = os.path.abspath(arg) if self.cwd is None else os.path.normpath(os.path.join(self.cwd, arg))
        display = _display_for(arg)
        try:
            os.lstat(abs_arg)
        except (FileNotFoundError, NotADirectoryError):
            raise _not_found(arg) from None
        except OSError as exc:
            self.problem(display, exc.strerror or str(exc))
            return
        try:
            st = os.stat(abs_arg)
        except FileNotFoundError:
            raise _not_found(arg, "broken symbolic link") from None
        except OSError as exc:
            self.problem(display, "symbolic link loop" if _is_loop(exc) else exc.strerror or str(exc))
            return
        if stat.S_ISDIR(st.st_mode):
            self.walk(abs_arg, display, st)
        elif stat.S_ISREG(st.st_mode):
            if force_exclude and self.excluded(abs_arg, False, os.path.dirname(abs_arg)):
                self.skip("configured", display, abs_arg, st, True)
                return
            self.add(abs_arg, display, st)
        else:
            self.problem(display, f"not a regular file ({file_type_name(st.st_mode)})")

    # -- walking

    def walk(self, top: str, display: str, st: os.stat_result) -> None:
        key = (st.st_dev, st.st_ino)
        if key in self.seen_dirs:
            return
        self.seen_dirs.add(key)
        top_real = os.path.realpath(top)
        chain: _Chain | None = ()
        git = None
        if not self.include_ignored:
            repo = enclosing_repo(top)
            if repo is None:
                chain = None  # not a git work tree: .gitignore files are not honoured (as Ruff does)
            else:
                from secreview.source.gitignored import git_ignored
                git = git_ignored(repo, top)
                if git is None:  # git cannot tell: read the repository's ignore files as it would
                    self.git_failed.add(repo)
                    chain = self._enclosing_chain(top, repo)
                elif git.covers(top):  # named although ignored: walked, its own .gitignore files read
                    git = None
        first = self._enter(top, display, chain, frozenset({key}), git)
        entries = self._list(first)
        if entries is None:
            return
        # Depth first, in each folder's sorted order: a folder's entries are taken up again after
        # those of a subfolder met among them.
        stack: list[tuple[_Frame, Iterator[os.DirEntry[str]]]] = [(first, iter(entries))]
        while stack:
            frame, rest = stack[-1]
            for entry in rest:
                name = entry.name
                if not name.endswith(".py") and _has_extension(name):
                    # A regular file (not a link) named neither *.py nor without extension is never
                    # reviewed, counted or reported, whatever excludes it: the listing says what it is.
                    try:
                        if entry.is_file(follow_symlinks=False):
                            continue
                    except OSError:  # (as _entry: one that cannot be stat-ed is reported only when *.py)
                        continue
                child = self._entry(frame, entry, top, top_real)
                if child is not None:
                    child_entries = self._list(child)
                    if child_entries is not None:
                        stack.append((child, iter(child_entries)))
                        break
            else:
                stack.pop()

    def _enter(self, abs_dir: str, display: str, chain: _Chain | None, ancestors: frozenset,
               git: GitIgnored | None) -> _Frame:
        if git is None and chain is not None and not self.include_ignored:
            spec = _load_ignore_file(os.path.join(abs_dir, ".gitignore"))
            if spec is not None:
                chain = chain + ((abs_dir, spec),)
        return _Frame(abs_dir, display, chain, ancestors, git, os.path.join(abs_dir, ""))

    def _list(self, frame: _Frame) -> list[os.DirEntry[str]] | None:
        entries = self.listed[1] if self.listed is not None and self.listed[0] == frame.abs else None
        self.listed = None  # (a folder ``_entry`` listed a moment ago to descend into it: not read twice)
        try:
            if entries is None:
                with os.scandir(frame.abs) as it:
                    entries = list(it)
        except OSError as exc:
            self.problem(frame.display, f"cannot list directory: {exc.strerror or exc}")
            return None
        entries.sort(key=lambda e: e.name)
        if not self.include_ignored and (frame.git is None or frame.git.root != frame.abs) \
                and frame.abs not in self.git_failed and any(e.name == ".git" for e in entries):
            # another work tree (a submodule, a nested repository, or one inside a tree that is
            # not one): its own git says what it ignores
            from secreview.source.gitignored import git_ignored
            git = git_ignored(frame.abs, frame.abs)
            if git is not None:
                frame.git = git
        return entries

    def _enclosing_chain(self, top: str, repo: str) -> _Chain:
        """``info/exclude`` and the ``.gitignore`` files of the repository directories above ``top``."""
        chain: list[tuple[str, GitIgnoreSpec]] = []
        git_dir = _git_dir(repo)
        if git_dir is not None:
            spec = _load_ignore_file(os.path.join(git_dir, "info", "exclude"))
            if spec is not None:
                chain.append((repo, spec))
        # .gitignore files of repo .. parent(top); top's own is loaded on entering it.
        dirs = []
        probe = top
        while probe != repo:
            probe = os.path.dirname(probe)
            dirs.append(probe)
        for d in reversed(dirs):
            spec = _load_ignore_file(os.path.join(d, ".gitignore"))
            if spec is not None:
                chain.append((d, spec))
        return tuple(chain)

    def _entry(self, frame: _Frame, entry: os.DirEntry[str], top: str, top_real: str) -> _Frame | None:
        """Handle one directory entry; return the frame of a directory to descend into."""
        name = entry.name
        is_py = name.endswith(".py")
        abs_path = frame.under + name  # (a name holds no separator, nor a drive)
        display = _child_display(frame.display, name)
        try:
            lst = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            return None  # vanished while walking
        except OSError as exc:
            if is_py:
                self.problem(display, exc.strerror or str(exc))
            return None
        is_link = stat.S_ISLNK(lst.st_mode)
        st = lst
        if is_link:
            try:
                st = os.stat(abs_path)
            except FileNotFoundError:
                if is_py:
                    self.problem(display, "broken symbolic link")
                return None
            except OSError as exc:
                if _is_loop(exc):
                    self.problem(display, "symbolic link loop, not followed")
                elif is_py:
                    self.problem(display, exc.strerror or str(exc))
                return None
        is_dir = stat.S_ISDIR(st.st_mode)
        if is_dir and name in NO_SOURCE_DIRS:
            return None
        if not self.include_ignored:
            if is_dir and (name in OTHER_PROJECTS_DIRS or name.endswith(".egg-info")):
                self.skip("default", display, abs_path, st, is_py)
                return None
            if is_dir:
                entries = _listing(abs_path)
                if _holds_installed_packages(entries):
                    self.skip("default", display, abs_path, st, is_py)
                    return None
                self.listed = (abs_path, entries) if entries is not None else None
            if frame.git.ignored(abs_path) if frame.git is not None else \
                    frame.chain is not None and _gitignored(frame.chain, abs_path, is_dir):
                self.skip("gitignore", display, abs_path, st, is_py)
                return None
        if self.excluded(abs_path, is_dir, top):
            self.skip("configured", display, abs_path, st, is_py)
            return None
        outside = is_link and not self.follow_symlinks and not _is_under(os.path.realpath(abs_path), top_real)
        if is_dir:
            key = (st.st_dev, st.st_ino)
            if key in frame.ancestors:
                self.problem(display, "symbolic link loop (links to an enclosing directory), not followed")
                return None
            if outside:
                self.problem(display, OUTSIDE_TREE)
                return None
            if key in self.seen_dirs:
                return None  # already walked through another path
            self.seen_dirs.add(key)
            return self._enter(abs_path, display, frame.chain, frame.ancestors | {key}, frame.git)
        if stat.S_ISREG(st.st_mode):
            if is_py:
                if outside:
                    self.problem(display, OUTSIDE_TREE)
                    return None
                self.add(abs_path, display, st, top)
            elif not _has_extension(name) and not outside and _shebang_is_python(abs_path):
                self.add(abs_path, display, st, top)
            return None
        if is_py:
            self.problem(display, f"not a regular file ({file_type_name(st.st_mode)})")
        return None


def enclosing_repo(top: str) -> str | None:
    """The nearest directory at or above ``top`` that holds a ``.git`` (a work tree's top)."""
    probe = top
    while True:
        if os.path.lexists(os.path.join(probe, ".git")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return None
        probe = parent


def _is_loop(exc: OSError) -> bool:
    return exc.errno == errno.ELOOP


def _not_found(arg: str, why: str = "no such file or directory") -> FileNotFoundError:
    exc = FileNotFoundError(f"{arg or repr(arg)}: {why}")
    exc.errno = errno.ENOENT
    exc.filename = arg
    return exc


def discover(
    paths: Sequence[str],
    *,
    excludes: Sequence[str] = (),
    root: Path | None = None,
    follow_symlinks: bool = False,
    force_exclude: bool = False,
    include_ignored: bool = False,
    excluded: dict[str, Excluded] | None = None,
    cwd: str | None = None,
) -> tuple[list[Candidate], list[FileProblem]]:
    """The files to review under ``paths``, and the problems met on the way.

    ``excludes`` are gitignore-style patterns relative to ``root`` (default: the
    current directory). They apply to walked files; to explicitly named files
    too only with ``force_exclude`` (for pre-commit style invocations).
    ``include_ignored`` walks what ``.gitignore`` and the default exclusions leave
    out (not the configured ``excludes``). What is left out is counted in
    ``excluded`` (``findings.model.no_exclusions()``) when given.
    Relative paths are relative to ``cwd`` (default: the current directory); they are
    displayed as named either way. A process reviewing many trees at once (``secreview
    fleet``) names each tree ``.`` with ``cwd`` its root, and never changes directory.
    Raises ``FileNotFoundError`` for a path that does not exist, and
    ``ValueError`` for an invalid exclude pattern.
    """
    base = os.path.abspath(cwd) if cwd is not None else None
    root_abs = os.path.abspath(root) if root is not None else (base or os.getcwd())
    state = _Discovery(excludes, root_abs, follow_symlinks, include_ignored, excluded)
    state.cwd = base
    for arg in paths:
        state.argument(os.fspath(arg), force_exclude)
    return state.candidates, state.problems
