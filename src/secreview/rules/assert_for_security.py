"""`assert` used to enforce authorization or to validate input.

Python drops every `assert` statement when run with `-O` or
`PYTHONOPTIMIZE` (as some packagers, container images and WSGI servers do):
an authorization or input check written as an assert then silently
disappears, and the guarded code runs for everyone with any data. A failing
assert also surfaces as a 500 error instead of a clean 403/400 in a request
handler (the explanation says so only there, and not where a `try` around the
assert catches `AssertionError` or `Exception`).

Reported for asserts that really decide something about a caller: a
predicate of access (`is_admin`, `is_superuser`, `is_staff`,
`is_authenticated`, `authorized`, `has_perm(...)`, `can_*`, `is_allowed`,
`is_owner`, `csrf...`, `verify...`, `logged_in`), an owner, role, permission
or signature compared with the acting user (`doc.owner_id == user.id`,
`user.role == "admin"`), or a test of the value of data traced to the client
(request parameters, bodies and headers, RPC arguments, command-line input:
`assert 0 < amount < 10_000`). Weaker words (`user`, `token`, `session`,
`tenant_id`, `project_id`) count only in request handlers and functions given
the request or a request context. Not reported: type, presence and size
checks, which decide nothing about a caller and fail later anyway
(`isinstance(response, HttpResponseBase)`, `type(body) is dict`,
`x is not None`, `assert user` after a lookup, `"key" in body`, `len(buf) == 4`; but not a name that
is itself a verdict: `assert authorized`); internal invariants that
merely mention such a word (`assert owner is not None`,
`assert role in (MemberRole.member, MemberRole.nonmember)`; a member of a class the code names is no acting user:
`assert message.role in {MessageRole.user, MessageRole.system}`, a chat message's role); and test code.

**Confidence:** Medium confidence for an assert naming an authorization check
in a request handler, in a function given the request or a request context,
or next to an actor (`user`, `current_user`, `principal`, `context`...); low
(not shown by default) for other checks, and for such a name with no request
and no actor in sight: a start-up or configuration invariant (`assert
hs.config.email.can_verify_email` in a constructor, `assert argon2.verify(
"test", h)` at import), and for a signed-in check of the user a function outside any request
handler is given as a parameter (`def save(self, user): assert
user.is_authenticated`: the caller's precondition, which grants nothing by
itself; a privilege test such as `assert user.is_admin` there stays
medium). Judged on real code over panels B to H: 0 real, 6 worth a look
(superuser asserts in admin views), 9 false; on panel O, 2 such preconditions
false.

**Fix:** use an explicit check that survives optimisation and fails with the
right error: `if not user.is_admin: raise PermissionDenied()` (or
`abort(403)`), and `if not valid(data): raise ValidationError(...)` (400).
"""

import re

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.nodes import is_pure as _pure
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import caught_at
from secreview.rules.base import Hit, StatementRule

# Predicates that decide access by themselves: ``assert user.is_admin``, ``assert has_perm(...)``.
_STRONG = re.compile(r"(?i)^(is_?admin|is_?superuser|is_?staff|is_?authenticated|authenticated|"
                     r"is_?authori[sz]ed|authori[sz]ed|authori[sz]e|has_?perms?|has_?permission|"
                     r"check_?perm(ission)?s?|can_\w+|is_?allowed|allowed|is_?owner|has_?role|"
                     r"is_?privileged|csrf\w*|valid_?signature|verify\w*|verified|is_?verified|"
                     r"logged_?in|is_?logged_?in|access_?granted)$")
# Names that are about access only when compared with the acting user: ``doc.owner_id == user.id``,
# ``user.role == Role.ADMIN``; ``assert owner is not None`` or ``assert role in (member, nonmember)`` on
# their own are invariants of the code, not decisions about a caller.
_SUBJECT = re.compile(r"(?i)^(owner|owner_?id|roles?|privileges?|permissions?|acl|policy|signature|admin)$")
_ACTOR = re.compile(r"(?i)^(user|current_?user|user_?id|request_?user|principal|actor|requester|caller|"
                    r"identity|g|context|ctx|auth|credentials?|project_?id|tenant_?id|session)$")
_WEAK = re.compile(r"(?i)^(user|current_?user|user_id|token|auth|auth_?token|session|principal|tenant_?id|"
                   r"project_?id)$")
