from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.statements import bindings, names_bound_to
from secreview.rules.base import SinkRule
from secreview.rules.path_traversal import file_object
from secreview.rules.ssrf import constant_prefix

_TYPE_KEYWORDS = ("mimetype", "content_type", "media_type")
_JSON_TYPES = frozenset({"builtins.dict", "builtins.list"})
_TUPLE = frozenset({"builtins.tuple"})


def _non_html(value, node=None, interp=None) -> bool:
    """A content type set by the code that is not HTML. One chosen at run time (content
    negotiation: ``content_type=self.content_type``) counts too: a reviewer cannot call
    the response HTML, and reporting every API response would bury real findings. Not one
    read from the request as it came (``node``, analysed by ``interp``: ``mimetype=request.args.get("type")``,
    whoogle's CVE-2024-22417): the client asks for ``text/html``."""
    if value is None:
        return False
    if not value.is_const:
        return not (node is not None and interp is not None and _client_type(interp, node, value))
    if not isinstance(value.const, str):
        return False
    media = value.const.lower()
    return not any(word in media for word in ("html", "xml", "svg"))


_READ_METHODS = frozenset({"get", "getlist", "getone", "get_header", "get_argument", "get_query_argument"})


def _client_type(interp, node, value) -> bool:
    """The content type ``node`` (of ``value``) is the request's own text: read from the request object in this
    function, written in place or bound once to a local (``src_type = request.args.get("type")``), and traced from
    it with no check of markup. A type derived from the request (a suffix looked up, an object a library made
    from it) is the server's choice among its own types."""
    if not any(t.kind == "remote" and not t.is_param and "xss" not in t.cleansed for t in value.taints):
        return False
    if isinstance(node, ir.Name):
        stmt = interp.bound_once(node)
        if stmt is None:
            return False
        node = stmt.value
    while True:
        if isinstance(node, ir.Call) and node.method in _READ_METHODS and isinstance(node.func, ir.Attr):
            node = node.func.value
        elif isinstance(node, ir.Subscript):
            node = node.value
        elif isinstance(node, ir.Attr) and not (isinstance(node.value, ir.Name) and node.value.id in _REQUESTS):
            node = node.value
        else:
            break
    return isinstance(node, ir.Attr) and isinstance(node.value, ir.Name) and node.value.id in _REQUESTS


_REQUESTS = frozenset({"request", "req"})


def _sets_non_html(headers, node=None, interp=None) -> bool:
    """Headers (a dict value) that give a non-HTML ``Content-Type`` (``_non_html``; ``node``: the dict written in
    the call, whose value expressions tell one read from the request)."""
    if headers is None or not headers.items:
        return False
    written = {}
    if isinstance(node, ir.DictExpr):
        written = {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ir.Const)}
    return any(isinstance(k, str) and k.lower() == "content-type" and _non_html(v, written.get(k), interp)
               for k, v in headers.items.items())


def _const_non_html(e) -> bool:
    return isinstance(e, ir.Const) and isinstance(e.value, str) and \
        not any(word in e.value.lower() for word in ("html", "xml", "svg"))


def _attachment(e) -> bool:
    """A ``Content-Disposition`` value that starts with ``attachment`` (``"attachment; filename=%s" % name``):
    the browser saves the body as a file instead of showing it in the site's pages."""
    if isinstance(e, ir.StringBuild):
        e = e.template if e.template is not None and e.kind in ("percent", "format") else \
            (e.parts[0] if e.kind in ("concat", "fstring") and e.parts else None)
    return isinstance(e, ir.Const) and isinstance(e.value, str) and e.value.strip().lower().startswith("attachment")


def _headers_attachment(site) -> bool:
    """``Response(body, headers={"Content-Disposition": "attachment; filename=log.txt"})``: the headers given
    with the body make it a download (a dict written in the call, or a local bound to one in the function)."""
    given = next((k.value for k in site.call.keywords if k.name == "headers"), None)
    if isinstance(given, ir.Name):
        given = _only_binding(site, given)
    return isinstance(given, ir.DictExpr) and any(
        isinstance(k, ir.Const) and isinstance(k.value, str) and k.value.lower() == "content-disposition"
        and _attachment(v) for k, v in zip(given.keys, given.values))


