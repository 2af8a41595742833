"""The whole-program step: every function of every reviewed module analysed
against its callees' summaries, and findings collected.

Functions are analysed on demand: the first call to a function of the reviewed
code analyses it (and so on down the call chain), so most bodies are interpreted
once. A function whose callees' summaries, fields or module globals change after
it was analysed (recursion, deep chains) is analysed again until nothing changes,
and only the findings of its last analysis count: the result is a fixed point, the
same whatever order the functions were met in.
"""

from __future__ import annotations

import ast
import copy
import functools
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import NamedTuple

from secreview.analysis import values as V
from secreview.analysis import whole_text
from secreview.analysis.code_text import code_of
from secreview.analysis.compact import SMALL, SharedSets, add_to, loads
from secreview.analysis.deferred import deferred_of, function_expr, synthetic_call
from secreview.analysis.findings_builder import FindingsBuilder, own_user_sender
from secreview.analysis.interface import definition, module_stub
from secreview.analysis.interpreter import (
    CHARSET,
    CHOSEN,
    DIGITS_OR_DEFAULT,
    EXCLUSIONS,
    FACTS,
    GIVEN,
    NOT_FACTS,
    SEGMENT,
    SITE_URL,
    SLASH_FREE_PARTS,
    BudgetExceeded,
    CallSite,
    FunctionInterpreter,
    SinkFlow,
    SinkSite,
    Summary,
    after_template_start,
    built_as,
    charset_converter,
    charset_converter_kinds,
    environ_item,
    formatted_taints,
    generated_value,
    hashable,
    is_number,
    is_quoting_call,
    is_quoting_name,
    is_slash,
    path_key,
    referer_item,
)
from secreview.analysis.models import Generated, ModelSet, Sink
from secreview.analysis.sql_text import QUOTED_PLACEHOLDER
from secreview.analysis.values import EMPTY, TOP, WHOLE_OBJECT, Step, Taint, Value
from secreview.findings.model import Span
from secreview.ir import nodes as ir
from secreview.ir.control import controlling_conditions
from secreview.ir.statements import bindings, calls, expressions, module_references
from secreview.rules.base import CallRule, FunctionRule, Rule, SinkRule, StatementRule

MAX_ANALYSES = 6
"""Analyses at most of a function in a call cycle (``Program.in_call_cycle``): recursion whose
summaries would keep growing stops there."""
MAX_ACYCLIC_ANALYSES = 40
"""Analyses at most of a function in no call cycle. Its summary changes only when what it read
changes, and a callee outside any cycle settles in a bounded number of analyses, so it would
settle anyway: capped at MAX_ANALYSES, it kept the summary it had when the cap came, which
depended on the order summaries arrived in (``--jobs``). This bound is a safety net only, for
what the call graph does not show: growth through fields or through cycles across worker
processes (each sees the calls its own functions make)."""
_KV_TYPES = frozenset({"configparser.ConfigParser", "configparser.RawConfigParser", "configparser.SafeConfigParser",
                       "ConfigParser.ConfigParser", "ConfigParser.RawConfigParser"})
_SECRET_SINK = Sink(kind="secret", callee="<store>", args=())
"""A value becoming a secret (stored or passed under a secret name): the sink of rule weak-random,
whose ``secret_name()`` says which names."""
MAX_DEPTH = 40
WANTED = "<wanted>"  # a field key ``(WANTED, qualname)`` in ``exports``: a summary asked of the program owning it
REGISTERED = "<registered handler>"  # the attribute of the field that marks a function registered as a handler
PASSED_TYPES = "<request passed to parameter %s>"
"""The attribute of the field of a function that holds the request types its callers pass to a parameter."""
DEBUG_ONLY = "registered:debug"  # a registration of a handler made only when settings.DEBUG holds
REGISTERED_LIVE = "registered:live"  # one made whatever the settings
MAX_SINK_FLOWS = 50
"""Parameter-to-sink flows kept per summary (the smallest, in a fixed order)."""
MAX_TRACKED_ITEMS = 256
"""Longest list whose items are followed one by one through ``append``/``insert``/``pop``; each
such call copies them, so thousands of appends (generated code) would cost quadratic time.
A longer list keeps the taint of everything in it, not where each item sits."""
_MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "appendleft", "extendleft", "push",
                       "write", "writelines"})
_REQUESTS_SESSION = frozenset({"requests.Session"})
_OTHER_SOCKETS = frozenset({"AF_INET", "AF_INET6", "AF_PACKET", "AF_BLUETOOTH", "AF_CAN", "create_connection"})
_LIST_REMOVERS = frozenset({"pop", "remove", "clear", "reverse", "sort"})
_LOOKUP_METHOD = re.compile(
    r"^_*(?i:get|find|fetch|lookup|retrieve|query|list|show|describe|create|update|delete|remove|destroy|purge|"
    r"issue|call|cast|select|search|filter|count|save|insert|register|allocate|reserve|acquire)(_|$|[A-Z])"
    r"|^(?:execute|executemany|executescript|callproc|exec_driver_sql)$")
"""Names of methods that look up, fetch or create something from what they are given
(``api.get_zone(ctx, zone_id)``, ``session.query(Zone).filter(...)``, ``client.call(ctx,
"create_zone", ...)``, ``store.create(**values)``, ``cursor.execute(sql, (url,))``): on an object
of unknown type, their result is what the object finds or makes, not their arguments (the rows a
statement selects with a client's value bound are the database's, not that value)."""


def _command_entry(interp) -> bool:
    """``interp``'s function is a command's entry point (a Django management command's ``handle()``, a
    click or typer command): its parameters are the options whoever runs it typed."""
    entry = getattr(interp, "entry", None)
    return entry is not None and entry[0] == "cli"


def _passed_on(interp, index: int, rule, kind: str):
    """The vote of a caller passing its own parameter ``index`` on: its callers decide (``defer``); a
    command's option is what its operator typed, no outside data a caller could pass (``command-line``);
    but not where the rule takes a command line for some sinks and not this one (an argument list: there a
    command line says nothing, and the parameter stays open as any other)."""
    if _command_entry(interp) and (rule.takes_source("cli", kind) or "cli" not in rule.source_kinds):
        return "command-line"
    return ("defer", interp.fn.qualname, index)


def _constructed(type_name: str) -> bool:
    """An instance of a class the code called (``keystoneauth1.session.Session``), not data: a
    source's value (``flask.request.args``), a string, an item or a method's result."""
    last = type_name.rpartition(".")[2].removesuffix("()")  # ``mod.Class()``: the engine's name for a call of it
    return last[:1].isupper() and not last.isupper() and not type_name.startswith("class:") \
        and "(" not in last and "[" not in last


_DEFAULTS_AT_1 = frozenset({"get", "pop", "setdefault"})
"""``d.get(key, default)``: the second argument may be returned."""
_CLEAN_METHODS = frozenset({
    "count", "index", "find", "rfind", "startswith", "endswith", "isdigit", "isalpha", "isalnum", "isnumeric",
    "isdecimal", "isspace", "islower", "isupper", "__len__", "exists", "is_file", "is_dir", "close",
})


class _LazyIndex(dict):
    """A dict that, on a miss, asks ``load(key)`` to make what may hold ``key``, then looks again;
    not for a key in ``nothing`` (what ``load`` has nothing to make for, as it found already: most
    lookups are of names no module defines, and they are many)."""

    __slots__ = ("load", "nothing")

    def __init__(self, load, *args, nothing=frozenset()):
        super().__init__(*args)
        self.load = load
        self.nothing = nothing

    def __missing__(self, key):
        if key not in self.nothing and self.load(key) and dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        raise KeyError(key)

    def get(self, key, default=None):
        if dict.__contains__(self, key) or (key not in self.nothing and self.load(key)
                                            and dict.__contains__(self, key)):
            return dict.__getitem__(self, key)
        return default

    def __contains__(self, key) -> bool:
        return dict.__contains__(self, key) or (key not in self.nothing and self.load(key)
                                                and dict.__contains__(self, key))


_EMPTY_SUMMARY = Summary()
"""The summary of every function analysed to an empty one (``Summary.is_empty``): nothing changes a
summary once its analysis is over."""

_UNRESOLVED = object()


def _is_property(fn: ir.Function) -> bool:
    """``fn`` is decorated ``@property`` or ``@functools.cached_property``: reading the attribute runs it."""
    return any(getattr(d, "qualname", None) in _PROPERTY_DECORATORS for d in fn.decorators)


_PROPERTY_DECORATORS = frozenset({"builtins.property", "functools.cached_property"})

_PLAIN_BASES = frozenset({"builtins.object", "object"})
"""``Program.plain_attributes``: the bases outside the reviewed code that add no attribute a name may find."""

_MOST_SUBCLASSES = 32
"""``Program.overrides``: past this many subclasses of a class, a call through it is not followed to them."""


class _Resolved(NamedTuple):
    """What ``resolve_function`` found for a name, with the names it consulted, when they are more
    than the name itself (the reads the cache records for it)."""

    found: str | None
    consulted: tuple


class Budget:
    """Analysis steps allowed per file, so that no input can make a review hang."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0

    def spend(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise BudgetExceeded()


_ROUTE_METHODS = frozenset({"route", "get", "post", "put", "delete", "patch", "api_route"})
_ROUTE_VARIABLE = re.compile(r"<(\w+)(?:\([^)]*\))?:(\w+)>")  # werkzeug ``<int(signed=True):page>``
_PATH_PARAM = re.compile(r"\{(\w+):(\w+)\}")  # starlette ``{page:int}``
_CONVERTER_TYPES = {"int": "builtins.int", "float": "builtins.float", "uuid": "uuid.UUID"}
_PLAIN_VARIABLE = re.compile(r"(?<!\?P)<(\w+)>|(?<!\{)\{(\w+)\}(?!\})")  # (not a named group: ``(?P<x>.*)``)
# a named group of digits only, at least one (``\d*`` may match nothing, and ``int("")`` raises)
_REGEX_DIGITS = re.compile(r"\(\?P<(\w+)>(?:\\d|\[0-9\])\+\)")
_BRACE_DIGITS = re.compile(r"\{(\w+):(?:\\d|\[0-9\])\+\}")  # aiohttp's ``{id:\d+}``


_SECURE_RANDOM = ("random.SystemRandom.", "random.SystemRandom().", "secrets.")


def _secure_random_candidate(callees) -> bool:
    """Whether one of the objects a call may be made on is the operating system's generator
    (``random.SystemRandom()``, ``secrets``): a name bound to it, with the ``random`` module only as a
    fallback where no such generator exists (``random = _get_sysrandom()``), gives values nobody can
    predict; calling them the Mersenne Twister's would be untrue."""
    return any(c.startswith(_SECURE_RANDOM) for c in callees)


_OS_SEEDS = ("os.urandom", "secrets.")


def _reseeded_from_os(fn: ir.Function, call: ir.Call) -> bool:
    """Whether ``fn`` calls ``random.seed()`` (no argument, ``None``, or bytes from ``os.urandom``/``secrets``)
    before the draw ``call``: CPython then fills the whole Mersenne Twister state from the operating
    system's generator, so a value drawn right after is not predictable from earlier outputs (askbot's
    ``random.seed(); return "%x" % random.getrandbits(128)``)."""
    if "seed" not in fn.names:
        return False
    for seed in calls(fn):
        if seed.qualname != "random.seed" or seed.line > call.line:
            continue
        if seed.keywords:
            continue
        if not seed.args or (isinstance(seed.args[0], ir.Const) and seed.args[0].value is None):
            return True
        arg = seed.args[0]
        if isinstance(arg, ir.Call) and (arg.qualname or "").startswith(_OS_SEEDS):
            return True
    return False


_TRACED_STATUSES = frozenset({"traced", "command-line"})
"""A caller's votes that carry data the analysis traced (``FindingsBuilder.vote``)."""
_CLOCK_SEEDS = ("time.", "datetime.", "os.getpid")


def _seeded_by_design(fn: ir.Function, call: ir.Call) -> bool:
    """Whether ``fn`` seeds the generator, before the draw ``call``, with a value of its own making that is
    neither a constant nor the clock (``random.seed(zlib.adler32(prefix))``, ``random.seed(secret_key)``): the
    draw then derives its value from that seed, reproducibly on purpose (metaflow's production tokens, langflow's
    key derived from the configured secret key), and is as hard to guess as the seed, which the draw does not
    make weaker. A constant seed (``random.seed(42)``) or the time (``random.seed(time.time())``) makes every
    value predictable: still reported."""
    if "seed" not in fn.names:
        return False
    for seed in calls(fn):
        if seed.qualname != "random.seed" or seed.line > call.line or len(seed.args) != 1 or seed.keywords:
            continue
        arg = seed.args[0]
        made = [arg]
        if isinstance(arg, ir.Name):
            made = [stmt.value for stmt in bindings(fn, arg.id) if isinstance(stmt, ir.Assign)]
            if not made and not any(p.name == arg.id for p in fn.params):
                continue
        if any(isinstance(m, ir.Const) or any(isinstance(e, ir.Call) and (e.qualname or "").startswith(_CLOCK_SEEDS)
                                               for e in ir.walk(m)) for m in made):
            continue
        return True
    return False


def _number_defaults(fn: ir.Function | None, indexes) -> bool:
    """Whether every parameter ``indexes`` of ``fn`` defaults to a number and has no annotation
    (``def is_flapping(self, window=1800)``): callers are expected to pass a number, which the built
    string holds as digits."""
    if fn is None or not indexes:
        return False
    for i in indexes:
        if i >= len(fn.params):
            return False
        p = fn.params[i]
        if p.annotation is not None or not isinstance(p.default, ir.Const) or type(p.default.value) not in (int, float):
            return False
    return True


_EXPOSE = frozenset({"flask_appbuilder.expose", "flask_appbuilder.views.expose", "flask_appbuilder.baseviews.expose"})


def _captured_defaults(fn: ir.Function | None, indexes) -> bool:
    """Whether ``fn`` is a lambda and every parameter ``indexes`` of it defaults to the variable of its own name
    (``lambda db=db: connect(db)``, made in a loop): the value captured where the lambda was made, which whoever
    calls the lambda does not pass."""
    if fn is None or not fn.is_lambda or not indexes:
        return False
    return all(i < len(fn.params) and isinstance(fn.params[i].default, ir.Name)
               and fn.params[i].default.id == fn.params[i].name for i in indexes)


_PICKS = frozenset({"choice", "choices", "sample"})


def _picks_existing(site, callee: str) -> bool:
    """``random.choice(self.context["users"])``, ``random.sample(conf["servers"], 2)``: one of the records the
    code keeps under a name (a user, a server), picked at random; the pick is not made into unguessable text.
    Only a population read by a constant key, of no text type: a name, an attribute or an expression may be
    an alphabet (``CHARS``, ``self.alphabet``, ``string.ascii_letters + string.digits``)."""
    if callee.rpartition(".")[2] not in _PICKS:
        return False
    if callee.rpartition(".")[2] == "choices" and (site.call.keyword("weights") is not None
                                                   or site.call.keyword("cum_weights") is not None):
        # ``random.choices(words, weights=counts)``: a weighted draw samples a distribution (a Markov chain's
        # next word); a secret is drawn uniformly, every symbol alike
        return True
    value, node = site.arg(0, "population")
    if value is None:
        value, node = site.arg(0, "seq")
    if value is None or not isinstance(node, ir.Subscript) or value.is_const or value.is_fixed \
            or "builtins.str" in value.types or "builtins.bytes" in value.types:
        return False
    return isinstance(node.index, ir.Const) and isinstance(node.index.value, str)


def _first_reads(caller: ir.Function) -> dict:
    """Variable -> the position (line, column) of its first read in the text of ``caller``'s own code."""
    first: dict = {}
    roots = [root for block in caller.blocks if block.origin is None for stmt in block.stmts
             for root in expressions(stmt)]
    roots += [edge.cond for block in caller.blocks for edge in block.succs if edge.cond is not None]
    for root in roots:
        for e in ir.walk(root):
            if type(e) is ir.Name:
                at = (e.line, e.col)
                if at < first.get(e.id, (1 << 30, 0)):
                    first[e.id] = at
    return first


def release_ir(module: ir.Module) -> None:
    """Break the IR's only reference cycle, a function's ``parent`` (its enclosing function, which lists
    it in ``children``), so that ``module``'s IR is freed as soon as nothing else holds it, also with the
    collector off (the review runs without it). (Through ``children``: a name defined twice leaves its first
    function out of ``functions``.)"""
    stack = list(module.functions.values())
    while stack:
        fn = stack.pop()
        if fn.parent is not None or fn.children:
            fn.parent = None
            stack.extend(fn.children)


