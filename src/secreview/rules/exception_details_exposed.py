"""Exception details or a stack trace sent back to the client.

The text of an unexpected exception and, worse, a formatted traceback
describe the server's internals: file paths, library versions, SQL
statements and table names, host names, configuration values, sometimes
credentials in connection strings. Returned in an HTTP response they help an
attacker map the system and tune an attack.

Reported when a value derived from `traceback.format_exc()` (or
`format_exception`/`format_tb`/`format_stack`), or from an exception caught by
a broad handler (`except:`, `except Exception`/`BaseException as e`) or by a
handler of library exceptions whose text describes the server's internals
(`except db_exception.DBDuplicateEntry as e`: database drivers, SQLAlchemy and
oslo.db errors hold SQL statements; `oslo_messaging.RemoteError` a remote
traceback; `ProcessExecutionError`/`CalledProcessError` command lines and
their output; LDAP, HTTP-client and keystoneauth errors
host names and URLs) — `e`, `str(e)`, `six.text_type(e)`, `repr(e)`,
`e.args`, an f-string or `%` format holding it, or a local variable assigned
from those inside the handler — is returned from a request handler (a
function the models recognise as a web entry point: directly or through
string building, `str()` or `json.dumps()`, not as an argument to a helper,
which builds its own response) or passed to a response or HTTP-error
constructor: those of Flask, Django, Werkzeug, FastAPI/Starlette, Django REST
framework, aiohttp, WebOb, Pecan and WSME (`jsonify`, `make_response`,
`HttpResponse`, `JsonResponse`, `Response`, `abort`, `HTTPException`,
`webob.exc.HTTP...(explanation=...)`, `wsme.exc.ClientSideError`), and, in a
request handler, an API error class of the reviewed code, known by a class
attribute with an HTTP status (`code = 409`, `status_code = 500`, in the class
or a base; outside a request handler only with a database error's text, which
holds SQL: keystone's `exception.Conflict(type=..., details=six.text_type(e))`
in a decorator of its SQL backends; other errors raised in an agent, driver or
RPC server reach logs and admin-only fault records, not the client), and, with a
database error's text only, an exception class that is not in the reviewed files
but is named for an HTTP error status (`exception.Conflict`, `exc.BadRequest`,
`HTTPNotFound`: 400, 401, 403, 404, 409, 410, 412, 413, 422, 500, 503), as API
error classes are. Messages of
specific exceptions of the application or of validation
(`except exception.InstanceNotFound as e: ... e.format_message()`,
`except ValueError as e`) are meant for the client and are not reported, nor
are an OpenStack API client's errors named for a 4xx status (`except
keystoneauth1.exceptions.http.Unauthorized as e`, `cinderclient.exceptions.NotFound`):
the upstream service's answer to the request's own token or ids, nor a
Django form error whose message is a translated sentence with the error's text
formatted in as the reason (`raise ValidationError(gettext("Could not parse
the key: %s") % error)`: written for the user whose input failed), nor
are those of a broad handler whose `try` only calls validators (`validate.rule_data(rule)`,
`jsonschema.validate(body, schema)`, `self._check_input(x)`: their verdict on the client's own
input), nor
is logging the exception, nor an error returned by a handler a decorator reserves for
administrators (`@admin_required`: they see the server's internals anyway), nor a use in a
branch whose condition looks at the
caught exception (`if error.exc_type in ['VolumeAttachmentNotFound']:`,
`isinstance(e, NotFound)`): the code chose which errors the client sees (not
for database errors: `if isinstance(e.inner_exception, IntegrityError):` picks
an error whose text still holds the SQL statement).

Also reported: an eventlet WSGI server started without `debug=False`
(`eventlet.wsgi.server(sock, app)`): eventlet's `debug` defaults to `True`,
which sends the traceback of any unhandled exception to the client in the
500 response. A `debug=` value set from configuration is not reported.

**Confidence:** medium for a database error's text (it holds the SQL
statement and its values) and for an eventlet server left in debug mode;
otherwise low (not shown by default): most such messages on real code are
deliberate, written for the caller.

**Fix:** log the details on the server (`LOG.exception("...")`) and return a
generic message with a correlation id, e.g.
`return jsonify(error="internal error", id=request_id), 500`.
"""

