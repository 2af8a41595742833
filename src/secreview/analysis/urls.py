"""What the constant start of a URL decides: the host it goes to, or only the path on this site."""

import re

LOOPBACK_HOST = r"localhost|127(?:\.\d{1,3}){3}|\[::1\]"
"""The names of this machine's loopback interface in a URL's host, as a regular expression's alternation."""

_ABSOLUTE_WITH_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://[^/?#\\@]+[/?#]")
_NETWORK_PATH_WITH_HOST = re.compile(r"^//[^/?#\\@]+[/?#]")


def fixes_host(prefix: str | None) -> bool:
    """True when a URL starting with ``prefix`` names its scheme (or is a network path) and its
    host, and what follows can only be path, query or fragment (``"https://example.com/"``)."""
    return bool(prefix) and bool(_ABSOLUTE_WITH_HOST.match(prefix) or _NETWORK_PATH_WITH_HOST.match(prefix))


def fixes_origin(prefix: str | None, relative_ok: bool) -> bool:
    """True when a URL starting with ``prefix`` can only go to the host (or, for a
    relative URL, the site) the prefix names: what follows it is path or query."""
    if not prefix:
        return False
    if fixes_host(prefix):
        return True
    if not relative_ok:
        return False
    if prefix.startswith("/"):
        # "/" + "/evil.com" is the network path "//evil.com"; "/\\evil.com" too in browsers.
        return len(prefix) >= 2 and prefix[1] not in "/\\"
    if prefix[0] in "?#":
        return True  # "?page=2", "#top": only the query or fragment of the page the URL is resolved against
    first = min((prefix.find(c) for c in "/?#" if c in prefix), default=-1)
    # A relative reference whose first segment is fixed and has no ":" cannot gain a scheme.
    return first > 0 and ":" not in prefix[:first] and "\\" not in prefix[:first]
