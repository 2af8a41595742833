"""Fleet review: many repositories, each reviewed as its own project, on Dask (``secreview fleet``).

Modules, each with one job, importing only downwards (the engine never imports this package)::

    command        the ``fleet`` command's options and exit codes
    orchestrate    the client side: the cluster, one task per repository, the store, the outputs
    progress       the live display on a terminal
    summary        the fleet's summary (JSON) and what changed since the previous run
    html_page      the summary as one self-contained HTML page
    task           on a worker: one repository reviewed in that process (or split, ``shares``)
    shares         a large repository's files split into the engine's shares, run as Dask actors
    threads        the threads reviews run on in a worker: a large stack, and a timeout's interrupt
    materialise    a repository as a local tree: a directory, an unpacked sdist, a git revision
    keys           what a stored result is keyed by: content, secreview's code, configuration
    store          the result store: JSON entries with a checksum, written atomically (fsspec)
    repos          what the command line names: directories of repositories, lists, sdists

Dask and fsspec are imported only where they are used: ``secreview review`` never loads them, and
``secreview fleet`` says how to install them when they are missing.
"""