class Program:
    def __init__(self, modules: Iterable[ir.Module], models: ModelSet, rules: Iterable[type[Rule]],
                 *, budget_steps: int = 2_000_000, test_path=None, foreign: Iterable[ir.Module] = (),
                 foreign_text=None, lazy_foreign: dict | None = None, lazy_owned: dict | None = None,
                 all_texts=None, text_facts=None, record_reads: bool = True, spill=None, on_demand=None,
                 dropped: dict | None = None, on_demand_unlowered: bool = False):
        """``modules`` are analysed here; ``foreign`` are stubs (``interface.module_stub``) of
        modules analysed elsewhere, whose summaries arrive through ``receive``;
        ``foreign_text(path)`` gives their source text for traces. ``lazy_foreign``
        (module name -> (path, function giving its stub)) are stubs made only when a lookup
        needs them: a review from the cache resolves into few of the tree's modules.
        ``lazy_owned`` (module name -> (path, function lowering it)) are analysed here too, but
        lowered only when first needed, and their IR is dropped once they are analysed (a stub
        with their text stands for them; a function analysed again has its module lowered anew):
        the IR of a whole tree is never held at once. ``all_texts()`` gives ``(path, text)`` of every
        file of the review, for the few questions asked of the whole tree's text
        (``secret_option_names``); ``text_facts(name)``, when given, gives those facts instead (the cache
        keeps each file's part of them: ``whole_text.file_parts``). ``record_reads``: whether to keep
        ``reads`` (what only the cache uses: a review without one does not hold them). ``spill``
        (``engine.spill.Spill``): where a function's reads go once its analysis ends, instead of ``reads``
        (``reads_of`` gives them back): only the cache's store asks for them, so they need not be in memory meanwhile.
        ``on_demand(path)``: whether the first pass leaves that file's functions out (test code the
        user did not name, ``Config.on_demand``): they are analysed only when the analysis of another
        function asks for their summary; the rest are never analysed, and find nothing.
        ``dropped`` (module name -> (its stub, with its text; a function lowering it anew)): owned modules
        whose IR is not held from the start, as a dropped ``lazy_owned`` module's (a worker's test modules,
        analysed only on demand: their IR, most of a share's, would otherwise be held to the end).
        ``on_demand_unlowered``: a ``lazy_owned`` module analysed on demand is lowered only when a lookup needs
        it, not at its turn in the first pass (the caller had its problems and suppressions already): most
        never are (neutron: 56 of 880 test modules), and those hold no stub either."""
        self.owned = {m.name: m for m in modules}
        self._stubs: dict = {}  # module name -> the stub standing for it while dropped
        self._relower: dict = {}  # module name -> the function lowering it anew (``dropped``)
        for name, (stub, relower) in (dropped or {}).items():
            self.owned[name] = self._stubs[name] = stub
            self._relower[name] = relower
        self._pending = {name: item for name, item in (lazy_foreign or {}).items() if name not in self.owned}
        self._pending_paths = {path: name for name, (path, _) in self._pending.items()}
        self._lazy_owned = {name: item for name, item in (lazy_owned or {}).items() if name not in self.owned}
        self._unlowered = set(self._lazy_owned)
        self._nothing_to_load: set = set()
        self._unlowered_paths = {path: name for name, (path, _) in self._lazy_owned.items()}
        self._dropped: set = set(self._stubs)  # lazily owned (or ``dropped``) modules whose IR is dropped now
        self._restored: set = set()  # dropped modules lowered anew since the last drop
        self._unanalysed: dict = {}  # lazily owned module lowered -> how many of its functions were never analysed
        self._complete: set = set()  # lowered modules whose every function was analysed, not dropped yet
        self.relowered = 0  # how many times a dropped module was lowered anew
        self._early: dict = {}  # qualname -> (summary, failed) received before its stub was made (``lazy_foreign``)
        self._on_demand_unlowered = on_demand_unlowered
        if self._pending or self._lazy_owned:
            nothing = self._nothing_to_load
            self.modules = _LazyIndex(self._load_named, self.owned, nothing=nothing)
            self.module_by_path = _LazyIndex(self._load_at_path)
            self.functions = _LazyIndex(self._load_named, nothing=nothing)
            self.function_module = _LazyIndex(self._load_named, nothing=nothing)
            self.classes = _LazyIndex(self._load_named, nothing=nothing)
        else:
            self.modules = dict(self.owned)
            self.module_by_path = {}
            self.functions: dict = {}
            self.function_module: dict = {}
            self.classes: dict = {}
        self.foreign_functions: set = set()
        for m in self.owned.values():
            self._register(m)
        for stub in foreign:
            if stub.name not in self.modules:
                self._register(stub)
        self.foreign_text = foreign_text
        self.all_texts = all_texts
        self.known_text_facts = text_facts
        self._text_facts: dict = {}  # ``text_fact``: name -> value
        self._subclasses: dict | None = None  # ``whole_text.subclass_index`` of the texts, when first asked
        self.models = models
        self.rules = [r() for r in rules]
        self.sink_rules: dict = {}
        self.call_rules: dict = {}
        for rule in self.rules:
            if isinstance(rule, SinkRule):
                for kind in rule.sink_kinds:  # several rules may watch one sink kind for different sources
                    self.sink_rules[kind] = self.sink_rules.get(kind, ()) + (rule,)
            elif isinstance(rule, CallRule):
                for callee in rule.callees:
                    self.call_rules.setdefault(callee, []).append(rule)
        self.secret_rule = next(iter(self.sink_rules.get("secret", ())), None)
        self.named_source_rules = [r for r in self.rules if isinstance(r, SinkRule)
                                   and type(r).named_source is not SinkRule.named_source]
        self._named_sources: dict = {}
        self._model_classes: frozenset | None = None
        self._entrypoint_lists: dict = {}  # ``_entrypoint_candidates``
        # the request types the models give handlers' parameters (``param_types``): a helper a handler
        # passes its request to reads the same request
        self.request_types = frozenset(t for ep in models.entrypoints for _, t in ep.param_types)
        # the calls that mark a handler's parameter as filled by the framework's dependency injection, in every
        # entry point of the models (``Entrypoint.injected``: FastAPI's ``Depends``, ``Security``)
        self.injected_callees = tuple(sorted({c for ep in models.entrypoints for c in ep.injected}))
        self._first_reads: dict = {}  # ``_first_use``: function -> variable -> where it is first read
        self._identifier_names: dict = {}
        self._masking_names: dict = {}
        self.statement_rules = [r for r in self.rules if isinstance(r, StatementRule)]
        self.function_rules = [r for r in self.rules if isinstance(r, FunctionRule)]
        self.vote_rules = [r for r in self.rules if getattr(r, "votes", False)]
        for rule in self.function_rules:
            rule.program = self  # for what only the whole program knows (is a function a request handler?)
        self.summaries: dict = {}
        self.types = SharedSets()  # ``frozenset({name})`` once per name, for ``Value.types``
        self.entrypoints: dict = {}
        self.rules_by_function: dict = {}
        self._rule_sets: dict = {}  # statement_rules_for's tuples, each kept once
        self.in_progress: list = []
        self.dependents: dict = {}  # qualname -> the functions that read its summary (``compact.add_to``)
        self._call_edges = 0  # how many (callee, caller) pairs ``dependents`` holds: it only grows
        self._cyclic: set = set()  # functions found in a call cycle (``in_call_cycle``)
        self._acyclic: dict = {}  # function found in none -> ``_call_edges`` then
        self.analysis_count: dict = {}
        self.module_globals: dict = {}
        self.fields: dict = {}
        self.field_readers: dict = {}  # field key -> the functions that read it (``compact.add_to``)
        self.dirty: set = set()
        self.opaque: set = set()  # functions whose analysis failed: callers treat them as unknown code
        self.field_parts: dict = {}  # field key -> {function that stored: value}, of its last analysis
        self.stored_by: dict = {}  # function -> the field keys its last analysis stored into (``compact.add_to``)
        self.received_fields: dict = {}  # field key -> what other programs' functions store there now
        self.unowned_fields: dict = {}  # field key -> what was stored there with no function being analysed
        self.reads: dict = {}  # function -> what it read of other modules, ("sum"|"field"|"def", key, module)s
        # (``compact.add_to``: a tuple of a few, else a set)
        self.record_reads = record_reads
        self._read_keys: dict = {}  # each read of ``reads`` once, however many functions made it
        self._spill = spill
        self._resolved: dict = {}
        self._resolved_classes: dict = {}  # ``resolve_class``'s answers, as ``_resolved`` for functions
        self._lineages: dict = {}  # ``lineage``'s walks, by class
        self.function_facts: dict = {}
        """What a rule works out from a function's own code alone, by ``(rule's key, module path, qualname)``:
        small answers (never IR), the same however often the function is analysed."""
        self._read_values: dict = {}  # memo of read_value for fields and definitions
        self._module_names: dict = {}
        self.exported: dict = {}  # qualname or field key -> fingerprint last given to ``exports``
        self.foreign_parts: dict = {}  # field key -> {function analysed elsewhere: what it stored}
        self.lazy_summaries: dict = {}  # qualname -> (pickled summary, failed, digest): cached or received
        # (from other workers ``compact.squeezed``: a large pickle compressed; and the pickle alone
        # when it was not a failed analysis and no reads are recorded, ``receive_pickled``)
        self.findings = FindingsBuilder(self)
        self.budget_limit = budget_steps
        self.budget = Budget(budget_steps)
        self.failed: dict = {}  # path -> reason (budget exceeded...)
        self.errors: dict = {}  # path -> (where, exception): a bug met while analysing that file
        self.test_path = test_path or (lambda path: False)
        self.on_demand = on_demand or (lambda path: False)
        self.wanted: set = set()  # functions of other programs' on-demand modules asked for here (``exports``)
        self._wanted_sent: set = set()
        self._test_paths: dict = {}  # ``in_test_code``
        self._command_numbers: dict = {}  # class qualname -> ``command_numbers``

    def _register(self, module: ir.Module) -> None:
        dict.__setitem__(self.modules, module.name, module)
        dict.__setitem__(self.module_by_path, module.path, module)
        foreign = module.name not in self.owned
        for q, fn in module.functions.items():
            dict.__setitem__(self.functions, q, fn)
            dict.__setitem__(self.function_module, q, module)
            if foreign:
                self.foreign_functions.add(q)
        for q, klass in module.classes.items():
            dict.__setitem__(self.classes, q, klass)

    def _load_named(self, key) -> bool:
        """Make the pending stubs that may define ``key`` (a module name or a qualname: its
        own module is one of its dotted prefixes). Whether any was made."""
        if not isinstance(key, str) or key in self._nothing_to_load:
            return False
        made = False
        name = key
        while name:
            item = self._pending.pop(name, None)
            if item is not None:
                del self._pending_paths[item[0]]
                self._register(item[1]())
                made = True
            if name in self._unlowered:
                self._unlowered.discard(name)
                del self._unlowered_paths[self._lazy_owned[name][0]]
                module = self._lazy_owned[name][1]()
                self._unanalysed[name] = len(module.functions)
                self._install_owned(module)
                if self._on_demand_unlowered and self.on_demand(module.path):
                    self._restored.add(name)  # (dropped again after the module being analysed, as a restored one)
                made = True
            name = name.rpartition(".")[0]
        if not made:
            # what is pending only shrinks: a name with nothing to make now never has (a negative memo,
            # for the lookups of names that are no module's: builtins, libraries, attributes)
            self._nothing_to_load.add(key)
        return made

    def _load_at_path(self, path) -> bool:
        name = self._pending_paths.get(path) or self._unlowered_paths.get(path)
        return name is not None and self._load_named(name)

    def owned_names(self) -> set:
        """The names of the modules analysed here, lowered yet or not (``lazy_owned``)."""
        return set(self.owned) | set(self._lazy_owned)

    def _install_owned(self, module: ir.Module) -> None:
        self.owned[module.name] = module
        self._register(module)

    def _drop(self, name: str) -> None:
        """A lazily owned module's IR is no longer held: its stub, with its text, stands for it."""
        module = self.owned[name]
        stub = self._stubs.get(name)
        if stub is None:
            stub = self._stubs[name] = module_stub(module)
            if self.foreign_text is None:
                stub.text = module.text
            # (else ``foreign_text`` gives the text when a finding quotes the module: ``FindingsBuilder._module``;
            # held by the stub, the text of every file analysed would be held to the end)
        self._install_owned(stub)
        release_ir(module)
        self._dropped.add(name)
        for rule in self.function_rules:
            rule.module_dropped(module.path)

    def _restore(self, name: str) -> None:
        """A dropped module lowered anew (one of its functions is to be analysed again)."""
        self._dropped.discard(name)
        self._restored.add(name)
        self.relowered += 1
        relower = self._relower.get(name)
        self._install_owned(relower() if relower is not None else self._lazy_owned[name][1]())

    # ------------------------------------------------------------ driver

    def run(self):
        self.first_pass()
        return self.findings.result()

    def first_pass(self, bodies_only: bool = False, modules: list | None = None) -> None:
        """Analyse every function of ``modules`` (default: all owned) not analysed yet; with
        ``bodies_only``, their module bodies only."""
        if modules is None and self._lazy_owned:
            self._lazy_first_pass(bodies_only)
            return
        for module in (sorted(modules, key=lambda m: m.path) if modules is not None else self.first_pass_order()):
            if self.on_demand(module.path):
                continue
            self.summary_of(module.body.qualname)
            if not bodies_only:
                for q, fn in module.functions.items():
                    if fn is not module.body:
                        self.summary_of(q)
            self.settle()

    def _lazy_first_pass(self, bodies_only: bool) -> None:
        """``first_pass`` when some owned modules are lowered lazily: the same order (by path),
        each module lowered when first needed and dropped when analysed."""
        for name, path in self.first_pass_order():
            if self.on_demand(path):
                # lowered all the same (its problems and suppressions), its IR dropped at once
                if name in self._unlowered:
                    if self._on_demand_unlowered:
                        continue
                    self._load_named(name)
                if name not in self._dropped:
                    self._drop(name)
                continue
            module = self.modules[name]  # lowered now, if nothing needed it before
            body = module.body
            rest = [q for q, fn in module.functions.items() if fn is not body]
            body = body.qualname
            del module
            self.summary_of(body)
            if not bodies_only:
                for q in rest:
                    self.summary_of(q)
            self.settle()
            if not bodies_only:
                # what was analysed through calls is dropped too, not held until its turn
                for other in sorted(self._restored | self._complete | {name}):
                    if (other in self._lazy_owned or other in self._relower) and other not in self._dropped:
                        self._drop(other)
                self._restored.clear()
                self._complete.clear()

    # ------------------------------------------------------------ exchange with other programs

    def exports(self) -> tuple[dict, dict]:
        """Summaries of this program's functions and its stores into fields that changed
        since the last call: ``({qualname: (summary, failed)}, {field key: value})``, a field's value
        what its functions store there now (their last analyses), None when that is nothing any more."""
        summaries = {}
        for q in sorted(self.summaries):
            if q in self.foreign_functions:
                continue
            summary = self.summaries[q]
            # (the digest alone for the summaries of functions whose analysis did not fail: a pair
            # for each of a tree's functions cost 64 bytes each)
            mark = (summary.digest(), True) if q in self.opaque else summary.digest()
            if self.exported.get(q) != mark:
                self.exported[q] = mark
                summaries[q] = (summary, q in self.opaque)
        fields = {}
        for key in sorted(self.field_parts, key=repr):
            value = self._local_field(key)  # None: its functions no longer store anything there
            mark = V.fingerprint(value) if value is not None else None
            if self.exported.get(key) != mark:
                self.exported[key] = mark
                fields[key] = value
        for q in sorted(self.wanted - self._wanted_sent):
            fields[(WANTED, q)] = V.Value()
        self._wanted_sent |= self.wanted
        return summaries, fields

    def receive_field_parts(self, parts: dict) -> None:
        """Cached stores into fields, by the function that made them (``adopt`` can take them back)."""
        for key, by_function in parts.items():
            mine = self.foreign_parts.setdefault(key, {})
            mine.update(by_function)
            for value in by_function.values():
                self.merge_field(key, value, local=False)

    def adopt(self, modules: list) -> None:
        """Analyse here, from nothing, modules whose stubs and cached results stood in so far
        (the cache found that something they read changed)."""
        adopted = set()
        for module in modules:
            item = self._pending.pop(module.name, None)  # never made: the module itself stands for it
            if item is not None:
                del self._pending_paths[item[0]]
            self.owned[module.name] = module
            self.modules[module.name] = module
            self.module_by_path[module.path] = module
            self.module_globals.pop(module.name, None)
            for q, fn in module.functions.items():
                self.functions[q] = fn
                self.function_module[q] = module
                self.foreign_functions.discard(q)
                adopted.add(q)
                self.summaries.pop(q, None)  # its readers here are dirty once its new summary exists
                self.lazy_summaries.pop(q, None)
                self.opaque.discard(q)
                self.exported.pop(q, None)
            self.classes.update(module.classes)
        self.entrypoints.clear()
        self.rules_by_function.clear()
        self._resolved.clear()
        self._resolved_classes.clear()
        self._lineages.clear()
        for key, by_function in self.foreign_parts.items():
            if adopted.intersection(by_function):
                for q in adopted.intersection(by_function):
                    del by_function[q]
                self.recompute_field(key)
        self.first_pass(bodies_only=True, modules=modules)
        self.first_pass(modules=modules)

    def receive(self, summaries: dict, fields: dict) -> None:
        """Summaries and field stores computed elsewhere; what read older ones is dirty."""
        for q, (summary, failed) in summaries.items():
            if q not in self.foreign_functions:
                if self._pending and self._in_pending(q):
                    self._early[q] = (summary, failed)  # nothing here read it yet: installed when asked for
                continue
            self._early.pop(q, None)
            previous = self.summaries.get(q)
            was_opaque = q in self.opaque
            self._install(q, summary, failed)
            if previous is None or was_opaque != failed or not summary.same_as(previous):
                self.dirty.update(self.dependents.get(q, ()))
        for key, value in fields.items():
            if type(key) is tuple and key[0] == WANTED:
                if key[1] not in self.foreign_functions and key[1] in self.functions \
                        and key[1] not in self.analysis_count:
                    self.dirty.add(key[1])  # (on demand: another program's function calls it)
                continue
            # what the other programs' functions store there now (``None``: nothing any more), in place of
            # what they stored before
            if value is None:
                self.received_fields.pop(key, None)
            else:
                self.received_fields[key] = value
            self.recompute_field(key)

    def receive_pickled(self, summaries: dict, fields: dict) -> None:
        """``receive`` for summaries each pickled apart, ``{qualname: (pickle, failed, digest)}``:
        one not read here yet stays pickled until it is (``lazy_summaries``; a share reads a part
        of the others' summaries only); one read already is installed now, and what read it is dirty
        if it changed."""
        eager = {}
        for q, (blob, failed, digest) in summaries.items():
            if q in self.foreign_functions and q in self.summaries:
                eager[q] = (loads(blob), failed)
            elif q in self.foreign_functions or (self._pending and self._in_pending(q)):
                # the pickle alone unless the analysis failed (tens of thousands wait here: a tuple and a
                # digest each cost 145 bytes; the cache asks ``read_value`` for the digest of the few
                # read and still pickled, which unpickles them)
                self.lazy_summaries[q] = (blob, failed, digest) if failed else blob
        self.receive(eager, fields)

    def _in_pending(self, qualname: str) -> bool:
        """Whether ``qualname`` is in a module whose stub is not made yet (``lazy_foreign``)."""
        name = qualname.rpartition(".")[0]
        while name:
            if name in self._pending:
                return True
            name = name.rpartition(".")[0]
        return False

    def first_pass_order(self) -> list:
        """Modules in the order their functions are first analysed; any order gives the same result.
        With ``lazy_owned``, ``(name, path)`` of every owned module instead (most are not lowered yet)."""
        if self._lazy_owned:
            paths = {name: module.path for name, module in self.owned.items()}
            paths.update((name, path) for name, (path, _) in self._lazy_owned.items())
            return [(name, paths[name]) for name in sorted(paths, key=paths.get)]
        return sorted(self.owned.values(), key=lambda m: m.path)

    def settle(self) -> None:
        """Analyse again, in a fixed order, every function whose callees' summaries, fields
        or module globals changed since its last analysis, until nothing changes: the
        result is then the same whatever order the functions were first met in."""
        while self.dirty:
            qualname = min(self.dirty)
            self.dirty.discard(qualname)
            count = self.analysis_count.get(qualname, 0)
            if count < MAX_ANALYSES or (count < MAX_ACYCLIC_ANALYSES and not self.in_call_cycle(qualname)):
                self.analyse(qualname)

    def in_call_cycle(self, qualname: str) -> bool:
        """Whether ``qualname`` is in a recursive strongly-connected component of the call graph
        seen so far (``dependents``: callee -> the functions whose analysis read its summary,
        module bodies included, whose globals their functions read): whether it calls itself,
        directly or through others. Calls are only ever added, so a yes stays one; a no is
        worked out again once a call was added."""
        if qualname in self._cyclic:
            return True
        if self._acyclic.get(qualname) == self._call_edges:
            return False
        seen = set()
        stack = [qualname]
        while stack:
            for caller in self.dependents.get(stack.pop(), ()):
                if caller == qualname:
                    self._cyclic.add(qualname)
                    return True
                if caller not in seen:
                    seen.add(caller)
                    stack.append(caller)
        self._acyclic[qualname] = self._call_edges
        return False

    def _error(self, qualname: str, exc: Exception) -> None:
        """Record an exception met while analysing ``qualname`` (a bug of secreview, or RecursionError)."""
        path = self.function_module[qualname].path
        label = f"`{qualname}`"
        if path not in self.errors or label < self.errors[path][0]:  # one per file, whatever the order
            self.errors[path] = (label, exc)

    def note_read(self, kind: str, key, module_name: str | None) -> None:
        """The function being analysed used ``key`` of another module: the cache re-analyses
        it when that module changes."""
        if self.in_progress and module_name is not None and self.record_reads:
            caller = self.in_progress[-1]
            if self.function_module[caller].name != module_name:
                self._note(caller, (kind, key, module_name))

    def _note(self, function: str, read: tuple) -> None:
        if self._spill is None:
            read = self._read_keys.setdefault(read, read)  # shared by the functions that keep it
        add_to(self.reads, function, read)

    def _spill_reads(self, function: str) -> None:
        """With ``spill``: the reads of ``function``'s analysis just ended go there, among those of its
        module (one chain of records per module: ``reads_by_function`` joins them)."""
        reads = self.reads.pop(function, None)
        if reads:
            self._spill.add(("reads", self.function_module[function].name), (function, tuple(reads)))

    def reads_by_function(self, module_name: str, functions) -> dict:
        """Everything each of ``functions`` (of module ``module_name``) read of other modules over all
        its analyses (``note_read``): ``{function: reads}``, those that read nothing left out."""
        out: dict = {}
        if self._spill is not None:
            for function, reads in self._spill.chain(("reads", module_name)):
                out.setdefault(function, set()).update(reads)
        for function in functions:
            reads = self.reads.get(function)
            if reads:
                if function in out:
                    out[function].update(reads)
                else:
                    out[function] = reads
        return out

    def reads_of(self, function: str):
        """``reads_by_function`` of one function, or None when it read nothing."""
        return self.reads_by_function(self.function_module[function].name, (function,)).get(function)

    def read_value(self, kind: str, key, module_name: str):
        """What a read (``note_read``) finds now, as a short comparable value."""
        if kind == "sum":
            lazy = self.lazy_summaries.get(key)
            if type(lazy) is bytes:
                return (loads(lazy).digest(), False)
            if lazy is not None:
                return (lazy[2], lazy[1])
            summary = self.summaries.get(key)
            return None if summary is None else (summary.digest(), key in self.opaque)
        if kind == "text":
            return whole_text.comparable(self.text_fact(key)) if whole_text.is_fact(key) else None
        if kind == "field":
            value = self.fields.get(key)
            if value is None:
                return None
            found = self._read_values.get((kind, key))
            if found is None or found[0] is not value:
                found = self._read_values[(kind, key)] = (value, V.digest(value))
            return found[1]
        module = self.modules.get(module_name)
        if module is None:
            return None
        found = self._read_values.get((kind, key, module_name))
        if found is None or found[0] is not module:
            found = self._read_values[(kind, key, module_name)] = (module, definition(module, key))
        return found[1]

    def forget_analysis(self) -> None:
        """Drop what only analysing functions reads (who read which summary or field, resolved names,
        entrypoints, rules' facts, lineages): for a process whose analysis is over and which stores
        its results next (``read_value``, ``exports``, the findings and summaries are untouched). The
        store then reuses their memory instead of growing past it."""
        for held in (self.dependents, self.field_readers, self._resolved, self._resolved_classes,
                     self._lineages, self.function_facts, self.entrypoints, self._named_sources,
                     self._identifier_names, self._module_names, self.rules_by_function, self._acyclic,
                     self.stored_by):
            held.clear()

    def fields_held(self):
        """The keys of the fields that hold a value now: ``read_value`` of any other field is None."""
        return [key for key, value in self.fields.items() if value is not None]

    def forget_read_values(self) -> None:
        """Drop ``read_value``'s memo (what it works out again when asked: a cost, never a difference).
        The cache stores a file at a time, and a worker's memo of every definition its files read
        held 3 MiB at its peak on neutron."""
        self._read_values.clear()

    def _install(self, qualname: str, summary: Summary, failed: bool) -> None:
        """A summary computed elsewhere (another worker, the cache) stands for ``qualname``."""
        self.summaries[qualname] = summary
        if failed:
            self.opaque.add(qualname)
        else:
            self.opaque.discard(qualname)
        if summary.state is not None:
            self.module_globals[self.function_module[qualname].name] = summary.state

    def _unpickle_summary(self, qualname: str) -> None:
        """A cached summary, unpickled when first asked for (``lazy_summaries``)."""
        held = self.lazy_summaries.pop(qualname)
        if type(held) is bytes:
            self._install(qualname, loads(held), False)
        else:
            self._install(qualname, loads(held[0]), held[1])

    def module_references(self, module) -> dict:
        """``ir.statements.module_references`` of ``module``, worked out once per module."""
        memo = self.__dict__.setdefault("_module_references", {})
        found = memo.get(module.name)
        if found is None:
            found = memo[module.name] = module_references(module)
        return found

    def unix_sockets_only(self, module) -> bool:
        """The module's code names ``AF_UNIX`` and no other socket family (nor ``create_connection``, which
        opens a TCP connection): the sockets it reads are Unix sockets. Worked out once per module."""
        memo = self.__dict__.setdefault("_unix_sockets_only", {})
        found = memo.get(module.name)
        if found is None:
            names = set()
            for fn in (module.body, *module.functions.values()):
                names.update(fn.names)
            found = memo[module.name] = "AF_UNIX" in names and not names & _OTHER_SOCKETS
        return found

    def summary_of(self, qualname: str) -> Summary | None:
        caller = self.in_progress[-1] if self.in_progress else None
        module = self.function_module.get(qualname)
        if caller is not None and module is not None:
            self.note_read("sum", qualname, module.name)
        if qualname in self.lazy_summaries:
            self._unpickle_summary(qualname)
        elif qualname in self._early:
            self._install(qualname, *self._early.pop(qualname))
        summary = self.summaries.get(qualname)
        if summary is None:
            if qualname not in self.functions:
                return None
            self.summaries[qualname] = summary = Summary()  # provisional: what callers see until it is analysed
            if qualname in self.foreign_functions:
                # analysed elsewhere: its summary arrives through ``receive`` (asked for, when its
                # program analyses it only on demand)
                if self.on_demand(module.path if module is not None else self.function_module[qualname].path):
                    self.wanted.add(qualname)
            elif len(self.in_progress) < MAX_DEPTH:
                self.analyse(qualname)
                summary = self.summaries[qualname]
            else:
                self.dirty.add(qualname)  # too deep to analyse now: later, and its callers again then
        if caller is not None:  # callers are analysed again if this summary changes
            if caller not in self.dependents.get(qualname, ()):
                add_to(self.dependents, qualname, caller)
                self._call_edges += 1
        return None if qualname in self.opaque else summary

    def analyse(self, qualname: str) -> None:
        """One analysis of one function, on its own step budget; what it finds replaces
        what its previous analysis found, and a changed summary makes its callers dirty."""
        module = self.function_module[qualname]
        if module.name in self._dropped:
            self._restore(module.name)
            module = self.function_module[qualname]
        fn = self.functions[qualname]
        outer_budget, outer_bucket = self.budget, self.findings.current
        if qualname not in self.analysis_count:
            left = self._unanalysed.get(module.name)
            if left is not None:
                self._unanalysed[module.name] = left - 1
                if left == 1:
                    self._complete.add(module.name)
            self.findings.start(qualname + "\0function rules")
            in_tests = self.in_test_code(module.path)
            for rule in self.function_rules:
                if (in_tests and not rule.tests_relevant) or not rule.relevant(fn):
                    continue  # (in test code: its findings would be dropped from the report, see ``in_test_code``)
                for hit in rule.check_function(module, fn) or ():
                    self.findings.add_function_hit(rule, module, hit)
        self.analysis_count[qualname] = self.analysis_count.get(qualname, 0) + 1
        self.findings.start(qualname)
        self.budget = Budget(self.budget_limit)
        reads = self.reads.get(qualname)
        if reads is not None and type(reads) is tuple and len(reads) > SMALL:
            self.reads[qualname] = set(reads)  # analysed again: ``add_to`` tests membership in a set
        stored_before = self._take_stores(qualname)
        self.in_progress.append(qualname)
        self.opaque.discard(qualname)
        try:
            interp = FunctionInterpreter(self, module, fn)
            summary = interp.run()
            if fn is module.body:
                summary.state = interp.state
                self.module_globals[module.name] = interp.state
        except BudgetExceeded:
            self.failed[module.path] = f"analysis stopped after {self.budget_limit:,} steps (analysis budget)"
            summary = Summary()
            self.opaque.add(qualname)
        except Exception as exc:  # a bug (or RecursionError): this function's problem, the others go on
            self._error(qualname, exc)
            summary = Summary()
            self.opaque.add(qualname)
        finally:
            self.in_progress.pop()
            self.budget = outer_budget
            self.findings.resume(outer_bucket)
            if stored_before:
                self._replace_stores(qualname, stored_before)
            if self._spill is not None:
                self._spill_reads(qualname)
            else:
                reads = self.reads.get(qualname)
                if type(reads) is set:  # kept until the cache stores them: a tuple of n costs 8n bytes, a set 30n+
                    self.reads[qualname] = tuple(reads)
        if type(fn.names) is frozenset:
            fn.names = tuple(fn.names)  # every rule asked already (``ir.Function.names``)
        if summary.is_empty():
            summary = _EMPTY_SUMMARY  # two summaries in three: one object, not three each
        else:
            summary.share()
        previous = self.summaries.get(qualname)
        self.summaries[qualname] = summary
        if previous is None or not summary.same_as(previous):
            self.dirty.update(self.dependents.get(qualname, ()))

    # ------------------------------------------------------------ lookups

    def entrypoint_for(self, module: ir.Module, fn: ir.Function):
        """(taint kind, {param: type}, Entrypoint) when ``fn`` is a request handler or RPC endpoint."""
        key = fn.qualname  # (not id: IR dropped and lowered anew makes new objects)
        if key not in self.entrypoints:
            self.entrypoints[key] = self._entrypoint_for(module, fn)
        found = self.entrypoints[key]
        if self.models.registration_methods or self.models.registration_callees:
            ep = found[2] if found is not None else None
            if ep is None or not (ep.decorator or ep.decorator_method or ep.base_class or ep.class_attribute
                                  or ep.methods):
                # registered by a call (``app.router.add_get(path, handler)``): before the fallback entries
                # that match any ``def view(request)``
                registered = self.registered_entry(fn)
                if registered is not None:
                    return registered
        return found

    def registered_entry(self, fn: ir.Function):
        """The entry point of a function some call of the reviewed code registers as a handler
        (``registered_by``), from what those calls stored (``register_handlers``); read as a field,
        so the function is analysed again, and the cache knows what it depends on, should that change."""
        key = (fn.qualname, REGISTERED)
        if self.in_progress and self.in_progress[-1] == fn.qualname:
            value = self.field_value(*key)
        else:
            value = self.fields.get(key)
        if value is None:
            return None
        indexes = sorted(int(t.rpartition(":")[2]) for t in value.types if t.startswith("entrypoint:"))
        if not indexes:
            return None
        ep = self.models.entrypoints[indexes[0]]  # (the first in model order, as for the other entries)
        return (ep.kind if ep.taint_params else "", dict(ep.param_types), ep)

    def register_handlers(self, interp: FunctionInterpreter, site: CallSite, callees: list) -> None:
        """A call that registers a request handler (``registered_by``): the handler's functions are
        entry points, stored as a field of each (``registered_entry``)."""
        models = self.models
        indexes = list(models.registration_methods.get(site.call.method, ())) if site.call.method else []
        for callee in callees:
            indexes.extend(models.registration_callees.get(callee, ()))
        for index in sorted(set(indexes)):
            ep = models.entrypoints[index]
            if not _imports_ok(interp.module, ep):
                continue
            value, _ = site.arg(ep.registered_arg.position, ep.registered_arg.name)
            if value is None:
                continue
            methods = ep.methods
            if ep.method_keyword:
                named = site.const_kwarg(ep.method_keyword, None)
                if isinstance(named, str) and named.isidentifier():
                    methods = tuple(m for m in methods if m == "__init__") + (named,)
            if ep.suffix_keyword:
                suffix = site.const_kwarg(ep.suffix_keyword, None)
                if isinstance(suffix, str) and suffix.isidentifier():
                    methods = tuple(f"{m}_{suffix}" for m in methods if m != "__init__")
            mark = {f"entrypoint:{index}"}
            if ep.registered_route is not None:
                # the route, for its converters (``registered_params``); "?" when it is not a constant;
                # ``regex:`` a regular expression (``re_path``), ``route:`` a route of variables (``path``)
                route, node = site.arg(ep.registered_route.position, ep.registered_route.name)
                text = route.const if route is not None and route.is_const else _constant_text(node)
                prefix = "regex" if ep.registered_regex and any(c in ep.registered_regex for c in callees) \
                    else "route"
                given = _given_keywords(site, ep.registered_given) if isinstance(text, str) else ""
                mark.add(f"{prefix}:{index}:{text}{given}" if isinstance(text, str) else f"{prefix}:{index}:?")
            # registered only when the settings say development (``if settings.DEBUG:``), or always
            where = DEBUG_ONLY if _under_debug(interp) else REGISTERED_LIVE
            mark.add(where)
            mark = Value(types=frozenset(mark))
            for handler in self._handlers(value, methods):
                self.merge_field((handler, REGISTERED), mark)
            # a class registered (``views.PreviewView.as_view()``, or the class itself): for all its methods
            _, node = site.arg(ep.registered_arg.position, ep.registered_arg.name)
            names = {name[6:] for name in value.types if name.startswith("class:")}
            if isinstance(node, ir.Call) and isinstance(node.func, ir.Attr) and node.func.attr == "as_view" \
                    and getattr(node.func.value, "qualname", None):
                names.add(node.func.value.qualname)
            # (with the route: what it captures are the keyword arguments Django passes its methods)
            routed = frozenset(m for m in mark.types if not m.startswith("entrypoint:"))
            for name in sorted(names):
                klass = self.resolve_class(name)
                if klass is not None:
                    self.merge_field((klass, REGISTERED), Value(types=routed))

    def debug_only(self, fn: ir.Function) -> bool:
        """Whether ``fn``, or the class it is a method of, is registered as a handler by the reviewed code
        only under a condition that the settings are a development's (``if settings.DEBUG:``
        ``urlpatterns += [...]``), never elsewhere: a handler of a development server only. Read as a
        field, so the function is analysed again should that change."""
        for key in (fn.qualname, fn.class_qualname):
            if key is None:
                continue
            value = self.field_value(key, REGISTERED)
            if value is not None and DEBUG_ONLY in value.types and REGISTERED_LIVE not in value.types:
                return True
        return False

    def pass_request_types(self, site: CallSite, fn: ir.Function, target: str, callee: str) -> None:
        """A request object (of a type the models give a handler's parameter) that a method hands to another
        method of its own object (``self._resource_for(request)``) before reading anything of it: that
        parameter is the same request there (``passed_request_types``), stored as a field of the method, so
        that it is analysed again when a caller passes one. Not to functions outside the object (a
        project's request parsers, whose results the handler checks in ways the analysis may not see),
        nor after the caller read or checked the request (``_first_use``)."""
        if not any(not v.types.isdisjoint(self.request_types) for v in site.args) and not any(
                not v.types.isdisjoint(self.request_types) for v in site.kwargs.values()):
            return
        caller = site.interp.fn
        func = site.call.func
        if not (fn.is_method and caller.is_method and caller.params and isinstance(func, ir.Attr)
                and isinstance(func.value, ir.Name) and func.value.id == caller.params[0].name):
            return  # only a method of the handler's own object (``self._resource_for(request)``)
        nodes: dict = {}
        for index, value in self.bind_arguments(site, fn, target, callee, nodes).items():
            types = value.types & self.request_types
            if types and index < len(fn.params) and fn.params[index].kind == "positional" \
                    and self._first_use(caller, nodes.get(index)):
                self.merge_field((target, PASSED_TYPES % fn.params[index].name), Value(types=types))

    def _first_use(self, caller: ir.Function, node) -> bool:
        """Whether ``node`` (an argument) is a variable read there for the first time in the caller (in the
        order of the text). A request handed on before anything of it was read or checked (``return
        self._resource_for(request)``) is the helper's to read; one handed on after the caller read or
        checked it may have passed checks the helper does not see (a header refused unless it is a
        number), so the helper is not given its type."""
        if type(node) is not ir.Name:
            return False
        first = self._first_reads.get(caller)
        if first is None:
            first = self._first_reads[caller] = _first_reads(caller)
        return first.get(node.id, (node.line, node.col)) >= (node.line, node.col)

    def passed_request_types(self, fn: ir.Function, name: str) -> frozenset:
        """The request types callers in the reviewed code pass to parameter ``name`` of ``fn``."""
        value = self.field_value(fn.qualname, PASSED_TYPES % name)
        return value.types if value is not None else EMPTY

    def register_route(self, index: int, handler: Value, pattern) -> None:
        """An entry of a route table (``route_table``: ``(r"/error/(\\d+)", ErrorHandler)``, ``url(...)``):
        the URL pattern (or "?" when it is not a constant string) is stored in a field of each request
        method of the handler class, when that class derives from the entry point's base class; the
        methods read it for their parameters (``table_converters``)."""
        ep = self.models.entrypoints[index]
        names = {t[6:] if t.startswith("class:") else t for t in handler.types}
        if handler.func:
            names.add(handler.func)
        mark = Value(types=frozenset({f"route:{index}:{pattern if isinstance(pattern, str) else '?'}"}))
        for name in sorted(names):
            klass = self.resolve_class(name)
            if klass is None or not self.derives_from(klass, ep.base_class):
                continue
            for handler_fn in self._handlers(Value(types=frozenset({"class:" + klass})), ep.methods):
                self.merge_field((handler_fn, REGISTERED), mark)

    def table_converters(self, fn: ir.Function, ep) -> dict:
        """``route_converters`` of a request method of a class a route table routes to (``register_route``):
        its parameters that every pattern routing to the class gives digits only (``(\\d+)``), or one path
        segment; nothing when a pattern is not known or when no table was seen."""
        key = (fn.qualname, REGISTERED)
        if self.in_progress and self.in_progress[-1] == fn.qualname:
            value = self.field_value(*key)
        else:
            value = self.fields.get(key)
        if value is None:
            return {}
        index = f"route:{self.models.entrypoints.index(ep)}:"
        routes = [t[len(index):] for t in sorted(value.types) if t.startswith(index)]
        if ep.table_rules:
            return _routes_converters(fn, [_converters_of(r, keep_unknown=True) if r != "?" else None for r in routes])
        return _routes_converters(fn, [_group_converters(r, fn, ep.table_encoded) if r != "?" else None
                                       for r in routes])

    def _handlers(self, value: Value, methods: tuple) -> list:
        """The reviewed functions a registered handler value stands for: a function, or the
        ``methods`` of a class or of an instance of one (each found in the class or its reviewed bases)."""
        out: dict = {}
        names = ([value.func] if value.func else []) + sorted(value.types)
        for name in names:
            is_class = name.startswith("class:")
            name = name[6:] if is_class else name
            klass = self.resolve_class(name)
            if klass is not None:
                for method in methods:
                    if method == "__init__" and not is_class:
                        continue  # an instance registered: made before any request
                    for _, found in self.lineage(klass):
                        if found is not None and f"{found}.{method}" in self.functions:
                            out.setdefault(f"{found}.{method}")
                            break
            elif not is_class:
                target = self.resolve_function(name)
                # (not a lambda: ``view_func=lambda **kw: app.send_static_file(**kw)`` forwards to the
                # framework, as the decorator entries do not match lambdas either)
                if target is not None and not target.endswith(".__init__") and not self.functions[target].is_lambda:
                    out.setdefault(target)
        return list(out)

    def _entrypoint_candidates(self, decorated: bool, in_class: bool) -> tuple:
        """The model's entry points, in model order, that ``_entrypoint_for`` could match for a function
        with decorators or without, in a class or not (the others fail their first test there)."""
        key = (decorated, in_class)
        found = self._entrypoint_lists.get(key)
        if found is None:
            def possible(ep) -> bool:
                if ep.registered_arg is not None:
                    return False  # (``registered_entry``)
                if ep.decorator or ep.decorator_method:
                    return decorated
                if ep.base_class or ep.class_attribute or ep.methods:
                    return in_class
                return bool(ep.param_types)
            found = self._entrypoint_lists[key] = tuple(ep for ep in self.models.entrypoints if possible(ep))
        return found

    def _entrypoint_for(self, module: ir.Module, fn: ir.Function):
        if fn.is_lambda or fn.name.startswith("<"):
            return None
        for ep in self._entrypoint_candidates(bool(fn.decorators), bool(fn.class_qualname)):
            if ep.registered_arg is not None:
                continue  # (``registered_entry``)
            # (the import filter is asked only of an entry point that matches otherwise: it reads
            # every import of the module, and most functions match no entry point at all)
            if ep.decorator or ep.decorator_method:
                for d in fn.decorators:
                    target = d.func if isinstance(d, ir.Call) else d
                    qual = getattr(target, "qualname", None) or ""
                    method = target.attr if isinstance(target, ir.Attr) else ""
                    if ep.decorator and qual and qual != ep.decorator and not isinstance(d, ir.Call):
                        qual = self._forwarded(qual) or qual  # (``@task`` of ``def task(f): return invoke.task(f)``)
                    if ((ep.decorator and qual == ep.decorator)
                            or (ep.decorator_method and method == ep.decorator_method)) \
                            and _imports_ok(module, ep):
                        return (ep.kind if ep.taint_params else "", dict(ep.param_types), ep)
            elif ep.base_class and fn.class_qualname:
                if not fn.name.startswith("_") and (not ep.methods or fn.name in ep.methods) \
                        and not _static(fn) and not _classmethod(fn) \
                        and ((ep.include_base_class and fn.class_qualname == ep.base_class)
                             or self.derives_from(fn.class_qualname, ep.base_class)) and _imports_ok(module, ep):
                    return (ep.kind if ep.taint_params else "", dict(ep.param_types), ep)
            elif ep.class_attribute:
                found = self.class_attribute(fn.class_qualname, ep.class_attribute) if fn.class_qualname else None
                value = found[1] if found is not None else None
                if isinstance(value, ir.Call) and getattr(value.func, "qualname", None) in ep.attribute_calls \
                        and not fn.name.startswith("_") and (not ep.methods or fn.name in ep.methods) \
                        and not _static(fn) and not _classmethod(fn) and _imports_ok(module, ep):
                    return (ep.kind if ep.taint_params else "", dict(ep.param_types), ep)
            elif ep.methods and fn.class_qualname:
                # methods found by name on any class (Falcon's `on_get` responders): only with `imports`
                if fn.name in ep.methods and not _static(fn) and not _classmethod(fn) and _imports_ok(module, ep):
                    return (ep.kind if ep.taint_params else "", dict(ep.param_types), ep)
            elif ep.methods:
                continue
            elif ep.param_types and not ep.decorator and not ep.base_class:
                names = {p.name for p in fn.params}
                if any(p in names for p,
                       _ in ep.param_types) and fn.params and fn.params[0].name in dict(ep.param_types) \
                        and _imports_ok(module, ep):
                    return ("", dict(ep.param_types), ep)
        return None

    def named_source(self, name: str):
        """``(kind, what, only on configuration objects)`` when a rule treats a value read under
        ``name`` as a source (``password`` for the sensitive-data rule), else None."""
        found = self._named_sources.get(name, False)
        if found is False:
            found = None
            for rule in self.named_source_rules:
                found = rule.named_source(name)
                if found is not None:
                    if found[0] not in V.NAMED_KINDS:
                        raise ValueError(f"{rule.id}: named sources must be of a kind in NAMED_KINDS, not {found[0]}")
                    break
            self._named_sources[name] = found
        return found

    def masking_function(self, name: str) -> bool:
        """Whether a rule with named sources says a function so named returns what it is given with
        that rule's secrets hidden (``mask_password``, ``scrub_headers``, ``redact``)."""
        found = self._masking_names.get(name)
        if found is None:
            found = self._masking_names[name] = any(rule.masking_function(name) for rule in self.named_source_rules)
        return found

    def other_parameter(self, fn: ir.Function, name: str) -> bool:
        """Whether a rule with named sources says the parameter ``name`` of ``fn`` holds something other than
        its name says (``SinkRule.other_parameter``)."""
        return any(rule.other_parameter(self, fn, name) for rule in self.named_source_rules)

    def identifier_name(self, name: str, attribute: bool = False) -> bool:
        """Whether a rule with named sources says a value read under ``name`` (an attribute when
        ``attribute``, else a key) identifies what it is read from rather than holding its content
        (``secret.id``, ``model.__name__``, ``token.serial``)."""
        found = self._identifier_names.get((name, attribute))
        if found is None:
            found = any(rule.identifier_name(name, attribute) for rule in self.named_source_rules)
            self._identifier_names[(name, attribute)] = found
        return found

    def _as_identifiers(self, fn: ir.Function, bound: dict) -> dict:
        """``bound`` without the taints a value has by its name (``V.NAMED_KINDS``) where the callee's parameter
        is named for what identifies a thing (``get_secret_by_name(name=self.config.secret)``: the callee takes
        the secret's name, as an assignment ``secret_name = self.config.secret`` would say)."""
        out = bound
        for index, value in bound.items():
            if not value.taints or index >= len(fn.params) or fn.params[index].kind not in ("positional", "keyword"):
                continue
            if not any(t.kind in V.NAMED_KINDS for t in value.taints) or not _NAMING_PARAMETER.search(
                    fn.params[index].name):
                continue
            if out is bound:
                out = dict(bound)
            out[index] = Value(value.const, frozenset(t for t in value.taints if t.kind not in V.NAMED_KINDS),
                               value.types, value.items, value.func, value.fixed)
        return out

    def text_fact(self, name: str):
        """The fact ``name`` (``whole_text.is_fact``), read from the text of every reviewed file once; the
        function asking records the read, so that the cache analyses it again when the fact changes."""
        found = self._text_facts.get(name)
        if found is None and self.known_text_facts is None and name.startswith(whole_text.SUBCLASSES):
            # one fact per base asked about: the texts are read once for all of them
            if self._subclasses is None:
                self._subclasses = whole_text.subclass_index(self._texts())
            found = self._text_facts[name] = self._subclasses.get(name[len(whole_text.SUBCLASSES):], ())
        if found is None:
            found = self._text_facts[name] = self.known_text_facts(name) if self.known_text_facts is not None \
                else whole_text.FACTS[name](self._texts())
        self.note_read("text", name, whole_text.TEXTS)
        return found

    def secret_option_names(self) -> frozenset:
        """The names of the oslo.config options declared somewhere in the reviewed files with
        ``secret=True`` (``cfg.StrOpt('persistence_connection', secret=True, ...)``), from their text."""
        return self.text_fact(whole_text.SECRET_OPTIONS)

    def options_logged(self) -> bool:
        """Whether a reviewed file calls ``log_opt_values`` (oslo.config's dump of every option), or imports
        oslo.service (whose launchers call it) or an OpenStack service whose options its server logs at
        start-up (a plugin of Neutron, Nova, Cinder...): read from the text of every reviewed file."""
        return self.text_fact(whole_text.OPTIONS_LOGGED)

    def _texts(self):
        """``(path, text)`` of every file of the review (``all_texts``), else of the modules held here."""
        if self.all_texts is not None:
            return self.all_texts()
        return ((m.path, m.text) for m in list(self.owned.values()))

    def value_error_handled(self, path: str) -> bool:
        """Whether a Flask app or blueprint, or a FastAPI app, of the reviewed code answers ``ValueError``
        with a handler of its own (``@api.errorhandler(ValueError)``, ``register_error_handler(ValueError,
        f)``, ``@app.exception_handler(ValueError)``) in a module of the folder holding ``path`` or of one
        above it: the views there are that app's or blueprint's, and a conversion's error becomes its
        response, not a 500 (supysonic's Subsonic API). Read from the text of every reviewed file."""
        for where in self.text_fact(whole_text.VALUE_ERROR_HANDLERS):
            folder = where.rpartition("/")[0]
            if not folder or path.startswith(folder + "/"):
                return True
        return False

    def static_route(self, fn: ir.Function) -> str | None:
        """The URL pattern of a request handler whose route has no variables: the only
        path that can reach it."""
        paths = set()
        for d in fn.decorators:
            # (Flask-AppBuilder's ``@expose("/api/")``: a path under the view's own base, fixed as well)
            if isinstance(d, ir.Call) and (d.method in ("route", "get", "post", "put", "delete", "patch")
                                           or d.qualname in _EXPOSE) and d.args:
                first = d.args[0]
                if not isinstance(first, ir.Const) or not isinstance(first.value, str) or "<" in first.value \
                        or "{" in first.value:
                    return None
                paths.add(first.value)
        return paths.pop() if len(paths) == 1 else None

    def _registered_routes(self, fn: ir.Function, ep, value: Value | None = None) -> list:
        """What each route a handler is registered under by calls (``registered_route``) says of the
        parameters it fills: ``{parameter: kind}`` (``_converters_of``, a regular expression's groups, and
        ``GIVEN`` for the registration's own keyword arguments, which win over a capture of the same name),
        or None for a route not understood; [] when the handler is not registered so. ``value``: the marks
        to read (a class's, for its methods), else the handler's own."""
        if value is None:
            value = self.fields.get((fn.qualname, REGISTERED))
        if value is None or ep.registered_route is None:
            return []
        index = self.models.entrypoints.index(ep)
        found = []
        for t in sorted(value.types):
            kind, _, rest = t.partition(":")
            if kind not in ("route", "regex") or not rest.startswith(f"{index}:"):
                continue
            route, _, given = rest[len(f"{index}:"):].partition(_GIVEN)
            if route == "?":
                found.append(None)
                continue
            if kind == "regex":
                # matched against the decoded path (``%2F`` is a ``/`` by then); the groups follow the request
                these = _group_converters(route, fn, False, after=1)
            else:
                these = _converters_of(route, keep_unknown=True)
            if these is not None and given:
                these = {**these, **dict.fromkeys(given.split(","), GIVEN)}
            found.append(these)
        return found

    def registered_params(self, fn: ir.Function, ep) -> tuple[dict, frozenset]:
        """What the routes a handler is registered under by calls (``registered_route``) say of its
        parameters, read once: ``route_converters``'s answer (a parameter holds digits only, or one path
        segment, when every route that fills it says so: a route of variables, ``<int:pk>``, ``{id:int}``, or
        a regular expression's group, ``registered_regex``: ``(?P<year>\\d{4})``, ``(?P<slug>[^/]+)``, read as
        route tables are), and the parameters with a default that no route fills (no capture, no ``kwargs=``
        key of that name): the router passes only what the route captures, so these keep the code's values
        (askbot's ``def register(request, login_provider_name=None, redirect_url=None)`` at ``register/``,
        called with them only by another view); none unless every route is understood."""
        routes = self._registered_routes(fn, ep)
        converters = _routes_converters(fn, routes)
        if not routes or any(these is None for these in routes):
            return converters, EMPTY
        filled = {name for these in routes for name in these}
        return converters, frozenset(p.name for p in fn.params[1:] if p.default is not None and p.name not in filled
                                     and p.kind in ("positional", "keyword"))

    def class_route_converters(self, fn: ir.Function) -> dict:
        """``{name: kind}`` for a method of a class-based view whose class the reviewed code registers with its
        routes (Django's ``path("<int:pk>/", Detail.as_view())``): what every route captures under each name,
        a method's parameter or, with ``**kwargs``, a key of it; {} unless every route is understood. Read
        as a field, so the method is analysed again should the routes change."""
        klass = fn.class_qualname
        if not klass:
            return {}
        value = self.field_value(klass, REGISTERED)
        if value is None:
            return {}
        indexes = {int(t.split(":")[1]) for t in value.types if t.startswith(("route:", "regex:"))}
        if len(indexes) != 1:
            return {}
        ep = self.models.entrypoints[indexes.pop()]
        return _routes_converters(fn, self._registered_routes(fn, ep, value))  # ({} unless every route is read)

    def annotation_converters(self, module: ir.Module, fn: ir.Function, ep) -> dict:
        """``{parameter: type}`` of a handler's parameters annotated with a type its framework converts
        the client's text to, answering an error (422) when it does not convert (``converts_annotations``:
        FastAPI's and django-ninja's ``def view(item_id: int)``): the handler receives a number or UUID."""
        if not ep.converts_annotations or not _imports_any(module, ep.converts_annotations):
            return {}
        found = {}
        for param in fn.params:
            if param.annotation is None:
                continue
            kind = _converted_annotation(param.annotation)
            if kind is None and self.chosen_annotation(param.annotation):
                kind = CHOSEN
            if kind is not None:
                found[param.name] = kind
        return found

    def chosen_annotation(self, annotation) -> bool:
        """An annotation admitting only the code's constants, or ``None``: ``Literal["light", "dark"]``, a class
        of the reviewed code deriving from ``enum.Enum`` (``class Theme(str, Enum)``), also inside
        ``Optional[...]``, ``Union[..., None]``, ``... | None`` or as the first item of ``Annotated[...]``."""
        members = _union_members(annotation, _UNIONS)
        if members is not None:
            return bool(members) and all(self.chosen_annotation(p) for p in members)
        if isinstance(annotation, ir.Subscript):
            outer = getattr(annotation.value, "qualname", None) or ""
            index = annotation.index
            items = index.elts if isinstance(index, ir.Container) else [index]
            if outer in ("typing.Literal", "typing_extensions.Literal"):
                return bool(items) and all(isinstance(i, ir.Const) for i in items)
            if outer in ("typing.Annotated", "typing_extensions.Annotated"):
                return bool(items) and self.chosen_annotation(items[0])
            return False
        qualname = getattr(annotation, "qualname", None) or ""
        alias = self.literal_alias(qualname)
        if alias is not None:
            return self.chosen_annotation(alias)  # ``group: DateTrunc`` of ``DateTrunc = Literal[...]``
        return qualname in self.classes and any(self.derives_from(qualname, base) for base in _ENUM_BASES)

    def literal_alias(self, qualname: str, depth: int = 0):
        """The ``Literal[...]`` annotation a module-level name of the reviewed code is bound to, else None; also
        through modules that import it and are imported from (``from ..crud import DateTrunc``, a package's
        ``__init__`` re-exporting ``crud.payments``'s, which imports ``lnbits.db``'s)."""
        module_name, _, name = qualname.rpartition(".")
        if not module_name or not name or depth > 5:
            return None
        module = self.modules.get(module_name) if module_name in self.modules or self._load_named(module_name) \
            else None
        if module is None:
            return None
        alias = module.literal_aliases.get(name)
        if alias is None and name in module.imports and module.imports[name] != qualname:
            return self.literal_alias(module.imports[name], depth + 1)
        return alias

    def decorator_arg_converters(self, fn: ir.Function, ep) -> dict:
        """``{parameter: type}`` of a handler whose entry-point decorator lists its parameters' types
        (``decorator_arg_types``: WSME's ``@wsexpose(ReturnType, int, int)`` on ``def get_all(self, limit,
        offset)``): those typed a number, a boolean or a UUID, which the framework converts the client's
        text to, answering an error when it does not convert."""
        first = ep.decorator_arg_types
        if first < 0 or not ep.decorator:
            return {}
        params = fn.params[1:] if fn.is_method else fn.params
        found: dict = {}
        for d in fn.decorators:
            # (matched as ``_entrypoint_for`` matches the entry point's decorator: by its qualified name)
            if not isinstance(d, ir.Call) or getattr(d.func, "qualname", None) != ep.decorator:
                continue
            for param, type_expr in zip(params, d.args[first:]):
                kind = _converted_annotation(type_expr)
                if kind is not None and param.kind not in ("vararg", "kwarg"):
                    found[param.name] = kind
        return found

    def route_converters(self, fn: ir.Function) -> dict:
        """``{parameter: type}`` for the variables of a request handler's route whose converter
        admits only numbers or UUIDs (Flask/Werkzeug ``<int:page>``, ``<float:x>``, ``<uuid:id>``;
        Starlette/FastAPI ``{page:int}``): the router turns away any other text, so the parameter
        holds a value whose text is digits (and dashes)."""
        found: dict = {}
        for d in fn.decorators:
            if isinstance(d, ir.Call) and d.method in _ROUTE_METHODS and d.args:
                first = d.args[0]
                if isinstance(first, ir.Const) and isinstance(first.value, str):
                    found.update(_converters_of(first.value, keep_unknown=True))
        return {name: kind for name, kind in found.items() if kind}

    def unrouted_params(self, module: ir.Module, fn: ir.Function) -> frozenset:
        """The parameters of a Flask view that no route of its ``@app.route(...)`` decorators fills from the
        URL and that have a value of their own (a default, or the route's ``defaults=``), or that another
        of its decorators passes (``@require_auth`` calling the view with ``auth_user``, the signed-in
        user it loaded): Flask passes a view only its routes' variables, so these keep what the code gives
        them (``def index(ex=None, text=None)`` is also the 404 handler, whose ``ex`` is the error raised).
        Empty unless every route is a constant (other frameworks pass query parameters too: FastAPI's
        ``def items(q: str = None)``), and a decorator that parses the request into arguments
        (``@use_kwargs(schema)`` of webargs) passes the client's data."""
        if not fn.decorators or not _imports_any(module, ("flask",)) or _imports_any(module, _QUERY_ARGUMENTS):
            return EMPTY
        variables: set = set()
        given: set = set()
        routes = 0
        passing = False  # a decorator other than the routes' may call the view with arguments of its own
        for d in fn.decorators:
            if not (isinstance(d, ir.Call) and d.method in _FLASK_ROUTES):
                named = d.func if isinstance(d, ir.Call) else d
                name = named.attr if isinstance(named, ir.Attr) else named.id if isinstance(named, ir.Name) else None
                if name in _REQUEST_ARGUMENT_DECORATORS:
                    return EMPTY
                passing = passing or name not in ("errorhandler", "cache", "cached")
                continue
            first = d.args[0] if d.args else d.keyword("rule")
            if not (isinstance(first, ir.Const) and isinstance(first.value, str)):
                return EMPTY
            routes += 1
            variables.update(_converters_of(first.value, keep_unknown=True))
            defaults = d.keyword("defaults")
            if isinstance(defaults, ir.DictExpr):
                given.update(k.value for k in defaults.keys if isinstance(k, ir.Const) and isinstance(k.value, str))
            elif defaults is not None:
                return EMPTY
        if not routes:
            return EMPTY
        return frozenset(p.name for p in fn.params
                         if p.name not in variables and (p.default is not None or p.name in given or passing)
                         and p.kind in ("positional", "keyword"))

    def decorator_keywords(self, module: ir.Module, fn: ir.Function) -> frozenset:
        """The parameters of a request handler that a decorator of the reviewed code fills itself
        (``Function.fills``), whatever the framework: by keyword (rasa's ``@inject_temp_dir``, whose wrapper calls
        ``f(*args, temporary_directory=Path(directory), **kwargs)``, fills ``temporary_directory`` with a folder
        it made, not with anything of the request), or at a position with the row a ``[[clean]]`` lookup found
        (``def inner(request, slug): obj = get_object_or_404(Request, slug=slug); return func(request, obj)``:
        the handler's second parameter is that row, not the client's slug)."""
        names: set = set()
        positions: set = set()
        clean = self.models.clean
        for d in fn.decorators:
            func = d.func if isinstance(d, ir.Call) else d
            qualname = getattr(func, "qualname", None) or ""
            found = module.functions.get(qualname)
            if found is None:
                found = self.function_named(qualname)
            if found is None:
                continue
            for key, callee in found.fills:
                if callee is None and type(key) is str:
                    names.add(key)
                elif type(key) is int and callee in clean:
                    positions.add(key)
        return frozenset(p.name for i, p in enumerate(fn.params)
                         if (p.name in names or i in positions) and p.kind in ("positional", "keyword"))

    def module_state(self, module: ir.Module) -> dict | None:
        """A module's globals after its body ran; the function asking is analysed again
        should they change (its module body is analysed first if need be)."""
        body = module.body.qualname
        if not self.in_progress or self.in_progress[-1] != body:
            self.summary_of(body)
        return self.module_globals.get(module.name)

    def global_value(self, module: ir.Module, name: ir.Name) -> Value:
        state = self.module_state(module)
        if state is not None:
            value = state.get(name.id)
            if value is not None:
                return value
        return TOP

    def imported_value(self, qualname: str) -> Value:
        self.note_read("def", qualname, self.module_name_of(qualname))
        if qualname in self.functions:
            return Value(func=qualname, types=self.types.single(qualname))
        if qualname in self.classes:
            return Value(func=qualname, types=self.types.single("class:" + qualname))
        module_name, _, attr = qualname.rpartition(".")
        module = self.modules.get(module_name)
        if module is not None:
            if attr in module.imports and module.imports[attr] != qualname:
                return self.imported_value(module.imports[attr])
            state = self.module_state(module)
            if state is not None and attr in state:
                value = state[attr]
                # module state holds the module's own parameters of nothing; drop trace-only taints
                return value
            return TOP
        if qualname in self.modules:
            return Value(types=self.types.single(qualname))
        generated = self.models.generated_attributes.get(qualname)
        if generated is not None:  # ``http.client.responses``: made by the library
            return generated_value(generated)
        return Value(types=self.types.single(qualname))

    def free_value(self, interp: FunctionInterpreter, name: ir.Name) -> Value:
        """A variable a nested function reads from the function around it: the enclosing method's ``self`` is
        an instance of its class (``def export(self, ...): def __process(): self.__upsert(...)``, so that its
        calls resolve); anything else, unknown."""
        outer = interp.fn.parent
        while isinstance(outer, ir.Function):
            if any(p.name == name.id for p in outer.params):
                first = outer.params[0]
                if outer.class_qualname and first.name == name.id and first.kind == "positional" and not any(
                        isinstance(d, ir.Name) and d.id in ("staticmethod", "classmethod") for d in outer.decorators):
                    bases = self.modelled_bases(outer.class_qualname)
                    return Value(types=frozenset({outer.class_qualname, *bases}))
                return TOP
            outer = outer.parent
        return TOP

    @staticmethod
    def value_names(value: Value) -> frozenset | None:
        """The qualified names a value may stand for — a class or an imported object —, every
        candidate of a name bound in several branches (``try: from yaml import CSafeLoader as L``
        / ``except ImportError: from yaml import SafeLoader as L``); None when nothing is known."""
        names = frozenset(t[6:] if t.startswith("class:") else t for t in value.types)
        return names or None

    def base_names(self, class_qualname: str) -> list | None:
        """For each base of a class of the reviewed code, the names it may stand for (None for a
        base that cannot be resolved); None when the class is not the reviewed code's."""
        klass = self.classes.get(class_qualname)
        if klass is None:
            return None
        module = self.modules.get(self.module_name_of(class_qualname) or "")
        out = []
        for base in klass.bases:
            value = None
            if isinstance(base, ir.Name) and base.kind == ir.NameKind.GLOBAL and module is not None:
                value = self.global_value(module, base)
            elif isinstance(base, (ir.Name, ir.Attr)) and base.qualname and (
                    isinstance(base, ir.Attr) or base.kind != ir.NameKind.LOCAL):
                value = self.imported_value(base.qualname)
            out.append(self.value_names(value) if value is not None else None)
        return out

    def store_field(self, class_qualname: str, attr: str, value: Value, interp=None) -> None:
        """``self.attr = value`` in a method: what every method of the class may read back.
        Parameter taint becomes part of the method's summary, applied at its calls."""
        key = (class_qualname, attr)
        if interp is not None:
            for t in value.taints:
                if t.is_param:
                    _keep_field_taint(interp.summary.fields.setdefault(key, {}), t)
        real = frozenset(t for t in value.taints if not t.is_param) or EMPTY  # (a new empty set is 216 bytes)
        self.merge_field(key, Value(value.const if value.is_const else V.UNKNOWN, real, value.types))

    def store_object_field(self, qualname: str, attr: str, value: Value) -> None:
        """``g.client = Client(...)``: an attribute set on a module-level object (imported, as Flask's
        ``g``, or a global of the reviewed code), not a module or a class. Only what type it holds is
        kept, for the calls made on it where other functions read it (``g.client.send(url)``): they read it
        with ``field_value(qualname, attr)``, as a class's field."""
        if qualname in self.modules or self.resolve_class(qualname) is not None \
                or self.resolve_function(qualname) is not None:
            return
        self.merge_field((qualname, attr), Value(types=value.types))

    def merge_field(self, key, stored: Value, local: bool = True) -> None:
        if local and self.in_progress:  # stores happen while some function is analysed
            writer = self.in_progress[-1]
            if self._test_store_into_production(writer, key):
                return
            parts = self.field_parts.setdefault(key, {})
            if writer in parts:
                parts[writer] = V.join(parts[writer], stored)
            else:
                parts[writer] = stored
                add_to(self.stored_by, writer, key)
        elif local:
            held = self.unowned_fields.get(key)
            self.unowned_fields[key] = stored if held is None else V.join(held, stored)
        previous = self.fields.get(key)
        merged = stored if previous is None else V.join(previous, stored)
        if previous is None or not merged.same_as(previous, traces=True):
            # (a better trace is a change: readers must see the canonical one, not the first stored)
            self.fields[key] = merged
            # whoever read the field before, even before any store, read something else
            self.dirty.update(self.field_readers.get(key, ()))

    def _take_stores(self, writer: str) -> dict:
        """What ``writer``'s last analysis stored into fields, ``{key: value}``, taken out of ``field_parts``
        as its new analysis starts: what that one stores replaces it (``_replace_stores``)."""
        keys = self.stored_by.pop(writer, None)
        if not keys:
            return {}
        taken = {}
        for key in keys:
            parts = self.field_parts.get(key)
            if parts is not None and writer in parts:
                taken[key] = parts.pop(writer)
        return taken

    def _replace_stores(self, writer: str, before: dict) -> None:
        """``writer``'s analysis just ended: a field it stored into at its previous analysis and now stores
        into otherwise, or not at all, is worked out again from what every function stores there now.

        Stores only joined into a field (as they were), a store made with what an analysis found on the
        way, which its next analysis no longer finds, would stay there for good: a summary not known yet
        (another worker's, a callee in a recursion or past the nesting limit) stands as provisional
        meanwhile, and calling what a provisional summary returns is a call into code not known, taken
        to pass its arguments through, which the real callee may not do. What a field holds would then
        depend on which summaries arrived before which analyses, so on the order of analysis and on how
        ``--jobs`` splits the files.

        A taint stored again keeps the shorter of its two traces (``_shorter_traces_kept``), as the join
        of all stores did: a function that stores what it reads of the field itself, one step longer
        (``self.mask = set(self.mask)`` through a call), would otherwise change the field at each analysis
        and be analysed again, with its readers, until ``MAX_ACYCLIC_ANALYSES``."""
        parts_now = self.field_parts
        for key, old in before.items():
            parts = parts_now.get(key)
            new = parts.get(writer) if parts is not None else None
            if new is not None:
                kept = _shorter_traces_kept(new, old)
                if kept is not new:
                    parts[writer] = new = kept
            if new is None or not new.same_as(old, traces=True):
                self.recompute_field(key)

    def recompute_field(self, key) -> None:
        """``fields[key]`` as the join of what is stored there now: by this program's functions (their
        last analyses), by functions analysed elsewhere (cached, or another worker's); its readers are
        dirty if it changed."""
        merged = self.unowned_fields.get(key)
        for value in self.field_parts.get(key, {}).values():
            merged = value if merged is None else V.join(merged, value)
        for value in self.foreign_parts.get(key, {}).values():
            merged = value if merged is None else V.join(merged, value)
        received = self.received_fields.get(key)
        if received is not None:
            merged = received if merged is None else V.join(merged, received)
        previous = self.fields.get(key)
        if merged is None:
            self.fields.pop(key, None)
        else:
            self.fields[key] = merged
        if (previous is None) is not (merged is None) or (
                previous is not None and not merged.same_as(previous, traces=True)):
            self.dirty.update(self.field_readers.get(key, ()))

    def _test_store_into_production(self, writer: str, key) -> bool:
        """Whether test code stores into a field of a class of production code: what a test
        puts there is not what production code finds there (test code is no caller of it)."""
        writer_module = self.function_module.get(writer)
        if writer_module is None or not self.in_test_code(writer_module.path):
            return False
        owner = self.module_name_of(key[0]) if isinstance(key, tuple) else None
        module = self.modules.get(owner) if owner is not None else None
        return module is not None and not self.in_test_code(module.path)

    def _local_field(self, key) -> Value | None:
        """What this program's own functions stored in a field, joined."""
        merged = None
        for value in self.field_parts.get(key, {}).values():
            merged = value if merged is None else V.join(merged, value)
        return merged

    def field_value(self, class_qualname: str, attr: str) -> Value | None:
        key = (class_qualname, attr)
        if self.in_progress:
            add_to(self.field_readers, key, self.in_progress[-1])
            if self.record_reads:
                self._note(self.in_progress[-1], ("field", key, ""))
        return self.fields.get(key)

    def module_name_of(self, qualname: str) -> str | None:
        """The reviewed module a qualified name is in (the longest prefix that is a module)."""
        found = self._module_names.get(qualname, False)
        if found is False:
            found = None
            name = qualname
            while name:
                if name in self.modules:
                    found = self.modules[name].name  # (the module's own string, not this prefix made now)
                    break
                name = name.rpartition(".")[0]
            self._module_names[qualname] = found
        return found

    def resolve_function(self, qualname: str) -> str | None:
        """The reviewed code's function a qualified name stands for, following
        re-exports (``from .impl import helper`` in a package ``__init__``)."""
        return self._resolved_once(self._resolved, self._resolve_function, qualname)

    def _resolved_once(self, answers: dict, resolve, qualname: str) -> str | None:
        """``resolve(qualname, consulted)`` worked out once per name and kept in ``answers``; each call
        still notes, for the cache, a read of every definition the answer depends on."""
        done = answers.get(qualname, _UNRESOLVED)
        if done is _UNRESOLVED:
            consulted: list = []
            found = resolve(qualname, consulted)
            # the answer alone when only ``qualname`` itself was consulted (four times in five), or
            # when no reads are recorded: a pair and a tuple of the names cost 112 bytes more
            done = answers[qualname] = found if not self.record_reads or consulted == [qualname] \
                else _Resolved(found, tuple(consulted))
        if type(done) is _Resolved:
            if self.in_progress:
                for name in done.consulted:
                    self.note_read("def", name, self.module_name_of(name))
            return done.found
        if self.in_progress:
            self.note_read("def", qualname, self.module_name_of(qualname))
        return done

    def _resolve_function(self, qualname: str, consulted: list) -> str | None:
        """``consulted`` receives every name whose definition the answer depends on."""
        for _ in range(5):
            consulted.append(qualname)
            if qualname in self.functions:
                return qualname
            if qualname in self.classes:
                init = f"{qualname}.__init__"
                consulted.append(init)
                return init if init in self.functions else None
            module_name, _, attr = qualname.rpartition(".")
            module = self.modules.get(module_name)
            if module is None or attr not in module.imports:
                klass = self.classes.get(module_name)
                if klass is not None:
                    consulted.append(module_name)
                    for base in klass.bases:
                        base_q = getattr(base, "qualname", None)
                        if base_q:
                            consulted.append(f"{base_q}.{attr}")
                            if f"{base_q}.{attr}" in self.functions:
                                return f"{base_q}.{attr}"
                return None
            qualname = module.imports[attr]
        return None

    def resolve_class(self, qualname: str) -> str | None:
        """The reviewed code's class a qualified name stands for, following re-exports (worked out once,
        as ``resolve_function``; the names it consulted are read again at each call)."""
        return self._resolved_once(self._resolved_classes, self._resolve_class, qualname)

    def _resolve_class(self, qualname: str, consulted: list) -> str | None:
        for _ in range(5):
            consulted.append(qualname)
            if qualname in self.classes:
                return qualname
            module_name, _, attr = qualname.rpartition(".")
            module = self.modules.get(module_name)
            if module is None or attr not in module.imports:
                return None
            qualname = module.imports[attr]
        return None

    def first_base(self, class_qualname: str) -> str | None:
        """The first base of a class that is a class of the reviewed code: where ``super()`` in its
        methods looks first (the class's own order; a subclass mixing in others may differ)."""
        klass = self.classes.get(class_qualname)
        if klass is None:
            return None
        for base in klass.bases:
            found = self.resolve_class(base.qualname) if getattr(base, "qualname", None) else None
            if found is not None:
                return found
        return None

    def plain_attributes(self, types) -> bool:
        """Whether ``types`` (of a value) are classes of the reviewed code, or their instances, each of which
        has only the attributes its classes define: no class in its lineage outside the reviewed code, none with a
        ``__getattr__`` or ``__getattribute__`` answering any name (``hasattr(JobSpec, key)`` then holds for an
        identifier only)."""
        if not types:
            return False
        for t in types:
            cls = self.resolve_class(t.removeprefix("class:"))
            if cls is None:
                return False
            for name, found in self.lineage(cls):
                if found is None and name not in _PLAIN_BASES:
                    return False
                if found is not None and (f"{found}.__getattr__" in self.functions
                                          or f"{found}.__getattribute__" in self.functions):
                    return False
        return True

    def lineage(self, class_qualname: str):
        """The names met walking up from a class through its bases in the reviewed code, nearest first
        (at most 20 classes): ``(name, the reviewed class it stands for)``, or ``(name, None)`` for a
        base outside the reviewed code, which is known by its name only."""
        # The walk is kept per class (``_lineages``: the steps taken so far, the classes seen, the names
        # still to visit) and taken further only as far as a caller reads it, as the walk itself would be;
        # a step already taken asks ``resolve_class`` again, which notes the same reads.
        memo = self._lineages.get(class_qualname)
        if memo is None:
            memo = self._lineages[class_qualname] = ([], set(), [class_qualname])
        steps, seen, todo = memo
        i = 0
        while True:
            if i < len(steps):
                name, found, shown = steps[i]
                i += 1
                if self.in_progress:
                    self.resolve_class(name)  # (its reads)
                if shown:
                    yield name, found
                continue
            if not todo or len(seen) >= 20:
                return
            name = todo.pop(0)
            found = self.resolve_class(name)
            shown = found is None or found not in seen
            steps.append((name, found, shown))
            i += 1
            if found is None:
                yield name, None
                continue
            if not shown:
                continue
            seen.add(found)
            todo.extend(b.qualname for b in self.classes[found].bases if getattr(b, "qualname", None))
            yield name, found

    def modelled_bases(self, class_qualname: str) -> tuple:
        """The bases outside the reviewed code that a model names (``tornado.web.RequestHandler``), of
        the class and of its bases in the reviewed code: ``self`` has their modelled attributes and
        methods (``self.get_argument(...)``, ``self.request``)."""
        # (not cached per class: ``resolve_class`` records what this function's summary read)
        if self._model_classes is None:
            models = self.models
            self._model_classes = frozenset(
                k.rsplit(".", 1)[0] for table in (models.sources_by_attribute, models.sources_by_callee,
                                                  models.sinks, models.sanitizers, models.returns)
                for k in table if "." in k)
        return tuple(dict.fromkeys(name for name, found in self.lineage(class_qualname)
                                   if found is None and name in self._model_classes))

    def defines_method(self, class_qualname: str, method: str) -> bool:
        """Whether the class or one of its bases in the reviewed code defines ``method``."""
        return any(found is not None and self.resolve_function(f"{found}.{method}") == f"{found}.{method}"
                   for _, found in self.lineage(class_qualname))

    def overrides(self, method_qualname: str, caller_path: str) -> list:
        """The methods of the reviewed code that a call of ``method_qualname`` (``Class.method``: the type the
        receiver is known to have, whose method does nothing) may run instead: those of that name that
        subclasses of the class, at any depth, define with a body of their own. Subclasses are found by name in
        every file's text (``whole_text.SUBCLASSES``), each checked to derive from the class; those in test code
        only for a caller in test code. None past ``_MOST_SUBCLASSES`` subclasses: a base that broad says little
        of which one a call reaches."""
        class_qualname, _, method = method_qualname.rpartition(".")
        start = self.resolve_class(class_qualname)
        if start is None:
            return []
        in_tests = self.in_test_code(caller_path)
        out, seen, todo = [], {start}, [start]
        while todo:
            base = todo.pop(0)
            for path, name in self.text_fact(whole_text.SUBCLASSES + base.rpartition(".")[2]):
                module = self.module_by_path.get(path)
                if module is None:
                    continue
                q = f"{module.name}.{name}"
                if q in seen or q not in self.classes or not self.derives_from(q, base):
                    continue
                seen.add(q)
                if len(seen) > _MOST_SUBCLASSES:
                    return []
                todo.append(q)
                own = f"{q}.{method}"
                if self.resolve_function(own) == own and not self.functions[own].abstract \
                        and (in_tests or not self.in_test_code(path)):
                    out.append(own)
        return sorted(out)

    def property_getter(self, types: frozenset, attr: str) -> str | None:
        """The getter of property ``attr`` (``@property``, ``@functools.cached_property``) that reading ``attr`` of a
        value of one of ``types`` runs: the first found walking up from each reviewed class among them, in the
        order of their names; None when the nearest definition of ``attr`` is no getter (a method, a property with a
        setter) or there is none."""
        for t in (sorted(types) if len(types) > 1 else types):
            if t.startswith(("builtins.", "class:")) or self.resolve_class(t) is None:
                continue  # (most types read are a library's: no walk up its bases)
            for _, found in self.lineage(t):
                if found is None:
                    continue
                q = f"{found}.{attr}"
                if self.resolve_function(q) != q:
                    continue
                # the nearest definition of ``attr``: a getter, or anything else (a method; a setter defined last
                # under the name, whose assignments are not run, so that what is read is what was assigned, as of
                # a field)
                return q if _is_property(self.functions[q]) else None
        return None

    def derives_from(self, class_qualname: str, base: str) -> bool:
        """Whether a class of the reviewed code names ``base`` (a qualified name) among its bases,
        directly or through bases that are themselves classes of the reviewed code
        (``class VolumesBootController(servers.ServersController)``, whose base derives from
        ``wsgi.Controller``), or a base re-exported under another name. A base the reviewed code
        does not define is known by its name only."""
        walk = self.lineage(class_qualname)
        next(walk, None)  # the class itself
        return any(name == base or found == base for name, found in walk)

    def declared_field_types(self, types: frozenset, name: str) -> frozenset:
        """The classes of the reviewed code that the reviewed classes among ``types`` (or their bases) declare
        their field ``name`` to be (``direction: OrderDirection`` at class level): what reading that field of an
        instance gives. (Not a built-in type: ``count: int`` of a dataclass made from a request's JSON may hold
        text all the same.)"""
        out = EMPTY
        for t in types:
            if t in self.classes:
                for _, found in self.lineage(t):
                    if found is not None and name in self.classes[found].field_types:
                        declared = self.resolve_class(self.classes[found].field_types[name])
                        if declared is not None:
                            out = out | {declared}
                        break
        return out

    def validated_field(self, types: frozenset, name: str) -> frozenset:
        """The sink kinds the field ``name`` of an instance of the reviewed classes among ``types`` is safe for: what
        the class's (or a base's) validators of that field check of the value they are given and raise on
        (``Class.validators``; their ``Summary.checks`` when they return), those of every such class in common."""
        out = None
        for t in types:
            if t not in self.classes:
                continue
            kinds = EMPTY
            for _, found in self.lineage(t):
                if found is None:
                    continue
                for field_name, method in self.classes[found].validators:
                    if field_name == name:
                        kinds = kinds | self._validator_checks(f"{found}.{method}")
            out = kinds if out is None else out & kinds
        return out or EMPTY

    def _validator_checks(self, qualname: str) -> frozenset:
        """What the validator ``qualname`` (``def check(cls, v)``, or ``(v)`` as a static method) checks of the
        value it is given, when it returns."""
        fn = self.functions.get(qualname)
        summary = self.summary_of(qualname) if fn is not None else None
        if summary is None or not fn.params:
            return EMPTY
        index = 1 if len(fn.params) > 1 and fn.params[0].name in ("cls", "self") else 0
        out = EMPTY
        for checked, kinds, _, _, attr in summary.checks:
            if checked == index and attr is None:
                out = out | frozenset(kinds)
        return out

    def enum_typed(self, types: frozenset) -> bool:
        """Whether every class of the reviewed code among ``types`` (and at least one) derives from ``enum.Enum``."""
        classes = {self.resolve_class(t) for t in types} - {None}
        return bool(classes) and all(any(self.derives_from(klass, base) for base in _ENUM_BASES + _FLAG_BASES)
                                     for klass in classes)

    def class_attribute(self, class_qualname: str, name: str):
        """``(class, value expression)`` of the class attribute ``name`` that the class, or the
        nearest of its bases in the reviewed code, assigns at class level; None if none does."""
        for _, found in self.lineage(class_qualname):
            if found is not None and name in self.classes[found].attributes:
                return found, self.classes[found].attributes[name]
        return None

    def constant_class_attribute(self, class_qualname: str, name: str) -> str | None:
        """Whether the class attribute ``name`` of a class (or of the nearest of its bases in the
        reviewed code) is text made from literals by pure string functions (``constant_text``):
        what ``self.name`` reads, when no method of the class stores it, is then a fixed value.
        ``"text"`` (a string), ``"value"`` (a number, ``None``...), or None."""
        found = self.class_attribute(class_qualname, name)
        if found is None or not constant_text(found[1]):
            return None
        expr = found[1]
        return "value" if isinstance(expr, ir.Const) and not isinstance(expr.value, (str, bytes)) else "text"

    # ------------------------------------------------------------ statements

    def in_test_code(self, path: str) -> bool:
        """``test_path(path)``, worked out once per file."""
        found = self._test_paths.get(path)
        if found is None:
            found = self._test_paths[path] = bool(self.test_path(path))
        return found

    def statement_rules_for(self, fn: ir.Function, path: str) -> tuple:
        """The statement rules to run on ``fn``'s statements (``fn`` in the file at ``path``): those its names
        concern, and in test code only those whose findings are reported there (``Rule.tests_relevant``:
        the report drops the others' findings in test code)."""
        rules = self.rules_by_function.get(fn.qualname)
        if rules is None:
            in_tests = self.in_test_code(path)
            rules = tuple([r for r in self.statement_rules if (r.tests_relevant or not in_tests) and r.relevant(fn)])
            # one tuple per distinct set of rules, not one list per function (3 MiB on neutron)
            rules = self.rules_by_function[fn.qualname] = self._rule_sets.setdefault(rules, rules)
        return rules

    def after_statement(self, interp: FunctionInterpreter, stmt: ir.Stmt) -> None:
        keys = None
        for rule in interp.statement_rules:
            triggers = rule.triggers
            if triggers is not None:
                if keys is None:
                    memo = interp.statement_keys  # for this analysis only: few functions are analysed twice
                    keys = memo.get(id(stmt))
                    if keys is None:
                        keys = memo[id(stmt)] = statement_keys(stmt)
                if not (triggers & keys):
                    continue
            for hit in rule.check_statement(interp, stmt) or ():
                self.findings.add_hit(rule, interp, hit)

    def on_return(self, interp, stmt: ir.Return, value: Value) -> None:
        """What a request handler returns is its response body; what a function named like a
        secret maker (``generate_token()``) returns is a secret."""
        secret = self.secret_rule
        if secret is not None and stmt.value is not None and self._secret_kind(value) \
                and secret.secret_name(interp.fn.name):
            self.check_sink(interp, _SECRET_SINK, f"return from {interp.fn.name}()", stmt, value, stmt.value)
        entry = interp.entry
        if entry is None or not entry[2].response_sink or stmt.value is None:
            return
        if any(t.endswith("Response") or t.endswith("response()") or ".jsonify" in t for t in value.types):
            return  # a response object: its constructor is the sink, if any
        if self._decorated_as_data(interp.fn):
            return  # a decorator sends what the handler returns as JSON or text
        if isinstance(stmt.value, ir.Call) and stmt.value.qualname:
            callee = self.resolve_function(stmt.value.qualname)
            if callee is not None and self.entrypoint_for(self.function_module[callee], self.functions[callee]):
                return  # another handler's response: reported where that handler returns it
        sink = Sink(kind=entry[2].response_sink, callee="<response>", args=())
        for rule in self.sink_rules.get(sink.kind, ()):
            if not rule.return_excused(interp, stmt):
                self.check_sink(interp, sink, f"return from {interp.fn.name}()", stmt, value, stmt.value, rule=rule)

    def function_named(self, qualname: str | None) -> ir.Function | None:
        """The function of the reviewed code (or its stub) a qualified name stands for, following re-exports."""
        found = self.resolve_function(qualname) if qualname else None
        return self.functions.get(found) if found else None

    def _forwarded(self, qualname: str) -> str | None:
        """The decorator a decorator of the reviewed code hands the decorated function to (``forwards_to``)."""
        decorator = self.function_named(qualname)
        return decorator.forwards_to if decorator is not None else None

    def decorator_functions(self, fn: ir.Function):
        """The functions of the reviewed code that decorate ``fn`` (``@jsonified``; ``@cached(60)``'s
        factory), as the program resolves them."""
        for d in fn.decorators:
            target = d.func if isinstance(d, ir.Call) else d
            decorator = self.function_named(getattr(target, "qualname", None))
            if decorator is not None:
                yield decorator

    def _decorated_as_data(self, fn: ir.Function) -> bool:
        """``fn`` under a decorator of the reviewed code that returns its result as data (``wraps_as_data``)."""
        return any(d.wraps_as_data for d in self.decorator_functions(fn))

    def _secret_kind(self, value: Value) -> bool:
        """Whether ``value`` carries data of a kind the secret rule reports (a weak random value)."""
        kinds = self.secret_rule.source_kinds
        return any(t.kind in kinds for t in value.taints)

    def on_name_store(self, interp, target: ir.NameTarget, value: Value) -> None:
        """A value stored under a name that says it is a secret (``token = ...``)."""
        secret = self.secret_rule
        if secret is not None and self._secret_kind(value) and secret.secret_name(target.id):
            self.check_sink(interp, _SECRET_SINK, target.id, target, value, target, _stored(interp))

    def on_item_store(self, interp, target: ir.ItemTarget, base: Value, index: Value, value: Value) -> None:
        secret = self.secret_rule
        if secret is not None and value.taints and index.is_const and self._secret_kind(value) \
                and secret.secret_name(index.const):
            self.check_sink(interp, _SECRET_SINK, index.const, target, value, target, _stored(interp))
        callees = []
        if isinstance(target.value, (ir.Name, ir.Attr)) and target.value.qualname:
            callees.append(f"{target.value.qualname}.__setitem__")
        callees.extend(f"{t}.__setitem__" for t in sorted(base.types))
        for callee in callees:
            for sink in self.models.sinks_for(callee):
                # the key is as dangerous as the value: ``session[user_input] = 1``; not a number, which names no
                # slot the server trusts (``session[sid] = state`` of a route's ``(?P<sid>\d+)``)
                self.check_sink(interp, sink, callee, target, value, target)
                if not is_number(index):
                    self.check_sink(interp, sink, callee, target, index, target.index)

    def on_attribute_store(self, interp, target: ir.AttrTarget, base: Value, value: Value) -> None:
        secret = self.secret_rule
        if secret is not None and value.taints and self._secret_kind(value) and secret.secret_name(target.attr):
            self.check_sink(interp, _SECRET_SINK, target.attr, target, value, target, _stored(interp))
        for t in sorted(base.types):
            for sink in self.models.sinks_for(f"{t}.{target.attr}="):
                for rule in self.sink_rules.get(sink.kind, ()):
                    if not rule.store_excused(interp, sink, target):
                        self.check_sink(interp, sink, f"{t}.{target.attr}", target, value, target, rule=rule)

    # ------------------------------------------------------------ calls

    def call(self, interp: FunctionInterpreter, site: CallSite, callees: list) -> Value:
        models = self.models
        call = site.call
        result: Value | None = None
        for callee in callees:
            for rule in self.call_rules.get(callee, ()):
                for hit in rule.check(site, callee) or ():
                    self.findings.add_hit(rule, interp, hit)
            for sink in models.sinks_for(callee):
                self.apply_sink(interp, site, sink, callee)
        if (call.method in models.registration_methods
                or (models.registration_callees and any(c in models.registration_callees for c in callees))):
            self.register_handlers(interp, site, callees)
        if models.table_callees and any(c in models.table_callees for c in callees):
            for index in sorted({i for c in callees for i in models.table_callees.get(c, ())}):
                ep = models.entrypoints[index]
                handler, _ = site.arg(ep.table_arg.position, ep.table_arg.name)
                route, node = site.arg(ep.table_route.position, ep.table_route.name)
                text = route.const if route is not None and route.is_const else _constant_text(node)
                if handler is not None:
                    self.register_route(index, handler, text)
        for rule in self.vote_rules:
            for target, status in rule.caller_vote(interp, site, callees) or ():
                self.findings.vote(rule.id, target, 0, (status,))
        method = call.method
        if self.secret_rule is not None and (site.kwargs or method == "set_cookie"):
            self.secret_arguments(interp, site, method)
        if method in _EXECUTES or (interp.facts_seen and (method in _FETCHES or call.args or call.keywords)):
            facts = self.server_facts(interp, site, method, callees)
            if facts is not None:
                return facts
        if method in ("get", "pop") and call.args and site.args[0].is_const and isinstance(call.func, ir.Attr):
            option = self.command_option(interp, call.func.value, site.args[0].const)
            if option is not None:
                return option
        stored = self.key_value_store(interp, site, method)
        if stored is not None:
            return stored
        if method is not None and method in models.method_sinks and not any(models.sinks_for(c) for c in callees) \
                and not any(self.resolve_function(c) is not None for c in callees):
            # a method of unknown type, by its name; not when the reviewed code defines it (its
            # body is analysed instead: ``Connection.execute`` of a command queue runs no SQL)
            receiver_name = _receiver_name(call.func.value)
            for hints, sink in models.method_sinks[method]:
                if not hints or any(h in receiver_name for h in hints):
                    self.apply_sink(interp, site, sink, f"{receiver_name}.{method}")
        if callees == ["builtins.getattr"] and len(site.args) >= 2 and not site.args[1].is_const:
            classes = self.module_classes(getattr(site.call.args[0], "qualname", None))
            if classes:
                # ``cls = getattr(plugins, name); obj = cls()`` (a factory choosing a class by a configured
                # name): one of that reviewed module's classes, whose methods are then analysed, not guessed
                return Value(types=frozenset(f"class:{c}" for c in classes))
        if callees in (["builtins.max"], ["builtins.min"]) and len(call.args) >= 2 and not call.keywords \
                and any(type(a) is ir.Const and type(a.value) in (int, float) for a in call.args):
            # ``max(interval_minutes, 1)``: a number (a string compared with one raises ``TypeError``), whatever the
            # other argument held
            return Value(taints=V.cleanse_all(site.all_taints(), _EVERY_SINK), types=_NUMBER_TYPES)
        if callees == ["builtins.enumerate"] and len(call.args) == 1 and not isinstance(call.args[0], ir.Starred) \
                and not call.keywords:
            # ``for i, x in enumerate(xs)``: each element is a pair of a count and an element of ``xs``; the
            # count is a number whatever ``xs`` holds (``f"(:name_{i})"`` is a placeholder's name, not data)
            iterable = site.args[0]
            element = interp.element_of(iterable)
            pair = {0: _COUNT, 1: element}
            return Value(taints=V.merge_taints(iterable.taints, V.all_item_taints(iterable.items)),
                         types=_ENUMERATE, items={0: Value(taints=V.all_item_taints(pair), types=_TUPLE, items=pair)})
        for callee in callees:
            sanitizer = models.sanitizers.get(callee)
            if sanitizer is not None and (sanitizer.unless_keywords or sanitizer.unless_line_breaks) and any(
                    (k in sanitizer.unless_keywords and not (v.is_const and v.const is None))
                    or (k in sanitizer.unless_line_breaks and not _constant_without_line_breaks(v))
                    for k, v in site.kwargs.items()):
                # ``json.dumps(data, indent=2)``: the keyword puts back what it keeps out (``separators=(",",
                # ":")`` does not: a constant text without a line break)
                sanitizer = None
            if sanitizer is not None:
                taints = site.all_taints()
                if site.receiver is not None and not site.args:
                    taints = V.merge_taints(taints, site.receiver.taints)
                if not sanitizer.protects.isdisjoint(V.NAMED_KINDS):  # masking: the secret is gone
                    # and a parameter's value is masked too: the caller's secret passed in does not survive
                    taints = frozenset(t.cleanse(_THROUGH) if t.is_param else t for t in taints
                                       if t.kind not in sanitizer.protects)
                cleaned = V.cleanse_all(taints, sanitizer.protects)
                fixed = _inputs_fixed(site)
                if not fixed and not cleaned:
                    # ``shlex.quote(self.path)``: nothing known flows, but the result is known to be safe there
                    cleaned = frozenset({Taint(V.OPAQUE, -1, sanitizer.protects, None)})
                types = _returns(models, callee)
                if SITE_URL in sanitizer.protects:
                    types = types | _SITE_URL_TYPES  # ``url_for(...)``: known a URL of this site even untainted
                result = Value(taints=cleaned, types=types, fixed=fixed)
                break
            source = models.sources_by_callee.get(callee)
            if source is not None and source.kind == "weak-random" and (
                    _secure_random_candidate(callees) or _reseeded_from_os(interp.fn, call)
                    or _seeded_by_design(interp.fn, call) or _picks_existing(site, callee)):
                # ``random`` rebound to ``random.SystemRandom()``, the module only a fallback; or the generator
                # seeded afresh from the operating system right before this draw, or from a value the function
                # derives the draw from on purpose; or one of the code's own
                # things picked (its data flows on, as through any call)
                continue
            if source is not None:
                if source.cleansed_unless and any(_given(site, ref) for ref in source.cleansed_unless):
                    source = replace(source, cleansed=EMPTY)  # (``get_json(force=True)``: any body)
                result = interp.source_value(source, call)
                if source.arguments_flow:
                    given = site.all_taints()
                    if source.arguments_cleansed:
                        given = V.cleanse_all(given, source.arguments_cleansed)
                    result = Value(result.const, V.merge_taints(result.taints, given), result.types,
                                   result.items, result.func, result.fixed)
                break
            if callee in models.clean:
                result = Value(types=_returns(models, callee))
                break
            generated = models.generated_callees.get(callee)
            if generated is not None:
                # ``tempfile.mkstemp(suffix=".mp4")``: the library makes it; only the arguments named flow in
                flows = EMPTY
                for ref in generated.args:
                    v, _ = site.arg(ref.position, ref.name)
                    if v is not None:
                        flows = V.merge_taints(flows, V.merge_taints(v.taints, V.all_item_taints(v.items)))
                result = generated_value(generated, flows)
                break
            propagator = models.propagators.get(callee)
            if propagator is not None:
                result = self.propagate(site, propagator, callee)
                break
            target = self.resolve_function(callee)
            if target is not None:
                result = self.apply_summary(interp, site, target, callee)
                if site.receiver is not None and self.functions[target].abstract:
                    # a method that does nothing, for subclasses to fill in (``self.provider.submit(...)`` with
                    # ``provider: ExecutionProvider``): the call reaches their overrides
                    for override in self.overrides(callee, interp.path):
                        result = V.join(result, self.apply_summary(interp, site, override, override))
                break
            if callee in models.returns:
                # (a statement a database runs returns its rows, not what it was given: as of an unknown object)
                taints = self.unknown_taints(site) if method in _EXECUTES else self.default_taints(site)
                types = _returns(models, callee)
                if _FILE_OBJECT in types:
                    # ``open(filepath)``: what is read from it is the file's content, not the parameter naming the
                    # file: a command built from its lines is not "built from parameter `filepath`"
                    taints = _derived(taints)
                item = models.returns_item.get(callee)
                # (``conn, address = sock.accept()``: the pair's first item is the socket)
                result = Value(taints=taints, types=types) if item is None \
                    else Value(taints=taints, items={item: Value(taints=taints, types=types)})
                break
        if result is None and method in models.method_sanitizers and (call.args or call.keywords):
            # ``table.insert().values(**data)``, ``stmt.where(col == x)`` on a receiver of a type no model
            # names, in a module importing the library: what the call is given is safe for ``protects``
            # (a statement's bound parameters); the receiver's own taint passes on as it is
            kinds = frozenset()
            for sanitizer in models.method_sanitizers[method]:
                if _imports_any(interp.module, sanitizer.imports):
                    kinds |= sanitizer.protects
            if kinds:
                result = self.unknown_call(interp, _arguments_cleansed(site, kinds), callees)
        if result is None:
            result = self.unknown_call(interp, site, callees)
        if models.sources_by_base:
            result = self.tainted_instance(interp, site, callees, result)
        if method == "replace" and len(site.args) >= 2 and site.args[0].is_const and site.args[1].is_const \
                and isinstance(site.args[0].const, str) and isinstance(site.args[1].const, str) and result.taints:
            # ``x.replace("'", "&apos;")``: what is replaced away cannot break out any more
            removed, replacement = site.args[0].const, site.args[1].const
            kinds = frozenset(kind for needle, kind in EXCLUSIONS if needle in removed and needle not in replacement
                              # ``.replace("../", "")`` leaves ``../`` of ``....//``; ``..`` gone is gone
                              and not (kind == V.PATH_NO_DOTDOT and removed != needle))
            if removed == "/" and "/" not in replacement:
                kinds = kinds | _SEGMENT  # ``x.replace("/", "_")``: no ``/`` left, one file name under a folder
            marker = _LDAP_SPECIALS.get(removed)
            if marker is not None and removed not in replacement:
                kinds = kinds | {marker}
            if kinds:
                taints = result.taints
                if V.PATH_NO_DOTDOT in kinds and not replacement:
                    # what was not absolute may be now: ``"..//etc".replace("..", "")`` is ``//etc``
                    taints = frozenset(V.Taint(t.kind, t.index, t.cleansed - _NOT_ABSOLUTE_MARK, t.step)
                                       if V.PATH_NOT_ABSOLUTE in t.cleansed and "path" not in t.cleansed else t
                                       for t in taints)
                taints = V.cleanse_all(taints, kinds)
                if marker is not None:
                    # ``*``, ``(`` and ``)`` each replaced by an escape (RFC 4515's ``\2a``, ``\28``, ``\29``): no
                    # character is left that changes an LDAP filter's structure
                    taints = frozenset(t.cleanse(_LDAP) if _LDAP_MARKS <= t.cleansed else t for t in taints)
                result = Value(result.const, taints, result.types, result.items, result.func, result.fixed)
        if method == "format" and result.taints and site.receiver is not None and site.receiver.is_const \
                and isinstance(site.receiver.const, str):
            result = Value(result.const, after_template_start(site.receiver.const, "{", result.taints), result.types,
                           result.items, result.func, result.fixed)
        if method in ("strip", "lstrip") and site.args and site.args[0].is_const \
                and isinstance(site.args[0].const, str) and "/" in site.args[0].const and result.taints:
            # ``key.strip("/ ")``: no leading ``/`` is left, so the name is not absolute (with ``..`` replaced
            # away before, ``key.replace("..", "").strip("/ ")``, it stays below the folder it is joined to)
            result = Value(result.const, V.cleanse_all(result.taints, _NOT_ABSOLUTE_MARK), result.types,
                           result.items, result.func, result.fixed)
        if method == "replace" and len(site.args) >= 2 and result.taints and self.named_source_rules:
            result = _secret_replaced(site.args[0], site.args[1], result)
        if method == "mount" and site.receiver is not None and isinstance(call.func, ir.Attr) \
                and len(site.args) == 2 and site.args[0].is_const and isinstance(site.args[0].const, str) \
                and site.args[0].const.startswith(("http://", "https://")) \
                and not any(self.resolve_function(c) is not None for c in callees):
            # ``session.mount("https://", adapter)``: only a requests session mounts transport adapters
            # on URL prefixes, so an object of unknown type (``policy.get_session()``) is one
            key = path_key(call.func.value)
            if key is not None and key in interp.state:
                old = interp.state[key]
                interp.state[key] = Value(old.const, old.taints, old.types | _REQUESTS_SESSION, old.items,
                                          old.func, old.fixed)
        spec = deferred_of(call, callees)
        if spec is not None:
            self.deferred_call(interp, site, spec)
        if method in _MUTATORS or method in _LIST_REMOVERS:
            if site.receiver is not None:
                key = path_key(call.func.value)
                updated = _mutate(method, interp.state.get(key or "", site.receiver), site)
                if key is not None and updated is not None:
                    interp.state[key] = updated
                if method == "pop" and site.receiver.items is not None and _is_list(site.receiver.items):
                    index = site.args[0].const if site.args and site.args[0].is_const else -1
                    keys = sorted(site.receiver.items)
                    if isinstance(index, int) and keys and -len(keys) <= index < len(keys):
                        return site.receiver.items[keys[index]]
        return result

    def tainted_instance(self, interp, site: CallSite, callees: list, result: Value) -> Value:
        """``SearchForm()`` of a reviewed class deriving from a base a ``[[source]]`` names by ``instances``
        (Flask-WTF's ``FlaskForm``, which fills itself from ``request.form`` unless given ``formdata``):
        the new object holds that source's data, whatever its constructor was given."""
        classes = {self.resolve_class(callee) for callee in callees} - {None}
        if len(classes) != 1:
            return result
        (klass,) = classes
        source = next((self.models.sources_by_base[name] for name, found in self.lineage(klass)
                       if found is None and name in self.models.sources_by_base), None)
        if source is None or any(site.arg(ref.position, ref.name)[0] is not None for ref in source.unless_args):
            return result
        made = interp.source_value(source, site.call)
        return Value(result.const, V.merge_taints(result.taints, made.taints), result.types, result.items,
                     result.func, result.fixed)

    def deferred_call(self, interp, site: CallSite, spec) -> None:
        """A call that runs a function of the reviewed code later with arguments given now (a thread's
        target, an executor's job, a task queue's task: ``analysis.deferred``, ``spec`` its entry): that
        function is called here, as by a direct call, so what the arguments carry reaches its sinks and its
        callers are known. What the call's own arguments evaluated to is reused, not evaluated again."""
        func = function_expr(site.call, spec)
        if func is None:
            return
        value = site.receiver if spec.receiver else site.arg(*spec.ref)[0]
        target = self.resolve_function(value.func) if value is not None and value.func else None
        if target is None:
            return
        call = synthetic_call(site.call, spec, func)
        if call is None:
            return
        if spec.rest:  # the call's own positional arguments after the function's, and its keywords
            args = site.args[len(site.call.args) - len(call.args):]
            kwargs = {k: v for k, v in site.kwargs.items() if spec.ref is None or k != spec.ref[1]}
        else:  # the elements of a tuple and a dict display given to the call
            args = [interp.eval(a) for a in call.args]
            kwargs = {k.name: interp.eval(k.value) for k in call.keywords}
        receiver = interp.eval(func.value) if isinstance(func, ir.Attr) else None
        self.apply_summary(interp, CallSite(interp, call, receiver, args, kwargs, EMPTY), target, target)

    def secret_arguments(self, interp, site: CallSite, method: str | None) -> None:
        """A value passed as a secret: under a secret keyword (``User(password=...)``), or as the
        value of a session or token cookie (``response.set_cookie("sessionid", value)``)."""
        secret = self.secret_rule
        call = site.call
        for name, value in site.kwargs.items():
            if value.taints and self._secret_kind(value) and secret.secret_name(name):
                self.check_sink(interp, _SECRET_SINK, name, call, value, call.keyword(name))
        if method == "set_cookie":
            cookie, _ = site.arg(0, "key")
            value, node = site.arg(1, "value")
            if value is not None and value.taints and cookie is not None and cookie.is_const \
                    and self._secret_kind(value) and secret.secret_cookie(cookie.const):
                self.check_sink(interp, _SECRET_SINK, "set_cookie", call, value, node)

    def secret_parameters(self, interp, site: CallSite, fn: ir.Function, bound: dict, summary=None) -> None:
        """A value passed positionally to a parameter named as a secret (``save(user, password)``); not to one
        the function hands back made into something else (``to_nmtoken(rand_token)``, an encoder): what the
        value becomes is where the caller keeps the result (``sid = to_nmtoken(random.getrandbits(64))``)."""
        secret = self.secret_rule
        params = fn.params
        returned = frozenset(t.index for t in V.merge_taints(summary.ret.taints, V.all_item_taints(summary.ret.items))
                             if t.is_param) if summary is not None else EMPTY
        for i, value in enumerate(site.args):
            if isinstance(site.call.args[i], ir.Starred):
                break
            if not value.taints:
                continue
            index = next((j for j, v in bound.items() if v is value), None)
            if index is not None and index < len(params) and index not in returned and self._secret_kind(value) \
                    and secret.secret_name(params[index].name):
                self.check_sink(interp, _SECRET_SINK, params[index].name, site.call, value, site.call.args[i])

    def command_numbers(self, class_qualname: str) -> frozenset:
        """The options a command class declares as numbers in its ``add_arguments(self, parser)``
        (``parser.add_argument("--lock-id", type=int)``): argparse converts them, or the command stops with
        a usage error, so what ``handle(self, *args, **options)`` reads under their names is a number (the
        protocol of Django's management commands)."""
        memo = self._command_numbers
        found = memo.get(class_qualname)
        if found is None:
            fn = self.functions.get(f"{class_qualname}.add_arguments")
            found = memo[class_qualname] = _number_options([fn] if fn is not None else [])
        return found

    def number_options(self, module: ir.Module) -> frozenset:
        """The options the module's argparse parsers declare as numbers (``type=int`` or ``float``) and
        under no other type: what ``args.limit`` of ``args = parser.parse_args()`` holds there."""
        memo = self._command_numbers
        key = ("module", module.name)
        found = memo.get(key)
        if found is None:
            found = memo[key] = _number_options([module.body, *module.functions.values()])
        return found

    def command_option(self, interp, options: ir.Expr, key) -> Value | None:
        """``options["lock_id"]`` (or ``.get``/``.pop``) in a command's ``handle(self, *args, **options)``:
        a number when ``add_arguments`` declares that option ``type=int`` or ``float``."""
        fn = interp.fn
        if not (isinstance(key, str) and isinstance(options, ir.Name) and fn.name == "handle"
                and fn.class_qualname is not None and fn.params and fn.params[-1].kind == "kwarg"
                and options.id == fn.params[-1].name and options.kind == ir.NameKind.LOCAL):
            return None
        if key in self.command_numbers(fn.class_qualname):
            return _OPTION_NUMBER
        return None

    def server_facts(self, interp, site: CallSite, method: str | None, callees: list) -> Value | None:
        """What a database cursor returns after a constant statement that selects only the server's own facts
        (``_SERVER_FACTS``: ``cursor.execute("SELECT pg_backend_pid()")``, ``SELECT CONNECTION_ID()``,
        ``SELECT CURRENT_SESSION()``): the server's own ids and names, no outside data. Tracked per cursor
        (its path key) within the function: any other statement it runs, a call it is passed to, or a way
        where it did not run that statement makes its rows unknown again."""
        call = site.call
        own = any(self.resolve_function(c) is not None for c in callees)
        if own or (method not in _EXECUTES and method not in _FETCHES):
            # passed to a call (or a method of the reviewed code's own): that may run anything on it
            for arg in list(call.args) + [k.value for k in call.keywords]:
                key = path_key(arg.value if isinstance(arg, ir.Starred) else arg)
                if key is not None and FACTS + key in interp.state:
                    interp.state[FACTS + key] = NOT_FACTS
            if own and isinstance(call.func, ir.Attr):
                key = path_key(call.func.value)
                if key is not None and FACTS + key in interp.state:
                    interp.state[FACTS + key] = NOT_FACTS
            return None
        if not isinstance(call.func, ir.Attr):
            return None
        key = path_key(call.func.value)
        if method in _EXECUTES:
            fact = method == "execute" and len(call.args) == 1 and not call.keywords and len(site.args) == 1 \
                and site.args[0].is_const and isinstance(site.args[0].const, str) \
                and _SERVER_FACTS.match(site.args[0].const) is not None
            if key is not None:
                interp.state[FACTS + key] = _FACT_ROWS if fact else NOT_FACTS
                interp.facts_seen = True
            return _FACT_ROWS if fact else None  # (``cursor.execute(...).fetchone()``: its rows)
        if key is None:
            return None
        known = interp.state.get(FACTS + key)
        if known is not None and known is not NOT_FACTS and not (known.types & NOT_FACTS.types):
            return _FACT_ROWS
        return None

    def key_value_store(self, interp, site: CallSite, method: str | None) -> Value | None:
        """Values stored and read back under constant keys: ``d.get("k")`` on a known dict,
        ``config.set("s", "k", v)`` then ``config.get("s", "k")`` on a ConfigParser."""
        receiver = site.receiver
        if receiver is None or method is None:
            return None
        if method == "get" and site.args and site.args[0].is_const:
            default = site.args[1] if len(site.args) > 1 else None
            item = referer_item(receiver, site.args[0].const, default)
            if item is not None:
                return item
            item = environ_item(receiver, site.args[0].const)
            if item is not None:
                return item if default is None else V.join(item, default)
        consts = [a.const for a in site.args if a.is_const]
        if method == "get" and receiver.items is not None and site.args and site.args[0].is_const \
                and not (receiver.types & _KV_TYPES):
            key = site.args[0].const
            if hashable(key) and key in receiver.items:
                return receiver.items[key]
            if len(site.args) > 1:
                return site.args[1]
            return None
        if not (receiver.types & _KV_TYPES):
            return None
        key = path_key(site.call.func.value)
        if method == "set" and len(site.args) == 3 and len(consts) >= 2 and site.args[0].is_const \
                and site.args[1].is_const and key is not None:
            current = interp.state.get(key, receiver)
            items = dict(current.items or {})
            items[(site.args[0].const, site.args[1].const)] = site.args[2]
            interp.state[key] = Value(V.UNKNOWN, current.taints, current.types, items, current.func)
            return V.const(None)
        if method in ("get", "getint", "getfloat", "getboolean") and len(site.args) >= 2 \
                and site.args[0].is_const and site.args[1].is_const:
            item = (receiver.items or {}).get((site.args[0].const, site.args[1].const))
            if item is not None:
                return item if method == "get" else TOP
            return TOP if method != "get" else Value(taints=receiver.taints) if receiver.taints else TOP
        return None

    def default_taints(self, site: CallSite) -> frozenset:
        taints = site.all_taints()
        if site.receiver is not None:
            taints = V.merge_taints(taints, V.merge_taints(site.receiver.taints,
                                                           V.all_item_taints(site.receiver.items)))
        return taints

    def unknown_taints(self, site: CallSite) -> frozenset:
        """What the result of a call the analysis cannot see into carries: its inputs' taint
        (``os.path.join(base, name)``, ``b64decode(data)``, ``name.strip()``,
        ``thing.transform(x)``), except for a method whose name says it looks up, fetches or
        creates something (``_LOOKUP_METHOD``) on an object the analysis knows nothing of (a
        service, an RPC client, a database session): that gives the object's own taint only,
        since a record found or made from a client's id is not the client's text."""
        receiver = site.receiver
        call = site.call
        if receiver is None or call.qualname or receiver.is_const or not _LOOKUP_METHOD.match(call.method or ""):
            return self.default_taints(site)
        taints = V.merge_taints(receiver.taints, V.all_item_taints(receiver.items))
        models = self.models
        if receiver.types and all(_constructed(t) and t not in models.sources_by_attribute
                                  and t not in models.sources_by_callee for t in receiver.types):
            # a client object made from request data (``Connection(session=Session(original_ip=ip))``):
            # what it looks up or creates is not that data either
            taints = frozenset(t for t in taints if t.is_param)
        if call.method in _DEFAULTS_AT_1:
            default, _ = site.arg(1, "default")
            if default is not None:
                taints = V.merge_taints(taints, V.merge_taints(default.taints, V.all_item_taints(default.items)))
        return taints

    def module_classes(self, name: str | None) -> list:
        """The classes a reviewed module defines at its top level (``getattr(module, name)``'s candidates)."""
        if not name or not self.in_reviewed_code(name):
            return []
        module = self.modules.get(name)
        if module is None:
            return []
        return sorted(q for q in module.classes if q.rpartition(".")[0] == name)

    def in_reviewed_code(self, qualname: str) -> bool:
        """Whether ``qualname`` names something inside a module of this review (``pkg.mod.Class.attr.method``)."""
        name = qualname
        while name:
            if dict.__contains__(self.modules, name) or name in self._pending or name in self._lazy_owned:
                return True
            name = name.rpartition(".")[0]
        return False

    def _unresolved_own(self, site: CallSite, callees: list) -> bool:
        """A call whose code is neither a library's nor found: a callable held in a local variable or
        parameter (``method(**action_args)``: which function runs is not known), or a name inside the
        reviewed modules that resolves to no function (an attribute set at run time,
        ``PROVIDERS.token_provider_api.validate_token(token_id)``). Taking such a call to return its
        arguments is a guess about code that is either unknown or the project's own; the project's
        own code that transforms text is found and analysed, and a library's is not concerned."""
        func = site.call.func
        if isinstance(func, ir.Subscript) or (isinstance(func, ir.Call) and func.method == "get"):
            # a callable looked up at run time in a table (``methods.get(name, _dispatch)(request, ...)``,
            # ``HANDLERS[name](...)``): what it returns is that function's, not its arguments
            return True
        if not callees:
            return isinstance(func, ir.Name) and func.kind in (ir.NameKind.LOCAL, ir.NameKind.FREE)
        return all(not c.startswith("builtins.") and c not in self.classes and c not in self.functions
                   and self.in_reviewed_code(c)
                   for c in callees)

    def _through_unseen(self, interp, site: CallSite, taints: frozenset) -> frozenset:
        """Taints an argument gives the result of a call whose code the analysis cannot see
        say so in their trace: that the value comes back is an assumption, not a fact read. The
        default of a mapping's ``get`` (``session.get("page_size", cookies.get("page_size"))``, a
        constant key and the default, positionally) is no guess: ``get`` returns it whenever the key
        is missing, which is what the mapping protocol says ``get`` does."""
        receiver = site.receiver
        own = {_unmarked_key(t) for t in V.merge_taints(receiver.taints, V.all_item_taints(receiver.items))} \
            if receiver is not None else set()
        call = site.call
        note = f"through `{interp.code(call.func, 50)}()`, whose code is not reviewed {V.ASSUMED}"
        default = _mapping_default(site)
        given = {_unmarked_key(t) for t in V.merge_taints(default.taints, V.all_item_taints(default.items))} \
            if default is not None else set()
        default_note = f"the default `{interp.code(call.func, 50)}()` returns when the key is missing"
        # a receiver's own data comes back from a data method (``f.get("name")``, ``name.strip()``); that
        # any other method returns it (``user.get_session_auth_hash()``, ``form.get_user()``) is a guess
        reshaped = call.method in _DATA_METHODS or call.method in _KEEPS_NAMED_METHODS
        out = []
        for t in taints:
            key = _unmarked_key(t)
            if (key in own and reshaped) or (
                    t.step is not None and t.step.note in (note, default_note) and t.step.line == call.line):
                out.append(t)
            elif key in given:
                out.append(t.with_step(Step(interp.path, call.line, call.col, default_note, t.step)))
            else:
                out.append(t.with_step(Step(interp.path, call.line, call.col, note, t.step)))
        return frozenset(out)

    def unknown_call(self, interp, site: CallSite, callees: list) -> Value:
        """A call to code we neither model nor review: its result may carry its
        inputs (``base64.b64decode(x)``, ``x.strip()``), and may be constant when
        its inputs are (``str(5)``)."""
        method = site.call.method
        if method in _CLEAN_METHODS:
            return TOP
        if callees == ["builtins.super"] and not site.args and interp.fn.is_method:
            base = self.first_base(interp.fn.class_qualname)
            if base is not None:
                return Value(types=frozenset({base}))  # ``super().get_all(...)``: the base class's method
        if callees == ["typing.cast"] and len(site.args) == 2 and not site.kwargs:
            return site.args[1]  # ``cast(Context, value)``: the value, as it is
        folded = _fold_call(site, callees)
        if folded is not None:
            return folded
        taints = self.unknown_taints(site)
        if taints and method == "format" and site.receiver is not None and not site.receiver.is_const \
                and "builtins.str" in site.receiver.types and callees == ["builtins.str.format"]:
            taints = formatted_taints(site)
        if taints and any(t.index == V.WHOLE_OBJECT for t in taints):
            # the request object itself given to code we cannot see (``plugin.on_api_get(request)``,
            # ``OneLogin_Saml2_Auth(req, config)``): what that returns is the callee's, not the request's
            # text; only a method of the request object itself reads the request
            kept = EMPTY if site.receiver is None else site.receiver.taints
            taints = frozenset(t for t in taints if t.index != V.WHOLE_OBJECT or t in kept)
        if taints and self._unresolved_own(site, callees):
            # a function of the reviewed code the analysis could not find, or a callable passed as a value
            # (``method(req=request, **args)``): what it returns is unknown, not what it was given
            receiver = site.receiver if isinstance(site.call.func, ir.Attr) else None  # (not a table's entry)
            taints = EMPTY if receiver is None else V.merge_taints(receiver.taints, V.all_item_taints(receiver.items))
        if taints and self.named_source_rules and not _keeps_named(site, callees):
            # a value taken by its name (a secret) does not survive a call we cannot see into; a
            # parameter is marked, so that the caller's secret passed in does not either
            taints = V.canonical(t.cleanse(_THROUGH) if t.is_param else t for t in taints
                                 if t.kind not in V.NAMED_KINDS)
        if taints and method == "split" and not site.call.args:
            program = _constant_program(interp.fn, site.call.func.value)
            if program is not None:
                # ``"haproxy -c -f {cfg}".format(cfg=path).split()``: an argument vector whose program is
                # the template's constant first word; the client's text is only in later arguments
                return Value(taints=taints, types=frozenset({"builtins.list"}), items={0: V.const(program)})
        if taints and method == "split" and len(site.call.args) == 1 and not site.call.keywords \
                and is_slash(site.call.args[0]):
            # every part holds no ``/`` (``SLASH_FREE_PARTS``); the list itself is the text's
            return Value(taints=taints, types=frozenset({"builtins.list", SLASH_FREE_PARTS}))
        if taints and method == "replace" and _sql_quote_doubling(site.call):
            # ``name.replace("'", "''")``: SQL's own escape of a quote inside a quoted literal
            taints = V.cleanse_all(taints, _SQL)
        pure = _pure_call(site, callees)
        if pure and _inputs_fixed(site):
            return Value(taints=taints, fixed=True)
        if taints and not pure and not any(
                c.startswith("builtins.") or c in self.classes or c in self.functions for c in callees):
            taints = self._through_unseen(interp, site, taints)
        if method not in _DATA_METHODS and method not in _PURE_METHODS and not pure:
            taints = _derived(taints)
        types = EMPTY
        if site.receiver is not None and site.receiver.types:
            types = V.derived_types(site.receiver.types, f"{method}()", skip_classes=True)
        if site.args and "builtins.compile" in callees:
            types = types | site.args[0].types  # the code object of a file's text is still that file's
        # ``requests.Session()``: calling a class makes an instance of it
        classes = [c for c in callees if c.rpartition(".")[2][:1].isupper()]
        if classes:
            types = types | {classes[0]}
        return Value(taints=taints, types=types) if taints or types else TOP

    def propagate(self, site: CallSite, propagator, callee: str) -> Value:
        if propagator.copy and len(site.args) == 1 and not site.kwargs and site.args[0].items:
            return site.args[0]  # ``copy.deepcopy(info)``: the original's items, each under its key
        if callee == "builtins.dict":
            made = _dict_made(site)
            if made is not None:
                return made
        taints = EMPTY
        if propagator.args:
            for ref in propagator.args:
                v, _ = site.arg(ref.position, ref.name)
                if v is not None:
                    taints = V.merge_taints(taints, V.merge_taints(v.taints, V.all_item_taints(v.items)))
        else:
            taints = site.all_taints()
        if propagator.receiver and site.receiver is not None:
            taints = V.merge_taints(taints, site.receiver.taints)
        if propagator.restores and any(propagator.restores in t.cleansed for t in taints):
            # ``b64decode(b64encode(x))`` is ``x``: what the encoder's text was safe for, the decoded text is not
            undone = self.models.restored_kinds(propagator.restores)
            taints = frozenset(Taint(t.kind, t.index, t.cleansed - undone, t.step)
                               if propagator.restores in t.cleansed else t for t in taints)
        if propagator.items_protect and taints:
            # ``root, ext = os.path.splitext(name)``: each part as the model says, the others as the whole
            items = {i: Value(taints=V.cleanse_all(taints, kinds)) for i, kinds in propagator.items_protect}
            for i in range(max(items) + 1):
                items.setdefault(i, Value(taints=taints))
            return Value(taints=taints, types=_TUPLE, items=items, fixed=_inputs_fixed(site))
        return Value(taints=taints, types=_returns(self.models, callee), fixed=_inputs_fixed(site))

    def apply_summary(self, interp: FunctionInterpreter, site: CallSite, target: str, callee: str) -> Value:
        summary = self.summary_of(target)
        fn = self.functions[target]
        if self.request_types:
            self.pass_request_types(site, fn, target, callee)
        if summary is None:
            return Value(taints=self.default_taints(site))
        nodes: dict = {}
        bound = self.bind_arguments(site, fn, target, callee, nodes)
        if self.named_source_rules and bound:
            bound = self._as_identifiers(fn, bound)
        if self.secret_rule is not None and site.args:
            self.secret_parameters(interp, site, fn, bound, summary)
        call = site.call
        shown = fn.name
        if fn.name == "__init__" and target.endswith(".__init__") and callee != target:
            shown = interp.code(call.func, 60)  # ``Box(item)`` on the line: the class is what is called
        elif isinstance(call.func, (ir.Name, ir.Attr)) and \
                (call.func.id if isinstance(call.func, ir.Name) else call.func.attr) != fn.name:
            # ``ldap_authenticate(...)`` bound to ``ldap_authenticate_default``: the step names what the line calls
            shown = interp.code(call.func, 60)
        call_note = f"passed to `{shown}()`"
        returned = f"returned by `{shown}()`"
        if not call.args and not call.keywords and type(call.func) is ir.Attr and _is_property(fn):
            # ``self.provider`` (``Program.property_getter``): no call is written, the attribute read runs it
            call_note = f"read through property `{call.func.attr}`"
            returned = f"returned by property `{call.func.attr}`"
        # ``escape_sqlite(name)``: a function named for quoting builds its result for the interpreter on
        # purpose; whether it quotes well is a question about it, not about its callers
        quoting = is_quoting_name(fn.name)

        def carried_taint(t) -> frozenset:
            """What the callee's taint ``t`` is at this call (empty: nothing)."""
            if t.cleansed and not when_holds(t.cleansed, bound, fn):
                return EMPTY  # returned only on a path this call's constant arguments do not take
            if not t.is_param:
                t = _without_when(t)
            if t.is_param:
                given = bound.get(t.index)
                arg = _resolve_marks(t.cleansed, given, bound, fn)
                if arg is None:
                    return EMPTY
                if quoting:
                    t = V.without_built(t)
                if arg is given and arg is not None and arg.taints:
                    arg = _item_read_on(arg, t.cleansed)
                return self.through(interp, call, t, arg, nodes.get(t.index), shown, call_note, returned)
            if t.cleansed and t.kind in V.NAMED_KINDS:
                t = _named_param_given(t, bound, fn)
                if t is None:
                    return EMPTY  # a secret by its parameter's name, given a constant at this call
            # data the callee itself read from a source: the trace comes back through the call
            return frozenset({t.with_step(Step(interp.path, call.line, call.col, returned, t.step))})

        # id of a callee's taint -> (it, what it is at this call): one set of taints and steps for it, however
        # many of the returned value's items hold it (each item's taints were carried anew, each with steps of
        # its own: on Salt a returned tree of 1,093 items made 6,558 taints where 6 differ)
        made: dict = {}

        def carried(taints) -> frozenset:
            out = EMPTY
            for t in taints:
                done = made.get(id(t))
                if done is None:
                    done = made[id(t)] = (t, carried_taint(t))
                out = V.merge_taints(out, done[1])
            if masking and out:
                # ``scrub_headers(headers)``, ``mask_dict_password(config)``: a function named for hiding
                # secrets returns what it was given with them hidden; a parameter of the caller is marked, so
                # that a secret its own callers pass does not survive the call either
                out = V.canonical(t.cleanse(_THROUGH) if t.is_param else t for t in out
                                  if t.kind not in V.NAMED_KINDS)
            return out

        masking = bool(self.named_source_rules) and (self.masking_function(fn.name) or fn.returns_mask)
        result_taints = carried(summary.ret.taints)
        ret_items = summary.ret.items
        # (the items are the callee's values too: a tuple of no taint of its own, ``return text, files``, may
        # hold the callee's parameters, which are this call's arguments, not this function's parameters)
        item_taints = V.all_item_taints(ret_items) if ret_items else EMPTY
        if not result_taints and not item_taints:
            items = ret_items
        else:
            items = _carried_items(summary.ret, carried)
            if items is None and item_taints and not result_taints:
                result_taints = carried(item_taints)
        # A call the models name as a sink is reported here, at the call the reviewed code makes;
        # the same sink inside the callee (a library's wrapper in the tree) would report it twice.
        modeled = {sink.kind for sink in self.models.sinks_for(callee)} if summary.sink_flows else ()
        voting = None
        own_guards = None  # this call's own branch conditions (``type_guards``), worked out once for all its flows
        for flow in summary.sink_flows:
            if flow.kind in modeled:
                continue
            if voting is None:
                # test code is no caller of production code: it decides nothing about it
                voting = not self.in_test_code(interp.path) or self.in_test_code(self.function_module[target].path)
            arg = given = bound.get(flow.param)
            if arg is not None and flow.cleansed and V.call_marks(flow.cleansed):
                arg = _resolve_marks(flow.cleansed, arg, bound, fn)
                if arg is None:
                    continue  # the parameter does not reach the sink at this call (``msg_on_fail`` given)
                if arg is given and arg.taints:
                    arg = _item_read_on(arg, flow.cleansed)
            conditions = self.flow_conditions(interp, fn, flow, bound, nodes) if flow.conditions else ()
            if conditions is not None and interp.fn.params:
                # this call runs only when this function's parameters pass its own tests (``else`` of ``if
                # stream is False:``): so does the callee's sink, for this function's callers
                if own_guards is None:
                    guard = interp.param_guard()
                    # (``if print_error_info: self._validate(response, kwargs)``: as for a sink of its own)
                    own_guards = (((guard, "truthy", True),) if guard else ()) + interp.type_guards()
                conditions = (*conditions, *own_guards)
            self.apply_flow(interp, site, target, fn, flow, arg, call_note, voting, nodes.get(flow.param), conditions)
        for key, by_param in summary.fields.items():
            for index, field_taint in by_param.items():
                arg = bound.get(index)
                if arg is None:
                    continue
                # the callee's own steps end where it stores the field, in its own file
                real = self.through(interp, call, field_taint, arg, nodes.get(index), shown, call_note, None,
                                    params=False)
                if real:
                    self.merge_field(key, Value(taints=real))
                # what the callee made of its parameter before storing it (``self._checker =
                # compile_restricted(expr)``: safe as code) holds of this caller's parameter passed there too
                marks = V.call_marks(field_taint.cleansed)
                made = field_taint.cleansed - marks if marks else field_taint.cleansed
                for at in arg.taints:
                    if at.is_param:
                        if not made <= at.cleansed:
                            at = Taint(at.kind, at.index, at.cleansed | made, at.step)
                        _keep_field_taint(interp.summary.fields.setdefault(key, {}), at)
        if summary.checks or summary.halts or interp.call_checks or fn.address_guard:
            interp.note_callee_checks(call, fn, summary, nodes)  # ``validate_path_is_safe(path)``: see there
        const = summary.ret.const if summary.ret.is_const else V.UNKNOWN
        types = summary.ret.types
        if target.endswith(".__init__") and callee != target:
            types = self.types.single(target[: -len(".__init__")])
            const = V.UNKNOWN
        if fn.class_qualname is None and callee in self.classes:
            types = self.types.single(callee)
        fixed = summary.ret.fixed and all(
            bound.get(t.index) is not None and bound[t.index].is_fixed for t in summary.ret.taints if t.is_param) \
            and not any(not t.is_param and t.kind not in V.NAMED_KINDS for t in summary.ret.taints)
        return Value(const, result_taints, types, items, summary.ret.func, fixed and const is V.UNKNOWN)

    def through(self, interp, call: ir.Call, t: Taint, arg: Value, arg_node, shown: str, call_note: str,
                note: str | None, params: bool = True) -> frozenset:
        """The caller's taints for what a callee makes of its parameter ``t`` (returns or stores) given
        the argument ``arg``; a parameter the callee splices into a string, given a value of unknown
        origin, makes a string built from that value."""
        out = EMPTY
        spliced = V.BUILT_MARK in t.cleansed
        data = False
        for at in V.merge_taints(arg.taints, V.all_item_taints(arg.items)):
            if at.is_param and not params:
                continue
            if at.kind == V.OPAQUE:
                if spliced:
                    cleansed = (at.cleansed | t.cleansed) - _MARK
                    if "*" not in cleansed:
                        step = Step(interp.path, call.line, call.col,
                                    f"`{interp.code(arg_node, 40) if arg_node is not None else 'a value'}` passed to "
                                    f"`{shown}()`", None)
                        out = V.merge_taints(out, frozenset({Taint(V.BUILT, -1, cleansed, _end_chain(
                            step, t.step, interp, call, note))}))
                    continue
            else:
                data = True
            ext = _extend(at, interp, call, call_note, t, note)
            if spliced and V.BUILT_MARK not in at.cleansed and (
                    not at.is_param or V.DERIVED in at.cleansed or V.via_call(at.step)):
                # built by the callee from data, or from what a call made of this function's parameter
                ext = Taint(ext.kind, ext.index, ext.cleansed - _MARK, ext.step)
            out = V.merge_taints(out, frozenset({ext}))
        if spliced and not data and not arg.is_fixed and not is_number(arg) and "*" not in t.cleansed:
            # built by the callee from what this call passes, whose origin is not known here
            what = f"`{interp.code(arg_node, 40)}`" if arg_node is not None else "a value"
            step = Step(interp.path, call.line, call.col, f"{what} passed to `{shown}()`", None)
            cleansed = t.cleansed - _MARK
            if arg_node is not None and interp.setting_read(arg_node):
                cleansed = cleansed | _SETTING  # ``filter_query(hints, self.ldap_filter)``: built from a setting
            out = V.merge_taints(out, frozenset({Taint(V.BUILT, -1, cleansed, _end_chain(
                step, t.step, interp, call, note))}))
        return out

    def apply_flow(self, interp, site: CallSite, target: str, fn: ir.Function, flow: SinkFlow, arg: Value | None,
                   call_note: str, voting: bool, arg_node=None, conditions: tuple | None = ()) -> None:
        """A parameter of the callee ``target`` reaches a sink in it; ``arg`` is what this call passes.
        Traced data is reported at the sink; a string built here and passed on to the sink is reported
        where it is built; this function's own parameters extend its summary; and when the callee's
        finding depends on its callers, this call says what it passes (``FindingsBuilder.vote``)."""
        rule, kind, call = flow.rule, flow.kind, site.call
        built_flow = V.BUILT_MARK in flow.cleansed
        construction = kind in rule.constructions
        judged = voting and ((construction and built_flow) or (not built_flow and rule.untainted is not None and (
            rule.untainted_kinds is None or kind in rule.untainted_kinds)) or rule.callers_decide_named)
        if conditions is None:
            # what this call passes (or leaves to the default) for the sink's condition keeps the sink
            # away (``shell`` False): the parameter reaches no sink from here
            if judged:
                self.findings.vote(rule.id, target, flow.param, ("safe",))
            return
        if arg is None:
            if judged:
                default = fn.params[flow.param].default if flow.param < len(fn.params) else None
                self.findings.vote(rule.id, target, flow.param,
                                   ("safe" if isinstance(default, ir.Const) else "open",))
            return
        arg = rule.flow_argument(flow, arg)
        if arg is None:
            return
        statuses = set()
        for at in V.merge_taints(arg.taints, V.all_item_taints(arg.items)):
            if not at.dangerous_for(kind) or kind in flow.cleansed:
                continue
            if at.kind == V.OPAQUE:
                continue
            if V.THROUGH_CALL in flow.cleansed:
                if at.kind in V.NAMED_KINDS:
                    continue  # the secret went through a call we cannot see into before the sink
                if at.is_param:
                    at = at.cleanse(_THROUGH)
            if at.kind == V.BUILT:
                # built by this caller from settings (``self.ldap_filter``) and safe values: what the rule
                # would not report had it been built in the callee; from other values of unknown origin: open
                statuses.add("safe" if V.SETTING_MARK in at.cleansed else "open")
                continue
            if not at.is_param and not rule.takes_source(at.kind, kind):
                continue
            if at.index == WHOLE_OBJECT and not rule.whole_objects:
                continue
            halves = flow.cleansed & V.PATH_HALVES
            if halves and not at.is_param:
                # the callee ruled out ``..`` (or an absolute name) of its parameter: what is left of this caller's
                # data is the other half; both halves ruled out, one here and one there, leave nothing
                if (at.cleansed | halves) >= V.PATH_HALVES and kind == "path":
                    continue
                at = at.cleanse(halves)
            step = Step(interp.path, call.line, call.col, call_note, at.step)
            step = _append_chain(step, flow.step)
            if at.is_param:
                passed = at
                if built_flow and V.BUILT_MARK not in at.cleansed:
                    passed = Taint(at.kind, at.index, at.cleansed | _MARK, at.step)
                self.record_param_flow(interp, passed, rule, kind, flow.site, step, conditions)
                if construction and not built_flow and V.BUILT_MARK in at.cleansed:
                    # built here from this function's parameter, then passed on to the sink
                    reported = self.report_built_at(interp, rule, at, flow, call, call_note,
                                                    (interp.fn.qualname, (at.index,)))
                    statuses.add("safe" if reported else _passed_on(interp, at.index, rule, kind))
                elif V.DERIVED in at.cleansed:
                    # what a call made of this function's parameter (``project.getId()``, a record's id): of
                    # unknown origin, as a call's result is, not the parameter's own data for its callers to fill
                    statuses.add("open")
                else:
                    statuses.add(_passed_on(interp, at.index, rule, kind))
            elif rule.keeps(step, None) and rule.reports(at, flow.site) and self.findings.add_sink(
                    rule, flow.site, at, step, self.in_test_code(flow.site.path)):
                # (the program's own command line is reported, low, and leaves the other callers open)
                statuses.add("command-line" if own_user_sender(at.kind) else "traced")
            else:
                statuses.add("open")
        if not judged:
            return
        if construction and statuses and not statuses & _TRACED_STATUSES and self.quoted_argument(interp, arg_node):
            # ``get_table_columns(conn, quote_qualified_name(db, table))``, ``f"{_quote(schema)}.{_quote(name)}"``:
            # quoted for the interpreter by a function named for it, as a construction in place would be
            # (marimo's table names, panel AR)
            statuses = {"safe"}
        if not statuses:
            # nothing unsafe reaches the sink from here: a constant, a number, a sanitized value; or
            # a value of unknown origin
            taints = V.merge_taints(arg.taints, V.all_item_taints(arg.items))
            safe = arg.is_fixed or is_number(arg) or (bool(taints) and all(
                not t.dangerous_for(kind) or kind in flow.cleansed for t in taints)) \
                or self.class_reference(arg_node) \
                or (not taints and arg_node is not None and interp.setting_read(arg_node))
            statuses.add("safe" if safe else "open")
        self.findings.vote(rule.id, target, flow.param, statuses)

    def quoted_argument(self, interp, node, depth: int = 0) -> bool:
        """Whether ``node``, an argument at a call, is quoted by a function named for quoting: such a call, text
        built of such calls and constants only, or a local every assignment of which is one of these."""
        if node is None or depth > 1:
            return False
        sanitizers = self.models.sanitizers
        if isinstance(node, ir.Call):
            return is_quoting_call(node, sanitizers)
        if isinstance(node, ir.StringBuild) and node.kind in ("fstring", "concat", "join") and node.parts:
            return all(isinstance(p, ir.Const) or is_quoting_call(p, sanitizers) for p in node.parts)
        if isinstance(node, ir.Name) and node.kind == ir.NameKind.LOCAL:
            values = [stmt.value if isinstance(stmt, ir.Assign) and stmt.op is None else None
                      for stmt in bindings(interp.fn, node.id)]
            return bool(values) and all(v is not None and self.quoted_argument(interp, v, depth + 1) for v in values)
        return False

    def flow_conditions(self, interp, fn: ir.Function, flow: SinkFlow, bound: dict, nodes: dict) -> tuple | None:
        """Whether the sink of ``flow`` runs at this call of ``fn``, by the flow's ``conditions`` and what
        the call passes for them (``bound``, ``nodes``; the parameter's default when it passes nothing):
        None when it does not; else the conditions this function leaves to its own parameters in turn,
        passed on as they came."""
        out = []
        for index, how, wanted in flow.conditions:
            if how == "when-kwarg":
                key, want, default = wanted
                value = bound.get(index)
                if value is not None and value.items is None:
                    continue  # (the caller's own ``**kwargs`` passed on, or keywords not known: it may run)
                item = value.items.get(key) if value is not None else None
                if item is None:
                    if value is not None and V.taints_beyond_items(value):
                        continue
                    if default != want:
                        return None  # no such keyword passed: the callee's default keeps the sink away
                    continue
                if item.is_const and item.const != want:
                    return None
                continue
            if how == "falsy":
                value, node = bound.get(index), nodes.get(index)
                if value is None:
                    default = fn.params[index].default if index < len(fn.params) else None
                    value = V.const(default.value) if isinstance(default, ir.Const) else None
                if value is not None and value.is_const:
                    try:
                        if value.const:
                            return None  # a true constant there: the sink does not run at this call
                    except Exception:
                        pass
                    continue
                own = _own_parameter(interp, node, value) if node is not None and value is not None else None
                if own is not None:
                    out.append((own, "falsy", True))
                continue
            if how == "not-type":
                value = bound.get(index)
                left = _not_type_left(interp, value, nodes.get(index), *wanted) if value is not None else ()
                if left is None:
                    return None
                if left:
                    out.append(left)
                continue
            if how == "argument":
                # (``SinkRule.parameter_conditions``: the rule judges what this call passes)
                value, node = bound.get(index), nodes.get(index)
                if value is not None and flow.rule.argument_excuses(wanted, value):
                    return None
                own = _own_parameter(interp, node, value) if node is not None and value is not None else None
                if own is not None:
                    out.append((own, how, wanted))
                continue
            if how == "truthy":
                left = _truthy_left(interp, fn, index, bound, nodes)
                if left is None:
                    return None
                if left:
                    out.append((left, how, wanted))
                continue
            value, node = bound.get(index), nodes.get(index)
            if value is None:
                default = fn.params[index].default if index < len(fn.params) else None
                if not isinstance(default, ir.Const):
                    continue  # not known: the sink may run
                value, node = V.const(default.value), None
            if value.is_const:
                if how in ("eq", "ne"):
                    # ``native_query(q)``, its ``stream`` True, runs no ``if stream is False:`` branch
                    runs = _same_constant(value.const, *wanted) == (how == "eq")
                else:
                    runs = (value.const == wanted) if how == "when" else (value.const != wanted)
                if not runs:
                    return None
                continue
            if how == "when" and wanted is not True:
                return None  # (as the models read a value not known for a condition other than True)
            own = _own_parameter(interp, node, value) if node is not None else None
            if own is not None:
                out.append((own, how, wanted))
        return tuple(out)

    def class_reference(self, node) -> bool:
        """``User.__table__.c.name``: attributes read from a class of the reviewed code, the code's own
        objects (its tables' and columns' names), not data."""
        while isinstance(node, ir.Attr):
            node = node.value
        return isinstance(node, ir.Name) and node.kind in (ir.NameKind.DEF, ir.NameKind.IMPORT) \
            and node.qualname in self.classes

    def report_built_at(self, interp, rule, at: Taint, flow: SinkFlow, call: ir.Call, call_note: str, needs) -> bool:
        """A string built in the reviewed code (``at``: its trace has the step where it was built) reaches
        the sink of ``flow`` through a function that passes it on: reported where it was built."""
        built = None
        node = at.step
        while node is not None:
            if node.origin in V.CONSTRUCTIONS:
                built = node
                break
            node = node.prev
        step = Step(interp.path, call.line, call.col, call_note, at.step)
        step = _append_chain(step, flow.step)
        if built is None or self.in_test_code(built.path):
            return False
        code = built.note.partition("spliced into ")[2]
        site = self.construction_site(built, code[1:-1] if code.startswith("`") and code.endswith("`") else code,
                                      flow.site.kind)
        through = call_note.removeprefix("passed to `").removesuffix("()`")
        return self.findings.add_construction(rule, site, step, False, needs, sink=flow.site, through=through,
                                              operator=_command_entry(interp) and needs[0] == interp.fn.qualname,
                                              numbers=_number_defaults(self.functions.get(needs[0]), needs[1]),
                                              captured=_captured_defaults(self.functions.get(needs[0]), needs[1]))

    def construction_site(self, step: Step, code: str, kind: str = "") -> SinkSite:
        """Where a string was built (a step the interpreter marked), as the place a finding is reported;
        ``kind``: the kind of the sink it reaches (a rule's fix may depend on it)."""
        site = SinkSite.__new__(SinkSite)
        module = self.findings._module(step.path)
        text = module.source_line(step.line) if module is not None else ""
        site.path, site.line, site.col = step.path, step.line, step.col
        site.span = Span(step.line, step.col, step.line, max(len(text), step.col))
        site.code = text
        site.sink_code = code
        site.arg_code = ""
        site.callee = ""
        site.stmt_lines = (step.line, step.line)
        site.key, site.kind, site.use = None, kind, None
        return site

    def bind_arguments(self, site: CallSite, fn: ir.Function, target: str, callee: str,
                       nodes: dict | None = None) -> dict:
        """Parameter index -> argument value at this call."""
        params = fn.params
        offset = 0
        if fn.is_method and params and not _static(fn):
            # bound method call (obj.m(...), self.m(...), Class(...)) skips self
            if site.receiver is not None or target.endswith(".__init__"):
                offset = 1
            receiver = site.receiver
            if receiver is not None and receiver.types and any(t.startswith("class:") for t in receiver.types):
                offset = 0 if not _classmethod(fn) else 1
        bound = {}
        if offset == 1 and site.receiver is not None:
            bound[0] = site.receiver
        varargs = []  # what ``*args`` receives, in order
        for i, value in enumerate(site.args):
            index = i + offset
            if isinstance(site.call.args[i], ir.Starred):
                spread = _known_sequence(value) if i == len(site.args) - 1 else None
                if spread is not None:
                    # ``f(*curr_arg)`` of a tuple whose items are known (``(result, integration, api_key,
                    # Path(...))``): each item goes to its own parameter
                    for k, item in enumerate(spread):
                        j = index + k
                        if j < len(params) and params[j].kind == "positional":
                            bound[j] = item
                        else:
                            varargs.append(item)
                    break
                for j in range(index, len(params)):
                    if params[j].kind in ("positional", "vararg"):
                        # (a spread sequence fills positions only: never a keyword-only parameter or ``**kwargs``)
                        bound[j] = Value(taints=value.taints) if value.taints else TOP
                varargs = None
                break
            if index < len(params) and params[index].kind == "positional":
                bound[index] = value
                if nodes is not None:
                    nodes[index] = site.call.args[i]
            else:
                varargs.append(value)
        if varargs:
            for j, p in enumerate(params):
                if p.kind == "vararg":
                    # a tuple whose elements are known (``execute("ip", "link", dev)`` into ``def execute(*cmd)``)
                    items = dict(enumerate(varargs))
                    bound[j] = Value(taints=V.all_item_taints(items), types=frozenset({"builtins.tuple"}),
                                     items=items, fixed=V.all_fixed(varargs))
        names = {p.name: j for j, p in enumerate(params)}
        collected = None  # what ``**kwargs`` receives, by keyword
        for name, value in site.kwargs.items():
            j = names.get(name)
            if j is None:
                for k, p in enumerate(params):
                    if p.kind == "kwarg":
                        j = k
                if j is not None and j not in bound:
                    collected = collected if collected is not None else (j, {})
                    collected[1][name] = value
                    continue
            if j is not None:
                bound[j] = value if j not in bound else V.join(bound[j], value)
                if nodes is not None:
                    nodes[j] = site.call.keyword(name)
        if collected is not None:
            j, items = collected
            # a dict whose items are known (``f(a=1, password=p)`` into ``def f(**kwargs)``): an item the
            # callee takes out (``V.WITHOUT_MARK``) leaves with its taint
            bound[j] = Value(taints=V.all_item_taints(items), types=frozenset({"builtins.dict"}), items=items,
                             fixed=V.all_fixed(list(items.values())))
        if site.star_taints:
            star = Value(taints=site.star_taints)
            for j in range(len(params)):
                if j not in bound:
                    # ``f(url, **kwargs)``: a parameter gets the keyword of its name, when the caller's own
                    # ``**kwargs`` parameter is what is passed on (``V.ITEM_MARK``)
                    named = params[j].kind not in ("vararg", "kwarg")
                    bound[j] = Value(taints=V.item_read(site.star_taints, params[j].name)) if named else star
        return bound

    # ------------------------------------------------------------ sinks

    def apply_sink(self, interp, site: CallSite, sink: Sink, callee: str) -> None:
        rules = self.sink_rules.get(sink.kind)
        if not rules:
            return
        for rule in rules:
            if not rule.excused(site, sink, callee):
                self._apply_sink(interp, site, sink, callee, rule)

    def _apply_sink(self, interp, site: CallSite, sink: Sink, callee: str, rule) -> None:
        if sink.quoted_placeholder is not None:
            text, _ = site.arg(sink.quoted_placeholder.position, sink.quoted_placeholder.name)
            if text is None or not text.is_const or not isinstance(text.const, str) \
                    or not QUOTED_PLACEHOLDER.search(text.const):
                return
        conditions = []  # the keyword conditions left to a parameter of this function (``SinkFlow.conditions``)
        for key, wanted in sink.when:
            v = site.kwargs.get(key)
            if v is None or not v.is_const or v.const != wanted:
                if not (v is not None and not v.is_const and wanted is True):
                    return
                index = _own_parameter(interp, site.call.keyword(key), v)
                if index is not None:
                    conditions.append((index, "when", wanted))
                else:
                    passed = _kwargs_item(interp, v, key)
                    if passed is not None:
                        # ``subprocess.call(cmd, **kwargs)`` after ``kwargs.setdefault('shell', False)``: the
                        # keyword is the caller's, when it passes one, else that default
                        conditions.append((passed, "when-kwarg", (key, wanted, _setdefault_of(interp.fn, key))))
        for key, safe in sink.unless:
            v = site.kwargs.get(key)
            if v is not None and v.is_const and v.const == safe:
                return
            if v is not None and safe == "*":
                return
            if v is not None:
                index = _own_parameter(interp, site.call.keyword(key), v)
                if index is not None:
                    conditions.append((index, "unless", safe))
        guard = interp.param_guard() if interp.fn.params else None
        if guard:
            # the sink runs only when one of these parameters is true (``if allow_html: Markup(message)``):
            # a call that leaves them all false (or to a false default) makes it run nowhere
            conditions.append((guard, "truthy", True))
        if interp.fn.params:
            conditions.extend(interp.type_guards())
            conditions.extend(rule.parameter_conditions(interp, site, sink))
        conditions = tuple(conditions)
        refs = sink.args
        if sink.receiver and site.receiver is not None:
            self.check_sink(interp, sink, callee, site.call, site.receiver, site.call.func.value, rule=rule,
                            conditions=conditions)
        if not refs:
            for value, node in zip(site.args, site.call.args):
                self.check_sink(interp, sink, callee, site.call, value, node, rule=rule, conditions=conditions)
            return
        for ref in refs:
            value, node = site.arg(ref.position, ref.name)
            if value is not None and (not sink.built or _built_here(interp, node)):
                self.check_sink(interp, sink, callee, site.call, value, node, rule=rule, conditions=conditions)

    def check_sink(self, interp, sink: Sink, callee: str, node, value: Value, arg_node, value_node=None,
                   rule=None, conditions: tuple = ()) -> None:
        """``value`` reaches ``sink``: findings of ``rule`` (default: every rule watching the kind).
        ``value_node``: the expression whose value reaches the sink, when ``arg_node`` is not it
        (a store: ``arg_node`` is the target, ``value_node`` what is assigned); rules may judge it.
        ``conditions``: the sink's keyword conditions that parameters of this function decide
        (``SinkFlow.conditions``), kept with the flows of its parameters to the sink."""
        if rule is None:
            for one in self.sink_rules.get(sink.kind, ()):
                self.check_sink(interp, sink, callee, node, value, arg_node, value_node, one, conditions)
            return
        value = rule.dangerous_part(sink, value, node, arg_node)
        if value is None or (value.is_const and not value.taints):
            return
        kind = sink.kind
        taints = V.merge_taints(value.taints, V.all_item_taints(value.items))
        if kind == "path":
            taints = _segments_joined(taints)
        stmt = interp.stmt
        stmt_lines = (stmt.line, stmt.end_line) if stmt is not None else (node.line, node.end_line)
        sink_site = SinkSite(interp.module, node, callee, arg_node, stmt_lines, kind)
        sink_site.use = rule.site_use(interp, node, arg_node, sink)
        is_test = self.in_test_code(interp.path)
        reported = False
        params = []  # (parameter taint, trace to here) of the parameters that reach the sink unsafe
        sanitized = True  # every taint considered is known to be made safe for this sink
        considered = False
        reaches = None
        for t in taints:
            t_kind = t.kind
            if t_kind == V.BUILT or t_kind == V.OPAQUE:
                considered = True
                if t.dangerous_for(kind):
                    sanitized = False
                continue
            if not (t.is_param or rule.takes_source(t_kind, kind)):
                continue
            if t.index == WHOLE_OBJECT and not rule.whole_objects:
                continue
            considered = True
            if not t.dangerous_for(kind) and (rule.sanitizable or t.validated):
                continue
            sanitized = False
            if reaches is None:
                reaches = f"reaches `{code_of(interp.module, node, 60)}`"
            # (a trace that stopped growing on the way: the sink still ends it, saying steps were left out)
            cut = t.step is not None and t.step.depth >= V.MAX_TRACE
            step = Step(interp.path, node.line, node.col, f"{reaches} {V.SKIPPED}" if cut else reaches, t.step)
            if t.is_param:
                if rule.param_flows:
                    params.append((t, step))
            elif rule.keeps(step, value_node if value_node is not None else arg_node) and rule.reports(t, sink_site):
                needs = rule.sink_needs(interp)
                if needs is None and rule.callers_decide_named and t_kind in V.NAMED_KINDS:
                    needs = _named_by_own_param(interp.fn, t)
                self.findings.add_sink(rule, sink_site, t, step, is_test, needs)
                reported = True  # (or left out, resting on test code's data: nothing else to say here)
        spliced = [(t, step) for t, step in params if V.BUILT_MARK in t.cleansed]
        by_contract = bool(spliced) and all(rule.contract_parameter(interp, t) for t, _ in spliced)
        for t, step in params:
            if by_contract and V.BUILT_MARK in t.cleansed:
                # text in the sink's language by the parameter's name, framed by constants (``"sudo " + command``):
                # a runner by contract, which passes on what its callers give; a caller that builds it is reported
                t = Taint(t.kind, t.index, t.cleansed - {V.BUILT_MARK}, t.step)
            self.record_param_flow(interp, t, rule, kind, sink_site, step, conditions)
        if reported:
            return
        if kind in rule.constructions and not is_test:
            # (a string built from values of unknown origin only, an attribute or a call's result, is not
            # reported as built: on real code those were settings, paths and the database's own names)
            if by_contract:
                return  # callers decide
            if spliced:
                # built from parameters of this function: reported unless its callers show it safe
                # the trace shows a part that makes it of full confidence, when one does (a tag spliced in
                # as a step, then a class name inside quotes: the quoted one)
                t, step = min(spliced, key=lambda pair: (built_as(pair[1]) in rule.names_origins, pair[0].order()))
                needs = (interp.fn.qualname, tuple(sorted({p.index for p, _ in spliced})))
                origins = [p.step.steps()[0] for p, _ in sorted(spliced, key=lambda pair: pair[0].index)
                           if p.step is not None]
                self.findings.add_construction(rule, sink_site, step, is_test, needs, origins=origins,
                                               operator=_command_entry(interp),
                                               numbers=_number_defaults(interp.fn, needs[1]),
                                               captured=_captured_defaults(interp.fn, needs[1]))
                return
        if rule.untainted is None or value.is_const or (rule.untainted_kinds is not None
                                                         and kind not in rule.untainted_kinds) \
                or rule.by_design(interp, value, arg_node):
            return
        if rule.untainted_built_only and not any(
                (t.kind == V.BUILT and t.dangerous_for(kind)) or (t.is_param and V.BUILT_MARK in t.cleansed)
                for t in taints):
            return  # passed on as it was received or read (a parameter, an attribute, a call's result)
        if params:
            # the parameter itself, not built here: reported unless its callers show it safe
            needs = (interp.fn.qualname, tuple(sorted({p.index for p, _ in params})))
            self.findings.add_untainted(rule, sink_site, value, is_test, needs)
            return
        if value.is_fixed or (considered and sanitized) or rule.untainted_parameters_only:
            return  # one of several constants, or sanitized for this sink, or no evidence the rule accepts
        self.findings.add_untainted(rule, sink_site, value, is_test)

    def record_param_flow(self, interp, taint: Taint, rule, kind: str, site: SinkSite, step: Step,
                          conditions: tuple = ()) -> None:
        flow = SinkFlow(taint.index, rule, kind, site, step, taint.cleansed, conditions)
        flows = interp.summary.sink_flows
        # each kept flow's ``order()``, made once per analysis (None until compared): a full summary
        # compared every new flow with all of its 50, each order made anew, at every call
        orders = interp.flow_orders
        key = flow.key
        for i, other in enumerate(flows):
            if other.key == key:
                order = flow.order()
                old = orders[i]
                if old is None:
                    old = orders[i] = other.order()
                if order < old:
                    flows[i] = flow  # the canonical trace, whichever was met first
                    orders[i] = order
                return
        if len(flows) < MAX_SINK_FLOWS:
            flows.append(flow)
            orders.append(None)
            return
        # full: keep the smallest ones, so that which flows a summary keeps does not depend on order
        for i, old in enumerate(orders):
            if old is None:
                orders[i] = flows[i].order()
        worst = max(range(len(flows)), key=orders.__getitem__)
        order = flow.order()
        if order < orders[worst]:
            flows[worst] = flow
            orders[worst] = order


