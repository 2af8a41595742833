"""Which names each scope binds, and how: the facts name resolution needs.

One pass over a function's own statements (not into nested functions or
classes) records every binding, so that lowering can tell an import alias from
a local variable that shadows it.
"""

from __future__ import annotations

import ast
from bisect import bisect_left
from dataclasses import dataclass, field


@dataclass(slots=True)
class Scope:
    kind: str  # module, function, class
    qualname: str
    parent: Scope | None
    bound: set = field(default_factory=set)
    imports: dict = field(default_factory=dict)  # name -> qualname, or None when imported twice differently
    # names bound so far only by imports that are statements of the scope's own body (not in a branch, a loop
    # or a ``try``): they run in order, so the name is what the last of them imported
    in_order: set = field(default_factory=set)
    other_bindings: set = field(default_factory=set)  # bound by anything but an import
    defs: dict = field(default_factory=dict)  # name -> qualname of a def/class bound here
    globals_: set = field(default_factory=set)
    nonlocals: set = field(default_factory=set)

    def import_target(self, name: str) -> str | None:
        """The qualified name ``name`` stands for when it is bound only by imports."""
        if name in self.imports and name not in self.other_bindings and name not in self.defs:
            return self.imports[name]
        return None

    def def_target(self, name: str) -> str | None:
        """The definition ``name`` stands for when it is bound only by one def/class."""
        if name in self.defs and name not in self.other_bindings and name not in self.imports:
            return self.defs[name]
        return None


def resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    """``from ..x import y`` inside ``module`` -> the absolute module ``x`` names."""
    if level == 0:
        return target or ""
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    if target:
        parts.append(target)
    return ".".join(parts)


def import_bindings(node, module: str, is_package: bool, resolve=None) -> list:
    """``(name bound, qualnames)`` of each name an ``import`` or ``from ... import`` statement
    binds (``*`` binds none here). ``qualnames`` is what the name may stand for, the first kept
    as its qualname: ``resolve`` (a module name as written -> the reviewed modules it may be, as
    Python would find them from this file; empty when none) makes a script's ``import users``
    the sibling ``app.users``, and every candidate when several files could be it."""
    out = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                out.append((alias.asname, _resolved(resolve, alias.name)))
                continue
            top, _, rest = alias.name.partition(".")
            if resolve is None or not rest:
                out.append((top, _resolved(resolve, top)))
                continue
            tail = "." + rest
            tops = tuple(dict.fromkeys(c[: -len(tail)] for c in resolve(alias.name) if c.endswith(tail)))
            out.append((top, tops or _resolved(resolve, top)))
        return out
    base = resolve_relative(module, is_package, node.level or 0, node.module)
    for alias in node.names:
        if alias.name == "*":
            continue
        name = alias.asname or alias.name
        if not base:
            out.append((name, _resolved(resolve, alias.name)))
        elif node.level:
            out.append((name, (f"{base}.{alias.name}",)))
        elif resolve is None:
            out.append((name, (renamed(f"{base}.{alias.name}"),)))
        else:
            found = tuple(resolve(f"{base}.{alias.name}")) or tuple(f"{b}.{alias.name}" for b in resolve(base))
            out.append((name, found or (renamed(f"{base}.{alias.name}"),)))
    return out


def _resolved(resolve, dotted: str) -> tuple:
    return (tuple(resolve(dotted)) or (renamed(dotted),)) if resolve is not None else (renamed(dotted),)


def renamed(dotted: str) -> str:
    """The name a library module has now, for one imported under the name it had before a rename
    of its package: the oslo libraries were namespace packages until 2015 (``from oslo.config import
    cfg``, ``from oslo import messaging``) and are ``oslo_config``, ``oslo_messaging``... since, so
    that the models written for today's names apply to older code too. Also ``six.moves``' names
    (``six.moves.urllib.parse.unquote``, ``six.moves.cPickle``): the Python 3 modules they stand for."""
    if dotted.startswith("oslo.") and len(dotted) > 5:
        return "oslo_" + dotted[5:]
    if dotted.startswith("six.moves."):
        return six_moved(dotted)
    return dotted


