"""Length decoded from binary data used as a read or allocation size without an upper bound.

Binary protocols and file formats carry lengths: `n = struct.unpack("!I",
header)[0]` decodes a 4-byte field that can say anything up to 4,294,967,295.
Used as it is for the size of the next read (`sock.recv(n)`, `fh.read(n)`,
`recv(sock, n)` through a helper), of a buffer (`bytearray(n)`, `b"\\0" * n`)
it lets whoever wrote the bytes decide how much
memory this process allocates (`socket.recv(n)` and a buffered `read(n)`
allocate `n` bytes before anything arrives; CWE-770, allocation of resources
without limits). In a proxy or agent shared by many
users, one peer that sends a length of 4 GB stops the service for everyone;
OpenStack fixed this in its RFB console proxy.

Reported, in functions outside test code, where a local variable receives a
field of at least four bytes decoded by `struct.unpack`/`struct.unpack_from`
with a constant format (`I`, `L`, `Q`, `i`, `l`, `q`, `n`, `N`; one- and
two-byte fields are bounded by 255 and 65,535) or `int.from_bytes` of data
not sliced to fewer than four bytes nor read fewer at a time (`sock.recv(1)`:
a SOCKS5 length byte), nor a wide code over fewer than four bytes of data
padded with constant bytes (`struct.unpack("<I", header[:3] + b"\\x00")`, a
MySQL packet's three-byte length: at most 16 MiB), and that variable (or a variable computed
from it by arithmetic) is passed as the size of a call named for reading (its last
positional argument or a size keyword: in `layer.read(offset, length)` the offset is no size)
(`recv`, `recv_into`, `recvfrom`, `read`, `readexactly`, `read_exactly`, and
helpers whose name starts with one of them), to `bytearray()` or `os.read()`,
or multiplies a constant string or bytes, while the function
compares none of them with `<`, `<=`, `>` or `>=` and passes none of them to
`min()` before that line. The decoded data may come from a peer or from a
file this process trusts; the finding says what is known: the size is the
decoded field's. Loops over a decoded count (`for i in range(count):`) are
not reported: parsers usually consume the packet in the loop, which then ends
with the data.

**Confidence:** medium where the size goes to a call that allocates it
before anything arrives: `bytearray(n)`, `b"\\0" * n`, `os.read(fd, n)`, a
socket's `recv(n)`/`recv_into`/`recvfrom`, or a helper of the same module that
passes it to one (`recv_exactly(sock, n)` calling `sock.recv(n - len(data))`);
low (not shown by default) where it goes to `read(n)` of a file-like object or
to a helper that does not show such a call: the explanation then says only
how much the call is asked to read: whether that much is allocated at once
depends on the object read (an in-memory buffer returns only what it holds).
Judged on real code (docs/precision.md,
panels C to H): of 8 findings none was real and 7 were false, all but one a
`read()` through a helper, of an in-memory PNG or of configured cluster peers.

**Fix:** check the length against a maximum the protocol allows before using
it (`if n > MAX_REASON: raise ProtocolError(...)`), or cap it (`n = min(n,
MAX_CHUNK)`), and read large payloads in bounded chunks.
"""

from __future__ import annotations

import struct

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import expressions
from secreview.rules.base import FunctionRule, Hit

_WIDE = frozenset("ILQilqnN")
_READ_WORDS = ("recv", "read", "readexactly", "recvall", "recvexactly", "readinto", "recvinto")
_ORDERING = frozenset({"<", "<=", ">", ">="})


def _fields(fmt: str) -> list[str] | None:
    """The value codes of a struct format, one per decoded value (``"!HI"`` -> ``["H", "I"]``)."""
    if fmt[:1] in "@=<>!":
        fmt = fmt[1:]
    out: list[str] = []
    count = ""
    for ch in fmt:
        if ch.isdigit():
            count += ch
            continue
        if ch.isspace():
            continue
        n = int(count) if count else 1
        count = ""
        if ch in "sp":
            out.append(ch)
        elif ch != "x":
            out.extend(ch * n)
    try:
        struct.calcsize(fmt)
    except struct.error:
        return None
    return out


def _unpack_codes(call) -> list[str] | None:
    if not isinstance(call, ir.Call) or call.qualname not in ("struct.unpack", "struct.unpack_from"):
        return None
    fmt = call.argument(0, "format")
    if not isinstance(fmt, ir.Const) or not isinstance(fmt.value, (str, bytes)):
        return None
    text = fmt.value.decode("latin-1") if isinstance(fmt.value, bytes) else fmt.value
    return _fields(text)


