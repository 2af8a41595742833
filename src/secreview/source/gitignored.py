"""Which untracked paths of a git work tree git ignores: one ``git ls-files`` per work tree.

In a git work tree, what ``.gitignore`` says matters only for files git does not track: a
tracked file is reviewed whatever a ``.gitignore`` pattern says (a change that adds a pattern
cannot hide its own file). Git knows which paths those are, with its own rules (nested
``.gitignore`` files, ``info/exclude``, ``core.excludesFile``); this module asks it once:

    git -c core.fsmonitor=false ls-files -z --others --ignored --exclude-standard --directory
        --no-empty-directory -- <the walked directory>

``--directory`` lists an ignored directory as one entry without walking it (a virtual
environment of 50,000 files costs nothing). Nothing of the reviewed repository runs:
``ls-files`` runs no hooks, ``core.fsmonitor`` (a command git would start) is switched off on
the command line, where the repository's configuration cannot override it, the environment
carries no ``GIT_DIR`` or ``GIT_WORK_TREE`` of a calling hook, the repository is looked for only
where its ``.git`` was found (``GIT_CEILING_DIRECTORIES``), and the path is a literal
pathspec. When git is missing, refuses the repository (``safe.directory``) or fails, the caller
falls back to reading the ``.gitignore`` files itself.
"""

from __future__ import annotations

import os
import subprocess

GIT_TIMEOUT = 120
"""Seconds ``git ls-files`` may take before the walk goes on without it."""

_LOCATION_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
                       "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX")


def git_env(repo: str) -> dict[str, str]:
    """The environment for a read-only git command on the work tree ``repo``."""
    env = {k: v for k, v in os.environ.items() if k not in _LOCATION_VARIABLES}
    env["GIT_OPTIONAL_LOCKS"] = "0"  # never refresh (write) the reviewed repository's index
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_LITERAL_PATHSPECS"] = "1"
    env["GIT_CEILING_DIRECTORIES"] = os.path.dirname(repo)
    env["LC_ALL"] = "C"
    env.pop("GIT_EXTERNAL_DIFF", None)
    return env


class GitIgnored:
    """The untracked paths git ignores under one directory of the work tree ``root``."""

    __slots__ = ("root", "_prefix", "_paths")

    def __init__(self, root: str, paths: set[str]):
        self.root = root
        self._prefix = root if root.endswith(os.sep) else root + os.sep
        self._paths = paths
        """Relative to ``root`` with ``/``; a directory ends with ``/`` (a link to one does not)."""

    def ignored(self, abs_path: str) -> bool:
        """Whether git ignores ``abs_path`` (absolute, normalised, inside ``root``) itself: an
        untracked file or a directory it lists (what is inside such a directory is never asked)."""
        rel = abs_path[len(self._prefix):]
        if os.sep != "/":
            rel = rel.replace(os.sep, "/")
        paths = self._paths
        return rel in paths or rel + "/" in paths

    def covers(self, abs_dir: str) -> bool:
        """Whether the directory ``abs_dir`` is itself ignored, or inside an ignored directory."""
        if abs_dir == self.root:
            return False
        rel = abs_dir[len(self._prefix):].replace(os.sep, "/") + "/"
        return any(rel.startswith(p) for p in self._paths if p.endswith("/"))


def git_ignored(repo: str, top: str) -> GitIgnored | None:
    """What git ignores under ``top`` in the work tree ``repo`` (the directory holding ``.git``),
    or None when git cannot tell."""
    rel = os.path.relpath(top, repo)
    args = ["git", "-c", "core.fsmonitor=false", "ls-files", "-z", "--others", "--ignored",
            "--exclude-standard", "--directory", "--no-empty-directory", "--"]
    if rel != ".":
        args.append(rel)
    try:
        proc = subprocess.run(args, cwd=repo, env=git_env(repo), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=GIT_TIMEOUT)
    except (OSError, subprocess.SubprocessError):  # no git, or it hung
        return None
    if proc.returncode != 0:  # not a repository after all, or one git refuses
        return None
    return GitIgnored(repo, {os.fsdecode(p) for p in proc.stdout.split(b"\0") if p})