def _only_binding(site, name: ir.Name):
    """The expression the sink's function assigns to local ``name``, when it binds it exactly once and by itself
    (not in an unpacking); else None."""
    fn = getattr(site.interp, "fn", None)
    found = bindings(fn, name.id) if fn is not None else []
    if len(found) != 1 or not any(isinstance(t, ir.NameTarget) and t.id == name.id for t in found[0].targets):
        return None
    return found[0].value


def _sets_header(target, names: set, header: str) -> bool:
    """``response.headers[header] = ...`` or ``response[header] = ...`` on a response named in ``names``."""
    if not isinstance(target, ir.ItemTarget) or not isinstance(target.index, ir.Const) \
            or not isinstance(target.index.value, str) or target.index.value.lower() != header:
        return False
    owner = target.value.value if isinstance(target.value, ir.Attr) and target.value.attr == "headers" else target.value
    return isinstance(owner, ir.Name) and owner.id in names


_RESPONSE_HEADERS = "response-headers"


def _headers_parameter(interp, site) -> int | None:
    """The parameter of the function whose value gives the headers of the response made at ``site``:
    ``Response(body, headers=headers)``, or ``response = Response(body)`` then ``response.headers.update(headers)``
    (AWS SAM's local services build every error response so). None: none does."""
    given = site.call.keyword("headers")
    if given is not None:
        return interp.own_param(given)
    fn = interp.fn
    names = names_bound_to(fn, site.call)
    if not names:
        return None
    for stmt in fn.statements():
        call = getattr(stmt, "value", None)
        if isinstance(stmt, ir.Evaluate) and isinstance(call, ir.Call) and call.method == "update" \
                and len(call.args) == 1 and isinstance(call.func, ir.Attr) and isinstance(call.func.value, ir.Attr) \
                and call.func.value.attr == "headers" and isinstance(call.func.value.value, ir.Name) \
                and call.func.value.value.id in names:
            index = interp.own_param(call.args[0])
            if index is not None:
                return index
    return None


def _retyped_later(site) -> bool:
    """``response = make_response(body)`` and then, in the same function, a non-HTML ``Content-Type``
    set on ``response`` (``response.headers["Content-Type"] = "application/json"``, ``response.mimetype =
    "text/plain"``, or a type chosen at run time, as ``_non_html`` counts it), or a ``Content-Disposition``
    of ``attachment``: the body is not shown as HTML in the site's pages."""
    fn = getattr(site.interp, "fn", None)
    if fn is None:
        return False
    names = names_bound_to(fn, site.call)
    func = site.call.func
    receiver = isinstance(func, ir.Attr) and isinstance(func.value, ir.Name)
    if receiver:
        # ``response.write(body)``: the response's headers count wherever the function sets them
        names.add(func.value.id)
    if not names:
        return False
    for stmt in fn.statements():
        if not isinstance(stmt, ir.Assign) or (stmt.line < site.call.line and not receiver):
            continue
        # (a non-constant type: chosen at run time, as ``_non_html`` counts a keyword's)
        non_html = _const_non_html(stmt.value) or not isinstance(stmt.value, ir.Const)
        for t in stmt.targets:
            if non_html and isinstance(t, ir.AttrTarget) and t.attr in ("mimetype", "content_type") \
                    and isinstance(t.value, ir.Name) and t.value.id in names:
                return True
            if non_html and _sets_header(t, names, "content-type"):
                return True
            if _attachment(stmt.value) and _sets_header(t, names, "content-disposition"):
                return True
    return False


_GLOBAL_RESPONSES = frozenset({"bottle.response", "pecan.response", "cherrypy.response"})
"""The frameworks' response of the request being handled, an object of the module, whose type and headers a
handler sets before it returns the body."""


