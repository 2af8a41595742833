"""The tree-sitter fallback parser: fidelity with ``ast.parse`` on real code,
newer syntax (PEP 572 ... 758), error recovery and robustness."""

from __future__ import annotations

import ast
import collections
import copy
import os
import random
import sys
import warnings
from pathlib import Path

import pytest

from secreview.parse.treesitter_to_ast import SyntaxProblem, parse_with_tree_sitter


def calls(tree: ast.AST) -> list[tuple[int, int, str]]:
    return sorted(
        (n.lineno, n.col_offset, ast.unparse(n.func)) for n in ast.walk(tree) if isinstance(n, ast.Call)
    )


def call_lines(tree: ast.AST) -> dict[str, list[int]]:
    out: dict[str, list[int]] = collections.defaultdict(list)
    for line, _col, func in calls(tree):
        out[func].append(line)
    return dict(out)


def convert(src: str):
    return parse_with_tree_sitter(src)


def _dump(tree: ast.AST) -> str:
    """``ast.dump`` with positions, in the shape of Python 3.11's ast, which the converter produces.

    On 3.12+ CPython gives the literal parts of f-strings their own positions
    (PEP 701; 3.11 gives them the whole string's), and generic parameters
    ``TypeVar`` nodes (kept as ``type_params_source`` by the converter): both are
    normalised away there. On 3.11 this is exactly ``ast.dump``.
    """
    if sys.version_info >= (3, 12):
        tree = copy.deepcopy(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                for part in node.values:
                    for attr in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
                        setattr(part, attr, 0)
                    if isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Tuple):
                        for attr in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
                            setattr(part.value, attr, 0)  # f"{a,b}": 3.11 counts the braces in
                    if isinstance(part, ast.FormattedValue) and part.format_spec is not None:
                        for attr in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
                            setattr(part.format_spec, attr, 0)
                        # 3.12.1 ends a nested spec (f"{a:{b}}") with an empty Constant; 3.11 and 3.13 do not
                        part.format_spec.values = [v for v in part.format_spec.values
                                                   if not (isinstance(v, ast.Constant) and v.value == "")]
            if getattr(node, "type_params", None):
                node.type_params = []
    return ast.dump(tree, include_attributes=True)


# ---------------------------------------------------------------------------
# fidelity with CPython on the standard library
# ---------------------------------------------------------------------------


def _stdlib_sample(limit: int = 300) -> list[Path]:
    root = Path(os.path.dirname(ast.__file__))
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in ("test", "tests", "idle_test", "site-packages"))
        files.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(".py"))
    files.sort()
    if len(files) > limit:  # deterministic spread over the whole tree
        step = len(files) / limit
        files = [files[int(i * step)] for i in range(limit)]
    return files


def test_stdlib_dumps_match_cpython():
    exact = 0
    total = 0
    call_mismatch = []
    problems = []
    mismatched = []
    for path in _stdlib_sample():
        try:
            src = path.read_text(encoding="utf-8")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ref = ast.parse(src)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        total += 1
        tree, probs = convert(src)
        if probs:
            problems.append((path, probs[:3]))
        if _dump(ref) == _dump(tree):
            exact += 1  # (and so the same calls)
        else:
            mismatched.append(path)
            if calls(ref) != calls(tree):
                call_mismatch.append(path)
    assert total >= 200
    rate = exact / total
    print(f"\nstdlib sample: {exact}/{total} exact dumps ({rate:.2%})")
    # 100% measured on the 3.11 stdlib; a little slack for other 3.11.x patch releases
    assert rate >= 0.99, mismatched[:10]
    assert not call_mismatch, call_mismatch[:10]
    assert not problems, problems[:5]


