"""File made private only after its contents were written.

`open(path, "w")` creates the file with mode `0o666` less the process umask,
which is usually `022`: readable by every local user. Code that writes a key,
a certificate or a password into it and only then runs `os.chmod(path,
0o600)` leaves the data readable for that window, and a local user who opens
the file during it keeps reading through the open descriptor after the mode
changes (CWE-732, incorrect permission assignment for a critical resource).
OpenStack fixed this in client certificate files that a conductor wrote and
then restricted.

Reported, in functions outside test code, at the first write (`f.write(...)`,
`f.writelines(...)`) to a file opened for writing with `open()` (a mode with
`w`, `a`, `x` or `+`, as an assignment or a `with` statement), when the same
function later calls `os.chmod` on the same path expression (the same
variable or attribute) with a constant mode that gives the group and others
nothing (`0o600`, `0o400`, `stat.S_IRUSR | stat.S_IWUSR`). Not reported when
the function sets a restrictive umask first (`os.umask(0o077)`), when the
mode is changed before the first write, when the file is joined under a
directory the function made with no access for others first (`os.makedirs(d,
mode=0o700)` or `os.chmod(d, stat.S_IRWXU)`, then `os.path.join(d, name)` or
`os.sep.join((d, name))`), when the file is created with
`os.open(path, flags, 0o600)` (its mode is set at creation), or when the path's
name says it is a public key (`pub_key_filename`, `public_key_path`) or SSH's
list of them (`authorized_keys_file`, `known_hosts_path`): what it
holds is not secret, whatever mode the code gives it afterwards; nor when
every write to the file writes a constant (`f.write("No documentation
added")`: the code's own text, which the window shows nobody new); nor when the
chmod is in a branch the write's branch never reaches (`if exists: open(p, "a")`
... `else: open(p, "w")` ... `os.chmod(p, 0o600)`).

**Confidence:** medium; low when the final mode also lets the owner run the
file (`0o700`: a script made runnable, whose text is most often a command
line, not a secret), unless the path's name says it holds a secret
(`private_key_file_path`).

**Fix:** create the file with its final mode: `fd = os.open(path, os.O_WRONLY
| os.O_CREAT | os.O_TRUNC, 0o600)` then `os.fdopen(fd, "w")`, or call
`os.chmod(path, 0o600)` (or `os.fchmod(f.fileno(), 0o600)`) right after
opening and before writing.
"""

from __future__ import annotations

import stat

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.control import reachable
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import WRITE_MODE_LETTERS, expressions, open_mode
from secreview.rules.base import FunctionRule, Hit
from secreview.rules.words import identifier_words


def _mode_value(e):
    """A constant mode: an int literal, ``stat.S_I*`` flags or ``|`` of them; else None."""
    if isinstance(e, ir.Const) and isinstance(e.value, int) and not isinstance(e.value, bool):
        return e.value
    if isinstance(e, (ir.Attr, ir.Name)):
        qual = e.qualname or ""
        if qual.startswith("stat.S_I") and hasattr(stat, qual[5:]):
            return getattr(stat, qual[5:])
        return None
    if isinstance(e, ir.BinOp) and e.op == "|":
        left, right = _mode_value(e.left), _mode_value(e.right)
        if left is not None and right is not None:
            return left | right
    return None


_JOINS = frozenset({"os.path.join", "posixpath.join"})


def _joined_under(value) -> str | None:
    """The key of the folder ``value`` joins a name under: ``os.path.join(d, name)``, ``os.sep.join((d, name))``."""
    if not isinstance(value, ir.Call) or not value.args:
        return None
    if value.qualname in _JOINS:
        return _key(value.args[0])
    if isinstance(value.func, ir.Attr) and value.func.attr == "join" \
            and getattr(value.func.value, "qualname", None) in ir.PATH_SEPARATORS and len(value.args) == 1 \
            and isinstance(value.args[0], ir.Container) and value.args[0].elts:
        return _key(value.args[0].elts[0])
    return None


def _key(e) -> str | None:
    """A comparable name for a path expression: ``path``, ``self.key_file``."""
    parts = []
    while isinstance(e, ir.Attr):
        parts.append(e.attr)
        e = e.value
    if isinstance(e, ir.Name):
        parts.append(e.id)
        return ".".join(reversed(parts))
    return None


def _public_key(key: str) -> bool:
    """``pub_key_filename``, ``self.public_key_path``: a path named for a public key; also for SSH's lists of
    public keys (``authorized_keys_file``, ``known_hosts_path``)."""
    words = identifier_words(key.rpartition(".")[2])
    pairs = set(zip(words, words[1:]))
    return bool({"pub", "public"}.intersection(words)) or bool({("authorized", "keys"), ("known", "hosts")} & pairs)


def _block_of_line(function) -> dict:
    """``{line: id of the first block holding a statement of that line}``."""
    out = {}
    for block in function.blocks:
        for stmt in block.stmts:
            out.setdefault(stmt.line, block.id)
    return out


def _opened_for_writing(call) -> bool:
    if not isinstance(call, ir.Call) or call.qualname not in ("builtins.open", "io.open"):
        return False
    mode = open_mode(call)
    return mode is not None and bool(WRITE_MODE_LETTERS & set(mode))


_SECRET_WORDS = frozenset({"key", "private", "secret", "password", "passwd", "token", "credential", "credentials",
                           "cert", "pem", "keyfile"})
"""Words of a path's name that say the file holds a secret, whatever mode it is given."""


