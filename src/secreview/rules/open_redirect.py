import re

from secreview.analysis import whole_text
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.control import conjuncts, controlling_conditions
from secreview.ir.statements import calls, expressions
from secreview.rules.base import SinkRule
from secreview.rules.ssrf import (
    constant_prefix,
    fixes_origin,
    only_query_varies,
    request_path_after_base,
    url_argument,
)


class OpenRedirect(SinkRule):
    """Redirect to a URL taken from untrusted data.

    A redirect target the client chooses (`?next=https://evil.example`) sends
    users of this trusted site to any other site: a phishing page that looks
    like the login they just used, or a page that harvests the tokens put in the
    URL.

    Reported when data traced to untrusted input is the location of
    `flask.redirect`, `werkzeug.utils.redirect`, Django `redirect`/
    `HttpResponseRedirect`, Starlette/FastAPI `RedirectResponse`, `pecan.redirect`
    and WebOb redirect exceptions. Not reported: a location whose start is
    constant and fixes the host, at the call or where the string was built
    (`"/profile/" + name`, `url = f"https://example.com/{page}"` then `redirect(url)`
    — but not `"/" + x`, which becomes `//evil.com`),
    a location whose untrusted part comes only after a constant `?` or `#`
    (`f"{reverse('search')}?{request.GET.urlencode()}"`, `"%s?next=%s" % (LOGIN_URL, request.path)`:
    the query string, not the host), or after a URL of this site (`url_for()`, `reverse()`, the
    routed `request.path` of Django and Django REST framework) and constant text that does not start
    with `/` or `\\` (`f"{url_for('dashboard', key=key)}&{request.query_string.decode()}"`),
    a scheme and a host that carry none followed by this request's own path (`"https://" + MAIN_DOMAIN +
    request.full_path`: the path starts with `/`, which ends the host),
    this request's own URL or host and URLs that start with it
    (`request.host_url + "v2/zones/" + zone_id`, `request.build_absolute_uri()`: the only client
    part is the Host header, which a link sent to a victim cannot set; see docs/models.md),
    the `Referer` header (the page the user came from: an attacker can only make it their own page,
    where the user already was), the percent-encoded result of `urlencode`/`quote_plus`,
    URLs from `url_for`/`reverse`, URLs checked with Django's
    `url_has_allowed_host_and_scheme` (also as the test of a conditional expression:
    `url if url_has_allowed_host_and_scheme(url, ...) else "/"`), by the project's own check named
    for it (`if target and is_safe_url(target):`, `is_local_url`, `is_relative_url`; also of an item of the
    request read again: `if is_relative_url(request.form["next"]): redirect(request.form["next"])`), by an
    allow-list, by comparing
    `urlparse(url).netloc` with allowed hosts, or matched by a constant pattern
    whose literal start fixes the scheme and host up to a `/`
    (`if not SITES.match(url): abort(400)` with
    `SITES = re.compile(r"^https://(shop|blog)\\.example\\.com/")`), or whose host (`urlparse(url).netloc`, in
    any case) a pattern matching it whole confines to one domain (`^(www\\.)?example\\.com$`), or checked to
    start with one slash and
    not two (`url.startswith("/") and not url.startswith("//")`, also as two tests in turn, or
    `url.startswith("/ui/")`: a path of this site; Django's and Werkzeug's redirects percent-encode a
    backslash). Non-constant locations without a traced source are not reported, nor a redirect in the branch
    for another method (`else` of `if request.method == "POST":`) of a handler that answers POST only: it never
    runs.

    **Confidence:** low for a redirect made only for a submitted form, in a handler's branch for one (`if
    request.method == "POST":`, past `if request.method == "GET": return ...`, `if form.validate_on_submit():`,
    Django's `if request.POST:`), to a value the form sends (not `request.GET["next"]`, which a link sets), in a
    handler that reads no query string itself (one that renders `request.args.get("next")` into its form may post
    back a link's value, judged real: medium, saying so): a link reaches it only through a page that copies its
    parameter into the form, a form on another site only where no CSRF check refuses it (judged on real code: 10
    of 12 false). A
    handler that answers POST only (`@require_POST`, `methods=["POST"]`, a class-based view's `post`) keeps its
    confidence and says so where some code of the project reads the form's key from a query string
    (`request.GET.get("next")`): a login page that keeps a link's `?next=` in the form it posts there makes it a
    real open redirect (froide's and rdmo's, judged so); low where none does (abilian's `return_url`, filled with
    the page's own URL, judged false), saying a template still may. A value read from Django's `request.POST`
    (the form of a POST request, empty for a link's GET) is treated the same way in any handler, whatever
    methods it answers: low where no code of the project reads its key from a query string (django-rq's
    `next_url`, judged false), medium otherwise, saying why.

    **Fix:** redirect to names, not URLs (`redirect(url_for(endpoint))`), or accept
    only relative paths on this site: check the target with
    `url_has_allowed_host_and_scheme(url, allowed_hosts={request.host})` (Django)
    or require `urlparse(url).netloc == ""` and a path starting with a single `/`.
    """

    id = "SR107"
    name = "open-redirect"
    title = "Open redirect"
    cwe = 601
    severity = Level.MEDIUM
    confidence = Level.HIGH
    traced_ceiling = Level.MEDIUM  # (SinkRule.traced_ceiling; docs/precision.md, seventh session)
    sink_kinds = ("redirect",)
    untainted = None
    danger = ("The browser follows the redirect to whatever URL the value holds, so a link to this site can "
              "send its users to an attacker's look-alike page.")
    fix = ("Redirect to an endpoint name (`url_for(...)`/`reverse(...)`) or validate the target with "
           "`url_has_allowed_host_and_scheme()`/an allow-list of hosts; a relative path must start with one `/`.")

    def site_use(self, interp, node, arg_node, sink=None):
        # a handler that answers POST only, or a branch of one run only for a submitted form: no link can make
        # a browser send that request
        if _answers_post_only(interp.module, interp.fn):
            # (whether the module is a Django one: its CSRF check is on unless the project removes it; and whether
            # the form's value is one no code of the project reads from a link's query string, to copy into a form)
            return ("post-only", _imports_django(interp.module), _uncopied_keys(interp, arg_node))
        if _in_post_branch(interp.fn, interp.stmt) and not _from_query(interp, arg_node):
            # (the second item: the handler reads its query string too, whose value its form may post back)
            return ("post-branch", _reads_query_string(interp.fn))
        if _imports_django(interp.module) and _from_post_body(interp, arg_node):
            # Django's ``request.POST`` holds a POST's form and nothing else (empty for a link's GET): as a handler
            # answering POST only, whatever else the handler answers (django-rq's ``actions``, panel AT)
            return ("post-body", _uncopied_keys(interp, arg_node))
        return None

    def sink_confidence(self, site, confidence):
        # a form on another site must be submitted first, and a visitor who is on the attacker's page can be
        # sent anywhere without this site: judged on panel AM, 7 such redirects of 7 false (docs/precision.md).
        # (Not a handler that answers POST only: froide's, whose login page keeps a link's ``?next=`` in the
        # form it posts there, was judged real)
        if site.use is not None and site.use[0] == "post-body" and site.use[1]:
            return Level.LOW  # as a handler that answers POST only, of a value no code copies from a link
        if site.use is not None and site.use[0] == "post-only" and site.use[2]:
            # a handler that answers POST only, of a value no code copies from a link into a form: as above (judged
            # on panel AM: abilian's two return_url redirects false; froide's and rdmo's, whose pages copy a link's
            # ``?next=`` into the form, real)
            return Level.LOW
        return Level.LOW if site.use == ("post-branch", False) else confidence

    def danger_at(self, site) -> str:
        if site.use is not None and site.use[0] == "post-only":
            django = " (Django's is on by default)" if site.use[1] else ""
            if site.use[2]:
                named = ", ".join(f"`{k}`" for k in site.use[2])
                return ("The browser follows the redirect to whatever URL the value holds. This handler answers POST "
                        f"requests only, so a link cannot trigger it, and no code of this project reads {named} from "
                        "a query string to copy a link's value into the form (a template still may); a form on "
                        f"another site can, where no CSRF check refuses it{django}, but a visitor already on the "
                        "attacker's page can be sent anywhere without this site.")
            return ("The browser follows the redirect to whatever URL the value holds. This handler answers POST "
                    "requests only, so a link cannot trigger it; a form on another site can, where no CSRF check "
                    f"refuses it{django}, and then sends the visitor to an attacker's look-alike page.")
        if site.use is not None and site.use[0] == "post-body":
            named = ", ".join(f"`{k}`" for k in site.use[1])
            copied = (f" and no code of this project reads {named} from a query string to copy a link's value into "
                      "the form (a template still may);") if named else ";"
            return ("The browser follows the redirect to whatever URL the value holds. The value is read from "
                    "`request.POST`, which holds only the form of a POST request, so a link cannot set it" + copied +
                    " a form on another site can, where no CSRF check refuses it (Django's is on by default), and "
                    "then sends the visitor to an attacker's look-alike page.")
        if site.use is not None and site.use[0] == "post-branch":
            return ("The browser follows the redirect to whatever URL the value holds. This redirect is made only "
                    "for a submitted form, with a value the form sends: a link reaches it only where a page of this "
                    "site copies the link's parameter into that form (a login page keeping `?next=`), and a form on "
                    "another site only where no CSRF check refuses it.")
        return self.danger

    def excused(self, site, sink, callee: str) -> bool:
        interp = site.interp
        if _answers_post_only(interp.module, interp.fn) and _outside_post(interp.fn, getattr(interp, "stmt", None)):
            # the branch for another method of a handler that answers POST only: it never runs (marimo's login,
            # judged false on panel AR)
            return True
        node = url_argument(site, sink)
        return node is not None and (fixes_origin(constant_prefix(site, node), relative_ok=True)
                                     or only_query_varies(site, node, sink.kind)
                                     or request_path_after_base(site, node, self, sink.kind))


