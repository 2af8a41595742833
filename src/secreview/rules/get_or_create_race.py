"""Get-or-create: a lookup raises *not found*, then the code creates the thing, without handling a duplicate.

`try: role = api.get_role(id) except RoleNotFound: api.create_role(id, ...)`
is a check-then-act sequence: two requests, workers or services that run it
at the same time both find nothing and both create. With a unique constraint
(the usual case in a database) the second insert fails, and since nothing
expects that error, its API request answers 500 or the service fails to
start; without one, the row is stored twice. OpenStack fixes such races by
creating first and fetching on the duplicate error (`except
DBDuplicateEntry:`, `except Conflict:`), by catching the duplicate error
around the create, or by serialising the sequence with a lock.

Reported in one function when a call whose name says it looks something up
(a `get`, `find`, `lookup`, `fetch`, `load`, `show` or `query` word in its
name: `get_role`, `_availability_zone_get`, `get_by_uuid`; not a bare
`.get()`, `.query()`, `.load()` or `.show()`) is made in a `try` whose
`except` clause catches a *not found* error (`...NotFound`, `DoesNotExist`,
`NoResultFound`) and, in that clause, creates one thing: a call with
`create` or `insert` in its name (but not `get_or_create`,
`update_or_create`, `modify_or_create`, `ensure_...` or `create_spec`), or
`x.save()` / `session.add(x)` of an object `x` the function constructed
(`x = models.Zone()`). The create must use what the lookup was keyed by: a
variable, attribute or constant item (`port['id']`) passed to the lookup,
other than the context or session, appears in the create or in the
statements between them (`imap.uuid = instance_uuid` before
`imap.create()`; another lookup of the same key does not count); a new
attachment made because the one an id named is gone is not a duplicate of it.
The create must also make the kind of thing looked up: the same object
receives both calls, their names share a noun (`get_region` and
`create_region`), or a nameless `create()`/`save()` is called on an object
the function constructed (a nameless create on anything else is named by its
receiver: `self.message_api.create(...)` after a failed host lookup makes a
message, not a host). One finding per `except` clause.

Not reported: a create inside a `try` whose handler catches a duplicate
error (a name with `Duplicate`, `Conflict`, `Exist`, `Integrity` or
`Constraint`), `Exception` or everything, or whose handler looks the thing
up again (`except ProcessExecutionError: if get(x) is None: raise`); a
create whose function, defined in the reviewed code, handles the duplicate
itself (a handler of a duplicate error, a lock decorator, or a retry
decorator as below); a function that takes a lock (a decorator or a `with`
whose expression names a lock, a semaphore or `synchronized`:
`lockutils.synchronized`, `coordination.synchronized`, `threading.Lock()`)
or that the module calls only from functions that take one (the lock-free
half of a locked pair: `@synchronized def create_host(self, name): return
self.create_host_wo_lock(name)`),
reads rows with `with_for_update()`/`with_lockmode()`, or runs under a retry
decorator that may retry on a duplicate error (`retry_db_errors`,
`retry_if_session_inactive`, `wrap_db_retry` with an `exception_checker`:
the retry runs the lookup again; `wrap_db_retry` alone retries deadlocks and
lost connections only); a lookup keyed only by attributes of the object
itself (`service_get(ctx, self.host, self.binary)`: a service's own record,
which one process creates); a lookup whose success raises a duplicate
error (`try: get_region(id) except RegionNotFound: pass else: raise
Conflict(...)`): it is the function's duplicate check, and the race only
changes which error the second writer gets; test code. A lock taken by every caller is not
seen: that the reviewer checks. The rule cannot see whether the created
thing has a unique constraint or whether the function can really run twice
at once (a start-up step of a single process), so the confidence is medium.
The same race written with a `None` test (`if repo.find(x) is None:
repo.create(x)`) is the extended rule `none-then-create-race`.

In the extended set. On nova 34, cinder 29, glance 33, keystone 30, manila
23, octavia 19, ironic 39 and heat 27 (2026-12-03) it reports 7 findings: 5
worth a look (concurrent first federated logins creating the same shadow
user or project, EC2 id mappings made by concurrent metadata requests, quota
usages) and 2 false (an admin-only legacy region whose duplicate is a clean
409; a volume's gateway registration, run once per volume); the exclusions
of another kind of thing, of duplicate checks and of lock-free halves took
away 6 findings, all false. On the other projects of the precision panels
it reports at most 30 (11 projects); of the 11 judged blind on panel C (2026-12-02)
none was real, 3 were worth a look and 8 false (admin, start-up or
command-line paths, or a unique constraint that turns the race into one
failed request).

**Fix:** create first and fetch on the duplicate error (`try: x = create(...)
except DBDuplicateEntry: x = get(...)`), or catch the duplicate error around
the create and fetch what the other writer stored (with a savepoint,
`session.begin_nested()`, when the session must survive the failed insert),
or hold a lock (`coordination.synchronized`, an external `lockutils` lock)
around the lookup and the create.
"""

