"""Server socket bound to every network interface.

Binding to `0.0.0.0`, `::` or `""` makes the service reachable on every
address of the machine: public interfaces, container bridges and VPNs as
well as the loopback. A development server, debug console, metrics or admin
endpoint meant for local use is then exposed to the network, often without
authentication.

Reported where the host resolves (by constant propagation) to an
all-interfaces address in `sock.bind((host, port))`, `socket.create_server`,
`socketserver`/`http.server` servers, `eventlet.listen`,
`wsgiref.simple_server.make_server`, `werkzeug.serving.run_simple`,
`app.run(host=...)` (Flask and the like), `uvicorn.run`, `aiohttp.web.run_app`,
`waitress.serve` and `asyncio.start_server`/`loop.create_server`. Not reported:
a host read from configuration or the environment (the operator chooses), a
default value of a configuration option (such as `cfg.StrOpt('bind_host',
default='0.0.0.0')`), comparisons with `'0.0.0.0'`, CIDR strings, port 0 (asking
the system for a free port) or one drawn at random (`random.randint(10000, 60000)`: a client's socket for
the replies to what it sends, as impacket's NetBIOS name queries), a socket made in the function only to
try a port (a stream one from
`socket.socket`, or one of another class called there, also through `contextlib.closing`; bound, then never
listened on, read from, returned, stored or handed to a call: `return s.getsockname()[1]` returns the port it
got, not the socket), a socket the function joins to a
multicast group or sets the interface, loopback, TTL or hops of its multicast (`IP_ADD_MEMBERSHIP`,
`IP_MULTICAST_IF`...: a multicast endpoint binds the wildcard address; the membership chooses the
interface), or gets it from a function of the reviewed code that does (`sock, _, _ = get_ssdp_socket(...)`),
and test code. Of low confidence (not shown by default) in a function whose text says it
starts a server for testing or development ("For testing only, do not use in production", "STARTING
test server": pbr's generated WSGI scripts), or whose port is read from the environment
(`port=int(os.getenv("PORT", 8080))`: the platforms that run a service in a container, Cloud Run, Knative or
Heroku, say where it must listen, and route to it from outside the container), or that runs only when its file is
run as a script (under `if __name__ == "__main__":` at module level: a library module's demonstration server, a
developer's launcher), or that binds a datagram socket the function makes (`socket.socket(AF_INET, SOCK_DGRAM)`:
discovery and peer protocols, which hear broadcasts). Of medium confidence otherwise: judged on the held-out
panels of real code (AI to AQ,
`docs/precision.md`), most servers reported were meant to be reached from other machines (peer-to-peer nodes,
discovery responders, container entry points), which the code does not say.

**Fix:** bind to `127.0.0.1` (or a specific interface address) by default and
make the listen address a configuration setting; put services that must be
public behind authentication and TLS.
"""

import re

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.control import under_main_guard
from secreview.ir.nodes import is_pure as _pure
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import assigned_places, place_key
from secreview.rules.base import Hit, StatementRule

_ALL = frozenset({"0.0.0.0", "::", "", "0:0:0:0:0:0:0:0", "::0"})
_ALL_NAMED = frozenset({"0.0.0.0", "::", "0:0:0:0:0:0:0:0", "::0"})  # "" only in an address tuple
# callee -> (positional index, keyword, form): form "tuple" = (host, port) address, "host" = a host string
_CALLS = {
    "socket.create_server": (0, "address", "tuple"),
    "eventlet.listen": (0, "addr", "tuple"),
    "eventlet.green.socket.create_server": (0, "address", "tuple"),
    "socketserver.TCPServer": (0, "server_address", "tuple"),
    "socketserver.UDPServer": (0, "server_address", "tuple"),
    "socketserver.ThreadingTCPServer": (0, "server_address", "tuple"),
    "socketserver.ForkingTCPServer": (0, "server_address", "tuple"),
    "http.server.HTTPServer": (0, "server_address", "tuple"),
    "http.server.ThreadingHTTPServer": (0, "server_address", "tuple"),
    "xmlrpc.server.SimpleXMLRPCServer": (0, "addr", "tuple"),
    "wsgiref.simple_server.make_server": (0, "host", "host-or-empty"),
    "werkzeug.serving.run_simple": (0, "hostname", "host-or-empty"),
    "werkzeug.run_simple": (0, "hostname", "host-or-empty"),
    "uvicorn.run": (None, "host", "host"),
    "aiohttp.web.run_app": (None, "host", "host"),
    "waitress.serve": (None, "host", "host"),
    "asyncio.start_server": (1, "host", "host"),
    "asyncio.start_unix_server": (None, "__never__", "host"),
}
_LOOP_METHODS = {"create_server": (1, "host")}


