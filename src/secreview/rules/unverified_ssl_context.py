"""TLS context or connection that does not verify the server's certificate or host name.

Without certificate and host-name checks a TLS connection is encrypted to
whoever answers: anyone on the network path (a Wi-Fi access point, a
compromised router, a proxy, DNS spoofing) can present their own certificate,
read what is sent (credentials, tokens) and change the responses.

Reported for `ssl._create_unverified_context()` and `ssl._create_stdlib_context()` (given a `cert_reqs` that may
be `ssl.CERT_REQUIRED`, `cert_reqs=ssl.CERT_REQUIRED if check else ssl.CERT_NONE`, saying that the host name
is never checked and the certificate only then, with medium confidence; not at all with `check_hostname` too);
assigning `ssl._create_default_https_context = ssl._create_unverified_context`
(which turns verification off for the whole process); setting
`ctx.check_hostname = False` or `ctx.verify_mode = ssl.CERT_NONE` on a client
context; `ssl.wrap_socket(...)` on the client side without
`cert_reqs=ssl.CERT_REQUIRED` (its default is `CERT_NONE`) or with
`cert_reqs=ssl.CERT_NONE`; pyOpenSSL `Context.set_verify(SSL.VERIFY_NONE, ...)`
on a client; and urllib3 pools created with `cert_reqs="CERT_NONE"`. Values
are resolved by constant propagation. Not reported: a setting in a branch that a verification
switch selects (`if verify_ssl: ... else: ctx.verify_mode = ssl.CERT_NONE`,
`if self.insecure: ...`, also among other tests that all hold there: `if "tls_insecure" in server and
server["tls_insecure"]:`, a certificate setting compared with an "off" value:
`if args.wopi_crt == "no":`, or found among such values: `if ssl_verify in ["no", "false"]:`,
a command-line flag whose help says it turns the
check off: `if ar.td:` with `add_argument("-td", action="store_true",
help="disable certificate check")`; also a conditional expression it selects:
`ctx.verify_mode = ssl.CERT_NONE if not verify else ssl.CERT_REQUIRED` in `def send(self, verify=True)`,
`context = None if ssl_verify else ssl._create_unverified_context()` in `def _fetch(url, ssl_verify=True)`;
a parameter the function also gives `check_hostname` is such a switch whatever its name:
`ssl.check_hostname = value` then `ssl.verify_mode = ssl.CERT_REQUIRED if value else ssl.CERT_NONE`)
unless the switch's default in the code selects it
(`def connect(host, insecure=True)`): turning verification off on request is
the operator's choice, not a defect of the code; in a function or class whose name
declares it the unverified variant (`NoVerificationEmailBackend`, which an operator
names in a setting to use it), or on a context kept under a name that declares it
the unverified one beside the verifying context (`INSECURE_SSLCONTEXT.check_hostname = False`,
returned when a caller passes `ssl=False`), reported with low confidence; so is the base of a mode switch,
a setting that a later assignment in a branch gives its verifying value again (`ctx.verify_mode =
ssl.CERT_NONE`, then `if ssl_mode in VERIFYING_MODES: ctx.verify_mode = ssl.CERT_REQUIRED`: libpq's
`sslmode`, nothing checked for `require`), saying where. Server-side contexts
(`Purpose.CLIENT_AUTH`, `PROTOCOL_TLS_SERVER`, `server_side=True`, a factory called with the
constant `'server'` or `server_side=True`: `create_ssl_context('server')`, or one the function that sets
it up wraps with `server_side=True`: `ctx.wrap_bio(inbuf, outbuf, server_side=True)`), where
`CERT_NONE` only means that clients need no certificate, are not reported;
`verify=False` of requests/httpx is the tls-verification-disabled rule. Classes
that only imitate `SSLContext` (a fallback shim setting `self.check_hostname`)
are not reported, nor is `check_hostname = False` on a context `ssl.SSLContext()` made in the function with no
protocol or one other than `PROTOCOL_TLS_CLIENT` (it checks no host name anyway) when the function also sets its
`verify_mode = ssl.CERT_NONE`, the one defect reported; `check_hostname = False` in a module that calls
`match_hostname` itself, or on a context that urllib3's `create_urllib3_context()` made (urllib3 turns it
off itself and its pools match the host name), or on a context the function makes trust only certificates it
names (`ssl.SSLContext(...)` then `load_verify_locations(cafile=ca)`, or `create_default_context(cafile=ca)`,
with no `load_default_certs()`: a private authority or one pinned certificate, not every public one), is
reported with low confidence. Nor is a function
that only fetches the peer's certificate (`sock.getpeercert(True)`) and
sends, reads or requests nothing on the connection: a probe of the
certificate a server presents (expiry monitoring), which may be self-signed;
nor `ctx.verify_mode = ssl.CERT_NONE` on a context that `ssl.create_default_context()` made earlier in the
function when the function never sets `ctx.check_hostname = False`: Python refuses that assignment with a
`ValueError` (host-name checking is still on), so no connection accepting any certificate is made;
nor one that pins the peer's certificate: it reads it as bytes (`sock.getpeercert(binary_form=True)`), compares a
digest of it with a known fingerprint (`if thumbprint != hashlib.sha1(cert).hexdigest(): raise ...`) and raises
on a mismatch, so a machine on the path cannot present its own;
nor one whose connection is the two ends of a `socket.socketpair()` in this
process and that connects to nothing else (a loopback handshake with its own
server thread to parse its own certificate): no network lies between them;
nor one whose every request goes to a loopback URL written in the function
(`f"{scheme}://localhost:{port}/login"`, `"https://127.0.0.1:%d/" % port`, or a connection
made to `"127.0.0.1"` by host name: a check that the program's own server is up). `check_hostname = False` beside
`verify_mode = ssl.CERT_NONE` on the same context is one defect, reported once, at the
`CERT_NONE` line, whose explanation names both.

**Fix:** use `ssl.create_default_context()` (optionally with
`cafile="/path/to/internal-ca.pem"`) and leave `check_hostname` and
`verify_mode` at their defaults; for `ssl.wrap_socket` use
`ssl.create_default_context().wrap_socket(sock, server_hostname=host)`.
"""

