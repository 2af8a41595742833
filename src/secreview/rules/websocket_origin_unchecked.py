"""WebSocket handshake accepted from any site (cross-site WebSocket hijacking).

A browser lets any web page open a WebSocket to any server, and sends with
the handshake the cookies it holds for that server (those that their
`SameSite` setting allows: all of them from a sibling subdomain, which is
the same site, and from any site for `SameSite=None`); it does not apply
the same-origin policy to WebSockets. The
server's only defence is the handshake's `Origin` header: a server that
accepts every origin lets a page on any site the user visits open the
socket as the user, then read and send its messages (a console's keystrokes,
a notebook's code, the data the socket streams). A server listening on
`localhost` is reachable the same way from any page the user opens. Nova's
console proxies had this hole (CVE-2015-0259, OSSA 2015-005): the console
token was read from a cookie and the `Origin` never compared.

Reported:
- a Tornado `WebSocketHandler` subclass whose `check_origin()` returns `True`
  for every origin (Tornado's own check accepts only the handler's host);
- a Django Channels `ProtocolTypeRouter` whose `"websocket"` application
  authenticates from the session cookie (`AuthMiddlewareStack`,
  `SessionMiddlewareStack`, `CookieMiddleware`) and is wrapped in neither
  `AllowedHostsOriginValidator` nor `OriginValidator`;
- a websockify proxy handler (`new_websocket_client`, `new_client`) that
  reads its token from the `Cookie` header in a module that never looks at
  an origin (no `Origin` header read, no `*origin*` name).

Not reported: a `check_origin()` that decides (compares the origin with a
list or the host, or defers to configuration); a Channels application that
authenticates otherwise (a token in the query string or a header, which
another site does not have); a websockify handler that takes the token only
from the URL; test code.

**Fix:** accept only the origins the application is served from: leave
Tornado's `check_origin()` as it is or compare the parsed origin's host with
an allow-list; wrap the Channels application in
`AllowedHostsOriginValidator(...)`; in a websockify handler compare the
`Origin` header's host with the expected host (and its scheme with the
console's) before using the cookie, as Nova's `NovaProxyRequestHandler` does.
"""

from __future__ import annotations

from secreview.analysis.code_text import code_of
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.base import FunctionRule, Hit, lines_node

_COOKIE_AUTH = frozenset({"AuthMiddlewareStack", "SessionMiddlewareStack", "CookieMiddleware",
                          "SessionMiddleware", "AuthMiddleware"})
_VALIDATORS = frozenset({"AllowedHostsOriginValidator", "OriginValidator"})
_WEBSOCKIFY_HOOKS = frozenset({"new_websocket_client", "new_client"})


def _last(call: ir.Call) -> str:
    q = call.qualname or (call.func.attr if isinstance(call.func, ir.Attr) else
                          call.func.id if isinstance(call.func, ir.Name) else "")
    return q.rsplit(".", 1)[-1]


def _only_returns_true(function: ir.Function) -> ir.Return | None:
    """The ``return True`` that is the whole body of ``function`` (a docstring and ``pass`` aside)."""
    found = None
    for stmt in function.statements():
        if isinstance(stmt, ir.Pass):
            continue
        if isinstance(stmt, ir.Evaluate) and isinstance(stmt.value, ir.Const) and isinstance(stmt.value.value, str):
            continue
        if isinstance(stmt, ir.Return) and isinstance(stmt.value, ir.Const) and stmt.value.value is True \
                and found is None:
            found = stmt
            continue
        return None
    return found


