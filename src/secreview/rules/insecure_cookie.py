import re

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.base import CallRule, Hit
from secreview.rules.weak_random import name_words, secret_cookie, secret_name

# set_cookie(key, value, max_age, expires, path, domain, secure, httponly, samesite) for Werkzeug,
# Django and Starlette; WebOb has no `expires` before `path`.
_STANDARD = {"secure": 6, "httponly": 7, "max_age": 2, "expires": 3}
_WEBOB = {"secure": 5, "httponly": 6, "max_age": 2, "expires": 8}

_RESPONSE_TYPES = (
    "flask.Response", "flask.wrappers.Response", "werkzeug.wrappers.Response", "werkzeug.Response",
    "werkzeug.wrappers.response.Response", "django.http.HttpResponse", "django.http.HttpResponseRedirect",
    "django.http.JsonResponse", "django.http.response.HttpResponse", "django.http.StreamingHttpResponse",
    "django.http.FileResponse", "starlette.responses.Response", "starlette.responses.HTMLResponse",
    "starlette.responses.JSONResponse", "starlette.responses.RedirectResponse", "starlette.responses.PlainTextResponse",
    "fastapi.Response", "fastapi.responses.Response", "fastapi.responses.HTMLResponse",
    "fastapi.responses.JSONResponse", "fastapi.responses.RedirectResponse", "fastapi.responses.PlainTextResponse",
    "rest_framework.response.Response",
)
_WEBOB_TYPES = ("webob.Response", "webob.response.Response", "pecan.response")


def _flag(site, positions, name):
    """(value, written): the argument's abstract value and whether the call names it at all."""
    value, node = site.arg(positions[name], name)
    return value, node is not None


def _is_true(value) -> bool:
    return value is not None and value.is_const and value.const is True


def _is_zero(value) -> bool:
    return value is not None and value.is_const and value.const in (0, "0")


# Words of a cookie's or value's name that say what it holds is no secret: where to go after
# login, a language or theme preference, a message shown once.
_PLAIN_WORDS = frozenset({
    "lang", "language", "locale", "theme", "tz", "timezone", "redirect", "next", "url", "uri", "path", "return",
    "came", "reason", "message", "messages", "msg", "flash", "notice", "consent", "tab", "view", "sort", "order",
    "page", "filter", "region", "currency", "mode", "dismissed", "banner", "seen", "visited", "color", "colour",
    "font", "layout", "sidebar", "collapsed", "expanded", "width", "height", "zoom", "format", "style",
    "pref", "prefs", "preference", "preferences",
    # an anonymous visitor's id for analytics or grouping logs: no account is behind it (judged on panel H)
    "visitor", "tracking", "analytics",
})


def _value_names(node) -> list:
    """Names that say what a cookie's value is: the variable, attribute, key or helper it comes from."""
    if isinstance(node, ir.Name):
        return [node.id]
    if isinstance(node, ir.Attr):
        return [node.attr]
    if isinstance(node, ir.Subscript) and isinstance(node.index, ir.Const) and isinstance(node.index.value, str):
        return [node.index.value]
    if isinstance(node, ir.Call):
        func = node.func
        name = func.attr if isinstance(func, ir.Attr) else func.id if isinstance(func, ir.Name) else None
        inner = [n for a in node.args[:1] for n in _value_names(a)]
        return ([name] if name else []) + inner
    return []


_FLAG_TEXT = re.compile(r"(?i)on|off|true|false|yes|no|[01]|enabled?|disabled?")
"""Constant cookie values that are a flag (a preference switched on), never a secret."""


def _constant_choice(node) -> bool:
    """``'1' if hide else '0'``: one of two constants written at the call (not a value merely computed from
    constants, which may be a secret derived from one)."""
    return isinstance(node, ir.IfExp) and isinstance(node.body, ir.Const) and isinstance(node.orelse, ir.Const)


