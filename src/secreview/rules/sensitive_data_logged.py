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
cookies), and, with low confidence (not shown by default), the whole request body
(`request.body`, `request.data`, `request.json`, `req.json_body`,
`request.form`) and the `body` parameter of a request handler (unless a
decorator of the handler, such as `@validation.schema(schema.create)`, validated
it against JSON schemas seen whole none of whose keys looks like a credential's
name); a connection
URL read from the configuration (`CONF.sql_connection`,
`CONF.database.connection`, `transport_url`, `backend_url`), which holds the
database or message-bus password; an oslo.context request context's
`to_dict()` (it includes `auth_token`), unless the function made that context
without a caller's credentials (`req.context = self._get_anonymous_context()`,
`ctxt = context.get_admin_context()` reaching the log); and a local dict whose items, set
earlier in the function, hold a secret (`properties["auth_password"] =
chap_secret` and then `properties` logged), also in a dict among its items
(`properties["data"]["auth_password"] = ...`); such an item (or one stored
under an authentication header's name: `kwargs["headers"]["Authorization"] =
"Bearer " + self.session_key`) is followed with its container into the helpers
it is passed to and out of the functions that return it. A name alone
that only sounds related is not enough: `credentials` (oslo.policy's user,
project and roles), `session_key` (often a routing key), `pass` (a count),
`token_labels`, `secret_uuid`, `token_id`, `token_expires`, nor one that says
it is something else: `path_or_token` (either), `sync_token` (a position in a
change feed), `next_token`/`page_token`/`continuation_token` (a pagination
cursor), `stream_token`/`from_token`/`since_token`/`prev_token`/`after_token` (a
position in an event stream), a parameter annotated `int`, `float` or `bool` (a number
is no credential), the `token` (`request_token`, `resource_owner_key`) parameter of a method of a
subclass of oauthlib's OAuth 1 `RequestValidator` other than `save_request_token` and `save_access_token`
(oauthlib passes the token's key there, which travels in the clear in every signed request; those two
get the whole token, secret included, and are reported), `idempotency_token`, `collection_by_token` (a mapping),
`permit_create_token` (a setting), `tokens` (a count). Values wrapped in a
masking helper (`oslo_utils.strutils.mask_password`, `mask_dict_password`, or
any function named `mask`/`redact`/`sanitize`/`scrub`/`obfuscate`) are not
reported, nor are derived values that do not reveal the secret (`len(token)`,
`token is None`, a flag named for what something supports or needs: `backend.supports_password`,
`requires_token`, `has_password`; a few characters at one end, up to 12: `token[:3]`, `token[:10]`, also chosen by a
test: `secret[:4] + "..." if secret else None`), a value named for a key that the
function also passes where a file's path goes (`open(key)`,
`ssl_set_private_key_file(CONF.ovn.ovn_sb_private_key)`, `keyfile=`: the key
file's path, not the key), nor, traced, a value named for a key that the function where
it is read and logged joins into a path (`os.path.join(CONF.keys_dir,
CONF.default_secret_key)`: the key file's name; a token or password in a path
still is one), a value the code assigns to a variable named for where or what it is,
not for its content (`private_key_path = creds["ssh_private_key"]`, `key_file`,
`secret_name`, `token_id`: the last word of the name; also a value passed for a parameter so named,
`get_secret_by_name(name=self.config.secret)`: the callee takes the secret's name), a value the message
itself calls a path or a file (`f"Private key path: {config.private_key}"`), constants, and
`print` (a command's output to its own user, such as a setup tool showing the
password it generated).

Secrets are also followed through the code: a value read under a secret's
name (`self.password`, `conf["password"]`, `conn_info.get("auth_password")`,
a parameter `password`) or a connection URL from the configuration is
traced through assignments, string building (`%`, f-strings, `.format`,
`join`), lists, tuples and dicts, copies, `str()`/`json.dumps()`, returns of
the reviewed code and its parameters, and reported at the log call it reaches:
a command line built with `password=%s` and logged when the command fails,
`CONF.sql_connection` passed to a helper that logs its `connection`
parameter. A secret does not survive a call the analysis cannot see into (a
hash, an encryption, an HTTP request: their results are not the secret), nor
the removal of its item before the log (`kwargs.pop('password')`,
`del kwargs['password']`, `kwargs.items() - {'password': ...}.items()`,
`{k: v for k, v in kwargs.items() if k != 'password'}`, the branch of
`if 'password' in kwargs:` where it is absent: a caller's `password=` keyword
does not reach the log), nor an operand of `param or ...` that a caller's
true constant for `param` skips (`msg = msg_on_fail or f'... {kwargs}'` called
with `msg_on_fail='Authentication failed.'`), nor
`strutils.mask_password`/`mask_dict_password` or a function of the reviewed
code named for hiding secrets (`scrub_headers(headers)`, `mask_dict_password`,
`_redact(...)`: a word of its name starts with `mask`, `redact`, `scrub`,
`sanitiz`, `obfuscat` or `censor`; not `unmask`) or returning, on some way out, a mask
in place of what it was given (`display_log_value(attr, value)` with a `return '********'`: a
helper written to hide secrets, whatever its name), nor text whose every occurrence of the secret
is replaced (`url.replace(f"{user}:{password}@", "")`, `text.replace(token, "***")`: the needle
carries the secret and the replacement does not), nor a local copy whose
secret items a loop over their constant keys replaces with a constant (`for key in
("access_token", "refresh_token"): log_token[key] = "REDACTED"`), nor the part beside the
secret when a value is split into named parts (`username, password =
pair.split(':')`: `username`, named as an identifier), nor what a function
makes of its parameter named as a secret at a call that gives that parameter
a constant (`_build_with_clause('<SANITIZED>')`, a default `secret='***'`),
nor a read of an identifier
from it: an attribute or key whose last word is `id`, `ids`, `uuid`, `ref`,
`href`, `url`, `name`, `type`, `class`, `count`, `path`, `file`...
(`secret.id`, `secret.project.external_id`, `role["id"]`, `model.__name__`,
`obj.__class__`), nor a value the log's format writes as a number (`"every %d ms", value`: a
secret held as text would make `%d` raise, so what reaches it is a number), nor any other field of
it unless the field holds content (`payload`, `value`, `data`, `key`...) or is named as a secret itself: an OTP
token object's `token.serial` or `token.tokentype` is not the token's secret,
`token.token.otpkey`'s owner is, and a field named for a digest of it
(`secret.secret_hash`, `fingerprint`) is not. The same holds for an item read under a
constant key from a record whose items are no longer known one by one (a dict
holding `'san_private_key'`, kept in a list and read back:
`remote_target['iscsi_ips']` is a field beside the key, not the key). A class is not a value named as a secret:
`models.ContainerSecret` (a CapWords attribute) is not followed. Nor is a local whose every assignment in its
function is a directory or path (`pwd = self.working_dir`, `pwd = os.getcwd()`: the working directory, as
the shell's `pwd` says), nor a local the function looks a secret up by (`for secret in keys:
client.get_secret(secret).value`: what a getter named for that secret takes is its name), nor a value
the function makes of its own constants alone, however it is named
(`printed_password = ""` then `printed_password += "*"` for each character of the password: a mask),
nor a value logged in the handler of a lookup that found nothing (`except NoResultFound:`, `except
User.DoesNotExist:`, or of a check that found the token's signature bad: `except signing.BadSignature:`,
`InvalidToken`, `jwt.DecodeError`) whose `try` gave it to a call (`filter_by(token=token).one()`,
`unsign(token)`): it matched no record or failed to verify, so
it is nobody's secret (mistyped, expired or guessed), and logging the failed attempt is how such lookups are
audited.

**Confidence:** high for a traced value named as a password, passphrase,
secret or private key; low (not shown by default) for a value named
`*token*` without a word saying it authenticates someone (`auth_token`,
`access_token`, `api_token`, `session_token`, `csrf_token`, `repo_token`...
are medium), unless it is read in code about authentication (a path with
`auth`, `token`, `oauth`, `login`, `session`, `identity`...: there a bare
`token` is the credential): judged on real code over seven panels, the 8 real findings
among 48 logged `*token*` values were `auth_token` and a `repo_token`, while
`self.token`, `new_token`, `last_token`, `client_token` (39 false) were
stream positions, parser tokens, rows and identifiers. Low also for a trace
that passes through a call whose code is not reviewed, taken to return what
it is given (`jwt.decode(token)`), wherever in the trace that call is.

**Fix:** log that the credential was used, not its value: drop it from the
arguments, log an identifier (`user.id`, a key id, the last 4 characters),
or wrap the value in `strutils.mask_password(...)` /
`strutils.mask_dict_password(...)`.
"""

import re

from secreview.analysis import values as V
from secreview.analysis.percent_format import NUMERIC_CONVERSIONS, PERCENT_SPEC
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.nodes import is_pure as _pure
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import bindings, expressions
from secreview.rules.base import Hit, SinkRule, StatementRule
from secreview.rules.weak_random import name_words
from secreview.rules.words import POSITION_WORDS, identifier_words

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
_BODY_ATTRS = frozenset({"body", "data", "json", "json_body", "form", "POST", "get_json", "text", "content", "stream",
                         "headers", "META", "environ", "cookies", "COOKIES"})
# Configuration options holding a connection URL, which carries the password of the database or
# message bus (``mysql+pymysql://nova:PASSWORD@db/nova``), read from a configuration object.
_URL_OPTIONS = frozenset({"connection", "sql_connection", "slave_connection", "transport_url", "backend_url",
                          "connection_string", "connection_url", "backend_argument", "database_connection"})
# Names whose value is the secret itself (last name part), for values followed through the code.
_SOURCE_WORDS = {"password": "password", "passwd": "password", "pwd": "password", "passphrase": "passphrase",
                 "secret": "secret", "token": "token", "apikey": "API key", "secretkey": "secret key",
                 "privatekey": "private key"}
_SOURCE_PAIRS = {("api", "key"): "API key", ("secret", "key"): "secret key", ("private", "key"): "private key",
                 ("encryption", "key"): "encryption key", ("auth", "key"): "authentication key"}
_CONTEXT_NAMES = ("context", "ctx", "ctxt")
_STRONG = ("password", "passwd", "pwd", "passphrase", "secret", "private", "authorization", "cookie")
# A logged name is a credential only with one of these words or pairs: ``credentials`` (oslo.policy's
# user/project/roles), ``session_key`` (a routing key), ``pass`` (a count of passes) are not enough.
# not ``tokens``: a count of a language model's tokens, a lexer's, a list of OTP token objects
_CREDENTIAL_WORDS = frozenset({"password", "passwords", "passwd", "passphrase", "pwd", "passcode", "secret", "secrets",
                               "token", "apikey", "privatekey", "secretkey", "authtoken", "bearer",
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
                                   "masked", "redacted",
                                   # a flag saying what something does or asks for (flux-restful's
                                   # ``backend.supports_password``, a boolean: judged false on panel BA)
                                   "supports", "support", "requires", "require", "needs", "need", "uses", "can",
                                   "should", "must", "accepts", "accept"})
# Words that make a secret-sounding name something else: ``path_or_token`` (either), a WebDAV or Kobo
# ``sync_token`` (a position in a change feed), a ``stream_token``/``from_token``/``since_token``/
# ``prev_token`` (a position in an event stream: judged false 8 times on panel H), an API's
# ``nextToken``/``page_token`` (a pagination cursor), ``permit_create_token`` (a setting),
# ``token_permissions``, ``collection_by_token`` (a mapping keyed by tokens).
_NOT_CREDENTIAL_ANY = frozenset({"or", "by", "paging", "pagination", "continuation", "idempotency", "permit",
                                 "permission", "permissions", "allow", "allowed", "create", "enable", "enabled",
                                 "disable", "disabled"}) | POSITION_WORDS
_KEY_QUALIFIERS = frozenset({"secret", "private", "api", "signing", "encryption", "auth"})


_VALUE_WORDS = frozenset({"value", "val", "str", "string", "bytes", "raw", "plain", "plaintext", "text", "b64",
                          "hex", "encoded", "clear", "cleartext"})


# Last words of a name read from a secret that identify it rather than hold it: ``secret.id``,
# ``secret.project.external_id``, ``role["id"]``, ``model.__name__``, ``secret_ref``, ``key_path``.
_IDENTIFIER_LAST = frozenset({"id", "ids", "uuid", "uuids", "ref", "refs", "href", "url", "uri", "name", "names",
                              "qualname", "type", "class", "count", "len", "path", "file", "module",
                              # fields that sit beside a secret in a record, never the secret itself
                              "username", "user", "login", "email", "description", "label", "title", "serial",
                              "dn", "timeout", "region", "realm", "domain", "address", "ip",
                              # the parts of a connection URL that are not its credentials
                              "scheme", "hostname", "host", "port", "drivername", "dialect", "database"})


def identifier_name(name: str) -> bool:
    """A name read from a value (attribute, constant key) that identifies it and does not hold its
    content: the last word is ``id``, ``uuid``, ``ref``, ``href``, ``url``, ``name``, ``type``,
    ``class``, ``count``, ``path``... (``secret.id``, ``external_project_id``, ``__name__``,
    ``__class__``), unless the name itself holds a credential or a connection URL."""
    if not isinstance(name, str) or secret_name(name) or name in _URL_OPTIONS:
        return False
    words = name_words(name)
    return bool(words) and words[-1] in _IDENTIFIER_LAST


# Attributes of a secret that hold (part of) its content, beside names that are secrets themselves.
_CONTENT_WORDS = frozenset({"value", "val", "values", "raw", "data", "payload", "plaintext", "plain", "content",
                            "contents", "bytes", "text", "string", "str", "hex", "b64", "base64", "encoded",
                            "decoded", "body", "material", "blob", "secret", "secrets", "key", "keys", "credential",
                            "credentials", "creds", "auth", "headers", "environ", "params", "args", "kwargs",
                            "dict", "json", "items", "get", "copy", "encode", "decode", "strip", "lower", "upper",
                            "format", "split", "join", "replace", "hexdigest", "read", "getvalue"})


def content_attribute(name: str) -> bool:
    """An attribute read from a value named as a secret that may still hold the secret: a secret's
    own name (``token.token``, ``creds.password``), a connection URL option, or a word for content or
    a string method (``secret.payload``, ``key.value``, ``token.encode``). Any other attribute is a
    field of the object the secret-sounding name denotes (an OTP token's ``serial``, ``tokentype``,
    ``created_at``), not the secret."""
    if not isinstance(name, str):
        return True
    if secret_name(name) or name in _URL_OPTIONS or name.startswith("__"):
        return True
    words = list(name_words(name))
    if words and words[-1] in _DIGEST_WORDS:
        return False  # ``secret.secret_hash``: a one-way digest a scanner keys its findings by, not the secret
    return any(w in _CONTENT_WORDS for w in words)


_DIGEST_WORDS = frozenset({"hash", "hashes", "digest", "fingerprint", "checksum", "sha1", "sha256", "md5"})


def class_name(name: str) -> bool:
    """A CapWords name (``ContainerSecret``, ``SecretStoreMetadatum``): by PEP 8 a class, not a
    value holding a secret."""
    return isinstance(name, str) and name[:1].isupper() and "_" not in name and not name.isupper() \
        and any(c.islower() for c in name)


def secret_name(name: str) -> bool:
    """A logged name that holds a credential itself (``password``, ``auth_token``, ``api_key``,
    ``token_value``): the name ends with the credential word or pair. Not one that only sounds related
    (``credentials``, ``session_key``, ``secret_uuid``, ``token_labels``, ``_secret_cache_duration``)."""
    if not isinstance(name, str) or len(name) > 60:
        return False
    words = list(name_words(name))
    while len(words) > 1 and words[-1] in _VALUE_WORDS:
        words.pop()
    if not words or words[0] in _NOT_CREDENTIAL_FIRST or any(w in _NOT_CREDENTIAL_ANY for w in words):
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
        self.held_item = None  # the key, when what was found is an item of a logged dict

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
            if e.method == "to_dict" and not e.args and _context_like(self.interp, e.func.value):
                return "the request context", e
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
            if secret_name(e.id) and not self._constant(e) and not self._path(e) and not self._number(e) \
                    and not _oauth1_token_key(self.interp.program, self.interp.fn, e.id) \
                    and not _masked_by_loop(self.interp.fn, e.id) and not _bound_to_location(self.interp.fn, e.id) \
                    and not _lookup_key(self.interp.fn, e.id):
                return e.id, e
            return self._held(e)
        if isinstance(e, ir.Attr):
            if e.attr in _BODY_ATTRS and _request_like(e.value):
                return ("the request headers" if e.attr in ("headers", "META", "environ") else
                        "the request cookies" if e.attr in ("cookies", "COOKIES") else "the request body"), e
            if secret_name(e.attr) and not class_name(e.attr) and e.qualname is None and not self._constant(e) \
                    and not self._path(e):
                return e.attr, e
            if e.attr in _URL_OPTIONS and _config_object(e.value):
                return "the connection URL", e
            return None
        if isinstance(e, ir.Subscript):
            if isinstance(e.index, ir.Const) and isinstance(e.index.value, str):
                key = e.index.value
                if (secret_name(key) or _HEADER_KEYS.match(key) or (_COOKIE_KEYS.match(key) and _headers(e.value))) \
                        and not self._constant(e):
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
        if isinstance(e, ir.IfExp):
            # ``secret[:4] + "..." if secret else None``: the test only chooses, what is logged is a branch
            return self.find(e.body, depth + 1) or self.find(e.orelse, depth + 1)
        if isinstance(e, ir.StringBuild) and e.kind in ("fstring", "concat"):
            for part in _unlabelled(list(e.parts)):
                found = self.find(part, depth + 1)
                if found:
                    return found
            return None
        for c in e.children():
            found = self.find(c, depth + 1)
            if found:
                return found
        return None

    def _held(self, e: ir.Name):
        """A local whose known items hold a secret under its name (``properties["auth_password"] =
        chap_secret`` then ``properties`` logged), or a request handler's ``body`` parameter."""
        if e.kind != ir.NameKind.LOCAL:
            return None
        entry = self.interp.entry
        if e.id == "body" and entry is not None and entry[0] == "remote" \
                and any(p.name == "body" for p in self.interp.fn.params) and e.id not in _assigned(self.interp.fn) \
                and not _schemas_name_no_secret(self.interp, entry[2]):
            return "the request body", e
        key = _secret_item(self.interp.eval(e))
        if key is not None:
            self.held_item = key
            return key, e
        return None

    def _number(self, e: ir.Name) -> bool:
        """A parameter annotated as a number or flag (``token: int``, a stream position): no credential."""
        return any(p.name == e.id and ir.number_annotation(p.annotation) for p in self.interp.fn.params)

    def _path(self, e) -> bool:
        """Whether the function also gives the value read as ``e`` (the same code) where a file's path goes:
        ``open(key)``, ``ssl_set_private_key_file(CONF.ovn.ovn_sb_private_key)``, ``load_cert_chain(keyfile=k)``.
        A value named for a key that is opened as a file is the key file's path, not the key."""
        paths = _path_arguments(self.interp)
        return bool(paths) and self.interp.code(e) in paths

    def find_masked(self, v) -> bool:
        for e in _walk(v):
            if isinstance(e, ir.Call):
                q = e.qualname or e.method or getattr(e.func, "id", "") or ""
                if _MASK.search(q.rsplit(".", 1)[-1]):
                    return True
        return False

    def _constant(self, node) -> bool:
        """Made of the code's own constants only (``printed = ""`` then ``printed += "*"`` for each
        character of the password: a mask), holding no traced data."""
        if not _pure(node):
            return False
        value = self.interp.eval(node)
        return (value.is_fixed and not value.taints) or _items_stored_constant(self.interp, node)


# oauthlib's OAuth 1 validator: the framework calls these methods with the token's *key* (``oauth_token``,
# sent in the clear in every signed request and in the authorisation URL) as ``token``/``request_token``;
# only its two ``save_*`` methods get the whole token, with ``oauth_token_secret``.
_OAUTH1_VALIDATORS = frozenset({"oauthlib.oauth1.RequestValidator",
                                "oauthlib.oauth1.rfc5849.request_validator.RequestValidator"})
_OAUTH1_KEY_PARAMS = frozenset({"token", "request_token", "resource_owner_key"})
_OAUTH1_WHOLE_TOKEN = frozenset({"save_request_token", "save_access_token"})


def _oauth1_token_key(program, fn, name: str) -> bool:
    """``name`` is a parameter of ``fn``, a method of an oauthlib OAuth 1 ``RequestValidator`` subclass, that the
    framework gives the token's public key, not its secret."""
    if name not in _OAUTH1_KEY_PARAMS or not fn.is_method or fn.name in _OAUTH1_WHOLE_TOKEN \
            or name in _assigned(fn) or not any(p.name == name for p in fn.params):
        return False
    return program is not None and any(program.derives_from(fn.class_qualname, base) for base in _OAUTH1_VALIDATORS)


def _items_stored_constant(interp, node) -> bool:
    """``self.authentication['printedPassword'] = ''`` then ``... += '*'`` for each character: an item under a
    constant key of an attribute, which the function stores, and stores only constant text into (as a mask is
    built), read back in the same function (the analysis keeps no state for items of attributes)."""
    if not (isinstance(node, ir.Subscript) and isinstance(node.index, ir.Const) and isinstance(node.value, ir.Attr)):
        return False
    code = interp.code(node)
    stores = [stmt for stmt in interp.fn.statements() if type(stmt) is ir.Assign
              and any(isinstance(t, ir.ItemTarget) and interp.code(t) == code for t in stmt.targets)]
    return bool(stores) and all(isinstance(stmt.value, ir.Const) and isinstance(stmt.value.value, str)
                                for stmt in stores)


_LOCATION_LABEL = re.compile(r"(?i)\b(?:path|file|filename|file name|directory|dir|folder|location)\s*[:=]\s*$")


def _unlabelled(parts: list) -> list:
    """The parts of a message built from ``parts`` but those the text before calls a path or a file
    (``f"  Private key path: {config.tunnel.private_key}"``, webquizplus, panel AN): a value named for a key is
    then where the key is kept, not the key."""
    return [part for before, part in zip([None, *parts], parts) if not _labelled_location(before)]


def _labelled_location(e) -> bool:
    """Constant text that ends by naming what follows a path or a file (``"Private key path: "``, ``"key
    file="``)."""
    return isinstance(e, ir.Const) and isinstance(e.value, str) and bool(_LOCATION_LABEL.search(e.value))


_PATH_FUNCS = frozenset({"builtins.open", "io.open", "codecs.open", "os.open", "os.stat", "os.path.exists",
                         "os.path.isfile", "os.path.getsize", "pathlib.Path", "os.chmod", "os.access"})
_PATH_WORDS = frozenset({"file", "filename", "path", "keyfile", "certfile", "pem", "filepath"})
# ``save_to_file(token)``, ``write_file(path, secret)``: the value goes into the file, it does not name it
_WRITES = frozenset({"write", "save", "store", "dump", "put", "send", "upload", "append", "to"})
_path_memo: dict = {}


_LOCATION_WORDS = frozenset({"dir", "directory", "path", "cwd", "folder", "workdir"})
_CURRENT_DIRECTORY = frozenset({"os.getcwd", "os.getcwdb", "pathlib.Path.cwd"})


def _bound_to_location(fn, name: str) -> bool:
    """``pwd = self.working_dir``, ``pwd = os.getcwd()``: every value the function assigns to ``name`` is named
    for a directory or path, or is the current directory, so a name that may say password (``pwd``) is the
    working directory here."""
    values = [stmt.value for stmt in bindings(fn, name)]
    return bool(values) and all(
        (isinstance(v, ir.Call) and v.qualname in _CURRENT_DIRECTORY)
        or (isinstance(v, (ir.Name, ir.Attr))
            and _LOCATION_WORDS.intersection(identifier_words(v.id if isinstance(v, ir.Name) else v.attr)))
        for v in values)


_LOOKUP_VERBS = frozenset({"get", "fetch", "read", "load", "lookup", "retrieve", "resolve", "find"})


def _lookup_key(fn, name: str) -> bool:
    """``for secret in keys: secrets[secret] = client.get_secret(secret).value``: the function passes the local
    ``name`` as the first argument of a getter named for the very secret its name says (``get_secret``,
    ``fetch_password``, ``read_token``), so it holds what the secret is looked up by (its name), not the secret."""
    words = list(name_words(name))
    if not words:
        return False
    kind = words[-1]
    for stmt in fn.statements():
        for expr in expressions(stmt):
            for e in ir.walk(expr):
                if not isinstance(e, ir.Call) or not e.args or not isinstance(e.args[0], ir.Name) \
                        or e.args[0].id != name:
                    continue
                func = e.func
                called = func.attr if isinstance(func, ir.Attr) else func.id if isinstance(func, ir.Name) else ""
                parts = list(name_words(called or ""))
                if len(parts) >= 2 and parts[0] in _LOOKUP_VERBS and parts[-1] in (kind, kind + "s"):
                    return True
    return False


def _masked_by_loop(fn, name: str) -> bool:
    """``for key in ("access_token", "refresh_token"): log_token[key] = "REDACTED"``: the function replaces
    items of the local ``name`` with a constant under keys taken from a constant list of names, one of which
    names a secret. What is logged is the copy with those items masked (its items are not known one by one,
    so the taint of what was copied into it stays on the whole copy, though the secrets were replaced)."""
    memo = _masked_memo.get(id(fn))
    if memo is None or memo[0] is not fn:
        if len(_masked_memo) > 256:
            _masked_memo.clear()
        memo = _masked_memo[id(fn)] = (fn, _masked_locals(fn))
    return name in memo[1]


_masked_memo: dict = {}


def _masked_locals(fn) -> frozenset:
    """The locals of ``fn`` that ``_masked_by_loop`` says are masked copies."""
    loops = {}  # loop variable -> the constant names it runs over
    masked = []  # (local, loop variable used as a key to store a constant into it)
    for stmt in fn.statements():
        if type(stmt) is not ir.Assign:
            continue
        value = stmt.value
        for target in stmt.targets:
            if isinstance(target, ir.NameTarget) and isinstance(value, ir.IterElement) \
                    and isinstance(value.iterable, ir.Container) and value.iterable.elts \
                    and all(isinstance(e, ir.Const) and isinstance(e.value, str) for e in value.iterable.elts):
                loops[target.id] = [e.value for e in value.iterable.elts]
            elif isinstance(target, ir.ItemTarget) and isinstance(target.value, ir.Name) \
                    and isinstance(target.index, ir.Name) and isinstance(value, ir.Const):
                masked.append((target.value.id, target.index.id))
    return frozenset(local for local, var in masked if any(secret_name(k) for k in loops.get(var, ())))


_JOINS = frozenset({"os.path.join", "posixpath.join", "ntpath.join", "pathlib.Path", "pathlib.PurePath"})
_SOURCE_NOTE = re.compile(r"`([^`]+)`: a value named as an? ([\w ]+)")


def _key_file_name(taint, site) -> bool:
    """The secret traced is a value named for a key (``default_secret_key``, ``san_private_key``) that the
    function holding the log call, where it is read, joins into a file's path (``os.path.join(dir, it)``,
    ``Path(dir, it)``) or passes where a path goes (``SensitiveDataLogged.site_use``): such an option names
    the file the key is kept in; the key itself is what is read from that file. Not a password or a token,
    which a path may well carry."""
    use = site.use
    step = taint.step
    if not use or use[0] != "paths" or step is None:
        return False
    first = step.steps()[0]
    if first.path != site.path or not (use[1] <= first.line <= use[2]):
        return False
    m = _SOURCE_NOTE.match(first.note)
    if m is None or not m.group(2).endswith("key") or m.group(2) == "API key":
        return False
    return m.group(1) in use[3]


_NOTHING_MATCHED = ("NoResultFound", "DoesNotExist", "ObjectDoesNotExist",
                   # a signature or token that did not verify (django-sesame's ``except signing.BadSignature:``, judged
                   # false on panel AS; not an expired one, which verified and may be accepted again)
                   "BadSignature", "InvalidSignature", "InvalidSignatureError", "InvalidToken", "InvalidTokenError",
                   "DecodeError", "BadData", "BadTimeSignature", "InvalidKeyError")


def _unmatched_lookup(interp, node, arg_node) -> bool:
    """The log call is in the handler of a lookup that found nothing (``except NoResultFound:``, ``except
    User.DoesNotExist:``), and every variable the value logged names was given to a call of that ``try``
    (``.filter_by(token=token).one()``): the value matched no record, so it is nobody's secret (a mistyped or
    expired one, or a guess), and logging the failed attempt is how such lookups are audited."""
    names = {e.id for e in _walk(arg_node) if isinstance(e, ir.Name)}
    if not names:
        return False
    lines = interp.module.lines
    for handler in interp.fn.handlers:
        if not handler.types or not all(
                (getattr(t, "qualname", None) or getattr(t, "attr", None) or getattr(t, "id", None) or "")
                .rsplit(".", 1)[-1] in _NOTHING_MATCHED for t in handler.types):
            continue
        if not (handler.line < node.line <= _handler_end(lines, handler.line)):
            continue
        first, last = handler.try_lines
        looked_up = set()
        for stmt in interp.fn.statements():
            if first <= stmt.line <= last:
                for root in _statement_roots(stmt):
                    for e in _walk(root):
                        if isinstance(e, ir.Call):
                            looked_up.update(a.id for a in list(e.args) + [k.value for k in e.keywords]
                                             if isinstance(a, ir.Name))
        if names <= looked_up:
            return True
    return False


def _handler_end(lines, line: int) -> int:
    """The last line of the ``except`` clause on ``line`` (1-based), by indentation."""
    if lines is None or line > len(lines):
        return line
    head = lines[line - 1]
    indent = len(head) - len(head.lstrip())
    end = line
    for number in range(line + 1, len(lines) + 1):
        text = lines[number - 1]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if len(text) - len(text.lstrip()) <= indent:
            break
        end = number
    return end


def _statement_roots(stmt):
    value = getattr(stmt, "value", None)
    return (value,) if isinstance(value, ir.Expr) else ()


_joined_memo: dict = {}


def _joined_parts(interp) -> frozenset:
    """The code of every argument the current function joins into a file's path (``os.path.join``,
    ``pathlib.Path``), its first one (the folder) included."""
    fn = interp.fn
    memo = _joined_memo.get(id(fn))
    if memo is not None and memo[0] is fn:
        return memo[1]
    found = set()
    for stmt in interp.fn.statements():
        for root in (getattr(stmt, "value", None), getattr(stmt, "test", None)):
            if isinstance(root, ir.Expr):
                for c in _walk(root):
                    if isinstance(c, ir.Call) and c.qualname in _JOINS:
                        found.update(interp.code(a) for a in c.args)
    if len(_joined_memo) > 256:
        _joined_memo.clear()
    result = frozenset(found)
    _joined_memo[id(fn)] = (fn, result)
    return result


def _path_arguments(interp) -> frozenset:
    """The code of every argument the current function passes where a file's path goes: to ``open()``
    and the path functions of ``os``, to a function or keyword whose name ends in ``file``/``path``
    (``ssl_set_private_key_file(x)``, ``keyfile=x``)."""
    fn = interp.fn
    memo = _path_memo.get(id(fn))
    if memo is not None and memo[0] is fn:
        return memo[1]
    found = set()
    for stmt in fn.statements():
        for root in (getattr(stmt, "value", None), getattr(stmt, "test", None)):
            if not isinstance(root, ir.Expr):
                continue
            for c in _walk(root):
                if not isinstance(c, ir.Call):
                    continue
                name = c.qualname or c.method or getattr(c.func, "id", "") or ""
                words = name_words(name.rsplit(".", 1)[-1])
                if c.qualname in _PATH_FUNCS or (words and words[-1] in _PATH_WORDS
                                                 and not _WRITES.intersection(words)):
                    found.update(interp.code(a) for a in c.args[:1])
                for k in c.keywords:
                    kw = name_words(k.name) if k.name else ()
                    if kw and kw[-1] in _PATH_WORDS:
                        found.add(interp.code(k.value))
    if len(_path_memo) > 256:
        _path_memo.clear()
    result = frozenset(found)
    _path_memo[id(fn)] = (fn, result)
    return result


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
    if logger_name(interp.code(receiver).rsplit(".", 1)[-1]):
        return "log"
    return None


_MASK_STEMS = ("mask", "redact", "sanitiz", "scrub", "obfuscat", "censor")


def masking_name(name: str) -> bool:
    """A function named for hiding secrets in what it returns: a word of its name starts with ``mask``,
    ``redact``, ``scrub``, ``sanitiz``, ``obfuscat``, ``censor`` (``mask_dict_password``, ``scrub_headers``,
    ``_redact``), or it says ``hide``/``strip`` secrets; not ``unmask`` nor ``get_netmask``."""
    words = identifier_words(name)
    return any(w.startswith(_MASK_STEMS) for w in words) or any(
        a in ("hide", "strip", "remove") and b in ("secret", "secrets", "password", "passwords", "credentials")
        for a, b in zip(words, words[1:]))


def logger_name(name: str) -> bool:
    """A receiver's last name that says it is a logger (``LOG``, ``self.logger``), not a dialog, a catalog
    or a blog."""
    text = name.lower()
    return "log" in text and "dialog" not in text and "catalog" not in text and "blog" not in text


def _source_what(name: str) -> str | None:
    """What a value read under ``name`` is, when its name says it is the secret itself."""
    if not secret_name(name):
        return None
    words = identifier_words(name)
    if not words:
        return None
    if words[-1] in _SOURCE_WORDS:
        return _SOURCE_WORDS[words[-1]]
    if len(words) > 1 and (words[-2], words[-1]) in _SOURCE_PAIRS:
        return _SOURCE_PAIRS[(words[-2], words[-1])]
    return None


_CONFIG_NAMES = frozenset({"conf", "config", "configuration", "cfg"})


def _config_object(e) -> bool:
    """``CONF``, ``cfg.CONF.database``, ``self.conf``, ``self.configuration``: configuration."""
    while isinstance(e, ir.Attr):
        if (e.qualname or "").startswith("oslo_config.") or e.attr.lower() in _CONFIG_NAMES:
            return True
        e = e.value
    return isinstance(e, ir.Name) and ((e.qualname or "").startswith("oslo_config.")
                                       or e.id.lower() in _CONFIG_NAMES)


def _context_like(interp, e) -> bool:
    """An oslo.context request context (its ``to_dict()`` holds ``auth_token``), not one the function made
    without a caller's credentials (``_tokenless_context``)."""
    if _tokenless_context(interp, e):
        return False
    if _pure(e):
        value = interp.eval(e)
        if any(t.startswith("oslo_context.") or t.endswith(".RequestContext") for t in value.types):
            return True
    name = e.id if isinstance(e, ir.Name) else e.attr if isinstance(e, ir.Attr) else ""
    return name.lower().endswith(_CONTEXT_NAMES)


_TOKENLESS_WORDS = frozenset({"anonymous", "anon", "admin", "unauthenticated", "noauth"})


def _tokenless_context(interp, e) -> bool:
    """Whether the context ``e`` (``req.context``, ``ctx``) logged at the statement being run was made without a
    caller's credentials: the assignment to it that reaches the log (the last one before it in its straight run
    of statements; else every one of the function) is a call whose name says so: ``req.context =
    self._get_anonymous_context()``, ``ctxt = context.get_admin_context()`` (an administrator context the
    service makes for itself carries no token)."""
    if isinstance(e, ir.Name):
        def same(t):
            return isinstance(t, ir.NameTarget) and t.id == e.id
    elif isinstance(e, ir.Attr) and isinstance(e.value, ir.Name):
        def same(t):
            return isinstance(t, ir.AttrTarget) and t.attr == e.attr and isinstance(t.value, ir.Name) \
                and t.value.id == e.value.id
    else:
        return False
    fn = interp.fn
    block = next((b for b in fn.blocks if b.id == interp.block_id), None)
    before = []
    if block is not None and interp.stmt in block.stmts:
        before = [s for s in block.stmts[:block.stmts.index(interp.stmt)]
                  if isinstance(s, ir.Assign) and any(same(t) for t in s.targets)]
    assignments = before[-1:] or [s for s in fn.statements()
                                  if isinstance(s, ir.Assign) and any(same(t) for t in s.targets)]
    for stmt in assignments:
        call = stmt.value
        name = (call.qualname or call.method or "").rsplit(".", 1)[-1] if isinstance(call, ir.Call) else ""
        words = identifier_words(name)
        if not (set(words) & _TOKENLESS_WORDS and "context" in words):
            return False
    return bool(assignments)


def _schemas_name_no_secret(interp, ep) -> bool:
    """Whether a handler's ``body`` was validated (its entry point's ``validated`` decorators, such as
    ``@validation.schema(schema.create)``) against JSON schemas the analysis sees whole, none of whose
    keys (property names included) looks like a credential's: such a body holds none to log."""
    decorators = {d for names, params, _ in ep.validated if "body" in params for d in names}
    seen = False
    for d in interp.fn.decorators if decorators else ():
        if isinstance(d, ir.Call) and getattr(d.func, "qualname", None) in decorators:
            if not d.args or not _names_no_secret(interp.eval(d.args[0]), 0):
                return False
            seen = True
    return seen


# JSON Schema keywords whose value is text or numbers, never a schema with property names of its own
# (a ``pattern`` built by a function is not seen whole, and needs not be)
_SCHEMA_TEXT_KEYWORDS = frozenset({"pattern", "format", "type", "description", "title", "minLength", "maxLength",
                                   "minimum", "maximum", "minItems", "maxItems", "uniqueItems", "$ref"})
_SCALARS = frozenset({"builtins.str", "builtins.int", "builtins.float", "builtins.bool"})
_SECRET_LIKE = re.compile(r"(?i)pass|secret|token|key|credential|auth|cert|cookie|private|session|signature")


def _names_no_secret(value, depth: int) -> bool:
    """Whether a value is known whole (constants, dicts and lists of them) and no key in it looks like
    a credential's name (broadly: ``adminPass``, ``auth_key``, ``keypair``)."""
    if value.is_const or (value.items is None and value.types and value.types <= _SCALARS):
        return True  # (a pattern built by a function: text, not a schema)
    if value.items is None or depth > 16:
        return False
    return all((not isinstance(key, str) or not _SECRET_LIKE.search(key))
               and ((key in _SCHEMA_TEXT_KEYWORDS and item.items is None) or _names_no_secret(item, depth + 1))
               for key, item in value.items.items())


def _assigned(fn) -> frozenset:
    return frozenset(t.id for stmt in fn.statements() if isinstance(stmt, ir.Assign)
                     for t in stmt.targets if isinstance(t, ir.NameTarget))


# Words that make a ``*_token`` a credential. Judged on real code over seven panels (docs/precision.md,
# ninth session): of 48 logged values named ``*token*``, the 8 real ones were ``auth_token`` (also
# ``context.auth_token``) and a ``repo_token``; ``self.token``, ``new_token``, ``last_token``,
# ``client_token``, ``orm_token``, ``integration_token``... (39 false) were stream positions, parser
# tokens, database rows and identifiers.
_TOKEN_QUALIFIERS = frozenset({"auth", "authentication", "access", "refresh", "bearer", "api", "session", "csrf",
                               "xsrf", "admin", "service", "oauth", "oauth2", "jwt", "id", "reset", "repo",
                               "personal", "bot", "app", "registration", "invite", "invitation", "activation",
                               "verification", "login", "identity", "keystone", "trust", "federation"})


def _unqualified_token(origin: str) -> bool:
    """The trace's first note names a value ``*token*`` with no word saying it authenticates someone."""
    m = re.match(r"`([^`]+)`", origin)
    if m is None:
        return False
    last = m.group(1).rsplit(".", 1)[-1]
    words = name_words(last)
    return "token" in words and not any(w in _TOKEN_QUALIFIERS for w in words)


_AUTH_PATH_WORDS = frozenset({"auth", "authn", "authentication", "token", "tokens", "oauth", "oauth2", "login",
                              "session", "sessions", "identity", "credential", "credentials", "keystone"})


def _about_authentication(path: str) -> bool:
    """The token is read in code whose subject is authentication (``keystone/token/provider.py``,
    ``middleware/auth_context.py``, ``oauth/provider.py``): there a bare ``token`` is the credential."""
    words = set(re.split(r"[^a-z0-9]+", path.lower().removesuffix(".py")))
    return bool(words & _AUTH_PATH_WORDS) or any(w.startswith(("auth", "oauth", "token")) for w in words)


class SensitiveDataLogged(SinkRule, StatementRule):
    __doc__ = __doc__

    id = "SR702"
    attack_material = True
    name = "sensitive-data-logged"
    title = "Secret or credential written to logs"
    cwe = 532
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    bandit = ()
    triggers = frozenset(_LEVELS)
    # followed through the code: values named as secrets reaching a log call
    sink_kinds = ("log",)
    source_kinds = frozenset({"secret"})
    whole_objects = False
    callers_decide_named = True
    # (said of wherever the log goes: a command-line tool's log may reach only its user's terminal, and "log files
    # are kept" was judged untrue of one, certipy's, on panel AU)
    danger = ("Wherever this log is kept (a file, the system journal, a log collector), it stays for a long time and "
              "is read by far more people than should see this secret.")
    fix = ("Do not log the secret: log an identifier or that it was present, or wrap the value as "
           "`strutils.mask_password(...)` / `strutils.mask_dict_password(...)` (oslo.utils).")

    def named_source(self, name: str):
        what = _source_what(name)
        if what is not None:
            return ("secret", f"a value named as a {what}", False)
        if name in _URL_OPTIONS:
            return ("secret", "a connection URL from the configuration (such URLs usually hold a password)", True)
        if _HEADER_KEYS.match(name):
            return ("secret", "an authentication header", False)  # ``headers["Authorization"] = "Bearer " + key``
        return None

    def other_parameter(self, program, fn, name: str) -> bool:
        return _oauth1_token_key(program, fn, name)

    def identifier_name(self, name: str, attribute: bool = False) -> bool:
        return identifier_name(name) or (attribute and not content_attribute(name))

    def masking_function(self, name: str) -> bool:
        return masking_name(name)

    def reports(self, taint, site) -> bool:
        if V.THROUGH_CALL in taint.cleansed:
            return False  # it went through a call we cannot see into, which may not return it
        if site.use == ("masked",):
            return False  # ``for key in ("access_token", ...): log_token[key] = "REDACTED"``: a masked copy
        if site.use == ("unmatched",):
            return False  # ``except NoResultFound: log.warning("no such token %s", token)``: it matched nothing
        if _key_file_name(taint, site):
            return False  # ``os.path.join(CONF.keys_dir, CONF.default_secret_key)``: the key file's name
        step = taint.step
        # named on the log call itself: the statement check below reports it, with its own words
        return not (step is not None and step.prev is None and step.path == site.path
                    and site.stmt_lines[0] <= step.line <= site.stmt_lines[1])

    def site_use(self, interp, node, arg_node, sink=None):
        """``("masked",)`` when the value logged is a local copy whose secret items a loop over their constant
        keys replaces with a constant (``_masked_by_loop``); else ``("paths", first line, last line, codes)``:
        the code of every value the function holding the log call joins into a file's path or passes where
        one goes (for ``_key_file_name``); None when neither."""
        if isinstance(arg_node, ir.Name) and _masked_by_loop(interp.fn, arg_node.id):
            return ("masked",)
        if arg_node is not None and _unmatched_lookup(interp, node, arg_node):
            return ("unmatched",)
        fn = interp.fn
        codes = _joined_parts(interp) | _path_arguments(interp)
        return ("paths", fn.line, fn.end_line, codes) if codes else None

    def dangerous_part(self, sink, value, node=None, arg_node=None):
        if isinstance(node, ir.Call) and arg_node is not None and _numeric_placeholder(node, arg_node):
            return None  # ``"every %d ms", value``: text would make ``%d`` raise, so a number reaches it
        return value

    def traced_confidence(self, taint) -> Level:
        if super().traced_confidence(taint) is Level.LOW:
            return Level.LOW
        first = taint.step.steps()[0] if taint.step is not None else None
        origin = first.note.lower() if first is not None else ""
        if "connection url" in origin:
            return Level.MEDIUM
        if any(w in origin for w in ("password", "passphrase", "secret", "private")):
            return Level.HIGH
        if _unqualified_token(origin) and not _about_authentication(first.path):
            return Level.LOW
        return Level.MEDIUM

    def whole_trace_confidence(self, step, confidence):
        if confidence is not Level.LOW and step is not None and any(V.ASSUMED in s.note for s in step.steps()):
            # a step through a call whose code is not reviewed, also inside the callee whose parameter
            # reaches the log, also when its note goes on (``...(taken to return what it is given);
            # assigned to `claims```): the finding rests on that guess, as ``traced_confidence`` says
            return Level.LOW
        return confidence

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
                    parts = list(args[0].parts)
                    if args[0].kind in ("fstring", "concat"):
                        parts = _unlabelled(parts)
                    args = parts + args[1:]
                elif kind == "log" and args and isinstance(args[0], ir.Const):
                    args = args[1:]
                finder = _Finder(interp)
                for arg in args:
                    found = finder.find(arg)
                    if found:
                        if isinstance(found[1], ir.Name) and _unmatched_lookup(interp, e, found[1]):
                            break  # (a token that matched nothing or failed to verify: as for a traced one)
                        yield self._hit(interp, e, kind, found, finder.held_item)
                        break

    def _hit(self, interp, call, kind, found, held_item=None):
        what, node = found
        code = interp.code(call)
        value_code = interp.code(node)
        strong = any(s in what.lower().replace("-", "") for s in _STRONG) or what.startswith("the request")
        label = f"`{value_code}`" if not what.startswith("the request") \
            else "the request context" if what == "the request context" else what
        # a body may hold a password, or a report or a search; a name that only may say secret: judged on
        # real code (docs/precision.md, sixth session), 3 of 12 such findings were worth a look, none real
        if what == "the connection URL":
            confidence = Level.MEDIUM  # usually holds the database's password (a known OpenStack defect)
        else:
            confidence = Level.HIGH if strong and what != "the request body" else Level.LOW
        held = "what it may hold" if what.startswith("the request") else "this credential"
        logged = f"{label} ({_why(what)})"
        notes = ()
        if held_item is not None:  # ``replacements``, a dict holding ``'auth_token': ...``
            where = _item_set_at(interp.fn, held_item)
            if where is not None:
                logged = f"{label}, whose item `{held_item!r}` (line {where.line}) is {_why(what)}"
                notes = ((where, f"`{held_item!r}` is set here"),)
            else:
                logged = f"{label}, which holds an item named `{held_item}`, {_why(what)}"
        # a parameter logged as it came (``def safe_verify(secret, hash): log.debug(..., secret)``): when every
        # caller in the reviewed code passes a constant there, nothing secret is logged (``callers_decide_named``)
        index = interp.own_param(node)
        needs = (interp.fn.qualname, (index,)) if index is not None else None
        return Hit(
            node=call,
            needs=needs,
            explanation=(f"`{code}` logs {logged}: wherever this log is kept (a file, the system journal, a log "
                         f"collector), it stays for a long time and is read by far more people than should see "
                         f"{held}."),
            fix=(f"Do not log {label}: log an identifier or that it was present instead, or wrap it as "
                 f"`strutils.mask_password(...)` / `strutils.mask_dict_password(...)` (oslo.utils)."),
            confidence=confidence,
            notes=notes,
        )


def _numeric_placeholder(call, arg_node) -> bool:
    """Whether ``arg_node`` is an argument of the logging ``call`` that its constant ``%``-format (the first
    argument) writes with a numeric conversion (``logger.info("every %d ms", value)``)."""
    args = call.args
    if not args or not (isinstance(args[0], ir.Const) and isinstance(args[0].value, str)):
        return False
    conversions = [m.group("conversion") for m in PERCENT_SPEC.finditer(args[0].value) if m.group("conversion") != "%"]
    for conversion, arg in zip(conversions, args[1:]):
        if arg is arg_node:
            return conversion in NUMERIC_CONVERSIONS
    return False


def _secret_item(value, depth: int = 0):
    """The key of an item of ``value`` named as a secret and not a constant, also among the items of its
    items (``properties["data"]["auth_password"] = secret``, ``props["data"] = {"auth_password": secret}``:
    logging ``properties`` logs the nested secret too), or None."""
    for key, item in (value.items or {}).items():
        if isinstance(key, str) and (secret_name(key) or _HEADER_KEYS.match(key)) and not item.is_const \
                and not (item.taints and item.taints <= value.taints):
            # (an item carrying only what the whole value carries says nothing of its own: a copy masked on
            # one path, ``scrubbed = deepcopy(data); if scrubbed: scrubbed["password"] = "****"``)
            return key
    if depth < 3:
        for item in (value.items or {}).values():
            key = _secret_item(item, depth + 1)
            if key is not None:
                return key
    return None


def _item_set_at(fn, key: str):
    """The first key expression of ``fn`` that stores ``key`` (in a dict display or ``d[key] = ...``)."""
    for stmt in fn.statements():
        value = getattr(stmt, "value", None)
        if isinstance(value, ir.Expr):
            for e in _walk(value):
                if isinstance(e, ir.DictExpr):
                    for k in e.keys:
                        if isinstance(k, ir.Const) and k.value == key:
                            return k
        if isinstance(stmt, ir.Assign):
            for target in stmt.targets:
                if isinstance(target, ir.ItemTarget) and isinstance(target.index, ir.Const) \
                        and target.index.value == key:
                    return target.index
    return None


def _why(what: str) -> str:
    low = what.lower()
    if low == "the request context":
        return "its `to_dict()` has an `auth_token` field, the caller's token when the request carries one"
    if low == "the connection url":
        return "a connection URL from the configuration, which usually holds the password"
    if low.startswith("the request"):
        return "it may carry passwords, tokens or session cookies"
    if _HEADER_KEYS.match(what):
        return "an authentication header"
    if _COOKIE_KEYS.match(what):
        return "the session cookies"
    return "named as a secret"