def _variable_width(e) -> int | None:
    """How many bytes of ``e`` are not constant, when known: a slice with constant bounds of a start
    (``data[:3]``, ``data[1:4]``) and constant bytes joined to it by ``+`` (``data[:3] + b"\\x00"``, the
    three-byte length of a MySQL packet padded to an ``I``); None when unknown."""
    if isinstance(e, ir.Const) and isinstance(e.value, bytes):
        return 0
    if isinstance(e, ir.BinOp) and e.op == "+":
        left, right = _variable_width(e.left), _variable_width(e.right)
        return None if left is None or right is None else left + right
    if isinstance(e, ir.Subscript) and isinstance(e.index, ir.Slice) and e.index.step is None:
        lo, hi = e.index.lower, e.index.upper
        lo_v = lo.value if isinstance(lo, ir.Const) else (0 if lo is None else None)
        if isinstance(hi, ir.Const) and isinstance(lo_v, int) and isinstance(hi.value, int) and 0 <= lo_v <= hi.value:
            return hi.value - lo_v
    return None


def _narrow_buffer(call) -> bool:
    """``struct.unpack("<I", data[:3] + b"\\x00")``: fewer than four bytes of the buffer are data, so the
    decoded field is at most 16,777,215 however wide its format code."""
    if call.qualname != "struct.unpack":
        return False
    width = _variable_width(call.argument(1, "buffer"))
    return width is not None and width < 4


def _wide_from_bytes(call) -> bool:
    """``int.from_bytes(data, ...)`` where ``data`` is not sliced to fewer than four bytes, nor read by a call
    that reads fewer (``sock.recv(1)``)."""
    if not isinstance(call, ir.Call) or call.qualname != "builtins.int.from_bytes":
        if not (isinstance(call, ir.Call) and isinstance(call.func, ir.Attr) and call.func.attr == "from_bytes"
                and isinstance(call.func.value, ir.Name) and call.func.value.id == "int"):
            return False
    data = call.argument(0, "bytes")
    if isinstance(data, ir.Call) and isinstance(data.func, ir.Attr) and data.func.attr in _READ_WORDS \
            and len(data.args) == 1 and isinstance(data.args[0], ir.Const) and type(data.args[0].value) is int \
            and data.args[0].value < 4:
        return False  # ``int.from_bytes(sock.recv(1), "big")``: at most one byte read, at most 255
    if isinstance(data, ir.Subscript) and isinstance(data.index, ir.Slice):
        lo, hi = data.index.lower, data.index.upper
        lo_v = lo.value if isinstance(lo, ir.Const) else (0 if lo is None else None)
        if isinstance(hi, ir.Const) and isinstance(lo_v, int) and isinstance(hi.value, int) \
                and hi.value - lo_v < 4:
            return False
    return data is not None


def _decoded(stmt) -> dict[str, str]:
    """Local names this assignment gives a wide decoded field: name -> the decoding code."""
    if type(stmt) is not ir.Assign or len(stmt.targets) != 1 or stmt.op is not None:
        return {}
    target, value = stmt.targets[0], stmt.value
    out = {}
    if isinstance(target, ir.NameTarget):
        if isinstance(value, ir.Subscript) and isinstance(value.index, ir.Const) \
                and isinstance(value.index.value, int):
            codes = _unpack_codes(value.value)
            k = value.index.value
            if codes and -len(codes) <= k < len(codes) and codes[k] in _WIDE and not _narrow_buffer(value.value):
                out[target.id] = value
        elif _wide_from_bytes(value):
            out[target.id] = value
    elif isinstance(target, ir.UnpackTarget):
        codes = _unpack_codes(value)
        if codes and len(codes) == len(target.elts) and not _narrow_buffer(value):
            for elt, code in zip(target.elts, codes):
                if isinstance(elt, ir.NameTarget) and code in _WIDE:
                    out[elt.id] = value
    return out


def _chain(defs: dict, name: str, line: int) -> list:
    """How ``name``, used on ``line``, comes from a decoded field: its definition nearest before that line
    (the first when none is before it: a loop), then, for a name computed from another, that one's nearest
    before its own line, down to the decoding: ``[(statement, decoding call or None, source name)...]``."""
    out = []
    while len(out) <= len(defs):
        found = defs[name]
        before = [d for d in found if d[0].line < line]
        d = before[-1] if before else found[0]
        out.append(d)
        if d[2] is None:
            return out
        name, line = d[2], d[0].line
    return out


def _name_node(e, name: str):
    """The first use of local ``name`` in expression ``e``."""
    return next(x for x in _walk(e) if isinstance(x, ir.Name) and x.id == name and x.kind == ir.NameKind.LOCAL)


def _names(e) -> set[str]:
    return {x.id for x in _walk(e) if isinstance(x, ir.Name) and x.kind == ir.NameKind.LOCAL}


