from secreview.findings.model import Level
from secreview.rules.base import CallRule, Hit

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
    not provably `True`: absent or `False` at medium confidence, a value only
    known at run time (`secure=app.config[...]`) at low confidence. A cookie
    missing only `HttpOnly` is low severity (some cookies, such as a CSRF
    double-submit token, must be readable by script). Deleting a cookie
    (`max_age=0`, `expires=0`) is not reported. Responses whose type the
    analysis cannot tell (a `response` parameter of an `after_request` hook) are
    not checked.

    **Fix:** pass `secure=True, httponly=True` (and `samesite="Lax"`) to
    `set_cookie()`; for Flask's and Django's own session cookies set
    `SESSION_COOKIE_SECURE`/`SESSION_COOKIE_HTTPONLY`.
    """

    id = "SR116"
    name = "insecure-cookie"
    title = "Cookie without Secure or HttpOnly"
    cwe = 614
    severity = Level.MEDIUM
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
        unknown = []
        for label, value, written in (("Secure", secure, secure_written), ("HttpOnly", httponly, httponly_written)):
            if _is_true(value):
                continue
            if (written and not value.is_const) or (not written and has_star):
                unknown.append(label)
            else:
                missing.append(label)
                if written:
                    off.append(label)
        if not missing and not unknown:
            return
        code = site.interp.code(site.call)
        parts = []
        absent = [m for m in missing if m not in off]
        if absent:
            parts.append(" and ".join(f"`{m}`" for m in absent) + " not set")
        if off:
            parts.append(" and ".join(f"`{m}`" for m in off) + " turned off")
        if unknown:
            parts.append(" and ".join(f"`{u}`" for u in unknown) + " decided at run time")
        effects = []
        if "Secure" in missing + unknown:
            effects.append("without `Secure` the browser also sends it over plain HTTP, readable on the "
                           "network path (CWE-614)")
        if "HttpOnly" in missing + unknown:
            effects.append("without `HttpOnly` script in the page, such as an XSS payload, can read it from "
                           "`document.cookie` (CWE-1004)")
        only_httponly = "Secure" not in missing + unknown
        yield Hit(
            node=site.call,
            explanation=(f"`{code}` sets a cookie with {'; '.join(parts)}: {'; '.join(effects)}. "
                         f"If it carries a session or a token, that is enough to take over the account."),
            fix="Pass `secure=True, httponly=True` (and `samesite=\"Lax\"`) to `set_cookie()`.",
            confidence=Level.MEDIUM if missing else Level.LOW,
            severity=Level.LOW if only_httponly else None,
            tags=tuple(f"missing-{m.lower()}" for m in missing) + tuple(f"unproven-{u.lower()}" for u in unknown),
        )
