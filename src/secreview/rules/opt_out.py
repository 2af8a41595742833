"""Operator opt-outs: a weak setting that runs only in the branch a verification switch selects.

``if verify_ssl: ctx.verify_mode = CERT_REQUIRED else: ctx.verify_mode = CERT_NONE`` turns TLS
verification off only when whoever configures the code asks for it (``verify_ssl=False``,
``insecure=True``): the code's default is secure, the opt-out is the operator's choice, not a
defect of the code. It is one when the default itself selects the weak branch
(``def connect(host, insecure=True)``). Rules of TLS and similar settings ask
``opt_out(interp, stmt)`` before reporting.
"""

from __future__ import annotations

from secreview.ir import nodes as ir
from secreview.ir.control import controlling_conditions
from secreview.rules.weak_random import name_words

_SWITCH_WORDS = frozenset({"verify", "verified", "verification", "insecure", "unverified", "noverify", "sslverify",
                           "verifyssl", "validate", "validated", "validation"})
_CERT_WORDS = frozenset({"cert", "certs", "certificate", "certificates", "ssl", "tls", "hostname"})
_CERT_SWITCH = frozenset({"check", "checks", "required", "reqs", "validation", "verify", "skip", "ignore"})
_NO_DEFAULT = object()


class OptOut:
    """The switch that selects the weak branch, and whether the code's default selects it."""

    __slots__ = ("switch", "default", "by_default", "where")

    def __init__(self, switch: str, default, by_default: bool, where=None):
        self.switch, self.default, self.by_default = switch, default, by_default
        self.where = where  # the default's constant (an IR node), when the code shows one

    def note(self) -> tuple:
        """The ``(node, note)`` trace step of the default, for a finding that names it."""
        return ((self.where, f"`{self.switch}` defaults to `{self.default!r}`"),) if self.where is not None else ()


def _switch_name(name) -> bool:
    if not isinstance(name, str):
        return False
    words = set(name_words(name))
    return bool(words & _SWITCH_WORDS) or (bool(words & _CERT_WORDS) and bool(words & _CERT_SWITCH))




def _key_name(key):
    """The name a configuration key says: its text (``conf["verify_ssl"]``) or the constant that holds it
    (``conf.get(CONF_SKIP_CERT_CN_CHECK)``, ``conf[const.VERIFY_SSL]``)."""
    if isinstance(key, ir.Const):
        return key.value
    if isinstance(key, ir.Name):
        return key.id
    if isinstance(key, ir.Attr):
        return key.attr
    return None


def _switch_in(cond):
    """(switch node, polarity, compared constant) of a condition testing a verification switch:
    ``verify``, ``not self.insecure``, ``CONF.verify_ssl is False``."""
    negate = False
    while isinstance(cond, ir.UnaryOp) and cond.op == "not":
        negate = not negate
        cond = cond.operand
    compared = _NO_DEFAULT
    if isinstance(cond, ir.Compare) and len(cond.ops) == 1 and isinstance(cond.comparators[0], ir.Const) \
            and cond.ops[0] in ("is", "is not", "==", "!="):
        compared = cond.comparators[0].value
        if cond.ops[0] in ("is not", "!="):
            negate = not negate
        cond = cond.left
    node = cond
    name = None
    if isinstance(node, ir.Name):
        name = node.id
    elif isinstance(node, ir.Attr):
        name = node.attr
    elif isinstance(node, ir.Subscript):
        name = _key_name(node.index)
    elif isinstance(node, ir.Call) and node.method == "get" and node.args:
        name = _key_name(node.args[0])
    if not _switch_name(name):
        return None
    return node, name, negate, compared


def _default_of(interp, node):
    """The default (a constant node) of a switch that is a parameter of this function, or a field set
    from a parameter of the class's ``__init__``; ``_NO_DEFAULT`` when the code does not show one."""
    fn = interp.fn
    if isinstance(node, ir.Name):
        for p in fn.params:
            if p.name == node.id:
                return p.default if isinstance(p.default, ir.Const) else _NO_DEFAULT
        return _NO_DEFAULT
    if isinstance(node, ir.Attr) and isinstance(node.value, ir.Name) and fn.is_method and fn.params \
            and node.value.id == fn.params[0].name:
        init = interp.program.functions.get(f"{fn.class_qualname}.__init__")
        if init is None:
            return _NO_DEFAULT
        for stmt in init.statements():
            if isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Name) and any(
                    isinstance(t, ir.AttrTarget) and t.attr == node.attr for t in stmt.targets):
                for p in init.params:
                    if p.name == stmt.value.id:
                        return p.default if isinstance(p.default, ir.Const) else _NO_DEFAULT
    return _NO_DEFAULT