# six.moves' names -> what they are on Python 3 (six's documentation, "Supported renames")
_SIX_MOVES = {
    "builtins": "builtins", "cPickle": "pickle", "configparser": "configparser", "copyreg": "copyreg",
    "filter": "builtins.filter", "filterfalse": "itertools.filterfalse", "getcwd": "os.getcwd",
    "getcwdb": "os.getcwdb", "getoutput": "subprocess.getoutput", "http_cookiejar": "http.cookiejar",
    "http_cookies": "http.cookies", "html_entities": "html.entities", "html_parser": "html.parser",
    "http_client": "http.client", "BaseHTTPServer": "http.server", "CGIHTTPServer": "http.server",
    "SimpleHTTPServer": "http.server", "input": "builtins.input", "intern": "sys.intern", "map": "builtins.map",
    "queue": "queue", "range": "builtins.range", "reduce": "functools.reduce", "reload_module": "importlib.reload",
    "reprlib": "reprlib", "shlex_quote": "shlex.quote", "socketserver": "socketserver", "_thread": "_thread",
    "urllib": "urllib", "urllib_parse": "urllib.parse", "urllib_error": "urllib.error",
    "urllib_request": "urllib.request", "urllib_response": "urllib.response",
    "urllib_robotparser": "urllib.robotparser", "xmlrpc_client": "xmlrpc.client", "xmlrpc_server": "xmlrpc.server",
    "xrange": "builtins.range", "zip": "builtins.zip", "zip_longest": "itertools.zip_longest",
    "StringIO": "io.StringIO", "cStringIO": "io.StringIO", "UserDict": "collections.UserDict",
    "UserList": "collections.UserList", "UserString": "collections.UserString",
}


def six_moved(dotted: str) -> str:
    """``six.moves.X.rest`` -> the Python 3 name of ``X``, then ``rest`` (unchanged when ``X`` is not one of
    six's renames)."""
    head, _, rest = dotted[len("six.moves."):].partition(".")
    target = _SIX_MOVES.get(head)
    if target is None:
        return dotted
    return f"{target}.{rest}" if rest else target


def _target_names(target, out: list) -> None:
    if type(target) is ast.Name or isinstance(target, ast.Name):
        out.append(target.id)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            _target_names(elt, out)
    elif isinstance(target, ast.Starred):
        _target_names(target.value, out)


class _Bindings:
    """Records a scope's bindings by walking its statements (not its expressions,
    which bind nothing but walrus targets, nor nested scopes)."""

    def __init__(self, scope: Scope, module: str, is_package: bool, resolve=None):
        self.scope = scope
        self.module = module
        self.is_package = is_package
        self.resolve = resolve
        self.fallbacks: set = set()  # imports in an ``except ImportError:`` that only stand in for the try's

    def bind(self, name: str) -> None:
        self.scope.bound.add(name)
        self.scope.other_bindings.add(name)

    def bind_def(self, name: str) -> None:
        scope = self.scope
        scope.bound.add(name)
        if name in scope.defs or name in scope.other_bindings:
            scope.other_bindings.add(name)
        scope.defs[name] = f"{scope.qualname}.{name}" if scope.qualname else name

    def _import(self, name: str, qualname: str, in_order: bool = False) -> None:
        scope = self.scope
        scope.bound.add(name)
        if name not in scope.imports and name not in scope.other_bindings and name not in scope.defs:
            scope.imports[name] = qualname
            if in_order:
                scope.in_order.add(name)
            return
        if in_order and name in scope.in_order:
            # ``from flask import abort`` then ``from flask_restful import abort``: after both, the second
            scope.imports[name] = qualname
            return
        scope.in_order.discard(name)
        previous = scope.imports.get(name, qualname)
        scope.imports[name] = qualname if previous == qualname else None
        if previous != qualname:
            scope.other_bindings.add(name)

    def walk(self, body: list, walrus: bool | tuple) -> None:
        own = {id(node) for node in body}  # the scope's own statements, run in order
        stack = list(reversed(body))
        names: list = []
        while stack:
            node = stack.pop()
            t = type(node)
            if t in _PLAIN:  # the most common statements: they bind nothing and hold no statements
                if walrus and _may_hold_walrus(node, walrus):
                    for sub in ast.walk(node):
                        if isinstance(sub, ast.NamedExpr) and isinstance(sub.target, ast.Name):
                            names.append(sub.target.id)
                continue
            if t is ast.Assign:
                for target in node.targets:
                    _target_names(target, names)
            elif t is ast.AugAssign or t is ast.AnnAssign:
                _target_names(node.target, names)
            elif t is ast.FunctionDef or t is ast.AsyncFunctionDef or t is ast.ClassDef:
                self.bind_def(node.name)
                continue
            elif t is ast.For or t is ast.AsyncFor:
                _target_names(node.target, names)
            elif t is ast.With or t is ast.AsyncWith:
                for item in node.items:
                    if item.optional_vars is not None:
                        _target_names(item.optional_vars, names)
            elif t is ast.Import or t is ast.ImportFrom:
                fallback = node in self.fallbacks
                for name, quals in import_bindings(node, self.module, self.is_package, self.resolve):
                    if fallback and name in self.scope.imports:
                        self.scope.bound.add(name)  # the try's import stands: see _import_fallbacks
                    else:
                        self._import(name, quals[0], id(node) in own)
                continue
            elif t is ast.Global:
                self.scope.globals_.update(node.names)
                continue
            elif t is ast.Nonlocal:
                self.scope.nonlocals.update(node.names)
                continue
            elif t is ast.Delete:
                for target in node.targets:
                    _target_names(target, names)
            elif t is ast.Try or t.__name__ == "TryStar":
                self.fallbacks.update(_import_fallbacks(node))
                for handler in node.handlers:
                    if handler.name:
                        names.append(handler.name)
                    stack.extend(reversed(handler.body))
            elif t is ast.Match:
                for case in node.cases:
                    for sub in ast.walk(case.pattern):
                        name = getattr(sub, "name", None) or getattr(sub, "rest", None)
                        if isinstance(name, str):
                            names.append(name)
                    stack.extend(reversed(case.body))
            elif t.__name__ == "TypeAlias":
                _target_names(node.name, names)
            attrs = _BLOCK_FIELDS.get(t)
            if attrs is None:
                fields = getattr(t, "_fields", ("body", "orelse", "finalbody"))
                attrs = _BLOCK_FIELDS[t] = tuple(a for a in ("body", "orelse", "finalbody") if a in fields)
            for attr in attrs:
                sub = getattr(node, attr, None)
                if sub and isinstance(sub, list):
                    stack.extend(reversed(sub))
            if walrus and _may_hold_walrus(node, walrus):
                for sub in ast.walk(node) if t not in _COMPOUND else _header_exprs(node):
                    if isinstance(sub, ast.NamedExpr) and isinstance(sub.target, ast.Name):
                        names.append(sub.target.id)
        for name in names:
            self.bind(name)


