from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.control import controlling_conditions
from secreview.ir.statements import expressions
from secreview.rules.base import SinkRule
from secreview.rules.header_injection import HEADER_METHODS, header_name

_ALLOW_ORIGIN = "access-control-allow-origin"
_ALLOW_CREDENTIALS = "access-control-allow-credentials"


class CorsOriginReflected(SinkRule):
    """Any site's origin allowed, with credentials, by echoing the request's `Origin`.

    `Access-Control-Allow-Origin` set to the request's own `Origin` header
    (or another value the client sends) allows every site; together with
    `Access-Control-Allow-Credentials: true` it tells the browser that any web
    page the user visits may send requests with the user's cookies, HTTP
    authentication or TLS client certificate and read the answers: the
    user's data, and any token the response carries.

    Reported when data traced to a request reaches the value of
    `Access-Control-Allow-Origin` (`headers["Access-Control-Allow-Origin"] =
    request.environ.get("HTTP_ORIGIN")`, `headers.set(...)`, a `headers=`
    dict) and the same function sets `Access-Control-Allow-Credentials` to
    `true`: with medium confidence where the handler's class (or, for a
    function, its module) reads a credential the browser sends on its own
    (`request.cookies`, the session, `request.authorization`, `current_user`,
    a TLS client certificate's `SSL_CLIENT_*` variables, `REMOTE_USER`), with
    low confidence otherwise (an API that authenticates only with headers its
    own scripts add exposes nothing: other sites cannot send those without a
    preflight). An origin echoed where `re.match(pattern, origin)` (or `re.search`) holds, against
    patterns the code does not show (its configuration's), is reported saying so: a pattern not anchored at
    both ends lets `https://app.example.com.evil.example` through. Not reported: an origin checked against an
    allow-list first (`if origin in ALLOWED_ORIGINS:`, `re.fullmatch(pattern, origin)` of configured
    patterns), an echo without credentials (what `*`
    allows: the browser then sends no cookies), and the other CORS headers
    (`Access-Control-Allow-Headers` echoing the preflight's
    `Access-Control-Request-Headers` is how preflights are answered). Header
    injection (CR/LF) is the header-injection rule's.

    **Fix:** compare the request's `Origin` with an allow-list of trusted
    origins and echo it only when listed (or use a CORS library configured
    with that list, such as Flask-CORS's `origins=` or django-cors-headers'
    `CORS_ALLOWED_ORIGINS`); never combine a reflected origin with
    `Access-Control-Allow-Credentials: true`.
    """

    id = "SR119"
    name = "cors-origin-reflected"
    title = "CORS allows any origin with credentials"
    cwe = 942
    severity = Level.HIGH
    confidence = Level.MEDIUM
    # whether the API relies on ambient credentials (cookies, client certificates) the code does not say
    traced_ceiling = Level.MEDIUM
    sink_kinds = ("header",)
    untainted = None
    sanitizable = False  # only an allow-list makes an origin acceptable
    danger = ("The same function sets `Access-Control-Allow-Credentials: true`, so any web page the user visits "
              "may send requests with the user's cookies, HTTP authentication or TLS client certificate and read "
              "the answers.")
    fix = ("Echo the `Origin` only when it is in an allow-list of trusted origins, or drop "
           "`Access-Control-Allow-Credentials: true`.")

    def dangerous_part(self, sink, value, node=None, arg_node=None):
        name = _header_name(node, arg_node)
        if name is not None:
            return value if name == _ALLOW_ORIGIN else None
        if value.items:
            for key, item in value.items.items():
                if isinstance(key, str) and key.lower() == _ALLOW_ORIGIN:
                    return item  # ``headers={"Access-Control-Allow-Origin": origin}``
        return None

    def site_use(self, interp, node, arg_node, sink=None):
        if not _allows_credentials(interp.fn):
            return None
        check = _configured_pattern(interp)
        if check is not None and check[1] == "fullmatch":
            return None  # each origin matched whole against the configured patterns: an allow-list
        return ("credentials", _ambient_credentials(interp)) + (check or ())

    def reports(self, taint, site) -> bool:
        return site.use is not None and site.use[0] == "credentials"

    def sink_confidence(self, site, confidence):
        # judged on panel AG: rucio's API authenticates with headers its own client adds, which a preflight
        # (refused for other origins) guards; only its client-certificate endpoint leaked a token
        return confidence if site.use is not None and site.use[1] else Level.LOW

    def danger_at(self, site) -> str:
        if site.use is not None and len(site.use) == 5:
            # judged untrue on panel AL without it: "any web page" of an origin matched against configured patterns
            code, how, line = site.use[2], site.use[3], site.use[4]
            where = "at its start only" if how == "match" else "anywhere in it"
            return (f"The origin is echoed where `{code}` (line {line}) holds, against patterns the code does not "
                    f"show (its configuration's): that test looks for the pattern {where}, so unless each pattern is "
                    f"anchored "
                    f"at both ends (`^https://app\\.example\\.com$`), an origin such as "
                    f"`https://app.example.com.evil.example` passes too. The same function sets "
                    f"`Access-Control-Allow-Credentials: true`, so such a page may send requests with the user's "
                    f"cookies, HTTP authentication or TLS client certificate and read the answers.")
        if site.use is not None and not site.use[1]:
            return (f"{self.danger} Nothing in this handler's class or module reads such a credential (a cookie, "
                    f"the session, HTTP authentication, a TLS client certificate): if the API authenticates only "
                    f"with headers its own scripts add, which other sites cannot send without a preflight, the echo "
                    f"exposes nothing.")
        return self.danger


