"""File checked, then used by name: the file can change in between (TOCTOU).

`os.path.exists(p)`, `os.path.isfile(p)` or `os.access(p, ...)` answer for the
file that is at `p` at that instant. When the code then opens, writes or
changes the permissions of `p` by name, another process can swap the file in
between, typically for a symlink to a file this process may write: the
write, `chmod` or `chown` lands on the attacker's target. After `os.access`
(meant for set-uid programs) even reading is affected: the check is made
with the real uid, the open with the effective one.

Reported in one function when a path variable (or attribute, or constant
path) is checked with `os.path.exists`/`lexists`/`isfile`/`islink` or
`os.access` and later, without being reassigned, passed to `open()` with a
writing mode (`w`, `a`, `+`; not `x`), `os.chmod`, `os.chown`,
`shutil.chown`, or as the destination of `shutil.copy`/`copyfile`/`copy2`;
after `os.access`, any `open()` — and only where the race gains an attacker
something: the path is in a directory every user can write (a literal under
`/tmp`, `/var/tmp` or `/dev/shm`, or `tempfile.gettempdir()`), where another
account can plant the symlink; or the program changes its user id
(`os.setuid`, `os.seteuid`...), where `os.access` checks with one identity
and the open runs with another. Not reported: the same sequence on paths the
code does not show to be shared (a service's own state, log or key
directory, a user's own files in a single-user server: whoever can plant a
link there already controls the files), `isdir` checks, removal
(`os.remove`, `shutil.rmtree`) or creation (`os.makedirs`) after a check,
where the race only turns into an exception (the robustness races that
`exists-check-race` and `exists-check-remove-race` report), checks in another
function, and test code. Writing after an existence check is reported with low
confidence, permission and owner changes and `os.access` with medium
confidence.

**Fix:** act first and handle the error instead of checking: open with
`open(p, "x")` (fails if it exists) or `os.open(p, os.O_WRONLY | os.O_CREAT |
os.O_EXCL | os.O_NOFOLLOW, 0o600)`, then use the file descriptor
(`os.fchmod(fd, ...)`, `os.fchown`, `os.fstat`) instead of the name; drop
`os.access` and let `open` fail with `PermissionError`.
"""

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import assigned_places, place_key
from secreview.rules.base import FunctionRule, Hit

_CHECKS = {"os.path.exists": "exists", "os.path.lexists": "exists", "os.path.isfile": "isfile",
           "os.path.islink": "islink", "os.access": "access", "genericpath.exists": "exists",
           "posixpath.exists": "exists", "genericpath.isfile": "isfile"}
_OPEN = {"builtins.open": (1, "mode"), "io.open": (1, "mode"), "codecs.open": (1, "mode")}
_CHANGE = {"os.chmod": (0, "path"), "os.chown": (0, "path"), "shutil.chown": (0, "path"),
           "shutil.copy": (1, "dst"), "shutil.copy2": (1, "dst"), "shutil.copyfile": (1, "dst")}



def _stmt_exprs(stmt):
    t = type(stmt)
    if t is ir.Assign or t in (ir.Evaluate, ir.Return) and stmt.value is not None:
        yield stmt.value
    elif t is ir.Assert:
        yield stmt.test




def _write_mode(call, pos, kw):
    node = call.argument(pos, kw)
    if node is None:
        return None  # read
    if isinstance(node, ir.Const) and isinstance(node.value, str):
        mode = node.value
        if "x" in mode:
            return None
        return mode if any(c in mode for c in "wa+") else None
    return None


_IDENTITY_CHANGES = frozenset({"os.setuid", "os.seteuid", "os.setgid", "os.setegid", "os.setresuid", "os.setreuid",
                               "os.setresgid", "os.setregid", "os.initgroups"})
_SHARED_PREFIXES = ("/tmp/", "/var/tmp/", "/dev/shm/")
_SHARED_CALLS = frozenset({"tempfile.gettempdir", "tempfile.gettempdirb"})


def _shared_directory(module, function, target) -> bool:
    """Whether the path ``target`` is evidently in a directory every user may write: built from a
    literal under ``/tmp``, ``/var/tmp`` or ``/dev/shm``, or from ``tempfile.gettempdir()``, directly
    or through the local variables it is assigned from (a few steps back)."""
    exprs = [target]
    seen: set = set()
    assigned: dict = {}
    for stmt in list(module.body.statements()) + list(function.statements()):
        if type(stmt) is ir.Assign:
            for t in stmt.targets:
                if isinstance(t, ir.NameTarget):
                    assigned.setdefault(t.id, []).append(stmt.value)
    for _ in range(4):
        more = []
        for expr in exprs:
            for e in _walk(expr):
                if isinstance(e, ir.Const) and isinstance(e.value, str) and (
                        e.value.startswith(_SHARED_PREFIXES) or e.value in ("/tmp", "/var/tmp", "/dev/shm")):
                    return True
                if isinstance(e, ir.Call) and e.qualname in _SHARED_CALLS:
                    return True
                if isinstance(e, (ir.Name, ir.Attr)) and getattr(e, "qualname", None) == "tempfile.tempdir":
                    return True
                if isinstance(e, ir.Name) and e.id not in seen:
                    seen.add(e.id)
                    more.extend(assigned.get(e.id, ()))
        if not more:
            break
        exprs = more
    return False