def _arith(e, names) -> bool:
    """``e`` is one of ``names``, or arithmetic on one of them (``n - 4``, ``int(n)``, ``n * 2``)."""
    if isinstance(e, ir.Name):
        return e.id in names and e.kind == ir.NameKind.LOCAL
    if isinstance(e, ir.BinOp):
        return _arith(e.left, names) or _arith(e.right, names)
    if isinstance(e, ir.UnaryOp):
        return _arith(e.operand, names)
    if isinstance(e, ir.Call) and e.qualname in ("builtins.int", "builtins.abs") and len(e.args) == 1:
        return _arith(e.args[0], names)
    return False


def _sized_call(e, names):
    """The argument of call ``e`` that sizes a read, an allocation or a loop by one of ``names``."""
    if not isinstance(e, ir.Call):
        return None
    qual = e.qualname or ""
    if qual == "builtins.bytearray":
        args = list(e.args)
    elif qual == "os.read":
        args = [e.argument(1, "n")]
    else:
        last = e.method or (e.func.id if isinstance(e.func, ir.Name) else None)
        if not last:
            return None
        word = last.lower().strip("_").split("_")[0]
        if word not in _READ_WORDS:
            return None
        # the size is the last positional argument (``f.read(n)``, ``sock.recv_into(buf, n)``; in
        # ``layer.read(offset, length)`` the first is where to read, not how much) or a keyword naming it
        args = list(e.args[-1:]) + [k.value for k in e.keywords if k.name in _SIZE_KEYWORDS]
    for a in args:
        if a is not None and _arith(a, names):
            return a
    return None


def _repeated(e, names):
    """``b"\\0" * n``: a constant string or bytes repeated a decoded number of times."""
    if isinstance(e, ir.BinOp) and e.op == "*":
        for const, count in ((e.left, e.right), (e.right, e.left)):
            if isinstance(const, ir.Const) and isinstance(const.value, (str, bytes)) and _arith(count, names):
                return count
    return None


_RECEIVES = frozenset({"recv", "recv_into", "recvfrom", "recvfrom_into"})
_SIZE_KEYWORDS = frozenset({"n", "size", "length", "nbytes", "count", "bufsize", "num_bytes", "num", "amt"})


def _allocates_at_once(e) -> bool:
    """A call that allocates the size it is given before anything arrives: ``bytearray(n)``,
    ``os.read(fd, n)``, a socket's ``recv(n)``/``recv_into``/``recvfrom``."""
    if not isinstance(e, ir.Call):
        return False
    return e.qualname in ("builtins.bytearray", "os.read") or (e.method in _RECEIVES and isinstance(e.func, ir.Attr))


def _helper(module, function, call):
    """The function of this module a call of a helper runs (``recv_exactly(sock, n)``,
    ``self._recv(sock, n)``) and the offset of the call's first argument among its parameters."""
    func = call.func
    if isinstance(func, ir.Name):
        target = module.functions.get(func.qualname or "") or module.functions.get(f"{module.name}.{func.id}")
        if target is not None:
            return target, 0
    elif isinstance(func, ir.Attr) and isinstance(func.value, ir.Name) and func.value.id in ("self", "cls") \
            and function.class_qualname:
        target = module.functions.get(f"{function.class_qualname}.{func.attr}")
        if target is not None:
            first = target.params[0].name if target.params else ""
            static = any(isinstance(d, ir.Name) and d.id == "staticmethod" for d in target.decorators)
            return target, 0 if static or first not in ("self", "cls") else 1
    return None, 0


def _helper_allocates(module, function, call, arg) -> bool:
    """Whether the helper a read goes through, a function of this module, passes the size it is
    given (or arithmetic on it) to a call that allocates it at once (``sock.recv(count - len(data))``)."""
    target, offset = _helper(module, function, call)
    if target is None:
        return False
    param = None
    for i, a in enumerate(call.args):
        if a is arg and i + offset < len(target.params):
            param = target.params[i + offset].name
    for k in call.keywords:
        if k.value is arg:
            param = k.name
    if param is None:
        return False
    for stmt in target.statements():
        for root in expressions(stmt):
            for e in _walk(root):
                if _allocates_at_once(e) and any(_arith(a, {param}) for a in list(e.args)
                                                   + [k.value for k in e.keywords]):
                    return True
    return False