def _global_response_typed(fn, stmt) -> bool:
    """Before ``stmt`` (a handler's ``return body``), the handler gives the framework's response a constant
    non-HTML type (chembl_beaker's ``response.content_type = 'application/json'`` of Bottle, panel AN; or
    ``response.headers["Content-Type"] = ...``): the body is sent with it."""
    def global_response(e) -> bool:
        return isinstance(e, ir.Name) and e.qualname in _GLOBAL_RESPONSES
    for other in fn.statements():
        if type(other) is not ir.Assign or other.line >= stmt.line or not _const_non_html(other.value):
            continue
        for t in other.targets:
            if isinstance(t, ir.AttrTarget) and t.attr in ("content_type", "mimetype") and global_response(t.value):
                return True
            if isinstance(t, ir.ItemTarget) and isinstance(t.index, ir.Const) and isinstance(t.index.value, str) \
                    and t.index.value.lower() == "content-type" and isinstance(t.value, ir.Attr) \
                    and t.value.attr == "headers" and global_response(t.value.value):
                return True
    return False


def _typed_keywords(fn) -> bool:
    """A response class typing itself in its constructor: ``kwargs["content_type"] = "application/json"`` (or
    ``kwargs.setdefault("content_type", ...)``) with a constant non-HTML type, passed on to the base response's
    ``__init__``: what the class then sets as its content (``self.content = ...``) is sent with that type."""
    for stmt in fn.statements():
        if isinstance(stmt, ir.Assign) and _const_non_html(stmt.value) and any(
                isinstance(t, ir.ItemTarget) and isinstance(t.value, ir.Name) and isinstance(t.index, ir.Const)
                and t.index.value in _TYPE_KEYWORDS for t in stmt.targets):
            return True
        for e in ir.walk(stmt.value) if isinstance(stmt, (ir.Assign, ir.Evaluate)) and stmt.value is not None else ():
            if isinstance(e, ir.Call) and e.method == "setdefault" and isinstance(e.func.value, ir.Name) \
                    and len(e.args) == 2 and isinstance(e.args[0], ir.Const) and e.args[0].value in _TYPE_KEYWORDS \
                    and _const_non_html(e.args[1]):
                return True
    return False


def _receiver_non_html(site) -> bool:
    """``response = Response(mimetype="application/json")`` and then ``response.set_data(body)``: the
    body goes into a response the function made with a non-HTML type (or gives one anywhere)."""
    fn = getattr(site.interp, "fn", None)
    func = site.call.func
    if fn is None or not isinstance(func, ir.Attr) or not isinstance(func.value, ir.Name):
        return False
    name = func.value.id
    for stmt in fn.statements():
        if not isinstance(stmt, ir.Assign):
            continue
        for t in stmt.targets:
            if isinstance(t, ir.NameTarget) and t.id == name and isinstance(stmt.value, ir.Call):
                typed = [k.value for k in stmt.value.keywords if k.name in _TYPE_KEYWORDS]
                if typed and all(_const_non_html(v) for v in typed):
                    return True
            if isinstance(t, ir.AttrTarget) and t.attr in ("mimetype", "content_type") \
                    and isinstance(t.value, ir.Name) and t.value.id == name and _const_non_html(stmt.value):
                return True
            if _sets_header(t, {name}, "content-type") and _const_non_html(stmt.value):
                return True
    return False


