"""What analysing other files needs to know of a module, without its bodies.

A worker process, or a run that takes a file's results from the cache, holds the
IR of only some modules. For the others it holds *stubs*: the same ``ir.Module``,
``ir.Function`` and ``ir.Class`` objects with their names, parameters,
decorators, bases and imports but no statements, enough to resolve a call into
them and bind its arguments. What calling them does comes from their summaries,
computed where their IR is.
"""

from __future__ import annotations

import sys

from secreview.analysis import values as V
from secreview.ir import nodes as ir


def module_stub(module: ir.Module) -> ir.Module:
    functions = {q: function_stub(fn) for q, fn in module.functions.items()}
    classes = {q: ir.Class(c.name, c.qualname, c.line, c.bases, c.decorators, {}, None, c.keywords, c.attributes,
                            field_types=c.field_types, dispatches=c.dispatches, validators=c.validators)
               for q, c in module.classes.items()}
    return ir.Module(module.name, module.path, None, functions[module.body.qualname], functions, classes,
                     dict(module.imports), literal_aliases=dict(module.literal_aliases))


def function_stub(fn: ir.Function) -> ir.Function:
    # a constant default is kept: a caller that leaves the argument out passes that constant (a vote, in
    # ``Program.apply_flow``, that must not depend on whether the callee's module is lowered or a stub)
    params = [ir.Param(p.name, p.kind, p.default if isinstance(p.default, ir.Const) else None, p.annotation, p.line)
              for p in fn.params]
    # no statements, handlers or children: shared empty tuples, not three empty lists per function
    return ir.Function(fn.name, fn.qualname, fn.line, fn.end_line, params, fn.decorators, (),
                       class_qualname=fn.class_qualname, is_async=fn.is_async, is_lambda=fn.is_lambda,
                       is_generator=fn.is_generator, handlers=(), children=(), wraps_in_handler=fn.wraps_in_handler,
                       wraps_as_data=fn.wraps_as_data, forwards_to=fn.forwards_to, returns_mask=fn.returns_mask,
                       abstract=fn.abstract,
                       fills=fn.fills,
                       address_guard=fn.address_guard,
                       sets_multicast=fn.sets_multicast)


def interned(stub: ir.Module) -> ir.Module:
    """``stub`` (just unpickled: another worker's, or the cache's) with its names as the process's
    interned strings (``sys.intern``), as the lowering makes them: each stub unpickled otherwise
    holds its own copy of every qualified name, parameter and function name, which this process
    has already for its own IR and for the summaries keyed by them. Changes no value."""
    intern = sys.intern
    stub.name = intern(stub.name)
    functions = {}
    for q, fn in stub.functions.items():
        fn.qualname = intern(fn.qualname)
        fn.name = intern(fn.name)
        if fn.class_qualname is not None:
            fn.class_qualname = intern(fn.class_qualname)
        for param in fn.params:
            param.name = intern(param.name)
            param.kind = intern(param.kind)
        for d in fn.decorators:
            _intern_expr(d)
        functions[intern(q)] = fn
    stub.functions = functions
    classes = {}
    for q, klass in stub.classes.items():
        klass.name = intern(klass.name)
        klass.qualname = intern(klass.qualname)
        for e in (*klass.bases, *klass.decorators):
            _intern_expr(e)
        classes[intern(q)] = klass
    stub.classes = classes
    stub.imports = {intern(k): intern(v) for k, v in stub.imports.items()}
    return stub


def _intern_expr(e) -> None:
    """The names of a decorator or base expression interned (``Name``, ``Attr`` and calls of them)."""
    intern = sys.intern
    while e is not None:
        if isinstance(e, ir.Name):
            e.id = intern(e.id)
            if e.qualname is not None:
                e.qualname = intern(e.qualname)
            return
        if isinstance(e, ir.Attr):
            e.attr = intern(e.attr)
            if e.qualname is not None:
                e.qualname = intern(e.qualname)
            e = e.value
        elif isinstance(e, ir.Call):
            if e.qualname is not None:
                e.qualname = intern(e.qualname)
            e = e.func
        else:
            return


def _expr_print(e) -> tuple:
    """An expression's shape and names, without positions."""
    if e is None:
        return ()
    if isinstance(e, ir.Const):
        return ("const", V._stable_repr(e.value))
    if isinstance(e, ir.Name):
        return ("name", e.id, e.qualname)
    if isinstance(e, ir.Attr):
        return ("attr", _expr_print(e.value), e.attr, e.qualname)
    if isinstance(e, ir.Call):
        return ("call", _expr_print(e.func), tuple(_expr_print(a) for a in e.args),
                tuple((k.name, _expr_print(k.value)) for k in e.keywords))
    return (type(e).__name__, tuple(_expr_print(c) for c in e.children()) if isinstance(e, ir.Expr) else ())


def definition(stub: ir.Module, qualname: str) -> tuple:
    """What resolving ``qualname`` in this module finds, without positions: a function's
    parameters and decorators, a class's bases, an import's target, or nothing."""
    fn = stub.functions.get(qualname)
    if fn is not None:
        return ("function", tuple((p.name, p.kind, _expr_print(p.annotation),
                                   _expr_print(p.default) if isinstance(p.default, ir.Const) else ())
                                  for p in fn.params), fn.class_qualname,
                fn.is_lambda, tuple(_expr_print(d) for d in fn.decorators), fn.wraps_in_handler,
                fn.wraps_as_data, fn.forwards_to, fn.fills, fn.address_guard)
    klass = stub.classes.get(qualname)
    if klass is not None:
        return ("class", tuple(_expr_print(b) for b in klass.bases), tuple(_expr_print(d) for d in klass.decorators),
                tuple((k, _expr_print(v)) for k, v in sorted(klass.attributes.items())), klass.dispatches,
                tuple(sorted(klass.field_types.items())), klass.validators)
    module_name, _, attr = qualname.rpartition(".")
    if module_name == stub.name and attr in stub.imports:
        return ("import", stub.imports[attr])
    return ("absent",)
