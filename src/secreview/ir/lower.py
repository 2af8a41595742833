"""Lowering: a Python ``ast.Module`` becomes the IR of ``secreview.ir.nodes``.

One walk per function builds its control-flow graph and resolves every name
against the scopes collected by ``secreview.ir.scopes``.
"""

from __future__ import annotations

import ast
import builtins
import re
import sys

from secreview.ir import nodes as ir
from secreview.ir.scopes import (
    Scope,
    collect_bindings,
    collect_parameters,
    import_bindings,
    six_moved,
    walrus_lines,
)
from secreview.ir.statements import calls as calls_of
from secreview.ir.statements import target_names

_BUILTINS = frozenset(dir(builtins))

_BINOPS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
    ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^",
    ast.BitAnd: "&", ast.MatMult: "@",
}
_UNARY = {ast.Not: "not", ast.USub: "-", ast.UAdd: "+", ast.Invert: "~"}
_CMP = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}


_intern = sys.intern
"""Qualified names and short string constants, each one object for every module lowered in this
process: the parser and each ``f"{a}.{b}"`` make a new one for every use (a quarter of the IR's
strings are distinct on neutron)."""

class LoweringTables:
    """What the modules lowered for one review share, so that the IR holds one object where the
    parser made many: each line number as one int object (the parser makes a new one for every
    node and position above 256, CPython's small ints, which the IR would keep: about a tenth of
    it), each edge without a condition, by ``(target block, kind)`` (most are ``next`` or
    ``exception`` edges to one of a function's first blocks, the same in every function; the IR
    never changes an edge, and an edge's condition makes it its own), and each tuple of such edges
    a block leaves by (``_shared_succs``). Made for a review (or a worker's share of one) and
    dropped with it: nothing of one review outlives it in the process, however many run there."""

    __slots__ = ("lines", "edges", "succs")

    def __init__(self):
        self.lines: dict = {}
        self.edges: dict = {}
        self.succs: dict = {}


def _line(number, lines: dict):
    """``number`` as the one int object of ``lines`` (``LoweringTables.lines``: a function's, class's
    or parameter's line)."""
    return lines.setdefault(number, number) if number else number


def _pos(node: ir.Node, src: ast.AST, lines: dict) -> ir.Node:
    # ``expr``, ``e_Attribute`` and ``e_Call`` repeat its first branch inline: they lower most
    # of a tree's nodes, and the call measured slower (see the commit that reverted using it there).
    try:  # the node's attribute dict first: twice as fast as attribute access
        fields = src.__dict__
        line = fields["lineno"]
        col = fields["col_offset"]
        end_line = fields["end_lineno"]
        end_col = fields["end_col_offset"]
    except (KeyError, AttributeError):
        pass
    else:
        node.line = line = lines.setdefault(line, line)
        node.col = col
        node.end_line = lines.setdefault(end_line, end_line) if end_line else line
        node.end_col = end_col or col
        return node
    try:
        line = node.line = src.lineno
        col = node.col = src.col_offset
        node.end_line = src.end_lineno or line
        node.end_col = src.end_col_offset or col
    except AttributeError:  # nodes without positions (patterns, synthetic nodes)
        node.line = getattr(src, "lineno", 0)
        node.col = getattr(src, "col_offset", 0)
        node.end_line = getattr(src, "end_lineno", None) or node.line
        node.end_col = getattr(src, "end_col_offset", None) or node.col
    return node


def lower_module(tree: ast.Module, *, module: str, path: str, text: str, is_package: bool = False,
                 resolve=None, tables: LoweringTables | None = None) -> ir.Module:
    """``resolve``: a module name as an absolute import writes it -> the reviewed modules it may
    be from this file (``ImportResolver.for_file``); None keeps names as written. ``tables``: what
    the modules lowered for one review share (``LoweringTables``; None: this module's own)."""
    if tables is None:
        tables = LoweringTables()
    walrus = walrus_lines(text)  # only then can expressions bind names, and only in statements on those lines
    scope = collect_bindings(tree.body, Scope("module", module, None), module, is_package, walrus, resolve)
    body = ir.Function(name="<module>", qualname=module or "<module>", line=1, end_line=max(1, text.count("\n") + 1))
    mod = ir.Module(name=module, path=path, text=text, body=body)
    mod.resolve = resolve
    mod.imports = {n: q for n, q in scope.imports.items() if q is not None and scope.import_target(n)}
    lowerer = _FunctionLowerer(mod, scope, body, module, is_package)
    lowerer.walrus = walrus
    lowerer.tables = tables
    lowerer.lines = tables.lines
    lowerer.lower_body(tree.body)
    _freeze_blocks(body, tables)
    body.names = frozenset(lowerer.names)
    mod.functions[body.qualname] = body
    mod.literal_aliases = _literal_aliases(body)
    return mod


_LITERAL = frozenset({"typing.Literal", "typing_extensions.Literal"})


def _literal_aliases(body: ir.Function) -> dict:
    """``{name: annotation}`` of the module body's ``NAME = Literal["a", "b"]`` (or ``NAME: TypeAlias = ...``)."""
    found = {}
    for stmt in body.statements():
        if type(stmt) is ir.Assign and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.NameTarget) \
                and isinstance(stmt.value, ir.Subscript) \
                and getattr(stmt.value.value, "qualname", None) in _LITERAL:
            found[stmt.targets[0].id] = stmt.value
    return found


