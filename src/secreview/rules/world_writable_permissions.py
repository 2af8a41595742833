"""File or directory made writable by every user.

With the "others may write" bit (`S_IWOTH`, `0o002`) any local account, any
compromised service and any container sharing the volume can replace the
file's contents: a script or configuration becomes code execution as
whoever runs it, a socket or FIFO accepts commands from anyone, a log or
state file can be forged.

Reported when the mode resolves, by constant propagation (octal literals,
`stat.S_I*` flags combined with `|`, module constants), to a value with
`S_IWOTH` set in `os.chmod`, `os.fchmod`, `os.lchmod`, `Path.chmod`; and
`os.umask(mask)` whose mask lets `0o002` through. The mode argument of
`os.open`, `os.mkdir`, `os.makedirs`, `os.mkfifo`, `os.mknod` and
`Path.mkdir`/`Path.touch` is reported too, but with low confidence and
severity: it is filtered by the process umask (usually `022`), so it is
world-writable only where the umask is 0 (some daemons and containers); the
call's own default (`0o777` for `os.open` and directories, `0o666` for
`mkfifo` and `touch`; `open()` itself uses `0o666`) is not reported, unless the same
function cleared the umask (`os.umask(0)`), where any such mode is reported (not after
`old = os.umask(0)` ... `os.umask(old)` has put the old umask back).
Directories with the sticky bit (`0o1777`, like `/tmp`) are still reported
for chmod. Nor is a chmod whose target the same function removes right after
(`os.chmod(path, 0o777)` then `func(path)` in an `rmtree` error handler, or
`os.remove(path)`): no file is left to use with that mode. Modes known only at run time are not reported, nor is
`old = os.umask(0)` followed by `os.umask(old)` (reading the current umask).

**Fix:** grant the least needed: `0o600`/`0o640` for files with data,
`0o644` for public read-only files, `0o700`/`0o750`/`0o755` for directories;
share write access through a group (`0o660`/`0o770`) instead of "others".
"""

import stat

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.statements import calls
from secreview.rules.base import CallRule, Hit
from secreview.rules.words import identifier_words

# callee -> (position of mode, keyword, kind)
_CHMOD = {"os.chmod": (1, "mode"), "os.fchmod": (1, "mode"), "os.lchmod": (1, "mode"),
          "pathlib.Path.chmod": (0, "mode"), "pathlib.PosixPath.chmod": (0, "mode"),
          "pathlib.Path.lchmod": (0, "mode")}
_CREATE = {"os.open": (2, "mode"), "os.mkdir": (1, "mode"), "os.makedirs": (1, "mode"), "os.mkfifo": (1, "mode"),
           "os.mknod": (1, "mode"), "pathlib.Path.mkdir": (0, "mode"), "pathlib.Path.touch": (0, "mode"),
           "pathlib.PosixPath.mkdir": (0, "mode"), "pathlib.PosixPath.touch": (0, "mode")}
_UMASK = ("os.umask",)
_OPS = {"|": lambda a, b: a | b, "+": lambda a, b: a + b, "&": lambda a, b: a & b, "^": lambda a, b: a ^ b,
        "-": lambda a, b: a - b}


def _mode(site, node, value, depth=0):
    """The integer mode of an argument, folding ``stat.S_*`` flags; None when unknown."""
    if value is not None and value.is_const and isinstance(value.const, int) and not isinstance(value.const, bool):
        return value.const
    if depth > 10 or node is None:
        return None
    if isinstance(node, ir.Const):
        return node.value if isinstance(node.value, int) and not isinstance(node.value, bool) else None
    if isinstance(node, (ir.Name, ir.Attr)):
        q = node.qualname or ""
        if q.startswith("stat.") and hasattr(stat, q[5:]) and isinstance(getattr(stat, q[5:]), int):
            return getattr(stat, q[5:])
        return None
    if isinstance(node, ir.BinOp) and node.op in _OPS:
        a = _mode(site, node.left, None, depth + 1)
        b = _mode(site, node.right, None, depth + 1)
        if a is None or b is None:
            return None
        return _OPS[node.op](a, b)
    if isinstance(node, ir.UnaryOp) and node.op == "~":
        a = _mode(site, node.operand, None, depth + 1)
        return None if a is None else ~a
    return None


def _reads_umask(site) -> bool:
    """``old = os.umask(0)`` followed by ``os.umask(old)``: the idiom to read the current umask."""
    stmt = site.interp.stmt
    if not isinstance(stmt, ir.Assign) or len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ir.NameTarget):
        return False
    name = stmt.targets[0].id
    for other in site.interp.fn.statements():
        value = getattr(other, "value", None)
        if isinstance(value, ir.Call) and value.qualname == "os.umask" and value.args \
                and isinstance(value.args[0], ir.Name) and value.args[0].id == name:
            return True
    return False


# Modes a creating call uses when none is given: asking for them changes nothing.
_DEFAULT_MODES = {"os.open": (0o777, 0o666), "os.mkdir": (0o777,), "os.makedirs": (0o777,), "os.mkfifo": (0o666,),
                  "pathlib.Path.mkdir": (0o777,), "pathlib.PosixPath.mkdir": (0o777,), "pathlib.Path.touch": (0o666,),
                  "pathlib.PosixPath.touch": (0o666,)}


