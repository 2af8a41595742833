"""A wrapper class given the policy enforcer and the caller's context, which never consults the enforcer.

A common way to put authorization in front of a domain layer is a set of
proxy classes: each wraps one kind of object or repository, takes the
caller's request context and the policy enforcer in its constructor, keeps
them (`self.context = context`, `self.policy = policy`), and overrides the
operations it guards with a check before delegating to the wrapped object
(`self.policy.enforce(self.context, 'delete_thing', target)` then
`return super().delete()`). Every operation the wrapper does not override
goes through to the wrapped object unchecked. A wrapper class that keeps the
enforcer but never uses it — added for a new kind of resource with its
constructor copied from a sibling, and no guarded override — lets every
caller delete or change those resources whatever the policy says (CWE-862).
OpenStack fixed such gaps by adding the missing `delete`/`remove` overrides
with their policy checks.

Reported: a class with at least one base class (other than `object`) whose
`__init__` takes a request context parameter (`context`, `ctxt`, ...) and
stores a parameter in an attribute named for a policy or an enforcer
(`self.policy`, `self._enforcer`, `self.policy_enforcer`), where no method of
the class reads that attribute again (neither calls it nor passes it on),
while another class of the same module calls an authorization method on
an attribute of the same name (`self.policy.enforce(...)`,
`self.policy.check(...)`):
in that module, this attribute holds the enforcer, and wrappers are expected
to use it. The finding is on the assignment that stores the enforcer.

Not reported: classes whose enforcer attribute is read anywhere in the class
(including being handed on to other wrappers), or by a base class or a
subclass defined in the same module (an inherited `_enforce` helper);
classes without a base class (nothing is delegated, so nothing goes through
unchecked); attributes named for a policy in modules
where no class calls an authorization method on such an attribute (a storage
policy, a QoS policy, a retry policy); test code. The rule cannot see which
operations the wrapped class offers: the confidence is medium.

**Fix:** override the operations of the wrapped object that change or reveal
data (`delete`, `save`, `get_data`...) with a policy check before
delegating, as the sibling wrappers do; or drop the enforcer from the
constructor if the object really needs no check (and say why).
"""

from __future__ import annotations

from secreview.analysis.code_text import code_of
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.authz import CONTEXT_WORDS, called_name, calls, is_guard_call
from secreview.rules.base import FunctionRule, Hit, lines_node
from secreview.rules.words import identifier_words

_ENFORCER_WORDS = frozenset({"policy", "enforcer", "policies"})
_CHECK_METHODS = frozenset({"enforce", "check", "authorize", "authorise", "can", "enforce_call"})


def _enforcer_attr(name: str) -> bool:
    words = identifier_words(name)
    return bool(words) and words[-1] in _ENFORCER_WORDS


def _self_attr(e, attr: str | None = None) -> bool:
    return (isinstance(e, ir.Attr) and isinstance(e.value, ir.Name) and e.value.id == "self"
            and (attr is None or e.attr == attr))


def _stored(init: ir.Function):
    """``(statement, attribute, parameter)`` for each ``self.<attr> = <param>`` (or ``<param> or ...``)
    of ``__init__`` whose attribute is named for a policy or an enforcer."""
    params = {p.name for p in init.params[1:]}
    for stmt in init.statements():
        if not isinstance(stmt, ir.Assign) or stmt.op is not None or len(stmt.targets) != 1:
            continue
        target = stmt.targets[0]
        if not (isinstance(target, ir.AttrTarget) and isinstance(target.value, ir.Name)
                and target.value.id == "self" and _enforcer_attr(target.attr)):
            continue
        value = stmt.value
        if isinstance(value, ir.BoolOp) and value.values:
            value = value.values[0]
        if isinstance(value, ir.Name) and value.id in params:
            yield stmt, target.attr, value.id


def _takes_context(init: ir.Function) -> bool:
    for p in init.params[1:]:
        words = identifier_words(p.name)
        if words and words[-1] in CONTEXT_WORDS:
            return True
    return False


def _reads(fn: ir.Function, attr: str) -> bool:
    """Whether a function reads ``self.<attr>`` (an assignment to it is no read)."""
    for block in fn.blocks:
        for stmt in block.stmts:
            for node in _stmt_exprs(stmt):
                for e in ir.walk(node):
                    if _self_attr(e, attr):
                        return True
        for edge in block.succs:
            if edge.cond is not None and any(_self_attr(e, attr) for e in ir.walk(edge.cond)):
                return True
    return any(_reads(child, attr) for child in fn.children)