def _decorator_parts(node):
    """(the first parameter's name, the nested function definitions) of a function that may be a
    decorator (``def handle_errors(func): def wrapper(...): ...``); None without either."""
    params = node.args.posonlyargs + node.args.args
    if not params:
        return None
    inners = [s for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return (params[0].arg, inners) if inners else None


def _forwards_to(fn: ir.Function) -> str | None:
    """``def task(f): ...; return invoke.task(f)`` (or ``return app.route(rule)(f)``): the qualified name of the
    decorator ``fn`` hands its first parameter to in its only ``return``, when that decorator is imported."""
    returns = [stmt for stmt in fn.statements() if type(stmt) is ir.Return]
    if len(returns) != 1 or not isinstance(returns[0].value, ir.Call):
        return None
    call = returns[0].value
    first = fn.params[0].name
    if len(call.args) != 1 or not isinstance(call.args[0], ir.Name) or call.args[0].id != first:
        return None
    func = call.func.func if isinstance(call.func, ir.Call) else call.func
    if not isinstance(func, (ir.Name, ir.Attr)) or not func.qualname:
        return None
    if isinstance(func, ir.Name) and func.kind != ir.NameKind.IMPORT:
        return None
    return func.qualname


def _wraps_in_handler(wrapped: str, inners: list) -> bool:
    """``def handle_errors(func): def wrapper(*a, **kw): try: return func(*a, **kw) except Exception: ...``:
    a decorator whose nested function calls the decorated one (its first parameter, ``wrapped``) inside a
    ``try`` with a handler for every ``Exception`` (bare, ``Exception`` or ``BaseException``, alone or in a
    tuple) that does not raise again (``_guarded_calls``)."""
    return any(isinstance(c.func, ast.Name) and c.func.id == wrapped
               for inner in inners for c in _guarded_calls(inner))


def _returns_handler_wrapper(node, fn: ir.Function) -> bool:
    """A decorator factory (``def exception_handler(): def decorator(f): ...; return decorator``) that returns
    one of its nested functions that wraps what it decorates in a handler (``_wraps_in_handler``): what
    ``@exception_handler()`` applies."""
    returned = {s.value.id for s in node.body if isinstance(s, ast.Return) and isinstance(s.value, ast.Name)}
    return any(c.wraps_in_handler and c.name in returned for c in fn.children)


_DATA_RESPONSES = frozenset({"jsonify", "JsonResponse", "JSONResponse", "json_response", "ORJSONResponse",
                             "UJSONResponse", "PlainTextResponse"})
"""Calls whose result sends their argument as JSON or plain text, whatever it holds."""
_TYPE_KEYWORDS = frozenset({"mimetype", "content_type", "media_type"})


def _as_data(call: ast.Call) -> bool:
    """``jsonify(x)``, ``JsonResponse(x)``, ``Response(x, mimetype="text/plain")``: ``x`` is not sent as HTML."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name in _DATA_RESPONSES:
        return True
    typed = [k.value for k in call.keywords if k.arg in _TYPE_KEYWORDS]
    return bool(typed) and all(isinstance(v, ast.Constant) and isinstance(v.value, str)
                               and not any(w in v.value.lower() for w in ("html", "xml", "svg")) for v in typed)


_MASK_TEXT = re.compile(r"\*{3,}|(?i:<?(redacted|hidden|masked|sanitized)>?)\Z")


def _does_nothing(fn: ir.Function) -> bool:
    """``fn`` (lowered) does nothing but, at most, raise ``NotImplementedError``: every statement is ``pass``,
    a constant (a docstring, ``...``), ``return``/``return None``, or ``raise NotImplementedError(...)``."""
    for stmt in fn.statements():
        t = type(stmt)
        if t is ir.Pass or (t is ir.Evaluate and type(stmt.value) is ir.Const):
            continue
        if t is ir.Return and (stmt.value is None or (type(stmt.value) is ir.Const and stmt.value.value is None)):
            continue
        if t is ir.Raise and stmt.exc is not None:
            exc = stmt.exc.func if type(stmt.exc) is ir.Call else stmt.exc
            if type(exc) is ir.Name and exc.id == "NotImplementedError":
                continue
        return False
    return True


def _returns_mask(fn: ir.Function, depth: int = 0) -> bool:
    """``fn`` (lowered) returns, on some way out, a mask: a constant that starts with three or more ``*``
    (``'********'``, ``'****' + last4``), or that is ``redacted``/``hidden``/``masked``/``sanitized``
    (in any case, in ``<>`` or not), in the returned expression or in a lambda's (``list(map(lambda _:
    '********', value))``)."""
    for block in fn.blocks:
        for stmt in block.stmts:
            if type(stmt) is not ir.Return or stmt.value is None:
                continue
            for e in ir.walk(stmt.value):
                if type(e) is ir.Const and isinstance(e.value, str) and _MASK_TEXT.match(e.value):
                    return True
                if type(e) is ir.Lambda and depth == 0 and _returns_mask(e.function, 1):
                    return True
    return False


_GUARD_RAISES = re.compile(r"(?i)^_?(validate|check|ensure|assert|verify|guard)_(safe_|public_|external_|outbound_|"
                           r"remote_)?(url|uri|host|hostname|target|endpoint|address)s?$")
_GUARD_TESTS = re.compile(r"(?i)^_?is_(safe|public|external|allowed)_(url|uri|host|hostname|target|endpoint|address)$")
_ADDRESS_CLASSES = (".is_private", ".is_global", ".is_loopback", ".is_link_local", ".is_reserved")


def _address_guard(name: str, text: str | None) -> str:
    """``Function.address_guard`` of a function named ``name`` in a module of text ``text``."""
    kind = "raises" if _GUARD_RAISES.match(name) else "tests" if _GUARD_TESTS.match(name) else ""
    if kind and text is not None and any(word in text for word in _ADDRESS_CLASSES):
        return kind
    return ""


def _decorator_fills(fn: ir.Function) -> tuple:
    """``Function.fills`` of ``fn`` (lowered, its nested functions too)."""
    nested = [fn]
    for inner in nested:  # the decorator, and the functions it defines (a factory's decorator, its wrapper)
        nested.extend(c for c in inner.children if c.parent is inner)
    wrapped = {p.name for inner in nested for p in inner.params if p.kind == "positional"}
    found: set = set()
    for inner in nested:
        made = None
        for call in calls_of(inner):
            if not (type(call.func) is ir.Name and call.func.id in wrapped):
                continue
            found.update((k.name, None) for k in call.keywords if k.name)
            for index, arg in enumerate(call.args):
                if type(arg) is ir.Starred:
                    break
                if type(arg) is ir.Name:
                    if made is None:
                        made = _made_by_one_call(inner)
                    if arg.id in made:
                        found.add((index, made[arg.id]))
    return tuple(sorted(found, key=repr)) if found else ()


def _made_by_one_call(fn: ir.Function) -> dict:
    """``{local: callee}`` for the locals of ``fn`` (not its parameters) that every assignment gives the result
    of a call of one callee (awaited or not); callee None when not resolved."""
    found: dict = {}
    for stmt in fn.statements():
        if type(stmt) is not ir.Assign:
            continue
        value = stmt.value.value if type(stmt.value) is ir.Await else stmt.value
        callee = value.qualname if type(value) is ir.Call and stmt.op is None else False
        for target in stmt.targets:
            # a name bound by unpacking (``row, created = ...``) holds a part of the result, not the result
            given = callee if type(target) is ir.NameTarget else False
            for name in target_names(target):
                before = found.get(name, given)
                found[name] = given if before == given else False
    params = {p.name for p in fn.params}
    return {n: c for n, c in found.items() if c is not False and n not in params}


def _wraps_as_data(wrapped: str, inners: list) -> bool:
    """``def jsonified(f): def wrapper(*a, **kw): return jsonify(f(*a, **kw))``: a decorator whose nested
    function returns what the decorated one (its first parameter, ``wrapped``) returns only through
    ``_as_data`` calls (directly, or through a local bound to the call's result), never as it is."""
    def calls_wrapped(e) -> bool:
        return isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == wrapped

    for inner in inners:
        results = {t.id for a in ast.walk(inner) if isinstance(a, ast.Assign) and calls_wrapped(
            a.value.value if isinstance(a.value, ast.Await) else a.value) for t in a.targets if isinstance(t, ast.Name)}

        def is_result(e, results=results) -> bool:
            e = e.value if isinstance(e, ast.Await) else e
            return calls_wrapped(e) or (isinstance(e, ast.Name) and e.id in results)

        returns = [r.value for r in ast.walk(inner) if isinstance(r, ast.Return) and r.value is not None]
        if any(is_result(r) for r in returns):
            return False  # the result is also returned as it is
        if any(isinstance(r, ast.Call) and _as_data(r) and any(is_result(a) for a in r.args)
               for r in returns):
            return True
    return False


def _guarded_calls(method) -> list:
    """The calls made in the body of a ``try`` anywhere in ``method`` (functions nested in it included) that
    has a handler for every ``Exception`` that does not raise again: a handler that raises again, after
    logging, handles nothing."""
    out = []
    for t in ast.walk(method):
        if isinstance(t, ast.Try) and _catches_all([h for h in t.handlers if not _raises_again(h.body)]):
            out.extend(c for stmt in t.body for c in ast.walk(stmt) if isinstance(c, ast.Call))
    return out


# (the classes whose test lets a ``ValueError`` or ``TypeError`` through to a ``raise``)
_RAISED_AGAIN = frozenset({"Exception", "BaseException", "ValueError", "TypeError", "StandardError"})


def _raises_again(body: list) -> bool:
    """A ``raise`` in ``body`` (a handler's), unless it is under ``if isinstance(e, C):`` for classes ``C``
    none of which is an error a conversion raises or a base of one: ``if isinstance(e, HTTPException):
    raise`` sends the framework's own answers on and handles every other error."""
    for stmt in body:
        if isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Call) and isinstance(stmt.test.func, ast.Name) \
                and stmt.test.func.id == "isinstance" and len(stmt.test.args) == 2:
            classes = stmt.test.args[1].elts if isinstance(stmt.test.args[1], ast.Tuple) else [stmt.test.args[1]]
            names = [c.attr if isinstance(c, ast.Attribute) else c.id if isinstance(c, ast.Name) else None
                     for c in classes]
            if all(n is not None and n not in _RAISED_AGAIN for n in names):
                if _raises_again(stmt.orelse):
                    return True
                continue
        if any(isinstance(r, ast.Raise) for r in ast.walk(stmt)):
            return True
    return False


_VALIDATOR_DECORATORS = frozenset({"field_validator", "validator"})


def _field_validators(node: ast.ClassDef) -> tuple:
    """``(field, method)`` of each method of the class decorated ``@field_validator("a", "b")`` or
    ``@validator("a")`` (pydantic, as ``pydantic.field_validator`` or by the imported name), in order: it runs on
    every value given for those fields (``mode="before"`` and ``pre=True`` too), and an instance exists only
    once it returned."""
    out = []
    for stmt in node.body:
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for d in stmt.decorator_list:
            func = d.func if isinstance(d, ast.Call) else None
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            if name in _VALIDATOR_DECORATORS:
                out.extend((a.value, stmt.name) for a in d.args
                           if isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value != "*")
    return tuple(out)


def _chosen(e, me: str) -> bool:
    """``getattr(self, <not a constant>)``, ``self`` named ``me``: a method chosen at run time."""
    return isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "getattr" \
        and len(e.args) >= 2 and isinstance(e.args[0], ast.Name) and e.args[0].id == me \
        and not isinstance(e.args[1], ast.Constant)


def _dynamic(e, me: str, aliases: set) -> bool:
    """``_chosen``, or a variable assigned one (``method = getattr(self, route)``)."""
    return _chosen(e, me) or (isinstance(e, ast.Name) and e.id in aliases)


