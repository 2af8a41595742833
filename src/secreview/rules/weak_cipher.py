"""Weak cipher (DES, 3DES, RC4, Blowfish, RC2...) used to protect data.

DES has a 56-bit key that exhaustive search finds within days on rented or
dedicated hardware; 3DES, Blowfish, IDEA and
CAST5 have 64-bit blocks, so after some tens of gigabytes under one key
birthday collisions leak plaintext (Sweet32); RC4 has biased output that
reveals plaintext across many encryptions; RC2 and XOR "ciphers" are broken
outright. Data encrypted with them should be considered readable.

Reported for the constructors of these ciphers in `cryptography`
(`algorithms.TripleDES`, `Blowfish`, `ARC4`, `IDEA`, `CAST5`, `SEED`, also
from `cryptography.hazmat.decrepit`), PyCryptodome and PyCrypto
(`Crypto.Cipher.DES.new`, `DES3`, `ARC2`, `ARC4`, `Blowfish`, `CAST`, `XOR`,
and the `Cryptodome` namespace) and `pyDes`. AES, ChaCha20 and the AEAD
constructions are not reported (their modes and keys are judged by other
rules). A cipher the function only decrypts with (`.decrypt()`, `.decryptor()`;
for RC4, whose encryption is its decryption, also `.encrypt()` in a function named
for decrypting: `def decrypt_hash`) is reported at low confidence: it reads data in a format that fixes the cipher
(a registry hive, an old PDF), which this code cannot change. So is one made
in a module, class or function named for the cipher (`pycrypto_rc4.py`,
`def rc4_encrypt`, `class PyCrypto_TripleDES`): a wrapper of the primitive,
whose callers choose it (judged on real code over six panels: 0 real of 5
such findings, 3 worth a look; docs/precision.md). So is one in code named for a
protocol whose specification requires the cipher (NTLM's RC4 sealing, Netlogon's and
MS-SAMR's DES, Kerberos' RC4-HMAC and DES enctypes, MS-CHAP, WEP: a module, folder,
class or function named for it, or a function that reads its names, `ntlm.SEALKEY`):
the weakness is the protocol's (`rules/protocol_crypto.py` lists them; judged on panel
AE: 22 of 22 such findings false).

Not reported: a cipher made only to be given to a call asking whether the
library supports it (`backend.cipher_supported(RC2(b"0" * 16), modes.CBC(b"0" * 8))`):
nothing is encrypted with it.

**Fix:** encrypt with an authenticated modern construction:
`cryptography.hazmat.primitives.ciphers.aead.AESGCM` (or `ChaCha20Poly1305`)
with a random 96-bit nonce per message, or `cryptography.fernet.Fernet`.
Data that must still be decrypted with the old cipher should be re-encrypted.
"""

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.base import CallRule, Hit
from secreview.rules.cipher_use import capability_probe, decrypt_only_note, named_for, only_decrypts
from secreview.rules.protocol_crypto import protocol_fix, protocol_note, protocol_requiring

_WHY = {
    "DES": ("DES", "its 56-bit key is found by exhaustive search within days on rented or dedicated hardware"),
    "3DES": ("Triple DES", ("its 64-bit block leaks plaintext through birthday collisions after a few tens of "
                            "gigabytes under one key (Sweet32), and NIST disallowed it for encryption after 2023")),
    "RC4": ("RC4", "its key stream is biased, so repeated encryptions reveal the plaintext (RFC 7465 bans it)"),
    "Blowfish": ("Blowfish", "its 64-bit block leaks plaintext through birthday collisions (Sweet32)"),
    "RC2": ("RC2", "it has a 64-bit block and known related-key attacks"),
    "IDEA": ("IDEA", "its 64-bit block leaks plaintext through birthday collisions (Sweet32)"),
    "CAST5": ("CAST5", "its 64-bit block leaks plaintext through birthday collisions (Sweet32)"),
    "SEED": ("SEED", "it is a legacy cipher kept only for interoperability and is not recommended for new data"),
    "XOR": ("the XOR 'cipher'", "it is a repeating-key XOR that a known plaintext byte undoes"),
}
_SMALL_BLOCK = ("Where one key encrypts that much data, someone who captures the ciphertext learns parts of the "
                "plaintext; for less, it is a legacy cipher to replace before the data grows.")
_CONSEQUENCE = {name: _SMALL_BLOCK for name in ("3DES", "Blowfish", "IDEA", "CAST5")}
"""What the weakness gives someone who obtains the ciphertext, where "recovered" would say more than the cipher's
weakness does (edx-proctoring's 3DES of a short code, judged untrue on panel BA: Sweet32 needs gigabytes)."""
_RECOVERED = "What this code encrypts with it can be recovered by someone who obtains the ciphertext."

