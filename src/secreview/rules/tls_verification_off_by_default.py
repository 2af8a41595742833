"""TLS certificate verification off by default: a parameter or option whose default is insecure.

A client whose `insecure` parameter defaults to `True`, or whose `verify`
defaults to `False`, checks no certificate for every caller that does not
think to pass it, and a configuration option that ships with verification
off leaves every installation that keeps the default open to whoever sits on
the network path: they can impersonate the server, read the credentials and
tokens sent to it and forge its answers. Turning verification *off* must be
the operator's explicit choice, never the code's default.

Reported, outside test code, for

* a function parameter named `insecure` (or `*_insecure`) whose default is
  `True`, or named `verify_ssl`, `ssl_verify`, `verify_cert(s)`,
  `verify_certificate`, `tls_verify`, `verify_tls`, `validate_certs`... whose
  default is `False`;
* a parameter `verify` defaulting to `False` that the function passes on as
  a TLS setting (`requests.request(..., verify=verify)`,
  `Session(verify=verify)`, `insecure=not verify`);
* an oslo.config `BoolOpt` named like those with such a default
  (`cfg.BoolOpt('insecure', default=True)`,
  `cfg.BoolOpt('verify_ssl', default=False)`), and a `StrOpt`/`ListOpt`/
  `MultiStrOpt` whose default holds a flag that turns verification off for a
  program the service runs (`--tls-verify=false`, `--insecure`,
  `--no-check-certificate`, `--no-verify-ssl`);
* a call of a client whose own default is not to verify, made without the
  argument that turns verification on: oslo.vmware's `VMwareAPISession`
  (`insecure=True` unless given, so vCenter's or ESX's certificate is checked
  only when a `cacert` is passed or `insecure=False`). Called with neither
  `insecure` nor `cacert`, verification is off for every installation; with a
  `cacert` from configuration and no `insecure`, it is off wherever the
  operator left the CA file unset (the option's usual default), which is
  reported with medium confidence.

Not reported: secure defaults (`insecure=False`, `verify=True`, `verify=None`
meaning "use the default CA bundle"); a `verify` parameter that is not passed
to a TLS setting (a checksum's `verify`, or a scheduler's: `delay_s(callable,
timeout=timeout, verify=verify)`), nor one passed to a function of the same module
that does not pass it on as one (`_use_system_auth(host=host, verify=verify)`, whose
`verify` checks credentials against the server); a `ssl_verify=False` of the listening side
(a function named for serving, `serve`, `create_server`, `listen`, or one passing
it on with `server=True`): there it only decides whether clients must present
a certificate; a parameter the function never reads; values an operator sets in a
configuration file; and test code. A literal `verify=False` at a call is the
`tls-verification-disabled` rule's. A `verify=False` default passed to a `requests`/`httpx` `head`,
`get` or `options` that sends nothing but its URL (no `auth`, headers, cookies, query parameters or
body: a link checker reading a status code) is reported with low confidence, saying only its answer can
be forged.

**Fix:** default to verifying (`insecure=False`, `verify=True`, or a CA
bundle path), and let the operator turn it off explicitly in configuration
for a test deployment; pass such a client both the CA file and the
operator's `insecure` setting (`VMwareAPISession(..., cacert=conf.ca_file,
insecure=conf.insecure)` with an `insecure` option that defaults to `False`).
"""

from __future__ import annotations

import re

from secreview.analysis.code_text import code_of
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.statements import calls
from secreview.rules.base import FunctionRule, Hit
from secreview.rules.opt_out import insecure_by_default, tested_as_switch

_TLS_KEYWORDS = frozenset({"verify", "verify_ssl", "ssl_verify", "insecure", "cert_reqs", "cacerts", "verify_cert",
                           "verify_certificate", "tls_verify", "ssl_insecure"})
_OFF_FLAGS = re.compile(r"(?i)(--tls-verify[= ]false|--insecure\b|--no-check-certificate|--no-verify-ssl|"
                        r"--ssl-no-verify|--skip-tls-verify|--tlsverify[= ]false)")
