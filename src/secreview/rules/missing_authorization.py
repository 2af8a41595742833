"""Public API method with no authorization check, where its sibling methods all check.

In an API or service class whose public methods take the caller's request
context (`context`, `ctxt`, `req` with the context in `req.environ`), the
methods nearly always decide access first: `check_policy(context, 'get')`,
`context.can(...)`, `context.authorize(...)`, `policy.enforce(...)`,
`authorize(context)` from an `extension_authorizer`, a decorator such as
`@wrap_check_policy` or `@policy.enforce_policy(...)`, or a comparison of the
resource's owner with the caller. One method of such a class that reaches no
check at all — neither itself nor through a method of the same class or a
function of the same module that it calls — lets every authenticated caller
read or change the resource, whatever the policy says (CWE-862). This is how
OpenStack reviewers find a lost `check_policy` (a `get_snapshot` that dropped
its check in a refactoring, an action added without its policy rule).

Reported: a public method (its name does not start with `_`) with a request
context parameter that passes the context on to a call (it fetches, changes or
lists something as that caller) and reaches no check — no policy call, guard
decorator, test of the caller's identity (`context.is_admin`,
`obj.project_id != context.project_id`) or refused-access error, in its body or
in the class's methods and the module's functions it calls — when at least 3
other public methods of the class that act with a request context make a
policy call or carry a guard decorator themselves, and they are at least 75 %
of those methods. The finding is on the method's `def` line and signature,
where the check (or the decorator) belongs; the explanation names the sibling methods
that check and their checks.

Not reported: private helpers (`_get_resource`); methods that call a method
the class inherits (`super().update(...)`, `self._get(...)` defined in a base
class), and controller methods (given the request) that delegate to another
API layer held by the object (`self.share_api.get(context, id)`, not a
database or RPC layer): the check may be there; a method every caller of
which in the reviewed code, outside its class, checks authorization itself
(a controller's `@authorize('get')` before it calls the service layer's
`get`); methods whose context is not passed on to anything
that acts; classes where fewer than 3 or 75 % of the methods check (a layer
that checks nowhere leaves it to another layer, e.g. a controller whose
framework enforces policy, and this rule cannot see that); module-level
functions; test code. A method that checks only after work that may already
leak (validation errors naming other tenants' resources) is not reported.
Names count as checks only when made of authorization words
(`check_policy`, `enforce_call`, `authorize_project_context`,
`ensure_write_access`): `enforce_quota` or `get_ports_with_policy` do not.

**Confidence:** Low confidence (not shown by default): on real code the caller
or the framework usually made the check.

**Fix:** check the policy (or the ownership) at the start of the method, as
its siblings do — `check_policy(context, 'get_snapshot')`,
`context.authorize(policy.GET, target_obj=obj)` — or decorate it with the
class's policy decorator; add the policy rule to the policy defaults.
"""

from __future__ import annotations

from secreview.analysis.code_text import code_of
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.authz import (
    DEPTH,
    REQUEST_PARAMS,
    ClassChecksCache,
    acting_method,
    caller_checks_vote,
    calls,
    context_names,
    context_param,
    guards_in,
)
from secreview.rules.base import FunctionRule, Hit, lines_node

MIN_CHECKED = 3
MIN_SHARE = 0.75
_LOGGING = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})


def _passes_context(fn: ir.Function, names: set, klass: ir.Class | None = None, depth: int = 0):
    """A call the method passes its context to (other than logging): what it does as the caller. A call
    of a method of the same class counts when that method does something with what it is given."""
    for _stmt, call in calls(fn):
        if call.method in _LOGGING:
            continue
        args = list(call.args) + [k.value for k in call.keywords]
        if not any(isinstance(a, ir.Name) and a.id in names for a in args):
            continue
        own = _own_method(call, klass)
        if own is None:
            return call
        param = context_param(own) if depth < DEPTH else None
        if param is not None and _passes_context(own, context_names(own, param), klass, depth + 1) is not None:
            return call
    return None


def _acts_as_caller(facts, fn: ir.Function, klass: ir.Class):
    """``_passes_context`` of a method with the names it holds its context under, worked out once per
    method of the class (``ClassChecks.answers``)."""
    key = ("passes", fn.qualname)
    if key not in facts.answers:
        facts.answers[key] = _passes_context(fn, context_names(fn, context_param(fn)), klass)
    return facts.answers[key]


def _own_method(call: ir.Call, klass: ir.Class | None):
    func = call.func
    if klass is not None and isinstance(func, ir.Attr) and isinstance(func.value, ir.Name) \
            and func.value.id in ("self", "cls"):
        return klass.methods.get(func.attr)
    return None


