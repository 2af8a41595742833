#!/usr/bin/env python3
"""Change review speed: ``secreview diff`` on a one-file change inside a large tree.

Usage::

    python benchmarks/change_review.py --tree DIR [--file PATH] [--repeat N]
        [--secreview CMD] [--markdown FILE] [--json FILE]

The tree (for the issue: the neutron 29.0.0 sdist, unpacked; any tree will do,
a git checkout too) is copied to a temporary directory, without any ``.git``
in it (a checkout's own history, a submodule's link), and committed to a fresh
git repository (the user's git configuration does not apply: no hooks, no
signing). Then, ``--repeat`` times (default 3):

1. **cold**: the file (``--file``, default ``neutron/agent/linux/utils.py``) gets a
   new function appended, and ``secreview diff`` runs with an empty cache directory;
2. **warm**: the file gets a second edit, and ``secreview diff`` runs again with
   the cache the cold run left (the usual loop: edit, review, edit, review);

and the working tree is reset between repeats. Each run's wall time is measured
around the process (``time.perf_counter``). The script
checks that every run reports the finding the edit adds (a ``subprocess`` call
with ``shell=True`` on a string built from a parameter, reported at the default confidence; a parameter
passed as it is would be low), so that a fast run cannot be an empty one.
``--json FILE`` writes the times (``cold``, ``warm``: seconds per run), the
tree, the file and the number of Python files, for ``speed.py --panel``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EDITS = [
    f"\n\ndef _benchmark_probe_{n}(command):\n    import subprocess\n"
    f"    return subprocess.call(\"ls -l \" + command, shell=True)\n"
    for n in ("one", "two")
]


def run_timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{shlex.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    return wall, proc.stdout


GIT_IDENTITY = ("-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false",
                "-c", "core.hooksPath=/dev/null")


def git(repo: Path, *args: str) -> None:
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_SYSTEM=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):  # set when run from a git hook: not this repo
        env.pop(var, None)
    proc = subprocess.run(["git", *GIT_IDENTITY, *args], cwd=repo, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"git {shlex.join(args)} failed in the copy ({proc.returncode}):\n{proc.stderr}{proc.stdout}")


def copy_tree(tree: str, repo: Path) -> None:
    """``tree`` copied to ``repo`` without ``.git`` (a folder, or a file naming a worktree's or submodule's
    git directory) at any level: the copy becomes one fresh repository, whatever ``tree`` was."""
    shutil.copytree(tree, repo, symlinks=True, ignore=shutil.ignore_patterns(".git"))


def make_repository(tree: str, repo: Path) -> None:
    """A git repository at ``repo`` with the files of ``tree`` in one commit (``--allow-empty``: a tree
    whose files are all ignored still gets its base commit)."""
    copy_tree(tree, repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "--allow-empty", "-m", "base")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tree", required=True, help="an unpacked source tree (e.g. neutron 29.0.0)")
    p.add_argument("--file", default="neutron/agent/linux/utils.py", help="the file the change edits")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--secreview", default="secreview", help="the secreview command")
    p.add_argument("--markdown", help="write the results as markdown to FILE")
    p.add_argument("--json", help="write the times as JSON to FILE")
    args = p.parse_args(argv)
    secreview = shlex.split(args.secreview)
    with tempfile.TemporaryDirectory(prefix="secreview-change-") as tmp:
        repo = Path(tmp) / "tree"
        make_repository(args.tree, repo)
        target = repo / args.file
        if not target.is_file():
            raise SystemExit(f"--file {args.file}: no such file in the tree")
        original = target.read_text(encoding="utf-8")
        times: dict[str, list[float]] = {"cold": [], "warm": []}
        for round_ in range(args.repeat):
            cache = Path(tmp) / f"cache-{round_}"
            for phase, edit in zip(("cold", "warm"), EDITS):
                target.write_text(target.read_text(encoding="utf-8") + edit, encoding="utf-8")
                cmd = [*secreview, "diff", "--format", "json", "--no-progress", "--cache-dir", str(cache)]
                wall, out = run_timed(cmd, repo)
                if "shell=True" not in out:
                    raise SystemExit(f"{phase} run did not report the finding the edit adds")
                times[phase].append(wall)
                print(f"round {round_ + 1} {phase}: {wall:.2f} s", flush=True)
            target.write_text(original, encoding="utf-8")
        files = sum(1 for _ in repo.rglob("*.py"))
    lines = [
        "| change review of a one-file change | runs | median wall (s) | min | max |",
        "|---|---:|---:|---:|---:|",
    ]
    for phase, label in (("cold", "empty cache"), ("warm", "warm cache (second edit of the same file)")):
        values = times[phase]
        lines.append(f"| {label} | {len(values)} | {statistics.median(values):.2f} | {min(values):.2f} | "
                     f"{max(values):.2f} |")
    command = "python benchmarks/change_review.py " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    text = "\n".join(lines) + f"\n\nTree: `{args.tree}` ({files:,} Python files), edited file `{args.file}`. " \
        f"Command: `{command}`\n"
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text, encoding="utf-8")
    if args.json:
        data = {"tree": args.tree, "file": args.file, "files": files, "cold": times["cold"], "warm": times["warm"]}
        Path(args.json).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
