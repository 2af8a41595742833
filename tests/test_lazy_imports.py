"""Modules imported only when needed: the same results, without their import cost otherwise."""

from __future__ import annotations

import subprocess
import sys

PARSE = """
import sys
from secreview.parse.frontend import parse_source
ok = parse_source("x = 1\\n")
print(ok.parser, len(ok.problems), "secreview.parse.treesitter_to_ast" in sys.modules)
bad = parse_source("x = (\\ny = 2\\n")
print(bad.parser, len(bad.problems) > 0, "secreview.parse.treesitter_to_ast" in sys.modules)
"""


def test_tree_sitter_is_imported_only_for_code_the_interpreter_rejects():
    proc = subprocess.run([sys.executable, "-c", PARSE], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:2] == ["ast 0 False", "tree-sitter True True"]


CHANGES = """
import sys
import secreview.cli, secreview.source.changes
print("email.policy" in sys.modules)
from secreview.source.changes import patch_message
print(patch_message(b"From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\\n"
                    b"Subject: [PATCH] Fix it\\n\\nbecause.\\n---\\ndiff --git a/x b/x\\n"))
"""


def test_email_is_imported_only_to_read_a_patch_message():
    proc = subprocess.run([sys.executable, "-c", CHANGES], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "False\nFix it\n\nbecause.\n"
