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
    `ldap3.utils.conv.escape_filter_chars` or by the code's own escaping (each
    of `*`, `(` and `)` replaced by an escape: `.replace("*", "\\2a")
    .replace("(", "\\28").replace(")", "\\29")`, as RFC 4515 says), values
    checked against an allow-list, and filters that are merely not constant. HTML or shell escaping
    does not count.

    The search base (a DN, the first argument of those searches) is reported
    the same way when traced to untrusted input: `,`, `=` or `+` in a value
    spliced into it (`"ou=" + unit + ",dc=example,dc=org"`) names another
    entry or subtree, widening the search to parts of the directory the
    application meant to keep out of it. Values escaped for a DN
    (`ldap.dn.escape_dn_chars`, `ldap3.utils.dn.escape_rdn`) are not reported
    there; filter escaping does not count for a DN, nor DN escaping for a
    filter. Only a DN built where the search is made (`+`, `%`, `.format`, an
    f-string, or a local variable so built) is reported: a whole DN the client
    names (an entry whose id is its DN) splices nothing into it, and a search
    base that is merely not constant is not reported.

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
    sink_kinds = ("ldap", "ldap-dn")
    untainted = None
    constructions = ("ldap",)
    danger = ("The directory parses it as filter syntax, so `*`, `(` or `)` in it (`*)(uid=*`) changes which "
              "entries match, e.g. to bypass a password check or dump the directory.")
    def danger_at(self, site) -> str:
        if site.kind == "ldap-dn":
            return ("It is the DN the search starts from, so `,`, `=` or `+` in it (`x,dc=example,dc=org`) names "
                    "another entry or subtree and the search reaches parts of the directory it was meant to "
                    "leave out.")
        return self.danger

    def fix_at(self, site) -> str:
        if site.kind == "ldap-dn":
            return ("Escape each value put into a DN with `ldap.dn.escape_dn_chars()` (python-ldap) or "
                    "`ldap3.utils.dn.escape_rdn()`, or pick the search base from a fixed set.")
        return self.fix

    fix = ("Escape each value with `ldap.filter.escape_filter_chars()` (python-ldap) or "
           "`ldap3.utils.conv.escape_filter_chars()` before putting it in the filter, or use "
           "`ldap.filter.filter_format()`.")