class CrossSiteScripting(SinkRule):
    """HTML response or markup built from untrusted data without escaping.

    Text the client controls, written into an HTML page unescaped, is parsed by
    the browser as markup: a `<script>` or an `onerror=` attribute in it runs in
    the page of this site, with the victim's session (reflected or stored XSS).

    Reported when data traced to untrusted input reaches the body of an HTML
    response (a string returned by a Flask `@route` view, `flask.make_response`,
    Flask/Django/WebOb `Response`/`HttpResponse`, Starlette/FastAPI
    `HTMLResponse` and `Response`, the bytes of a buffer or open file given to Flask's or Werkzeug's
    `send_file` with an HTML type, one the request chooses, or a `download_name` ending in `.html`: not a
    file name given to it, whose file on disk is the server's) or is declared safe markup (`Markup()`,
    `mark_safe()`, `SafeString()`, the format string of `format_html()`). Not
    reported: values escaped with `html.escape`, `markupsafe.escape`, Django's
    `escape`/`conditional_escape`; output of autoescaping templates
    (`render_template`, `render_to_string`, the page Django's `render()` makes) and of `jsonify`; responses whose
    `mimetype`/`content_type`/`media_type` (or the `Content-Type` of its `headers=`
    dict) is a constant non-HTML type (`application/json`, `text/plain`), or a type chosen at run time by
    the server (not one the request chooses, `mimetype=request.args["type"]`: the client asks for
    `text/html`, and the explanation says so); a Bottle, Pecan or CherryPy handler's body after it gives the
    request's `response` a constant non-HTML type; a Django form's `errors` given to `HttpResponse` (a dict:
    the response iterates it and sends the names of the fields in error); the request's own host
    (`request.host`, `host_url`, `url_root`: a link cannot set the Host header); dicts and lists given to
    `make_response` or returned from a view (sent as JSON); a Starlette/FastAPI
    `Response` given no media type (sent with no `Content-Type`) whose body starts with
    constant text that is not markup (`Response(f"Room {name} not found")`: browsers
    sniff it as text) or that is JSON text (`Response(json.dumps({...}))`, which starts
    with `{`, `[`, `"`, a digit or a literal, never with markup); and a view's
    `(body, status, headers)` (or `make_response(body, status, headers)`) whose headers set a
    non-HTML `Content-Type`, or a response whose `Content-Type` (or `mimetype`) the
    function sets afterwards to a non-HTML type (`resp = make_response(body)`,
    `resp.headers["Content-Type"] = "application/json"`) or whose
    `Content-Disposition` it sets to `attachment` (a download, not a page), or
    that is made with such a header (`Response(body, headers={"Content-Disposition":
    "attachment; filename=log.txt"})`);
    a body given to `response.set_data()` of a response the function made or
    typed as non-HTML (`Response(mimetype="application/json")`); the content a
    response class sets in a constructor that types it as non-HTML
    (`kwargs["content_type"] = "application/json"` passed on to `HttpResponse.__init__`,
    then `self.content = ...`);
    what a Flask view reflects of a JSON body (`request.json`, `request.get_json()` without `force=True`: another
    site's page can make a browser send one only after a CORS preflight, so it reaches the client that sent it);
    a response a helper makes with the headers its caller passes (`Response(body, headers=headers)`, or
    `response.headers.update(headers)` after it), at each call whose headers give a constant non-HTML
    `Content-Type`;
    a request header read by name other than the `Referer` and the cookies (`request.headers["X-Request-Id"]`,
    `environ.get("HTTP_X_TRACE")`: a link, a form or a redirect sends only the browser's own headers, and script
    adds others only after a CORS preflight);
    a view under a decorator of the reviewed code that hands what the view
    returns to `jsonify` or to a non-HTML response, and never returns it as
    it is (`@jsonified`); non-constant values without a traced source.

    **Fix:** render through an autoescaping template (`render_template`), or
    escape each value with `markupsafe.escape()`/`html.escape()` before putting it
    in HTML; send data as JSON (`jsonify`) or with `mimetype="text/plain"`.
    """

    id = "SR106"
    name = "xss"
    title = "Cross-site scripting"
    cwe = 79
    severity = Level.HIGH
    confidence = Level.HIGH
    traced_ceiling = Level.MEDIUM  # (SinkRule.traced_ceiling; docs/precision.md, seventh session)
    bandit = ("B308", "B703", "B704")
    sink_kinds = ("xss",)
    untainted = None
    danger = ("The browser parses it as HTML, so `<script>` or `<img src=x onerror=...>` in it runs script in "
              "this site's pages with the visitor's session.")
    fix = ("Escape the value with `markupsafe.escape()` (or `html.escape()`) before it goes into HTML, or render "
           "it through an autoescaping template such as `render_template()`; send data as JSON or text/plain.")

    def site_use(self, interp, node, arg_node, sink=None):
        # ``("client-type", keyword)``: the response's type is the request's too (``_client_type``), said so
        if not isinstance(node, ir.Call):
            return None
        for k in node.keywords:
            if k.name in _TYPE_KEYWORDS and not isinstance(k.value, ir.Const) \
                    and _client_type(interp, k.value, interp.eval(k.value)):
                return ("client-type", k.name)
        return None

    def danger_at(self, site) -> str:
        if site.use is None or site.use[0] != "client-type":
            return self.danger
        return (f"The response's `{site.use[1]}` is taken from the request too, so the client can ask for "
                "text/html: then the browser parses the body as HTML, and `<script>` or `<img src=x onerror=...>` "
                "in it runs script in this site's pages with the visitor's session.")

    def fix_at(self, site) -> str:
        if site.use is None or site.use[0] != "client-type":
            return self.fix
        return self.fix + " Take the response's type from the server's own list of non-HTML types, not the request."

    def excused(self, site, sink, callee: str) -> bool:
        written = {k.name: k.value for k in site.call.keywords if k.name}
        interp = getattr(site, "interp", None)
        if any(_non_html(site.kwargs.get(k), written.get(k), interp) for k in _TYPE_KEYWORDS) \
                or _sets_non_html(site.kwargs.get("headers"), written.get("headers"), interp):
            return True  # (``Response(body, headers={"Content-Type": "text/plain"})``: the type given with it)
        if callee.endswith(".send_file"):
            return _file_not_page(site, interp)
        if callee in _UNTYPED_RESPONSES and not any(k in site.kwargs for k in _TYPE_KEYWORDS) \
                and _sniffed_as_text(site):
            return True
        if _retyped_later(site) or _receiver_non_html(site) or _headers_attachment(site):
            return True
        if callee.startswith("django.http.") and _form_errors(site):
            return True
        if callee.endswith("make_response"):
            # ``make_response(body, 200, {"Content-Type": "application/json"})``: headers given
            # after the body (Flask takes them as the tuple a view may return)
            return any(_sets_non_html(extra) for extra in (site.args[1:3] if site.args else ()))
        return False

    def parameter_conditions(self, interp, site, sink) -> tuple:
        index = _headers_parameter(interp, site)
        return ((index, "argument", _RESPONSE_HEADERS),) if index is not None else ()

    def argument_excuses(self, what: str, value) -> bool:
        # the caller's headers give a constant non-HTML type (``{"Content-Type": "application/json"}``)
        return what == _RESPONSE_HEADERS and bool(value.items) and any(
            isinstance(k, str) and k.lower() == "content-type" and item.is_const and _non_html(item)
            for k, item in value.items.items())

    def return_excused(self, interp, stmt) -> bool:
        return _global_response_typed(interp.fn, stmt)

    def store_excused(self, interp, sink, target) -> bool:
        return _typed_keywords(interp.fn)

    def dangerous_part(self, sink, value, node=None, arg_node=None):
        if sink.callee.endswith(".send_file") and not file_object(value):
            return None  # (a name: the file on disk is served, not the client's bytes; the path rule's sink)
        flask_body = sink.callee == "<response>" or sink.callee.endswith("make_response")
        if not flask_body:
            return value
        if value.items is not None and value.types == _TUPLE:
            # a view returning (or make_response of) (body, status, headers) or (body, headers):
            # only the body is HTML,
            # and not even that when the headers give a constant non-HTML Content-Type
            if any(_sets_non_html(value.items.get(i)) for i in (1, 2)):
                return None
            value = value.items.get(0, value)
        if value.types and value.types <= _JSON_TYPES:
            return None  # Flask sends a dict or list as JSON
        if value.types and all(t.rpartition(".")[2].endswith("Response") for t in value.types):
            return None  # ``make_response(send_from_directory(...))``: a response already, not markup
        return value


_PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".xht", ".svg", ".xml")


def _file_not_page(site, interp) -> bool:
    """``send_file(buffer, ...)`` is not shown as a page: sent ``as_attachment=True`` (a download), given a
    non-HTML ``mimetype`` (positional too, in Flask 1's order), or none and a ``download_name`` the server chose
    whose suffix is not a page's (the type is guessed from it; with neither, Flask refuses to guess and raises)."""
    attachment = site.kwargs.get("as_attachment")
    if attachment is not None and attachment.is_const and attachment.const is True:
        return True
    mimetype, node = site.arg(1, "mimetype")
    if mimetype is not None:
        return _non_html(mimetype, node, interp)
    keyword = "download_name" if "download_name" in site.kwargs else "attachment_filename"
    name = site.kwargs.get(keyword)
    if name is None:
        return True
    if name.is_const:
        return not _page_name(name.const)
    # a name made at run time: its constant end decides the type (``f"item-{item}.png"``); else the client's
    # choice (it may end in ``.html``) or the server's, as a type chosen at run time is
    parts = ir.string_parts(site.call.keyword(keyword))
    last = parts[-1] if parts else None
    if isinstance(last, ir.Const) and isinstance(last.value, str) and "." in last.value:
        return not _page_name(last.value)
    return not any(t.kind == "remote" and not t.is_param for t in name.taints)


