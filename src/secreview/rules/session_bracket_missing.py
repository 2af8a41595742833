"""Backend called without the login/logout bracket that the class's other methods put around it.

Drivers and clients of storage arrays, switches and other appliances often
hold a session per operation: each public method logs in, calls the
backend, and logs out in a `finally` block (`self.common.client_login()`,
`try: self.common.create_volume(v) finally: self.common.client_logout()`).
When a class does this in nearly every method, one public method that calls
the same backend object without the bracket either works on a session
nobody closes (the backend or the helper opens one implicitly, and each call
of the method leaves one behind) or on one left over from another
operation. In a service that runs for months, sessions left open pile up
until the array refuses new ones (CWE-772): OpenStack fixed such leaks by
adding the missing bracket to the methods that lacked it.

Reported, in a class: when at least 3 methods call an opening method on an
object (`R.login()`, `R.client_login()`, `R.connect()`, `R.open_session()`,
`R.acquire()`) and call its counterpart on the same object in a `finally`
block (`logout`, `disconnect`, `close_session`, `release`: the same name
with the opening word replaced), and they are at least 75 % of the public
methods of the class that call methods of that object, a public method
(not `__init__`, its name not starting with `_`) that calls a method of the
object with neither the opening nor the closing call is reported, at its
first call of the object.

Not reported: methods that another method of the class calls
(`self.initialize_ports()` inside a bracket: the caller holds the session);
methods that assign the object (`self.common = ...`: they set
it up), methods that call only the opening or only the closing method (the
session management itself), classes where fewer than 3 or 75 % of the
methods use the bracket; module-level functions; test code.

**Fix:** open and close the session around the call as the other methods
do: `R.login()` then `try: ... finally: R.logout()`, or a context manager /
decorator that does both.
"""

from __future__ import annotations

from secreview.analysis.code_text import code_of
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.authz import calls
from secreview.rules.base import FunctionRule, Hit, lines_node
from secreview.rules.words import identifier_words

_PAIRS = {"login": "logout", "logon": "logoff", "connect": "disconnect", "acquire": "release", "open": "close"}
MIN_BRACKETED = 3
MIN_SHARE = 0.75


def _closing_name(name: str) -> str | None:
    """``client_login`` -> ``client_logout``; ``open_session`` -> ``close_session``; ``open`` alone is too
    common (files) to count without another word."""
    words = identifier_words(name)
    hits = [i for i, w in enumerate(words) if w in _PAIRS]
    if len(hits) != 1:
        return None
    if words[hits[0]] == "open" and len(words) == 1:
        return None
    lowered = name.lower()
    opening = words[hits[0]]
    at = lowered.find(opening)
    if at < 0:
        return None
    return name[:at] + _PAIRS[opening] + name[at + len(opening):]


def _method_calls(fn: ir.Function):
    """``(receiver, method name, call)`` for the calls ``R.m(...)`` of a function."""
    for _stmt, call in calls(fn):
        func = call.func
        if isinstance(func, ir.Attr):
            key = ir.dotted_text(func.value)
            if key is not None:
                yield key, func.attr, call


def _finally_calls(fn: ir.Function) -> dict:
    """``(receiver, method) -> call`` of the calls made in a ``finally`` block (the copies the lowering
    makes for a pending exit carry ``origin``)."""
    out = {}
    for block in fn.blocks:
        if block.origin is None:
            continue
        for stmt in block.stmts:
            for name in ("value", "test"):
                node = getattr(stmt, name, None)
                if not isinstance(node, ir.Expr):
                    continue
                for e in ir.walk(node):
                    if isinstance(e, ir.Call) and isinstance(e.func, ir.Attr):
                        key = ir.dotted_text(e.func.value)
                        if key is not None:
                            out.setdefault((key, e.func.attr), e)
    return out


def _brackets(fn: ir.Function) -> dict:
    """``(receiver, opening, closing) -> (opening call, closing call)`` for each session a function opens
    and closes in a ``finally`` block."""
    closing_calls = None
    out = {}
    for key, name, call in _method_calls(fn):
        closing = _closing_name(name)
        if closing is None:
            continue
        if closing_calls is None:
            closing_calls = _finally_calls(fn)
        close = closing_calls.get((key, closing))
        if close is not None:
            out.setdefault((key, name, closing), (call, close))
    return out


