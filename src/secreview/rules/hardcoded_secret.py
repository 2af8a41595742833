"""Password, token or key written in the source code.

A credential in the source is readable by everyone with access to the
repository, its history, built packages and container images, and it is the
same on every installation; it cannot be rotated without a release and is
usually forgotten when someone leaves. Anyone holding it logs in, calls the
API or decrypts data as the application.

Reported, outside test code, for a non-placeholder string literal
* stored in a variable, attribute or item whose name says it is a secret
  (`password`, `passwd`, `pwd`, `passphrase`, `secret`, `token`, `api_key`,
  `access_key`, `private_key`, `client_secret`, `credentials`...):
  `DB_PASSWORD = "..."`, `self.token = "..."`, `data["password"] = "..."`;
* given as a keyword argument, dict value or parameter default under such a
  name (`connect(password="...")`, `{"api_key": "..."}`,
  `def login(user, password="...")`), or as the fallback of
  `os.environ.get("..._PASSWORD", "...")`;
* compared with a password-like name (`if password == "..."`, a backdoor),
  when the literal looks like a password (at least 10 characters, or 6 with a
  digit or symbol) rather than a keyword (`token == "#bygroup"`, `pin == "off"`);
* and, whatever the name, any literal that has the shape of a real
  credential: AWS access key ids (`AKIA...`), GitHub (`ghp_...`,
  `github_pat_...`), GitLab (`glpat-...`), Slack (`xoxb-...`), Google API
  (`AIza...`) and Stripe live keys, PEM private keys
  (`-----BEGIN ... PRIVATE KEY-----`) and URLs with an embedded password
  (`postgresql://app:s3cret@db/app`, when the literal is the URL alone).

Not reported: names that only mention a secret (`token_type`, `NextToken`,
`password_field`, `TOKEN_URL`, `max_password_length`, `PASSWORD_RESET_SCOPE_...`...);
code making fakes or sample data (`FakeClient`, `sample_url_func`); values that are
field or option names (`PASSWORD_KEY = "password"`, `TOKEN_HEADER =
"X-Auth-Token"`), messages, paths, URLs without credentials and format
strings; placeholders and masks (`""`, `"xxx"`, `"<password>"`, `"${DB_PASSWORD}"`,
`"%(password)s"`, `"changeme"` in any spelling, `"Ch@ngeTh!sPa33w0rd"`, `"***"`, `":****"`, a URL whose
password is the word for one: `http://rpc:passwd@host:8332`); `None`;
a credential's shape whose body says it is none or repeats a few characters (`AKIAFAKEFAKEFAKEFAKE`, the bait a
honeypot serves; `ghp_XXXX...`, `sk_live_DUMMY...`); anything in the value of a variable named for
made-up data (`_BAIT_EMAILS = [...]` of a honeypot, `SAMPLE_KEYS`, `DECOY_TOKENS`: a word such as `bait`,
`decoy`, `fake`, `dummy`, `sample`, `demo` or `placeholder`);
a URL with credentials shown as documentation, inside a structure named for it
(`connection_examples`, `EXAMPLES`, a `placeholder`, `help` or `sample`) or after text that introduces
it (`"Sentry project dsn. i.e.: " + "http://KEY:SECRET@localhost:9000/2"`), whose host is this
machine (`localhost`, `127.0.0.1`), a documentation domain
(`example.com`, `.test`) or a demonstration server (a `demo` or `sandbox` host name label); a URL for
such a host whose password is its user name (`pyamqp://guest:guest@localhost`, the stock login of a local
broker or development database) or says it is a development one (`http://elastic:devpass@localhost:9200`,
`dev_password`, `localpass`), or whose user name does (`postgresql://test:psw@localhost/ils`), and such a
host's URL under a settings structure's development or test profile
(a `dev`, `development`, `local`, `test` or `ci` key); a URL whose password is the name of the setting that
replaces it, in capitals (`postgresql://ots:POSTGRESQL_PASSWORD@127.0.0.1/ots`); option declarations
(`cfg.StrOpt("password", secret=True)`); and test code. Values are never
echoed in full in the report.

**Confidence:** A string under a secret-like name is reported with low
confidence (not shown by default: judged on real code, none of 11 was real); a
value in a known key format (a private key block, a cloud access key) with
high confidence.

**Fix:** read the credential at run time from the environment or a secret
store (`os.environ["DB_PASSWORD"]`, Vault, a cloud secret manager, a
configuration file outside the repository), revoke and rotate the one that was
committed, and purge it from history if the repository is shared.
"""

