"""Exception details or a stack trace sent back to the client.

The text of an unexpected exception and, worse, a formatted traceback
describe the server's internals: file paths, library versions, SQL
statements and table names, host names, configuration values, sometimes
credentials in connection strings. Returned in an HTTP response they help an
attacker map the system and tune an attack.

Reported when a value derived from `traceback.format_exc()` (or
`format_exception`/`format_tb`/`format_stack`), or from an exception caught by
a broad handler (`except:`, `except Exception`/`BaseException as e`: `e`,
`str(e)`, `repr(e)`, `e.args`, an f-string or `%` format holding it, or a
local variable assigned from those inside the handler) is returned from a
request handler (a function the models recognise as a web entry point) or
passed to a response or HTTP-error constructor of Flask, Django, Werkzeug,
FastAPI/Starlette, Django REST framework, aiohttp, WebOb or Pecan
(`jsonify`, `make_response`, `HttpResponse`, `JsonResponse`, `Response`,
`abort`, `HTTPException`, `webob.exc.HTTP...`). Messages of specific
exceptions (`except ValueError as e`, a validation error) are meant for the
client and are not reported, nor is logging the exception.

**Fix:** log the details on the server (`LOG.exception("...")`) and return a
generic message with a correlation id, e.g.
`return jsonify(error="internal error", id=request_id), 500`.
"""

import re

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.nodes import walk as _walk
from secreview.rules.base import Hit, StatementRule

_TRACEBACK = frozenset({"traceback.format_exc", "traceback.format_exception", "traceback.format_tb",
                        "traceback.format_stack", "traceback.extract_tb", "traceback.extract_stack"})
_BROAD = frozenset({"builtins.Exception", "builtins.BaseException"})
_FRAMEWORKS = ("flask.", "django.", "werkzeug.", "fastapi.", "starlette.", "rest_framework.", "aiohttp.web",
               "webob.", "pecan.", "falcon.", "bottle.", "sanic.")
_RESPONSES = frozenset({"jsonify", "make_response", "Response", "HttpResponse", "JsonResponse", "StreamingHttpResponse",
                        "HttpResponseServerError", "HttpResponseBadRequest", "abort", "HTTPException",
                        "json_response", "JSONResponse", "PlainTextResponse", "HTMLResponse", "APIException",
                        "ValidationError", "render_template", "render", "redirect"})


def _is_response(call) -> bool:
    q = call.qualname or ""
    if not q.startswith(_FRAMEWORKS):
        return False
    last = q.rsplit(".", 1)[-1]
    if last in _RESPONSES or q.startswith(("werkzeug.exceptions.", "webob.exc.")):
        return True
    return ".exceptions." in q and last.startswith("HTTP")