def _roots(stmt):
    t = type(stmt)
    if t is ir.Assign or t in (ir.Evaluate, ir.Return) and stmt.value is not None:
        yield stmt.value


def _const(interp, node):
    if node is None or not _pure(node):
        return None
    value = interp.eval(node)
    return value


def _host_in_tuple(interp, node):
    """The all-interfaces host of an address ``(host, port)``, or None."""
    if isinstance(node, ir.Container) and node.kind in ("tuple", "list") and len(node.elts) in (2, 4):
        port = _const(interp, node.elts[1])
        if port is not None and port.is_const and port.const == 0:
            return None  # port 0: asking the OS for a free port (usually to close it again), not a service
        if isinstance(node.elts[1], ir.Call) and node.elts[1].method in ("randint", "randrange"):
            return None  # a port drawn at random: a client's socket for replies, as port 0, not a service
        value = _const(interp, node.elts[0])
        if value is not None and value.is_const and isinstance(value.const, str) and value.const in _ALL:
            return value.const
        return None
    value = _const(interp, node)
    if value is None:
        return None
    if value.is_const and isinstance(value.const, tuple) and len(value.const) in (2, 4) \
            and isinstance(value.const[0], str) and value.const[0] in _ALL and value.const[1] != 0:
        return value.const[0]
    if value.items and 0 in value.items and len(value.items) in (2, 4):
        first = value.items[0]
        if first.is_const and isinstance(first.const, str) and first.const in _ALL:
            return first.const
    return None


def _host(interp, node, allowed):
    value = _const(interp, node)
    if value is not None and value.is_const and isinstance(value.const, str) and value.const in allowed:
        return value.const
    return None


_SERVING = frozenset({"listen", "accept", "recv", "recvfrom", "recv_into", "recvfrom_into", "recvmsg", "makefile",
                      "serve_forever", "sendto", "connect", "detach", "dup", "fileno"})


def _port_probe(fn, call) -> bool:
    """``with socket.socket() as s: s.bind(("", port))`` to find a free port: a socket made here (a stream one,
    when ``socket.socket`` makes it), bound, and never listened on, read from, handed on or kept (no
    ``listen``/``accept``/``recv*``, not returned, stored or passed to a call): nothing is served on the
    address."""
    receiver = call.func.value if isinstance(call.func, ir.Attr) else None
    if not isinstance(receiver, ir.Name):
        return False
    name = receiver.id
    made_here = False
    for stmt in fn.statements():
        if isinstance(stmt, ir.Assign):
            targets = [t for t in stmt.targets if isinstance(t, ir.NameTarget) and t.id == name]
            value = stmt.value
            if isinstance(value, ir.WithEnter):
                value = value.context  # ``with socket.socket() as s:``
            if targets:
                # (made by ``socket.socket(...)``, not a datagram one; or by another call, a socket class
                # taken from a set: ``for socket_class in (socket4, socket6): with socket_class() as s:``)
                if not (isinstance(value, ir.Call) and (value.qualname != "socket.socket" or _stream(value))):
                    return False
                made_here = True
            elif _mentions(stmt.value, name):
                return False  # kept under another name or in an attribute
        for root in (getattr(stmt, "value", None), getattr(stmt, "test", None)):
            if not isinstance(root, ir.Expr):
                continue
            if isinstance(stmt, ir.Return) and _mentions_beyond_queries(root, name):
                return False  # (``return s.getsockname()[1]``: the port it got, not the socket)
            for e in _walk(root):
                if not isinstance(e, ir.Call):
                    continue
                if isinstance(e.func, ir.Attr) and isinstance(e.func.value, ir.Name) and e.func.value.id == name \
                        and e.func.attr in _SERVING:
                    return False
                if any(_mentions(a, name) for a in list(e.args) + [k.value for k in e.keywords]):
                    return False
    return made_here


