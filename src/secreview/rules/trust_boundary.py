from secreview.findings.model import Level
from secreview.rules.base import SinkRule
from secreview.rules.weak_random import name_words

# Words of a session key that say the server will believe something about the client from it.
_TRUST_WORDS = frozenset({"user", "userid", "uid", "username", "login", "logged", "role", "roles", "admin",
                          "superuser", "staff", "authenticated", "authorized", "authorised", "verified",
                          "permission", "permissions", "perm", "perms", "privilege", "privileges", "group",
                          "groups", "owner", "account", "level", "scope", "trusted", "acl", "email", "identity",
                          "principal", "member", "is", "has", "can", "allowed", "approved", "paid", "price",
                          "discount", "coupon", "credit", "balance", "quota", "limit"})


# Words of a session key that name where to send the user next: a page, not a belief about the user.
_DESTINATION_WORDS = frozenset({"next", "redirect", "return", "url", "came", "destination", "goto", "referer",
                                "referrer"})


class TrustBoundaryViolation(SinkRule):
    """Untrusted data stored in the session, where code trusts what it reads.

    Values in the session (`flask.session`, Django `request.session`,
    Starlette `request.session`) are read back by later requests as if the
    server had put them there: a role, a user id or a "verified" flag copied
    from request data lets the client decide what the server later believes
    about it.

    Reported when data traced to untrusted input is stored in a session
    (`session[key] = value`, `session.update(...)`, `setdefault`) under a key
    chosen by the client, or under a key whose name says what the server will
    believe from it (`user_id`, `role`, `is_admin`, `verified`, `permissions`,
    `email`...; a module constant is read as its text: `session[_RETURN_TO]` of `_RETURN_TO =
    "idp.return_to"`). Not reported: a key naming a preference or a note the code
    keeps for the user's own next page (`session['auth_type']`,
    `session['network_deleted']`: the client only tells the server about itself
    what it could have sent in the next request anyway), a key naming where to
    send the user next (`session['oidc_login_next']`, `redirect_url`: whether that
    page may be off the site is the open-redirect rule's question where it is
    used), and values
    values checked against an allow-list (`if x in ALLOWED:`, `if x not in ALLOWED: return`,
    `if x == "a":`, or equal to a value no source made: past `if username != config["auth"]["username"]:
    return`, `username` is the configured name; also a collection the server keeps on the request object,
    `if region in request.user.available_services_regions:`, but not a list the client sent),
    converted to numbers, or constant; nor a key that is a number (a route's `(?P<sid>\\d+)` or
    `<int:sid>`, also as `str(sid)`: `request.session[sid] = state`), which names no slot the
    server trusts. A number stored as the value is reported like any value (`session["user_id"] =
    pk` of a route's `<int:pk>`: the client chose it).
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
    traced_ceiling = Level.MEDIUM  # (SinkRule.traced_ceiling; docs/precision.md, seventh session)
    sink_kinds = ("trust-boundary",)
    sanitizable = False
    untainted = None
    danger = ("Later requests read the session as data the server vouched for, so the client decides what is "
              "stored there (a role, an id, a flag) without the server having checked it.")
    fix = ("Validate the value before storing it (an allow-list, `int()`, a database lookup) or store a value "
           "the server derived itself, not the raw request data.")

    def reports(self, taint, site) -> bool:
        if site.key is None:
            return True  # a key the client chooses, or one the code computes: the server cannot know what it holds
        words = name_words(site.key)
        if _DESTINATION_WORDS.intersection(words):
            # ``session["oidc_login_next"] = next_url``: where to send the user after signing in, a page of the
            # client's own choosing (whether it may leave the site is open-redirect's question at the redirect)
            return False
        return bool(_TRUST_WORDS.intersection(words))
