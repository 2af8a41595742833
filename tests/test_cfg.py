"""The control-flow graph routes every way out of a ``try`` through its ``finally``.

A ``return``, ``break`` or ``continue`` inside a ``try`` body, an ``except`` clause or an
``else`` runs the enclosing ``finally`` bodies (innermost first) before it goes where it
goes; so does an exception. Each test lowers a small function and follows its edges.
"""

from __future__ import annotations

import ast
import textwrap

from secreview.ir import nodes as ir
from secreview.ir.lower import lower_module

NORMAL = (ir.EdgeKind.NEXT, ir.EdgeKind.TRUE, ir.EdgeKind.FALSE, ir.EdgeKind.LOOP)


class Lowered:
    """A function lowered from source, with its lines: statements are named by their code."""

    def __init__(self, source: str, name: str = "f"):
        source = textwrap.dedent(source).strip("\n")
        module = lower_module(ast.parse(source), module="m", path="m.py", text=source)
        self.lines = module.lines
        self.fn = module.functions[f"m.{name}"]

    def code(self, line: int) -> str:
        return self.lines[line - 1].strip()

    def locate(self, code: str) -> tuple[int, int]:
        """(block, index) of the statement whose line is ``code``, in the blocks lowered in place."""
        for block in self.fn.blocks:
            if block.origin is None:
                for i, stmt in enumerate(block.stmts):
                    if self.code(stmt.line) == code:
                        return block.id, i
        raise AssertionError(f"no statement {code!r}")

    def can_end_without(self, code: str, avoided: str) -> bool:
        """Whether, by normal edges from the statement ``code``, the function can end (a block with no
        normal successor) without running a statement whose line is ``avoided``."""
        blocks = self.fn.blocks
        bid, index = self.locate(code)
        if any(self.code(s.line) == avoided for s in blocks[bid].stmts[index + 1:]):
            return False
        stack, seen = [e.target for e in blocks[bid].succs if e.kind in NORMAL], set()
        while stack:
            bid = stack.pop()
            if bid in seen:
                continue
            seen.add(bid)
            block = blocks[bid]
            if any(self.code(s.line) == avoided for s in block.stmts):
                continue
            normal = [e.target for e in block.succs if e.kind in NORMAL]
            if not normal:
                return True
            stack.extend(normal)
        return False

    def paths(self, code: str, *, raising: bool = False) -> set[tuple]:
        """Every path from the statement ``code`` (from its exception edges with ``raising``):
        the code of the statements met after it, then ``"end"`` (the function ends there),
        ``"handler"`` (an except clause catches the exception) or ``("loop", code)`` (back to
        the loop head whose first statement is ``code``). A path carrying an exception goes on
        by the EXCEPTION edges at the end of a block; the others follow normal edges only."""
        blocks = self.fn.blocks
        out: set = set()
        bid, index = self.locate(code)
        if raising:
            stack = [(e.target, (), "enter") for e in blocks[bid].succs if e.kind == ir.EdgeKind.EXCEPTION]
        else:
            stack = [(bid, tuple(self.code(s.line) for s in blocks[bid].stmts[index + 1:]), "skip")]
        while stack:
            bid, seen, how = stack.pop()
            block = blocks[bid]
            if how == "enter":
                if block.handler is not None:
                    out.add(seen + ("handler",))
                    continue
                seen = seen + tuple(self.code(s.line) for s in block.stmts)
            assert len(seen) < 50, seen
            normal = [e for e in block.succs if e.kind in NORMAL]
            exceptional = [e for e in block.succs if e.kind == ir.EdgeKind.EXCEPTION]
            if normal:
                for e in normal:
                    if e.kind == ir.EdgeKind.LOOP:
                        out.add(seen + (("loop", self.code(blocks[e.target].stmts[0].line)),))
                    else:
                        stack.append((e.target, seen, "enter"))
            elif raising and exceptional:
                stack.extend((e.target, seen, "enter") for e in exceptional)
            else:
                out.add(seen + ("end",))
        return out


def test_return_in_except_runs_finally():
    f = Lowered("""
        def f(s):
            try:
                s.send()
            except Exception:
                return None
            finally:
                s.close()
            return 1
    """)
    # the return runs the finally body, then the function ends (``return 1`` never runs)
    assert f.paths("return None") == {("s.close()", "end")}
    # the try body falls through the finally body lowered in place, then goes on
    assert f.paths("s.send()") == {("s.close()", "return 1", "end")}
    # an exception of the body goes to the clause (or, uncaught, through the finally and out)
    assert f.paths("s.send()", raising=True) == {("handler",), ("s.close()", "end")}


def test_return_in_try_body_and_else_run_finally():
    f = Lowered("""
        def f(s):
            try:
                if s:
                    return 1
            except OSError:
                pass
            else:
                return 2
            finally:
                s.close()
            return 3
    """)
    assert f.paths("return 1") == {("s.close()", "end")}
    assert f.paths("return 2") == {("s.close()", "end")}
    assert f.paths("pass") == {("s.close()", "return 3", "end")}


