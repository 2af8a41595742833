"""Predictable random value that becomes a secret.

The `random` module (and `uuid.uuid1`, `numpy.random`) is a Mersenne Twister
seeded from the clock or a small state: after 624 outputs every future value
can be predicted, and `uuid1` embeds the MAC address and time. A token,
password, key, nonce, salt, session or reset id, one-time code or
authentication challenge made from it can be guessed.

Reported where a value made by these generators *becomes* a secret, in the
function that draws it or in one that receives it as the return value of a
helper (`return "".join(random.choice(...))`):
* it is stored under a name that says it is a secret: a variable, attribute,
  dict item or keyword argument whose name has a whole secret word (`token`,
  `password`, `pwd`, `secret`, `nonce`, `salt`, `otp`, `pin`, `csrf`,
  `challenge`, `authenticator`: RADIUS's request authenticator, CVE-2013-0294)
  or pair (`session_id`, `api_key`, `private_key`, `reset_code`,
  `remember_me`...), or it is passed to a parameter of such a name (not one
  the function hands back made into something else, as an encoder does:
  `sid = to_nmtoken(random.getrandbits(64))` is judged by `sid`);
* it is returned by a function whose name says so (`generate_token()`,
  `_gen_nonce()`, `challenge()`);
* it is the key of `hmac.new`, a cipher key, IV or nonce, a JWT signing key, or
  the value of a cookie named like a session or token cookie.

Reported once, where the value first becomes a secret: a hash or copy of that
secret further on is not reported again. Not reported: names that only
describe a secret (`token_length`, `salt_len`, `password_file`,
`session_id_name`, `hashed_password`), `key` or `id` alone (a dict key, a
cache key, a correlation id), a random value that reaches a secret name only
through a field of an object, through a parameter of another function or
after a long chain of steps (the value then was retry jitter, a sample or a
delay that travelled into unrelated data), `random.SystemRandom` and
`secrets`, nor a name that may be either (`random, ok = _get_sysrandom()`
returning `random.SystemRandom()`, the `random` module only as a fallback
where the system has no such generator), nor a value drawn after the function
called `random.seed()` with no argument (or with `os.urandom(...)` bytes):
CPython then fills the whole generator state from the operating system, so
the value is not predictable from earlier outputs (askbot's
`generate_random_key()`; a seed of the caller's choosing, such as the time,
still is), nor a value drawn after the function seeded the generator with a value of its own making that is
neither a constant nor the clock (`random.seed(zlib.adler32(prefix))`, `random.seed(secret_key)`): the draw
derives its value from that seed on purpose, reproducibly, and is as hard to guess as the seed (metaflow's
production tokens, langflow's key derived from its secret key: judged false; `random.seed(42)` and
`random.seed(time.time())` are still reported), nor text built with a part written in place that nobody can
predict beside the predictable one
(`"{}-{}".format(uuid.uuid1(), uuid.uuid4())`, `f"{uuid.uuid1().hex}{os.urandom(16).hex()}"`: the whole is as
hard to guess as that part), nor a name that says the secret is made up (`_fake_password()`, `dummy_token`,
`decoy_key`: a
fixture, or a honeypot's bait), nor what such a function returns, wherever it goes, nor a weighted draw
(`random.choices(words, weights=counts)`: it samples a
distribution, such as the next word of a Markov chain; a secret is drawn with every symbol alike).

**Confidence:** high; low (not shown by default) where the value becomes only
a salt (`salt`, `pwd_salt`, `_generate_salt()`) or only a nonce (`nonce`, `new_nonce`,
`cnonce`): a salt is kept next to its hash and a nonce is mostly sent in clear; both
must be unique, not unguessable, and the explanation says so (a `challenge` stays high).
Low as well in a function named for a multipart boundary or a delimiter
(`_make_mime_boundary()`, `choose_boundary()`: `token = random.randrange(...)` there
only has to differ from the content it separates).
Judged on real code (docs/precision.md): 4 salts, all false; nonces 0 real, 1 worth
a look, 5 false.

**Fix:** use the `secrets` module (`secrets.token_urlsafe(32)`,
`secrets.token_hex()`, `secrets.randbelow()`) or `random.SystemRandom()`.
"""

