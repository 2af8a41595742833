"""Abstract values: what the analysis knows of a value at one program point.

A value may be a known constant, may carry taint (data from a source, or from a
parameter of the function being summarised), may have known types (to resolve
method calls), and may hold known items (constant keys of a dict literal).
"""

from __future__ import annotations

import sys
from hashlib import blake2b
from operator import itemgetter


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self):
        return "UNKNOWN"  # the module's one instance: identity checks must hold after pickling


UNKNOWN = _Unknown()
EMPTY: frozenset = frozenset()
MAX_TAINTS = 6
MAX_TRACE = 12
"""Steps a trace keeps while the analysis runs; later ones are not recorded, except the step where the value
reaches the sink, which always ends the trace, saying that steps before it are not shown (``SKIPPED``). (At 32,
feast's review took more than 21 GB instead of 9, while what its functions returned still grew without bound
(``shallow``): the longer chains are kept for every value of every function.)"""
SKIPPED = "(steps before this one are not shown: a trace keeps its first twelve)"
WHOLE_OBJECT = -2  # Taint.index of a whole request object (``request`` itself), not a field read from it
THROUGH_CALL = "through-call"
"""A mark in a parameter taint's ``cleansed`` (no sink has this kind): the parameter went through a
call the analysis cannot see into, or only an identifier was read from it (``secret.id``: a rule's
``identifier_name``), so a named taint (below) of the caller's argument does not survive it."""
NAMED_KINDS = frozenset({"secret"})
"""Kinds of taint made by a value's *name* (``self.password``), not by where it came from: they
follow assignments, string building, containers, returns and a few transparent calls, never the
result of a call the analysis cannot see into, and are the first dropped when a value holds too
many taints."""

# Strings built for an interpreter from values that are not constant (issue 13): what the analysis
# knows of them rides on taints, so that it crosses assignments, calls, returns and fields as data does.
BUILT = "built"
"""Taint kind: a string built (``+``, ``%``, ``.format``, f-string, ``join``) from a value whose origin the
analysis cannot see (an attribute, a call's result...). Its step is where that value was spliced in;
``cleansed`` lists the sink kinds every such value was made safe for."""
OPAQUE = "opaque"
"""Taint kind: a value of unknown origin that a sanitizer made safe for ``cleansed`` (``shlex.quote(x)``,
``int(x)``): no data is known to flow, but the value is known to be harmless there. Never reported."""
AUTHENTICATED = "authenticated"
"""A marker kind in a source taint's ``cleansed`` (no sink has this kind; models write it: an entry point's or a
source's ``cleansed``): the data comes from a request the service authenticated before its handler ran (an
OpenStack API behind keystonemiddleware). Still untrusted; findings say who can send it."""

ADMINISTRATOR = "administrator"
"""A marker kind in a request source taint's ``cleansed``: read in a handler only administrators reach
(``@admin_required``, ``@staff_member_required``, ``@Permissions.ADMIN.require()``). Still reported for
sinks an administrator must not reach either (a shell, SQL), worded for that sender and one level less
severe; a conversion error an administrator causes fails only their own request (``conversion``), and the
server's files an administrator names (a library folder, a folder chooser) are theirs to reach (``path``)."""

BUILT_MARK = "\0built"
"""Marker in a parameter taint's ``cleansed``: the parameter was spliced into a string built for an
interpreter (not a sink kind, so it makes the taint no safer anywhere)."""
SETTING_MARK = "\0setting"
"""Marker in a ``BUILT`` taint's ``cleansed``: every part of unknown origin spliced in was a setting read, an
attribute of ``self`` or of a module-level name (``self.ldap_filter``, ``CONF.ldap.user_filter``,
``self.attribute_mapping['name']``), not a call's result or a local record's field. A caller passing such
a string shows a callee's construction no less safe than the rule would find it built there."""
DERIVED = "\0derived"
"""Marker in a parameter taint's ``cleansed``: the value is what a call the analysis does not see made
from the parameter (``conn.execute(q).fetchall()``, ``resolve(request)``), not the parameter's own data;
a string built from it is not said to be built from the parameter."""
WITHOUT_MARK = "\0without:"
"""Prefix of a marker in a parameter taint's ``cleansed``: ``WITHOUT_MARK + key`` says the item ``key`` was
taken out of the parameter before this point (``kwargs.pop('password')``, ``del kwargs['password']``,
``kwargs.items() - {'password': ...}.items()``): a caller's argument given under that keyword does not get
here."""
ITEM_MARK = "\0item:"
"""Prefix of a marker in a parameter taint's ``cleansed``: ``ITEM_MARK + key`` says only the item ``key`` of the
parameter gets here (``activity.get("message")``, ``activity["message"]``, or a keyword a ``**kwargs``
parameter passes on to a callee's parameter of that name: ``request(url, **kwargs)`` into ``def request(url,
retries=None, **kwargs)``): a caller's argument whose items are known brings that item only (or, without such
an item, what it holds under keys not known). Only the first key read is kept (``a["b"]["c"]``: ``b``)."""
INDEX = "\0#"
"""``ITEM_MARK + INDEX + "0"``: the item at position 0 of a parameter (``command[0]``), which a caller's list or tuple
of known items gives as that item (``index_key``, ``item_key``)."""


def index_key(position: int) -> str:
    """The key ``ITEM_MARK`` uses for the item at ``position`` (from the start) of a sequence."""
    return f"{INDEX}{position}"


def item_key(read: str):
    """The key of a caller's argument's items that the key ``read`` of an ``ITEM_MARK`` names: a position for
    ``index_key``'s, else ``read`` itself."""
    return int(read[len(INDEX):]) if read.startswith(INDEX) else read


PART_MARK = "\0part"
"""Marker in a parameter taint's ``cleansed``: an item of the parameter read by its number gets here as it is
(``path[2]``): a caller's argument that is a text split at ``/`` (``SLASH_FREE_PARTS``) brings one part, which
holds no ``/``."""
UNLESS_MARK = "\0unless:"
"""Prefix of a marker in a parameter taint's ``cleansed``: ``UNLESS_MARK + str(i)`` says the value gets here
only when the function's parameter ``i`` is false (``msg = msg_on_fail or f'... {kwargs}'``): a call passing
a true constant there does not bring its argument here."""

