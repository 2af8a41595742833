"""Web framework debug mode switched on in code.

Flask's debug mode serves the Werkzeug debugger: an interactive Python
console in the browser on any unhandled error, which runs code on the server
for whoever reaches it (its PIN is derived from guessable machine data).
Django's `DEBUG = True` and the debug flags of FastAPI/Starlette show stack
traces, settings, SQL and local variables to every visitor, and Django also
keeps every query in memory.

Reported when debug is provably on (a literal or a constant): `app.run(debug=True)` and other
`.run(debug=True)` calls (Flask, Flask-SocketIO, Bottle; not `asyncio.run(main(), debug=True)`, asyncio's own
debug mode, nor the `run` of trio, anyio, uvloop or unittest, nor `self.run(..., debug=True)` in a class
that defines `run` itself: a pipeline's or a job's own option), `werkzeug.serving.run_simple(...,
use_debugger=True)`, `app.debug = True`, `app.config["DEBUG"] = True`, `FastAPI(debug=True)`,
`Starlette(debug=True)`, and a module-level `DEBUG = True` in a Django settings module (a file named
`settings.py` or inside a `settings/` package that sets a setting only Django reads, such as
`INSTALLED_APPS` or `ROOT_URLCONF`, star-imports other settings or imports Django; a service's own
`default_settings.py` of the same shape, Scrapy's, is not Django's). A flag read from the environment or
configuration is not reported, nor is a development settings module (`settings/dev.py`, `local_settings.py`,
`settings_test.py`, `doc_settings.py` for building the documentation: where debug belongs) or one
whose docstring says it is for tests, development or a build step ("These settings are only used for the
purpose of compiling translations"), nor `DEBUG = True`
followed in its settings module by
another `DEBUG =`, a star import of other settings (`from settings_local import *`) or an
`exec()` of a settings file's text (`exec(compile(ls.read(), local_settings, "exec"))`): the
deployment's settings replace the default. `DEBUG = True` in the base module of a settings package
(`settings/base.py`, `settings/common.py`, which the package's production and development modules
import and override) is reported with low confidence (not shown by default), and so is the Werkzeug
debugger of a server that a Django management command starts (django-extensions' `runserver_plus`: a
development server its operator starts by hand, as `manage.py runserver`). A server on the loopback
address is still reported: a
reverse proxy on the same host forwards the world to it; with low confidence when it is the module's own launcher,
`app.run(debug=True)` with no host or a loopback one under `if __name__ == "__main__":` (judged false on real
code: a development entry point, the application deployed under a WSGI server), and when it is in a function whose
name says it makes or runs an application for development (`create_development_app()`, `run_dev_server()`).

**Fix:** leave debug off in code and enable it only in a development
environment: `app.run(debug=os.environ.get("FLASK_DEBUG") == "1")`, or
`DEBUG = os.environ.get("DJANGO_DEBUG") == "1"` in settings; never expose
the Werkzeug debugger beyond localhost.
"""

import posixpath
import re

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.control import under_main_guard
from secreview.ir.nodes import is_pure as _pure
from secreview.ir.nodes import walk as _walk
from secreview.rules.base import Hit, StatementRule
from secreview.rules.words import identifier_words

_APP_CLASSES = {"fastapi.FastAPI": "FastAPI", "starlette.applications.Starlette": "Starlette",
                "starlette.Starlette": "Starlette"}
_RUN_SIMPLE = ("werkzeug.serving.run_simple", "werkzeug.run_simple")


_DEVELOPMENT_WORDS = frozenset({"development", "dev", "devserver", "develop"})


def _development_function(fn) -> bool:
    """A function whose name says it makes or runs an application for development (``create_development_app``,
    ``run_dev_server``), not the module's code."""
    return fn.name != "<module>" and bool(_DEVELOPMENT_WORDS & set(identifier_words(fn.name)))


def _is_true(interp, node) -> bool:
    if node is None or not _pure(node):
        return False
    value = interp.eval(node)
    return value.is_const and value.const is True


def _settings_module(path: str) -> bool:
    path = path.replace("\\", "/")
    name = posixpath.basename(path)
    parent = posixpath.basename(posixpath.dirname(path))
    if not (name == "settings.py" or parent == "settings" or name.endswith("_settings.py")):
        return False
    # the development profile of a settings package (settings/dev.py, local_settings.py...) is where
    # DEBUG = True belongs; production settings leave it out
    stem = name.removesuffix(".py").lower()
    return not any(w in _DEV_WORDS for w in stem.replace("-", "_").split("_"))


