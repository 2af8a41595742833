"""Broken hash function (MD5, SHA-1, MD4) where the digest protects something.

Collisions for MD5 and SHA-1 are cheap to compute, and both are fast enough to
brute-force short secrets: they must not hash passwords, sign or vouch for
data an attacker supplies, or make tokens from secrets. Most MD5 and SHA-1 in
real code does none of this: a cache key, an ETag, a file name, a
de-duplication key, a Gravatar URL or a protocol's own digest (the WebSocket
accept key, HTTP Digest authentication) is not a defect.

Reported for `hashlib.md5`, `hashlib.sha1`, `hashlib.new("md5"/"sha1"/...)`
(the algorithm name resolved by constant propagation) and the PyCryptodome and
`cryptography` equivalents, when the code shows a security use:
* what is hashed (the call's data or `h.update(...)`) is a secret by its
  variable, attribute or key name: a password, secret, token, key, PIN, salt
  or credential (`md5(password)`, `h.update(self.secret)`);
* the digest is kept as one: stored, returned or passed under a name that
  says password hash, signature, MAC or token (`user.password_hash = ...`,
  `def sign(...)`), or written to a file or SQL statement that names a
  password — unless the function also uses the digest as an identifier
  (below);

with high confidence where a password is hashed or the digest is kept as a
password's (a fast digest of a password is brute-forced offline), and low
(not shown by default) where only a key, token, secret, nonce or salt is
hashed or the digest is kept as a key, signature or token: judged on real
code over seven panels, 2 of 27 such findings were real, both a password's
digest; the others were key derivations a protocol fixes (MTProto, the PDF
standard), request signatures a remote API demands, identifiers and file
names;
* otherwise, with medium confidence, when what is hashed comes from a client
  (HTTP request, network, RPC) and nothing says the digest is only an
  identifier: a client can make two inputs with the same digest, which fools
  de-duplication, integrity checks and signatures.

A name counts as a secret by whole words, not one that names a part or property of one: a
security word followed by `hdr`, `header`, `len`, `type`, `id`, `file`, `path`... (`auth_hdr_bin`,
the authentication header of a packet; `token_type`) is not a secret, nor a name ending in one.
A nonce or a challenge is not a secret either (`sha1(new_nonce + server_nonce)`, MTProto's key
derivation): it must be unpredictable, but it is sent in the clear, so its digest has nothing short to
brute-force.
A digest of a binary record packed with `struct.pack` in a method of a class that both parses and
serializes a wire format (a packet codec with `parser` and `serialize`) is reported with low
confidence (not shown by default): the protocol (BFD's Keyed MD5/SHA1 authentication, RFC 5880)
fixes the algorithm, and the code cannot choose another without breaking interoperability.
Likewise a digest computed in one branch of a test of a version (of a format or protocol: a name with
`version`, `revision`, `rev` or `protocol`) whose other branch computes a strong one (`if
self._handler.version >= AES256: md = sha256() else: md = sha1()`, the PDF standard's older security
handlers): the code supports both versions, and the older one fixes the algorithm.
Likewise a digest computed in a function, class or module named for the algorithm (`def _raw_md5_crypt`,
`class postgres_md5`, `md5_crypt.py`): an implementation of a scheme built on it (a legacy password-hash
format, a protocol's digest), whose callers choose it; judged on real code, passlib's md5-crypt.
Likewise one in code named for a protocol whose specification requires the algorithm (NTLM's MD4 and MD5,
DPAPI's SHA-1 key derivation, RADIUS' MD5, SNMPv3's USM, MS-CHAP: a module, folder, class or function named
for it, or a function that reads its names; `rules/protocol_crypto.py`), unless the digest is kept as a
password hash.

A digest sent to another party and not stored is reported with low confidence: passed (itself, or a
dict, query string or value built from it) to an outgoing request (`requests`, `httpx`, `urllib`,
`aiohttp`, `urllib3`...), to a call given both a URL and a payload keyword
(`self.load(self.API_URL, post=query)`), or to a method of the class or function of the program that
makes such a call; also a digest put under a key (`data["pwd"] = md5(password)`) that the other methods
of its class read only to send it; or a digest returned (itself, or a list or dict built from it) by a
function every caller of which in its class or module sends what it returns (`params =
self._get_stream_params(...)`, then `HTTPStream(session, url, params=params)`: a streaming site's signing
scheme). A third-party service's login (`md5(password)` in a remote API's auth
call) or a protocol chooses that algorithm, not this code. A digest also kept in an attribute, a file, a
database or a key that something else reads stays as it is.

A digest compared with another (`==`, `hmac.compare_digest`) is not evidence
on its own: checking a download or a cached file against a known MD5 needs a
second preimage to defeat, which MD5 and SHA-1 still resist. Not reported:
`usedforsecurity=False` (Python's declaration of a
non-security use, honoured as Bandit does; also when a wrapper passes its own
`usedforsecurity` parameter on); a digest cut to a short prefix (`[:8]`),
turned into a number (`int(h, 16)`: sharding, hash rings) or a UUID, or used
as an ETag, cache key, dictionary key, file name or path, URL, id or
Message-ID; the WebSocket accept key and HTTP Digest authentication (a
function naming a realm, `HA1 = MD5(user:realm:password)`, or two of `qop`, `cnonce`, `nc`, or the digest
by the name the protocol gives it, `ha1`, `ha1b` or `ha2`: a SIP server's subscriber table; the
protocol chooses the algorithm); a digest of fresh random bytes
(`sha1(os.urandom(64))`, `md5(uuid.uuid4().bytes)`: a random token, as unguessable
as its input), also when they reach it through locals and string building and
the function uses them for nothing else (`rand = os.urandom(16)`, `hashable =
f"{rand}{ip}{secret_key}"`: a random salt also stored beside the digest makes a
salted password hash, which is reported); a digest of something named as a
version (`h.update(version_string)`: a change token or cache buster, whatever it
is kept under); an identifier read from an object whose name sounds secret
(`sha1(auth_req.url)`: the URL of a request, not a secret); a key derived for an HMAC (`self._key =
sha1(salt + secret).digest()` given to `hmac.new`: HMAC needs no collision resistance, as Django's
`salted_hmac`); a hash object of which only a size or name is read
(`os.urandom(sha1().digest_size)`: nothing is hashed); and digests whose use the function does not
show.

**Fix:** use `hashlib.sha256` (or `blake2b`) for integrity, `hmac` with
SHA-256 for authentication, and `hashlib.scrypt`/argon2/bcrypt for passwords;
pass `usedforsecurity=False` where the use is not a security one.
"""

from __future__ import annotations

from secreview.analysis import values as V
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.control import controlling_conditions
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import calls as _calls
from secreview.rules.base import Hit, StatementRule
from secreview.rules.cipher_use import named_for
from secreview.rules.protocol_crypto import protocol_fix, protocol_note, protocol_requiring
from secreview.rules.weak_random import name_words, secret_name
from secreview.rules.words import PASSWORD_WORDS

_SIZES = frozenset({"digest_size", "block_size", "name"})
_WEAK = {"md5": "MD5", "sha1": "SHA-1", "md4": "MD4", "md2": "MD2", "sha": "SHA-0", "ripemd160": "RIPEMD-160"}
_DIRECT = {f"hashlib.{name}": name for name in ("md5", "sha1")}
_DIRECT.update({"Crypto.Hash.MD5.new": "md5", "Crypto.Hash.SHA1.new": "sha1", "Crypto.Hash.MD4.new": "md4",
                "Cryptodome.Hash.MD5.new": "md5", "Cryptodome.Hash.SHA1.new": "sha1",
                "cryptography.hazmat.primitives.hashes.MD5": "md5",
                "cryptography.hazmat.primitives.hashes.SHA1": "sha1"})
