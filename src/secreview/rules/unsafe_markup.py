"""Non-constant string marked as safe HTML (`mark_safe`, `Markup`, `SafeString`).

Marking a string safe switches autoescaping off for it: Django and Jinja2
templates insert it as raw HTML. If any part of it can come from a user (a
name, a comment, a value stored earlier) a `<script>` in it runs in the
browser of whoever views the page.

Reported for `django.utils.safestring.mark_safe`/`SafeString`/`SafeText` and
`markupsafe.Markup` (also through `jinja2` and `flask`) when the argument is
not a constant and is not built only from escaped parts (`escape()`,
`conditional_escape()`, `format_html()`, `render_to_string()`, another
`Markup`/`SafeString`). Values traced to request data are left to the xss
rule, which reports them with the data-flow trace; this rule covers the
rest, whose origin the analysis cannot see (a parameter, a database field, a
helper's result), with medium confidence. The template engines' own modules
(Jinja2, MarkupSafe, Django's `safestring`/`html`/`template`), which mark their
already escaped output safe, are not reported.

In the extended set (`--select unsafe-markup` or `--select all`): on real code the
value marked safe is nearly always built from escaped parts by helpers the analysis
does not see into (`flatatt()`, a rendered template, a project's own escaping), and
none of the 14 findings of the precision panel's 2026-12-02 sample was a defect
(`docs/precision.md`).

**Fix:** build the fragment with `django.utils.html.format_html("<b>{}</b>",
value)` or `markupsafe.Markup("<b>{}</b>").format(value)`, which escape the
values, or escape each value with `escape()` before marking the result safe.
"""

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.base import CallRule, Hit

_CALLEES = ("django.utils.safestring.mark_safe", "django.utils.html.mark_safe", "django.utils.safestring.SafeString",
            "django.utils.safestring.SafeText", "markupsafe.Markup", "jinja2.Markup", "jinja2.utils.Markup",
            "flask.Markup")
_SAFE_TYPES = ("markupsafe.Markup", "django.utils.safestring.SafeString", "django.utils.safestring.SafeData",
               "django.utils.safestring.SafeText")
_SAFE_FUNCS = ("escape", "conditional_escape", "format_html", "format_html_join", "render_to_string",
               "mark_safe", "Markup", "SafeString", "escapejs", "json_script", "strip_tags", "urlencode", "quote",
               "sanitize", "clean", "bleach")
_SOURCES = frozenset({"remote", "network", "rpc", "file", "environment"})
# The libraries that implement safe strings mark their own, already escaped, output safe.
_ENGINES = ("jinja2", "markupsafe", "django.utils.safestring", "django.utils.html", "django.template", "flask.json")


def _safe(interp, node, depth=0) -> bool:
    if depth > 20:
        return False
    if isinstance(node, ir.Const):
        return True
    if isinstance(node, ir.Call):
        q = (node.qualname or "").rsplit(".", 1)[-1] or (node.method or "")
        name = q or getattr(node.func, "id", "")
        if any(f in name for f in _SAFE_FUNCS):
            return True
        if node.method == "format" and isinstance(node.func, ir.Attr) and _safe(interp, node.func.value, depth + 1):
            return False  # "<b>{}</b>".format(x) does not escape x
        return False
    if isinstance(node, ir.StringBuild):
        return (node.template is None or _safe(interp, node.template, depth + 1)) and \
            all(_safe(interp, p, depth + 1) for p in node.parts)
    if isinstance(node, ir.FormattedValue):
        return _safe(interp, node.value, depth + 1)
    if isinstance(node, ir.BinOp):
        return _safe(interp, node.left, depth + 1) and _safe(interp, node.right, depth + 1)
    if isinstance(node, ir.IfExp):
        return _safe(interp, node.body, depth + 1) and _safe(interp, node.orelse, depth + 1)
    if isinstance(node, (ir.Name, ir.Attr)):
        return _safe_value(interp.eval(node))
    return False


def _safe_value(value, depth=0) -> bool:
    """A constant, one of several constants, a safe string, text escaped for HTML, or a list of
    such (``parts.append(format_html(...))`` then ``"".join(parts)``)."""
    if value.is_const or (value.fixed and not any(t.is_param for t in value.taints)):
        return True
    if any(t.startswith(_SAFE_TYPES) for t in value.types):
        return True
    if value.items and depth < 4 and not value.taints:
        return all(_safe_value(v, depth + 1) for v in value.items.values())
    if value.items and depth < 4 and all(not t.dangerous_for("xss") for t in value.taints):
        return all(_safe_value(v, depth + 1) for v in value.items.values())
    return bool(value.taints) and all(not t.dangerous_for("xss") for t in value.taints)


class UnsafeMarkup(CallRule):
    __doc__ = __doc__

    id = "SR404"
    name = "unsafe-markup"
    title = "Non-constant string marked safe for HTML"
    cwe = 79
    extended = True
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    bandit = ("B308", "B703", "B704")
    callees = _CALLEES

    def check(self, site, callee: str):
        value, node = site.arg(0, None)
        if value is None or node is None or value.is_const:
            return
        if value.fixed and not any(t.is_param for t in value.taints):
            return  # one of several constants (``"" if hidden else HIDDEN_INPUT``)
        module = site.interp.module.name
        if any(module == e or module.startswith(e + ".") for e in _ENGINES):
            return
        if any(not t.is_param and t.kind in _SOURCES and t.dangerous_for("xss") for t in value.taints):
            return  # traced to untrusted input: the xss rule reports it with its trace
        if _safe(site.interp, node):
            return
        code = site.interp.code(site.call)
        arg = site.interp.code(node)
        func = site.interp.code(site.call.func)
        params = sorted({t.step.steps()[0].note for t in value.taints if t.is_param and t.step is not None})
        origin = f"it comes from {params[0]}" if params else "its value is computed at run time"
        yield Hit(
            node=site.call,
            explanation=(f"`{code}` declares `{arg}` to be safe HTML, but {origin} and no escaping that the analysis "
                         f"recognises is applied to it here: templates will insert it verbatim, so if it can hold "
                         f"text from a user, any `<script>` or attribute in it runs in the viewer's browser."),
            fix=(f"Build it with `format_html(\"...{{}}...\", value)` or `Markup(\"...{{}}...\").format(value)`, or "
                 f"escape the value first: `{func}(escape({arg}))`."),
        )
