"""A policy target kept in a mutable default argument and filled in per call.

A policy-check helper declared as `def check(actions, request, target={})`
that writes the caller's identity into `target` when the caller gave none
(`target['project_id'] = user.project_id`) writes it into the *one* dict
object Python created for the default, shared by every later call. The next
caller that passes no target is then checked against the first caller's
project, user or domain — an authorization decision taken on another user's
identity (CWE-863).

Reported: a parameter whose default is a literal dict or list (`{}`, `[]`,
`dict()`, `list()`), which the function changes (item or attribute
assignment, `update`, `setdefault`, `append`, `pop`...) and passes to an
authorization check (`enforce`, `authorize`, `check_policy`...). The finding
is on the default.

Not reported: mutable defaults the function never changes, or never uses in
an authorization decision (a general mutable-default bug, which linters such
as flake8-bugbear's B006 report); test code.

**Fix:** default to `None` and make a new dict in the body:
`if target is None: target = {}`.
"""

from __future__ import annotations

from secreview.analysis.code_text import code_of
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.authz import calls, expressions, is_guard_call
from secreview.rules.base import FunctionRule, Hit

_MUTATORS = frozenset({"update", "setdefault", "append", "extend", "insert", "pop", "popitem", "clear", "remove"})


def _mutable_default(e) -> bool:
    if isinstance(e, ir.DictExpr):
        return True
    if isinstance(e, ir.Container):
        return e.kind in ("list", "set")
    if isinstance(e, ir.Call) and not e.args and not e.keywords:
        return e.qualname in ("builtins.dict", "builtins.list", "builtins.set")
    return False


def _is(e, name: str) -> bool:
    return isinstance(e, ir.Name) and e.id == name


def _mutation(function: ir.Function, name: str):
    """The first statement that changes the object the parameter ``name`` holds (while it still does)."""
    for stmt in function.statements():
        if isinstance(stmt, ir.Assign):
            for target in stmt.targets:
                if isinstance(target, (ir.ItemTarget, ir.AttrTarget)) and _is(target.value, name):
                    return stmt
                if isinstance(target, ir.NameTarget) and target.id == name and stmt.op is None:
                    return None  # rebound to another object before any change: the default is safe after
    for _stmt, root in expressions(function):
        for e in ir.walk(root):
            if isinstance(e, ir.Call) and e.method in _MUTATORS and _is(e.func.value, name):
                return e
    return None


class SharedPolicyTarget(FunctionRule):
    __doc__ = __doc__

    id = "SR624"
    name = "shared-policy-target"
    title = "Policy target in a mutable default argument changed per call"
    cwe = 863
    severity = Level.HIGH
    confidence = Level.HIGH
    tests_relevant = False

    def relevant(self, function) -> bool:
        return any(p.default is not None and _mutable_default(p.default) for p in function.params)

    def check_function(self, module, function):
        for param in function.params:
            if param.default is None or not _mutable_default(param.default):
                continue
            check = next((call for _s, call in calls(function) if is_guard_call(call) and any(
                _is(a, param.name) for a in [*call.args, *(k.value for k in call.keywords)])), None)
            if check is None:
                continue
            changed = _mutation(function, param.name)
            if changed is None:
                continue
            yield Hit(
                node=param.default,
                explanation=(f"`{param.name}` defaults to one `{code_of(module, param.default, 40)}` object "
                             f"shared by all calls of `{function.name}`; the function changes it "
                             f"(`{code_of(module, changed, 80)}`) and passes it to the authorization check "
                             f"`{code_of(module, check, 80)}`. What one call writes there stays for the next call "
                             f"that passes no `{param.name}`, whose check is then decided on that first call's "
                             f"values."),
                fix=f"Default `{param.name}` to `None` and create a new object in the body when it is `None`.",
                notes=((changed, f"`{param.name}` is changed here"), (check, "and used in this check")),
            )