_NEW = frozenset({"hashlib.new"})
_TRIGGERS = frozenset({"md5", "sha1", "md4", "MD5", "SHA1", "MD4", "new"}) | frozenset(_DIRECT)

# Words of a name that hold or protect a secret (input or destination of the digest).
_SECURITY_WORDS = frozenset({
    "password", "passwords", "passwd", "passphrase", "pwd", "pw", "secret", "secrets", "token", "credential",
    "credentials", "creds", "pin", "otp", "signature", "sig", "sign", "signed", "signing", "mac", "hmac",
    "authenticator", "authenticate", "authentication", "auth", "integrity", "verify", "verification", "shadow",
    "htpasswd", "apikey",
})
# Words of a destination that make the digest an identifier or a label, not a protection.
_IDENTIFIER_WORDS = frozenset({
    "etag", "etags", "cache", "cached", "caches", "key", "keys", "id", "ids", "uid", "uuid", "ident", "identifier",
    "name", "names", "filename", "fname", "path", "paths", "dir", "dirname", "directory", "file", "files", "url",
    "urls", "uri", "href", "link", "suffix", "prefix", "version", "ver", "bucket", "shard", "partition", "ring",
    "slot", "node", "color", "colour", "avatar", "gravatar", "dedup", "dedupe", "seen", "unique", "uniq", "msgid",
    "message", "tag", "label", "slug", "seed", "int", "index", "sort", "lock", "bust", "busting", "fingerprint",
    "installid", "masterhash", "basename", "stem", "column", "table", "queue", "channel", "topic",
})
_CLIENT_KINDS = frozenset({"remote", "network", "rpc"})
_WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_DIGEST_AUTH_WORDS = frozenset({"realm", "qop", "cnonce", "nc"})
_DIGEST_HASH_NAMES = frozenset({"ha1", "ha1b", "ha2"})
"""The names HTTP and SIP Digest authentication (RFC 2617, RFC 3261) give their MD5 hashes: HA1 =
MD5(user:realm:password), HA2 = MD5(method:uri); Kamailio's and OpenSIPS's subscriber tables keep ``ha1``
and ``ha1b``."""
_SHORT_PREFIX = 16  # hex characters or bytes: a digest cut this short names something, it protects nothing
_MAX_HOPS = 3


def _words_of(name) -> tuple:
    return name_words(name) if isinstance(name, str) else ()


# A word after a security word that makes the name describe a part or property of it: ``auth_hdr_bin``
# (the authentication header), ``auth_len``, ``token_type``, ``password_file``.
_PART_WORDS = frozenset({"hdr", "header", "headers", "len", "length", "type", "types", "size", "id", "ids", "name",
                         "names", "file", "path", "method", "methods", "mode", "field", "fields", "offset", "count",
                         "flag", "flags", "version", "format", "url", "uri", "endpoint", "plugin", "backend",
                         "provider", "class", "status", "state", "enabled", "required", "kind", "algorithm", "algo",
                         # ``mac_address``, ``auth_addr``: a network address (a MAC address is a hardware id)
                         "address", "addresses", "addr", "addrs"})


_PUBLIC_RANDOM_WORDS = frozenset({"nonce", "nonces", "cnonce", "challenge", "authenticator"})
"""Secret words of ``weak_random`` for values that must be unpredictable but are not kept secret: a nonce or
challenge is sent in the clear, so its digest has no short secret to brute-force (MTProto's
``sha1(new_nonce + server_nonce)`` key derivation)."""


def _is_security_name(name) -> bool:
    if not isinstance(name, str):
        return False
    words = _words_of(name)
    if secret_name(name):
        return not _PUBLIC_RANDOM_WORDS.intersection(words) or bool(_SECURITY_WORDS.intersection(words))
    if not words or words[-1] in _IDENTIFIER_WORDS or words[-1] in _PART_WORDS:
        return False
    return any(w in _SECURITY_WORDS and not (i + 1 < len(words) and words[i + 1] in _PART_WORDS)
               for i, w in enumerate(words))


def _salt_name(name) -> bool:
    """A name for a salt (``salt``, ``password_salt``), which is stored in the clear next to the
    hash it salts: not a secret itself."""
    words = _words_of(name)
    return bool(words) and words[-1] == "salt"


def _is_identifier_name(name) -> bool:
    words = _words_of(name)
    return bool(words) and (words[-1] in _IDENTIFIER_WORDS or any(w in ("etag", "cache", "gravatar", "avatar")
                                                                  for w in words))


_PACKERS = frozenset({"struct.pack", "struct.Struct.pack", "struct.pack_into"})
_PARSE_METHODS = frozenset({"parser", "parse", "unpack", "decode", "deserialize", "from_bytes", "from_wire",
                            "parse_from", "frombytes"})
_SERIALIZE_METHODS = frozenset({"serialize", "pack", "encode", "to_bytes", "to_wire", "tobytes", "serialise"})


def _wire_format(interp, use) -> str:
    """``struct.pack`` when what is hashed is a binary record the function packs with it (directly or through
    a local) and the function is a method of a class with both a parsing and a serializing method (a
    packet codec: ``parser``/``serialize``): the digest is a field of a wire format, whose algorithm its
    protocol fixes. Empty otherwise."""
    fn = interp.fn
    if not fn.class_qualname:
        return ""
    prefix = fn.class_qualname + "."
    methods = {q[len(prefix):] for q in interp.program.functions if q.startswith(prefix) and "." not in q[len(prefix):]}
    if not (methods & _PARSE_METHODS and methods & _SERIALIZE_METHODS):
        return ""
    packed = set()
    for stmt in fn.statements():
        if isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Call) and stmt.value.qualname in _PACKERS:
            packed.update(t.id for t in stmt.targets if isinstance(t, ir.NameTarget))
    for expr in use.inputs:
        for e in _walk(expr):
            if (isinstance(e, ir.Call) and e.qualname in _PACKERS) or (isinstance(e, ir.Name) and e.id in packed):
                return "struct.pack"
    return ""


_STRONG = frozenset({f"hashlib.{name}" for name in ("sha224", "sha256", "sha384", "sha512", "sha3_224", "sha3_256",
                                                    "sha3_384", "sha3_512", "blake2b", "blake2s")}
                    | {f"{pkg}.Hash.{name}.new" for pkg in ("Crypto", "Cryptodome")
                       for name in ("SHA224", "SHA256", "SHA384", "SHA512", "SHA3_256", "SHA3_512", "BLAKE2b")})
_VERSION_WORDS = frozenset({"version", "versions", "revision", "rev", "protocol"})


def _version_branch(interp, call) -> tuple | None:
    """``if self._handler.version >= SecurityHandlerVersion.AES256: md = sha256() else: md = sha1()``: the weak
    digest is computed in one branch of a test of a version (of a format, a protocol: a name with ``version``,
    ``revision``, ``rev`` or ``protocol``), and the other branch, right there, computes a strong one: the code
    supports both versions, the weak algorithm for the one that fixes it. (the test, whether the weak branch
    is taken when it is true, the strong call), or None."""
    fn = interp.fn
    for cond, taken in controlling_conditions(fn, interp.stmt):
        words = {w for e in _walk(cond) if isinstance(e, (ir.Name, ir.Attr))
                 for w in name_words(e.id if isinstance(e, ir.Name) else e.attr)}
        if not words & _VERSION_WORDS:
            continue
        other = ir.EdgeKind.FALSE if taken else ir.EdgeKind.TRUE  # the edge into the other branch
        for edge in (e for block in fn.blocks for e in block.succs if e.cond is cond and e.kind == other):
            strong = next((e for stmt in fn.blocks[edge.target].stmts for root in _roots(stmt) for e in _walk(root)
                           if isinstance(e, ir.Call) and e.qualname in _STRONG), None)
            if strong is not None:
                return cond, taken, strong
    return None


