"""SSH client that accepts unknown host keys.

The host key is what proves an SSH server is the one intended. Accepting any
unknown key (`AutoAddPolicy`) or logging a warning and going on
(`WarningPolicy`) lets anyone who can intercept or redirect the connection
(DNS, ARP, a compromised router) pose as the server, capture the password or
run the session, and see every command and file sent. Where the function
connects with a key only (`pkey=` or `key_filename=`, no `password=`), the
explanation says the key itself is not revealed and the confidence is medium:
the impostor still reads and alters the session, but gets no credential.

Reported for `set_missing_host_key_policy(...)` given `AutoAddPolicy` or
`WarningPolicy` (an instance or the class, directly or through a variable),
whatever the client's type is known to be, and for `asyncssh.connect(...)`
and `SSHClientConnectionOptions(...)` with `known_hosts=None`. `RejectPolicy`
and custom policies are not reported, nor is a setting made only in the branch of an operator's switch
that is off by default (`if self.ignore_known_hosts:`, the parameter defaulting to False), as for TLS
verification (`rules/opt_out.py`).

**Fix:** load the known host keys and reject unknown ones:
`client.load_system_host_keys()` (or `client.load_host_keys(path)`) and
`client.set_missing_host_key_policy(paramiko.RejectPolicy())`; distribute the
servers' host keys (or their fingerprints) through configuration. With
asyncssh pass `known_hosts=` a file of trusted keys.
"""

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.nodes import walk as _walk
from secreview.rules.base import Hit, StatementRule
from secreview.rules.opt_out import opt_out

_POLICIES = ("AutoAddPolicy", "WarningPolicy")
_ASYNCSSH = frozenset({"asyncssh.connect", "asyncssh.connect_reverse", "asyncssh.create_connection",
                       "asyncssh.SSHClientConnectionOptions", "asyncssh.connection.connect"})


def _roots(stmt):
    t = type(stmt)
    if t is ir.Assign or t in (ir.Evaluate, ir.Return) and stmt.value is not None:
        yield stmt.value


def _policy(interp, node):
    target = node.func if isinstance(node, ir.Call) else node
    names = []
    if isinstance(target, (ir.Name, ir.Attr)) and target.qualname:
        names.append(target.qualname)
    if isinstance(node, ir.Name) and node.kind in (ir.NameKind.LOCAL, ir.NameKind.GLOBAL):
        names.extend(interp.eval(node).types)
    for n in names:
        short = n.rsplit(".", 1)[-1].removeprefix("class:")
        if short in _POLICIES:
            return short
    return None


_KEY_ARGS = ("pkey", "key_filename")


def _passes_password(call: ir.Call) -> bool:
    """``password=`` given a value other than None."""
    password = call.keyword("password")
    return password is not None and not (isinstance(password, ir.Const) and password.value is None)


def _authentication(interp, client: str) -> str | None:
    """How the function authenticates on ``client``'s ``connect(...)``: ``"password"`` (a ``password=``
    that is not None), ``"key"`` (``pkey=`` or ``key_filename=`` and no password), None when it makes no
    such call or says neither."""
    found = None
    for stmt in interp.fn.statements():
        for root in _roots(stmt):
            for e in _walk(root):
                if not (isinstance(e, ir.Call) and e.method == "connect" and isinstance(e.func, ir.Attr)
                        and interp.code(e.func.value) == client):
                    continue
                if _passes_password(e):
                    return "password"
                if any(e.keyword(k) is not None for k in _KEY_ARGS):
                    found = "key"
    return found


def _key_checked_after(interp, client: str):
    """The line where the function reads the key the server presented, after connecting
    (``client.get_host_keys()``, ``client.get_transport().get_remote_server_key()``): a check of its own
    that can stop the session, too late to keep a password sent by ``connect`` from the impostor."""
    for stmt in interp.fn.statements():
        for root in _roots(stmt):
            for e in _walk(root):
                if isinstance(e, ir.Call) and e.method in _KEY_READS and isinstance(e.func, ir.Attr) \
                        and interp.code(e.func.value).startswith(client):
                    return stmt.line
    return None


_KEY_READS = frozenset({"get_host_keys", "get_remote_server_key"})


class SshHostKeyUnverified(StatementRule):
    __doc__ = __doc__

    id = "SR304"
    peer_identity = True
    name = "ssh-host-key-unverified"
    title = "SSH host key not verified"
    cwe = 322
    severity = Level.HIGH
    confidence = Level.HIGH
    bandit = ("B507",)
    triggers = frozenset({"set_missing_host_key_policy"} | {q.rsplit(".", 1)[-1] for q in _ASYNCSSH})

    def check_statement(self, interp, stmt):
        chosen = opt_out(interp, stmt)
        if chosen is not None and not chosen.by_default:
            return  # (``if self.ignore_known_hosts: ... known_hosts=None``: the operator's opt-out, off by default)
        for root in _roots(stmt):
            for e in _walk(root):
                if not isinstance(e, ir.Call):
                    continue
                if e.method == "set_missing_host_key_policy" and e.args:
                    policy = _policy(interp, e.args[0])
                    if policy is None:
                        continue
                    client = interp.code(e.func.value)
                    effect = ("adds any unknown host key and connects" if policy == "AutoAddPolicy"
                              else "logs a warning for an unknown host key and connects anyway")
                    auth = _authentication(interp, client)
                    harm = {
                        "password": "capture the password sent to it and see or alter everything sent",
                        "key": ("see and alter every command, file and output of the session (the private key "
                                "itself is not revealed: public-key authentication does not send it)"),
                    }.get(auth, "capture a password if one is sent, and see or alter everything sent")
                    checked = _key_checked_after(interp, client)
                    if checked is not None:
                        # the session can still be stopped by the code's own comparison; what ``connect`` sent
                        # before it cannot be taken back
                        harm = ("capture the password sent to it when connecting, before the key the server "
                                f"presented is read at line {checked}") if auth == "password" else \
                            (f"have the connection accepted until the key the server presented is read at line "
                             f"{checked}")
                    yield Hit(
                        node=e,
                        explanation=(f"`{interp.code(e)}` makes `{client}` trust whatever server answers: it "
                                     f"{effect}, so anyone able to intercept or redirect the connection can pose as "
                                     f"the server, {harm}."),
                        fix=(f"Call `{client}.load_system_host_keys()` (or `load_host_keys(path)` with the servers' "
                             f"keys) and `{client}.set_missing_host_key_policy(paramiko.RejectPolicy())`."),
                        confidence=Level.MEDIUM if auth == "key" else None,
                    )
                elif e.qualname in _ASYNCSSH:
                    kh = e.keyword("known_hosts")
                    if isinstance(kh, ir.Const) and kh.value is None:
                        got = "the password captured" if _passes_password(e) else "a password captured if one is sent"
                        yield Hit(
                            node=e,
                            explanation=(f"`{interp.code(e)}` passes `known_hosts=None`, which turns host-key "
                                         f"checking off: any server that answers is accepted, so the connection can "
                                         f"be intercepted and {got}."),
                            fix="Pass `known_hosts=` the path of a file holding the servers' trusted host keys.",
                        )
