"""What analysing other files needs to know of a module, without its bodies.

A worker process, or a run that takes a file's results from the cache, holds the
IR of only some modules. For the others it holds *stubs*: the same ``ir.Module``,
``ir.Function`` and ``ir.Class`` objects with their names, parameters,
decorators, bases and imports but no statements, enough to resolve a call into
them and bind its arguments. What calling them does comes from their summaries,
computed where their IR is.
"""

from __future__ import annotations

from secreview.ir import nodes as ir


def module_stub(module: ir.Module) -> ir.Module:
    functions = {q: function_stub(fn) for q, fn in module.functions.items()}
    classes = {q: ir.Class(c.name, c.qualname, c.line, c.bases, c.decorators, {}, None, c.keywords)
               for q, c in module.classes.items()}
    return ir.Module(module.name, module.path, None, functions[module.body.qualname], functions, classes,
                     dict(module.imports))


def function_stub(fn: ir.Function) -> ir.Function:
    params = [ir.Param(p.name, p.kind, None, p.annotation, p.line) for p in fn.params]
    return ir.Function(fn.name, fn.qualname, fn.line, fn.end_line, params, fn.decorators,
                       class_qualname=fn.class_qualname, is_async=fn.is_async, is_lambda=fn.is_lambda,
                       is_generator=fn.is_generator)
