import re

from secreview.analysis import values as V
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.statements import expressions
from secreview.rules.base import SinkRule

_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "/bin/sh", "/bin/bash", "/usr/bin/bash", "/bin/zsh",
                     "cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh"})
_SHELL_FLAGS = frozenset({"-c", "/c", "/C", "-Command", "-lc", "-ec"})
_WHOLE = "\0argv-whole"  # a parameter taint that reached an argument vector as the whole vector
_WHOLE_SET = frozenset({_WHOLE})
_SHELL = "\0argv-shell"  # a parameter taint that reached an argument vector after ``sh -c``
_SHELL_SET = frozenset({_SHELL})


_SHELL_FLAG = re.compile(r"\bshell\s*=\s*(?=[A-Za-z_(])")


def _shell_flag(code: str) -> str | None:
    """The whole expression passed as ``shell=`` in ``code`` (``sys.platform == "win32"``, not only its
    first name), up to the comma or parenthesis that ends the argument."""
    found = _SHELL_FLAG.search(code)
    if found is None:
        return None
    depth, quote, start = 0, "", found.end()
    for i in range(start, len(code)):
        c = code[i]
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}" and depth:
            depth -= 1
        elif c in ",)" and not depth:
            return " ".join(code[start:i].split())
    return " ".join(code[start:].split())


def _remote(site) -> bool:
    """A command sent to an SSH server (paramiko's ``exec_command``), run there, not by this process."""
    return (site.callee or "").rsplit(".", 1)[-1] == "exec_command"


