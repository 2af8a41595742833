"""A helper logs the value it looks up by a key its callers name, and a caller asks it for a password.

Drivers and agents read their settings through one small helper, `def
_xml_read(root, element): val = root.findtext(element); LOG.info("%s: %s",
element, val)`, called once per setting: `_xml_read(root, 'username')`,
`_xml_read(root, 'password')`. Each value is logged as it is read, so the
call that reads the password writes it to the log in clear text (Cinder's
HNAS drivers, bug 1491524). No name in the helper says secret, so a check
that follows values named as secrets into logs (`sensitive-data-logged`)
does not see it: the secret is chosen by the caller's constant.

Reported at the logging call of a function (or method) that assigns a local
from a lookup keyed by one of its parameters (`x.get(key)`, `x.findtext(key)`,
`x[key]`, `getattr(x, key)`...) and passes that local (or the lookup itself)
to a logger as an argument, whole or inside a dict, tuple or formatted
string, when a call in the same module passes, for that parameter, a string
constant naming a credential (`'password'`, `'san_password'`, `'auth_token'`,
`'secret_key'`: the words of `sensitive-data-logged`). Not reported: a logged
value chosen by a conditional (`val if element != 'password' else '***'`) or
passed through any call (`mask_password(val)`), helpers whose callers in the
module pass no credential name, callers in other modules, and test code.

**Fix:** do not log the value, or mask it for credential keys:
`LOG.info("%s: %s", element, "***" if element == "password" else val)`, or
log `strutils.mask_password(...)` of it (oslo.utils).
"""

from __future__ import annotations

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import expressions
from secreview.rules.base import FunctionRule, Hit
from secreview.rules.sensitive_data_logged import _LEVELS, logger_name, secret_name

# methods that return what a mapping, a configuration or a document holds under a key
_LOOKUP = frozenset({"get", "findtext", "find", "getAttribute", "get_option", "safe_get", "get_value", "getValue",
                     "get_config", "get_conf", "get_param", "getparam", "getint", "getboolean"})


_PLAIN = ("pass", "secret", "token")


def _key_name(expr) -> str | None:
    """The variable ``expr`` looks something up under, if it does (``d[key]``, ``getattr(o, key)``,
    ``d.get(key)``...): whether it looks up under a parameter ``p`` is whether this is ``p``."""
    if isinstance(expr, ir.Subscript):
        return expr.index.id if isinstance(expr.index, ir.Name) else None
    if isinstance(expr, ir.Call):
        if expr.qualname in ("builtins.getattr", "getattr") and len(expr.args) >= 2:
            return expr.args[1].id if isinstance(expr.args[1], ir.Name) else None
        if expr.method in _LOOKUP and expr.args:
            first = expr.args[0]
            return first.id if isinstance(first, ir.Name) else None
    return None


def _logged(expr, names: set, lookups: list):
    """The node of ``expr`` that is one of the locals ``names`` or a lookup of ``lookups``, logged as it is:
    whole, or inside a dict, a tuple or list, or a formatted string (not through a call, which may mask
    it, nor a conditional, which may choose another value for a credential key)."""
    if isinstance(expr, ir.Name) and expr.id in names:
        return expr
    if any(expr is e for e in lookups):
        return expr
    if isinstance(expr, ir.DictExpr):
        parts = expr.values
    elif isinstance(expr, ir.Container):
        parts = expr.elts
    elif isinstance(expr, ir.StringBuild):
        parts = expr.parts
    elif isinstance(expr, ir.FormattedValue):
        parts = (expr.value,)
    else:
        return None
    for part in parts:
        found = _logged(part, names, lookups) if part is not None else None
        if found is not None:
            return found
    return None


def _secret_constant(function, arg) -> str | None:
    """The credential name ``arg`` is: a string constant, or a loop variable of ``function`` running over
    a tuple or list of constants (``for key in ('username', 'password'): read(root, key)``)."""
    if isinstance(arg, ir.Const):
        return arg.value if isinstance(arg.value, str) and secret_name(arg.value) else None
    if not (isinstance(arg, ir.Name) and arg.kind == ir.NameKind.LOCAL):
        return None
    for stmt in function.statements():
        if type(stmt) is ir.Assign and isinstance(stmt.value, ir.IterElement) \
                and isinstance(stmt.value.iterable, ir.Container) \
                and any(isinstance(t, ir.NameTarget) and t.id == arg.id for t in stmt.targets):
            for e in stmt.value.iterable.elts:
                if isinstance(e, ir.Const) and isinstance(e.value, str) and secret_name(e.value):
                    return e.value
    return None