def walrus_lines(text: str):
    """What ``collect_bindings`` takes as ``walrus`` for a module's ``text``: False when no line holds
    ``:=`` (no expression can bind a name), else the numbers of the lines that do, in order (a
    statement none of whose lines is one holds no walrus: ``:=`` is one token, on one line), or True
    (every statement may) when the text has a line break other than ``\n`` and ``\r\n``, which the
    parser counts and a split on ``\n`` would not."""
    if ":=" not in text:
        return False
    if "\r" in text.replace("\r\n", "\n"):
        return True
    return tuple(n for n, line in enumerate(text.split("\n"), 1) if ":=" in line)


def _may_hold_walrus(node, walrus) -> bool:
    """Whether statement ``node`` may hold a walrus, by its lines (``walrus_lines``)."""
    if walrus is True:
        return True
    first, last = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    if first is None or last is None:
        return True
    i = bisect_left(walrus, first)
    return i < len(walrus) and walrus[i] <= last


_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


def _import_fallbacks(node) -> list:
    """The imports of ``except ImportError:`` handlers that rebind only names the ``try`` body imported
    (``try: from django.utils.http import url_has_allowed_host_and_scheme`` / ``except ImportError:
    from django.utils.http import is_safe_url as url_has_allowed_host_and_scheme``). Python binds the
    try's import wherever it exists, so that is what the name stands for; the handler's is a stand-in for
    older versions (the data flow still sees both bindings)."""
    primary = set()
    for stmt in node.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            primary.update(alias.asname or alias.name.partition(".")[0] for alias in stmt.names)
    if not primary:
        return []
    out = []
    for handler in node.handlers:
        caught = handler.type
        types = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        if not any(isinstance(t, ast.Name) and t.id in _IMPORT_ERRORS for t in types):
            continue
        for stmt in handler.body:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)) and \
                    all((alias.asname or alias.name.partition(".")[0]) in primary for alias in stmt.names):
                out.append(stmt)
    return out


_PLAIN = frozenset({ast.Expr, ast.Return, ast.Raise, ast.Pass, ast.Assert, ast.Break, ast.Continue})
"""Statements that bind no name (but a walrus inside them) and hold no statements."""

_BLOCK_FIELDS: dict = {}
"""Statement type -> which of ``body``, ``orelse``, ``finalbody`` its fields have."""

_COMPOUND = {ast.If, ast.While, ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.Try, ast.Match}
if hasattr(ast, "TryStar"):
    _COMPOUND.add(ast.TryStar)


def _header_exprs(node):
    """Walk only the expressions of a compound statement's header (its body is walked separately)."""
    for attr in ("test", "iter", "subject"):
        expr = getattr(node, attr, None)
        if expr is not None:
            yield from ast.walk(expr)
    for item in getattr(node, "items", ()) or ():
        yield from ast.walk(item.context_expr)


def collect_bindings(body: list, scope: Scope, module: str, is_package: bool, walrus: bool | tuple = True,
                     resolve=None) -> Scope:
    """``walrus``: whether expressions may bind names (``:=``), or on which lines (``walrus_lines``)."""
    _Bindings(scope, module, is_package, resolve).walk(body, walrus)
    return scope


def collect_parameters(args: ast.arguments, scope: Scope) -> None:
    for a in args.posonlyargs + args.args + args.kwonlyargs:
        scope.bound.add(a.arg)
        scope.other_bindings.add(a.arg)
    for a in (args.vararg, args.kwarg):
        if a is not None:
            scope.bound.add(a.arg)
            scope.other_bindings.add(a.arg)