class CommandInjection(SinkRule):
    """OS command built from data that is not constant.

    A command run through a shell (`subprocess.run(cmd, shell=True)`,
    `os.system`, `os.popen`...) is parsed by `/bin/sh`: a value spliced into it
    that holds `;`, `|`, `$(...)` or a newline runs commands of the attacker's
    choosing. Without a shell the same holds for the program name, and for
    every element after `sh -c` (also when the shell and its flag are chosen
    per platform: `["bash", "-c", cmd]` or `["cmd", "/c", cmd]`). A list given
    with `shell=True` (`subprocess.Popen(["ping", "-c", "1", host], shell=True)`)
    is shell text in its first element only: on a POSIX server the others
    become the shell's `$0`, `$1`..., which it does not parse (a flag chosen
    by platform, `shell=sys.platform == "win32"`, runs `cmd.exe`, which
    parses the whole list).

    Reported with high confidence when the command is traced to untrusted
    input, with medium confidence when a shell runs a string built from a
    parameter, and with low confidence (not shown by default) when the command
    is merely not constant, or is a string built from a parameter and sent to
    an SSH server (paramiko's `exec_command`: whether a shell parses it there
    depends on the server).
    A string built from a parameter is of low confidence instead (not shown
    by default) when every caller in the reviewed code passes a command-line
    option, or when the function is a command's entry point (a Django
    management command's `handle()`, a click, typer, cyclopts or cliff
    command, an argparse sub-command's handler registered by
    `sub.set_defaults(func=handler)`): its options are what whoever runs it types, or when every
    caller passes a value the analysis cannot trace (an operator's
    configuration, a service's answer), saying so: judged on four held-out
    panels (AI to AL), 14 of 16 such shell commands were false and none real.
    Low as well when the function is in a module the project marks internal
    by its name (a package or module named `internal`, or whose name starts
    with one underscore: `conan/internal/util/runners.py`, `_api.py`): its
    callers are the project's own, and no untrusted source was traced through
    them (judged on panels H to AU, such commands and SQL at 32 places: 27 false, 5 worth
    a look, none real).
    RPC message data and command-line input (`sys.argv`,
    `argparse`, click, typer and cyclopts options, cliff's `take_action(parsed_args)`, `input()`; into shell command
    strings only: an argument list runs no shell, and re-running one's own
    `sys.argv` is what reloaders do) are traced too, one severity level lower
    than request data and saying why: their sender is another service of the
    deployment or the program's own user. A command that comes from a parameter, or is built from a
    parameter of the function that builds it (then reported where it is built,
    even when a wrapper runs it), is not reported when every caller in the
    reviewed code passes a constant, a number or a quoted value, nor when the parameter is named for a command
    (`cmd`, `command`, `shell_command`; not `command_name`) and only constant text frames it
    (`f'ssh {host} "{cmd}"'` with `host` not a parameter): a command runner by contract, whose callers are
    reported where they build the command. A list of
    arguments without a shell, and values passed through `shlex.quote`, are
    not reported. A wrapper that passes its own parameter as the shell flag
    (`def call(args, shell=False): subprocess.run(args, shell=shell)`) runs a
    shell only for the calls that pass a true value there (or leave a true
    default).

    **Fix:** pass the program and its arguments as a list without a shell
    (`subprocess.run(["ls", path])`), or quote each value with `shlex.quote`.
    """

    id = "SR101"
    name = "command-injection"
    title = "OS command injection"
    cwe = 78
    severity = Level.HIGH
    confidence = Level.MEDIUM
    bandit = ("B602", "B605", "B609", "B603", "B604", "B606", "B607")
    sink_kinds = ("command", "command-argv")
    # command-line input too, for a shell command string only: a shell parsing what the user typed (one level
    # less severe, said so); an argument list runs no shell (re-running one's own `sys.argv` is what reloaders do)
    source_kinds = SinkRule.source_kinds | {"cli"}

    def takes_source(self, source_kind: str, sink_kind: str) -> bool:
        return source_kind in self.source_kinds and not (source_kind == "cli" and sink_kind == "command-argv")
    untainted = Level.LOW  # a non-constant command of unknown origin: 1 of 8 judged worth a look on real code
    # a string built for a shell: a command line, or the element after ``sh -c`` of an argument list
    constructions = ("command", "command-argv")
    built_what = "a command"  # (a shell string or an argument list)
    # a shell command built from what every caller passes untraced (an operator's configuration, a service's
    # answer) is low, as for the other rules: kept medium from panel N's two worth-a-look commands (proliantutils'
    # ipmitool line, monasca's sudo iptables) until held-out panels AI to AL judged 14 of 16 such false, none real
    # (a deploy tool's gcloud commands from its configuration, bootstrap scripts' own paths)
    # a parameter named for a command (``cmd``, ``command``, ``shell_command``; not ``command_name``, ``cmd_path``)
    # framed by constants is a command runner's by contract (``ssh host "{cmd}"``: judged false on panel AL, its
    # callers pass whole command lines): its callers decide, where they build the command
    contract_words = ("cmd", "command", "commandline", "cmdline")
    untainted_kinds = ("command",)  # a program and its arguments as a list: only taint matters
    danger = ("The shell parses this string, so `;`, `|`, `` ` `` or `$(...)` in it run any command "
              "with this process's privileges.")
    fix = ("Pass a list of arguments without `shell=True` (e.g. `subprocess.run([\"prog\", arg])`), "
           "or wrap each interpolated value in `shlex.quote()`.")

    def contract_parameter(self, interp, taint) -> bool:
        # only where the text around it makes it a command of its own: after a program that runs the command it is
        # given (``sudo``, ``ssh host``, ``bash -c``) or a shell separator, or first; ``"ls " + cmd`` makes it an
        # argument of ``ls``, and ``" ".join(command)`` a list of words joined into shell text
        if not super().contract_parameter(interp, taint):
            return False
        name = interp.fn.params[taint.index].name
        found = False
        for stmt in interp.fn.statements():
            for top in expressions(stmt):
                for e in ir.walk(top):
                    parts = _string_parts(e)
                    if parts is None or not any(isinstance(p, ir.Name) and p.id == name for p in parts):
                        continue
                    if not _command_position(parts, name):
                        return False
                    found = True
        return found

    def construction_confidence_at(self, site, confidence):
        if _remote(site):
            # a string built from a parameter, sent to an SSH server: whether a shell parses it there is the
            # server's (a service's own command dispatcher does not), and nothing traced says who chose it
            return Level.LOW
        return confidence

    def danger_at(self, site) -> str:
        if _remote(site):
            # paramiko: the SSH server runs it, as the account logged in to (not this process, not this host)
            return ("Where the SSH server runs commands through the account's shell (OpenSSH does; a service "
                    "with its own command dispatcher, such as Gerrit's, parses them itself), `;`, `|`, `` ` `` or "
                    "`$(...)` in it run other commands on that host with that account's rights.")
        # ``shell=is_windows``: the shell runs only where that flag is true, and the report says so
        flag = _shell_flag(site.code or "")
        if flag is not None and flag != "True":
            # (a flag's name reads as the keyword it fills; an expression, ``sys.platform == "win32"``, alone)
            said = f"shell={flag}" if re.fullmatch(r"[A-Za-z_][\w.]*", flag) else flag
            return (f"Where `{said}` is true, the shell parses this command, so `;`, `|`, "
                    f"`` ` `` or `$(...)` in it run any command with this process's privileges.")
        if getattr(site, "kind", None) == "command-argv" and flag is None:
            # a program and its arguments as a list, run without a shell: no shell parses it; what the client
            # may choose is the program (its first element) or the text after ``sh -c``
            return ("It is run as a list of arguments without a shell: where the client's value is the program "
                    "(the list's first element) or the text after `sh -c`, it chooses what runs, with this "
                    "process's privileges.")
        return self.danger

    def dangerous_part(self, sink, value, node=None, arg_node=None):
        if sink.kind == "command":
            # (``shell=True`` written so: a flag chosen by platform, ``shell=sys.platform == "win32"``, runs
            # cmd.exe, which parses the whole list joined by ``list2cmdline``)
            shell = node.keyword("shell") if isinstance(node, ir.Call) else None
            return _shell_text(value) if isinstance(shell, ir.Const) and shell.value is True else value
        if sink.kind != "command-argv":
            return value
        return self._argv_part(value)

    def flow_argument(self, flow, arg):
        if flow.kind != "command-argv":
            return arg
        if _WHOLE in flow.cleansed or (arg.items and not arg.is_const):
            # the callee runs what this caller passes as its argument vector (or a list it converts first,
            # ``args = [to_bytes(a) for a in args]``): judged as a vector here
            part = self._argv_part(arg)
            return part if part is not None else V.Value(const="")
        if _SHELL in flow.cleansed:
            return arg  # the callee puts it after ``sh -c``: shell text, a string built here included
        # the program, an operand, or words the callee splits (``shlex.split(cmd)``): data, not shell text
        return V.Value(taints=frozenset(V.without_built(t) if t.is_param else t for t in arg.taints),
                       types=arg.types, items=arg.items)

    def _argv_part(self, value):
        items = value.items
        if not items:
            # A bare string names the program; an unknown list may hold anything. A parameter (a wrapper's
            # ``cmd``) is judged at each caller, on what it passes.
            if not value.taints:
                return None
            # (where its elements are not known, nor is whether a shell runs one: no built string is judged)
            return V.Value(taints=frozenset(V.without_built(t).cleanse(_WHOLE_SET) if t.is_param else t
                                            for t in value.taints), types=value.types)
        first = items.get(0)
        second = items.get(1)
        # (each may be one of a few constants: ``["bash", "-c", text]`` or ``["cmd", "/c", text]`` by platform)
        flags = None if second is None else V.possible_consts(second)
        programs = None if first is None else V.possible_consts(first)
        shell_mode = (bool(flags) and all(f in _SHELL_FLAGS for f in flags)
                      and (programs is None or all(str(p).rsplit("/", 1)[-1] in _SHELLS for p in programs)))
        # the program is judged on its data only: a path built from a parameter (``f"{bindir}/tool"``) is
        # no shell text, so it is not a built string for the construction findings
        taints = V.EMPTY if first is None else frozenset(V.without_built(t) if t.is_param else t
                                                         for t in first.taints)
        script = items.get(2) if shell_mode else None
        if script is not None:
            # only the word after ``-c`` is shell text: those after it are the script's ``$0``, ``$1``..., which
            # the shell does not parse (``[git, "-c", "advice.detachedHead=false", "clone", url, "--branch",
            # branch]``: a program of unknown name given ``-c``, whose later words are no script)
            # (a parameter there is marked: its callers' strings are shell text, built ones included)
            taints = V.merge_taints(taints, frozenset(t.cleanse(_SHELL_SET) if t.is_param else t
                                                      for t in script.taints))
        return V.Value(taints=taints) if taints else None