def _names_in(expr) -> list:
    """Variable, attribute and constant-key names an expression reads: not modules, functions or
    methods it calls (``salt.utils.stringutils.to_bytes(topic)`` reads ``topic``)."""
    out = []
    called = {id(e.func) for e in _walk(expr) if isinstance(e, ir.Call)}
    # the object an identifier is read from (``auth_req`` of ``auth_req.url``): what is hashed is the URL, a
    # name or an id, not the object its name may call secret
    named = {id(x) for e in _walk(expr) if isinstance(e, ir.Attr) and _identifier_attribute(e.attr)
             for x in _walk(e.value)}
    for e in _walk(expr):
        if id(e) in called or id(e) in named:
            continue
        if isinstance(e, ir.Name):
            if e.kind not in (ir.NameKind.IMPORT, ir.NameKind.DEF, ir.NameKind.BUILTIN):
                out.append(e.id)
        elif isinstance(e, ir.Attr):
            if e.qualname is None and not any(isinstance(c, ir.Name) and c.kind == ir.NameKind.IMPORT
                                              for c in _walk(e.value)):
                out.append(e.attr)
        elif isinstance(e, ir.Subscript) and isinstance(e.index, ir.Const) and isinstance(e.index.value, str):
            out.append(e.index.value)
        elif isinstance(e, ir.Call) and isinstance(e.func, (ir.Name, ir.Attr)) and e.func.__class__ is ir.Attr \
                and e.func.attr == "get" and e.args and isinstance(e.args[0], ir.Const):
            out.append(e.args[0].value)  # ``data.get("password")``
    return out


def _node_naming(expr, name: str):
    """The part of ``expr`` that reads ``name`` (``_names_in``), for a step on its own line when the expression
    spans several (``md5(service_provider_id +\n service_provider_password + ...)``); ``expr`` if none."""
    for e in _walk(expr):
        if (isinstance(e, ir.Name) and e.id == name) or (isinstance(e, ir.Attr) and e.attr == name) \
                or (isinstance(e, ir.Subscript) and isinstance(e.index, ir.Const) and e.index.value == name):
            return e
    return expr


def _identifier_attribute(name) -> bool:
    """An attribute that names or locates what it is read from (``url``, ``id``, ``name``, ``path``):
    not the content of an object whose name says secret (``auth_req.url``)."""
    words = _words_of(name)
    return bool(words) and not secret_name(name) and (words[-1] in _IDENTIFIER_WORDS or words[-1] in _PART_WORDS)


def _strings_in(expr) -> list:
    return [e.value for e in _walk(expr) if isinstance(e, ir.Const) and isinstance(e.value, (str, bytes))]


def _roots(stmt):
    t = type(stmt)
    if t is ir.Assign:
        yield stmt.value
        for target in stmt.targets:
            if isinstance(target, ir.ItemTarget):
                yield target.value
                yield target.index
            elif isinstance(target, ir.AttrTarget):
                yield target.value
    elif t in (ir.Evaluate, ir.Return) and stmt.value is not None:
        yield stmt.value
    elif t is ir.Assert:
        yield stmt.test
    elif t is ir.Raise and stmt.exc is not None:
        yield stmt.exc


def _target_names(target) -> list:
    if isinstance(target, ir.NameTarget):
        return [target.id]
    if isinstance(target, ir.AttrTarget):
        return [target.attr]
    if isinstance(target, ir.ItemTarget):
        index = target.index
        names = [index.value] if isinstance(index, ir.Const) and isinstance(index.value, str) else []
        base = target.value
        if isinstance(base, ir.Name):
            names.append(base.id)
        elif isinstance(base, ir.Attr):
            names.append(base.attr)
        return names
    if isinstance(target, ir.UnpackTarget):
        return [n for t in target.elts for n in _target_names(t)]
    if isinstance(target, ir.StarTarget):
        return _target_names(target.target)
    return []


def _parents(root) -> dict:
    parents = {}
    for e in _walk(root):
        for c in e.children():
            parents[id(c)] = e
        if isinstance(e, ir.Call):
            for kw in e.keywords:
                parents[id(kw.value)] = e
    return parents


class _Use:
    """What the function shows of one weak hash call: what goes in, where the digest goes."""

    __slots__ = ("inputs", "secret_input", "where", "security", "verified", "identifier", "protocol",
                 "evidence", "sent", "stored", "kept", "carriers", "password_input", "returned")

    def __init__(self):
        self.inputs: list = []  # expressions hashed (call arguments, ``update()`` arguments)
        self.secret_input: list = []  # what is hashed is a secret (a password, a key)
        self.where: dict = {}  # reason -> (IR node, trace note): the line a reason rests on
        self.security: list = []  # reasons it protects something
        self.verified: list = []  # it is compared with another digest: a check, unless it is an identifier
        self.identifier: list = []  # reasons it is an identifier or label
        self.protocol = ""  # a protocol that mandates the algorithm
        self.evidence = ""
        self.sent: list = []  # the outgoing requests the digest is passed to (``requests.post()``)
        self.stored: list = []  # where the digest is kept: an attribute, a file, a database
        self.kept: list = []  # constant keys or attributes the digest is put under (``data["pwd"]``)
        self.carriers: set = set()  # local mappings the digest is put in (``params["pw"] = ...``): followed to a send
        self.password_input = False  # one of the secrets hashed is named as a password
        self.returned = False  # the function returns the digest, or a mapping or text built from it


