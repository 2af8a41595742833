"""The intermediate representation every analysis reads.

A module becomes a set of ``Function`` objects (the module body is the function
``<module>``), each a control-flow graph of ``Block``s holding simple statements
over expression trees. Names are resolved when lowering: an imported or global
name carries its qualified name (``from subprocess import Popen as P`` makes
``P`` mean ``subprocess.Popen``), so analyses never look at import statements,
aliases or raw syntax.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any


class Node:
    __slots__ = ("line", "col", "end_line", "end_col")

    def at(self, line: int, col: int, end_line: int, end_col: int) -> Node:
        self.line, self.col, self.end_line, self.end_col = line, col, end_line, end_col
        return self


# ---------------------------------------------------------------- expressions


class Expr(Node):
    __slots__ = ()

    def children(self) -> tuple[Expr, ...]:
        return ()


class Const(Expr):
    """A literal: str, bytes, int, float, complex, bool, None or Ellipsis."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


class NameKind:
    LOCAL = "local"  # bound in this function (assignment, parameter, loop...)
    FREE = "free"  # bound in an enclosing function
    GLOBAL = "global"  # module-level variable
    IMPORT = "import"  # bound only by imports: qualname is the imported object
    DEF = "def"  # module- or class-level function/class definition
    BUILTIN = "builtin"


class Name(Expr):
    __slots__ = ("id", "kind", "qualname")

    def __init__(self, id: str, kind: str, qualname: str | None = None):
        self.id = id
        self.kind = kind
        self.qualname = qualname


class Attr(Expr):
    """``value.attr``; ``qualname`` is set when ``value`` resolves to a module,
    class or imported object (``os.path.join``)."""

    __slots__ = ("value", "attr", "qualname")

    def __init__(self, value: Expr, attr: str, qualname: str | None = None):
        self.value = value
        self.attr = attr
        self.qualname = qualname

    def children(self):
        return (self.value,)


class Keyword:
    __slots__ = ("name", "value")

    def __init__(self, name: str | None, value: Expr):
        self.name = name  # None for ``**mapping``
        self.value = value


class Call(Expr):
    """A call. ``qualname`` is the resolved callee when known (``subprocess.run``,
    ``builtins.eval``, ``pkg.mod.helper``, ``pkg.mod.Class.method``)."""

    __slots__ = ("func", "args", "keywords", "qualname")

    def __init__(self, func: Expr, args: tuple, keywords: tuple, qualname: str | None):
        self.func = func
        self.args = args
        self.keywords = keywords
        self.qualname = qualname

    def keyword(self, name: str) -> Expr | None:
        for kw in self.keywords:
            if kw.name == name:
                return kw.value
        return None

    def argument(self, position: int, name: str | None = None) -> Expr | None:
        """The argument passed at ``position`` or by keyword ``name``."""
        if name is not None:
            found = self.keyword(name)
            if found is not None:
                return found
        if position is not None and 0 <= position < len(self.args):
            arg = self.args[position]
            if not isinstance(arg, Starred):
                return arg
        return None

    @property
    def method(self) -> str | None:
        return self.func.attr if isinstance(self.func, Attr) else None

    def children(self):
        if self.keywords:
            return (self.func, *self.args, *[k.value for k in self.keywords])
        return (self.func, *self.args)


class Subscript(Expr):
    __slots__ = ("value", "index")

    def __init__(self, value: Expr, index: Expr):
        self.value = value
        self.index = index

    def children(self):
        return (self.value, self.index)


class Slice(Expr):
    __slots__ = ("lower", "upper", "step")

    def __init__(self, lower, upper, step):
        self.lower, self.upper, self.step = lower, upper, step

    def children(self):
        return tuple(e for e in (self.lower, self.upper, self.step) if e is not None)


class BinOp(Expr):
    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Expr, right: Expr):
        self.op, self.left, self.right = op, left, right

    def children(self):
        return (self.left, self.right)


class UnaryOp(Expr):
    __slots__ = ("op", "operand")

    def __init__(self, op: str, operand: Expr):
        self.op, self.operand = op, operand

    def children(self):
        return (self.operand,)


class BoolOp(Expr):
    __slots__ = ("op", "values")

    def __init__(self, op: str, values: tuple):
        self.op, self.values = op, values

    def children(self):
        return self.values


