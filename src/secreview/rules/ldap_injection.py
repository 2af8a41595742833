from secreview.findings.model import Level
from secreview.rules.base import SinkRule


class LdapInjection(SinkRule):
    """LDAP search filter built from untrusted data.

    A value pasted into a filter (`"(uid=" + user + ")"`) is parsed as filter
    syntax: `*`, `(`, `)` and `\\` in it widen or rewrite the search
    (`*)(uid=*` matches every entry), which can bypass a login or list the
    directory.

    Reported when data traced to untrusted input reaches the filter argument of
    python-ldap `search`/`search_s`/`search_ext(_s)` and ldap3
    `Connection.search`. Not reported: values escaped with
    `ldap.filter.escape_filter_chars`/`filter_format` or
    `ldap3.utils.conv.escape_filter_chars`, values checked against an
    allow-list, and filters that are merely not constant. HTML or shell escaping
    does not count. The search base (a DN) is not checked by this rule.

    **Fix:** escape every value put into a filter:
    `f"(uid={escape_filter_chars(user)})"`, or build it with
    `ldap.filter.filter_format("(uid=%s)", [user])`.
    """

    id = "SR109"
    name = "ldap-injection"
    title = "LDAP injection"
    cwe = 90
    severity = Level.HIGH
    confidence = Level.HIGH
    sink_kinds = ("ldap",)
    untainted = None
    constructions = ("ldap",)
    danger = ("The directory parses it as filter syntax, so `*`, `(` or `)` in it (`*)(uid=*`) changes which "
              "entries match, e.g. to bypass a password check or dump the directory.")
    fix = ("Escape each value with `ldap.filter.escape_filter_chars()` (python-ldap) or "
           "`ldap3.utils.conv.escape_filter_chars()` before putting it in the filter, or use "
           "`ldap.filter.filter_format()`.")
