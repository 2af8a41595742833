"""Operator opt-outs: a weak setting that runs only in the branch a verification switch selects.

``if verify_ssl: ctx.verify_mode = CERT_REQUIRED else: ctx.verify_mode = CERT_NONE`` turns TLS
verification off only when whoever configures the code asks for it (``verify_ssl=False``,
``insecure=True``, a configured object of a class such as neo4j's ``TrustAll``: ``if
isinstance(self.trusted_certificates, TrustAll):``): the code's default is secure, the opt-out is
the operator's choice, not a defect of the code. It is one when the default itself selects the weak branch
(``def connect(host, insecure=True)``). Rules of TLS and similar settings ask
``opt_out(interp, stmt)`` before reporting.
"""

from __future__ import annotations

from secreview.ir import nodes as ir
from secreview.ir.control import conjuncts, controlling_conditions
from secreview.ir.statements import calls, expressions
from secreview.rules.weak_random import name_words

_SWITCH_WORDS = frozenset({"verify", "verified", "verification", "insecure", "unverified", "noverify", "sslverify",
                           "verifyssl", "validate", "validated", "validation"})
_CERT_WORDS = frozenset({"cert", "certs", "crt", "certificate", "certificates", "ssl", "tls", "hostname",
                         "known", "hostkey", "hostkeys"})  # (SSH's: ``ignore_known_hosts``, ``skip_hostkey``)
# A setting's value that says "off": ``if args.wopi_crt == "no":`` selects the unverified branch on request
_OFF_VALUES = frozenset({"no", "none", "off", "false", "0", "disable", "disabled", "insecure", "skip", "ignore"})
# Words of an option's help saying that it turns verification off: ``help="disable certificate check"``
_HELP_WORDS = frozenset({"certificate", "certificates", "cert", "certs", "verify", "verification", "insecure",
                         "ssl", "tls", "hostname"})
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


def _switch_in(cond, field_source=None):
    """(switch node, polarity, compared constant) of a condition testing a verification switch:
    ``verify``, ``not self.insecure``, ``CONF.verify_ssl is False``; ``field_source`` gives the name
    of the parameter a field was set from (``self.dscv = disable_ssl_certificate_validation``)."""
    negate = False
    while isinstance(cond, ir.UnaryOp) and cond.op == "not":
        negate = not negate
        cond = cond.operand
    compared = _NO_DEFAULT
    if isinstance(cond, ir.Call) and cond.qualname == "builtins.isinstance" and len(cond.args) == 2 \
            and isinstance(cond.args[1], (ir.Name, ir.Attr)):
        # ``if isinstance(self.trusted_certificates, TrustAll):`` (neo4j): the configured object is the class
        # that says verification is off, a choice of whoever configures the driver
        klass = cond.args[1].id if isinstance(cond.args[1], ir.Name) else cond.args[1].attr
        words = set(name_words(klass))
        # (only a class named for trusting everything or for being insecure: not one of verification's
        # errors, ``isinstance(excp.args[0], ssl.SSLCertVerificationError)``, whose branch is the code's own
        # fallback to an unverified retry)
        if (("trust" in words and words & {"all", "any"}) or words & {"insecure", "noverify", "unverified"}) \
                and not words & {"error", "exception", "warning"}:
            return cond.args[0], klass, negate, _NO_DEFAULT
        return None
    if isinstance(cond, ir.Compare) and len(cond.ops) == 1 and isinstance(cond.comparators[0], ir.Const) \
            and cond.ops[0] in ("is", "is not", "==", "!="):
        compared = cond.comparators[0].value
        if cond.ops[0] in ("is not", "!="):
            negate = not negate
        cond = cond.left
    elif isinstance(cond, ir.Compare) and len(cond.ops) == 1 and cond.ops[0] in ("in", "not in") \
            and isinstance(cond.comparators[0], ir.Container) and cond.comparators[0].elts \
            and all(isinstance(e, ir.Const) and isinstance(e.value, str) and e.value.lower() in _OFF_VALUES
                    for e in cond.comparators[0].elts):
        # ``if ssl_verify in ["no", "false"]:`` (ansible-rulebook's setting): equal to one of the "off" values
        compared = cond.comparators[0].elts[0].value
        if cond.ops[0] == "not in":
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
    if not _switch_name(name) and field_source is not None and isinstance(node, ir.Attr):
        source = field_source(node)
        if _switch_name(source):
            name = source
    if not _switch_name(name) and not (isinstance(compared, str) and compared.lower() in _OFF_VALUES
                                       and isinstance(name, str) and set(name_words(name)) & _CERT_WORDS):
        return None
    return node, name, negate, compared


def command_flags(module) -> dict:
    """``dest -> (option, help)`` of the command-line flags this module declares (``argparse``'s
    ``add_argument("-td", action="store_true", help=...)``, ``optparse``'s ``add_option``): options that
    are False unless the person running the program passes them."""
    flags = {}
    text = module.text
    if not text or "store_true" not in text:
        return flags
    for fn in module.functions.values():
        for call in calls(fn):
            if call.method not in ("add_argument", "add_option") or not call.args:
                continue
            action = call.keyword("action")
            if not (isinstance(action, ir.Const) and action.value == "store_true"):
                continue
            options = [a.value for a in call.args if isinstance(a, ir.Const) and isinstance(a.value, str)]
            if not options or not all(o.startswith("-") for o in options):
                continue
            dest = call.keyword("dest")
            longs = [o for o in options if o.startswith("--")]
            name = dest.value if isinstance(dest, ir.Const) and isinstance(dest.value, str) else \
                (longs[0] if longs else options[0]).lstrip("-").replace("-", "_")
            help_text = call.keyword("help")
            flags[name] = (longs[0] if longs else options[0],
                           help_text.value if isinstance(help_text, ir.Const) and isinstance(help_text.value, str)
                           else "")
    return flags