def test_locations_are_complete():
    """Every node that has positions got them (fix_missing_locations is a no-op afterwards)."""
    src = Path(ast.__file__).read_text(encoding="utf-8")
    tree, _ = convert(src)
    before = ast.dump(tree, include_attributes=True)
    ast.fix_missing_locations(tree)
    assert ast.dump(tree, include_attributes=True) == before
    compile(tree, "ast.py", "exec")


@pytest.mark.parametrize(
    "src",
    [
        'x = f"a{b!r:>{w}} {c=}" "d" f"{x}"\n',
        'f"{x:}" f"{a,b}" "x" f"{a:{b}}"\n',
        "f'{x:=10}' f'{x=:>5}' f'{x = !s}', rb'\\x' b'\\x41\\n', u'\\N{EN DASH}' '\\777'\n",
        'r"\\\\" r"a\\"b" "\\\\\\\\" f"{{}}{x}\\{{"\n',
        "a = ~1 ^ 1 & 1 ^ -1\nb = [*a.b(), *c[1], *d + e]\nc = G[*Ts]\n",
        "if a:\n    pass\nelif b:\n    x;\nelse:\n    y ;\n",
        "with (open(x) as f, g() as (a, b)):\n    pass\nwith (a as b):\n    pass\n",
        "type(x).attr = 1\nprint(type(y))\n",
        (
            "match x:\n case -1 | a.b as c: pass\n case {1: x, **r}: pass\n case C(1, y=_): pass\n"
            " case (x): pass\n case a, *b,: pass\n case (0 | 1) | 2: pass\n case 1+2j | -3-4j: pass\n"
        ),
        "def f(a, /, b: int = 1, *args: str, c, d=2, **kw) -> None: ...\nlambda x, *, y=1: x\n",
        (
            "@dec\n@dec2(1)\nasync def f():\n    async with a as b:\n        async for x in y:\n"
            "            await z\n    return [i async for i in g() if await i]\n"
        ),
        "try:\n    pass\nexcept* (A, B) as e:\n    pass\nexcept* C:\n    pass\nelse:\n    pass\nfinally:\n    pass\n",
        "global a, b\nx = yield\ndel a, (b, c), d[0]\nfrom . import (x as y, z)\nfrom ..a.b import *\n",
        "x: int\n(y): int = 3\na.b: str = 'c'\nx = y = z = 1\nx += 1\nfor a, (b, *c) in d: pass\n",
    ],
)
def test_constructs_match_cpython(src):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ast.parse(src)
    tree, problems = convert(src)
    assert problems == []
    assert _dump(tree) == _dump(ref)


# ---------------------------------------------------------------------------
# newer syntax (the reason for the fallback)
# ---------------------------------------------------------------------------


def test_pep572_walrus_in_comprehension():
    src = "import os\nr = [y for x in a if (y := os.getenv(x))]\n"
    tree, problems = convert(src)
    assert problems == []
    named = [n for n in ast.walk(tree) if isinstance(n, ast.NamedExpr)]
    assert len(named) == 1 and named[0].target.id == "y"
    assert call_lines(tree) == {"os.getenv": [2]}


def test_pep634_match():
    src = (
        "match command.split():\n"
        "    case [action, obj] if allowed(action):\n"
        "        run(action, obj)\n"
        "    case Point(x=0, y=yy) | {'k': yy, **rest}:\n"
        "        eval(yy)\n"
        "    case _:\n"
        "        other()\n"
    )
    tree, problems = convert(src)
    assert problems == []
    assert _dump(tree) == _dump(ast.parse(src))
    m = tree.body[0]
    assert isinstance(m, ast.Match)
    kinds = {type(p).__name__ for c in m.cases for p in ast.walk(c.pattern)}
    assert {"MatchSequence", "MatchAs", "MatchOr", "MatchClass", "MatchMapping"} <= kinds
    assert call_lines(tree) == {"command.split": [1], "allowed": [2], "run": [3], "eval": [5], "other": [7]}