_QUERIES = frozenset({"getsockname", "getsockopt", "gettimeout"})


def _mentions_beyond_queries(expr, name: str) -> bool:
    """``expr`` reads the variable ``name`` other than to ask it a question (``s.getsockname()``): the socket
    itself goes where ``expr``'s value goes."""
    asked = {id(e.func.value) for e in _walk(expr) if isinstance(e, ir.Call) and isinstance(e.func, ir.Attr)
             and e.func.attr in _QUERIES and isinstance(e.func.value, ir.Name)}
    return any(isinstance(e, ir.Name) and e.id == name and id(e) not in asked for e in _walk(expr))


def _multicast_member(fn) -> bool:
    """A function that joins its socket to a multicast group (``setsockopt(IPPROTO_IP, IP_ADD_MEMBERSHIP,
    ...)``) or sets the interface, loopback or hops of its multicast (``IP_MULTICAST_IF``...): a multicast
    endpoint binds the wildcard address to get the group's datagrams on every platform; which interface
    carries the group is the membership's, not the bind's."""
    return fn.sets_multicast  # (an mDNS or SSDP responder sets these where it binds, or in another method)


def _multicast_made(interp, call) -> bool:
    """``sock, _, _ = get_ssdp_socket(source, target)`` then ``sock.bind(("", port))``: the socket bound was
    made by a function of the reviewed code that joins it to a multicast group (``_multicast_member``)."""
    receiver = call.func.value if isinstance(call.func, ir.Attr) else None
    if not isinstance(receiver, ir.Name):
        return False
    made = [stmt.value for stmt in interp.fn.statements()
            if isinstance(stmt, ir.Assign) and any(_binds(t, receiver.id) for t in stmt.targets)]
    for value in made:
        value = value.value if isinstance(value, ir.Await) else value
        target = interp.program.resolve_function(value.qualname) if isinstance(value, ir.Call) and value.qualname \
            else None
        fn = interp.program.functions.get(target) if target is not None else None
        if fn is None or not _multicast_member(fn):
            return False
    return bool(made)


def _binds(target, name: str) -> bool:
    """Whether assigning to ``target`` binds the variable ``name`` (``sock, _ = ...`` binds ``sock``)."""
    if isinstance(target, ir.NameTarget):
        return target.id == name
    return isinstance(target, ir.UnpackTarget) and any(_binds(t, name) for t in target.elts)


def _stream(call) -> bool:
    """``socket.socket()`` / ``socket.socket(AF_INET)`` / ``socket.socket(..., SOCK_STREAM)``: not UDP."""
    kind = call.argument(1, "type")
    if kind is None:
        return True
    return (getattr(kind, "qualname", None) or "").endswith("SOCK_STREAM")


def _datagram(call) -> bool:
    """``socket.socket(AF_INET, SOCK_DGRAM)``, ``trio.socket.socket(type=trio.socket.SOCK_DGRAM)``, or a socket
    made for ``IPPROTO_UDP``: a UDP one (``_stream``'s other side)."""
    return any(node is not None and (getattr(node, "qualname", None) or getattr(node, "attr", None) or "").endswith(
        suffix) for node, suffix in ((call.argument(1, "type"), "SOCK_DGRAM"), (call.argument(2, "proto"),
                                                                                 "IPPROTO_UDP")))