class WebsocketOriginUnchecked(FunctionRule):
    __doc__ = __doc__

    id = "SR120"
    name = "websocket-origin-unchecked"
    title = "WebSocket handshake accepted from any site"
    cwe = 1385
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    tests_relevant = False

    def relevant(self, function) -> bool:
        if "ProtocolTypeRouter" in function.names:
            return True
        return function.class_qualname is not None and (
            function.name == "check_origin" or function.name in _WEBSOCKIFY_HOOKS)

    def check_function(self, module, function):
        if "ProtocolTypeRouter" in function.names:
            yield from self._channels(module, function)
        if function.class_qualname is None:
            return
        if function.name == "check_origin":
            yield from self._tornado(module, function)
        elif function.name in _WEBSOCKIFY_HOOKS:
            yield from self._websockify(module, function)

    def _channels(self, module, function):
        for stmt in function.statements():
            for node in _exprs(stmt):
                for call in ir.walk(node):
                    if not (isinstance(call, ir.Call) and _last(call) == "ProtocolTypeRouter" and call.args
                            and isinstance(call.args[0], ir.DictExpr)):
                        continue
                    for key, app in zip(call.args[0].keys, call.args[0].values):
                        if not (isinstance(key, ir.Const) and key.value == "websocket"):
                            continue
                        wrappers = [_last(c) for c in ir.walk(app) if isinstance(c, ir.Call)]
                        auth = next((w for w in wrappers if w in _COOKIE_AUTH), None)
                        if auth is None or any(w in _VALIDATORS for w in wrappers):
                            continue
                        yield Hit(
                            node=app,
                            explanation=(
                                f"The `\"websocket\"` application of `ProtocolTypeRouter` authenticates from the "
                                f"session cookie (`{auth}`) and is not wrapped in `AllowedHostsOriginValidator` or "
                                f"`OriginValidator`, so Channels accepts a handshake whatever its `Origin`: a page on "
                                f"another site can open these WebSockets and read and send their messages as the user "
                                f"wherever the browser sends it the session cookie (from a page of a sibling "
                                f"subdomain, which is the same site; from any site when the cookie is SameSite=None "
                                f"or the browser applies no SameSite rule): cross-site WebSocket hijacking."),
                            fix=(f"Wrap the application: `\"websocket\": AllowedHostsOriginValidator({auth}(...))` "
                                 f"(it accepts the origins of `ALLOWED_HOSTS`)."),
                        )

    def _tornado(self, module, function):
        program = self.program
        if program is None or not any(name.rsplit(".", 1)[-1] == "WebSocketHandler"
                                      for name, _ in program.lineage(function.class_qualname)):
            return
        ret = _only_returns_true(function)
        if ret is None:
            return
        klass = function.class_qualname.rsplit(".", 1)[-1]
        yield Hit(
            node=ret,
            explanation=(f"`check_origin()` of `{klass}` returns `True` whatever the origin, which turns off Tornado's "
                         f"check that a WebSocket handshake comes from a page of this server: a page on any site "
                         f"the user visits can open this WebSocket from the user's browser (with the cookies the "
                         f"browser sends to this server, and from inside the user's network, where a server on "
                         f"`localhost` or an intranet is reachable) and read and send its messages (cross-site "
                         f"WebSocket hijacking)."),
            fix=("Remove this override (Tornado then accepts only the handler's own host), or return whether the "
                 "origin's host is in an allow-list: `return urlparse(origin).netloc in ALLOWED_HOSTS`."),
            notes=(_class_note(module, function),),
        )

    def _websockify(self, module, function):
        if not any(q == "websockify" or q.startswith("websockify.") for q in module.imports.values()):
            return
        cookie = _cookie_read(function)
        if cookie is None or _mentions_origin(module):
            return
        yield Hit(
            node=cookie,
            explanation=(f"`{function.name}()` of `{function.class_qualname.rsplit('.', 1)[-1]}` takes its "
                         f"credential from the handshake's cookies (`{code_of(module, cookie, 80)}`), and nothing "
                         f"in this module compares the handshake's `Origin` with the proxy's host: a page of another "
                         f"site can open the WebSocket and drive the console as the user wherever the browser sends "
                         f"it the cookie (a cookie without a SameSite attribute in a browser that does not default "
                         f"to Lax, a page of a sibling subdomain): cross-site WebSocket hijacking, as in "
                         f"CVE-2015-0259."),
            fix=("Before using the cookie, compare the host of the `Origin` header with the host the proxy is served "
                 "as (and its scheme with the console's), and refuse the handshake when they differ."),
            notes=(_class_note(module, function),),
        )


def _class_note(module: ir.Module, function: ir.Function):
    klass = module.classes.get(function.class_qualname)
    line = klass.line if klass is not None else function.line
    return lines_node(line), f"the class `{function.class_qualname.rsplit('.', 1)[-1]}`"


def _cookie_read(function: ir.Function):
    """The first expression of ``function`` reading the ``Cookie`` header or parsing cookies."""
    for stmt in function.statements():
        for node in _exprs(stmt):
            for e in ir.walk(node):
                if isinstance(e, ir.Call):
                    if _last(e) == "SimpleCookie":
                        return e
                    if isinstance(e.func, ir.Attr) and e.func.attr in ("get", "getheader", "get_all") and e.args \
                            and isinstance(e.args[0], ir.Const) and str(e.args[0].value).lower() == "cookie":
                        return e
                elif isinstance(e, ir.Subscript) and isinstance(e.index, ir.Const) \
                        and str(e.index.value).lower() == "cookie":
                    return e
    for child in function.children:
        found = _cookie_read(child)
        if found is not None:
            return found
    return None


def _exprs(stmt):
    for name in ("value", "test", "exc"):
        node = getattr(stmt, name, None)
        if isinstance(node, ir.Expr):
            yield node


def _mentions_origin(module: ir.Module) -> bool:
    """Whether any function of the module reads an origin (a name or string holding ``origin``)."""
    for fn in module.functions.values():
        if any("origin" in str(name).lower() for name in fn.names):
            return True
    return False

