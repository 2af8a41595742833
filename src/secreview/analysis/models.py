"""Taint models as data: sources, sinks, sanitizers, pass-through functions and
return types, read from TOML files (one per library, in ``secreview/models``,
plus any the user names in ``[tool.secreview] models``).

The format is documented in ``docs/models.md``. Every entry names the callee or
attribute by its qualified name (``subprocess.run``, ``flask.request.args``) or
by a type and member (``sqlite3.Cursor.execute``), as lowering resolves them.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from secreview.analysis.model_error import ModelError

ALL_KINDS = "*"


@dataclass(frozen=True, slots=True)
class ArgRef:
    """An argument by position and/or keyword name."""

    position: int | None
    name: str | None


@dataclass(frozen=True, slots=True)
class Sink:
    kind: str
    callee: str
    args: tuple[ArgRef, ...]  # empty: every argument
    receiver: bool = False  # the object the method is called on is the dangerous value
    when: tuple[tuple[str, object], ...] = ()  # keyword=value conditions (shell=True)
    unless: tuple[tuple[str, object], ...] = ()  # keyword=value that make the call safe
    note: str = ""
    library: str = ""
    # header names (lower case, "*" for all) whose value the framework keeps free of CR/LF
    no_crlf: frozenset = frozenset()
    # a sink only when this argument (a query's text) is a constant that writes a placeholder inside quotes
    # (``'%s'``, ``"%(name)s"``): a driver interpolating on the client quotes the value again
    quoted_placeholder: ArgRef | None = None
    # a sink only for a string the calling function builds there (``+``, ``%``, ``.format``, an f-string,
    # ``join``; or a local variable each assignment of which builds one): a value spliced into the text
    built: bool = False


@dataclass(frozen=True, slots=True)
class Source:
    kind: str  # remote, file, environment...
    callee: str = ""  # a call whose result is tainted
    attribute: str = ""  # an attribute whose value is tainted
    note: str = ""
    library: str = ""
    fixed_in_static_route: bool = False  # the request path of a route without variables is its constant pattern
    cleansed: frozenset = frozenset()  # sink kinds this data is already safe for (headers hold no CR/LF)
    arguments_flow: bool = False  # a callee's result also carries its arguments' taint
    arguments_cleansed: frozenset = frozenset()  # with ``arguments_flow``: what the arguments' taint is safe for then
    # with ``instances`` (``ModelSet.sources_by_base``): an object made without any of these arguments is tainted
    unless_args: tuple = ()
    # a callee's ``cleansed`` holds unless the call is given one of these arguments, not as False or None
    # (``request.get_json(force=True)`` reads any body)
    cleansed_unless: tuple = ()


@dataclass(frozen=True, slots=True)
class Sanitizer:
    callee: str
    protects: frozenset  # sink kinds; "*" for all
    note: str = ""
    library: str = ""
    args: tuple[ArgRef, ...] = ()  # what a condition validates (empty: the first argument)
    raises: bool = False  # raises on a bad value: called as a statement, it validates ``args`` from there on
    imports: tuple[str, ...] = ()  # by method name (``methods``): only in modules importing one of these
    unless_keywords: tuple[str, ...] = ()  # not a sanitizer when given one of these (other than None)
    unless_line_breaks: tuple[str, ...] = ()  # nor when given one of these that may hold a line break


_ALSO_UNDONE = {"no-crlf": frozenset({"log"})}
"""What else a marker's undoing makes dangerous again: text that holds no CR/LF (``no-crlf``) is safe for a log
line too, and no longer once percent-decoding may have put them back."""


@dataclass(frozen=True, slots=True)
class Propagator:
    callee: str
    args: tuple[ArgRef, ...]  # which arguments flow to the result (empty: all)
    receiver: bool = True
    library: str = ""
    copy: bool = False  # the result is a copy of its one argument: the same items under the same keys
    # a marker a sanitizer puts with what it protects (``encoded-text`` of ``base64.b64encode``): this call undoes
    # that sanitizer (``b64decode``), so its result is dangerous again for every kind those sanitizers protect
    restores: str = ""
    # the result is a tuple whose item at each of these positions is safe for these sink kinds (``os.path.splitext``:
    # the extension holds no path separator); ((position, kinds), ...)
    items_protect: tuple = ()


@dataclass(frozen=True, slots=True)
class Generated:
    """A value the server or a library makes, which no client chooses (``[[generated]]``): a temporary
    file's name, an HTTP status's reason phrase, a table's or column's name from the schema."""

    name: str  # the callee, qualified attribute or attribute name
    args: tuple[ArgRef, ...] = ()  # a callee's arguments that flow into its result (a temp file's suffix)
    type: str = ""  # the type of the value, when it is known (``builtins.int``: a number)
    note: str = ""
    library: str = ""


@dataclass(frozen=True, slots=True)
class Entrypoint:
    """Functions whose parameters are attacker-controlled.

    ``decorator``: a decorator's qualified name or its last dotted part
    (``route`` matches ``app.route`` and ``bp.route``); ``param_types`` gives
    a parameter a type (``request`` -> ``django.http.HttpRequest``) instead of
    making it tainted.
    """

    kind: str
    decorator: str = ""
    decorator_method: str = ""
    base_class: str = ""
    param_types: tuple[tuple[str, str], ...] = ()
    taint_params: bool = True
    response_sink: str = ""  # the sink kind the handler's return value reaches (its response body: xss)
    library: str = ""
    methods: tuple[str, ...] = ()  # with base_class: only these methods handle requests (default: every public one)
    imports: tuple[str, ...] = ()  # only in modules importing one of these (a module or a package prefix)
    class_attribute: str = ""  # the public methods of classes assigning this class attribute...
    attribute_calls: tuple[str, ...] = ()  # ...the result of a call of one of these (``target = Target(...)``)
    include_base_class: bool = False  # with base_class: the methods of that class itself handle requests too
    cleansed: frozenset = frozenset()  # sink or marker kinds every tainted parameter is already safe for
    # what explanations call the handler, who sets its parameters and what they hold (``["shell command", "whoever
    # types at its prompt", "a line typed at the shell's prompt"]``); empty: the words of its ``kind``
    words: tuple[str, ...] = ()
    # in modules importing one of these, the framework converts a parameter annotated ``int``, ``float``,
    # ``bool`` or ``uuid.UUID`` (or ``Annotated[int, Path()]``) and rejects other text: FastAPI, django-ninja
    converts_annotations: tuple[str, ...] = ()
    # the decorator's positional arguments from this index on are the types of the handler's parameters after
    # ``self``, in order, and the framework converts the client's text to an ``int``, ``float``, ``bool`` or
    # UUID so typed and rejects other text: WSME's ``@wsexpose(ReturnType, int, int)`` (-1: none)
    decorator_arg_types: int = -1
    # a parameter whose default (or ``Annotated[...]`` metadata) is a call of one of these is what the
    # framework's dependency returns, not request data: FastAPI's ``db = Depends(get_db)``, ``Security(...)``
    injected: tuple[str, ...] = ()
    # ((decorator qualnames, parameter names, kinds), ...): with one of these decorators on the function too,
    # these parameters are also cleansed for those kinds (a body a JSON schema validated: ``conversion``)
    validated: tuple = ()
    # ``registered_by``: handlers found at the calls that register them (``app.router.add_get(path, handler)``):
    # the methods named so (any receiver) and the callees with these qualified names, in modules that import
    # one of ``imports``; ``registered_arg`` is the argument that holds the handler (a function, or a class
    # or instance whose ``methods`` handle requests, or the one method ``method_keyword`` names)
    registered_methods: tuple[str, ...] = ()
    registered_callees: tuple[str, ...] = ()
    registered_arg: ArgRef | None = None
    method_keyword: str = ""
    suffix_keyword: str = ""  # the keyword whose value suffixes ``methods`` (Falcon's ``suffix="collection"``)
    registered_route: ArgRef | None = None  # the argument that holds the route (its converters: ``<int:pk>``)
    # the callees of ``registered_callees`` whose route is a regular expression matched against the decoded
    # path (Django's ``re_path(r"^(?P<year>\d{4})/$", view)``): its named groups are the handler's keyword
    # arguments, or, when it has none, its groups the positional arguments after the request
    registered_regex: tuple[str, ...] = ()
    # the argument that gives the handler keyword arguments of the code's own (Django's ``path(route, view,
    # kwargs={"next_page": "/"})``): a parameter every registration gives so is not the client's
    registered_given: ArgRef | None = None
    # ``route_table``: with base_class, the URL patterns that route requests to those classes (Tornado's
    # ``Application([(r"/error/(\d+)", ErrorHandler), url(r"/x/([0-9]+)", H)])``): the ``(pattern, handler,
    # ...)`` tuples of the reviewed code (``table_tuples``) and the calls ``table_callees`` (pattern
    # ``table_route``, handler ``table_arg``); the pattern's groups are the methods' arguments, by position
    # after ``self`` when it has no named group, else by name; ``table_encoded``: matched against the path
    # still percent-encoded and unquoted after (a group without ``/`` may hold ``%2F``); ``table_rules``: the
    # patterns are Werkzeug rules (``/thumbnails/<instance_id>.png``, ``<int:id>``, ``<path:p>``), not
    # regular expressions
    table_tuples: bool = False
    table_callees: tuple[str, ...] = ()
    table_arg: ArgRef | None = None
    table_route: ArgRef | None = None
    table_encoded: bool = False
    table_rules: bool = False

    def validated_params(self, fn) -> dict:
        """``{parameter: kinds}`` the ``validated`` items give a function, from its decorators."""
        if not self.validated:
            return {}
        from secreview.ir import nodes as ir  # (not at import: a review answered from the cache loads no IR)

        names = set()
        for d in fn.decorators:
            target = d.func if isinstance(d, ir.Call) else d
            qual = getattr(target, "qualname", None)
            if qual:
                names.add(qual)
        out: dict = {}
        for decorators, params, kinds in self.validated:
            if names.intersection(decorators):
                for p in params:
                    out[p] = out.get(p, frozenset()) | kinds
        return out


@dataclass(slots=True)
class ModelSet:
    sinks: dict = field(default_factory=dict)  # callee -> [Sink]
    sources_by_callee: dict = field(default_factory=dict)
    sources_by_attribute: dict = field(default_factory=dict)
    sanitizers: dict = field(default_factory=dict)
    propagators: dict = field(default_factory=dict)
    returns: dict = field(default_factory=dict)  # callee -> type qualname of its result
    returns_item: dict = field(default_factory=dict)  # callee -> the item of its tuple result that has that type
    clean: set = field(default_factory=set)  # callees whose result never carries taint
    entrypoints: list = field(default_factory=list)
    libraries: list = field(default_factory=list)
    method_sinks: dict = field(default_factory=dict)  # method name -> [(receiver name hints, Sink)]
    method_sanitizers: dict = field(default_factory=dict)  # method name -> [Sanitizer] (``methods`` + ``imports``)
    source_objects: dict = field(default_factory=dict)  # qualname -> kind, e.g. flask.request -> remote
    sources_by_base: dict = field(default_factory=dict)  # library base class -> Source (``instances``)
    digests: list = field(default_factory=list)  # of each file's content, for cache keys
    source_attr_names: frozenset | None = None
    cleansed_names: dict | None = None  # attribute name -> sink kinds every source of that name is safe for
    # method name / callee qualname -> indexes in ``entrypoints`` of the entries registered by such calls
    registration_methods: dict = field(default_factory=dict)
    registration_callees: dict = field(default_factory=dict)
    # indexes in ``entrypoints`` of the entries with a ``route_table``: of (pattern, handler) tuples;
    # callee qualname -> those whose table entries such calls make (``url(pattern, handler)``)
    table_tuple_entries: list = field(default_factory=list)
    table_callees: dict = field(default_factory=dict)
    # ``[[generated]]``: callee -> Generated; qualified attribute (a module's or a type's) -> Generated;
    # attribute name read from an object that carries no traced data -> Generated
    generated_callees: dict = field(default_factory=dict)
    unpredictable: set = field(default_factory=set)  # ``[[unpredictable]]`` callees
    generated_attributes: dict = field(default_factory=dict)
    generated_names: dict = field(default_factory=dict)
    generated_last: frozenset | None = None

    def fingerprint(self) -> str:
        """Changes when any model file's content (or the set of files) does."""
        return hashlib.sha256("\n".join(self.digests).encode()).hexdigest()

    def add_file(self, path_or_text, library: str) -> None:
        data = _load(path_or_text, library)
        self.digests.append(hashlib.sha256(f"{library}\0{data!r}".encode()).hexdigest())
        self.libraries.append(library)
        for entry in data.pop("sink", []):
            for callee in _callees(entry, library):
                sink = Sink(
                    kind=_req(entry, "kind", library), callee=callee, args=_args(entry.get("args", []), library),
                    receiver=bool(entry.get("receiver", False)), when=_conds(entry.get("when", {})),
                    unless=_conds(entry.get("unless", {})), note=entry.get("note", ""), library=library,
                    no_crlf=frozenset(n.lower() for n in _as_list(entry.get("no_crlf", []))),
                    quoted_placeholder=_one_arg(entry.get("quoted_placeholder"), library),
                    built=bool(entry.get("built", False)),
                )
                self.sinks.setdefault(callee, []).append(sink)
            for method in entry.get("methods", []):
                sink = Sink(kind=_req(entry, "kind", library), callee="*." + method,
                            args=_args(entry.get("args", []), library), when=_conds(entry.get("when", {})),
                            unless=_conds(entry.get("unless", {})), note=entry.get("note", ""), library=library,
                            quoted_placeholder=_one_arg(entry.get("quoted_placeholder"), library),
                            built=bool(entry.get("built", False)))
                hints = tuple(entry.get("receiver_names", ()))
                self.method_sinks.setdefault(method, []).append((hints, sink))
        for entry in data.pop("source", []):
            kind = entry.get("kind", "remote")
            for callee in _callees(entry, library, required=False):
                self.sources_by_callee[callee] = Source(kind, callee=callee, note=entry.get("note", ""),
                                                        library=library,
                                                        cleansed=frozenset(_as_list(entry.get("cleansed", []))),
                                                        arguments_flow=bool(entry.get("arguments_flow")),
                                                        arguments_cleansed=frozenset(
                                                            _as_list(entry.get("arguments_cleansed", []))),
                                                        cleansed_unless=_args(entry.get("cleansed_unless", []),
                                                                              library))
            for base in _as_list(entry.get("instances", [])):
                self.sources_by_base[base] = Source(kind, note=entry.get("note", ""), library=library,
                                                    cleansed=frozenset(_as_list(entry.get("cleansed", []))),
                                                    unless_args=_args(entry.get("unless_args", []), library))
            for attr in _as_list(entry.get("attribute", [])) + _as_list(entry.get("attributes", [])):
                self.sources_by_attribute[attr] = Source(kind, attribute=attr, note=entry.get("note", ""),
                                                         library=library,
                                                         fixed_in_static_route=bool(entry.get("fixed_in_static_route")),
                                                         cleansed=frozenset(_as_list(entry.get("cleansed", []))))
                # the object holding a source attribute (``flask.request``) is itself request data
                # when it is passed around whole
                owner = attr.rpartition(".")[0]
                if owner and "." in owner and owner.rpartition(".")[2][:1].islower():
                    # an instance such as ``flask.request``; a class (``webob.Request``) is not data
                    self.source_objects.setdefault(owner, kind)
        for entry in data.pop("sanitizer", []):
            protects = frozenset(_as_list(entry.get("protects", ALL_KINDS)))
            checks = _args(entry.get("args", []), library)
            for callee in _callees(entry, library):
                self.sanitizers[callee] = Sanitizer(callee, protects, entry.get("note", ""), library, checks,
                                                    bool(entry.get("raises", False)),
                                                    unless_keywords=tuple(_as_list(entry.get("unless_keywords", []))),
                                                    unless_line_breaks=tuple(_as_list(
                                                        entry.get("unless_line_breaks", []))))
            methods = _as_list(entry.get("methods", []))
            if methods:
                imports = tuple(_as_list(entry.get("imports", [])))
                if not imports or entry.get("raises") or entry.get("args"):
                    raise ModelError(f"{library}: a sanitizer by method names needs `imports` (the modules it "
                                     "applies to) and takes neither `raises` nor `args`")
                for method in methods:
                    self.method_sanitizers.setdefault(method, []).append(
                        Sanitizer("*." + method, protects, entry.get("note", ""), library, imports=imports))
        for entry in data.pop("propagator", []):
            for callee in _callees(entry, library):
                self.propagators[callee] = Propagator(callee, _args(entry.get("args", []), library),
                                                      bool(entry.get("receiver", True)), library,
                                                      bool(entry.get("copy", False)), str(entry.get("restores", "")),
                                                      _items_protect(entry.get("items_protect", {}), library))
        for entry in data.pop("returns", []):
            type_name = _req(entry, "type", library)
            item = entry.get("item")
            if item is not None and (type(item) is not int or item < 0):
                raise ModelError(f"{library}: returns item must be a tuple index, got {item!r}")
            for callee in _callees(entry, library):
                self.returns[callee] = type_name
                if item is not None:
                    self.returns_item[callee] = item
        for entry in data.pop("clean", []):
            self.clean.update(_callees(entry, library))
        for entry in data.pop("generated", []):
            args = _args(entry.get("args", []), library)
            kind = entry.get("type", "")
            note = entry.get("note", "")
            for callee in _callees(entry, library, required=False):
                self.generated_callees[callee] = Generated(callee, args, kind, note, library)
            for attr in _as_list(entry.get("attributes", [])):
                self.generated_attributes[attr] = Generated(attr, (), kind, note, library)
            for name in _as_list(entry.get("names", [])):
                self.generated_names[name] = Generated(name, (), kind, note, library)
        for entry in data.pop("unpredictable", []):
            self.unpredictable.update(_callees(entry, library))
        for entry in data.pop("entrypoint", []):
            if entry.get("methods") and not (entry.get("base_class") or entry.get("class_attribute")
                                             or entry.get("imports")):
                raise ModelError(f"{library}: an entry point by method names alone needs `imports` "
                                 "(the modules it applies to) or a base_class / class_attribute")
            registered = _registered_by(entry, library)
            if registered:
                index = len(self.entrypoints)
                for method in registered["registered_methods"]:
                    self.registration_methods.setdefault(method, []).append(index)
                for callee in registered["registered_callees"]:
                    self.registration_callees.setdefault(callee, []).append(index)
            table = _route_table(entry, library)
            if table:
                index = len(self.entrypoints)
                if table["table_tuples"]:
                    self.table_tuple_entries.append(index)
                for callee in table["table_callees"]:
                    self.table_callees.setdefault(callee, []).append(index)
            self.entrypoints.append(Entrypoint(
                kind=entry.get("kind", "remote"), decorator=entry.get("decorator", ""),
                decorator_method=entry.get("decorator_method", ""), base_class=entry.get("base_class", ""),
                param_types=tuple(sorted(entry.get("param_types", {}).items())),
                taint_params=bool(entry.get("taint_params", True)), response_sink=entry.get("response_sink", ""),
                library=library, methods=tuple(_as_list(entry.get("methods", []))),
                imports=tuple(_as_list(entry.get("imports", []))),
                **_class_attribute(entry, library),
                include_base_class=bool(entry.get("include_base_class", False)),
                cleansed=frozenset(_as_list(entry.get("cleansed", []))),
                words=_words(entry, library),
                converts_annotations=tuple(_as_list(entry.get("converts_annotations", []))),
                decorator_arg_types=int(entry.get("decorator_arg_types", -1)),
                injected=tuple(_as_list(entry.get("injected", []))),
                validated=_validated(entry, library),
                **registered,
                **table,
            ))
        data.pop("library", None)
        if data:
            raise ModelError(f"{library}: unknown section(s) {', '.join(sorted(data))}; "
                             "expected source, sink, sanitizer, propagator, returns, clean, generated, unpredictable, "
                             "entrypoint")

    def sinks_for(self, callee: str) -> list:
        return self.sinks.get(callee, ())

    def restored_kinds(self, marker: str) -> frozenset:
        """What a call that undoes ``marker``'s sanitizers makes dangerous again (``Propagator.restores``):
        every kind a sanitizer protecting ``marker`` protects, the marker included."""
        out = {marker} | _ALSO_UNDONE.get(marker, frozenset())
        for sanitizer in self.sanitizers.values():
            if marker in sanitizer.protects:
                out |= sanitizer.protects
        return frozenset(out)

    def source_attribute_names(self) -> frozenset:
        """The last names of every source attribute (``GET``, ``args``, ``cookies``...)."""
        names = self.source_attr_names
        if names is None:
            names = self.source_attr_names = frozenset(a.rsplit(".", 1)[-1] for a in self.sources_by_attribute)
        return names

    def generated_last_names(self) -> frozenset:
        """The last names of the ``[[generated]]`` attributes (``phrase`` of ``http.HTTPStatus.phrase``)."""
        names = self.generated_last
        if names is None:
            names = self.generated_last = frozenset(a.rpartition(".")[2] for a in self.generated_attributes)
        return names

    def cleansed_by_name(self, attr: str) -> frozenset:
        """The sink kinds that every source attribute named ``attr`` (of any request type of the
        models) is already safe for: ``host_url`` and ``headers`` hold no CR/LF in any framework.
        Applies to a request object whose type is not known here (passed whole to a helper)."""
        names = self.cleansed_names
        if names is None:
            names = {}
            for qualname, source in self.sources_by_attribute.items():
                last = qualname.rpartition(".")[2]
                names[last] = source.cleansed if last not in names else names[last] & source.cleansed
            self.cleansed_names = names
        return names.get(attr, frozenset())