import re

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.control import controlling_conditions
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import admin_only, expressions
from secreview.rules.base import Hit, StatementRule

_TRACEBACK = frozenset({"traceback.format_exc", "traceback.format_exception", "traceback.format_tb",
                        "traceback.format_stack", "traceback.extract_tb", "traceback.extract_stack"})
_BROAD = frozenset({"builtins.Exception", "builtins.BaseException"})
# Exceptions whose text describes the server's internals: SQL, remote tracebacks, command lines, paths, hosts.
_INTERNAL = ("sqlalchemy.", "oslo_db.", "pymysql.", "MySQLdb.", "mysql.connector.", "psycopg2.", "psycopg.",
             "sqlite3.", "oslo_messaging.", "ldap.", "ldap3.", "requests.", "urllib3.", "httpx.", "http.client.",
             "keystoneauth1.", "keystoneclient.", "paramiko.", "subprocess.", "oslo_concurrency.processutils.",
             "socket.", "ssl.", "kombu.", "redis.", "pymemcache.", "memcache.", "botocore.", "boto3.", "swiftclient.",
             "novaclient.", "cinderclient.", "glanceclient.", "neutronclient.", "libvirt.")
_DATABASE = ("sqlalchemy.", "oslo_db.", "pymysql.", "MySQLdb.", "mysql.connector.", "psycopg2.", "psycopg.",
             "sqlite3.")
_INTERNAL_BUILTINS: frozenset = frozenset()  # not OSError: its message is mostly a path the client named
_FRAMEWORKS = ("flask.", "django.", "werkzeug.", "fastapi.", "starlette.", "rest_framework.", "aiohttp.web",
               "webob.", "pecan.", "falcon.", "bottle.", "sanic.", "wsme.", "wsmeext.")
# Calls through which a returned exception's text is still what the client gets.
_TRANSPARENT = frozenset({"builtins.str", "builtins.repr", "builtins.format", "six.text_type", "six.u",
                          "json.dumps", "oslo_serialization.jsonutils.dumps", "builtins.dict", "builtins.list",
                          "builtins.tuple"})
_TRANSPARENT_METHODS = frozenset({"format", "join", "encode", "decode", "strip"})
_STATUS_ATTRS = ("code", "status_code", "status", "http_status", "status_int")
_EVENTLET_SERVERS = frozenset({"eventlet.wsgi.server"})
# Exception classes named for an HTTP error status, as API error classes are (``exception.Conflict``,
# ``exc.BadRequest``): the status each name stands for.
_STATUS_NAMES = {"BadRequest": 400, "Unauthorized": 401, "Forbidden": 403, "NotFound": 404, "Conflict": 409,
                 "Gone": 410, "PreconditionFailed": 412, "RequestEntityTooLarge": 413, "UnprocessableEntity": 422,
                 "InternalServerError": 500, "ServiceUnavailable": 503}


# HTTP client libraries of OpenStack APIs whose exception classes named for a 4xx status hold the upstream
# service's answer to the request (``keystoneauth1.exceptions.http.Unauthorized``: "The request you have made
# requires authentication. (HTTP 401)"), not a host name or a stack of this server: relayed to the client
# whose token or id it was about, they say what the upstream service would have said to it.
_UPSTREAM_CLIENTS = ("keystoneauth1.", "keystoneclient.", "novaclient.", "cinderclient.", "glanceclient.",
                     "neutronclient.", "swiftclient.")
_CLIENT_ERRORS = frozenset({"BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "Gone",
                            "RequestEntityTooLarge", "UnprocessableEntity", "HTTPBadRequest", "HTTPUnauthorized",
                            "HTTPForbidden", "HTTPNotFound", "HTTPConflict"})