IN_VALUES = "\0in-values"
"""Marker in a taint's ``cleansed``: the data was stored in a mapping under a key not known (``index[name] =
content``), so it is in the mapping's values, not its keys: iterating the mapping (``for name in index``,
``index.keys()``) does not give it (``keys_only``). Not a sink kind: the data is no safer anywhere else."""


def _marked(taints: frozenset, mark: str, skipped: frozenset = EMPTY) -> frozenset:
    """``taints``, each with the marker ``mark`` in its ``cleansed`` (``IN_VALUES``, ``IN_CONTENTS``), but those
    of a kind in ``skipped``."""
    if not taints:
        return taints
    marks = frozenset({mark})
    return canonical(t if mark in t.cleansed or t.kind in skipped else t.cleanse(marks) for t in taints)


def in_values(taints: frozenset) -> frozenset:
    """``taints`` marked as held in a mapping's values (``IN_VALUES``)."""
    return _marked(taints, IN_VALUES)


def keys_only(taints: frozenset) -> frozenset:
    """``taints`` without those a mapping holds in its values (``IN_VALUES``): what its keys may carry."""
    if not taints or not any(IN_VALUES in t.cleansed for t in taints):
        return taints
    return frozenset(t for t in taints if IN_VALUES not in t.cleansed)


STORED_MATCH = "\0stored-match"
"""Marker in a taint's ``cleansed``: the value gets here only where a database lookup by it found a record
(``run = Workflow.query.filter_by(run_id=run_id).first()`` then ``if run is None: return ...``), so it equals
a value already stored, which an attacker must first get stored. Not a sink kind: such findings are reported
with low confidence (``findings_builder.add_sink``), saying so."""


def stored_match(taints: frozenset) -> frozenset:
    """``taints`` marked as matched against a stored record (``STORED_MATCH``); not those a value has by its
    name (a token found in the table is someone's token), nor opaque ones (no data flows)."""
    if all(STORED_MATCH in t.cleansed or t.kind in _UNMATCHABLE for t in taints):
        return taints  # (the same set: nothing to mark)
    return _marked(taints, STORED_MATCH, _UNMATCHABLE)


_UNMATCHABLE = NAMED_KINDS | {OPAQUE}


IN_CONTENTS = "\0in-contents"
"""Marker in a taint's ``cleansed``: the data was written into a file object (``f.write(upload.read())``), so it
is in the file's contents, not in its name: ``f.name`` of a ``tempfile.NamedTemporaryFile`` is the name the
system chose (``name_of_contents``). Not a sink kind: the data is no safer anywhere else."""


FILE_AT_PATH = "\0file-at-path"
"""Marker in a taint's ``cleansed``: the value is a file opened at a path that carried the data (``open(path)``),
or what was read from it: the sender chose which file, not what it holds (the explanation says so). Not a sink
kind: the file object and its contents are reported as before."""


def file_at_path(taints: frozenset) -> frozenset:
    """``taints`` of a path, marked as those of the file opened there (``FILE_AT_PATH``)."""
    return _marked(taints, FILE_AT_PATH)


def in_contents(taints: frozenset) -> frozenset:
    """``taints`` marked as written into a file's contents (``IN_CONTENTS``)."""
    return _marked(taints, IN_CONTENTS)


def name_of_contents(taints: frozenset) -> frozenset:
    """``taints`` read through a file's name (``f.name``): those written into its contents (``IN_CONTENTS``) are
    no part of the name, which the system chose, so they are safe as a path; opened and read again
    (``open(f.name).read()``) they are the contents, as dangerous as before anywhere else."""
    if not taints or not any(IN_CONTENTS in t.cleansed for t in taints):
        return taints
    return canonical(t.cleanse(_PATH) if IN_CONTENTS in t.cleansed else t for t in taints)


NAMED_PARAM_MARK = "\0named-param:"
"""Prefix of a marker in a *named* taint's ``cleansed`` (``NAMED_KINDS``): ``NAMED_PARAM_MARK + "i:qualname"``
says the taint was made by the name of parameter ``i`` of the function ``qualname`` (``def
_build_with_clause(password)``). A call of that function passing a constant there (``'<SANITIZED>'``, or
the parameter's constant default ``secret='***'``) gives it no secret; any other call keeps it, without the
marker (``named_param_mark`` and ``program.apply_summary``)."""


def named_param_mark(index: int, qualname: str) -> str:
    return f"{NAMED_PARAM_MARK}{index}:{qualname}"


WHEN_MARK = "\0when:"
"""Prefix of a marker on the taints of a returned value: ``WHEN_MARK + "qualname|i|op|value"`` says the function
``qualname`` returns it only when its parameter ``i`` is truthy (op ``t``), false (``f``), equal to the constant
``value`` (``=``, its ``repr``) or different from it (``!``), in one case when the test is of ``p.upper()``,
``p.lower()`` or ``p.casefold()`` (``=upper``): ``if not safe: return self._hosts``, ``if key == "api_key":
return self.config.ai_api_key``. A call that gives that parameter a constant for which it does not
hold gets nothing of it (``program.when_holds``)."""


def join_returns(a: Value, b: Value) -> Value:
    """What a function returns at two ways out, joined: as ``join``, but where the taints of both would be more
    than ``MAX_TAINTS`` (which drops some), a taint returned under different ``WHEN_MARK`` tests becomes one with
    the tests they share (``merge_when_variants``) first. Below that the variants stay apart, each with the trace
    of its own way out, for the calls that take it."""
    joined = join(a, b)
    union = a.taints | b.taints
    if len(canonical(union)) <= MAX_TAINTS:
        return joined
    merged = merge_when_variants(frozenset(union))
    if len(merged) > MAX_TAINTS:
        merged = frozenset(sorted(merged, key=taint_order)[:MAX_TAINTS])
    return Value(joined.const, merged, joined.types, joined.items, joined.func, joined.fixed)


