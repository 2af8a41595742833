"""Request value converted with `int()`, `uuid.UUID()` or an address parser, its error not handled.

`int("abc")` raises `ValueError`, `uuid.UUID("x")` raises `ValueError`,
`netaddr.IPNetwork("x")` raises `AddrFormatError`: when the text comes from
the client (a query parameter, a header, a cookie, the body) and nothing
handles the error, a client that can reach the handler can make the request fail with an internal
server error (500) whenever it likes, fill the error logs with tracebacks,
and, in services that share a worker between requests, disturb the others.
OpenStack fixes many of these (`int(request.headers.get("X-Delete-At"))`,
`int()` of a cookie, `parse_isotime` of a query filter).

Medium confidence in an OpenStack-style API service (handlers of the Nova,
Neutron, Cinder, Manila, Pecan, WebOb and Swift models, or modules importing
oslo, WebOb, Pecan or Swift), whose core reviewers flag these crashes; low
elsewhere (not shown by default): in web applications the request that fails
is the client's own, and of the findings judged on real code in the panel
worksheets of `docs/precision/` (panels A-Q) 2 were real, 46 worth a look and
97 false.

Reported when data traced to an HTTP request reaches, in the function that
reads it, the text argument of `int()`, `float()`, `uuid.UUID()`,
`netaddr.IPNetwork`/`IPAddress`/`EUI`, `ipaddress.ip_address`/`ip_network`
(and the `IPv4`/`IPv6` classes), `oslo_utils.timeutils.parse_isotime`/
`parse_strtime` or `iso8601.parse_date`, and the call is neither inside a
`try` block (any handler: it may turn the error into a 400; `with
contextlib.suppress(ValueError):` is one that ignores the error) nor in a branch
whose condition calls a check of the converted variable, or a check without
arguments (`value.isdigit()`, `uuidutils.is_uuid_like(v)`, `form.is_valid()`,
`netutils.is_valid_ipv4(v)`, a regular expression match of the whole value: for `int()` and
`float()` one that admits only numbers, `re.fullmatch(r"\\d{4}", v)` or `re.match(r"^-?\\d+$", v)`,
not `re.match(r"\\d+", v)`, which `"12abc"` passes; not `user.check_visibility(PAGE)`,
which checks no value), also after `if not check(v): abort(400)`, nor after the function checked the
request's data against a schema (`jsonschema.validate(data, SCHEMA)`), nor in a
handler under a decorator given a schema (`@validation.validated(schema.update)`,
`@validate_query_param(request, schema.query)`), nor in a handler under a
decorator whose wrapper catches every exception and does not raise it again
(`@handle_errors` answering with an error; also a factory's, `@exception_handler()`, and one that raises
again only what `isinstance(e, HTTPException)` picks out, the framework's own answers), nor in a branch taken only when
the same conversion of the same variable already succeeded in a `try`
(`page = None; try: page = pages[int(pos)] except ValueError: pass`,
then `if page: ... int(pos)`), nor in a helper that reads the request itself
(`def parse_options(request)`, not known to be a handler by a decorator, a
base class or a route) every caller of which in the reviewed code, test code
aside, calls it inside such a `try` or under such a decorator (`try: options =
parse_options(request) except Exception as e: raise InputParameterError(e)`,
answered with a 400), nor in a method the project's own dispatcher runs and no framework calls
itself: a method of the class or of one of its bases in the reviewed code calls a method of
``self`` chosen at run time (``method = getattr(self, route)``, called there or passed to another
method of the class that calls it), or this method by name, inside a ``try`` whose handler catches
every exception and does not raise again (``except Exception as e: return self.error_page(e)``),
so the error becomes an error page and never reaches the framework; a handler the framework calls
directly (a Tornado handler's own ``get``, a routed function) is still reported, and so is one under
a dispatcher whose handler raises again; nor in a view (a function, or a method of a class
routed with ``View.as_view()``) that the reviewed code routes only under a condition that the
settings are a development's (``if settings.DEBUG: urlpatterns += [...]``) and nowhere else: it is
not served in production; nor in a GraphQL resolver (a ``resolve_<field>`` method of a graphene
``ObjectType``, a ``Mutation``'s ``mutate``): graphene answers what it raises in the response's
``errors``, not with a 500. A helper's callers also excuse it when they checked the request against a
schema first (``_get_request_message(message, schema={"start_step": [_assert_intlike]})``, a call given
a ``schema=``) or are such resolvers. Nor a typed field's value of a validated form or serializer
(``int(form.cleaned_data["page"])`` of an ``IntegerField``, a ``ChoiceField`` or ``TypedChoiceField``,
``serializer.validated_data["limit"]`` of a DRF ``IntegerField``; the class the function made the object
from, else the view's ``form_class``, a form set's form, or ``serializer_class``): the value is a number
or one of the server's choices, and one the field rejects is not there at all; a ``CharField``'s is the
client's text and is reported. Nor a ``ValueError`` conversion (``int()``, ``float()``, ``uuid.UUID()``,
``ipaddress``) in a module of a folder (or below one) where the reviewed code gives a Flask app or blueprint,
or a FastAPI app, its own ``ValueError`` handler (``@api.errorhandler(ValueError)``,
``register_error_handler(ValueError, f)``, ``@app.exception_handler(ValueError)``): the error becomes that
handler's response (supysonic's Subsonic API answers a ``GenericError``). Not reported: a
value an earlier `int(value)` or `float(value)` statement already converted
without raising (`try: int(limit)` / `except ValueError: limit = 50`), a
value converted in a helper the handler calls (the handler may catch the
error around the call), a value returned by a call (an account's statistics
fetched with the request's environment are the backend's data), values read
from the WSGI `environ` (it also holds what the server and its middlewares
set), and values from RPC peers, files or the process environment, nor in a
request handler of the standard library's servers (a method of a
`BaseHTTPRequestHandler` or other `socketserver` handler subclass): socketserver
catches the exception, logs it and closes that client's connection, so no 500
is sent and the server serves on.
Severity is low: the harm is a failed request and a noisy log.

**Fix:** validate the value first (a JSON schema with a `pattern` or
`format`, `uuidutils.is_uuid_like()`, `str.isdigit()`), or catch `ValueError`
(`netaddr.AddrFormatError`) and answer 400 Bad Request: `except ValueError:
raise webob.exc.HTTPBadRequest(explanation="limit must be an integer")`.
"""

