"""A program that re-runs itself under `sudo`.

A command-line tool that, when it cannot read a file or lacks a right,
executes its own command line again through `sudo` (or `su`, `pkexec`,
`doas`) — `os.execvp('sudo', ['sudo', '-u', owner] + sys.argv)` — escalates
its privileges by itself: every argument and option the invoking user chose
now runs as another user (root, or the owner of a configuration file holding
database passwords), so a user allowed to run `sudo` for something else, or a
tool meant to run unprivileged, reads or changes what it should not (CWE-269).
OpenStack removed this idiom from its `*-manage` commands for that reason.

Reported: a call that starts a process (`os.exec*`, `os.spawn*`,
`subprocess.*`) whose program is `sudo`, `su`, `pkexec` or `doas` and whose
arguments include the program's own `sys.argv`.

Not reported: running other, fixed commands through `sudo` or a rootwrap
(`processutils.execute(..., run_as_root=True)`): their arguments are the
program's, not the whole command line of the user; test code.

**Fix:** do not elevate: report the missing permission and exit (`Could not
read <file>; run as a user who can`), and let the operator run the command
with the privileges they choose.
"""

from __future__ import annotations

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.base import CallRule, Hit

_ELEVATORS = frozenset({"sudo", "su", "pkexec", "doas"})
_EXEC = ("os.execv", "os.execve", "os.execvp", "os.execvpe", "os.execl", "os.execle", "os.execlp", "os.execlpe",
         "os.spawnv", "os.spawnve", "os.spawnvp", "os.spawnvpe", "os.spawnl", "os.spawnle", "os.spawnlp",
         "os.spawnlpe", "os.posix_spawn", "os.posix_spawnp", "subprocess.Popen", "subprocess.call",
         "subprocess.check_call", "subprocess.check_output", "subprocess.run")


def _own_argv(e) -> ir.Expr | None:
    for node in ir.walk(e):
        if isinstance(node, (ir.Attr, ir.Name)) and node.qualname == "sys.argv":
            return node
    return None


def _elevator(e) -> str | None:
    for node in ir.walk(e):
        if isinstance(node, ir.Const) and isinstance(node.value, str) and node.value in _ELEVATORS:
            return node.value
    return None


class SudoSelfReexec(CallRule):
    __doc__ = __doc__

    id = "SR623"
    name = "sudo-self-reexec"
    title = "Program re-executes itself with elevated privileges"
    cwe = 269
    severity = Level.HIGH
    confidence = Level.HIGH
    tests_relevant = False
    callees = _EXEC

    def check(self, site, callee: str):
        call = site.call
        args = [*call.args, *(k.value for k in call.keywords)]
        program = next((_elevator(a) for a in args[:2] if _elevator(a)), None)
        argv = next((_own_argv(a) for a in args if _own_argv(a) is not None), None)
        if program is None or argv is None:
            return
        code = site.interp.code(call)
        yield Hit(
            node=call,
            explanation=(f"`{code}` runs this program again under `{program}` with the command line it was "
                         f"given (`sys.argv`): every argument the invoking user chose then runs with the "
                         f"privileges `{program}` grants, instead of the program failing for lack of them."),
            fix="Do not re-execute with elevated privileges: report the missing permission and exit.",
        )
