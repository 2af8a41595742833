from secreview.findings.model import Level
from secreview.rules.base import CallRule, Hit
from secreview.rules.opt_out import opt_out

_HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")
_CALLEES = tuple(
    [f"requests.{m}" for m in _HTTP_METHODS]
    + [f"requests.Session.{m}" for m in _HTTP_METHODS] + [f"requests.sessions.Session.{m}" for m in _HTTP_METHODS]
    + [f"httpx.{m}" for m in _HTTP_METHODS]
    + ["httpx.Client", "httpx.AsyncClient", "httpx.Client.request", "httpx.AsyncClient.request"]
    + [f"httpx.Client.{m}" for m in _HTTP_METHODS] + [f"httpx.AsyncClient.{m}" for m in _HTTP_METHODS]
)


class TlsVerificationDisabled(CallRule):
    """HTTPS request made with certificate verification turned off.

    `verify=False` (requests, httpx) accepts any certificate, so anyone on the
    network path — a Wi-Fi access point, a compromised router, a proxy — can
    impersonate the server, read the traffic and change the responses.

    Reported when `verify` is provably `False` (a literal, or a variable or
    branch that constant propagation resolves to `False`). A value only known
    at run time, or a CA bundle path, is not reported, nor is a call in a
    branch that a verification switch selects (`if self.insecure:
    requests.get(url, verify=False)`) unless the switch's default in the code
    selects it: an opt-out the operator chooses is not a defect of the code.

    **Fix:** remove `verify=False`; for a private CA pass its bundle:
    `verify="/etc/ssl/certs/internal-ca.pem"`.
    """

    id = "SR301"
    name = "tls-verification-disabled"
    title = "TLS certificate verification disabled"
    cwe = 295
    severity = Level.HIGH
    confidence = Level.HIGH
    bandit = ("B501",)
    callees = _CALLEES

    def check(self, site, callee: str):
        value = site.kwargs.get("verify")
        if value is None or not value.is_const or value.const is not False:
            return
        chosen = opt_out(site.interp, site.interp.stmt)
        if chosen is not None and not chosen.by_default:
            return
        node = site.call.keyword("verify")
        call_code = site.interp.code(site.call.func)
        literal = site.call.keyword("verify") is node and _literal(node)
        where = "" if literal else " (constant propagation shows it is `False`)"
        yield Hit(
            node=site.call,
            explanation=(f"`{call_code}(...)` is called with `verify` = `False`{where}: the TLS certificate of the "
                         f"server is not checked, so a machine on the network path can impersonate it, read "
                         f"what is sent (credentials, tokens) and forge the response."),
            fix="Drop `verify=False` (verification is on by default), or pass the path of your CA bundle as `verify=`.",
        ) if chosen is None else Hit(
            node=site.call,
            explanation=(f"`{call_code}(...)` is called with `verify` = `False` in the branch that `{chosen.switch}` "
                         f"selects when left at its default (`{chosen.default!r}`): unless the caller changes it, the "
                         f"TLS certificate of the server is not checked, so a machine on the network path can "
                         f"impersonate it, read what is sent and forge the response."),
            fix=(f"Make verification the default (`{chosen.switch}` should default to verifying), or drop "
                 f"`verify=False`."),
            notes=chosen.note(),
        )


def _literal(node) -> bool:
    from secreview.ir import nodes as ir
    return isinstance(node, ir.Const)