class Compare(Expr):
    __slots__ = ("left", "ops", "comparators")

    def __init__(self, left: Expr, ops: tuple, comparators: tuple):
        self.left, self.ops, self.comparators = left, ops, comparators

    def children(self):
        return (self.left, *self.comparators)


class IfExp(Expr):
    __slots__ = ("test", "body", "orelse")

    def __init__(self, test, body, orelse):
        self.test, self.body, self.orelse = test, body, orelse

    def children(self):
        return (self.test, self.body, self.orelse)


class StringBuild(Expr):
    """A string built from parts.

    ``kind`` is ``fstring``, ``tstring`` (PEP 750 template), ``percent``
    (``fmt % args``), ``format`` (``fmt.format(...)``), ``join``
    (``sep.join(items)``) or ``concat`` (``a + b`` where one side is a string).
    ``parts`` are the interpolated or joined values; ``template`` is the format
    string or separator when there is one. ``names``: for ``format``, the keyword
    names of the last parts (``"{base}/x".format(base=url)``), in order.
    """

    __slots__ = ("kind", "parts", "template", "names")

    def __init__(self, kind: str, parts: tuple, template: Expr | None = None, names: tuple = ()):
        self.kind, self.parts, self.template, self.names = kind, parts, template, names

    def children(self):
        return (self.template, *self.parts) if self.template is not None else self.parts


class FormattedValue(Expr):
    """One interpolation of an f-string: ``{value!conversion:spec}``."""

    __slots__ = ("value", "conversion", "spec")

    def __init__(self, value: Expr, conversion: int, spec: Expr | None):
        self.value, self.conversion, self.spec = value, conversion, spec

    def children(self):
        return (self.value,) if self.spec is None else (self.value, self.spec)


class Container(Expr):
    """A list, tuple or set display."""

    __slots__ = ("kind", "elts")

    def __init__(self, kind: str, elts: tuple):
        self.kind, self.elts = kind, elts

    def children(self):
        return self.elts


class DictExpr(Expr):
    __slots__ = ("keys", "values")

    def __init__(self, keys: tuple, values: tuple):
        self.keys, self.values = keys, values  # a key of None is ``**mapping``

    def children(self):
        return tuple(k for k in self.keys if k is not None) + self.values


class Comprehension(Expr):
    """``[elt for target in iter if cond]`` and its set, dict and generator forms.
    For dicts, ``elt`` is the value and ``key`` the key expression."""

    __slots__ = ("kind", "elt", "key", "generators")

    def __init__(self, kind: str, elt: Expr, key: Expr | None, generators: tuple):
        self.kind, self.elt, self.key, self.generators = kind, elt, key, generators

    def children(self):
        out = [self.elt] if self.key is None else [self.key, self.elt]
        for g in self.generators:
            out.append(g.iter)
            out.extend(g.conds)
        return tuple(out)


class Generator:
    __slots__ = ("target", "iter", "conds")

    def __init__(self, target: Target, iter: Expr, conds: tuple):
        self.target, self.iter, self.conds = target, iter, conds


class Lambda(Expr):
    __slots__ = ("function",)

    def __init__(self, function: Function):
        self.function = function


class Starred(Expr):
    __slots__ = ("value",)

    def __init__(self, value: Expr):
        self.value = value

    def children(self):
        return (self.value,)


class Await(Expr):
    __slots__ = ("value",)

    def __init__(self, value: Expr):
        self.value = value

    def children(self):
        return (self.value,)


class Yield(Expr):
    __slots__ = ("value", "is_from")

    def __init__(self, value: Expr | None, is_from: bool):
        self.value, self.is_from = value, is_from

    def children(self):
        return () if self.value is None else (self.value,)


class NamedExpr(Expr):
    """``(target := value)``: evaluates to ``value`` and binds ``target``."""

    __slots__ = ("target", "value")

    def __init__(self, target: str, value: Expr):
        self.target, self.value = target, value

    def children(self):
        return (self.value,)


class IterElement(Expr):
    """An element of ``iterable``: what a ``for`` loop or unpacking binds."""

    __slots__ = ("iterable",)

    def __init__(self, iterable: Expr):
        self.iterable = iterable

    def children(self):
        return (self.iterable,)