import re

from secreview.analysis.urls import LOOPBACK_HOST
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.control import controlling_conditions
from secreview.ir.nodes import is_pure as _pure
from secreview.ir.statements import assigned_places, bindings, expressions, place_key
from secreview.rules.base import CallRule, Hit, StatementRule
from secreview.rules.opt_out import named_variant, opt_out, switch_choice, variant_name

_UNVERIFIED = ("ssl._create_unverified_context", "ssl._create_stdlib_context")
_WRAP = ("ssl.wrap_socket",)
_SET_VERIFY = ("OpenSSL.SSL.Context.set_verify",)
_URLLIB3 = ("urllib3.PoolManager", "urllib3.poolmanager.PoolManager", "urllib3.ProxyManager",
            "urllib3.HTTPSConnectionPool", "urllib3.connectionpool.HTTPSConnectionPool",
            "urllib3.connection_from_url", "urllib3.proxy_from_url")
_SERVER_MARKS = ("CLIENT_AUTH", "PROTOCOL_TLS_SERVER")


_OWN_TRUST_KEYWORDS = ("cafile", "capath", "cadata")


def _never_none(node) -> bool:
    """A keyword's value that is given and cannot be ``None`` as written: constant text or a call that makes a
    path or text (``cafile=str(ca)``, ``os.path.join(d, "ca.pem")``). A variable may hold ``None`` (a
    ``cafile=combined_cert`` left ``None`` when validation is configured off), as ``cadata=pem if pems else
    None`` may: the system's authorities are loaded then."""
    if isinstance(node, ir.Const):
        return isinstance(node.value, (str, bytes))
    return isinstance(node, (ir.Call, ir.StringBuild)) and not any(
        isinstance(e, ir.Const) and e.value is None for e in ir.walk(node))


def _own_trust_only(interp, base_code: str, line: int):
    """The context ``base_code``, as last assigned before ``line``, trusts only certificates the function
    names: made by ``ssl.SSLContext(...)`` (which loads no authority) and given ``load_verify_locations(...)``,
    or by ``ssl.create_default_context(cafile=...)`` (``cafile``, ``capath`` or ``cadata``: then the system's
    authorities are not loaded), and never ``load_default_certs()``. The call that names them, or None."""
    made = None
    loaded = None
    for stmt in interp.fn.statements():
        if isinstance(stmt, ir.Assign) and len(stmt.targets) == 1 and stmt.line < line \
                and interp.code(stmt.targets[0]) == base_code and (made is None or stmt.line > made[0]):
            made = (stmt.line, stmt.value)
        for root in expressions(stmt):
            for e in ir.walk(root):
                if isinstance(e, ir.Call) and isinstance(e.func, ir.Attr) \
                        and interp.code(e.func.value) == base_code:
                    if e.method == "load_default_certs":
                        return None
                    if e.method == "load_verify_locations" and loaded is None:
                        loaded = e
    call = made[1] if made is not None else None
    if not isinstance(call, ir.Call):
        return None
    if call.qualname == "ssl.create_default_context" and any(
            _never_none(call.keyword(k)) for k in _OWN_TRUST_KEYWORDS):
        return call
    return loaded if call.qualname == "ssl.SSLContext" else None


def _is_cert_none(value, node) -> bool:
    names = set()
    if isinstance(node, (ir.Name, ir.Attr)) and node.qualname:
        names.add(node.qualname)
    if value is not None:
        names |= set(value.types)
        if value.is_const and value.const in ("CERT_NONE", "NONE"):
            return True
    return any(n.endswith(("ssl.CERT_NONE", "SSL.VERIFY_NONE", "VerifyMode.CERT_NONE")) for n in names)


def _only_cert_none(interp, node) -> bool:
    """``node`` is ``ssl.CERT_NONE`` (or a constant naming it), or a name the function binds only to that: not
    ``ssl.CERT_REQUIRED if check else ssl.CERT_NONE``, a parameter or a setting, which may ask for the check."""
    if isinstance(node, ir.Name) and node.kind == ir.NameKind.LOCAL:
        bound = interp.bindings().get(node.id, ())
        return bool(bound) and all(type(s) is ir.Assign and s.op is None and _only_cert_none(interp, s.value)
                                   for s in bound)
    if isinstance(node, ir.Const):
        return node.value in ("CERT_NONE", "NONE", 0)
    return isinstance(node, (ir.Name, ir.Attr)) and _is_cert_none(None, node)