from __future__ import annotations

from secreview.analysis.interpreter import regex_anchored, regex_number
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.control import controlling_conditions
from secreview.rules.base import SinkRule

# Handlers that cannot catch a conversion's error (they catch neither ValueError, TypeError nor a
# library error): a try with only these around the call does not excuse it.
_UNRELATED = frozenset({"builtins.KeyError", "builtins.IndexError", "builtins.AttributeError", "builtins.OSError",
                        "builtins.IOError", "builtins.ImportError", "builtins.StopIteration",
                        "builtins.NotImplementedError", "builtins.LookupError", "builtins.FileNotFoundError",
                        "builtins.PermissionError", "builtins.ZeroDivisionError"})
_CHECK_WORDS = ("valid", "isdigit", "isnumeric", "isdecimal", "like", "match", "fullmatch", "search", "check",
                "verify", "is_int", "is_uuid", "is_ip")


def _in_try(fn, line: int) -> bool:
    for h in fn.handlers:
        first, last = h.try_lines
        if first <= line <= last:
            types = [getattr(t, "qualname", None) or "" for t in h.types]
            if not types or not all(t in _UNRELATED for t in types):
                return True
    return False


def _checked(interp, stmt, call, callee: str) -> bool:
    """In a branch taken only when a call that looks like a check of the converted value holds (``if
    v.isdigit():``, after ``if not is_uuid_like(v): raise``); a condition of another shape counts too, to
    stay quiet. The check must name a variable the conversion's argument names, or take no argument
    (``form.is_valid()``): ``if not user.check_visibility(PAGE): abort(404)`` checks no value. A regular
    expression match of a constant pattern counts for ``int()`` and ``float()`` only when every string it
    matches whole is a number (``re.fullmatch(r"\\d+", v)``, ``re.match(r"^-?[0-9]{1,4}$", v)``; not
    ``re.match(r"\\d+", v)``, which passes ``"12abc"``), for the other conversions when it is anchored
    at both ends."""
    converted = set().union(*(_names(a) for a in call.args), *(_names(k.value) for k in call.keywords))
    for cond, taken in controlling_conditions(interp.fn, stmt):
        holds = taken
        while isinstance(cond, ir.UnaryOp) and cond.op == "not":
            cond, holds = cond.operand, not holds
        calls = [e for e in ir.walk(cond) if isinstance(e, ir.Call) and _is_check(e) and _concerns(e, converted)
                 and _regex_ok(interp, e, callee)]
        if calls and (holds or not isinstance(cond, ir.Call)):
            return True
    return False


