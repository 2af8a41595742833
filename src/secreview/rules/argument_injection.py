from secreview.analysis import values as V
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.base import SinkRule

_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh"})
_SHELL_FLAGS = frozenset({"-c", "/c", "/C", "-Command", "-lc", "-ec"})
_END_OF_OPTIONS = "--"
KIND = "argv-option"


def _const_str(value) -> str | None:
    return value.const if value is not None and value.is_const and isinstance(value.const, str) else None


def _takes_value(flag: str | None) -> bool:
    """``-c``, ``--count``: a constant option just before the value, which most parsers then read as that
    option's argument whatever it starts with (``-c -x`` gives ``-c`` the value ``-x``). ``--opt=v`` and
    ``--`` take nothing more."""
    return flag is not None and flag.startswith("-") and flag != _END_OF_OPTIONS and "=" not in flag and len(flag) > 1


class ArgumentInjection(SinkRule):
    """Untrusted value passed as a command-line argument where it can be read as an option.

    A program run without a shell (`subprocess.run([...])`,
    `processutils.execute("qemu-img", "info", path)`, a privsep helper that
    runs one) parses its own arguments: a value of the client's choice that
    starts with `-` is an option, not the file name or device name the code
    meant (`--output=/etc/cron.d/x`, `-oProxyCommand=...`, `--config=...`).
    No shell is involved, so `shlex.quote` does not help (it leaves `-rf`
    alone).

    Reported when data traced to the request or to an RPC message (not
    merely a parameter) reaches an element of an argument list after the
    program name, with no constant `--` before it, and the element is the
    value itself: not a value glued to a constant (`"--name=%s" % v`,
    `"/dev/" + v`), not the value of the constant option just before it
    (`["-c", count]`), not a number, a UUID or an absolute path
    (`os.path.abspath`), and not a value checked by
    `if v.startswith("-"): raise ...`, an allow-list or an anchored pattern
    that excludes `-`. The program name itself and `sh -c` payloads are
    command injection (SR101). RPC data is reported one severity level lower
    than request data. In the extended set: most values that reach argument
    lists in server code are identifiers the API validated elsewhere, which
    the analysis cannot always see.

    **Fix:** put `--` before values that are not options
    (`["git", "clone", "--", url]`), glue the value to its option
    (`f"--file={path}"`), or reject values starting with `-`.
    """

    id = "SR117"
    name = "argument-injection"
    title = "Argument injection into a command line"
    cwe = 88
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    extended = True
    sink_kinds = (KIND,)
    source_kinds = frozenset({"remote", "rpc"})
    untainted = None
    whole_objects = False
    danger = ("The program parses its own arguments: a value starting with `-` is read as an option of the "
              "sender's choosing, not as the operand the code meant.")
    fix = ("Put `--` before operands that are not options (`[\"prog\", \"--\", value]`), or glue the value to "
           "its option (`f\"--name={value}\"`), or reject values that start with `-`.")

    def dangerous_part(self, sink, value, node=None, arg_node=None):
        if not isinstance(node, ir.Call):
            return None
        position = _position(node, arg_node)
        if isinstance(arg_node, ir.Starred):
            # ``execute(*cmd)``: the list is the argument vector (or its tail, after other arguments)
            if position == 0:
                return self._vector(value, 1)
            return None if self._blocked(node, position) else self._vector(value, 0, _before(node, position)[-1])
        if position is None or sink.args:
            # ``subprocess.run(cmd)``, ``args=cmd``: the argument vector
            return self._vector(value, 1)
        # one argument of several (``processutils.execute("ip", "link", "show", dev)``)
        if position == 0 or self._blocked(node, position) or value.items is not None:
            return None  # the program (command injection's); after ``--``; a list converted to one string
        return _own(value)

    def flow_argument(self, flow, arg):
        if _WHOLE in flow.cleansed:
            return self._vector(arg, 1)  # the callee runs what this caller passes as its argument vector
        return _own(arg)

    def _blocked(self, call, position: int) -> bool:
        before = _before(call, position)
        if any(b is _UNKNOWN_ARG for b in before):
            return True  # ``execute(*cmd, dev)``: where it lands is not known
        return _shell_payload(before[0], before[1] if len(before) > 1 else None) \
            or _END_OF_OPTIONS in before or _takes_value(before[-1])

    def _vector(self, value, start: int, previous: str | None = None):
        items = value.items
        if not items or not all(isinstance(k, int) for k in items):
            # a vector whose elements are not known: the parameter of a wrapper (judged at its callers,
            # element by element), else where the data sits is not known
            params = frozenset(t.cleanse(_WHOLE_SET) for t in value.taints if t.is_param)
            return V.Value(taints=params) if params else None
        ordered = [items.get(i) for i in range(max(items) + 1)]
        if start == 1 and _shell_payload(_const_str(ordered[0]), _const_str(ordered[1] if len(ordered) > 1 else None)):
            return None  # ``["sh", "-c", cmd]``: command injection's
        if start == 1:
            previous = _const_str(ordered[0])
        taints = V.EMPTY
        for element in ordered[start:]:
            text = _const_str(element)
            if text == _END_OF_OPTIONS:
                break
            if element is not None and element.taints and not _takes_value(previous):
                taints = V.merge_taints(taints, element.taints)
            previous = text
        return V.Value(taints=taints) if taints else None


_WHOLE = "\0argv-whole"
_WHOLE_SET = frozenset({_WHOLE})
_UNKNOWN_ARG = object()


def _before(call, position: int) -> list:
    """The constant strings passed before ``position`` (None: not a constant string; ``_UNKNOWN_ARG``: a
    ``*list`` whose length is not known)."""
    out = []
    for a in call.args[:position]:
        if isinstance(a, ir.Starred):
            out.append(_UNKNOWN_ARG)
        else:
            out.append(a.value if isinstance(a, ir.Const) and isinstance(a.value, str) else None)
    return out


def _own(value):
    """The value's own data, not what its items hold (a list passed as one argument is one string)."""
    return V.Value(taints=value.taints) if value.taints else None


def _position(call, arg_node):
    for i, a in enumerate(call.args):
        if a is arg_node:
            return i
    return None


def _shell_payload(first: str | None, second: str | None) -> bool:
    return second in _SHELL_FLAGS and (first is None or first.rsplit("/", 1)[-1] in _SHELLS)