_POST_ONLY_DECORATORS = frozenset({"django.views.decorators.http.require_POST"})
_METHOD_LISTS = frozenset({"require_http_methods", "route", "api_route", "expose"})  # (expose: Flask-Admin)


_LINK_METHODS = frozenset({"GET", "HEAD"})
_SUBMITTED = frozenset({"validate_on_submit", "is_submitted"})


_QUERY_ATTRS = frozenset({"GET", "args", "query_params", "query_string"})
"""The attributes of a request that hold its query string (Django, Flask, Starlette)."""
_QUERY_READS = (*(f".{a}" for a in sorted(_QUERY_ATTRS)), ".query", ".params", "QUERY_STRING")
"""The same, as a source's step names the read (``request.GET.get("next")``), and WebOb's and CGI's."""
_REQUEST_NAMES = frozenset({"request", "req"})


_FORM_KEY = re.compile(r"""\.(?:form|POST|values|data)(?:\.get|\.getlist)?(?:\(|\[)\s*['"]([\w.-]+)['"]""")


def _form_keys(interp, arg_node) -> frozenset:
    """The constant keys the redirect's value was read under from the submitted form, by the traces that reach
    it (``request.form.get("return_url")``); empty when a trace starts anywhere else."""
    if arg_node is None:
        return frozenset()
    keys = set()
    lines = None
    for taint in interp.eval(arg_node).taints:
        if taint.kind != "remote":
            continue  # (a parameter's taint beside the client's: ``... or reverse("jobs", args=[queue_index])``)
        step = _source_step(taint)
        found = _FORM_KEY.search(step.note) if step is not None else None
        if found is None and step is not None and step.path == interp.module.path:
            # (``request.form['url']``: the source step names ``request.form``; the key is on its line)
            lines = lines if lines is not None else interp.module.lines or []
            found = _FORM_KEY.search(lines[step.line - 1]) if 0 < step.line <= len(lines) else None
        if found is None:
            return frozenset()
        keys.add(found.group(1))
    return frozenset(keys)


