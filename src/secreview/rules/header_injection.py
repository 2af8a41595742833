from secreview.analysis import values as V
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.base import SinkRule

# Headers whose value, chosen by someone else, changes what the response does: the content type
# (HTML out of JSON), a cookie, the name of a download, a refresh to another URL, a file the front-end
# server sends, a link. Any other header's value is only text; it
# matters when it can carry CR/LF.
# (The CORS headers are cors-origin-reflected's: an origin echoed matters with credentials only, and
# ``Access-Control-Allow-Headers`` echoing the preflight's ``Access-Control-Request-Headers`` is how preflights
# are answered.)
_VALUE_MATTERS = frozenset({
    "content-type", "set-cookie", "content-disposition", "refresh", "x-sendfile", "x-accel-redirect", "link"})
_NO_CRLF = "no-crlf"
_OWN_HOST = "own-host"
HEADER_METHODS = frozenset({"add", "set", "setdefault", "add_header", "send_header"})
"""Methods of a headers object (and a handler's ``send_header``) that take a header's name, then its value."""


class HeaderInjection(SinkRule):
    """HTTP response header set from untrusted data.

    Two things can go wrong. A value holding CR/LF adds headers (a `Set-Cookie`)
    or a second response (CWE-113); Werkzeug (Flask) and Django refuse such
    values, and WebOb strips CR/LF from `Location` only. And the value of some
    headers decides what the response does, whatever characters it holds: a
    `Content-Type` of the client's choice, a `Set-Cookie`, a `Content-Disposition`
    file name, a `Refresh`, `X-Sendfile` or `Link`. The CORS headers are
    cors-origin-reflected's (SR119): an `Access-Control-Allow-Origin` echoing
    the request's origin matters with credentials, and `Access-Control-Allow-Headers`
    echoing the preflight's `Access-Control-Request-Headers` is how preflights
    are answered; here they count only for CR/LF.

    Reported when data traced to untrusted input is stored as a response header
    value (`response.headers[name] = value`, `headers.add/set`, Django
    `response[name] = value`, `headers=` of Flask `make_response` and Django
    `HttpResponse`, WebOb `location`/`content_type`) and either the header is
    one of those whose value matters, or the value can hold CR/LF (data decoded
    from the URL or the body, not a request header's value: the HTTP parser
    ends a header at the line break) and the framework lets it through. So a
    request header, or the request's own host name, echoed in an ordinary
    header (`X-Request-Id`, the `Location` of a created resource) is not
    reported, nor is a value made from this request's own URL and server
    data (`"%s/%s" % (req.url, new_id)`), as a header's value or its name.
    Not reported either: values checked against an allow-list,
    percent-encoded with `urllib.parse.quote`, or merely not constant;
    a `Content-Disposition` where the framework refuses CR/LF (Django,
    Werkzeug) is reported at low confidence, not shown by default: the client
    then chooses only the name the download is saved under, which matters
    where the body reflects their data too (judged on real code, such file
    names were false in nearly every case: a file the client asked for, under
    its own name);
    `repr()` removes CR/LF but not the choice of the value. HTML escaping does
    not count: it leaves CR and LF alone.

    **Fix:** choose header values from an allow-list (e.g. the allowed content
    types), or build them from a fixed format with the value percent-encoded
    (`urllib.parse.quote(value)`); reject values containing `\\r` or `\\n`.
    """

    id = "SR113"
    name = "header-injection"
    title = "HTTP header injection"
    cwe = 113
    severity = Level.LOW
    confidence = Level.HIGH
    traced_ceiling = Level.MEDIUM  # (SinkRule.traced_ceiling; docs/precision.md, seventh session)
    sink_kinds = ("header",)
    untainted = None
    danger = ("The client chooses this header's value — a `Content-Type`, a file name, a redirect target — and "
              "on servers that pass CR/LF through it can add headers or split the response.")
    fix = ("Pick the header value from an allow-list, or percent-encode the client's part with "
           "`urllib.parse.quote()`; reject values containing `\\r` or `\\n`.")

    def site_use(self, interp, node, arg_node, sink=None):
        # a download's file name where the framework refuses CR/LF (Django, Werkzeug): the client picks only the
        # name the browser saves the response under
        name = header_name(arg_node)
        if name is None and isinstance(node, ir.Call) and node.method in HEADER_METHODS and node.args \
                and isinstance(node.args[0], ir.Const) and isinstance(node.args[0].value, str):
            name = node.args[0].value
        if name is not None and name.lower() == "content-disposition" and sink is not None and "*" in sink.no_crlf:
            return ("download-name",)
        return None

    def sink_confidence(self, site, confidence):
        return Level.LOW if site.use == ("download-name",) else confidence

    def danger_at(self, site) -> str:
        if site.use == ("download-name",):
            return ("The client chooses the name under which the browser saves this response (this framework "
                    "refuses CR/LF in header values, so no header can be added): a link to this site can make a "
                    "visitor save it as report.bat, which matters where the body also carries the client's data.")
        return self.danger

    def excused(self, site, sink, callee: str) -> bool:
        # ``headers.add("X-Name", value)``: nothing to report when only the value is tainted and it
        # cannot matter (the name is a constant of an ordinary header)
        if not site.args or not site.args[0].is_const or not isinstance(site.args[0].const, str) or \
                len(site.args) < 2 or site.call.method not in HEADER_METHODS:
            return False
        return all(_harmless(sink, site.args[0].const, v) for v in site.args[1:])

    def dangerous_part(self, sink, value, node=None, arg_node=None):
        if _own_url(value):
            return None
        name = header_name(arg_node)
        if name is not None:
            return None if _harmless(sink, name, value) else value
        if value.items is not None and value.items and all(isinstance(k, str) for k in value.items):
            # ``headers={"X-Trace": value}``: each header by its name
            if all(_harmless(sink, k, v) for k, v in value.items.items()):
                return None
        return value


def _own_url(value) -> bool:
    """A value (or a header name) whose only untrusted part is this request's own URL or host
    (``"%s/%s" % (req.url, volume_id)``): it holds no CR/LF (the frameworks quote the URL), and a link
    sent to a victim cannot make it name another site or a header such as ``Set-Cookie``."""
    taints = [t for t in V.merge_taints(value.taints, V.all_item_taints(value.items))
              if not t.is_param and t.kind not in (V.BUILT, V.OPAQUE) and t.dangerous_for("header")]
    return bool(taints) and all(_OWN_HOST in t.cleansed and _NO_CRLF in t.cleansed for t in taints)


def header_name(node) -> str | None:
    """The header a store sets, when written as a constant: ``resp.headers["X-A"] = v``,
    ``response["X-A"] = v``, ``resp.content_type = v``."""
    if isinstance(node, ir.ItemTarget) and isinstance(node.index, ir.Const) and isinstance(node.index.value, str):
        return node.index.value
    if isinstance(node, ir.AttrTarget):
        return node.attr.replace("_", "-")
    return None


def _harmless(sink, name: str, value) -> bool:
    """A value set as header ``name`` that can do no harm: the header's value only matters for
    CR/LF, and either the framework keeps CR/LF out of it or no part of the value can hold one."""
    name = name.lower()
    if name in _VALUE_MATTERS:
        return False
    if "*" in sink.no_crlf or name in sink.no_crlf:
        return True
    taints = V.merge_taints(value.taints, V.all_item_taints(value.items))
    return all(not t.dangerous_for("header") or _NO_CRLF in t.cleansed for t in taints if not t.is_param)
