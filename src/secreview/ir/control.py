"""Questions about a function's control-flow graph that rules ask: which blocks dominate which,
which branch conditions must hold for a statement to run, which branches a value rules out."""

from __future__ import annotations

from functools import lru_cache

from secreview.ir import nodes as ir
from secreview.ir.statements import is_local


# A function's rules ask about it again and again while it is analysed (every conversion of a request
# value in a handler of thousands of branches): the last few functions' answers are kept. (Functions
# compare by identity; the IR does not change once lowered.)
@lru_cache(maxsize=8)
def dominators(fn) -> dict:
    """Block id -> the ids of the blocks every path from the entry to it goes through (itself too)."""
    return _dominators(fn)


def _dominators(fn) -> dict:
    """``dominators``, by Cooper, Harvey and Kennedy's iteration over immediate dominators in reverse
    postorder (a few passes, where intersecting whole sets over and over took minutes on a handler of
    thousands of branches); the blocks no path from the entry reaches, as the plain iteration over sets
    leaves them (each is dominated by itself and by what dominates every block before it)."""
    blocks = fn.blocks
    if not blocks:
        return {}
    ids = [b.id for b in blocks]
    succs: dict = {i: [] for i in ids}
    preds: dict = {i: [] for i in ids}
    for b in blocks:
        for e in b.succs:
            if e.target in preds:
                succs[b.id].append(e.target)
                preds[e.target].append(b.id)
    entry = ids[0]
    order = _postorder(entry, succs)
    number = {block: n for n, block in enumerate(order)}
    idom = {entry: entry}
    changed = True
    while changed:
        changed = False
        for block in reversed(order):
            if block == entry:
                continue
            new = None
            for p in preds[block]:
                if p in idom:
                    new = p if new is None else _intersect(p, new, idom, number)
            if idom.get(block) != new:
                idom[block] = new
                changed = True
    dom: dict = {entry: frozenset({entry})}
    for block in reversed(order):  # each block's immediate dominator comes before it
        if block != entry:
            dom[block] = dom[idom[block]] | {block}
    unreached = [i for i in ids if i not in number]
    if unreached:
        for i in unreached:
            dom[i] = frozenset(ids)
        _settle(dom, unreached, preds)
        if any(p not in number for i in order for p in preds[i]):
            # an unreached block leads into reached ones (an ``except`` after a ``return``): the plain
            # iteration counts it among their predecessors, which leaves them fewer dominators; from
            # here (at least what it ends at) it ends where it would have
            _settle(dom, [i for i in reversed(order) if i != entry], preds)  # (the entry is only itself)
    return dom


def _settle(dom: dict, blocks: list, preds: dict) -> None:
    """Each of ``blocks`` dominated by itself and by what dominates all its predecessors, until nothing
    changes (the plain iteration over sets, from what ``dom`` holds)."""
    changed = True
    while changed:
        changed = False
        for i in blocks:
            incoming = [dom[p] for p in preds[i]]
            new = frozenset({i}) | (frozenset.intersection(*incoming) if incoming else frozenset())
            if new != dom[i]:
                dom[i] = new
                changed = True


def _postorder(entry, succs: dict) -> list:
    """The blocks reachable from ``entry`` in depth-first postorder (without recursion)."""
    order: list = []
    seen = {entry}
    stack = [(entry, iter(succs[entry]))]
    while stack:
        block, rest = stack[-1]
        for nxt in rest:
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, iter(succs[nxt])))
                break
        else:
            stack.pop()
            order.append(block)
    return order


def _intersect(a, b, idom: dict, number: dict):
    while a != b:
        while number[a] < number[b]:
            a = idom[a]
        while number[b] < number[a]:
            b = idom[b]
    return a


def reachable(fn, start: int, *, exceptions: bool = True) -> set:
    """The ids of the blocks that can run after block ``start``, itself included; with ``exceptions`` False, not
    through the edges an exception takes."""
    blocks = {b.id: b for b in fn.blocks}
    seen = {start}
    stack = [start]
    while stack:
        block = blocks.get(stack.pop())
        for e in block.succs if block is not None else ():
            if (exceptions or e.kind != ir.EdgeKind.EXCEPTION) and e.target not in seen:
                seen.add(e.target)
                stack.append(e.target)
    return seen


def for_loop_head(block) -> ir.Assign | None:
    """The assignment a ``for`` loop's head block starts with (``for key in fields``: ``key = <an element of
    fields>``), when ``block`` is one: its TRUE edge leads into the body, its FALSE edge is taken when the iterable
    is exhausted, and the body's end comes back to it by a LOOP edge."""
    stmts = block.stmts
    if not stmts or type(stmts[0]) is not ir.Assign or type(stmts[0].value) is not ir.IterElement \
            or len(stmts[0].targets) != 1:
        return None
    return stmts[0]