def _shorter_traces_kept(new: Value, old: Value) -> Value:
    """``new`` (what a function stores into a field now) with, for each of its taints that ``old`` (what its
    previous analysis stored there) held too, the shorter of the two traces (``Taint.order``); ``new`` itself
    when none is shorter in ``old``."""
    if not old.taints or not new.taints:
        return new
    before = {t._key: t for t in old.taints}
    taints = []
    changed = False
    for t in new.taints:
        o = before.get(t._key)
        if o is not None and o is not t and o.order() < t.order():
            t = o
            changed = True
        taints.append(t)
    if not changed:
        return new
    kept = copy.copy(new)  # (a ``OneOf`` stays one)
    kept.taints = frozenset(taints)
    kept.deep = None
    return kept


def _built_here(interp, node) -> bool:
    """``node`` (an argument) is a string built where it is (``"ou=%s,dc=org" % unit``, an f-string...) or a
    local variable each assignment of which in this function builds one (``Sink.built``)."""
    if isinstance(node, ir.Keyword):
        node = node.value
    if isinstance(node, ir.StringBuild):
        return True
    if not isinstance(node, ir.Name):
        return False
    values = [stmt.value for block in interp.fn.blocks for stmt in block.stmts
              if isinstance(stmt, ir.Assign) and any(isinstance(t, ir.NameTarget) and t.id == node.id
                                                     for t in stmt.targets)]
    return bool(values) and all(isinstance(v, ir.StringBuild) for v in values)


