"""HTML templates rendered without autoescaping.

A Jinja2 `Environment` or `Template` escapes nothing unless `autoescape` is
turned on, and Mako escapes nothing unless the `h` filter is a default
filter: every `{{ value }}` / `${value}` that holds user data (a name, a
comment, a query parameter) is inserted as raw HTML, so a value containing
`<script>` runs in the browsers of everyone who views the page (stored or
reflected XSS).

Reported for `jinja2.Environment(...)`, `SandboxedEnvironment(...)` and
`jinja2.Template(...)` with `autoescape=False` (or another false constant:
`0`, `None`; resolved by constant propagation) or without `autoescape`, and for `mako.template.Template(...)` /
`mako.lookup.TemplateLookup(...)` without `"h"` (or `"x"`, Mako's XML escape) in `default_filters`, when
the templates are HTML: the template text passed in has HTML tags (and does
not declare itself a `Content-Type: text/plain` response), or the module
names `.html`/`.htm`/`.xml` templates or HTML content (evidence from the module's other lines
alone, without `autoescape=False`, gives low confidence: judged on real code it was mostly a template
for a URL, a configuration file or documentation in a module that also serves pages; and it does not
count for an environment given its own block or variable delimiters, `block_start_string='[%'`,
`variable_start_string='[['`: a syntax chosen for configuration files or LaTeX, not HTML). Without
`autoescape` at all (Jinja2's default), even with HTML template text, the confidence is low: judged on the
held-out panels of real code (AI to AQ, `docs/precision.md`), 1 in 10 such findings was kept as real; most
templates rendered only the code's own values (icon names, identifiers it made, JSON for a `<script>`). An
explicit `autoescape=False` with HTML stays high. The rule does not trace what is rendered, and says so. Template text
that is an XML document (`<?xml ...`, a feed or a sitemap, not XHTML) is not HTML. Templates that
produce configuration files, e-mail text or other non-HTML output are not
reported (an explicit `autoescape=False` there is reported with low
confidence, so that the choice is visible), nor are `autoescape=True`,
`select_autoescape(...)` or a run-time value. Flask and Django templates
autoescape by default and are not concerned.

**Fix:** `jinja2.Environment(loader=..., autoescape=jinja2.select_autoescape(["html", "htm", "xml"]))`
(or `autoescape=True`); for Mako pass `default_filters=["h"]`. Mark
individual trusted fragments with `Markup` only when they are built from
escaped parts.
"""

import re

from secreview.findings.model import Level
from secreview.rules.base import CallRule, Hit

_JINJA_ENV = ("jinja2.Environment", "jinja2.environment.Environment", "jinja2.sandbox.SandboxedEnvironment",
              "jinja2.Template", "jinja2.environment.Template")
_MAKO = ("mako.template.Template", "mako.lookup.TemplateLookup")
_HTML_TAG = re.compile(r"<\s*/?\s*(html|head|body|div|span|p|a|table|tr|td|ul|li|form|input|script|h[1-6]|br|img|"
                       r"b|i|em|strong|title|meta|link|style|section|button|label|select|option|textarea)"
                       # the name ends where HTML ends it (``<a href=...>``, ``<br/>``), not at a comma: ``<A,B>`` of
                       # a usage text (``--names <A,B>``) names no tag
                       r"(?=[\s/>])[^>]*>",
                       re.IGNORECASE)
_PLAIN_TEXT = re.compile(r"(?im)^content-type:\s*text/plain")
_XML_DOCUMENT = re.compile(r"\s*<\?xml\b")
_XHTML = re.compile(r"http://www\.w3\.org/1999/xhtml|<html\b", re.IGNORECASE)
_HTML_HINT = re.compile(r"""\.(html?|xhtml|xml|jinja2?\.html)['"]|text/html|<!doctype html|<html""", re.IGNORECASE)


