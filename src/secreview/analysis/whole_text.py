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
SUBCLASSES = "subclasses of "
"""The prefix of a family of facts, one per base name: ``SUBCLASSES + "Provider"`` is ``subclasses(texts,
"Provider")`` (``is_fact``)."""
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
    return _fact(QUERY_KEYS, texts)


def options_logged(texts: Iterable[tuple[str, str | None]]) -> bool:
    """Whether a file calls ``log_opt_values`` (oslo.config's dump of every option), or imports oslo.service
    (whose launchers call it) or an OpenStack service whose options its server logs at start-up."""
    return _fact(OPTIONS_LOGGED, texts)


def secret_options(texts: Iterable[tuple[str, str | None]]) -> frozenset:
    """The names of the oslo.config options declared with ``secret=True`` (``cfg.StrOpt('password',
    secret=True, ...)``) anywhere."""
    return _fact(SECRET_OPTIONS, texts)


def value_error_handlers(texts: Iterable[tuple[str, str | None]]) -> tuple:
    """The paths of the files whose app or blueprint answers ``ValueError`` with a handler of its own."""
    return _fact(VALUE_ERROR_HANDLERS, texts)


def subclasses(texts: Iterable[tuple[str, str | None]], base: str) -> tuple:
    """``(path, class name)`` of every class declared (at any depth) with a base whose last dotted part is ``base``
    (``class SlurmProvider(ClusterProvider, RepresentationMixin)`` for ``ClusterProvider``), sorted: where the
    overrides of a method called through an object of type ``base`` may be (read by its name only; the analysis
    checks each candidate's bases)."""
    return subclass_index(texts).get(base, ())


def subclass_index(texts: Iterable[tuple[str, str | None]]) -> dict:
    """``subclasses`` of every base at once: ``{base: ((path, class name), ...)}``, each file's text read once."""
    index: dict = {}
    for path, text in texts:
        for base, name in (_class_headers(text) if text else ()):
            index.setdefault(base, []).append((path, name))
    return {base: tuple(sorted(found)) for base, found in index.items()}


def is_fact(name: str) -> bool:
    """Whether ``name`` names a fact: one of ``FACTS``, or one of the family ``SUBCLASSES + base``."""
    return name in FACTS or name.startswith(SUBCLASSES)


FACTS: dict[str, Callable] = {OPTIONS_LOGGED: options_logged, SECRET_OPTIONS: secret_options,
                              VALUE_ERROR_HANDLERS: value_error_handlers, QUERY_KEYS: query_keys}


# Each fact is made of one part per file (what that file's text says: a falsy part says nothing), joined.
# A file's parts depend on its path and text only: the cache keeps them with the file's results
# (``file_parts``), and a review from the cache joins those of the files it does not read again.

def _logs_options(text: str) -> bool:
    return "log_opt_values" in text or _imports_service(text)


def _imports_service(text: str) -> bool:
    for m in _IMPORTS_SERVICE.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        if not text[start:m.start()].strip(" \t"):
            return True
    return False


def _declared_secret(text: str) -> frozenset:
    return frozenset(_secret_options(text)) if "secret" in text and "Opt(" in text else frozenset()


def _handles_value_error(text: str) -> bool:
    return "ValueError" in text and _VALUE_ERROR_HANDLER.search(text) is not None


def _query_keys_read(text: str) -> frozenset:
    if "GET" in text or "args" in text or "query_params" in text:
        return frozenset(_QUERY_KEY.findall(text))
    return frozenset()


# a class statement's name and its bases, up to the parenthesis that closes them (``[^)]``: a base written as a
# call, ``with_metaclass(Meta, Base)``, ends the list early, which only misses that class)
_CLASS_HEADER = re.compile(r"^[ \t]*class[ \t]+(\w+)[ \t]*\(([^)]*)\)", re.MULTILINE)


def _class_headers(text: str) -> frozenset:
    """``(base's last dotted part, class name)`` of each class statement of ``text`` that names bases."""
    if "class" not in text:
        return frozenset()
    out = set()
    for m in _CLASS_HEADER.finditer(text):
        for base in m.group(2).split(","):
            base = base.strip()
            if base and "=" not in base:  # (``metaclass=ABCMeta`` is no base)
                out.add((base.rpartition(".")[2].partition("[")[0].strip(), m.group(1)))
    return frozenset(out)


def _union(parts: Iterable[tuple[str, frozenset]]) -> frozenset:
    out: set = set()
    for _, part in parts:
        if part:
            out.update(part)
    return frozenset(out)


_PARTS: dict[str, tuple[Callable, Callable]] = {  # name -> (the part of one text, the fact of ``(path, part)`` pairs)
    OPTIONS_LOGGED: (_logs_options, lambda parts: any(part for _, part in parts)),
    SECRET_OPTIONS: (_declared_secret, _union),
    VALUE_ERROR_HANDLERS: (_handles_value_error, lambda parts: tuple(sorted(path for path, part in parts if part))),
    QUERY_KEYS: (_query_keys_read, _union),
    SUBCLASSES: (_class_headers, None),  # (joined per base: ``fact_of_parts``, ``subclass_index``)
}


def file_parts(text: str | None) -> dict:
    """What ``text`` says for each fact, the facts it says nothing for left out (most files: all)."""
    if not text:
        return {}
    parts = {}
    for name, (part_of, _) in _PARTS.items():
        part = part_of(text)
        if part:
            parts[name] = part
    return parts


def fact_of_parts(name: str, parts: Iterable[tuple[str, dict]]):
    """The fact ``name`` of the files whose ``(path, file_parts(text))`` are ``parts``: what ``FACTS[name]``
    (or ``subclasses``, for ``SUBCLASSES + base``) gives from their ``(path, text)``."""
    if name.startswith(SUBCLASSES):
        base = name[len(SUBCLASSES):]
        return tuple(sorted((path, cls) for path, by_name in parts for b, cls in by_name.get(SUBCLASSES, ())
                            if b == base))
    return _PARTS[name][1]((path, by_name.get(name)) for path, by_name in parts)


def _fact(name: str, texts: Iterable[tuple[str, str | None]]):
    part_of, join = _PARTS[name]
    return join((path, part_of(text) if text else None) for path, text in texts)


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
