"""eventlet WSGI server that keeps client connections open with no idle timeout.

`eventlet.wsgi.server(sock, app, custom_pool=pool)` serves each client
connection in a green thread of its pool (`custom_pool`, or `max_size`, 1024
by default) for as long as the connection stays open. Two of its defaults
make that forever: `keepalive=True` keeps a connection open after each
response, waiting for the next request, and `socket_timeout=None` never
closes a connection that sends nothing. Every client that leaves its
connection idle (a keep-alive HTTP client, a load balancer's health check, or
an attacker opening as many connections as the pool has threads and sending
nothing) holds a thread until it goes away; once they are all taken the API
accepts connections and answers no request. OpenStack services fixed this by
making `keepalive` an option and by passing `socket_timeout`
(`client_socket_timeout`, 900 s by default; Glance and Cinder, bug 1361360).

Reported for a call of `eventlet.wsgi.server` (directly, or started as
`spawn(**kwargs)` from a dict whose `func` is it) that passes no
`socket_timeout` (or `socket_timeout=None`) and no `keepalive` (or a
constant true one). Not reported: a `keepalive` from configuration or a
variable (the operator decides, as with any value they set), `keepalive=False`
or `0`, any `socket_timeout` that is not `None`, calls that pass `**kwargs`
whose keys are not all known, and test code.

**Fix:** pass an idle timeout and let the operator turn keep-alive off:
`eventlet.wsgi.server(sock, app, custom_pool=pool,
socket_timeout=CONF.client_socket_timeout or None, keepalive=CONF.wsgi_keep_alive)`
(oslo.service's `wsgi.Server` does both).
"""

from __future__ import annotations

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import expressions
from secreview.rules.base import Hit, StatementRule

_SERVER = "eventlet.wsgi.server"
# positions of the two parameters in eventlet.wsgi.server(sock, site, log, environ, max_size,
# max_http_version, protocol, server_event, minimum_chunk_size, log_x_forwarded_for, custom_pool,
# keepalive, log_output, log_format, url_length_limit, debug, socket_timeout, ...)
_POSITION = {"keepalive": 11, "socket_timeout": 16}


def _unset(value) -> bool:
    """Whether an argument leaves the default in place for these two parameters (``None``, ``True``)."""
    return value is None or (value.is_const and value.const in (None, True))


def _names_server(function, splat) -> bool:
    """Whether the dict ``splat`` (a local variable) is built with ``'func': eventlet.wsgi.server``."""
    if not (isinstance(splat, ir.Name) and splat.kind == ir.NameKind.LOCAL):
        return False
    for stmt in function.statements():
        if type(stmt) is ir.Assign and isinstance(stmt.value, ir.DictExpr) and any(
                isinstance(t, ir.NameTarget) and t.id == splat.id for t in stmt.targets):
            for key, value in zip(stmt.value.keys, stmt.value.values):
                if isinstance(key, ir.Const) and key.value == "func" \
                        and getattr(value, "qualname", None) == _SERVER:
                    return True
    return False


class KeepaliveWithoutTimeout(StatementRule):
    __doc__ = __doc__

    id = "SR807"
    name = "keepalive-without-timeout"
    title = "eventlet WSGI server keeps idle connections open forever"
    cwe = 400
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    tests_relevant = False
    # a statement naming the server, or a spawn(**kwargs) whose dict (built in another statement) names it
    triggers = frozenset({_SERVER, "server", "spawn", "spawn_n"})

    def relevant(self, function) -> bool:
        return _SERVER in function.names

    def check_statement(self, interp, stmt):
        for root in expressions(stmt):
            for call in _walk(root):
                if isinstance(call, ir.Call):
                    yield from self._check(interp, call)

    def _check(self, interp, call):
        direct = call.qualname == _SERVER
        given: dict = {}  # parameter -> Value (None: passed, value not known)
        for param, index in _POSITION.items():
            if direct and len(call.args) > index:
                given[param] = interp.eval(call.args[index])
        spawned = False
        for kw in call.keywords:
            if kw.name is not None:
                if kw.name in _POSITION:
                    given[kw.name] = interp.eval(kw.value)
                continue
            if not ir.is_pure(kw.value):
                return
            items = interp.eval(kw.value).items
            if items is None:
                return
            if "func" in items and _names_server(interp.fn, kw.value):
                spawned = True
            for param in _POSITION:
                if param in items:
                    given[param] = items[param]
        if not (direct or spawned):
            return
        if any(isinstance(a, ir.Starred) for a in call.args):
            return
        keepalive, timeout = given.get("keepalive"), given.get("socket_timeout")
        if not _unset(timeout) or not _unset(keepalive):
            return
        how = "with `keepalive=True`" if keepalive is not None else "with keep-alive on (eventlet's default)"
        yield Hit(
            node=call,
            explanation=(f"`{interp.code(call)}` starts an eventlet WSGI server {how} and no `socket_timeout`: "
                         f"each open client connection holds one green thread of the server's pool until the "
                         f"client closes it, so clients that leave connections idle (keep-alive clients, or "
                         f"anyone opening as many connections as the pool has threads and sending nothing) "
                         f"take every thread and the API stops answering."),
            fix=("Pass an idle timeout and make keep-alive an option: `socket_timeout=CONF.client_socket_timeout "
                 "or None, keepalive=CONF.wsgi_keep_alive`."),
        )