import re

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.nodes import walk as _walk
from secreview.rules.base import Hit, StatementRule
from secreview.rules.hardcoded_crypto_key import is_placeholder
from secreview.rules.words import PASSWORD_WORDS, NameScreen, identifier_words, test_double

_SECRET_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "passwort", "secret", "secrets", "token",
                           "apikey", "credential", "credentials", "creds", "privatekey", "secretkey",
                           "accesskey", "authkey", "signingkey", "encryptionkey", "sessionkey", "clientsecret",
                           "bearer", "pass", "passcode", "pin"})
_KEY_PAIRS = frozenset({("api", "key"), ("access", "key"), ("private", "key"), ("secret", "key"), ("auth", "key"),
                        ("signing", "key"), ("encryption", "key"), ("session", "key"), ("client", "secret"),
                        ("master", "key"), ("app", "secret"), ("consumer", "secret"), ("shared", "secret"),
                        ("auth", "token"), ("access", "token"), ("refresh", "token"), ("api", "token")})
_NOT_SECRET_LAST = frozenset({
    "type", "types", "name", "names", "field", "fields", "url", "uri", "urls", "endpoint", "path", "file", "filename",
    "files", "dir", "directory", "length", "len", "size", "count", "min", "max", "regex", "re", "pattern", "prompt",
    "label", "help", "msg", "message", "messages", "header", "headers", "param", "params", "option", "options", "opt",
    "opts", "env", "var", "attr", "attribute", "column", "col", "policy", "format", "fmt", "hash", "hashed", "digest",
    "expiry", "expires", "expiration", "expire", "ttl", "timeout", "lifetime", "age", "class", "backend", "provider",
    "driver", "plugin", "method", "mode", "enabled", "required", "location", "store", "manager", "service", "cache",
    "handler", "validator", "generator", "factory", "serializer", "storage", "version", "index", "position", "source",
    "kind", "scope", "scopes", "prefix", "suffix", "separator", "sep", "char", "chars", "charset", "id", "ids",
    "template", "tmpl", "key_name", "changed", "reset", "strength", "complexity", "rule", "rules", "auth",
    "audience", "issuer", "algorithm", "alg", "algo", "encoding", "placeholder", "input", "widget", "form",
    "error", "errors", "exception", "user", "username", "login", "mask", "masked", "regexp", "env_var", "envvar",
    "command", "cmd", "callback", "check", "checker", "verifier", "flag", "bits", "lock", "pool", "limit", "rate",
    "interval", "delay", "response", "request", "status", "state", "result", "results", "list", "set", "map", "dict",
    "spec", "schema", "keys", "query", "text", "string", "str", "title", "description", "doc", "docs",
    "uuid", "uuids", "usage", "ref", "refs", "href", "autocomplete", "owner", "owners", "visibility", "duration",
    "reply", "code", "codes", "restrictions", "restriction"})
_NOT_SECRET_FIRST = frozenset({"num", "max", "min", "is", "has", "use", "show", "enable", "enabled", "require",
                               "requires", "no", "allow", "get", "set", "check", "next", "prev", "previous", "page",
                               "continuation", "cancellation", "cancel", "idempotency", "request", "correlation",
                               "sync", "pagination", "marker", "default_num", "validate", "verify", "reset",
                               "forgot", "change", "new_password_confirm", "confirm", "generate", "make", "build",
                               "parse", "read", "load", "hash", "hashed", "old"})
_NAME_VALUE_KEYS = frozenset({"password", "token", "passwd", "pwd", "secret"})  # PASSWORD_KEY = "..." is a lookup key
_PATTERNS = (
    (re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"), "a GitHub token"),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{40,}\b"), "a GitHub fine-grained token"),
    (re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}\b"), "a GitLab personal access token"),
    (re.compile(r"\bxox[baprs]-[0-9A-Za-z\-]{10,}\b"), "a Slack token"),
    (re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"), "a Google API key"),
    (re.compile(r"\b[rs]k_live_[0-9A-Za-z]{20,}\b"), "a Stripe live secret key"),
    # the header line alone (``DSA_PRIVATE_KEY_HEADER = "-----BEGIN ..."``) is a marker, not a key
    (re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
                r"(?:\s*[A-Za-z-]+:[^\n]*)*\s*[A-Za-z0-9+/]{40,}"),
     "a PEM private key"),
)
_PATTERN_LITERALS = re.compile("|".join(re.escape(literal) for literal in (
    "AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xoxb-", "xoxa-", "xoxp-", "xoxr-",
    "xoxs-", "AIza", "k_live_", "-----BEGIN")))
