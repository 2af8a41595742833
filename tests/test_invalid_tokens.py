"""Code no Python 3.8-3.14 accepts is a syntax error even where tree-sitter accepts it.

CPython's parser runs first; what it rejects goes to tree-sitter, whose tokens are looser than
CPython's tokenizer: number literals (``1_000_``, ``0777``, ``1L``), a number run into a name
(``1syntax_error``, read as ``1`` and a name with a newline tree-sitter makes up between them),
string prefixes (``ur''``), non-ASCII bytes literals, keywords as names (``async = 1``) and the
indentation of logical lines (tabs and spaces, dedents to no enclosing level). Each is a
``syntax-error`` problem on its line, and the rest of the file is still reviewed. Valid newer
syntax (PEP 695, 701, 750, 758) stays valid.

Every file here has a ``type`` alias statement, which Python 3.11 rejects, so that the
tree-sitter side is the one tested whatever interpreter runs the tests; literal forms are also
checked against the running interpreter's own parser (the oracle for "some Python accepts it").
"""

from __future__ import annotations

import ast
import random
import warnings

import pytest

from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review
from secreview.findings.model import ProblemKind
from secreview.parse.frontend import parse_source
from secreview.parse.treesitter_to_ast import parse_with_tree_sitter

NEWER = "type Alias = int\n"  # PEP 695: not Python 3.11, so CPython's parser gives up on the file


