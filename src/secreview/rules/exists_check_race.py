"""A directory checked with `os.path.exists`, then created: a concurrent creation makes `os.makedirs` fail.

`if not os.path.isdir(d): os.makedirs(d)` assumes nothing changes the file
system between the check and the act. In a service that runs several
workers, processes or green threads (two deployments publishing their first
image, two services creating the same conversion directory at start-up, an
agent writing the configuration of two networks), another one can create the
directory in between: `os.makedirs` then raises `FileExistsError` and the
request, the deployment or the periodic task fails. The check does not make
the act safe, it only makes the failure rarer. OpenStack fixes these with
`fileutils.ensure_tree`.

Reported in one function when a path (a variable, an attribute such as
`CONF.cache_dir`, or a constant) is tested with `os.path.exists`/`lexists`/
`isfile`/`isdir`/`islink` and, only in the branch where the test said it does
not exist, passed without being reassigned to `os.makedirs` or `os.mkdir`.
Not reported: an act inside a `try` whose handler catches `OSError` (or
`FileExistsError`, `IOError`, `EnvironmentError`, `Exception`, everything),
`os.makedirs(..., exist_ok=True)`, a check whose other outcome raises (`if
os.path.exists(d): raise DiskExists(d)`: the race only changes which error
is raised), a path built from an identifier of one object (a variable,
attribute or argument named `..._id`, `uuid`: the directory of one share,
node or backup, whose operations a service runs one at a time under that
object's lock), a function that takes a lock (a decorator or a `with` naming
a lock, a semaphore or `synchronized`) or that the module calls only with
one held, a check in another function, and test code. Removing a file
after checking that it exists is the same race, reported by the extended
rule `exists-check-remove-race`. This is a robustness race (a crash), not
the attacker's symlink race that `toctou-race` reports: the severity is low.

In the extended set. On nova 34, cinder 29, glance 33, keystone 30, manila
23, octavia 19, ironic 39 and heat 27 (2026-12-03) it reports 4 findings,
none false (cinder's image conversion directory and backup containers,
ironic's published-image and deploy-log directories, made while other
workers or conductor threads do the same); the lock exclusions took away 2,
both false. On the other projects of the precision panels it reports 147
(54 projects); of 14 drawn at random and read, 12 are false: single-process
tools (`setup.py`, management commands, command-line scripts), start-up
steps before workers fork and single-threaded servers cannot interleave the
check and the act, and the rule cannot tell them from a service's concurrent
workers.

**Fix:** create without checking: `os.makedirs(d, exist_ok=True)` or
`oslo_utils.fileutils.ensure_tree(d)`.
"""

from __future__ import annotations

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.control import controlling_conditions
from secreview.ir.nodes import walk as _walk
from secreview.ir.statements import assigned_places, caught_at, place_key
from secreview.rules.base import FunctionRule, Hit
from secreview.rules.words import identifier_words

_CHECKS = frozenset({"os.path.exists", "os.path.lexists", "os.path.isfile", "os.path.isdir", "os.path.islink",
                     "genericpath.exists", "genericpath.isfile", "genericpath.isdir", "posixpath.exists",
                     "posixpath.lexists", "posixpath.isfile", "posixpath.isdir", "posixpath.islink"})
_REMOVE = {"os.unlink": "removes", "os.remove": "removes", "os.rmdir": "removes", "shutil.rmtree": "removes"}
_CREATE = {"os.makedirs": "creates", "os.mkdir": "creates"}
_HANDLED = frozenset({"OSError", "IOError", "EnvironmentError", "FileNotFoundError", "FileExistsError", "Exception",
                      "BaseException", "error"})
_ERRORS = {"os.unlink": "FileNotFoundError", "os.remove": "FileNotFoundError", "os.rmdir": "FileNotFoundError",
           "shutil.rmtree": "FileNotFoundError", "os.makedirs": "FileExistsError", "os.mkdir": "FileExistsError"}


def _tests(cond, taken):
    """(check call, says it exists) for each existence check ``cond`` holds when taken ``taken``."""
    while isinstance(cond, ir.UnaryOp) and cond.op == "not":
        cond, taken = cond.operand, not taken
    if isinstance(cond, ir.Call) and cond.qualname in _CHECKS and cond.args:
        yield cond, taken
    elif isinstance(cond, ir.BoolOp):
        # ``a and b`` taken: both hold; ``a or b`` not taken: neither holds
        if (cond.op == "and" and taken) or (cond.op == "or" and not taken):
            for v in cond.values:
                yield from _tests(v, taken)


_OBJECT_WORDS = frozenset({"id", "uuid", "ident"})


def _per_object(function, target) -> bool:
    """Whether the path ``target`` is built from an identifier of one object (a variable, attribute or
    argument named ``..._id``/``uuid``), directly or through the local variables it is assigned from:
    such a path belongs to one share, node or backup, whose operations run one at a time."""
    assigned: dict = {}
    for stmt in function.statements():
        if type(stmt) is ir.Assign:
            for t in stmt.targets:
                if isinstance(t, ir.NameTarget):
                    assigned.setdefault(t.id, []).append(stmt.value)
    exprs, seen = [target], set()
    for _ in range(4):
        more = []
        for expr in exprs:
            for e in _walk(expr):
                name = e.id if isinstance(e, ir.Name) else e.attr if isinstance(e, ir.Attr) else None
                if name is None:
                    continue
                if _OBJECT_WORDS & set(identifier_words(name)):
                    return True
                if isinstance(e, ir.Name) and e.id not in seen:
                    seen.add(e.id)
                    more.extend(assigned.get(e.id, ()))
        if not more:
            break
        exprs = more
    return False