def _names(e) -> set:
    return {n.id for n in ir.walk(e) if isinstance(n, ir.Name)}


def _concerns(check, converted: set) -> bool:
    """Whether a check call may be about the converted value: it names one of its variables, or it
    takes no argument at all."""
    return not (check.args or check.keywords) or bool(_names(check) & converted)


def _regex_ok(interp, call, callee: str) -> bool:
    """Whether a check call, when it is a regular expression match (``regex_text``), makes the conversion
    ``callee`` safe; any other check call is taken at its word."""
    found = interp.regex_text(call)
    if found is None or found[0] is None:
        return True  # not a match, or a pattern not known here
    pattern, how = found
    if callee in _NUMBERS:
        return regex_number(pattern, how, decimal=callee != "builtins.int")
    return regex_anchored(pattern, how)


_NUMBERS = frozenset({"builtins.int", "builtins.float"})
# conversions whose error on malformed text is a ValueError (ipaddress's are subclasses of it; netaddr's
# AddrFormatError is not)
_VALUE_ERRORS = frozenset({"builtins.int", "builtins.float", "uuid.UUID", "ipaddress.ip_address",
                           "ipaddress.ip_network", "ipaddress.ip_interface", "ipaddress.IPv4Address",
                           "ipaddress.IPv6Address", "ipaddress.IPv4Network", "ipaddress.IPv6Network"})


def _converted_before(fn, site, stmt) -> bool:
    """``try: page = pages[int(position)] except ValueError: pass`` then, under ``if page:``,
    ``int(position)`` again: the branch runs only when the first conversion of the same variable,
    handled by that ``try``, succeeded (``page`` was set to None before the ``try``)."""
    call = site.call
    if not call.args or not isinstance(call.args[0], ir.Name):
        return False
    name, callee = call.args[0].id, call.qualname
    guards = {cond.id for cond, taken in controlling_conditions(fn, stmt) if taken and isinstance(cond, ir.Name)}
    if not guards:
        return False
    before = {}  # name -> the last value assigned before the line, outside any try
    for s in sorted((s for b in fn.blocks for s in b.stmts if isinstance(s, ir.Assign)), key=lambda s: s.line):
        if s.line >= call.line or len(s.targets) != 1 or not isinstance(s.targets[0], ir.NameTarget):
            continue
        target = s.targets[0].id
        if target not in guards:
            continue
        if not _in_try(fn, s.line):
            before[target] = s.value
            continue
        converts = any(isinstance(e, ir.Call) and e.qualname == callee and e.args and isinstance(e.args[0], ir.Name)
                       and e.args[0].id == name for e in ir.walk(s.value))
        unset = before.get(target)
        if converts and isinstance(unset, ir.Const) and not unset.value:
            return True
    return False


def _schema_validated(program, path: str, fn, line: int) -> bool:
    """A request's data checked against a schema earlier in the function (``jsonschema.validate(data,
    REQUEST_SCHEMA)``, ``validate_request(body, schema)``) or by a decorator given a schema
    (``@validation.validated(schema.query_param_update)``): the schema says what the text looks like
    (a ``pattern``, a ``format``), and a value it rejects raises its own error before the conversion."""
    first = _first_schema_check(program, path, fn)
    return first is not None and first < line