def _base_settings(path: str) -> bool:
    """``settings/base.py``, ``settings/common.py``: the base module of a settings package, which the
    package's production and development modules import with ``*`` and then override."""
    path = path.replace("\\", "/")
    return posixpath.basename(posixpath.dirname(path)) == "settings" and \
        posixpath.basename(path).removesuffix(".py").lower() in _BASE_NAMES


# A settings module's docstring saying what it is for, when that is not serving the site: "These settings are only
# used for the purpose of compiling translations" (xblock-lti-consumer, panel AF), "Settings for running the tests"
_NOT_SERVED = re.compile(r"(?is)\b(?:only\s+(?:be\s+)?used\s+(?:for|to|when|in)\b|for\s+(?:running\s+)?(?:the\s+)?"
                         r"(?:unit\s+)?tests?\b|(?:test|testing|development|dev)\s+settings\b|compil\w*\s+"
                         r"(?:the\s+)?(?:translations|messages)|build\w*\s+(?:the\s+)?doc)")
_DOCSTRING = re.compile(r"""\A\s*[rRuU]?(?:"{3}(.*?)"{3}|'{3}(.*?)'{3})""", re.S)


def _docstring_says_not_served(module) -> bool:
    """The settings module's docstring says it is for tests, development or a build step, not for serving."""
    m = _DOCSTRING.match(module.text or "")
    return m is not None and _NOT_SERVED.search(m.group(1) or m.group(2) or "") is not None


_BASE_NAMES = frozenset({"base", "common", "default", "defaults", "shared", "core", "global_settings"})
_DEV_WORDS = frozenset({"dev", "devel", "develop", "development", "local", "test", "tests", "testing", "debug", "ci",
                        "doc", "docs", "sphinx"})


