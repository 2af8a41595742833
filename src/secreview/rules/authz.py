"""What the authorization rules read as a check: policy calls, guard decorators, ownership tests.

Shared by ``missing-authorization-check``, ``policy-action-mismatch`` and ``shared-policy-target``.
Recognition is by the words of the called name (``check_policy``, ``policy.enforce``,
``context.authorize``, ``_ensure_write_access``, ``require_admin_context``), by ``context.can(...)``,
by the WSGI-environ authorizer idiom (``req.environ['swift.authorize'](req)``) and by a comparison of
an owner/project/user attribute with the caller's context: never by a project's own function names.
"""

from __future__ import annotations

import functools
from collections import OrderedDict

from secreview.ir import nodes as ir
from secreview.rules.words import identifier_words

# A called name with one of these words decides access...
GUARD_WORDS = frozenset({
    "authorize", "authorise", "authorized", "authorised", "authorizer", "authoriser", "authorization",
    "authorisation", "enforce", "enforcer", "enforced", "enforcement", "permission", "permissions", "rbac",
})
# ... and so does one with "policy" when it names the action by a constant (``check_policy(ctx, 'get')``):
# "policy" alone is also a resource of some services (QoS policies, placement policies).
_POLICY_WORDS = frozenset({"policy", "policies"})
# ... or a verb of checking with an object of access: ``ensure_write_access``, ``require_admin_context``.
_CHECK_VERBS = frozenset({"check", "ensure", "verify", "assert", "require", "requires", "validate"})
_ACCESS_OBJECTS = frozenset({"admin", "owner", "ownership", "access", "privilege", "privileges", "acl", "acls"})
# Every word of such a name must be one of these: ``enforce_quota``, ``_get_ports_with_policy`` and
# ``validate_policy_for_port`` are about something else.
_VOCABULARY = GUARD_WORDS | _POLICY_WORDS | _CHECK_VERBS | _ACCESS_OBJECTS | frozenset({
    "checks", "wrap", "wrapped", "required", "is", "allowed", "allow", "has", "can", "do", "call", "action",
    "context", "ctx", "api", "scope", "scoped", "project", "user", "role", "roles", "target", "rule", "rules",
    "extension", "write", "read", "perm", "perms", "protected", "protect", "login", "system", "domain", "service",
})
CONTEXT_WORDS = frozenset({"context", "ctxt", "ctx"})
# Attributes whose comparison with the caller's context is an ownership check.
_OWNER_WORDS = frozenset({"owner", "project", "tenant", "user"})


def guard_name(name: str | None, constant_action: bool = True, loose: bool = False) -> bool:
    """Whether a called (or decorator) name is that of an authorization check; a name that says only
    "policy" counts when the action is named by a constant (``constant_action``). ``loose``: any name
    with such a word (``_authorize_create_allocation``, ``check_policy_true``), for the rules' excuses,
    where taking a check for none would make a false finding."""
    if not name or len(name) > 80:
        return False
    return _guard_words(name, constant_action, loose)


@functools.lru_cache(maxsize=1 << 14)
def _guard_words(name: str, constant_action: bool, loose: bool) -> bool:
    """``guard_name`` of a name (an answer kept: the same few thousand names are called over and over)."""
    words = identifier_words(name.rsplit(".", 1)[-1])
    if loose:
        return any(w in GUARD_WORDS or w in _POLICY_WORDS for w in words) or (
            any(w in _CHECK_VERBS for w in words) and any(w in _ACCESS_OBJECTS for w in words))
    if not words or any(w not in _VOCABULARY for w in words):
        return False
    if any(w in GUARD_WORDS for w in words):
        return True
    if any(w in _POLICY_WORDS for w in words):
        return constant_action
    return any(w in _CHECK_VERBS for w in words) and any(w in _ACCESS_OBJECTS for w in words)