class WithEnter(Expr):
    """What ``with ctx as target`` binds: ``ctx.__enter__()``."""

    __slots__ = ("context",)

    def __init__(self, context: Expr):
        self.context = context

    def children(self):
        return (self.context,)


class CaughtException(Expr):
    """The exception bound by ``except T as e``; ``types`` are the handler's types."""

    __slots__ = ("types",)

    def __init__(self, types: tuple):
        self.types = types

    def children(self):
        return self.types


class Unknown(Expr):
    """Anything the analyses need not understand; its sub-expressions are kept."""

    __slots__ = ("what", "parts")

    def __init__(self, what: str, parts: tuple = ()):
        self.what, self.parts = what, parts

    def children(self):
        return self.parts


# ---------------------------------------------------------------- targets


class Target(Node):
    __slots__ = ()


class NameTarget(Target):
    __slots__ = ("id",)

    def __init__(self, id: str):
        self.id = id


class AttrTarget(Target):
    __slots__ = ("value", "attr")

    def __init__(self, value: Expr, attr: str):
        self.value, self.attr = value, attr


class ItemTarget(Target):
    __slots__ = ("value", "index")

    def __init__(self, value: Expr, index: Expr):
        self.value, self.index = value, index


class UnpackTarget(Target):
    __slots__ = ("elts",)

    def __init__(self, elts: tuple):
        self.elts = elts  # a StarTarget may appear once


class StarTarget(Target):
    __slots__ = ("target",)

    def __init__(self, target: Target):
        self.target = target


# ---------------------------------------------------------------- statements


class Stmt(Node):
    __slots__ = ()


class Assign(Stmt):
    """``targets = value``; ``op`` is set for augmented assignment (``x += v``)."""

    __slots__ = ("targets", "value", "op", "annotation")

    def __init__(self, targets: tuple, value: Expr, op: str | None = None, annotation=None):
        self.targets, self.value, self.op, self.annotation = targets, value, op, annotation


class Evaluate(Stmt):
    """An expression evaluated for its effect (a call statement, a branch condition...)."""

    __slots__ = ("value",)

    def __init__(self, value: Expr):
        self.value = value


class Return(Stmt):
    __slots__ = ("value",)

    def __init__(self, value: Expr | None):
        self.value = value


class Raise(Stmt):
    __slots__ = ("exc", "cause")

    def __init__(self, exc: Expr | None, cause: Expr | None):
        self.exc, self.cause = exc, cause


class Assert(Stmt):
    __slots__ = ("test", "msg")

    def __init__(self, test: Expr, msg: Expr | None):
        self.test, self.msg = test, msg


class Delete(Stmt):
    __slots__ = ("targets",)

    def __init__(self, targets: tuple):
        self.targets = targets


class Pass(Stmt):
    """``pass``, ``continue`` or ``break`` kept as a statement so handlers that
    swallow errors can be recognised; ``what`` says which."""

    __slots__ = ("what",)

    def __init__(self, what: str):
        self.what = what


class Define(Stmt):
    """A nested ``def``/``class`` bound to ``name`` in this function."""

    __slots__ = ("name", "function", "klass")

    def __init__(self, name: str, function: Function | None, klass: Class | None):
        self.name, self.function, self.klass = name, function, klass


# ---------------------------------------------------------------- control flow
#
# Every way out of a ``try`` with a ``finally`` runs the finally body: falling through
# reaches the body lowered in place; an exception in the ``try`` body, a handler or the
# ``else`` reaches a copy that ends with EXCEPTION edges to the enclosing handlers (none:
# the function ends); a ``return`` reaches a copy that ends at the next enclosing finally
# (or the function's end); ``break``/``continue`` reach copies that end at the loop's exit
# or head. An exception no clause of a ``try`` catches (no bare ``except``, ``Exception``
# or ``BaseException``) may also reach the enclosing handlers.


class EdgeKind:
    NEXT = "next"
    TRUE = "true"
    FALSE = "false"
    EXCEPTION = "exception"
    LOOP = "loop"  # back edge to a loop header


class Edge:
    __slots__ = ("target", "kind", "cond")

    def __init__(self, target: int, kind: str, cond: Expr | None = None):
        self.target, self.kind, self.cond = target, kind, cond


