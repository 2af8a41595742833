"""Temporary file created at a predictable path in a shared directory.

`/tmp`, `/var/tmp` and `/dev/shm` are writable by every local user. A file
name known in advance (a fixed path, or one from `tempfile.mktemp()`, which
only returns a name) can be created first by another user: as a symlink to a
file this process may write (`/etc/...`, the user's `~/.bashrc`), which is
then overwritten, or as a file the attacker keeps reading or feeds with
data.

Reported for `tempfile.mktemp()` (and `os.tempnam`/`os.tmpnam`), and for
paths that resolve by constant propagation to a fixed location under `/tmp`,
`/var/tmp` or `/dev/shm` when opened for writing: `open(...)`/`io.open`/
`codecs.open` with a `w`, `a` or `+` mode, `os.open` with `O_CREAT` but
without `O_EXCL`, `Path(...).write_text/write_bytes/touch`, and the
destination of `shutil.copy`/`copyfile`/`move`. Reading such a path, mode
`"x"` (exclusive creation) and paths with a random part are not reported, nor a `mktemp()` name for a Unix
socket (`suffix=".sock"`, made in a function named for a socket, or given to `sock.bind()`): `bind()` creates the
entry itself and fails on any existing one, symlinks included, nor a `mktemp()` name in a folder that
`tempfile.mkdtemp()` made (`tempfile.mktemp(dir=self.tempdir)`, the folder kept in a variable or a field): only its
owner can write there (mode 0700). A `mktemp()` name the function only renames a file onto (`name =
tempfile.mktemp(...)` then `path.rename(name)`, `os.replace(src, name)`) is reported with low confidence: a rename
replaces what is there, a symlink included, instead of writing through it.

**Fix:** let `tempfile` choose and create the file atomically:
`with tempfile.NamedTemporaryFile(mode="w", delete=False) as fh:` or
`fd, path = tempfile.mkstemp()`, or `tempfile.mkdtemp()`/
`TemporaryDirectory()` for a private directory; keep files that must have a
fixed name in a directory only this user can write (e.g. under
`$XDG_RUNTIME_DIR`).
"""

import os

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.statements import names_bound_to
from secreview.rules.base import CallRule, Hit
from secreview.rules.words import identifier_words

_MKTEMP = ("tempfile.mktemp", "os.tempnam", "os.tmpnam")
_OPENERS = {"builtins.open": (0, "file", 1, "mode"), "io.open": (0, "file", 1, "mode"),
            "codecs.open": (0, "filename", 1, "mode")}
_PATH_WRITERS = ("pathlib.Path.write_text", "pathlib.Path.write_bytes", "pathlib.Path.touch",
                 "pathlib.PosixPath.write_text", "pathlib.PosixPath.write_bytes")
_COPIES = {"shutil.copy": (1, "dst"), "shutil.copy2": (1, "dst"), "shutil.copyfile": (1, "dst"),
           "shutil.move": (1, "dst")}
_SHARED = ("/tmp/", "/var/tmp/", "/dev/shm/")
_PRIVATE_FOLDER = "tempfile.private-folder"  # (models/generated.toml: what ``tempfile.mkdtemp()`` returns)
_OPS = {"|": lambda a, b: a | b, "+": lambda a, b: a + b}


def _shared_path(value):
    if value is None or not value.is_const or not isinstance(value.const, str):
        return None
    path = value.const
    norm = os.path.normpath(path) if path else path
    for prefix in _SHARED:
        if norm.startswith(prefix) and len(norm) > len(prefix):
            return path
    return None


def _explanation(code: str, shown: str, path: str, how: str, effect: str) -> str:
    norm = os.path.normpath(path)
    shared = next(prefix for prefix in _SHARED if norm.startswith(prefix))
    folder = os.path.dirname(norm)
    if folder + "/" == shared:
        return (f"`{code}` uses the fixed path {shown} in a directory every local user can write, and {how}: "
                f"another user can create that name first, as a symlink to a file this process may write (which "
                f"is then {effect}) or as a file they can read and change.")
    # ``/dev/shm/app_cache/.test``: the folder may be the program's own (made 0700), but its name is fixed
    # under a directory every local user can write, so another user can make it first
    return (f"`{code}` uses the fixed path {shown} below `{shared.rstrip('/')}`, which every local user can "
            f"write, and {how}: another user can create the folder `{folder}` first and, in it, that name as a "
            f"symlink to a file this process may write (which is then {effect}) or as a file they can read "
            f"and change.")