def _uncopied_keys(interp, arg_node) -> tuple:
    """The form's keys the redirect's value is read under (``request.POST.get("next")``), sorted, when no code
    of the project reads any of them from a query string to copy a link's value into a form; () otherwise."""
    keys = _form_keys(interp, arg_node)
    uncopied = bool(keys) and not keys & interp.program.text_fact(whole_text.QUERY_KEYS)
    return tuple(sorted(keys)) if uncopied else ()


def _source_step(taint):
    """The step a taint's trace starts at (its source's read: ``request.POST.get("next")``), or None."""
    return taint.step.steps()[0] if taint.step is not None else None


def _from_query(interp, arg_node) -> bool:
    """The redirect's value is read from the query string (``request.GET["next"]``, ``request.args``) where it
    was traced from: a link sets it, even for a request that submits a form to that URL (karaage's login)."""
    if arg_node is None:
        return True
    for taint in interp.eval(arg_node).taints:
        step = _source_step(taint)
        if step is not None and any(q in step.note for q in _QUERY_READS):
            return True
    return False


def _from_post_body(interp, arg_node) -> bool:
    """Every trace of the redirect's value starts at Django's ``request.POST`` (``request.POST.get("next_url")``):
    the form of a POST request, which a link cannot send."""
    if arg_node is None:
        return False
    # (only the client's data: a parameter's taint, ``reverse("jobs", args=[queue_index])`` beside it, is not)
    taints = [t for t in interp.eval(arg_node).taints if t.kind == "remote"]
    if not taints:
        return False
    for taint in taints:
        step = _source_step(taint)
        if step is None or ".POST" not in step.note or any(q in step.note for q in _QUERY_READS):
            return False
    return True