def _is_log(call) -> bool:
    if call.method not in _LEVELS or not isinstance(call.func, ir.Attr):
        return False
    receiver = call.func.value
    return logger_name(receiver.attr if isinstance(receiver, ir.Attr) else receiver.id
                       if isinstance(receiver, ir.Name) else "")


class SecretLookupLogged(FunctionRule):
    __doc__ = __doc__

    id = "SR704"
    name = "secret-lookup-logged"
    title = "Value read under a key a caller names a credential, logged"
    cwe = 532
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    tests_relevant = False
    triggers = frozenset(_LEVELS)

    def __init__(self):
        super().__init__()
        self._calls: dict = {}  # module path -> (module, {callee name: [(caller function, call)]})

    def module_dropped(self, path: str) -> None:
        self._calls.pop(path, None)

    def _calls_in(self, module) -> dict:
        memo = self._calls.get(module.path)
        if memo is not None and memo[0] is module:
            return memo[1]
        calls: dict = {}
        for fn in module.functions.values():
            for stmt in fn.statements():
                for root in expressions(stmt):
                    for e in _walk(root):
                        if isinstance(e, ir.Call):
                            name = e.method if isinstance(e.func, ir.Attr) else \
                                e.func.id if isinstance(e.func, ir.Name) else None
                            if name is not None:
                                calls.setdefault(name, []).append((fn, stmt.line, e))
        self._calls[module.path] = (module, calls)
        return calls

    def check_function(self, module, function):
        params = [p.name for p in function.params if p.kind == "positional"]
        method = function.is_method and params and params[0] in ("self", "cls")
        keys = params[1:] if method else params
        if not keys:
            return
        # the log calls and what each logs, in statement order: the same whatever the key
        logs = []
        for stmt in function.statements():
            for root in expressions(stmt):
                for e in _walk(root):
                    if isinstance(e, ir.Call) and _is_log(e):
                        args = list(e.args[1:] if e.args and isinstance(e.args[0], ir.Const) else e.args)
                        args += [k.value for k in e.keywords if k.name not in ("exc_info", "extra")]
                        logs.append((e, args))
        if not logs:
            return
        # by the variable they look up under: the locals assigned a lookup, and the lookups (one walk for
        # every parameter)
        keyed: dict = {}  # variable -> (names, lookups)
        for stmt in function.statements():
            if type(stmt) is ir.Assign:
                key = _key_name(stmt.value)
                if key is not None:
                    keyed.setdefault(key, (set(), []))[0].update(
                        t.id for t in stmt.targets if isinstance(t, ir.NameTarget))
            for root in expressions(stmt):
                for e in _walk(root):
                    key = _key_name(e)
                    if key is not None:
                        keyed.setdefault(key, (set(), []))[1].append(e)
        found = []  # (log call, logged node, parameter)
        for key in keys:
            names, lookups = keyed.get(key, ((), ()))
            if not names and not lookups:
                continue
            for e, args in logs:
                for arg in args:
                    node = _logged(arg, names, lookups)
                    if node is not None:
                        found.append((e, node, key))
                        break
        if not found:
            return
        calls = self._calls_in(module).get(function.name, ())
        for log_call, node, key in found:
            index = keys.index(key)
            asked = []  # (credential name, line of the call)
            for caller, line, call in calls:
                if method:
                    receiver = call.func.value if isinstance(call.func, ir.Attr) else None
                    if not (isinstance(receiver, ir.Name) and receiver.id in ("self", "cls")
                            and caller.class_qualname == function.class_qualname):
                        continue
                elif not isinstance(call.func, ir.Name) or call.qualname not in (None, function.qualname):
                    continue
                secret = _secret_constant(caller, call.argument(index, key))
                if secret is not None:
                    asked.append((secret, line))
            if not asked:
                continue
            # name the plainest credential asked for (a password rather than a key that may be a file's path)
            secret, line = min(asked, key=lambda a: (not any(w in a[0].lower() for w in _PLAIN), a[1]))
            yield Hit(
                node=log_call,
                explanation=(f"`{function.name}` logs `{_code(module, node)}`, the value it reads under its "
                             f"parameter `{key}`, and line {line} calls it with `{key}` = `{secret!r}`: that call "
                             f"writes the {secret} to the log in clear text."),
                fix=(f"Do not log the value read under `{key}`, or mask it for credential keys "
                     f"(`'***' if {key} == {secret!r} else ...`, `strutils.mask_password(...)`)."),
            )


def _code(module, node) -> str:
    return node.id if isinstance(node, ir.Name) else "the value"