class WeakHash(StatementRule):
    __doc__ = __doc__

    id = "SR201"
    attack_material = True
    name = "weak-hash"
    title = "Weak hash algorithm"
    cwe = 328
    severity = Level.MEDIUM
    confidence = Level.HIGH
    bandit = ("B303", "B324")
    triggers = None

    def __init__(self):
        self._uses: dict = {}  # id(function) -> {id(call): _Use}

    def relevant(self, function) -> bool:
        return not _TRIGGERS.isdisjoint(function.names)

    # ------------------------------------------------------------ the hash calls of a statement

    def check_statement(self, interp, stmt):
        for root in _roots(stmt):
            for e in _walk(root):
                if not isinstance(e, ir.Call):
                    continue
                algorithm = self._algorithm(interp, e)
                if algorithm is not None:
                    hit = self._judge(interp, e, algorithm)
                    if hit is not None:
                        yield hit
                elif e.method == "update" and e.args:
                    # ``h.update(data)`` on a weak hash object: the data hashed, with its taint here
                    hit = self._judge_update(interp, e)
                    if hit is not None:
                        yield hit

    def _algorithm(self, interp, call) -> str | None:
        qualname = call.qualname
        if qualname in _DIRECT:
            return _DIRECT[qualname]
        if qualname in _NEW:
            node = call.argument(0, "name")
            if node is None or not ir.is_pure(node):
                return None
            value = interp.eval(node)
            if not value.is_const or not isinstance(value.const, str):
                return None
            algorithm = value.const.lower().replace("-", "").replace("_", "")
            return algorithm if algorithm in _WEAK else None
        return None

    def _judge(self, interp, call, algorithm):
        flag = call.keyword("usedforsecurity")
        if flag is not None:
            value = interp.eval(flag) if ir.is_pure(flag) else None
            if value is None or not value.is_const or value.const is False:
                return None  # declared non-security, or left to the caller of this wrapper
        if _random_input(call) or _random_local_input(interp.fn, call):
            return None  # ``sha1(os.urandom(64))``: condensing random bytes into a token needs no collision resistance
        if _hmac_key(interp, call):
            return None  # a key derived for an HMAC (``hmac.new(sha1(salt + secret).digest(), msg)``)
        use = self._use(interp, call)
        if not use.secret_input and _version_input(use):
            return None  # a digest of a version string (and the like) is a change token: nothing to forge or guess
        if use.protocol or (use.identifier and not use.secret_input):
            return None  # an ETag compared with If-None-Match is still an ETag; a PIN cut from a digest names nothing
        label = _WEAK[algorithm]
        code = interp.code(call)
        reasons = use.secret_input or use.security
        if reasons:
            wire = _wire_format(interp, use)
            if wire:
                return Hit(node=call, explanation=(
                    f"`{code}` computes {label} {reasons[0]}, over a binary record packed with `{wire}` in a class "
                    f"that both parses and serializes a wire format. {label} is broken, but when a protocol "
                    f"specification fixes the algorithm (BFD's Keyed MD5 and SHA1 authentication, RFC 5880) the "
                    f"code cannot choose another without breaking interoperability with its peers: the weakness is "
                    f"the protocol's, and worth knowing where the protocol offers a stronger mode."),
                    fix=("If the protocol offers a stronger authentication mode, prefer it and make it the default; "
                         "otherwise nothing in this code can change the algorithm."),
                    confidence=Level.LOW, tags=("security-use", "protocol"),
                    notes=self._reason_note(use, call, reasons[0]))
            version = _version_branch(interp, call)
            if version:
                test, taken, strong = version
                test_code, strong_code = interp.code(test), interp.code(strong)
                return Hit(node=call, explanation=(
                    f"`{code}` computes {label} {reasons[0]}, in the branch taken when `{test_code}` (a test of the "
                    f"version of a format or protocol) is {'true' if taken else 'false'}, while the other branch "
                    f"computes `{strong_code}`. "
                    f"{label} is broken, but where a format's version fixes the algorithm (the PDF standard's "
                    f"security handlers before AES-256) the code cannot choose another for that version without "
                    f"breaking interoperability: the weakness is that version's, and the stronger one is there."),
                    fix=("Make the stronger version the default for what this code writes; read the older version "
                         "only where compatibility requires it."),
                    confidence=Level.LOW, tags=("security-use", "protocol"),
                    notes=self._reason_note(use, call, reasons[0])
                    + ((test, f"`{test_code}`: the version test"), (strong, f"`{strong_code}`: the other branch")))
            sent = self._sent_only(interp, use)
            if sent:
                return Hit(node=call, explanation=(
                    f"`{code}` computes {label} {reasons[0]}, and the digest is sent to another party with {sent}; "
                    f"nothing here keeps it to check against later. {label} is broken, but a digest sent in a request "
                    f"is the format the other side (a remote API's login, a protocol) chooses: this code cannot pick "
                    f"another algorithm without breaking the exchange, and the weakness is the other side's."),
                    fix=("If the service offers a stronger authentication (a token, OAuth, HTTPS with the password "
                         "verified by a slow hash on its side), use it; otherwise nothing in this code can change the "
                         "algorithm."),
                    confidence=Level.LOW, tags=("security-use", "sent"),
                    notes=self._reason_note(use, call, reasons[0]))
            scheme, scheme_notes = named_for(interp, {algorithm}, label)
            if scheme:
                return Hit(node=call, explanation=(
                    f"`{code}` computes {label} {reasons[0]}, in {scheme}, named for {label}: it implements a scheme "
                    f"built on {label} (a legacy password-hash format, a protocol's digest), which whoever calls it "
                    f"chooses. {label} is broken, and data protected with this scheme is weakly protected: the choice "
                    f"to use it is made where it is called."),
                    fix=("Keep the scheme for reading what already uses it; for new password hashes use a slow, "
                         "salted hash (bcrypt, scrypt, Argon2, PBKDF2) instead."),
                    confidence=Level.LOW, tags=("security-use", "scheme"),
                    notes=self._reason_note(use, call, reasons[0]) + scheme_notes)
            protocol = None if _password_kept(use) else protocol_requiring(
                interp, {"md5": "MD5", "sha1": "SHA1", "md4": "MD4"}.get(algorithm, ""))
            if protocol is not None:
                return Hit(node=call, explanation=(
                    f"`{code}` computes {label} {reasons[0]}. {label} is broken.{protocol_note(*protocol, label)}"),
                    fix=protocol_fix(protocol[0], "the algorithm"),
                    confidence=Level.LOW, tags=("security-use", "protocol"),
                    notes=self._reason_note(use, call, reasons[0]))
            # a password hashed, or a digest kept as a password hash: high. Anything else (a key, token, nonce or
            # secret hashed, a digest kept as a key, signature or token): low. Judged on real code over seven
            # panels, 2 of 27 such findings were real, both a password's digest; the others were key derivations
            # a protocol fixes (MTProto, the PDF standard), request signatures a remote API demands, identifiers
            # and file names (docs/precision.md, twenty-first session)
            confidence = None if use.password_input or _password_kept(use) else Level.LOW
            return Hit(node=call, explanation=(
                f"`{code}` computes {label} {reasons[0]}. {label} is broken: collisions are cheap to forge and "
                f"it is fast enough to brute-force short secrets, so this digest cannot protect what it is used for."),
                fix=self._fix(reasons[0]), tags=("security-use",), notes=self._reason_note(use, call, reasons[0]),
                confidence=confidence)
        client = self._client_input(interp, use)
        if client is None:
            return None
        return self._client_hit(interp, call, label, client)

    @staticmethod
    def _sent_only(interp, use) -> str:
        """The outgoing request the digest is passed to, when this function shows it sent (directly, or put under
        a key that another method of the class reads only to send it) and kept nowhere: empty otherwise."""
        if use.stored:
            return ""
        sent = list(use.sent)
        if use.returned:
            found = _sent_by_callers(interp, interp.fn)
            if not found:
                return ""  # returned to code that may keep it
            sent.append(found)
        for key in use.kept:
            found = _sent_by_class(interp, interp.fn, key)
            if not found:
                return ""  # kept under a key nothing shows sent: it may be stored
            sent.append(found)
        return sent[0] if sent else ""

    @staticmethod
    def _reason_note(use, call, reason) -> tuple:
        """The trace step of the line the explanation's reason rests on, when it is not the call's."""
        node, note = use.where.get(reason, (None, ""))
        if node is None or getattr(node, "line", call.line) == call.line:
            return ()
        return ((node, note),)

    def _judge_update(self, interp, call):
        receiver = call.func.value if isinstance(call.func, ir.Attr) else None
        if not isinstance(receiver, ir.Name):
            return None
        uses = self._function_uses(interp)
        for ctor_id, (ctor, algorithm, names) in uses["calls"].items():
            if receiver.id not in names:
                continue
            use = uses["uses"][ctor_id]
            flag = ctor.keyword("usedforsecurity")
            if flag is not None or use.protocol or use.secret_input or use.security or use.verified \
                    or use.identifier:
                return None  # judged at the constructor
            client = self._client_input(interp, use, call.args)
            if client is not None:
                return self._client_hit(interp, ctor, _WEAK[algorithm], client)
        return None

    def _client_hit(self, interp, call, label, found):
        client, flow = found
        code = interp.code(call)
        return Hit(node=call, flow=flow, explanation=(
            f"`{code}` computes {label} of `{client}`, which holds data from a client, and nothing in "
            f"this function shows the digest to be only an identifier. A client can make two different inputs with "
            f"the same {label} digest, which defeats de-duplication, integrity checks and signatures built on it."),
            fix=self._fix(""), confidence=Level.MEDIUM, tags=("client-data",))

    @staticmethod
    def _fix(reason: str) -> str:
        if "password" in reason or "passw" in reason:
            return ("Hash passwords with `hashlib.scrypt()`, argon2 or bcrypt (a slow, salted hash); never with "
                    "MD5 or SHA-1.")
        return ("Use `hashlib.sha256()` (or `hashlib.blake2b()`), and `hmac` with SHA-256 to authenticate data. "
                "If the digest only names something, pass `usedforsecurity=False`.")

    def _client_input(self, interp, use, extra=()):
        """The first hashed name whose value here carries client data, and the steps that brought it."""
        for expr in list(use.inputs) + list(extra):
            for e in _walk(expr):
                if isinstance(e, ir.Name) and e.kind in (ir.NameKind.LOCAL, ir.NameKind.FREE):
                    value = interp.state.get(e.id)
                    taint = min((t for t in value.taints if t.kind in _CLIENT_KINDS), key=V.taint_order,
                                default=None) if value is not None else None
                    if taint is not None:
                        return e.id, taint.step
        return None

    # ------------------------------------------------------------ what the function does with the digest

    def _use(self, interp, call) -> _Use:
        uses = self._function_uses(interp)
        use = uses["uses"].get(id(call))
        return use if use is not None else _Use()

    def _function_uses(self, interp) -> dict:
        fn = interp.fn
        found = self._uses.get(id(fn))
        if found is None or found["fn"] is not fn:
            found = self._uses[id(fn)] = self._scan(interp, fn)
        return found

    def _scan(self, interp, fn) -> dict:
        """Every weak hash call of ``fn``, the names its object or digest is bound to (followed a few
        assignments on), what is hashed and where the digest goes."""
        self._interp = interp
        statements = list(fn.statements())
        calls: dict = {}
        uses: dict = {}
        fn_names = fn.names
        # (HA1 = MD5(user:realm:password) names its realm: ``realm``, ``settings.DIGEST_REALM``; or the digest by
        # the name the protocol gives it: SIP's subscriber table keeps ``ha1`` and ``ha1b`` with the realm called
        # ``domain``)
        lowered = {n.lower() for n in fn_names}
        digest_auth = len(_DIGEST_AUTH_WORDS & lowered) >= 2 or any("realm" in n for n in lowered) \
            or bool(_DIGEST_HASH_NAMES & lowered)
        for stmt in statements:
            for root in _roots(stmt):
                for e in _walk(root):
                    if isinstance(e, ir.Call) and (e.qualname in _DIRECT or e.qualname in _NEW):
                        algorithm = _DIRECT.get(e.qualname) or self._algorithm(interp, e)
                        if algorithm is None:
                            continue
                        use = _Use()
                        use.inputs.extend(a for a in e.args if not (e.qualname in _NEW and a is e.args[0]))
                        use.inputs.extend(k.value for k in e.keywords if k.name in ("data", "string"))
                        if digest_auth:
                            use.protocol = "HTTP Digest authentication"
                        calls[id(e)] = (e, algorithm, set())
                        uses[id(e)] = use
        if not calls:
            return {"fn": fn, "calls": calls, "uses": uses}
        opens = _opened_paths(statements)
        for ctor_id, (ctor, _algorithm, names) in calls.items():
            use = uses[ctor_id]
            for _ in range(_MAX_HOPS):
                grown = False
                for stmt in statements:
                    grown |= self._follow(stmt, ctor, names, use, fn, opens)
                if not grown:
                    break
            reasons = []
            for expr in use.inputs:
                for s in _strings_in(expr) + _constant_names(interp, expr):
                    text = s.decode("latin-1") if isinstance(s, bytes) else s
                    if _WEBSOCKET_GUID in text:
                        use.protocol = "the WebSocket handshake (RFC 6455)"
                # a secret before a salt: ``guess + salt`` hashes the password guessed, not a secret salt
                names = sorted((n for n in _names_in(expr) if _is_security_name(n)), key=_salt_name)
                use.password_input = use.password_input or any(
                    w in PASSWORD_WORDS for n in names for w in _words_of(n))
                for name in names[:1]:
                    if reasons:
                        break
                    if _salt_name(name):
                        reasons.append(f"of `{name}`, whose name marks it as a salt (salted digests are "
                                       f"usually password or key hashes)")
                    else:
                        reasons.append(f"of `{name}`, whose name marks it as a secret or part of one "
                                       f"(a password, key, token)")
                    use.where.setdefault(reasons[-1], (_node_naming(expr, name), f"`{name}` is hashed"))
            use.secret_input[:0] = reasons
        return {"fn": fn, "calls": calls, "uses": uses}

    def _follow(self, stmt, ctor, names: set, use: _Use, fn, opens) -> bool:
        """Look at one statement for the digest (the call itself or a name bound to it); returns
        whether new names were bound."""
        grown = False
        carried = len(use.carriers)
        for root in _roots(stmt):
            parents = None
            for e in _walk(root):
                hit = e is ctor or (isinstance(e, ir.Name) and e.id in names)
                if not hit:
                    if isinstance(e, ir.Name) and e.id in use.carriers:
                        if parents is None:
                            parents = _parents(root)
                        self._carried(e, parents, use, fn)
                        if isinstance(stmt, ir.Return):
                            use.returned = True  # ``return params`` after ``params["sign"] = digest``
                    continue
                if parents is None:
                    parents = _parents(root)
                if isinstance(e, ir.Name) and isinstance(parents.get(id(e)), ir.Attr):
                    attr = parents[id(e)]
                    call = parents.get(id(attr))
                    if attr.attr == "update" and isinstance(call, ir.Call) and call.func is attr:
                        for a in call.args:
                            if all(a is not x for x in use.inputs):
                                use.inputs.append(a)
                        continue
                self._context(e, parents, stmt, root, use, fn, opens)
        if isinstance(stmt, ir.Assign) and any(
                e is ctor or (isinstance(e, ir.Name) and e.id in names) for e in _walk(stmt.value)) \
                and not self._answer(stmt.value, ctor, names, fn):
            for target in stmt.targets:
                if isinstance(target, ir.NameTarget) and target.id not in names:
                    names.add(target.id)
                    grown = True
                elif isinstance(target, ir.ItemTarget) and isinstance(target.value, ir.Name) \
                        and target.value.id not in use.carriers and target.value.id in fn.locals \
                        and target.value.id not in {p.name for p in fn.params}:
                    use.carriers.add(target.value.id)  # ``params["pw"] = digest``: the local dict carries it
                    grown = True
        grown = grown or len(use.carriers) > carried
        if isinstance(stmt, ir.Assign) and any(isinstance(e, ir.Name) and e.id in use.carriers
                                               for e in _walk(stmt.value)):
            for target in stmt.targets:
                if isinstance(target, ir.NameTarget) and target.id not in use.carriers | names:
                    use.carriers.add(target.id)  # ``query = urlencode(params)``
                    grown = True
        return grown

    def _answer(self, value, ctor, names, fn) -> bool:
        """``value`` holds the digest only inside the arguments of outgoing requests: what it computes is the
        other side's answer (``login = self.api_request("login", password=digest)``), not a digest."""
        inside = set()
        for e in _walk(value):
            if isinstance(e, ir.Call) and _outgoing(self._interp, fn, e):
                inside.update(id(x) for a in list(e.args) + [k.value for k in e.keywords] for x in _walk(a))
        return bool(inside) and all(id(e) in inside for e in _walk(value)
                                    if e is ctor or (isinstance(e, ir.Name) and e.id in names))

    def _carried(self, node, parents, use: _Use, fn) -> None:
        """A local mapping the digest was put in, at ``node``: only whether it is sent is looked at."""
        child, parent = node, parents.get(id(node))
        while parent is not None:
            if isinstance(parent, ir.Call) and (any(a is child for a in parent.args)
                                                or any(k.value is child for k in parent.keywords)):
                sent = _outgoing(self._interp, fn, parent)
                if sent:
                    use.sent.append(sent)
            child, parent = parent, parents.get(id(parent))

    def _context(self, node, parents, stmt, root, use: _Use, fn, opens) -> None:
        """Where the digest at ``node`` goes in its statement."""
        child = node
        parent = parents.get(id(child))
        answered = False  # the digest went into an outgoing request: what the statement keeps is the answer
        if isinstance(parent, ir.Attr) and parent.value is child and parent.attr in _SIZES:
            # ``os.urandom(sha1().digest_size)``: only a size of the algorithm is read; nothing is hashed
            use.identifier.append(f"only its `{parent.attr}` is read")
            return
        while parent is not None:
            if isinstance(parent, ir.Subscript) and parent.value is child and isinstance(parent.index, ir.Slice):
                upper = parent.index.upper
                if isinstance(upper, ir.Const) and isinstance(upper.value, int) and 0 < upper.value <= _SHORT_PREFIX \
                        and parent.index.lower is None:
                    use.identifier.append("cut to a short prefix")
            elif isinstance(parent, ir.Subscript) and parent.index is child:
                use.identifier.append("used as a key")
            elif isinstance(parent, ir.Compare):
                operands = [parent.left, *parent.comparators]
                others = [o for o in operands if o is not child]
                if any(o is child for o in operands) and len(parent.ops) == 1 and parent.ops[0] in ("==", "!=") \
                        and others and not isinstance(others[0], ir.Const):
                    use.verified.append("and compares the digest with another value (a verification)")
                # what the statement goes on with is the comparison's truth, not the digest (``return
                # received_code == expected_code`` returns a bool)
                return
            elif isinstance(parent, ir.Call):
                func = parent.func
                if isinstance(func, ir.Attr) and func.attr in _COLLECTING and isinstance(func.value, ir.Name) \
                        and func.value.id in fn.locals and func.value.id not in {p.name for p in fn.params}:
                    use.carriers.add(func.value.id)  # ``params.append(("sign", digest))``: the local list carries it
                if any(a is child for a in parent.args) or any(k.value is child for k in parent.keywords):
                    sent = _outgoing(self._interp, fn, parent)
                    if sent:
                        use.sent.append(sent)
                        answered = True
                    elif _storing(parent):
                        use.stored.append(f"`{_callee(parent)}()`")
                self._call_context(parent, child, use, opens)
            elif isinstance(parent, ir.DictExpr):
                for k, v in zip(parent.keys, parent.values):
                    if v is child and isinstance(k, ir.Const) and isinstance(k.value, str):
                        self._destination(k.value, use, f"and stores the digest under `{k.value}`", at=stmt)
            child, parent = parent, parents.get(id(parent))
        if answered:
            return
        if isinstance(stmt, ir.Assign) and root is stmt.value:
            for target in stmt.targets:
                _keep(target, fn, use)
                for name in _target_names(target):
                    self._destination(name, use, f"and stores the digest in `{name}`", at=stmt)
        elif isinstance(stmt, ir.Return) and root is stmt.value:
            use.returned = True
            # cited at the ``def`` line, where the function's name is (the return line may not name it)
            self._destination(fn.name, use, f"and `{fn.name}()` returns the digest",
                              at=ir.Pass("def").at(fn.line, 0, fn.line, 0))

    def _call_context(self, call, arg, use: _Use, opens) -> None:
        if call.qualname == "hmac.compare_digest" or call.method == "compare_digest":
            use.verified.append("and compares the digest with another value (a verification)")
            return
        if call.qualname in ("uuid.UUID", "builtins.int", "struct.unpack", "struct.unpack_from", "random.seed",
                             "random.Random", "os.path.join", "builtins.open", "pathlib.Path"):
            use.identifier.append(f"used by `{call.qualname.rsplit('.', 1)[-1]}()`")
            return
        for kw in call.keywords:
            if kw.value is arg and kw.name:
                self._destination(kw.name, use, f"and passes the digest as `{kw.name}=`", at=call)
        func = call.func
        callee = func.attr if isinstance(func, ir.Attr) else func.id if isinstance(func, ir.Name) else None
        if callee in ("hexdigest", "digest", "encode", "decode", "b64encode", "urlsafe_b64encode", "hexlify", "str",
                      "bytes", "format", "lower", "upper", "strip"):
            return
        if callee:
            self._destination(callee, use, f"and passes the digest to `{callee}()`", at=call)
        receiver = func.value if isinstance(func, ir.Attr) else None
        if isinstance(receiver, ir.Name) and receiver.id in opens and callee in ("write", "writelines"):
            for text in opens[receiver.id]:
                self._destination(text, use, f"and writes the digest to `{text.strip()[:60]}`", stored=True,
                                  at=call)
        if any(a is arg for a in call.args) or any(k.value is arg for k in call.keywords):
            for text in _strings_in(call):
                if isinstance(text, str) and len(text) < 300 and any(
                        w in ("password", "passwd", "secret", "credential", "credentials") for w in name_words(text)):
                    use.security.append(f"and passes the digest with `{text.strip()[:40]}`")
                    break
                if isinstance(text, str) and text.lower() in ("etag", "if-none-match", "message-id",
                                                              "content-md5", "x-checksum"):
                    use.identifier.append(f"sent as `{text}`")

    def _destination(self, name, use: _Use, reason: str, stored=False, at=None) -> None:
        if not isinstance(name, str):
            return
        if at is not None:
            use.where.setdefault(reason, (at, reason.removeprefix("and ")))
        if stored:
            if any(w in ("password", "passwd", "secret", "shadow", "htpasswd", "credentials", "token")
                   for w in name_words(name)):
                use.security.append(reason)
            return
        if _is_security_name(name):
            use.security.append(reason)
        elif _is_identifier_name(name):
            use.identifier.append(reason)