def _upstream_client_error(qualname: str) -> bool:
    return qualname.startswith(_UPSTREAM_CLIENTS) and qualname.rsplit(".", 1)[-1] in _CLIENT_ERRORS


def _internal(qualname: str) -> bool:
    return qualname in _INTERNAL_BUILTINS or qualname.startswith(_INTERNAL)
_RESPONSES = frozenset({"jsonify", "make_response", "Response", "HttpResponse", "JsonResponse", "StreamingHttpResponse",
                        "HttpResponseServerError", "HttpResponseBadRequest", "abort", "HTTPException",
                        "json_response", "JSONResponse", "PlainTextResponse", "HTMLResponse", "APIException",
                        "ValidationError", "render_template", "render", "redirect"})


def _is_response(call, interp=None) -> str | None:
    """What kind of response a call builds: "response" (a framework's response or HTTP error),
    "api error N" (an exception class of the reviewed code carrying HTTP status N), or None."""
    q = call.qualname or ""
    if q.startswith(_FRAMEWORKS):
        last = q.rsplit(".", 1)[-1]
        if last in _RESPONSES or q.startswith(("werkzeug.exceptions.", "webob.exc.", "wsme.exc.")):
            return "response"
        if ".exceptions." in q and last.startswith("HTTP"):
            return "response"
        return None
    if interp is not None and q and q.rsplit(".", 1)[-1][:1].isupper():
        program = interp.program
        klass = program.resolve_class(q)
        if klass is None and "." in q:
            status = _STATUS_NAMES.get(q.rsplit(".", 1)[-1].removeprefix("HTTP"))
            if status is not None:
                return f"named error {status}"
        if klass is not None:
            for attr in _STATUS_ATTRS:
                found = program.class_attribute(klass, attr)
                if found is not None and isinstance(found[1], ir.Const) and isinstance(found[1].value, int) \
                        and not isinstance(found[1].value, bool) and 400 <= found[1].value <= 599:
                    return f"api error {found[1].value}"
    return None