_BOOL_OPTS = frozenset({"oslo_config.cfg.BoolOpt"})
_TEXT_OPTS = frozenset({"oslo_config.cfg.StrOpt", "oslo_config.cfg.ListOpt", "oslo_config.cfg.MultiStrOpt"})
# Clients that do not verify unless told to: callee -> (the switch and its position, the CA argument and its
# position). oslo.vmware's ``VMwareAPISession(host, server_username, server_password, api_retry_count,
# task_poll_interval, scheme, create_session, wsdl_loc, pbm_wsdl_loc, port, cacert=None, insecure=True, ...)``.
_UNVERIFIED_UNLESS_TOLD = {
    "oslo_vmware.api.VMwareAPISession": (("insecure", 11), ("cacert", 10)),
}


class _At:
    """A place in the file that is not an expression (a parameter's name)."""

    __slots__ = ("line", "col", "end_line", "end_col")

    def __init__(self, line: int, col: int, end_col: int):
        self.line, self.col, self.end_line, self.end_col = line, col, line, end_col


def _bool_default(param) -> bool | None:
    d = param.default
    if isinstance(d, ir.Const) and isinstance(d.value, bool):
        return d.value
    return None


def _mentions(expr, name: str) -> bool:
    return any(isinstance(e, ir.Name) and e.id == name for e in ir.walk(expr))


# A call that takes a ``verify=`` keyword as a TLS setting: a client library's, or one named for talking to a
# server (``self._request(url, verify=verify)``, ``session.Session(verify=verify)``), or given what such calls
# are given (a URL, headers, a certificate). Tahoe-LAFS's ``Checker(verifycap=..., verify=verify)`` verifies
# a file's shares, not a certificate.
_TLS_LIBRARIES = ("requests.", "httpx.", "urllib3.", "aiohttp.", "keystoneauth1.", "ssl.", "http.client.",
                  "urllib.request.", "pycurl.", "websocket.", "websockets.", "tornado.httpclient.", "treq.")
_SERVER_WORDS = re.compile(r"(?i)request|session|client|http|url|fetch|download|upload|connect|conn|ssl|tls|cert|"
                           r"send|^(get|post|put|patch|delete|head|options)$|api|rest|transport|adapter|auth")
# (not ``timeout``, ``data`` or ``params`` alone: netius' ``delay_s(callable, timeout=..., verify=...)`` schedules a
# call, its ``verify`` checks the queue for duplicates)
_SERVER_KEYWORDS = frozenset({"url", "uri", "endpoint", "headers", "auth", "cert", "cacert", "ca_cert", "ca_certs",
                              "cafile", "proxies", "session", "insecure", "ssl_context", "host", "port",
                              "auth_url", "allow_redirects", "cookies"})


def _talks_tls(call: ir.Call) -> bool:
    if call.qualname and call.qualname.startswith(_TLS_LIBRARIES):
        return True
    func = call.func
    name = func.attr if isinstance(func, ir.Attr) else func.id if isinstance(func, ir.Name) else ""
    if name and _SERVER_WORDS.search(name):
        return True
    return any(kw.name in _SERVER_KEYWORDS for kw in call.keywords)


def _passed_as_tls_setting(function, name: str, module=None, depth: int = 0):
    """The call of ``function`` that passes its parameter ``name`` as a TLS keyword, or None. A call of a function
    of the same module (``module``) counts only where that function passes the parameter it is given on as a TLS
    setting in turn (wandb's ``_use_system_auth(..., verify=verify)``, whose ``verify`` checks the credentials
    against the server: judged untrue twice on panel AS)."""
    for e in calls(function):
        if not _talks_tls(e):
            continue
        for kw in e.keywords:
            if kw.name in _TLS_KEYWORDS and _mentions(kw.value, name):
                callee = module.functions.get(e.qualname) if module is not None and e.qualname else None
                if callee is not None and (depth >= 3 or not any(p.name == kw.name for p in callee.params)
                                           or _passed_as_tls_setting(callee, kw.name, module, depth + 1) is None):
                    continue
                return e
    return None


# what a request may carry besides its URL and how it is made: any of these may send a secret
_CARRIERS = frozenset({"auth", "headers", "cookies", "data", "json", "files", "params", "cert"})
_BARE_METHODS = frozenset({"head", "get", "options"})