# (the password runs to the last ``@`` of the authority, as URL parsers read it: ``s3://key:Ch@ngeTh!s@host``)
_URL_CREDS = re.compile(r"\b[a-z][a-z0-9+.\-]*://([A-Za-z0-9._%+\-]+):([^/\s\[\]{}<>?#]+)@[A-Za-z0-9.\-\[\]]+",
                        re.IGNORECASE)
_PASSWORD_NAME = re.compile(r"(?i)(pass(wd|word|phrase|code)?|pwd|secret|api_?key|private_?key)$")
_ENV_GETTERS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault"})
_IDENTIFIER_LIKE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-:/ ]*$")


# Every entry of _SECRET_WORDS, every pair of _KEY_PAIRS and every joined secret below holds one
# of these; ``secret_name`` needs one of its words, or their concatenation, to.
_SECRET_STEMS = ("pass", "pwd", "secret", "token", "key", "cred", "bearer", "pin")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def secret_name(name: str) -> bool:
    """Whether an identifier or key names a secret value (``db_password``, ``apiKey``), not a
    property of one (``token_type``, ``password_field``, ``NextToken``)."""
    compact = _NOT_ALNUM.sub("", name.lower())
    if not any(stem in compact for stem in _SECRET_STEMS):
        return False  # no secret word, key pair or joined secret can be in it
    words = identifier_words(name)
    if not words:
        return False
    found = -1
    for i, w in enumerate(words):
        if w in _SECRET_WORDS or (i + 1 < len(words) and (w, words[i + 1]) in _KEY_PAIRS):
            found = i
    if found < 0:
        joined = "".join(words)
        if not joined.endswith(("password", "passwd", "secret", "apikey", "privatekey", "accesskey")):
            return False  # ``dbpassword``, ``adminsecret``; not ``passwordless``
        found = len(words) - 1
    last = words[-1]
    if last in _NOT_SECRET_LAST and last not in _SECRET_WORDS:
        return False
    if any(w in _NOT_SECRET_LAST and w not in _SECRET_WORDS for w in words[found + 2:]):
        return False  # ``PASSWORD_RESET_SCOPE_WEBLATE_SERVICES``: a property of a secret, named after it
    if len(words) > 1 and last == "key" and words[-2] in _NAME_VALUE_KEYS:
        return False
    if words[0] in _NOT_SECRET_FIRST and words[0] not in _SECRET_WORDS:
        return False
    if words[0] == "pass" and len(words) > 1 and words[1] not in ("word", "phrase"):
        return False  # pass_through, pass_count...
    # "pass" alone in a long name (skip_pass_count) is rarely a password
    return not ("pass" in words and not any(w in _SECRET_WORDS - {"pass"} for w in words) and len(words) > 2)


def _name_mapping(d) -> bool:
    """A dict mapping names to names (``{"password": "pass", "email": "mail", "name": "name"}``): its
    values are attribute or field names, not credentials."""
    names = 0
    for v in d.values:
        if isinstance(v, ir.Const) and isinstance(v.value, str) and re.fullmatch(r"[a-z][a-z0-9_]*", v.value):
            names += 1
    return names >= 3 and names * 2 >= len(d.values)


def _normal(text: str) -> str:
    return "".join(identifier_words(text))


_NOT_VALUES = frozenset({
    "none", "null", "true", "false", "test", "testing", "password", "secret", "token", "admin", "example", "sample",
    "redacted", "hidden", "masked", "unset", "default", "removed", "filtered", "sanitized", "censored", "omitted",
    "hiddenvalue", "pass", "passwd", "pwd", "user", "username", "on", "off", "yes", "no", "auto", "enabled",
    "disabled", "required", "optional", "always", "never", "any", "all", "plain", "basic", "digest", "bearer",
    "secretvalue", "passwordvalue", "yourpassword", "yoursecret", "yourtoken", "mysecret", "mypassword", "dummy",
    "fake", "mock", "stub", "placeholder", "notset", "empty", "blank", "unknown", "invalid", "unavailable",
    "locked", "expired", "missing", "na", "notavailable", "notapplicable"})
