"""Parsing any Python, whatever interpreter runs secreview.

The running interpreter's own parser is fastest and exact, so it goes first;
code it rejects (newer syntax than this interpreter knows, or real syntax
errors) goes to tree-sitter, which knows every Python 3 grammar and recovers
from errors, and whose tree is converted to the same ``ast`` node classes.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the tree-sitter side (2,500 lines to compile) is imported when a file needs it
    from secreview.parse.treesitter_to_ast import SyntaxProblem


@dataclass(frozen=True, slots=True)
class Parsed:
    tree: ast.Module
    problems: tuple[SyntaxProblem, ...]
    parser: str  # "ast" or "tree-sitter"


def parse_source(text: str, filename: str = "<unknown>") -> Parsed:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences etc. are not our business
            return Parsed(ast.parse(text, filename=filename), (), "ast")
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        pass
    from secreview.parse.treesitter_to_ast import parse_with_tree_sitter
    tree, problems = parse_with_tree_sitter(text)
    return Parsed(tree, tuple(problems), "tree-sitter")