# a parameter whose name says it takes what names or identifies a thing (``name``, ``secret_name``, ``key_id``)
_NAMING_PARAMETER = re.compile(r"(?:^|_)(?:name|names|id|ids|uuid)$")


def _truthy_left(interp, fn: ir.Function, indexes: tuple, bound: dict, nodes: dict) -> tuple | None:
    """For a sink that runs only when one of the parameters ``indexes`` of ``fn`` is true, given what a
    call passes (``bound``, ``nodes``; a parameter's default when it passes nothing): None when all are
    false there (the sink does not run); else the parameters of the calling function the condition is
    left to (each passed on as it came), or ``()`` when the call may make it hold."""
    left = []
    for index in indexes:
        value, node = bound.get(index), nodes.get(index)
        if value is None:
            default = fn.params[index].default if index < len(fn.params) else None
            if not isinstance(default, ir.Const):
                return ()  # not known: the sink may run
            value, node = V.const(default.value), None
        if value.is_const:
            if value.const:
                return ()
            continue
        own = _own_parameter(interp, node, value) if node is not None else None
        if own is None:
            return ()
        left.append(own)
    return tuple(left) if left else None


_INSTANCE_OF = {
    "builtins.dict": ("builtins.dict", "collections.abc.Mapping", "collections.abc.MutableMapping", "typing.Mapping",
                      "typing.MutableMapping", "typing.Dict"),
    "builtins.list": ("builtins.list", "collections.abc.Sequence", "collections.abc.MutableSequence",
                      "collections.abc.Iterable", "typing.Sequence", "typing.List", "typing.Iterable"),
    "builtins.tuple": ("builtins.tuple", "collections.abc.Sequence", "collections.abc.Iterable", "typing.Sequence",
                       "typing.Tuple", "typing.Iterable"),
    "builtins.str": ("builtins.str", "collections.abc.Sequence", "typing.Sequence"),
    "builtins.bytes": ("builtins.bytes",),
    "builtins.bool": ("builtins.bool", "builtins.int", "numbers.Number", "numbers.Integral"),
    "builtins.int": ("builtins.int", "numbers.Number", "numbers.Integral"),
    "builtins.float": ("builtins.float", "numbers.Number", "numbers.Real"),
}
"""The classes a value of a built-in type (by its qualname in ``Value.types``) is an instance of, for ``isinstance``
tests written with an abstract class."""
_CONST_TYPES = {str: "builtins.str", bytes: "builtins.bytes", bool: "builtins.bool", int: "builtins.int",
                float: "builtins.float", tuple: "builtins.tuple"}


