"""SSL 2/3 or TLS 1.0/1.1 selected for a connection.

SSLv2 and SSLv3 are broken (DROWN, POODLE) and TLS 1.0 and 1.1 were
deprecated by RFC 8996 (BEAST, weak MAC and key-exchange suites): a
connection limited to, or allowed down to, one of them can be downgraded and
decrypted by an attacker on the network path, and modern peers refuse it.

Reported where a call receives one of these versions (resolved through
variables and module constants): `ssl.PROTOCOL_SSLv2`, `PROTOCOL_SSLv3`,
`PROTOCOL_TLSv1`, `PROTOCOL_TLSv1_1`, pyOpenSSL `SSL.SSLv2_METHOD`,
`SSLv3_METHOD`, `TLSv1_METHOD`, `TLSv1_1_METHOD` (in `ssl.SSLContext(...)`,
`ssl.wrap_socket(ssl_version=...)`, `SSL.Context(...)` or any other call);
where a function parameter defaults to one of them; and where
`minimum_version` is set to `TLSVersion.SSLv3`, `TLSv1` or `TLSv1_1`.
`ssl.wrap_socket` without `ssl_version` is not reported here: its default
negotiates the best version both sides support (its missing certificate
check is the unverified-ssl-context rule), and neither are `PROTOCOL_TLS`,
`PROTOCOL_TLS_CLIENT`/`SERVER` or `SSLv23_METHOD`, which negotiate; nor is a context made only to test that a
key and a certificate match (`ctx = SSL.Context(SSL.TLSv1_METHOD)`, then only `ctx.use_privatekey(key)`,
`ctx.use_certificate(cert)` and `ctx.check_privatekey()`), which connects to nothing. A variable
that holds an old version on some paths only says so (`may select TLS 1.0 on
some paths`), and is low confidence (not shown by default) when a negotiating
protocol is among its other values: a fallback for a Python whose `ssl` lacks
the newer name (`elif hasattr(ssl, 'PROTOCOL_TLSv1'): return
ssl.PROTOCOL_TLSv1` after `PROTOCOL_TLS`).

**Fix:** create the context with `ssl.create_default_context()` (or
`ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)`) and, if needed, set
`ctx.minimum_version = ssl.TLSVersion.TLSv1_2`; with pyOpenSSL use
`SSL.Context(SSL.TLS_METHOD)` and `set_min_proto_version(SSL.TLS1_2_VERSION)`.
"""

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.nodes import is_pure as _pure
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import expressions
from secreview.rules.base import Hit, StatementRule

_BAD = {
    "ssl.PROTOCOL_SSLv2": "SSL 2.0", "ssl.PROTOCOL_SSLv3": "SSL 3.0", "ssl.PROTOCOL_TLSv1": "TLS 1.0",
    "ssl.PROTOCOL_TLSv1_1": "TLS 1.1",
    "OpenSSL.SSL.SSLv2_METHOD": "SSL 2.0", "OpenSSL.SSL.SSLv3_METHOD": "SSL 3.0",
    "OpenSSL.SSL.TLSv1_METHOD": "TLS 1.0", "OpenSSL.SSL.TLSv1_1_METHOD": "TLS 1.1",
}
_BAD_MINIMUM = {"ssl.TLSVersion.SSLv3": "SSL 3.0", "ssl.TLSVersion.TLSv1": "TLS 1.0",
                "ssl.TLSVersion.TLSv1_1": "TLS 1.1"}
_WHY = {"SSL 2.0": "broken (DROWN) and disabled in every current TLS library",
        "SSL 3.0": "broken (POODLE): its CBC padding lets an attacker on the path decrypt cookies and tokens",
        "TLS 1.0": "deprecated by RFC 8996 (BEAST, SHA-1/MD5-based handshakes)",
        "TLS 1.1": "deprecated by RFC 8996 (SHA-1/MD5-based handshakes, no AEAD suites)"}


def _roots(stmt):
    t = type(stmt)
    if t is ir.Assign:
        yield stmt.value
        for target in stmt.targets:
            if isinstance(target, ir.AttrTarget):
                yield target.value
            elif isinstance(target, ir.ItemTarget):
                yield target.value
                yield target.index
    elif t is ir.Evaluate or t is ir.Return:
        if stmt.value is not None:
            yield stmt.value
    elif t is ir.Raise and stmt.exc is not None:
        yield stmt.exc
    elif t is ir.Assert:
        yield stmt.test


_NEGOTIATING = frozenset({
    "ssl.PROTOCOL_TLS", "ssl.PROTOCOL_TLS_CLIENT", "ssl.PROTOCOL_TLS_SERVER", "ssl.PROTOCOL_SSLv23",
    "OpenSSL.SSL.TLS_METHOD", "OpenSSL.SSL.SSLv23_METHOD", "OpenSSL.SSL.TLS_CLIENT_METHOD",
    "OpenSSL.SSL.TLS_SERVER_METHOD"})


