"""Cryptographic key written in the source code.

A key in the source is known to everyone who can read the repository, a
built package, a container image or a decompiled artifact, and it is the same
on every installation: whoever has it decrypts the data, forges the HMACs or
signs the tokens this code accepts. It also cannot be rotated without a
release.

Reported when the key argument is provably constant (a literal, a module
constant, `"...".encode()`, or anything constant propagation folds) for
`cryptography` ciphers (`algorithms.AES(key)`, `ChaCha20`...), AEADs
(`AESGCM`, `ChaCha20Poly1305`...), `Fernet`, `hmac.new`/`hmac.digest`/
`hmac.HMAC`, `cryptography`'s `hmac.HMAC`, PyCryptodome `*.new(key, ...)` and
PyJWT `jwt.encode`/`jwt.decode`. Keys read from configuration, the
environment, a file or a key-management service are not reported, nor are
empty strings and obvious placeholders, nor a MAC of a constant message
(`HMAC(b'some key', b'msg', 'md5')`: a constant, computed to probe whether the
library allows MD5, which authenticates nothing), nor a cipher, MAC or token whose result the code drops
(`AESGCMSIV(b"\\x00" * 32)` alone in a `try`: made to see whether OpenSSL supports the algorithm, it
encrypts nothing), nor a MAC whose message is a secret by its name
(`hmac.new(key=b"WebAppData", msg=token.encode())`, Telegram's Web App check) or key material
(`seed`, `entropy`, `ikm`: BIP32's `hmac.new(b"Bitcoin seed", seed, hashlib.sha512)`): the HMAC derives a key
from that secret, and the literal is a public label that keeps the derivation apart from others.

**Fix:** load the key at run time from a secret store or the environment
(`key = base64.b64decode(os.environ["APP_ENC_KEY"])`), rotate the key that was
committed, and re-encrypt or re-sign what it protected.
"""

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.base import CallRule, Hit
from secreview.rules.weak_random import secret_name
from secreview.rules.words import identifier_words

_H = "cryptography.hazmat.primitives"
_KEYED: dict[str, tuple[int, str, str]] = {}
for _c in ("AES", "AES128", "AES256", "Camellia", "ChaCha20", "TripleDES", "Blowfish", "CAST5", "SEED", "SM4",
           "ARC4", "IDEA"):
    _KEYED[f"{_H}.ciphers.algorithms.{_c}"] = (0, "key", "cipher")
for _c in ("AESGCM", "AESCCM", "AESOCB3", "AESSIV", "AESGCMSIV", "ChaCha20Poly1305"):
    _KEYED[f"{_H}.ciphers.aead.{_c}"] = (0, "key", "cipher")
_KEYED["cryptography.fernet.Fernet"] = (0, "key", "cipher")
_KEYED[f"{_H}.hmac.HMAC"] = (0, "key", "mac")
for _c in ("hmac.new", "hmac.HMAC", "hmac.digest"):
    _KEYED[_c] = (0, "key", "mac")
for _pkg in ("Crypto", "Cryptodome"):
    for _c in ("AES", "DES", "DES3", "Blowfish", "CAST", "ARC2", "ARC4", "ChaCha20", "Salsa20", "ChaCha20_Poly1305"):
        _KEYED[f"{_pkg}.Cipher.{_c}.new"] = (0, "key", "cipher")
    _KEYED[f"{_pkg}.Hash.HMAC.new"] = (0, "key", "mac")
_KEYED["jwt.encode"] = (1, "key", "jwt")
_KEYED["jwt.decode"] = (1, "key", "jwt")
_KEYED["jwt.api_jwt.encode"] = (1, "key", "jwt")
_KEYED["jwt.api_jwt.decode"] = (1, "key", "jwt")

_PLACEHOLDERS = frozenset({"changeme", "change_me", "change-me", "secret", "key", "your-secret-key", "your_secret_key",
                           "xxx", "todo", "placeholder", "dummy", "example"})


_LEET = str.maketrans("@4!1|3$5 0 7".replace(" ", ""), "aaiiiesso t".replace(" ", ""))
_CHANGE_ME = ("changeme", "changethis", "replaceme", "replacethis")


