"""Fuzzing the whole pipeline: whatever the bytes, secreview never crashes and never loses a file.

Random bytes, token soup, text in odd encodings, and mutations of real standard
library modules (lines deleted, duplicated, swapped, brackets inserted, files
truncated, NUL bytes and BOMs inserted) go through ``review_sources``, through
``review`` on files in a temporary tree, and through the command line. For each:

* no exception escapes;
* every input file is either reviewed or named in ``problems`` with a reason,
  and no problem is an ``internal-error`` (that would be a bug of secreview);
* every report format renders, and the JSON and SARIF reports parse (the JSON
  one against its schema).

The hypothesis profile ``secreview-fuzz`` keeps the default run short; set
``SECREVIEW_FUZZ_EXAMPLES=2000`` for a long local run.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import sysconfig
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from secreview.analysis.models import load_models
from secreview.cli import main as cli_main
from secreview.engine.pipeline import ReviewOptions, review, review_sources
from secreview.findings.model import FileProblem, ProblemKind
from secreview.reports import ReportOptions, render
from secreview.reports.json_report import SCHEMA_PATH
from secreview.source.reading import SourceText, decode_source

EXAMPLES = int(os.environ.get("SECREVIEW_FUZZ_EXAMPLES", "40"))
settings.register_profile(
    "secreview-fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
FUZZ = settings.get_profile("secreview-fuzz")
MODELS = load_models(())
VALIDATOR = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))
BUDGET = 200_000  # keeps each example short; budget-exceeded is a legitimate outcome
pytestmark = pytest.mark.slow


def _options() -> ReviewOptions:
    return ReviewOptions(models=MODELS, budget=BUDGET)


def check_rendered(result) -> None:
    for fmt in ("json", "sarif", "markdown", "text"):
        text = render(fmt, result, ReportOptions(tool_version="0.0.0"))
        assert isinstance(text, str) and text
        text.encode("utf-8")  # what the CLI writes must be encodable
    doc = json.loads(render("json", result, ReportOptions(tool_version="0.0.0")))
    VALIDATOR.validate(doc)
    assert doc["summary"]["findings"] == len(result.findings)
    sarif = json.loads(render("sarif", result, ReportOptions(tool_version="0.0.0")))
    assert len(sarif["runs"][0]["results"]) == len(result.findings)


def check_accounted(result, names: list[str]) -> None:
    """Every file in ``names`` is reviewed or named as not reviewed; no internal error."""
    internal = [p for p in result.problems if p.kind is ProblemKind.INTERNAL_ERROR]
    assert not internal, f"internal error: {internal[0].message}\n{internal[0].detail}"
    for p in result.problems:
        assert p.path in names, p
        assert p.message
    not_reviewed = {p.path for p in result.problems if not p.reviewed}
    assert result.files_reviewed + len(not_reviewed) == len(names), (result.files_reviewed, result.problems)


def review_bytes(data: bytes, name: str = "fuzzed.py"):
    src = decode_source(data, name)
    if isinstance(src, FileProblem):
        return None
    result = review_sources([(src, "fuzzed", False)], _options())
    check_accounted(result, [name])
    check_rendered(result)
    return result


# ---------------------------------------------------------------- strategies

TOKENS = (
    "def", "class", "if", "elif", "else", "for", "while", "try", "except", "finally", "with", "as", "return",
    "yield", "await", "async", "lambda", "import", "from", "global", "nonlocal", "del", "pass", "break",
    "continue", "raise", "assert", "match", "case", "type", "not", "and", "or", "is", "in", "None", "True",
    "x", "y", "self", "os", "os.system", "subprocess.run", "request.args", "eval", "open", "f", "cursor.execute",
    "(", ")", "[", "]", "{", "}", ":", ",", ".", ";", "=", "==", "+=", ":=", "->", "*", "**", "@", "|", "%",
    "0", "1", "3.5", "0x1f", "'s'", '"d"', "f'{x}'", "f'{", "}'", "b'x'", "r'\\d'", "'''", '"""', "t'{x}'",
    "\\", "#", "# nosec", "# secreview: ignore[SR101]", "\n", "\n    ", "\n        ", "\t", "\x00", "\r", "\x0c",
    "\u00e9", "\U0001f600", "\ufeff", "\u2028",
)
token_soup = st.lists(st.sampled_from(TOKENS), max_size=120).map(" ".join)