class ExceptionDetailsExposed(StatementRule):
    __doc__ = __doc__

    id = "SR602"
    name = "exception-details-exposed"
    title = "Exception details returned to the client"
    cwe = 209
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    bandit = ()

    def __init__(self):
        self._handlers: dict = {}  # function -> [(name, first, last)]
        self._derived: dict = {}  # function -> {local: description}

    def _broad_names(self, fn):
        cached = self._handlers.get(fn.qualname)
        if cached is None:
            cached = []
            for stmt in fn.statements():
                if isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.CaughtException) \
                        and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.NameTarget):
                    types = stmt.value.types
                    if not types or any(getattr(t, "qualname", None) in _BROAD for t in types):
                        cached.append((stmt.targets[0].id, stmt.line, stmt.end_line))
            self._handlers[fn.qualname] = cached
        return cached

    def _exception_text(self, interp, expr, line):
        derived = self._derived.get(interp.fn.qualname, {})
        handlers = self._broad_names(interp.fn)
        for e in _text_parts(expr):
            if isinstance(e, ir.Call) and e.qualname in _TRACEBACK:
                return f"the traceback from `{interp.code(e)}`"
            if isinstance(e, ir.Name) and e.kind == ir.NameKind.LOCAL:
                for name, first, last in handlers:
                    if e.id == name and first <= line <= last:
                        return f"the exception `{name}` caught by the broad handler on line {first}"
                for text, first, last in derived.get(e.id, ()):
                    if first <= line <= last:
                        return text
        return None

    def _scope(self, fn, line: int) -> tuple:
        """The lines where a name assigned on ``line`` still holds what it was given there: to the
        end of the broad handler it is assigned in (a ``msg`` of another handler is another text),
        or of the function."""
        for _, first, last in self._broad_names(fn):
            if first <= line <= last:
                return (line, last)
        return (line, fn.end_line)

    def relevant(self, function) -> bool:
        # a caught exception or a formatted traceback must be in the function to be returned
        return bool(function.handlers) or not _TRACEBACK.isdisjoint(function.names)

    def check_statement(self, interp, stmt):
        t = type(stmt)
        if t is ir.Assign:
            roots = [stmt.value]
            if not isinstance(stmt.value, ir.CaughtException):
                text = self._exception_text(interp, stmt.value, stmt.line)
                if text:
                    first, last = self._scope(interp.fn, stmt.line)
                    for target in stmt.targets:
                        if isinstance(target, ir.NameTarget):
                            known = self._derived.setdefault(interp.fn.qualname, {}).setdefault(target.id, set())
                            known.add((f"`{target.id}` (line {stmt.line}), which holds {text}", first, last))
        elif t is ir.Return and stmt.value is not None:
            roots = [stmt.value]
            text = self._exception_text(interp, stmt.value, stmt.line)
            if text and _is_entrypoint(interp):
                yield Hit(
                    node=stmt,
                    explanation=(f"Request handler `{interp.fn.name}()` returns {text} to the client in "
                                 f"`{interp.code(stmt)}`: error text and tracebacks reveal file paths, library "
                                 f"versions, SQL and configuration that help an attacker map the server."),
                    fix=("Log the error with `LOG.exception(...)` and return a generic message with a request id, "
                         "e.g. `return {\"error\": \"internal error\"}, 500`."),
                )
                return
        elif t in (ir.Evaluate,) and stmt.value is not None:
            roots = [stmt.value]
        elif t is ir.Raise and stmt.exc is not None:
            roots = [stmt.exc]
        else:
            return
        for root in roots:
            for e in _walk(root):
                if not isinstance(e, ir.Call) or not _is_response(e):
                    continue
                for arg in list(e.args) + [k.value for k in e.keywords]:
                    text = self._exception_text(interp, arg, stmt.line)
                    if text:
                        yield Hit(
                            node=e,
                            explanation=(f"`{interp.code(e)}` puts {text} into the response: error text and "
                                         f"tracebacks reveal file paths, library versions, SQL and configuration "
                                         f"that help an attacker map the server."),
                            fix=(f"Log the details (`LOG.exception(...)`) and pass a generic message to "
                                 f"`{interp.code(e.func)}(...)` instead of `{interp.code(arg)}`."),
                        )
                        break


_TEXT_CALL = re.compile(r"(?i)(str|text|unicode|format|repr|message|msg|join)")


def _text_parts(expr):
    """The parts of ``expr`` whose text ends up in its value: not the arguments of a call that is
    no text conversion (``self._handle_exception(request, e)`` returns what the helper makes of
    ``e``, typically a generic error after logging it), but those of ``str(e)``, ``"%s" % e``,
    ``exception_to_unicode(e)``."""
    stack = [expr]
    while stack:
        e = stack.pop()
        yield e
        if isinstance(e, ir.Call):
            name = e.func.id if isinstance(e.func, ir.Name) else e.func.attr if isinstance(e.func, ir.Attr) else ""
            if e.qualname in _TRACEBACK:
                continue
            if not _TEXT_CALL.search(name or ""):
                if isinstance(e.func, ir.Attr):
                    stack.append(e.func.value)  # ``e.args.get(...)``, ``e.message.strip()``: still its text
                continue
        stack.extend(reversed(e.children()))


def _is_entrypoint(interp) -> bool:
    entry = interp.program.entrypoint_for(interp.module, interp.fn)
    return entry is not None and bool(entry[0] or entry[1])