def _cert_none_too(interp, base_code: str) -> bool:
    """The function also sets ``verify_mode`` of the same context to ``CERT_NONE``: with no certificate checked,
    turning off the check of the host name it is issued for changes nothing, and that finding says it all."""
    for stmt in interp.fn.statements():
        if type(stmt) is ir.Assign and stmt.op is None and _is_cert_none(None, stmt.value) and any(
                isinstance(t, ir.AttrTarget) and t.attr == "verify_mode" and interp.code(t.value) == base_code
                for t in stmt.targets):
            return True
    return False


def _block_of(fn, stmt):
    """The straight run of statements (the block, not a ``finally`` copy of it) that holds ``stmt``, or None."""
    return next((b for b in fn.blocks if b.origin is None and any(x is stmt for x in b.stmts)), None)


def _cert_none_beside(interp, stmt, base_code: str):
    """The assignment ``base.verify_mode = ssl.CERT_NONE`` in the same straight run of statements as ``stmt``
    (``ctx.check_hostname = False``), not set back later: where both are set, the context checks no certificate at
    all, one defect, reported once at the ``CERT_NONE`` line (Python requires the host-name check off first)."""
    block = _block_of(interp.fn, stmt)
    for other in block.stmts if block is not None else ():
        if type(other) is not ir.Assign or other.op is not None or not isinstance(other.value, (ir.Attr, ir.Name)) \
                or not (other.value.qualname or "").endswith("CERT_NONE"):
            continue
        for t in other.targets:
            if isinstance(t, ir.AttrTarget) and t.attr == "verify_mode" and interp.code(t.value) == base_code \
                    and _raised_later(interp, other, t) is None:
                return other
    return None


def _hostname_off_beside(interp, stmt, base_code: str):
    """``base.check_hostname = False`` whose finding ``_cert_none_beside`` folds into ``stmt``'s (``CERT_NONE``)."""
    block = _block_of(interp.fn, stmt)
    for other in block.stmts if block is not None else ():
        if type(other) is ir.Assign and other.op is None and isinstance(other.value, ir.Const) \
                and other.value.value is False and any(
                    isinstance(t, ir.AttrTarget) and t.attr == "check_hostname" and interp.code(t.value) == base_code
                    for t in other.targets) and _cert_none_beside(interp, other, base_code) is stmt:
            return other
    return None


_NON_CLIENT_PROTOCOLS = ("PROTOCOL_TLS", "PROTOCOL_SSLv23", "PROTOCOL_TLSv1", "PROTOCOL_TLSv1_1", "PROTOCOL_TLSv1_2")


def _verifies_nothing_by_default(interp, base_code: str) -> bool:
    """The context is made in this function by ``ssl.SSLContext()`` with no protocol or a protocol other than
    ``PROTOCOL_TLS_CLIENT``: its ``check_hostname`` is already False and its ``verify_mode`` ``CERT_NONE``."""
    for stmt in interp.fn.statements():
        if type(stmt) is ir.Assign and any(isinstance(t, ir.NameTarget) and t.id == base_code for t in stmt.targets) \
                and isinstance(stmt.value, ir.Call) and stmt.value.qualname == "ssl.SSLContext":
            args = stmt.value.args
            return not args or (isinstance(args[0], (ir.Attr, ir.Name)) and (args[0].qualname or "").rpartition(".")[2]
                                in _NON_CLIENT_PROTOCOLS)
    return False


def _server_context(fn, key: str) -> bool:
    """Whether the context stored under ``key`` in ``fn`` is created for the server side."""
    for stmt in fn.statements():
        if isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Call) \
                and any(isinstance(t, ir.NameTarget) and t.id == key for t in stmt.targets):
            call = stmt.value
            for arg in list(call.args) + [k.value for k in call.keywords]:
                q = getattr(arg, "qualname", None) or ""
                if q.endswith(_SERVER_MARKS):
                    return True
                # A project's factory asked for the server side by name (create_ssl_context('server'),
                # make_context(side="server")): what it returns is the server's context.
                if isinstance(arg, ir.Const) and isinstance(arg.value, str) and arg.value.lower() == "server":
                    return True
            if any(k.name == "server_side" and isinstance(k.value, ir.Const) and k.value.value is True
                   for k in call.keywords):
                return True
        # wrapped for the server side in this function (``ctx.wrap_bio(inbuf, outbuf, server_side=True)``): the
        # context that accepts clients, whatever it was made with
        for root in expressions(stmt):
            for e in ir.walk(root):
                if isinstance(e, ir.Call) and isinstance(e.func, ir.Attr) and e.func.attr in _WRAPS \
                        and isinstance(e.func.value, ir.Name) and e.func.value.id == key \
                        and any(k.name == "server_side" and isinstance(k.value, ir.Const) and k.value.value is True
                                for k in e.keywords):
                    return True
    return False


_WRAPS = frozenset({"wrap_socket", "wrap_bio"})


