"""Request JSON used as an object when the client may have sent a list, a string or a number.

`json.loads(request.body)` returns whatever the client wrote: an object, but
also a list, a string, a number, `true` or `null`. Code that answers 400 when
the text is not JSON at all (`except ValueError`) and then reads the result as
an object (`data.get("name")`, `data["name"]`, `data.items()`,
`six.iteritems(data)`) still fails on `[1]` or `"x"`: `AttributeError` or
`TypeError`, which no handler turns into a 400, so any client gets an
internal server error (500) and a traceback in the logs whenever it likes.
OpenStack fixed this in Keystone's JSON body middleware ("Fix 500 error if
request body is not JSON object") and in Glance's member API.

Reported, outside test code, at the first read of a variable as an object
(`.get()`, `.items()`, `.keys()`, `.values()`, `.pop()`, `.setdefault()`, the
`iter*` forms, `six.iteritems(v)`, a subscript with a constant string key)
when the variable was assigned the result of `json.loads`/`jsonutils.loads`
(or `simplejson`/`ujson`/`orjson`) of the request's data (an attribute such as
`body`, `data`, `text`, `GET`, `params` of a `req`/`request` parameter or
`self.request`, directly or through a local assigned once from it), inside a
`try` that handles `ValueError` (or a JSON decode error) without raising it
again (not `except ValueError: raise`): the code answers for malformed JSON,
so it is meant to turn bad input into an error, and the type is the case it
missed. Not reported: a read inside a `try` whose handlers
catch the read's error (`TypeError` for a subscript, `AttributeError` for a
method; `Exception` or everything), a variable whose type the function
checks anywhere (`isinstance(v, dict)`, `type(v)`), a variable given to a call
whose name says it validates (`valid`, `check`, `verify`, `schema`: a JSON
schema says `"type": "object"`), a variable also assigned something other
than a dict display (`v = {}` as a fallback is fine), JSON read from files,
the configuration or other services.

Severity is low: the harm is a failed request and a noisy log.

**Fix:** check the type after decoding (`if not isinstance(data, dict): raise
webob.exc.HTTPBadRequest(...)`), validate the body against a JSON schema with
`"type": "object"`, or catch `TypeError`/`AttributeError` with the decode error.
"""

from __future__ import annotations

import re

from secreview.analysis.code_text import code_of
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.control import dominators
from secreview.ir.statements import expressions, target_names
from secreview.rules.base import FunctionRule, Hit

_JSON_MODULES = frozenset({"json", "jsonutils", "simplejson", "ujson", "orjson"})
_DECODE_ERRORS = frozenset({"ValueError", "JSONDecodeError", "DecodeError", "Exception", "BaseException"})
_DICT_METHODS = frozenset({"get", "items", "keys", "values", "pop", "setdefault", "iteritems", "iterkeys",
                           "itervalues", "viewitems", "viewkeys", "viewvalues"})
_SIX_ITER = frozenset({"six.iteritems", "six.iterkeys", "six.itervalues", "six.viewitems", "six.viewkeys",
                       "six.viewvalues"})
_REQUEST_NAMES = frozenset({"req", "request"})
_REQUEST_DATA = frozenset({"body", "data", "text", "json_body", "GET", "POST", "params", "args", "form",
                           "values", "query_string", "body_file", "stream", "content"})
_CATCH_ALL = frozenset({"builtins.Exception", "builtins.BaseException"})
_CHECK = re.compile(r"(?i)(valid|check|verify|schema)")


def _last(qualname: str | None) -> str:
    return (qualname or "").rsplit(".", 1)[-1]


def _is_loads(call) -> bool:
    if not isinstance(call, ir.Call):
        return False
    q = call.qualname or ""
    parts = q.split(".")
    return len(parts) >= 2 and parts[-1] == "loads" and parts[-2] in _JSON_MODULES