def merge_when_variants(taints: frozenset) -> frozenset:
    """``taints`` where a taint returned on several ways out under different ``WHEN_MARK`` tests is one taint
    with only the tests they share (returned where either holds: ``if safe: return a`` then ``return a``
    returns ``a`` whatever ``safe`` is), so that tests on returns do not multiply a value's taints."""
    groups: dict = {}
    for t in taints:
        marks = frozenset(m for m in t.cleansed if m.startswith(WHEN_MARK))
        groups.setdefault((t.kind, t.index, t.cleansed - marks), []).append((t, marks))
    if all(len(g) == 1 for g in groups.values()):
        return taints
    out = []
    for (kind, index, base), group in groups.items():
        if len(group) == 1:
            out.append(group[0][0])
            continue
        shared = frozenset.intersection(*(marks for _, marks in group))
        first = min((t for t, _ in group), key=taint_order)
        out.append(Taint(kind, index, base | shared, first.step))
    return canonical(out)


def call_marks(cleansed: frozenset) -> frozenset:
    """The markers of ``cleansed`` that speak of the callee's own parameters (``WITHOUT_MARK``,
    ``UNLESS_MARK``, ``ITEM_MARK``, ``WHEN_MARK``, ``PART_MARK``): resolved at each call, never passed on to the
    caller's taints."""
    return frozenset(m for m in cleansed if m.startswith(_CALL_MARKS)) if cleansed else cleansed


_CALL_MARKS = ("\0without:", "\0unless:", "\0item:", "\0when:", PART_MARK)


def with_all_marks(value: Value, marks: frozenset) -> Value:
    """``value`` with ``marks`` on every taint of data, its items' too (``WHEN_MARK``). Not on the marks of text
    built from values of unknown origin or of a sanitizer's result (``BUILT``, ``OPAQUE``): those of two ways out
    stay one taint, so that a value keeps its data's taints within ``MAX_TAINTS``."""
    if not marks or not (value.taints or value.items):
        return value
    items = {k: with_all_marks(v, marks) for k, v in value.items.items()} if value.items else value.items
    return Value(value.const, frozenset(t if t.kind in (BUILT, OPAQUE) else t.cleanse(marks) for t in value.taints),
                 value.types, items, value.func, value.fixed)


MADE_OF = frozenset({THROUGH_CALL, DERIVED})
"""Markers of a parameter taint that say the value is what a call made of the parameter, not the parameter."""


def part_read(taints: frozenset) -> frozenset:
    """``taints`` with ``PART_MARK`` on the parameter taints that are the parameter's own value (not what a call
    made of it): what reading one item of a parameter by its number gives."""
    if not taints or not any(t.is_param and not t.cleansed & MADE_OF and PART_MARK not in t.cleansed
                             for t in taints):
        return taints
    mark = frozenset({PART_MARK})
    return frozenset(t.cleanse(mark) if t.is_param and not t.cleansed & MADE_OF else t for t in taints)


def item_read(taints: frozenset, key, among: frozenset | None = None) -> frozenset:
    """``taints`` with ``ITEM_MARK + key`` on their parameter taints (those of the parameters ``among``'s taints
    are of, when given: what a method of the mapping made of them) that carry no such marker yet: what reading the
    item ``key`` of a parameter gives; a position from the start (``command[0]``) as ``index_key``. Any other
    ``key``: unchanged."""
    if type(key) is int and key >= 0:
        key = index_key(key)
    if not isinstance(key, str) or not taints or not any(t.is_param for t in taints):
        return taints
    # only a parameter's own value is read so: not what a call made of it (``lookup(context, "state").get("next")``)
    params = {t.index for t in (taints if among is None else among) if t.is_param and not t.cleansed & MADE_OF}
    if not params:
        return taints
    mark = frozenset({ITEM_MARK + key})
    return frozenset(t.cleanse(mark) if t.is_param and t.index in params
                     and not any(m.startswith(ITEM_MARK) for m in t.cleansed) else t for t in taints)


def with_marks(taints: frozenset, marks: frozenset, skip: int = -1) -> frozenset:
    """``taints`` whose parameter taints (other than parameter ``skip``) carry ``marks``."""
    if not marks or not any(t.is_param and t.index != skip for t in taints):
        return taints
    return frozenset(t.cleanse(marks) if t.is_param and t.index != skip else t for t in taints)


CONSTRUCTION = "\0construction"
"""``Step.origin`` of the step where a value was spliced into a string."""
CONSTRUCTION_NAMES = "\0construction-names"
"""``Step.origin`` of the step where a value was spliced into SQL text where SQL takes a name (a table, a
column: ``'drop table _%s' % name``), which cannot be passed as a bound parameter (``sql_text.names_only``)."""
CONSTRUCTION_STEPS = "\0construction-steps"
"""``Step.origin`` of the step where a value was spliced into XPath text where XPath takes a location step or an
expression (``f".//{tag}"``): a selector given by the caller (``xpath_text.steps_only``)."""
CONSTRUCTION_NAME_OR_STEP = "\0construction-name-or-step"
"""Both: a piece that is a name in SQL and a step in XPath (``"." + selector``)."""
CONSTRUCTION_UNQUOTED = "\0construction-unquoted"
"""``Step.origin`` of the step where a value was spliced into SQL text where SQL takes a value, outside quotes
(``"... where eid=%s" % eid``, ``sql_text.unquoted_value_part``): valid SQL only as a number or a literal
quoted already."""
CONSTRUCTIONS = frozenset({CONSTRUCTION, CONSTRUCTION_NAMES, CONSTRUCTION_STEPS, CONSTRUCTION_NAME_OR_STEP,
                           CONSTRUCTION_UNQUOTED})


def via_call(step) -> bool:
    """Whether a trace went through a call (a value passed to a function, or returned by one)."""
    node = step
    while node is not None:
        note = node.note
        if "passed to " in note or "returned by " in note:
            return True
        node = node.prev
    return False