def _plain(name) -> bool:
    return isinstance(name, str) and any(w in _PLAIN_WORDS for w in name_words(name))


class InsecureCookie(CallRule):
    """Cookie set without the `Secure` or `HttpOnly` flag.

    Without `Secure` the browser also sends the cookie over plain HTTP, where
    anyone on the network path can read it (CWE-614); without `HttpOnly` any
    script running in the page — an XSS payload — can read it with
    `document.cookie` (CWE-1004). For a session or authentication cookie either
    gap hands the session to an attacker.

    Reported for `set_cookie()` on Flask/Werkzeug, Django, Starlette/FastAPI
    and WebOb responses (as typed by the analysis: `make_response()`,
    `HttpResponse()`, a `Response` parameter...) when `secure` or `httponly` is
    absent or `False`, by what the cookie holds: a session, authentication,
    token or remember-me cookie (by its name, or a value named as a secret) at
    medium confidence, and so is a cookie whose content the code does not show
    (a value computed at run time under a neutral name: on real code such
    cookies were as often session tokens as not). A missing
    `HttpOnly` alone is low severity (some cookies, such as a CSRF
    double-submit token, must be readable by script); a CSRF token cookie
    (`csrftoken`, `XSRF-TOKEN`, a name or value read from a setting or key that says CSRF:
    `settings.CSRF_COOKIE_NAME`, `request.META["CSRF_COOKIE"]`) is not reported for `HttpOnly`, and without
    `Secure` is of low confidence: it
    holds no session, and Django itself sets it so by default. Not reported: a cookie
    that holds no secret (a constant, the same for every user, or one of two written at the call, `'1' if
    hide else '0'`; a flag such as `"on"`, `"true"` or `"1"` whatever the cookie is named,
    `set_cookie("remember_me", "on")`; a post-login
    redirect path, a language, theme or other preference, a message, an
    anonymous visitor or tracking id); flags
    chosen at run time (`secure=app.config[...]`, `secure=request.is_secure`,
    `**cookie_kwargs`), which the operator or the request decides; deleting a
    cookie (`max_age=0`, `expires=0`); responses whose type the analysis cannot
    tell (a `response` parameter of an `after_request` hook).

    **Fix:** pass `secure=True, httponly=True` (and `samesite="Lax"`) to
    `set_cookie()`; for Flask's and Django's own session cookies set
    `SESSION_COOKIE_SECURE`/`SESSION_COOKIE_HTTPONLY`.
    """

    id = "SR116"
    name = "insecure-cookie"
    title = "Cookie without Secure or HttpOnly"
    cwe = 614
    severity = Level.MEDIUM
    # judged on real code (docs/precision.md, sixth session), cookies of content the code does not show were
    # as often real (session tokens set under neutral names) as secret-named ones: medium for both
    confidence = Level.MEDIUM
    callees = tuple(f"{t}.set_cookie" for t in _RESPONSE_TYPES + _WEBOB_TYPES)

    def check(self, site, callee: str):
        positions = _WEBOB if callee.rpartition(".")[0] in _WEBOB_TYPES else _STANDARD
        if _is_zero(_flag(site, positions, "max_age")[0]) or _is_zero(_flag(site, positions, "expires")[0]):
            return
        secure, secure_written = _flag(site, positions, "secure")
        httponly, httponly_written = _flag(site, positions, "httponly")
        has_star = any(kw.name is None for kw in site.call.keywords)
        missing = []
        off = []
        for label, value, written in (("Secure", secure, secure_written), ("HttpOnly", httponly, httponly_written)):
            if _is_true(value):
                continue
            if (written and not value.is_const) or (not written and has_star):
                continue  # chosen at run time (configuration, the request's scheme): the operator's choice
            missing.append(label)
            if written:
                off.append(label)
        name_value, name_node = site.arg(0, "key")
        value_node = site.arg(1, "value")[1]
        # (the cookie's name, or what names it or its value: ``settings.CSRF_COOKIE_NAME``, ``META["CSRF_COOKIE"]``)
        said = [name_value.const] if name_value is not None and isinstance(name_value.const, str) else []
        said += [n for node in (name_node, value_node) if node is not None for n in _value_names(node)]
        csrf = any(isinstance(n, str) and any(w in n.lower() for w in ("csrf", "xsrf")) for n in said)
        if "HttpOnly" in missing and csrf:
            missing.remove("HttpOnly")  # a double-submit CSRF cookie must be readable by the page's script
            if "HttpOnly" in off:
                off.remove("HttpOnly")
        if not missing:
            return
        held = self._holds(site)
        if held is None:
            return
        code = site.interp.code(site.call)
        parts = []
        absent = [m for m in missing if m not in off]
        if absent:
            parts.append(" and ".join(f"`{m}`" for m in absent) + " not set")
        if off:
            parts.append(" and ".join(f"`{m}`" for m in off) + " turned off")
        effects = []
        if "Secure" in missing:
            effects.append("without `Secure` the browser also sends it over plain HTTP, readable on the "
                           "network path (CWE-614)")
        if "HttpOnly" in missing:
            effects.append("without `HttpOnly` script in the page, such as an XSS payload, can read it from "
                           "`document.cookie` (CWE-1004)")
        only_httponly = "Secure" not in missing
        secret, what = held
        if csrf:
            # judged on panel AG: Django's ``csrftoken`` set without ``Secure``, called a session cookie (false)
            consequence = ("The cookie holds an anti-CSRF token, not a session: whoever reads it on the network "
                           "path can forge this user's form submissions until it changes.")
        elif secret:
            consequence = f"The cookie holds {what}: reading it is enough to take over the session."
        else:
            consequence = (f"What the cookie holds ({what}) is not known here; if it is a session or a token, "
                           f"that is enough to take over the account.")
        yield Hit(
            node=site.call,
            explanation=f"`{code}` sets a cookie with {'; '.join(parts)}: {'; '.join(effects)}. {consequence}",
            fix="Pass `secure=True, httponly=True` (and `samesite=\"Lax\"`) to `set_cookie()`.",
            severity=Level.LOW if only_httponly else None,
            confidence=Level.LOW if csrf else None,
            tags=tuple(f"missing-{m.lower()}" for m in missing),
        )

    @staticmethod
    def _holds(site):
        """(secret, description) of what the cookie holds, or None when it evidently holds no secret:
        a constant, or a cookie or value named as a redirect target, a preference or a message."""
        name_value, name_node = site.arg(0, "key")
        value, value_node = site.arg(1, "value")
        name = name_value.const if name_value is not None and name_value.is_const else None
        # the name as written (a constant may stand for it: ``constants.SESSION_KEY``), then its value
        written = f"`{site.interp.code(name_node)}`" if name_node is not None else None
        if isinstance(name, str) and written is not None and not isinstance(name_node, ir.Const):
            written = f'{written} ("{name}")'
        if value is not None and value.is_const and _FLAG_TEXT.fullmatch(str(value.const).strip()):
            # a flag, whatever the cookie is named: ``set_cookie("remember_me", "on")`` is a choice a page reads,
            # no session (panel AT's fastapi-admin)
            return None
        if isinstance(name, str) and secret_cookie(name):
            return True, f"{written or repr(name)}, a session or authentication cookie"
        names = _value_names(value_node) if value_node is not None else []
        secret = next((n for n in names if secret_name(n)), None)
        if secret is not None:
            return True, f"`{secret}`"
        if (value is not None and value.is_const) or _constant_choice(value_node):
            return None  # the same value for everyone, or one of two written there (``'1' if v else '0'``)
        if _plain(name) or any(_plain(n) for n in names):
            return None  # a post-login path, a language or a theme
        if name_node is None and value_node is None:
            return False, "unknown"
        return False, f"cookie {written}" if written else "it"
