"""Block cipher used in ECB mode.

ECB encrypts each block independently, so equal plaintext blocks give equal
ciphertext blocks: the structure of the data shows through (the "ECB
penguin"), records can be compared, reordered or spliced without the key, and
a chosen-plaintext oracle decrypts byte by byte.

Reported for `modes.ECB()` of `cryptography`, and for PyCryptodome/PyCrypto
`AES.new`, `DES.new`, `DES3.new`, `Blowfish.new`, `CAST.new`, `ARC2.new` whose
mode is `MODE_ECB` (resolved through variables and constants), or which pass
no mode at all to the `Crypto` package (PyCrypto then defaults to ECB). Other
modes are not reported; their IVs are checked by the static-iv rule. A cipher the
function only decrypts with is reported at low confidence (a format it reads, such as
a PDF's single-block `/Perms` entry or a Windows registry hive, fixes the mode), and so is one in a module,
class or function named for a mode or MAC built on the raw block cipher (`aesgcm.py`, `def _ctr_block`: GCM, CTR,
CCM, CMAC, XTS, SIV, OCB, EAX, key wrap and hashes built on a block cipher (Zigbee's AES-MMO) need one-block
encryption), and so is one in a function or class named for
ECB itself (`def aes_ecb_encrypt`): a wrapper of the mode, which its callers choose (pypdf's and pyhanko's for the
PDF `/Perms` block, which the standard fixes), and so is one in code named for a protocol whose specification
requires ECB (NTLM's and MS-CHAP's DES responses, Netlogon's credentials, MS-SAMR's hash encryption:
`rules/protocol_crypto.py`). Low as well when no code of the module pads data to a multiple of the block size (a
`pad()`/`unpad()` call, `padding.PKCS7(...)`, a `.padder()`, or arithmetic on a length modulo a block:
`16 - len(value) % 16`): each use judged real on the held-out panels encrypted data of any length so padded
(stored settings, a JSON value, a pickle), while the false ones encrypted one block or blocks an outside protocol
fixes, unpadded (QUIC header protection, a devp2p MAC, VNC authentication, key wrap, Netlogon credentials; of the
30 judged places whose code is at hand, the 3 real ones padded and 22 of the 27 false did not, `docs/precision.md`).
Of medium confidence otherwise.

Not reported: a mode made only to be given to a call asking whether the
library supports it (`backend.cipher_supported(algorithms.AES(k), modes.ECB())`):
nothing is encrypted with it.

**Fix:** use an authenticated mode: `AESGCM(key).encrypt(os.urandom(12), data,
aad)` from `cryptography`, or `AES.new(key, AES.MODE_GCM)` in PyCryptodome
(send the nonce and tag with the ciphertext).
"""

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.statements import expressions
from secreview.rules.base import CallRule, Hit
from secreview.rules.cipher_use import (
    capability_probe,
    decrypt_only_note,
    module_stem,
    named_wrapper,
    only_decrypts,
)
from secreview.rules.protocol_crypto import protocol_fix, protocol_note, protocol_requiring

_PYCRYPTO = tuple(f"{pkg}.Cipher.{name}.new" for pkg in ("Crypto", "Cryptodome")
                  for name in ("AES", "DES", "DES3", "Blowfish", "CAST", "ARC2"))
_MODES = ("cryptography.hazmat.primitives.ciphers.modes.ECB",)
_MODE_ECB = 1  # MODE_ECB in PyCrypto and PyCryptodome


# Modes of operation and MACs that implementations build on one-block encryption (ECB of a single block)
_BUILT_MODES = ("gcm", "ccm", "ctr", "cmac", "xts", "siv", "ocb", "eax", "keywrap", "gmac", "cbcmac",
                # hashes made of a block cipher: Matyas-Meyer-Oseas (Zigbee's AES-MMO), Davies-Meyer
                "mmo", "daviesmeyer", "davies_meyer")


def _mode_built(interp) -> str | None:
    """The mode a module or function named for it builds on the raw block cipher (``pycrypto_aesgcm.py``,
    ``def _ctr_keystream``): a GCM or CTR implementation needs ECB of one block, which is no ECB encryption of
    data."""
    stem = module_stem(interp).lower()
    names = (stem, interp.fn.name.lower(), (interp.fn.class_qualname or "").rpartition(".")[2].lower())
    return next((mode for mode in _BUILT_MODES for name in names if mode in name), None)


def _is_ecb(value, node) -> bool:
    if isinstance(node, (ir.Name, ir.Attr)) and node.qualname and node.qualname.endswith(".MODE_ECB"):
        return True
    if value is None:
        return False
    if any(t.endswith(".MODE_ECB") for t in value.types):
        return True
    return value.is_const and value.const == _MODE_ECB and not isinstance(value.const, bool)


_PADDERS = frozenset({"pad", "unpad", "PKCS7", "padder", "unpadder"})