class Step(tuple):
    """One step of a trace, linked to the steps before it (shared, never copied).

    A tuple ``(depth, path, line, col, note, origin, prev)``, compared as one: that is the total order
    on traces ``key`` gives (shortest first, then by path, position and words, then by the steps
    before), made once, not kept beside the step as a second tuple (a step and its order were 192
    bytes, now 96; neutron's whole-program analysis holds tens of thousands). Two steps compare
    equal when their traces say the same, as their orders did; ``is`` tells them apart."""

    __slots__ = ()

    def __new__(cls, path: str, line: int, col: int, note: str, prev: Step | None, origin: str = ""):
        # ``origin``: on a source step, what the data is, phrased to follow "carries"
        return tuple.__new__(cls, (1 if prev is None else prev[0] + 1, path, line, col, note, origin, prev))

    depth = property(itemgetter(0))
    path = property(itemgetter(1))
    line = property(itemgetter(2))
    col = property(itemgetter(3))
    note = property(itemgetter(4))
    origin = property(itemgetter(5))
    prev = property(itemgetter(6))

    def key(self) -> Step:
        """A total order on traces, shortest first: which of two traces of the same
        taint is kept must not depend on which the analysis met first. (The step itself.)"""
        return self

    def __reduce__(self):
        return _unpickled_step, (self[1], self[2], self[3], self[4], self[6], self[5])

    def rests_on_assumption(self) -> bool:
        """Whether some step of this trace is a guess rather than a fact read in the code: the value
        went through a call whose code is not reviewed and was taken to come back (``ASSUMED``)."""
        node = self
        while node is not None:
            if node.note.endswith(ASSUMED):
                return True
            node = node.prev
        return False

    def steps(self) -> list[Step]:
        out = []
        node = self
        while node is not None:
            out.append(node)
            node = node.prev
        out.reverse()
        return out


def _unpickled_step(path: str, line: int, col: int, note: str, prev: Step | None, origin: str = "") -> Step:
    """A step as pickled (``Step.__reduce__``): its path and note interned, as each summary unpickled
    (from another worker, from the cache) would otherwise hold its own copy of each."""
    return Step(sys.intern(path), line, col, sys.intern(note), prev, origin)


ASSUMED = "(taken to return what it is given)"
"""The end of a step's note where the analysis took a call it cannot see into to return its argument."""

PATH_NO_DOTDOT = "path-no-dotdot"
"""Cleansed mark: the value is known to hold no ``..`` (``if ".." in name: abort()``). Alone it does not make
a path safe: an absolute name (``os.path.join(BASE, "/etc/passwd")``) leaves the folder without one."""
PATH_NOT_ABSOLUTE = "path-not-absolute"
"""Cleansed mark: the value cannot be an absolute path (``not os.path.isabs(name)``, or it follows constant
text: ``"img-" + name``). Alone it does not make a path safe either: ``../`` still climbs out."""
PATH_SEGMENT = "path-segment"
"""Cleansed mark: the value is one path segment, without ``/`` (a route variable of the default converter:
``@app.route("/lb/<lb_id>")``). Alone under a folder it names an entry of that folder or, as ``..``, the
folder above, never a file elsewhere: safe for a path. Two or more such values from different places in
one path (``os.path.join(BASE, a, b, c)``) are not: ``..``, ``..``, ``etc`` climb out (the sink check)."""
PATH_HALVES = frozenset({PATH_NO_DOTDOT, PATH_NOT_ABSOLUTE})
_PATH = frozenset({"path"})


class Taint:
    """Where a value came from and what it has been cleaned for.

    ``kind`` is a source kind (``remote``...) or ``param`` for the parameter
    ``index`` of the function being summarised. ``cleansed`` lists the sink kinds
    a sanitizer made this value safe for.
    """

    __slots__ = ("kind", "index", "cleansed", "step", "_key")

    def __init__(self, kind: str, index: int, cleansed: frozenset, step: Step | None):
        if PATH_NO_DOTDOT in cleansed and PATH_NOT_ABSOLUTE in cleansed and "path" not in cleansed:
            cleansed = cleansed | _PATH  # neither ``..`` nor absolute: it stays below where it is joined
        self.kind, self.index, self.cleansed, self.step = kind, index, cleansed, step
        self._key = (kind, index, cleansed)

    def order(self) -> tuple:
        """Canonical choice between taints with the same ``_key``: the shorter, then smaller, trace."""
        return self.step.key() if self.step is not None else ()

    def __getstate__(self):
        return (self.kind, self.index, self.cleansed, self.step)

    def __setstate__(self, state):
        self.kind, self.index, self.cleansed, self.step = state
        self._key = (self.kind, self.index, self.cleansed)

    def with_step(self, step: Step) -> Taint:
        if self.step is not None and self.step.depth >= MAX_TRACE:
            return self
        return Taint(self.kind, self.index, self.cleansed, step)

    def cleanse(self, kinds: frozenset) -> Taint:
        return Taint(self.kind, self.index, self.cleansed | kinds, self.step)

    def dangerous_for(self, sink_kind: str) -> bool:
        cleansed = self.cleansed
        return sink_kind not in cleansed and "*" not in cleansed and not (sink_kind == "path"
                                                                           and PATH_SEGMENT in cleansed)

    @property
    def validated(self) -> bool:
        """Checked against an allow-list of constants (not merely transformed)."""
        return "allow-listed" in self.cleansed

    @property
    def is_param(self) -> bool:
        return self.kind == "param"


_BUILT_SET = frozenset({BUILT_MARK})


def without_built(t: Taint) -> Taint:
    """``t`` without the mark of a string built from it (``BUILT_MARK``): judged as the value it carries,
    not as text spliced into a string (a quoted name, a program or operand of an argument list)."""
    return Taint(t.kind, t.index, t.cleansed - _BUILT_SET, t.step) if BUILT_MARK in t.cleansed else t


def merge_taints(a: frozenset, b: frozenset) -> frozenset:
    if not a:
        return b
    if not b or a is b:
        return a
    seen: dict = {}
    for t in a:
        old = seen.get(t._key)
        if old is None or t.order() < old.order():
            seen[t._key] = t
    extra = []
    replaced = []
    for t in b:
        old = seen.get(t._key)
        if old is None:
            extra.append(t)
        elif old is not t and old.step is not t.step and t.order() < old.order():
            replaced.append((old, t))
    if not extra and not replaced:
        return a
    merged = set(a)
    for old, new in replaced:
        merged.discard(old)
        merged.add(new)
    merged.update(extra)
    if len(merged) > MAX_TAINTS:
        return frozenset(sorted(merged, key=taint_order)[:MAX_TAINTS])
    return frozenset(merged)