def _command_flag(interp, cond):
    """An ``OptOut`` for a condition testing a command-line flag whose help says it turns verification off
    (``if ar.td:`` with ``add_argument("-td", action="store_true", help="disable certificate check")``):
    the flag is False unless the person running the program passes it."""
    negate = False
    while isinstance(cond, ir.UnaryOp) and cond.op == "not":
        negate = not negate
        cond = cond.operand
    if not isinstance(cond, ir.Attr):
        return None, None
    flag = command_flags(interp.module).get(cond.attr)
    if flag is None or not set(name_words(flag[1])) & _HELP_WORDS:
        return None, None
    return OptOut(flag[0], False, False), negate


def _init_parameter(interp, node):
    """The parameter of the class's ``__init__`` that the field ``self.<attr>`` is set from
    (``self.dscv = disable_ssl_certificate_validation``), or None."""
    fn = interp.fn
    if not (isinstance(node, ir.Attr) and isinstance(node.value, ir.Name) and fn.is_method and fn.params
            and node.value.id == fn.params[0].name):
        return None
    init = interp.program.functions.get(f"{fn.class_qualname}.__init__")
    if init is None:
        return None
    for stmt in init.statements():
        if isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Name) and any(
                isinstance(t, ir.AttrTarget) and t.attr == node.attr for t in stmt.targets):
            for p in init.params:
                if p.name == stmt.value.id:
                    return p
    return None


def _field_parameter(interp, node) -> str | None:
    param = _init_parameter(interp, node)
    return None if param is None else param.name


def _default_of(interp, node):
    """The default (a constant node) of a switch that is a parameter of this function, or a field set
    from a parameter of the class's ``__init__``; ``_NO_DEFAULT`` when the code does not show one."""
    fn = interp.fn
    if isinstance(node, ir.Name):
        for p in fn.params:
            if p.name == node.id:
                return p.default if isinstance(p.default, ir.Const) else _NO_DEFAULT
        return _NO_DEFAULT
    param = _init_parameter(interp, node)
    if param is not None:
        return param.default if isinstance(param.default, ir.Const) else _NO_DEFAULT
    return _NO_DEFAULT


def opt_out(interp, stmt, node=None) -> OptOut | None:
    """The verification switch whose branch ``stmt`` is in, if any; with ``node`` (an expression of ``stmt``),
    first the switch of a conditional expression of ``stmt`` whose branch holds it (``context = None if
    ssl_verify else ssl._create_unverified_context()``)."""
    if stmt is None:
        return None
    if node is not None:
        for cond, taken in _conditional_branches(stmt, node):
            chosen = switch_choice(interp, cond, taken)
            if chosen is not None:
                return chosen
    for cond, taken in controlling_conditions(interp.fn, stmt):
        chosen = switch_choice(interp, cond, taken)
        if chosen is None and isinstance(cond, (ir.BoolOp, ir.UnaryOp)):
            # ``if "tls_insecure" in server and server["tls_insecure"]:``: a switch among tests that all hold
            # where the branch runs (heisenbridge's per-server setting, judged false on panel BA)
            chosen = next((found for part, holds in conjuncts(cond, taken) if part is not cond
                           and (found := switch_choice(interp, part, holds)) is not None), None)
        if chosen is not None:
            return chosen
    return None


def _conditional_branches(stmt, node) -> list:
    """``(test, taken)`` of each conditional expression of ``stmt`` with ``node`` in one of its branches, the
    innermost first."""
    found = []
    for top in expressions(stmt):
        for e in ir.walk(top):
            if isinstance(e, ir.IfExp):
                for taken, branch in ((True, e.body), (False, e.orelse)):
                    if any(sub is node for sub in ir.walk(branch)):
                        found.append((e.test, taken))
    return found[::-1]


def switch_choice(interp, cond, taken: bool) -> OptOut | None:
    """The verification switch ``cond`` tests, when the code runs where ``cond`` is ``taken`` (an ``if``'s branch,
    or a conditional expression's: ``ssl.CERT_NONE if not verify else ssl.CERT_REQUIRED``), or None when ``cond``
    tests none."""
    found = _switch_in(cond, lambda node: _field_parameter(interp, node))
    if found is None:
        flag, negate = _command_flag(interp, cond)
        if flag is not None:
            flag.by_default = negate == taken  # a flag not passed is False: ``not flag`` holds then
        return flag
    node, name, negate, compared = found
    if isinstance(compared, str) and compared.lower() in _OFF_VALUES and negate == taken:
        # the branch where the setting is not "off" (past ``if ssl_mode in ["disable"]: return``): no opt-out
        return None
    where = _default_of(interp, node)
    if where is _NO_DEFAULT:
        return OptOut(name, None, False)
    default = where.value
    truth = (default == compared) if compared is not _NO_DEFAULT else bool(default)
    if negate:
        truth = not truth
    return OptOut(name, default, truth == taken, where)


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