def _page_name(name) -> bool:
    """A file name whose suffix makes the type guessed from it a page's (``report.html``, ``icon.svg``)."""
    return isinstance(name, str) and name.lower().endswith(_PAGE_SUFFIXES)


# Responses sent with no Content-Type unless given one: the browser sniffs what the body is
_DJANGO_FORMS = ("django.forms.Form", "django.forms.ModelForm", "django.forms.BaseForm", "django.forms.BaseModelForm",
                 "django.forms.forms.Form", "django.forms.forms.BaseForm", "django.forms.models.ModelForm",
                 "django.forms.models.BaseModelForm")


def _form_errors(site) -> bool:
    """``HttpResponseBadRequest(form.errors)`` of a Django form: the body is the ``ErrorDict``, a dict, which
    ``HttpResponse`` iterates as it does any non-text content: the names of the fields in error, the form's own,
    not the values the client posted (nor the messages, which would be escaped)."""
    call = site.call
    body = call.args[0] if call.args else next((k.value for k in call.keywords if k.name == "content"), None)
    if not (isinstance(body, ir.Attr) and body.attr == "errors"):
        return False
    interp = getattr(site, "interp", None)
    if interp is None:
        return False
    program = interp.program
    return any(program.derives_from(t, base) for t in interp.eval(body.value).types for base in _DJANGO_FORMS)


_UNTYPED_RESPONSES = frozenset({"starlette.responses.Response", "fastapi.Response", "fastapi.responses.Response"})


def _sniffed_as_text(site) -> bool:
    """``Response(f'Room {room_name} not found')`` with no media type: browsers sniff an untyped body as HTML only
    when it starts (after white space) with markup (``<html``, ``<script``, ``<!DOCTYPE``...); a body that starts
    with other constant text is shown as text."""
    _, node = site.arg(0, "content")
    if _json_text(site, node):
        return True
    prefix = constant_prefix(site, node) if node is not None else None
    return bool(prefix and prefix.strip()) and not prefix.lstrip().startswith("<")


_JSON_DUMPS = frozenset({"json.dumps", "simplejson.dumps", "ujson.dumps", "rapidjson.dumps"})


def _json_text(site, node) -> bool:
    """``json.dumps(...)``, or a local the function binds only to it: JSON text starts with ``{``, ``[``, ``"``, a
    digit or ``true``/``false``/``null``, never with markup, whatever the values in it hold."""
    if isinstance(node, ir.Name):
        node = _only_binding(site, node)
    return isinstance(node, ir.Call) and node.qualname in _JSON_DUMPS
