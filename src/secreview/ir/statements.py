"""What a statement reads and binds: the small questions flow-free rules ask of IR statements.

Rules that walk a function's statements by hand (resource leaks, races, config mutation...) ask the
same few things of each one; these answers live here once, below the rules, so that no rule imports
another rule's private helpers.
"""

from __future__ import annotations

import re

from secreview.ir import nodes as ir


def expressions(stmt):
    """The expressions ``stmt`` evaluates, including what its targets read (``x[i] = v`` reads ``x``
    and ``i``; ``del x.a`` reads ``x``), but not the names it binds."""
    t = type(stmt)
    if t is ir.Assign:
        yield stmt.value
        for target in stmt.targets:
            yield from target_reads(target)
    elif t in (ir.Evaluate, ir.Return) and stmt.value is not None:
        yield stmt.value
    elif t is ir.Raise:
        if stmt.exc is not None:
            yield stmt.exc
    elif t is ir.Assert:
        yield stmt.test
        if stmt.msg is not None:
            yield stmt.msg
    elif t is ir.Delete:
        for target in stmt.targets:
            yield from target_reads(target)


def calls(function):
    """Every call the statements of ``function`` make (its nested functions are functions of their own)."""
    for stmt in function.statements():
        for expr in expressions(stmt):
            for e in ir.walk(expr):
                if isinstance(e, ir.Call):
                    yield e


WRITE_MODE_LETTERS = frozenset("wax+")
"""The letters of an ``open()`` mode that write (create, truncate, append or update)."""


def open_mode(call) -> str | None:
    """The mode an ``open()``-like call (``open(path, mode)``, ``io.open``, ``codecs.open``) is given: its constant,
    ``"r"`` when none is given and no ``*args`` or ``**kwargs`` could give one; None when it is not a constant."""
    mode = call.argument(1, "mode")
    if mode is None:
        unseen = any(isinstance(a, ir.Starred) for a in call.args) or any(k.name is None for k in call.keywords)
        return None if unseen else "r"
    return mode.value if isinstance(mode, ir.Const) and isinstance(mode.value, str) else None


def caught_at(fn, line: int, names) -> bool:
    """Whether a ``try`` of ``fn`` around ``line`` has a bare ``except`` or a handler of an exception whose
    last name is in ``names`` (``except (ValueError, exc.OSError):``)."""
    for handler in fn.handlers:
        first, last = handler.try_lines
        if first <= line <= last and (not handler.types or any(ir.last_name(t) in names for t in handler.types)):
            return True
    return False


def target_reads(target):
    """The expressions a target reads (``x["a"]["b"] = v`` reads ``x["a"]`` and ``"b"``), not what it
    stores into."""
    if isinstance(target, ir.AttrTarget):
        yield target.value
    elif isinstance(target, ir.ItemTarget):
        yield target.value
        yield target.index
    elif isinstance(target, ir.UnpackTarget):
        for elt in target.elts:
            yield from target_reads(elt)
    elif isinstance(target, ir.StarTarget):
        yield from target_reads(target.target)


def target_names(target):
    """The variables a target binds (``a, *b = ...`` binds ``a`` and ``b``); attributes and items
    are not variables."""
    if isinstance(target, ir.NameTarget):
        yield target.id
    elif isinstance(target, ir.UnpackTarget):
        for elt in target.elts:
            yield from target_names(elt)
    elif isinstance(target, ir.StarTarget):
        yield from target_names(target.target)


def binds(stmt, name: str) -> bool:
    """``stmt`` is an assignment that binds the variable ``name``."""
    return type(stmt) is ir.Assign and any(n == name for t in stmt.targets for n in target_names(t))


def bindings(function, name: str) -> list:
    """Every assignment of ``function`` that binds the variable ``name``, in statement order."""
    return [stmt for stmt in function.statements() if binds(stmt, name)]


def bound_values(function, name: str) -> list:
    """The values ``function`` assigns to the local ``name``, None for a binding whose value is not its own (a
    parameter, an unpacked tuple, a loop's element, an augmented assignment)."""
    if any(param.name == name for param in function.params):
        return [None]
    return [s.value if s.op is None and any(isinstance(t, ir.NameTarget) and t.id == name for t in s.targets)
            else None for s in bindings(function, name)]


def names_bound_to(function, value) -> set:
    """The names ``function`` binds the expression ``value`` to (``response = Response(body)``: the call itself,
    by identity)."""
    return {t.id for stmt in function.statements() if isinstance(stmt, ir.Assign) and stmt.value is value
            for t in stmt.targets if isinstance(t, ir.NameTarget)}


def is_local(e, name: str) -> bool:
    """``e`` reads the local variable ``name``."""
    return isinstance(e, ir.Name) and e.id == name and e.kind == ir.NameKind.LOCAL