class DebugModeEnabled(StatementRule):
    __doc__ = __doc__

    id = "SR402"
    name = "debug-mode-enabled"
    title = "Debug mode enabled in a web application"
    cwe = 489
    severity = Level.HIGH
    confidence = Level.HIGH
    bandit = ("B201",)
    triggers = frozenset({"run", "run_simple", "FastAPI", "Starlette", "debug", "DEBUG", "update"})

    def check_statement(self, interp, stmt):
        t = type(stmt)
        if t is ir.Assign:
            yield from self._assignment(interp, stmt)
            roots = (stmt.value,)
        elif t in (ir.Evaluate, ir.Return) and stmt.value is not None:
            roots = (stmt.value,)
        else:
            return
        development = _development_function(interp.fn)
        for root in roots:
            for e in _walk(root):
                if isinstance(e, ir.Call):
                    for hit in self._call(interp, e):
                        if development and hit.confidence != Level.LOW:
                            # (reactpy's ``create_development_app()``, which only its development server calls:
                            # judged false twice on panel AS)
                            hit.explanation += (f" This is in `{interp.fn.name}()`, which its name says makes a "
                                                f"development application; a deployment that serves what it makes "
                                                f"shows the debugger or the tracebacks to its clients.")
                            hit.confidence = Level.LOW
                        yield hit

    def _call(self, interp, call):
        code = interp.code(call)
        if call.qualname in _RUN_SIMPLE:
            for kw in ("use_debugger", "use_evalex"):
                if _is_true(interp, call.keyword(kw)):
                    hit = self._werkzeug(code, f"`{kw}=True`", call)
                    command = _management_command(interp)
                    if command is not None:
                        hit.explanation += (f" This is in the management command `{command}`, a development "
                                            f"server its operator starts by hand (as `manage.py runserver`).")
                        hit.confidence = Level.LOW
                    yield hit
                    return
            return
        if call.qualname in _APP_CLASSES and _is_true(interp, call.keyword("debug")):
            if _under_flag(interp.module, call.line):
                return  # (``if in_debug_mode(): app = FastAPI(debug=True)``: the operator's switch)
            name = _APP_CLASSES[call.qualname]
            yield Hit(
                node=call,
                explanation=(f"`{code}` turns on {name}'s debug mode: every unhandled error returns the full "
                             f"traceback, with the source lines around each frame, to the client that caused it."),
                fix=f"Remove `debug=True` or read it from the environment: "
                     f"`{name}(debug=os.environ.get(\"APP_DEBUG\") == \"1\")`.",
                severity=Level.MEDIUM,
            )
            return
        if call.method == "run" and _is_true(interp, call.keyword("debug")) and not _event_loop_run(call) \
                and not _own_run_method(interp, call):
            node = call.keyword("debug")
            flag = "`debug=True`" if isinstance(node, ir.Const) else f"`debug={interp.code(node)}` (True)"
            hit = self._werkzeug(code, flag, call)
            if _script_launcher(interp) and _loopback_host(interp, call):
                # judged false on real code (panels AI, AL): the module's own development launcher on the loopback
                # address, while the application is deployed under a WSGI server that never runs this line
                hit.explanation += (" This runs only when the module is started as a script (under `if __name__ == "
                                    "\"__main__\":`) and serves on the loopback address, as a development launcher "
                                    "does; a deployment that starts the module this way behind a proxy on the same "
                                    "host exposes the debugger.")
                hit.confidence = Level.LOW
            yield hit
        elif call.method == "update" and isinstance(call.func.value, ir.Attr) and call.func.value.attr == "config" \
                and _is_true(interp, call.keyword("DEBUG")):
            yield self._werkzeug(code, "`DEBUG=True`", call)

    def _flask_flag(self, code, flag, node):
        """`app.debug = True` or `app.config["DEBUG"] = True`: what it does depends on how the app is served."""
        return Hit(
            node=node,
            explanation=(f"`{code}` sets Flask's debug flag ({flag}) in code: if the application is started "
                         f"with its run() method or the flask run command, the Werkzeug debugger answers any "
                         f"unhandled error with an "
                         f"interactive Python console in the browser (behind a PIN derived from guessable machine "
                         f"data); under another WSGI server the flag makes unhandled exceptions propagate to that "
                         f"server instead of returning a plain 500."),
            fix=("Do not enable debug in code: use `flask --app app run --debug` on a development machine only, "
                 "or read the flag from the environment (`os.environ.get(\"FLASK_DEBUG\") == \"1\"`)."),
            severity=Level.MEDIUM,
            confidence=Level.MEDIUM,
        )

    def _werkzeug(self, code, flag, node):
        return Hit(
            node=node,
            explanation=(f"`{code}` runs the application with {flag}: the Werkzeug debugger answers any unhandled "
                         f"error with an interactive Python console in the browser, so whoever can reach the server "
                         f"(and get past the PIN derived from guessable machine data) runs code on it."),
            fix=("Do not enable debug in code: use `flask --app app run --debug` on a development machine only, "
                 "or `debug=os.environ.get(\"FLASK_DEBUG\") == \"1\"`."),
        )

    def _assignment(self, interp, stmt):
        if not _is_true(interp, stmt.value) or _under_flag(interp.module, stmt.line):
            return
        code = interp.code(stmt)
        for target in stmt.targets:
            if isinstance(target, ir.NameTarget) and target.id == "DEBUG" and interp.fn.name == "<module>" \
                    and _settings_module(interp.module.path) and not _overridden_later(interp.module, stmt.line) \
                    and not _docstring_says_not_served(interp.module) and _django_settings(interp.module):
                if _base_settings(interp.module.path):
                    yield Hit(
                        node=stmt,
                        explanation=(f"`{code}` in `{interp.module.path}`, the shared base of a settings package: "
                                     f"a settings module that imports it and does not set `DEBUG` again runs "
                                     f"Django in debug mode, showing stack traces, settings and SQL to every "
                                     f"visitor."),
                        fix="Default to `DEBUG = False` in the base settings and turn it on only in the development "
                            "settings module.",
                        severity=Level.MEDIUM, confidence=Level.LOW,
                    )
                    continue
                yield Hit(
                    node=stmt,
                    explanation=(f"`{code}` in the settings module `{interp.module.path}` runs Django in debug "
                                 f"mode: error pages show stack traces, settings (with secrets partly masked) and "
                                 f"SQL to every visitor, and every query is kept in memory."),
                    fix="Write `DEBUG = os.environ.get(\"DJANGO_DEBUG\") == \"1\"` and leave it unset in production.",
                    severity=Level.MEDIUM,
                )
            elif isinstance(target, ir.AttrTarget) and target.attr == "debug" and _pure(target.value):
                base = interp.eval(target.value)
                if "flask.Flask" in base.types or (
                        interp.code(target.value).split(".")[-1] in ("app", "application")
                        and _imports_flask(interp.module)):
                    yield self._flask_flag(code, "`debug = True`", stmt)
            elif isinstance(target, ir.ItemTarget) and isinstance(target.value, ir.Attr) \
                    and target.value.attr == "config" and isinstance(target.index, ir.Const) \
                    and target.index.value == "DEBUG":
                yield self._flask_flag(code, "`DEBUG = True`", stmt)


