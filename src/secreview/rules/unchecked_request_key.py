"""Key of a request body read with `body["key"]`, with no check that it is there and no `KeyError` handled.

An API controller method receives the parsed JSON body of the request as a
dict (`def create(self, req, body)`). The client writes that dict: any key
can be missing, and a value the code expects to be a dict can be missing too.
`body["snapshot"]["volume_id"]` on a body without `volume_id` raises
`KeyError`; unless something turns it into a 400, the client gets an internal
server error (500), the API logs a traceback, and any client can repeat it at
will. OpenStack fixes many of these (`snapshot["volume_id"]` →
`try: ... except KeyError: raise exc.HTTPBadRequest(...)`); a JSON schema on
the method (`@validation.schema(...)` with `required`) is the usual cure.

Reported, once per key and variable, at a read `x["key"]` (a constant string
key) where `x` is the request body or a value read from it in the same
function by a constant key (`snapshot = body["snapshot"]`, `snapshot =
body.get("snapshot")`), in

* a method whose first parameters are `self` and `req` or `request` and which
  has a parameter named `body`: the signature of the controller methods of the
  OpenStack WSGI framework (Nova, Cinder, Manila... `create(self, req, body)`,
  `update(self, req, id, body)`, `@wsgi.action("...")` handlers), not one of a
  view builder (a class named, or derived from one named, `...ViewBuilder` or
  `...View`: it formats the response of a body already read); a method
  whose name starts with `_` only with an `@...action("...")` decorator (other
  private methods are helpers of the handlers, which may validate the body);
* or a request handler the models recognise (an entry point) with a `body`
  parameter;

when the read is not inside a `try` whose handlers catch `KeyError`,
`LookupError`, `TypeError`, `Exception` or everything, and no check covers
it. Checks: a branch condition that names the same key (`if "volume_id" in
snapshot`, `if not snapshot.get("volume_id"): raise ...`,
`if not self.is_valid_body(body, "snapshot"): raise ...`); a call made earlier
in the function whose name says it validates (`valid`, `check`, `verify`,
`schema`, `require`) and takes the variable (with no constant key, or with
this key, as arguments: `is_valid_body(body, "snapshot")` covers
`body["snapshot"]`, not `snapshot["volume_id"]`); a store of the key earlier in
the function (`body["name"] = ...`); a decorator of the method whose name says
it validates (`@validation.schema(...)`, `@validated(...)`: the schema decides
which keys are required); the key an `@...action("revert")` decorator names,
read from `body` (the framework calls the method only for a body with that
key); a key read earlier with `.get()` into a variable that a branch condition
tests (`rules = accept.get("rules")`, then under `if rules:` `accept["rules"]`).
Not reported: `body.get("key")`, reads with a computed key, stores and
deletes, variables also assigned from something else, helpers the handler
calls (the handler may catch the error around the call), and test code.

Severity is low: the harm is a failed request, a noisy log, and a 500 in the
service's error rates.

**Fix:** validate the body against a JSON schema that lists the key as
`required`, or read it in a `try` and answer 400:
`try: volume_id = snapshot["volume_id"] except KeyError: raise
webob.exc.HTTPBadRequest(explanation="'volume_id' must be specified")`.
"""

from __future__ import annotations

import re

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.control import controlling_conditions
from secreview.ir.statements import target_names, target_reads
from secreview.rules.base import FunctionRule, Hit

_CATCHES = frozenset({"builtins.KeyError", "builtins.LookupError", "builtins.TypeError", "builtins.Exception",
                      "builtins.BaseException"})
_CHECK = re.compile(r"(?i)(valid|check|verify|schema|require)")
_REQUEST_PARAMS = ("req", "request")


def _handles_key_error(fn, line: int) -> bool:
    for h in fn.handlers:
        first, last = h.try_lines
        if first <= line <= last:
            types = [getattr(t, "qualname", None) or "" for t in h.types]
            if not types or any(t in _CATCHES for t in types):
                return True
    return False


def _const_key(e):
    return e.value if isinstance(e, ir.Const) and isinstance(e.value, str) else None


def _call_name(call) -> str:
    return (call.qualname or call.method or getattr(call.func, "id", "") or "").rsplit(".", 1)[-1]


def _stmt_exprs(stmt):
    t = type(stmt)
    if t in (ir.Assign, ir.Evaluate, ir.Return):
        if stmt.value is not None:
            yield from ir.walk(stmt.value)
        if t is ir.Assign:
            for target in stmt.targets:
                for e in target_reads(target):
                    yield from ir.walk(e)
    elif t is ir.Raise and stmt.exc is not None:
        yield from ir.walk(stmt.exc)
    elif t is ir.Assert:
        yield from ir.walk(stmt.test)