class MissingAuthorizationCheck(FunctionRule):
    __doc__ = __doc__

    id = "SR621"
    name = "missing-authorization-check"
    title = "API method without the authorization check its sibling methods make"
    cwe = 862
    severity = Level.HIGH
    confidence = Level.LOW  # 0 of 5 judged real on real code: the caller, or the framework, checked
    tests_relevant = False

    votes = True

    def __init__(self):
        self._class_checks = ClassChecksCache()

    def module_dropped(self, path: str) -> None:
        self._class_checks.forget(path)

    def caller_vote(self, interp, site, callees):
        """A call passing a request context to a public method of the reviewed code says whether the calling
        function checks authorization (``safe``) or not (``open``): a method all of whose callers check is
        not reported. Test code does not vote."""
        return caller_checks_vote(interp, site, callees)

    def relevant(self, function) -> bool:
        return function.is_method and acting_method(function)

    def check_function(self, module, function):
        klass = module.classes.get(function.class_qualname)
        if klass is None or klass.methods.get(function.name) is not function:
            return
        facts = self._class_checks.get(module, klass)
        check, unknown = facts.reach(function)
        if check is not None or unknown:
            return
        param = context_param(function)
        used = _acts_as_caller(facts, function, klass)
        if used is None:
            return
        checked, others = [], 0
        for m in klass.methods.values():
            if m is function or not acting_method(m):
                continue
            key = ("direct", m.qualname)
            direct = facts.answers.get(key)
            if direct is None:
                direct = facts.answers[key] = guards_in(m)
            if direct:
                checked.append((m, direct[0][0]))
            elif facts.reach(m) != (None, False):
                continue  # checks (or may check) only through a helper: neither for nor against
            elif _acts_as_caller(facts, m, klass) is None:
                continue  # does nothing as the caller: neither for nor against
            others += 1
        if len(checked) < MIN_CHECKED or len(checked) < MIN_SHARE * others:
            return
        yield self._hit(module, klass, function, param, used, checked, others)

    def _hit(self, module, klass, function, param, used, checked, others):
        shown = checked[:3]

        def what(m, node):
            code = _code(module, node)
            if not isinstance(node, ir.Call) and not isinstance(node, (ir.Compare, ir.Attr)):
                code = "@" + code
            return f"`{m.name}` (`{code}`)"

        siblings = ", ".join(what(m, node) for m, node in shown)
        more = f" and {len(checked) - len(shown)} more" if len(checked) > len(shown) else ""
        passed = next((a.id for a in [*used.args, *(k.value for k in used.keywords)] if isinstance(a, ir.Name)
                       and a.id in context_names(function, param)), param)
        taken = (f"the caller's request (`{param}`)" if param in REQUEST_PARAMS
                 else f"the caller's request context (`{param}`)")
        how = "it" if passed == param else f"the context `{passed}` it reads from it"
        explanation = (
            f"`{function.name}` takes {taken} and passes {how} to `{_code(module, used)}`, but reaches no "
            f"authorization check: no policy call, guard decorator or test of the caller's identity, neither in its "
            f"body nor in the methods of `{klass.name}` and functions of this module that it calls. {len(checked)} "
            f"of the {others} other public methods of `{klass.name}` that act with a request context do check: "
            f"{siblings}{more}. Its callers in the reviewed code, if any, do not all check first; unless every "
            f"caller does, any authenticated caller can do what this method does, whatever the policy says.")
        fix = (f"Check authorization at the start of `{function.name}` as its siblings do (the same kind of check as "
               f"`{_code(module, shown[0][1])}`, with this operation's own policy rule and the resource as target), "
               f"or decorate it with the class's policy decorator.")
        node = lines_node(function.line, _signature_end(module, function))
        notes = [(lines_node(klass.line), f"the class `{klass.name}`"),
                 (used, f"`{passed}` is passed on here")]
        for m, n in shown:
            notes.append((lines_node(m.line), f"`{m.name}`, a sibling method that checks"))
            notes.append((n, "its check"))
        notes = tuple(notes)
        return Hit(node=node, explanation=explanation, fix=fix, notes=notes,
                   needs=(function.qualname, (0,)))


def _code(module, node) -> str:
    return code_of(module, node, 80)


def _signature_end(module, function) -> int:
    """The last line of a method's ``def`` signature (where a check at its top would go after)."""
    end = max([function.line] + [p.line for p in function.params if p.line])
    lines = module.lines or []
    if end < len(lines) and lines[end].strip().startswith(")"):
        end += 1
    return min(end, function.end_line)