def _first_schema_check(program, path: str, fn):
    """The line of ``fn``'s first schema check (0 for a decorator's), or None; worked out once per function:
    asked at each conversion or call of a converting function, a class body of thousands of statements
    (an enumeration of every port number) made it quadratic."""
    key = ("conversion.schema", path, fn.qualname)
    found = program.function_facts.get(key, False)
    if found is False:
        found = program.function_facts[key] = _schema_check_line(fn)
    return found


def _schema_check_line(fn):
    for d in fn.decorators:
        if isinstance(d, ir.Call):
            name = (d.qualname or ir.dotted_text(d.func) or "").rsplit(".", 1)[-1].lower()
            args = list(d.args) + [k.value for k in d.keywords]
            if ("schema" in name or "validat" in name) \
                    and any("schema" in (ir.dotted_text(a) or "").lower() for a in args):
                return 0
    lines = []
    for stmt in fn.statements():
        if type(stmt) not in (ir.Assign, ir.Evaluate) or stmt.value is None:
            continue
        for e in ir.walk(stmt.value):
            if not isinstance(e, ir.Call):
                continue
            name = (e.qualname or e.method or getattr(e.func, "id", "") or "").rsplit(".", 1)[-1].lower()
            args = list(e.args) + [k.value for k in e.keywords]
            if ("schema" in name or ("validat" in name and len(args) >= 2)) \
                    and any(isinstance(a, ir.Name) for a in args):
                lines.append(stmt.line)
                break
            if any(k.name == "schema" and isinstance(k.value, (ir.DictExpr, ir.Name, ir.Attr)) for k in e.keywords):
                lines.append(stmt.line)  # ``_get_request_message(message, schema={"start_step": [...]})``
                break
    return min(lines) if lines else None


# Form and serializer fields whose validated value is a number, a choice the server made, a boolean,
# a UUID or an address: what ``cleaned_data``/``validated_data`` hold for them converts without error
# (a value the field rejects is not there at all).
_TYPED_FIELDS = frozenset({
    "django.forms.IntegerField", "django.forms.FloatField", "django.forms.DecimalField",
    "django.forms.ChoiceField", "django.forms.TypedChoiceField", "django.forms.BooleanField",
    "django.forms.NullBooleanField", "django.forms.UUIDField", "django.forms.GenericIPAddressField",
    "rest_framework.serializers.IntegerField", "rest_framework.serializers.FloatField",
    "rest_framework.serializers.DecimalField", "rest_framework.serializers.ChoiceField",
    "rest_framework.serializers.BooleanField", "rest_framework.serializers.UUIDField",
    "rest_framework.serializers.IPAddressField"})
_VALIDATED = {"cleaned_data": "form_class", "validated_data": "serializer_class"}


def _field_class(qualname: str) -> str:
    """``django.forms.fields.IntegerField`` -> ``django.forms.IntegerField`` (the field modules'
    names as the packages export them)."""
    for module, package in (("django.forms.fields.", "django.forms."), ("django.forms.models.", "django.forms."),
                            ("rest_framework.fields.", "rest_framework.serializers.")):
        if qualname.startswith(module):
            return package + qualname[len(module):]
    return qualname


def _typed_field(program, expr, depth: int = 0) -> bool:
    """Whether a class attribute's value makes a typed field (``forms.IntegerField(...)``, a class of
    the reviewed code deriving from one)."""
    if not isinstance(expr, ir.Call) or depth > 3:
        return False
    name = expr.qualname or getattr(expr.func, "qualname", None) or ""
    if not name:
        return False
    found = program.imported_value(name)  # (a name another module of the reviewed code re-exports)
    names = {name} | ({found.func} if found.func else set()) \
        | {t[6:] if t.startswith("class:") else t for t in found.types}
    for one in sorted(names):
        if _field_class(one) in _TYPED_FIELDS:
            return True
        klass = program.resolve_class(one)
        if klass is not None and any(_field_class(base) in _TYPED_FIELDS for base, _ in program.lineage(klass)):
            return True
    return False