def called_name(call: ir.Call) -> str | None:
    """The last name of a call's callee: ``policy.enforce`` -> ``enforce``; ``environ['swift.authorize']``
    -> ``swift.authorize`` (a constant key of the item called)."""
    func = call.func
    if isinstance(func, ir.Attr):
        return func.attr
    if isinstance(func, ir.Name):
        return func.id
    if isinstance(func, ir.Subscript) and isinstance(func.index, ir.Const) and isinstance(func.index.value, str):
        return func.index.value
    return None


def _contextual(e) -> bool:
    """Whether ``e`` mentions the request context (``context``, ``req.environ['nova.context']``, ``ctxt``)."""
    for node in ir.walk(e):
        if isinstance(node, ir.Name) and any(w in CONTEXT_WORDS for w in identifier_words(node.id)):
            return True
        if isinstance(node, ir.Attr) and any(w in CONTEXT_WORDS for w in identifier_words(node.attr)):
            return True
        if isinstance(node, ir.Const) and isinstance(node.value, str) and node.value.endswith(".context"):
            return True
    return False


def is_guard_call(call: ir.Call, classes: bool = False, loose: bool = False) -> bool:
    """``check_policy(ctx, ...)``, ``policy.enforce(...)``, ``context.can(...)``, ``authorize(context)``...
    A class named so (``exception.NotAuthorized(...)``, ``PolicyNotAuthorized``) counts only with
    ``classes``: making the error a check raises shows a check, but is none itself."""
    name = called_name(call)
    if name == "can" and isinstance(call.func, ir.Attr):
        return _contextual(call.func.value)
    if name and name[:1].isupper() and not classes:
        return False
    constant = any(isinstance(a, ir.Const) and isinstance(a.value, str) for a in call.args) or any(
        k.name in ("action", "rule", "target", "target_obj") for k in call.keywords)
    return guard_name(name, constant, loose)


def is_guard_decorator(dec, loose: bool = False) -> bool:
    """``@wrap_check_policy``, ``@policy.enforce_policy(...)``, ``@authorize``, ``@require_admin_context``."""
    target = dec.func if isinstance(dec, ir.Call) else dec
    if isinstance(target, ir.Attr):
        return guard_name(target.attr, loose=loose)
    if isinstance(target, ir.Name):
        return guard_name(target.id, loose=loose)
    return False


def is_ownership_test(e) -> bool:
    """``obj.project_id != context.project_id``, ``context.is_admin``: a decision on the caller's identity."""
    if isinstance(e, ir.Attr) and e.attr in ("is_admin", "is_system_admin", "is_superuser"):
        return True
    if not isinstance(e, ir.Compare):
        return False
    names = []
    for node in ir.walk(e):
        if isinstance(node, ir.Attr):
            names.append(node.attr)
        elif isinstance(node, ir.Name):
            names.append(node.id)
        elif isinstance(node, ir.Subscript) and isinstance(node.index, ir.Const) and isinstance(node.index.value, str):
            names.append(node.index.value)
    owner = any(any(w in _OWNER_WORDS for w in identifier_words(n)) for n in names)
    return owner and _contextual(e)


def expressions(function: ir.Function):
    """Every expression root of a function's own statements and branch conditions."""
    for block in function.blocks:
        if block.origin is None:
            for stmt in block.stmts:
                for attr in ("value", "test", "exc", "msg"):
                    node = getattr(stmt, attr, None)
                    if isinstance(node, ir.Expr):
                        yield stmt, node
        for edge in block.succs:
            if edge.cond is not None:
                yield None, edge.cond


def calls(function: ir.Function):
    """``(statement or None, call)`` for every call of a function and of the functions nested in it."""
    call_type, lambda_type = ir.Call, ir.Lambda
    for stmt, root in expressions(function):
        stack = [root]  # ``ir.walk``'s order, without a generator between it and this one
        while stack:
            e = stack.pop()
            t = type(e)
            if t is call_type:
                yield stmt, e
            if t is not lambda_type:
                stack.extend(reversed(e.children()))
    for child in function.children:
        yield from calls(child)