def _password_kept(use) -> bool:
    """The digest is kept under a name that says password (``user.password_hash = ...``, written to a file or
    statement naming a password, ``/etc/shadow``, ``.htpasswd``)."""
    return any(w in PASSWORD_WORDS or w in ("shadow", "htpasswd") for reason in use.security
               for w in name_words(reason))


_RANDOM_BYTES = frozenset({"os.urandom", "secrets.token_bytes", "secrets.token_hex", "secrets.token_urlsafe",
                           "uuid.uuid4", "random.SystemRandom"})


def _random_input(call) -> bool:
    """The hashed data is fresh random bytes (``hashlib.sha1(os.urandom(64))``, ``md5(uuid.uuid4().bytes)``):
    the digest is a random token, as unguessable as its input whatever the hash."""
    for data in list(call.args) + [k.value for k in call.keywords]:
        if isinstance(data, ir.Call) and data.method in ("encode", "hex") and isinstance(data.func, ir.Attr):
            data = data.func.value
        while isinstance(data, ir.Attr):
            data = data.value  # ``uuid.uuid4().bytes``
        if isinstance(data, ir.Call) and (data.qualname or "") in _RANDOM_BYTES:
            return True
    return False


def _local_definitions(fn) -> dict:
    """Local name -> the values the function assigns to it (single targets)."""
    defs: dict = {}
    for stmt in fn.statements():
        if isinstance(stmt, ir.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.NameTarget):
            defs.setdefault(stmt.targets[0].id, []).append(stmt.value)
    return defs