from __future__ import annotations

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.control import controlling_conditions, dominators
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import place_key
from secreview.rules.base import FunctionRule, Hit
from secreview.rules.words import identifier_words

_LOOKUP_WORDS = frozenset({"get", "find", "lookup", "fetch", "load", "show", "query"})
_CREATE_WORDS = frozenset({"create", "insert"})
_VERBS = _LOOKUP_WORDS | _CREATE_WORDS | frozenset({
    "by", "from", "or", "if", "not", "exist", "exists", "all", "one", "new", "the", "a", "to", "of", "for", "in",
    "with", "and", "db", "api", "id", "ids", "name", "obj", "object", "ref"})
_NOT_FOUND = ("notfound", "doesnotexist", "noresultfound")
_DUPLICATE = ("duplicate", "conflict", "exist", "integrity", "constraint")
_BROAD = frozenset({"Exception", "BaseException"})
_LOCK_WORDS = ("lock", "synchronized", "semaphore", "mutex")
_ROW_LOCKS = frozenset({"with_for_update", "with_lockmode"})


def _callee_name(call) -> str:
    """The called function's or method's own name (``create_role`` for ``self.role_api.create_role``)."""
    if isinstance(call.func, ir.Attr):
        return call.func.attr
    if isinstance(call.func, ir.Name):
        return call.func.id
    return (call.qualname or "").rsplit(".", 1)[-1]


def _is_lookup(call) -> bool:
    name = _callee_name(call)
    if name in ("get", "query", "load", "show"):  # dict.get, session.query(...), json.load: not a lookup of one thing
        return False
    return bool(_LOOKUP_WORDS & set(identifier_words(name)))


_NOT_A_CREATE = frozenset({"or", "update", "modify", "ensure", "spec", "specs"}) | _LOOKUP_WORDS


def _is_create(call, constructed=frozenset()) -> bool:
    """A call that creates one thing: a name with ``create``/``insert`` (not ``get_or_create``,
    ``modify_or_create``, ``create_spec``), or ``x.save()`` / ``session.add(x)`` of an object ``x`` this
    function constructed (``x = models.Zone()``)."""
    name = _callee_name(call)
    if name == "save" and isinstance(call.func, ir.Attr):
        return isinstance(call.func.value, ir.Name) and call.func.value.id in constructed
    if name == "add" and isinstance(call.func, ir.Attr) and "session" in _text_words(call.func.value):
        return bool(call.args) and isinstance(call.args[0], ir.Name) and call.args[0].id in constructed
    words = set(identifier_words(name))
    return bool(_CREATE_WORDS & words) and not (words & _NOT_A_CREATE)


def _constructed(stmts) -> frozenset:
    """Variables assigned an instance of a class (a call of a capitalised name: ``models.Zone()``)."""
    out = set()
    for s in stmts:
        if type(s) is ir.Assign and isinstance(s.value, ir.Call) and _callee_name(s.value)[:1].isupper():
            out.update(t.id for t in s.targets if isinstance(t, ir.NameTarget))
    return frozenset(out)


