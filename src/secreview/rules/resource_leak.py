"""File, socket, process or connection not released on every path.

An object holding an operating-system resource (a file descriptor, a socket,
a child process and its pipes, a database connection) that is opened into a
local variable and closed with a plain `.close()` is left to the garbage
collector whenever an exception is raised in between, or when a path forgets
the close: at once on CPython when the last reference goes, but not while a
traceback or a reference cycle holds the object, and not promptly on PyPy.
In a long-running server or agent that path then runs again and again, and
the process depends on the collector to stay within its limits
(`Too many open files`, pool exhaustion).

Reported, in functions (not module or class bodies), for `open`/`io.open`/
`codecs.open`/`gzip.open`/`bz2.open`/`lzma.open`/`os.fdopen`,
`tempfile.TemporaryFile`/`NamedTemporaryFile`, `socket.socket`/
`create_connection`, `subprocess.Popen`, `urllib.request.urlopen`,
`tarfile.open`, `zipfile.ZipFile` and `sqlite3`/`psycopg2`/`pymysql`/`MySQLdb`
`connect` assigned to a local variable, when the control-flow graph has a
path from the assignment to the end of the function that does not release
it (`.close()`, `with x:`; for a process `.wait()`, `.communicate()`,
`.kill()`, `.terminate()`): either a call that may raise outside any
`try`/`finally` or `except` that releases it, or a normal exit without a
release — and only where such paths run again and again: in a loop of the
function (`fh = open(path)` for each item, never closed), or in a request or
RPC handler (per request or message in a long-running server). A command's
one-shot probe, or a helper whose error path drops the object once, is not
reported. Not reported either: objects used in a `with` statement, returned,
yielded,
stored in an attribute, container or other variable, passed to another
function or captured by a nested function (their owner may release them);
archives opened on a file object the function already holds (`ZipFile(fh)`,
`tarfile.open(fileobj=fh)`); paths on which the object is known to be `None`
(`if sock: sock.close()`); and test code.

In the extended set (select it to run it): on the 22 projects of
`docs/precision.md` none of the 4 sampled findings was a defect (1 worth a
look, 3 false), and once findings were limited to loops and request handlers
the 4 left were a development reloader that waits for its child and one-shot
developer scripts: on CPython such paths are hardening, not a leak a reviewer
asks to fix.

**Fix:** use a `with` statement (`with open(path) as fh:`, `with
socket.create_connection(addr) as sock:`, `with subprocess.Popen(...) as
proc:`, `with contextlib.closing(sqlite3.connect(db)) as conn:`), or release it
in a `finally:` block.
"""

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.control import reachable, rules_out_truthy
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import binds, expressions, is_local
from secreview.rules.base import FunctionRule, Hit

_FILE = ("builtins.open", "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open", "os.fdopen",
         "tempfile.TemporaryFile", "tempfile.NamedTemporaryFile", "tarfile.open", "zipfile.ZipFile")
_SOCKET = ("socket.socket", "socket.create_connection")
_PROCESS = ("subprocess.Popen",)
_CONN = ("sqlite3.connect", "psycopg2.connect", "pymysql.connect", "MySQLdb.connect", "urllib.request.urlopen")
_KIND = {**{c: "file" for c in _FILE}, **{c: "socket" for c in _SOCKET}, **{c: "process" for c in _PROCESS},
         **{c: "connection" for c in _CONN}}
_KIND["urllib.request.urlopen"] = "HTTP response"
_RELEASE = {"file": {"close", "__exit__"}, "socket": {"close", "__exit__", "detach"},
            "process": {"wait", "communicate", "kill", "terminate", "__exit__"},
            "connection": {"close", "__exit__"}, "HTTP response": {"close", "__exit__"}}






def _escapes(function, name: str, acquire) -> bool:
    """Whether the object leaves this function's hands (so its owner may release it)."""
    for stmt in function.statements():
        if stmt is acquire:
            continue
        t = type(stmt)
        if t is ir.Return and stmt.value is not None and _uses(stmt.value, name, receiver_ok=False):
            return True
        if t is ir.Assign:
            if _uses(stmt.value, name, receiver_ok=True, top=True):
                return True
            if any(isinstance(tg, (ir.AttrTarget, ir.ItemTarget)) and _uses(stmt.value, name, receiver_ok=False)
                   for tg in stmt.targets):
                return True
        for root in expressions(stmt):
            for e in _walk(root):
                if isinstance(e, ir.Yield) and e.value is not None and _uses(e.value, name, receiver_ok=False):
                    return True
                if isinstance(e, ir.Call):
                    for arg in list(e.args) + [k.value for k in e.keywords]:
                        if _uses(arg, name, receiver_ok=False):
                            return True
                if isinstance(e, (ir.Container, ir.DictExpr)) and any(
                        is_local(c, name) for c in e.children()):
                    return True
    return _captured(function, name)



