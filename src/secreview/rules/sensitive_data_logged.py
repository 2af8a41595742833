"""Password, token, key or credential written to a log.

Logs are copied to files, journald, central log stores and support tickets,
kept for months and read by many more people than the application's
secrets: a password, token, API key, `Authorization` header or request body
logged once is exposed to all of them, and a leaked log becomes a leaked
credential.

Reported for calls of `logging` (module functions and loggers, including
`oslo_log` loggers and objects named like `LOG`/`logger`) whose *logged
values* (not the message text) are, or contain, a credential: a variable,
attribute, dict key (`creds["password"]`, `headers["Authorization"]`,
`.get("X-Auth-Token")`) or dict entry whose name ends with `password`,
`passwd`, `passphrase`, `secret`, `token`, `api_key`, `private_key`,
`secret_key`, `client_secret`, `auth_token`... (`new_password`,
`keystone_token`, `token_value`), `Authorization` or `Cookie`; a helper
returning one (`get_token()`); the whole request headers or environment
(`request.headers`, `request.environ`: they carry `Authorization` and
cookies), and, with medium confidence, the whole request body
(`request.body`, `request.data`, `request.json`, `request.form`). A name alone
that only sounds related is not enough: `credentials` (oslo.policy's user,
project and roles), `session_key` (often a routing key), `pass` (a count),
`token_labels`, `secret_uuid`, `token_id`, `token_expires`. Values wrapped in a
masking helper (`oslo_utils.strutils.mask_password`, `mask_dict_password`, or
any function named `mask`/`redact`/`sanitize`/`scrub`/`obfuscate`) are not
reported, nor are derived values that do not reveal the secret (`len(token)`,
`token is None`), constants, and `print` (a command's output to its own user,
such as a setup tool showing the password it generated).

**Fix:** log that the credential was used, not its value: drop it from the
arguments, log an identifier (`user.id`, a key id, the last 4 characters),
or wrap the value in `strutils.mask_password(...)` /
`strutils.mask_dict_password(...)`.
"""

import re

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.nodes import is_pure as _pure
from secreview.ir.nodes import walk as _walk
from secreview.rules.base import Hit, StatementRule
from secreview.rules.weak_random import name_words

_LEVELS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "audit",
                     "trace"})
_LOG_TYPES = ("logging.Logger", "logging.LoggerAdapter", "logging.RootLogger")
_MODULE_FUNCS = frozenset({f"logging.{m}" for m in _LEVELS})
_MASK = re.compile(r"(?i)(mask|redact|sanitiz|scrub|obfuscat|censor|hide_?secret|strip_?secret)")
_TRANSPARENT = frozenset({"builtins.str", "builtins.repr", "builtins.format", "builtins.dict", "builtins.list",
                          "builtins.tuple", "json.dumps", "oslo_serialization.jsonutils.dumps", "pprint.pformat",
                          "six.text_type", "builtins.vars"})
_TRANSPARENT_METHODS = frozenset({"format", "items", "values", "encode", "decode", "strip", "lower", "upper",
                                  "to_dict", "as_dict", "copy", "dumps"})
_HEADER_KEYS = re.compile(r"(?i)^(authorization|proxy-authorization|x-auth-token|x-subject-token|x-api-key|"
                          r"x-service-token|x-storage-token|x-auth-key|http_authorization|http_x_auth_token)$")
# only on headers: "cookie" is also an OVS flow cookie
_COOKIE_KEYS = re.compile(r"(?i)^(cookie|set-cookie|http_cookie)$")
_REQUEST_NAMES = frozenset({"request", "req", "flask.request", "bottle.request", "pecan.request"})
_BODY_ATTRS = frozenset({"body", "data", "json", "form", "POST", "get_json", "text", "content", "stream",
                         "headers", "META", "environ", "cookies", "COOKIES"})
_STRONG = ("password", "passwd", "pwd", "passphrase", "secret", "private", "authorization", "cookie")
# A logged name is a credential only with one of these words or pairs: ``credentials`` (oslo.policy's
# user/project/roles), ``session_key`` (a routing key), ``pass`` (a count of passes) are not enough.
_CREDENTIAL_WORDS = frozenset({"password", "passwords", "passwd", "passphrase", "pwd", "passcode", "secret", "secrets",
                               "token", "tokens", "apikey", "privatekey", "secretkey", "authtoken", "bearer",
                               "clientsecret"})
_CREDENTIAL_PAIRS = frozenset({("api", "key"), ("private", "key"), ("secret", "key"), ("auth", "token"),
                               ("access", "token"), ("refresh", "token"), ("api", "token"), ("client", "secret"),
                               ("shared", "secret"), ("signing", "key"), ("encryption", "key"), ("secret", "access"),
                               ("auth", "key")})