def guards_in(function: ir.Function, strict: bool = True):
    """The authorization checks a function makes itself: ``(node, description)`` pairs. ``strict``:
    policy calls and guard decorators named in the words of authorization only; otherwise also names
    with one such word (``guard_name(loose=True)``), tests of the caller's identity
    (``context.is_admin``, ``obj.project_id != context.project_id``) and errors of refused access
    raised (``exception.NotAuthorized(...)``)."""
    found = []
    for dec in function.decorators:
        if is_guard_decorator(dec, loose=not strict):
            found.append((dec, "decorator"))
    seen = set()
    for _stmt, call in calls(function):
        if id(call) not in seen and is_guard_call(call, classes=not strict, loose=not strict):
            seen.add(id(call))
            found.append((call, "call"))
    if strict:
        return found
    for _stmt, root in expressions(function):
        for e in ir.walk(root):
            if is_ownership_test(e):
                found.append((e, "test"))
                break
    return found


# ---------------------------------------------------------------- the methods that act for a caller

DEPTH = 3
REQUEST_PARAMS = frozenset({"req", "request"})


def context_param(fn: ir.Function) -> str | None:
    """The parameter holding the caller's request context, if any."""
    for p in fn.params[1:] if fn.params and fn.params[0].name in ("self", "cls") else fn.params:
        if p.name in REQUEST_PARAMS:
            return p.name
        words = identifier_words(p.name)
        if words and words[-1] in CONTEXT_WORDS and "admin" not in words:
            return p.name
    return None


def acting_method(fn: ir.Function) -> bool:
    in_class_body = fn.parent is None or fn.parent.qualname == f"{fn.class_qualname}.<class>"
    return (not fn.name.startswith("_") and in_class_body and not fn.is_lambda
            and context_param(fn) is not None)


def context_names(fn: ir.Function, param: str) -> set:
    """The names the method holds the caller's context under: the parameter, and a local set from
    ``req.environ[...]``/``req.context`` (``context = req.environ['nova.context']``)."""
    names = {param}
    for stmt in fn.statements():
        if isinstance(stmt, ir.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.NameTarget):
            target = stmt.targets[0].id
            if identifier_words(target)[-1:] and identifier_words(target)[-1] in CONTEXT_WORDS:
                if any(isinstance(n, ir.Name) and n.id == param for n in ir.walk(stmt.value)):
                    names.add(target)
    return names


def service_layer(call: ir.Call) -> str | None:
    """``self.share_api`` in ``self.share_api.get_snapshot(context, id)``: another API layer, which may
    make the check itself (not a database or RPC layer, which never do)."""
    func = call.func
    if isinstance(func, ir.Attr) and isinstance(func.value, ir.Attr) and isinstance(func.value.value, ir.Name) \
            and func.value.value.id in ("self", "cls"):
        words = identifier_words(func.value.attr)
        if "api" in words and not {"db", "database", "rpc"} & set(words):
            return func.value.attr
    return None


class ClassChecks:
    """Which methods of one class reach a check (with the first check found), and which may (they call
    something inherited)."""

    def __init__(self, module: ir.Module, klass: ir.Class):
        self.module, self.klass = module, klass
        self.memo: dict = {}
        self.answers: dict = {}
        """What a rule worked out of one method of the class alone, by ``(question, method qualname)``: a rule
        that compares each method with its siblings asks of every sibling for every method."""
        # a controller (its public methods are given the request) may leave the check to the service API
        # it hands the work to; a service API's methods are the layer that checks
        self.controller = any(context_param(m) in REQUEST_PARAMS for m in klass.methods.values() if acting_method(m))

    def reach(self, fn: ir.Function, depth: int = 0, stack=()):
        """``(check node or None, unknown)``: the first check ``fn`` reaches, and whether it calls an
        inherited method (through ``self`` or ``super()``) whose body is out of view."""
        key = fn.qualname
        if key in self.memo:
            return self.memo[key]
        own = guards_in(fn, strict=False)
        if own:
            result = (own[0][0], False)
            self.memo[key] = result
            return result
        unknown = False
        found = None
        if depth < DEPTH:
            for _stmt, call in calls(fn):
                callee = self._callee(call)
                if callee == "inherited" or (callee is None and self.controller and service_layer(call)):
                    unknown = True
                elif callee is not None and callee.qualname not in stack:
                    sub, sub_unknown = self.reach(callee, depth + 1, (*stack, fn.qualname))
                    unknown = unknown or sub_unknown
                    if sub is not None:
                        found = sub
                        break
        result = (found, unknown)
        self.memo[key] = result
        return result

    def _callee(self, call: ir.Call):
        func = call.func
        if isinstance(func, ir.Attr) and isinstance(func.value, ir.Name) and func.value.id in ("self", "cls"):
            method = self.klass.methods.get(func.attr)
            if method is not None:
                return method
            return "inherited" if self.klass.bases else None
        if isinstance(func, ir.Attr) and isinstance(func.value, ir.Call) and func.value.qualname == "builtins.super":
            return "inherited"
        if call.qualname and call.qualname in self.module.functions:
            fn = self.module.functions[call.qualname]
            if fn.class_qualname is None:
                return fn
        return None