def _stdlib_files() -> list[Path]:
    std = Path(sysconfig.get_paths()["stdlib"])
    names = ("bisect.py", "colorsys.py", "genericpath.py", "reprlib.py", "stat.py", "linecache.py", "fnmatch.py",
             "getpass.py", "netrc.py", "getopt.py", "hmac.py", "copy.py", "glob.py", "shlex.py", "pty.py",
             "sched.py", "py_compile.py", "shelve.py", "zipapp.py", "tabnanny.py")
    found = [std / n for n in names if (std / n).is_file()]
    return found or sorted(std.glob("*.py"))[:10]


STDLIB = _stdlib_files()
BRACKETS = "()[]{}'\"`:\\"


@st.composite
def mutated_stdlib(draw) -> bytes:
    path = draw(st.sampled_from(STDLIB))
    lines = path.read_bytes().splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            break
        op = draw(st.sampled_from(("delete", "duplicate", "swap", "bracket", "indent", "nul", "bom", "crlf",
                                   "latin1", "truncate_line")))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "bracket":
            line = lines[i]
            k = draw(st.integers(0, len(line)))
            lines[i] = line[:k] + draw(st.sampled_from(BRACKETS)).encode() + line[k:]
        elif op == "indent":
            lines[i] = b" " * draw(st.integers(1, 9)) + lines[i]
        elif op == "nul":
            lines[i] = lines[i][:1] + b"\x00" + lines[i][1:]
        elif op == "bom":
            lines.insert(i, b"\xef\xbb\xbf")
        elif op == "crlf":
            lines[i] = lines[i].replace(b"\n", b"\r\n") if draw(st.booleans()) else lines[i].replace(b"\n", b"\r")
        elif op == "latin1":
            lines.insert(i, "s = '\u00e9\u00e8'\n".encode("latin-1"))
        elif op == "truncate_line":
            lines[i] = lines[i][: draw(st.integers(0, max(0, len(lines[i]) - 1)))]
    data = b"".join(lines)
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]  # a truncated file
    return data


ENCODINGS = ("utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-16-le", "koi8-r", "shift_jis", "utf-7")


@st.composite
def encoded_source(draw) -> bytes:
    text = draw(st.one_of(token_soup, st.text(max_size=300)))
    encoding = draw(st.sampled_from(ENCODINGS))
    cookie = draw(st.sampled_from(("", encoding, "utf-8", "latin-1", "bogus-codec", "hex", "unicode_escape")))
    header = f"# -*- coding: {cookie} -*-\n" if cookie else ""
    try:
        return (header + text).encode(encoding, errors="replace" if encoding != "utf-7" else "strict")
    except (UnicodeEncodeError, LookupError):
        assume(False)
        return b""


# ---------------------------------------------------------------- properties


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes(data):
    review_bytes(data)


@FUZZ
@given(token_soup)
def test_token_soup(text):
    review_bytes(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.text(max_size=500))