def canonical(taints) -> frozenset:
    """One taint per ``_key`` (kind, index, cleansed), the one with the smallest trace: cleansing
    two taints for the same sink kinds can make them equal but for their traces."""
    best: dict = {}
    for t in taints:
        old = best.get(t._key)
        if old is None or (old is not t and t.order() < old.order()):
            best[t._key] = t
    return frozenset(best.values())


def cleanse_all(taints, kinds: frozenset) -> frozenset:
    return canonical(t.cleanse(kinds) for t in taints)


def taint_order(t: Taint):
    """A total order on the taints of one value (one per ``_key``): where code picks one of a
    value's taints, it picks the smallest, so that the choice does not depend on the set's
    iteration order (taints hash by identity: that order changes from run to run). Which taints a
    full value keeps: data from sources first, then parameters, then what is only known to be built
    from values of unknown origin, then mere sanitizer marks; named taints last."""
    rank = 1 if t.kind == "param" else 2 if t.kind == BUILT else 3 if t.kind == OPAQUE else 0
    return (t.kind in NAMED_KINDS, rank, len(t.cleansed), t.step.depth if t.step else 0, t.index, t.kind,
            tuple(sorted(t.cleansed)), t.order())


class Value:
    """``fixed``: every value this can be is built from constants by pure operations,
    though which one is not known (``"sh -c " if windows else "cmd /c "``). For
    parameters it means "fixed if the caller's argument is"."""

    __slots__ = ("const", "taints", "types", "items", "func", "fixed", "deep")

    def __init__(self, const=UNKNOWN, taints: frozenset = EMPTY, types: frozenset = EMPTY,
                 items: dict | None = None, func=None, fixed: bool = False):
        self.const = const
        self.taints = taints
        self.types = types
        self.items = items  # constant key -> Value, for dict/list/tuple literals
        self.func = func  # qualname of the function this value is, when known
        self.fixed = fixed
        self.deep = None  # memo of deep_taints(); items are never changed once a Value is built

    @property
    def is_const(self) -> bool:
        return self.const is not UNKNOWN

    @property
    def is_fixed(self) -> bool:
        return self.fixed or self.const is not UNKNOWN

    @property
    def tainted(self) -> bool:
        return bool(self.taints)

    def same_as(self, other: Value, traces: bool = False) -> bool:
        """Whether the two values say the same to whoever reads them. Without ``traces``, two taints
        with the same source and cleansing are the same whatever their traces: enough to tell
        whether a loop's state moved. With ``traces``, the trace kept for each taint counts too:
        a value read by other functions (a field) must be seen to change when it gets the
        canonical trace (the smaller one, ``Taint.order``), or the first trace stored would stay
        and which one that is depends on the order of analysis, the workers and the cache."""
        if self is other:
            return True
        return (
            _const_eq(self.const, other.const)
            and self.fixed == other.fixed
            and (_same_traced(self.taints, other.taints) if traces
                 else {t._key for t in self.taints} == {t._key for t in other.taints})
            and self.types == other.types
            and self.func == other.func
            and (self.items is None) == (other.items is None)
            and (self.items is None or (self.items.keys() == other.items.keys()
                                        and all(v.same_as(other.items[k], traces) for k, v in self.items.items())))
            and (type(self) is type(other) and (type(self) is Value or self.alts == other.alts))
        )

    def __repr__(self) -> str:
        bits = []
        if self.is_const:
            bits.append(f"const={self.const!r}")
        elif self.fixed:
            bits.append("fixed")
        if self.taints:
            bits.append("taint=" + ",".join(sorted(f"{t.kind}{t.index}" for t in self.taints)))
        if self.types:
            bits.append("types=" + ",".join(sorted(self.types)))
        return "Value(" + " ".join(bits) + ")"


def _same_traced(a: frozenset, b: frozenset) -> bool:
    """The same taints (source and cleansing) with the same canonical traces."""
    if a is b:
        return True
    best_a, best_b = canonical(a), canonical(b)
    if len(best_a) != len(best_b):
        return False
    by_key = {t._key: t for t in best_a}
    for t in best_b:
        old = by_key.get(t._key)
        if old is None:
            return False
        if old is not t and old.step is not t.step and old.order() != t.order():
            return False
    return True


def _const_eq(a, b) -> bool:
    if a is b:
        return True
    if a is UNKNOWN or b is UNKNOWN:
        return False
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:
        return False


TOP = Value()


class OneOf(Value):
    """A value that is one of a few known constants, which one not known (``"-c" if posix else "/c"``,
    joined at the end of the ``if``): ``fixed`` as any such value is, with the constants it may be kept
    (``alts``, at most ``MAX_ALTS``) for the rules that ask what it can be (``[shell, flag, text]``
    chosen per platform is still a shell command line). Made by ``join`` only; any other operation on it
    gives an ordinary value."""

    __slots__ = ("alts",)

    def __init__(self, alts: frozenset, taints: frozenset = EMPTY, types: frozenset = EMPTY, func=None):
        super().__init__(UNKNOWN, taints, types, None, func, True)
        self.alts = alts

    def __repr__(self) -> str:
        return "OneOf(" + ", ".join(sorted(_stable_repr(c) for c in self.alts)) + ")"


MAX_ALTS = 8
_ALT_TYPES = (str, int, float, bool, bytes, type(None))


def possible_consts(value: Value) -> frozenset | None:
    """The constants ``value`` may be, when it is one of a few known ones; None when not known."""
    if value.const is not UNKNOWN:
        return frozenset((value.const,)) if isinstance(value.const, _ALT_TYPES) else None
    return value.alts if type(value) is OneOf else None