def _context_shim(interp, base) -> bool:
    """``self.check_hostname = False`` in a class that merely imitates ``SSLContext`` (a fallback shim):
    not a real context being weakened, unless the class derives from ``ssl.SSLContext``."""
    fn = interp.fn
    if not (isinstance(base, ir.Name) and fn.is_method and fn.params and base.id == fn.params[0].name):
        return False
    klass = interp.program.classes.get(fn.class_qualname)
    if klass is None:
        return False
    return not any((getattr(b, "qualname", None) or "").endswith("SSLContext") and
                   (getattr(b, "qualname", None) or "").startswith(("ssl.", "OpenSSL.")) for b in klass.bases)


def _raised_later(interp, stmt, target):
    """``(assignment, condition)`` of a later assignment in the function that gives ``target`` (``ctx.verify_mode``,
    ``ctx.check_hostname``) its verifying value again (``ssl.CERT_REQUIRED``/``CERT_OPTIONAL``, ``True``) in a
    branch: the unverified value is the base of a mode switch (fief's ``get_ssl_mode_parameters``: no checks for
    libpq's ``require``, the certificate for ``verify-ca``, the host name too for ``verify-full``)."""
    key = place_key(target.value)
    if key is None:
        return None
    for later in interp.fn.statements():
        if type(later) is not ir.Assign or later.line <= stmt.line or not _verifying(target.attr, later.value):
            continue
        if not any(isinstance(t, ir.AttrTarget) and t.attr == target.attr and place_key(t.value) == key
                   for t in later.targets):
            continue
        conditions = controlling_conditions(interp.fn, later)
        if conditions:
            return later, conditions[-1][0]
    return None


def _verifying(attr: str, value) -> bool:
    if attr == "check_hostname":
        return isinstance(value, ir.Const) and value.value is True
    return isinstance(value, (ir.Name, ir.Attr)) and (value.qualname or "").rpartition(".")[2] in (
        "CERT_REQUIRED", "CERT_OPTIONAL")


def _unless_opted_out(interp, stmt, hits, where: str = "This branch", node=None):
    """The hits, except in a branch that a verification switch selects and whose default is secure
    (the operator opts out); in a branch the default selects, each hit says so. ``node``: the call, whose
    conditional expression in ``stmt`` may be that branch."""
    hits = list(hits)
    if not hits or _certificate_probe(interp.fn) or _local_pair(interp.fn) or _loopback_only(interp.fn) \
            or _pinned_certificate(interp.fn):
        return
    chosen = opt_out(interp, stmt, node)
    if chosen is None:
        variant = named_variant(interp)
        holder = None if variant is not None else _insecure_holder(stmt)
        for hit in hits:
            if variant is not None:
                hit.explanation += (f" This is in `{variant}`, whose name declares it the unverified variant: it "
                                    f"runs where a caller or an operator's setting chooses it, not by default.")
                hit.confidence = Level.LOW
            elif holder is not None:
                hit.explanation += (f" The context is `{holder}`, whose name declares it the unverified one: it "
                                    f"is used where a caller asks for no verification; check that nothing uses it "
                                    f"by default.")
                hit.confidence = Level.LOW
            yield hit
        return
    if not chosen.by_default:
        return
    for hit in hits:
        hit.explanation += (f" {where} runs when `{chosen.switch}` is left at its default "
                            f"(`{chosen.default!r}`), so the code is insecure unless the caller changes it.")
        hit.notes += chosen.note()
        yield hit


def _switched_off_on_request(interp, value) -> bool:
    """``ssl.CERT_NONE if not verify else ssl.CERT_REQUIRED``: a conditional expression whose ``CERT_NONE`` a
    verification switch selects only when it is changed from its default (streamlink's adapter mirroring the
    ``verify=True`` a caller gives ``send()``)."""
    if not isinstance(value, ir.IfExp):
        return False
    none_when = [taken for taken, branch in ((True, value.body), (False, value.orelse))
                 if _is_cert_none(interp.eval(branch) if _pure(branch) else None, branch)]
    if len(none_when) != 1:
        return False
    chosen = switch_choice(interp, value.test, none_when[0])
    if chosen is None:
        return _hostname_switch_off_on_request(interp.fn, value.test, none_when[0])
    return not chosen.by_default


def _hostname_switch_off_on_request(fn, test, taken: bool) -> bool:
    """``ssl.check_hostname = value`` then ``ssl.verify_mode = ssl.CERT_REQUIRED if value else ssl.CERT_NONE``
    (hikari's converter of its ``ssl=True`` setting): a parameter whose truth the function also gives
    ``check_hostname`` is a verification switch by what it sets, whatever its name; ``CERT_NONE`` is selected
    on request unless the parameter's default selects it."""
    negate = isinstance(test, ir.UnaryOp) and test.op == "not"
    name = test.operand if negate else test
    if not isinstance(name, ir.Name) or name.kind != ir.NameKind.LOCAL:
        return False
    param = next((p for p in fn.params if p.name == name.id), None)
    if param is None or not any(
            type(stmt) is ir.Assign and isinstance(stmt.value, ir.Name) and stmt.value.id == name.id
            and any(isinstance(t, ir.AttrTarget) and t.attr == "check_hostname" for t in stmt.targets)
            for stmt in fn.statements()):
        return False
    if param.default is None:
        return True
    if not isinstance(param.default, ir.Const):
        return False
    return (bool(param.default.value) != negate) != taken