def _form_of(program, klass: str | None, depth: int = 0) -> str | None:
    """The form class a form set class is made from (a base ``formset_factory(form=MyForm)``), else
    the class itself."""
    if klass is None or depth > 3:
        return klass
    for _, found in program.lineage(klass):
        if found is None:
            continue
        for base in program.classes[found].bases:
            if isinstance(base, ir.Call) and "formset_factory" in (base.qualname or ""):
                form = next((k.value for k in base.keywords if k.name == "form"), base.args[0] if base.args else None)
                name = getattr(form, "qualname", None)
                return _form_of(program, program.resolve_class(name) if name else None, depth + 1)
    return klass


def _validated_field(interp, call) -> bool:
    """The conversion's text is a typed field's value of a validated form or serializer:
    ``int(form.cleaned_data["page"])`` where ``page`` is an ``IntegerField`` or a ``ChoiceField`` of the
    form class, ``serializer.validated_data["limit"]`` of an ``IntegerField``. The class is the one the
    function made the object from (``form = PageForm(request.POST)``), else the view's ``form_class`` or
    ``serializer_class`` (a form set's form)."""
    if not call.args:
        return False
    e = call.args[0]
    if isinstance(e, ir.Call) and e.method == "get" and e.args and isinstance(e.func, ir.Attr):
        owner, key = e.func.value, e.args[0]
    elif isinstance(e, ir.Subscript):
        owner, key = e.value, e.index
    else:
        return False
    if not (isinstance(owner, ir.Attr) and owner.attr in _VALIDATED and isinstance(key, ir.Const)
            and isinstance(key.value, str)):
        return False
    program, fn = interp.program, interp.fn
    made = None
    if isinstance(owner.value, ir.Name):
        for stmt in fn.statements():
            if isinstance(stmt, ir.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.NameTarget) \
                    and stmt.targets[0].id == owner.value.id and isinstance(stmt.value, ir.Call):
                name = stmt.value.qualname or getattr(stmt.value.func, "qualname", None)
                made = program.resolve_class(name) if name else None
    if made is None and fn.class_qualname is not None:
        view = interp.module.classes.get(fn.class_qualname)
        body = view.body if view is not None else None
        for stmt in body.statements() if body is not None else ():
            if isinstance(stmt, ir.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.NameTarget) \
                    and stmt.targets[0].id == _VALIDATED[owner.attr]:
                name = getattr(stmt.value, "qualname", None)
                made = program.resolve_class(name) if name else None
        made = _form_of(program, made)
    if made is None:
        return False
    for _, found in program.lineage(made):
        if found is not None and key.value in program.classes[found].attributes:
            return _typed_field(program, program.classes[found].attributes[key.value])
    return False


# GraphQL resolvers: graphene (graphql-core) catches what a resolver raises and answers it in the
# response's ``errors`` list, not with a 500.
_GRAPHQL_TYPES = ("graphene.ObjectType", "graphene.types.objecttype.ObjectType", "graphene.Mutation")


def _graphql_resolver(program, fn) -> bool:
    """A ``resolve_<field>`` method of a graphene ``ObjectType`` (or ``Mutation``'s ``mutate``)."""
    klass = fn.class_qualname
    if klass is None or not (fn.name.startswith("resolve_") or fn.name == "mutate"):
        return False
    return any(program.derives_from(klass, base) for base in _GRAPHQL_TYPES)


# Request handlers of the standard library's servers: an exception they raise is caught by socketserver
# (``handle_error`` logs it, the connection is closed), so no 500 is sent and the server serves on.
_SOCKETSERVER_HANDLERS = ("http.server.BaseHTTPRequestHandler", "http.server.SimpleHTTPRequestHandler",
                          "http.server.CGIHTTPRequestHandler", "BaseHTTPServer.BaseHTTPRequestHandler",
                          "SimpleHTTPServer.SimpleHTTPRequestHandler", "socketserver.BaseRequestHandler",
                          "socketserver.StreamRequestHandler", "socketserver.DatagramRequestHandler",
                          "SocketServer.BaseRequestHandler", "SocketServer.StreamRequestHandler")


