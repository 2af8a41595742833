"""What a review reads: the files under the paths the user named (or standard input),
each decoded and named as the module it would be imported as."""

from __future__ import annotations

import os
from collections.abc import Sequence

from secreview.findings.model import Excluded, FileProblem, internal_error
from secreview.source.discover import discover
from secreview.source.module_names import ModuleNames, common_root
from secreview.source.reading import SourceText, read_source, read_stdin


def gather_sources(paths: Sequence[str], config, stdin_data: bytes | None = None, *, include_ignored: bool = False,
                   excluded: dict[str, Excluded] | None = None, cwd: str | None = None
                   ) -> tuple[list[tuple[SourceText, str, bool]], list[FileProblem]]:
    """``(sources, problems)``: ``(text, module name, is package)`` of every Python file under
    ``paths`` (``-``: ``stdin_data``), and a problem for each that could not be read. What
    discovery leaves out is counted in ``excluded`` (see ``discover``). Relative paths are
    relative to ``cwd`` (default: the current directory; see ``discover``)."""
    sources: list[tuple[SourceText, str, bool]] = []
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
    for cand in candidates:
        try:
            src = read_source(cand.location, cand.display, config.max_file_size)
        except Exception as exc:  # reading reports what it knows as problems; anything else is a bug
            src = internal_error(cand.display, "reading", exc)
        if isinstance(src, FileProblem):
            problems.append(src)
            continue
        try:
            name, is_package = names.name_of(cand.location)
        except (OSError, ValueError):  # e.g. a folder above it that cannot be searched
            name, is_package = cand.path.stem, cand.path.name == "__init__.py"
        sources.append((src, name, is_package))
    return sources, problems