_SHAPE_CALLS = frozenset({"builtins.isinstance", "builtins.issubclass", "builtins.hasattr", "builtins.callable",
                          "builtins.len", "builtins.type", "builtins.getattr"})
_SOURCES = frozenset({"remote", "rpc"})


def _identifiers(e):
    for node in _walk(e):
        if isinstance(node, ir.Name):
            yield node.id, node
        elif isinstance(node, ir.Attr):
            yield node.attr, node
        elif isinstance(node, ir.Call):
            name = node.method or getattr(node.func, "id", None)
            if name:
                yield name, node


_REQUEST_PARAMS = frozenset({"request", "req", "context", "ctx", "environ", "http_request"})


_CATCHES_ASSERTION = frozenset({"AssertionError", "Exception", "BaseException"})


def _handles_requests(interp) -> bool:
    """A web entry point, or a function given the request (or an OpenStack request context)."""
    fn = interp.fn
    if any(p.name in _REQUEST_PARAMS for p in fn.params):
        return True
    entry = interp.program.entrypoint_for(interp.module, fn)
    return entry is not None and bool(entry[0] or entry[1])


def _conjuncts(test):
    """The parts of ``a and b and ...`` (a single test is one part)."""
    if isinstance(test, ir.BoolOp) and test.op == "and":
        out = []
        for v in test.values:
            out.extend(_conjuncts(v))
        return out
    return [test]


def _shape_check(e) -> bool:
    """A test of a value's type, presence or size, not of what it allows: ``isinstance(x, T)``,
    ``type(x) is dict``, ``x is not None``, ``"key" in body``, ``len(buf) >= 4``, ``hasattr(x, "y")``."""
    if isinstance(e, ir.UnaryOp) and e.op == "not":
        return _shape_check(e.operand)
    if isinstance(e, ir.Name):
        # ``assert user`` after a lookup, ``assert id``: presence (type narrowing of an Optional), unless the
        # name itself is the verdict (``assert authorized``)
        return not _STRONG.match(e.id)
    if isinstance(e, ir.Call):
        return e.qualname in _SHAPE_CALLS
    if isinstance(e, ir.Compare):
        operands = [e.left, *e.comparators]
        if all(op in ("is", "is not") for op in e.ops) and any(
                isinstance(o, ir.Const) and o.value is None for o in operands):
            return True
        if any(isinstance(o, ir.Call) and o.qualname in _SHAPE_CALLS for o in operands):
            return True  # ``type(x) is dict``, ``len(x) == 2``
        if e.ops and all(op in ("in", "not in") for op in e.ops) and isinstance(e.left, ir.Const) \
                and isinstance(e.left.value, str):
            return True  # ``"subnet_cidr" in net_info``: a key is present
    return False


def _names(e):
    return [name for name, _ in _identifiers(e)]


# checks that a user is signed in at all (not what it may do): on a user the caller hands over, the caller's
# precondition
_SIGNED_IN = frozenset({"is_authenticated", "is_anonymous", "is_active", "logged_in", "is_logged_in"})


def _given_actor(interp, test) -> str | None:
    """The parameter of the function that every actor the assert names is read from (``user`` of ``def
    save(self, user)``), or None."""
    params = {p.name for p in interp.fn.params[1 if interp.fn.is_method else 0:]}
    roots = set()
    for part in _conjuncts(test):
        for node in _walk(part):
            root = node
            while isinstance(root, (ir.Attr, ir.Subscript)):
                root = root.value
            if isinstance(root, ir.Name) and _ACTOR.match(root.id):
                roots.add(root.id)
    if roots and roots <= params and len(roots) == 1:
        return next(iter(roots))
    return None


def _access_comparison(e) -> str | None:
    """``doc.owner_id == user.id``, ``user.role in ADMIN_ROLES``: a subject name compared with the actor."""
    if not isinstance(e, ir.Compare):
        return None
    names = _names(e)
    subject = next((n for n in names if _SUBJECT.match(n)), None)
    # (not a member of a class the code names: ``MessageRole.user`` is a chat message's role, no acting user;
    # letta's ``assert message_create.role in {MessageRole.user, ...}``, judged false on panel AS)
    # (nor a field of the subject itself: ``policy.context == "BASE"`` reads the policy's own kind, no acting
    # user's context; barman's retention policies, judged false on panel BA)
    actors = [name for name, node in _identifiers(e) if not _class_member(node) and not _of_subject(node)]
    if subject and any(_ACTOR.match(n) for n in actors if n != subject):
        return subject
    return None


