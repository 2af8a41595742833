"""What a review reads: the files under the paths the user named (or standard input),
each decoded and named as the module it would be imported as."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from secreview.findings.model import Excluded, FileProblem, internal_error
from secreview.source.discover import Candidate, discover, enclosing_repo
from secreview.source.known_files import read_unless_known
from secreview.source.module_names import ModuleNames, common_root
from secreview.source.reading import SourceText, UnreadSource, read_source, read_stdin

if TYPE_CHECKING:
    from secreview.source.known_files import KnownFiles


def gather_sources(paths: Sequence[str], config, stdin_data: bytes | None = None, *, include_ignored: bool = False,
                   excluded: dict[str, Excluded] | None = None, cwd: str | None = None,
                   non_production: set[str] | None = None, known: KnownFiles | None = None
                   ) -> tuple[list[tuple[SourceText | UnreadSource, str, bool]], list[FileProblem]]:
    """``(sources, problems)``: ``(text, module name, is package)`` of every Python file under
    ``paths`` (``-``: ``stdin_data``), and a problem for each that could not be read. What
    discovery leaves out is counted in ``excluded`` (see ``discover``). Relative paths are
    relative to ``cwd`` (default: the current directory; see ``discover``). The display path of
    each file that is non-production code (``non_production_file``) is added to ``non_production``
    when given. With ``known``, a file it shows unchanged is not read (an ``UnreadSource``), and
    each file read is noted in it."""
    sources: list[tuple[SourceText | UnreadSource, str, bool]] = []
    problems: list[FileProblem] = []
    if stdin_data is not None:
        src = read_stdin(stdin_data, "<stdin>", config.max_file_size)
        if isinstance(src, FileProblem):
            problems.append(src)
        else:
            sources.append((src, "stdin", False))
    files = [p for p in paths if p != "-"]
    if not files:
        return sources, problems
    candidates, found = discover(files, excludes=config.exclude, root=config.root, include_ignored=include_ignored,
                                 excluded=excluded, cwd=cwd)
    problems.extend(found)
    names = ModuleNames(common_root(files if cwd is None else [os.path.join(cwd, f) for f in files]))
    tops: dict = {}  # named path -> what non_production_file knows of it
    folders: dict = {}  # folder -> whether it is in a copy of another project (``vendored_copy``)
    for cand in candidates:
        src = read_unless_known(cand, config.max_file_size, known, _read)
        if isinstance(src, FileProblem):
            problems.append(src)
            continue
        try:
            name, is_package = names.name_of(cand.location)
        except (OSError, ValueError):  # e.g. a folder above it that cannot be searched
            name, is_package = cand.path.stem, cand.path.name == "__init__.py"
        sources.append((src, name, is_package))
        if non_production is not None and non_production_file(config, cand, tops, folders):
            non_production.add(src.display)
    return sources, problems


def _read(location: str, display: str, max_bytes: int) -> SourceText | FileProblem:
    try:
        return read_source(location, display, max_bytes)
    except Exception as exc:  # reading reports what it knows as problems; anything else is a bug
        return internal_error(display, "reading", exc)


def non_production_file(config, cand: Candidate, tops: dict | None = None, folders: dict | None = None) -> bool:
    """Whether a discovered file is non-production code whose findings a review withholds:
    its path matches ``config.non_production_paths`` relative to the top of the reviewed project
    (``project_top``), or it lies in a copy of another project (``vendored_copy``; neither when the
    setting lists no path). A file named on the command line, or found under a named directory that is
    itself non-production code, is not: the user asked for it. ``tops`` keeps what is the same for
    every file under one named directory (its project's top, and whether it is non-production code
    itself), asked once; ``folders`` what ``vendored_copy`` found of each folder."""
    if not cand.top or not config.non_production_paths:
        return False
    known = tops.get(cand.top) if tops is not None else None
    if known is None:
        base = os.path.abspath(project_top(config, cand.top))
        top_rel = os.path.relpath(cand.top, base).replace(os.sep, "/")
        known = (base, base if base.endswith(os.sep) else base + os.sep,
                 top_rel != "." and config.is_non_production_path(top_rel + "/"))
        if tops is not None:
            tops[cand.top] = known
    base, under, named_non_production = known
    if named_non_production:
        return False
    location = cand.location  # absolute and normalised: below ``base``, its path from there is what follows
    rel = location[len(under):] if location.startswith(under) else os.path.relpath(location, base)
    return non_production_at(config, rel.replace(os.sep, "/"), location, base, folders if folders is not None else {})


def non_production_at(config, rel: str, location: str, base: str, folders: dict) -> bool:
    """Whether the file at ``location``, ``rel`` (``/``-separated) from the top ``base`` of its project, is
    non-production code: its path matches ``config.non_production_paths``, or it lies in a copy of another project
    (``vendored_copy``; ``folders``: its answers per folder)."""
    return config.is_non_production_path(rel) or vendored_copy(os.path.dirname(location), base, folders)


LICENSE_FILES = ("LICENSE", "LICENSE.txt", "LICENSE.md", "LICENSE.rst", "COPYING", "COPYING.txt")
# the names projects give the folder of the other projects they copy in (``_vendor/`` and the like are
# ``non_production_paths`` whatever they hold)
_VENDOR_FOLDERS = frozenset({"vendor", "external", "extern", "thirdparty", "third-party", "python_packages",
                             "packages", "lib", "libs", "deps", "bundled"})


def vendored_copy(folder: str, base: str, known: dict) -> bool:
    """Whether ``folder`` is in a copy of another project kept inside this one: a package (it has an
    ``__init__.py``) that carries a licence file of its own, in a package folder named for such copies
    (``_VENDOR_FOLDERS``), below ``base`` (pyqaserver's ``python_packages/bottlepy/LICENSE`` beside Bottle's
    ``bottle.py``, tendenci's ``libs/form_utils``). Not a subpackage with a licence elsewhere (Django's
    ``contrib/gis/gdal``, an enterprise edition's ``ee/``): its project's own code under another licence. Its
    findings are its upstream's to fix, as under ``_vendor/``. ``known``: the answer per folder, asked once."""
    found = known.get(folder)
    if found is None:
        parent = os.path.dirname(folder)
        if not folder.startswith(base) or folder == base or parent == folder:
            found = False
        elif os.path.basename(parent).lower() in _VENDOR_FOLDERS \
                and os.path.isfile(os.path.join(folder, "__init__.py")) \
                and os.path.isfile(os.path.join(parent, "__init__.py")) \
                and any(os.path.isfile(os.path.join(folder, name)) for name in LICENSE_FILES):
            found = True
        else:
            found = vendored_copy(parent, base, known)
        known[folder] = found
    return found


def project_top(config, directory: str) -> str:
    """The top of the project a named directory belongs to, which anchored patterns (``/tools/``)
    are relative to: the configuration's directory when it holds it; else the top of the git work
    tree that holds it; else the nearest directory at or above it that is not a package (no
    ``__init__.py``: reviewing ``src/pkg`` does not make ``src/pkg/tools`` a top-level folder)."""
    if config.root is not None:
        root = os.path.abspath(config.root)
        if _is_under(directory, root):
            return root
    repo = enclosing_repo(directory)
    if repo is not None:
        return repo
    probe = directory
    while os.path.isfile(os.path.join(probe, "__init__.py")) and os.path.dirname(probe) != probe:
        probe = os.path.dirname(probe)
    return probe


def _is_under(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)
