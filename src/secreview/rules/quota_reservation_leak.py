"""Quota reservation left behind when the request fails before it is committed or rolled back.

OpenStack services count usage with reservations: `reservations =
QUOTAS.reserve(context, shares=1, gigabytes=size)` holds the quota for this
request until `QUOTAS.commit(context, reservations)` makes it usage or
`QUOTAS.rollback(context, reservations)` gives it back. If the request fails
in between and nothing rolls the reservation back, the project's quota stays
taken until the reservation expires (a day, by default): a client that sends
requests which fail validation after the reservation can use up its own
quota, or, with a shared quota, everyone's, and every such failure leaves a
row behind (CWE-772, missing release of a resource after its lifetime).
OpenStack has fixed this more than once by moving a check before the
reservation or a `raise` into the `try` that rolls back.

Reported, in functions (not module or class bodies) outside test code, where
the result of a `reserve(...)` call on an object whose name says quota
(`QUOTAS`, `quota.QUOTAS`, `self.quotas`) is assigned to a local variable,
and a path from there leaves the function by an exception without passing
that variable to any call: a `raise` statement, or a call whose name says it
checks (`check`, `validate`, `verify`, `ensure`, `assert`: made to raise on
bad input), with no enclosing `try` whose handler or `finally` gives the
reservation to `rollback`/`commit` or to another function. Passing the
variable to any call (`rollback`, `commit`, an RPC call or helper that takes
`reservations=`), returning it or storing it ends the path: its owner may
release it. Not reported: a path on which the variable is known to be empty
(`if reservations:`), a normal return without a commit (the branch may be
the one on which nothing was reserved: conditions the analysis does not
correlate), and other calls that could raise (any call could).

**Fix:** run checks that may reject the request before the reservation, or
put the code after `reserve()` inside the `try` whose handler calls
`QUOTAS.rollback(context, reservations)` (`with
excutils.save_and_reraise_exception(): QUOTAS.rollback(...)`).
"""

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.control import rules_out_truthy
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import binds, expressions, is_local
from secreview.rules.base import FunctionRule, Hit

_CHECK_WORDS = ("check", "validate", "verify", "ensure", "assert")


def _is_reserve(call) -> bool:
    if not isinstance(call, ir.Call) or not isinstance(call.func, ir.Attr) or call.func.attr != "reserve":
        return False
    receiver = ir.dotted_text(call.func.value)
    return receiver is not None and "quota" in receiver.rsplit(".", 1)[-1].lower()


def _hands_over(stmt, name) -> bool:
    """The reservation is passed to a call, returned, yielded or stored: released or given to an owner."""
    t = type(stmt)
    if t is ir.Return and stmt.value is not None and any(is_local(e, name) for e in _walk(stmt.value)):
        return True
    if t is ir.Assign and not binds(stmt, name) and any(is_local(e, name) for e in _walk(stmt.value)):
        return True
    for root in expressions(stmt):
        for e in _walk(root):
            if isinstance(e, ir.Call):
                values = list(e.args) + [k.value for k in e.keywords]
                if any(is_local(x, name) for v in values for x in _walk(v)):
                    return True
            elif isinstance(e, ir.Yield) and e.value is not None and any(is_local(x, name) for x in _walk(e.value)):
                return True
    return False


def _check_call(stmt):
    """The first call of ``stmt`` whose name says it checks (made to raise), or None."""
    for root in expressions(stmt):
        for e in _walk(root):
            if isinstance(e, ir.Call):
                last = (e.method or getattr(e.func, "id", None) or (e.qualname or "").rsplit(".", 1)[-1] or "")
                words = last.lower().strip("_").split("_")
                if any(w.startswith(c) for w in words for c in _CHECK_WORDS):
                    return e
    return None


def _explicit(stmt) -> bool:
    """A ``raise`` statement, or a statement calling a check (made to raise on bad input)."""
    return type(stmt) is ir.Raise or _check_call(stmt) is not None


def _has_call(stmt) -> bool:
    return type(stmt) is ir.Raise or any(isinstance(e, ir.Call) for root in expressions(stmt) for e in _walk(root))