from __future__ import annotations

import functools
import re

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.base import SinkRule

# A whole word of the name that says the value must be unguessable.
_SECRET_WORDS = frozenset({
    "token", "tokens", "secret", "secrets", "password", "passwords", "passwd", "passphrase", "pwd", "pw", "passcode",
    "nonce", "cnonce", "salt", "otp", "totp", "hotp", "csrf", "xsrf", "apikey", "challenge", "pin", "sessionid",
    "sessid", "sessionkey", "secretkey", "privatekey", "signingkey", "authkey", "authtoken", "credential",
    "credentials", "creds", "verifier", "csrftoken", "xsrftoken", "accesstoken", "refreshtoken",
    # a protocol's authenticator: RADIUS's request authenticator vouches for replies and hides the password
    "authenticator",
})
# Two consecutive words that say so (``session_id``, ``api_key``, ``reset_code``).
_SECRET_PAIRS = frozenset(
    {("session", w) for w in ("id", "key", "token", "secret", "cookie")}
    | {("sess", "id"), ("remember", "me"), ("cookie", "value"), ("cookie", "secret")}
    | {(w, "key") for w in ("api", "secret", "private", "signing", "sign", "encryption", "encrypt", "hmac", "aes",
                            "auth", "access", "master", "shared", "crypt", "crypto", "cipher", "mac", "jwt", "fernet")}
    | {(w, k) for w in ("reset", "activation", "activate", "verification", "verify", "confirmation", "confirm",
                        "invite", "invitation", "recovery", "auth", "login", "magic", "pairing", "security", "unlock",
                        "signup", "registration", "access", "one", "onetime")
       for k in ("code", "key", "link")}
)
# A last word that makes the name describe a secret rather than hold one.
_DESCRIPTOR_LAST = frozenset({
    "len", "length", "size", "count", "name", "names", "type", "types", "field", "file", "filename", "path", "url",
    "uri", "dir", "prefix", "suffix", "header", "headers", "timeout", "expires", "expiry", "expiration", "expire",
    "ttl", "age", "lifetime", "format", "fmt", "index", "idx", "num", "number", "pos", "offset", "limit", "version",
    "label", "prompt", "hint", "chars", "charset", "alphabet", "template", "pattern", "regex", "re", "cache",
    "attempts", "retries", "delay", "interval", "hash", "hashed", "digest", "ids", "policy", "strength", "required",
    "enabled", "mode", "class", "style", "param", "params", "attr", "attribute", "bits", "backend", "store",
    "storage", "manager", "helper", "provider", "generator", "factory", "callback", "validator", "widget",
    "form", "error", "errors", "msg", "message", "status", "state", "valid", "sent", "used", "checked", "ok",
    "endpoint", "key", "id", "code", "link",
})
# A first word that says the secret is made up on purpose: a fixture, or a honeypot's bait (``_fake_password()``).
_MADE_UP = frozenset({"fake", "dummy", "mock", "decoy", "bait", "sample"})
_DESCRIPTOR_FIRST = frozenset({"max", "min", "num", "n", "len", "is", "has", "use", "enable", "no", "allow", "hashed",
                               "hash", "old", "expected", "check", "validate", "verify", "compare", "parse"}) | _MADE_UP
# A last word that is one of these is a secret only as the second word of a pair.
_PAIR_ONLY = frozenset({"id", "key", "code", "link", "me", "value", "cookie"})
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_NOT_LETTERS = re.compile(r"[^a-z]+")


def name_words(name: str) -> tuple[str, ...]:
    """The lower-case words of an identifier or key: ``rememberMe01`` -> (remember, me),
    ``CSRFToken`` -> (csrf, token), ``session-id`` -> (session, id)."""
    name = _ACRONYM.sub(r"\1_\2", _CAMEL.sub(r"\1_\2", name))
    return tuple(w for w in _NOT_LETTERS.split(name.lower()) if w)