def test_nested_finally_runs_inner_then_outer():
    f = Lowered("""
        def f(s, t):
            try:
                try:
                    return s.read()
                finally:
                    t.close()
            finally:
                s.close()
            s.after()
    """)
    assert f.paths("return s.read()") == {("t.close()", "s.close()", "end")}
    # an exception in the inner body runs both finally bodies and leaves the function
    assert f.paths("return s.read()", raising=True) == {("t.close()", "s.close()", "end")}


def test_exception_through_inner_finally_reaches_outer_handler():
    f = Lowered("""
        def f(s, t):
            try:
                try:
                    s.read()
                except ValueError:
                    t.log()
                finally:
                    t.close()
                s.after()
            except OSError:
                pass
    """)
    # caught by the inner clause, or not: then the finally runs and the outer clause may catch it
    assert f.paths("s.read()", raising=True) == {("handler",), ("t.close()", "handler")}
    # an exception in the inner except clause passes the finally on its way to the outer clause
    assert f.paths("t.log()", raising=True) == {("t.close()", "handler")}
    # and the finally body runs for the clause's normal end too
    assert f.paths("t.log()") == {("t.close()", "s.after()", "end")}


def test_exception_no_clause_catches_passes_outer_finally():
    f = Lowered("""
        def f(s):
            try:
                try:
                    s.read()
                except ValueError:
                    pass
            finally:
                s.close()
    """)
    assert f.paths("s.read()", raising=True) == {("handler",), ("s.close()", "end")}


def test_exception_a_clause_catches_goes_no_further():
    f = Lowered("""
        def f(s):
            try:
                try:
                    s.read()
                except Exception:
                    pass
            finally:
                s.close()
    """)
    assert f.paths("s.read()", raising=True) == {("handler",)}


def test_break_and_continue_run_finally_in_the_loop():
    f = Lowered("""
        def f(items, s):
            for item in items:
                try:
                    if item:
                        break
                    if s:
                        continue
                    s.use(item)
                finally:
                    s.release()
            s.done()
    """)
    assert f.paths("break") == {("s.release()", "s.done()", "end")}
    assert f.paths("continue") == {("s.release()", ("loop", "for item in items:"))}
    assert f.paths("s.use(item)") == {("s.release()", ("loop", "for item in items:"))}


def test_while_loop_and_nested_finally_with_break():
    f = Lowered("""
        def f(s, t):
            while s.more():
                try:
                    try:
                        if s.last():
                            break
                        continue
                    finally:
                        t.close()
                finally:
                    s.release()
            else:
                s.exhausted()
            s.done()
    """)
    # the break skips the loop's else; the continue goes back to the test
    assert f.paths("break") == {("t.close()", "s.release()", "s.done()", "end")}
    assert f.paths("continue") == {("t.close()", "s.release()", ("loop", "while s.more():"))}


def test_loop_inside_try_leaves_the_finally_for_the_function_exit():
    f = Lowered("""
        def f(items, s):
            try:
                for item in items:
                    if item:
                        break
                    continue
                s.after()
            finally:
                s.close()
    """)
    # break and continue stay inside the try: no finally on their way
    assert f.paths("break") == {("s.after()", "s.close()", "end")}
    assert f.paths("continue") == {(("loop", "for item in items:"),)}


def test_with_blocks():
    f = Lowered("""
        def f(path, lock):
            try:
                with open(path) as fh:
                    return fh.read()
            finally:
                lock.release()
    """)
    assert f.paths("return fh.read()") == {("lock.release()", "end")}
    g = Lowered("""
        def g(items, lock):
            for item in items:
                with lock:
                    try:
                        if item:
                            break
                        return item
                    finally:
                        lock.notify()
            return None
    """, "g")
    assert g.paths("break") == {("lock.notify()", "return None", "end")}
    assert g.paths("return item") == {("lock.notify()", "end")}


def test_return_in_finally_overrides_the_pending_exit():
    f = Lowered("""
        def f(s):
            try:
                return s.read()
            finally:
                if s.closed:
                    return None
                s.close()
    """)
    assert f.paths("return s.read()") == {("if s.closed:", "return None", "end"), ("if s.closed:", "s.close()", "end")}
    assert f.paths("return s.read()", raising=True) == f.paths("return s.read()")


def test_copies_share_statements_and_statements_are_met_once():
    f = Lowered("""
        def f(items, s):
            for item in items:
                try:
                    if item:
                        return item
                    if s:
                        break
                    continue
                except OSError:
                    return None
                finally:
                    s.close()
                    s.log()
    """)
    fn = f.fn
    codes = [f.code(s.line) for s in fn.statements()]
    assert codes.count("s.close()") == 1 and codes.count("s.log()") == 1
    copies = [b for b in fn.blocks if b.origin is not None]
    # one copy of the finally body for each pending exit: exception, return, break, continue
    assert sorted(f.code(b.stmts[0].line) for b in copies if b.stmts) == ["s.close()"] * 4
    for copy in copies:
        original = fn.blocks[copy.origin]
        assert original.origin is None
        assert [id(s) for s in copy.stmts] == [id(s) for s in original.stmts]


