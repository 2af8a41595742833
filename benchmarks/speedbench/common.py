"""What every part of the speed benchmark shares: exit codes, paths, placeholders, failing, small helpers.

Imports nothing heavy: the benchmark's own peak RSS is counted into every tool's ``ru_maxrss`` (see
``measure``), so the parts that run before the last measurement keep this process small.
"""

from __future__ import annotations

import json
import os
import shutil
import sys

EXIT_TOOL_FAILED = 1
EXIT_USAGE = 2
BENCHMARKS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(BENCHMARKS)
ENTRY = os.path.join(BENCHMARKS, "speed.py")  # the command line; also the helper scan's child process
TREE_PLACEHOLDER = "<tree>"
OUT_PLACEHOLDER = "<out.json>"
CACHE_PLACEHOLDER = "<cache dir>"
SAMPLE_MS = 20


def fail(message: str, status: int = EXIT_USAGE) -> None:
    print(f"speed.py: {message}", file=sys.stderr)
    raise SystemExit(status)


def fresh_dir(path: str) -> str:
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def load_json(path: str):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def spread(values: list[int]) -> str:
    lo, hi = min(values), max(values)
    return str(lo) if lo == hi else f"{lo}–{hi}"