def _uses(e, name, receiver_ok, top=False):
    """``name`` occurs in ``e`` as a value (not only as ``name.attr``/``name.method()``)."""
    if is_local(e, name):
        return True
    if isinstance(e, ir.Attr):
        if is_local(e.value, name):
            return False  # reading an attribute of it keeps it here
        return _uses(e.value, name, receiver_ok)
    if isinstance(e, ir.Call):
        parts = list(e.args) + [k.value for k in e.keywords]
        if isinstance(e.func, ir.Attr):
            if not is_local(e.func.value, name) and _uses(e.func.value, name, receiver_ok):
                return True
        elif _uses(e.func, name, receiver_ok):
            return True
        return any(_uses(p, name, False) for p in parts)
    if isinstance(e, ir.WithEnter):
        return False
    if isinstance(e, ir.Lambda):
        return False
    return any(_uses(c, name, receiver_ok) for c in e.children())


def _captured(function, name):
    for child in function.children:
        for stmt in child.statements():
            for root in expressions(stmt):
                for e in _walk(root):
                    if isinstance(e, ir.Name) and e.id == name and e.kind == ir.NameKind.FREE:
                        return True
        if child.children and _captured(child, name):
            return True
    return False


def _releases(stmt, name, kind) -> bool:
    methods = _RELEASE[kind]
    for root in expressions(stmt):
        for e in _walk(root):
            if isinstance(e, ir.Call) and isinstance(e.func, ir.Attr) and is_local(e.func.value, name) \
                    and e.func.attr in methods:
                return True
            if isinstance(e, ir.WithEnter) and is_local(e.context, name):
                return True
    return False


def _may_raise(stmt) -> bool:
    if type(stmt) is ir.Raise:
        return True
    for root in expressions(stmt):
        for e in _walk(root):
            if isinstance(e, ir.Call):
                return True
    return False



def _wraps_file_object(call, function) -> bool:
    """``ZipFile(fh)``/``tarfile.open(fileobj=fh)``: the caller's file object holds the descriptor."""
    if (call.qualname or "") not in ("zipfile.ZipFile", "tarfile.open", "gzip.open", "bz2.open", "lzma.open"):
        return False
    if call.keyword("fileobj") is not None:
        return True
    first = call.argument(0, "file")
    if isinstance(first, ir.Name) and first.kind == ir.NameKind.LOCAL:
        for stmt in function.statements():
            if isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Call) and binds(stmt, first.id) \
                    and (stmt.value.qualname or "") in _KIND:
                return True
    return False


def _find_leak(function, start_block, start_index, name, kind):
    """(how, statement) of the first leaking path found, or None.

    A path carries what leaves the function at its end: nothing (it falls off the end),
    ``("return", stmt)`` for the ``return`` it passed (its way out runs the enclosing
    ``finally`` bodies first), or ``("raise", stmt)`` for the statement whose exception is
    propagating (through the copies of the ``finally`` bodies that run for it, until a
    handler catches it)."""
    blocks = function.blocks
    stack = [(start_block, start_index + 1, None)]
    visited = set()
    error_leak = None
    exit_leak = None
    while stack:
        bid, i, pending = stack.pop()
        raising = pending is not None and pending[0] == "raise"
        key = (bid, i, None if pending is None else raising)
        if key in visited:
            continue
        visited.add(key)
        block = blocks[bid]
        if i >= len(block.stmts):
            normal = [e.target for e in block.succs if e.kind != ir.EdgeKind.EXCEPTION
                      and not rules_out_truthy(e, name)]
            if normal:
                stack.extend((t, 0, pending) for t in normal)
            elif raising:  # the end of a finally body run for an exception: on to the enclosing handlers
                handlers = [e.target for e in block.succs if e.kind == ir.EdgeKind.EXCEPTION]
                if handlers:
                    stack.extend(_caught(blocks, t, pending) for t in handlers)
                elif error_leak is None:
                    error_leak = pending[1]
            elif exit_leak is None and not (block.stmts and type(block.stmts[-1]) is ir.Raise):
                exit_leak = pending[1] if pending is not None else (block.stmts[-1] if block.stmts else None)
            continue
        stmt = block.stmts[i]
        if _releases(stmt, name, kind):
            continue
        if binds(stmt, name):
            if exit_leak is None:
                exit_leak = stmt
            continue
        if _may_raise(stmt):
            handlers = [e.target for e in block.succs if e.kind == ir.EdgeKind.EXCEPTION]
            if handlers:
                stack.extend(_caught(blocks, t, stmt) for t in handlers)
            elif error_leak is None:
                error_leak = stmt
        if type(stmt) is ir.Raise:
            continue
        if type(stmt) is ir.Return:
            pending = ("return", stmt)
        stack.append((bid, i + 1, pending))
    if exit_leak is not None:
        return "exit", exit_leak
    if error_leak is not None:
        return "error", error_leak
    return None