def _of_subject(node) -> bool:
    """``policy.context``: an attribute read from a value named as the subject (``_SUBJECT``)."""
    while isinstance(node, (ir.Attr, ir.Subscript)):
        node = node.value
        name = node.id if isinstance(node, ir.Name) else node.attr if isinstance(node, ir.Attr) else None
        if name is not None and _SUBJECT.match(name):
            return True
    return False


def _class_member(node) -> bool:
    """``MessageRole.user``, ``Role.ADMIN``: an attribute of a name written as a class's (CapWords)."""
    return isinstance(node, ir.Attr) and isinstance(node.value, ir.Name) and node.value.id[:1].isupper() \
        and any(c.islower() for c in node.value.id)


class AssertForSecurity(StatementRule):
    __doc__ = __doc__

    id = "SR603"
    name = "assert-for-security"
    title = "Security check written as an assert"
    cwe = 617
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    bandit = ("B101",)
    tests_relevant = False
    triggers = frozenset({"Assert"})

    def check_statement(self, interp, stmt):
        if type(stmt) is not ir.Assert:
            return
        test = stmt.test
        code = interp.code(test)
        strong = weak = client = None
        for part in _conjuncts(test):
            if _shape_check(part):
                continue  # a type, presence or size check decides nothing about a caller
            for name, _node in _identifiers(part):
                if strong is None and _STRONG.match(name):
                    strong = name
                elif weak is None and _WEAK.match(name):
                    weak = name
            if strong is None:
                strong = _access_comparison(part)
            if client is None:
                client = self._client_data(interp, part)
        # judged on real code (docs/precision.md, sixth session): all 5 sampled were false (the check was
        # repeated elsewhere, or held in development-only code), so only a named authorization check is shown
        if strong and not _handles_requests(interp) and not any(
                _ACTOR.match(name) for part in _conjuncts(test) for name in _names(part)):
            # no request, no user, no caller in sight: a start-up or configuration invariant named like a
            # check (``assert hs.config.email.can_verify_email`` in a constructor, ``assert argon2.verify(
            # "test", h)`` at import), judged false on real code (docs/precision.md, panels B and H)
            what = f"a condition named like an authorization check (`{strong}`)"
            confidence = Level.LOW
        elif strong in _SIGNED_IN and not _handles_requests(interp) and (given := _given_actor(interp, test)):
            # ``def save(self, user): assert user.is_authenticated`` (djblets' consent forms): the caller hands
            # over the user it has authenticated; a precondition of the function, which grants nothing by
            # itself (judged false on real code, docs/precision.md, panel O)
            what = (f"a precondition on the user the function is given (`{given}`), named like an authorization "
                    f"check (`{strong}`)")
            confidence = Level.LOW
        elif strong:
            what = f"an authorization check (`{strong}`)"
            confidence = Level.MEDIUM
        elif client:
            what = f"a check of client-supplied data (`{client}`)"
            confidence = Level.LOW
        elif weak and _handles_requests(interp):
            what = f"a check on `{weak}`, which looks like an authentication or ownership condition"
            confidence = Level.LOW
        else:
            return
        if caught_at(interp.fn, stmt.line, _CATCHES_ASSERTION):
            failure = ("when it does run, a failure raises AssertionError, which the except clause around it catches "
                       "with whatever else goes wrong there")
        elif _handles_requests(interp):
            failure = "when it does run, a failure is a 500 error rather than a 403/400"
        else:
            failure = "when it does run, a failure raises AssertionError, which says nothing of why it refused"
        yield Hit(
            node=stmt,
            explanation=(f"`assert {code}` is {what}. Asserts are removed when Python runs with `-O` or "
                         f"`PYTHONOPTIMIZE`, so this check then vanishes and the code after it runs for every caller "
                         f"that reaches it, whatever this condition says; {failure}."),
            fix=(f"Replace it with an explicit test: `if not ({code}): raise PermissionError(...)` (or the "
                 f"framework's 403/400 response)."),
            confidence=confidence,
        )

    @staticmethod
    def _client_data(interp, part):
        for node in _walk(part):
            if isinstance(node, (ir.Name, ir.Attr, ir.Subscript)) and _pure(node):
                value = interp.eval(node)
                for t in value.taints:
                    if not t.is_param and t.kind in _SOURCES:
                        return interp.code(node)
        return None