def test_pep654_except_star():
    src = "try:\n    risky()\nexcept* ValueError as eg:\n    log(eg)\nexcept* (TypeError, KeyError):\n    os.abort()\n"
    tree, problems = convert(src)
    assert problems == []
    assert isinstance(tree.body[0], ast.TryStar)
    assert tree.body[0].handlers[0].name == "eg"
    assert call_lines(tree) == {"risky": [2], "log": [4], "os.abort": [6]}


def test_pep695_generics_and_type_alias():
    src = (
        "def first[T, *Ts, **P](xs: list[T]) -> T:\n"
        "    return eval(xs[0])\n"
        "class Box[T: (int, str)]:\n"
        "    def get(self) -> T:\n"
        "        return os.popen(self.cmd)\n"
        "type Pair[K] = tuple[K, make(K)]\n"
        "type Plain = int\n"
    )
    assert sys.version_info >= (3, 12) or _rejected(src)
    tree, problems = convert(src)
    assert problems == []
    func, cls, alias, plain = tree.body
    assert isinstance(func, ast.FunctionDef) and func.name == "first"
    assert func.type_params_source == "[T, *Ts, **P]"
    assert isinstance(cls, ast.ClassDef) and cls.type_params_source == "[T: (int, str)]"
    assert isinstance(alias, ast.Assign) and alias.is_type_alias
    assert [t.id for t in alias.targets] == ["Pair"] and isinstance(alias.targets[0].ctx, ast.Store)
    assert alias.type_params_source == "[K]"
    assert isinstance(alias.value, ast.Subscript)
    assert plain.is_type_alias and plain.targets[0].id == "Plain"
    assert call_lines(tree) == {"eval": [2], "os.popen": [5], "make": [6]}
    compile(tree, "<pep695>", "exec")


def test_pep696_type_parameter_defaults():
    src = (
        "def f[T = int, *Ts = *tuple[int]](x):\n"
        "    return eval(x)\n"
        "class C[T=str]:\n"
        "    def m(self):\n"
        "        os.system(self.x)\n"
        "type A[T = int] = list[T]\n"
    )
    tree, problems = convert(src)
    assert problems == []  # valid 3.13 syntax, even if tree-sitter has no rule for it
    assert [type(s).__name__ for s in tree.body] == ["FunctionDef", "ClassDef", "Assign"]
    assert tree.body[0].type_params_source == "[T = int, *Ts = *tuple[int]]"
    assert call_lines(tree) == {"eval": [2], "os.system": [5]}


def test_pep701_fstrings():
    src = (
        'a = f"{f"{x}"}"\n'
        "b = f\"{'\\n'.join(lines)}\"\n"
        'c = f"{\n'
        "    run(cmd)  # a comment inside the replacement field\n"
        '}"\n'
        'd = f"{x:{width(1)}}" f"{f"{f"{deep()}"}"}"\n'
    )
    assert _rejected(src)
    tree, problems = convert(src)
    assert problems == []
    assert call_lines(tree) == {"'\\n'.join": [2], "run": [4], "width": [6], "deep": [6]}
    joined = [n for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)]
    assert all(not getattr(j, "is_template", False) for j in joined)
    first = tree.body[0].value
    assert isinstance(first, ast.JoinedStr) and isinstance(first.values[0], ast.FormattedValue)
    assert isinstance(first.values[0].value, ast.JoinedStr)
    line_b = tree.body[1].value.values[0].value
    assert isinstance(line_b.func.value, ast.Constant) and line_b.func.value.value == "\n"


def test_pep750_tstrings():
    src = 'import os\nx = t"{eval(x)}"\ny = rt"a{b!r:>{w(2)}}" + T"{c}" + f"{d}"\n'
    tree, problems = convert(src)
    assert problems == []
    joined = [n for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)]
    templates = [j for j in joined if getattr(j, "is_template", False)]
    assert len(templates) == 3  # t"...", rt"...", T"..." (not the f-string, nor the format spec)
    assert call_lines(tree) == {"eval": [2], "w": [3]}
    fv = tree.body[1].value.values[0]
    assert isinstance(fv, ast.FormattedValue) and fv.conversion == -1


