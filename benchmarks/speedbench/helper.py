"""The edited-helper scenarios: a static import scan chooses the helper module and its most used function,
and the edits that move every line of it or make that function pass its parameter to a shell.

Static (``ast`` only): nothing of the tree is run.  The scan runs in a child process
(``speed.py --prepare-helper``), so that parsing the whole tree does not raise the benchmark's own peak
RSS, which the kernel counts into every tool's ``ru_maxrss``.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass

from speedbench.common import ENTRY, fail

MIN_IMPORTERS = 20
EDIT_NAME = "_speed_benchmark_edit"
EDIT_LINES = (
    f"def {EDIT_NAME}(value=None):",
    '    """Added by benchmarks/speed.py: moves every later line of this module."""',
    "    return value",
    "",
    "",
)

SINK_EDIT_LINES = (
    f"def {EDIT_NAME}(value=None):",
    '    """Added by benchmarks/speed.py: runs its argument in a shell, and a function of this module calls it."""',
    "    import subprocess",
    "    return subprocess.call(value, shell=True)",
    "",
    "",
)


@dataclass
class Helper:
    path: str  # relative to the tree, "/"-separated
    module: str  # dotted name
    importers: int  # other modules that import it
    users: int  # other modules that use one of its top-level functions
    functions: int  # its top-level functions
    top_function: str = ""  # its function with parameters that the most other modules use
    top_users: int = 0  # how many


def module_names(tree: str) -> dict[str, str]:
    """Each ``.py`` file under ``tree`` (relative, "/"-separated) -> its dotted module name.

    The name is the file's path from the first directory above it that has no ``__init__.py`` (so ``src/``
    layouts and folders of scripts work); a package's ``__init__.py`` is named after the package.
    """
    names: dict[str, str] = {}
    tree = os.path.abspath(tree)
    for root, dirs, files in os.walk(tree):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".py") or not os.path.isfile(os.path.join(root, name)):
                continue
            parts = [name[:-3]]
            d = root
            while d != tree and os.path.isfile(os.path.join(d, "__init__.py")):
                parts.insert(0, os.path.basename(d))
                d = os.path.dirname(d)
            if parts[-1] == "__init__" and len(parts) > 1:
                parts.pop()
            rel = os.path.relpath(os.path.join(root, name), tree).replace(os.sep, "/")
            if all(p.isidentifier() for p in parts):
                names[rel] = ".".join(parts)
    return names


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def scan_imports(tree: str) -> dict[str, Helper]:
    """Per module of ``tree`` (by relative path): who imports it and who uses its top-level functions.

    Static (``ast`` only): ``import a.b``, ``import a.b as x``, ``from a import b`` and relative imports are
    resolved to the tree's own modules; a *use* is ``from m import f`` or an attribute chain such as
    ``x.f`` or ``a.b.f`` through a name an import statement bound, with ``f`` a top-level function of ``m``.
    Files that do not parse are left out.  One file's syntax tree at a time is kept.
    """
    paths = module_names(tree)
    by_name: dict[str, str] = {}
    for rel, name in paths.items():
        by_name.setdefault(name, rel)  # two files with one name (rare): the first path wins
    functions: dict[str, set[str]] = {}
    importers: dict[str, set[str]] = defaultdict(set)
    wanted: dict[str, set[tuple[str, str]]] = {}  # module -> (module, name) it reads, function or not
    for name, rel in by_name.items():
        try:
            with open(os.path.join(tree, rel), "rb") as f:
                module = ast.parse(f.read(), filename=rel)
        except (SyntaxError, ValueError, OSError, RecursionError):
            continue
        functions[name] = {n.name: bool(n.args.posonlyargs or n.args.args) for n in module.body
                           if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        package = name if rel.endswith("__init__.py") else name.rpartition(".")[0]
        bound: dict[str, str] = {}  # local name -> dotted module path it stands for
        reads: set[tuple[str, str]] = set()
        chains: list[str] = []
        for node in ast.walk(module):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".")[0]
                        bound[head] = head
                    if alias.name in by_name and alias.name != name:
                        importers[alias.name].add(name)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base_parts = package.split(".") if package else []
                    if node.level > 1:
                        base_parts = base_parts[: max(0, len(base_parts) - (node.level - 1))]
                    base = ".".join(base_parts + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                for alias in node.names:
                    full = f"{base}.{alias.name}" if base else alias.name
                    if full in by_name:  # from package import module
                        bound[alias.asname or alias.name] = full
                        if full != name:
                            importers[full].add(name)
                    elif base in by_name and base != name:  # from module import something
                        importers[base].add(name)
                        reads.add((base, alias.name))
            elif isinstance(node, ast.Attribute) and (dotted := _dotted(node)) is not None:
                chains.append(dotted)
        for dotted in chains:
            head, _, rest = dotted.partition(".")
            if head in bound:
                target, _, attr = (bound[head] + "." + rest).rpartition(".")
                if target != name and target in by_name:
                    reads.add((target, attr))
        wanted[name] = reads
        del module
    users: dict[str, set[str]] = defaultdict(set)
    function_users: dict[tuple[str, str], set[str]] = defaultdict(set)
    for name, reads in wanted.items():
        for target, attr in reads:
            if attr in functions.get(target, ()):
                users[target].add(name)
                function_users[(target, attr)].add(name)
    helpers = {}
    for name, funcs in functions.items():
        ranked = sorted((-len(function_users[(name, f)]), f) for f, has_params in funcs.items()
                        if has_params and function_users[(name, f)])
        top_users, top = (-ranked[0][0], ranked[0][1]) if ranked else (0, "")
        helpers[by_name[name]] = Helper(by_name[name], name, len(importers[name]), len(users[name]), len(funcs),
                                        top, top_users)
    return helpers


def choose_helper(tree: str, min_importers: int = MIN_IMPORTERS) -> Helper | None:
    """The module (not an ``__init__.py``) whose top-level functions the most other modules use.

    Ties go to the most importers, then the smallest path.  None when no such module has at least
    ``min_importers`` importers and one function user.
    """
    candidates = [h for h in scan_imports(tree).values()
                  if not h.path.endswith("__init__.py") and h.functions and h.users and h.importers >= min_importers]
    if not candidates:
        return None
    return min(candidates, key=lambda h: (-h.users, -h.importers, h.path))


def edit_function_source(data: bytes, function: str) -> bytes:
    """``data`` with ``SINK_EDIT_LINES`` inserted near its top (as ``edit_source``) and a call passing the
    first parameter of its top-level ``function`` to it, as that function's first statement (after its
    docstring): ``function``'s summary changes (its parameter now reaches a shell command), and so may the
    summaries and findings of its callers."""
    module = ast.parse(data)
    node = next((n for n in module.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.name == function), None)
    if node is None or not (node.args.posonlyargs or node.args.args):
        raise ValueError(f"no top-level function {function} with a parameter")
    param = (node.args.posonlyargs or node.args.args)[0].arg
    first = node.body[0]
    docstring = (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                 and isinstance(first.value.value, str))
    if docstring and len(node.body) > 1:
        at, indent = first.end_lineno, node.body[1].col_offset
    elif docstring:
        at, indent = first.end_lineno, first.col_offset
    else:
        at, indent = first.lineno - 1, first.col_offset
    if first.lineno == node.lineno:  # ``def f(x): return x``: the body is on the def line
        raise ValueError(f"{function} has its body on its def line")
    lines = data.splitlines(keepends=True)
    newline = b"\r\n" if lines and lines[0].endswith(b"\r\n") else b"\n"
    if not lines[at - 1].endswith((b"\n", b"\r")):
        lines[at - 1] += newline
    call = b" " * indent + f"{EDIT_NAME}({param})".encode() + newline
    return edit_source(b"".join(lines[:at]) + call + b"".join(lines[at:]), SINK_EDIT_LINES)


def edit_source(data: bytes, edit_lines: tuple = EDIT_LINES) -> bytes:
    """``data`` (a module's source) with ``edit_lines`` inserted near its top, so every later line moves.

    They go after the module docstring and ``from __future__`` imports when there are any (nothing may
    precede those), else before the first statement (after leading comments, which keeps an encoding
    declaration on its line).  The result must parse, or ValueError.
    """
    module = ast.parse(data)
    lines = data.splitlines(keepends=True)
    newline = b"\r\n" if lines and lines[0].endswith(b"\r\n") else b"\n"
    prefix_end = 0  # the last line (1-based) of the docstring and __future__ imports
    for i, node in enumerate(module.body):
        docstring = (i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                     and isinstance(node.value.value, str))
        if docstring or (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            prefix_end = node.end_lineno
        else:
            break
    if prefix_end:
        at = prefix_end  # insert after this line
    elif module.body:
        first = module.body[0]
        at = min([first.lineno, *(d.lineno for d in getattr(first, "decorator_list", ()))]) - 1
    else:
        at = len(lines)
    if at > 0 and lines and not lines[at - 1].endswith((b"\n", b"\r")):
        lines[at - 1] += newline
    insert = b"".join(line.encode() + newline for line in edit_lines)
    edited = b"".join(lines[:at]) + insert + b"".join(lines[at:])
    try:
        ast.parse(edited)
    except SyntaxError as err:
        raise ValueError(f"the edit does not parse: {err}") from err
    return edited


class EditedFile:
    """``with EditedFile(path, edited):`` -- ``path`` holds ``edited`` (default: ``edit_source`` of its text);
    restored, bytes and access and modification times, afterwards."""

    def __init__(self, path: str, edited: bytes | None = None):
        self.path = path
        self.edited = edited
        self.original = b""
        self.times = (0, 0)

    def __enter__(self) -> None:
        with open(self.path, "rb") as f:
            self.original = f.read()
        st = os.stat(self.path)
        self.times = (st.st_atime_ns, st.st_mtime_ns)
        with open(self.path, "wb") as f:
            f.write(self.edited if self.edited is not None else edit_source(self.original))

    def __exit__(self, *exc) -> None:
        with open(self.path, "wb") as f:
            f.write(self.original)
        os.utime(self.path, ns=self.times)


def prepare_helper(tree: str, chosen: str | None, edited_out: str) -> Helper | None:
    """The helper (``chosen``, relative to ``tree``, or ``choose_helper``), its edited text written to ``edited_out``.

    Run in a child process (``--prepare-helper``): parsing the whole tree would raise this script's peak RSS,
    which the kernel counts into every tool's ``ru_maxrss``.
    """
    if chosen:
        path = os.path.normpath(chosen).replace(os.sep, "/")
        helper = scan_imports(tree).get(path)
        if helper is None:
            raise ValueError(f"--helper {chosen}: no Python module of the tree that parses")
    else:
        helper = choose_helper(tree)
    if helper is not None:
        with open(os.path.join(tree, helper.path), "rb") as f:
            original = f.read()
        with open(edited_out, "wb") as f:
            f.write(edit_source(original))
        if helper.top_function:
            with open(edited_out + ".function", "wb") as f:
                f.write(edit_function_source(original, helper.top_function))
    return helper


def prepare_helper_in_child(tree: str, chosen: str | None, edited_out: str) -> Helper | None:
    argv = [sys.executable, ENTRY, "--prepare-helper", tree, edited_out]
    argv += ["--helper", chosen] if chosen else []
    out = subprocess.run(argv, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        fail(f"choosing the helper module failed: {out.stderr.strip()[-2000:]}")
    found = json.loads(out.stdout)
    return Helper(**found) if found else None