def _plural(call) -> bool:
    """A lookup of several things (``get_all``, ``list_x``, ``get_peers``): finding none of them says little
    about one thing to create."""
    words = identifier_words(_callee_name(call))
    return any(w in ("all", "list", "many") or (len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")))
               for w in words)


def _text_words(e) -> tuple:
    if isinstance(e, ir.Name):
        return identifier_words(e.id)
    if isinstance(e, ir.Attr):
        return _text_words(e.value) + identifier_words(e.attr)
    if isinstance(e, ir.Call):
        return _text_words(e.func)
    return ()


def _receiver(call):
    """A key for the object a method is called on (``self.role_api``), or None."""
    if not isinstance(call.func, ir.Attr):
        return None
    return ir.dotted_text(call.func.value)


def _nouns(call) -> set:
    return {w for w in identifier_words(_callee_name(call)) if w not in _VERBS and len(w) > 2}


_CONTEXT_NAMES = frozenset({"context", "ctx", "ctxt", "cctxt", "admin_context", "session", "self", "cls", "req",
                            "request"})


def _value_key(e):
    """A key for a variable, an attribute chain or a constant item of one (``port['id']``), else None."""
    if isinstance(e, ir.Subscript) and isinstance(e.index, ir.Const) and isinstance(e.index.value, (str, int)):
        base = _value_key(e.value)
        return f"{base}[{e.index.value!r}]" if base else None
    return place_key(e)


def _lookup_keys(call) -> set:
    """The variables and attributes the lookup is keyed by (``role_id``, ``CONF.member_role_id``), not its
    context or session, not constants."""
    keys = set()
    for arg in (*call.args, *(k.value for k in call.keywords)):
        k = _value_key(arg)
        if k is None or k.startswith(("'", '"')) or k in _CONTEXT_NAMES or k.endswith(".session"):
            continue
        keys.add(k)
    return keys


def _keyed(stmts, lookup, create) -> bool:
    """Whether the create uses what the lookup was keyed by: one of its keys appears in a statement from
    the lookup to the create (``imap.uuid = instance_uuid`` before ``imap.create()``), or the lookup has no
    such key. A create of something new for a missing one (``attachment_get(ctx, bdm.attachment_id)``,
    then ``attachment_create(ctx, volume_id, instance.uuid)``) does not recreate the same thing."""
    keys = _lookup_keys(lookup)
    if not keys:
        return True
    inside = {id(e) for e in _walk(lookup)}
    for s in stmts:
        if not lookup.line <= s.line <= create.line:
            continue
        value = getattr(s, "value", None) if type(s) in (ir.Assign, ir.Evaluate, ir.Return) else None
        if value is None:
            continue
        for e in _walk(value):
            if isinstance(e, ir.Call) and e is not create and _is_lookup(e):
                inside.update(id(x) for x in _walk(e))  # another lookup of the key does not prepare the create
        for e in _walk(value):
            if id(e) not in inside and isinstance(e, (ir.Name, ir.Attr, ir.Subscript)) and _value_key(e) in keys:
                return True
    return False


def _own_record(function, lookup) -> bool:
    """Whether the lookup is keyed only by attributes of the object itself (``service_get(ctx, self.host,
    self.binary)``): a service reading and creating its own record, which one process does."""
    keys = _lookup_keys(lookup)
    if not keys or not function.is_method or not function.params:
        return False
    me = function.params[0].name
    return all(k.startswith(me + ".") for k in keys)


def _catches(handler, words) -> bool:
    return any(any(w in ir.last_name(t).lower() for w in words) for t in handler.types)


def _handled_inside(program, function, call) -> bool:
    """Whether the called function (when the reviewed code defines it) handles the duplicate itself: a
    handler of a duplicate error, a lock decorator, or a retry decorator that may retry on a duplicate."""
    if program is None:
        return False
    q = call.qualname
    if not q and isinstance(call.func, ir.Attr) and isinstance(call.func.value, ir.Name) and function.is_method \
            and function.params and call.func.value.id == function.params[0].name:
        q = f"{function.class_qualname}.{call.func.attr}"  # self.method(...)
    if not q:
        return False
    try:
        resolved = program.resolve_function(q)
        fn = program.functions.get(resolved) if resolved else None
    except Exception:  # an index that cannot load the function: treat it as unknown
        return False
    if fn is None:
        return False
    if any(_catches(h, _DUPLICATE) for h in getattr(fn, "handlers", ()) or ()):
        return True
    for dec in getattr(fn, "decorators", ()) or ():
        if _duplicate_retry(dec) or _names_lock(dec):
            return True
    return False


def _duplicate_handled(function, line: int, relooked: set) -> bool:
    """Whether a ``try`` around ``line`` has a handler for a duplicate error, ``Exception`` or everything,
    or a handler that looks the thing up again (``except ProcessExecutionError: if get(x) is None: raise``)."""
    for h in function.handlers:
        first, last = h.try_lines
        if first <= line <= last and (not h.types or _catches(h, _DUPLICATE) or h.line in relooked
                                      or any(ir.last_name(t) in _BROAD for t in h.types)):
            return True
    return False


def _relooking_handlers(function, dom, holder, calls) -> set:
    """The lines of the ``except`` clauses whose body calls a lookup."""
    entries = {b.id: b.handler.line for b in function.blocks if b.handler is not None}
    found = set()
    for s, c in calls:
        if _is_lookup(c):
            for d in dom.get(holder.get(id(s)), ()):
                if d in entries:
                    found.add(entries[d])
    return found


def _duplicate_retry(dec) -> bool:
    """A retry decorator that may retry on a duplicate error: any decorator named for retrying
    (``retry_db_errors``, ``retry_if_session_inactive``), except oslo.db's ``wrap_db_retry`` without an
    ``exception_checker`` (it retries deadlocks and lost connections only)."""
    call = dec if isinstance(dec, ir.Call) else None
    func = call.func if call is not None else dec
    name = (call.qualname if call is not None else None) or getattr(func, "qualname", None) or (
        func.attr if isinstance(func, ir.Attr) else func.id if isinstance(func, ir.Name) else "")
    last = (name or "").rsplit(".", 1)[-1].lower()
    if "retry" not in last:
        return False
    if last == "wrap_db_retry":
        return call is not None and call.keyword("exception_checker") is not None
    return True


def _names_lock(dec) -> bool:
    """Whether a decorator names a lock (``lockutils.synchronized``, ``@coordination.synchronized``)."""
    for e in _walk(dec):
        name = (e.qualname if isinstance(e, ir.Call) else None) or (
            e.attr if isinstance(e, ir.Attr) else e.id if isinstance(e, ir.Name) else "")
        if name and any(w in name.lower() for w in _LOCK_WORDS):
            return True
    return False


def _locked(function) -> bool:
    """Whether the function takes a lock, reads rows for update, or runs under a retry decorator."""
    for dec in function.decorators:
        if _duplicate_retry(dec) or _names_lock(dec):
            return True
    if not _ROW_LOCKS.isdisjoint(function.names):
        return True
    for stmt in function.statements():
        value = getattr(stmt, "value", None)
        if isinstance(value, ir.WithEnter):
            for e in _walk(value.context):
                name = (e.attr if isinstance(e, ir.Attr) else e.id if isinstance(e, ir.Name) else
                        e.qualname if isinstance(e, ir.Call) else "") or ""
                if any(w in name.lower() for w in _LOCK_WORDS):
                    return True
    return False


def _stmt_calls(stmt):
    value = getattr(stmt, "value", None) if type(stmt) in (ir.Assign, ir.Evaluate, ir.Return) else None
    if value is None:
        return
    for e in _walk(value):
        if isinstance(e, ir.Call):
            yield e


def _same_thing(lookup, create, constructed) -> bool:
    """Whether the create makes the kind of thing the lookup looked for: the same object receives both
    (``repo.find_by_ref`` and ``repo.create_from``), their names share a noun (``get_region`` and
    ``create_region``), or the create is a nameless ``create()``/``save()``/``session.add(x)`` of an object
    this function constructed (``imap = EC2InstanceMapping(ctx); imap.create()``). A nameless create on
    anything else is named by its receiver (``self.message_api.create(...)``: a message)."""
    if _receiver(lookup) is not None and _receiver(lookup) == _receiver(create):
        return True
    found = _nouns(lookup) | _receiver_nouns(lookup.func.value) if isinstance(lookup.func, ir.Attr) \
        else _nouns(lookup)
    made = _nouns(create) - {"save", "add"}
    if made:
        return bool(_nouns(lookup) & made)
    if not isinstance(create.func, ir.Attr):
        return False
    target = create.func.value
    if _callee_name(create) == "add" and create.args:
        target = create.args[0]
    if isinstance(target, ir.Name) and target.id in constructed:
        return True
    return bool(found & _receiver_nouns(target))


def _receiver_nouns(e) -> set:
    """The words naming an object (``self.message_api``: ``message``), not ``self``, a context or a verb."""
    return {w for w in _text_words(e) if w not in _VERBS and w not in _CONTEXT_NAMES and len(w) > 2}


def _reports_duplicate(function, handler_block, lookup_block, dom, holder) -> bool:
    """Whether the lookup's success raises a duplicate error (``try: get(x) except NotFound: pass else: raise
    Conflict(...)``): the lookup is the function's duplicate check, whose other outcome reports the
    duplicate, and the race only changes which error the second writer gets."""
    for stmt in function.statements():
        if type(stmt) is not ir.Raise or stmt.exc is None:
            continue
        b = holder.get(id(stmt))
        if b is None or handler_block in dom.get(b, ()) or lookup_block not in dom.get(b, ()):
            continue
        raised = stmt.exc.func if isinstance(stmt.exc, ir.Call) else stmt.exc
        name = (getattr(raised, "attr", None) or getattr(raised, "id", None) or "").lower()
        if any(w in name for w in _DUPLICATE):
            return True
    return False


def _callers_all_locked(module, function, depth: int = 4, seen=None) -> bool:
    """Whether the module calls this function, and only from functions that take a lock or are themselves
    called only under one (``@synchronized def initialize_connection(...)`` calling ``_map_host``, which
    calls the function), up to ``depth`` callers up: the function is the lock-free part of a locked
    operation (``@synchronized def create_host(self, name): return self.create_host_wo_lock(name)``)."""
    if depth <= 0:
        return False
    seen = set() if seen is None else seen
    seen.add(function.qualname)
    name = function.name
    callers = 0
    for other in module.functions.values():
        if other is function or other.is_lambda or name not in other.names:
            continue
        if not any((isinstance(c.func, ir.Attr) and c.func.attr == name and function.is_method)
                   or (isinstance(c.func, ir.Name) and c.func.id == name and not function.is_method)
                   for s in other.statements() for c in _stmt_calls(s)):
            continue
        if other.qualname in seen:
            return False  # recursion: not decided
        if not (_locked(other) or _callers_all_locked(module, other, depth - 1, seen)):
            return False
        callers += 1
    return callers > 0


def _none_test(cond, taken):
    """The tested expression when ``cond`` taken ``taken`` means it is None or false, else None."""
    while isinstance(cond, ir.UnaryOp) and cond.op == "not":
        cond, taken = cond.operand, not taken
    if isinstance(cond, ir.Compare) and len(cond.ops) == 1 and isinstance(cond.comparators[0], ir.Const) \
            and cond.comparators[0].value is None and cond.ops[0] in ("is", "is not", "==", "!="):
        if cond.ops[0] in ("is not", "!="):
            taken = not taken
        return cond.left if taken else None
    if isinstance(cond, (ir.Name, ir.Call)) and not taken:
        return cond
    return None


class GetOrCreateRace(FunctionRule):
    __doc__ = __doc__

    id = "SR505"
    name = "get-or-create-race"
    title = "Get-or-create without handling a concurrent duplicate"
    cwe = 362
    severity = Level.LOW
    confidence = Level.MEDIUM
    bandit = ()
    tests_relevant = False
    extended = True
    shapes = frozenset({"not-found"})
    """``not-found``: the create runs in a handler of the lookup's *not found* error; ``none``: in the
    branch where the lookup returned None or false (the extended rule's)."""

    def relevant(self, function) -> bool:
        return any(w in n.lower() for n in function.names for w in ("create", "insert", "save", "add")) \
            and any(w in n.lower() for n in function.names for w in _LOOKUP_WORDS)

    def check_function(self, module, function):
        from secreview.analysis.code_text import code_of

        stmts = [s for s in function.statements()]
        calls = [(s, c) for s in stmts for c in _stmt_calls(s)]
        constructed = _constructed(stmts)
        if not any(_is_create(c, constructed) for s, c in calls) or _locked(function) \
                or _callers_all_locked(module, function):
            return
        dom = dominators(function)
        holder = {}
        for b in function.blocks:
            if b.origin is None:
                for s in b.stmts:
                    holder[id(s)] = b.id
        relooked = _relooking_handlers(function, dom, holder, calls) if function.handlers else set()
        creates = [(s, c) for s, c in calls if _is_create(c, constructed)
                   and not _duplicate_handled(function, c.line, relooked)
                   and not _handled_inside(self.program, function, c)]
        reported = set()
        # shape 1: the create runs in an ``except ...NotFound`` clause of a try holding the lookup
        handlers = [b for b in function.blocks if b.handler is not None and _catches(b.handler, _NOT_FOUND)]
        if handlers and "not-found" in self.shapes:
            for entry in handlers:
                h = entry.handler
                first, last = h.try_lines
                lookups = [(s, c) for s, c in calls if first <= c.line <= last and _is_lookup(c)]
                lookups = [c for s, c in lookups
                           if not _reports_duplicate(function, entry.id, holder.get(id(s)), dom, holder)]
                if not lookups:
                    continue
                for s, c in creates:
                    if id(c) in reported or entry.id not in dom.get(holder.get(id(s)), ()):
                        continue
                    keyed = [lk for lk in lookups if _keyed(stmts, lk, c) and not _own_record(function, lk)
                             and _same_thing(lk, c, constructed)]
                    if not keyed:
                        continue
                    reported.add(id(c))
                    caught = next(ir.last_name(t) for t in h.types if any(w in ir.last_name(t).lower()
                                                                       for w in _NOT_FOUND))
                    yield self._hit(module, code_of, c, keyed[0], f"raised `{caught}` (handled on line {h.line})")
                    break  # one finding per get-or-create
        # shape 2: the create runs only when the lookup's result is None or false
        if "none" not in self.shapes:
            return
        used = set()  # lookups already reported
        assigned: dict = {}  # variable -> [(line, value)]
        for s in stmts:
            if type(s) is ir.Assign:
                for t in s.targets:
                    if isinstance(t, ir.NameTarget):
                        assigned.setdefault(t.id, []).append((s.line, s.value))
        for s, c in creates:
            if id(c) in reported:
                continue
            for cond, taken in controlling_conditions(function, s):
                tested = _none_test(cond, taken)
                lookup = None
                if isinstance(tested, ir.Call) and _is_lookup(tested):
                    lookup = tested
                elif isinstance(tested, ir.Name):
                    before = [(line, v) for line, v in assigned.get(tested.id, ()) if line <= cond.line]
                    if before:
                        value = max(before, key=lambda p: p[0])[1]
                        if isinstance(value, ir.Call) and _is_lookup(value):
                            lookup = value
                if lookup is None or lookup.line >= c.line or _plural(lookup) or id(lookup) in used:
                    continue
                same = _receiver(lookup) is not None and _receiver(lookup) == _receiver(c)
                shared = _nouns(lookup) & _nouns(c)
                if not shared and not same:
                    continue  # the same thing: a shared noun, or the same object looking up and creating
                if not _keyed(stmts, lookup, c) or _own_record(function, lookup):
                    continue
                reported.add(id(c))
                used.add(id(lookup))
                what = f"found nothing (`{code_of(module, cond)}`, line {cond.line})"
                yield self._hit(module, code_of, c, lookup, what)
                break

    def _hit(self, module, code_of, create, lookup, what):
        return Hit(
            node=create,
            explanation=(f"`{code_of(module, create)}` creates what `{code_of(module, lookup)}` (line {lookup.line}) "
                         f"looked up and {what}. Two requests or workers running this at the same time can both "
                         f"find nothing and both create: the second create then fails on a unique constraint, "
                         f"which nothing here handles, or stores a duplicate. This function takes no lock and no "
                         f"handler around the create catches a duplicate error."),
            fix=("Create first and fetch on the duplicate error (`except DBDuplicateEntry:` / `Conflict`: fetch "
                 "what the other writer stored), or hold a lock (`coordination.synchronized`, an external "
                 "`lockutils` lock) around the lookup and the create."),
        )


class NoneThenCreateRace(GetOrCreateRace):
    """Get-or-create: a lookup returns `None`, then the code creates the thing, without handling a duplicate.

    `project = repo.find_project(pid)` / `if not project: repo.create_project(...)`
    is the race `get-or-create-race` reports, written with a `None` test: two
    requests or workers both find nothing and both create, and the second
    create fails on a unique constraint or stores a duplicate.

    Reported when a call that creates one thing (as `get-or-create-race` says)
    runs only in the branch where a lookup's result, assigned to a variable or
    tested directly, is `None` or false (`if not x:`, `if x is None:`, `if
    find(x): return`), the lookup is of one thing (not `get_all`, `list_...`
    or a plural such as `get_peers`), the two calls concern the same thing
    (their names share a noun, `_find_recordset` and `create_recordset`, or the
    same object receives both, `repo.find_by_ref` and `repo.create_from`), and
    the create uses what the
    lookup was keyed by. The exclusions of `get-or-create-race` apply; one
    finding per lookup.

    In the extended set: on current OpenStack services this shape is mostly a
    storage driver ensuring a backend object of one share, volume or instance
    (an export, a client group, a secret), or a set-up step run once at
    start-up, where the service runs one operation per object at a time; the
    rule cannot tell those from a lookup and a create that concurrent requests
    share. Select it to review a repository layer's get-or-create helpers.

    **Fix:** as for `get-or-create-race`: create first and fetch on the
    duplicate error, or hold a lock around the lookup and the create.
    """

    id = "SR508"
    name = "none-then-create-race"
    title = "Lookup returned None, then created, without handling a concurrent duplicate"
    extended = True
    shapes = frozenset({"none"})