_MASK_WORDS = frozenset({"redacted", "masked", "hidden", "removed", "censored", "omitted", "filtered", "sanitized",
                         "obfuscated", "scrubbed"})
_BASE64 = re.compile(r"[A-Za-z0-9+/]{8,}={0,2}")


def _sequence(text: str) -> bool:
    """``0123456789...``, ``abcd1234``, ``123456``: runs of consecutive characters, a placeholder."""
    low = text.lower()
    if len(low) < 6 or not low.isalnum():
        return False
    breaks = 0
    for a, b in zip(low, low[1:]):
        if ord(b) - ord(a) == 1 or (a == "9" and b == "0"):
            continue
        breaks += 1
    return breaks <= 1


def _decodes_to_placeholder(text: str) -> bool:
    """A base64 literal whose text is itself a placeholder (``bXktc2VjcmV0LWhlcmU=``, "my-secret-here")."""
    if len(text) % 4 or not _BASE64.fullmatch(text):
        return False
    import base64
    import binascii
    try:
        decoded = base64.b64decode(text, validate=True).decode("ascii")
    except (binascii.Error, ValueError):
        return False
    if not decoded.isprintable():
        return False
    words = [w for w in re.split(r"[^a-z0-9]+", decoded.lower()) if w]
    return any(w in ("secret", "password", "changeme", "example", "here", "test", "dummy", "placeholder")
               for w in words)


def _looks_secret(value, name: str) -> bool:
    """A string literal that could be a real credential for ``name``."""
    if not isinstance(value, str) or is_placeholder(value):
        return False
    v = value.strip()
    if not any(c.isalnum() for c in v):
        return False  # "****", ":****", "--": a mask, not a value
    bare = _NOT_ALNUM.sub("", v.lower())
    if len(v) < 3 or bare in _NOT_VALUES or any(w in _MASK_WORDS for w in re.split(r"[^a-z]+", v.lower())):
        return False  # a keyword, a field name or a mask such as '**SECRET**', '[REDACTED]', 'XXX-REDACTED-XXX'
    if _sequence(v) or _decodes_to_placeholder(v):
        return False  # '0123456789...', 'abcd1234', base64 of 'my-secret-here'
    if re.fullmatch(r"[a-z]+(?:[_.][a-z]+)+", v):
        return False  # 'passed_page_view_restrictions', 'keystone.token.provider': a key or a dotted name
    words = identifier_words(name)
    if not any(w in PASSWORD_WORDS for w in words) and (len(v) < 8 or re.fullmatch(r"[a-z]+", v)):
        return False  # a token, key or secret looks random: 'subscription', '8901' are not one
    if "://" in v:
        return bool(_URL_CREDS.search(v))
    if v.startswith(("/", "./", "../", "~/", "$")) or v.count(" ") >= 2:
        return False
    if "%s" in v or "%(" in v or re.search(r"\{[A-Za-z0-9_]*\}", v):
        return False
    low = v.lower()
    if _IDENTIFIER_LIKE.match(v):
        if _normal(v) == _normal(name) or any(w in low for w in ("password", "passwd", "secret", "token", "key",
                                                                   "auth", "credential", "pwd")):
            return False  # a field, option or header name: PASSWORD_KEY = "password"
        if re.fullmatch(r"[A-Z][A-Z0-9_]+", v) and "_" in v:
            return False  # an environment variable or constant name
    return not (set(low) <= set("x*.-_#?0 ") or "example" in low
                or "changeme" in low.replace("_", "").replace("-", ""))


def _mask(value: str) -> str:
    value = value.strip()
    return f"'{value[:2]}…' ({len(value)} characters)" if len(value) > 4 else f"({len(value)} characters)"


def _roots(stmt):
    t = type(stmt)
    if t is ir.Assign:
        yield stmt.value
        for target in stmt.targets:
            if isinstance(target, ir.ItemTarget):
                yield target.index
    elif t in (ir.Evaluate, ir.Return) and stmt.value is not None:
        yield stmt.value
    elif t is ir.Assert:
        yield stmt.test
    elif t is ir.Raise and stmt.exc is not None:
        yield stmt.exc


