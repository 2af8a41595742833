"""Object fetched by a caller's id with an elevated context, returned or changed without a check.

OpenStack services scope what a request may see by its context: a database
query made with the caller's context returns only the caller's project's rows
(or raises `NotFound`). `context.elevated()` and `get_admin_context()` make an
admin context that sees every project's rows. A method acting for a caller that
fetches an object by an id its caller passes in (`subnet_id`, `volume_id`,
`id`) with such a context, and then returns the object or changes it, hands
any authenticated caller another project's object unless something compares
its owner with the caller (`obj.project_id != context.project_id`) or checks a
policy (`context.can(...)`, `policy.enforce(...)`, `check_policy(...)`,
`authorize(...)`): an insecure direct object reference (CWE-639). Cinder
fixed one such in 2014 (bug 1356368: any tenant could read another's volume
by its id) by adding the ownership check.

Reported: in a public method (its name does not start with `_`) of a class,
with a request context parameter (`context`, `ctxt`, `ctx`, `req`,
`request`), a call that passes an elevated context (`context.elevated(...)`,
`get_admin_context()`, or a local variable holding one) and a parameter of
the method named `id`, `uuid` or ending in `_id`/`_uuid`, never reassigned in
the method, when the call

* fetches (the first verb of its name is `get`, `show`, `find`, `lookup`,
  `fetch`, `load`, `read`: `self._get_subnet(elevated, subnet_id)`,
  `db.volume_get(elevated, volume_id)`,
  `objects.Volume.get_by_id(admin_ctx, volume_id)`) and the method returns the
  result (the object, a copy of it such as `dict(obj)`, or a value made from
  it by a call that is not a predicate: `self._make_subnet_dict(subnet)`) or
  changes it (an attribute or item stored on it, `obj.save()`,
  `obj.destroy()`, or the object or a field of it (`obj["id"]`) passed to a
  call named for a change:
  `update_*`, `delete_*`, `remove_*`, `add_*`, `set_*`...), or
* is itself a change (the first verb of its name is `update`, `delete`, `destroy`,
  `remove`, `set`, `reset`, `add`, `modify`, `patch`, `unset`, `revoke`,
  `grant`, `attach`, `detach`...).

The finding is on the call.

A policy check made with the elevated context itself (`context =
context.elevated()` then `check_policy(context, 'get', volume)`, the shape of
a Cinder fix of 2014) does not count: the admin context passes admin-or-owner
rules whoever the caller is.

Not reported: when the method, or a method of its class or function of its
module that it calls, checks authorization (a policy call or guard decorator,
a test of the caller's identity such as `context.is_admin` or an owner
attribute compared with the context's, a refused-access error raised: the
checks of `missing-authorization-check`); when the call itself is scoped to
the caller (an argument naming the caller context's `project_id`,
`tenant_id` or `user_id`); when the method first fetches or acts on the same id
with the caller's own context (that call is scoped to the caller and fails on
another project's id); when every caller of the method in the reviewed code
checks authorization; objects fetched by an id that is not a parameter (an
attribute of an object already fetched, a constant) or by the id of a
project, tenant, user, domain or owner (`project_id`: that names who, not
which object); objects fetched with the caller's context; what a predicate
returns (a method named `is_*`, `has_*`, `can_*`..., or a value made from the
object by such a call: `return is_distributed(router)`); what a Neutron
plugin read returns (a method with a `fields` parameter, `get_port(self,
context, id, fields=None)`: the API controller enforces the read policy on
the returned object); methods of an oslo.messaging RPC endpoint (a class that
declares `target = messaging.Target(...)` or `RPC_API_VERSION`: its ids come
from another service of the deployment, after the API service's checks);
class and static methods (an object layer's factories); private helpers,
module-level functions, test code. The caller's checks that this rule cannot see (a policy enforced by the
framework before the method is called, on the resource named by the URL) do
not cover a *second* object fetched by an id from the request body, which is
what this rule is about; when they do cover it, the finding is one to confirm.

**Fix:** fetch with the caller's context, or compare the object's owner with
the caller before returning or changing it (`if not context.is_admin and
obj.project_id != context.project_id: raise NotFound(...)`), or check the
policy of the action on the object (`context.can(rule, target={'project_id':
obj.project_id})`).
"""

