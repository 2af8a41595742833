"""Constant IV or nonce passed to a cipher.

An IV or nonce must differ for every message encrypted under one key. A
constant one makes CBC/CFB/OFB encryption deterministic (equal messages and
equal prefixes are visible, and CBC becomes open to chosen-plaintext attacks),
and in CTR, GCM, ChaCha20 and the other stream and AEAD modes it reuses the
key stream: XOR-ing two ciphertexts yields the XOR of the plaintexts, and GCM
leaks its authentication key so forged messages are accepted.

Reported when the IV/nonce argument is provably constant (a literal, a
module constant, `b"\\0" * 16`, or anything constant propagation folds) for
`cryptography` modes (`CBC`, `CFB`, `CFB8`, `OFB`, `CTR`, `GCM`),
`algorithms.ChaCha20`, the `encrypt` method of `AESGCM`, `AESCCM`, `AESOCB3`
and `ChaCha20Poly1305`, and PyCryptodome `*.new(key, mode, iv)` (positional
or `iv=`/`IV=`/`nonce=`). IVs that come from `os.urandom`, `secrets`, a
parameter or a counter are not reported, and neither is the XTS tweak or the
misuse-resistant SIV modes. A cipher the function only decrypts with is reported at
low confidence: the format it reads fixes the IV (Windows' LSA secrets use a zero IV); so is
one in code named for a protocol whose specification fixes the IV (Kerberos' RFC 3961
enctypes, which put a random confounder first; Netlogon's AES-CFB8 credentials:
`rules/protocol_crypto.py`).

Not reported: a mode made only to be given to a call asking whether the
library supports it (`backend.cipher_supported(algorithms.AES(k), modes.CBC(b"0" * 16))`):
nothing is encrypted with it.

**Fix:** generate a fresh value per message, `iv = os.urandom(16)` (CBC) or
`nonce = os.urandom(12)` (GCM/ChaCha20), and store or send it alongside the
ciphertext; it need not be secret.
"""

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.base import CallRule, Hit
from secreview.rules.cipher_use import capability_probe, decrypt_only_note, only_decrypts
from secreview.rules.protocol_crypto import protocol_fix, protocol_note, protocol_requiring

_HAZMAT = "cryptography.hazmat.primitives.ciphers"
_MODES = {f"{_HAZMAT}.modes.{m}": (0, name) for m, name in (
    ("CBC", "initialization_vector"), ("CFB", "initialization_vector"), ("CFB8", "initialization_vector"),
    ("OFB", "initialization_vector"), ("GCM", "initialization_vector"), ("CTR", "nonce"))}
_MODES[f"{_HAZMAT}.algorithms.ChaCha20"] = (1, "nonce")
_AEAD = {f"{_HAZMAT}.aead.{c}.encrypt": (0, "nonce") for c in ("AESGCM", "AESCCM", "AESOCB3", "ChaCha20Poly1305")}
_PYCRYPTO = tuple(f"{pkg}.Cipher.{name}.new" for pkg in ("Crypto", "Cryptodome")
                  for name in ("AES", "DES", "DES3", "Blowfish", "CAST", "ARC2", "ChaCha20", "Salsa20",
                               "ChaCha20_Poly1305"))
_STREAM_WORDS = ("CTR", "GCM", "ChaCha20", "Salsa20", "CCM", "OCB", "Poly1305", "EAX")


class StaticIv(CallRule):
    __doc__ = __doc__

    id = "SR205"
    name = "static-iv"
    title = "Constant IV or nonce"
    cwe = 329
    severity = Level.HIGH
    confidence = Level.HIGH
    bandit = ()
    callees = tuple(_MODES) + tuple(_AEAD) + _PYCRYPTO

    def check(self, site, callee: str):
        if capability_probe(site.interp, site.call):
            return  # made only to ask whether the library supports it, or thrown away
        if callee in _MODES or callee in _AEAD:
            pos, name = (_MODES.get(callee) or _AEAD[callee])
            value, node = site.arg(pos, name)
        else:
            value, node = None, None
            for kw in ("iv", "IV", "nonce"):
                if kw in site.kwargs:
                    value, node = site.kwargs[kw], site.call.keyword(kw)
                    break
            else:
                short = callee.rsplit(".", 2)[-2]
                pos = 1 if short in ("ChaCha20", "Salsa20", "ChaCha20_Poly1305") else 2
                value, node = site.arg(pos, None)
        if value is None or not value.is_const or not isinstance(value.const, (bytes, str)) or not value.const:
            return
        code = site.interp.code(site.call)
        arg_code = site.interp.code(node)
        what = callee.rsplit(".", 2)
        label = what[-1] if what[-1] not in ("new", "encrypt") else what[-2]
        mode_node = site.call.argument(1, "mode") if callee in _PYCRYPTO else None
        mode_code = site.interp.code(mode_node) if mode_node is not None else ""
        stream = any(w in label or w in mode_code for w in _STREAM_WORDS)
        literal = isinstance(node, ir.Const) or (isinstance(node, ir.Keyword) and isinstance(node.value, ir.Const))
        shown = f"`{arg_code}`" if literal else f"`{arg_code}` (always {_short(value.const)})"
        if stream:
            consequence = ("the same key stream is reused for every message: XOR-ing two ciphertexts gives the XOR "
                           "of their plaintexts")
            if "GCM" in label or "GCM" in mode_code:
                consequence += ", and GCM leaks its authentication key so forged messages are accepted"
        elif "OFB" in label or "MODE_OFB" in mode_code:
            consequence = ("the same key stream is reused for every message (OFB's key stream depends on the key and "
                           "IV only): XOR-ing two ciphertexts gives the XOR of their plaintexts")
        elif "CFB" in label or "MODE_CFB" in mode_code:
            consequence = ("encryption is deterministic: messages that begin alike encrypt alike up to where they "
                           "differ, and the first block of key stream is the same for every message")
        elif "CBC" in label or "MODE_CBC" in mode_code:
            consequence = ("encryption is deterministic: equal messages and equal leading blocks encrypt the same, "
                           "which reveals repeats and enables chosen-plaintext attacks on CBC")
        else:
            consequence = "encryption is deterministic: equal messages encrypt the same, which reveals repeats"
        if only_decrypts(site.interp, site.call):
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` uses the constant IV/nonce {shown}; encrypting with it would mean "
                             f"{consequence}.{decrypt_only_note('this cipher')}"),
                fix=("Where this code also encrypts such data, generate the IV or nonce per message "
                     "(`os.urandom(...)`) and store it next to the ciphertext."),
                confidence=Level.LOW,
            )
            return
        protocol = protocol_requiring(site.interp, "static IV")
        if protocol is not None:
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` uses the constant IV/nonce {shown}; in general that means "
                             f"{consequence}.{protocol_note(*protocol, 'a constant IV')}"),
                fix=protocol_fix(protocol[0], "the IV"),
                confidence=Level.LOW,
            )
            return
        yield Hit(
            node=site.call,
            explanation=f"`{code}` uses the constant IV/nonce {shown}, so {consequence}.",
            fix=(f"Generate it per message, e.g. `nonce = os.urandom({12 if stream else 16})`, pass that instead of "
                 f"`{arg_code}`, and store it next to the ciphertext."),
        )


def _short(const) -> str:
    text = repr(const)
    return text if len(text) <= 40 else text[:37] + "..."