_CALLEES: dict[str, str] = {}
for _base in ("cryptography.hazmat.primitives.ciphers.algorithms", "cryptography.hazmat.decrepit.ciphers.algorithms"):
    for _name, _key in (("TripleDES", "3DES"), ("Blowfish", "Blowfish"), ("ARC4", "RC4"), ("IDEA", "IDEA"),
                        ("CAST5", "CAST5"), ("SEED", "SEED"), ("RC2", "RC2")):
        _CALLEES[f"{_base}.{_name}"] = _key
for _pkg in ("Crypto", "Cryptodome"):
    for _name, _key in (("DES", "DES"), ("DES3", "3DES"), ("ARC2", "RC2"), ("ARC4", "RC4"),
                        ("Blowfish", "Blowfish"), ("CAST", "CAST5"), ("XOR", "XOR")):
        _CALLEES[f"{_pkg}.Cipher.{_name}.new"] = _key
_CALLEES.update({"pyDes.des": "DES", "pyDes.triple_des": "3DES"})


_NAMES = {"DES": {"des"}, "3DES": {"des", "3des", "des3", "tripledes"}, "RC4": {"rc4", "arc4", "arcfour"},
          "Blowfish": {"blowfish"}, "RC2": {"rc2", "arc2"}, "IDEA": {"idea"}, "CAST5": {"cast5"}, "SEED": set(),
          "XOR": set()}


class WeakCipher(CallRule):
    __doc__ = __doc__

    id = "SR203"
    name = "weak-cipher"
    title = "Weak or broken cipher"
    cwe = 327
    severity = Level.HIGH
    confidence = Level.HIGH
    bandit = ("B304", "B413")
    callees = tuple(_CALLEES)

    def check(self, site, callee: str):
        if capability_probe(site.interp, site.call):
            return  # made only to ask whether the library supports it, or thrown away
        cipher = _CALLEES[callee]
        label, why = _WHY[cipher]
        if cipher == "3DES" and _one_key_thrice(site):
            # ``TripleDES(key * 3)``: encrypt-decrypt-encrypt under one key is single DES
            cipher = "DES"
            label, why = "single DES (Triple DES given one 8-byte key three times)", _WHY["DES"][1]
        code = site.interp.code(site.call)
        if only_decrypts(site.interp, site.call, stream=cipher == "RC4"):
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` makes a {label} cipher: {why}.{decrypt_only_note('it')}"),
                fix=("Where this code also writes such data, encrypt it with `AESGCM` or `Fernet` instead; to read "
                     "data in a format that requires it, nothing in this code can change the cipher."),
                confidence=Level.LOW,
            )
            return
        wrapper, notes = named_for(site.interp, _NAMES[cipher], cipher)
        if wrapper:
            yield Hit(
                node=site.call,
                explanation=(f"`{code}` makes a {label} cipher: {why}. It does so in {wrapper}, named for that "
                             f"cipher: a wrapper of the primitive (a library's own {label}, an implementation of "
                             f"a format that names it), which its callers choose to use or not; where this code "
                             f"encrypts new data with it by default, that choice is the defect."),
                fix=("Make a modern cipher (`AESGCM`, `Fernet`) the default wherever this wrapper is chosen; keep "
                     f"{label} only for data or peers that require it."),
                confidence=Level.LOW, notes=notes,
            )
            return
        protocol = protocol_requiring(site.interp, cipher)
        if protocol is not None:
            yield Hit(
                node=site.call,
                explanation=f"`{code}` encrypts with {label}: {why}.{protocol_note(*protocol, label)}",
                fix=protocol_fix(protocol[0], "the cipher"),
                confidence=Level.LOW,
            )
            return
        yield Hit(
            node=site.call,
            explanation=f"`{code}` encrypts with {label}: {why}. {_CONSEQUENCE.get(cipher, _RECOVERED)}",
            fix=("Replace it with `AESGCM(key).encrypt(os.urandom(12), data, None)` from "
                 "`cryptography.hazmat.primitives.ciphers.aead` (or `Fernet`), and re-encrypt existing data."),
        )


def _one_key_thrice(site) -> bool:
    """Whether Triple DES is given one key three times (``key * 3``, ``k + k + k``): it then runs as single DES, the
    way code that speaks an old protocol's DES suites makes DES from a library that has only Triple DES."""
    _, node = site.arg(0, "key")
    if isinstance(node, ir.BinOp) and node.op == "*":
        return any(isinstance(side, ir.Const) and side.value == 3 for side in (node.left, node.right))
    parts = ir.concat_operands(node) if node is not None else []
    return len(parts) == 3 and len({site.interp.code(p) for p in parts}) == 1 and not isinstance(parts[0], ir.Const)