def _request_attr(e) -> bool:
    """``request.body``, ``req.GET["x"]``, ``self.request.data``: the request's data read here."""
    while isinstance(e, (ir.Subscript, ir.Call)):
        e = e.value if isinstance(e, ir.Subscript) else e.func
        if isinstance(e, ir.Attr) and e.attr in ("get", "decode", "read", "strip"):
            e = e.value
    if not isinstance(e, ir.Attr) or e.attr not in _REQUEST_DATA:
        return False
    owner = e.value
    if isinstance(owner, ir.Name):
        return owner.id in _REQUEST_NAMES
    return isinstance(owner, ir.Attr) and owner.attr in _REQUEST_NAMES and isinstance(owner.value, ir.Name) \
        and owner.value.id == "self"


def _handler_names(h) -> set:
    if not h.types:
        return {"*"}
    return {_last(getattr(t, "qualname", None) or getattr(t, "attr", None) or getattr(t, "id", None))
            for t in h.types}


def _catches(fn, line: int, error: str) -> bool:
    """Whether a ``try`` around ``line`` has a handler that catches ``error`` (or everything)."""
    for h in fn.handlers:
        first, last = h.try_lines
        if first <= line <= last:
            names = _handler_names(h)
            if names & {"*", error, "Exception", "BaseException"}:
                return True
            if any((getattr(t, "qualname", None) or "") in _CATCH_ALL for t in h.types):
                return True
    return False


def _decode_handled(fn, line: int) -> bool:
    """A handler of the decode error around ``line`` that answers for it (raises another error, returns,
    logs): not one that only raises it again (``raise``, ``save_and_reraise_exception()``)."""
    return any(h.try_lines[0] <= line <= h.try_lines[1] and _handler_names(h) & (_DECODE_ERRORS | {"*"})
               and not _reraises(fn, h) for h in fn.handlers)


def _reraises(fn, handler) -> bool:
    """Whether the ``except`` clause raises what it caught again: a bare ``raise`` or oslo's
    ``save_and_reraise_exception()`` in a block only the clause leads to."""
    entry = next((b for b in fn.blocks if b.handler is handler), None)
    if entry is None:
        return False
    dom = dominators(fn)
    for block in fn.blocks:
        if entry.id not in dom.get(block.id, ()):
            continue
        for stmt in block.stmts:
            if isinstance(stmt, ir.Raise) and stmt.exc is None:
                return True
            for root in expressions(stmt):
                if any(isinstance(e, ir.Call) and (_last(e.qualname) or e.method) == "save_and_reraise_exception"
                       for e in ir.walk(root)):
                    return True
    return False