def _caught(blocks, target, raised):
    """A path entering ``target`` by an exception edge: a handler catches the exception; a
    ``finally`` body run for it leaves it pending."""
    return (target, 0, None if blocks[target].handler is not None else ("raise", raised))


class ResourceLeak(FunctionRule):
    __doc__ = __doc__

    id = "SR801"
    extended = True
    name = "resource-leak"
    title = "Resource not released on every path"
    cwe = 772
    severity = Level.LOW
    confidence = Level.MEDIUM
    bandit = ()
    tests_relevant = False
    triggers = frozenset(_KIND)

    def check_function(self, module, function):
        if function.name.startswith("<"):
            return
        from secreview.analysis.code_text import code_of
        for bid, block in enumerate(function.blocks):
            if block.origin is not None:  # a copy of a finally body: followed from the body lowered in place
                continue
            for i, stmt in enumerate(block.stmts):
                if type(stmt) is not ir.Assign or len(stmt.targets) != 1 or stmt.op is not None:
                    continue
                target = stmt.targets[0]
                call = stmt.value
                if not isinstance(target, ir.NameTarget) or not isinstance(call, ir.Call):
                    continue
                kind = _KIND.get(call.qualname or "")
                if kind is None or target.id not in function.locals or _wraps_file_object(call, function):
                    continue
                name = target.id
                if _escapes(function, name, stmt):
                    continue
                found = _find_leak(function, bid, i, name, kind)
                if found is None:
                    continue
                how, where = found
                repeated = self._repeated(module, function, bid, how)
                if repeated is None:
                    continue  # once per run of a command, or closed soon by the garbage collector: nothing piles up
                acquire = code_of(module, call)
                release = "`.close()`" if "close" in _RELEASE[kind] else "`.wait()`/`.communicate()`"
                if how == "exit" and where is not None and binds(where, name):
                    what = f"`{name}` is rebound on line {where.line} while still open, without {release}"
                elif how == "exit" and isinstance(where, ir.Return):
                    what = f"the function returns on line {where.line} without {release} on `{name}`"
                elif how == "exit":
                    what = f"the function can end without {release} on `{name}`"
                else:
                    what = (f"if `{code_of(module, where)}` (line {where.line}) raises, nothing releases `{name}`: "
                            f"no `with` and no {release} in a `finally`")
                yield Hit(
                    node=call,
                    explanation=(f"`{name} = {acquire}` opens a {kind}, but {what}. {repeated}; each time, the "
                                 f"{kind} stays open until the garbage collector reclaims the object (at once on "
                                 f"CPython when the last reference goes, later on PyPy or while a traceback or a "
                                 f"reference cycle holds it), so the process depends on it to stay within its "
                                 f"limits of descriptors and connections."),
                    fix=(f"Use `with {acquire} as {name}:` (or `contextlib.closing(...)`), or release `{name}` in a "
                         f"`finally:` block."),
                )

    def _repeated(self, module, function, bid, how) -> str | None:
        """Why the leak can pile up, or None: the resource is opened in a loop of this function and
        a normal path leaves it open, or the function is a request or RPC handler (run per request or
        message in a long-running server) and a path leaves it open."""
        if how == "exit" and _in_loop(function, bid):
            return "This runs in a loop"
        program = self.program
        if program is not None and program.entrypoint_for(module, function) is not None:
            return f"`{function.name}()` handles requests or messages, so it runs again and again"
        return None


def _in_loop(function, bid) -> bool:
    """Whether block ``bid`` is inside a loop: a back edge leads to a header from which ``bid`` is reached."""
    blocks = function.blocks
    for b in reachable(function, bid, exceptions=False):
        for e in blocks[b].succs:
            if e.kind == ir.EdgeKind.LOOP and bid in reachable(function, e.target, exceptions=False):
                return True
    return False