def _one_of(value: Value, classes: tuple) -> bool:
    """Whether ``value`` is known to be an instance of one of ``classes``: a constant of such a type, a display of
    one (a dict, list or tuple display, whose taints are all its items'), an object a constructor of that class
    made."""
    if value.is_const:
        types = {_CONST_TYPES.get(type(value.const))}
    elif not value.types or value.func is not None or (V.taints_beyond_items(value) if value.items is not None else any(
            t.is_param and not t.cleansed & V.MADE_OF for t in value.taints)):
        return False  # (a value that may also be something of another type: what its taints came with)
    else:
        types = value.types
    return all(t is not None and (t in classes or any(c in classes for c in _INSTANCE_OF.get(t, ()))) for t in types)


def _not_type_left(interp, value: Value, node, key: str, classes: tuple) -> tuple | None:
    """For a sink that runs only when a callee's parameter (its item ``key``, when not "") is none of ``classes``,
    given what a call passes there (``value``, ``node``): None when it is one of them (the sink does not run);
    else the condition left to the calling function's own parameter, passed on as it came (``(index,
    "not-type", (key, classes))``), or ``()`` when the call may make it run."""
    if key:
        if value.items is None or value.is_const:
            own = _own_parameter(interp, node, value) if node is not None else None
            return (own, "not-type", (key, classes)) if own is not None else ()
        value = value.items.get(key)
        if value is None:
            return ()  # not known to hold that item
        node = None
    if _one_of(value, classes):
        return None
    own = _own_parameter(interp, node, value) if node is not None else _parameter_itself(value)
    return (own, "not-type", ("", classes)) if own is not None else ()


