#!/usr/bin/env python3
"""Speed benchmark: secreview, bandit and ruff (``S`` rules) on one tree, or the targets on a panel of trees.

One tree: secreview with an empty cache, a warm cache and after edits of a helper module, bandit, ruff.

Usage::

    python benchmarks/speed.py [--repeat N] [--markdown FILE] [--check-identical]
        [--tree DIR | --sdist FILE | --package SPEC] [--cache-dir DIR]
        [--secreview-args ARGS] [--secreview CMD] [--bandit CMD] [--ruff CMD]
        [--secreview-at REV] [--out-dir DIR] [--warm-cache] [--helper FILE]
        [--sample-interval MS]

    python benchmarks/speed.py --panel PANEL_FILE [--sdists DIR] [--repeat N]
        [--markdown FILE] [--json FILE] [--check-identical] [--profile NAME]
        [--no-change-review] [--secreview CMD | --secreview-at REV] [--bandit CMD]
        [--secreview-args ARGS] [--cache-dir DIR] [--out-dir DIR] [--sample-interval MS]

This file is the command line; the work is done by the package ``benchmarks/speedbench/``, one part per
job: ``trees`` (sdists, copies, counting lines), ``helper`` (the edited-helper scenarios' import scan and
edits), ``measure`` (running one command: wall and CPU time, peak RSS of the largest process from
``wait4`` -- GNU ``time``'s ``%M`` --, summed RSS sampled from ``/proc``), ``tools`` (the secreview, bandit
and ruff commands), ``scenarios`` (the single-tree runs and their order), ``findings`` (counting findings,
``--check-identical``), ``render`` (the single-tree tables and page), ``panel_file``, ``panel`` and
``panel_page`` (panel mode: the panel file, the runs, the page), ``timings`` (reading
``SECREVIEW_TIMINGS=1`` output), ``profile_child`` (``--profile``), ``cli`` (the options).

Panel mode
----------

``--panel FILE`` (``benchmarks/panels/speed.toml``: PyPI names and versions, the targets, a one-file
change review; the format is in ``speedbench/panel_file.py``) measures, for each tree of the panel in
one run: the empty-cache review with the default jobs, A/B interleaved with bandit (secreview then
bandit in odd rounds, bandit then secreview in even ones: the ratio on the page is the median of the
pairs' ratios, so that drift of the machine cancels), the warm review of the unchanged tree, and the
empty-cache review with ``--jobs 1`` -- wall time and peak memory of the largest process of each, medians
over ``--repeat`` rounds -- then ``benchmarks/change_review.py`` on the panel's change-review tree, and
with ``--profile NAME`` a cProfile and a tracemalloc run of ``--jobs 1 --no-cache``.  Every secreview run
has ``SECREVIEW_TIMINGS=1``; the phases its workers print are on the page.  ``--markdown FILE`` writes
the whole page (``docs/performance.md``: method, command, machine, commit, tables with the ratios to
bandit and whether each target is met; nothing on it is kept by hand).  The trees are found under
``--sdists DIR`` (an unpacked ``NAME-VERSION`` folder or an sdist) or downloaded with pip.  The rest of
this docstring describes the single-tree mode.

The tree is, by default, the ``neutron`` 29.0.0 sdist from PyPI (about 2,100
Python files, 440,000 lines), fetched with ``pip download --no-deps
--no-binary :all: neutron==29.0.0`` into a cache directory and unpacked
there; ``--sdist FILE`` unpacks a local sdist instead and ``--tree DIR`` uses
an unpacked tree.  Nothing in secreview may key on the tree.  The script
never changes that tree: it copies it into its working directory and runs
every tool on the copy, the only tree it edits.

The edited helper
-----------------

A static scan of the copy's imports with ``ast`` (no code is run; in a child
process, so that parsing the tree does not raise this script's peak RSS, see
below) names each ``.py`` file's module (its dotted path from the first
directory above it without an ``__init__.py``), resolves ``import`` and ``from ... import``
statements (relative ones too) to the tree's own modules, and counts, for each
module, the other modules that import it and those that use one of its
top-level functions (``from m import f``, or ``m.f`` through a name an import
bound).  The helper is the module that is not an ``__init__.py`` with the most
such function users (then the most importers, then the smallest path), and it
must have at least 20 importers; ``--helper FILE`` (relative to the tree)
chooses another.  On neutron 29.0.0 it is ``neutron/common/utils.py``.  The
edit inserts a five-line function after the module's docstring and
``from __future__`` imports (or before its first statement), so that every
later line -- and so every function's summary, whose traces carry line
numbers -- moves; the file is restored, bytes and modification time, right
after each run that needs it.

A second edit changes what a function of the helper does: the helper's
top-level function with parameters that the most other modules use (by the
same scan; ``wait_until_true`` on neutron) gets, as its first statement, a call
passing its first parameter to an inserted function that runs it in a shell
(``subprocess.call(value, shell=True)``), inserted as above. That function's
summary gains a command-injection flow from its parameter, so every module
that calls it must be checked again, and those that pass it their own
parameters change their summaries in turn.

Runs
----

First, three **reference** runs: ``secreview review ... --jobs 1 --no-cache`` on
the unedited copy and on each edited copy (one run each; shown in the table).
Then ``--repeat`` rounds (default 3), so that slow drift of the machine
affects every scenario alike; each round runs, in this order:

1. **secreview, empty cache**: ``--cache-dir`` a fresh empty directory;
2. **secreview, warm cache**: the same directory, which run 1 of the round
   filled, on the same unchanged tree (run 1 is the fill run: it is timed as
   an empty-cache run, never as a warm one);
3. **secreview, edited helper**: the helper edited as above, the same cache
   (warm from the unedited tree); the helper is restored afterwards;
   **secreview, edited helper function**: the second edit, with a copy of the
   cache made right after run 2 (so also warm from the unedited tree).  Each
   round starts from a new empty cache directory, so every round measures
   the same thing whatever the cache keeps;
4. ``bandit -r <tree> -f json -o <out> -q`` (exit status 1 means "found
   issues" and is normal);
5. ``ruff check --isolated --no-cache --select S --output-format json
   --exit-zero <tree>`` with its standard output sent to a file.

secreview runs as ``secreview review <tree> --format json --output <out>
--exit-zero --no-progress --cache-dir <dir>``, plus ``--secreview-args``
(``--jobs`` is left to its default, all cores).  Flags that ``secreview review
--help`` does not list are left out: without ``--cache-dir`` the scenarios
run without a cache (they still run, and the output says so), without
``--jobs`` or ``--no-cache`` the reference runs without them.  Every secreview
run also gets ``XDG_CACHE_HOME`` set to its cache directory, so that no run
reads or fills the user's cache, whatever the flags.  After each round's
empty-cache run the script measures what it left in the cache directory
(files, MiB): an empty directory means this secreview has no cache and the
warm and edited runs did the full work.  ``--secreview-at REV`` runs
``python -m secreview`` from ``src/`` of this repository at commit REV,
exported to a temporary directory and compiled to bytecode as an installed
package is (``compileall``: where ``PYTHONDONTWRITEBYTECODE`` is set, a source
tree is otherwise compiled again by every run), instead of the checkout, whose files other
work may change while the benchmark runs (the script warns when they did);
relative ``PYTHONPATH`` entries are made absolute, since the tools run in
other directories.

All tools run in a fresh empty working directory.  ``--no-cache`` keeps ruff
from answering runs 2 and later from a ``.ruff_cache`` in a fraction of the
time; ``--warm-cache`` leaves it out.

Measured, per run
-----------------

* wall time: ``time.perf_counter()`` from just before ``subprocess.Popen`` to
  the moment ``os.waitid(..., WEXITED | WNOWAIT)`` reports that the tool's
  process ended;
* CPU time (user + system) and the peak resident set size of the largest
  process (``ru_maxrss``, KiB on Linux) from the rusage ``os.wait4(pid, 0)``
  returns for the tool's process.  On Linux that rusage covers the process
  and the descendants it waited for (secreview's workers), and its
  ``ru_maxrss`` is the *largest single process* among them, not a sum;
* the peak of the *summed* RSS of the tool's process and all its descendants:
  a thread of this script samples, every ``--sample-interval`` ms (default
  20), the process tree (``/proc/<pid>/task/*/children`` where the kernel
  has it, else the parent ids of ``/proc/*/stat``, read once per process)
  and adds up ``VmRSS`` from ``/proc/<pid>/status``.  It is a sampled peak (a
  burst shorter than the interval can be missed) and counts pages that forked
  workers share with their parent once per process, so it bounds the memory
  the tool needed from above more than it measures it;
* as a cross-check, ``resource.getrusage(RUSAGE_CHILDREN)`` before and after
  each run: the CPU-time delta is the CPU of every descendant reaped during
  the run and should match the wait4 figure; its ``ru_maxrss`` is the
  high-water mark over *all* children of this script so far (a maximum, not a
  sum), so it only tells something about a run when it rises.

The kernel counts the peak RSS of the launching process at ``exec`` into
the child's ``ru_maxrss`` (``subprocess`` starts children with ``vfork``), so
a child's figure is the larger of this script's peak RSS and the tool's own:
a figure above that floor is the tool's own peak, one at the floor says only
that the tool's peak is no higher.  The script keeps the floor low (it imports
little, parses the tree in a child process and reads no report until all runs
are done) and measures it by running ``true`` at the start of each round.

Afterwards
----------

It counts the findings in each JSON report (secreview: ``findings`` and
``problems``; bandit: ``results``, and ``errors`` for files it could not scan;
ruff: the list) and the ``.py`` files and their lines in the tree, and checks
that every secreview run's ``findings`` equal those of the reference run on
the same tree (unedited or edited), after making paths relative to the tree
(every string in a finding loses the tree's path prefix) and dropping each
finding's ``fingerprint`` (a hash of its rule, path and code, which are
compared anyway); it prints OK or MISMATCH per scenario.  The table gives,
per scenario: the number of runs, median / min / max wall time, median CPU
time, the medians of both peak-memory figures, findings, and the ratio of the
median wall time to bandit's.  It also records the 1-minute load average
before and after the runs: on a busy machine the wall times grow, the CPU
times much less.  ``--markdown FILE`` writes the same table with the exact
commands, the identity check, the machine and the tool versions (no
timestamps, so that the file only changes when the numbers do); when FILE
already exists, everything from its line ``<!-- hand-kept sections below are
preserved by benchmarks/speed.py -->`` to its end is kept after the new text.

Exit status: 0; 1 when a tool fails, or when ``--check-identical`` is given
and a secreview run's findings differ from the reference; 2 on bad arguments
(no tree, download failure, no helper module).
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the speedbench package beside this file

from speedbench.cli import main as _main  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    return _main(argv, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    sys.exit(main())