def _flags(node, depth=0):
    if depth > 10 or node is None:
        return None
    if isinstance(node, ir.Const) and isinstance(node.value, int):
        return node.value
    if isinstance(node, (ir.Name, ir.Attr)) and (node.qualname or "").startswith("os.O_"):
        return getattr(os, node.qualname[3:], 0)
    if isinstance(node, ir.BinOp) and node.op in _OPS:
        a, b = _flags(node.left, depth + 1), _flags(node.right, depth + 1)
        return None if a is None or b is None else _OPS[node.op](a, b)
    return None


_SOCKET_SUFFIXES = (".sock", ".socket", ".sck")


def _socket_name(site) -> bool:
    """``tempfile.mktemp(suffix=".sock")``, a name made in a function named for a socket (``make_socket_path()``),
    or one the function binds a socket to (``path = mktemp()`` then ``sock.bind(path)``): a Unix socket's path.
    ``bind()`` creates the entry itself and fails on any existing one, symlinks included, so no one can plant a
    file there for this process to write."""
    suffix = site.kwargs.get("suffix")
    if suffix is None and site.args:
        suffix = site.args[0]
    if suffix is not None and suffix.is_const and isinstance(suffix.const, str) \
            and suffix.const.lower().endswith(_SOCKET_SUFFIXES):
        return True
    fn = getattr(site.interp, "fn", None)
    if fn is None:
        return False
    if {"socket", "sock"} & set(identifier_words(fn.name)):
        return True
    names = names_bound_to(fn, site.call)
    return bool(names) and any(
        isinstance(e, ir.Call) and e.method == "bind" and e.args and isinstance(e.args[0], ir.Name)
        and e.args[0].id in names
        for stmt in fn.statements() if isinstance(stmt, (ir.Assign, ir.Evaluate)) and stmt.value is not None
        for e in ir.walk(stmt.value))


_RENAMES = frozenset({"os.rename", "os.replace"})


def _rename_destination(site):
    """The call that renames a file onto the name ``mktemp()`` gave, when the function uses that name for nothing
    else (``name = tempfile.mktemp(...)`` then ``path.rename(name)``, ``os.replace(src, name)``), or None."""
    fn = getattr(site.interp, "fn", None)
    names = names_bound_to(fn, site.call) if fn is not None else None
    if not names:
        return None
    found = None
    for stmt in fn.statements():
        if not isinstance(stmt, (ir.Assign, ir.Evaluate, ir.Return)) or stmt.value is None:
            continue
        nodes = list(ir.walk(stmt.value))
        uses = [e for e in nodes if isinstance(e, ir.Name) and e.id in names]
        if not uses:
            continue
        # the destination argument of each rename in the statement -> that rename
        onto = {id(c.args[0]): c for c in nodes if isinstance(c, ir.Call) and c.method in ("rename", "replace")
                and len(c.args) == 1 and isinstance(c.func, ir.Attr) and c.func.value is not c.args[0]}
        onto.update((id(c.args[1]), c) for c in nodes
                    if isinstance(c, ir.Call) and c.qualname in _RENAMES and len(c.args) == 2)
        for e in uses:
            if id(e) not in onto:
                return None  # used some other way: opened, written, passed on
            found = found or onto[id(e)]
    return found


