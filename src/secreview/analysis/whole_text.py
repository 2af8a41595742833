"""Facts read from the text of every reviewed file, which rules ask of the whole review (a function's finding may
depend on what another file says, though it calls nothing there).

Each fact has a name (the key of the cache's ``("text", name)`` reads: a cached file that read a fact is analysed
again when the fact's value changes) and a function of ``(path, text)`` pairs giving a short comparable value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

OPTIONS_LOGGED = "options logged"
SECRET_OPTIONS = "secret options"
VALUE_ERROR_HANDLERS = "ValueError handlers"
QUERY_KEYS = "query keys"
TEXTS = "<texts>"
"""The module name a read of a fact records (``Program.note_read``): every file's, no one module's."""

# an import of oslo.service or of an OpenStack service (searched for without anchoring at the line's start, which
# Python's engine scans slowly, then checked to start its line: a third of the time on Django's tree)
_IMPORTS_SERVICE = re.compile(r"(?:from|import)[ \t]+(?:oslo_service|neutron|nova|cinder|glance|keystone|heat|"
                              r"ironic|manila|octavia|designate|barbican|trove|sahara|magnum|masakari|zun|watcher|"
                              r"aodh|ceilometer|gnocchi|mistral|senlin|zaqar|tacker|cyborg|placement)\b")
_OPTION_START = re.compile(r"""Opt\(\s*(?:name\s*=\s*)?['"]([\w.-]+)['"]""")
_SECRET_TRUE = re.compile(r"\bsecret\s*=\s*True\b")
# an app's or blueprint's own handler of ValueError: Flask's ``@api.errorhandler(ValueError)`` (and
# ``app_errorhandler``, ``register_error_handler(ValueError, f)``), FastAPI's ``exception_handler(ValueError)``
_VALUE_ERROR_HANDLER = re.compile(r"\.(?:app_errorhandler|errorhandler|exception_handler)\(\s*(?:builtins\.)?"
                                  r"ValueError\s*\)|\.register_error_handler\(\s*(?:builtins\.)?ValueError\s*,")


# a constant key read from a request's query string: Django's ``request.GET.get("next")``, Flask's
# ``request.args["next"]``, Starlette's ``request.query_params.get("next")``
_QUERY_KEY = re.compile(r"""\.(?:GET|args|query_params)(?:\.get|\.getlist)?(?:\(|\[)\s*['"]([\w.-]+)['"]""")


def query_keys(texts: Iterable[tuple[str, str | None]]) -> frozenset:
    """Every constant key some file reads from a request's query string (``request.GET.get("next")``)."""
    keys: set = set()
    for _, text in texts:
        if text and ("GET" in text or "args" in text or "query_params" in text):
            keys.update(_QUERY_KEY.findall(text))
    return frozenset(keys)


def options_logged(texts: Iterable[tuple[str, str | None]]) -> bool:
    """Whether a file calls ``log_opt_values`` (oslo.config's dump of every option), or imports oslo.service
    (whose launchers call it) or an OpenStack service whose options its server logs at start-up."""
    return any(text and ("log_opt_values" in text or _imports_service(text)) for _, text in texts)


def _imports_service(text: str) -> bool:
    for m in _IMPORTS_SERVICE.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        if not text[start:m.start()].strip(" \t"):
            return True
    return False


def secret_options(texts: Iterable[tuple[str, str | None]]) -> frozenset:
    """The names of the oslo.config options declared with ``secret=True`` (``cfg.StrOpt('password',
    secret=True, ...)``) anywhere."""
    names: set = set()
    for _, text in texts:
        if text and "secret" in text and "Opt(" in text:
            names.update(_secret_options(text))
    return frozenset(names)


def value_error_handlers(texts: Iterable[tuple[str, str | None]]) -> tuple:
    """The paths of the files whose app or blueprint answers ``ValueError`` with a handler of its own."""
    return tuple(sorted(path for path, text in texts
                        if text and "ValueError" in text and _VALUE_ERROR_HANDLER.search(text)))


FACTS: dict[str, Callable] = {OPTIONS_LOGGED: options_logged, SECRET_OPTIONS: secret_options,
                              VALUE_ERROR_HANDLERS: value_error_handlers, QUERY_KEYS: query_keys}


def comparable(value):
    """A fact's value as the cache compares it (a set sorted)."""
    return tuple(sorted(value)) if isinstance(value, frozenset) else value


def _secret_options(text: str):
    """The names of options declared ``...Opt('name', ..., secret=True)`` in ``text``: the arguments
    are read up to the parenthesis closing the call (strings are not parsed: a parenthesis in a help
    text may end them early, which only misses an option)."""
    for m in _OPTION_START.finditer(text):
        depth, end = 1, m.end()
        limit = min(len(text), end + 4000)
        while end < limit and depth:
            c = text[end]
            depth += (c == "(") - (c == ")")
            end += 1
        if _SECRET_TRUE.search(text, m.end(), end):
            yield m.group(1)