_REGEX_TESTS = {"re.match": "match", "re.search": "search", "re.fullmatch": "fullmatch"}


def _configured_pattern(interp) -> tuple | None:
    """``(code, how, line)`` of a regular expression test that must hold for the store to run, of a pattern that is
    not a constant against the stored value (``if re.match(domain_regex, origin):`` with ``domain_regex`` from the
    configuration), or None."""
    stmt = interp.stmt
    if not isinstance(stmt, ir.Assign):
        return None
    stored = ir.dotted_text(stmt.value)
    if stored is None:
        return None
    for cond, taken in controlling_conditions(interp.fn, stmt):
        if taken and isinstance(cond, ir.Call) and cond.qualname in _REGEX_TESTS:
            pattern, subject = cond.argument(0, "pattern"), cond.argument(1, "string")
            if pattern is not None and not isinstance(pattern, ir.Const) and subject is not None \
                    and ir.dotted_text(subject) == stored:
                return interp.code(cond), _REGEX_TESTS[cond.qualname], cond.line
    return None


def _header_name(node, arg_node) -> str | None:
    """The header (lower case) a store or call sets, when written as a constant: ``h["X-A"] = v``,
    ``h.set("X-A", v)`` (None for the name argument itself)."""
    if isinstance(arg_node, (ir.ItemTarget, ir.AttrTarget)):
        name = header_name(arg_node)
    elif isinstance(node, ir.Call) and node.method in HEADER_METHODS and node.args and arg_node is not node.args[0] \
            and isinstance(node.args[0], ir.Const) and isinstance(node.args[0].value, str):
        name = node.args[0].value
    else:
        name = None
    return name.lower() if name is not None else None


def _allows_credentials(fn) -> bool:
    """The function sets ``Access-Control-Allow-Credentials`` to ``true`` (as an item, with ``set``/``add``,
    or in a dict display)."""
    for stmt in fn.statements():
        if isinstance(stmt, ir.Assign) and _true(stmt.value) and any(
                isinstance(t, ir.ItemTarget) and _is_credentials(t.index) for t in stmt.targets):
            return True
        for top in expressions(stmt):
            for e in ir.walk(top):
                if isinstance(e, ir.Call) and len(e.args) >= 2 and _is_credentials(e.args[0]) and _true(e.args[1]):
                    return True
                if isinstance(e, ir.DictExpr) and any(_is_credentials(k) and _true(v)
                                                      for k, v in zip(e.keys, e.values)):
                    return True
    return False


# what a browser sends on its own with a credentialed request: cookies (and the session kept in one), HTTP
# authentication, a TLS client certificate (the server's ``SSL_CLIENT_*`` variables), a server-authenticated user
_AMBIENT_ATTRIBUTES = frozenset({"cookies", "COOKIES", "session", "authorization", "remote_user", "current_user"})
_AMBIENT_KEYS = ("SSL_CLIENT_", "REMOTE_USER", "HTTP_COOKIE", "HTTP_AUTHORIZATION")


def _ambient_credentials(interp) -> bool:
    """Whether the handler's class (the function's module, for a function) reads a credential the browser
    sends on its own: a cookie, the session, HTTP authentication, a TLS client certificate."""
    fn = interp.fn
    module = interp.module
    owners = [f for f in module.functions.values() if f.class_qualname == fn.class_qualname] \
        if fn.class_qualname else [module.body, *module.functions.values()]
    for owner in owners:
        for stmt in owner.statements():
            for top in expressions(stmt):
                for e in ir.walk(top):
                    if isinstance(e, ir.Attr) and e.attr in _AMBIENT_ATTRIBUTES:
                        return True
                    if isinstance(e, ir.Name) and (e.id in _AMBIENT_ATTRIBUTES or (e.qualname or "").endswith(
                            (".session", ".current_user"))):
                        return True
                    if isinstance(e, ir.Const) and isinstance(e.value, str) and e.value.startswith(_AMBIENT_KEYS):
                        return True
    return False


def _is_credentials(e) -> bool:
    return isinstance(e, ir.Const) and isinstance(e.value, str) and e.value.lower() == _ALLOW_CREDENTIALS


def _true(e) -> bool:
    return isinstance(e, ir.Const) and (e.value is True or (isinstance(e.value, str) and e.value.lower() == "true"))