def _socketserver_handler(program, fn) -> bool:
    """A method of a ``BaseHTTPRequestHandler`` (or other ``socketserver`` request handler) subclass
    (``do_POST``, or a helper method it calls): its exception ends only the client's own connection."""
    klass = fn.class_qualname
    if klass is None:
        return False
    return any(program.derives_from(klass, base) for base in _SOCKETSERVER_HANDLERS)


def _decorated_by_handler(program, fn) -> bool:
    """A handler under a decorator of the reviewed code that catches every exception the handler raises
    (``@exception_decorator`` returning a JSON error): the conversion's error is handled."""
    return any(d.wraps_in_handler for d in program.decorator_functions(fn))


def _framework_entry(interp) -> bool:
    """Whether the function ``interp`` analyses is a handler the framework calls itself, known by a
    decorator, a base class's method names, a class attribute or a route (not only by its first
    parameter's name, ``def parse_options(request)``)."""
    entry = interp.entry
    if entry is None:
        return False
    ep = entry[2]
    return ep is None or bool(ep.decorator or ep.decorator_method or ep.base_class or ep.class_attribute
                              or ep.methods) or interp.program.registered_entry(interp.fn) is not None


def _under_dispatcher(program, fn, framework: bool) -> bool:
    """A method that the project's own dispatcher calls, and no framework: the class or one of its
    bases in the reviewed code has a method that calls a method of ``self`` chosen at run time
    (``getattr(self, route)``), or this method by name, inside a ``try`` that catches every exception
    and does not raise again (``ir.Class.dispatches``: the error becomes an error page, not a 500).
    Neither the dispatcher itself nor a handler the framework calls directly (``framework``: a
    ``get`` of a Tornado handler, a routed function) is under it."""
    klass = fn.class_qualname
    if klass is None or fn.is_lambda or framework:
        return False
    dispatchers, dispatched = set(), set()
    for _, found in program.lineage(klass):
        if found is not None:
            for method, target in program.classes[found].dispatches:
                dispatchers.add(method)
                dispatched.add(target)
    return fn.name not in dispatchers and ("*" in dispatched or fn.name in dispatched)


# The last names of the conversions this rule watches: a function mentioning none of them has no finding
# of this rule for its callers to decide.
_CONVERSION_NAMES = frozenset({"int", "float", "UUID", "IPNetwork", "IPAddress", "EUI", "ip_address", "ip_network",
                               "ip_interface", "IPv4Address", "IPv6Address", "IPv4Network", "IPv6Network",
                               "IPv4Interface", "IPv6Interface", "parse_isotime", "parse_strtime", "parse_date"})


_SERVICE_LIBRARIES = frozenset({"nova-api", "neutron-api", "cinder-api", "manila-api", "pecan", "webob",
                                 "swift-swob"})
_SERVICE_IMPORTS = ("oslo_", "webob", "pecan", "swift.", "keystonemiddleware")


def _is_check(call) -> bool:
    name = (call.qualname or call.method or getattr(call.func, "id", "") or "").rsplit(".", 1)[-1].lower()
    return any(w in name for w in _CHECK_WORDS)


