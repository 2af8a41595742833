"""Calls that run a function of the reviewed code later, with arguments given now: a thread's target,
an executor's job, a task queue's task, a green thread. The function is called with those arguments
as surely as by a direct call, so data passed that way reaches its sinks (a request's value handed to
``pool.submit(clone, url)`` runs the ``git clone`` built there), and its callers are known.

Each entry says where the function is and where its arguments are: ``ref`` (position, keyword) of the
function; ``rest``: every positional argument after the function's, and the keywords, are its
arguments (``submit(fn, *args, **kwargs)``); or ``args``/``kwargs`` (position, keyword) of a tuple
and a dict display holding them (``Thread(target=fn, args=(a,), kwargs={...})``). ``receiver``: the
function is the object the method is called on (celery's ``task.delay(*args)``).
"""

from __future__ import annotations

from dataclasses import dataclass

from secreview.ir import nodes as ir


@dataclass(frozen=True)
class Deferred:
    ref: tuple | None = None  # (position, keyword) of the function
    rest: bool = False
    args: tuple | None = None  # (position, keyword) of a tuple of positional arguments
    kwargs: tuple | None = None  # (position, keyword) of a dict of keyword arguments
    receiver: bool = False


_THREAD = Deferred(ref=(1, "target"), args=(3, "args"), kwargs=(4, "kwargs"))
BY_CALLEE = {
    "threading.Thread": _THREAD,
    "multiprocessing.Process": _THREAD,
    "multiprocessing.context.Process": _THREAD,
    "threading.Timer": Deferred(ref=(1, "function"), args=(2, "args"), kwargs=(3, "kwargs")),
    "_thread.start_new_thread": Deferred(ref=(0, None), args=(1, None), kwargs=(2, None)),
    "asyncio.to_thread": Deferred(ref=(0, "func"), rest=True),
    "eventlet.spawn": Deferred(ref=(0, None), rest=True),
    "eventlet.spawn_n": Deferred(ref=(0, None), rest=True),
    "eventlet.greenthread.spawn": Deferred(ref=(0, None), rest=True),
    "eventlet.greenthread.spawn_n": Deferred(ref=(0, None), rest=True),
    "gevent.spawn": Deferred(ref=(0, None), rest=True),
}
"""By the callee's qualified name."""

BY_METHOD = {
    "submit": Deferred(ref=(0, None), rest=True),  # concurrent.futures executors, thread pools
    "enqueue": Deferred(ref=(0, None), rest=True),  # rq's Queue.enqueue(f, *args, **kwargs)
    "run_in_executor": Deferred(ref=(1, None), rest=True),  # asyncio's loop.run_in_executor(executor, f, *args)
    "spawn": Deferred(ref=(0, None), rest=True),  # eventlet/gevent pools, greenthread helpers
    "spawn_n": Deferred(ref=(0, None), rest=True),
    "delay": Deferred(receiver=True, rest=True),  # celery's task.delay(*args, **kwargs)
    "apply_async": Deferred(receiver=True, args=(0, "args"), kwargs=(1, "kwargs")),  # task.apply_async(args, kwargs)
}
"""By the method's name, when the function it is given (or called on) is one of the reviewed code."""


def deferred_of(call: ir.Call, callees) -> Deferred | None:
    for callee in callees:
        found = BY_CALLEE.get(callee)
        if found is not None:
            return found
    method = call.method
    return BY_METHOD.get(method) if method is not None else None


def function_expr(call: ir.Call, spec: Deferred) -> ir.Expr | None:
    """The expression that names the function to be called."""
    if spec.receiver:
        return call.func.value if isinstance(call.func, ir.Attr) else None
    position, keyword = spec.ref
    return call.argument(position, keyword)


def synthetic_call(call: ir.Call, spec: Deferred, func: ir.Expr) -> ir.Call | None:
    """The call of the function the deferred call stands for, at its place (where the function is named, when
    that is another line of the call): ``fn(*args, **kwargs)``.
    None when its arguments are not written out where they can be read (a tuple built elsewhere)."""
    if spec.rest:
        start = 0 if spec.receiver else spec.ref[0] + 1
        args = tuple(call.args[start:])
        keywords = tuple(k for k in call.keywords if spec.ref is None or k.name != spec.ref[1])
    else:
        args, keywords = (), ()
        if spec.args is not None:
            given = call.argument(*spec.args)
            if given is not None:
                if not isinstance(given, ir.Container):
                    return None
                args = tuple(given.elts)
        if spec.kwargs is not None:
            given = call.argument(*spec.kwargs)
            if given is not None:
                if not isinstance(given, ir.DictExpr) or not all(
                        isinstance(k, ir.Const) and isinstance(k.value, str) for k in given.keys):
                    return None
                keywords = tuple(ir.Keyword(k.value, v) for k, v in zip(given.keys, given.values))
    synthetic = ir.Call(func, args, keywords, getattr(func, "qualname", None))
    # placed where the function is named (``target=_invoke_function,`` on its own line of a long
    # ``Process(...)``): the trace's "passed to `_invoke_function()`" cites a line that names it
    if func.line and func.line != call.line:
        return synthetic.at(func.line, func.col, func.end_line, func.end_col)
    return synthetic.at(call.line, call.col, call.end_line, call.end_col)