def _assigns(fn: ir.Function, key: str) -> bool:
    for stmt in fn.statements():
        if isinstance(stmt, ir.Assign):
            for target in stmt.targets:
                if isinstance(target, ir.AttrTarget) and ir.dotted_text(target.value) is not None \
                        and f"{ir.dotted_text(target.value)}.{target.attr}" == key:
                    return True
    return False


def _public(fn: ir.Function) -> bool:
    return not fn.name.startswith("_")


class SessionBracketMissing(FunctionRule):
    __doc__ = __doc__

    id = "SR806"
    name = "session-bracket-missing"
    title = "Backend called without the login/logout bracket its sibling methods use"
    cwe = 772
    severity = Level.LOW
    confidence = Level.MEDIUM
    tests_relevant = False

    def __init__(self):
        self._memo: dict = {}

    def module_dropped(self, path: str) -> None:
        self._memo = {k: v for k, v in self._memo.items() if k[0] != path}

    def relevant(self, function) -> bool:
        return function.is_method and _public(function) and function.name != "__init__"

    def _class_brackets(self, module, klass):
        key = (module.path, klass.qualname)
        found = self._memo.get(key)
        if found is None:
            found = {}
            for m in klass.methods.values():
                for b, pair in _brackets(m).items():
                    found.setdefault(b, {})[m] = pair
            self._memo[key] = found
        return found

    def _helpers(self, module, klass) -> set:
        """Names of the methods the class calls on ``self`` itself."""
        key = (module.path, klass.qualname, "helpers")
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = {n for m in klass.methods.values()
                                       for k, n, _c in _method_calls(m) if k == "self"}
        return found

    def check_function(self, module, function):
        klass = module.classes.get(function.class_qualname)
        if klass is None or klass.methods.get(function.name) is not function:
            return
        brackets = self._class_brackets(module, klass)
        if not brackets:
            return
        helpers = self._helpers(module, klass)
        if function.name in helpers:
            return  # a helper the class calls itself: its caller holds (or not) the session
        mine = list(_method_calls(function))
        for (key, opening, closing), users in brackets.items():
            if len(users) < MIN_BRACKETED or function in users:
                continue
            used = [(name, call) for k, name, call in mine if k == key]
            if not used or any(name in (opening, closing) for name, _c in used):
                continue
            if _assigns(function, key):
                continue
            callers = [m for m in klass.methods.values() if _public(m) and m.name != "__init__"
                       and m.name not in helpers and not _assigns(m, key)
                       and (m in users or any(k == key and n not in (opening, closing)
                                              for k, n, _c in _method_calls(m)))]
            bracketed = [m for m in callers if m in users]
            if len(bracketed) < MIN_SHARE * len(callers):
                continue
            first = used[0][1]
            shown = ", ".join(f"`{m.name}`" for m in bracketed[:3])
            more = f" and {len(bracketed) - 3} more" if len(bracketed) > 3 else ""
            open_call, close_call = users[bracketed[0]]
            yield Hit(
                node=first,
                explanation=(
                    f"`{function.name}` calls `{code_of(module, first, 80)}` without opening a session on "
                    f"`{key}` first and closing it in a `finally` block, as {len(bracketed)} of the "
                    f"{len(callers)} public methods of `{klass.name}` that call `{key}` do ({shown}{more}: "
                    f"`{code_of(module, open_call, 60)}`, then `{code_of(module, close_call, 60)}` in a `finally` "
                    f"block). Either the backend opens a session "
                    f"for this call that nothing closes, one more on each call of a service that runs for months, "
                    f"or the call works on a session another operation left open."),
                fix=(f"Call `{key}.{opening}()` before and `{key}.{closing}()` in a `finally` block around the call, "
                     f"as the other methods of `{klass.name}` do."),
                notes=(
                    (lines_node(klass.line), f"the class `{klass.name}`"),
                    *((lines_node(m.line), f"`{m.name}` opens and closes the session")
                      for m in bracketed[:3]),
                    (open_call, "the session is opened here"),
                    (close_call, "and closed here, in a `finally` block"),
                ),
            )
            return