def _html_evidence(site) -> tuple[str, bool]:
    """Why the templates are HTML ('' when nothing says so), and whether the template text itself shows it
    (False when only the module's other lines mention HTML)."""
    value, _ = site.arg(0, "source")
    if value is None:
        value, _ = site.arg(None, "text")
    if value is not None and value.is_const and isinstance(value.const, str):
        match = _HTML_TAG.search(value.const)
        if _PLAIN_TEXT.search(value.const):
            return "", False  # a raw HTTP response declared text/plain: browsers do not render its markup
        if _XML_DOCUMENT.match(value.const) and not _XHTML.search(value.const):
            return "", False  # an XML document (a feed, a sitemap): its <title> and <link> are not HTML's
        if match:
            return f"the template text contains HTML (`{match.group(0)[:30]}`)", True
        return "", False
    module = site.interp.module
    for number, line in enumerate(module.lines, 1):
        m = _HTML_HINT.search(line)
        if m:
            return f"this module refers to HTML (`{m.group(0).strip(chr(39) + chr(34))}` on line {number})", False
    return "", False


_DELIMITERS = {"block_start_string": "{%", "block_end_string": "%}", "variable_start_string": "{{",
               "variable_end_string": "}}"}


def _own_delimiters(site) -> bool:
    """An environment given block or variable delimiters other than Jinja2's (``block_start_string='[%'``,
    ``variable_start_string='[['``, LaTeX's ``\\VAR{``): it renders another format (a configuration file,
    LaTeX), whose braces would clash with the default syntax; HTML templates keep ``{{ }}``."""
    for keyword, default in _DELIMITERS.items():
        value, node = site.arg(None, keyword)
        if node is not None and value.is_const and isinstance(value.const, str) and value.const != default:
            return True
    return False


def _off(const) -> bool:
    """A constant ``autoescape`` that turns escaping off: ``False``, and what Jinja2 reads as false
    (``0``, ``None``, ``""``: ``z = 0`` then ``autoescape=z``)."""
    return isinstance(const, (bool, int, str, type(None))) and not const


class TemplateAutoescapeDisabled(CallRule):
    __doc__ = __doc__

    id = "SR403"
    tests_relevant = False  # test suites build unescaped environments on purpose
    name = "template-autoescape-disabled"
    title = "HTML template without autoescaping"
    cwe = 79
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    bandit = ("B701", "B702")
    callees = _JINJA_ENV + _MAKO

    def check(self, site, callee: str):
        call = site.call
        if any(k.name is None for k in call.keywords):
            return
        code = site.interp.code(call)
        if callee in _MAKO:
            value, node = site.arg(None, "default_filters")
            if node is not None:
                # ``h`` escapes HTML, ``x`` XML (&, <, >, " and ': as safe in a page)
                if not value.is_const or (isinstance(value.const, (tuple, list)) and {"h", "x"} & set(value.const)):
                    return
                if value.items is None and not value.is_const:
                    return
            evidence, shown = _html_evidence(site)
            if not evidence:
                return
            yield Hit(
                confidence=None if shown else Level.LOW,
                node=call,
                explanation=(f"`{code}` has no `h` in `default_filters`, so Mako inserts every `${{...}}` "
                             f"unescaped, and {evidence}: a rendered value that holds data a user can set can carry "
                             f"`<script>` into the viewer's browser (this review does not trace what is rendered "
                             f"with it)."),
                fix=f"Pass `default_filters=[\"h\"]` to `{site.interp.code(call.func)}(...)` (and `| n` only on "
                     "trusted fragments).",
            )
            return
        value, node = site.arg(None, "autoescape")
        if node is not None and not (value.is_const and _off(value.const)):
            return
        evidence, shown = _html_evidence(site)
        if evidence and not shown and _own_delimiters(site):
            evidence = ""  # its own syntax (``[% ... %]``, ``[[ x ]]``): templates of another format
        explicit = node is not None
        if not evidence and not explicit:
            return
        what = "sets `autoescape=False`" if explicit else "does not set `autoescape` (Jinja2's default is off)"
        if evidence:
            why = (f"and {evidence}: every `{{{{ value }}}}` is inserted as raw HTML, so a rendered value that holds "
                   "data a user can set can carry `<script>` into the viewer's browser (this review does not trace "
                   "what is rendered with it)")
        else:
            why = ("; nothing here shows the templates produce HTML, but if they ever do, every `{{ value }}` is "
                   "inserted unescaped")
        yield Hit(
            node=call,
            explanation=f"`{code}` {what}, {why}.",
            fix=("Pass `autoescape=jinja2.select_autoescape([\"html\", \"htm\", \"xml\"])` (or `autoescape=True`) "
                 f"to `{site.interp.code(call.func)}(...)`."),
            confidence=Level.HIGH if explicit and evidence else Level.LOW,
            severity=None if evidence else Level.LOW,
        )