class Block:
    """A straight run of statements. ``origin`` is set on the blocks of the copies of a
    ``finally`` body that run for a pending exit (an exception, ``return``, ``break`` or
    ``continue``): the block (of the copy lowered in place) whose statements it shares."""

    __slots__ = ("id", "stmts", "succs", "handler", "origin")

    def __init__(self, id: int):
        self.id = id
        self.stmts: list[Stmt] = []
        self.succs: list[Edge] = []
        self.handler: Handler | None = None  # set on the first block of an except clause
        self.origin: int | None = None


@dataclass(slots=True)
class Handler:
    """An ``except`` clause: what it catches and whether it only swallows the error."""

    types: tuple  # resolved type expressions; () for a bare except
    name: str | None
    swallows: bool  # body is only pass/continue/break/... (no raise, no log)
    line: int
    try_lines: tuple[int, int]


# ---------------------------------------------------------------- definitions


@dataclass(slots=True)
class Param:
    name: str
    kind: str  # positional, vararg, keyword, kwarg
    default: Expr | None = None
    annotation: Expr | None = None
    line: int = 0


PATH_SEPARATORS = frozenset({"os.sep", "os.path.sep", "posixpath.sep"})
"""The names of a POSIX server's path separator, ``/`` (for analyses and rules that read joins and checks)."""


MULTICAST_OPTIONS = frozenset({"IP_ADD_MEMBERSHIP", "IPV6_JOIN_GROUP", "IPV6_ADD_MEMBERSHIP", "IP_MULTICAST_IF",
                               "IPV6_MULTICAST_IF", "IP_MULTICAST_LOOP", "IPV6_MULTICAST_LOOP", "IPV6_MULTICAST_HOPS",
                               "IP_MULTICAST_TTL"})
"""Socket options of a multicast endpoint: joining a group, or choosing the interface, hops and loopback of the
multicast datagrams the socket sends (``Function.sets_multicast``)."""


@dataclass(slots=True, eq=False)
class Function:
    name: str
    qualname: str
    line: int
    end_line: int
    params: list[Param] = field(default_factory=list)
    decorators: tuple = ()
    blocks: list[Block] = field(default_factory=list)
    class_qualname: str | None = None
    is_async: bool = False
    is_lambda: bool = False
    is_generator: bool = False
    returns: Expr | None = None
    parent: Function | None = None
    locals: tuple | frozenset = frozenset()
    """The names bound in the function (a tuple once lowered: only ever tested for membership)."""
    names: frozenset | tuple = frozenset()
    """Every name the body mentions (called qualified names, attributes, variables,
    keyword names, short string constants, statement kinds): rules skip functions
    that cannot concern them without walking them. A frozenset until the function's first
    analysis, which asks every rule; a tuple after (``Program.analyse``: a fifth of the size),
    so that what reads it then must take any iterable."""
    handlers: list[Handler] = field(default_factory=list)
    children: list[Function] = field(default_factory=list)
    wraps_in_handler: bool = False
    """A decorator whose inner function calls the decorated one inside a ``try`` that catches every
    ``Exception`` (``@handle_errors``: the error becomes a response). Kept in stubs."""
    wraps_as_data: bool = False
    """A decorator whose inner function returns the decorated one's result as data, not markup: given to
    ``jsonify`` or to a response with a constant non-HTML type (``@jsonified``: a view's string is sent
    as JSON). Kept in stubs."""
    forwards_to: str | None = None
    """A decorator that hands the decorated function to another decorator and returns what that makes (``def
    task(f): return invoke.task(f)``, ``return app.route(rule)(f)``): that decorator's qualified name, so that the
    functions it decorates are what the other's are (an entry point's). Kept in stubs."""
    sets_multicast: bool = False
    """It names a multicast socket option (``IP_ADD_MEMBERSHIP``, ``IP_MULTICAST_IF``...: ``MULTICAST_OPTIONS``):
    the socket it makes or sets up is a multicast endpoint. Kept in stubs."""
    fills: tuple = ()
    """A decorator whose nested functions call the decorated one (a positional parameter of it or of one of
    them) with values of their own: ``(keyword name, None)`` for each keyword they pass, ``(position,
    callee)`` for each position they fill with a local that every assignment gives the result of one call
    (``row = get_object_or_404(Model, slug=slug); return func(request, row)``: ``(1,
    "django.shortcuts.get_object_or_404")``; ``callee`` None when not resolved). Kept in stubs."""
    address_guard: str = ""
    """A project's own check that a URL or host is safe to connect to (server-side request forgery): named for it
    (``validate_url``, ``_assert_public_host``: ``"raises"``; ``is_public_url``: ``"tests"``) in a module that
    classifies addresses (``ip.is_private``, ``is_global``, ``is_loopback``...); "" otherwise. Kept in stubs."""
    abstract: bool = False
    """Its body does nothing (``pass``, ``...``, a docstring, ``return None``) or only raises
    ``NotImplementedError``: a method for subclasses to fill, as ``@abstractmethod`` says. Kept in stubs."""
    returns_mask: bool = False
    """On some way out it returns a mask in place of what it was given (``return '********'``, ``return
    list(map(lambda _: '********', value))``, ``return "<redacted>"``): a helper written to hide secrets. Kept
    in stubs."""

    @property
    def is_method(self) -> bool:
        return self.class_qualname is not None and not self.is_lambda

    def statements(self):
        """Every statement once (the copies of ``finally`` bodies share theirs)."""
        for block in self.blocks:
            if block.origin is None:
                yield from block.stmts