from __future__ import annotations

from secreview.analysis.code_text import code_of
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.authz import (
    ClassChecksCache,
    acting_method,
    called_name,
    caller_checks_vote,
    context_names,
    context_param,
    expressions,
    guards_in,
)
from secreview.rules.base import FunctionRule, Hit, lines_node
from secreview.rules.words import identifier_words

_ELEVATING = frozenset({"get_admin_context", "get_admin_context_without_session"})
_FETCH_VERBS = frozenset({"get", "show", "find", "lookup", "fetch", "load", "read"})
_CHANGE_VERBS = frozenset({"update", "delete", "destroy", "remove", "set", "reset", "add", "modify", "patch", "put",
                           "unset", "revoke", "grant", "attach", "detach", "save", "purge", "disable", "enable"})
_OWNER_ATTRS = frozenset({"project_id", "tenant_id", "user_id", "project", "tenant", "user", "owner"})


# the id of the caller's project, user or domain names no object of another project
_IDENTITY_IDS = frozenset({"project_id", "tenant_id", "user_id", "domain_id", "owner_id"})
# a predicate's answer (``is_shared``, ``has_access``) is a flag, not the object
_PREDICATE_WORDS = frozenset({"is", "has", "can", "should", "check", "exists", "count", "len", "bool", "any", "all"})


def _id_name(name: str) -> bool:
    return (name in ("id", "uuid") or name.endswith(("_id", "_uuid"))) and name not in _IDENTITY_IDS


def _elevating(e) -> bool:
    """``context.elevated(...)``, ``ctx.elevated(read_deleted='yes')``, ``n_context.get_admin_context()``."""
    return isinstance(e, ir.Call) and (called_name(e) == "elevated" and isinstance(e.func, ir.Attr)
                                       or called_name(e) in _ELEVATING)


def _assignments(function: ir.Function) -> dict:
    """name -> the values it is assigned in the method's own statements (None for a target that is not a
    plain name assignment, such as a loop variable or an unpacking)."""
    found: dict = {}
    for stmt in function.statements():
        if not isinstance(stmt, ir.Assign):
            continue
        for t in stmt.targets:
            for node in _target_names(t):
                plain = isinstance(t, ir.NameTarget) and stmt.op is None
                found.setdefault(node, []).append(stmt.value if plain else None)
    return found


def _target_names(t):
    if isinstance(t, ir.NameTarget):
        yield t.id
    elif isinstance(t, (ir.UnpackTarget,)):
        for sub in t.elts:
            yield from _target_names(sub)
    elif isinstance(t, ir.StarTarget):
        yield from _target_names(t.target)


def _verb(call: ir.Call) -> str | None:
    """The first word of the called name that is a verb of fetching or changing: ``get_subnet`` -> get,
    ``instance_get_by_uuid`` -> get, ``snapshot_destroy`` -> destroy (the database API's style)."""
    name = called_name(call)
    for word in identifier_words(name) if name else ():
        if word in _FETCH_VERBS or word in _CHANGE_VERBS:
            return word
    return None


def _args(call: ir.Call):
    return [*call.args, *(k.value for k in call.keywords)]


def _of_object(e, names) -> bool:
    """``obj``, ``obj.id``, ``obj["id"]``: the object held in one of ``names`` or a field of it."""
    while isinstance(e, (ir.Attr, ir.Subscript)):
        e = e.value
    return isinstance(e, ir.Name) and e.id in names


_COPIES = frozenset({"dict", "list", "copy", "deepcopy"})