def test_pep758_except_without_parentheses():
    src = "try:\n    connect()\nexcept TimeoutError, ConnectionError:\n    retry()\n"
    tree, problems = convert(src)
    assert problems == []
    handler = tree.body[0].handlers[0]
    assert isinstance(handler.type, ast.Tuple) and [e.id for e in handler.type.elts] == [
        "TimeoutError",
        "ConnectionError",
    ]
    assert handler.name is None
    assert call_lines(tree) == {"connect": [2], "retry": [4]}


def _rejected(src: str) -> bool:
    try:
        ast.parse(src)
    except SyntaxError:
        return True
    return sys.version_info >= (3, 12)


# ---------------------------------------------------------------------------
# error recovery
# ---------------------------------------------------------------------------

PY2_FILE = """\
import os, subprocess

def handler(cmd):
    os.system(cmd)

print "running", os.system(cmd)
print >>sys.stderr, "x", escape(y)
exec "code" in namespace
name = `value`
try:
    pass
except Exception, e:
    raise ValueError, "bad"
subprocess.call(cmd, shell=True)
"""


def test_python2_file():
    tree, problems = convert(PY2_FILE)
    assert all(isinstance(p, SyntaxProblem) for p in problems)
    lines = {ln for p in problems for ln in range(p.line, p.end_line + 1)}
    assert {6, 7, 8, 9, 13} <= lines
    assert not lines & {1, 2, 3, 4, 5, 11, 14}
    found = call_lines(tree)
    assert found["os.system"] == [4, 6]  # before, and inside the print statement
    assert found["escape"] == [7]
    assert found["print"] == [6, 7]
    assert found["exec"] == [8]
    assert found["repr"] == [9]
    assert found["subprocess.call"] == [14]  # after the bad region
    assert isinstance(tree.body[1], ast.FunctionDef)


def test_truncated_file():
    src = "import os\nos.system(x)\n\ndef f(a):\n    if a:\n        subprocess.run(a, shell=True"
    tree, problems = convert(src)
    assert problems and problems[-1].end_line == 6
    assert all(p.line >= 4 for p in problems)
    found = calls(tree)
    assert (2, 0, "os.system") in found
    assert (6, 8, "subprocess.run") in found
    run = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func) == "subprocess.run")
    assert [k.arg for k in run.keywords] == ["shell"] and ast.unparse(run.args[0]) == "a"
    func = tree.body[2]
    assert isinstance(func, ast.FunctionDef) and func.name == "f"
    assert isinstance(func.body[0], ast.If)  # the broken call stays inside its block
    assert any(isinstance(n, ast.Call) for n in ast.walk(func.body[0]))


def test_unbalanced_brackets():
    src = "import os\neval(a)\nx = foo(1, [2, 3\nos.system(b)\ndef g():\n    return h(\n"
    tree, problems = convert(src)
    assert len(problems) == 1
    assert (problems[0].line, problems[0].end_line) == (3, 6)
    assert problems[0].message.startswith("unexpected text 'x = foo(")
    found = call_lines(tree)
    assert found["eval"] == [2]  # before
    assert found["foo"] == [3]  # the unclosed call itself
    assert found["os.system"] == [4]  # inside the bad region
    assert found["h"] == [6]
    assert "g" not in found  # "def g():" is not a call


def test_statements_after_an_error_survive():
    src = "def ok():\n    return safe()\n\nx = = 1\n\nclass Later:\n    def m(self):\n        return danger(self)\n"
    tree, problems = convert(src)
    assert [(p.line, p.end_line) for p in problems] == [(4, 4)]
    assert isinstance(tree.body[0], ast.FunctionDef)
    assert any(isinstance(s, ast.ClassDef) and s.name == "Later" for s in tree.body)
    assert call_lines(tree) == {"safe": [2], "danger": [8]}


