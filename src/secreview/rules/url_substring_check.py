"""URL accepted because an allowed URL occurs somewhere in it (`allowed_url in ref`).

A check that a reference, redirect target or callback URL points at an
allowed place must compare where it points: its scheme, host and port, or at
least its start. `allowed_href not in secret_ref` only asks whether the
allowed URL occurs *somewhere* in the other one, so
`https://attacker.example/x?https://api.example/` and
`https://api.example.attacker.example/` pass it, and the code goes on to trust
or fetch a URL the attacker chose (Barbican's container validator accepted
spoofed secret references this way).

Reported at a branch condition (`if`, `elif`, `while`, `assert`, a conditional
expression) that tests `a in b` or `a not in b` where `a` is a variable,
attribute, dict item or `.get()` result named as a URL (its last name part is
`url`, `uri` or `href`: `host_href`, `base_url`, `CONF.endpoint_url`) and `b`
one named as a single URL or reference (last part `url`, `uri`, `href`, `ref`,
`location`, `redirect`, `referer`/`referrer`, `next`: `secret_ref`,
`redirect_url`, `request.referrer`). Not reported: membership in
collections (`url in allowed_urls`, `url in self.urls`: the right side's name
is plural or does not name a URL; `url in requests_by_url`, a mapping keyed
by URLs), a constant on the left (`"://" in url`,
`"?" in url`: a test of the URL's form, not of where it points), an `if`
(also one whose other operands of `and`/`or` test membership in a collection written out, `kind in ("page",
"tab")`)
whose branch for "not contained" neither raises, returns nor replaces the
URL checked (`next_url = "/"`) before it joins the other branch (the test picks
what to do next, `if sessions_uri in url: raise` after a failed request,
`if base_url not in response.url: base_url = ...` after a redirect,
`if url not in pages: pages[url] = fetch(url)` then `return pages[url]`; it turns
no URL away), a conditional expression that picks between two constants other than truth values
(`"current" if section.url in context_url else None`: a menu's CSS class), and test code.

**Fix:** parse both and compare the parts that decide where the URL points:
`urllib.parse.urlsplit(ref)` scheme and `netloc` equal to the allowed ones
(and the path under the allowed prefix), or at least
`ref.startswith(allowed_url.rstrip("/") + "/")`.
"""

from __future__ import annotations

import re

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.base import FunctionRule, Hit
from secreview.rules.words import NameScreen, identifier_words

_LEFT = frozenset({"url", "uri", "href"})
_RIGHT = frozenset({"url", "uri", "href", "ref", "location", "redirect", "referer", "referrer", "next"})
_TRIGGERS = re.compile(r"(?i)(url|uri|href)")
_TRIGGER_SCREEN = NameScreen(lambda n: isinstance(n, str) and _TRIGGERS.search(n) is not None)
"""Whether a function names a URL anywhere (its answers kept per name: names repeat across functions)."""


def _last_word(name: str | None) -> str | None:
    if not name:
        return None
    words = identifier_words(name)
    return words[-1] if words else None


def _keyed_by(name: str | None) -> bool:
    """``review_requests_by_url``, ``by_href``: a mapping keyed by URLs, whose ``in`` tests a key, not text."""
    words = identifier_words(name) if name else []
    return len(words) >= 2 and words[-2] == "by"


def _conditions(fn):
    seen = set()
    for block in fn.blocks:
        for edge in block.succs:
            cond = edge.cond
            if cond is not None and id(cond) not in seen:
                seen.add(id(cond))
                yield cond
        for stmt in block.stmts:
            if isinstance(stmt, ir.Assert) and id(stmt.test) not in seen:
                seen.add(id(stmt.test))
                yield stmt.test
            value = getattr(stmt, "value", None)
            if isinstance(value, ir.Expr):
                for e in ir.walk(value):
                    if isinstance(e, ir.IfExp) and id(e.test) not in seen and not _picks_a_label(e):
                        seen.add(id(e.test))
                        yield e.test


def _picks_a_label(e: ir.IfExp) -> bool:
    """``"current" if section.url in context_url else None``: the test picks between two constants that are not
    truth values (a CSS class, a label), which admits or refuses no URL."""
    return all(isinstance(b, ir.Const) and not isinstance(b.value, bool) for b in (e.body, e.orelse))


def _straight_run(blocks: dict, start: int) -> list:
    """The ids of the blocks from ``start`` on, following plain edges while a block has one successor (a few
    at most)."""
    run = []
    block = blocks.get(start)
    while block is not None and block.id not in run and len(run) < 4:
        run.append(block.id)
        plain = [e for e in block.succs if e.kind == ir.EdgeKind.NEXT]
        if len(block.succs) != 1 or not plain:
            break
        block = blocks.get(plain[0].target)
    return run