def _annotated_class(annotation) -> str | None:
    """The class an annotation names: ``X``, ``mod.X``, ``Optional[X]``, ``X | None``; None for anything else."""
    if isinstance(annotation, ir.BinOp) and annotation.op == "|":
        parts = [p for p in (annotation.left, annotation.right) if not (isinstance(p, ir.Const) and p.value is None)]
        return _annotated_class(parts[0]) if len(parts) == 1 else None
    if isinstance(annotation, ir.Subscript) and getattr(annotation.value, "qualname", None) in (
            "typing.Optional", "typing_extensions.Optional"):
        return _annotated_class(annotation.index)
    if isinstance(annotation, (ir.Name, ir.Attr)):
        return annotation.qualname
    return None


def _dispatches(node: ast.ClassDef, lowered: dict) -> tuple:
    """``ir.Class.dispatches`` of a class: the methods that call a method of ``self`` inside a ``try``
    that catches every exception and does not raise again, with the method called (``"*"`` for one
    chosen at run time): ``try: return getattr(self, name)(**kwargs) except Exception: return
    self.error_page()``; ``method = getattr(self, route)`` then ``self.call(method)``, where ``call``
    runs its parameter in such a ``try``; ``try: return self.handle(request) except Exception: ...``.
    ``lowered``: the class's methods as lowered (name -> ``ir.Function``), whose handlers and names
    say which methods to read at all (most have no such ``try`` and no ``getattr``)."""
    methods = {}  # name -> (its definition, its first parameter's name: ``self``)
    for m in node.body:
        fn = lowered.get(m.name) if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        params = m.args.posonlyargs + m.args.args if fn is not None else ()
        if params and not any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in m.decorator_list):
            methods[m.name] = (m, params[0].arg, fn)
    guarded = {name: _guarded_calls(m) for name, (m, _, fn) in methods.items()
               if any(not h.types or any(getattr(t, "qualname", None) in _CATCH_ALL for t in h.types)
                      for h in fn.handlers)}
    if not any(guarded.values()):
        return ()
    runs = {}  # method -> its parameters it calls in such a try: name -> position after ``self``
    for name, calls in guarded.items():
        called = {c.func.id for c in calls if isinstance(c.func, ast.Name)}
        params = methods[name][0].args.posonlyargs + methods[name][0].args.args
        runs[name] = {p.arg: i for i, p in enumerate(params[1:]) if p.arg in called}
    out = []
    for name, (m, me, fn) in methods.items():
        aliases = {t.id for a in ast.walk(m) if isinstance(a, ast.Assign) and _chosen(a.value, me)
                   for t in a.targets if isinstance(t, ast.Name)} if "getattr" in fn.names else set()
        found = set()
        for c in guarded.get(name, ()):
            if _dynamic(c.func, me, aliases):
                found.add("*")
            elif isinstance(c.func, ast.Attribute) and isinstance(c.func.value, ast.Name) and c.func.value.id == me:
                found.add(c.func.attr)
        if "getattr" in fn.names and any(runs.values()):
            for c in (c for c in ast.walk(m) if isinstance(c, ast.Call)):
                f = c.func
                if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == me
                        and runs.get(f.attr)):
                    continue
                passed = [i for i, a in enumerate(c.args) if _dynamic(a, me, aliases)] \
                    + [k.arg for k in c.keywords if _dynamic(k.value, me, aliases)]
                if any(p in runs[f.attr].values() or p in runs[f.attr] for p in passed):
                    found.add("*")
                    out.append((f.attr, "*"))
        out.extend((name, target) for target in sorted(found))
    return tuple(sorted(set(out)))


_CATCH_ALL = frozenset({"builtins.Exception", "builtins.BaseException"})


def _shared_succs(succs: list, tables: LoweringTables) -> tuple:
    if not succs:
        return ()
    out = []
    plain = True
    edges = tables.edges
    for edge in succs:
        if edge.cond is None:
            edge = edges.setdefault((edge.target, edge.kind), edge)
        else:
            plain = False
        out.append(edge)
    shared = tuple(out)
    return tables.succs.setdefault(shared, shared) if plain else shared


def _freeze_blocks(fn: ir.Function, tables: LoweringTables) -> None:
    """A function lowered: its blocks, their statements and edges, its parameters, handlers and
    nested functions as tuples, no longer lists grown by appends (a tuple is half the size of a
    short list and its spare room); nothing changes them after lowering. Edges without a
    condition, and the tuples of them, are shared (``LoweringTables``)."""
    for block in fn.blocks:
        block.stmts = tuple(block.stmts) if block.stmts else ()
        block.succs = _shared_succs(block.succs, tables)
    fn.blocks = tuple(fn.blocks) if fn.blocks else ()
    fn.params = tuple(fn.params) if fn.params else ()
    fn.handlers = tuple(fn.handlers) if fn.handlers else ()
    fn.children = tuple(fn.children) if fn.children else ()


class _Loop:
    __slots__ = ("head", "exit")

    def __init__(self, head: int, exit: int):
        self.head, self.exit = head, exit


# Calls that never return: they raise the HTTP error the client is answered with. A statement calling
# one is lowered as ``raise`` of the call, so no analysis sees the code after it run on that path
# (``if not re.fullmatch(PATTERN, v): abort(400)``, then ``v`` is known to match).
RAISING_CALLS = frozenset({
    "flask.abort", "flask.helpers.abort", "werkzeug.exceptions.abort", "werkzeug.abort", "quart.abort",
    "flask_restful.abort", "flask_restx.abort", "flask_smorest.abort", "bottle.abort", "pecan.abort",
    "sanic.exceptions.abort",
})


# Blocks a function's copies of finally bodies may add in all: nesting a try/finally in a finally
# body multiplies the copies (up to five per level), so hostile nesting would otherwise grow
# exponentially; real functions stay far below it.
MAX_FINALLY_COPIES = 2000


class _Finally:
    """A ``try`` with a ``finally`` whose body, handlers or ``else`` are being lowered.

    Every way out of them runs the ``finally`` body first: falling through (the copy of
    the body lowered in place), and the pending exits in ``exits`` (``"raise"``,
    ``"return"``, ``"break"``, ``"continue"``), each an entry block that receives its own
    copy of the body once it is lowered, ending where that exit goes next."""

    __slots__ = ("loops", "outer", "exits")

    def __init__(self, loops: int, outer: list | None):
        self.loops = loops  # loops enclosing the try: a break or continue passes it only inside as many
        self.outer = outer  # exception targets outside the try: where a pending exception goes next
        self.exits: dict = {}  # pending exit -> entry block of its copy of the finally body