def test_random_text(text):
    review_bytes(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(encoded_source())
def test_mixed_encodings_and_boms(data):
    review_bytes(data)


@settings(FUZZ, max_examples=max(10, EXAMPLES // 2))
@given(mutated_stdlib())
def test_mutated_stdlib_modules(data):
    review_bytes(data)


@settings(FUZZ, max_examples=max(5, EXAMPLES // 4))
@given(st.lists(st.one_of(st.binary(max_size=400), token_soup.map(str.encode), mutated_stdlib()),
                min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_trees_of_fuzzed_files(tmp_path_factory, files, rnd):
    """``review`` on a directory: every file written is accounted for, whatever its content."""
    root = tmp_path_factory.mktemp("fuzz")
    names = []
    for i, data in enumerate(files):
        folder = root / ("pkg" if rnd.random() < 0.5 else "")
        folder.mkdir(exist_ok=True)
        if rnd.random() < 0.3:
            (folder / "__init__.py").write_bytes(b"")
            names.append(os.path.relpath(folder / "__init__.py", root).replace(os.sep, "/"))
        name = f"m{i}.py"
        (folder / name).write_bytes(data)
        names.append(os.path.relpath(folder / name, root).replace(os.sep, "/"))
    names = sorted(set(names))
    with contextlib.chdir(root):
        result = review(["."], _options())
    check_accounted(result, names)
    check_rendered(result)


@settings(FUZZ, max_examples=max(5, EXAMPLES // 4))
@given(st.one_of(token_soup.map(str.encode), mutated_stdlib(), st.binary(max_size=300)),
       st.sampled_from(("json", "sarif", "markdown", "text")))
def test_cli_on_a_file(tmp_path_factory, data, fmt):
    folder = tmp_path_factory.mktemp("cli")
    target = folder / "input.py"
    target.write_bytes(data)
    out = folder / "report"
    code = cli_main(["review", str(target), "--format", fmt, "--output", str(out), "--no-progress",
                     "--analysis-budget", str(BUDGET)])
    assert code in (0, 1)
    text = out.read_text(encoding="utf-8")
    if fmt in ("json", "sarif"):
        json.loads(text)


# ---------------------------------------------------------------- generated extremes


def _deep(kind: str, n: int) -> str:
    if kind == "parens":
        return "x = " + "(" * n + "1" + ")" * n + "\n"
    if kind == "lists":
        return "x = " + "[" * n + "]" * n + "\n"
    if kind == "ifs":
        return "".join(" " * i + "if x:\n" for i in range(n)) + " " * n + "pass\n"
    if kind == "defs":
        return "".join(" " * i + f"def f{i}(a):\n" for i in range(n)) + " " * n + "return a\n"
    if kind == "lambdas":
        return "x = " + "lambda: " * n + "1\n"
    if kind == "unary":
        return "x = " + "-" * n + "1\n"
    if kind == "fstrings":
        return "x = " + "f'{" * n + "1" + "}'" * n + "\n"
    if kind == "attrs":
        return "x = a" + ".b" * n + "\n"
    if kind == "calls":
        return "x = a" + "()" * n + "\n"
    if kind == "concat":
        return "x = " + " + ".join(["a"] * n) + "\n"
    if kind == "elifs":
        return "def f(x):\n    if x == -1:\n        pass\n" + "".join(
            f"    elif x == {i}:\n        y = {i}\n" for i in range(n))
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["parens", "lists", "ifs", "defs", "lambdas", "unary", "fstrings", "attrs",
                                  "calls", "concat", "elifs"])
@pytest.mark.parametrize("n", [50, 300, 3000])
def test_deep_nesting_and_long_chains(kind, n):
    result = review_bytes(_deep(kind, n).encode())
    assert result is not None


def test_very_long_lines():
    review_bytes(b"x = '" + b"a" * 1_500_000 + b"'\n")
    review_bytes(b"x = [" + b"1," * 50_000 + b"]\n")
    review_bytes(b"import os\nos.system('" + b"\\x41" * 100_000 + b"' + y)\n")


def test_nul_bytes_bom_and_truncation():
    base = b"import os\n\ndef f(x):\n    os.system(x)\n"
    for data in (base.replace(b"\n", b"\x00\n"), b"\xef\xbb\xbf" + base, b"\xef\xbb\xbf\xef\xbb\xbf" + base,
                 base[:17], b"\xef\xbb", b"\xff\xfe" + base, b"\x00" * 100, b"def f(:\n\x00" * 50,
                 base + b"\xef\xbb\xbf" + base, b"# coding: latin-1\n" + base + b"\xe9\n", b"\r" * 5000 + base,
                 b"# nosec\n''\n 1\n\x00"):  # the last: SystemError from CPython 3.13.0's tokenize
        review_bytes(data)


def test_random_mutations_are_reproducible():
    """A fixed-seed smoke of many cheap mutations (independent of hypothesis' database)."""
    rnd = random.Random(7)
    source = STDLIB[0].read_bytes()
    for _ in range(30):
        data = bytearray(source)
        for _ in range(rnd.randint(1, 20)):
            pos = rnd.randrange(len(data) + 1)
            data[pos:pos] = bytes([rnd.choice(b"()[]{}:\n\t \\'\"#\x00\xff")])
        review_bytes(bytes(data))


def test_stdin_like_sources_with_the_same_name():
    """Sources sharing a module name (two stdins, two scripts) are both reviewed."""
    code = "import os\nfrom flask import request\nos.system(request.args['x'])\n"
    srcs = [(SourceText(f"s{i}.py", code, "utf-8", 3), "same", False) for i in range(3)]
    result = review_sources(srcs, _options())
    assert result.files_reviewed == 3 and len(result.findings) == 3