# ``if debug:``, ``if settings.DEBUG:``, ``if in_debug_mode():`` (a flag, or a function of no arguments reading one)
_FLAG_TEST = re.compile(r"\s*(el)?if\s+(not\s+)?[\w.]*debug\w*(\(\))?\s*:", re.IGNORECASE)


_COMMANDS = ("django.core.management.base.BaseCommand", "django.core.management.BaseCommand")


def _management_command(interp) -> str | None:
    """The name of the Django management command whose method this is (its module's name), or None."""
    klass = interp.fn.class_qualname
    if klass is None or not any(interp.program.derives_from(klass, base) for base in _COMMANDS):
        return None
    return interp.module.name.rpartition(".")[2]


def _under_flag(module, line: int) -> bool:
    """The statement sits directly in an `if debug:` (or `if in_debug_mode():`) block: a flag the caller, the
    command line or the environment chose."""
    text = module.source_line(line)
    indent = len(text) - len(text.lstrip())
    for number in range(line - 1, max(0, line - 30), -1):
        above = module.source_line(number)
        if not above.strip() or above.lstrip().startswith("#"):
            continue
        above_indent = len(above) - len(above.lstrip())
        if above_indent < indent:
            test = _FLAG_TEST.match(above)
            return test is not None and not test.group(2)
    return False


_LATER_SETTING = re.compile(r"^\s*(from\s+[\w.]+\s+import\s+\*|DEBUG\s*=|exec\s*\()", re.MULTILINE)


def _overridden_later(module, line: int) -> bool:
    """A later line of the settings module sets ``DEBUG`` again, imports every name of another settings
    module (``from settings_local import *``, the deployment's own settings) or runs one's text
    (``exec(compile(ls.read(), local_settings, "exec"))``): ``DEBUG = True`` above it is a default that the
    deployment's settings replace, not what runs."""
    lines = module.lines or []
    return _LATER_SETTING.search("\n".join(lines[line:])) is not None


# what makes a settings module Django's: a setting only Django reads, a star import of other settings (the
# package's base), an import of Django itself
_DJANGO_MARK = re.compile(r"^(?:(?:INSTALLED_APPS|ROOT_URLCONF|MIDDLEWARE(?:_CLASSES)?|DATABASES|TEMPLATES"
                          r"|WSGI_APPLICATION|ASGI_APPLICATION|AUTH_USER_MODEL|STATIC_URL|SECRET_KEY|ALLOWED_HOSTS)"
                          r"\s*[+:]?=|from\s+\S+\s+import\s+\*|(?:from|import)\s+django\b)", re.M)


def _django_settings(module) -> bool:
    """The settings module is Django's: another framework's settings of the same shape (Scrapy's, a service's
    ``default_settings.py`` read by its own loader) say nothing of Django's debug pages."""
    return _DJANGO_MARK.search("\n".join(module.lines or [])) is not None


def _imports_flask(module) -> bool:
    return any(q == "flask" or q.startswith("flask.") for q in module.imports.values())


# ``run()`` of event loops and test runners, whose ``debug=True`` only adds warnings and checks in the process
_NOT_WEB_RUNS = ("asyncio.", "trio.", "anyio.", "uvloop.", "curio.", "unittest.")


def _own_run_method(interp, call) -> bool:
    """``self.run(query, debug=True)`` in a class of the reviewed code that defines ``run`` itself (or a reviewed
    base does): the class's own method and its own debug option (a pipeline's, a job's), not a web server's."""
    fn = interp.fn
    receiver = call.func.value if isinstance(call.func, ir.Attr) else None
    return isinstance(receiver, ir.Name) and fn.is_method and bool(fn.params) and receiver.id == fn.params[0].name \
        and fn.class_qualname is not None and interp.program.defines_method(fn.class_qualname, "run")


def _event_loop_run(call) -> bool:
    """``asyncio.run(main(), debug=True)``: asyncio's debug mode (slow callbacks, coroutines never awaited),
    no debugger and nothing sent to a client."""
    return (call.qualname or "").startswith(_NOT_WEB_RUNS)


_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _script_launcher(interp) -> bool:
    """The statement runs at module level only under ``if __name__ == "__main__":``."""
    return under_main_guard(interp.fn, getattr(interp, "stmt", None))


def _loopback_host(interp, call) -> bool:
    """``app.run(...)`` with no host (Flask and Bottle serve on 127.0.0.1 then) or a loopback address."""
    node = call.keyword("host")
    if node is None and call.args:
        node = call.args[0]
    if node is None:
        return True
    value = interp.eval(node) if _pure(node) else None
    return value is not None and value.is_const and value.const in _LOOPBACK