_HMACS = frozenset({"hmac.new", "hmac.HMAC", "hmac.digest"})


def _hmac_key(interp, call) -> bool:
    """The digest is the key of an HMAC: given as the first argument (``key=``) of ``hmac.new``, ``hmac.HMAC``
    or ``hmac.digest``, directly or through the name or attribute it is assigned to (``self._key =
    sha1(salt + secret).digest()``, then ``hmac.new(self._key, message, sha1)`` in a method of the module).
    Deriving an HMAC key needs neither collision resistance nor a slow hash: SHA-1 of a secret reveals no
    preimage, and the secret stays the key's (Django's ``salted_hmac`` does the same)."""
    stmt = interp.stmt
    targets = []
    if isinstance(stmt, ir.Assign) and stmt.value is not None and any(e is call for e in _walk(stmt.value)):
        targets = [t for t in stmt.targets if isinstance(t, (ir.NameTarget, ir.AttrTarget))]
    # a local name is read back in its own function; an attribute anywhere in the module (another method)
    local = {interp.code(t) for t in targets if isinstance(t, ir.NameTarget)}
    attributes = {interp.code(t) for t in targets if isinstance(t, ir.AttrTarget)}
    functions = [interp.module.body, *interp.module.functions.values()] if attributes else [interp.fn]
    for fn in functions:
        for other in _calls(fn):
            key = other.argument(0, "key") if other.qualname in _HMACS else None
            if key is None:
                continue
            code = interp.code(key)
            if any(e is call for e in _walk(key)) or code in attributes or (fn is interp.fn and code in local):
                return True
    return False


