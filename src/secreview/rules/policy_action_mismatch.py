"""A method that changes a resource checks only a read policy.

An API method named for a change (`update`, `delete`, `create`, `remove_*`,
`add_*`, `set_*`, `reset_*`) whose only authorization checks name a read
action (`check_policy(context, 'share_network', 'show')`,
`context.can('...:get')`, `policy.enforce(context, 'get_image', ...)`) lets
every caller who may *see* the resource *change* it: the policy rule meant
to restrict the change is never consulted (CWE-863, incorrect authorization).
The usual cause is a copied check whose action was not renamed.

Reported: a method whose name starts with a change verb, that makes at least
one policy check itself as a statement of its own (a check that refuses by
raising), where every check it makes names its action with a
constant string (or constant parts) whose last part starts with a read verb
(`show`, `get`, `index`, `list`, `detail`, `read`, `view`). The finding is on
the first such check.

Not reported: a method that also makes a check with a change action or an
action that is not a constant (it may be the right one: any call named with
an authorization word counts, `_authorize_create(...)`), or that has a guard
decorator; a read check whose answer the method uses
(`if not check_policy(...): redact(...)`) rather than one that refuses;
read methods; methods named otherwise (`get_or_create`...); test code.

**Fix:** check the policy rule of the change itself (`'update'`,
`'delete'`...), on the object being changed, before changing it; keep the read
check only if the method also returns the object.
"""

from __future__ import annotations

import re

from secreview.analysis.code_text import code_of
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.authz import calls, is_guard_call, is_guard_decorator
from secreview.rules.base import FunctionRule, Hit
from secreview.rules.words import identifier_words

_CHANGE_VERBS = frozenset({"create", "update", "delete", "remove", "add", "set", "reset", "modify", "destroy",
                           "patch", "put", "post", "unset", "revoke", "grant"})
_CHANGE_START = re.compile("[^a-z0-9]*(?:" + "|".join(sorted(_CHANGE_VERBS)) + ")")
"""How a name whose first word is a verb of change starts, lower-cased (that word is where it starts)."""
_READ_VERBS = frozenset({"show", "get", "index", "list", "detail", "details", "read", "view"})


def _action(call: ir.Call) -> str | None:
    """The action a policy call names, when every string argument is constant: the last of them."""
    strings = []
    for arg in [*call.args, *(k.value for k in call.keywords if k.name in (None, "action", "rule", "policy"))]:
        if isinstance(arg, ir.Const) and isinstance(arg.value, str):
            strings.append(arg.value)
    if not strings:
        return None
    return strings[-1].rsplit(":", 1)[-1]


class PolicyActionMismatch(FunctionRule):
    __doc__ = __doc__

    id = "SR622"
    name = "policy-action-mismatch"
    title = "Change authorized with a read policy"
    cwe = 863
    severity = Level.HIGH
    confidence = Level.MEDIUM
    tests_relevant = False

    def relevant(self, function) -> bool:
        if not function.is_method or _CHANGE_START.match(function.name.lower()) is None:
            return False
        words = identifier_words(function.name)
        return bool(words) and words[0] in _CHANGE_VERBS

    def check_function(self, module, function):
        if any(is_guard_decorator(d, loose=True) for d in function.decorators):
            return
        checks = []
        for stmt, call in calls(function):
            if not is_guard_call(call, loose=True):
                continue
            action = _action(call)
            words = identifier_words(action) if action else ()
            if not words or words[0] not in _READ_VERBS:
                return  # a change action, or one not known: it may be the right check
            if not (isinstance(stmt, ir.Evaluate) and stmt.value is call) or not is_guard_call(call):
                continue  # a read check whose answer is used (``if not check_policy(...)``: what to show)
            if call not in checks:
                checks.append(call)
        if not checks:
            return
        first = min(checks, key=lambda c: (c.line, c.col))
        action = _action(first)
        code = code_of(module, first, 80)
        others = f" (and {len(checks) - 1} more read check(s))" if len(checks) > 1 else ""
        yield Hit(
            node=first,
            explanation=(f"`{function.name}` changes a resource, by its name, but the only authorization check it "
                         f"makes is `{code}`{others}, which names the read action `{action}`. Anyone the policy "
                         f"lets read the resource passes it, and the policy rule for the change is never "
                         f"consulted here."),
            fix=(f"Check the policy rule of the change itself (the `{function.name}` action) before making it, "
                 f"with the object being changed as the target."),
        )
