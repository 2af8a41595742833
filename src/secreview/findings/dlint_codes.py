"""dlint's codes (Duo Labs' flake8 security plugin, ``DUO102``...) and the secreview rules whose ground each
covers, for its suppression comments (``# noqa: DUO122``, read as ``# secreview: ignore[unverified-ssl-context,
...]``). A project that ran dlint records there that someone looked at the line and accepted it, as a ``# nosec``
does for Bandit. Codes from dlint's ``docs/linters/DUO1xx.md``; a code with no secreview rule of its ground
(``DUO113`` Twisted ``inlineCallbacks``, ``DUO127`` ``duo_client``, the ``onelogin`` and ``xmlsec`` ones) is left
out, so its comment suppresses nothing here."""

DLINT_CODES: dict[str, tuple[str, ...]] = {
    "duo102": ("weak-random",),                      # random not SystemRandom
    "duo103": ("unsafe-deserialization",),           # pickle
    "duo104": ("code-injection",),                   # eval
    "duo105": ("code-injection",),                   # exec
    "duo106": ("command-injection",),                # os.system, os.popen...
    "duo107": ("xxe",),                              # xml, lxml, xmlrpclib parsing
    "duo109": ("unsafe-deserialization",),           # yaml.load
    "duo110": ("code-injection",),                   # compile
    "duo112": ("unsafe-archive-extraction",),        # zipfile extract/extractall
    "duo115": ("unsafe-archive-extraction",),        # tarfile extract/extractall
    "duo116": ("command-injection",),                # subprocess with shell=True
    "duo119": ("unsafe-deserialization",),           # shelve
    "duo120": ("unsafe-deserialization",),           # marshal
    "duo121": ("insecure-temp-file",),               # tempfile.mktemp
    "duo122": ("unverified-ssl-context", "insecure-tls-version", "tls-verification-disabled"),  # ssl module
    "duo123": ("tls-verification-disabled",),        # requests verify=False
    "duo125": ("command-injection",),                # commands module
    "duo126": ("command-injection",),                # popen2 module
    "duo130": ("weak-hash",),                        # hashlib md5, sha1...
    "duo132": ("tls-verification-disabled",),        # urllib3 cert_reqs=CERT_NONE
    "duo134": ("weak-hash", "weak-cipher", "ecb-mode"),  # cryptography's weak algorithms and modes
    "duo135": ("xxe",),                              # defusedxml used unsafely
    "duo138": ("redos",),                            # catastrophic backtracking
}
