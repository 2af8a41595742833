"""The parts of ``benchmarks/speed.py``, one job each (the method is in ``speed.py``'s docstring):

=================  ===========================================================================
``cli``            the options; one tree, or a panel of trees
``trees``          sdists (downloaded with pip, unpacked), private copies, counting lines
``helper``         the edited-helper scenarios: the static import scan and the edits
``measure``        running one command: wall and CPU time, peak RSS of the largest process
                   (``wait4``'s ``ru_maxrss``, GNU ``time``'s ``%M``), summed RSS sampled from /proc
``tools``          the secreview, bandit and ruff commands, their versions and flags
``scenarios``      the single-tree scenarios and the order they run in
``findings``       counting findings; every run against ``--jobs 1 --no-cache`` (``--check-identical``)
``render``         the single-tree tables and page
``panel_file``     the panel file (``benchmarks/panels/speed.toml``) and finding its trees
``panel``          panel mode: the runs per tree (A/B pairs with bandit), the change review, profiles
``panel_page``     the page a panel run writes (``docs/performance.md``), in full
``timings``        reading what ``SECREVIEW_TIMINGS=1`` prints
``profile_child``  ``--profile``: cProfile and tracemalloc around one review, in a child process
=================  ===========================================================================

Nothing here imports secreview: the benchmark's own RSS is counted into every tool's peak.
"""
