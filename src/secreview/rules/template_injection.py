from secreview.findings.model import Level
from secreview.rules.base import SinkRule, parameter_named, read_from_file, traced


class TemplateInjection(SinkRule):
    """Server-side template compiled from a string that is not constant.

    Jinja2, Django and Mako templates are small programs: a template the client
    writes runs on the server (`{{ cycler.__init__.__globals__.os.popen('id').read() }}`
    in Jinja2), reading configuration and secrets or running commands.

    Reported with high confidence when data traced to untrusted input reaches
    the template source of `flask.render_template_string`, `jinja2.Template`,
    `Environment.from_string`, `django.template.Template` or
    `mako.template.Template`; with low confidence when the template source is
    merely not constant (built at run time from a parameter or an unknown
    call), since templates are rarely meant to be computed. Not reported:
    constant templates, values passed as template variables
    (`render_template_string(TEMPLATE, name=name)`), and Jinja2's
    `SandboxedEnvironment`; nor, unless traced to untrusted input, a template
    the program reads from a file (`Template(open(path).read())`: a template
    engine compiling its template files) or a parameter named for what it is
    (`def __init__(self, template): self.t = jinja2.Template(template)`: its
    callers are reported instead, when they pass it untrusted data). HTML
    escaping does not count: `{{ }}` survives it.

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
    constructions = ("ssti",)
    danger = ("The template engine compiles it as template code, so `{{ ... }}` in it evaluates expressions on the "
              "server — enough to read secrets and run commands.")
    fix = ("Keep the template text constant and pass values as variables, e.g. "
           "`render_template_string(\"Hello {{ name }}\", name=name)`; render user-written templates only in "
           "`jinja2.sandbox.SandboxedEnvironment`.")

    def excused(self, site, sink, callee: str) -> bool:
        ref = sink.args[0] if sink.args else None
        value, _ = site.arg(ref.position, ref.name) if ref is not None else site.arg(0)
        return value is not None and read_from_file(value) and not traced(self, value, sink.kind)

    def by_design(self, interp, value, arg_node) -> bool:
        return parameter_named(interp, arg_node, ("template", "tpl", "tmpl", "source"))