def _cert_none_binding(site, callee: str):
    """The one assignment of the name passed as the certificate setting that gives it ``CERT_NONE``
    (``if configuration.verify_ssl: cert_reqs = ssl.CERT_REQUIRED`` / ``else: cert_reqs = ssl.CERT_NONE``,
    then ``PoolManager(cert_reqs=cert_reqs)``): the switch that chose it is the one to ask, not the call's."""
    _, node = _setting(site, callee)
    if not isinstance(node, ir.Name):
        return None
    found = [stmt for stmt in site.interp.bindings().get(node.id, ())
             if stmt.op is None and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.NameTarget)
             and _is_cert_none(None, stmt.value)]
    return found[0] if len(found) == 1 else None


def _setting(site, callee: str) -> tuple:
    """``(value, node)`` of the argument that sets verification for ``callee``: ``cert_reqs`` of
    ``ssl.wrap_socket`` and the urllib3 pools, the mode of pyOpenSSL's ``set_verify``; ``(None, None)`` for
    the calls that take none."""
    if callee in _WRAP:
        return site.arg(6, "cert_reqs")
    if callee in _SET_VERIFY:
        return site.arg(0, "mode")
    if callee in _URLLIB3:
        return site.arg(None, "cert_reqs")
    return None, None


def _insecure_holder(stmt) -> str | None:
    """The variable or field holding the context, when its name declares it the unverified one
    (``INSECURE_SSLCONTEXT = ssl.create_default_context()``, ``INSECURE_SSLCONTEXT.check_hostname = False``,
    ``self._unverified_ctx = ssl._create_unverified_context()``): a second context kept beside the
    verifying one, for callers that ask for no verification."""
    if type(stmt) is not ir.Assign:
        return None
    for target in stmt.targets:
        names = []
        if isinstance(target, ir.NameTarget):
            names.append(target.id)
        elif isinstance(target, ir.AttrTarget):
            if target.attr in ("check_hostname", "verify_mode"):
                base = target.value
                names.append(base.id if isinstance(base, ir.Name) else base.attr if isinstance(base, ir.Attr) else "")
            else:
                names.append(target.attr)
        for name in names:
            if name and variant_name(name):
                return name
    return None


_EXCHANGES = frozenset({"send", "sendall", "sendto", "sendfile", "write", "writelines", "recv", "recv_into", "read",
                        "readline", "makefile", "request", "urlopen", "getresponse", "putrequest", "login", "starttls",
                        "sendmail", "send_message", "connect_ex"})


def _certificate_probe(fn) -> bool:
    """A function that only fetches the peer's certificate (``sock.getpeercert(True)``) and exchanges no
    data on the connection (no send, write, read or request): a probe of which certificate a server
    presents (expiry monitoring, inventory), for which verification is off by design: the certificate
    being examined may be self-signed or expired, and nothing trusts the peer."""
    names = fn.names
    return "getpeercert" in names and not any(n in _EXCHANGES for n in names)


def _pinned_certificate(fn) -> bool:
    """A function that reads the peer's certificate as bytes (``sock.getpeercert(True)``, ``binary_form=True``),
    compares a digest of it (``hashlib.sha1(cert).hexdigest() != thumbprint``) in a branch and raises: the
    certificate is pinned to a known fingerprint, which a machine on the path cannot present."""
    if "getpeercert" not in fn.names:
        return False
    binary = digest = raises = False
    digests: set = set()  # names bound to a digest
    for stmt in fn.statements():
        raises = raises or type(stmt) is ir.Raise
        for expr in expressions(stmt):
            for e in ir.walk(expr):
                if type(e) is ir.Call and e.method == "getpeercert" and any(
                        type(a) is ir.Const and a.value is True for a in (e.argument(0, "binary_form"),)):
                    binary = True
        if type(stmt) is ir.Assign and _is_digest(stmt.value):
            digests.update(t.id for t in stmt.targets if type(t) is ir.NameTarget)
    for block in fn.blocks:
        for edge in block.succs:
            cond = edge.cond
            if type(cond) is ir.UnaryOp:
                cond = cond.operand
            if type(cond) is ir.Compare and any(_is_digest(x, digests) for x in (cond.left, *cond.comparators)):
                digest = True
    return binary and digest and raises


def _is_digest(e, names=frozenset()) -> bool:
    """``h.hexdigest()``, ``hashlib.sha256(cert).hexdigest()``, ``.digest()``, or one of ``names`` (bound to one),
    lowered or with ``:`` removed."""
    while type(e) is ir.Call and e.method in ("lower", "upper", "replace", "strip"):
        e = e.func.value
    return (type(e) is ir.Call and e.method in ("hexdigest", "digest")) or (type(e) is ir.Name and e.id in names)


_CONNECTS = frozenset({"connect", "connect_ex", "create_connection", "urlopen", "request", "getaddrinfo",
                       "open_connection", "HTTPSConnection"})


