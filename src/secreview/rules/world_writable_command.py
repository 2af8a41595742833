"""File or directory made writable by every user with a `chmod` command.

`chmod 777 path`, `chmod -R 777 dir`, `chmod a+w path` or `chmod ugo+rw path` run as a command (locally, through
sudo, or on another host over SSH) set the "others may write" bit, as `os.chmod(path, 0o777)` does: any local
account, any compromised service and any container sharing the volume can then replace what the file holds, or
put its own entries (a symlink a root daemon follows) into the directory. OpenStack fixed this in Cinder's IBM NAS
driver (`self._execute('chmod', 'ugo+rw', path, run_as_root=True)`).

Reported at a call, outside logging calls, that is given such a command: a string whose text runs `chmod` (at its
start or after `;`, `&&`, `||`, `|` or `sudo`) with a numeric mode whose last digit has the write bit (`777`, `666`,
`0777`, `1777`) or a symbolic mode that adds write for others (`o+w`, `a+w`, `ugo+rw`, `a=rwx`), including strings
built by formatting (`f"sudo chmod 777 {path}"`); or arguments written out one by one (`'chmod', '-R', '777',
path`, or a list or tuple of them) with such a mode. A mode the code computes is not reported (the
world-writable-permissions rule follows `os.chmod`'s modes).

**Fix:** grant the least needed (`chmod 755` for directories others only read, `640`/`600` for files with
data); share write access through a group (`chgrp` and `chmod 770`/`660`) instead of "others".
"""

from __future__ import annotations

import re

from secreview.analysis.sql_text import HOLE, built_segments
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.statements import expressions
from secreview.rules.base import Hit, StatementRule
from secreview.rules.world_writable_permissions import names_socket

_SYMBOLIC = r"[ugoa]*[-+=][rwxXst]*(?:,[ugoa]*[-+=][rwxXst]*)*"
# ``chmod`` as a command of a shell text: at its start or after a separator or ``sudo`` (with its options)
_SHELL_CHMOD = re.compile(r"(?:^|[;&|(]|&&|\|\|)\s*(?:sudo\s+(?:-\S+\s+)*)?chmod\s+(?:-[A-Za-z]+\s+)*"
                          r"([0-7]{3,4}|" + _SYMBOLIC + r")(?=\s|$)")
_LOGGING = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print"})


def _opens_to_others(mode: str) -> bool:
    """``mode`` (as ``chmod`` takes it) gives others the write bit: ``777``, ``0666``, ``o+w``, ``a=rw``."""
    if mode.isdigit():
        return bool(int(mode[-1], 8) & 2)
    for clause in mode.split(","):
        m = re.fullmatch(r"([ugoa]*)([-+=])([rwxXst]*)", clause)
        # (no ``who``: the umask decides what ``+w`` adds for others, as for a created file)
        if m and m.group(2) in "+=" and "w" in m.group(3) and ("o" in m.group(1) or "a" in m.group(1)):
            return True
    return False


def _text(e) -> str | None:
    """The literal text of a string expression, each value spliced into it as ``\\0``: a constant, or a string
    built by ``%``, ``.format``, an f-string or ``+`` (``sql_text.built_segments``); None for anything else."""
    if isinstance(e, ir.Const):
        return e.value if isinstance(e.value, str) else None
    segments = built_segments(e)
    return None if segments is None else "".join("\0" if s is HOLE else s for s in segments)


def _argv_mode(items) -> str | None:
    """The mode of ``'chmod', [options], MODE`` written out one argument each among ``items``, when it opens the
    file to others."""
    items = list(items)
    for i, item in enumerate(items):
        if not (isinstance(item, ir.Const) and isinstance(item.value, str)
                and item.value.rpartition("/")[2] == "chmod"):
            continue
        for later in items[i + 1:]:
            if not (isinstance(later, ir.Const) and isinstance(later.value, str)):
                break
            if later.value.startswith("-") and not re.fullmatch(_SYMBOLIC, later.value):
                continue  # ``-R``
            return later.value if re.fullmatch(r"[0-7]{3,4}|" + _SYMBOLIC, later.value) \
                and _opens_to_others(later.value) else None
    return None


def _command_mode(call: ir.Call) -> str | None:
    """The mode, opening a file to others, of a ``chmod`` command ``call`` is given; None when it is given none."""
    mode = _argv_mode(call.args)
    if mode is not None:
        return mode
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        if isinstance(arg, ir.Container):
            mode = _argv_mode(arg.elts)
            if mode is not None:
                return mode
            continue
        text = _text(arg)
        if text and "chmod" in text:
            for m in _SHELL_CHMOD.finditer(text):
                if _opens_to_others(m.group(1)):
                    return m.group(1)
    return None


class WorldWritableCommand(StatementRule):
    __doc__ = __doc__

    id = "SR510"
    attack_material = True
    name = "world-writable-command"
    title = "World-writable permissions set by a chmod command"
    cwe = 732
    severity = Level.MEDIUM
    confidence = Level.HIGH

    def relevant(self, function) -> bool:
        # (string constants are among a function's names whole: ``"sudo chmod -R 777 /var/log/storm"``)
        return any("chmod" in name for name in function.names)

    def check_statement(self, interp, stmt):
        for root in expressions(stmt):
            for e in ir.walk(root):
                if type(e) is not ir.Call or e.method in _LOGGING \
                        or (type(e.func) is ir.Name and e.func.id in _LOGGING):
                    continue
                mode = _command_mode(e)
                if mode is None:
                    continue
                code = interp.code(e)
                # (a socket's file: writing it is connecting to the service, as world-writable-permissions says)
                harm = ("any account or compromised service on that host can connect to the socket and send the "
                        "service behind it whatever requests it accepts." if names_socket(code, interp) else
                        "any account or compromised service on that host can change a file's contents or a "
                        "directory's entries (plant a symlink that a root process follows), turning a script, "
                        "configuration or log into code run by whoever uses it.")
                yield Hit(
                    node=e,
                    explanation=(f"`{code}` runs `chmod` with mode `{mode}`, which lets every local user write what "
                                 f"it names: {harm}"),
                    fix="Grant the least needed (`755` for directories others only read, `640` or `600` for "
                        "files with data) and share write access through a group (`chgrp`, then `770`/`660`) "
                        "instead of 'others'.",
                )
