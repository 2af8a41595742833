from secreview.findings.model import Level
from secreview.rules.base import CallRule, Hit

_WEAK = {"md5": "MD5", "sha1": "SHA-1", "md4": "MD4", "md2": "MD2", "sha": "SHA-0", "ripemd160": "RIPEMD-160"}
_DIRECT = {f"hashlib.{name}": name for name in ("md5", "sha1")}
_DIRECT.update({"Crypto.Hash.MD5.new": "md5", "Crypto.Hash.SHA1.new": "sha1", "Crypto.Hash.MD4.new": "md4",
                "Cryptodome.Hash.MD5.new": "md5", "Cryptodome.Hash.SHA1.new": "sha1",
                "cryptography.hazmat.primitives.hashes.MD5": "md5",
                "cryptography.hazmat.primitives.hashes.SHA1": "sha1"})


class WeakHash(CallRule):
    """Broken hash function (MD5, SHA-1, MD4) used where it may protect something.

    Collisions for MD5 and SHA-1 are cheap to compute, and both are fast enough
    to brute-force short secrets: they must not protect passwords, signatures,
    integrity checks or tokens.

    Reported for `hashlib.md5`, `hashlib.sha1`, `hashlib.new("md5"/"sha1"/...)`
    (the algorithm name resolved by constant propagation) and the PyCryptodome
    and `cryptography` equivalents. Passing `usedforsecurity=False` declares a
    non-security use (a cache key, a checksum against accidents): the finding
    stays, at low severity and confidence, so that the claim is visible in review.

    **Fix:** use `hashlib.sha256` (or `blake2b`) for integrity, `hmac` with
    SHA-256 for authentication, and `hashlib.scrypt`/argon2/bcrypt for passwords.
    """

    id = "SR201"
    name = "weak-hash"
    title = "Weak hash algorithm"
    cwe = 328
    severity = Level.MEDIUM
    confidence = Level.HIGH
    bandit = ("B303", "B324")
    callees = tuple(_DIRECT) + ("hashlib.new",)

    def check(self, site, callee: str):
        if callee == "hashlib.new":
            value, _ = site.arg(0, "name")
            if value is None or not value.is_const or not isinstance(value.const, str):
                return
            algorithm = value.const.lower().replace("-", "").replace("_", "")
            if algorithm not in _WEAK:
                return
        else:
            algorithm = _DIRECT[callee]
        label = _WEAK[algorithm]
        code = site.interp.code(site.call)
        flag = site.kwargs.get("usedforsecurity")
        if flag is not None and flag.is_const and flag.const is False:
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` computes {label} and declares `usedforsecurity=False`. That is fine for a "
                             f"cache key or an accidental-corruption checksum; it is not if the digest protects "
                             f"passwords, signatures or tokens — confirm the use."),
                fix="Keep `usedforsecurity=False` only for non-security uses; otherwise switch to `hashlib.sha256()`.",
                confidence=Level.LOW, severity=Level.LOW, tags=("usedforsecurity-false",),
            )
            return
        yield Hit(
            node=site.call,
            explanation=(f"`{code}` computes {label}, which is broken: collisions can be forged and short inputs "
                         f"brute-forced, so a digest from it cannot vouch for integrity or protect a secret."),
            fix=("Use `hashlib.sha256()` (or `hashlib.blake2b()`); for passwords use `hashlib.scrypt()` or a "
                 "password-hashing library. If this is not a security use, pass `usedforsecurity=False`."),
        )
