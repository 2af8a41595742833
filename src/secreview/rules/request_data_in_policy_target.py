"""Request data merged into the policy target of an authorization check.

Policy rules such as `project_id:%(target.project_id)s` or
`user_id:%(target.credential.user_id)s` compare the caller with attributes of
the object being acted on, so the target passed to the check must come from
the stored object (the database, the view arguments of the route). A handler
or enforcer that merges the request's data into that dict —
`policy_dict.update(request.get_json())` after the target was filled from the
database — lets the client overwrite those attributes with its own values
(its own user id as the "owner"), and the check then passes on the client's
word (CWE-285, authorization against the wrong target).

Reported: `d.update(<data traced to the request>)` on a dict `d` that
already holds data of the program's own (an item stored, `setdefault`, a
non-empty literal, before the merge) and is passed,
directly or through one assignment (`flat = flatten(d)`), to an authorization
check (`enforce`, `authorize`, `check_policy`, `context.can`...) in the same
function. The finding is on the merge.

Not reported: request data placed under its own key
(`policy_dict['request_body'] = body`), which no target rule reads by
accident; a target built only from the request when creating a new object
(there is no stored object yet); test code.

**Fix:** keep the request's data out of the target, or namespace it under a
key of its own, and build the target from the stored object only.
"""

from __future__ import annotations

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.authz import calls, is_guard_call
from secreview.rules.base import Hit, StatementRule

_SOURCES = frozenset({"remote"})


def _names(e) -> set:
    return {n.id for n in ir.walk(e) if isinstance(n, ir.Name)}


def _checked_with(function: ir.Function, name: str):
    """The authorization check the dict held in ``name`` reaches, directly or through one assignment."""
    holders = {name}
    for stmt in function.statements():
        if isinstance(stmt, ir.Assign) and name in _names(stmt.value):
            holders.update(t.id for t in stmt.targets if isinstance(t, ir.NameTarget))
    for _stmt, call in calls(function):
        if is_guard_call(call) and any(_names(a) & holders for a in [*call.args, *(k.value for k in call.keywords)]):
            return call
    return None


def _filled_before(function: ir.Function, name: str, line: int):
    """A statement before ``line`` that puts something of the program's own in the dict ``name``: an item
    stored (``d['target'] = obj``), ``d.setdefault(...)``, or ``d`` made from a non-empty literal or a call."""
    for stmt in function.statements():
        if stmt.line >= line or not isinstance(stmt, (ir.Assign, ir.Evaluate)):
            continue
        if isinstance(stmt, ir.Assign):
            for t in stmt.targets:
                if isinstance(t, ir.ItemTarget) and isinstance(t.value, ir.Name) and t.value.id == name:
                    return stmt
                if isinstance(t, ir.NameTarget) and t.id == name and stmt.op is None and (
                        isinstance(stmt.value, ir.DictExpr) and stmt.value.keys):
                    return stmt
        for e in ir.walk(stmt.value):
            if isinstance(e, ir.Call) and e.method == "setdefault" and isinstance(e.func.value, ir.Name) \
                    and e.func.value.id == name:
                return stmt
    return None


class RequestDataInPolicyTarget(StatementRule):
    __doc__ = __doc__

    id = "SR625"
    name = "request-data-in-policy-target"
    title = "Request data merged into a policy target"
    cwe = 285
    severity = Level.HIGH
    confidence = Level.HIGH
    tests_relevant = False
    triggers = frozenset({"update"})

    def check_statement(self, interp, stmt):
        if not isinstance(stmt, ir.Evaluate) or not isinstance(stmt.value, ir.Call):
            return
        call = stmt.value
        if call.method != "update" or not isinstance(call.func.value, ir.Name) or len(call.args) != 1:
            return
        target = call.func.value.id
        arg = call.args[0]
        probe = arg.func.value if isinstance(arg, ir.Call) and isinstance(arg.func, ir.Attr) \
            and arg.func.attr == "copy" else arg
        if not isinstance(probe, (ir.Name, ir.Attr, ir.Subscript)) or not ir.is_pure(probe):
            return
        value = interp.eval(probe)
        taint = next((t for t in sorted(value.taints, key=lambda t: t.order()) if not t.is_param
                      and t.kind in _SOURCES), None)
        if taint is None:
            return
        check = _checked_with(interp.fn, target)
        if check is None:
            return
        filled = _filled_before(interp.fn, target, call.line)
        if filled is None:
            return  # nothing of the program's own in it yet: nothing for the client to replace
        yield Hit(
            node=call,
            explanation=(f"`{interp.code(call)}` merges data from the request (`{interp.code(probe)}`) into "
                         f"`{target}`, which is passed to the authorization check `{interp.code(check)}`: keys the "
                         f"client sends replace the ones of the same name already in `{target}`, so policy rules "
                         f"that compare the caller with the target's attributes can be decided on values the "
                         f"client chose."),
            fix=(f"Keep the request's data out of `{target}` or put it under a key of its own "
                 f"(`{target}['request_body'] = ...`); take the target's attributes from the stored object."),
            flow=taint.step,
            notes=((filled, f"`{target}` gets the program's own data here"), (check, "the check that uses it")),
        )