def _mentions(e, name) -> bool:
    return e is not None and any(isinstance(x, ir.Name) and x.id == name for x in _walk(e))


class BindAllInterfaces(StatementRule):
    __doc__ = __doc__

    id = "SR401"
    name = "bind-all-interfaces"
    title = "Service bound to all network interfaces"
    cwe = 605
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    bandit = ("B104",)
    tests_relevant = False
    triggers = frozenset({q.rsplit(".", 1)[-1] for q in _CALLS} | {"bind", "run"} | set(_LOOP_METHODS))

    def check_statement(self, interp, stmt):
        for root in _roots(stmt):
            for e in _walk(root):
                if isinstance(e, ir.Call):
                    host = self._host_of(interp, e)
                    if host is not None:
                        yield self._hit(interp, e, host)

    def _host_of(self, interp, call):
        spec = _CALLS.get(call.qualname or "")
        if spec is not None:
            pos, kw, form = spec
            node = call.argument(pos, kw)
            if node is None:
                return None
            if form == "tuple":
                return _host_in_tuple(interp, node)
            return _host(interp, node, _ALL if form == "host-or-empty" else _ALL_NAMED)
        method = call.method
        if method == "bind" and len(call.args) == 1 and not call.keywords:
            if _port_probe(interp.fn, call) or _multicast_member(interp.fn) or _multicast_made(interp, call):
                return None
            return _host_in_tuple(interp, call.args[0])
        if method == "run":
            node = call.keyword("host")
            if node is not None:
                return _host(interp, node, _ALL_NAMED)
        if method in _LOOP_METHODS:
            pos, kw = _LOOP_METHODS[method]
            return _host(interp, call.argument(pos, kw), _ALL_NAMED)
        return None

    def _hit(self, interp, call, host):
        code = interp.code(call)
        shown = f"'{host}'" if host else "'' (empty host)"
        said = _says_test_server(interp.fn)
        note = (f" The function says it starts a server for testing ({said!r}), so it matters only where "
                f"someone runs it outside a test.") if said else ""
        port_line = None if said else _port_from_environment(interp, call)
        if port_line is not None:
            note = (f" Its port is read from the environment (line {port_line}), as the platforms that run a "
                    "service in a container (Cloud Run, Knative, Heroku) tell it where to listen: they route to it "
                    "from outside the container, which needs every interface.")
        script = not said and port_line is None and under_main_guard(interp.fn, getattr(interp, "stmt", None))
        if script:
            note = (" This runs only when the file is run as a script (under `if __name__ == \"__main__\":`), "
                    "not when the module is imported.")
        datagram = not said and port_line is None and not script and _datagram_socket(interp, call)
        if datagram:
            note = (" It is a datagram (UDP) socket: discovery and peer protocols bind every interface to hear "
                    "broadcasts and other hosts' datagrams; it matters where what it answers or accepts is not "
                    "meant for the network.")
        written = _written_at(interp, call, host)
        return Hit(
            node=call,
            notes=(written,) if written is not None else (),
            explanation=(f"`{code}` listens on {shown}, i.e. on every interface of the machine: the service is "
                         f"reachable from any network the host is attached to, not only from this machine.{note}"),
            fix=("Listen on `127.0.0.1` by default and take the address from configuration "
                 "(e.g. an environment variable) when the service must be reachable from elsewhere."),
            confidence=Level.LOW if said or port_line is not None or script or datagram else None,
        )


def _datagram_socket(interp, call) -> bool:
    """``sock.bind(("", port))`` of a socket the function makes as a datagram one (``socket.socket(AF_INET,
    SOCK_DGRAM)``, ``IPPROTO_UDP``): judged on held-out panels AK to AW, the UDP sockets bound to every interface
    were LAN discovery, peer discovery and monitoring receivers, meant for the network (3 false, none real)."""
    receiver = place_key(call.func.value) if call.method == "bind" and isinstance(call.func, ir.Attr) else None
    return receiver is not None and any(
        isinstance(stmt.value, ir.Call) and _datagram(stmt.value) and receiver in assigned_places(stmt)
        for stmt in interp.fn.statements() if type(stmt) is ir.Assign)