def _stmt_exprs(stmt):
    for name in ("value", "test", "exc", "msg"):
        node = getattr(stmt, name, None)
        if isinstance(node, ir.Expr):
            yield node
    for target in getattr(stmt, "targets", ()) or ():
        # ``self.x.y = v`` and ``self.x[k] = v`` read ``self.x``
        if isinstance(target, (ir.AttrTarget, ir.ItemTarget)) and isinstance(target.value, ir.Expr):
            yield target.value


def _base_names(klass: ir.Class) -> list[str]:
    out = []
    for b in klass.bases:
        if isinstance(b, ir.Name):
            out.append(b.qualname or b.id)
        elif isinstance(b, ir.Attr):
            out.append(b.qualname or b.attr)
    return out


def _checks_through(module: ir.Module, attr: str, skip: ir.Class):
    """A call ``self.<attr>.<check>(...)`` in another class of the module."""
    for klass in module.classes.values():
        if klass is skip:
            continue
        for method in klass.methods.values():
            if attr not in method.names:
                continue
            for _stmt, call in calls(method):
                func = call.func
                if isinstance(func, ir.Attr) and _self_attr(func.value, attr) and (
                        called_name(call) in _CHECK_METHODS or is_guard_call(call)):
                    return klass, call
    return None


class UnusedPolicyEnforcer(FunctionRule):
    __doc__ = __doc__

    id = "SR627"
    name = "unused-policy-enforcer"
    title = "Authorization wrapper that keeps the policy enforcer but never consults it"
    cwe = 862
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    tests_relevant = False

    def relevant(self, function) -> bool:
        return function.name == "__init__" and function.is_method

    def check_function(self, module, function):
        klass = module.classes.get(function.class_qualname)
        if klass is None or klass.methods.get("__init__") is not function:
            return
        bases = [b for b in _base_names(klass) if b not in ("object", "builtins.object")]
        if not bases or not _takes_context(function):
            return
        for stmt, attr, param in _stored(function):
            if any(_reads(m, attr) for m in klass.methods.values()):
                continue
            if _related_reads(module, klass, attr):
                continue
            sibling = _checks_through(module, attr, klass)
            if sibling is None:
                continue
            other, call = sibling
            yield Hit(
                node=stmt,
                explanation=(
                    f"`{klass.name}` wraps `{bases[0].rsplit('.', 1)[-1]}` for a caller: its constructor takes the "
                    f"request context and the enforcer `{param}`, and keeps the enforcer in `self.{attr}`, but no "
                    f"method of the class consults it. In this module `self.{attr}` is what the wrappers check with "
                    f"(`{other.name}`: `{code_of(module, call, 80)}`); every operation `{klass.name}` inherits goes "
                    f"to the wrapped object without a policy check, whatever the policy says."),
                fix=(f"Override the operations of the wrapped object that change or reveal data with a check "
                     f"through `self.{attr}` before delegating, as `{other.name}` does."),
                notes=(
                    (lines_node(klass.line), f"the class `{klass.name}`"),
                    (lines_node(other.line), f"the class `{other.name}`"),
                    (call, f"checks through `self.{attr}` here"),
                ),
            )


def _related_reads(module: ir.Module, klass: ir.Class, attr: str) -> bool:
    """Whether a subclass of ``klass`` or one of its base classes (defined in this module, at any depth)
    reads ``self.<attr>``: the enforcer is consulted by methods the class inherits or by its subclasses."""
    by_name = {c.name: c for c in module.classes.values()}
    seen, todo = {id(klass)}, [klass]
    while todo:  # the bases, transitively
        current = todo.pop()
        for b in _base_names(current):
            base = by_name.get(b.rsplit(".", 1)[-1])
            if base is not None and id(base) not in seen:
                seen.add(id(base))
                todo.append(base)
                if any(_reads(m, attr) for m in base.methods.values()):
                    return True
    for other in module.classes.values():
        if other is klass:
            continue
        if any(b.rsplit(".", 1)[-1] == klass.name for b in _base_names(other)):
            if any(_reads(m, attr) for m in other.methods.values()):
                return True
    return False