def _open_umask(site) -> bool:
    """Whether the function calling ``site`` sets a umask that keeps 'others may write' (``os.umask(0)``) and
    has not put the old one back before ``site`` (``old = os.umask(0)``, ``os.makedirs(d, mode)``, then
    ``os.umask(old)`` in a ``finally``: cleared only so that one call's explicit mode applies as given)."""
    line = site.call.line
    cleared = []  # (line, name the old umask is kept in, or None)
    restored: dict = {}  # name -> lines where ``os.umask(name)`` puts it back
    for stmt in site.interp.fn.statements():
        root = getattr(stmt, "value", None)
        if not (isinstance(root, ir.Call) and root.qualname == "os.umask" and root.args):
            continue
        arg = root.args[0]
        if isinstance(arg, ir.Const) and isinstance(arg.value, int) and not arg.value & stat.S_IWOTH:
            targets = stmt.targets if isinstance(stmt, ir.Assign) else None
            kept = targets[0].id if targets and len(targets) == 1 and isinstance(targets[0], ir.NameTarget) else None
            cleared.append((root.line, kept))
        elif isinstance(arg, ir.Name):
            restored.setdefault(arg.id, []).append(root.line)
    for at, kept in cleared:
        if kept is not None and at < line and any(at < back < line for back in restored.get(kept, ())):
            continue  # put back before ``site``
        return True
    return False


def _who(mode: int) -> str:
    perms = []
    for bit, label in ((stat.S_IROTH, "read"), (stat.S_IWOTH, "write"), (stat.S_IXOTH, "execute")):
        if mode & bit:
            perms.append(label)
    return "/".join(perms)