def _local_pair(fn) -> bool:
    """A function whose TLS connection joins the two ends of ``socket.socketpair()``, made in this
    process, and that connects to nothing else: no network path, no peer to impersonate."""
    names = fn.names
    return "socketpair" in names and not any(n in _CONNECTS for n in names)


_LOOPBACK_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*)?://(?:" + LOOPBACK_HOST + r")(?:[:/]|$)")


def _loopback_url(e) -> bool:
    """``"https://127.0.0.1:8443/health"``, ``"https://localhost:%d/" % port``, or
    ``f"{scheme}://localhost:{port}/login"`` (the scheme alone before a constant naming this machine): a URL whose
    host is the loopback interface."""
    if isinstance(e, ir.Const):
        return isinstance(e.value, str) and bool(_LOOPBACK_HOST.match(e.value))
    if isinstance(e, ir.StringBuild) and e.kind in ("percent", "format"):
        return _loopback_url(e.template)  # ``"https://127.0.0.1:%d/" % port``
    if not (isinstance(e, ir.StringBuild) and e.kind == "fstring" and e.parts):
        return False
    first, rest = e.parts[0], e.parts[1:]
    if isinstance(first, ir.FormattedValue) and rest and isinstance(rest[0], ir.Const):
        return isinstance(rest[0].value, str) and bool(_LOOPBACK_HOST.match("https" + rest[0].value))
    return isinstance(first, ir.Const) and isinstance(first.value, str) and bool(_LOOPBACK_HOST.match(first.value))


_CONNECTIONS = frozenset({"HTTPConnection", "HTTPSConnection"})


def _on_connection(fn, call) -> bool:
    """``conn.request(...)`` on a name the function binds only to an ``http.client`` connection it makes."""
    func = call.func
    if not (isinstance(func, ir.Attr) and func.attr == "request" and isinstance(func.value, ir.Name)):
        return False
    made = bindings(fn, func.value.id)
    return bool(made) and all(type(b) is ir.Assign and isinstance(b.value, ir.Call)
                              and ir.last_name(b.value.func) in _CONNECTIONS for b in made)


def _loopback_only(fn) -> bool:
    """A function whose every request (``urlopen``, ``request``...) goes to a URL of this machine's loopback
    interface written in it (muxplex's check that its own server is up, ``f"{scheme}://localhost:{port}/login"``;
    hop3's probe of its own nginx, ``http.client.HTTPSConnection("127.0.0.1", port, context=context)``):
    no network lies between the ends, so there is no path to be on and no one to impersonate the server but a
    process of this machine. A URL passed as a name counts when every assignment of that name in the function
    is such a URL."""
    found = False
    for stmt in fn.statements():
        for e in ir.walk(stmt.value) if getattr(stmt, "value", None) is not None else ():
            if not (isinstance(e, ir.Call) and ir.last_name(e.func) in _CONNECTS):
                continue
            if _on_connection(fn, e):
                continue  # ``conn.request("GET", path)``: the host is the connection's, checked where it is made
            url = e.args[0] if e.args else None
            if isinstance(url, ir.Container) and url.elts:
                url = url.elts[0]  # ``create_connection(("127.0.0.1", port))``: the host of an address pair
            if isinstance(url, ir.Const) and isinstance(url.value, str) \
                    and _LOOPBACK_HOST.match("https://" + url.value):
                found = True  # ``HTTPSConnection("127.0.0.1", port)``: a host name alone
                continue
            if isinstance(url, ir.Name):
                assigned = bindings(fn, url.id)
                if not assigned or not all(type(b) is ir.Assign and _loopback_url(b.value) for b in assigned):
                    return False
            elif url is None or not _loopback_url(url):
                return False
            found = True
    return found


def _urllib3_context(fn, base) -> bool:
    """``ssl_context = urllib3.connection.create_urllib3_context(...)`` is every value the function gives the
    name ``base``: urllib3 makes its contexts with ``check_hostname = False`` itself, and its pools match the host
    name on each connection they make with one."""
    if not isinstance(base, ir.Name):
        return False
    values = [stmt.value for stmt in bindings(fn, base.id)
              if not (isinstance(stmt.value, ir.Const) and stmt.value.value is None)]  # (None: no context at all)

    def made_by_urllib3(v) -> bool:
        name = (v.qualname or ir.dotted_text(v.func) or "") if isinstance(v, ir.Call) else ""
        return name.startswith("urllib3.") and name.endswith(".create_urllib3_context")

    return bool(values) and all(made_by_urllib3(v) for v in values)


def _refused_by_python(fn, base, line: int) -> bool:
    """``ctx.verify_mode = ssl.CERT_NONE`` on a context that ``ssl.create_default_context()`` made earlier in the
    function, which never sets ``ctx.check_hostname = False``: with host-name checking on, Python refuses the
    assignment (``ValueError: Cannot set verify_mode to CERT_NONE when check_hostname is enabled``), so the code
    fails there and no connection is made that accepts any certificate."""
    key = place_key(base)
    if key is None or (isinstance(base, ir.Name) and base.kind != ir.NameKind.LOCAL):
        return False
    made = []
    for stmt in fn.statements():
        if type(stmt) is not ir.Assign:
            continue
        places = set(assigned_places(stmt))
        if f"{key}.check_hostname" in places:
            return False
        if key in places:
            made.append(stmt)
    return bool(made) and any(stmt.line < line for stmt in made) and all(
        isinstance(stmt.value, ir.Call) and stmt.value.qualname == "ssl.create_default_context" for stmt in made)


