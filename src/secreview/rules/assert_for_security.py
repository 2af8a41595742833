"""`assert` used to enforce authorization or to validate input.

Python drops every `assert` statement when run with `-O` or
`PYTHONOPTIMIZE` (as some packagers, container images and WSGI servers do):
an authorization or input check written as an assert then silently
disappears, and the guarded code runs for everyone with any data. A failing
assert also surfaces as a 500 error instead of a clean 403/400.

Reported for asserts whose condition tests authorization or identity state
(names, attributes or called functions such as `is_admin`, `is_superuser`,
`is_staff`, `is_authenticated`, `authorized`, `permission`, `has_perm`,
`can_*`, `allowed`, `owner`, `role`, `privilege`, `csrf`, `signature`,
`verified`, `token`, `user`, `logged_in`) or examines data traced to the
client (request parameters, bodies and headers, RPC arguments, command-line
input). Weaker words (`user`, `token`, `session`, `tenant_id`, `project_id`)
count only in request handlers and functions given the request or a request
context. Type or invariant checks on internal data (`assert isinstance(x,
int)`, `assert len(buf) == 4`) are not reported, nor is test code.

**Fix:** use an explicit check that survives optimisation and fails with the
right error: `if not user.is_admin: raise PermissionDenied()` (or
`abort(403)`), and `if not valid(data): raise ValidationError(...)` (400).
"""

import re

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.nodes import is_pure as _pure
from secreview.ir.nodes import walk as _walk
from secreview.rules.base import Hit, StatementRule

_STRONG = re.compile(r"(?i)^(is_?admin|admin|is_?superuser|superuser|is_?staff|is_?authenticated|authenticated|"
                     r"is_?authori[sz]ed|authori[sz]ed|authori[sz]e|permissions?|has_?perms?|has_?permission|"
                     r"check_?perm(ission)?s?|can_\w+|is_?allowed|allowed|is_?owner|owner|owner_id|roles?|has_?role|"
                     r"privileges?|is_?privileged|csrf\w*|signature|valid_?signature|verify\w*|verified|is_?verified|"
                     r"logged_?in|is_?logged_?in|access_?granted|acl|policy)$")
_WEAK = re.compile(r"(?i)^(user|current_?user|user_id|token|auth|auth_?token|session|principal|tenant_?id|"
                   r"project_?id)$")
_SOURCES = frozenset({"remote", "rpc", "cli"})


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


def _handles_requests(interp) -> bool:
    """A web entry point, or a function given the request (or an OpenStack request context)."""
    fn = interp.fn
    if any(p.name in _REQUEST_PARAMS for p in fn.params):
        return True
    entry = interp.program.entrypoint_for(interp.module, fn)
    return entry is not None and bool(entry[0] or entry[1])


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
        strong = weak = None
        for name, _node in _identifiers(test):
            if strong is None and _STRONG.match(name):
                strong = name
            elif weak is None and _WEAK.match(name):
                weak = name
        client = None
        for node in _walk(test):
            if isinstance(node, (ir.Name, ir.Attr, ir.Subscript)) and _pure(node):
                value = interp.eval(node)
                for t in value.taints:
                    if not t.is_param and t.kind in _SOURCES:
                        client = interp.code(node)
                        break
            if client:
                break
        if strong:
            what = f"an authorization check (`{strong}`)"
            confidence = Level.HIGH
        elif client:
            what = f"a check of client-supplied data (`{client}`)"
            confidence = Level.HIGH
        elif weak and _handles_requests(interp):
            what = f"a check on `{weak}`, which looks like an authentication or ownership condition"
            confidence = Level.MEDIUM
        else:
            return
        yield Hit(
            node=stmt,
            explanation=(f"`assert {code}` is {what}. Asserts are removed when Python runs with `-O` or "
                         f"`PYTHONOPTIMIZE`, so this check then vanishes and the code after it runs for any caller "
                         f"and any data; when it does run, a failure is a 500 error rather than a 403/400."),
            fix=(f"Replace it with an explicit test: `if not ({code}): raise PermissionError(...)` (or the "
                 f"framework's 403/400 response)."),
            confidence=confidence,
        )