def _sends_only_its_url(call) -> bool:
    """``call`` is a ``requests``/``httpx`` ``head``/``get``/``options`` given its URL and settings only (``timeout``,
    ``allow_redirects``, ``verify``...): no authentication, headers, cookies, query parameters or body."""
    if not isinstance(call, ir.Call) or not (call.qualname or "").startswith(("requests.", "httpx.")) \
            or (call.method or call.qualname.rpartition(".")[2]) not in _BARE_METHODS:
        return False
    return len(call.args) <= 1 and all(kw.name is not None and kw.name not in _CARRIERS for kw in call.keywords)


_SERVING = frozenset({"serve", "server", "listen", "listener", "accept"})
_CLIENT_WORDS = frozenset({"connect", "client", "request", "fetch", "send", "to"})


def _server_side(function, name: str) -> bool:
    """A function on the listening side of TLS, where a verification switch only asks connecting clients for a
    certificate (off by default, as on most servers): named for serving (``serve``, ``_serve_stream``,
    ``create_server``, ``listen``; not ``connect_to_server``), or passing ``name`` to a call that also says
    ``server=True`` or ``server_side=True``."""
    words = set(function.name.lower().strip("_").split("_"))
    if words & _SERVING and not words & _CLIENT_WORDS:
        return True
    for e in calls(function):
        if any(kw.name in ("server", "server_side") and isinstance(kw.value, ir.Const) and kw.value.value is True
               for kw in e.keywords) and any(kw.value is not None and _mentions(kw.value, name) for kw in e.keywords):
            return True
    return False


def _mentioned(function, name: str) -> bool:
    """Whether the body of ``function`` or of a function nested in it reads ``name``."""
    return name in function.names or any(_mentioned(child, name) for child in function.children)


def _const_text(node) -> list[str]:
    if isinstance(node, ir.Const) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ir.Container):
        return [e.value for e in node.elts if isinstance(e, ir.Const) and isinstance(e.value, str)]
    return []