@dataclass(slots=True, eq=False)
class Class:
    name: str
    qualname: str
    line: int
    bases: tuple = ()
    decorators: tuple = ()
    methods: dict = field(default_factory=dict)  # name -> Function
    body: Function | None = None  # class-level statements
    keywords: tuple = ()
    attributes: dict = field(default_factory=dict)
    """Class attributes assigned a literal or a call at class level (``code = 409``,
    ``target = messaging.Target(version="1.0")``): name -> the value expression. Kept in stubs,
    so that what a class declares is known in every process."""
    field_types: dict = field(default_factory=dict)
    """Class-level annotations naming a class (``direction: OrderDirection = ...`` of a dataclass, a pydantic
    model, a Strawberry input): name -> the qualified name (``Optional[X]``, ``X | None``: ``X``). Kept in stubs."""
    validators: tuple = ()
    """``(field, method)`` pairs: ``method`` is a validator of the field (pydantic's ``@field_validator("repo_path")``,
    ``@validator("repo_path")``), run on every value of it before an instance exists. Kept in stubs."""
    dispatches: tuple = ()
    """``(method, dispatched)`` pairs: ``method`` calls a method of ``self`` inside a ``try`` with a
    handler for every ``Exception`` that does not raise again (the error becomes an error page): the
    one named ``dispatched``, or ``"*"`` for one chosen at run time (``getattr(self, name)(...)``, or
    passed to another method of the class that calls it there). Kept in stubs."""


@dataclass(slots=True, eq=False)
class Module:
    name: str  # dotted module name, e.g. ``neutron.agent.linux.utils``
    path: str  # display path
    text: str | None
    """The source text (the very string read, not a copy); None in stubs (``analysis.interface``)."""
    body: Function
    functions: dict = field(default_factory=dict)  # qualname -> Function, all of them
    classes: dict = field(default_factory=dict)  # qualname -> Class
    imports: dict = field(default_factory=dict)  # module-level alias -> qualname
    import_alternatives: dict = field(default_factory=dict)
    """Qualname an import was given -> the other modules' names it may stand for (several files
    could be the module imported); empty in stubs."""
    literal_aliases: dict = field(default_factory=dict)
    """Module-level names bound to a ``Literal[...]`` (``DateTrunc = Literal["hour", "day"]``): name -> that
    annotation. Kept in stubs (a parameter annotated with the alias in another module admits only its
    constants)."""
    resolve: Any = field(default=None, repr=False)
    """How the lowering resolved absolute imports of this file (None: as written); not kept in stubs."""
    _starts: Any = field(default=None, repr=False)  # offset in ``text`` of each line, made when first needed

    @property
    def lines(self) -> list[str] | None:
        """The source lines (``text.split("\\n")``), made anew at each use: a module keeps only its text."""
        return None if self.text is None else self.text.split("\n")

    def _line_starts(self) -> array:
        starts = self._starts
        if starts is None:
            text = self.text
            starts = array("I", [0])  # (4 bytes an offset: a file is read only up to max-file-size)
            find = text.find
            at = find("\n")
            while at >= 0:
                starts.append(at + 1)
                at = find("\n", at + 1)
            self._starts = starts
        return starts

    def _line_end(self, starts: array, index: int) -> int:
        return starts[index + 1] - 1 if index + 1 < len(starts) else len(self.text)

    def source_line(self, line: int) -> str:
        """Line ``line`` (1-based) without its newline; "" outside the text."""
        starts = self._line_starts()
        if 0 < line <= len(starts):
            return self.text[starts[line - 1]:self._line_end(starts, line - 1)]
        return ""

    def source_span(self, line: int, end_line: int) -> str:
        """``"\\n".join(lines[line - 1:end_line])``: lines are contiguous in the text."""
        starts = self._line_starts()
        chosen = range(len(starts))[line - 1:end_line]
        if not chosen:
            return ""
        return self.text[starts[chosen[0]]:self._line_end(starts, chosen[-1])]