def _load(path_or_text, library: str) -> dict:
    try:
        if isinstance(path_or_text, Path):
            return tomllib.loads(path_or_text.read_text(encoding="utf-8"))
        return tomllib.loads(path_or_text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"cannot read model file {library}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"model file {library} is not valid TOML: {exc}") from None


def _as_list(value) -> list:
    return [value] if isinstance(value, str) else list(value)


def _req(entry: dict, key: str, library: str):
    if key not in entry:
        raise ModelError(f"{library}: an entry lacks '{key}': {entry}")
    return entry[key]


def _callees(entry: dict, library: str, required: bool = True) -> list:
    callees = _as_list(entry.get("callee", [])) + _as_list(entry.get("callees", []))
    if required and not callees and not entry.get("methods"):
        raise ModelError(f"{library}: an entry names no callee: {entry}")
    return callees


def _args(spec, library: str) -> tuple:
    out = []
    for item in _as_list(spec) if not isinstance(spec, int) else [spec]:
        if isinstance(item, int):
            out.append(ArgRef(item, None))
        elif isinstance(item, str):
            out.append(ArgRef(None, item))
        elif isinstance(item, list) and len(item) == 2:
            out.append(ArgRef(item[0], item[1]))
        else:
            raise ModelError(f"{library}: bad argument reference {item!r}")
    return tuple(out)


def _items_protect(spec, library: str) -> tuple:
    """``{"1" = ["path"]}`` of a propagator: ``((1, frozenset({"path"})),)``."""
    if not isinstance(spec, dict):
        raise ModelError(f"{library}: items_protect must be a table of positions to sink kinds")
    try:
        return tuple(sorted((int(k), frozenset(_as_list(v))) for k, v in spec.items()))
    except ValueError as exc:
        raise ModelError(f"{library}: items_protect takes positions (0, 1, ...) as keys") from exc


def _one_arg(spec, library: str) -> ArgRef | None:
    if spec is None:
        return None
    refs = _args([spec], library)
    return refs[0]


def _conds(spec: dict) -> tuple:
    return tuple(sorted(spec.items()))


def builtin_model_files() -> list[tuple[str, object]]:
    folder = resources.files("secreview") / "models"
    return sorted((p.name.removesuffix(".toml"), p) for p in folder.iterdir() if p.name.endswith(".toml"))


def load_models(extra: Iterable[Path] = (), *, builtin: bool = True, exclude: Iterable[str] = ()) -> ModelSet:
    models = ModelSet()
    skip = set(exclude)
    if builtin:
        for name, path in builtin_model_files():
            if name not in skip:
                models.add_file(path.read_text(encoding="utf-8"), name)
    for path in extra:
        try:
            models.add_file(Path(path), str(path))
        except ModelError:
            raise
        except (TypeError, AttributeError, ValueError, KeyError) as exc:  # valid TOML, wrong shapes
            raise ModelError(f"model file {path} is malformed: {type(exc).__name__}: {exc}") from None
    return models


def _class_attribute(entry: dict, library: str) -> dict:
    """``class_attribute = { name = "target", calls = ["oslo_messaging.Target"] }`` of an entry point."""
    spec = entry.get("class_attribute")
    if spec is None:
        return {}
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not spec.get("calls"):
        raise ModelError(f"{library}: class_attribute needs a name and the calls that make its value")
    return {"class_attribute": spec["name"], "attribute_calls": tuple(_as_list(spec["calls"]))}


def _words(entry: dict, library: str) -> tuple[str, ...]:
    """An entry point's ``words``: three strings (the handler, who sets its parameters, what they hold), or none."""
    words = tuple(_as_list(entry.get("words", [])))
    if words and (len(words) != 3 or not all(isinstance(w, str) and w for w in words)):
        raise ModelError(f"{library}: an entry point's words are three strings (handler, setter, data), "
                         f"got {words!r}")
    return words


def _registered_by(entry: dict, library: str) -> dict:
    """``registered_by = { methods = ["add_get"], callees = ["aiohttp.web.get"], arg = [1, "handler"],
    method_keyword = "attr", route = [0, "path"], regex_callees = [...], given = [2, "kwargs"] }`` of an
    entry point."""
    spec = entry.get("registered_by")
    if spec is None:
        return {}
    if not isinstance(spec, dict) or "arg" not in spec or not (spec.get("methods") or spec.get("callees")):
        raise ModelError(f"{library}: registered_by needs the registering methods or callees and the handler's arg")
    if entry.get("decorator") or entry.get("decorator_method") or entry.get("base_class") \
            or entry.get("class_attribute"):
        raise ModelError(f"{library}: an entry point registered_by a call has no decorator, base_class or "
                         "class_attribute")
    unknown = set(spec) - {"methods", "callees", "arg", "method_keyword", "suffix_keyword", "route", "regex_callees",
                           "given"}
    if unknown:
        raise ModelError(f"{library}: unknown key(s) of registered_by: {', '.join(sorted(unknown))}")
    refs = []
    for key in ("arg", "route", "given"):
        if key not in spec:
            refs.append(None)
            continue
        arg = _args([spec[key]] if isinstance(spec[key], list) else spec[key], library)
        if len(arg) != 1:
            raise ModelError(f"{library}: registered_by's {key} is one argument: a position, a keyword or "
                             "[position, keyword]")
        refs.append(arg[0])
    regex = tuple(_as_list(spec.get("regex_callees", [])))
    if regex and (refs[1] is None or not set(regex) <= set(_as_list(spec.get("callees", [])))):
        raise ModelError(f"{library}: registered_by's regex_callees are some of its callees, with a route")
    return {"registered_methods": tuple(_as_list(spec.get("methods", []))),
            "registered_callees": tuple(_as_list(spec.get("callees", []))),
            "registered_arg": refs[0], "method_keyword": spec.get("method_keyword", ""),
            "suffix_keyword": spec.get("suffix_keyword", ""),
            "registered_route": refs[1], "registered_regex": regex, "registered_given": refs[2]}


def _route_table(entry: dict, library: str) -> dict:
    """``route_table = { tuples = true, callees = ["tornado.web.url"], arg = [1, "handler"],
    route = [0, "pattern"], encoded = true, syntax = "regex" }`` of an entry point with a base_class."""
    spec = entry.get("route_table")
    if spec is None:
        return {}
    if not isinstance(spec, dict) or not entry.get("base_class"):
        raise ModelError(f"{library}: route_table is a table, of an entry point with a base_class")
    unknown = set(spec) - {"tuples", "callees", "arg", "route", "encoded", "syntax"}
    if unknown:
        raise ModelError(f"{library}: unknown key(s) of route_table: {', '.join(sorted(unknown))}")
    callees = tuple(_as_list(spec.get("callees", [])))
    refs = []
    for key in ("arg", "route"):
        if key not in spec:
            if callees:
                raise ModelError(f"{library}: route_table's callees need the handler's arg and the route")
            refs.append(None)
            continue
        arg = _args([spec[key]] if isinstance(spec[key], list) else spec[key], library)
        if len(arg) != 1:
            raise ModelError(f"{library}: route_table's {key} is one argument: a position, a keyword or "
                             "[position, keyword]")
        refs.append(arg[0])
    syntax = spec.get("syntax", "regex")
    if syntax not in ("regex", "rule"):
        raise ModelError(f"{library}: route_table's syntax is \"regex\" or \"rule\", not {syntax!r}")
    return {"table_tuples": bool(spec.get("tuples", False)), "table_callees": callees,
            "table_arg": refs[0], "table_route": refs[1], "table_encoded": bool(spec.get("encoded", False)),
            "table_rules": syntax == "rule"}


def _validated(entry: dict, library: str) -> tuple:
    """``validated = [{ decorator = "...", params = ["body"], cleansed = ["conversion"] }]`` of an entry point."""
    out = []
    for item in _as_list(entry.get("validated", [])):
        if not isinstance(item, dict):
            raise ModelError(f"{library}: each item of validated is a table with decorator, params and cleansed")
        decorators = tuple(_as_list(item.get("decorator", [])) + _as_list(item.get("decorators", [])))
        params = tuple(_as_list(item.get("params", [])))
        kinds = frozenset(_as_list(item.get("cleansed", [])))
        if not decorators or not params or not kinds:
            raise ModelError(f"{library}: validated needs a decorator, the params it validates and the kinds "
                             f"they become safe for: {item}")
        out.append((frozenset(decorators), params, kinds))
    return tuple(out)