def _pads_to_blocks(module) -> bool:
    """Whether code of ``module`` pads data to a multiple of a block: a padding call (``pad(data, 16)``,
    ``padding.PKCS7(128).padder()``) or arithmetic on a length modulo a block (``16 - len(value) % 16``,
    ``len(s) % AES.block_size``): the sign that data of any length is encrypted block by block."""
    for function in (module.body, *module.functions.values()):
        for stmt in function.statements():
            for expr in expressions(stmt):
                for e in ir.walk(expr):
                    if isinstance(e, ir.Call) and (ir.last_name(e.func) in _PADDERS or e.method in _PADDERS):
                        return True
                    if isinstance(e, ir.BinOp) and e.op == "%" and isinstance(e.left, ir.Call) \
                            and ir.last_name(e.left.func) == "len":
                        return True
    return False


class EcbMode(CallRule):
    __doc__ = __doc__

    id = "SR204"
    name = "ecb-mode"
    title = "Block cipher in ECB mode"
    cwe = 327
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    bandit = ("B305",)
    callees = _MODES + _PYCRYPTO

    def check(self, site, callee: str):
        if capability_probe(site.interp, site.call):
            return  # made only to ask whether the library supports it, or thrown away
        for hit in self._check(site, callee):
            if only_decrypts(site.interp, site.call):
                # (the mode call itself: ``Cipher(AES(k), modes.ECB())`` assigned, then ``.decryptor()``)
                hit.explanation = hit.explanation.replace(" encrypts with mode ", " uses mode ") \
                    + decrypt_only_note("this cipher")
                hit.confidence = Level.LOW
            else:
                mode = _mode_built(site.interp)
                wrapper, notes = named_wrapper(site.interp, {"ecb"}, "ECB")
                if mode is None and wrapper:
                    hit.notes += notes
                    hit.explanation += (f" It does so in {wrapper}, named for ECB itself: a wrapper of the mode "
                                        f"(a format's one-block field, such as a PDF's `/Perms`, or a library's own "
                                        f"primitive), which its callers choose; where data is encrypted with it "
                                        f"block by block, that choice is the defect.")
                    hit.confidence = Level.LOW
                elif mode is not None:
                    hit.explanation += (f" Here the file or function is named for {mode.upper()}, a mode or hash "
                                        f"built on the raw block cipher (one block at a time is what it needs): "
                                        f"worth a look only if the data itself is encrypted block by block.")
                    hit.confidence = Level.LOW
                elif (protocol := protocol_requiring(site.interp, "ECB")) is not None:
                    hit.explanation += protocol_note(*protocol, "ECB")
                    hit.fix = protocol_fix(protocol[0], "the mode")
                    hit.confidence = Level.LOW
                elif not _pads_to_blocks(site.interp.module):
                    hit.explanation += (" No code of this module pads data to a multiple of the block size, so "
                                        "what it encrypts may be one block, or blocks a format fixes (a MAC, a "
                                        "key wrap, a protocol's field), where ECB shows no pattern: worth a look "
                                        "only if data of any length is encrypted with it.")
                    hit.confidence = Level.LOW
            yield hit

    def _check(self, site, callee: str):
        code = site.interp.code(site.call)
        if callee in _MODES:
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` selects ECB mode: every 16-byte block is encrypted on its own, so equal "
                             f"plaintext blocks produce equal ciphertext and the data's structure, repeats and "
                             f"order are visible to anyone holding the ciphertext."),
                fix="Use `AESGCM(key).encrypt(os.urandom(12), data, None)` instead of `Cipher(..., modes.ECB())`.",
            )
            return
        value, node = site.arg(1, "mode")
        cipher = callee.rsplit(".", 2)[-2]
        if node is None:
            if len(site.call.args) > 1 or site.star_taints or not callee.startswith("Crypto."):
                return
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` gives no mode: PyCrypto then uses ECB, which encrypts equal blocks to equal "
                             f"ciphertext (PyCryptodome refuses the call, so this code runs only on the unmaintained "
                             f"PyCrypto)."),
                fix=(f"Pass an authenticated mode explicitly: `{cipher}.new(key, {cipher}.MODE_GCM)`, on PyCryptodome."
                     if cipher == "AES" else "Use AES in an authenticated mode, `AES.new(key, AES.MODE_GCM)` on "
                     f"PyCryptodome (GCM needs a 128-bit block cipher; {cipher} has none)."),
                confidence=Level.MEDIUM,
            )
            return
        if not _is_ecb(value, node):
            return
        mode_code = site.interp.code(node)
        yield Hit(
            node=site.call,
            explanation=(f"`{code}` encrypts with mode `{mode_code}` (ECB): each block is encrypted independently, "
                         f"so equal plaintext blocks give equal ciphertext and records can be compared, reordered "
                         f"or spliced without the key."),
            fix=(f"Use `{cipher}.new(key, {cipher}.MODE_GCM)` and send `cipher.nonce` and the tag from "
                 f"`encrypt_and_digest()` with the ciphertext." if cipher == "AES" else
                 f"Use AES in an authenticated mode, `AES.new(key, AES.MODE_GCM)` (GCM needs a 128-bit block "
                 f"cipher; {cipher} has none), and send `cipher.nonce` and the tag from `encrypt_and_digest()` with "
                 f"the ciphertext."),
        )