def secret_name(name: str) -> bool:
    """Whether a variable, attribute, key, keyword or function named ``name`` holds (or makes)
    a value that must be unguessable: a whole secret word or pair, not only a mention of one
    (``token_length``, ``password_file``, ``cache_key``, ``author``). Anything but a short string
    (a constant index may be a number or a slice: ``cdc[-6:-4] = ...``) is no name."""
    return isinstance(name, str) and len(name) <= 60 and _secret_name(name)


@functools.lru_cache(maxsize=1 << 14)
def _secret_name(name: str) -> bool:
    words = name_words(name)
    if not words or words[0] in _DESCRIPTOR_FIRST:
        return False
    found = -1
    for i, w in enumerate(words):
        if w in _SECRET_WORDS or (i > 0 and (words[i - 1], w) in _SECRET_PAIRS):
            found = i
    if found < 0:
        return False
    last = words[-1]
    if found == len(words) - 1:
        return True  # the secret word or pair ends the name: ``reset_token``, ``api_key``, ``session_id``
    if last in _DESCRIPTOR_LAST or last in _PAIR_ONLY:
        return False  # ``token_length``, ``password_file``, ``secret_key_id``
    return True  # ``token_value``, ``password_plain``, ``nonce_bytes``


def secret_cookie(name: str) -> bool:
    """A cookie whose value must be unguessable: a session, authentication or remember-me cookie."""
    if not isinstance(name, str):
        return False
    words = name_words(name)
    return secret_name(name) or any(w in ("session", "sessionid", "sid", "auth", "remember") for w in words)


# Trace notes written by the analysis (see ``analysis/interpreter.py`` and ``program.py``).
_ASSIGNED = "assigned to `"
_STORED = "stored in `"
_PASSED = "passed to `"
_PARAMETER = "parameter `"
_RETURNED = "returned by `"
MAX_STEPS = 9
"""Steps from the random call to the secret at most: a value that becomes a secret does so near
where it is drawn; a longer chain is jitter or a sample travelling into unrelated data."""


def _quoted(note: str, prefix: str) -> str:
    rest = note[len(prefix):]
    return rest.split("`", 1)[0]


def _read_names(node) -> set:
    return {e.id for e in ir.walk(node) if isinstance(e, ir.Name)} if isinstance(node, ir.Expr) else set()


def _arrives_directly(steps, final, value_node) -> bool:
    """Whether the step before the sink brought the value into the expression that reaches it: on
    that expression's own lines (the random call or a helper returning it), or as a variable that
    expression reads. Otherwise the value came some way no step records (into one item of a
    container, read back under another key) and is not the value becoming a secret here."""
    if not isinstance(value_node, ir.Expr):
        return True
    prev = None
    for s in reversed(steps[:-1]):
        if not (s.path == final.path and s.line == final.line and s.col == final.col):
            prev = s
            break
    if prev is None:
        return True
    if prev.path == final.path and value_node.line <= prev.line <= value_node.end_line:
        return True
    if prev.note.startswith(_ASSIGNED):
        names = {part.strip() for part in _quoted(prev.note, _ASSIGNED).split(",")}
        return bool(names & _read_names(value_node))
    return False


def _made_up(name: str) -> bool:
    """A function whose name starts by saying what it makes is made up (``_fake_password``, ``decoy_token``)."""
    words = name_words(name)
    return bool(words) and words[0] in _MADE_UP


def local_flow(step, value_node=None) -> bool:
    """Whether the trace ending at ``step`` (a sink step) shows the random value becoming a secret
    here, and for the first time: from the random call through local assignments and return values
    of helpers only, never through an object's field, never down into another function's parameter
    (except one that hands it back), not stored under a secret name or returned by a secret-named
    function before (that is where it was reported), and short."""
    steps = step.steps()
    if len(steps) > MAX_STEPS:
        return False
    final = steps[-1]
    if not _arrives_directly(steps, final, value_node):
        return False
    depth = 0  # calls entered and not yet returned from: a helper that hands its argument back
    for s in steps[1:-1]:
        if s.path == final.path and s.line == final.line and s.col == final.col:
            continue  # the store being judged (``assigned to `token```)
        note = s.note
        if note.startswith(_STORED):
            return False  # through a field of an object: shared, not this value's own flow
        if note.startswith(_PASSED):
            depth += 1
        elif note.startswith(_PARAMETER):
            if depth == 0:
                return False
        elif note.startswith(_RETURNED):
            if depth:
                depth -= 1
            elif secret_name(_quoted(note, _RETURNED).removesuffix("()")):
                return False  # made by ``generate_token()``: reported at its return
            elif _made_up(_quoted(note, _RETURNED).removesuffix("()")):
                return False  # made by ``_fake_password()``: made up, wherever it goes
        elif note.startswith(_ASSIGNED):
            if any(secret_name(part.strip()) for part in _quoted(note, _ASSIGNED).split(",")):
                return False  # became a secret earlier (``salt = ...``), reported there
    return depth == 0


