"""Outgoing HTTP request made without a timeout.

`requests` and `urllib.request.urlopen` wait forever by default: a server
that accepts the connection and never answers (a slow or malicious peer, a
black-holed route) blocks the calling thread or worker indefinitely. A few
such calls exhaust a web server's workers or stall an agent's loop.

Reported for `requests.get/post/put/patch/delete/head/options/request`, the
same methods on a `requests.Session`, and `urllib.request.urlopen`, when no
`timeout` is passed (or `timeout=None` is passed explicitly). Calls that pass
`**kwargs` (which may hold a timeout) are not reported; httpx, aiohttp and
urllib3 pools are not reported either, as they have default timeouts or
take them from the client object. Session calls are reported with lower
confidence: a session subclass or adapter may set a default. Test code is not
reported.

In the extended set (select it to run it): on real projects most calls it
reports go to endpoints the operator configures, where a missing timeout is
hardening at most (`docs/precision.md`).

**Fix:** pass a timeout on every call, e.g. `requests.get(url, timeout=(3.05, 30))`
(connect, read) or `urllib.request.urlopen(url, timeout=30)`.
"""

from secreview.findings.model import Level
from secreview.rules.base import CallRule, Hit

_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
_MODULE = tuple(f"requests.{m}" for m in _METHODS) + tuple(f"requests.api.{m}" for m in _METHODS)
_SESSION = tuple(f"{c}.{m}" for c in ("requests.Session", "requests.sessions.Session") for m in _METHODS)
_URLOPEN = ("urllib.request.urlopen", "urllib2.urlopen")


class RequestWithoutTimeout(CallRule):
    __doc__ = __doc__

    id = "SR305"
    extended = True
    name = "request-without-timeout"
    title = "Network request without a timeout"
    cwe = 400
    severity = Level.LOW
    confidence = Level.HIGH
    bandit = ("B113",)
    tests_relevant = False
    callees = _MODULE + _SESSION + _URLOPEN

    def check(self, site, callee: str):
        call = site.call
        if any(k.name is None for k in call.keywords):
            return
        position = 2 if callee in _URLOPEN else None
        value, node = site.arg(position, "timeout")
        if node is not None and not (value is not None and value.is_const and value.const is None):
            return
        code = site.interp.code(call)
        how = "passes `timeout=None`" if node is not None else "passes no `timeout`"
        fix_call = "urllib.request.urlopen(..., timeout=30)" if callee in _URLOPEN else \
            f"{site.interp.code(call.func)}(..., timeout=(3.05, 30))"
        unless = ""
        if callee in _URLOPEN and node is None:
            unless = " (unless the process calls `socket.setdefaulttimeout()`)"
        yield Hit(
            node=call,
            explanation=(f"`{code}` {how}, so it waits forever{unless} if the server accepts the connection but never "
                         f"answers: the calling thread or worker hangs, and a few such calls can exhaust the "
                         f"process's workers."),
            fix=f"Pass an explicit timeout: `{fix_call}`.",
            confidence=Level.MEDIUM if callee in _SESSION else None,
        )