def _parameter_itself(value: Value) -> int | None:
    """The index of the calling function's parameter when ``value`` is that parameter as it came (an item of a
    display the function built from it: ``{"auth": auth}``), nothing made of it; else None."""
    if value.is_const or value.items is not None or not value.taints:
        return None  # (its types may be its annotation's: ``auth: Optional[dict] = None``)
    indexes = {t.index for t in value.taints}
    if len(indexes) != 1 or not all(t.is_param and not V.call_marks(t.cleansed)
                                    and not t.cleansed & (V.MADE_OF | _MARK) for t in value.taints):
        return None
    return indexes.pop()


def _same_constant(value, constant, identity: bool) -> bool:
    """``value is constant`` (``identity``) or ``value == constant``, as the code's test reads."""
    if identity:
        return type(value) is type(constant) and value == constant
    try:
        return bool(value == constant)
    except Exception:
        return False


def _kwargs_item(interp, value: Value, key: str) -> int | None:
    """The index of the function's ``**kwargs`` parameter when ``value`` is only its item ``key`` as the caller
    passed it (or a constant the function defaults it to), never bound again; else None."""
    fn = interp.fn
    index = next((i for i, p in enumerate(fn.params) if p.kind == "kwarg"), None)
    if index is None or interp.bindings().get(fn.params[index].name) or not value.taints:
        return None
    mark = V.ITEM_MARK + key
    if all(t.is_param and t.index == index and mark in t.cleansed and not t.cleansed & V.MADE_OF
           for t in value.taints):
        return index
    return None