def _checked_before_in(stmt, read, key) -> bool:
    """Whether ``read`` is an operand of ``and``/``or`` after one that names ``key``
    (``'reset' in body and body['reset']``), or the value of a conditional expression whose test
    names it (``body['k'] if 'k' in body else None``): the check is in the same expression."""
    for e in _stmt_exprs(stmt):
        if isinstance(e, ir.BoolOp):
            for i, operand in enumerate(e.values):
                if any(n is read for n in ir.walk(operand)):
                    if any(_const_key(n) == key for before in e.values[:i] for n in ir.walk(before)):
                        return True
                    break  # an inner ``and``/``or`` may still hold the check
        elif isinstance(e, ir.IfExp) and any(n is read for n in ir.walk(e.body)) \
                and any(_const_key(n) == key for n in ir.walk(e.test)):
            return True
    return False


class UncheckedRequestKey(FunctionRule):
    __doc__ = __doc__

    id = "SR608"
    name = "unchecked-request-key"
    title = "Request body key read without a check or a KeyError handler"
    cwe = 20
    severity = Level.LOW
    confidence = Level.MEDIUM
    bandit = ()
    tests_relevant = False
    triggers = frozenset({"body"})

    def _body_param(self, module, fn) -> str | None:
        """How ``fn``'s ``body`` parameter is known to hold the request body, or None."""
        names = [p.name for p in fn.params]
        if "body" not in names:
            return None
        if fn.class_qualname and len(names) >= 3 and names[0] in ("self", "cls") and names[1] in _REQUEST_PARAMS \
                and not self._view_builder(fn):
            return (f"the parameter `body` of `{fn.name}()` (a method whose first parameters are `{names[0]}` and "
                    f"`{names[1]}`: the signature with which an API controller method receives the parsed "
                    f"request body)")
        program = self.program
        entry = program.entrypoint_for(module, fn) if program is not None else None
        if entry is not None and entry[0] == "remote":
            return f"the parameter `body` of request handler `{fn.name}()`"
        return None

    def _view_builder(self, fn) -> bool:
        """A method of a view builder (``class ViewBuilder(common.ViewBuilder)``): it formats the response
        from a body the controller has already read and checked."""
        names = [fn.class_qualname.rsplit(".", 1)[-1]]
        klass = self.program.classes.get(fn.class_qualname) if self.program is not None else None
        if klass is not None:
            names += [(getattr(b, "qualname", None) or getattr(b, "attr", None) or getattr(b, "id", None) or "")
                      .rsplit(".", 1)[-1] for b in klass.bases]
        return any(n.endswith(("ViewBuilder", "View")) for n in names)

    def check_function(self, module, function):
        fn = function
        if fn.name.startswith("<") or fn.is_lambda:
            return
        how = self._body_param(module, fn)
        if how is None:
            return
        dispatched = set()  # ``@wsgi.action("revert")``: the framework calls it for a body with that key
        is_action = False
        for d in fn.decorators:
            target = d.func if isinstance(d, ir.Call) else d
            name = getattr(target, "qualname", None) or getattr(target, "attr", None) or getattr(target, "id", "")
            last = (name or "").rsplit(".", 1)[-1]
            if _CHECK.search(last):
                return  # ``@validation.schema(...)``: the schema says which keys are required
            if isinstance(d, ir.Call) and last == "action":
                is_action = True
                dispatched.update(k for k in map(_const_key, d.args) if k is not None)
        if fn.name.startswith("_") and not fn.name.startswith("__") and not is_action:
            return  # a helper of the handlers (``_allow_access(req, id, body)``): they may validate the body
        statements = sorted(fn.statements(), key=lambda s: (s.line, s.col))
        body_vars = self._body_vars(fn, statements)
        if body_vars is None:
            return
        stored = {}  # (variable, key) -> first line the key is stored
        checks = []  # (line, variable, keys or None) of validating calls
        for stmt in statements:
            if isinstance(stmt, ir.Assign):
                for target in stmt.targets:
                    if isinstance(target, ir.ItemTarget) and isinstance(target.value, ir.Name) \
                            and target.value.id in body_vars and _const_key(target.index) is not None:
                        stored.setdefault((target.value.id, target.index.value), stmt.line)
            for e in _stmt_exprs(stmt):
                if isinstance(e, ir.Call) and _CHECK.search(_call_name(e)):
                    args = list(e.args) + [k.value for k in e.keywords]
                    keys = {_const_key(a) for a in args} - {None}
                    for a in args:
                        if isinstance(a, ir.Name) and a.id in body_vars:
                            checks.append((stmt.line, a.id, keys or None))
        got = {}  # variable -> (body variable, key) it was read into with ``.get``
        for stmt in statements:
            if isinstance(stmt, ir.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.NameTarget):
                v = stmt.value
                if isinstance(v, ir.Call) and v.method == "get" and isinstance(v.func, ir.Attr) \
                        and isinstance(v.func.value, ir.Name) and v.func.value.id in body_vars and v.args \
                        and _const_key(v.args[0]) is not None:
                    got.setdefault(stmt.targets[0].id, set()).add((v.func.value.id, v.args[0].value))
        self._got = got
        from secreview.analysis.code_text import code_of
        seen = set()
        for stmt in statements:
            for e in _stmt_exprs(stmt):
                if not (isinstance(e, ir.Subscript) and isinstance(e.value, ir.Name) and e.value.id in body_vars):
                    continue
                key = _const_key(e.index)
                var = e.value.id
                if key is None or (var, key) in seen or (var == "body" and key in dispatched):
                    continue
                if self._covered(fn, stmt, e, var, key, stored, checks):
                    seen.add((var, key))
                    continue
                seen.add((var, key))
                origin = body_vars[var]
                held = how if origin is None else \
                    f"`{var}`, read from the request body at line {origin[0].line} (`{code_of(module, origin[1])}`)"
                if origin is None:
                    param = next(p for p in fn.params if p.name == "body")
                    notes = ((_At(param.line or fn.line), f"`body` is a parameter of `{fn.name}()`"),)
                else:
                    notes = ((origin[0], f"`{var}` is read from the request body here"),)
                yield Hit(
                    node=e,
                    explanation=(f"`{code_of(module, e)}` reads the key `{key!r}` of {held}, with no check that the "
                                 f"client sent it and no handler of `KeyError` around it in `{fn.name}()`: a body "
                                 f"without that key raises `KeyError` here, which the client gets as an internal "
                                 f"server error (500) unless a caller turns it into a 400."),
                    fix=(f"Validate the body with a JSON schema that lists `{key}` as required, or read it in a "
                         f"`try` and answer 400 Bad Request on `KeyError`."),
                    notes=notes,
                )

    def _body_vars(self, fn, statements):
        """Variables holding the request body or a value read from it by a constant key:
        name -> None for ``body`` itself, or (statement, read expression)."""
        out = {"body": None}
        assigned: dict = {}
        for stmt in statements:
            if isinstance(stmt, ir.Assign):
                for target in stmt.targets:
                    for name in target_names(target):
                        assigned.setdefault(name, []).append((stmt, target))
        if "body" in assigned:
            return None  # the parameter is replaced: not (only) the request body
        changed = True
        while changed:
            changed = False
            for name, stores in assigned.items():
                if name in out or len(stores) != 1:
                    continue
                stmt, target = stores[0]
                value = stmt.value
                if not isinstance(target, ir.NameTarget) or len(stmt.targets) != 1:
                    continue
                if isinstance(value, ir.Subscript) and isinstance(value.value, ir.Name) \
                        and value.value.id in out and _const_key(value.index) is not None:
                    out[name] = (stmt, value)
                    changed = True
                elif isinstance(value, ir.Call) and value.method == "get" and isinstance(value.func, ir.Attr) \
                        and isinstance(value.func.value, ir.Name) and value.func.value.id in out \
                        and value.args and _const_key(value.args[0]) is not None:
                    out[name] = (stmt, value)
                    changed = True
        return out

    def _covered(self, fn, stmt, read, var, key, stored, checks) -> bool:
        line = stmt.line
        if _handles_key_error(fn, line) or _checked_before_in(stmt, read, key):
            return True
        first_store = stored.get((var, key))
        if first_store is not None and first_store <= line:
            return True
        for at, checked, keys in checks:
            if at <= line and checked == var and (keys is None or key in keys):
                return True
        for cond, _taken in controlling_conditions(fn, stmt):
            for e in ir.walk(cond):
                if _const_key(e) == key:
                    return True
                if isinstance(e, ir.Name) and (var, key) in self._got.get(e.id, ()):
                    return True  # ``rules = accept.get("rules")`` then ``if rules: ... accept["rules"]``
                if isinstance(e, ir.Call) and _CHECK.search(_call_name(e)) and any(
                        isinstance(a, ir.Name) and a.id == var for a in e.args) \
                        and not any(_const_key(a) is not None for a in e.args):
                    return True
        return False


class _At:
    """A line of the function's signature, for a note."""

    def __init__(self, line: int):
        self.line, self.col = line, 0