class UnboundedLengthField(FunctionRule):
    __doc__ = __doc__

    id = "SR804"
    name = "unbounded-length-field"
    title = "Decoded length used as a read or allocation size without an upper bound"
    cwe = 770
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    bandit = ()
    tests_relevant = False
    triggers = frozenset({"unpack", "unpack_from", "from_bytes", "struct.unpack", "struct.unpack_from"})

    def check_function(self, module, function):
        from secreview.analysis.code_text import code_of
        stmts = sorted(function.statements(), key=lambda s: (s.line, s.col))
        defs: dict = {}  # name -> its definitions in line order: (statement, decoding call or None, source name)
        for stmt in stmts:
            for name, value in _decoded(stmt).items():
                defs.setdefault(name, []).append((stmt, value, None))
        if not defs:
            return
        seen = set()
        changed = True
        while changed:  # names computed from a decoded one by arithmetic
            changed = False
            for stmt in stmts:
                if id(stmt) not in seen and type(stmt) is ir.Assign and len(stmt.targets) == 1 \
                        and isinstance(stmt.targets[0], ir.NameTarget) and _arith(stmt.value, set(defs)):
                    seen.add(id(stmt))
                    src = sorted(n for n in _names(stmt.value) if n in defs)[0]
                    target = stmt.targets[0].id
                    defs.setdefault(target, []).append((stmt, None, src))
                    defs[target].sort(key=lambda d: (d[0].line, d[0].col))
                    changed = True
        names = set(defs)
        bounded_at = {}  # name -> first line where it is compared or capped
        roots = [(root, stmt.line) for stmt in stmts for root in expressions(stmt)]
        roots += [(e.cond, e.cond.line) for b in function.blocks for e in b.succs if e.cond is not None]
        for root, line in roots:
            for e in _walk(root):
                hit = set()
                if isinstance(e, ir.Compare) and _ORDERING & set(e.ops):
                    hit = _names(e) & names
                elif isinstance(e, ir.Call) and e.qualname == "builtins.min":
                    hit = _names(e) & names
                for n in hit:
                    bounded_at[n] = min(bounded_at.get(n, line), line)
        reported = set()
        for stmt in stmts:
            for root in expressions(stmt):
                for e in _walk(root):
                    arg = _sized_call(e, names)
                    what, effect = "the size of", "how much is read and allocated here"
                    confidence = None
                    if arg is not None and isinstance(e, ir.Call) and e.qualname == "builtins.bytearray":
                        effect = "how much is allocated here"
                    elif arg is not None and not _allocates_at_once(e) \
                            and not _helper_allocates(module, function, e, arg):
                        # ``fp.read(n)``, ``_read_except(fp, n)``: how much is asked for; whether it is
                        # allocated before it arrives depends on the object read (judged on real code: 0
                        # real of 7, in-memory buffers and configured cluster peers)
                        effect, confidence = "how much this call is asked to read", Level.LOW
                    if arg is None:
                        arg = _repeated(e, names)
                        what, effect = "the repeat count of", "how much is allocated here"
                    if arg is None or id(e) in reported:
                        continue
                    used = _names(arg) & names
                    if any(bounded_at.get(n, stmt.line + 1) <= stmt.line for n in used):
                        continue
                    reported.add(id(e))
                    name = sorted(used)[0]
                    chain = _chain(defs, name, stmt.line)
                    decode_stmt, decode, _ = chain[-1]
                    field = ("an integer decoded from binary data of unsliced width" if _wide_from_bytes(decode)
                             else "a field of four bytes or more decoded from binary data")
                    # each name computed from the next one on its own line, down to the decoding
                    # (each source cited at its own line: a computation may span several)
                    used_at = [_name_node(at.value, src) for at, _, src in chain[:-1]]
                    origin = ", ".join(f"computed from `{src}` (line {node.line})"
                                       for (_, _, src), node in zip(chain[:-1], used_at))
                    origin = f"{origin}, which comes from" if origin else "comes from"
                    notes = tuple((node, f"`{target}` computed from `{src}` here" if node.line == at.line
                                   else f"`{src}` used here, in the value assigned on line {at.line}")
                                  for (at, _, src), node, target
                                  in zip(chain[:-1], used_at, [name] + [src for _, _, src in chain[:-2]]))
                    decoded_name = chain[-2][2] if len(chain) > 1 else name
                    yield Hit(
                        node=e,
                        explanation=(f"`{name}` {origin} `{code_of(module, decode)}` (line {decode_stmt.line}), "
                                     f"{field}, and is used as {what} `{code_of(module, e)}` with no upper bound "
                                     f"checked before it in this function: whoever wrote those bytes decides "
                                     f"{effect}, up to billions."),
                        fix=(f"Reject `{name}` above the largest value the format allows (`if {name} > MAX: raise "
                             f"...`) or cap it with `min({name}, MAX)` before using it."),
                        notes=((decode_stmt, f"`{decoded_name}` decoded here"),) + notes,
                        confidence=confidence,
                    )
