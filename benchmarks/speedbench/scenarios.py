"""The single-tree scenarios (``--tree``, ``--sdist``, ``--package``) and the order they run in.

Reference runs first (``--jobs 1 --no-cache`` on the unedited tree and on each edited one), then
``--repeat`` rounds of: secreview with an empty cache, with the cache that run left (warm), after the
edited-helper edit, after the edited-helper-function edit (both warm from the unedited tree), bandit, ruff.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys

from speedbench.common import EXIT_TOOL_FAILED, fresh_dir, load_json, spread
from speedbench.findings import check_findings, compare_findings, count_findings, normalise_findings
from speedbench.helper import EDIT_LINES, MIN_IMPORTERS, EditedFile, prepare_helper_in_child
from speedbench.machine import loadavg, nproc
from speedbench.measure import Run, children_files_work, floor_kib
from speedbench.render import (
    HEADER,
    RUN_HEADER,
    Context,
    check_lines,
    command_lines,
    markdown,
    merge_preserved,
    rows,
    run_rows,
    shown_invocation,
    text_table,
)
from speedbench.tools import Tool, run_once, secreview_command, secreview_source, src_state
from speedbench.trees import copy_tree, count_python, dir_size

SEC_EMPTY, SEC_WARM, SEC_EDITED = "secreview-empty", "secreview-warm", "secreview-edited"
SEC_EDITED_FN = "secreview-edited-function"
REF_UNEDITED, REF_EDITED, REF_EDITED_FN = "reference-unedited", "reference-edited", "reference-edited-function"


def make_tools(args: argparse.Namespace, pinned_src: str | None = None) -> tuple[dict[str, Tool], list[str]]:
    """The scenarios, in the order the tables show them, and notes on the flags secreview lacks."""
    sec = secreview_command(args.secreview, pinned_src, args.secreview_at)
    notes = []
    base = [*sec.argv, "review", "{tree}", "--format", "json", "--output", "{out}"]
    base += [f for f in ("--exit-zero", "--no-progress") if sec.knows(f)]
    extra = shlex.split(args.secreview_args)
    cached = [*base, "--cache-dir", "{cache}"] if sec.knows("--cache-dir") else list(base)
    if not sec.knows("--cache-dir"):
        notes.append("`secreview review --help` lists no `--cache-dir`: the empty-cache, warm-cache and "
                     "edited-helper runs ran without that flag (`XDG_CACHE_HOME` still pointed at the round's "
                     "cache directory).")
    ref_flags = (["--jobs", "1"] if sec.knows("--jobs") else []) + (["--no-cache"] if sec.knows("--no-cache") else [])
    missing = [f for f in ("--jobs", "--no-cache") if not sec.knows(f)]
    if missing:
        notes.append(f"`secreview review --help` lists no {' or '.join(f'`{m}`' for m in missing)}: the reference "
                     f"runs ran without {'it' if len(missing) == 1 else 'them'}.")
    reference = [*base, *extra, *ref_flags]  # after --secreview-args: the last --jobs wins

    def sec_tool(key: str, label: str, argv: list[str], ref: str | None) -> Tool:
        return Tool(key, label, "secreview", argv, frozenset({0}), env=sec.env, shown_prefix=sec.shown_prefix,
                    reference=ref)

    ruff_argv = [*shlex.split(args.ruff), "check", "--isolated"]
    ruff_argv += [] if args.warm_cache else ["--no-cache"]
    ruff_argv += ["--select", "S", "--output-format", "json", "--exit-zero", "{tree}"]
    tools = {
        SEC_EMPTY: sec_tool(SEC_EMPTY, "secreview, empty cache", [*cached, *extra], REF_UNEDITED),
        SEC_WARM: sec_tool(SEC_WARM, "secreview, warm cache", [*cached, *extra], REF_UNEDITED),
        SEC_EDITED: sec_tool(SEC_EDITED, "secreview, edited helper", [*cached, *extra], REF_EDITED),
        SEC_EDITED_FN: sec_tool(SEC_EDITED_FN, "secreview, edited helper function", [*cached, *extra],
                                REF_EDITED_FN),
        "bandit": bandit_tool(args.bandit),
        "ruff": Tool("ruff", "ruff", "ruff", ruff_argv, frozenset({0}), stdout_is_report=True),
        REF_UNEDITED: sec_tool(REF_UNEDITED, "reference, unedited", reference, None),
        REF_EDITED: sec_tool(REF_EDITED, "reference, edited", reference, None),
        REF_EDITED_FN: sec_tool(REF_EDITED_FN, "reference, edited function", reference, None),
    }
    return tools, notes


def bandit_tool(command: str, key: str = "bandit", label: str = "bandit") -> Tool:
    """``bandit -r <tree> -f json -o <out> -q``; exit status 1 means "found issues" and is normal."""
    return Tool(key, label, "bandit", [*shlex.split(command), "-r", "{tree}", "-f", "json", "-o", "{out}", "-q"],
                frozenset({0, 1}))


def measure_all(args: argparse.Namespace, tools: dict[str, Tool], original: str, work: str,
                versions: dict[str, str], source: str, state: str | None, notes: list[str]) -> int:
    tree_name = os.path.basename(original.rstrip(os.sep))
    copy_at = fresh_dir(os.path.join(work, "tree"))
    print(f"copying {original} to {copy_at}", file=sys.stderr, flush=True)
    tree = copy_tree(original, copy_at)
    edited_path = os.path.join(work, "helper.edited")
    helper = prepare_helper_in_child(tree, args.helper, edited_path)
    if helper is None:
        notes.append(f"No module of the tree is imported by {MIN_IMPORTERS} others and has a function they use: "
                     f"the edited-helper scenario did not run.")
        print(f"no helper module with {MIN_IMPORTERS} importers: the edited-helper scenario is skipped",
              file=sys.stderr)
    else:
        print(f"helper: {helper.path} ({helper.module}): imported by {helper.importers} other modules, "
              f"{helper.users} of them use some of its {helper.functions} top-level functions",
              file=sys.stderr, flush=True)
    helper_file = os.path.join(tree, helper.path) if helper else None
    edited_text = function_text = None
    if helper_file is not None:
        with open(edited_path, "rb") as f:
            edited_text = f.read()
        if helper.top_function:
            with open(edited_path + ".function", "rb") as f:
                function_text = f.read()
    edits = {REF_EDITED: edited_text, SEC_EDITED: edited_text, REF_EDITED_FN: function_text,
             SEC_EDITED_FN: function_text}
    interval = args.sample_interval / 1000

    def show(tool: Tool, run: Run, round_text: str) -> None:
        print(f"{round_text}  {tool.label:<26} {run.wall:7.2f} s  {run.maxrss_kib / 1024:7.1f} MiB largest  "
              f"{run.sum_rss_kib / 1024:7.1f} MiB summed", file=sys.stderr, flush=True)

    floors = []
    load_before = loadavg()
    # The references: --jobs 1 --no-cache, each with its own empty cache directory (which should stay empty).
    for key in (REF_UNEDITED, REF_EDITED, REF_EDITED_FN):
        if key != REF_UNEDITED and edits[key] is None:
            continue
        tool = tools[key]
        cache = fresh_dir(os.path.join(work, f"cache-{key}"))
        if key != REF_UNEDITED:
            with EditedFile(helper_file, edits[key]):
                run = run_once(tool, tree, work, "ref", 0, cache, interval)
        else:
            run = run_once(tool, tree, work, "ref", 0, cache, interval)
        tool.runs.append(run)
        show(tool, run, "reference")
        files, size = dir_size(cache)
        if files:
            tool.notes.append(f"{tool.label}: left {files} file{'s' * (files > 1)} ({size / 2**20:.1f} MiB) in its "
                              f"cache directory.")
        shutil.rmtree(cache, ignore_errors=True)

    cache_sizes = []
    for round_ in range(1, args.repeat + 1):
        floors.append(floor_kib(work))
        cache = fresh_dir(os.path.join(work, f"cache-round{round_}"))
        text = f"round {round_}/{args.repeat}"
        warm_copy = os.path.join(work, f"cache-round{round_}-function")
        for key in (SEC_EMPTY, SEC_WARM, SEC_EDITED, SEC_EDITED_FN, "bandit", "ruff"):
            tool = tools[key]
            if key in (SEC_EDITED, SEC_EDITED_FN):
                if edits[key] is None:
                    continue
                # each edited scenario starts from the cache warm from the unedited tree
                use = warm_copy if key == SEC_EDITED_FN else cache
                with EditedFile(helper_file, edits[key]):
                    run = run_once(tool, tree, work, f"run{round_}", round_, use, interval)
            else:
                run = run_once(tool, tree, work, f"run{round_}", round_, cache, interval)
            tool.runs.append(run)
            show(tool, run, text)
            if key == SEC_EMPTY:
                cache_sizes.append(dir_size(cache))
            if key == SEC_WARM and edits[SEC_EDITED_FN] is not None:
                shutil.rmtree(warm_copy, ignore_errors=True)
                shutil.copytree(cache, warm_copy, symlinks=True)
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(warm_copy, ignore_errors=True)

    # Everything below may grow this process; no more measurements.
    facts = count_findings(tools)
    py_files, py_lines = count_python(tree)
    checks = check_findings(tools)
    if tools[REF_EDITED].runs:
        same, detail = compare_findings(
            *(normalise_findings(load_json(tools[k].runs[0].out), tools[k].runs[0].tree)
              for k in (REF_EDITED, REF_UNEDITED)))
        notes.append("The edit changes no finding of the reference (no finding's trace passes through the helper): "
                     "the edited-helper check would catch findings lost or added, not stale line numbers from "
                     "the helper." if same else
                     f"The edit changes the reference's findings: edited against unedited, {detail}.")
    files = [f for f, _ in cache_sizes]
    if max(files) == 0:
        notes.append("The empty-cache runs left nothing in the cache directory: this secreview keeps no cache, "
                     "so the warm-cache and edited-helper runs did the whole work again.")
    else:
        notes.append(f"The empty-cache run left {spread(files)} file{'' if files == [1] * len(files) else 's'} "
                     f"({', '.join(sorted({f'{s / 2**20:.1f}' for _, s in cache_sizes}))} MiB) in the cache "
                     f"directory that the warm-cache and edited-helper runs of its round used.")
    if helper is not None:
        notes.append(f"Edited helper: `{helper.path}` (`{helper.module}`), imported by {helper.importers} other "
                     f"modules of the tree, {helper.users} of which use some of its {helper.functions} top-level "
                     f"functions; the edit inserts a {len(EDIT_LINES)}-line function after its docstring, which "
                     f"moves every later line.")

    if state is not None and src_state() != state:
        source = (f"`{source}` at the start, `{secreview_source()}` at the end: the sources changed during the "
                  f"runs, so the runs may have measured different versions (`--secreview-at REV` pins them)")
        print(f"WARNING: secreview's sources changed during the runs ({source})", file=sys.stderr)
    else:
        source = f"`{source}`"
    sampling = (f"every {args.sample_interval:g} ms from "
                + ("`/proc/<pid>/task/*/children`" if children_files_work() else "the parent ids in `/proc/*/stat`"))
    ctx = Context(tree_name, py_files, py_lines, max(floors), versions, source, (load_before, loadavg()), helper,
                  facts, checks, notes, sampling)

    print(f"\n{tree_name}: {py_files} .py files, {py_lines} lines; {args.repeat} round{'s' * (args.repeat > 1)}\n")
    print(text_table(HEADER, rows(tools)))
    if "secreview_note" in facts:
        print(f"  {str(facts['secreview_note']).replace('`', '')}")
    for t in tools.values():
        for note in t.notes:
            print(f"  {note.replace('`', '')}")
    for note in notes:
        print(f"  {note.replace('`', '')}")
    print(f"  ru_maxrss floor (RSS of this script, counted into every child): {ctx.floor_kib / 1024:.1f} MiB")
    print(f"  summed RSS sampled {sampling.replace('`', '')}")
    print(f"  1-minute load average: {ctx.load[0]} before, {ctx.load[1]} after ({nproc()} CPUs)")
    print("\nfindings against --jobs 1 --no-cache on the same tree:")
    for line in check_lines(checks) or ["nothing to check"]:
        print(f"  {line}")
    print(f"\ncommand: {shown_invocation(args.argv, None)}")
    print("commands run (<tree> is the copy; <cache dir> the round's cache directory):")
    for line in command_lines(tools):
        print(f"  {line}")
    print()
    print(text_table(RUN_HEADER, run_rows(tools)))

    if args.markdown:
        existing = None
        if os.path.exists(args.markdown):
            with open(args.markdown, encoding="utf-8") as f:
                existing = f.read()
        text = merge_preserved(markdown(args, tools, ctx), existing)
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"\nwrote {args.markdown}", file=sys.stderr)
    mismatch = any(not c.ok for c in checks)
    if mismatch:
        print("MISMATCH: some secreview runs' findings differ from --jobs 1 --no-cache on the same tree",
              file=sys.stderr)
    return EXIT_TOOL_FAILED if mismatch and args.check_identical else 0