class _FunctionLowerer:
    """Builds one function's CFG. Nested defs get their own lowerer."""

    def __init__(self, mod: ir.Module, scope: Scope, function: ir.Function, module: str, is_package: bool,
                 class_scope: Scope | None = None):
        self.mod = mod
        self.scope = scope
        self.fn = function
        self.module = module
        self.is_package = is_package
        self.class_scope = class_scope
        self.comp_locals: list[set] = []
        self.resolved: dict = {}  # name -> (kind, qualname) outside comprehension variables
        self.module_names: dict = {}  # name -> (kind, qualname) at module level; shared by the module's lowerers
        self.tables: LoweringTables | None = None  # set by whoever made this lowerer (``lower_module``)
        self.lines: dict = {}  # ``tables.lines``
        self.walrus = True
        self.names: set = set()  # every name the function mentions (Function.names)
        self.loops: list[_Loop] = []
        self.finallies: list[_Finally] = []
        self.copied = 0  # blocks made as copies of finally bodies so far (MAX_FINALLY_COPIES)
        self.handler_targets: list[list[int]] = []
        self.opt_in = 0  # depth of module-level ``if`` bodies run only when the environment asks (``_opt_in_test``)
        self.current = self.new_block()

    # ------------------------------------------------------------ blocks

    def new_block(self) -> ir.Block:
        block = ir.Block(len(self.fn.blocks))
        self.fn.blocks.append(block)
        if self.handler_targets:
            for target in self.handler_targets[-1]:
                block.succs.append(ir.Edge(target, ir.EdgeKind.EXCEPTION))
        return block

    def placeholder(self) -> ir.Block:
        """An empty block without edges, filled in later (``_copy_finally``)."""
        block = ir.Block(len(self.fn.blocks))
        self.fn.blocks.append(block)
        return block

    def exit_edge(self, kind: str) -> ir.Edge | None:
        """The edge a ``return``, ``break`` or ``continue`` leaves by from here: to the copy of
        the innermost enclosing ``finally`` body that runs for it (within the innermost loop
        for ``break``/``continue``), else to where it goes (the loop's exit or head; a
        ``return`` with no ``finally`` around it ends the function: None)."""
        finallies = self.finallies
        if kind == "return":
            if not finallies:
                return None
        elif not self.loops:
            return None
        elif not finallies or finallies[-1].loops != len(self.loops):
            loop = self.loops[-1]
            return ir.Edge(loop.exit, ir.EdgeKind.NEXT) if kind == "break" else ir.Edge(loop.head, ir.EdgeKind.LOOP)
        frame = finallies[-1]
        entry = frame.exits.get(kind)
        if entry is None:
            entry = frame.exits[kind] = self.placeholder()
        return ir.Edge(entry.id, ir.EdgeKind.NEXT)

    def link(self, src: ir.Block, dst: ir.Block, kind: str = ir.EdgeKind.NEXT, cond=None) -> None:
        if src is not None:
            src.succs.append(ir.Edge(dst.id, kind, cond))

    def emit(self, stmt: ir.Stmt) -> None:
        if self.current is None:  # unreachable code after return/raise: keep it analysable
            self.current = self.new_block()
        self.current.stmts.append(stmt)

    # ------------------------------------------------------------ names

    def resolve(self, name: str) -> ir.Name:
        for comp in reversed(self.comp_locals):
            if name in comp:
                return ir.Name(name, ir.NameKind.LOCAL)
        kind, qualname = self._resolve(name)
        return ir.Name(name, kind, qualname)

    def _resolve(self, name: str) -> tuple:
        """``(kind, qualname)`` of ``name`` outside comprehension variables."""
        scope = self.scope
        if name in scope.globals_:
            return self._module_name(name)
        if name in scope.bound and name not in scope.nonlocals:
            if scope.kind == "module":
                return self._module_name(name)
            target = scope.import_target(name)
            if target:
                return (ir.NameKind.IMPORT, target)
            target = scope.def_target(name)
            if target and scope.kind == "function":
                return (ir.NameKind.DEF, target)
            return _LOCAL
        parent = scope.parent
        while parent is not None and parent.kind != "module":
            if parent.kind == "function" and name in parent.bound:
                target = parent.import_target(name)
                if target:
                    return (ir.NameKind.IMPORT, target)
                target = parent.def_target(name)
                if target:
                    return (ir.NameKind.DEF, target)
                return _FREE
            parent = parent.parent
        return self._module_name(name)

    def _module_name(self, name: str) -> tuple:
        """``(kind, qualname)`` of ``name`` at module level."""
        known = self.module_names.get(name)  # the same for every function of the module
        if known is None:
            top = self.scope
            while top.parent is not None:
                top = top.parent
            known = None
            if name in top.bound:
                target = top.import_target(name)
                if target:
                    known = (ir.NameKind.IMPORT, target)
                else:
                    target = top.def_target(name)
                    if target:
                        known = (ir.NameKind.DEF, target)
            elif name in _BUILTINS:
                known = (ir.NameKind.BUILTIN, f"builtins.{name}")
            if known is None:
                known = (ir.NameKind.GLOBAL, f"{self.module}.{name}" if self.module else name)
            self.module_names[name] = known
        return known

    # ------------------------------------------------------------ statements

    def lower_body(self, body: list) -> None:
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, node: ast.stmt) -> None:
        method = _STMT_DISPATCH.get(type(node))
        if method is None:
            method = getattr(_FunctionLowerer, "s_" + type(node).__name__, None)
            _STMT_DISPATCH[type(node)] = method or _skip
        if method is not None:
            self.names.add(type(node).__name__)
            method(self, node)

    def s_Expr(self, node):
        value = self.expr(node.value)
        if isinstance(value, ir.Call) and value.qualname in RAISING_CALLS:
            # ``abort(404)``: raises the HTTP error it answers with, as ``raise NotFound()`` would
            self.emit(_pos(ir.Raise(value, None), node, self.lines))
            self.current = None
            return
        self.emit(_pos(ir.Evaluate(value), node, self.lines))

    def s_Assign(self, node):
        value = self.expr(node.value)
        targets = tuple([self.target(t) for t in node.targets])
        stmt = ir.Assign(targets, value)
        if getattr(node, "is_type_alias", False):
            stmt.annotation = ir.Unknown("type-alias")
        self.emit(_pos(stmt, node, self.lines))

    def s_AnnAssign(self, node):
        if node.value is None:
            return
        self.emit(_pos(ir.Assign((self.target(node.target),), self.expr(node.value),
                                 annotation=self.expr(node.annotation)), node, self.lines))

    def s_AugAssign(self, node):
        op = _BINOPS.get(type(node.op), "?")
        self.emit(_pos(ir.Assign((self.target(node.target),), self.expr(node.value), op=op), node, self.lines))

    def s_TypeAlias(self, node):  # Python 3.12+ ast
        self.emit(_pos(ir.Assign((self.target(node.name),), self.expr(node.value), annotation=ir.Unknown("type-alias")),
                       node, self.lines))

    def s_Return(self, node):
        self.emit(_pos(ir.Return(self.expr(node.value) if node.value is not None else None), node, self.lines))
        if self.finallies:  # the value is computed, then the enclosing finally bodies run
            self.current.succs.append(self.exit_edge("return"))
        self.current = None

    def s_Raise(self, node):
        self.emit(_pos(ir.Raise(self.expr(node.exc) if node.exc else None,
                                self.expr(node.cause) if node.cause else None), node, self.lines))
        self.current = None

    def s_Assert(self, node):
        self.emit(_pos(ir.Assert(self.expr(node.test), self.expr(node.msg) if node.msg else None), node, self.lines))

    def s_Delete(self, node):
        self.emit(_pos(ir.Delete(tuple([self.target(t) for t in node.targets])), node, self.lines))

    def s_Pass(self, node):
        self.emit(_pos(ir.Pass("pass"), node, self.lines))

    def s_Break(self, node):
        self.emit(_pos(ir.Pass("break"), node, self.lines))
        edge = self.exit_edge("break")
        if edge is not None:
            self.current.succs.append(edge)
        self.current = None

    def s_Continue(self, node):
        self.emit(_pos(ir.Pass("continue"), node, self.lines))
        edge = self.exit_edge("continue")
        if edge is not None:
            self.current.succs.append(edge)
        self.current = None

    def s_Import(self, node):
        # Aliases are resolved through the scope tables; keep a binding so that
        # flow-sensitive analyses see the name defined here.
        for name, quals in import_bindings(node, self.module, self.is_package, self.mod.resolve):
            if len(quals) > 1:  # several files could be the module: the others are candidates too
                known = self.mod.import_alternatives.setdefault(quals[0], ())
                self.mod.import_alternatives[quals[0]] = tuple(dict.fromkeys(known + quals[1:]))
            value = _pos(ir.Name(name, ir.NameKind.IMPORT, quals[0]), node, self.lines)
            self.emit(_pos(ir.Assign((_pos(ir.NameTarget(name), node, self.lines),), value), node, self.lines))

    s_ImportFrom = s_Import

    def s_Global(self, node):
        pass

    s_Nonlocal = s_Global

    def s_If(self, node):
        # ``elif`` chains are followed in a loop, not by recursion: generated code
        # has thousands of them. Blocks are numbered exactly as recursion would.
        pending = []  # then-ends of the enclosing ifs of the chain, outermost first
        while True:
            cond = self.expr(node.test)
            self.emit(_pos(ir.Evaluate(cond), node.test, self.lines))
            head = self.current
            then_block = self.new_block()
            self.link(head, then_block, ir.EdgeKind.TRUE, cond)
            self.current = then_block
            opt_in = self.fn.qualname == self.module and _opt_in_test(node.test)
            self.opt_in += opt_in
            try:
                self.lower_body(node.body)
            finally:
                self.opt_in -= opt_in
            then_end = self.current
            else_block = self.new_block()
            self.link(head, else_block, ir.EdgeKind.FALSE, cond)
            self.current = else_block
            if len(node.orelse) == 1 and type(node.orelse[0]) is ast.If:
                pending.append(then_end)
                node = node.orelse[0]
                continue
            self.lower_body(node.orelse)
            break
        while True:
            else_end = self.current
            join = self.new_block()
            self.link(then_end, join)
            self.link(else_end, join)
            self.current = join
            if not pending:
                break
            then_end = pending.pop()

    def s_While(self, node):
        pre = self.current
        head = self.new_block()
        self.link(pre, head)
        self.current = head
        cond = self.expr(node.test)
        self.emit(_pos(ir.Evaluate(cond), node.test, self.lines))
        body = self.new_block()
        exit_ = self.new_block()
        self.link(head, body, ir.EdgeKind.TRUE, cond)
        orelse = self.new_block()
        self.link(head, orelse, ir.EdgeKind.FALSE, cond)
        self.loops.append(_Loop(head.id, exit_.id))
        self.current = body
        self.lower_body(node.body)
        self.link(self.current, head, ir.EdgeKind.LOOP)
        self.loops.pop()
        self.current = orelse
        self.lower_body(node.orelse)
        self.link(self.current, exit_)
        self.current = exit_

    def s_For(self, node):
        iterable = self.expr(node.iter)
        self.emit(_pos(ir.Evaluate(iterable), node.iter, self.lines))
        pre = self.current
        head = self.new_block()
        self.link(pre, head)
        self.current = head
        element = _pos(ir.IterElement(iterable), node.iter, self.lines)
        self.emit(_pos(ir.Assign((self.target(node.target),), element), node.target, self.lines))
        body = self.new_block()
        exit_ = self.new_block()
        orelse = self.new_block()
        self.link(head, body, ir.EdgeKind.TRUE)
        self.link(head, orelse, ir.EdgeKind.FALSE)
        self.loops.append(_Loop(head.id, exit_.id))
        self.current = body
        self.lower_body(node.body)
        self.link(self.current, head, ir.EdgeKind.LOOP)
        self.loops.pop()
        self.current = orelse
        self.lower_body(node.orelse)
        self.link(self.current, exit_)
        self.current = exit_

    s_AsyncFor = s_For

    def s_With(self, node):
        for i, item in enumerate(node.items):
            ctx = self.expr(item.context_expr)
            enter = _pos(ir.WithEnter(ctx), item.context_expr, self.lines)
            if item.optional_vars is not None:
                self.emit(_pos(ir.Assign((self.target(item.optional_vars),), enter), item.context_expr, self.lines))
            else:
                self.emit(_pos(ir.Evaluate(enter), item.context_expr, self.lines))
            caught = _suppressed(ctx, item.context_expr)
            if caught is not None and node.body:
                # ``with contextlib.suppress(ValueError): page = int(text)``: the body is a ``try`` whose
                # handler catches those exceptions and does nothing (the items after this one inside it)
                rest = node.body if i == len(node.items) - 1 else [
                    ast.copy_location(type(node)(items=node.items[i + 1:], body=node.body), node)]
                handler = ast.ExceptHandler(type=caught, name=None, body=[ast.copy_location(ast.Pass(), node)])
                ast.copy_location(handler, item.context_expr)
                handler.end_lineno = item.context_expr.end_lineno
                self.s_Try(ast.copy_location(ast.Try(body=rest, handlers=[handler], orelse=[], finalbody=[]), node))
                return
        self.lower_body(node.body)

    s_AsyncWith = s_With

    def s_Try(self, node):
        pre = self.current
        outer = self.handler_targets[-1] if self.handler_targets else None
        frame = None
        if node.finalbody:
            # an exception anywhere in the body, a handler or ``else`` runs the finally body, then goes on
            frame = _Finally(len(self.loops), outer)
            raise_entry = frame.exits["raise"] = self.placeholder()
            self.handler_targets.append([raise_entry.id])  # handler entries are in the finally's reach
        handler_entries = [self.new_block() for _ in node.handlers]
        targets = [b.id for b in handler_entries]
        if frame is not None:
            targets.append(raise_entry.id)
        elif outer and not _catches_all(node.handlers):  # what no handler catches goes on outwards
            targets.extend(t for t in outer if t not in targets)
        self.handler_targets.append(targets)
        body = self.new_block()
        self.link(pre, body)
        self.current = body
        if frame is not None:
            self.finallies.append(frame)
        # blocks created while lowering the body inherit the exception edges
        self.lower_body(node.body)
        self.handler_targets.pop()
        body_end = self.current
        if pre is not None and not _deletes_one_item(node.body):  # the first statement of the body may raise too
            known = outer or ()  # (pre, made in the enclosing try, has its edges)
            for edge_target in targets:
                if edge_target not in known:
                    pre.succs.append(ir.Edge(edge_target, ir.EdgeKind.EXCEPTION))
        try_lines = (node.lineno, node.body[-1].end_lineno or node.lineno) if node.body else (node.lineno, node.lineno)
        ends = []
        self.current = body_end
        if node.orelse:
            if self.current is None:
                self.current = self.new_block()
            self.lower_body(node.orelse)
        ends.append(self.current)
        for entry, handler in zip(handler_entries, node.handlers):
            self.current = entry
            types = ()
            if handler.type is not None:
                t = self.expr(handler.type)
                types = t.elts if isinstance(t, ir.Container) else (t,)
            entry.handler = ir.Handler(types, handler.name, _swallows(handler.body), handler.lineno, try_lines)
            self.fn.handlers.append(entry.handler)
            if handler.name:
                lines = self.lines
                self.emit(_pos(ir.Assign((_pos(ir.NameTarget(handler.name), handler, lines),),
                                         _pos(ir.CaughtException(types), handler, lines)), handler, lines))
            self.lower_body(handler.body)
            ends.append(self.current)
        if frame is not None:
            self.finallies.pop()
            self.handler_targets.pop()
            finally_entry = self.new_block()
            for end in ends:
                self.link(end, finally_entry)
            self.current = finally_entry
            self.lower_body(node.finalbody)
            self._copy_finally(frame, finally_entry.id)
            return
        join = self.new_block()
        for end in ends:
            self.link(end, join)
        self.current = join

    def _copy_finally(self, frame: _Finally, first: int) -> None:
        """Give each pending exit of ``frame`` its copy of the finally body just lowered (blocks
        ``first`` to the last, ending in ``self.current``), ending where the exit goes next.

        The copies share the statements of the body lowered in place (``Block.origin`` names
        the block copied), so analyses that read statements meet each once; those that follow
        edges see each exit run the body on its own path."""
        blocks = self.fn.blocks
        stop = len(blocks)
        end = self.current
        # entries of outer finallies' copies made while lowering this body belong to those
        outside = {b.id for f in self.finallies for b in f.exits.values()}
        size = stop - first - sum(1 for b in outside if b >= first)
        if self.copied + size * len(frame.exits) > MAX_FINALLY_COPIES:
            # finally bodies nested in finally bodies multiply their copies: past the limit the
            # pending exits share the body lowered in place (and go on from its end, as if it fell through)
            for entry in frame.exits.values():
                entry.succs.append(ir.Edge(first, ir.EdgeKind.NEXT))
            return
        self.copied += size * len(frame.exits)
        for kind, entry in frame.exits.items():
            mapping = {}
            for bid in range(first, stop):
                if bid not in outside:
                    mapping[bid] = entry.id if bid == first else self.placeholder().id
            for bid, copy_id in mapping.items():
                original = blocks[bid]
                copy = blocks[copy_id]
                copy.stmts = list(original.stmts)
                copy.succs = [ir.Edge(mapping.get(e.target, e.target), e.kind, e.cond) for e in original.succs]
                copy.handler = original.handler
                copy.origin = original.origin if original.origin is not None else bid
            if end is None:  # the body itself returns, raises or leaves the loop: the pending exit is dropped
                continue
            last = blocks[mapping[end.id]]
            if kind == "raise":  # on to the enclosing handlers (the edges of a block made outside the try)
                known = {e.target for e in last.succs if e.kind == ir.EdgeKind.EXCEPTION}
                for target in frame.outer or ():
                    if target not in known:
                        last.succs.append(ir.Edge(target, ir.EdgeKind.EXCEPTION))
            else:
                edge = self.exit_edge(kind)
                if edge is not None:
                    last.succs.append(edge)

    s_TryStar = s_Try

    def s_Match(self, node):
        subject = self.expr(node.subject)
        self.emit(_pos(ir.Evaluate(subject), node.subject, self.lines))
        join = self.new_block()
        test = self.current
        for case in node.cases:
            # ``case "A":`` compares with ==, so constant subjects prune the cases never taken
            cond = self._case_condition(case.pattern, subject)
            block = self.new_block()
            self.link(test, block, ir.EdgeKind.TRUE, cond)
            next_test = self.new_block()
            self.link(test, next_test, ir.EdgeKind.FALSE, cond)
            self.current = block
            for name, value in _pattern_bindings(case.pattern, subject, self.lines):
                target = _pos(ir.NameTarget(name), case.pattern, self.lines)
                self.emit(_pos(ir.Assign((target,), value), case.pattern, self.lines))
            for value in _pattern_values(case.pattern):
                self.emit(_pos(ir.Evaluate(self.expr(value)), value, self.lines))
            if case.guard is not None:
                guard = self.expr(case.guard)
                self.emit(_pos(ir.Evaluate(guard), case.guard, self.lines))
                body = self.new_block()
                self.link(self.current, body, ir.EdgeKind.TRUE, guard)
                self.link(self.current, next_test, ir.EdgeKind.FALSE, guard)
                self.current = body
            self.lower_body(case.body)
            self.link(self.current, join)
            test = next_test
        self.link(test, join)
        self.current = join

    def _case_condition(self, pattern, subject: ir.Expr) -> ir.Expr | None:
        if isinstance(pattern, ast.MatchValue):
            return _pos(ir.Compare(subject, ("==",), (self.expr(pattern.value),)), pattern, self.lines)
        if isinstance(pattern, ast.MatchSingleton):
            const = _pos(ir.Const(pattern.value), pattern, self.lines)
            return _pos(ir.Compare(subject, ("is",), (const,)), pattern, self.lines)
        if isinstance(pattern, ast.MatchOr) and all(isinstance(p, ast.MatchValue) for p in pattern.patterns):
            options = _pos(ir.Container("tuple", tuple([self.expr(p.value) for p in pattern.patterns])), pattern,
                           self.lines)
            return _pos(ir.Compare(subject, ("in",), (options,)), pattern, self.lines)
        if isinstance(pattern, ast.MatchAs) and pattern.pattern is None:
            return _pos(ir.Const(True), pattern, self.lines)  # ``case _`` / ``case x``: always taken
        return None

    def s_FunctionDef(self, node):
        fn = self.lower_function(node)
        self.emit(_pos(ir.Define(node.name, fn, None), node, self.lines))

    s_AsyncFunctionDef = s_FunctionDef

    def s_ClassDef(self, node):
        klass = self.lower_class(node)
        self.emit(_pos(ir.Define(node.name, None, klass), node, self.lines))

    # ------------------------------------------------------------ definitions

    def _child_qualname(self, name: str) -> str:
        base = self.scope.qualname
        return f"{base}.{name}" if base else name

    def _set_aside(self, qualname: str) -> None:
        """A second definition under one name (``def f`` twice in a module, a route handler
        copied and renamed only in its decorator): the name now means the new one, as in
        Python, but the earlier definition still runs wherever it was registered before
        being shadowed (a decorator kept it), so it stays analysed under a name of its own,
        ``qualname@line``, with everything defined inside it."""
        old = self.mod.functions[qualname]
        new = f"{qualname}@{old.line}"
        while new in self.mod.functions:
            new += "'"
        prefix = qualname + "."
        for table in (self.mod.functions, self.mod.classes):
            for key in [k for k in table if k == qualname or k.startswith(prefix)]:
                item = table.pop(key)
                item.qualname = new + key[len(qualname):]
                table[item.qualname] = item

    def lower_function(self, node, *, is_lambda: bool = False) -> ir.Function:
        name = "<lambda>" if is_lambda else node.name
        qualname = self._child_qualname(f"<lambda:{node.lineno}:{node.col_offset}>" if is_lambda else name)
        if qualname in self.mod.functions and self.opt_in and not is_lambda:
            # a module-level variant defined only when the environment asks for it (aiocoap's ``log_secret``
            # that reveals keys when ``AIOCOAP_REVEAL_KEYS`` says so): the earlier definition keeps the name,
            # what the code does unless its operator opts in; the variant is analysed under a name of its own
            variant = f"{qualname}@{_line(node.lineno, self.lines)}"
            while variant in self.mod.functions:
                variant += "'"
            qualname = variant
        elif qualname in self.mod.functions:
            self._set_aside(qualname)
        fn = ir.Function(
            name=name, qualname=qualname, line=_line(node.lineno, self.lines),
            end_line=_line(getattr(node, "end_lineno", node.lineno) or node.lineno, self.lines),
            class_qualname=self.class_scope.qualname if self.class_scope is not None else None,
            is_async=isinstance(node, ast.AsyncFunctionDef), is_lambda=is_lambda, parent=self.fn,
        )
        args = node.args
        decorators = () if is_lambda else tuple([self.expr(d) for d in node.decorator_list])
        fn.decorators = decorators
        positional = args.posonlyargs + args.args
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        for a, d in zip(positional, defaults):
            fn.params.append(ir.Param(a.arg, "positional", self.expr(d) if d is not None else None,
                                      self.expr(a.annotation) if a.annotation is not None else None,
                                      _line(a.lineno, self.lines)))
        if args.vararg:
            fn.params.append(ir.Param(args.vararg.arg, "vararg", None, None, _line(args.vararg.lineno, self.lines)))
        for a, d in zip(args.kwonlyargs, args.kw_defaults):
            fn.params.append(ir.Param(a.arg, "keyword", self.expr(d) if d is not None else None,
                                      self.expr(a.annotation) if a.annotation is not None else None,
                                      _line(a.lineno, self.lines)))
        if args.kwarg:
            fn.params.append(ir.Param(args.kwarg.arg, "kwarg", None, None, _line(args.kwarg.lineno, self.lines)))
        if not is_lambda and node.returns is not None:
            fn.returns = self.expr(node.returns)
        scope = Scope("function", qualname, self.scope)
        collect_parameters(args, scope)
        if is_lambda:
            body = [ast.Return(node.body, lineno=node.body.lineno, col_offset=node.body.col_offset,
                               end_lineno=node.body.end_lineno, end_col_offset=node.body.end_col_offset)]
        else:
            body = node.body
        collect_bindings(body, scope, self.module, self.is_package, self.walrus, self.mod.resolve)
        fn.locals = tuple(scope.bound)
        child = _FunctionLowerer(self.mod, scope, fn, self.module, self.is_package)
        child.walrus = self.walrus
        child.module_names = self.module_names
        child.tables = self.tables
        child.lines = self.lines
        child.lower_body(body)
        _freeze_blocks(fn, self.tables)
        fn.names = frozenset(child.names)
        fn.is_generator = child.saw_yield
        parts = None if is_lambda else _decorator_parts(node)
        fn.wraps_in_handler = parts is not None and _wraps_in_handler(*parts) \
            or not is_lambda and _returns_handler_wrapper(node, fn)
        fn.wraps_as_data = parts is not None and _wraps_as_data(*parts)
        if fn.params and not is_lambda:
            fn.forwards_to = _forwards_to(fn)
        fn.returns_mask = _returns_mask(fn)
        fn.abstract = not is_lambda and _does_nothing(fn)
        if fn.children and fn.params:
            fn.fills = _decorator_fills(fn)
        if fn.params and not is_lambda:
            fn.address_guard = _address_guard(fn.name, self.mod.text)
        fn.sets_multicast = not ir.MULTICAST_OPTIONS.isdisjoint(fn.names)
        self.fn.children.append(fn)
        self.mod.functions[qualname] = fn
        return fn

    saw_yield = False

    def lower_class(self, node: ast.ClassDef) -> ir.Class:
        qualname = self._child_qualname(node.name)
        klass = ir.Class(name=node.name, qualname=qualname, line=_line(node.lineno, self.lines),
                         bases=tuple([self.expr(b) for b in node.bases]),
                         decorators=tuple([self.expr(d) for d in node.decorator_list]),
                         keywords=tuple([ir.Keyword(k.arg, self.expr(k.value)) for k in node.keywords]))
        scope = Scope("class", qualname, self.scope)
        collect_bindings(node.body, scope, self.module, self.is_package, self.walrus, self.mod.resolve)
        body_fn = ir.Function(name="<class>", qualname=qualname + ".<class>", line=_line(node.lineno, self.lines),
                              end_line=_line(node.end_lineno or node.lineno, self.lines), parent=self.fn,
                              locals=tuple(scope.bound))
        lowerer = _FunctionLowerer(self.mod, scope, body_fn, self.module, self.is_package, class_scope=scope)
        lowerer.walrus = self.walrus
        lowerer.module_names = self.module_names
        lowerer.tables = self.tables
        lowerer.lines = self.lines
        lowerer.lower_body(node.body)
        _freeze_blocks(body_fn, self.tables)
        body_fn.names = frozenset(lowerer.names)
        for child in body_fn.children:
            if not child.is_lambda and child.parent is body_fn:
                klass.methods[child.name] = child
        bound_here: set = set()
        for block in body_fn.blocks[:1]:  # the class body's straight-line start
            for stmt in block.stmts:
                if isinstance(stmt, ir.Assign) and len(stmt.targets) == 1 \
                        and isinstance(stmt.targets[0], ir.NameTarget):
                    value = stmt.value
                    if isinstance(value, ir.Name) and value.id not in bound_here and value.qualname is None \
                            and value.kind != ir.NameKind.BUILTIN:
                        # ``NAME_RE = NAME_RE``: the module's object under the class's name (kept in stubs,
                        # where the class body is not)
                        value = ir.Name(value.id, ir.NameKind.GLOBAL, f"{self.mod.name}.{value.id}").at(
                            value.line, value.col, value.end_line, value.end_col)
                    if isinstance(value, (ir.Const, ir.Call, ir.Name)):
                        klass.attributes[stmt.targets[0].id] = value
                    bound_here.add(stmt.targets[0].id)
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                named = _annotated_class(lowerer.expr(stmt.annotation))
                if named:
                    klass.field_types[stmt.target.id] = named
        klass.body = body_fn
        klass.dispatches = _dispatches(node, klass.methods)
        klass.validators = _field_validators(node)
        self.fn.children.append(body_fn)
        self.mod.functions[body_fn.qualname] = body_fn
        self.mod.classes[qualname] = klass
        return klass

    # ------------------------------------------------------------ targets

    def target(self, node) -> ir.Target:
        if type(node) is _AST_NAME or isinstance(node, ast.Name):
            self.names.add(node.id)
            return _pos(ir.NameTarget(node.id), node, self.lines)
        if isinstance(node, ast.Attribute):
            self.names.add(node.attr)
            return _pos(ir.AttrTarget(self.expr(node.value), node.attr), node, self.lines)
        if isinstance(node, ast.Subscript):
            return _pos(ir.ItemTarget(self.expr(node.value), self.expr(node.slice)), node, self.lines)
        if isinstance(node, (ast.Tuple, ast.List)):
            return _pos(ir.UnpackTarget(tuple([self.target(e) for e in node.elts])), node, self.lines)
        if isinstance(node, ast.Starred):
            return _pos(ir.StarTarget(self.target(node.value)), node, self.lines)
        return _pos(ir.NameTarget("_"), node, self.lines)

    # ------------------------------------------------------------ expressions

    def expr(self, node) -> ir.Expr:
        # Names, constants, attributes and calls are nine expressions in ten:
        # they are lowered without the generic dispatch, and set their own
        # positions (each assignment site then sees one IR class, which CPython
        # specialises). The positions are read from the node's attribute dict
        # (twice as fast as attribute access); a node without them in its dict
        # (synthetic nodes) takes _pos' path.
        kind = type(node)
        if kind is _AST_NAME:
            name_id = node.id
            known = None
            if self.comp_locals:
                for comp in self.comp_locals:
                    if name_id in comp:
                        self.names.add(name_id)
                        known = _COMP_LOCAL
                        break
            if known is None:
                # Outside comprehension variables a name resolves the same way all over
                # the function: resolve it once (its names were added to ``names`` then).
                known = self.resolved.get(name_id)
                if known is None:
                    known = self._resolve(name_id)
                    if known[1] is not None:
                        known = (known[0], _intern(known[1]))
                    self.resolved[name_id] = known
                    self.names.add(name_id)
                    if known[1]:
                        self.names.add(known[1])
            name = _Name(name_id, known[0], known[1])
            fields = node.__dict__
            try:
                line = fields["lineno"]
                col = fields["col_offset"]
                end_line = fields["end_lineno"]
                end_col = fields["end_col_offset"]
            except KeyError:
                return _pos(name, node, self.lines)
            lines = self.lines
            name.line = line = lines.setdefault(line, line)
            name.col = col
            name.end_line = lines.setdefault(end_line, end_line) if end_line else line
            name.end_col = end_col or col
            return name
        if kind is _AST_CONSTANT:
            value = node.value
            if type(value) is str:
                if len(value) < 200:
                    value = _intern(value)  # ("id", "name"...: one object for all their uses)
                    self.names.add(value)
                else:
                    self.names.add("<long-string>")
            const = _Const(value)
            fields = node.__dict__
            try:
                line = fields["lineno"]
                col = fields["col_offset"]
                end_line = fields["end_lineno"]
                end_col = fields["end_col_offset"]
            except KeyError:
                return _pos(const, node, self.lines)
            lines = self.lines
            const.line = line = lines.setdefault(line, line)
            const.col = col
            const.end_line = lines.setdefault(end_line, end_line) if end_line else line
            const.end_col = end_col or col
            return const
        if kind is _AST_ATTRIBUTE:
            return self.e_Attribute(node)
        if kind is _AST_CALL:
            return self.e_Call(node)
        method = _EXPR_DISPATCH.get(kind)
        if method is None:
            method = getattr(_FunctionLowerer, "e_" + kind.__name__, None) or _FunctionLowerer.e_unknown
            _EXPR_DISPATCH[kind] = method
        result = method(self, node)
        fields = node.__dict__
        try:
            line = fields["lineno"]
            col = fields["col_offset"]
            end_line = fields["end_lineno"]
            end_col = fields["end_col_offset"]
        except KeyError:
            return _pos(result, node, self.lines)
        lines = self.lines
        result.line = line = lines.setdefault(line, line)
        result.col = col
        result.end_line = lines.setdefault(end_line, end_line) if end_line else line
        result.end_col = end_col or col
        return result

    def e_unknown(self, node):
        return ir.Unknown(type(node).__name__, tuple(self.expr(c) for c in ast.iter_child_nodes(node)
                                                      if isinstance(c, ast.expr)))

    # ast.Name and ast.Constant are lowered in ``expr`` itself.

    def e_Attribute(self, node):
        """Lowered and positioned (called by ``expr`` only)."""
        fields = node.__dict__
        value = self.expr(node.value)
        attr = node.attr
        qual = None
        kind = type(value)  # (ir.Name and ir.Attr have no subclasses)
        if (kind is _Attr or (kind is _Name and value.kind in _QUALIFYING_KINDS)) and value.qualname:
            qual = f"{value.qualname}.{attr}"
            # (``import six`` then ``six.moves.urllib.parse.unquote``: the name six stands for)
            qual = _intern(six_moved(qual) if qual.startswith("six.moves.") else qual)  # (calls share it)
            self.names.add(qual)
        self.names.add(attr)
        result = _Attr(value, attr, qual)
        try:
            line = fields["lineno"]
            col = fields["col_offset"]
            end_line = fields["end_lineno"]
            end_col = fields["end_col_offset"]
        except KeyError:
            return _pos(result, node, self.lines)
        lines = self.lines
        result.line = line = lines.setdefault(line, line)
        result.col = col
        result.end_line = lines.setdefault(end_line, end_line) if end_line else line
        result.end_col = end_col or col
        return result

    def e_Call(self, node):
        """Lowered and positioned (called by ``expr`` only)."""
        expr = self.expr
        func = expr(node.func)
        args = node.args
        args = tuple([expr(a) for a in args]) if args else ()
        node_keywords = node.keywords
        keywords = tuple([_Keyword(k.arg, expr(k.value)) for k in node_keywords]) if node_keywords else ()
        kind = type(func)
        if kind is _Attr:
            template = func.value
            if type(template) is _Const and isinstance(template.value, str):
                if func.attr == "format":
                    return _pos(ir.StringBuild("format", args + tuple([k.value for k in keywords]), template,
                                               tuple([k.name or "**" for k in keywords])), node, self.lines)
                if func.attr == "join" and len(args) == 1:
                    items = args[0]
                    if template.value == "" and isinstance(items, ir.Container) and items.kind in ("tuple", "list") \
                            and items.elts and not any(isinstance(e, ir.Starred) for e in items.elts):
                        # ``"".join((base, "/", path))``: the parts put one after the other, as ``base + "/" + path``
                        return _pos(ir.StringBuild("concat", items.elts), node, self.lines)
                    return _pos(ir.StringBuild("join", args, template), node, self.lines)
            qual = func.qualname
        elif kind is _Name:
            qual = func.qualname
        else:
            qual = None
        if node_keywords:
            names = self.names
            for k in node_keywords:
                if k.arg:
                    names.add(k.arg)
        call = _Call(func, args, keywords, qual)
        fields = node.__dict__
        try:
            line = fields["lineno"]
            col = fields["col_offset"]
            end_line = fields["end_lineno"]
            end_col = fields["end_col_offset"]
        except KeyError:
            return _pos(call, node, self.lines)
        lines = self.lines
        call.line = line = lines.setdefault(line, line)
        call.col = col
        call.end_line = lines.setdefault(end_line, end_line) if end_line else line
        call.end_col = end_col or col
        return call

    def e_BinOp(self, node):
        op = _BINOPS.get(type(node.op), "?")
        left = self.expr(node.left)
        right = self.expr(node.right)
        if op == "%" and isinstance(left, ir.Const) and isinstance(left.value, (str, bytes)):
            parts = right.elts if isinstance(right, ir.Container) and right.kind == "tuple" else (right,)
            return ir.StringBuild("percent", parts, left)
        if op == "+" and (_is_text(left) or _is_text(right)):
            lparts = left.parts if isinstance(left, ir.StringBuild) and left.kind == "concat" else (left,)
            return ir.StringBuild("concat", lparts + (right,))
        return ir.BinOp(op, left, right)

    def e_UnaryOp(self, node):
        return ir.UnaryOp(_UNARY.get(type(node.op), "?"), self.expr(node.operand))

    def e_BoolOp(self, node):
        return ir.BoolOp("and" if isinstance(node.op, ast.And) else "or", tuple([self.expr(v) for v in node.values]))

    def e_Compare(self, node):
        return ir.Compare(self.expr(node.left), tuple([_CMP.get(type(o), "?") for o in node.ops]),
                          tuple([self.expr(c) for c in node.comparators]))

    def e_IfExp(self, node):
        return ir.IfExp(self.expr(node.test), self.expr(node.body), self.expr(node.orelse))

    def e_JoinedStr(self, node):
        kind = "tstring" if getattr(node, "is_template", False) else "fstring"
        return ir.StringBuild(kind, tuple([self.expr(v) for v in node.values]))

    def e_TemplateStr(self, node):  # Python 3.14 ast
        return ir.StringBuild("tstring", tuple([self.expr(v) for v in node.values]))

    def e_Interpolation(self, node):  # Python 3.14 ast
        spec = self.expr(node.format_spec) if node.format_spec is not None else None
        return ir.FormattedValue(self.expr(node.value), node.conversion, spec)

    def e_FormattedValue(self, node):
        spec = self.expr(node.format_spec) if node.format_spec is not None else None
        return ir.FormattedValue(self.expr(node.value), node.conversion, spec)

    def e_List(self, node):
        return ir.Container("list", tuple([self.expr(e) for e in node.elts]))

    def e_Tuple(self, node):
        return ir.Container("tuple", tuple([self.expr(e) for e in node.elts]))

    def e_Set(self, node):
        return ir.Container("set", tuple([self.expr(e) for e in node.elts]))

    def e_Dict(self, node):
        return ir.DictExpr(tuple([self.expr(k) if k is not None else None for k in node.keys]),
                           tuple([self.expr(v) for v in node.values]))

    def e_Subscript(self, node):
        return ir.Subscript(self.expr(node.value), self.expr(node.slice))

    def e_Slice(self, node):
        return ir.Slice(*(self.expr(p) if p is not None else None for p in (node.lower, node.upper, node.step)))

    def e_Starred(self, node):
        return ir.Starred(self.expr(node.value))

    def e_Await(self, node):
        return ir.Await(self.expr(node.value))

    def e_Yield(self, node):
        self.saw_yield = True
        return ir.Yield(self.expr(node.value) if node.value is not None else None, False)

    def e_YieldFrom(self, node):
        self.saw_yield = True
        return ir.Yield(self.expr(node.value), True)

    def e_NamedExpr(self, node):
        return ir.NamedExpr(node.target.id, self.expr(node.value))

    def e_Lambda(self, node):
        return ir.Lambda(self.lower_function(node, is_lambda=True))

    def _comprehension(self, node, kind):
        names: set = set()
        for gen in node.generators:
            for sub in ast.walk(gen.target):
                if isinstance(sub, ast.Name):
                    names.add(sub.id)
        generators = []
        self.comp_locals.append(set())
        for gen in node.generators:
            iterable = self.expr(gen.iter)  # evaluated with earlier targets bound
            self.comp_locals[-1].update(n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name))
            generators.append(ir.Generator(self.target(gen.target), iterable, tuple([self.expr(c) for c in gen.ifs])))
        if kind == "dict":
            result = ir.Comprehension(kind, self.expr(node.value), self.expr(node.key), tuple(generators))
        else:
            result = ir.Comprehension(kind, self.expr(node.elt), None, tuple(generators))
        self.comp_locals.pop()
        return result

    def e_ListComp(self, node):
        return self._comprehension(node, "list")

    def e_SetComp(self, node):
        return self._comprehension(node, "set")

    def e_GeneratorExp(self, node):
        return self._comprehension(node, "generator")

    def e_DictComp(self, node):
        return self._comprehension(node, "dict")


