from secreview.findings.model import Level
from secreview.rules.base import SinkRule


class HeaderInjection(SinkRule):
    """HTTP response header set from untrusted data.

    A header value the client chooses sets what the header means: a
    `Content-Type` of its choice, an `Access-Control-Allow-Origin` that opens
    the API to any site, a `Location`, a `Content-Disposition` file name. With
    a server that passes CR/LF through (CWE-113), the value can also add headers
    (a `Set-Cookie`) or a second response. Werkzeug (Flask), Django and WebOb
    reject CR/LF in header values, which is why the default severity is low.

    Reported when data traced to untrusted input is stored as a response header
    value: `response.headers[name] = value`, `headers.add/set`, Django
    `response[name] = value`, `headers=` of Flask `make_response` and Django
    `HttpResponse`, WebOb `location`/`content_type`. Not reported: values checked
    against an allow-list, percent-encoded with `urllib.parse.quote`, passed
    through `repr()`, or merely not constant. HTML escaping does not count: it
    leaves CR and LF alone.

    **Fix:** choose header values from an allow-list (e.g. the allowed CORS
    origins), or build them from a fixed format with the value percent-encoded
    (`urllib.parse.quote(value)`); reject values containing `\\r` or `\\n`.
    """

    id = "SR113"
    name = "header-injection"
    title = "HTTP header injection"
    cwe = 113
    severity = Level.LOW
    confidence = Level.HIGH
    sink_kinds = ("header",)
    untainted = None
    danger = ("The client chooses this header's value — a `Content-Type`, a CORS origin, a redirect target — and "
              "on servers that pass CR/LF through it can add headers or split the response.")
    fix = ("Pick the header value from an allow-list, or percent-encode the client's part with "
           "`urllib.parse.quote()`; reject values containing `\\r` or `\\n`.")
