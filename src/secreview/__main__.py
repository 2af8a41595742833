import os
import sys

# ``python -m secreview`` puts the current directory first on sys.path. Run from
# inside the tree under review, a module of that tree named like one secreview
# imports later (argparse.py, tokenize.py, pathspec.py...) would be imported, that
# is, run. secreview never runs what it reviews: drop that entry (-P does the same).
if not getattr(sys.flags, "safe_path", False) and sys.path and \
        os.path.abspath(sys.path[0] or os.curdir) == os.getcwd():
    del sys.path[0]

from secreview.cli import run  # noqa: E402

run()
