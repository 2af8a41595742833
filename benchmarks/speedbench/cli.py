"""The command line of ``benchmarks/speed.py``: one tree (``--tree``, ``--sdist``, ``--package``) or a
panel of trees (``--panel``).  The method is in ``speed.py``'s docstring."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import sys
import tempfile

from speedbench.common import EXIT_TOOL_FAILED, SAMPLE_MS, fail
from speedbench.helper import prepare_helper
from speedbench.machine import cpu_model, mem_total, nproc
from speedbench.render import PRESERVE_MARKER, shown_invocation
from speedbench.scenarios import SEC_EMPTY, make_tools, measure_all
from speedbench.tools import export_sources, first_line, secreview_command, secreview_source, src_state, tool_version
from speedbench.trees import default_cache_dir, download_sdist, unpack_sdist

DEFAULT_PACKAGE = "neutron==29.0.0"


def parse_args(argv: list[str] | None = None, description: str = "") -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="speed.py", description=description)
    src = p.add_mutually_exclusive_group()
    src.add_argument("--tree", metavar="DIR", help="an unpacked source tree to review (copied, never changed)")
    src.add_argument("--sdist", metavar="FILE", help="a source distribution (.tar.gz or .zip) to unpack and review")
    src.add_argument("--panel", metavar="FILE",
                     help="a panel of trees (TOML, e.g. benchmarks/panels/speed.toml): measure the targets on each "
                          "and, with --markdown, write the whole page")
    p.add_argument("--package", metavar="SPEC", default=DEFAULT_PACKAGE,
                   help=f"what to download with pip when neither --tree nor --sdist is given "
                        f"(default {DEFAULT_PACKAGE})")
    p.add_argument("--sdists", metavar="DIR",
                   help="with --panel: where the panel's trees are, unpacked (NAME-VERSION/) or as sdists; a tree "
                        "found in neither is downloaded with pip into --cache-dir")
    p.add_argument("--cache-dir", metavar="DIR", default=None,
                   help=f"where sdists are downloaded and unpacked (default {default_cache_dir()}); "
                        f"not secreview's cache, which lives in the working directory")
    p.add_argument("--repeat", type=int, default=3, metavar="N", help="rounds (default 3)")
    p.add_argument("--markdown", metavar="FILE",
                   help=f"write the results as markdown to FILE; for one tree, keeping what follows its line "
                        f"{PRESERVE_MARKER}; for a panel, the whole file")
    p.add_argument("--json", metavar="FILE", help="with --panel: also write every figure as JSON to FILE")
    p.add_argument("--check-identical", action="store_true",
                   help="exit 1 unless every secreview run's findings equal those of `--jobs 1 --no-cache` on "
                        "the same tree (with --panel this adds that reference run to each tree)")
    p.add_argument("--helper", metavar="FILE",
                   help="the module to edit, relative to the tree (default: chosen by an import scan)")
    p.add_argument("--secreview-args", default="", metavar="ARGS",
                   help="extra arguments for `secreview review`, one shell-quoted string: --secreview-args='--jobs 4' "
                        "(write it with '=' when it starts with '-')")
    p.add_argument("--secreview", default="secreview", metavar="CMD", help="the secreview command (default secreview)")
    p.add_argument("--secreview-at", metavar="REV",
                   help="run secreview from src/ of this repository at commit REV (exported to a temporary "
                        "directory, run as `python -m secreview` with PYTHONPATH), not from the checkout, whose "
                        "files may change during the runs; --secreview is then ignored")
    p.add_argument("--bandit", default="bandit", metavar="CMD", help="the bandit command (default bandit)")
    p.add_argument("--ruff", default="ruff", metavar="CMD", help="the ruff command (default ruff; not run by --panel)")
    p.add_argument("--warm-cache", action="store_true",
                   help="do not pass --no-cache to ruff, so its runs after the first may hit its cache")
    p.add_argument("--no-change-review", action="store_true",
                   help="with --panel: skip the panel's [change-review]")
    p.add_argument("--profile", action="append", default=[], metavar="NAME",
                   help="with --panel: profile `--jobs 1 --no-cache` on the tree NAME (or `all`) under cProfile and "
                        "tracemalloc, after its measured runs (repeatable)")
    p.add_argument("--sample-interval", type=float, default=SAMPLE_MS, metavar="MS",
                   help=f"how often the summed RSS of each tool's processes is sampled (default {SAMPLE_MS} ms)")
    p.add_argument("--out-dir", metavar="DIR",
                   help="keep the reports and logs in DIR (default: a temporary directory, removed)")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    if args.sample_interval <= 0:
        p.error("--sample-interval must be positive")
    if not args.panel:
        for flag, value in (("--sdists", args.sdists), ("--json", args.json), ("--profile", args.profile),
                            ("--no-change-review", args.no_change_review)):
            if value:
                p.error(f"{flag} needs --panel")
    return args


def main(argv: list[str] | None = None, description: str = "") -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--prepare-helper"]:  # the child process of prepare_helper_in_child
        tree, edited_out, *rest = argv[1:]
        chosen = rest[1] if rest[:1] == ["--helper"] and len(rest) == 2 else None
        try:
            helper = prepare_helper(tree, chosen, edited_out)
        except ValueError as err:
            fail(str(err))
        print(json.dumps(helper.__dict__ if helper else None))
        return 0
    args = parse_args(argv, description)
    args.argv = list(argv)
    cache_dir = os.path.abspath(args.cache_dir or default_cache_dir())
    if args.panel:
        return main_panel(args, cache_dir)
    if args.tree:
        tree = os.path.abspath(args.tree)
        if not os.path.isdir(tree):
            fail(f"no such directory: {args.tree}")
    else:
        sdist = os.path.abspath(args.sdist) if args.sdist else download_sdist(args.package, cache_dir)
        tree = unpack_sdist(sdist, cache_dir)

    work = os.path.abspath(args.out_dir) if args.out_dir else tempfile.mkdtemp(prefix="secreview-speed-")
    os.makedirs(work, exist_ok=True)
    snapshot = None
    try:
        pinned, source_before, state_before, snapshot = pinned_sources(args)
        tools, notes = make_tools(args, pinned)
        sec = tools[SEC_EMPTY]
        versions = {
            "secreview": tool_version(sec.argv[: sec.argv.index("review")], sec.env),
            "bandit": tool_version(shlex.split(args.bandit)),
            "ruff": first_line([*shlex.split(args.ruff), "--version"]),
        }
        return measure_all(args, tools, tree, work, versions, source_before, state_before, notes)
    finally:
        if not args.out_dir:
            shutil.rmtree(work, ignore_errors=True)
        if snapshot is not None:
            shutil.rmtree(snapshot, ignore_errors=True)


def pinned_sources(args) -> tuple[str | None, str, str | None, str | None]:
    """(exported ``src/`` or None, what runs -- a commit --, a fingerprint of the checkout's sources to notice
    edits during the runs or None, the temporary directory to remove or None)."""
    if args.secreview_at:
        snapshot = tempfile.mkdtemp(prefix="secreview-src-")
        commit, pinned = export_sources(args.secreview_at, snapshot)
        return pinned, f"{commit} (src/ exported from {args.secreview_at} with --secreview-at)", None, snapshot
    return None, secreview_source(), src_state(), None


def machine() -> dict[str, str]:
    return {"cpus": str(nproc()), "cpu": cpu_model(), "memory": mem_total(),
            "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
            "python": f"{platform.python_version()} ({platform.python_implementation()})"}


def main_panel(args, cache_dir: str) -> int:
    from speedbench.findings import check_findings  # noqa: F401  (imported early: no import after the runs)
    from speedbench.panel import run_panel, write_json
    from speedbench.panel_file import load_panel
    from speedbench.panel_page import render, targets_met

    try:
        args.panel_data = load_panel(args.panel)
    except (OSError, ValueError) as err:
        fail(str(err))
    work = os.path.abspath(args.out_dir) if args.out_dir else tempfile.mkdtemp(prefix="secreview-panel-")
    os.makedirs(work, exist_ok=True)
    snapshot = None
    try:
        pinned, source, state, snapshot = pinned_sources(args)
        sec = secreview_command(args.secreview, pinned, args.secreview_at)
        versions = {"secreview": tool_version(sec.argv, sec.env), "bandit": tool_version(shlex.split(args.bandit))}
        result = run_panel(args, sec, work, cache_dir)
        if state is not None and src_state() != state:
            source = (f"`{source}` at the start, `{secreview_source()}` at the end: the sources changed during "
                      f"the runs (`--secreview-at REV` pins them)")
            print(f"WARNING: secreview's sources changed during the runs ({source})", file=sys.stderr)
        else:
            source = f"`{source}`"
        result.command = shown_invocation(args.argv, None)
        result.panel_path = os.path.relpath(os.path.abspath(args.panel), os.getcwd()) \
            if not os.path.isabs(args.panel) else args.panel
        result.versions, result.source, result.machine = versions, source, machine()
        page = render(result)
        print(page)
        if args.markdown:
            with open(args.markdown, "w", encoding="utf-8") as f:
                f.write(page)
            print(f"wrote {args.markdown}", file=sys.stderr)
        if args.json:
            write_json(result, args.json)
        met, total, missed = targets_met(result)
        print(f"{met} of {total} targets met" + (": not met: " + "; ".join(missed) if missed else ""), file=sys.stderr)
        mismatch = any(not c.ok for t in result.trees for c in t.checks)
        if mismatch:
            print("MISMATCH: some secreview runs' findings differ from --jobs 1 --no-cache on the same tree",
                  file=sys.stderr)
        return EXIT_TOOL_FAILED if mismatch and args.check_identical else 0
    finally:
        if not args.out_dir:
            shutil.rmtree(work, ignore_errors=True)
        if snapshot is not None:
            shutil.rmtree(snapshot, ignore_errors=True)