def _handlers_for(blocks, block, stmt):
    """The exception edges of ``block`` that catch an exception raised by ``stmt``. The block that
    holds the statements before a ``try`` has that try's edges too (its body's first statement may
    raise): a handler whose ``try`` does not span ``stmt``'s line does not catch it."""
    out = []
    for e in block.succs:
        if e.kind != ir.EdgeKind.EXCEPTION:
            continue
        handler = blocks[e.target].handler
        if handler is not None and not handler.try_lines[0] <= stmt.line <= handler.try_lines[1]:
            continue
        out.append(e.target)
    return out


def _error_exits(function, start_block, start_index, name) -> list:
    """The statements whose exception leaves the function with the reservation held, by line.

    Paths follow normal edges, and exception edges into the handlers of the ``try`` around a
    statement with a call; a path ends where the reservation is handed over or rebound. Only a
    ``raise`` or a check call leaving the function is reported: any call could raise."""
    blocks = function.blocks
    stack = [(start_block, start_index + 1, None)]
    visited = set()
    found = {}
    while stack:
        bid, i, pending = stack.pop()
        key = (bid, i, pending)
        if key in visited:
            continue
        visited.add(key)
        block = blocks[bid]
        if i >= len(block.stmts):
            normal = [e.target for e in block.succs if e.kind != ir.EdgeKind.EXCEPTION
                      and not rules_out_truthy(e, name)]
            if normal:
                stack.extend((t, 0, pending) for t in normal)
            elif pending is not None:  # the end of a finally body run for an exception
                handlers = _handlers_for(blocks, block, pending)
                if not handlers and _explicit(pending):
                    found[id(pending)] = pending
                for t in handlers:
                    stack.append((t, 0, None if blocks[t].handler is not None else pending))
            continue
        stmt = block.stmts[i]
        if _hands_over(stmt, name) or binds(stmt, name):
            continue
        if _has_call(stmt):
            handlers = _handlers_for(blocks, block, stmt)
            if not handlers and _explicit(stmt):
                found[id(stmt)] = stmt
            for t in handlers:
                stack.append((t, 0, None if blocks[t].handler is not None else stmt))
        if type(stmt) in (ir.Raise, ir.Return):
            continue
        stack.append((bid, i + 1, pending))
    return sorted(found.values(), key=lambda s: (s.line, s.col))


class QuotaReservationLeak(FunctionRule):
    __doc__ = __doc__

    id = "SR803"
    name = "quota-reservation-leak"
    title = "Quota reservation not rolled back when the request fails"
    cwe = 772
    severity = Level.LOW
    confidence = Level.MEDIUM
    bandit = ()
    tests_relevant = False
    triggers = frozenset({"reserve"})

    def check_function(self, module, function):
        if function.name.startswith("<"):
            return
        from secreview.analysis.code_text import code_of
        for bid, block in enumerate(function.blocks):
            if block.origin is not None:  # a copy of a finally body
                continue
            for i, stmt in enumerate(block.stmts):
                if type(stmt) is not ir.Assign or len(stmt.targets) != 1 or stmt.op is not None:
                    continue
                target = stmt.targets[0]
                if not isinstance(target, ir.NameTarget) or not _is_reserve(stmt.value):
                    continue
                name = target.id
                exits = _error_exits(function, bid, i, name)
                if not exits:
                    continue
                where = exits[0]
                receiver = ir.dotted_text(stmt.value.func.value)
                if type(where) is ir.Raise:
                    how = f"the `raise` on line {where.line}"
                else:
                    how = f"`{code_of(module, _check_call(where))}` on line {where.line}, if it raises,"
                others = ""
                if len(exits) > 1:
                    lines = ", ".join(str(s.line) for s in exits[1:])
                    others = f" The same holds for the exception raised on line{'s' if len(exits) > 2 else ''} {lines}."
                yield Hit(
                    node=where,
                    explanation=(f"`{name}` holds the quota reserved by `{receiver}.reserve(...)` on line "
                                 f"{stmt.line}, but {how} leaves `{function.name}()` without passing `{name}` to "
                                 f"`rollback`, `commit` or any other call: the reservation stays until it "
                                 f"expires, and the quota it holds cannot be used meanwhile.{others}"),
                    fix=(f"Make the check before `{receiver}.reserve(...)`, or move this code into the `try` "
                         f"whose handler calls `{receiver}.rollback(context, {name})`."),
                    notes=((stmt, f"`{name}` reserved here"),),
                )