class UncheckedJsonType(FunctionRule):
    __doc__ = __doc__

    id = "SR607"
    name = "unchecked-json-type"
    title = "Request JSON read as an object without checking its type"
    cwe = 20
    severity = Level.LOW
    confidence = Level.MEDIUM
    bandit = ()
    tests_relevant = False
    triggers = frozenset({"loads"})

    def check_function(self, module, function):
        fn = function
        if fn.name.startswith("<") or fn.is_lambda:
            return
        statements = sorted(fn.statements(), key=lambda s: (s.line, s.col))
        assigned: dict = {}  # name -> [(stmt, value)]
        for stmt in statements:
            if isinstance(stmt, ir.Assign):
                for target in stmt.targets:
                    for name in target_names(target):
                        single = isinstance(target, ir.NameTarget) and len(stmt.targets) == 1
                        assigned.setdefault(name, []).append((stmt, stmt.value if single else None))
        decoded = {}  # variable -> the assignment that decoded the request's JSON
        for name, stores in assigned.items():
            loads = [(s, v) for s, v in stores if _is_loads(v)]
            if len(loads) != 1:
                continue
            stmt, call = loads[0]
            others = [v for s, v in stores if s is not stmt]
            if any(not isinstance(v, ir.DictExpr) for v in others):
                continue  # also assigned something else: not (only) the decoded text
            if not call.args or not self._request_data(call.args[0], assigned) or not _decode_handled(fn, stmt.line):
                continue
            decoded[name] = stmt
        if not decoded:
            return
        exprs = []  # (line, expression) of every expression the function evaluates, conditions included
        for stmt in statements:
            for root in expressions(stmt):
                exprs.extend((stmt.line, e) for e in ir.walk(root))
        for block in fn.blocks:
            for edge in block.succs:
                if edge.cond is not None:
                    exprs.extend((edge.cond.line, e) for e in ir.walk(edge.cond))
        for name, stmt in sorted(decoded.items(), key=lambda kv: kv[1].line):
            if self._checked(exprs, name):
                continue
            use = self._first_use(fn, exprs, name, stmt.line)
            if use is None:
                continue
            node, error, what = use
            yield Hit(
                node=node,
                explanation=(f"`{code_of(module, node)}` reads `{name}` as a JSON object, but `{name}` is the "
                             f"request's JSON decoded at line {stmt.line} (`{code_of(module, stmt.value)}`), "
                             f"which the client may send as a list, a string or a number: the `try` there "
                             f"answers for text that is not JSON, not for JSON of another type, and {what} "
                             f"raises `{error}` here, which the client gets as an internal server error (500)."),
                fix=(f"Check the type after decoding (`if not isinstance({name}, dict): raise "
                     f"HTTPBadRequest(...)`), validate the body against a JSON schema with `\"type\": "
                     f"\"object\"`, or catch `{error}` as well."),
                notes=((stmt, f"`{name}` is the request's JSON, of any type the client chose"),),
            )

    def _request_data(self, e, assigned) -> bool:
        if _request_attr(e):
            return True
        if isinstance(e, ir.Call) and e.method in ("decode", "strip", "read") and isinstance(e.func, ir.Attr):
            return self._request_data(e.func.value, assigned)
        if isinstance(e, ir.Name) and e.kind == ir.NameKind.LOCAL:
            stores = assigned.get(e.id, ())
            return len(stores) == 1 and stores[0][1] is not None and _request_attr(stores[0][1])
        return False

    @staticmethod
    def _checked(exprs, name: str) -> bool:
        """The function checks the variable's type, or gives it to a validating call."""
        for _line, e in exprs:
            if not isinstance(e, ir.Call):
                continue
            callee = _last(e.qualname) or e.method or getattr(e.func, "id", "") or ""
            args = list(e.args) + [k.value for k in e.keywords]
            names = any(isinstance(a, ir.Name) and a.id == name for a in args)
            if callee in ("isinstance", "type") and e.args and isinstance(e.args[0], ir.Name) \
                    and e.args[0].id == name:
                return True
            if names and _CHECK.search(callee):
                return True
        return False

    @staticmethod
    def _first_use(fn, exprs, name: str, after: int):
        found = []
        for line, e in exprs:
            if line <= after:
                continue
            if isinstance(e, ir.Call) and e.method in _DICT_METHODS and isinstance(e.func, ir.Attr) \
                    and isinstance(e.func.value, ir.Name) and e.func.value.id == name:
                error, what = "AttributeError", f"`.{e.method}()` of anything but an object"
            elif isinstance(e, ir.Call) and (e.qualname or "") in _SIX_ITER and e.args \
                    and isinstance(e.args[0], ir.Name) and e.args[0].id == name:
                error, what = "AttributeError", f"`{_last(e.qualname)}()` of anything but an object"
            elif isinstance(e, ir.Subscript) and isinstance(e.value, ir.Name) and e.value.id == name \
                    and isinstance(e.index, ir.Const) and isinstance(e.index.value, str):
                error, what = "TypeError", "a string key of anything but an object"
            else:
                continue
            if _catches(fn, line, error):
                continue
            found.append((e.line, e.col, e, error, what))
        if not found:
            return None
        found.sort(key=lambda f: (f[0], f[1]))
        return found[0][2:]