def _copy_of(e, is_object) -> bool:
    """``obj``, ``dict(obj)``, ``dict(rv.iteritems())``, ``obj.to_dict()``, ``copy.deepcopy(obj)``: the object
    again, or a copy of its fields (not what some other call makes with it)."""
    if is_object(e):
        return True
    if isinstance(e, ir.Call):
        if isinstance(e.func, ir.Attr) and is_object(e.func.value):
            return not set(identifier_words(e.func.attr)) & _PREDICATE_WORDS
        return called_name(e) in _COPIES and len(e.args) == 1 and _copy_of(e.args[0], is_object)
    return False


def _hands_out(e, is_object) -> bool:
    """Whether the returned expression ``e`` is the object, holds it (a list, tuple or dict) or is made from it
    by a call that is not a predicate (``self._make_subnet_dict(subnet)``, ``view.show(req, volume)``; not
    ``is_distributed_router(router)``, ``len(ports)``) or an item or attribute of it."""
    if e is None:
        return False
    if is_object(e):
        return True
    if isinstance(e, ir.Container):
        return any(_hands_out(x, is_object) for x in e.elts)
    if isinstance(e, ir.DictExpr):
        return any(_hands_out(v, is_object) for v in e.values)
    if isinstance(e, ir.Call):
        name = called_name(e)
        if not name or set(identifier_words(name)) & _PREDICATE_WORDS:
            return False
        return any(_hands_out(a, is_object) for a in _args(e)) or (
            isinstance(e.func, ir.Attr) and _hands_out(e.func.value, is_object))  # ``rv.iteritems()``
    if isinstance(e, (ir.Subscript, ir.Attr)):
        return _hands_out(e.value, is_object)
    if isinstance(e, ir.IfExp):
        return _hands_out(e.body, is_object) or _hands_out(e.orelse, is_object)
    return False


def _class_or_static(function: ir.Function) -> bool:
    """``@classmethod``/``@staticmethod``: an object layer's factory (``VolumeTypeList.get_all_by_group``),
    not a handler; its callers decide which ids reach it."""
    return any(isinstance(d, ir.Name) and d.id in ("classmethod", "staticmethod") for d in function.decorators)


def _rpc_endpoint(klass: ir.Class) -> bool:
    """An oslo.messaging RPC server's endpoint, by what it declares for the dispatcher: a class attribute
    ``target = messaging.Target(...)`` or ``RPC_API_VERSION = ...``. Its ids come from another service of
    the deployment (the API service, after its checks), not from the request."""
    found = dict(klass.attributes)
    if klass.body is not None:
        for stmt in klass.body.statements():
            if isinstance(stmt, ir.Assign):
                for t in stmt.targets:
                    if isinstance(t, ir.NameTarget):
                        found.setdefault(t.id, stmt.value)
    if "RPC_API_VERSION" in found:
        return True
    target = found.get("target")
    return isinstance(target, ir.Call) and called_name(target) == "Target"