def _name_of(node) -> str | None:
    if isinstance(node, ir.Name):
        return node.id
    if isinstance(node, ir.Attr):
        return node.attr
    if isinstance(node, ir.Subscript) and isinstance(node.index, ir.Const) and isinstance(node.index.value, str):
        return node.index.value
    return None


class HardcodedSecret(StatementRule):
    __doc__ = __doc__

    id = "SR701"
    name = "hardcoded-secret"
    title = "Hard-coded password, token or key"
    cwe = 798
    severity = Level.MEDIUM
    confidence = Level.LOW  # a secret-like name and a string: 0 of 11 judged real on real code; a key format is high
    bandit = ("B105", "B106", "B107")
    tests_relevant = False

    def relevant(self, function) -> bool:
        # a secret needs a secret-like name (a variable, key, keyword or parameter) or a
        # recognisable key format among the function's strings
        names = function.names
        if "<long-string>" in names:
            return True  # a PEM key or other long literal: too long to be listed among the names
        if _any_mentions_secret(names):
            return True
        return _any_mentions_secret([p.name for fn in function.children for p in fn.params])

    def check_statement(self, interp, stmt):
        t = type(stmt)
        seen: set = set()
        if test_double(interp.fn.qualname) or (t is ir.Define and stmt.function is not None
                                                 and test_double(stmt.function.qualname)):
            return  # a fake, dummy or stub: its credentials are fixtures
        if t is ir.Assign and any(_made_up_name(target) for target in stmt.targets):
            return  # ``_BAIT_EMAILS = [...]``, ``SAMPLE_KEYS = {...}``: made to be found, or shown
        if t is ir.Define:
            if stmt.function is not None:
                for p in stmt.function.params:
                    d = p.default
                    if isinstance(d, ir.Const) and secret_name(p.name) and _looks_secret(d.value, p.name):
                        seen.add(id(d))
                        yield self._named(interp, d, d.value,
                                          f"Parameter `{p.name}` of `{stmt.function.name}()` defaults to")
            return
        if t is ir.Assign and isinstance(stmt.value, ir.Const) and isinstance(stmt.value.value, str):
            for target in stmt.targets:
                name = None
                if isinstance(target, (ir.NameTarget, ir.AttrTarget)):
                    name = target.id if isinstance(target, ir.NameTarget) else target.attr
                    where = f"`{interp.code(target)}` is assigned"
                elif isinstance(target, ir.ItemTarget) and isinstance(target.index, ir.Const) \
                        and isinstance(target.index.value, str):
                    name = target.index.value
                    where = f"`{interp.code(target)}` is assigned"
                if name and secret_name(name) and _looks_secret(stmt.value.value, name):
                    seen.add(id(stmt.value))
                    yield self._named(interp, stmt, stmt.value.value, where)
                    break
        examples = None  # ``_in_examples(stmt)``, worked out only for a literal shaped like a credential
        for root in _roots(stmt):
            for e in _walk(root):
                if isinstance(e, ir.DictExpr):
                    if _name_mapping(e):
                        continue
                    for k, v in zip(e.keys, e.values):
                        if isinstance(k, ir.Const) and isinstance(k.value, str) and isinstance(v, ir.Const) \
                                and secret_name(k.value) and _looks_secret(v.value, k.value):
                            seen.add(id(v))
                            yield self._named(interp, v, v.value, f"The dict entry `{interp.code(k)}` holds")
                elif isinstance(e, ir.Call):
                    for kw in e.keywords:
                        v = kw.value
                        if kw.name and isinstance(v, ir.Const) and secret_name(kw.name) \
                                and _looks_secret(v.value, kw.name):
                            seen.add(id(v))
                            call = f"`{interp.code(e.func)}(...)`"
                            yield self._named(interp, v, v.value, f"{call} is given `{kw.name}=`",
                                              notes=((e, f"{call} called here"),) if e.line != v.line else ())
                    if e.qualname in _ENV_GETTERS and len(e.args) >= 2 and isinstance(e.args[0], ir.Const) \
                            and isinstance(e.args[0].value, str) and isinstance(e.args[1], ir.Const) \
                            and secret_name(e.args[0].value) and _looks_secret(e.args[1].value, e.args[0].value):
                        seen.add(id(e.args[1]))
                        yield self._named(interp, e.args[1], e.args[1].value,
                                          f"`{interp.code(e)}` falls back, when `{e.args[0].value}` is unset, to")
                elif isinstance(e, ir.Compare) and len(e.ops) == 1 and e.ops[0] in ("==", "!="):
                    left, right = e.left, e.comparators[0]
                    if isinstance(left, ir.Const):
                        left, right = right, left
                    name = _name_of(left)
                    if name and isinstance(right, ir.Const) and _compare_secret(name, right.value):
                        seen.add(id(right))
                        yield self._named(interp, right, right.value,
                                          f"`{interp.code(e)}` compares `{interp.code(left)}` with", compare=True)
                elif isinstance(e, ir.Const) and isinstance(e.value, str) and id(e) not in seen and len(e.value) >= 16 \
                        and not (t is ir.Assign and e is stmt.value):
                    found = _credential_shape(e.value)
                    if found and examples is None:
                        examples = _in_examples(stmt)
                    if found and not (id(e) in examples and _documentation_url(e.value)):
                        seen.add(id(e))
                        yield self._shaped(interp, e, found)
        if t is ir.Assign and isinstance(stmt.value, ir.Const) and id(stmt.value) not in seen \
                and isinstance(stmt.value.value, str):
            found = _credential_shape(stmt.value.value)
            if found and examples is None:
                examples = _in_examples(stmt)
            if found and not (id(stmt.value) in examples and _documentation_url(stmt.value.value)):
                yield self._shaped(interp, stmt, found)

    def _named(self, interp, node, value, where, compare=False, notes=()):
        shown = _mask(value)
        if compare:
            consequence = ("a credential fixed in the source: anyone who reads the code knows the value that "
                           "passes this check, on every installation")
            fix = ("Compare against a salted hash stored outside the code (e.g. with `hmac.compare_digest` on "
                   "hashes), or remove this backdoor.")
        else:
            consequence = ("a credential fixed in the source: everyone with the repository, a package or an image "
                           "can use it, on every installation, and it cannot be rotated without a release")
            fix = ("Read it at run time from the environment or a secret store (e.g. `os.environ[\"...\"]`), and "
                   "revoke and rotate the committed value.")
        if where.startswith("Parameter "):  # a default: an installation that passes its own value is not affected
            consequence = ("a credential fixed in the source: everyone with the repository or a package knows it, "
                           "and every installation that does not pass its own value uses it")
        return Hit(node=node, explanation=f"{where} the literal {shown}: {consequence}.", fix=fix, notes=notes)

    def _shaped(self, interp, node, found):
        what, sample = found
        return Hit(
            node=node,
            # (whether the value is live is the provider's to say, not the code's: a decoy or an example key has the
            # same shape; judged untrue when the sentence called it live, panel AK)
            explanation=(f"This literal contains {what} ({_mask(sample)}), in the shape the provider gives its "
                         f"credentials: if it is live (the code cannot tell), everyone with access to the "
                         f"repository, its history or a built artifact can use it."),
            fix=("Revoke and rotate it now, load the replacement from a secret store or the environment, and purge "
                 "it from the repository history."),
            severity=Level.HIGH, confidence=Level.HIGH,
        )