def _one_of(a: Value, b: Value, taints: frozenset, types: frozenset, func) -> Value | None:
    """The join of two values that are each one of known constants (and nothing else: no items)."""
    if a.items is not None or b.items is not None:
        return None
    alts_a = possible_consts(a)
    if alts_a is None:
        return None
    alts_b = possible_consts(b)
    if alts_b is None:
        return None
    alts = alts_a | alts_b
    if len(alts) > MAX_ALTS:
        return None
    return OneOf(alts, taints, types, func)


_JOINED_ITEMS = 16
"""The most items ``join`` keeps of a value with known items joined with one without: past it, the items are
dropped and their taints given to the whole value."""


def join(a: Value, b: Value, _memo: dict | None = None) -> Value:
    """What either value may be. ``_memo`` (for the items, at any depth, of one join): ``(id(a), id(b))``
    -> (a, b, their join), so that items held in several places (``Sharing``) are joined once, not once
    per path to them: a tree of 1,093 items where 7 differ is joined in 7 steps, not 1,093."""
    if a is b:
        return a
    const = a.const if _const_eq(a.const, b.const) else UNKNOWN
    taints = merge_taints(a.taints, b.taints)
    types = a.types | b.types if a.types is not b.types else a.types
    if len(types) > MAX_TYPES:
        types = _fewest_types(types)
    items = None
    if a.items is not None and b.items is not None:
        if _memo is None:
            _memo = {}
        b_items = b.items
        items = {k: _item_join(v, b_items[k], _memo) for k, v in a.items.items() if k in b_items}
        for k, v in b.items.items():
            if k not in items:
                items[k] = v
        for k, v in a.items.items():
            if k not in items:
                items[k] = v
    elif a.items is not None or b.items is not None:
        extra, other = (a.items, b) if a.items is not None else (b.items, a)
        if len(extra) > _JOINED_ITEMS:
            taints = merge_taints(taints, all_item_taints(extra))
        elif not other.taints:
            # ``return HttpResponse(...)`` on one path, ``return obj, post_data`` on another: a part of
            # a value holds no taint the value does not, so the known items stay as they are (``obj,
            # post_data = result`` gives ``obj`` its own taints, not ``post_data``'s)
            items = extra
        else:
            # the other value's parts hold at most its taints: each item may be one of them (``other``
            # itself when it is only taints: the same object at every depth, so the memo finds it)
            whole = other if (other.const is UNKNOWN and not other.types and other.func is None
                              and not other.fixed) else Value(taints=other.taints)
            if _memo is None:
                _memo = {}
            items = {k: _item_join(v, whole, _memo) for k, v in extra.items()}
    func = a.func if a.func == b.func else None
    if const is UNKNOWN and (a.const is not UNKNOWN or type(a) is OneOf) \
            and (b.const is not UNKNOWN or type(b) is OneOf):
        one_of = _one_of(a, b, taints, types, func)
        if one_of is not None:
            return one_of
    fixed = const is UNKNOWN and a.is_fixed and b.is_fixed
    if const is UNKNOWN and not taints and not types and items is None and func is None and not fixed:
        return TOP
    return Value(const, taints, types, items, func, fixed)


def _item_join(a: Value, b: Value, memo: dict) -> Value:
    key = (id(a), id(b))
    found = memo.get(key)
    if found is None:
        found = memo[key] = (a, b, join(a, b, memo))  # (a and b held: their ids stay theirs)
    return found[2]


FIELD_MARK = "\0field:"
"""The key, before a field's name, under which an object's items hold what its constructor's keyword gave that
field (``Session(label=label)``: ``FIELD_MARK + "label"``); see ``FunctionInterpreter.fields_given``."""


def taints_beyond_items(value: Value) -> frozenset:
    """The taints of ``value`` that are not its items' (by source and cleansing, not by trace): what
    was stored in it under keys not known, or came with it whole."""
    if not value.taints or not value.items:
        return value.taints
    known = {t._key for t in all_item_taints(value.items)}
    beyond = frozenset(t for t in value.taints if t._key not in known)
    return beyond if len(beyond) != len(value.taints) else value.taints


def all_item_taints(items: dict | None) -> frozenset:
    """The taints of the items, and of their items..."""
    out = EMPTY
    if items:
        for v in items.values():
            out = merge_taints(out, v.deep if v.deep is not None else deep_taints(v))
    return out


def deep_taints(value: Value) -> frozenset:
    """``value``'s taints and those of everything nested in its items, memoised on each value.

    Values nested in containers form a DAG (``x.append(x)`` shares the earlier ``x``):
    walking it as a tree is exponential, and walking it again at each ``append`` is
    cubic. Computed iteratively (nesting can be thousands deep), each value once.
    """
    if value.deep is not None:
        return value.deep
    stack = [(value, False)]
    active = set()
    while stack:
        node, expanded = stack.pop()
        if node.deep is not None:
            continue
        if not node.items:
            node.deep = node.taints
            continue
        if not expanded:
            active.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in node.items.values() if c.deep is None and id(c) not in active)
            continue
        out = node.taints
        for c in node.items.values():
            if c.deep is not None:
                out = merge_taints(out, c.deep)
            else:  # only in a cycle, which values built bottom-up never form
                out = merge_taints(out, c.taints)
        node.deep = out
        active.discard(id(node))
    return value.deep


def taint_only(taints: frozenset) -> Value:
    return Value(taints=taints) if taints else TOP


def const(value) -> Value:
    return Value(const=value)


def all_fixed(values) -> bool:
    return all(v.is_fixed for v in values)


# A derived type longer than this (in dotted segments) that repeats the segment it would add is a
# walk round a cycle of fields (``element.parent_slot.parent.slots[...].parent...``): it names nothing a
# model matches, and extending it on every re-analysis made the type sets of a 24 k-line tree grow
# without end (several GiB, minutes in one function). Short types are never cut.
_LONG_TYPE_SEGMENTS = 6
_MAX_TYPE_CHARS = 240


# A value that may be of more than this many types has been joined round a loop or a cycle of fields
# that keeps inventing new ones; every type costs a lookup at each call on the value, so the set is cut
# to the shortest names (sorted, so the cut is the same in every run and worker).
MAX_TYPES = 64