# secrets that must be unique rather than unguessable: a salt is kept next to its hash, a nonce (a number used
# once) is mostly sent in clear beside what it makes unique
_UNIQUE_WORDS = {"salt": "salt", "salts": "salt", "nonce": "nonce", "nonces": "nonce", "cnonce": "nonce"}


_BOUNDARY_WORDS = frozenset({"boundary", "delimiter"})


def _unique_only(name) -> str | None:
    """``"salt"`` or ``"nonce"`` when the secret the value becomes is only that (``salt``, ``pwd_salt``,
    ``_generate_salt()``, ``nonce``, ``new_nonce``): no other secret word or pair in the name; else None."""
    if not isinstance(name, str):
        return None
    if name.startswith("return from "):
        name = name[len("return from "):].removesuffix("()")
    words = name_words(name)
    found = {_UNIQUE_WORDS[w] for w in words if w in _UNIQUE_WORDS}
    if len(found) != 1:
        return None
    rest = tuple(w for w in words if w not in _UNIQUE_WORDS)
    if any(w in _SECRET_WORDS for w in rest) or any((a, b) in _SECRET_PAIRS for a, b in zip(rest, rest[1:])):
        return None
    return found.pop()


class WeakRandom(SinkRule):
    __doc__ = __doc__

    id = "SR202"
    attack_material = True
    name = "weak-random"
    title = "Predictable random value used as a secret"
    cwe = 330
    severity = Level.MEDIUM
    confidence = Level.HIGH
    bandit = ("B311",)
    tests_relevant = False
    sink_kinds = ("secret",)
    source_kinds = frozenset({"weak-random"})
    param_flows = False
    danger = "Such a value can be predicted by others, so it cannot serve as a secret."
    fix = ("Generate it with the `secrets` module, e.g. `secrets.token_urlsafe(32)` or `secrets.randbelow(n)`, "
           "or use `random.SystemRandom()`.")

    secret_name = staticmethod(secret_name)
    secret_cookie = staticmethod(secret_cookie)

    def keeps(self, step, value_node=None) -> bool:
        return local_flow(step, value_node)

    def site_use(self, interp, node, arg_node, sink=None):
        # a function named for a multipart boundary or a delimiter (``_make_mime_boundary()``,
        # ``choose_boundary()``): what it draws only has to differ from the content it separates
        if _BOUNDARY_WORDS & set(name_words(interp.fn.name)):
            return ("boundary",)
        return None

    def sink_confidence(self, site, confidence):
        if site.use == ("boundary",):
            return Level.LOW  # (rbtools' MIME boundary ``token = random.randrange(...)``: judged false, panel AX)
        # a salt is stored next to its hash and must be unique, not unpredictable: judged on real code 4 false
        # of 4 (docs/precision.md: jupyter-server's and nova's password salts, a translation API's request salt);
        # nonces 0 real, 1 worth a look, 5 false (a memo's nonce stored in clear, a ledger's replay nonce)
        return Level.LOW if _unique_only(site.callee) else confidence

    def danger_at(self, site) -> str:
        kind = _unique_only(site.callee)
        if kind == "salt":
            return (self.danger + " A salt, though, is kept next to its hash and needs to be unique rather than "
                    "unpredictable: this matters only where the protocol needs the salt to stay unguessable too.")
        if kind == "nonce":
            return (self.danger + " A nonce, though, is mostly sent in clear and needs to be unique rather than "
                    "unpredictable: this matters where it is a challenge whose answer proves who answers, or where "
                    "the protocol needs it to stay unguessable.")
        return self.danger