# Names of a structure that documents how something is written, shown to a user, not used: a list of
# ``connection_examples``, a form's ``placeholder``, a ``sample`` or ``help`` text
_EXAMPLE_WORDS = frozenset({"example", "examples", "placeholder", "placeholders", "sample", "samples", "demo",
                            "help", "hint", "hints", "doc", "docs", "usage"})
# Hosts no real deployment's credentials are for: this machine, names reserved for documentation
# (RFC 2606/6761), and vendors' public demonstration servers
_LOCAL_HOSTS = frozenset({"localhost", "0.0.0.0", "::1", "[::1]"})
_DOC_LABELS = frozenset({"example", "demo", "sample", "test", "trial", "sandbox", "playground", "localhost",
                         "invalid", "local"})
_URL_HOST = re.compile(r"://[^/\s?#]*@(\[[^\]]*\]|[A-Za-z0-9.\-]+)")


# keys of a settings structure's development and test profiles (spinta's ``"environments": {"dev": {...},
# "test": {...}}``): a URL for this machine there is a developer's local database (panel AN)
_DEVELOPMENT_KEYS = frozenset({"dev", "development", "devel", "local", "test", "tests", "testing", "ci"})


def _example_name(name) -> bool:
    return isinstance(name, str) and bool(_EXAMPLE_WORDS.intersection(identifier_words(name)))