def _fewest_types(types: frozenset) -> frozenset:
    return frozenset(sorted(types, key=lambda t: (len(t), t))[:MAX_TYPES])


def derived_types(types, suffix: str, skip_classes: bool = False) -> frozenset:
    """``{t + "." + suffix}`` for each type ``t``, leaving out walks round a cycle of fields."""
    out = []
    for t in types:
        if skip_classes and t.startswith("class:"):
            continue
        if len(t) > _MAX_TYPE_CHARS or (t.count(".") >= _LONG_TYPE_SEGMENTS and f".{suffix}." in f"{t}."):
            continue
        out.append(f"{t}.{suffix}")
    return frozenset(out) if out else EMPTY


def derived(taints: frozenset, fixed: bool, types: frozenset = EMPTY) -> Value:
    """A value computed from others: their taint, and fixed when they all are."""
    if not taints and not fixed and not types:
        return TOP
    return Value(taints=taints, types=types, fixed=fixed)


FINGERPRINT_DEPTH = 6


def fingerprint(value: Value, _memo: dict | None = None, _depth: int = 0) -> tuple:
    """Everything callers can observe of a value, traces included, as a hashable tuple
    that does not depend on set order: two analyses agree exactly when these agree.
    Items nested deeper than ``FINGERPRINT_DEPTH`` count by their taints only (values
    nested in containers share parts: ``x = [x, x]`` a thousand times)."""
    if _memo is None:
        _memo = {}
    memo_key = (id(value), _depth)
    done = _memo.get(memo_key)
    if done is not None:
        return done
    items = None
    if value.items is not None:
        if _depth >= FINGERPRINT_DEPTH:
            items = _taints_print(deep_taints(value))
        else:
            items = tuple(sorted((repr(k), fingerprint(v, _memo, _depth + 1)) for k, v in value.items.items()))
    const = "?" if value.const is UNKNOWN else (type(value.const).__name__, _stable_repr(value.const))
    out = (const, value.fixed, _taints_print(value.taints), tuple(sorted(value.types)), value.func or "", items)
    if type(value) is OneOf:
        out += (tuple(sorted(_stable_repr(c) for c in value.alts)),)
    _memo[memo_key] = out
    return out


def shallow(value: Value, depth: int = FINGERPRINT_DEPTH, _memo: dict | None = None) -> Value:
    """``value`` with the items nested deeper than ``depth`` reduced to their taints (``deep_taints``): what a
    function returns, kept no deeper than callers observe it (``fingerprint``). A function that wraps what it
    returns in what it returned the last time (a recursive converter: ``return {"child": convert(node.child)}``)
    otherwise returned a value one level deeper at each analysis, and marking it walked every level (feast's
    review grew past 9 GB)."""
    if value.items is None or type(value) is not Value:
        return value
    if _memo is None:
        _memo = {}
    key = (id(value), depth)
    done = _memo.get(key)
    if done is not None:
        return done
    if depth <= 0:
        taints = deep_taints(value)
        if len(canonical(taints)) > MAX_TAINTS:
            taints = frozenset(sorted(canonical(taints), key=taint_order)[:MAX_TAINTS])
        out = Value(value.const, taints, value.types, None, value.func, value.fixed)
    else:
        items = {k: shallow(v, depth - 1, _memo) for k, v in value.items.items()}
        same = all(items[k] is v for k, v in value.items.items())
        out = value if same else Value(value.const, value.taints, value.types, items, value.func, value.fixed)
    _memo[key] = out
    return out


def _stable_repr(const) -> str:
    """``repr`` with set elements sorted: the same text in every process (string hashing,
    and so set order, differs between processes)."""
    if isinstance(const, (frozenset, set)):
        return type(const).__name__ + "(" + ", ".join(sorted(_stable_repr(c) for c in const)) + ")"
    if isinstance(const, tuple):
        return "(" + ", ".join(_stable_repr(c) for c in const) + ",)"
    return repr(const)


def _taints_print(taints: frozenset) -> tuple:
    return tuple(sorted((t.kind, t.index, tuple(sorted(t.cleansed)), t.order()) for t in taints))


def digest(value: Value) -> str:
    return tree_digest(fingerprint(value))


def tree_digest(root: tuple) -> str:
    """A short hash of a fingerprint (nested tuples of plain constants): equal for fingerprints of equal
    content, whatever objects they are made of, and in every process.

    Each tuple is written out once however often it recurs (``_tuple_text``), and a long text stands as
    its hash: a fingerprint shares its parts (a trace step and the steps before it, the print of a value
    nested in several items), and its ``repr`` spelt each out every time it recurred (on Salt 24 million
    tuples written out, of 0.3 million distinct)."""
    done: dict = {}  # id of a tuple of ``root`` (alive while it is) -> its text
    try:
        text = _tuple_text(root, done)
    except RecursionError:  # (nested deeper than any fingerprint is: the same text, without recursion)
        text = _tuple_text_iteratively(root, {})
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


_LONG_TEXT = 120
"""A tuple's text longer than this stands as its hash in the texts of the tuples that hold it."""


def _tuple_text(node: tuple, done: dict) -> str:
    """``node`` as text: the ``repr`` of each plain member and the text of each tuple, between \\1 and \\2,
    apart by NUL (none of the three is ever in a ``repr``), or \\3 and the hash of that when longer than
    ``_LONG_TEXT``: texts are equal exactly when contents are (but for hash collisions)."""
    parts = []
    for member in node:
        if isinstance(member, tuple):
            text = done.get(id(member))
            parts.append(_tuple_text(member, done) if text is None else text)
        else:
            parts.append(repr(member))
    text = "\1" + "\0".join(parts) + "\2"
    if len(text) > _LONG_TEXT:
        text = "\3" + blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    done[id(node)] = text
    return text


def _tuple_text_iteratively(root: tuple, done: dict) -> str:
    """``_tuple_text`` with a stack of its own instead of recursion."""
    stack = [root]
    while stack:
        node = stack[-1]
        if id(node) in done:
            stack.pop()
            continue
        todo = [m for m in node if isinstance(m, tuple) and id(m) not in done]
        if todo:
            stack.extend(todo)
            continue
        stack.pop()
        _tuple_text(node, done)  # (its tuples are done: no recursion)
    return done[id(root)]