def test_lowering_is_deterministic():
    source = """
        def f(items, s):
            for item in items:
                try:
                    try:
                        if item:
                            return item
                        continue
                    finally:
                        s.a()
                except OSError:
                    break
                finally:
                    s.close()
    """

    def shape(fn):
        return [(b.origin, [s.line for s in b.stmts], [(e.kind, e.target) for e in b.succs]) for b in fn.blocks]

    assert shape(Lowered(source).fn) == shape(Lowered(source).fn)


def test_finally_nested_in_finally_bodies_stays_bounded():
    # each level of try/finally inside a finally body would multiply the copies by five
    lines = ["def f(xs, s):", "    for x in xs:"]
    indent = "        "
    for _ in range(12):
        lines += [indent + "try:", indent + "    if x: return 1", indent + "    if s: break",
                  indent + "    if s.a: continue", indent + "    s.op()", indent + "finally:"]
        indent += "    "
    lines.append(indent + "s.close()")
    f = Lowered("\n".join(lines))
    from secreview.ir.lower import MAX_FINALLY_COPIES
    assert len(f.fn.blocks) < 2 * MAX_FINALLY_COPIES
    # past the limit the exits share the body lowered in place: s.close() still runs on the way out.
    # (Checked as reachability, not by listing paths: the shared bodies make the paths exponential.)
    assert f.can_end_without("if x: return 1", "s.close()") is False
    assert f.can_end_without("if x: return 1", "s.op()") is True  # the check can fail


def test_a_handler_of_many_conversions_has_its_dominators_worked_out_once(tmp_path, monkeypatch):
    """copyparty's request handler (thousands of branches, hundreds of ``int()`` of request values) took six
    minutes: the rules asked for the function's dominators at every conversion and each time they were
    worked out anew. The answers are the same; they are worked out once per function now."""
    from secreview.config import DEFAULT_CONFIG
    from secreview.engine.pipeline import ReviewOptions, review
    from secreview.ir import control

    branches = "\n".join(f"    if request.args.get('k{i}'):\n        n{i} = int(request.args['k{i}'])"
                         for i in range(60))
    (tmp_path / "app.py").write_text(f"from flask import Flask, request\napp = Flask(__name__)\n\n\n"
                                     f"@app.route('/')\ndef view():\n{branches}\n    return 'ok'\n")
    calls = []
    real = control._dominators
    monkeypatch.setattr(control, "_dominators", lambda fn: calls.append(fn.qualname) or real(fn))
    control.dominators.cache_clear()
    monkeypatch.chdir(tmp_path)
    from dataclasses import replace

    from secreview.findings.model import Level

    result = review(["app.py"], ReviewOptions(config=replace(DEFAULT_CONFIG, min_confidence=Level.LOW)))
    assert len([f for f in result.findings if f.rule_id == "SR604"]) == 60
    assert calls.count("app.view") == 1


def _plain_dominators(fn) -> dict:
    """The plain iteration over sets (what ``control.dominators`` must agree with)."""
    ids = [b.id for b in fn.blocks]
    preds: dict = {i: [] for i in ids}
    for b in fn.blocks:
        for e in b.succs:
            if e.target in preds:
                preds[e.target].append(b.id)
    dom = {i: frozenset(ids) for i in ids}
    dom[ids[0]] = frozenset({ids[0]})
    changed = True
    while changed:
        changed = False
        for i in ids[1:]:
            incoming = [dom[p] for p in preds[i]]
            new = frozenset({i}) | (frozenset.intersection(*incoming) if incoming else frozenset())
            if new != dom[i]:
                dom[i], changed = new, True
    return dom


DOMINATOR_SHAPES = [
    """
    def f(x):
        for i in x:
            if i:
                continue
            while i > 3:
                i -= 1
                if i == 5:
                    break
            else:
                x.append(i)
        return x
    """,
    # statements after a ``return`` inside a ``try``: unreached blocks whose exception edges lead into
    # reached ones (Twisted's ``findFreePort``)
    """
    def f(s):
        try:
            if s:
                return 1
            else:
                return 2
            s.close()
        finally:
            s.cleanup()
    """,
    """
    def f(a, b):
        try:
            with open(a) as fh:
                data = fh.read()
        except OSError:
            return None
        else:
            while data:
                try:
                    data = data[1:]
                except ValueError:
                    raise
                    data = None
        finally:
            b.close()
        return data
    """,
]


def test_dominators_agree_with_the_plain_iteration():
    from secreview.ir import control

    for source in DOMINATOR_SHAPES:
        fn = Lowered(source).fn
        assert control._dominators(fn) == _plain_dominators(fn)