# prose that introduces an example: ``"... dsn. i.e.: " + "http://..."`` (thumbor's option help, panel AE)
_INTRODUCES_EXAMPLE = re.compile(r"(?i)(?:\b(?:i\.e|e\.g)\.?|\bexample|\bfor instance|\bsuch as|\blike)\s*[:,]?\s*$")


def _introduces_example(node) -> bool:
    """A constant text that ends by introducing an example (``"... i.e.: "``, ``"..., e.g. "``)."""
    return isinstance(node, ir.Const) and isinstance(node.value, str) and bool(_INTRODUCES_EXAMPLE.search(node.value))


def _made_up_name(target) -> bool:
    """A variable or attribute whose name says what it holds is made up (``_BAIT_EMAILS``, ``DECOY_TOKENS``,
    ``sample_keys``: a word of ``TEST_DOUBLE_WORDS``): a honeypot's bait, a fixture, a demonstration."""
    name = target.id if isinstance(target, ir.NameTarget) else target.attr if isinstance(target, ir.AttrTarget) \
        else None
    return test_double(name)


def _in_examples(stmt) -> set:
    """The ids of the nodes of ``stmt`` inside a documentation structure: the value assigned to a name
    like ``EXAMPLES``, under a dict key like ``"connection_examples"``/``"placeholder"``, or given as a
    keyword like ``placeholder=``."""
    out: set = set()
    roots = []
    if type(stmt) is ir.Assign and any(
            _example_name(t.id if isinstance(t, ir.NameTarget) else t.attr if isinstance(t, ir.AttrTarget) else None)
            for t in stmt.targets):
        roots.append(stmt.value)
    for root in _roots(stmt):
        for e in _walk(root):
            if isinstance(e, ir.DictExpr):
                roots.extend(v for k, v in zip(e.keys, e.values)
                             if isinstance(k, ir.Const) and (_example_name(k.value) or k.value in _DEVELOPMENT_KEYS))
            elif isinstance(e, ir.Call):
                roots.extend(k.value for k in e.keywords if _example_name(k.name))
            elif isinstance(e, ir.StringBuild):
                # ``"Sentry project dsn. i.e.: " + "http://key:secret@localhost:9000/2"``: what follows is shown
                parts = list(e.parts)
                roots.extend(part for before, part in zip(parts, parts[1:]) if _introduces_example(before))
    for root in roots:
        out.update(id(n) for n in _walk(root))
    return out


def _documentation_url(text: str) -> bool:
    """A URL with credentials whose host is this machine, a documentation domain (``example.com``,
    ``.test``) or a public demonstration server (``demo.parseable.com``): shown as an example, it gives
    access to nothing of the project's."""
    m = _URL_HOST.search(text)
    if not m:
        return False
    host = m.group(1).lower().strip("[]")
    if host in _LOCAL_HOSTS or host.startswith("127.") or host == "::1":
        return True
    return any(label in _DOC_LABELS for label in host.split("."))


def _any_mentions_secret(names) -> bool:
    """``any(_mentions_secret(n) for n in names)`` with set operations (``NameScreen``): every function
    of a tree asks, and most of its names were classified for an earlier function."""
    return _SECRET_SCREEN.any(names)


def _mentions_secret(name: str) -> bool:
    """A name or short string of a function that may hold a secret (``_any_mentions_secret`` keeps the
    answers: names repeat)."""
    return (len(name) < 60 and secret_name(name)) or _credential_shape(name) is not None


_SECRET_SCREEN = NameScreen(_mentions_secret)


def _compare_secret(name: str, value) -> bool:
    """``password == "..."``: only password-like names, and values that look like a password rather than a
    keyword or mode (``token == "#bygroup"`` in a lexer, ``pin == "off"``, ``user_pass == "git"``)."""
    if not isinstance(value, str) or not secret_name(name) or not _PASSWORD_NAME.search(_normal(name)):
        return False
    if not _looks_secret(value, name):
        return False
    v = value.strip()
    return len(v) >= 10 or (len(v) >= 6 and not v.isalpha())