class ExceptionDetailsExposed(StatementRule):
    __doc__ = __doc__

    id = "SR602"
    name = "exception-details-exposed"
    title = "Exception details returned to the client"
    cwe = 209
    severity = Level.MEDIUM
    confidence = Level.LOW  # 2 of 15 judged worth a look on real code (deliberate messages), none real
    bandit = ()

    def __init__(self):
        self._handlers: dict = {}  # function -> [(name, first, last)]
        self._database: dict = {}  # function -> names its handlers bind to database errors only
        self._derived: dict = {}  # function -> {local: description}

    def _broad_names(self, interp, fn):
        """(name, first line, last line, how it is described) of the exceptions a handler of
        ``fn`` binds that must not reach the client: broad handlers and library exceptions."""
        cached = self._handlers.get(fn.qualname)
        if cached is None:
            cached = []
            database = self._database[fn.qualname] = set()
            for stmt in fn.statements():
                if isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.CaughtException) \
                        and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.NameTarget):
                    name = stmt.targets[0].id
                    types = [getattr(t, "qualname", None) or "" for t in stmt.value.types]
                    if not types or any(t in _BROAD for t in types):
                        if _validation_only(fn, stmt.line):
                            continue
                        how = f"the exception `{name}` caught by a broad handler"
                    elif all(_internal(t) for t in types):
                        if all(_upstream_client_error(t) for t in types):
                            continue  # the upstream API's 4xx answer to this request's own credentials or ids
                        if all(t.startswith(_DATABASE) for t in types):
                            database.add(name)
                        shown = [interp.code(t) for t in stmt.value.types[:2]]
                        kinds = " or ".join(f"`{k}`" for k in shown)
                        how = (f"the text of `{name}` (a {kinds}: such library exceptions describe the "
                               f"server's internals)")
                    else:
                        continue
                    cached.append((name, stmt.line, stmt.end_line, how, ((stmt, f"`{name}` is caught here"),)))
            self._handlers[fn.qualname] = cached
        return cached

    def _database_errors(self, interp) -> set:
        """Names bound by handlers of this function that catch only database errors (their text holds SQL)."""
        self._broad_names(interp, interp.fn)
        return self._database[interp.fn.qualname]

    def _exception_text(self, interp, expr, line, returned=False):
        derived = self._derived.get(interp.fn.qualname, {})
        handlers = self._broad_names(interp, interp.fn)
        for e in (_walk_returned(expr) if returned else _text_parts(expr)):
            if isinstance(e, ir.Call) and e.qualname in _TRACEBACK:
                return f"the traceback from `{interp.code(e)}`", (), None
            if isinstance(e, ir.Name) and e.kind == ir.NameKind.LOCAL:
                for name, first, last, how, notes in handlers:
                    if e.id == name and first <= line <= last:
                        return how, notes, name
                # (the latest assignment in force at ``line``, whatever order the set of them iterates in:
                # the trace must not depend on hashing)
                held = [d for d in derived.get(e.id, ()) if d[3] <= line <= d[4]]
                if held:
                    text, notes, exc, _, _ = max(held, key=_latest_assignment)
                    return text, notes, exc
        return None, (), None

    def _scope(self, interp, line: int) -> tuple:
        """The lines where a name assigned on ``line`` still holds what it was given there: to the
        end of the handler it is assigned in (a ``msg`` of another handler is another text), or of
        the function."""
        fn = interp.fn
        for _, first, last, _how, _notes in self._broad_names(interp, fn):
            if first <= line <= last:
                return (line, last)
        return (line, fn.end_line)

    def relevant(self, function) -> bool:
        # a caught exception or a formatted traceback must be in the function to be returned
        return bool(function.handlers) or not _TRACEBACK.isdisjoint(function.names) \
            or not _EVENTLET_SERVERS.isdisjoint(function.names)

    def check_statement(self, interp, stmt):
        if admin_only(interp.fn):
            return  # the error text goes to an administrator of the application
        t = type(stmt)
        if t is ir.Assign:
            roots = [stmt.value]
            if not isinstance(stmt.value, ir.CaughtException):
                text, notes, exc = self._exception_text(interp, stmt.value, stmt.line)
                if text:
                    for target in stmt.targets:
                        if isinstance(target, ir.NameTarget):
                            first, last = self._scope(interp, stmt.line)
                            known = self._derived.setdefault(interp.fn.qualname, {}).setdefault(target.id, set())
                            known.add((f"`{target.id}`, which holds {text}",
                                       notes + ((stmt, f"`{target.id}` is set from it here"),), exc, first, last))
        elif t is ir.Return and stmt.value is not None:
            roots = [stmt.value]
            text, notes, exc = self._exception_text(interp, stmt.value, stmt.line, returned=True)
            if text and _is_entrypoint(interp) and not _sorted_by_type(interp, exc):
                yield Hit(
                    node=stmt,
                    explanation=(f"Request handler `{interp.fn.name}()` returns {text} to the client in "
                                 f"`{interp.code(stmt)}`: error text and tracebacks reveal file paths, library "
                                 f"versions, SQL and configuration that help an attacker map the server."),
                    fix=("Log the error with `LOG.exception(...)` and return a generic message with a request id, "
                         "e.g. `return {\"error\": \"internal error\"}, 500`."),
                    notes=notes,
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
                if not isinstance(e, ir.Call):
                    continue
                if e.qualname in _EVENTLET_SERVERS:
                    yield from self._eventlet(interp, e)
                    continue
                kind = _is_response(e, interp)
                if kind is None:
                    continue
                for arg in list(e.args) + [k.value for k in e.keywords]:
                    text, notes, exc = self._exception_text(interp, arg, stmt.line)
                    if text and kind.startswith("named") and exc not in self._database_errors(interp):
                        continue  # a class not reviewed here: only with a database error's SQL
                    if text and _form_error(e) and _translated_message(arg) \
                            and exc not in self._database_errors(interp):
                        continue  # a sentence written for the form's user, why their input failed appended
                    if text and kind != "response" and not _is_entrypoint(interp) \
                            and exc not in self._database_errors(interp):
                        # the application's own error class says what the client sees where a request
                        # handler raises it; raised in an agent, a driver or an RPC server its message goes
                        # to logs and admin-only fault records, unless it carries a database error's SQL
                        continue
                    if text and (exc in self._database_errors(interp) or not _sorted_by_type(interp, exc)):
                        into = "into the response" if kind == "response" else \
                            (f"into `{interp.code(e.func)}`, an exception class named for the HTTP error status "
                             f"{kind.rsplit(' ', 1)[-1]} (not reviewed here), whose message is what an error "
                             f"response says if it reaches the API") if kind.startswith("named") else \
                            "into an API error of this code (an exception class with an HTTP status), whose message " \
                            "is what the error response says" if _is_entrypoint(interp) else \
                            "into an API error of this code (an exception class with an HTTP status): raised here, " \
                            "outside a request handler, its message is what an error response says if the error " \
                            "reaches the API"
                        yield Hit(
                            node=e,
                            explanation=(f"`{interp.code(e)}` puts {text} {into}: error text and "
                                         f"tracebacks reveal file paths, library versions, SQL and configuration "
                                         f"that help an attacker map the server."),
                            fix=(f"Log the details (`LOG.exception(...)`) and pass a generic message to "
                                 f"`{interp.code(e.func)}(...)` instead of `{interp.code(arg)}`."),
                            notes=notes,
                            # a database error's text holds the SQL statement and its values: medium
                            confidence=Level.MEDIUM if exc in self._database_errors(interp) else None,
                        )
                        break

    def _eventlet(self, interp, call):
        debug = call.keyword("debug")
        if debug is None and len(call.args) > 15:
            debug = call.args[15]
        if debug is not None and not (isinstance(debug, ir.Const) and debug.value is True):
            return  # debug=False, or decided by configuration
        for kw in call.keywords:
            if kw.name is None:  # **server_kwargs: only a dict whose keys are all known
                if not ir.is_pure(kw.value):
                    return
                items = interp.eval(kw.value).items
                if items is None or "debug" in items:
                    return
        how = "without `debug=False`" if debug is None else "with `debug=True`"
        yield Hit(
            node=call,
            explanation=(f"`{interp.code(call)}` starts an eventlet WSGI server {how}: eventlet's `debug` "
                         f"defaults to `True`, so the traceback of any unhandled exception is sent to the "
                         f"client in the 500 response, with file paths, code and local details of the server."),
            fix=f"Pass `debug=False` to `{interp.code(call.func)}(...)` and log errors on the server instead.",
            confidence=Level.MEDIUM,
        )


# attributes of an exception that hold (part of) its text; others (``key``, ``columns``, ``errno``,
# ``returncode``, ``code``) name or number what failed
_TEXT_ATTRS = frozenset({"args", "message", "msg", "strerror", "output", "stdout", "stderr", "text", "reason",
                         "detail", "details", "description", "explanation", "orig", "inner_exception",
                         "statement", "params", "cmd", "filename", "filename2", "exc_info", "__traceback__",
                         "__cause__", "__context__", "body", "content", "response", "value", "kwargs"})

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
        if isinstance(e, ir.Attr) and e.attr not in _TEXT_ATTRS:
            continue  # ``e.key``, ``e.columns``, ``e.returncode``: a name or a number, not the error's text
        if isinstance(e, ir.Call):
            name = e.func.id if isinstance(e.func, ir.Name) else e.func.attr if isinstance(e.func, ir.Attr) else ""
            if e.qualname in _TRACEBACK:
                continue
            if not _TEXT_CALL.search(name or ""):
                if isinstance(e.func, ir.Attr):
                    stack.append(e.func.value)  # ``e.args.get(...)``, ``e.message.strip()``: still its text
                continue
            if isinstance(e.func, ir.Attr):  # ``e.format_message()``: the method's name said it is text
                stack.extend(reversed([e.func.value] + [c for c in e.children() if c is not e.func]))
                continue
        stack.extend(reversed(e.children()))


_GETTEXT = frozenset({"_", "gettext", "gettext_lazy", "ugettext", "ugettext_lazy", "pgettext", "pgettext_lazy",
                      "ngettext", "ngettext_lazy", "_lazy"})


def _form_error(call) -> bool:
    """A Django ``ValidationError`` (``forms.ValidationError``): a form error, shown beside the field to the
    user who submitted the form."""
    q = call.qualname or ""
    return q.startswith("django.") and q.rsplit(".", 1)[-1] == "ValidationError"


def _translated_message(arg) -> bool:
    """``gettext("Could not parse the key: %s") % error``, ``_("Invalid format: {}").format(e)``: a
    translated sentence written for the user, the error's text formatted into it as the reason."""
    if isinstance(arg, ir.BinOp) and arg.op == "%":
        template = arg.left
    elif isinstance(arg, ir.Call) and isinstance(arg.func, ir.Attr) and arg.func.attr == "format":
        template = arg.func.value
    else:
        return False
    if not isinstance(template, ir.Call) or not template.args or not isinstance(template.args[0], ir.Const):
        return False
    name = template.qualname or ir.dotted_text(template.func) or ""
    return name.rsplit(".", 1)[-1] in _GETTEXT


def _sorted_by_type(interp, name: str | None) -> bool:
    """The statement runs only where a condition on the caught exception holds
    (``if error.exc_type in ['VolumeAttachmentNotFound', ...]``, ``isinstance(e, NotFound)``):
    the code chose which errors' text the client gets."""
    if name is None:
        return False
    for cond, taken in controlling_conditions(interp.fn, interp.stmt):
        while isinstance(cond, ir.UnaryOp) and cond.op == "not":
            cond, taken = cond.operand, not taken
        if taken and any(isinstance(x, ir.Name) and x.id == name for x in ir.walk(cond)):
            return True
    return False


def _walk_returned(expr):
    """The parts of a returned value that reach the client as they are: not the arguments of a
    helper called to build the response (it decides what the client sees)."""
    stack = [expr]
    while stack:
        e = stack.pop()
        yield e
        if isinstance(e, ir.Call):
            if (e.qualname or "") not in _TRANSPARENT and e.method not in _TRANSPARENT_METHODS:
                continue
        if not isinstance(e, ir.Lambda):
            stack.extend(reversed(e.children()))


def _is_entrypoint(interp) -> bool:
    """Whether the function answers a client's request (an RPC endpoint's errors go to the calling
    service's logs and fault records, not to a client)."""
    entry = interp.program.entrypoint_for(interp.module, interp.fn)
    return entry is not None and entry[2].kind != "rpc" and bool(entry[0] or entry[1])


_VALIDATOR = re.compile(r"validat|^_?(check|verify)(_|$)", re.IGNORECASE)


def _validation_only(fn, handler_line: int) -> bool:
    """The ``try`` of the handler at ``handler_line`` only calls validators (``validate.rule_data(rule)``,
    ``jsonschema.validate(body, schema)``, ``self._check_input(x)``): the exception is their verdict
    on the client's own input, which the client is meant to read."""
    handler = next((h for h in fn.handlers if h.line == handler_line), None)
    if handler is None:
        return False
    first, last = handler.try_lines
    calls = [e for stmt in fn.statements() if first <= stmt.line <= last and stmt.line < handler_line
             for root in expressions(stmt) for e in ir.walk(root) if isinstance(e, ir.Call)]
    return bool(calls) and all(_validator_call(c) for c in calls)


def _validator_call(call) -> bool:
    name = call.qualname or ir.dotted_text(call.func) or ""
    return any(_VALIDATOR.search(part) for part in name.split(".")[-2:])


def _latest_assignment(derived: tuple) -> tuple:
    """The order of a name's assignments that hold an exception's text (``_derived``): by the line each starts
    to hold at, then by its trace's lines and wording, so that the one chosen is always the same."""
    text, notes, _exc, first, _last = derived
    return first, tuple((stmt.line, note) for stmt, note in notes), text
