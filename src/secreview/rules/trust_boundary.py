from secreview.findings.model import Level
from secreview.rules.base import SinkRule


class TrustBoundaryViolation(SinkRule):
    """Untrusted data stored in the session, where code trusts what it reads.

    Values in the session (`flask.session`, Django `request.session`,
    Starlette `request.session`) are read back by later requests as if the
    server had put them there: a role, a user id or a "verified" flag copied
    from request data lets the client decide what the server later believes
    about it.

    Reported when data traced to untrusted input is stored in a session
    (`session[key] = value`, `session.update(...)`, `setdefault`). Not reported:
    values checked against an allow-list (`if x in ALLOWED:`, `if x not in ALLOWED: return`,
    `if x == "a":`; also a collection the server keeps on the request object,
    `if region in request.user.available_services_regions:`, but not a list the client sent),
    converted to numbers, or constant.
    Escaping for another language (`html.escape`) does not count.

    **Fix:** store only values the server has validated or derived itself (an
    id looked up in the database after authentication, a choice checked against
    an allow-list); keep the raw request value out of the session.
    """

    id = "SR115"
    name = "trust-boundary"
    title = "Trust boundary violation"
    cwe = 501
    severity = Level.LOW
    confidence = Level.HIGH
    sink_kinds = ("trust-boundary",)
    sanitizable = False
    untainted = None
    danger = ("Later requests read the session as data the server vouched for, so the client decides what is "
              "stored there (a role, an id, a flag) without the server having checked it.")
    fix = ("Validate the value before storing it (an allow-list, `int()`, a database lookup) or store a value "
           "the server derived itself, not the raw request data.")