def opt_out(interp, stmt) -> OptOut | None:
    """The verification switch whose branch ``stmt`` is in, if any."""
    if stmt is None:
        return None
    for cond, taken in controlling_conditions(interp.fn, stmt):
        found = _switch_in(cond)
        if found is None:
            continue
        node, name, negate, compared = found
        where = _default_of(interp, node)
        if where is _NO_DEFAULT:
            return OptOut(name, None, False)
        default = where.value
        truth = (default == compared) if compared is not _NO_DEFAULT else bool(default)
        if negate:
            truth = not truth
        return OptOut(name, default, truth == taken, where)
    return None


# A parameter or option whose default, by its name, turns verification off: ``insecure=True``,
# ``verify_ssl=False``. Used by tls-verification-off-by-default; the rules of weak settings in a
# switch's branch ask ``opt_out`` instead, and the parameter is then theirs (reported once).
_VERIFY_NAMES = frozenset({"verify_ssl", "ssl_verify", "verify_cert", "verify_certs", "verify_certificate",
                           "verify_certificates", "tls_verify", "verify_tls", "cert_verify", "verify_server_cert",
                           "ssl_cert_verify", "validate_certs", "validate_cert", "verify_https", "https_verify",
                           "check_certificate", "ssl_verify_cert", "verify_server_certificate"})


def insecure_name(name: str) -> bool:
    """``insecure``, ``api_insecure``: True turns verification off."""
    low = name.lower().replace("-", "_")
    return low == "insecure" or low.endswith("_insecure")


def verify_name(name: str) -> bool:
    """``verify_ssl``, ``validate_certs``: False turns verification off."""
    return name.lower().replace("-", "_") in _VERIFY_NAMES


def insecure_by_default(name: str, default) -> bool:
    """Whether a switch named ``name`` left at the constant ``default`` turns verification off."""
    if not isinstance(default, bool):
        return False
    return (default is True and insecure_name(name)) or (default is False and verify_name(name))


def tested_as_switch(module, fn, name: str) -> bool:
    """Whether the parameter ``name`` of ``fn`` (or the field an ``__init__`` sets from it, in the
    class's methods) is the condition of a branch: the weak setting in that branch is then reported
    by the rule judging it, through ``opt_out``, with the default in its trace."""
    if _tests(fn, lambda node: isinstance(node, ir.Name) and node.id == name):
        return True
    if fn.name != "__init__" or not fn.is_method:
        return False
    fields = {t.attr for stmt in fn.statements() if isinstance(stmt, ir.Assign)
              and isinstance(stmt.value, ir.Name) and stmt.value.id == name
              for t in stmt.targets if isinstance(t, ir.AttrTarget)}
    return bool(fields) and any(_tests(m, lambda node: isinstance(node, ir.Attr) and node.attr in fields)
                                for m in module.functions.values() if m.class_qualname == fn.class_qualname)


def _tests(fn, matches) -> bool:
    for block in fn.blocks:
        for e in block.succs:
            if e.kind in (ir.EdgeKind.TRUE, ir.EdgeKind.FALSE) and e.cond is not None:
                found = _switch_in(e.cond)
                if found is not None and matches(found[0]):
                    return True
    return False


# Words of a function or class name that declare it the unverified variant: ``get_insecure_session``,
# ``NoVerificationEmailBackend``, ``unverified_client``
_VARIANT_WORDS = frozenset({"insecure", "unverified", "noverify", "noverification", "unsafe"})
_VARIANT_PAIRS = frozenset({(a, b) for a in ("no", "skip", "without", "disable", "disabled")
                            for b in ("verify", "verification", "verifying", "check", "checks", "checking", "tls",
                                      "ssl", "cert", "certs", "certificate")})


def variant_name(name) -> bool:
    """A name that declares the unverified variant of something (``get_insecure_session``,
    ``NoVerificationEmailBackend``): whole words, not a mention (``verify_insecure_setting`` is a check)."""
    if not isinstance(name, str):
        return False
    words = name_words(name)
    if words and words[0] in ("is", "has", "check", "verify", "validate", "warn", "test"):
        return False
    return any(w in _VARIANT_WORDS for w in words) or any(p in _VARIANT_PAIRS for p in zip(words, words[1:]))


def named_variant(interp) -> str | None:
    """The function or class, around the code being judged, whose name declares it the unverified variant:
    a caller, or an operator's setting naming it (``EMAIL_BACKEND = '...NoVerificationEmailBackend'``),
    chooses it; the code's default does not run it unless something else shows so."""
    fn = interp.fn
    if fn is None:
        return None
    if variant_name(fn.name):
        return f"{fn.name}()"
    klass = fn.class_qualname
    if klass and variant_name(klass.rsplit(".", 1)[-1]):
        return klass.rsplit(".", 1)[-1]
    return None