def loops_back_avoiding(fn, head: int, start: int, cut: set) -> bool:
    """Whether a path from block ``start`` comes back to the loop head ``head`` by a LOOP edge (the end of the
    body, a ``continue``) without taking any edge of ``cut`` (``(block id, index of the edge in its succs)``),
    exceptions' edges too, never through ``head`` itself: False when every iteration that goes on took one."""
    blocks = fn.blocks
    seen = {start}
    stack = [start]
    while stack:
        bid = stack.pop()
        for i, e in enumerate(blocks[bid].succs):
            if (bid, i) in cut:
                continue
            if e.target == head:
                if e.kind == ir.EdgeKind.LOOP:
                    return True
                continue
            if e.target not in seen:
                seen.add(e.target)
                stack.append(e.target)
    return False


def controlling_conditions(fn, stmt) -> list:
    """(condition, taken) for each branch that must be taken for ``stmt`` to run: ``taken`` is True
    when ``stmt`` runs only if the condition holds, False when only if it does not. A statement of a
    ``finally`` body is in several blocks (the body lowered in place and its copies for the ways out
    of the ``try``): a branch controls it when it controls every one of them."""
    holders = _holders(fn).get(id(stmt))
    if not holders:
        return []
    dom = dominators(fn)
    by_id = {b.id: b for b in fn.blocks}
    common = None
    for block in holders:
        mine = dom.get(block.id, frozenset())
        out = []
        for d in mine:
            if d == block.id:
                continue
            edges = [e for e in by_id[d].succs if e.kind in (ir.EdgeKind.TRUE, ir.EdgeKind.FALSE)
                     and e.cond is not None]
            inside = [e for e in edges if e.target in mine]
            if len(inside) == 1 and len({e.target for e in edges}) > 1:
                e = inside[0]
                out.append((e.cond, e.kind == ir.EdgeKind.TRUE))
        if common is None:
            common = out
        else:
            here = {(id(cond), taken) for cond, taken in out}
            common = [(cond, taken) for cond, taken in common if (id(cond), taken) in here]
    return common


@lru_cache(maxsize=8)
def _holders(fn) -> dict:
    """``id`` of each statement -> the blocks that hold it (a ``finally`` body's are in several)."""
    out: dict = {}
    for block in fn.blocks:
        for stmt in block.stmts:
            out.setdefault(id(stmt), []).append(block)
    return out


def rules_out_truthy(edge, name: str) -> bool:
    """``edge`` is the branch on which the local ``name`` is falsy or None (``if not f:``, ``if f is
    None:``): never taken when ``name`` holds an object that is always truthy and never None, such as
    a resource just opened."""
    cond = edge.cond
    if cond is None or edge.kind not in (ir.EdgeKind.TRUE, ir.EdgeKind.FALSE):
        return False
    truth = edge.kind == ir.EdgeKind.TRUE
    while isinstance(cond, ir.UnaryOp) and cond.op == "not":
        cond, truth = cond.operand, not truth
    if is_local(cond, name):
        return not truth
    if isinstance(cond, ir.Compare) and len(cond.ops) == 1 and is_local(cond.left, name) \
            and isinstance(cond.comparators[0], ir.Const) and cond.comparators[0].value is None:
        op = cond.ops[0]
        if op in ("is", "=="):
            return truth
        if op in ("is not", "!="):
            return not truth
    return False


def conjuncts(cond, taken: bool):
    """``(test, holds)`` for each test that holds (or not) wherever ``cond`` is ``taken``: ``not`` turned round,
    the parts of an ``and`` that is true and of an ``or`` that is false."""
    while isinstance(cond, ir.UnaryOp) and cond.op == "not":
        cond, taken = cond.operand, not taken
    if isinstance(cond, ir.BoolOp) and (cond.op == "and") == taken:
        for part in cond.values:
            yield from conjuncts(part, taken)
    else:
        yield cond, taken


def under_main_guard(fn, stmt) -> bool:
    """``stmt`` runs at module level only under ``if __name__ == "__main__":``: when the file is run as a
    script, never when it is imported."""
    if stmt is None or fn.name != "<module>":
        return False
    for cond, taken in controlling_conditions(fn, stmt):
        if taken and isinstance(cond, ir.Compare) and len(cond.ops) == 1 and cond.ops[0] == "==" \
                and {ir.dotted_text(cond.left), ir.dotted_text(cond.comparators[0])} == {"__name__", None} \
                and any(isinstance(x, ir.Const) and x.value == "__main__" for x in (cond.left, cond.comparators[0])):
            return True
    return False