_STMT_DISPATCH: dict = {}
_Attr, _Name, _Const, _Call, _Keyword = ir.Attr, ir.Name, ir.Const, ir.Call, ir.Keyword
_QUALIFYING_KINDS = (ir.NameKind.IMPORT, ir.NameKind.DEF, ir.NameKind.BUILTIN)
_COMP_LOCAL = _LOCAL = (ir.NameKind.LOCAL, None)
_FREE = (ir.NameKind.FREE, None)
_AST_NAME, _AST_CONSTANT, _AST_ATTRIBUTE, _AST_CALL = ast.Name, ast.Constant, ast.Attribute, ast.Call
_EXPR_DISPATCH: dict = {}


def _skip(self, node) -> None:
    return None


def _is_text(e: ir.Expr) -> bool:
    return (isinstance(e, ir.Const) and isinstance(e.value, str)) or isinstance(e, ir.StringBuild)


def _deletes_one_item(body: list) -> bool:
    """Whether a try body starts with ``del headers['X-Auth-Token']``: the handler then never sees the item,
    which the deletion removed or was never there (a ``KeyError``), so the state before the body is not
    what the handler starts from; the deleting block's own exception edge carries the state after it.
    (``try: del headers[...] except KeyError: pass`` after sending a token logged the token with the
    headers afterwards.)"""
    first = body[0] if body else None
    return isinstance(first, ast.Delete) and len(first.targets) == 1 and isinstance(first.targets[0], ast.Subscript)