_NOT_CREDENTIAL_LAST = frozenset({"duration", "seconds", "secs", "ms", "minutes", "count", "counts", "passes",
                                  "length", "len", "size", "ttl", "timeout", "expiry", "expires", "expiration",
                                  "id", "ids", "uuid", "name", "type", "url", "uri", "path", "file", "ref", "hash",
                                  "hashes", "digest", "fingerprint", "status", "state", "owner", "cache", "provider",
                                  "plugin", "manager", "store", "backend", "format", "version", "header", "key",
                                  "field", "fields", "prompt", "label", "hint", "help", "policy", "rule", "rules",
                                  "strength", "min", "max", "regex", "pattern", "required", "enabled", "changed",
                                  "reset", "expired", "valid", "invalid", "dir", "endpoint", "method"})


_NOT_CREDENTIAL_FIRST = frozenset({"num", "max", "min", "is", "has", "len", "count", "no", "use", "hashed", "hash",
                                   "masked", "redacted"})
_KEY_QUALIFIERS = frozenset({"secret", "private", "api", "signing", "encryption", "auth"})


_VALUE_WORDS = frozenset({"value", "val", "str", "string", "bytes", "raw", "plain", "plaintext", "text", "b64",
                          "hex", "encoded", "clear", "cleartext"})


def secret_name(name: str) -> bool:
    """A logged name that holds a credential itself (``password``, ``auth_token``, ``api_key``,
    ``token_value``): the name ends with the credential word or pair. Not one that only sounds related
    (``credentials``, ``session_key``, ``secret_uuid``, ``token_labels``, ``_secret_cache_duration``)."""
    if not isinstance(name, str) or len(name) > 60:
        return False
    words = list(name_words(name))
    while len(words) > 1 and words[-1] in _VALUE_WORDS:
        words.pop()
    if not words or words[0] in _NOT_CREDENTIAL_FIRST:
        return False
    last = words[-1]
    if last == "key":
        return any(w in _KEY_QUALIFIERS for w in words[:-1])  # ``secret_key``, ``aws_secret_access_key``
    return last in _CREDENTIAL_WORDS or (len(words) > 1 and (words[-2], last) in _CREDENTIAL_PAIRS)


def _headers(e) -> bool:
    """An expression that names HTTP headers (``headers``, ``request.headers``, ``environ``)."""
    text = ""
    while isinstance(e, ir.Attr):
        text += "." + e.attr
        e = e.value
    if isinstance(e, ir.Name):
        text += "." + e.id
    return any(w in text.lower() for w in ("header", "environ", "meta"))


def _request_like(e) -> bool:
    if isinstance(e, ir.Name):
        return e.id in _REQUEST_NAMES or (e.qualname or "") in _REQUEST_NAMES
    if isinstance(e, ir.Attr):
        return e.attr in ("request", "req") or (e.qualname or "") in _REQUEST_NAMES
    return False


class _Finder:
    def __init__(self, interp):
        self.interp = interp

    def find(self, e, depth=0):
        """(what, node) for the first sensitive value in ``e``, or None."""
        if depth > 25 or e is None:
            return None
        if isinstance(e, ir.Const):
            return None
        if isinstance(e, ir.Call):
            q = e.qualname or ""
            name = q.rsplit(".", 1)[-1] if q else (e.method or getattr(e.func, "id", "") or "")
            if _MASK.search(name):
                return None
            if e.method == "get" and e.args and isinstance(e.args[0], ir.Const) and isinstance(e.args[0].value, str):
                key = e.args[0].value
                if secret_name(key) or _HEADER_KEYS.match(key) or (_COOKIE_KEYS.match(key) and _headers(e.func.value)):
                    return key, e
            if e.method in ("get_json", "get_data") and isinstance(e.func, ir.Attr) and _request_like(e.func.value):
                return "the request body", e
            if name and name.startswith(("get_", "_get_")) and secret_name(name):
                return name, e
            if q in _TRANSPARENT or e.method in _TRANSPARENT_METHODS:
                parts = list(e.args) + [k.value for k in e.keywords]
                if e.method in _TRANSPARENT_METHODS and isinstance(e.func, ir.Attr):
                    parts.insert(0, e.func.value)
                for p in parts:
                    found = self.find(p, depth + 1)
                    if found:
                        return found
            return None
        if isinstance(e, ir.Name):
            if e.kind in (ir.NameKind.IMPORT, ir.NameKind.DEF, ir.NameKind.BUILTIN):
                return None
            if secret_name(e.id) and not self._constant(e):
                return e.id, e
            return None
        if isinstance(e, ir.Attr):
            if e.attr in _BODY_ATTRS and _request_like(e.value):
                return ("the request headers" if e.attr in ("headers", "META", "environ") else
                        "the request cookies" if e.attr in ("cookies", "COOKIES") else "the request body"), e
            if secret_name(e.attr) and e.qualname is None and not self._constant(e):
                return e.attr, e
            return None
        if isinstance(e, ir.Subscript):
            if isinstance(e.index, ir.Const) and isinstance(e.index.value, str):
                key = e.index.value
                if secret_name(key) or _HEADER_KEYS.match(key) or (_COOKIE_KEYS.match(key) and _headers(e.value)):
                    return key, e
            return self.find(e.value, depth + 1) if not isinstance(e.value, (ir.Name, ir.Attr)) else None
        if isinstance(e, ir.DictExpr):
            for k, v in zip(e.keys, e.values):
                found = self.find(v, depth + 1)
                if found:
                    return found
                if isinstance(k, ir.Const) and isinstance(k.value, str) \
                        and (secret_name(k.value) or _HEADER_KEYS.match(k.value)) \
                        and not isinstance(v, ir.Const) and not self.find_masked(v) and not self._constant(v):
                    return k.value, v
            return None
        if isinstance(e, (ir.Compare, ir.BoolOp, ir.UnaryOp)) or (isinstance(e, ir.UnaryOp) and e.op == "not"):
            return None  # a truth value reveals nothing
        for c in e.children():
            found = self.find(c, depth + 1)
            if found:
                return found
        return None

    def find_masked(self, v) -> bool:
        for e in _walk(v):
            if isinstance(e, ir.Call):
                q = e.qualname or e.method or getattr(e.func, "id", "") or ""
                if _MASK.search(q.rsplit(".", 1)[-1]):
                    return True
        return False

    def _constant(self, node) -> bool:
        if not _pure(node):
            return False
        value = self.interp.eval(node)
        return value.is_const


