"""RSA or DSA key shorter than 2048 bits, or elliptic-curve key on a curve under 224 bits.

A 1024-bit RSA or DSA key is within reach of well-funded attackers and is no
longer accepted by NIST (SP 800-131A) or the CA/Browser forum; 512-bit RSA is
factored in hours on rented machines. Curves of fewer than 224 bits (P-192,
sect163k1, sect163r2) fall short of 112-bit security. Signatures made with
such keys can be forged and data encrypted to them read.

Reported when the key size, resolved by constant propagation (a literal, a
module constant, a default), is below 2048 for `cryptography`
`rsa.generate_private_key`, `dsa.generate_private_key`/`generate_parameters`,
PyCryptodome/PyCrypto `RSA.generate`/`DSA.generate`, pyOpenSSL
`PKey.generate_key` and paramiko `RSAKey.generate`/`DSSKey.generate` (whose
default is 1024 bits); and for the curves SECP192R1, SECT163K1 and SECT163R2.
A size known only at run time is not reported.

Not reported: a key made and thrown away at once inside a `try` (the call
a statement of its own, learning whether the library still makes keys that
short), or made only to be given to a call asking whether it is supported.

**Fix:** generate RSA keys of at least 2048 bits (3072 for data that must stay
secret beyond 2030), e.g. `rsa.generate_private_key(public_exponent=65537,
key_size=3072)`, or use `ec.SECP256R1()` / Ed25519.
"""

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.base import CallRule, Hit
from secreview.rules.cipher_use import capability_probe

_ASYM = "cryptography.hazmat.primitives.asymmetric"
# callee -> (algorithm, position, keyword, default size or None)
_SIZED = {
    f"{_ASYM}.rsa.generate_private_key": ("RSA", 1, "key_size", None),
    f"{_ASYM}.dsa.generate_private_key": ("DSA", 0, "key_size", None),
    f"{_ASYM}.dsa.generate_parameters": ("DSA", 0, "key_size", None),
    "OpenSSL.crypto.PKey.generate_key": ("RSA/DSA", 1, "bits", None),
    "paramiko.RSAKey.generate": ("RSA", 0, "bits", None),
    "paramiko.rsakey.RSAKey.generate": ("RSA", 0, "bits", None),
    "paramiko.DSSKey.generate": ("DSA", 0, "bits", 1024),
    "paramiko.dsskey.DSSKey.generate": ("DSA", 0, "bits", 1024),
}
for _pkg in ("Crypto", "Cryptodome"):
    _SIZED[f"{_pkg}.PublicKey.RSA.generate"] = ("RSA", 0, "bits", None)
    _SIZED[f"{_pkg}.PublicKey.DSA.generate"] = ("DSA", 0, "bits", None)
_SMALL_CURVES = {"SECP192R1": 192, "SECT163K1": 163, "SECT163R2": 163}
_CURVE_CALLS = {f"{_ASYM}.ec.generate_private_key": (0, "curve"), f"{_ASYM}.ec.derive_private_key": (1, "curve")}
MIN_BITS = 2048
MIN_CURVE = 224


class WeakKeySize(CallRule):
    __doc__ = __doc__

    id = "SR206"
    attack_material = True
    name = "weak-key-size"
    title = "Cryptographic key too short"
    cwe = 326
    severity = Level.MEDIUM
    confidence = Level.HIGH
    bandit = ("B505",)
    callees = tuple(_SIZED) + tuple(_CURVE_CALLS)

    def check(self, site, callee: str):
        if capability_probe(site.interp, site.call):
            return  # made only to ask whether the library supports it, or thrown away
        code = site.interp.code(site.call)
        if callee in _CURVE_CALLS:
            pos, kw = _CURVE_CALLS[callee]
            value, node = site.arg(pos, kw)
            curve = _curve_name(node, value)
            if curve is None:
                return
            bits = _SMALL_CURVES[curve]
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` makes a key on {curve}, a {bits}-bit curve: that is below the 224 bits "
                             f"needed for 112-bit security, so signatures made with this key can be forged "
                             f"sooner than the data it protects expires."),
                fix="Use `ec.SECP256R1()` (or `ed25519.Ed25519PrivateKey.generate()`).",
            )
            return
        algorithm, pos, kw, default = _SIZED[callee]
        value, node = site.arg(pos, kw)
        if node is None:
            if default is None or site.star_taints or len(site.call.args) > pos:
                return
            bits, where = default, f"{default} bits (the default size)"
        else:
            if value is None or not value.is_const or isinstance(value.const, bool) \
                    or not isinstance(value.const, int):
                return
            bits = value.const
            arg_code = site.interp.code(node)
            where = f"{bits} bits" if arg_code == str(bits) else f"`{arg_code}` = {bits} bits"
        if bits >= MIN_BITS:
            return
        severity = Level.HIGH if bits < 1024 else Level.MEDIUM
        how = "factored in hours on rented machines" if bits < 1024 else "within reach of well-funded attackers"
        yield Hit(
            node=site.call,
            explanation=(f"`{code}` generates {_article(algorithm)} {algorithm} key of {where}. Keys below 2048 bits "
                          f"are {how} and "
                         f"are no longer accepted by NIST or public CAs: whoever breaks it can forge this key's "
                         f"signatures and read what was encrypted to it."),
            fix=f"Generate at least 2048 bits (3072 for long-lived keys): pass `{kw}=3072`.",
            severity=severity,
        )


def _curve_name(node, value):
    candidates = []
    if isinstance(node, ir.Call):
        node = node.func
    if isinstance(node, (ir.Name, ir.Attr)) and node.qualname:
        candidates.append(node.qualname)
    if value is not None:
        candidates.extend(value.types)
    for q in candidates:
        short = q.rsplit(".", 1)[-1].rstrip("()")
        if short in _SMALL_CURVES:
            return short
    return None


def _article(word: str) -> str:
    return "an" if word[:1] in "AEFHILMNORSX" else "a"
