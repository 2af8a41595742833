from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.statements import bound_values
from secreview.rules.base import CallRule, Hit
from secreview.rules.opt_out import named_variant, opt_out
from secreview.rules.ssrf import constant_prefix

_HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")
_CALLEES = tuple(
    [f"requests.{m}" for m in _HTTP_METHODS]
    + [f"requests.Session.{m}" for m in _HTTP_METHODS] + [f"requests.sessions.Session.{m}" for m in _HTTP_METHODS]
    + [f"httpx.{m}" for m in _HTTP_METHODS]
    + ["httpx.Client", "httpx.AsyncClient", "httpx.Client.request", "httpx.AsyncClient.request"]
    + [f"httpx.Client.{m}" for m in _HTTP_METHODS] + [f"httpx.AsyncClient.{m}" for m in _HTTP_METHODS]
    # OpenStack: keystoneauth sessions and the SDK take verify=; the service clients take insecure=
    + ["keystoneauth1.session.Session", "keystoneclient.session.Session", "openstack.connect",
       "openstack.connection.Connection", "keystoneauth1.loading.session.Session.load_from_options"]
)
# Clients whose ``insecure=True`` turns certificate verification off.
_INSECURE_CALLEES = (
    "keystoneauth1.loading.session.Session.load_from_options", "keystoneclient.client.Client",
    "keystoneclient.v2_0.client.Client", "keystoneclient.v3.client.Client", "novaclient.client.Client",
    "novaclient.v2.client.Client", "cinderclient.client.Client", "cinderclient.v3.client.Client",
    "cinderclient.v2.client.Client", "glanceclient.Client", "glanceclient.client.Client",
    "glanceclient.v2.client.Client", "neutronclient.v2_0.client.Client", "swiftclient.client.Connection",
    "swiftclient.Connection", "heatclient.client.Client", "ironicclient.client.get_client",
    "oslo_vmware.api.VMwareAPISession", "manilaclient.client.Client", "octaviaclient.api.v2.octavia.OctaviaAPI",
    "designateclient.v2.client.Client", "barbicanclient.client.Client",
)


class TlsVerificationDisabled(CallRule):
    """HTTPS request made with certificate verification turned off.

    `verify=False` (requests, httpx, keystoneauth sessions, the OpenStack SDK)
    and `insecure=True` (the OpenStack service clients) accept any
    certificate, so anyone on the network path — a Wi-Fi access point, a
    compromised router, a proxy — can impersonate the server, read the traffic
    (passwords, tokens) and change the responses.

    Reported when `verify` is provably `False` (a literal, or a variable or
    branch that constant propagation resolves to `False`) in a call of
    `requests`, `httpx`, `keystoneauth1.session.Session`, `openstack.connect`;
    and when `insecure` is provably `True` in `load_from_options` of
    keystoneauth's session loader and in the clients of keystone, nova, cinder,
    glance, neutron, swift, heat, ironic, manila, designate, barbican and
    oslo.vmware's `VMwareAPISession`. A value only known at run time (the
    operator's `insecure` option), or a CA bundle path, is not reported. A call in a branch
    that a verification switch selects (`if self.insecure:
    requests.get(url, verify=False)`) is not reported unless the switch's
    default in the code selects it: an opt-out the operator chooses is not a
    defect of the code; nor a URL written with `http://` (`requests.post(url="http://host:8571/...",
    verify=False)`, or in a local every assignment of which writes it so: no TLS connection, no certificate to
    check); nor is `verify=False` passed through a mapping of
    keyword arguments that holds it only in such a branch
    (`if args["skip_ssl_validation"]: requests_args["verify"] = False`, then
    `requests.get(url, **requests_args)`). In a function or class whose name declares it the
    unverified variant (`get_insecure_session()`, `NoVerificationEmailBackend`),
    which a caller or an operator's setting chooses, it is reported with low
    confidence (not shown by default).

    **Fix:** remove `verify=False`; for a private CA pass its bundle:
    `verify="/etc/ssl/certs/internal-ca.pem"`.
    """

    id = "SR301"
    peer_identity = True
    name = "tls-verification-disabled"
    title = "TLS certificate verification disabled"
    cwe = 295
    severity = Level.HIGH
    confidence = Level.HIGH
    bandit = ("B501",)
    callees = tuple(dict.fromkeys(_CALLEES + _INSECURE_CALLEES))

    def check(self, site, callee: str):
        keyword, off = "verify", False
        value = site.kwargs.get("verify")
        if callee in _INSECURE_CALLEES and (value is None or not value.is_const or value.const is not False):
            keyword, off = "insecure", True
            value = site.kwargs.get("insecure")
        if value is None or not value.is_const or value.const is not off:
            return
        if _plain_http(site, callee):
            return
        chosen = opt_out(site.interp, site.interp.stmt)
        if chosen is not None and not chosen.by_default:
            return
        node = site.call.keyword(keyword)
        if node is None and _stored_on_request(site.interp, site.call, keyword, off):
            return
        variant = named_variant(site.interp) if chosen is None else None
        call_code = site.interp.code(site.call.func)
        literal = _literal(node)
        where = "" if literal else f" (constant propagation shows it is `{off}`)"
        fix = ("Drop `verify=False` (verification is on by default), or pass the path of your CA bundle as `verify=`."
               if keyword == "verify" else
               "Drop `insecure=True` (verification is on by default), or pass the path of your CA bundle as "
               "`cacert=`; let the operator's configuration decide, never a constant.")
        if variant is not None:
            yield Hit(
                node=site.call,
                explanation=(f"`{call_code}(...)` is called with `{keyword}` = `{off}`{where} in `{variant}`, whose "
                             f"name declares it the unverified variant: it runs where a caller or an operator's "
                             f"setting chooses it (`if CONF.x.api_insecure: ...`), and then the TLS certificate of "
                             f"the server is not checked. Worth a look only if the code's default chooses it."),
                fix=("Make sure only an explicit setting (off by default) selects this variant, and say in its "
                     "documentation that it does not verify certificates."),
                confidence=Level.LOW,
            )
            return
        yield Hit(
            node=site.call,
            # (not "credentials": a probe may send none, and then what is at stake is the answer it reads)
            explanation=(f"`{call_code}(...)` is called with `{keyword}` = `{off}`{where}: the TLS certificate of the "
                         f"server is not checked, so a machine on the network path can impersonate it, read "
                         f"whatever the requests send and forge the responses."),
            fix=fix,
        ) if chosen is None else Hit(
            node=site.call,
            explanation=(f"`{call_code}(...)` is called with `{keyword}` = `{off}` in the branch that "
                         f"`{chosen.switch}` selects when left at its default (`{chosen.default!r}`): unless the "
                         f"caller changes it, the TLS certificate of the server is not checked, so a machine on the "
                         f"network path can impersonate it, read what is sent and forge the response."),
            fix=(f"Make verification the default (`{chosen.switch}` should default to verifying), or drop "
                 f"`{keyword}={off}`."),
            notes=chosen.note(),
        )


