"""Security-relevant failure silently ignored by a broad `except`.

`except:` / `except Exception:` / `except BaseException:` whose body only
passes (or continues, breaks, returns a constant other than `False`: a
check that returns `False` fails closed) hides every failure of the
guarded code. Around a permission change, a privilege drop, a signature or
token check, a TLS set-up or a firewall command, the program then carries on
as if the protection were in place: the file stays world-readable, the
process keeps root, the unverified message is processed, the rule is never
installed, and nothing is logged.

Reported at the `except` line when the handler is bare or catches
`Exception`/`BaseException`, its body only swallows, and its `try` body
calls one of:

* authentication/authorization: functions or methods whose name contains
  `authenticate`, `authoriz`, `check_perm`, `has_perm`, `enforce`, `verify`,
  `validate_token`, `check_token`, `check_password`, `login`, `compare_digest`;
* cryptography and TLS: anything from `hmac`, `ssl`, `OpenSSL`,
  `cryptography`, `Crypto`/`Cryptodome`, `jwt`, `nacl`, `bcrypt`, `passlib`,
  and methods `decrypt`, `sign`, `load_cert_chain`, `load_verify_locations`,
  `wrap_socket`, `do_handshake`;
* permissions and privileges: `os.chmod`/`fchmod`/`chown`/`fchown`/`lchown`,
  `os.setuid`/`setgid`/`seteuid`/`setegid`/`setgroups`/`initgroups`/
  `setresuid`/`setresgid`/`umask`/`chroot`, `shutil.chown`, and functions
  named `drop_privileges`/`set_permissions`;
* security commands: `subprocess`/`os.system`/`os.exec*`/`os.spawn*` running a
  firewall, permission, account, key or certificate tool (`iptables`, `nft`,
  `ebtables`, `ipset`, `chmod`, `chown`, `setfacl`, `sudo`, `useradd`,
  `openssl`, `ssh-keygen`, `update-ca-certificates`, `setenforce`...), and any
  `execute(...)` call with `run_as_root=True` (oslo/neutron style).

Not reported: handlers catching specific exceptions (`OSError`,
`KeyError`...), handlers that log, re-raise or do anything else, and broad
handlers around code without such calls (cleanup, best-effort caches, an
optional `rustc --version` probe).

**Confidence:** Low confidence (not shown by default).

**Fix:** catch the specific exception you expect and handle it: log it
(`LOG.exception(...)`) and fail closed — re-raise, deny the request, or stop
— instead of `pass`.
"""

import re

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.nodes import walk as _walk
from secreview.rules.base import FunctionRule, Hit

_BROAD = frozenset({"builtins.Exception", "builtins.BaseException", "Exception", "BaseException"})
_AUTH = re.compile(r"(?i)(authenticat|authoriz|authoris|check_?perm|has_?perm|enforce|verify|validate_token|"
                   r"check_token|check_password|login|compare_digest)")
_CRYPTO_PKGS = ("hmac.", "ssl.", "OpenSSL.", "cryptography.", "Crypto.", "Cryptodome.", "jwt.", "nacl.", "bcrypt.",
                "passlib.")
_CRYPTO_METHODS = frozenset({"decrypt", "sign", "load_cert_chain", "load_verify_locations", "wrap_socket",
                             "do_handshake"})
_PERMS = frozenset({"os.chmod", "os.fchmod", "os.lchmod", "os.chown", "os.fchown", "os.lchown", "os.setuid",
                    "os.setgid", "os.seteuid", "os.setegid", "os.setgroups", "os.initgroups", "os.setresuid",
                    "os.setresgid", "os.umask", "os.chroot", "shutil.chown"})
_PERM_NAMES = ("drop_privileges", "set_permissions", "drop_privs")
_PROCS = ("subprocess.", "os.system", "os.exec", "os.spawn", "os.popen")
# Programs whose failure leaves a protection missing: firewalls, permissions, users, keys and certificates.
_SECURITY_PROGRAMS = frozenset({"iptables", "ip6tables", "iptables-restore", "ip6tables-restore", "ebtables", "nft",
                                "arptables", "ipset", "ufw", "firewall-cmd", "chmod", "chown", "chgrp", "setfacl",
                                "sudo", "su", "passwd", "chpasswd", "useradd", "usermod", "userdel", "openssl",
                                "ssh-keygen", "update-ca-certificates", "update-ca-trust", "certutil", "keytool",
                                "setenforce", "semanage", "restorecon", "apparmor_parser", "aa-enforce", "gpg",
                                "cryptsetup"})


