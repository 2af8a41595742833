"""Network and security protocols whose specifications require a weak primitive.

An implementation of NTLM must seal with RC4 and derive keys with MD4 and MD5; Netlogon computes its
credentials with DES in ECB mode and AES-CFB8 under a zero IV; Kerberos' RC4-HMAC and DES enctypes
and MS-CHAP's DES responses are fixed by their RFCs. Code that implements such a protocol cannot pick
another primitive without no longer speaking it: the weakness is the protocol's, and the choice that
matters is made where an application enables the protocol (NTLM instead of Kerberos with AES, WEP
instead of WPA2). The weak-cipher, ECB, static-IV and weak-hash rules report a primitive at low
confidence, and say why, when the code that uses it is named for a protocol that requires it.

``PROTOCOLS`` is the data: the words that name a protocol in code (matched as whole words of
identifiers: ``ntlm.py``, ``class NTLMAuthChallenge``, ``def SamEncryptNTLMHash``, a ``krb5/`` package),
what to call it, and the primitives its specification requires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+")
_VERSION = re.compile(r"v?[0-9]+$")


def _words(name: str) -> set:
    """Lower-case words of an identifier or file name, acronyms apart (``SamEncryptNTLMHash``: sam, encrypt,
    ntlm, hash), each also without a trailing version (``kerberosv5``, ``krb5``, ``ntlmv2``)."""
    out: set = set()
    for word in _PART.findall(name):
        word = word.lower()
        out.add(word)
        out.add(_VERSION.sub("", word))
    return out


@dataclass(frozen=True)
class Protocol:
    words: frozenset
    label: str
    requires: frozenset  # "DES", "3DES", "RC4", "MD4", "MD5", "SHA1", "ECB", "static IV"


def _p(words: str, label: str, requires: str) -> Protocol:
    return Protocol(frozenset(words.split()), label, frozenset(requires.split(",")))


PROTOCOLS = (
    _p("ntlm ntlmssp nlmp ntlmv1 ntlmv2 lanman lmhash nthash", "NTLM (MS-NLMP)", "RC4,DES,ECB,MD4,MD5"),
    _p("spnego gssapi", "SPNEGO/GSS-API (NTLM and Kerberos mechanisms)", "RC4,DES,3DES,ECB,MD4,MD5,SHA1,static IV"),
    # (the RFCs that specify Kerberos' encryption types name modules too: ``rfc3961.py``)
    _p("kerberos kerberosv5 krb krb5 kpasswd kdc rfc3961 rfc3962 rfc4757 rfc8009", "Kerberos (RFC 3961, RFC 4757)",
       "RC4,DES,3DES,MD4,MD5,SHA1,static IV"),
    _p("netlogon nrpc", "Netlogon (MS-NRPC)", "RC4,DES,ECB,MD5,static IV"),
    _p("samr lsad lsat drsuapi", "the Windows SAM/LSA/DRS remote protocols (MS-SAMR, MS-LSAD, MS-DRSR)",
       "RC4,DES,ECB,MD4,MD5"),
    _p("dpapi", "DPAPI", "3DES,SHA1,MD4,static IV"),
    _p("mschap mschapv2", "MS-CHAP (RFC 2433, RFC 2759)", "DES,ECB,MD4,SHA1"),
    _p("radius", "RADIUS (RFC 2865)", "MD5"),
    _p("snmp snmpv3 usm", "SNMPv3 USM (RFC 3414)", "MD5,SHA1,DES"),
    _p("wep", "WEP", "RC4"),
    _p("tkip eapol", "WPA (TKIP, EAPOL)", "RC4,MD5,SHA1"),
    _p("rdp", "RDP standard security", "RC4,MD5,SHA1"),
)


def _function_words(fn) -> set:
    """Words of the names this function mentions (``ntlm.SEALKEY``, ``NTLMSSP_NEGOTIATE_SEAL``)."""
    words: set = set()
    for name in fn.names:
        for part in str(name).split("."):
            words |= _words(part)
    return words


def protocol_requiring(interp, primitive: str) -> tuple[Protocol, str] | None:
    """The protocol that requires ``primitive`` and names the code the current call is in (its file or
    folders, its class or function, or names the function reads), with a phrase saying where its name
    was seen (``function `SamEncryptNTLMHash` is named for``); else None."""
    candidates = [p for p in PROTOCOLS if primitive in p.requires]
    if not candidates:
        return None
    path = interp.path.replace("\\", "/")
    fn = interp.fn
    klass = interp.program.classes.get(fn.class_qualname) if fn.class_qualname else None
    named = not fn.name.startswith("<")  # a function, not a module body
    places = [(f"module `{path}`", set().union(*(_words(part.rpartition(".")[0] if part.endswith(".py") else part)
                                                  for part in path.split("/") if part)))]
    if klass is not None:
        places.append((f"class `{klass.name}`", _words(klass.name)))
    if named:
        places.append((f"function `{fn.name}`", _words(fn.name)))
    for where, words in places:
        for protocol in candidates:
            if protocol.words & words:
                return protocol, f"{where} is named for"
    if named:
        read = _function_words(fn)
        for protocol in candidates:
            found = sorted(protocol.words & read)
            if found:
                return protocol, f"function `{fn.name}` reads names (`{found[0]}`) of"
    return None


def protocol_note(protocol: Protocol, where: str, primitive: str) -> str:
    """The sentences a finding ends with when its primitive is one the protocol the code is named for requires."""
    return (f" The {where} {protocol.label}, whose specification requires {primitive}: where this code implements "
            f"that protocol, the weakness is the protocol's and cannot be changed here without breaking it, so it is "
            f"reported at low confidence; the choice that matters is where an application enables "
            f"{protocol.label} instead of a stronger mechanism.")


def protocol_fix(protocol: Protocol, what: str) -> str:
    """The fix of a finding whose primitive (``what``: "the cipher", "the mode"...) the protocol requires."""
    return (f"Nothing here can change {what} and still speak {protocol.label}; where the application can use a "
            f"stronger mechanism instead, prefer it.")