# ---------------------------------------------------------------- queries


def walk(expr: Expr):
    """Every sub-expression of ``expr`` in pre-order, ``expr`` first; a lambda's body
    belongs to the lambda's own function and is not entered. Iterative, so long
    chains (``a.b.c...``, ``a + b + ...``) cost linear time and no recursion."""
    stack = [expr]
    pop = stack.pop
    extend = stack.extend
    while stack:
        e = pop()
        yield e
        if type(e) is not Lambda:  # (no class derives from Lambda)
            children = e.children()
            if children:
                extend(children[::-1])


def concat_operands(node: Expr) -> list:
    """``a + b + c`` as ``[a, b, c]``, left to right (any other expression: ``[node]``)."""
    out = []
    stack = [node]
    while stack:
        e = stack.pop()
        if isinstance(e, BinOp) and e.op == "+":
            stack.append(e.right)
            stack.append(e.left)
        else:
            out.append(e)
    return out


def string_parts(node: Expr) -> list | None:
    """The parts of an f-string, a string concatenation (``StringBuild`` of kind ``concat``) or ``a + b + c``, left
    to right (formatted values as they are); None for any other expression."""
    if isinstance(node, StringBuild) and node.kind in ("fstring", "concat"):
        return list(node.parts)
    if isinstance(node, BinOp) and node.op == "+":
        return concat_operands(node)
    return None


def number_annotation(annotation) -> bool:
    """``token: int``: an annotation saying a number or a flag (``int``, ``float``, ``bool``)."""
    return isinstance(annotation, Name) and annotation.id in ("int", "float", "bool")


def dotted_text(e: Expr) -> str | None:
    """``quota.QUOTAS`` / ``self.role_api``: the text of a name or an attribute chain on a name, else None."""
    parts = []
    while isinstance(e, Attr):
        parts.append(e.attr)
        e = e.value
    if not isinstance(e, Name):
        return None
    parts.append(e.id)
    return ".".join(reversed(parts))


def read_name(e: Expr) -> str | None:
    """The name a value is read under: a variable, an attribute, a constant key (``d["k"]``,
    ``d.get("k")``); None for anything else."""
    if isinstance(e, Name):
        return e.id
    if isinstance(e, Attr):
        return e.attr
    if isinstance(e, Subscript) and isinstance(e.index, Const) and isinstance(e.index.value, str):
        return e.index.value
    if isinstance(e, Call) and e.method == "get" and e.args and isinstance(e.args[0], Const) \
            and isinstance(e.args[0].value, str):
        return e.args[0].value
    return None


def last_name(e: Expr) -> str:
    """The last part of what an expression names (an exception type in ``except``): ``NotFound`` for
    ``exception.NotFound``; "" for anything else."""
    q = getattr(e, "qualname", None)
    if q:
        return q.rsplit(".", 1)[-1]
    if isinstance(e, Attr):
        return e.attr
    if isinstance(e, Name):
        return e.id
    return ""


def is_pure(expr: Expr) -> bool:
    """An expression whose evaluation runs no code (no call, no walrus, no yield)."""
    return not any(isinstance(e, (Call, NamedExpr, Yield, Await, Lambda, Comprehension)) for e in walk(expr))
