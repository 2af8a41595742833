"""`logging.config.listen()` started without a `verify` function.

The listener accepts a logging configuration over a TCP socket and applies
it. A configuration names classes and callables to instantiate (handlers,
filters, `()` factories) and `fileConfig` evaluates parts of it, so whoever
can connect to the port (by default every local user, and anyone on the
network if the port is reachable) runs code in this process.

Reported for `logging.config.listen(...)` without `verify=` (or with
`verify=None`). A listener given a verifying function (checking a signature
or decrypting the payload) is not reported.

**Fix:** do not open a configuration listener in production; if it is
needed, pass `verify=` a function that checks an HMAC of the payload with a
secret key and returns `None` for anything unsigned.
"""

from secreview.findings.model import Level
from secreview.rules.base import CallRule, Hit


class LoggingConfigListener(CallRule):
    __doc__ = __doc__

    id = "SR405"
    name = "logging-config-listener"
    title = "Unauthenticated logging configuration listener"
    cwe = 94
    severity = Level.HIGH
    confidence = Level.HIGH
    bandit = ("B612",)
    callees = ("logging.config.listen",)

    def check(self, site, callee: str):
        value, node = site.arg(1, "verify")
        if node is not None and not (value.is_const and value.const is None):
            return
        code = site.interp.code(site.call)
        yield Hit(
            node=site.call,
            explanation=(f"`{code}` opens a socket that accepts and applies logging configurations without "
                         f"verifying them: a configuration can instantiate arbitrary classes and callables, so "
                         f"anyone who can connect to the port runs code in this process."),
            fix="Remove the listener, or pass `verify=` a function that checks an HMAC signature of the payload.",
        )
