from secreview.findings.model import Level
from secreview.rules.base import SinkRule


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
    `SandboxedEnvironment`. HTML escaping does not count: `{{ }}` survives it.

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
    danger = ("The template engine compiles it as template code, so `{{ ... }}` in it evaluates expressions on the "
              "server — enough to read secrets and run commands.")
    fix = ("Keep the template text constant and pass values as variables, e.g. "
           "`render_template_string(\"Hello {{ name }}\", name=name)`; render user-written templates only in "
           "`jinja2.sandbox.SandboxedEnvironment`.")
