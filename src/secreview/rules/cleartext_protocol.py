"""Telnet or plain FTP session opened.

Telnet and FTP send everything, the login password included, in clear text
and authenticate neither end: anyone on the network path reads the
credentials and the data and can inject commands or alter files in transit.

Reported for `telnetlib.Telnet(...)` and `ftplib.FTP(...)` (and `telnetlib3`
`open_connection`). `ftplib.FTP_TLS` is not reported, nor is an import of
these modules on its own.

**Fix:** use SSH instead of Telnet (`paramiko`, `asyncssh`) and SFTP or FTPS
instead of FTP (`paramiko.SFTPClient`, or `ftplib.FTP_TLS` followed by
`prot_p()`).
"""

from secreview.findings.model import Level
from secreview.rules.base import CallRule, Hit

_CALLEES = {"telnetlib.Telnet": "Telnet", "telnetlib3.open_connection": "Telnet", "ftplib.FTP": "FTP"}


class CleartextProtocol(CallRule):
    __doc__ = __doc__

    id = "SR306"
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
        yield Hit(
            node=site.call,
            explanation=(f"`{code}` opens a {proto} session: the login password and all data cross the network "
                         f"unencrypted and the server is not authenticated, so anyone on the path can read the "
                         f"credentials and alter what is transferred."),
            fix=fix,
        )