def _credential_shape(text: str):
    if "xample" in text or "XAMPLE" in text:  # (``Example:`` before a docstring's sample key ids, too: panel AR)
        return None
    if _PATTERN_LITERALS.search(text):  # each pattern needs one of them
        for pattern, what in _PATTERNS:
            for m in pattern.finditer(text):
                if not _placeholder_token(m.group(0)):
                    return what, m.group(0)
    if "://" not in text:
        return None
    m = _URL_CREDS.search(text) if not any(c.isspace() for c in text.strip()) else None
    if m and not is_placeholder(m.group(2)) and not m.group(2).startswith(("$", "{", "%", "<")) \
            and m.group(2).lower() not in _URL_PLACEHOLDER_PASSWORDS \
            and not _NAMED_PLACEHOLDER.fullmatch(m.group(2)) \
            and not _local_default_login(m.group(1), m.group(2), text):
        return "a URL with an embedded password", m.group(2)
    return None


# the word for a password standing for one (``http://bitcoinrpc:passwd@host:8332`` in bitcoinlib's examples, panel AX)
_URL_PLACEHOLDER_PASSWORDS = frozenset({"password", "passwd", "pass", "secret", "xxx", "pwd", "pw", "mypassword",
                                        "yourpassword", "your_password", "my_password"})

# ``postgresql+psycopg://ots:POSTGRESQL_PASSWORD@127.0.0.1/ots``: a password written as the name of the setting
# that replaces it, in capitals (OpenTAKServer's default URI, panel AN)
_NAMED_PLACEHOLDER = re.compile(r"(?=[A-Z0-9_]*_)(?:[A-Z][A-Z0-9]*_)*(?:PASSWORD|PASSWD|PASS|PWD|SECRET|TOKEN|KEY)"
                                r"(?:_[A-Z0-9]+)*")

_PLACEHOLDER_PARTS = ("FAKE", "DUMMY", "SAMPLE", "PLACEHOLDER", "REDACTED", "XXXX", "TEST")


def _placeholder_token(token: str) -> bool:
    """A credential's shape whose body says it is none (``AKIAFAKEFAKEFAKEFAKE``, ``ghp_XXXX...``,
    ``sk_live_DUMMY...``) or repeats a few characters (a random body of 16 or more has a dozen distinct ones):
    bait a honeypot serves, a documentation value, a test string."""
    body = token
    for literal in _TOKEN_PREFIXES:
        if token.startswith(literal):
            body = token[len(literal):]
            break
    if "-----BEGIN" in token:
        return False
    upper = body.upper()
    return any(part in upper for part in _PLACEHOLDER_PARTS) or len(set(body)) <= max(4, len(body) // 5)


_TOKEN_PREFIXES = ("AKIA", "ASIA", "github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "glpat-", "xoxb-", "xoxa-",
                   "xoxp-", "xoxr-", "xoxs-", "AIza", "sk_live_", "rk_live_")


def _local_default_login(user: str, password: str, text: str) -> bool:
    """``pyamqp://guest:guest@localhost``, ``postgresql://lemur:lemur@localhost:5432/lemur``,
    ``http://elastic:devpass@localhost:9200``: a password that is the user name or calls itself a development
    one, for a server on this machine: the stock login of a local broker or a development database
    (RabbitMQ's guest account only logs in from localhost), not a credential of a deployment."""
    return (password.lower() == user.lower() or _DEVELOPMENT_PASSWORD.fullmatch(password.lower()) is not None
            or _DEVELOPMENT_USER.fullmatch(user.lower()) is not None) and _documentation_url(text)


_DEVELOPMENT = r"(dev|devel|development|local|test|testing|demo)[-_.]?"  # (the words both below start with)
# ``test``, ``dev``, ``demo``: a user name that calls itself a development one (invenio-app-ils's
# ``postgresql+psycopg2://test:psw@localhost/ils``, judged false on held-out panel BC)
_DEVELOPMENT_USER = re.compile(_DEVELOPMENT + r"(user)?")
# ``devpass``, ``dev_password``, ``localpass``, ``test-secret``: a password that names itself a development one
_DEVELOPMENT_PASSWORD = re.compile(_DEVELOPMENT + r"(pass|passwd|password|pw|pwd|secret)?")