def _is_logger_call(interp, call):
    """'log' for a logging call, or None."""
    q = call.qualname or ""
    if q in _MODULE_FUNCS:
        return "log"
    if call.method not in _LEVELS or not isinstance(call.func, ir.Attr):
        return None
    receiver = call.func.value
    if _pure(receiver):
        value = interp.eval(receiver)
        if any(t.startswith(_LOG_TYPES) or t.endswith(("getLogger()", "get_logger()"))
               for t in value.types):
            return "log"
    text = interp.code(receiver).rsplit(".", 1)[-1].lower()
    if "log" in text and "dialog" not in text and "catalog" not in text and "blog" not in text:
        return "log"
    return None


class SensitiveDataLogged(StatementRule):
    __doc__ = __doc__

    id = "SR702"
    name = "sensitive-data-logged"
    title = "Secret or credential written to logs"
    cwe = 532
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    bandit = ()
    triggers = frozenset(_LEVELS)

    def check_statement(self, interp, stmt):
        t = type(stmt)
        if t is ir.Assign or t in (ir.Evaluate, ir.Return) and stmt.value is not None:
            roots = [stmt.value]
        else:
            return
        for root in roots:
            for e in _walk(root):
                if not isinstance(e, ir.Call):
                    continue
                kind = _is_logger_call(interp, e)
                if kind is None:
                    continue
                args = list(e.args)
                if e.method == "log" or e.qualname == "logging.log":
                    args = args[1:]
                if kind == "log" and args and isinstance(args[0], ir.StringBuild):
                    args = list(args[0].parts) + args[1:]
                elif kind == "log" and args and isinstance(args[0], ir.Const):
                    args = args[1:]
                finder = _Finder(interp)
                for arg in args:
                    found = finder.find(arg)
                    if found:
                        yield self._hit(interp, e, kind, found)
                        break

    def _hit(self, interp, call, kind, found):
        what, node = found
        code = interp.code(call)
        value_code = interp.code(node)
        strong = any(s in what.lower().replace("-", "") for s in _STRONG) or what.startswith("the request")
        label = what if what.startswith("the request") else f"`{value_code}`"
        if what == "the request body":
            confidence = Level.MEDIUM  # a body may hold a password, or a report or a search
        else:
            confidence = Level.HIGH if strong else Level.MEDIUM
        held = "what it may hold" if what.startswith("the request") else "this credential"
        return Hit(
            node=call,
            explanation=(f"`{code}` logs {label} ({_why(what)}): log files and log collectors are kept for "
                         f"a long time and read by far more people than should see {held}."),
            fix=(f"Do not log {label}: log an identifier or that it was present instead, or wrap it as "
                 f"`strutils.mask_password(...)` / `strutils.mask_dict_password(...)` (oslo.utils)."),
            confidence=confidence,
        )


def _why(what: str) -> str:
    low = what.lower()
    if low.startswith("the request"):
        return "it may carry passwords, tokens or session cookies"
    if _HEADER_KEYS.match(what):
        return "an authentication header"
    if _COOKIE_KEYS.match(what):
        return "the session cookies"
    return "named as a secret"