def _random_local_input(fn, call) -> bool:
    """What is hashed is built, through locals and string building, from fresh random bytes (``rand =
    os.urandom(16)``, ``hashable = f"{rand}{now}{ip}{secret_key}"``, ``sha1(hashable.encode())``) that the
    function uses for nothing else: an unguessable value whatever else is mixed in, neither a password
    nor a key can be brute-forced from it. A random salt also kept elsewhere (stored beside the digest,
    ``config["salt"] = salt``) is a salted password or key hash, not this."""
    data = list(call.args) + [k.value for k in call.keywords]
    if not data:
        return False
    defs = _local_definitions(fn)
    chain: dict = {}  # local -> its definitions, for the locals what is hashed is built from
    todo = [e.id for d in data for e in _walk(d) if isinstance(e, ir.Name) and e.kind == ir.NameKind.LOCAL]
    while todo and len(chain) < 8:
        name = todo.pop()
        if name in chain or name not in defs:
            continue
        chain[name] = defs[name]
        todo.extend(e.id for v in defs[name] for e in _walk(v)
                    if isinstance(e, ir.Name) and e.kind == ir.NameKind.LOCAL)
    random_locals = {name for name, values in chain.items() if len(values) == 1 and _random_call(values[0])}
    if not random_locals:
        return False
    # every read of the random local is in what is hashed or in the definition of a local of the chain
    allowed = {id(x) for d in data for x in _walk(d)}
    allowed.update(id(x) for values in chain.values() for v in values for x in _walk(v))
    for stmt in fn.statements():
        for root in _roots(stmt):
            for e in _walk(root):
                if isinstance(e, ir.Name) and e.id in random_locals and id(e) not in allowed:
                    return False
    return True


def _random_call(value) -> bool:
    while isinstance(value, ir.Call) and value.method in ("hex", "encode", "hexdigest", "decode") \
            and isinstance(value.func, ir.Attr) and (value.qualname or "") not in _RANDOM_BYTES:
        value = value.func.value
    return isinstance(value, ir.Call) and (value.qualname or "") in _RANDOM_BYTES


_VERSION_WORDS = frozenset({"version", "versions", "revision", "release"})


def _version_input(use) -> bool:
    """Something hashed is named as a version (``version_string``, ``__version__``): the digest names a
    version of something (a change token, a cache buster), whatever name it is kept under."""
    for expr in use.inputs:
        for e in _walk(expr):
            name = e.id if isinstance(e, ir.Name) else e.attr if isinstance(e, ir.Attr) else None
            if name is not None and _VERSION_WORDS & set(_words_of(name)):
                return True  # (also an imported ``version_string``)
    return False


def _constant_names(interp, expr) -> list:
    """The constant string values of the module-level or imported names ``expr`` reads (``WS_KEY``)."""
    out = []
    for e in _walk(expr):
        if isinstance(e, ir.Name) and e.kind in (ir.NameKind.GLOBAL, ir.NameKind.IMPORT):
            value = interp.eval(e)
            if value.is_const and isinstance(value.const, (str, bytes)):
                out.append(value.const)
    return out


def _opened_paths(statements) -> dict:
    """Names bound to ``open(path)`` in these statements -> the constant parts of the path."""
    out: dict = {}
    for stmt in statements:
        if not isinstance(stmt, ir.Assign):
            continue
        value = stmt.value
        if isinstance(value, ir.WithEnter):
            value = value.context
        if isinstance(value, ir.Call) and value.qualname in ("builtins.open", "io.open", "codecs.open") and value.args:
            texts = [t for t in _strings_in(value.args[0]) if isinstance(t, str)]
            if texts:
                for target in stmt.targets:
                    if isinstance(target, ir.NameTarget):
                        out.setdefault(target.id, []).extend(texts)
    return out


# Outgoing requests: the digest passed to one is sent to another party, which chose the algorithm.
_HTTP_PREFIXES = ("requests.", "httpx.", "urllib.request.urlopen", "urllib.request.Request", "urllib2.urlopen",
                  "urllib2.Request", "urllib3.", "aiohttp.", "http.client.", "xmlrpc.client.", "tornado.httpclient.",
                  "treq.", "pycurl.")
# Keywords that carry a request's payload (``requests``, ``httpx``, ``aiohttp``, pyLoad's ``load(url, post=...)``).
_PAYLOAD_KEYWORDS = frozenset({"params", "data", "json", "headers", "post", "get", "body", "query", "form", "payload",
                               "auth", "cookies", "files"})
_URL_WORDS = frozenset({"url", "uri", "endpoint"})
# Methods that put what they are given in a local collection (``params.append(("sign", digest))``)
_COLLECTING = frozenset({"append", "extend", "insert", "update", "add", "setdefault"})
_STORING = frozenset({"execute", "executemany", "save", "store", "write", "writelines", "insert", "set", "set_config",
                      "setdefault", "put", "dump", "create", "write_config"})


def _callee(call) -> str:
    return _callee_name(call.func, call.qualname or "call")


def _storing(call) -> bool:
    """A call that keeps what it is given: a database statement, a file, a configuration, a model."""
    return _callee(call) in _STORING and not (call.qualname or "").startswith(_HTTP_PREFIXES)


def _url_in(expr) -> bool:
    for text in _strings_in(expr):
        if isinstance(text, str) and text.startswith(("http://", "https://")):
            return True
    # (also a constant the class or module names for a URL, formatted: ``self._URL_PLAY.format(rid=rid)``)
    return any(_URL_WORDS & set(_words_of(name)) for name in _names_in(expr)) or any(
        isinstance(e, ir.Attr) and _URL_WORDS & set(_words_of(e.attr)) for e in _walk(expr))


def _request_call(interp, call, where: str = "") -> str:
    """``requests.post()`` and the like, or a call given both a URL and a request payload keyword
    (``self.load(self.API_URL, post=query)``): the call's label with its line (``where``: the path of another
    file it is in), empty otherwise."""
    end = getattr(call, "end_line", None) or call.line
    lines = f"line {call.line}" if end == call.line else f"lines {call.line}-{end}"
    at = f"({where}:{call.line})" if where else f"({lines})"
    qualname = call.qualname or ""
    if qualname.startswith(_HTTP_PREFIXES):
        return f"`{qualname}()` {at}"
    payload = [k for k in call.keywords if k.name in _PAYLOAD_KEYWORDS]
    if payload and any(_url_in(e) for e in list(call.args) + [k.value for k in call.keywords]):
        return f"`{_code(interp, call.func)}()`, given a URL and `{payload[0].name}=` {at}"
    return ""


def _code(interp, node) -> str:
    text = interp.code(node) if getattr(node, "line", None) else ""
    return text if text and "\n" not in text and len(text) <= 60 else _callee_name(node)


def _callee_name(func, other: str = "call") -> str:
    """The name a call's ``func`` calls by (``x.send`` -> ``send``, ``send``), else ``other``."""
    return func.attr if isinstance(func, ir.Attr) else func.id if isinstance(func, ir.Name) else other


def _methods(interp, fn) -> list:
    """The other methods of ``fn``'s class, from the class itself (not a scan of every function)."""
    klass = interp.program.classes.get(fn.class_qualname) if fn.class_qualname else None
    return [f for f in klass.methods.values() if f is not fn] if klass is not None else []