def _rejects(fn, blocks: dict, start: int, other: int, checked: set) -> bool:
    """Whether the straight run of blocks from ``start`` (following plain edges, a few blocks at most)
    raises, returns or binds one of the ``checked`` names anew (``next_url = "/"``: the URL refused, replaced)
    before it joins the straight run from ``other``, the other branch's: the branch turns the URL away.
    (``if url not in cache: cache[url] = fetch(url)`` then ``return cache[url]``: that return is both
    branches', past the join.)"""
    joined = set(_straight_run(blocks, other))
    for block_id in _straight_run(blocks, start):
        if block_id in joined:
            return False
        stmts = blocks[block_id].stmts
        if any(isinstance(s, (ir.Raise, ir.Return)) for s in stmts):
            return True
        if any(isinstance(s, ir.Assign) and any(isinstance(target, ir.NameTarget) and target.id in checked
                                                for target in s.targets)
               for s in stmts):
            return True
    return False


def _not_gates(fn) -> set:
    """The ids of ``if`` conditions holding one substring test (``a in b``, ``a not in b``, negated or an
    operand of ``and``/``or``) whose branch for "``a`` is not in ``b``" neither raises nor returns: the
    test picks what to do next (re-authenticate after a failed login request, switch to a redirected base
    URL), it does not turn a URL away, so it is no allow-list. An ``assert`` and a conditional expression
    stay reported."""
    blocks = {b.id: b for b in fn.blocks}
    gates = set()
    for block in fn.blocks:
        edges = {e.kind: e for e in block.succs if e.cond is not None}
        true, false = edges.get(ir.EdgeKind.TRUE), edges.get(ir.EdgeKind.FALSE)
        if true is None or false is None or true.cond is not false.cond:
            continue
        cond, negated = true.cond, False
        while isinstance(cond, ir.UnaryOp) and cond.op == "not":
            cond, negated = cond.operand, not negated
        if isinstance(cond, ir.BoolOp):
            # ``response and allowed not in response.url``: an operand's outcome goes to the branch of the
            # same truth (with ``and`` as with ``or``, mixed there with the other operands' outcomes)
            tests = [v for v in cond.values if _substring_test(v)]
            if len(tests) != 1:
                continue
            cond = tests[0]
        if not _substring_test(cond):
            continue
        outside_when_true = (cond.ops[0] == "not in") != negated
        outside, inside = (true, false) if outside_when_true else (false, true)
        checked = {ir.read_name(cond.comparators[0])} - {None}  # (the URL checked; not the allowed one)
        if not _rejects(fn, blocks, outside.target, inside.target, checked):
            gates.add(id(true.cond))
    return gates


def _substring_test(e) -> bool:
    """``a in b`` or ``a not in b`` that may test text for a part: not of a constant (``"://" in url``), nor in a
    collection written out (``target.kind in ("page", "tab")``, which picks a kind, not a URL)."""
    return isinstance(e, ir.Compare) and len(e.ops) == 1 and e.ops[0] in ("in", "not in") \
        and not isinstance(e.left, ir.Const) and not isinstance(e.comparators[0], ir.Container)


class UrlSubstringCheck(FunctionRule):
    __doc__ = __doc__

    id = "SR609"
    name = "url-substring-check"
    title = "URL checked by substring instead of by where it points"
    cwe = 20
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    bandit = ()
    tests_relevant = False

    def relevant(self, function) -> bool:
        return _TRIGGER_SCREEN.any(function.names)

    def check_function(self, module, function):
        from secreview.analysis.code_text import code_of
        reported = set()
        not_gates = _not_gates(function)
        for cond in _conditions(function):
            if id(cond) in not_gates:
                continue
            for e in ir.walk(cond):
                if not (isinstance(e, ir.Compare) and len(e.ops) == 1 and e.ops[0] in ("in", "not in")):
                    continue
                left, right = e.left, e.comparators[0]
                if isinstance(left, ir.Const):
                    continue
                lname, rname = ir.read_name(left), ir.read_name(right)
                if _last_word(lname) not in _LEFT or _last_word(rname) not in _RIGHT or _keyed_by(rname):
                    continue
                if (e.line, e.col) in reported:
                    continue
                reported.add((e.line, e.col))
                allowed, checked = code_of(module, left), code_of(module, right)
                yield Hit(
                    node=e,
                    explanation=(f"`{code_of(module, e)}` asks only whether `{allowed}` occurs somewhere in "
                                 f"`{checked}`: a URL that merely contains it (in its query, its path or a longer "
                                 f"host name, `https://attacker.example/?{{allowed}}`) passes the same test, so "
                                 f"this check does not establish where `{checked}` points."),
                    fix=(f"Parse `{checked}` (`urllib.parse.urlsplit`) and compare its scheme and host with those "
                         f"of `{allowed}`, or at least test `{checked}.startswith(...)` with the allowed prefix "
                         f"ending in `/`."),
                )