def _plain_http(site, callee: str) -> bool:
    """The URL is written with ``http://`` (``requests.post(url="http://zabbix.example:8571/...", verify=False)``):
    no TLS connection is made, so there is no certificate to check."""
    position, name = (1, "url") if callee.endswith(".request") else (0, "url")
    if callee.endswith(("httpx.Client", "httpx.AsyncClient")):
        position, name = None, "base_url"
    _, node = site.arg(position, name)
    if isinstance(node, ir.Name):
        # a local every assignment of which writes the URL with ``http://`` (``url = f"http://{server}/poll"``)
        values = bound_values(site.interp.fn, node.id)
        return bool(values) and all(v is not None and _http_text(constant_prefix(site, v)) for v in values)
    return node is not None and _http_text(constant_prefix(site, node))


def _http_text(prefix: str | None) -> bool:
    return prefix is not None and prefix.lower().startswith("http://")


def _stored_on_request(interp, call, keyword: str, off: bool) -> bool:
    """``requests.get(url, **requests_args)`` whose ``verify`` is ``False`` only through ``requests_args["verify"]
    = False`` stored in the branch a verification switch selects when the operator asks for it (``if
    args["skip_ssl_validation"]:``): elsewhere the mapping holds no ``verify`` and the request verifies."""
    from secreview.ir import nodes as ir
    from secreview.ir.statements import place_key
    mappings = {place_key(kw.value) for kw in call.keywords if kw.name is None} - {None}
    stores = [stmt for stmt in interp.fn.statements() if type(stmt) is ir.Assign and any(
        isinstance(t, ir.ItemTarget) and isinstance(t.index, ir.Const) and t.index.value == keyword
        and place_key(t.value) in mappings for t in stmt.targets)]
    if not stores or not all(isinstance(stmt.value, ir.Const) and stmt.value.value is off for stmt in stores):
        return False
    for stmt in stores:
        chosen = opt_out(interp, stmt)
        if chosen is None or chosen.by_default:
            return False
    return True


def _literal(node) -> bool:
    from secreview.ir import nodes as ir
    return isinstance(node, ir.Const)