class TlsVerificationOffByDefault(FunctionRule):
    __doc__ = __doc__

    id = "SR307"
    peer_identity = True
    name = "tls-verification-off-by-default"
    title = "TLS certificate verification off by default"
    cwe = 295
    severity = Level.MEDIUM
    confidence = Level.HIGH
    tests_relevant = False

    def relevant(self, function) -> bool:
        if any(_bool_default(p) is not None for p in function.params):
            return True
        return not (_BOOL_OPTS | _TEXT_OPTS | _UNVERIFIED_UNLESS_TOLD.keys()).isdisjoint(function.names)

    def check_function(self, module, function):
        yield from self._params(module, function)
        yield from self._options(module, function)
        yield from self._clients(module, function)

    def _clients(self, module, function):
        """Calls of a client that does not verify unless told to, made without telling it."""
        for e in calls(function):
            if e.qualname not in _UNVERIFIED_UNLESS_TOLD:
                continue
            if any(kw.name is None for kw in e.keywords) or any(isinstance(a, ir.Starred) for a in e.args):
                continue  # ``**kwargs``: what is passed is not known here
            (switch, switch_at), (ca, ca_at) = _UNVERIFIED_UNLESS_TOLD[e.qualname]
            if e.argument(switch_at, switch) is not None:
                continue  # given: a constant ``True`` is the other rule's, a setting the operator's
            ca_value = e.argument(ca_at, ca)
            if isinstance(ca_value, ir.Const) and ca_value.value is not None:
                continue  # a constant CA bundle: verified
            call_code = code_of(module, e.func)
            if ca_value is None or isinstance(ca_value, ir.Const):
                yield Hit(
                    node=e,
                    explanation=(f"`{call_code}(...)` is given neither `{switch}` nor `{ca}`, and its "
                                 f"`{switch}` defaults to `True`: the server's TLS certificate is never "
                                 f"checked, so a machine on the network path can impersonate it, read the "
                                 f"credentials sent to it and forge its answers."),
                    fix=(f"Pass the operator's CA file and verification setting: `{call_code}(..., "
                         f"{ca}=conf.ca_file, {switch}=conf.insecure)`, with `insecure` defaulting to "
                         f"`False`."),
                )
                continue
            ca_code = code_of(module, ca_value)
            yield Hit(
                node=e,
                explanation=(f"`{call_code}(...)` is given `{ca}={ca_code}` but no `{switch}`, which "
                             f"defaults to `True`: the server's TLS certificate is checked only where the "
                             f"operator set a CA file; where it is left unset, nothing is checked and a "
                             f"machine on the network path can impersonate the server."),
                fix=(f"Pass `{switch}=` from the operator's configuration too (an option defaulting to "
                     f"`False`), so that verification against the system's CA bundle is the default."),
                confidence=Level.MEDIUM,
            )

    def _params(self, module, function):
        for p in function.params:
            default = _bool_default(p)
            if default is None:
                continue
            how, notes, call = None, (), None
            if not _mentioned(function, p.name):
                continue  # never read: its default changes nothing (netius' ``_connect_stream_compat``)
            if insecure_by_default(p.name, default):
                if tested_as_switch(module, function, p.name):
                    continue  # the weak setting in the branch it selects is reported there, with this default
                if default is False and _server_side(function, p.name):
                    continue  # a server's switch asks clients for certificates: off is the usual default
                how = f"`{default}`, which turns certificate verification off"
            elif default is False and p.name == "verify":
                call = _passed_as_tls_setting(function, p.name, module)
                if call is not None:
                    code = module.source_line(call.line).strip()
                    how = (f"`False` and it is passed on as a TLS setting (`{code[:80]}`), so certificates are "
                           f"not checked")
                    notes = ((call, f"`{p.name}` is passed on as a TLS setting"),)
            if how is None:
                continue
            line = p.line or function.line
            text = module.source_line(line)
            col = max(0, text.find(p.name))
            bare = call is not None and _sends_only_its_url(call)
            if bare:
                # (seleniumbase's link checker, ``requests.head(link, verify=verify)``: "read the credentials and
                # tokens sent to it" judged untrue on panel AV, where nothing but the URL is sent)
                harm = ("a machine on the network path can impersonate the server and forge its answer to this "
                        "request, which sends nothing but its URL (no credentials, headers or body)")
            else:
                harm = ("a machine on the network path can impersonate the server, read what is sent to it "
                        "(credentials and tokens, where a caller sends them) and forge its answers")
            yield Hit(
                node=_At(line, col, col + len(p.name)),
                confidence=Level.LOW if bare else None,
                explanation=(f"Parameter `{p.name}` of `{function.name}()` defaults to {how} for every caller that "
                             f"does not pass it: {harm}."),
                fix=(f"Make the default verify (`{p.name}={'False' if default else 'True'}`) and let callers turn "
                     f"verification off explicitly, from the operator's configuration."),
                notes=notes,
            )

    def _options(self, module, function):
        for stmt in function.statements():
            root = getattr(stmt, "value", None)
            if not isinstance(root, ir.Expr):
                continue
            for e in ir.walk(root):
                if not isinstance(e, ir.Call) or e.qualname not in _BOOL_OPTS | _TEXT_OPTS:
                    continue
                name_node = e.argument(0, "name")
                if not (isinstance(name_node, ir.Const) and isinstance(name_node.value, str)):
                    continue
                name = name_node.value
                default = e.keyword("default")
                what = None
                if e.qualname in _BOOL_OPTS and isinstance(default, ir.Const):
                    if insecure_by_default(name, default.value):
                        what = f"defaults to `{default.value}`"
                elif e.qualname in _TEXT_OPTS:
                    flags = [m.group(0) for text in _const_text(default) for m in [_OFF_FLAGS.search(text)] if m]
                    if flags:
                        what = f"has a default holding `{flags[0]}`"
                if what is None:
                    continue
                yield Hit(
                    node=e,
                    explanation=(f"`{code_of(module, e.func)}('{name}', ...)` {what}: certificate verification is "
                                 f"off in every installation that keeps the default, so a machine on the network "
                                 f"path can "
                                 f"impersonate the server, read what is sent to it and forge its answers."),
                    fix=("Ship the secure default (verification on) and document how an operator turns it off for "
                         "a test deployment."),
                )