class InsecureTempFile(CallRule):
    __doc__ = __doc__

    id = "SR503"
    name = "insecure-temp-file"
    title = "Insecure temporary file"
    cwe = 377
    severity = Level.MEDIUM
    confidence = Level.HIGH
    bandit = ("B108", "B306")
    callees = _MKTEMP + tuple(_OPENERS) + ("os.open",) + _PATH_WRITERS + tuple(_COPIES)

    def check(self, site, callee: str):
        call = site.call
        code = site.interp.code(call)
        if callee in _MKTEMP:
            if _socket_name(site):
                return
            folder, _ = site.arg(2, "dir")
            if folder is not None and _PRIVATE_FOLDER in folder.types:
                return  # ``mktemp(dir=self.__dir)`` of a ``tempfile.mkdtemp()`` folder: no one else writes there
            renamed = _rename_destination(site)
            if renamed is not None:
                # (pdm's ``backup = path.rename(tempfile.mktemp(...))``: judged false, and "this code creates the
                # file" untrue, on panel AV)
                yield Hit(
                    node=call,
                    explanation=(f"`{code}` only returns a name that does not exist yet, and this code uses it only "
                                 f"as where a rename puts a file (line {renamed.line}): a rename replaces whatever "
                                 f"another local user put at that name first, a symlink included, instead of "
                                 f"writing through it; a directory put there would make the rename fail."),
                    fix=("Create the name atomically (`tempfile.mkstemp(dir=...)`, then `os.replace` onto it), or "
                         "rename within a folder only this user can write."),
                    confidence=Level.LOW,
                )
                return
            yield Hit(
                node=call,
                explanation=(f"`{code}` only returns a name that does not exist yet; between that moment and the "
                             f"moment this code creates the file, another local user can create it first (as a "
                             f"symlink to a file this process may write, or as a file they control)."),
                fix=("Create the file atomically: `fd, path = tempfile.mkstemp()` or "
                     "`tempfile.NamedTemporaryFile(delete=False)`; for a directory use `tempfile.mkdtemp()`."),
            )
            return
        if callee in _OPENERS:
            ppos, pkw, mpos, mkw = _OPENERS[callee]
            path_value, path_node = site.arg(ppos, pkw)
            mode_value, _ = site.arg(mpos, mkw)
            if mode_value is None or not mode_value.is_const or not isinstance(mode_value.const, str):
                return
            mode = mode_value.const
            if "x" in mode or not any(c in mode for c in "wa+"):
                return
            how = f"opens it with mode `{mode}`"
            effect = "overwritten" if "w" in mode else "appended to" if "a" in mode else "written over"
        elif callee == "os.open":
            path_value, path_node = site.arg(0, "path")
            flags_value, flags_node = site.arg(1, "flags")
            flags = flags_value.const if flags_value is not None and flags_value.is_const else _flags(flags_node)
            if not isinstance(flags, int) or not flags & os.O_CREAT or flags & os.O_EXCL:
                return
            how = "creates it with `O_CREAT` but without `O_EXCL`"
            effect = "overwritten" if flags & os.O_TRUNC else "written to"
        elif callee in _COPIES:
            pos, kw = _COPIES[callee]
            path_value, path_node = site.arg(pos, kw)
            how = "writes to it"
            effect = "overwritten"
        else:
            receiver = call.func.value if isinstance(call.func, ir.Attr) else None
            if not (isinstance(receiver, ir.Call) and receiver.args):
                return
            path_node = receiver.args[0]
            path_value = site.interp.eval(path_node) if isinstance(path_node, (ir.Const, ir.Name, ir.Attr)) else None
            how = f"writes to it with `{call.method}()`"
            effect = "overwritten" if call.method.startswith("write") else "touched: its modification time changes"
        path = _shared_path(path_value)
        if path is None:
            return
        arg_code = site.interp.code(path_node) if path_node is not None else repr(path)
        shown = f"`{arg_code}`" if arg_code.strip("'\"") == path else f"`{arg_code}` (= `{path}`)"
        yield Hit(
            node=call,
            explanation=_explanation(code, shown, path, how, effect),
            fix=("Let `tempfile` create it: `with tempfile.NamedTemporaryFile(mode=\"w\", delete=False) as fh:` "
                 "(or `tempfile.mkstemp()`), or keep it in a directory only this user can write."),
        )