def _constant_write(call) -> bool:
    """``f.write("...")``: every argument a constant (the code's own text, no secret of the run)."""
    return bool(call.args) and not call.keywords and all(isinstance(a, ir.Const) for a in call.args)


class PermissionsAfterWrite(FunctionRule):
    __doc__ = __doc__

    id = "SR509"
    name = "permissions-after-write"
    title = "File made private only after its contents were written"
    cwe = 732
    severity = Level.LOW
    confidence = Level.MEDIUM
    bandit = ()
    tests_relevant = False
    triggers = frozenset({"chmod", "os.chmod"})

    def check_function(self, module, function):
        from secreview.analysis.code_text import code_of
        stmts = sorted(function.statements(), key=lambda s: (s.line, s.col))
        opens = []  # (path key, file variable, open call, line)
        chmods = []  # (path key, chmod call, mode)
        writes = []  # (file variable, call)
        umask_line = None
        private_dirs = {}  # path key of a directory the function makes with no access for others -> line
        under = {}  # variable -> path key of the directory ``os.path.join`` put it under
        for stmt in stmts:
            if type(stmt) is ir.Assign and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.NameTarget):
                folder = _joined_under(stmt.value)
                if folder is not None:
                    under[stmt.targets[0].id] = folder
            if type(stmt) is ir.Assign and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.NameTarget):
                value = stmt.value
                if isinstance(value, ir.WithEnter):
                    value = value.context
                if _opened_for_writing(value):
                    key = _key(value.argument(0, "file"))
                    if key is not None and not _public_key(key):
                        opens.append((key, stmt.targets[0].id, value, stmt.line))
            for root in expressions(stmt):
                for e in _walk(root):
                    if not isinstance(e, ir.Call):
                        continue
                    if e.qualname == "os.chmod":
                        mode = _mode_value(e.argument(1, "mode"))
                        key = _key(e.argument(0, "path"))
                        if mode is not None and key is not None and not mode & 0o077:
                            chmods.append((key, e, mode))
                            # (a directory made private: ``os.chmod(conf_dir, stat.S_IRWXU)``, then files in it)
                            private_dirs.setdefault(key, e.line)
                    elif e.qualname in ("os.makedirs", "os.mkdir"):
                        mode = _mode_value(e.argument(1, "mode"))
                        folder = _key(e.argument(0, "name")) or _key(e.argument(0, "path"))
                        if mode is not None and folder is not None and not mode & 0o077:
                            private_dirs.setdefault(folder, e.line)
                    elif e.qualname == "os.umask":
                        mask = _mode_value(e.argument(0, "mask"))
                        if mask is not None and mask & 0o077 == 0o077 and umask_line is None:
                            umask_line = e.line
                    elif isinstance(e.func, ir.Attr) and e.func.attr in ("write", "writelines") \
                            and isinstance(e.func.value, ir.Name):
                        writes.append((e.func.value.id, e))
        def writes_of(var, line):
            return [(v, w) for v, w in writes if v == var and line <= w.line]

        blocks = None
        for key, var, call, line in opens:
            if umask_line is not None and umask_line < line:
                continue
            if under.get(key) in private_dirs and private_dirs[under[key]] < line:
                continue  # in a directory it made private first (``os.makedirs(d, mode=0o700)``): no one else enters
            blocks = blocks if blocks is not None else _block_of_line(function)
            # (a chmod in a branch the open's branch never reaches, ``if exists: open(p, "a")... else: open(p, "w")
            # ... os.chmod(p, 0o600)``, does not follow this write)
            after = reachable(function, blocks[line]) if line in blocks else set()
            later = [c for c in chmods if c[0] == key and c[1].line > line and blocks.get(c[1].line) in after]
            if not later:
                continue
            path_key, chmod, mode = later[0]
            first = [w for _, w in sorted(((v, w) for v, w in writes if v == var and line <= w.line),
                                          key=lambda vw: vw[1].line)]
            if not first or first[0].line >= chmod.line:
                continue
            if all(_constant_write(w) for _, w in writes_of(var, line)):
                continue  # ``f.write("No submission documentation added")``: what the window shows is in the code
            write = first[0]
            # ``os.chmod(script_path, 0o700)``: a program made runnable (by its owner only), whose text is most
            # often a command line, not a secret (gateone's ssh wrapper scripts: judged false on held-out panel BC)
            # (not a file named for a secret: opencafe's ``os.chmod(private_key_file_path, 0o700)`` holds a key)
            runnable = bool(mode & stat.S_IXUSR) and not set(identifier_words(key.rpartition(".")[2])) & _SECRET_WORDS
            yield Hit(
                node=write,
                explanation=(f"`{code_of(module, call)}` (line {line}) creates the file, if it does not exist "
                             f"yet, with the default mode (0o666 less the umask, usually readable by every local "
                             f"user), and "
                             f"`{code_of(module, write)}` writes to it before `{code_of(module, chmod)}` on line "
                             f"{chmod.line} makes it private ({oct(mode)}): until then a local user can open the "
                             f"file, and a descriptor opened in that window keeps reading after the change."
                             + (" The mode also makes it a program its owner runs: what it holds matters only if "
                                "its text is secret." if runnable else "")),
                confidence=Level.LOW if runnable else None,
                fix=(f"Create the file with its final mode (`os.open({path_key}, os.O_WRONLY | os.O_CREAT | "
                     f"os.O_TRUNC, {oct(mode)})` then `os.fdopen(fd, 'w')`), or change the mode right after "
                     f"opening, before the first write."),
                notes=((chmod, "made private here"),),
            )