def _outgoing(interp, fn, call) -> str:
    """``call`` sends what it is given to another party: an HTTP client call, a call with a URL and a payload
    keyword, or a method of this class (or a function of the program) whose body makes such a call."""
    found = _request_call(interp, call)
    if found:
        return found
    callee = None
    func = call.func
    if call.qualname and call.qualname in interp.program.functions:
        callee = interp.program.functions[call.qualname]
    elif isinstance(func, ir.Attr) and isinstance(func.value, ir.Name) and func.value.id in ("self", "cls") \
            and fn.class_qualname:
        callee = interp.program.functions.get(f"{fn.class_qualname}.{func.attr}")
    if callee is None or callee is fn:
        return ""
    module = interp.program.function_module.get(callee.qualname)
    where = module.path if module is not None and module.path != interp.path else ""
    for stmt in callee.statements():
        for root in _roots(stmt):
            for e in _walk(root):
                if isinstance(e, ir.Call) and _request_call(interp, e):
                    return f"`{_code(interp, call.func)}()` (line {call.line}), which calls " \
                           f"{_request_call(interp, e, where)}"
    return ""


def _keep(target, fn, use) -> None:
    """Where an assignment puts the digest: an attribute or a key of a mapping the function does not own is
    kept (``data["pwd"] = ...``, ``user.password = ...``); a key of a local dict is not."""
    if isinstance(target, ir.AttrTarget):
        use.kept.append(target.attr)
    elif isinstance(target, ir.ItemTarget):
        base, index = target.value, target.index
        if isinstance(base, ir.Name) and base.id in fn.locals and base.id not in {p.name for p in fn.params}:
            return  # a local mapping: followed by its name where it goes
        if isinstance(index, ir.Const) and isinstance(index.value, str):
            use.kept.append(index.value)
        else:
            use.stored.append("a mapping")


def _reads(expr, key) -> bool:
    for e in _walk(expr):
        if isinstance(e, ir.Subscript) and isinstance(e.index, ir.Const) and e.index.value == key:
            return True
        if isinstance(e, ir.Attr) and e.attr == key:
            return True
    return False


def _calls_of(method, fn) -> list:
    """The statements of ``method`` and the calls in them of ``fn`` (``self.sign(...)``, ``cls.sign(...)``,
    ``sign(...)`` for a function of the module)."""
    found = []
    for stmt in method.statements():
        for root in _roots(stmt):
            for e in _walk(root):
                if not isinstance(e, ir.Call):
                    continue
                func = e.func
                if (isinstance(func, ir.Attr) and func.attr == fn.name and isinstance(func.value, ir.Name)
                        and func.value.id in ("self", "cls") and fn.class_qualname) \
                        or (e.qualname is not None and e.qualname == fn.qualname):
                    found.append((stmt, e))
    return found


def _sent_by_callers(interp, fn) -> str:
    """Every call of ``fn`` in its class (or module) passes what it returns to an outgoing request, directly or
    through locals built from it (``params = self._get_stream_params(...)``, then ``HTTPStream(session, url,
    params=params)``): the label of the first such request; empty when there is no such call or one of them
    keeps the result, returns it on or uses it for anything else."""
    callers = _methods(interp, fn)
    if not fn.class_qualname:
        module = interp.program.function_module.get(fn.qualname)
        callers = [f for q, f in interp.program.functions.items()
                   if f is not fn and module is not None and interp.program.function_module.get(q) is module]
    found = ""
    for method in callers:
        for stmt, call in _calls_of(method, fn):
            sent = _result_sent(interp, method, stmt, call)
            if not sent:
                return ""
            found = found or sent
    return f"{found}, by every caller of `{fn.name}()`" if found else ""


def _result_sent(interp, method, stmt, call) -> str:
    """What ``call``'s result, at ``stmt`` of ``method``, is sent with: an outgoing request it is an argument of,
    or one that the locals it is assigned to (and the locals built from them, in the order of the statements,
    until they are bound to something else) go to and nothing else."""
    for root in _roots(stmt):
        for e in _walk(root):
            if isinstance(e, ir.Call) and e is not call and any(x is call for x in _walk(e)):
                sent = _outgoing(interp, method, e)
                if sent:
                    return sent
    if not (isinstance(stmt, ir.Assign) and any(x is call for x in _walk(stmt.value))
            and all(isinstance(t, ir.NameTarget) for t in stmt.targets)):
        return ""
    carriers = {t.id for t in stmt.targets}
    sent = ""
    statements = sorted((s for s in method.statements() if s.line > stmt.line), key=lambda s: (s.line, s.col))
    for other in statements:
        if not carriers:
            break
        roots = list(_roots(other))
        if not any(isinstance(e, ir.Name) and e.id in carriers for root in roots for e in _walk(root)):
            if isinstance(other, ir.Assign):
                carriers -= {t.id for t in other.targets if isinstance(t, ir.NameTarget)}  # bound to another value
            continue
        for root in roots:
            if not any(isinstance(e, ir.Name) and e.id in carriers for e in _walk(root)):
                continue
            label = next((found for e in _walk(root) if isinstance(e, ir.Call) and any(
                isinstance(n, ir.Name) and n.id in carriers for n in _walk(e))
                for found in (_outgoing(interp, method, e),) if found), "")
            if label:
                sent = sent or label
                continue  # (what the statement keeps or returns is the other side's answer)
            if isinstance(other, ir.Return):
                return ""  # returned on: its callers decide
            if isinstance(other, ir.Assign) and root is other.value \
                    and all(isinstance(t, ir.NameTarget) for t in other.targets):
                carriers |= {t.id for t in other.targets}
                continue
            if isinstance(other, ir.Assign) and root is not other.value and all(
                    isinstance(t, ir.ItemTarget) and isinstance(t.value, ir.Name) and t.value.id in carriers
                    for t in other.targets):
                continue  # ``params["ratio"] = k``: another item put in the mapping that carries it
            if not isinstance(other, ir.Evaluate):
                return ""  # kept (an attribute, an item of a mapping it does not own) or tested
    return sent


def _sent_by_class(interp, fn, key) -> str:
    """A method of ``fn``'s class that reads ``key`` (``self.info["data"]["pwd"]``) passes it to an outgoing
    request, directly or by returning it to a method that does; every method that reads it does. Empty when
    no method reads it or one reads it for something else."""
    methods = _methods(interp, fn)
    found, returned = "", set()
    for method in methods:
        carriers: set = set()
        statements = list(method.statements())
        for _ in range(2):
            for stmt in statements:
                if isinstance(stmt, ir.Assign) and (_reads(stmt.value, key) or any(
                        isinstance(e, ir.Name) and e.id in carriers for e in _walk(stmt.value))):
                    for target in stmt.targets:
                        if isinstance(target, ir.NameTarget):
                            carriers.add(target.id)
                        elif isinstance(target, ir.ItemTarget) and isinstance(target.value, ir.Name):
                            carriers.add(target.value.id)
        read, sends = False, ""
        for stmt in statements:
            for root in _roots(stmt):
                if not (_reads(root, key) or any(isinstance(e, ir.Name) and e.id in carriers for e in _walk(root))):
                    continue
                read = True
                if isinstance(stmt, ir.Return):
                    returned.add(method.name)
                for e in _walk(root):
                    if isinstance(e, ir.Call) and (_reads(e, key) or any(
                            isinstance(n, ir.Name) and n.id in carriers for n in _walk(e))):
                        sends = sends or _outgoing(interp, method, e)
        if read and method.name not in returned and not sends:
            return ""  # read for something else
        found = found or sends
    if found:
        return f"{found}, under `{key}`, which the class reads only to send it"
    for method in methods:
        for stmt in method.statements():
            for root in _roots(stmt):
                for e in _walk(root):
                    if isinstance(e, ir.Call) and any(
                            isinstance(c, ir.Call) and _callee(c) in returned for c in _walk(e) if c is not e):
                        found = _outgoing(interp, method, e)
                        if found:
                            return f"{found}, under `{key}`, which the class reads only to send it"
    return ""