def _checks_hostname_itself(module) -> bool:
    return "match_hostname(" in module.text  # (no line break in the needle: as line by line)


class UnverifiedSslContext(CallRule, StatementRule):
    __doc__ = __doc__

    id = "SR302"
    peer_identity = True
    name = "unverified-ssl-context"
    title = "TLS certificate or host-name check turned off"
    cwe = 295
    severity = Level.HIGH
    confidence = Level.HIGH
    bandit = ("B323", "B501")
    callees = _UNVERIFIED + _WRAP + _SET_VERIFY + _URLLIB3
    triggers = frozenset({"check_hostname", "verify_mode", "_create_default_https_context"})

    # ------------------------------------------------------------ calls

    def check(self, site, callee: str):
        binding = _cert_none_binding(site, callee)
        if binding is None:
            yield from _unless_opted_out(site.interp, site.interp.stmt, self._check(site, callee), node=site.call)
            return
        where = (f"`{site.interp.code(binding.targets[0])}` is set to `{site.interp.code(binding.value)}` on line "
                 f"{binding.line}, in a branch that")
        yield from _unless_opted_out(site.interp, binding, self._check(site, callee), where)

    def _check(self, site, callee: str):
        code = site.interp.code(site.call)
        reqs = site.call.keyword("cert_reqs") if callee in _UNVERIFIED else None
        if reqs is not None and not _only_cert_none(site.interp, reqs):
            # ``ssl._create_unverified_context(cafile=cafile, cert_reqs=cert_reqs)``, ``cert_reqs`` CERT_REQUIRED
            # when the configuration asks: the certificate may be checked, the host name never is
            host = site.call.keyword("check_hostname")
            if host is not None and not (isinstance(host, ir.Const) and not host.value):
                return
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` returns a context that never checks the host name, and checks the "
                             f"certificate only when `{site.interp.code(reqs)}` is `ssl.CERT_REQUIRED`: even then, "
                             f"a machine on the network path holding any certificate a trusted authority issued, "
                             f"for any host, can impersonate the server."),
                fix=("Use `ssl.create_default_context()` (pass `cafile=` for a private CA, and set `verify_mode` "
                     "from the configuration), which checks the host name too."),
                confidence=Level.MEDIUM,
            )
            return
        if callee in _UNVERIFIED:
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` returns a context that checks neither the certificate (CERT_NONE) nor the "
                             f"host name: connections "
                             f"made with it accept any certificate, so a machine on the network path can impersonate "
                             f"the server and read or alter the traffic."),
                fix="Use `ssl.create_default_context()` (pass `cafile=` for a private CA) instead.",
            )
        elif callee in _WRAP:
            server = site.kwargs.get("server_side")
            if server is not None and (not server.is_const or server.const):
                return
            value, node = _setting(site, callee)
            if node is None and any(k.name is None for k in site.call.keywords):
                return
            if node is not None and not _is_cert_none(value, node):
                return
            how = "without a cert_reqs argument, whose default is ssl.CERT_NONE" if node is None else \
                f"with `cert_reqs={site.interp.code(node)}`"
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` wraps a client socket {how}: the server's certificate is not checked (nor "
                             f"its host name), so anyone on the path can pose as the server. `ssl.wrap_socket` was "
                             f"also removed in Python 3.12."),
                fix=("Use `ssl.create_default_context().wrap_socket(sock, server_hostname=host)`, which verifies "
                     "the certificate and the host name."),
            )
        elif callee in _SET_VERIFY:
            value, node = _setting(site, callee)
            if node is None or not _is_cert_none(value, node):
                return
            receiver = site.call.func.value if isinstance(site.call.func, ir.Attr) else None
            if isinstance(receiver, ir.Name) and _server_context(site.interp.fn, receiver.id):
                return
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` sets `VERIFY_NONE`: the peer's certificate is accepted whatever it is, so a "
                             f"client using this context can be served by an impostor."),
                fix="Call `set_verify(SSL.VERIFY_PEER, callback)` and load trusted CAs with `load_verify_locations()`.",
            )
        else:
            value, node = _setting(site, callee)
            if node is None or not _is_cert_none(value, node):
                return
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` creates a urllib3 pool with `cert_reqs={site.interp.code(node)}`: HTTPS "
                             f"requests through it accept any certificate, so the server can be impersonated."),
                fix="Drop `cert_reqs` (urllib3 verifies by default) or pass `cert_reqs=\"CERT_REQUIRED\"` and "
                    "`ca_certs=`.",
            )

    # ------------------------------------------------------------ attribute stores

    def check_statement(self, interp, stmt):
        yield from _unless_opted_out(interp, stmt, self._check_statement(interp, stmt))

    def _check_statement(self, interp, stmt):
        if type(stmt) is not ir.Assign or stmt.op is not None:
            return
        for target in stmt.targets:
            if not isinstance(target, ir.AttrTarget):
                continue
            attr = target.attr
            if attr not in ("check_hostname", "verify_mode", "_create_default_https_context"):
                continue
            base_code = interp.code(target.value)
            if attr == "_create_default_https_context":
                if isinstance(target.value, ir.Name) and target.value.qualname == "ssl" and \
                        getattr(stmt.value, "qualname", None) in _UNVERIFIED:
                    yield Hit(
                        node=stmt,
                        explanation=(f"`{interp.code(stmt)}` makes every HTTPS connection of this process that "
                                     f"uses the default context (urllib, http.client, xmlrpc...) skip certificate "
                                     f"verification, including connections made by libraries."),
                        fix="Remove this assignment; pass a context with your CA "
                            "(`ssl.create_default_context(cafile=...)`) "
                            "to the one connection that needs it.",
                    )
                continue
            if not _pure(stmt.value) or not _pure(target.value):
                continue
            value = interp.eval(stmt.value)
            base = interp.eval(target.value)
            is_ctx = "ssl.SSLContext" in base.types
            if isinstance(target.value, ir.Name) and _server_context(interp.fn, target.value.id):
                continue
            if _context_shim(interp, target.value):
                continue
            confidence = Level.HIGH if is_ctx else Level.MEDIUM
            own_check = ""
            if attr == "check_hostname" and _checks_hostname_itself(interp.module):
                confidence = Level.LOW
                own_check = (" This module also calls `match_hostname`; if it checks the host name itself on every "
                             "connection, the risk is limited to what that check misses.")
            elif attr == "check_hostname" and _urllib3_context(interp.fn, target.value):
                confidence = Level.LOW
                own_check = (f" `{base_code}` is made by urllib3's `create_urllib3_context()`, which sets this to "
                             f"False itself: urllib3's pools match the host name on each connection they make with "
                             f"it, so the risk is only where the context wraps a socket outside them.")
            trusted = _own_trust_only(interp, base_code, stmt.line) \
                if attr == "check_hostname" and not own_check else None
            if trusted is not None:
                # ``ctx = ssl.SSLContext(PROTOCOL_TLS_CLIENT)`` then ``ctx.load_verify_locations(cafile=ca)``: only
                # the project's own authority (or the one pinned certificate) is trusted, no public one
                confidence = Level.LOW
                own_check = (f" `{base_code}` trusts only the certificates that `{interp.code(trusted, 70)}` (line "
                             f"{trusted.line}) names, no system authority: only a host they certify can pose as "
                             f"the server.")
            raised = _raised_later(interp, stmt, target)
            if raised is not None:
                # ``ctx.verify_mode = CERT_NONE`` then ``if ssl_mode in VERIFYING: ctx.verify_mode = CERT_REQUIRED``:
                # the base of a mode switch (libpq's ``sslmode``), off only in the modes a caller's setting names
                confidence = Level.LOW
                later, cond = raised
                own_check += (f" It is set back to `{interp.code(later.value)}` on line {later.line} where "
                              f"`{interp.code(cond, 60)}` holds: verification stays off only in the other modes, "
                              f"which a caller's or an operator's setting chooses.")
            if attr == "check_hostname":
                if not (value.is_const and value.const is False):
                    continue
                if _cert_none_too(interp, base_code) and _verifies_nothing_by_default(interp, base_code):
                    continue  # ``ssl.SSLContext()`` checks no host name anyway: the ``CERT_NONE`` line is the defect
                if _cert_none_beside(interp, stmt, base_code) is not None:
                    continue  # no certificate checked at all: the ``CERT_NONE`` line says it, with this one
                yield Hit(
                    node=stmt,
                    explanation=(f"`{interp.code(stmt)}` turns host-name checking off on `{base_code}`: a "
                                 f"certificate the trusted authorities issued for any other host is accepted, so "
                                 f"whoever holds one (for a public CA, anyone with a domain; for a private CA, any "
                                 f"other host it certified) can impersonate the server.{own_check}"),
                    fix=(f"Remove the assignment (`{base_code}.check_hostname` is True for "
                         f"`ssl.create_default_context()`) and pass `server_hostname=` when wrapping sockets."),
                    confidence=confidence,
                )
            elif _is_cert_none(value, stmt.value) and (is_ctx or not value.is_const) \
                    and not _switched_off_on_request(interp, stmt.value) \
                    and not _refused_by_python(interp.fn, target.value, stmt.line):
                hostname = _hostname_off_beside(interp, stmt, base_code)
                also = f" (and `{interp.code(hostname)}` on line {hostname.line} turns the host-name check off)" \
                    if hostname is not None else ""
                yield Hit(
                    node=stmt,
                    explanation=(f"`{interp.code(stmt)}`{also} makes `{base_code}` accept any certificate from the "
                                 f"server: connections made with it are encrypted to whoever answers, so anyone on "
                                 f"the network path can read and alter them.{own_check}"),
                    fix=(f"Remove the assignment (`ssl.create_default_context()` uses `CERT_REQUIRED`); to trust a "
                         f"private CA call `{base_code}.load_verify_locations(cafile=...)`."),
                    confidence=confidence,
                )
