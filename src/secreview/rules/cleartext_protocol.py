"""Telnet or plain FTP session opened.

Telnet and FTP send everything, the login password included, in clear text
and authenticate neither end: anyone on the network path reads the
credentials and the data and can inject commands or alter files in transit.

Reported for `telnetlib.Telnet(...)` and `ftplib.FTP(...)` (and `telnetlib3`
`open_connection`). `ftplib.FTP_TLS` is not reported, nor is an import of
these modules on its own, nor a session the function only closes (opened to see that
the port answers: nothing crosses it). A session the function opens, uses and drops
without any login or credential in sight (a script read from a device's
shell, an anonymous download: `ftp.login()` with no user), or stores in an attribute and closes
before it returns (a check that the login prompt answers), is reported with low confidence (not shown by
default), and its explanation does not speak of a password; so is `ftplib.FTP` in a
function that also opens `ftplib.FTP_TLS` (`FTP_TLS() if secure else FTP()`: plain FTP
where the configuration asks for it).

**Fix:** use SSH instead of Telnet (`paramiko`, `asyncssh`) and SFTP or FTPS
instead of FTP (`paramiko.SFTPClient`, or `ftplib.FTP_TLS` followed by
`prot_p()`).
"""

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.statements import calls, expressions
from secreview.rules.base import CallRule, Hit

_CALLEES = {"telnetlib.Telnet": "Telnet", "telnetlib3.open_connection": "Telnet", "ftplib.FTP": "FTP"}
_CREDENTIAL_WORDS = ("login", "pass", "pwd", "credential", "user", "auth", "secret", "token")


def _logs_in(site, callee: str) -> bool:
    """Whether credentials may cross this session: the function mentions a login or a credential
    (``ftp.login(user, pw)``, ``tn.write(password + "\\n")``, ``FTP(host, user, passwd)``), or the session
    leaves the function (returned or stored: its user may log in)."""
    call = site.call
    if (len(call.args) > 1 and callee == "ftplib.FTP") or \
            any(k.name in ("user", "passwd", "acct") for k in call.keywords):
        return True  # ``FTP(host, user, passwd)`` (``Telnet(host, port)``'s second is the port)
    fn = site.interp.fn
    anonymous = _anonymous_login(fn)
    names = [n.lower() for n in fn.names if isinstance(n, str) and not (anonymous and n == "login")]
    if any(w in n for n in names for w in _CREDENTIAL_WORDS):
        return True
    stmt = site.interp.stmt
    if not isinstance(stmt, ir.Assign):
        return True
    if all(isinstance(t, ir.NameTarget) for t in stmt.targets):
        return any(isinstance(s, ir.Return) and isinstance(s.value, ir.Name) and s.value.id in
                   {t.id for t in stmt.targets} for s in fn.statements())
    # ``self.client = Telnet(host, port)`` then ``self.client.close()`` in the same function: stored, but closed
    # before the function returns (a check that a login prompt answers), so no other code logs in over it
    closed = {site.interp.code(c.func.value) for c in calls(fn) if c.method == "close" and not c.args
              and isinstance(c.func, ir.Attr)}
    return not (len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.AttrTarget)
                and site.interp.code(stmt.targets[0]) in closed)


def _anonymous_login(fn) -> bool:
    """Whether every ``.login(...)`` the function calls passes nothing (``ftp.login()``: FTP's anonymous login,
    whose password is ``anonymous@``, no one's secret)."""
    logins = [c for c in calls(fn) if c.method == "login"]
    return bool(logins) and all(not c.args and not c.keywords for c in logins)


def _only_closed(site) -> bool:
    """Whether the session is assigned to a local that the function only closes (``conn.close()``): opened to
    see that the port answers, it carries no data either way."""
    stmt = site.interp.stmt
    if not (isinstance(stmt, ir.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.NameTarget)
            and stmt.value is site.call):
        return False
    name = stmt.targets[0].id
    closes = False
    for other in site.interp.fn.statements():
        if other is stmt:
            continue
        for root in expressions(other):
            nodes = list(ir.walk(root))
            closed = {id(e.func.value) for e in nodes  # the local as the object of ``.close()``
                      if isinstance(e, ir.Call) and e.method == "close" and not e.args and isinstance(e.func, ir.Attr)
                      and isinstance(e.func.value, ir.Name) and e.func.value.id == name}
            if any(isinstance(e, ir.Name) and e.id == name and id(e) not in closed for e in nodes):
                return False  # used some other way
            closes = closes or bool(closed)
    return closes


class CleartextProtocol(CallRule):
    __doc__ = __doc__

    id = "SR306"
    peer_identity = True
    name = "cleartext-protocol"
    title = "Cleartext protocol (Telnet, FTP)"
    cwe = 319
    severity = Level.MEDIUM
    confidence = Level.HIGH
    bandit = ("B312", "B321", "B401", "B402")
    callees = tuple(_CALLEES)

    def check(self, site, callee: str):
        proto = _CALLEES[callee]
        code = site.interp.code(site.call)
        fix = ("Use SSH (`paramiko.SSHClient` with host-key checking) instead of Telnet." if proto == "Telnet" else
               "Use `ftplib.FTP_TLS` and call `prot_p()` after `login()`, or SFTP via `paramiko.SFTPClient`.")
        if _only_closed(site):
            return  # ``conn = Telnet(host, port); conn.close()``: a check that the port answers; nothing is sent
        if callee == "ftplib.FTP" and any(c.qualname == "ftplib.FTP_TLS" for c in calls(site.interp.fn)):
            # ``ftp = ftplib.FTP_TLS() if self._config["secure"] else ftplib.FTP()``: the code offers TLS, and plain
            # FTP is what the configuration asks for (an ``ftp://`` location; django-storages, judged false on
            # panel AS)
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` opens an FTP session, where `{site.interp.fn.name}()` also opens `FTP_TLS`: "
                             f"plain FTP is taken where the configuration asks for it, and then the login password "
                             f"and all data cross the network unencrypted."),
                fix="Make FTPS (or SFTP) the default, and plain FTP a choice the configuration names explicitly.",
                confidence=Level.LOW,
            )
            return
        if _logs_in(site, callee):
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` opens a {proto} session: the login password and all data cross the network "
                             f"unencrypted and the server is not authenticated, so anyone on the path can read the "
                             f"credentials and alter what is transferred."),
                fix=fix,
            )
            return
        yield Hit(
            node=site.call,
            explanation=(f"`{code}` opens a {proto} session in which this function sends no login: what it sends "
                         f"and reads crosses the network unencrypted and the server is not authenticated, so anyone "
                         f"on the path can read it and alter what is transferred."),
            fix=fix,
            confidence=Level.LOW,
        )