def cpython_accepts(src: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 3.12+ warns about `1if`
        try:
            ast.parse(src)
        except SyntaxError:
            return False
    return True


def problem_lines(src: str) -> set[int]:
    _, problems = parse_with_tree_sitter(src)
    return {n for p in problems for n in range(p.line, p.end_line + 1)}


INVALID_NUMBERS = [
    "1syntax_error", "1abc", "12_abc", "0777", "07", "0_7", "00_1", "09", "1_000_", "1__0", "1_", "1__",
    "1e", "1e+", "1e-", "1E_5", "1e5_", "1_e5", "1._5", "1_.5", "1.5_", "1.5e", "0x", "0X", "0x_", "0xg", "0x1g",
    "0xfffL", "0o", "0o8", "0o1_", "0o18", "0b", "0b2", "0b1_", "0b102", "1L", "10l", "1jj", "1j_", "1.5J1",
    "0_x1", "1é", "٣1", "1.5.5", "0777j0",
]

VALID_NUMBERS = [
    "0", "00", "0_0", "000_000", "1", "1_000", "1_0_0", "0x_ff", "0XfF", "0x1_f", "0o_7", "0O17", "0b_1",
    "0B1_0", "1.", ".5", "1.5", "1.e5", "1.5e-3", "1_0.0_1e+1_0", "1E5", "0e0", "09.5", "09e1", "09j", "0777j",
    "07.0", "1j", "1.5J", "1e5j", "1_0j", ".5j", "1 .real", "1..real",
]


@pytest.mark.parametrize("literal", INVALID_NUMBERS)
def test_invalid_number_literals_are_syntax_errors(literal):
    src = f"x = {literal}\n"
    assert not cpython_accepts(src), "the test's premise: no Python accepts it"
    assert 3 in problem_lines(NEWER + "import os\n" + src + "y = 2\n")
    assert 2 in problem_lines(NEWER + src + "y = 2\n")


@pytest.mark.parametrize("literal", VALID_NUMBERS)
def test_valid_number_literals_are_not(literal):
    src = f"x = {literal}\n"
    assert cpython_accepts(src)
    assert problem_lines(NEWER + src) == set()


@pytest.mark.parametrize("src", [
    "x = 1if y else 2\n",  # a keyword after a number is the next token (a warning since 3.12)
    "x = [1for y in z]\n",
    "x = 1or 2\n",
    "x = 1and 2\n",
    "x = 1in y\n",
    "x = 1is y\n",
    "x = 0if y else 1if z else 2\n",
    "x = 0x1for y in z\n",
    "x = 1 if 1else 2\n",
    "x = y[1:]\n",
    "x = '0777 1_000_ 1abc'  # 0777 1abc\n",
    'x = b"0777"\n',
    'x = f"{y:010_}"\n',
    'x = f"{y!r:>10} 0777"\n',
    "x = 9.459646421449934e-06\n",
    "x = 1e+06, 1E-06, 0e-0\n",
    "x = y.x1\n",
    "x = a1_0 + _1 + é1\n",
    "if x:\n\tpass\n",
    "if x:\n\tif y:\n\t\tpass\n\telse:\n\t\tpass\n",
    "if x:\n        y = (1,\n\t2)\n",  # inside brackets, indentation is not looked at
    "if x:\n  y = 1\n\n      # a comment\n  z = 2\n",
    "if x: y = 1; z = 2\n",
    "x = \\\n  1\n",
    "class A:\n\n    @d\n    def f(self):\n        '''\n  doc\n'''\n        return 1\n",
    "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",  # PEP 758 (3.14)
    "x = t'{y}' + tr'\\d' + Rt'x' + rb'x' + BR'x' + Rb'x' + u'x' + U'x' + fR'{y}' + rf'{y}'\n",
    "match x:\n    case 1_0 | 0x_f | 1.5j:\n        pass\n",
    "async def f():\n    await g()\n    async for x in y:\n        pass\n",
    "def f[T: (int, str) = int](x: T) -> T:\n    return x\n",
    'x = f"{"nested"}"\n',
])
def test_valid_code_has_no_problem(src):
    assert problem_lines(NEWER + src) == set()


@pytest.mark.parametrize("src, line, message", [
    ("x = ur'a'\n", 2, "invalid string prefix 'ur'"),
    ("x = bu'a'\n", 2, "invalid string prefix 'bu'"),
    ("x = fb'a'\n", 2, "invalid string prefix 'fb'"),
    ("x = Ft'a'\n", 2, "invalid string prefix 'Ft'"),
    ("x = tb'a'\n", 2, "invalid string prefix 'tb'"),
    ("x = rr'a'\n", 2, "invalid string prefix 'rr'"),
    ("x = b'caf\u00e9'\n", 2, "bytes can only contain ASCII literal characters"),
    ("async = 1\n", 2, "'async' is a keyword"),
    ("x = await\n", 2, "'await' is a keyword"),
    ("x = f'{1_000_}'\n", 2, "invalid number literal '1_000_'"),
    ("match x:\n    case 1_:\n        pass\n", 3, "invalid number literal '1_'"),
    ("import os\n1syntax_error\n", 3, "invalid number literal '1syntax_error'"),
    ("if x:\n    y = 1\n  z = 2\n", 4, "unindent does not match any outer indentation level"),
    ("if x:\n        y = 1\n\tz = 2\n", 4, "inconsistent use of tabs and spaces in indentation"),
    ("if x:\n\ty = 1\n        z = 2\n", 4, "inconsistent use of tabs and spaces in indentation"),
    ("if x:\n    if y:\n\tz = 2\n", 4, "inconsistent use of tabs and spaces in indentation"),
])
def test_other_tokens_no_python_accepts(src, line, message):
    assert not cpython_accepts(src)
    _, problems = parse_with_tree_sitter(NEWER + src)
    assert [(p.line, p.message) for p in problems if p.line <= line <= p.end_line] == [(line, message)]


def test_generated_number_forms_agree_with_cpython():
    """Number-like text of every shape (a seeded sample): a problem exactly when CPython says no."""
    rnd = random.Random(758)
    alphabet = "0179_.eEjJxXoObBLlaf+-"
    seen: set[str] = set()
    disagreements = []
    while len(seen) < 600:
        literal = rnd.choice("0123456789.") + "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 5)))
        if literal in seen:
            continue
        seen.add(literal)
        for shape in ("x = {}\n", "x = [{} for y in z]\n", "x = {}if a else b\n"):
            src = shape.format(literal)
            _, problems = parse_with_tree_sitter(NEWER + src)
            if bool(problems) == cpython_accepts(src):
                disagreements.append((src, [p.message for p in problems]))
    assert disagreements == []


def test_frontend_reports_it_with_its_lines(tmp_path):
    """The issue's case: before, the file parsed without a problem."""
    parsed = parse_source("import os\n1syntax_error\n")
    assert parsed.parser == "tree-sitter"
    assert [(p.line, p.end_line) for p in parsed.problems] == [(2, 2)]


def test_review_reports_a_partly_reviewed_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(
        "import os; from flask import request\n"
        "1syntax_error\n"
        "x = 1_000_\n"
        "\n"
        "def run():\n"
        "    os.system(request.args['x'])\n"
    )
    (tmp_path / "new.py").write_text(
        "type Alias = int\n"
        "import subprocess; from flask import request\n"
        "try:\n"
        "    subprocess.run(request.args['x'], shell=True)\n"
        "except ValueError, TypeError:\n"
        "    pass\n"
    )
    result = review(["."], ReviewOptions(config=DEFAULT_CONFIG))
    [problem] = result.problems
    assert (problem.path, problem.kind, problem.lines, problem.reviewed) == (
        "app.py", ProblemKind.SYNTAX_ERROR, ((2, 3),), True)
    assert {(f.path, f.line) for f in result.findings} == {("app.py", 6), ("new.py", 4)}