def _catches_all(handlers: list) -> bool:
    """Whether one of the clauses catches every (ordinary) exception: bare, ``Exception`` or ``BaseException``."""
    for handler in handlers:
        t = handler.type
        if t is None:
            return True
        for e in (t.elts if isinstance(t, ast.Tuple) else (t,)):
            if isinstance(e, ast.Name) and e.id in ("Exception", "BaseException"):
                return True
    return False


def _suppressed(ctx: ir.Expr, node: ast.expr) -> ast.expr | None:
    """The exception types (one expression, a tuple for several) of ``contextlib.suppress(E, ...)``
    used as a context manager; None for anything else (or ``suppress()``, ``suppress(*types)``)."""
    if not (isinstance(ctx, ir.Call) and ctx.qualname == "contextlib.suppress" and isinstance(node, ast.Call)):
        return None
    if not node.args or node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        return None
    if len(node.args) == 1:
        return node.args[0]
    return ast.copy_location(ast.Tuple(elts=list(node.args), ctx=ast.Load()), node)


def _swallows(body: list) -> bool:
    """True when an except clause's body does nothing with the error."""
    for stmt in body:
        if isinstance(stmt, (ast.Pass, ast.Continue, ast.Break)):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Constant) and stmt.value.value is False:
            return False  # ``return False``: the check fails closed, the caller sees the failure
        if isinstance(stmt, ast.Return) and (stmt.value is None or isinstance(stmt.value, ast.Constant)):
            continue
        return False
    return True


def _pattern_bindings(pattern, subject: ir.Expr, lines: dict):
    """Names a match pattern binds, each bound to (a part of) the subject."""
    for sub in ast.walk(pattern):
        name = None
        if isinstance(sub, (ast.MatchAs, ast.MatchStar)):
            name = sub.name
        elif isinstance(sub, ast.MatchMapping):
            name = sub.rest
        if name:
            value = subject if sub is pattern else _pos(ir.IterElement(subject), sub, lines)
            yield name, value


def _pattern_values(pattern):
    for sub in ast.walk(pattern):
        if isinstance(sub, ast.MatchValue):
            yield sub.value
        elif isinstance(sub, ast.MatchClass):
            yield sub.cls


def _opt_in_test(test: ast.expr) -> bool:
    """A test of the environment (``os.environ.get("X") == "..."``, ``os.getenv("X")``, ``"X" in os.environ``):
    what it guards runs only where the operator set that variable."""
    for node in ast.walk(test):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
            return True
        if isinstance(node, ast.Name) and node.id in ("getenv", "environ"):
            return True
    return False