def _exprs(stmt):
    t = type(stmt)
    if t is ir.Assign or t in (ir.Evaluate, ir.Return) and stmt.value is not None:
        yield stmt.value
    elif t is ir.Assert:
        yield stmt.test


def _category(call) -> str | None:
    q = call.qualname or ""
    name = q.rsplit(".", 1)[-1] if q else (call.method or getattr(call.func, "id", "") or "")
    if q in _PERMS or any(n in name for n in _PERM_NAMES):
        return "a permission/privilege change"
    if q.startswith(_PROCS) and _security_program(call):
        return "a security command"
    if name == "execute" or call.method == "execute":
        flag = call.keyword("run_as_root")
        if isinstance(flag, ir.Const) and flag.value is True:
            return "a privileged command"
    if q.startswith(_CRYPTO_PKGS) or call.method in _CRYPTO_METHODS:
        return "a cryptographic/TLS operation"
    if _AUTH.search(name):
        return "an authentication/authorization check"
    return None


def _security_program(call) -> bool:
    """Whether the command run is a firewall, permission, account, key or certificate tool."""
    node = call.argument(0, "args")
    if node is None:
        node = call.argument(0, "cmd") or call.argument(0, "command")
    program = None
    if isinstance(node, ir.Container) and node.elts and isinstance(node.elts[0], ir.Const):
        program = node.elts[0].value
    elif isinstance(node, ir.Const) and isinstance(node.value, str):
        program = node.value.split()[0] if node.value.split() else None
    if not isinstance(program, str):
        return False
    words = program.split()
    if words and words[0] == "sudo" and len(words) > 1:
        words = words[1:]
    return bool(words) and words[0].rsplit("/", 1)[-1] in _SECURITY_PROGRAMS


def _broad(handler) -> str | None:
    if not handler.types:
        return "except:"
    for t in handler.types:
        q = getattr(t, "qualname", None) or getattr(t, "id", None)
        if q in _BROAD:
            return f"except {q.rsplit('.', 1)[-1]}"
    return None


class SwallowedSecurityException(FunctionRule):
    __doc__ = __doc__

    id = "SR601"
    name = "swallowed-security-exception"
    title = "Security-relevant error silently ignored"
    cwe = 390
    severity = Level.MEDIUM
    confidence = Level.LOW  # 0 of 2 judged real on real code
    bandit = ("B110", "B112")

    def relevant(self, function) -> bool:
        return any(h.swallows for h in function.handlers)

    def check_function(self, module, function):
        if not function.handlers:
            return
        from secreview.analysis.code_text import code_of
        calls = []
        for block in function.blocks:
            if block.origin is not None:  # a copy of a finally body: its statements are met in place
                continue
            for stmt in block.stmts:
                for root in _exprs(stmt):
                    for e in _walk(root):
                        if isinstance(e, ir.Call):
                            calls.append(e)
        for handler in function.handlers:
            if not handler.swallows:
                continue
            clause = _broad(handler)
            if clause is None:
                continue
            first, last = handler.try_lines
            found = []
            for call in calls:
                if first <= call.line <= last:
                    category = _category(call)
                    if category:
                        found.append((call, category))
            if not found:
                continue
            call, category = found[0]
            others = f" (and {len(found) - 1} more such call{'s' if len(found) > 2 else ''})" if len(found) > 1 else ""
            node = _clause_node(module, handler)
            text = module.source_line(handler.line)
            if "suppress(" in text and not text.lstrip().startswith("except"):
                # ``with contextlib.suppress(Exception):`` is lowered as a try whose handler does nothing
                clause = f"suppress({clause.removeprefix('except').strip(': ') or 'BaseException'})"
                block_word = "`with` block"
            else:
                block_word = "`try` block"
            yield Hit(
                node=node,
                explanation=(f"`{clause}` on line {handler.line} swallows every error of its {block_word}, which "
                             f"performs {category}: `{code_of(module, call)}` (line {call.line}){others}. If it "
                             f"fails, the code goes on as if it had succeeded and nothing is logged, so the "
                             f"protection can be missing without anyone knowing."),
                fix=("Catch only the exception you expect, log it (`LOG.exception(...)`), and fail closed: "
                     "re-raise or refuse to continue instead of `pass`."),
            )


def _clause_node(module, handler):
    text = module.source_line(handler.line)
    col = max(0, len(text.encode("utf-8")) - len(text.lstrip().encode("utf-8")))
    end = len(text.rstrip().encode("utf-8"))
    return ir.Pass("except").at(handler.line, col, handler.line, end)
