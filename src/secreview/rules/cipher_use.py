"""What the code does with a cipher it makes: only decrypt, as a reader of data encrypted elsewhere does.

A function that makes a DES, RC4 or ECB cipher and only calls its ``decrypt()`` (or ``decryptor()``)
reads data that someone else encrypted in a format that fixes the cipher (a file format, a registry
hive, a protocol's old version); the weakness is the format's, and the code cannot choose another to
read it. The weak-cipher, ECB and static-IV rules report such a cipher at low confidence.

A cipher, a mode or a key made only to ask the library whether it supports it
(``backend.cipher_supported(RC2(b"0" * 16), modes.CBC(b"0" * 8))``), or made and thrown away at once in a ``try``
(a key generated to learn whether the library still allows that size), protects nothing: no rule reports it.
"""

from secreview.ir import nodes as ir
from secreview.ir.statements import expressions
from secreview.rules.words import identifier_words

_USES = frozenset({"encrypt", "decrypt", "encryptor", "decryptor", "encrypt_and_digest", "decrypt_and_verify"})


def _contains(expr, target) -> bool:
    return any(e is target for e in ir.walk(expr))


def capability_probe(interp, call: ir.Call) -> bool:
    """Whether ``call`` (a cipher, a mode, a key) is made only to be given to a call asking whether it is supported
    (``backend.cipher_supported(RC2(b"0" * 16), modes.CBC(b"0" * 8))``), or made and thrown away in a ``try``: its
    result is not kept (``rsa.generate_private_key(public_exponent=65537, key_size=512)`` as a statement of its own,
    in a ``try`` that learns whether the library still makes such keys)."""
    stmt = interp.stmt
    if stmt is None:
        return False
    if type(stmt) is ir.Evaluate and stmt.value is call:
        # thrown away inside a ``try``: the call is made to learn whether it raises (a key made and kept nowhere
        # outside one, in a test or a sample, still shows the size the code asks for)
        return any(h.try_lines[0] <= call.line <= h.try_lines[1] for h in interp.fn.handlers)
    for expr in expressions(stmt):
        for e in ir.walk(expr):
            if isinstance(e, ir.Call) and e is not call and "supported" in identifier_words(_called_name(e)) \
                    and any(arg is call for arg in e.args):
                return True
    return False


def _called_name(call: ir.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ir.Attr) else func.id if isinstance(func, ir.Name) else ""


def only_decrypts(interp, call: ir.Call, stream: bool = False) -> bool:
    """Whether the cipher ``call`` makes (itself, or a ``Cipher(...)`` it is given to) is used in this
    function only to decrypt: ``DES.new(k, DES.MODE_ECB).decrypt(d)``, or ``c = Cipher(TripleDES(k), ECB())``
    whose every read is ``c.decryptor()``. Not when the cipher is kept, passed on or returned, whose
    other uses this function does not show. A ``stream`` cipher (RC4) decrypts by encrypting: in a
    function named for decrypting (``decrypt_hash``), ``ARC4.new(key).encrypt(data)`` decrypts too."""
    stmt = interp.stmt
    if stmt is None:
        return False
    uses: set = set()
    for expr in expressions(stmt):
        for e in ir.walk(expr):
            if isinstance(e, ir.Call) and e.method in _USES and isinstance(e.func, ir.Attr) \
                    and _contains(e.func.value, call):
                uses.add(e.method)
    holder = None
    if type(stmt) is ir.Assign and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.NameTarget) \
            and not uses and _contains(stmt.value, call):
        holder = stmt.targets[0].id
    elif not uses:
        return False
    if holder is not None:
        receivers: set = set()
        reads = 0
        for other in interp.fn.statements():
            if type(other) is ir.Assign and other is not stmt and any(
                    isinstance(t, ir.NameTarget) and t.id == holder for t in other.targets):
                return False  # bound to something else too
            for expr in expressions(other):
                for e in ir.walk(expr):
                    if isinstance(e, ir.Name) and e.id == holder:
                        reads += 1
                    elif isinstance(e, ir.Call) and e.method in _USES and isinstance(e.func, ir.Attr) \
                            and isinstance(e.func.value, ir.Name) and e.func.value.id == holder:
                        uses.add(e.method)
                        receivers.add(id(e.func.value))
        if not receivers or reads != len(receivers):
            return False  # read otherwise: passed on, returned, kept
    if stream and uses and _DECRYPT_WORDS & set(identifier_words(interp.fn.name)):
        uses = {"decrypt" if u == "encrypt" else u for u in uses}
    return bool(uses) and all(u.startswith("decrypt") for u in uses)


_DECRYPT_WORDS = frozenset({"decrypt", "deobfuscate", "unobfuscate", "decipher", "unscramble"})


def decrypt_only_note(what: str) -> str:
    """The sentence a finding of a cipher used only to decrypt ends with."""
    return (f" This function only decrypts with {what}: it reads data encrypted elsewhere, whose format sets the "
            f"cipher, so the weakness is that format's and it is reported at low confidence.")


def named_wrapper(interp, words: set, label: str) -> tuple:
    """The function or class the call is made in when its name has one of ``words`` (``def rc4_encrypt``,
    ``class PyCrypto_TripleDES``, ``def aes_ecb_encrypt``): a wrapper of the primitive or mode ``label``, which its
    callers choose. (what to call it, the trace step at its ``def``/``class`` line), or ("", ())."""
    fn = interp.fn
    klass = interp.program.classes.get(fn.class_qualname) if fn.class_qualname else None
    for kind, name, line in (("function", fn.name, fn.line),
                             ("class", klass.name if klass else "", klass.line if klass else 0)):
        if name and line and words & set(identifier_words(name)):
            return f"{kind} `{name}`", ((ir.Pass("def").at(line, 0, line, 0), f"{kind} `{name}`, named for {label}"),)
    return "", ()


def named_for(interp, words: set, label: str) -> tuple:
    """The function, class or module (file) the call is made in when its name has one of ``words`` (``def
    rc4_encrypt``, ``class PyCrypto_TripleDES``, ``md5_crypt.py``): code that implements or wraps ``label``,
    which its callers choose. (what to call it, trace notes), or ("", ())."""
    found = named_wrapper(interp, words, label)
    if found[0]:
        return found
    stem = module_stem(interp)
    if words & set(identifier_words(stem)):
        return f"this module ({stem}.py)", ()
    return "", ()


def module_stem(interp) -> str:
    """The name of the reviewed file, without its folder and suffix (``pycrypto_rc4``)."""
    return interp.path.replace("\\", "/").rpartition("/")[2].rpartition(".")[0]