def is_placeholder(text) -> bool:
    """Empty, ``xxxx``, ``<key>``, ``${KEY}``, ``%(key)s``, ``{key}``, ``changeme``...: not a real secret."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return False
    t = text.strip()
    if not t:
        return True
    low = t.lower()
    if low in _PLACEHOLDERS or len(set(low)) == 1 and low[0] in "x*.-_#?0":
        return True
    if "".join(c for c in low.translate(_LEET) if c.isalpha()).startswith(_CHANGE_ME):
        return True  # ``Ch@ngeTh!sPa33w0rd``, ``CHANGE_ME_PLEASE``: a value that asks to be replaced
    return (t.startswith("<") and t.endswith(">")) or (t.startswith("{") and t.endswith("}")) \
        or (t.startswith("%(") and t.endswith(")s")) or (t.startswith("${") and t.endswith("}")) \
        or (t.startswith("$") and t[1:].replace("_", "").isalnum())


class HardcodedCryptoKey(CallRule):
    __doc__ = __doc__

    id = "SR207"
    attack_material = True
    name = "hardcoded-crypto-key"
    title = "Hard-coded cryptographic key"
    cwe = 321
    severity = Level.HIGH
    confidence = Level.HIGH
    bandit = ()
    tests_relevant = False
    callees = tuple(_KEYED)

    def check(self, site, callee: str):
        pos, kw, use = _KEYED[callee]
        value, node = site.arg(pos, kw)
        if value is None or not value.is_const or not isinstance(value.const, (bytes, str)):
            return
        if is_placeholder(value.const):
            return
        stmt = getattr(site.interp, "stmt", None)
        if type(stmt) is ir.Evaluate and stmt.value is site.call:
            return  # ``AESGCMSIV(b"\x00" * 32)`` alone: made to see whether the library supports it, then dropped
        if use == "mac" and callee in _STD_HMAC:
            message, _ = site.arg(1, "msg")
            if message is not None and message.is_const and message.const is not None:
                return  # ``HMAC(b'some key', b'msg', 'md5')``: a constant's MAC, a probe of the library (FIPS)
            if _secret_message(site.arg(1, "msg")[1]):
                return  # ``hmac.new(key=b"WebAppData", msg=token.encode())``: the secret is the message
        code = site.interp.code(site.call)
        arg_code = site.interp.code(node)
        literal = isinstance(node, ir.Const)
        where = "is a literal in the source" if literal else "is a constant fixed in the source"
        defined = _definition_line(site, node)
        if defined:
            where += f" (line {defined})"
        consequence = {
            # (true of the key whichever way this code uses it: unblob's firmware key only decrypts)
            "cipher": "decrypt whatever was encrypted with it and make ciphertexts that decrypt with it",
            "mac": "compute valid MACs for any message, so the integrity/authenticity check built on it is void",
            "jwt": "mint tokens this service accepts for any user and claim",
        }[use]
        yield Hit(
            node=site.call,
            explanation=(f"The key `{arg_code}` passed to `{code}` {where}: anyone with the code, a package or an "
                         f"image can {consequence}, on every installation at once."),
            fix=(f"Read the key at run time (e.g. `os.environ[\"{_env_name(arg_code)}\"]` or a secret manager) "
                 f"instead of `{arg_code}`, and rotate the key that was committed."),
        )


_STD_HMAC = frozenset({"hmac.new", "hmac.HMAC", "hmac.digest"})


_KEY_MATERIAL = frozenset({"seed", "entropy", "ikm"})
"""Words that name what keys are derived from (BIP32's master ``seed``, HKDF's input keying material)."""


def _secret_message(node) -> bool:
    """The MAC's message is a secret by its name (``token.encode()``, ``self.bot_token``, ``master_key``) or is
    key material (``seed``, ``entropy``, ``ikm``): the HMAC derives a key from that secret, and the literal in the
    key's place is a public label that keeps the derivation apart from others (Telegram's
    ``HMAC_SHA256(key="WebAppData", msg=bot_token)``, BIP32's ``hmac.new(b"Bitcoin seed", seed, sha512)``)."""
    for e in ir.walk(node) if node is not None else ():
        name = e.id if isinstance(e, ir.Name) else e.attr if isinstance(e, ir.Attr) else None
        if name is not None and (secret_name(name) or _KEY_MATERIAL & set(identifier_words(name))):
            return True
    return False


def _env_name(arg_code: str) -> str:
    name = arg_code.split("(")[0].split(".")[-1].strip("_")
    if name.isidentifier() and name.upper() == name and len(name) > 2:
        return name
    return "APP_SECRET_KEY"


def _definition_line(site, node) -> int:
    """The line of the module-level assignment of a constant key name, if any."""
    if isinstance(node, ir.Name) and node.kind == ir.NameKind.GLOBAL:
        lines = [stmt.line for stmt in site.interp.module.body.statements() if isinstance(stmt, ir.Assign)
                 and any(isinstance(t, ir.NameTarget) and t.id == node.id for t in stmt.targets)]
        if len(lines) == 1:
            return lines[0]
    return 0