class WorldWritablePermissions(CallRule):
    __doc__ = __doc__

    id = "SR502"
    name = "world-writable-permissions"
    title = "World-writable file permissions"
    cwe = 732
    severity = Level.MEDIUM
    confidence = Level.HIGH
    bandit = ("B103",)
    callees = tuple(_CHMOD) + tuple(_CREATE) + _UMASK

    def check(self, site, callee: str):
        code = site.interp.code(site.call)
        if callee in _UMASK:
            value, node = site.arg(0, "mask")
            mask = _mode(site, node, value)
            if mask is None or mask & stat.S_IWOTH or _reads_umask(site):
                return
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` sets the umask to {oct(mask)}, which no longer removes the 'others may "
                             f"write' bit: files and directories this process creates afterwards with the usual "
                             f"default modes (0o666 for files, 0o777 for directories) are writable by every local "
                              "user."),
                fix="Use `os.umask(0o022)` (or `0o027`/`0o077`) and give individual files wider modes explicitly if "
                    "needed.",
            )
            return
        table = _CHMOD if callee in _CHMOD else _CREATE
        pos, kw = table[callee]
        value, node = site.arg(pos, kw)
        mode = _mode(site, node, value)
        if mode is None or not mode & stat.S_IWOTH:
            return
        mode_code = site.interp.code(node)
        shown = f"`{mode_code}`" if mode_code in (oct(mode), str(mode)) else f"`{mode_code}` (= {oct(mode)})"
        target = site.interp.code(site.call.args[0]) if site.call.args and callee.startswith("os.") else \
            site.interp.code(site.call.func.value) if isinstance(site.call.func, ir.Attr) else "the file"
        if callee in _CHMOD and _removed_next(site, callee):
            return  # ``chmod(path, 0o777)`` then ``func(path)`` in an rmtree error handler: made removable, removed
        if callee in _CHMOD:
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` gives `{target}` mode {shown}: every local user may {_who(mode)} it, so "
                             + _what_others_can_do(target, site.interp)),
                fix=f"Use the least mode needed, e.g. `{_suggest(mode)}`, and share write access through a group "
                     "instead of 'others'.",
            )
            return
        if mode & 0o7777 in _DEFAULT_MODES.get(callee, ()) and not _open_umask(site):
            return  # the call's own default, as `open()` uses it: the umask decides, not this code
        if _open_umask(site):
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` asks for mode {shown}, which includes 'others may write', after this "
                             f"function cleared the umask's 'others' bit: `{target}` is created writable by every "
                             f"local user."),
                fix=f"Ask only for what is needed, e.g. `{_suggest(mode)}`, and restore the umask first.",
            )
            return
        yield Hit(
            node=site.call,
            explanation=(f"`{code}` asks for mode {shown}, which includes 'others may write'. The process umask "
                         f"normally strips that bit, but where the umask is 0 (some daemons, containers) "
                         f"`{target}` is created writable by every local user."),
            fix=f"Ask only for what is needed, e.g. `{_suggest(mode)}`.",
            confidence=Level.LOW, severity=Level.LOW,
        )


_REMOVERS = frozenset({"os.remove", "os.unlink", "os.rmdir", "os.removedirs", "shutil.rmtree"})


def _removed_next(site, callee: str) -> bool:
    """The chmod's target is removed right after, in the same function: by ``os.remove``/``unlink``/
    ``rmdir``/``shutil.rmtree``, by its own ``unlink()``/``rmdir()``, or by a function the caller passed
    in (``func(path)`` in an ``rmtree`` error handler, which makes a read-only file writable to delete
    it). Nobody uses the file with that mode: there is no file left."""
    call, interp = site.call, site.interp
    if callee.startswith("os."):
        target = call.args[0] if call.args else None
    else:
        target = call.func.value if isinstance(call.func, ir.Attr) else None
        if isinstance(target, ir.Call) and len(target.args) == 1:  # ``Path(path).chmod(...)``
            target = target.args[0]
    if target is None:
        return False
    wanted = interp.code(target)
    params = {p.name for p in interp.fn.params}
    for later in calls(interp.fn):
        if later.line <= call.line:
            continue
        removes = later.qualname in _REMOVERS or (isinstance(later.func, ir.Name) and later.func.id in params)
        if removes and later.args and interp.code(later.args[0]) == wanted:
            return True
        if later.method in ("unlink", "rmdir") and isinstance(later.func, ir.Attr) \
                and interp.code(later.func.value) in (wanted, f"Path({wanted})", f"pathlib.Path({wanted})"):
            return True
    return False


_CHANGE_IT = ("any account or compromised service on this host can change what it holds (a file's contents or a "
              "directory's entries): ")


def _what_others_can_do(target: str, interp) -> str:
    """What any local account can do with the chmod's target, by what it is named for: a socket, a process-id
    file or folder, or anything else (a script or configuration, said as a condition)."""
    if names_socket(target, interp):
        return ("any account or compromised service on this host can connect to the socket and send the service "
                "behind it whatever requests it accepts.")
    if _names_pid(target):
        return (_CHANGE_IT + "a process-id file there can be replaced, so a stop or reload command that reads it "
                "signals whatever process it names.")
    return (_CHANGE_IT + "where that is a script or a configuration, it becomes code or settings of that account's "
            "choosing for whoever uses it.")


def _names_pid(target: str) -> bool:
    """The chmod's target is named for process ids (``pid_dir``, ``self.pidfile``, ``"/run/app.pid"``): what
    it holds is read by whatever stops or signals the service (prusalink's ``/var/run/prusalink``, whose
    script-or-configuration wording was judged untrue on panel BA)."""
    return any(w in ("pid", "pids", "pidfile", "piddir") for w in identifier_words(target))


def names_socket(target: str, interp) -> bool:
    """The chmod's target is named as a Unix socket (`sock_path`, `self.socket_file`, `"/run/x.sock"`), or
    is what a function that makes a Unix socket (`family=socket.AF_UNIX`) binds it to (`sock.bind(path)`,
    `self.bind_socket(sock, bind_addr)`, then `os.chmod(bind_addr, ...)`), or given to a call that makes a
    Unix server (`asyncio.start_unix_server(factory, path=path)`): the socket's file."""
    if "sock" in target.lower():
        return True
    if target == "self.server_address" and _unix_server(interp):
        return True
    for call in calls(interp.fn):
        name = (call.method or getattr(call.func, "id", "") or "").lower()
        if "unix" in name and any(interp.code(arg) == target
                                  for arg in [*call.args, *(k.value for k in call.keywords)]):
            return True  # ``asyncio.start_unix_server(factory, path=path)``, ``loop.create_unix_server(f, path)``
    if "AF_UNIX" not in interp.fn.names:
        return False
    return any("bind" in (call.method or getattr(call.func, "id", "") or "").lower()
               and any(interp.code(arg) == target for arg in call.args) for call in calls(interp.fn))


_UNIX_SERVERS = ("socketserver.UnixStreamServer", "socketserver.UnixDatagramServer",
                 "socketserver.ThreadingUnixStreamServer", "socketserver.ThreadingUnixDatagramServer",
                 "socketserver.ForkingUnixStreamServer", "socketserver.ForkingUnixDatagramServer")


def _unix_server(interp) -> bool:
    """A method of a ``socketserver`` server whose address is a Unix socket's path: the class sets
    ``address_family = socket.AF_UNIX``, or derives from one of ``socketserver``'s Unix servers."""
    klass = interp.fn.class_qualname
    if klass is None:
        return False
    program = interp.program
    # (the method's own class, which is in the module being analysed: a base's body may be another process's)
    body = interp.module.classes[klass].body if klass in interp.module.classes else None
    if body is not None:
        for stmt in body.statements():
            if isinstance(stmt, ir.Assign) and any(isinstance(t, ir.NameTarget) and t.id == "address_family"
                                                   for t in stmt.targets):
                value = stmt.value
                return (isinstance(value, ir.Attr) and value.attr == "AF_UNIX") \
                    or (isinstance(value, ir.Name) and value.id == "AF_UNIX")
    return any(program.derives_from(klass, base) for base in _UNIX_SERVERS)


def _suggest(mode: int) -> str:
    return "0o755" if mode & stat.S_IXUSR else "0o644"