class ElevatedFetchUnchecked(FunctionRule):
    __doc__ = __doc__

    id = "SR626"
    name = "elevated-fetch-without-check"
    title = "Object fetched by a caller's id with an elevated context, without an ownership or policy check"
    cwe = 639
    severity = Level.HIGH
    confidence = Level.MEDIUM
    tests_relevant = False
    triggers = frozenset({"elevated", *_ELEVATING})

    votes = True

    def __init__(self):
        self._class_checks = ClassChecksCache()

    def module_dropped(self, path: str) -> None:
        self._class_checks.forget(path)

    def caller_vote(self, interp, site, callees):
        """A method every caller of which in the reviewed code checks authorization is not reported."""
        return caller_checks_vote(interp, site, callees)

    def relevant(self, function) -> bool:
        return function.is_method and not self.triggers.isdisjoint(function.names) and acting_method(function)

    def check_function(self, module, function):
        klass = module.classes.get(function.class_qualname)
        if klass is None or klass.methods.get(function.name) is not function:
            return
        if _class_or_static(function) or _rpc_endpoint(klass):
            return
        assigned = _assignments(function)
        ids = [p.name for p in function.params if _id_name(p.name) and p.name not in assigned]
        if not ids:
            return
        elevated = {name for name, values in assigned.items()
                    if values and all(v is not None and _elevating(v) for v in values)}
        param = context_param(function)
        callers = context_names(function, param) - elevated
        # what a read returns is not the object when the method is a predicate (``is_shared_with_project``);
        # a Neutron plugin's read (``get_port(self, context, id, fields=None)``) returns it to the API
        # controller, which enforces the read policy on it with the object as target
        words = identifier_words(function.name)
        framework_read = bool(words and words[0] in _PREDICATE_WORDS) or any(p.name == "fields"
                                                                            for p in function.params)
        candidates = []
        for stmt, root in expressions(function):
            for call in ir.walk(root):
                if not isinstance(call, ir.Call):
                    continue
                args = _args(call)
                ctx = next((a for a in args if _elevating(a) or isinstance(a, ir.Name) and a.id in elevated), None)
                if ctx is None:
                    continue
                used = next((a for a in args if isinstance(a, ir.Name) and a.id in ids), None)
                if used is None:
                    continue
                verb = _verb(call)
                if verb in _CHANGE_VERBS:
                    candidates.append((call, ctx, used, "changes", call))
                elif verb in _FETCH_VERBS:
                    use = self._returned_or_changed(function, stmt, root, call)
                    if use is not None and (use[0] == "changes" or not framework_read):
                        candidates.append((call, ctx, used, *use))
        if not candidates:
            return
        own = guards_in(function, strict=False)
        blind = [node for node, _kind in own if isinstance(node, ir.Call) and any(
            _elevating(a) or isinstance(a, ir.Name) and a.id in elevated for a in _args(node))]
        if own and len(blind) < len(own):
            return
        if not own and self._class_checks.get(module, klass).reach(function)[0] is not None:
            return
        for call, ctx, used, what, where in candidates:
            if any(self._scoped(a, callers) for a in _args(call)):
                continue
            if self._fetched_as_caller(function, callers, used.id, call.line):
                continue
            yield self._hit(module, function, param, call, ctx, used, what, where, blind[0] if blind else None)
            return  # one finding per method: the first unchecked use

    @staticmethod
    def _scoped(arg, callers) -> bool:
        """An argument naming the caller's project, tenant or user: ``project_id=context.project_id``."""
        for node in ir.walk(arg):
            if isinstance(node, ir.Attr) and node.attr in _OWNER_ATTRS and isinstance(node.value, ir.Name) \
                    and node.value.id in callers:
                return True
        return False

    @staticmethod
    def _fetched_as_caller(function, callers, id_name, line) -> bool:
        """A call before ``line`` that passes the caller's own context and the same id."""
        for _stmt, root in expressions(function):
            for call in ir.walk(root):
                if isinstance(call, ir.Call) and call.line < line:
                    args = _args(call)
                    if any(isinstance(a, ir.Name) and a.id in callers for a in args) and any(
                            isinstance(a, ir.Name) and a.id == id_name for a in args):
                        return True
        return False

    @staticmethod
    def _returned_or_changed(function, stmt, root, call):
        """``("returns", node)`` or ``("changes", node)``: what the method does with the fetched object."""
        if isinstance(stmt, ir.Return):
            return ("returns", stmt) if _hands_out(stmt.value, lambda e: e is call) else None
        if not (isinstance(stmt, ir.Assign) and stmt.value is call and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ir.NameTarget)):
            return None
        held = {stmt.targets[0].id}  # the names holding the object, or a copy made from it (``dict(rv)``)

        def is_held(e):
            return isinstance(e, ir.Name) and e.id in held

        for other in sorted((s for s in function.statements() if s.line >= stmt.line and s is not stmt),
                            key=lambda s: (s.line, s.col)):
            if isinstance(other, ir.Assign):
                for t in other.targets:
                    if isinstance(t, (ir.AttrTarget, ir.ItemTarget)) and is_held(t.value):
                        return "changes", other
                names = [t.id for t in other.targets if isinstance(t, ir.NameTarget)]
                if names and other.op is None:
                    if _copy_of(other.value, is_held):
                        held.update(names)
                    else:
                        held.difference_update(names)  # rebound: another object
                if not held:
                    return None
            if isinstance(other, ir.Return) and _hands_out(other.value, is_held):
                return "returns", other
            for attr in ("value", "test"):
                e = getattr(other, attr, None)
                if not isinstance(e, ir.Expr):
                    continue
                for c in ir.walk(e):
                    if not isinstance(c, ir.Call) or _verb(c) not in _CHANGE_VERBS:
                        continue
                    if isinstance(c.func, ir.Attr) and is_held(c.func.value):
                        return "changes", c
                    if any(_of_object(a, held) for a in _args(c)):
                        return "changes", c
        return None

    def _hit(self, module, function, param, call, ctx, used, what, where, blind):
        code = code_of(module, call, 80)
        ctx_code = code_of(module, ctx, 60)
        origin = None
        if isinstance(ctx, ir.Name):
            origin = next((s.value for s in function.statements() if isinstance(s, ir.Assign) and any(
                isinstance(t, ir.NameTarget) and t.id == ctx.id for t in s.targets)), None)
            line = (f"`{code_of(module, origin, 60)}`, line {origin.line}" if origin is not None
                    else "an elevated context")
            if any(p.name == ctx.id for p in function.params):
                how = f"`{ctx_code}`, which may hold an elevated context ({line})"
            else:
                how = f"`{ctx_code}`, an elevated context ({line})"
        else:
            how = f"the elevated context `{ctx_code}`"
        if where is call:
            done = f"`{code}` changes it directly"
            harm = "change"
        elif what == "returns":
            done = f"the method returns it (line {where.line})"
            harm = "read"
        else:
            done = f"the method changes it (`{code_of(module, where, 60)}`, line {where.line})"
            harm = "change"
        if blind is not None:
            checks = (f"the only authorization check here, `{code_of(module, blind, 80)}`, is made with the elevated "
                      f"context, which an admin rule such as admin-or-owner always lets through; nothing compares "
                      f"the object's owner with the caller")
        else:
            checks = ("neither this method nor the methods of its class and functions of its module that it calls "
                      "compare the object's owner with the caller or check a policy")
        explanation = (
            f"`{function.name}` acts for a caller (it takes the request context `{param}`) and passes `{used.id}`, "
            f"one of its parameters, with {how} to `{code}`: an admin context is not limited to the caller's "
            f"project, so the object with that id is found whichever project owns it. {done[0].upper()}{done[1:]}, "
            f"and {checks}. Unless every caller checks first, "
            f"anyone who can call `{function.name}` can {harm} another project's object by passing its id.")
        fix = (f"Fetch with the caller's context `{param}`, or compare the object's `project_id` with "
               f"`{param}.project_id` (admins excepted) before using it, or check the policy of this action with the "
               f"object as target.")
        signature_end = max([function.line] + [p.line for p in function.params if p.line])
        notes = [(lines_node(function.line, signature_end),
                  f"`{function.name}` takes the caller's context `{param}` and `{used.id}`")]
        if isinstance(ctx, ir.Name) and origin is not None:
            notes.append((origin, f"`{ctx.id}` made an elevated context"))
        if blind is not None:
            notes.append((blind, "checked with the elevated context"))
        if where is not call:
            notes.append((where, "returned here" if what == "returns" else "changed here"))
        return Hit(node=call, explanation=explanation, fix=fix, confidence=Level.MEDIUM, notes=tuple(notes),
                   needs=(function.qualname, (0,)))