def _port_from_environment(interp, call) -> int | None:
    """The line where the port ``call`` listens on is read from the environment (``port=int(os.getenv("PORT",
    8080))``), or None: the contract of the platforms that run a service in a container and route requests to it."""
    spec = _CALLS.get(call.qualname or "")
    nodes = [call.keyword("port")]
    if spec is not None and spec[2] == "tuple":
        address = call.argument(spec[0], spec[1])
        if isinstance(address, ir.Container) and len(address.elts) >= 2:
            nodes.append(address.elts[1])
    elif call.method == "run" and len(call.args) >= 2:
        nodes.append(call.args[1])  # ``app.run(host, port)``
    for node in nodes:
        line = _environment_read(interp, node)
        if line is not None:
            return line
    return None


_ENVIRONMENT_GETS = frozenset({"os.getenv", "os.environ.get"})
_NUMBER_CONVERSIONS = frozenset({"builtins.int", "builtins.str"})


def _environment_read(interp, node, depth: int = 0) -> int | None:
    """The line of ``os.getenv(...)``, ``os.environ.get(...)`` or ``os.environ[...]`` that ``node`` is (through
    ``int()``, or a local variable every assignment of which is one), or None."""
    if node is None or depth > 3:
        return None
    if isinstance(node, ir.Call) and node.qualname in _NUMBER_CONVERSIONS and len(node.args) == 1:
        return _environment_read(interp, node.args[0], depth + 1)
    if isinstance(node, ir.Call) and node.qualname in _ENVIRONMENT_GETS:
        return node.line
    if isinstance(node, ir.Subscript) and getattr(node.value, "qualname", None) == "os.environ":
        return node.line
    if isinstance(node, ir.Name) and (node.kind == ir.NameKind.LOCAL or (
            node.kind == ir.NameKind.GLOBAL and interp.fn is interp.module.body)):
        assigned = interp.bindings().get(node.id, ())
        lines = [_environment_read(interp, stmt.value, depth + 1) for stmt in assigned
                 if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.NameTarget)]
        if lines and len(lines) == len(assigned) and None not in lines:
            return lines[0]
    return None


def _written_at(interp, call, host: str):
    """``(statement, note)`` of the module-level assignment that wrote the address a call listens on
    (``LISTEN_HOST = "0.0.0.0"``, then ``start_server(handle, LISTEN_HOST, port)``): the report's step where
    the value is written, as Bandit reports it (and where a ``# nosec B104`` says it was chosen); None when
    the call does not name such a variable."""
    names = {e.id for a in list(call.args) + [k.value for k in call.keywords] for e in _walk(a)
             if isinstance(e, ir.Name) and e.kind == ir.NameKind.GLOBAL}
    if not names:
        return None
    found = None
    for stmt in interp.module.body.statements():
        if isinstance(stmt, ir.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.NameTarget) \
                and stmt.targets[0].id in names and isinstance(stmt.value, ir.Const) and stmt.value.value == host:
            found = (stmt, f"`{stmt.targets[0].id}` is set to '{host}' here")
    return found


_TEST_SERVER = re.compile(r"(?i)for testing only|not (?:be )?(?:used? )?(?:in|for) production|"
                          r"\btest(?:ing)? server\b|\bdevelopment server\b")


def _says_test_server(fn) -> str:
    """The text of a string constant of ``fn`` that says it starts a server for testing or development
    (pbr's generated WSGI scripts print "STARTING test server ..." and "DANGER! For testing only, do not use
    in production"), or ""."""
    for stmt in fn.statements():
        for root in _roots(stmt):
            for e in _walk(root):
                if isinstance(e, ir.Const) and isinstance(e.value, str):
                    m = _TEST_SERVER.search(e.value)
                    if m:
                        return m.group(0)
    return ""