class ToctouRace(FunctionRule):
    __doc__ = __doc__

    id = "SR504"
    name = "toctou-race"
    title = "Check-then-use race on a file path"
    cwe = 367
    severity = Level.LOW
    confidence = Level.MEDIUM
    bandit = ()
    tests_relevant = False
    triggers = frozenset(_CHECKS)

    def __init__(self):
        self._privileged: dict = {}

    def _changes_identity(self, module) -> bool:
        """Whether the module changes the process's user or group id (a set-uid style program)."""
        found = self._privileged.get(module.path)  # (by path, not holding the module: its IR may be dropped)
        if found is None:
            names = set()
            for fn in module.functions.values():
                names |= _IDENTITY_CHANGES.intersection(fn.names)  # (a tuple once analysed)
            names |= _IDENTITY_CHANGES.intersection(module.body.names)
            found = self._privileged[module.path] = bool(names)
        return found

    def check_function(self, module, function):
        from secreview.analysis.code_text import code_of
        checks: dict = {}  # key -> (line, kind, call)
        reported = set()
        for block in function.blocks:
            if block.origin is not None:  # a copy of a finally body: its statements are met in place
                continue
            for stmt in block.stmts:
                for root in _stmt_exprs(stmt):
                    for e in _walk(root):
                        if not isinstance(e, ir.Call) or not e.qualname:
                            continue
                        q = e.qualname
                        if q in _CHECKS and e.args:
                            key = place_key(e.args[0])
                            if key is not None:
                                checks[key] = (e.line, _CHECKS[q], e)
                            continue
                        use = None
                        if q in _OPEN:
                            target = e.argument(0, "file")
                            key = place_key(target) if target is not None else None
                            if key in checks:
                                mode = _write_mode(e, *_OPEN[q])
                                if mode is not None:
                                    use = f"opens {{name}} for writing (mode `{mode}`)"
                                elif checks[key][1] == "access":
                                    use = "opens {name}"
                        elif q in _CHANGE:
                            target = e.argument(*_CHANGE[q])
                            key = place_key(target) if target is not None else None
                            if key in checks:
                                use = {"os.chmod": "changes the permissions of {name}",
                                       "os.chown": "changes the owner of {name}",
                                       "shutil.chown": "changes the owner of {name}"}.get(q, "writes over {name}")
                        if use is None or key not in checks:
                            continue
                        line, kind, check = checks[key]
                        if line >= e.line or (e.line, e.col) in reported:
                            continue
                        shared = _shared_directory(module, function, target)
                        if not shared and not (kind == "access" and self._changes_identity(module)):
                            continue  # nobody else can plant a link there, or the check and the use run as one user
                        reported.add((e.line, e.col))
                        hit = self._hit(module, code_of, e, check, target, use, kind)
                        if kind != "access" and (q in _OPEN or q.startswith("shutil.copy")):
                            hit.confidence = Level.LOW  # exploitable only in a directory others can write
                        yield hit
                for name in assigned_places(stmt):
                    checks.pop(name, None)

    def _hit(self, module, code_of, use_call, check, target, use, kind):
        use_code = code_of(module, use_call)
        check_code = code_of(module, check)
        name = code_of(module, target)
        if kind == "access":
            extra = (" `os.access` checks with the real uid while the open uses the effective one, so in a "
                     "privileged process it does not even answer the right question.")
        else:
            extra = ""
        return Hit(
            node=use_call,
            explanation=(f"`{use_code}` {use.format(name=f'`{name}`')} by name after `{check_code}` (line "
                          f"{check.line}) checked `{name}`: "
                         f"in between, another process can replace `{name}` with a symlink to a file this process "
                         f"may change, and the operation then applies to that file.{extra}"),
            fix=(f"Drop the check and act atomically: `open({name}, \"x\")` or `os.open({name}, os.O_WRONLY | "
                 f"os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)`, then work on the descriptor "
                 f"(`os.fchmod`, `os.fchown`) and handle `FileExistsError`/`PermissionError`."),
        )