class UnhandledInputConversion(SinkRule):
    __doc__ = __doc__

    id = "SR604"
    name = "unhandled-input-conversion"
    title = "Request value converted without handling its error"
    cwe = 248
    severity = Level.LOW
    confidence = Level.HIGH
    traced_ceiling = Level.MEDIUM  # (SinkRule.traced_ceiling; docs/precision.md, seventh session)
    sink_kinds = ("conversion",)
    source_kinds = frozenset({"remote"})
    untainted = None
    whole_objects = False
    param_flows = False
    danger = ("A malformed value makes the conversion raise an exception that no `try` in this function handles, "
              "so a client that can reach this handler can make the request fail with an internal server error "
              "(500) whenever it likes.")
    fix = ("Validate the value first (a schema `pattern`/`format`, `uuidutils.is_uuid_like()`, `str.isdigit()`) or "
           "catch `ValueError` and answer 400 Bad Request.")

    def keeps(self, step, value_node=None) -> bool:
        # read from the request in this function: not the result of a call (an account's stats fetched
        # with the request's environ are the backend's data), not a parameter, not the WSGI environ
        # (it also holds values the server and its middlewares set)
        steps = step.steps()
        if ".environ" in steps[0].note.split(":", 1)[0]:
            return False
        return all(s.path == step.path and "returned by" not in s.note and not s.note.startswith("parameter ")
                   for s in steps)

    votes = True

    def site_use(self, interp, node, arg_node, sink=None):
        """``("service",)`` in an OpenStack-style API service (a handler of Nova's, Neutron's, Cinder's,
        Manila's, Pecan's, WebOb's or Swift's models, or a module importing oslo, WebOb, Pecan or Swift),
        ``("web",)`` elsewhere: read by ``sink_confidence``."""
        entry = getattr(interp, "entry", None)
        if entry is not None and entry[2].library in _SERVICE_LIBRARIES:
            return ("service",)
        if any(q.startswith(_SERVICE_IMPORTS) for q in interp.module.imports.values()):
            return ("service",)
        return ("web",)

    def sink_confidence(self, site, confidence):
        # (the docstring's figures) the request that fails is the client's own; in an OpenStack service its
        # core reviewers flag these crashes (about a quarter of their security comments: issue 14)
        use = getattr(site, "use", None)
        return confidence if use is not None and use[0] == "service" else Level.LOW

    def sink_needs(self, interp):
        """A function not known to be an entry point of the framework (a helper that reads the request
        itself, ``parseOptions(request)``, taken for a view only by its parameter's name): its callers
        decide. Every caller in the reviewed code calling
        it inside a ``try`` that handles the error (``except Exception: raise InputParameterError(...)``,
        answered with a 400) makes the finding go."""
        fn = interp.fn
        if fn.parent is None or _framework_entry(interp):
            return None  # a handler the framework calls: known by a decorator, a base class, a route
        # (else only by its first parameter's name, ``def parse_options(request)``: maybe a helper)
        return (fn.qualname, (0,))

    def caller_vote(self, interp, site, callees):
        """``safe`` for a call, outside test code, to a function of the reviewed code that converts, made
        inside a ``try`` whose handlers may catch the conversion's error or in a function under a
        decorator that catches every exception; else ``open``."""
        program = interp.program
        status = None
        for callee in callees:
            target = program.resolve_function(callee)
            fn = program.functions.get(target) if target else None
            if fn is None or _CONVERSION_NAMES.isdisjoint(fn.names):
                continue
            if status is None:
                if program.in_test_code(interp.module.path):
                    return  # test code is not a caller of production code
                caller = interp.fn
                status = "safe" if _in_try(caller, site.call.line) or _decorated_by_handler(program, caller) \
                    or _under_dispatcher(program, caller, _framework_entry(interp)) \
                    or _schema_validated(program, interp.module.path, caller, site.call.line) \
                    or _graphql_resolver(program, caller) else "open"
            yield target, status

    def excused(self, site, sink, callee: str) -> bool:
        interp = site.interp
        fn = interp.fn
        return _in_try(fn, site.call.line) or _checked(interp, interp.stmt, site.call, callee) \
            or _converted_before(fn, site, interp.stmt) \
            or _schema_validated(interp.program, interp.path, fn, site.call.line) \
            or _decorated_by_handler(interp.program, fn) \
            or _socketserver_handler(interp.program, fn) \
            or _under_dispatcher(interp.program, fn, _framework_entry(interp)) \
            or interp.program.debug_only(fn) or _graphql_resolver(interp.program, fn) \
            or _validated_field(interp, site.call) \
            or (callee in _VALUE_ERRORS and interp.program.value_error_handled(interp.path))
