from secreview.findings.model import Level
from secreview.rules.base import SinkRule, read_from_file, traced


class TemplateInjection(SinkRule):
    """Server-side template compiled from a string that is not constant.

    Jinja2, Django and Mako templates are small programs: a template the client
    writes runs on the server (`{{ cycler.__init__.__globals__.os.popen('id').read() }}`
    in Jinja2), reading configuration and secrets or running commands. Django's
    template language is narrower (no calls with arguments, no attributes
    starting with `_`): there the client reads whatever the context reaches,
    and the explanation says so.

    Reported with high confidence when data traced to untrusted input reaches
    the template source of `flask.render_template_string`, `jinja2.Template`,
    `Environment.from_string`, `django.template.Template` or
    `mako.template.Template`. Without a traced source, only a template source
    *built* at run time (`+`, `%`, `.format`, an f-string, `join`) from a value
    that is not constant is reported: with medium confidence when built from a
    parameter of the function (unless every caller in the reviewed code passes
    a safe value), with low confidence when built from an attribute or a call's
    result, since templates are rarely meant to be computed. Not reported:
    constant templates, including text made from literals by pure string
    functions (`textwrap.dedent("...")`, `_("...")` and the rest of the gettext
    family, `"...".strip()`) and class attributes assigned such text; values
    passed as template variables (`render_template_string(TEMPLATE, name=name)`);
    Jinja2's `SandboxedEnvironment`; and, unless traced to untrusted input, a
    template source passed on as it was received (`def __init__(self, source):
    self.tpl = jinja2.Template(source)`, `Template(self.source)`: what a
    template engine adapter does; its callers are reported instead when they
    pass it untrusted data), or built only from a parameter named as a template
    (`template`, `user_template`, not `template_name`) and constant template syntax
    (`from_string("{% extends base %}" + template)`: the function's contract is to
    compile it; callers are reported when traced), or read from a file (`Template(open(path).read())`:
    a template engine compiling its template files). HTML escaping does not
    count: `{{ }}` survives it.

    **Fix:** keep the template constant and pass data as variables
    (`render_template_string("Hello {{ name }}", name=name)`); if users must
    write templates, render them with `jinja2.sandbox.SandboxedEnvironment`.
    """

    id = "SR112"
    name = "template-injection"
    title = "Server-side template injection"
    cwe = 1336
    severity = Level.HIGH
    confidence = Level.HIGH
    bandit = ("B702",)
    sink_kinds = ("ssti",)
    untainted = Level.LOW
    untainted_built_only = True
    constructions = ("ssti",)
    contract_words = ("template", "tmpl", "tpl")
    danger = ("The template engine compiles it as template code, so `{{ ... }}` in it evaluates expressions on the "
              "server — enough to read secrets and run commands.")
    fix = ("Keep the template text constant and pass values as variables, e.g. "
           "`render_template_string(\"Hello {{ name }}\", name=name)`; render user-written templates only in "
           "`jinja2.sandbox.SandboxedEnvironment`.")

    def danger_at(self, site) -> str:
        if site.callee.startswith("django.template."):
            # Django's template language calls no function with arguments and reads no attribute starting with
            # ``_``: no ``__globals__`` walk to ``os.popen``, but every variable of the context and what hangs off it
            return ("The Django template engine compiles it as template code, so `{{ ... }}` and `{% ... %}` in it "
                    "read any variable the template is rendered with and the attributes and methods without "
                    "arguments reachable from them (a user object's fields, `settings` where the context holds it), "
                    "and `{% load %}` can pull in any installed tag library.")
        return self.danger

    def excused(self, site, sink, callee: str) -> bool:
        ref = sink.args[0] if sink.args else None
        value, _ = site.arg(ref.position, ref.name) if ref is not None else site.arg(0)
        return value is not None and read_from_file(value) and not traced(self, value, sink.kind)