def _version_of(interp, node, table) -> tuple[str, str, tuple] | None:
    """(qualified name, version, the other versions it may be instead) when ``node`` is or holds one of
    ``table``'s versions (a variable set on several paths: ``tls_version = best_tls_version()``)."""
    if isinstance(node, (ir.Name, ir.Attr)) and node.qualname in table:
        return node.qualname, table[node.qualname], ()
    if isinstance(node, (ir.Name, ir.Attr)) and _pure(node):
        value = interp.eval(node)
        for t in sorted(value.types):
            if t in table:
                others = tuple(sorted(o for o in value.types if o != t and o.startswith(("ssl.", "OpenSSL.SSL."))))
                return t, table[t], others
    return None


# what a context is asked that makes no connection: whether a key and a certificate belong together
_KEY_CHECKS = frozenset({"use_privatekey", "use_privatekey_file", "use_certificate", "use_certificate_file",
                         "use_certificate_chain_file", "check_privatekey", "load_cert_chain"})


def _key_check_only(fn, stmt) -> bool:
    """``ctx = SSL.Context(SSL.TLSv1_METHOD)`` whose every later use in the function is loading a key and a
    certificate into it and ``ctx.check_privatekey()``: a test that the two match, no connection made with it."""
    if type(stmt) is not ir.Assign or len(stmt.targets) != 1 or type(stmt.targets[0]) is not ir.NameTarget:
        return False
    name = stmt.targets[0].id
    reads = checks = 0
    for other in fn.statements():
        if type(other) is ir.Assign and any(type(t) is ir.NameTarget and t.id == name for t in other.targets) \
                and other is not stmt:
            return False
        for root in expressions(other):
            for e in _walk(root):
                if type(e) is ir.Name and e.id == name:
                    reads += 1
                elif type(e) is ir.Call and type(e.func) is ir.Attr and type(e.func.value) is ir.Name \
                        and e.func.value.id == name and e.func.attr in _KEY_CHECKS:
                    checks += 1
    return reads > 0 and reads == checks and any(
        type(e) is ir.Call and type(e.func) is ir.Attr and e.func.attr == "check_privatekey"
        for other in fn.statements() for root in expressions(other) for e in _walk(root))


class InsecureTlsVersion(StatementRule):
    __doc__ = __doc__

    id = "SR303"
    peer_identity = True
    name = "insecure-tls-version"
    title = "Obsolete SSL/TLS protocol version"
    cwe = 327
    severity = Level.HIGH
    confidence = Level.HIGH
    bandit = ("B502", "B503", "B504")
    # A version named in the statement, a call that takes one (through a variable), or a definition
    # whose defaults may name one.
    triggers = frozenset({q.rsplit(".", 1)[-1] for q in (*_BAD, *_BAD_MINIMUM)}) | frozenset({
        "SSLContext", "wrap_socket", "Context", "get_server_certificate", "minimum_version", "Define"})

    def check_statement(self, interp, stmt):
        if type(stmt) is ir.Define:
            if stmt.function is not None:
                yield from self._defaults(interp, stmt.function)
            return
        if type(stmt) is ir.Assign:
            for target in stmt.targets:
                if isinstance(target, ir.AttrTarget) and target.attr == "minimum_version":
                    found = _version_of(interp, stmt.value, _BAD_MINIMUM)
                    if found:
                        yield self._hit(interp, stmt, found, f"`{interp.code(stmt)}` lets connections fall back to")
        for root in _roots(stmt):
            for e in _walk(root):
                if not isinstance(e, ir.Call):
                    continue
                if e is stmt.value and _key_check_only(interp.fn, stmt):
                    continue
                for arg in list(e.args) + [k.value for k in e.keywords if k.name is not None]:
                    found = _version_of(interp, arg, _BAD)
                    if found:
                        yield self._hit(interp, e, found, f"`{interp.code(e)}` selects")

    def _defaults(self, interp, fn):
        for p in fn.params:
            if p.default is None:
                continue
            found = _version_of(interp, p.default, _BAD)
            if found:
                yield self._hit(interp, p.default, found,
                                f"Parameter `{p.name}` of `{fn.name}()` defaults to `{interp.code(p.default)}`, so "
                                f"callers that do not pass it get")

    def _hit(self, interp, node, found, lead):
        qualname, version, others = found
        short = qualname.rsplit(".", 1)[-1]
        confidence = None
        if others:
            # a value chosen on one of several paths (a fallback for a Python whose ``ssl`` lacks the newer
            # names: ``elif hasattr(ssl, 'PROTOCOL_TLSv1'): return ssl.PROTOCOL_TLSv1``)
            shown = ", ".join(f"`{o.rsplit('.', 1)[-1]}`" for o in others)
            lead = lead.replace(" selects", " may select", 1).replace(" get", " may get", 1)
            version = f"{version} (`{short}`) on some paths (on others {shown})"
            if set(others) & _NEGOTIATING:
                confidence = Level.LOW  # it negotiates the best version where the newer name exists
        else:
            version = f"{version} (`{short}`)"
        return Hit(
            node=node,
            explanation=(f"{lead} {version}, which is {_WHY[found[1]]}. A connection made this way can "
                         f"be read or downgraded by an attacker on the network path."),
            confidence=confidence,
            fix=("Use `ssl.create_default_context()` (it negotiates TLS 1.2+) and, if a floor is needed, "
                 "`ctx.minimum_version = ssl.TLSVersion.TLSv1_2`; with pyOpenSSL use `SSL.TLS_METHOD`."),
        )