class ClassChecksCache:
    """The ``ClassChecks`` of the classes a rule asked about most recently (64): a rule walks one module
    at a time, so older classes are not asked about again."""

    def __init__(self):
        self._facts: OrderedDict = OrderedDict()

    def get(self, module: ir.Module, klass: ir.Class) -> ClassChecks:
        key = (module.path, klass.qualname, id(klass))
        facts = self._facts.get(key)
        if facts is None:
            facts = self._facts[key] = ClassChecks(module, klass)
            if len(self._facts) > 64:
                self._facts.popitem(last=False)
        return facts

    def forget(self, path: str) -> None:
        """Forget the classes of the file at ``path``, whose IR is dropped (``Program._drop``): their
        entries could not be asked for again (a module lowered anew has new classes), and they would
        hold its IR."""
        for key in [key for key in self._facts if key[0] == path]:
            del self._facts[key]


CONTEXT_ARGS = frozenset({"context", "ctxt", "ctx", "req", "request"})


def _passes_context_name(call: ir.Call) -> bool:
    """Whether a call is given a variable named as a request context, positionally or by keyword (asked at
    every call, by two rules: most calls are given none)."""
    name_type = ir.Name
    for a in call.args:
        if type(a) is name_type and a.id in CONTEXT_ARGS:
            return True
    for k in call.keywords:
        if type(k.value) is name_type and k.value.id in CONTEXT_ARGS:
            return True
    return False


def caller_checks_vote(interp, site, callees):
    """What a call passing a request context to a public method of the reviewed code says of the calling
    function: ``safe`` when it checks authorization itself (or the function it is nested in does), else
    ``open``; ``(callee, status)`` pairs, for ``FunctionRule.caller_vote``. A call from the method's own
    class is an internal use, not a way in, and test code does not vote."""
    if not _passes_context_name(site.call):
        return
    program = interp.program
    if program.in_test_code(interp.module.path):
        return
    status = None
    for callee in callees:
        target = program.resolve_function(callee)
        fn = program.functions.get(target) if target else None
        if fn is None or not fn.is_method or not acting_method(fn) or fn.class_qualname == interp.fn.class_qualname:
            continue
        if status is None:
            # once per function: it may pass its context to many methods, and be analysed again and again
            caller = interp.fn
            key = ("authz.caller_status", interp.module.path, caller.qualname)
            status = program.function_facts.get(key)
            if status is None:
                checks = _checks_itself(program, interp.module.path, caller) or (
                    caller.parent is not None and _checks_itself(program, interp.module.path, caller.parent))
                status = program.function_facts[key] = "safe" if checks else "open"
        yield target, status


def _checks_itself(program, path: str, fn: ir.Function) -> bool:
    """Whether ``guards_in(fn, strict=False)`` finds a check, worked out once per function: the enclosing
    function asked for one method after another is a class body (or a module body), whose calls are
    those of every method in it."""
    key = ("authz.guards", path, fn.qualname)
    found = program.function_facts.get(key)
    if found is None:
        found = program.function_facts[key] = bool(guards_in(fn, strict=False))
    return found