class Sharing:
    """One object for each trace step, taint, set of taints and value of equal content, among those
    given to one ``Sharing`` (hash-consing): what a summary keeps to the end of the review.

    A value's items each carry their own copies of the same taints and steps, made at each call that
    passed them on (``Program.apply_summary`` re-steps every item's taints): on Salt a function of a
    call cycle returned a tree of 1,093 nested items, each holding the same 6 taints in copies of their
    own, 72,141 trace steps where 58 differ (``docs/performance-history.md``, twelfth session). Equal content
    means equal in everything a reader can see, traces included, so a shared object changes no
    result: nothing compares values, taints or steps by identity but to skip work (``a is b``)."""

    __slots__ = ("_steps", "_step_ids", "_taints", "_taint_ids", "_sets", "_set_ids", "_values", "_value_ids")

    def __init__(self):
        # ``*_ids``: id of an object met -> (that object, kept alive so that its id is not reused, its
        # shared one); the others: content -> the shared object
        self._steps: dict = {}
        self._step_ids: dict = {}
        self._taints: dict = {}
        self._taint_ids: dict = {}
        self._sets: dict = {}
        self._set_ids: dict = {}
        self._values: dict = {TOP_KEY: TOP}
        self._value_ids: dict = {id(TOP): (TOP, TOP)}

    def step(self, step: Step | None) -> Step | None:
        if step is None:
            return None
        found = self._step_ids.get(id(step))
        if found is not None:
            return found[1]
        chain = []
        node = step
        while node is not None:  # iteratively: a trace may be long
            found = self._step_ids.get(id(node))
            if found is not None:
                break
            chain.append(node)
            node = node[6]
        prev = found[1] if node is not None else None
        steps = self._steps
        for node in reversed(chain):
            key = (node[1], node[2], node[3], node[4], node[5], id(prev))  # ``prev`` is held by ``steps``
            shared = steps.get(key)
            if shared is None:
                shared = steps[key] = node if node[6] is prev else tuple.__new__(
                    Step, (node[0], node[1], node[2], node[3], node[4], node[5], prev))
            self._step_ids[id(node)] = (node, shared)
            prev = shared
        return prev

    def taint(self, t: Taint) -> Taint:
        found = self._taint_ids.get(id(t))
        if found is not None:
            return found[1]
        step = self.step(t.step)
        key = (t._key, id(step))
        shared = self._taints.get(key)
        if shared is None:
            if step is t.step:
                shared = t
            else:
                shared = Taint.__new__(Taint)
                shared.kind, shared.index, shared.cleansed, shared.step, shared._key = (
                    t.kind, t.index, t.cleansed, step, t._key)
            self._taints[key] = shared
        self._taint_ids[id(t)] = (t, shared)
        return shared

    def taints(self, taints: frozenset) -> frozenset:
        if not taints:
            return EMPTY
        found = self._set_ids.get(id(taints))
        if found is not None:
            return found[1]
        out = frozenset([self.taint(t) for t in taints])
        if len(out) < len(taints):
            # two taints of equal content in one set (made with ``|``, not ``merge_taints``): kept as they
            # are, since a reader counts them (``MAX_TAINTS``, the fingerprint)
            self._set_ids[id(taints)] = (taints, taints)
            return taints
        shared = self._sets.get(out)
        if shared is None:
            shared = self._sets[out] = taints if out == taints else out
        self._set_ids[id(taints)] = (taints, shared)
        return shared

    def value(self, value: Value) -> Value:
        found = self._value_ids.get(id(value))
        if found is not None:
            return found[1]
        ids = self._value_ids
        stack = [(value, False)]
        while stack:  # children first, iteratively: items may nest deep
            node, expanded = stack.pop()
            if id(node) in ids:
                continue
            if node.items and not expanded:
                stack.append((node, True))
                stack.extend((c, False) for c in node.items.values() if id(c) not in ids)
                continue
            ids[id(node)] = (node, self._shared_value(node))
        return ids[id(value)][1]

    def _shared_value(self, node: Value) -> Value:
        taints = self.taints(node.taints)
        same = taints is node.taints
        items = node.items
        items_key = None
        if items is not None:
            items = {}
            for k, c in node.items.items():
                found = self._value_ids.get(id(c))
                shared = found[1] if found is not None else c  # (a cycle, which values built bottom-up never form)
                items[k] = shared
                same = same and shared is c
            try:
                items_key = tuple((_const_key(k), id(c)) for k, c in items.items())
                hash(items_key)
            except Exception:
                return node if same else _rebuilt(node, taints, items)
        # a ``OneOf``'s constants are part of what it is: never one object with a plain value of equal fields
        alts_key = frozenset(_const_key(c) for c in node.alts) if type(node) is OneOf else None
        try:
            key = (_const_key(node.const), id(taints), node.types, node.func, node.fixed, items_key, alts_key)
            shared = self._values.get(key)
        except Exception:  # a constant that cannot be hashed: kept as it is
            return node if same else _rebuilt(node, taints, items)
        if shared is None:
            shared = self._values[key] = node if same else _rebuilt(node, taints, items)
        return shared


def _rebuilt(node: Value, taints: frozenset, items) -> Value:
    """``node`` with these taints and items, of its own class (a ``OneOf`` keeps its constants)."""
    if type(node) is OneOf:
        return OneOf(node.alts, taints, node.types, node.func)
    return Value(node.const, taints, node.types, items, node.func, node.fixed)


_PLAIN_CONSTS = (str, int, bytes, bool, type(None))


def _const_key(c):
    """What tells two constants apart as ``_const_eq`` and ``repr`` do (``0`` from ``False``, ``0.0``
    from ``-0.0``)."""
    if c is UNKNOWN:
        return c
    if type(c) in _PLAIN_CONSTS:
        return (type(c), c)
    return (type(c), _stable_repr(c))


TOP_KEY = (UNKNOWN, id(EMPTY), EMPTY, None, False, None, None)