def _validation(function, cond, taken) -> bool:
    """Whether the other outcome of the check raises (``if os.path.exists(d): raise DiskExists(d)``): the
    check is there to report a clear error, and the race only changes which error is raised."""
    for stmt in function.statements():
        if type(stmt) is ir.Raise:
            for other, other_taken in controlling_conditions(function, stmt):
                if other is cond and other_taken != taken:
                    return True
    return False


def _stmt_exprs(stmt):
    if type(stmt) in (ir.Assign, ir.Evaluate, ir.Return) and stmt.value is not None:
        yield stmt.value


class ExistsCheckRace(FunctionRule):
    __doc__ = __doc__

    id = "SR506"
    name = "exists-check-race"
    title = "Directory checked for existence, then created"
    cwe = 367
    severity = Level.LOW
    confidence = Level.MEDIUM
    bandit = ()
    tests_relevant = False
    extended = True
    triggers = frozenset(_CHECKS)
    acts = _CREATE
    per_object_paths = False
    """Whether paths built from an object's identifier are reported (see the docstring)."""

    def check_function(self, module, function):
        from secreview.analysis.code_text import code_of
        from secreview.rules.get_or_create_race import _callers_all_locked, _locked

        if _locked(function) or _callers_all_locked(module, function):
            return  # ``@synchronized(...)``, ``with lock:``: the check and the act run one at a time

        assigned_at: dict = {}  # key -> lines where it is assigned
        for stmt in function.statements():
            for name in assigned_places(stmt):
                assigned_at.setdefault(name, []).append(stmt.line)
        for stmt in function.statements():
            for root in _stmt_exprs(stmt):
                for e in _walk(root):
                    if not isinstance(e, ir.Call) or e.qualname not in self.acts:
                        continue
                    q = e.qualname
                    if not e.args:
                        continue
                    if q == "os.makedirs" and _true(e.keyword("exist_ok")):
                        continue
                    if q == "shutil.rmtree" and (_true(e.keyword("ignore_errors")) or len(e.args) > 1
                                                   or e.keyword("onerror") is not None
                                                   or e.keyword("onexc") is not None):
                        continue
                    key = place_key(e.args[0])
                    if key is None or caught_at(function, e.line, _HANDLED):
                        continue
                    wanted = q in _REMOVE  # the branch where the check said it exists
                    found = None
                    for cond, taken in controlling_conditions(function, stmt):
                        for check, exists in _tests(cond, taken):
                            if exists == wanted and place_key(check.args[0]) == key and check.line <= e.line \
                                    and not any(check.line <= line < e.line for line in assigned_at.get(key, ())):
                                found = check
                                break
                        if found is not None:
                            break
                    if found is None or _validation(function, cond, taken):
                        continue
                    if not self.per_object_paths and _per_object(function, e.args[0]):
                        continue
                    yield self._hit(module, code_of, e, found, wanted)

    def _hit(self, module, code_of, act, check, exists):
        name = code_of(module, act.args[0])
        q = act.qualname
        error = _ERRORS[q]
        if exists:
            story = (f"another worker or process can remove `{name}` after the check, and `{q}` then raises "
                     f"`{error}`")
            fix = (f"Remove without checking and tolerate its absence: `fileutils.delete_if_exists({name})` "
                   f"(oslo.utils), or `try: {q}({name}) except FileNotFoundError: pass`.")
        else:
            story = (f"another worker or process can create `{name}` after the check, and `{q}` then raises "
                     f"`{error}`")
            fix = (f"Create without checking: `os.makedirs({name}, exist_ok=True)` or "
                   f"`fileutils.ensure_tree({name})` (oslo.utils).")
        said = "exists" if exists else "does not exist"
        return Hit(
            node=act,
            explanation=(f"`{code_of(module, act)}` runs because `{code_of(module, check)}` (line {check.line}) "
                         f"said `{name}` {said}, but {story}, which nothing here handles: the operation fails "
                         f"instead of finding its work already done."),
            fix=fix,
        )


def _true(node) -> bool:
    return isinstance(node, ir.Const) and bool(node.value) and node.value is not None


class ExistsCheckRemoveRace(ExistsCheckRace):
    """A path checked with `os.path.exists`, then removed: a concurrent removal makes `os.unlink` fail.

    `if os.path.exists(path): os.unlink(path)`: in a service where another
    worker, process or periodic task can remove the same file (an image
    cache pruned while a request deletes an entry), the file can go between
    the check and the removal, and `os.unlink` then raises
    `FileNotFoundError`: the request fails with a 500 or the periodic task
    stops.

    Reported in one function when a path tested with `os.path.exists`/
    `lexists`/`isfile`/`isdir`/`islink` is, only in the branch where the test
    said it exists and without being reassigned, passed to `os.unlink`,
    `os.remove`, `os.rmdir` or `shutil.rmtree`. Not reported: a removal inside
    a `try` whose handler catches `OSError` (or `FileNotFoundError`,
    `IOError`, `EnvironmentError`, `Exception`, everything),
    `shutil.rmtree(..., ignore_errors=True)` or with an `onerror` handler, a
    check whose other outcome raises, a check in another function, and test
    code.

    In the extended set: on current OpenStack services most such removals
    concern the file of one instance, node or share, whose operations the
    service runs one at a time under a lock the rule cannot see (in another
    function or process), so most findings are not races a reviewer would ask
    to fix; select it (`--select exists-check-remove-race`) to review a cache
    or a cleanup task shared by workers.

    **Fix:** remove without checking and tolerate the absence:
    `oslo_utils.fileutils.delete_if_exists(path)`, or `try: os.unlink(path)
    except FileNotFoundError: pass`.
    """

    id = "SR507"
    name = "exists-check-remove-race"
    title = "Path checked for existence, then removed"
    extended = True
    acts = _REMOVE
    per_object_paths = True