def _setdefault_of(fn: ir.Function, key: str):
    """The constant ``fn`` gives its ``**kwargs`` item ``key`` when the caller passes none
    (``kwargs.setdefault('shell', False)``); None when it sets none (the keyword is then left out)."""
    kwargs = next((p.name for p in fn.params if p.kind == "kwarg"), None)
    for stmt in fn.statements():
        call = getattr(stmt, "value", None)
        if isinstance(call, ir.Call) and call.method == "setdefault" and isinstance(call.func, ir.Attr) \
                and isinstance(call.func.value, ir.Name) and call.func.value.id == kwargs and len(call.args) == 2 \
                and isinstance(call.args[0], ir.Const) and call.args[0].value == key \
                and isinstance(call.args[1], ir.Const):
            return call.args[1].value
    return None


def _named_by_own_param(fn: ir.Function, taint: Taint) -> tuple | None:
    """``(fn.qualname, (index,))`` when the named taint was made by the name of ``fn``'s own parameter
    ``index`` (``V.NAMED_PARAM_MARK``): its finding in ``fn`` is for ``fn``'s callers to decide."""
    prefix = f"{V.NAMED_PARAM_MARK}"
    for mark in taint.cleansed:
        if mark.startswith(prefix):
            index, _, qualname = mark[len(prefix):].partition(":")
            if qualname == fn.qualname and index.isdigit():
                return (fn.qualname, (int(index),))
    return None


def _own_parameter(interp, node, value: Value) -> int | None:
    """The index of the parameter of the function being analysed that ``node`` reads as it came,
    the variable never assigned in the function (``shell=shell``); None for anything else."""
    index = interp.own_param(node) if not value.is_const else None
    if index is None:
        return None
    taints = value.taints
    if not any(t.is_param and t.index == index for t in taints) or any(t.is_param and t.index != index for t in taints):
        return None
    return index


def _stored(interp):
    """The expression an assignment being interpreted stores (None outside an assignment)."""
    stmt = interp.stmt
    return stmt.value if isinstance(stmt, ir.Assign) else None


_THROUGH = frozenset({V.THROUGH_CALL})


def _mapping_default(site):
    """The default value of ``m.get("key", default)`` (a method ``get`` given a constant string key and
    a default, both positionally, and nothing else), or None: the mapping protocol's ``get``."""
    call = site.call
    if call.method != "get" or len(call.args) != 2 or call.keywords or len(site.args) != 2 \
            or not isinstance(call.args[0], ir.Const) or not isinstance(call.args[0].value, str):
        return None
    return site.args[1]
_SQL = frozenset({"sql"})
_REDIRECT = frozenset({"redirect"})


def _constant_program(fn: ir.Function, text: ir.Expr) -> str | None:
    """The constant first word of a command line built from a template (``"haproxy -c -f {cfg}".format(...)``,
    an f-string or ``%``), given directly or as a local variable bound once to it; None otherwise."""
    if isinstance(text, ir.Name):
        bound = bindings(fn, text.id)
        if len(bound) != 1:
            return None
        text = bound[0].value
    if not isinstance(text, ir.StringBuild) or text.kind not in ("format", "percent", "fstring"):
        return None
    if text.kind == "fstring":
        first = text.parts[0] if text.parts else None
        start = first.value if isinstance(first, ir.Const) and isinstance(first.value, str) else None
    else:
        template = text.template
        start = template.value if isinstance(template, ir.Const) and isinstance(template.value, str) else None
        if start is not None:
            start = re.split(r"\{|%", start, maxsplit=1)[0]
    found = re.match(r"\s*(\S+)\s", start or "")  # the first word, ended by a space before any placeholder
    return found.group(1) if found else None


def _sql_quote_doubling(call: ir.Call) -> bool:
    """``value.replace("'", "''")`` (or the same for ``"``): a quote doubled, as SQL escapes it in a literal."""
    args = call.args
    return len(args) == 2 and all(isinstance(a, ir.Const) for a in args) and \
        (args[0].value, args[1].value) in (("'", "''"), ('"', '""'))
# Calls whose result shows its inputs as they were (string building, copies, containers,
# serialisation): a value taken from a name (a secret) survives them, and no other opaque call.
_KEEPS_NAMED = frozenset({"builtins.str", "builtins.repr", "builtins.format", "builtins.bytes", "builtins.dict",
                          "builtins.list", "builtins.tuple", "builtins.sorted", "builtins.vars", "copy.copy",
                          "copy.deepcopy", "json.dumps", "oslo_serialization.jsonutils.dumps", "six.text_type",
                          "six.binary_type", "pprint.pformat", "shlex.join", "subprocess.list2cmdline",
                          "urllib.parse.urlunparse", "urllib.parse.urlunsplit", "urllib.parse.urlencode"})
_KEEPS_NAMED_METHODS = frozenset({"format", "join", "encode", "decode", "strip", "lstrip", "rstrip", "lower", "upper",
                                  "replace", "split", "items", "values", "copy", "to_dict", "as_dict", "dumps",
                                  "format_map", "geturl"})


_CONTAINER_TYPES = frozenset({"builtins.tuple", "builtins.list", "builtins.dict", "builtins.generator"})
"""Returned containers whose known items a caller receives one by one (``Summary.ret.items``)."""
_RETURNED_ITEMS = 32
"""Up to how many known items of a returned container a caller receives one by one (a connection's
keyword arguments: ``Single(**_connection_kwargs())`` with 14 keys); beyond, the container as a whole."""


def _carried_items(value: Value, carried, memo: dict | None = None) -> dict | None:
    """``sql, params = helper(x)``, ``host, secret, camera = params_list(conf)``, ``**helper()``,
    ``helper()["json"]["zone"]``: each element or key of a returned container, and of the containers it
    holds, keeps what it is made of (``carried``: a taint of the callee as the caller sees it). A
    module-level function, not a closure: a recursive closure is a reference cycle that would keep the
    caller's analysis (and its IR) alive until the collector runs. ``memo``: id of an item met -> (the
    item, what it became), so that an item held in several places (a summary's values are shared,
    ``Summary.share``) becomes one value, made once, not one per path to it."""
    if not value.items or len(value.items) > _RETURNED_ITEMS or not (value.types & _CONTAINER_TYPES
                                                                      or V.FIELD_MARK in value.items):
        return None  # (an object whose fields its constructor's keywords gave: ``fields_given``)
    if memo is None:
        memo = {}
    out = {}
    for k, item in value.items.items():
        done = memo.get(id(item))
        if done is not None:
            out[k] = done[1]
            continue
        inner = V.merge_taints(item.taints, V.all_item_taints(item.items))
        if not inner:
            made = item
        else:
            nested = _carried_items(item, carried, memo)
            made = Value(taints=carried(inner) if nested is None else carried(item.taints),
                         types=item.types, items=nested)
        memo[id(item)] = (item, made)
        out[k] = made
    return out


def _unmarked_key(t: Taint) -> tuple:
    """``t._key`` without the mark of a call a named taint does not survive (``V.THROUGH_CALL``): the same
    data whether or not the rules of named sources are selected, which mark a parameter's taint so at
    the very call (``unknown_call``) whose receiver is compared with its result (``_through_unseen``)."""
    if V.THROUGH_CALL not in t.cleansed:
        return t._key
    return (t.kind, t.index, t.cleansed - _THROUGH)


def _keeps_named(site, callees: list) -> bool:
    method = site.call.method
    if method in _KEEPS_NAMED_METHODS:
        return True
    return any(c in _KEEPS_NAMED for c in callees)


def statement_keys(stmt: ir.Stmt) -> frozenset:
    """Every name a statement mentions: called qualified names and their last parts,
    method and attribute names, names, target names, and string constants. Statement
    rules declare ``triggers`` so that they run only where one of theirs appears."""
    keys = set()
    stack: list = []
    for attr in ("value", "test", "msg", "exc", "cause"):
        node = getattr(stmt, attr, None)
        if isinstance(node, ir.Expr):
            stack.append(node)
    for target in getattr(stmt, "targets", ()) or ():
        stack.append(target)
    while stack:
        node = stack.pop()
        t = type(node)
        if t is ir.Call:
            if node.qualname:
                keys.add(node.qualname)
                keys.add(node.qualname.rpartition(".")[2])
        elif t is ir.Name:
            keys.add(node.id)
            if node.qualname:
                keys.add(node.qualname)
        elif t is ir.Attr:
            keys.add(node.attr)
            if node.qualname:
                keys.add(node.qualname)
        elif t is ir.Const:
            if isinstance(node.value, str) and len(node.value) < 200:
                keys.add(node.value)
            continue
        elif t is ir.NameTarget:
            keys.add(node.id)
            continue
        elif t is ir.AttrTarget:
            keys.add(node.attr)
            stack.append(node.value)
            continue
        elif t is ir.ItemTarget:
            stack.append(node.value)
            stack.append(node.index)
            continue
        elif t is ir.UnpackTarget:
            stack.extend(node.elts)
            continue
        elif t is ir.StarTarget:
            stack.append(node.target)
            continue
        elif t is ir.Lambda:
            continue
        elif t is ir.Comprehension:
            for gen in node.generators:
                stack.append(gen.target)
        if isinstance(node, ir.Expr):
            stack.extend(node.children())
    keys.add(type(stmt).__name__)
    return frozenset(keys)


_COUNT = Value(types=frozenset({"builtins.int"}))
_EVERY_SINK = frozenset({"*"})
_ENUMERATE = frozenset({"builtins.enumerate"})
_TUPLE = frozenset({"builtins.tuple"})
_ENUM_BASES = ("enum.Enum", "enum.StrEnum", "enum.IntEnum")
_FLAG_BASES = ("enum.Flag", "enum.IntFlag")  # (a member's ``value`` is one of the code's numbers or their union)
# what ``x.replace(c, escape)`` of each character that structures an LDAP filter leaves: all three gone, the
# text is safe in a filter (``_LDAP``)
_LDAP_SPECIALS = {"*": "ldap-no-star", "(": "ldap-no-lparen", ")": "ldap-no-rparen"}
_LDAP_MARKS = frozenset(_LDAP_SPECIALS.values())
_LDAP = frozenset({"ldap"})


def _given(site: CallSite, ref) -> bool:
    """The call is given argument ``ref``, as something other than a constant False or None."""
    value, _ = site.arg(ref.position, ref.name)
    return value is not None and not (value.is_const and value.const in (False, None))


def _arguments_cleansed(site: CallSite, kinds: frozenset) -> CallSite:
    """``site`` with what every argument carries (items included) made safe for ``kinds``."""
    def cleansed(value: Value) -> Value:
        taints = V.merge_taints(value.taints, V.all_item_taints(value.items))
        if not taints:
            return value
        return Value(taints=V.cleanse_all(taints, kinds), types=value.types, fixed=value.fixed)

    return CallSite(site.interp, site.call, site.receiver, [cleansed(a) for a in site.args],
                    {k: cleansed(v) for k, v in site.kwargs.items()}, V.cleanse_all(site.star_taints, kinds))


_SITE_URL_TYPES = frozenset({"builtins.str", SITE_URL})


def _dict_made(site: CallSite) -> Value | None:
    """``dict(user=u, password=p)``, ``dict({"user": u}, **extra)``, ``dict(other)``: the dict made, each value
    under its key (a keyword overrides the mapping's entry), as a ``{...}`` literal would hold them; None when
    the positional argument is not a dict whose keys are known (a list of pairs, an unknown mapping)."""
    if len(site.args) > 1:
        return None
    first = site.args[0] if site.args else None
    if first is not None and not (first.items is not None and "builtins.dict" in first.types):
        return None
    items = dict(first.items) if first is not None else {}
    items.update(site.kwargs)
    beyond = site.star_taints if first is None else V.merge_taints(site.star_taints, V.taints_beyond_items(first))
    return Value(taints=V.merge_taints(beyond, V.all_item_taints(items)), types=frozenset({"builtins.dict"}),
                 items=items)


def _returns(models: ModelSet, callee: str) -> frozenset:
    t = models.returns.get(callee)
    return frozenset({t}) if t else EMPTY


def _receiver_name(e: ir.Expr) -> str:
    if isinstance(e, ir.Name):
        return e.id.lower()
    if isinstance(e, ir.Attr):
        return e.attr.lower()
    if isinstance(e, ir.Call):
        return (e.method or getattr(e.func, "id", "") or "").lower()
    return ""


def _is_list(items: dict) -> bool:
    return all(isinstance(k, int) for k in items) and sorted(items) == list(range(len(items)))


def _keyed_update(method: str, current: Value, site: CallSite) -> Value | bool | None:
    """A mapping after ``setdefault``/``update`` under constant keys, its other items kept apart as a
    subscript store keeps them (``kwargs.setdefault("verify", self.verify)`` on a caller's ``**kwargs``:
    ``kwargs['data']`` read afterwards is still only that item). The item set where the mapping's contents
    are not known also keeps what the mapping may already hold under that key. False: the mapping is
    unchanged (``setdefault`` of a key it is known to hold); None: not such a call."""
    args, items = site.args, current.items
    if site.star_taints or current.is_const:
        return None
    if method == "setdefault":
        if not args or len(args) > 2 or site.kwargs or not args[0].is_const or not hashable(args[0].const) \
                or isinstance(args[0].const, int):
            return None
        if items is not None and args[0].const in items:
            return False
        given = {args[0].const: args[1] if len(args) == 2 else V.const(None)}
    elif args:
        if method == "update" and len(args) == 1 and not site.kwargs and args[0].items is None and items:
            # ``data.update(overrides)`` of a mapping whose keys are not known: each item ``data`` holds is what it
            # held or what ``overrides`` holds under its key, and no other item's value (``data["namespace"]`` is
            # not ``data["client"]``); a key ``data`` did not hold is anything either holds
            given_taints = args[0].taints
            new_items = {key: Value(taints=V.merge_taints(
                V.merge_taints(old.taints, V.all_item_taints(old.items)),
                V.item_read(given_taints, key, given_taints) if isinstance(key, str) else given_taints))
                for key, old in items.items()}
            return Value(V.UNKNOWN, V.merge_taints(current.taints, given_taints), current.types, new_items,
                         current.func)
        if len(args) > 1 or site.kwargs or args[0].items is None or not args[0].items \
                or not all(isinstance(k, str) for k in args[0].items) or args[0].taints:
            return None
        given = dict(args[0].items)  # ``d.update({"verify": v})``
    elif site.kwargs:
        given = dict(site.kwargs)  # ``d.update(verify=v)``
    else:
        return None
    new_items = dict(items) if items is not None else {}
    for key, value in given.items():
        old = new_items.get(key)
        if old is None and current.taints and method == "setdefault":
            old = Value(taints=V.item_read(current.taints, key, current.taints))
        new_items[key] = value if old is None or method == "update" else \
            Value(taints=V.merge_taints(old.taints, value.taints))
    return Value(V.UNKNOWN, current.taints, current.types, new_items, current.func)


def _mutate(method: str, current: Value, site: CallSite) -> Value | None:
    """The receiver after a mutating method: list items kept exact through
    ``append``/``insert``/``pop``, other containers only gain the added taint."""
    items = current.items
    args = site.args
    if method in ("setdefault", "update"):
        keyed = _keyed_update(method, current, site)
        if keyed is not None:
            return keyed or None
    if items is not None and _is_list(items):
        ordered = [items[i] for i in range(len(items))]
        if method == "append" and len(args) == 1:
            ordered.append(args[0])
        elif method == "insert" and len(args) == 2 and args[0].is_const and isinstance(args[0].const, int):
            ordered.insert(args[0].const, args[1])
        elif method == "pop" and (not args or (args[0].is_const and isinstance(args[0].const, int))):
            index = args[0].const if args else -1
            if ordered and -len(ordered) <= index < len(ordered):
                ordered.pop(index)
        elif method == "extend" and len(args) == 1 and args[0].items is not None and _is_list(args[0].items):
            ordered.extend(args[0].items[i] for i in range(len(args[0].items)))
        elif method in ("clear",):
            ordered = []
        elif method == "reverse" and not args:
            ordered.reverse()
        elif method == "remove" and len(args) == 1 and args[0].is_const and all(v.is_const for v in ordered):
            # ``options.remove('N')`` of a list of constants: the same constants, less the first equal one
            found = next((i for i, v in enumerate(ordered) if _const_equal(v.const, args[0].const)), None)
            if found is not None:
                ordered.pop(found)
        else:
            ordered = None
        if ordered is not None and len(ordered) <= MAX_TRACKED_ITEMS:
            new_items = dict(enumerate(ordered))
            # (a list holding only values made of constants is one too: ``options.remove('N')``)
            return Value(V.UNKNOWN, V.all_item_taints(new_items), current.types, new_items, current.func,
                         fixed=V.all_fixed(ordered))
    added = site.all_taints()
    if method in ("write", "writelines"):
        added = V.in_contents(added)  # what is written is the file's contents, not its name
    if method in _LIST_REMOVERS:
        # (taking items out, or reordering them, adds none: a list of constants stays made of constants)
        return Value(V.UNKNOWN, V.merge_taints(current.taints, V.all_item_taints(items)), current.types, None,
                     current.func, fixed=V.all_fixed(items.values())) if items is not None else None
    if not added and not current.is_const and items is None:
        return None
    # (what is added may hold a ``/``: the parts of a split are not all slash-free any more)
    types = current.types - _SLASH_FREE if added and SLASH_FREE_PARTS in current.types else current.types
    return Value(V.UNKNOWN, V.merge_taints(V.merge_taints(current.taints, added), V.all_item_taints(items)),
                 types, None, current.func)


def _const_equal(a, b) -> bool:
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:
        return False


def _segments_joined(taints: frozenset) -> frozenset:
    """Path segments from two or more places joined into one path (``<a>/<b>/<c>`` route variables in
    ``os.path.join(BASE, a, b, c)``): together they climb out with ``..``; each alone does not."""
    segments = [t for t in taints if V.PATH_SEGMENT in t.cleansed and "path" not in t.cleansed]
    # counted by parameter: every route variable of a handler (and every parameter of a helper) carries a
    # parameter taint of its own index, while their source taints merge into one
    if len({t.index for t in segments if t.is_param}) < 2:
        return taints
    return frozenset(Taint(t.kind, t.index, t.cleansed - {V.PATH_SEGMENT}, t.step) if t in segments else t
                     for t in taints)


def _keep_field_taint(by_param: dict, taint: Taint) -> None:
    """One taint per parameter stored in a field: the canonical one, whatever the order met. Two
    taints of one parameter can share a trace and differ in what they were cleansed for (``x`` and
    ``f(x)`` stored on one line): the trace alone does not choose, and the first met would stay
    (a set's order, which changes from run to run); ``taint_order`` decides, the less cleansed first."""
    old = by_param.get(taint.index)
    if old is None or (old is not taint and _field_taint_order(taint) < _field_taint_order(old)):
        by_param[taint.index] = taint


def _field_taint_order(taint: Taint) -> tuple:
    return (taint.order(), V.taint_order(taint))


def _constant_text(node) -> str | None:
    """The constant pieces of a route built from a setting and constants (``settings.PREFIX +
    "<int:uploaded_at>/"``), joined by a space: its variables and their converters are in them."""
    if not isinstance(node, ir.StringBuild):
        return None
    pieces = [p.value for p in (node.template, *node.parts) if isinstance(p, ir.Const) and isinstance(p.value, str)]
    return " ".join(pieces) if pieces else None


def _converters_of(route: str, keep_unknown: bool = False) -> dict:
    """``{variable: type}`` of a route's variables whose converter admits only numbers or UUIDs
    (``<int:page>``, ``{page:int}``, a regular expression's ``(?P<page>\\d+)``); with ``keep_unknown``,
    the other variables too, with None."""
    found: dict = {}
    for angle, brace in _PLAIN_VARIABLE.findall(route):
        found[angle or brace] = SEGMENT  # ``<name>``, ``{name}``: the default converter stops at ``/``
    for converter, name in _ROUTE_VARIABLE.findall(route):
        found[name] = SEGMENT if converter in ("string", "str", "default", "slug") else _CONVERTER_TYPES.get(converter)
    for name, converter in _PATH_PARAM.findall(route):
        found[name] = SEGMENT if converter == "str" else _CONVERTER_TYPES.get(converter)
    for name in _REGEX_DIGITS.findall(route):
        found[name] = "builtins.int"
    for name in _BRACE_DIGITS.findall(route):
        found[name] = "builtins.int"
    return found if keep_unknown else {name: kind for name, kind in found.items() if kind}


_GROUP_ATOM = re.compile(r"(\[\^?\]?(?:\\.|[^\]\\])*\]|\\[dDwWsS]|\\[^\w]|\.|[^\\()\[|^$*+?{])"
                         r"(\*|\+|\?|\{(\d*)(?:,\d*)?\})?[?+]?")
_LATIN1 = tuple(chr(c) for c in range(256))
_DIGIT_CHARS = frozenset("0123456789")


@functools.lru_cache(maxsize=1024)
def _group_chars(body: str) -> tuple | None:
    """``(characters, least length)`` of what a regular expression group's body (a sequence of
    characters and classes, each maybe repeated: ``\\d+``, ``[^/]+``, ``[a-z0-9_-]{1,64}``) matches in
    a URL path (latin-1 text); None for anything else (groups inside, alternatives)."""
    alternatives = _split_alternatives(body)
    if len(alternatives) > 1:
        found = [_group_chars(a) for a in alternatives]
        if any(f is None for f in found):
            return None
        return frozenset().union(*(f[0] for f in found)), min(f[1] for f in found)
    chars: set = set()
    least = 0
    pos = 0
    while pos < len(body):
        m = _GROUP_ATOM.match(body, pos)
        if m is None:
            return None
        try:
            atom = re.compile(m.group(1))
        except re.error:
            return None
        chars.update(c for c in _LATIN1 if atom.fullmatch(c))
        quantifier = m.group(2) or ""
        least += 1 if not quantifier or quantifier == "+" else \
            (int(m.group(3) or 0) if quantifier.startswith("{") else 0)
        pos = m.end()
    return frozenset(chars), least


def _split_alternatives(body: str) -> list:
    """A group's body split at its ``|`` (not those escaped or in a character class)."""
    out, start, pos = [], 0, 0
    while pos < len(body):
        c = body[pos]
        if c == "\\":
            pos += 2
            continue
        if c == "[":
            pos = _class_end(body, pos)
        elif c == "|":
            out.append(body[start:pos])
            start = pos + 1
        pos += 1
    out.append(body[start:])
    return out


def _class_end(pattern: str, pos: int) -> int:
    """The position of the ``]`` closing the character class opened at ``pos``."""
    end = pos + 1
    if end < len(pattern) and pattern[end] == "^":
        end += 1
    if end < len(pattern) and pattern[end] == "]":
        end += 1
    while end < len(pattern) and pattern[end] != "]":
        end += 2 if pattern[end] == "\\" else 1
    return end


@functools.lru_cache(maxsize=1024)
def _pattern_groups(pattern: str) -> tuple | None:
    """``[(name or None, body or None, optional)]`` of the capturing groups of a URL pattern, in order;
    the body is None when the group holds groups itself. ``optional``: the group may take no part in a
    match (it is optional or repeated, inside another group, or the pattern has alternatives); when it
    takes none, the handler gets no text for it (Django leaves the keyword out, so the parameter keeps
    its default; Tornado passes None), and when it does, the text matched the body. None when not
    parsed."""
    groups: list = []
    stack: list = []  # (index in groups or None, start of body)
    pos = 0
    n = len(pattern)
    alternatives = False
    while pos < n:
        c = pattern[pos]
        if c == "\\":
            pos += 2
            continue
        if c == "[":
            pos = _class_end(pattern, pos) + 1
            continue
        if c == "|" and not stack:
            alternatives = True  # (inside a group: that group's body, ``_group_chars``)
        elif c == "(":
            name = None
            start = pos + 1
            if pattern.startswith("(?P<", pos):
                close = pattern.find(">", pos)
                if close < 0:
                    return None
                name, start = pattern[pos + 4:close], close + 1
            elif pattern.startswith("(?", pos):
                stack.append((None, start))
                pos += 1
                continue
            for index, _ in stack:
                if index is not None:
                    groups[index] = (groups[index][0], None, groups[index][2])  # (holds a group)
            groups.append((name, "", bool(stack)))  # (inside another group: ``(?:/(\\d+))?``)
            stack.append((len(groups) - 1, start))
        elif c == ")":
            if not stack:
                return None
            index, start = stack.pop()
            if index is not None:
                name, body, optional = groups[index]
                optional = optional or pattern[pos + 1:pos + 2] in ("?", "*") or pattern.startswith("{0", pos + 1)
                groups[index] = (name, None if body is None else pattern[start:pos], optional)
        pos += 1
    if stack:
        return None
    return tuple((name, body, optional or alternatives) for name, body, optional in groups)


def _group_converters(pattern: str, fn: ir.Function, encoded: bool, after: int = 0) -> dict | None:
    """``{parameter: type}`` of a request handler whose URL pattern's group admits only digits
    (``builtins.int``) or no ``/`` (``SEGMENT``; when ``encoded``, the group is unquoted after it matched
    the path as sent, so it must admit no ``%`` either): Tornado's ``(\\d+)`` passed by position after
    ``self`` (and ``after`` more parameters: Django's ``request``) when the pattern has no named group,
    ``(?P<camera_id>\\d+)`` by name; every other parameter a group fills, with None. A group that may
    take no part in a match says what it says of a parameter with a default (which it keeps then), and
    nothing of one without (whose value then comes from elsewhere: an including route). None when the
    pattern is not understood."""
    groups = _pattern_groups(pattern)
    if groups is None:
        return None
    named = any(name for name, _, _ in groups)
    params = (fn.params[1:] if _bound_receiver(fn) else fn.params)[after:]
    positional = [p.name for p in params if p.kind == "positional"] if not named else []
    by_name = {p.name for p in params}
    defaults = {p.name for p in params if p.default is not None}
    out: dict = {}
    for number, (name, body, optional) in enumerate(groups):
        if named:
            if not name or name not in by_name:
                continue
            param = name
        elif number < len(positional):
            param = positional[number]
        else:
            break
        kind = None
        found = _group_chars(body) if body is not None and (not optional or param in defaults) else None
        if found is not None:
            chars, least = found
            if chars and chars <= _DIGIT_CHARS and least >= 1:
                kind = DIGITS_OR_DEFAULT if optional and not _number_default(params, param) else "builtins.int"
            elif "/" not in chars and not (encoded and "%" in chars):
                # (``(\w+)``, ``[a-z0-9._]+``: safe for more than a path, for markup or SQL too)
                kind = charset_converter(chars) or SEGMENT
        out[param] = kind
    return out