def test_problems_are_merged():
    src = "print 'a'\nprint 'b'\nok()\n\nprint 'c'\n"
    tree, problems = convert(src)
    assert [(p.line, p.end_line) for p in problems] == [(1, 2), (5, 5)]
    assert call_lines(tree)["ok"] == [3]


def test_nul_bytes():
    src = "import os\nos.system('a\x00b')\n\x00\nos.popen(x)\n"
    with pytest.raises((SyntaxError, ValueError)):
        ast.parse(src)
    tree, _ = convert(src)
    assert call_lines(tree) == {"os.system": [2], "os.popen": [4]}
    consts = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    assert "a\x00b" in consts


@pytest.mark.parametrize(
    "src",
    [
        "(" * 5000 + "1" + ")" * 5000 + "\n",
        "".join("    " * i + "if x:\n" for i in range(1000)) + "    " * 1000 + "f(x)\n",
        "x = " + "[" * 3000 + "]" * 3000 + "\n",
        "x = a" + ".b" * 20000 + "\n",
        "x = " + "+".join(["f(1)"] * 5000) + "\n",
        "x = " + "f(" * 3000 + "\n",
        "x = " + "lambda: " * 2000 + "1\n",
        "if a: f(0)\n" + "".join(f"elif a == {i}: f({i})\n" for i in range(2000)),
    ],
    ids=["parens", "ifs", "lists", "attributes", "plus", "unclosed-calls", "lambdas", "elifs"],
)
def test_deep_nesting_never_raises(src):
    limit = sys.getrecursionlimit()
    tree, problems = convert(src)
    assert isinstance(tree, ast.Module)
    assert sys.getrecursionlimit() == limit
    for p in problems:
        assert 1 <= p.line <= p.end_line


def test_too_deep_is_reported():
    tree, problems = convert("x = " + "(" * 5000 + "1" + ")" * 5000 + "\ny = safe()\n")
    assert any(p.message == "nesting too deep" and p.line == 1 for p in problems)
    assert call_lines(tree) == {"safe": [2]}


@pytest.mark.parametrize("seed", range(3))
def test_never_raises_on_mangled_code(seed):
    """Random truncation / insertion / deletion: no exception, and a tree compile() accepts."""
    rnd = random.Random(seed)
    base = Path(ast.__file__).read_text(encoding="utf-8") + Path(collections.__file__).read_text(encoding="utf-8")
    junk = ["(", ")", "[", "]", "{", "}", ":", '"', "'", '"""', 'f"{', "\n", "    ", "def ", "print ",
            "\\", ",", "=", "lambda", "*", "`", "\x00", "match x:\n", "case ", "type ", "except* ", "{x=}", "é"]
    for _ in range(40):
        src = base[rnd.randrange(len(base) // 2):][:20000]
        for _ in range(rnd.randrange(1, 8)):
            p = rnd.randrange(len(src) + 1)
            if rnd.random() < 0.5:
                src = src[:p] + rnd.choice(junk) + src[p:]
            else:
                src = src[:p] + src[p + rnd.randrange(1, 40):]
        tree, problems = convert(src)
        for prob in problems:
            assert 1 <= prob.line <= prob.end_line
            assert not prob.message.startswith("could not convert"), prob
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(tree, "<mangled>", "exec")
        except SyntaxError:
            pass  # e.g. 'return' outside function: semantic, not structural


def test_empty_and_odd_inputs():
    for src in ["", "\n", "# only a comment", "\ufeffx = 1\n", "x = 1\r\ny = 'a\r\nb'\r\n", "\\\n"]:
        tree, _ = convert(src)
        assert isinstance(tree, ast.Module)
    tree, _ = convert('s = """a\r\nb"""\r\n')
    assert tree.body[0].value.value == "a\nb"