def _reads_query_string(fn) -> bool:
    """The handler reads its request's query string somewhere (``request.args.get("next", "")`` rendered into the
    form its GET branch shows): a link's ``?next=`` may be what the form then posts (specter's settings and
    tendenci's edit forms, judged real), so the form's value is not only the form's."""
    for stmt in fn.statements():
        for expr in expressions(stmt):
            for e in ir.walk(expr):
                if isinstance(e, ir.Attr) and e.attr in _QUERY_ATTRS:
                    base = e.value
                    name = base.id if isinstance(base, ir.Name) else base.attr if isinstance(base, ir.Attr) else ""
                    if name in _REQUEST_NAMES:
                        return True
    return False


def _in_post_branch(fn, stmt) -> bool:
    """``stmt`` runs only for a request that is no link's: under ``if request.method == "POST":`` (or past ``if
    request.method == "GET": return ...``, ``in ("POST", "PUT")``), ``if form.validate_on_submit():`` (Flask-WTF:
    a submitted form, never a GET) or Django's ``if request.POST:``."""
    if stmt is None:
        return False
    for cond, taken in controlling_conditions(fn, stmt):
        for test, holds in conjuncts(cond, taken):
            if isinstance(test, ir.Call) and test.method in _SUBMITTED and holds:
                return True
            if isinstance(test, ir.Attr) and test.attr == "POST" and holds:
                return True
            if isinstance(test, ir.Compare) and len(test.ops) == 1 and isinstance(test.left, ir.Attr) \
                    and test.left.attr == "method":
                op, right = test.ops[0], test.comparators[0]
                methods = {e.value.upper() for e in ([right] if isinstance(right, ir.Const) else getattr(
                    right, "elts", ())) if isinstance(e, ir.Const) and isinstance(e.value, str)}
                if not methods:
                    continue
                inside = holds == (op in ("==", "in"))  # the method is one of ``methods`` here
                if inside and not methods & _LINK_METHODS or not inside and "GET" in methods:
                    return True
    return False


def _answers_post_only(module, fn) -> bool:
    """``fn`` is a handler that answers POST only (``_post_only``) and no other function of its module calls it
    (``_called_in_module``: a GET route's handler returning it makes it answer GET too)."""
    return _post_only(fn) and not _called_in_module(module, fn)


def _called_in_module(module, fn) -> bool:
    """Another function of the module calls ``fn`` (a GET route's handler returning ``post_view()``): it answers
    that route's requests too, whatever its own route says."""
    for other in module.functions.values():
        if other is fn:
            continue
        for call in calls(other):
            if call.qualname == fn.qualname or (isinstance(call.func, ir.Name) and call.func.id == fn.name):
                return True
    return False


def _outside_post(fn, stmt) -> bool:
    """``stmt`` runs only for a request whose method is not POST (the ``else`` of ``if request.method ==
    "POST":``): in a handler that answers POST only, never."""
    if stmt is None:
        return False
    for cond, taken in controlling_conditions(fn, stmt):
        for test, holds in conjuncts(cond, taken):
            if isinstance(test, ir.Compare) and len(test.ops) == 1 and isinstance(test.left, ir.Attr) \
                    and test.left.attr == "method" and isinstance(test.comparators[0], ir.Const) \
                    and str(test.comparators[0].value).upper() == "POST" \
                    and holds == (test.ops[0] in ("!=", "is not")):
                return True
    return False


def _imports_django(module) -> bool:
    """The module imports something of Django's (its views are Django views)."""
    return any(q == "django" or q.startswith("django.") for q in module.imports.values())


def _post_only(fn) -> bool:
    """A request handler that answers POST requests only: ``@require_POST``,
    ``@require_http_methods(["POST"])``, ``@app.route(..., methods=["POST"])`` (Flask-Admin's ``@expose(url,
    methods=("POST",))``), ``@bp.post(...)``, or a class-based view's ``post`` method."""
    if fn.is_method and fn.name == "post":
        return True
    for d in fn.decorators:
        func = d.func if isinstance(d, ir.Call) else d
        qualname = getattr(func, "qualname", None) or ""
        if qualname in _POST_ONLY_DECORATORS:
            return True
        name = func.attr if isinstance(func, ir.Attr) else getattr(func, "id", "")
        if isinstance(d, ir.Call) and isinstance(func, ir.Attr) and name == "post":
            return True
        if isinstance(d, ir.Call) and name in _METHOD_LISTS:
            methods = d.keyword("methods") or (d.args[0] if name == "require_http_methods" and d.args else None)
            if isinstance(methods, ir.Container) and methods.elts and all(
                    isinstance(e, ir.Const) and isinstance(e.value, str) and e.value.upper() == "POST"
                    for e in methods.elts):
                return True
    return False