def place_key(e) -> str | None:
    """A name for the place ``e`` reads, equal for two reads of the same variable, attribute chain or
    constant string (``self.path``, ``'/etc/x'``); None for anything computed."""
    if isinstance(e, ir.Name) and e.kind in (ir.NameKind.LOCAL, ir.NameKind.GLOBAL, ir.NameKind.FREE):
        return e.id
    if isinstance(e, ir.Attr):
        base = place_key(e.value)
        return f"{base}.{e.attr}" if base else None
    if isinstance(e, ir.Const) and isinstance(e.value, str) and e.value:
        return repr(e.value)
    return None


def assigned_places(stmt):
    """The places (``place_key``) an assignment stores into: variables and attribute chains."""
    if type(stmt) is ir.Assign:
        for t in stmt.targets:
            yield from _target_places(t)


def _target_places(t):
    if isinstance(t, ir.NameTarget):
        yield t.id
    elif isinstance(t, ir.AttrTarget):
        base = place_key(t.value)
        if base:
            yield f"{base}.{t.attr}"
    elif isinstance(t, ir.UnpackTarget):
        for e in t.elts:
            yield from _target_places(e)
    elif isinstance(t, ir.StarTarget):
        yield from _target_places(t.target)


_ADMIN_WORDS = frozenset({"admin", "administrator", "superuser", "staff", "sysadmin"})
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_REQUIRE_WORDS = frozenset({"required", "require", "requires", "only", "permission", "passes", "test", "needs"})
_ROLE_REQUIRE_WORDS = frozenset({"required", "require", "requires", "accepted"})


def admin_only(fn: ir.Function) -> bool:
    """A function a decorator reserves for administrators: ``@admin_required``, ``@staff_member_required``,
    ``@superuser_only``, ``@Permissions.ADMIN.require(403)``, ``@user_passes_test(lambda u: u.is_superuser)``:
    a decorator whose names say both an administrator and a requirement; one that requires roles all named for
    administrators (``@roles_required("administrator")``); or a FastAPI handler that depends on
    an administrator (``user=Depends(get_admin_user)``)."""
    for d in fn.decorators:
        words = set()
        for e in ir.walk(d):
            name = e.id if isinstance(e, ir.Name) else e.attr if isinstance(e, ir.Attr) else None
            if name:
                words.update(w.lower() for w in _WORD.findall(name))
        if words & _ADMIN_WORDS and words & _REQUIRE_WORDS:
            return True
        if isinstance(d, ir.Call) and words & _ROLE_REQUIRE_WORDS and d.args and not d.keywords and all(
                isinstance(a, ir.Const) and isinstance(a.value, str)
                and {w.lower() for w in _WORD.findall(a.value)} & _ADMIN_WORDS for a in d.args):
            # Flask-Security's ``@roles_required("administrator")`` (``@roles_accepted("admin")``): every role it
            # names is an administrator's (not with a keyword: docassemble's ``roles_required('admin',
            # permission='edit_user_info')`` admits any role granted that permission)
            return True
    # FastAPI's dependency on an administrator: ``user=Depends(get_admin_user)`` (answers 401/403 to others)
    for param in fn.params:
        default = param.default
        if isinstance(default, ir.Call) and (getattr(default.func, "id", None) or getattr(default.func, "attr", None)) \
                in ("Depends", "Security") and default.args:
            name = getattr(default.args[0], "id", None) or getattr(default.args[0], "attr", None) or ""
            if {w.lower() for w in _WORD.findall(name)} & _ADMIN_WORDS:
                return True
    return False


def module_references(module) -> dict:
    """``{qualname: (functions that call it, named otherwise too)}`` of the module's own functions, as the
    module's code names them: each function (and the module body) that calls it by its name, and
    whether some code of the module names it other than as the function of a call (a callback, a
    route table entry)."""
    own = set(module.functions)
    out: dict = {}
    for fn in (module.body, *module.functions.values()):
        for stmt in fn.statements():
            for expr in expressions(stmt):
                called = set()
                for e in ir.walk(expr):
                    if isinstance(e, ir.Call) and isinstance(e.func, ir.Name):
                        called.add(id(e.func))
                    elif isinstance(e, ir.Name) and e.qualname in own:
                        callers, other = out.get(e.qualname, ((), False))
                        if id(e) in called:
                            out[e.qualname] = ((*callers, fn) if fn not in callers else callers, other)
                        else:
                            out[e.qualname] = (callers, True)
    return out


def admin_only_helper(fn: ir.Function, references: dict, seen: frozenset = frozenset()) -> bool:
    """A function of a module that no decorator makes a handler, called by its name, at least once, and
    only by functions of its module that are ``admin_only`` or such helpers in turn, and named nowhere else
    in the module (``pathchooser()``, called only by ``@admin_required def ajax_pathchooser()``): what it
    reads of the request, only administrators send. (Code of other modules is not looked at: a helper of
    an administrators' module is seldom called from elsewhere.)"""
    nested = fn.parent is not None and fn.parent.parent is not None  # (a module's functions have its body)
    if fn.decorators or nested or fn.class_qualname is not None or fn.qualname in seen:
        return False
    callers, other = references.get(fn.qualname, ((), False))
    if other or not callers:
        return False
    seen = seen | {fn.qualname}
    return all(admin_only(c) or admin_only_helper(c, references, seen) for c in callers)