_SEQUENCES = frozenset({"builtins.list", "builtins.tuple"})


def _shell_text(value):
    """What ``/bin/sh`` parses of ``value`` given as a shell command: a string itself; of a list or tuple whose
    elements are known (``Popen(["ping", "-c", "1", host], shell=True)``), the first element only: on a POSIX
    server the shell runs that one as its command line and the others become its ``$0``, ``$1``..., which it
    does not parse (None: no first element)."""
    if value.items and value.types & _SEQUENCES and not value.types - _SEQUENCES:
        return value.items.get(0)
    return value


# programs that run the command they are given, and what ends one command and starts another
_RUNNERS = frozenset({"sudo", "su", "ssh", "sh", "bash", "zsh", "dash", "timeout", "nice", "ionice", "nohup", "env",
                      "exec", "xargs", "chroot", "stdbuf", "time", "watch", "doas", "runuser", "setsid", "flock"})
_SEPARATORS = (";", "&&", "||", "|", "(", "$(", "`", "\n")  # (``-c`` counts after a shell only: a runner)


def _string_parts(e) -> list | None:
    """The parts of an f-string or a concatenation (``ir.string_parts``), formatted values unwrapped; None for
    anything else (a join is a list of words, a ``%``/``format`` template is read elsewhere)."""
    if isinstance(e, ir.StringBuild) and e.kind == "join":
        return [ir.Const(None), *e.parts]  # (never a command's position: words joined)
    parts = ir.string_parts(e)
    return None if parts is None else [p.value if isinstance(p, ir.FormattedValue) else p for p in parts]


def _command_position(parts: list, name: str) -> bool:
    """Whether each place ``name`` is spliced in ``parts`` is where a shell reads a command: first, after a shell
    separator, or anywhere in a string whose constant start is a program that runs the command it is given."""
    head = parts[0].value if isinstance(parts[0], ir.Const) and isinstance(parts[0].value, str) else ""
    words = head.split()
    runner = bool(words) and words[0].rpartition("/")[2] in _RUNNERS
    for i, part in enumerate(parts):
        if not (isinstance(part, ir.Name) and part.id == name):
            continue
        before = parts[i - 1] if i else None
        if before is None:
            continue  # first
        if not (isinstance(before, ir.Const) and isinstance(before.value, str)):
            if not runner:
                return False
            continue
        text = before.value.rstrip(" '\"")
        if not (runner or text.endswith(_SEPARATORS) or (i == 1 and not text)):
            return False
    return True
