"""Configuration option's value changed in place.

oslo.config hands out the same object each time an option is read: `origins =
CONF.cors.allowed_origin` is the list the configuration holds, not a copy.
Appending to it, updating it or deleting from it changes the option for
everything else in the process that reads it later (CWE-471, modification of
assumed-immutable data): a request handler that does `origins.append(host)`
adds the host of every request to the allowed origins, for all later
requests, and the list grows for as long as the service runs. OpenStack fixed
exactly this in a console proxy's origin check (`list(CONF.cors.allowed_origin
or [])`).

Reported, in functions outside test code, where a local variable bound once
in the function to an option read from `CONF` (`CONF.group.option`,
`cfg.CONF.option`, also `CONF.group.option or []`) is changed in place: a
call of `append`, `extend`, `insert`, `remove`, `pop`, `clear`, `update`,
`setdefault`, `add`, `discard`, `sort` or `reverse` on it, an item assigned or
deleted (`v[k] = x`, `del v[k]`); and such a call made on the
option itself (`CONF.group.option.append(x)`). Not reported: copies
(`list(CONF.x)`, `dict(CONF.x)`, `CONF.x[:]`, `copy.copy(...)`), options set
through `CONF.set_override`, and a variable bound more than once in the
function, `v += ...` included (it may hold a copy by then, and `+=` rebinds
strings and numbers).

In the extended set: the two findings on current OpenStack code judged blind
(2026-12-02) were a start-up step (worth a look) and idempotent writes of the
same values (false); the defect needs a change that accumulates per call.

**Fix:** copy the value before changing it (`origins = list(CONF.cors.allowed_origin
or [])`, `opts = dict(CONF.group.mapping)`), or build a new value (`origins =
[*CONF.cors.allowed_origin, host]`).
"""

from __future__ import annotations

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import bindings, expressions, is_local
from secreview.rules.base import FunctionRule, Hit

_MUTATORS = frozenset({"append", "extend", "insert", "remove", "pop", "clear", "update", "setdefault", "add",
                       "discard", "sort", "reverse", "popitem"})


def _option(e):
    """``CONF.group.option`` / ``cfg.CONF.option`` (an option read below ``CONF``), or None."""
    if not isinstance(e, ir.Attr):
        return None
    chain = []
    node = e
    while isinstance(node, ir.Attr):
        chain.append(node.attr)
        node = node.value
    if not isinstance(node, ir.Name):
        return None
    chain.append(node.id)
    chain.reverse()  # ["cfg", "CONF", "group", "option"]
    if "CONF" not in chain:
        return None
    below = chain[chain.index("CONF") + 1:]
    if not below or any(part.startswith("_") for part in below) or below[-1] in ("set_override", "set_default"):
        return None
    return e


def _option_read(value):
    """The option a value is (``CONF.x`` or ``CONF.x or []``), or None: not a copy of it."""
    found = _option(value)
    if found is not None:
        return found
    if isinstance(value, ir.BoolOp) and value.op == "or" and value.values:
        first = _option(value.values[0])
        rest_empty = all(isinstance(v, (ir.Container, ir.DictExpr)) and not v.children() for v in value.values[1:])
        if first is not None and rest_empty:
            return first
    return None





class ConfigValueMutated(FunctionRule):
    __doc__ = __doc__

    id = "SR805"
    name = "config-value-mutated"
    title = "Configuration option's value changed in place"
    cwe = 471
    severity = Level.LOW
    confidence = Level.MEDIUM
    bandit = ()
    tests_relevant = False
    extended = True
    triggers = frozenset({"CONF"})

    def check_function(self, module, function):
        from secreview.analysis.code_text import code_of
        # locals bound once, to an option itself
        holders = {}
        for stmt in function.statements():
            if type(stmt) is ir.Assign and stmt.op is None and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0], ir.NameTarget):
                opt = _option_read(stmt.value)
                if opt is not None:
                    holders.setdefault(stmt.targets[0].id, (stmt, opt))
        holders = {n: v for n, v in holders.items()
                   if n in function.locals and len(bindings(function, n)) == 1}
        found = {}  # holder name (or the option's text) -> its in-place changes, in line order
        for stmt in sorted(function.statements(), key=lambda s: (s.line, s.col)):
            for node, name, how in self._mutations(stmt, holders):
                key = name if name is not None else code_of(module, node.func.value)
                found.setdefault(key, []).append((node, name, how))
        for changes in found.values():
            node, name, how = changes[0]
            more = ""
            if len(changes) > 1:
                lines = ", ".join(str(c[0].line) for c in changes[1:])
                more = f" (and again on line{'s' if len(changes) > 2 else ''} {lines})"
            if name is None:
                option = code_of(module, node.func.value)
                explanation = (f"`{code_of(module, node)}` changes the value of the option `{option}` in "
                               f"place{more}: the configuration hands out this same object to every later reader "
                               f"in the process, so they all see the change")
                notes = ()
            else:
                bound, opt = holders[name]
                option = code_of(module, opt)
                explanation = (f"`{name}` is the value of the option `{option}` itself (bound on line "
                               f"{bound.line}, not a copy), and {how} changes it in place{more}: the "
                               f"configuration hands out this same object to every later reader in the process, "
                               f"so they all see the change")
                notes = ((bound, f"`{name}` bound to `{option}` here"),)
            yield Hit(
                node=node,
                explanation=explanation + "; code that runs per request or per message makes it grow or "
                                          "drift for as long as the service runs.",
                fix=f"Work on a copy: `list({option} or [])`, `dict({option})`, or build a new value.",
                notes=notes,
            )

    def _mutations(self, stmt, holders):
        """(node, holder name or None for the option itself, how) for each in-place change in ``stmt``."""
        t = type(stmt)
        if t is ir.Assign:
            for target in stmt.targets:
                if isinstance(target, ir.ItemTarget) and isinstance(target.value, ir.Name) \
                        and target.value.id in holders and target.value.kind == ir.NameKind.LOCAL:
                    yield stmt, target.value.id, f"the item assignment on line {stmt.line}"
        elif t is ir.Delete:
            for target in stmt.targets:
                if isinstance(target, ir.ItemTarget) and isinstance(target.value, ir.Name) \
                        and target.value.id in holders:
                    yield stmt, target.value.id, f"the `del` on line {stmt.line}"
        for root in expressions(stmt):
            for e in _walk(root):
                if isinstance(e, ir.Call) and isinstance(e.func, ir.Attr) and e.func.attr in _MUTATORS:
                    receiver = e.func.value
                    for name in holders:
                        if is_local(receiver, name):
                            yield e, name, f"`{name}.{e.func.attr}(...)` on line {e.line}"
                            break
                    else:
                        if _option(receiver) is not None:
                            yield e, None, ""