_ANNOTATED_TYPES = {
    "builtins.int": "builtins.int", "builtins.float": "builtins.float", "builtins.bool": "builtins.bool",
    "uuid.UUID": "uuid.UUID", "pydantic.UUID4": "uuid.UUID", "pydantic.UUID1": "uuid.UUID",
    "pydantic.PositiveInt": "builtins.int", "pydantic.NonNegativeInt": "builtins.int",
    "pydantic.conint": "builtins.int",
    "wsme.types.IntegerType": "builtins.int", "wsme.types.UuidType": "uuid.UUID",
}


def _known_sequence(value: Value) -> list | None:
    """The items, in order, of a tuple or list whose every item is known (keys ``0`` to ``n - 1`` and nothing
    stored beyond them), or None."""
    items = value.items
    if not items or len(items) > 32 or set(items) != set(range(len(items))) or V.taints_beyond_items(value):
        return None
    if not value.types or not value.types <= {"builtins.tuple", "builtins.list"}:
        return None
    return [items[k] for k in range(len(items))]


def _converted_annotation(annotation) -> str | None:
    """The type a framework that converts by annotation gives a parameter annotated so: ``int``,
    ``float``, ``bool``, ``uuid.UUID``, also as the first item of ``Annotated[int, Path(ge=1)]`` and
    when ``None`` is allowed besides (``int | None``, ``Optional[int]``, ``Union[int, None]``: a
    parameter the client did not send keeps the code's default, no text of theirs either); None for
    any other annotation (``str``, ``int | str``)."""
    annotation = _without_none(annotation)
    if isinstance(annotation, ir.Subscript) and getattr(annotation.value, "qualname", None) in (
            "typing.Annotated", "typing_extensions.Annotated"):
        index = annotation.index
        annotation = index.elts[0] if isinstance(index, ir.Container) and index.elts else None
    if isinstance(annotation, ir.Call):
        annotation = annotation.func  # ``conint(gt=0)``
    return _ANNOTATED_TYPES.get(getattr(annotation, "qualname", None) or "")


_UNIONS = ("typing.Optional", "typing.Union")
_ANY_UNIONS = _UNIONS + ("typing_extensions.Optional", "typing_extensions.Union")


def _union_members(annotation, unions: tuple) -> list | None:
    """The members other than ``None`` of a union annotation (``X | None``, ``Optional[X]``, ``Union[X, Y,
    None]``, ``unions`` naming the subscript forms taken); None when the annotation is no union."""
    if isinstance(annotation, ir.BinOp) and annotation.op == "|":
        parts = [annotation.left, annotation.right]
    elif isinstance(annotation, ir.Subscript) and getattr(annotation.value, "qualname", None) in unions:
        index = annotation.index
        parts = list(index.elts) if isinstance(index, ir.Container) else [index]
    else:
        return None
    return [p for p in parts if not (isinstance(p, ir.Const) and p.value is None)]


def _without_none(annotation):
    """``X`` of ``X | None``, ``Optional[X]`` or ``Union[X, None]`` (either order), else the annotation."""
    members = _union_members(annotation, _ANY_UNIONS)
    return members[0] if members is not None and len(members) == 1 else annotation


def _routes_converters(fn: ir.Function, routes: list) -> dict:
    """What every route of a handler says of each parameter it fills (``{parameter: kind}`` per route, or
    None for a route not understood, which says nothing of any parameter): ``builtins.int`` (digits),
    ``SEGMENT`` or nothing. A route that does not fill a parameter with a default leaves it that default;
    one that does not fill a parameter without one says nothing of it: its value comes from elsewhere (a
    prefix the route is included under: Django's ``include()``, a blueprint's ``url_prefix``)."""
    if not routes or any(r is None for r in routes):
        return {}
    defaults = {p.name for p in fn.params if p.default is not None}
    if any(p.kind == "kwarg" for p in fn.params):
        # ``def get(self, request, **kwargs)``: a capture one route lacks is a key ``kwargs`` does not hold
        defaults |= {name for these in routes if these for name in these} - {p.name for p in fn.params}
    found: dict = {}
    for these in routes:
        for name, kind in these.items():
            found[name] = _meet(found[name], kind) if name in found else kind
    for these in routes:
        for name in found:
            if name not in these and name not in defaults:
                found[name] = None
    return {n: k for n, k in found.items() if k}


_GIVEN = "\0given:"


def _given_keywords(site, ref) -> str:
    """``_GIVEN`` and the constant keys, joined by commas, of the dict the registering call gives the handler
    as keyword arguments (``kwargs={"next_page": "/"}``), or ""."""
    if ref is None:
        return ""
    node = site.call.argument(ref.position, ref.name)
    if not isinstance(node, ir.DictExpr):
        return ""
    keys = [k.value for k in node.keys if isinstance(k, ir.Const) and isinstance(k.value, str)
            and k.value.isidentifier()]
    return _GIVEN + ",".join(sorted(keys)) if keys else ""


def _meet(a, b):
    """What two routes' converters of one parameter both promise: digits, digits or the parameter's
    default, one segment, or nothing."""
    if a == b:
        return a
    if {a, b} == {"builtins.int", DIGITS_OR_DEFAULT}:
        return DIGITS_OR_DEFAULT
    charsets = [k for k in (a, b) if isinstance(k, str) and k.startswith(CHARSET)]
    if len(charsets) == 2:
        return CHARSET + ",".join(sorted(charset_converter_kinds(a) & charset_converter_kinds(b)))
    if charsets:
        other = b if a in charsets else a
        if other in ("builtins.int", DIGITS_OR_DEFAULT):
            return charsets[0]  # digits are safe wherever the characters are
        return SEGMENT if other == SEGMENT else None
    if {a, b} <= {"builtins.int", DIGITS_OR_DEFAULT, SEGMENT}:
        return SEGMENT
    return None


def _number_default(params, name: str) -> bool:
    """Whether parameter ``name`` defaults to a whole number, or to text of digits."""
    default = next((p.default for p in params if p.name == name), None)
    return isinstance(default, ir.Const) and (
        (type(default.value) is int) or (isinstance(default.value, str) and default.value.isdigit()))


def _imports_ok(module: ir.Module, ep) -> bool:
    """Whether the module imports what the entry point ``ep`` needs (``imports``), if anything."""
    return not ep.imports or _imports_any(module, ep.imports)


# Flask's route decorators (Flask 2 has one per method)
_FLASK_ROUTES = frozenset({"route", "get", "post", "put", "patch", "delete"})
# Decorators that parse the request into a view's arguments (webargs, flask-pydantic, flask-parameter-validation)
_REQUEST_ARGUMENT_DECORATORS = frozenset({"use_args", "use_kwargs", "arguments", "input", "validate", "body",
                                          "query", "parse_args", "ValidateParameters", "expect", "doc_args"})
# frameworks whose route decorators pass query parameters to a handler's other parameters
_QUERY_ARGUMENTS = ("fastapi", "ninja", "starlette", "sanic", "quart_schema", "flask_smorest", "apiflask")


def _imports_any(module: ir.Module, prefixes: tuple) -> bool:
    """Whether the module imports, at its top level, one of these modules or something in them."""
    return any(q == p or q.startswith(p + ".") for q in module.imports.values() if q for p in prefixes)


def _static(fn: ir.Function) -> bool:
    return any(isinstance(d, ir.Name) and d.id == "staticmethod" for d in fn.decorators)


def _bound_receiver(fn: ir.Function) -> bool:
    """Whether a function's first parameter is the object it is called on: a method, unless static or written
    without one, its first parameter the request (Cuckoo's ``class FilesApi: def get(request, sha256)``,
    registered as ``url(r"^api/get/(?P<sha256>\\w+)/$", FilesApi.get)``: a plain function reached through its
    class, every parameter filled by the router)."""
    return fn.is_method and not _static(fn) and not (fn.params and fn.params[0].name in ("request", "req"))


def _classmethod(fn: ir.Function) -> bool:
    return any(isinstance(d, ir.Name) and d.id == "classmethod" for d in fn.decorators)


def _number_options(functions) -> frozenset:
    """The names of the ``add_argument`` options of ``functions`` declared as numbers and under no other type
    (none when one is stored under a name not known: it may be any of them)."""
    numbers, others = set(), set()
    for fn in functions:
        for stmt in fn.statements():
            for expr in expressions(stmt):
                for e in ir.walk(expr):
                    if isinstance(e, ir.Call) and e.method == "add_argument":
                        name, number = _option(e)
                        if name is None:
                            return frozenset()
                        (numbers if number else others).add(name)
    return frozenset(numbers - others)


def _option(call: ir.Call) -> tuple[str | None, bool]:
    """``parser.add_argument("--lock-id", type=int)``: the name under which it stores its value (``lock_id``,
    or its ``dest``; None when not known) and whether that value is a number (``type`` int or float, no
    ``action`` or ``nargs`` of its own)."""
    kind = call.keyword("type")
    number = kind is not None and getattr(kind, "qualname", None) in _NUMBER_TYPES \
        and call.keyword("action") is None and call.keyword("nargs") is None
    dest = call.keyword("dest")
    if dest is not None:
        return (dest.value if isinstance(dest, ir.Const) and isinstance(dest.value, str) else None), number
    flags = [a.value for a in call.args if isinstance(a, ir.Const) and isinstance(a.value, str)]
    if len(flags) != len(call.args) or not flags:
        return None, number
    long = [f for f in flags if f.startswith("--")]
    name = long[0][2:] if long else flags[0].lstrip("-")
    return name.replace("-", "_") or None, number


def _append_chain(head: Step, tail: Step | None) -> Step:
    """``head`` followed by the steps of ``tail`` (a callee's internal trace)."""
    if tail is None:
        return head
    node = head
    depth = node[0]
    limit = V.MAX_TRACE
    new = tuple.__new__
    steps = tail.steps()
    last = len(steps) - 1
    for i, s in enumerate(steps):
        if depth > limit:
            break  # (one past the limit at most: a trace that goes round a loop of calls stops growing)
        if depth >= limit - 1 and i < last:
            # no room for the steps between: the last one (where the callee's value reaches its sink, or what
            # it returns) still ends the trace, saying so
            s = steps[last]
            depth += 1
            note = s[4] if V.SKIPPED in s[4] else f"{s[4]} {V.SKIPPED}"
            node = new(Step, (depth, s[1], s[2], s[3], note, s[5] if s[5] in _KIND_ORIGINS else "", node))
            break
        depth += 1
        # ``Step(s.path, s.line, s.col, s.note, node, origin)``, its fields read and the step made without the
        # properties and the constructor's call (tens of thousands of steps a review); a construction step that
        # says where the callee splices the value into SQL (a name, an unquoted value) keeps that origin,
        # which the caller's rules read (``built_as``); an ordinary one does not, so that a finding is reported
        # at a construction of the caller's own (the callee may only wrap a whole command it is given); a
        # source's origin is said where the source is, not again through each call
        origin = s[5]
        node = new(Step, (depth, s[1], s[2], s[3], s[4], origin if origin in _KIND_ORIGINS else "", node))
    return node


_MARK = frozenset({V.BUILT_MARK})
_KIND_ORIGINS = frozenset({V.CONSTRUCTION_NAMES, V.CONSTRUCTION_NAME_OR_STEP, V.CONSTRUCTION_UNQUOTED})
"""The origins of construction steps that say where SQL text takes the value (a name, an unquoted value), which
``_append_chain`` keeps. Not ``CONSTRUCTION_STEPS``: text that reads as XPath steps is any path-like text
(``"{} /bin/rm -f {}"``), and a command built in a helper would then be reported there by that chance alone."""
_SEGMENT = frozenset({V.PATH_SEGMENT})
_SLASH_FREE = frozenset({SLASH_FREE_PARTS})
_NOT_ABSOLUTE_MARK = frozenset({V.PATH_NOT_ABSOLUTE})
_EXECUTES = frozenset({"execute", "executemany", "executescript", "callproc", "exec_driver_sql"})
_FETCHES = frozenset({"fetchone", "fetchall", "fetchmany", "fetchval", "fetchrow", "scalar", "scalar_one",
                      "scalar_one_or_none", "first", "one", "one_or_none", "scalars"})
_SERVER_FACT_FUNCTIONS = (
    # the session's and the server's own ids, names and clocks: none reads a table
    "pg_backend_pid", "connection_id", "aggregator_id", "current_session", "current_user", "session_user",
    "user", "system_user", "current_role", "current_database", "database", "current_schema", "schema",
    "version", "current_version", "now", "current_timestamp", "localtimestamp", "sysdate", "getdate",
    "last_insert_id", "lastval", "scope_identity", "txid_current", "pg_current_xact_id", "inet_server_addr",
    "inet_server_port", "current_account", "current_region", "current_warehouse", "current_client",
    "current_transaction", "uuid", "gen_random_uuid", "newid", "random", "rand", "@@spid",
    "@@version", "@@identity", "@@servername", "@@hostname", "@@port")
_SERVER_FUNCTION = (r"(?:(?:pg_catalog\.)?(?:" + "|".join(n for n in _SERVER_FACT_FUNCTIONS if not n.startswith("@"))
                    + r")\s*\(\s*\)|(?:" + "|".join(n for n in _SERVER_FACT_FUNCTIONS if n.startswith("@"))
                    + r")\b)(?:\s+(?:AS\s+)?[A-Za-z_]\w*)?")
_SERVER_FACTS = re.compile(rf"\s*(?:SELECT\s+{_SERVER_FUNCTION}(?:\s*,\s*{_SERVER_FUNCTION})*"
                           r"|PRAGMA\s+(?:foreign_key_check|foreign_key_list|table_info|table_xinfo|index_list|"
                           r"index_info|integrity_check|quick_check|table_list|database_list)"
                           r"(?:\s*\(\s*\w+\s*\))?)\s*;?\s*\Z", re.I)
"""A statement that selects only the server's facts, from no table, with no parameter: ``SELECT
pg_backend_pid()``, ``SELECT CONNECTION_ID(), AGGREGATOR_ID()``, ``SELECT @@SPID`` (functions of the
server that read no table: a function of the schema without arguments may return any row's data), and
SQLite's pragmas that describe the schema (``PRAGMA foreign_key_check``: table names and row ids)."""
_FACT_ROWS = generated_value(Generated("rows"))
_OPTION_NUMBER = Value(types=frozenset({"builtins.int"}))
_NUMBER_TYPES = frozenset({"builtins.int", "builtins.float"})

_SETTING = frozenset({V.SETTING_MARK})
_DERIVED = frozenset({V.DERIVED})
_FILE_OBJECT = "io.IOBase"
# Methods whose result is the receiver's own data, reshaped (``name.strip()``, ``conf.get("table")``):
# a parameter read through them is still that parameter.
_DATA_METHODS = frozenset({
    "strip", "lstrip", "rstrip", "lower", "upper", "casefold", "title", "capitalize", "replace", "split", "rsplit",
    "splitlines", "partition", "rpartition", "encode", "decode", "get", "pop", "setdefault", "copy", "items",
    "values", "keys", "removeprefix", "removesuffix", "__getitem__",
    "getvalue", "read", "readline", "readlines",  # a buffer's text: what was written to it (``io.StringIO``)
})


def _secret_replaced(needle: Value, replacement: Value, result: Value) -> Value:
    """``url.replace(f"{user}:{password}@", "")``, ``text.replace(token, "***")``: every occurrence of what the
    needle holds is replaced, so a secret the needle carries (by its name) and the replacement does not is no
    longer in the result, whether it came with the text or with the needle itself."""
    gone = {(t.kind, t.index) for t in needle.taints if t.kind in V.NAMED_KINDS}
    if not gone:
        return result
    gone -= {(t.kind, t.index) for t in V.merge_taints(replacement.taints, V.all_item_taints(replacement.items))}
    if not gone:
        return result
    taints = frozenset(t for t in result.taints if (t.kind, t.index) not in gone)
    return Value(result.const, taints, result.types, result.items, result.func, result.fixed)


def _constant_without_line_breaks(value: Value) -> bool:
    """``value`` is None or a constant text (or tuple of texts) holding no CR or LF."""
    if not value.is_const:
        return False
    const = value.const
    if const is None:
        return True
    texts = const if isinstance(const, tuple) else (const,)
    return all(isinstance(t, str) and "\n" not in t and "\r" not in t for t in texts)


def _derived(taints: frozenset) -> frozenset:
    """Parameter taints in ``taints`` marked as made by a call from the parameter (``V.DERIVED``); a string
    built from one is no longer that string (``sa.select(getattr(table.c, name))`` is not SQL text)."""
    if not any(t.is_param and (V.DERIVED not in t.cleansed or V.BUILT_MARK in t.cleansed) for t in taints):
        return taints
    return frozenset(Taint(t.kind, t.index, (t.cleansed - _MARK) | _DERIVED, t.step) if t.is_param else t
                     for t in taints)


def _end_chain(head: Step, tail: Step | None, interp, call, note: str | None) -> Step:
    """``head``, the callee's steps ``tail``, then ``note`` back at the call."""
    step = _append_chain(head, tail)
    if note is not None and step.depth < V.MAX_TRACE:
        step = Step(interp.path, call.line, call.col, note, step)
    return step


def _argument_or_default(bound: dict, fn: ir.Function, i: int) -> Value | None:
    """What a call gives the parameter ``i`` of ``fn``: its argument, or the parameter's constant default."""
    value = bound.get(i)
    if value is None and i < len(fn.params) and isinstance(fn.params[i].default, ir.Const):
        value = V.const(fn.params[i].default.value)
    return value


def when_holds(cleansed: frozenset, bound: dict, fn: ir.Function) -> bool:
    """False when a ``V.WHEN_MARK`` of ``fn`` in ``cleansed`` tests a parameter this call gives a constant (or
    leaves to a constant default) for which the test fails: the callee returns that value only on a path this
    call does not take (``get_hosts(safe=True)`` of ``if not safe: return self._hosts``)."""
    for mark in cleansed:
        if not mark.startswith(V.WHEN_MARK):
            continue
        qualname, index, op, text = mark[len(V.WHEN_MARK):].split("|", 3)
        if qualname != fn.qualname:
            continue
        value = _argument_or_default(bound, fn, int(index))
        if value is None or not value.is_const or value.taints:
            continue
        try:
            if op == "t":
                holds = bool(value.const)
            elif op == "f":
                holds = not value.const
            else:
                given = value.const
                if op[1:]:  # ``request_type.upper() == "GET"``: compared in one case
                    if not isinstance(given, str):
                        continue
                    given = getattr(given, op[1:])()
                holds = (given == ast.literal_eval(text)) == (op[0] == "=")
        except Exception:
            continue
        if not holds:
            return False
    return True


def _without_when(t: Taint) -> Taint:
    marks = frozenset(m for m in t.cleansed if m.startswith(V.WHEN_MARK))
    return Taint(t.kind, t.index, t.cleansed - marks, t.step) if marks else t


def _named_param_given(t: Taint, bound: dict, fn: ir.Function) -> Taint | None:
    """A named taint a callee returns, at one call: None when its parameter ``i`` made it
    (``V.NAMED_PARAM_MARK``) and this call gives that parameter a constant (or leaves it to a constant
    default: ``secret='***'``); else the taint without the marker, which speaks of the callee only."""
    marks = [m for m in t.cleansed if m.startswith(V.NAMED_PARAM_MARK)]
    if not marks:
        return t
    for mark in marks:
        index, _, qualname = mark[len(V.NAMED_PARAM_MARK):].partition(":")
        if qualname != fn.qualname:
            continue
        value = _argument_or_default(bound, fn, int(index))
        if value is not None and value.is_const and not value.taints:
            return None
    return Taint(t.kind, t.index, t.cleansed.difference(marks), t.step)


def _item_read_on(arg: Value, cleansed: frozenset) -> Value:
    """``arg`` as the callee reads it when it reads one item of it (``V.ITEM_MARK`` in ``cleansed``) and this
    call passes the caller's own parameter whole (``self._http_log_req(url, method, kwargs)`` reading
    ``kwargs['data']``): the caller's parameter taints marked for that item too, so that its own callers give only
    that item of what they pass."""
    taints = arg.taints
    for mark in cleansed:
        if mark.startswith(V.ITEM_MARK):
            taints = V.item_read(taints, mark[len(V.ITEM_MARK):])
    if taints is arg.taints:
        return arg
    return Value(arg.const, taints, arg.types, arg.items, arg.func, arg.fixed)


def _resolve_marks(cleansed: frozenset, arg: Value | None, bound: dict, fn: ir.Function) -> Value | None:
    """What of ``arg`` gets where a callee's parameter taint with ``cleansed`` goes, by its markers: None
    when a parameter it depends on (``V.UNLESS_MARK``) is a true constant at this call; else ``arg`` without
    the items the callee took out (``V.WITHOUT_MARK``), or only the item it read (``V.ITEM_MARK``) when ``arg``'s
    items are known: that item, or without it what ``arg`` holds under keys not known."""
    if arg is None or not cleansed:
        return arg
    marks = V.call_marks(cleansed)
    if not marks:
        return arg
    removed = set()
    read = None
    for mark in marks:
        if mark.startswith(V.ITEM_MARK):
            read = mark[len(V.ITEM_MARK):]
        elif mark.startswith(V.UNLESS_MARK):
            value = _argument_or_default(bound, fn, int(mark[len(V.UNLESS_MARK):]))
            if value is not None and value.is_const:
                try:
                    if bool(value.const):
                        return None
                except Exception:
                    pass
        elif mark.startswith(V.WITHOUT_MARK):
            removed.add(mark[len(V.WITHOUT_MARK):])
    if removed and arg.items and removed & set(arg.items):
        items = {k: v for k, v in arg.items.items() if k not in removed}
        arg = Value(arg.const, V.merge_taints(V.taints_beyond_items(arg), V.all_item_taints(items)), arg.types,
                    items, arg.func, arg.fixed)
    if V.PART_MARK in marks and SLASH_FREE_PARTS in arg.types and arg.items is None and arg.taints:
        # ``_parse(path)`` returning ``path[2]``, given ``self.path.split("/")``: one part, no ``/`` in it
        arg = Value(arg.const, V.cleanse_all(arg.taints, _SEGMENT), arg.types, arg.items, arg.func, arg.fixed)
    if read is not None and arg.items is not None and not arg.is_const:
        found = arg.items.get(V.item_key(read))
        if found is None and read.startswith(V.FIELD_MARK):
            rest = arg.items.get(V.FIELD_MARK)  # a field its constructor's keywords did not give
            found = rest if rest is not None else arg
        # (not among the items known: what the argument holds under keys not known, which for a parameter of this
        # function is still that item of its callers' argument)
        arg = found if found is not None else Value(taints=V.item_read(V.taints_beyond_items(arg), read))
    return arg


def _extend(arg_taint: Taint, interp, call, call_note: str, ret_taint: Taint, note: str | None) -> Taint:
    """The caller's taint, through the callee (its internal steps), back at the call: ``note``."""
    step = Step(interp.path, call.line, call.col, call_note, arg_taint.step)
    step = _append_chain(step, ret_taint.step)
    if note is not None and step.depth < V.MAX_TRACE:
        step = Step(interp.path, call.line, call.col, note, step)
    marks = V.call_marks(ret_taint.cleansed)
    cleansed = arg_taint.cleansed | (ret_taint.cleansed - marks if marks else ret_taint.cleansed)
    if V.THROUGH_CALL in ret_taint.cleansed and not (arg_taint.is_param or arg_taint.kind in V.NAMED_KINDS):
        cleansed = cleansed - _THROUGH  # the mark matters only to named taints and to parameters
    if V.DERIVED in ret_taint.cleansed and arg_taint.is_param:
        # what a call in the callee made of the argument (``bootstrap(uri)["request"]``) is not the string this
        # function's caller built from its parameter (``"ws://{uri}".format(...)``), as ``_derived`` says
        cleansed = cleansed - _MARK
    return Taint(arg_taint.kind, arg_taint.index, cleansed, step)


_PURE_BUILTINS = {
    "builtins.str": str, "builtins.int": int, "builtins.float": float, "builtins.bool": bool,
    "builtins.len": len, "builtins.repr": repr, "builtins.abs": abs, "builtins.min": min, "builtins.max": max,
    "builtins.chr": chr, "builtins.ord": ord, "builtins.round": round,
}
_PURE_METHODS = frozenset({
    "lower", "upper", "strip", "lstrip", "rstrip", "replace", "split", "rsplit", "title", "capitalize",
    "encode", "decode", "format", "zfill", "ljust", "rjust", "center", "casefold", "swapcase", "join",
    "removeprefix", "removesuffix", "splitlines", "partition", "rpartition",
})


_PURE_PREFIXES = ("base64.", "binascii.", "codecs.encode", "codecs.decode", "urllib.parse.", "html.", "json.dumps",
                  "json.loads", "os.path.join", "os.path.basename", "os.path.dirname", "os.path.normpath",
                  "posixpath.", "string.", "textwrap.", "shlex.quote", "markupsafe.escape", "builtins.str",
                  "builtins.bytes", "builtins.int", "builtins.float", "builtins.repr", "builtins.format",
                  "builtins.list", "builtins.tuple", "builtins.sorted", "builtins.len", "builtins.compile",
                  # Django's text conversions (of a lazy translation, bytes...)
                  "django.utils.encoding.force_str", "django.utils.encoding.force_text",
                  "django.utils.encoding.smart_str", "django.utils.encoding.smart_text")


_GETTEXT = frozenset({"_", "_l", "_lazy", "gettext", "ugettext", "gettext_lazy", "ugettext_lazy", "lazy_gettext",
                      "pgettext", "pgettext_lazy", "ngettext", "ungettext", "ngettext_lazy", "npgettext"})
"""The gettext family, whatever module it comes from (``from .i18n import _``): the translation
of a constant text is one of the translations the developers ship, so a fixed value."""


def constant_text(expr, depth: int = 0) -> bool:
    """Whether an expression (a class attribute's value) is text made from literals by pure string
    functions only: a literal, ``textwrap.dedent("...")``, ``_("...")`` (the gettext family: one of
    the translations the developers ship), ``"...".strip()``, ``str("...")``: a fixed value."""
    if isinstance(expr, ir.Const):
        return isinstance(expr.value, (str, bytes, int, float, bool)) or expr.value is None
    if not isinstance(expr, ir.Call) or depth > 4:
        return False
    func = expr.func
    name = func.id if isinstance(func, ir.Name) else func.attr if isinstance(func, ir.Attr) else None
    pure = name in _GETTEXT or (expr.qualname or "").startswith(_PURE_PREFIXES)
    if not pure and isinstance(func, ir.Attr) and name in _PURE_METHODS:
        pure = constant_text(func.value, depth + 1)  # ``"...".strip()``
    if not pure:
        return False
    return all(not isinstance(a, ir.Starred) and constant_text(a, depth + 1) for a in expr.args) and all(
        kw.name is not None and constant_text(kw.value, depth + 1) for kw in expr.keywords)


def _pure_call(site: CallSite, callees: list) -> bool:
    """Calls whose result depends only on their inputs (no I/O, no hidden state)."""
    if any(c.startswith(_PURE_PREFIXES) for c in callees):
        return True
    func = site.call.func
    if (func.id if isinstance(func, ir.Name) else func.attr if isinstance(func, ir.Attr) else None) in _GETTEXT:
        return True
    method = site.call.method
    return method in _PURE_METHODS and site.receiver is not None and site.receiver.is_fixed


def _inputs_fixed(site: CallSite) -> bool:
    values = list(site.args) + list(site.kwargs.values())
    if site.receiver is not None and site.call.method is not None and not site.receiver.types:
        values.append(site.receiver)
    return bool(values) and not site.star_taints and all(v.is_fixed for v in values)


def _fold_call(site: CallSite, callees: list):
    """Constant result of a pure call on constants (``str(5)``, ``"A".lower()``, ``os.path.join("a","b")``)."""
    args = site.args
    if site.kwargs or any(not a.is_const for a in args):
        return None
    consts = [a.const for a in args]
    try:
        for callee in callees:
            fn = _PURE_BUILTINS.get(callee)
            if fn is not None:
                value = fn(*consts)
                return V.const(value) if not isinstance(value, str) or len(value) < 10_000 else None
            if callee == "builtins.compile" and consts and isinstance(consts[0], (str, bytes)):
                return V.const(("<code compiled from a constant>", consts[0]))
            if callee in ("os.path.join", "posixpath.join"):
                import posixpath
                return V.const(posixpath.join(*consts))
        method = site.call.method
        receiver = site.receiver
        if method in _PURE_METHODS and receiver is not None and receiver.is_const and isinstance(receiver.const,
                                                                                                 (str, bytes)):
            value = getattr(receiver.const, method)(*consts)
            if isinstance(value, list):
                value = tuple(value)
            return V.const(value) if not isinstance(value, (str, bytes)) or len(value) < 10_000 else None
    except Exception:
        return None
    return None


def _under_debug(interp) -> bool:
    """Whether the statement ``interp`` is at runs only when a ``DEBUG`` setting holds (``if
    settings.DEBUG:``, ``if settings.DEBUG and not settings.PRODUCTION:``, ``if DEBUG:``)."""
    for cond, taken in controlling_conditions(interp.fn, interp.stmt):
        while isinstance(cond, ir.UnaryOp) and cond.op == "not":
            cond, taken = cond.operand, not taken
        if not taken:
            continue
        parts = cond.values if isinstance(cond, ir.BoolOp) and cond.op == "and" else (cond,)
        if any((isinstance(p, ir.Attr) and p.attr == "DEBUG") or (isinstance(p, ir.Name) and p.id == "DEBUG")
               for p in parts):
            return True
    return False
