"""Regular expression with catastrophic backtracking applied to input (ReDoS).

Python's `re` engine backtracks. A pattern in which one part of a string can
be matched in many different ways — a repeated group whose body can itself
repeat (`(a+)+`, `(a*)*`, `(\\w+\\s?)*`), or a repeated alternation whose
branches match the same text (`(a|a)*`, `(\\d+|\\w+)*`) — tries all of them
before giving up when the rest of the pattern fails. The number of ways
doubles with each extra character, so a string of a few dozen characters
keeps a worker busy for minutes or years: one request can take a service
down.

Reported for `re.compile`, `re.match`, `re.search`, `re.fullmatch`,
`re.findall`, `re.finditer`, `re.sub`, `re.subn` and `re.split` with a
constant pattern (resolved by constant propagation) that the analyser finds
vulnerable: an unbounded repeat whose body is ambiguous in one of those two
ways and which is followed by something that can fail (more pattern, `$`,
`\\b`, or `fullmatch`), and for which a short attack string built from the ambiguous part does fail to
match (it does not when the repeated text can also complete the match: `\\[(\\\\]|[^\\]]|\\\\])*\\](.*)` with
`re.DOTALL` matches any text that reaches its bracket). The module functions are reported when the subject
string is not a constant (high confidence when it is traced to untrusted
input); `re.compile` is reported where it is written, with medium
confidence, as the compiled pattern is meant to be applied to data. Safe
shapes are not reported: `^[a-z]+$`, `(ab)+`, `\\d{1,3}(\\.\\d{1,3}){3}`,
`([a-z]+\\.)+[a-z]+`, bounded repeats, possessive repeats and atomic groups
(3.11+). Nor is `re.compile` in a Django migration (a module of a `migrations` folder importing
`django.db.migrations`): the validators frozen into its model state are never applied to data; the model's
own validator is reported where the model is defined. Alternatives of single characters (`(\\d|\\w)+`) are not reported:
CPython turns them into one character class, which does not backtrack.
Polynomial (quadratic) cases such as `\\s*\\s*$` are not analysed.

**Fix:** make each part of the string matchable in only one way: drop the
nested quantifier (`(a+)+` → `a+`, `(\\w+\\s?)*` → `[\\w\\s]*`), make
alternatives disjoint (`(\\d+|\\w+)*` → `\\w*`), use a possessive repeat or
atomic group on Python 3.11+ (`(?>\\w+\\s?)*`, `(\\w+\\s?)*+`), and limit the
length of the input before matching.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.base import CallRule, Hit

try:  # Python 3.11+
    import re._constants as _c
    from re import _parser
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _c  # type: ignore
    import sre_parse as _parser  # type: ignore

_MAXREPEAT = _c.MAXREPEAT
_ALPHABET = frozenset(chr(i) for i in range(1, 128))
_DIGITS = frozenset("0123456789")
_SPACES = frozenset(" \t\n\r\f\v")
_WORD = frozenset(c for c in _ALPHABET if c.isalnum() or c == "_")
_CATEGORIES = {
    "CATEGORY_DIGIT": _DIGITS, "CATEGORY_NOT_DIGIT": _ALPHABET - _DIGITS,
    "CATEGORY_SPACE": _SPACES, "CATEGORY_NOT_SPACE": _ALPHABET - _SPACES,
    "CATEGORY_WORD": _WORD, "CATEGORY_NOT_WORD": _ALPHABET - _WORD,
    "CATEGORY_LINEBREAK": frozenset("\n"), "CATEGORY_NOT_LINEBREAK": _ALPHABET - frozenset("\n"),
}
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT"}
_FAILING_ANCHORS = {"AT_END", "AT_END_STRING", "AT_BOUNDARY", "AT_NON_BOUNDARY", "AT_END_LINE"}
_SUFFIXES = "!\x00#~ @0a"
_BIG = 10  # a bounded repeat with at least this many iterations counts as unbounded


@dataclass(frozen=True)
class Issue:
    kind: str  # "nested" or "alternation"
    description: str
    prefix: str  # a string that leads the matcher to the vulnerable repeat
    pump: str  # repeating it multiplies the ways to match
    suffix: str  # makes the overall match fail, forcing the backtracking

    def attack(self, n: int) -> str:
        return self.prefix + self.pump * n + self.suffix


def _op(item) -> str:
    return str(item[0])


def _chars(item, flags=0):
    """The characters a single-character item matches, or None if it is not one."""
    op, av = _op(item), item[1]
    if op == "LITERAL":
        return frozenset({chr(av)}) if av < 128 else frozenset()
    if op == "NOT_LITERAL":
        return _ALPHABET - {chr(av)}
    if op == "ANY":
        return _ALPHABET if flags & 16 else _ALPHABET - {"\n"}
    if op == "IN":
        out, negate = set(), False
        for sub_op, sub_av in av:
            sub = str(sub_op)
            if sub == "NEGATE":
                negate = True
            elif sub == "LITERAL":
                if sub_av < 128:
                    out.add(chr(sub_av))
            elif sub == "RANGE":
                lo, hi = sub_av
                out.update(chr(i) for i in range(max(lo, 1), min(hi, 127) + 1))
            elif sub == "CATEGORY":
                out |= _CATEGORIES.get(str(sub_av), set())
        return frozenset(_ALPHABET - out) if negate else frozenset(out)
    return None


def _nullable(seq) -> bool:
    return all(_item_nullable(i) for i in seq)


def _item_nullable(item) -> bool:
    op, av = _op(item), item[1]
    if op in _REPEATS or op == "POSSESSIVE_REPEAT":
        return av[0] == 0 or _nullable(av[2])
    if op in ("AT", "ASSERT", "ASSERT_NOT"):
        return True
    if op == "SUBPATTERN":
        return _nullable(av[3])
    if op == "ATOMIC_GROUP":
        return _nullable(av)
    if op == "BRANCH":
        return any(_nullable(b) for b in av[1])
    return False


def _can_fail(item) -> bool:
    op = _op(item)
    if op == "AT":
        return str(item[1]) in _FAILING_ANCHORS
    if op in ("ASSERT", "ASSERT_NOT"):
        return True
    return not _item_nullable(item)


def _first(seq, flags) -> frozenset:
    out = set()
    for item in seq:
        out |= _first_item(item, flags)
        if not _item_nullable(item):
            break
    return frozenset(out)


def _first_item(item, flags) -> frozenset:
    chars = _chars(item, flags)
    if chars is not None:
        return chars
    op, av = _op(item), item[1]
    if op in _REPEATS or op == "POSSESSIVE_REPEAT":
        return _first(av[2], flags)
    if op == "SUBPATTERN":
        return _first(av[3], flags)
    if op == "ATOMIC_GROUP":
        return _first(av, flags)
    if op == "BRANCH":
        out = set()
        for b in av[1]:
            out |= _first(b, flags)
        return frozenset(out)
    return frozenset()


def _sample(seq, flags) -> str:
    out = []
    for item in seq:
        chars = _chars(item, flags)
        op, av = _op(item), item[1]
        if chars is not None:
            out.append(_pick(chars))
        elif op in _REPEATS or op == "POSSESSIVE_REPEAT":
            out.append(_sample(av[2], flags) * av[0])
        elif op == "SUBPATTERN":
            out.append(_sample(av[3], flags))
        elif op == "ATOMIC_GROUP":
            out.append(_sample(av, flags))
        elif op == "BRANCH":
            out.append(_sample(av[1][0], flags) if av[1] else "")
    return "".join(out)


def _pick(chars) -> str:
    for c in "a0 _-.":
        if c in chars:
            return c
    return min(chars) if chars else ""


def _unwrap(seq):
    while len(seq) == 1 and _op(seq[0]) == "SUBPATTERN":
        seq = list(seq[0][1][3])
    return seq


def _unbounded(av) -> bool:
    return av[1] == _MAXREPEAT or av[1] >= _BIG


def _homogeneous(seq, flags):
    """(charset, min length, max length) if every item matches characters of one set."""
    seq = _unwrap(list(seq))
    if not seq:
        return (None, 0, 0)
    charset, lo, hi = None, 0, 0
    for item in seq:
        chars = _chars(item, flags)
        count = (1, 1)
        if chars is None and _op(item) in _REPEATS:
            av = item[1]
            inner = _unwrap(list(av[2]))
            if len(inner) != 1:
                return None
            chars = _chars(inner[0], flags)
            count = (av[0], _MAXREPEAT if av[1] == _MAXREPEAT else av[1])
        if chars is None:
            return None
        if charset is None:
            charset = chars
        elif charset != chars:
            return None
        lo += count[0]
        hi = _MAXREPEAT if _MAXREPEAT in (hi, count[1]) else hi + count[1]
    return charset, lo, hi


def _ambiguous(body, flags, every: bool = False):
    """(kind, description, pump charset[, pump]) when one string can be matched by ``body`` in several ways;
    the pump is given when it is longer than one character (two identical branches). With ``every``, an
    alternation's charset is what any two of its branches share, not the first two found."""
    seq = _unwrap(list(body))
    # nested quantifier: an unbounded repeat with everything else optional
    for i, item in enumerate(seq):
        rest = seq[:i] + seq[i + 1:]
        if not _nullable(rest):
            continue
        inner = item
        while _op(inner) == "SUBPATTERN" and len(inner[1][3]) == 1:
            inner = inner[1][3][0]
        if _op(inner) in _REPEATS and inner[1][0] < inner[1][1] and (inner[1][1] == _MAXREPEAT or inner[1][1] >= 2):
            chars = _first(inner[1][2], flags)
            if chars and not _ends_maximal(chars, seq[i + 1] if i + 1 < len(seq) else None, flags):
                return "nested", "a repeated group whose body can itself repeat", chars
    # several variable-length repeats of the same characters: (x+x+)+, (\d*\d+)+
    shape = _homogeneous(seq, flags)
    if shape is not None and shape[0] and shape[2] == _MAXREPEAT and shape[1] < shape[2] and len(seq) > 1:
        return "nested", "a repeated group whose body can split the same characters in several ways", shape[0]
    # alternation whose branches overlap
    for item in seq:
        if _op(item) != "BRANCH":
            continue
        branches = item[1][1]
        shapes = [_homogeneous(b, flags) for b in branches]
        shared = frozenset()
        for a in range(len(branches)):
            for b in range(a + 1, len(branches)):
                sa, sb = shapes[a], shapes[b]
                if sa is not None and sb is not None:
                    ca, la, ha = sa
                    cb, lb, hb = sb
                    if ca is None and cb is None:
                        overlap = _first(seq, flags)
                    elif ca is None or cb is None:
                        continue
                    else:
                        overlap = ca & cb if max(la, lb) <= min(ha, hb) else frozenset()
                elif repr(branches[a]) == repr(branches[b]):
                    # the same branch twice (``(\\]|[^\]]|\\])*``): what it matches is matched two ways
                    sample = _sample(branches[a], flags)
                    if sample and not every:
                        return ("alternation", "a repeated alternation whose branches match the same text",
                                _first(branches[a], flags), sample)
                    overlap = _first(branches[a], flags) or _first(seq, flags)
                else:
                    continue
                if overlap and not every:
                    return "alternation", "a repeated alternation whose branches match the same text", overlap
                shared = shared | overlap if overlap else shared
        if shared:
            return "alternation", "a repeated alternation whose branches match the same text", shared
    return None


def _ends_maximal(chars: frozenset, following, flags) -> bool:
    """Whether the lookahead ``following`` a repeat of ``chars`` lets it stop only where no more of them follow:
    ``[\\w.]+(?=[^\\w.])``, ``\\w+(?!\\w)``. Then it takes the whole run each time, and a run cannot be split
    between two turns of an outer repeat."""
    if following is None or _op(following) not in ("ASSERT", "ASSERT_NOT") or following[1][0] != 1:
        return False
    ahead = _first(following[1][1], flags)
    if not ahead or _nullable(list(following[1][1])):
        return False
    if _op(following) == "ASSERT":
        return not (ahead & chars)  # the next character must be none of them
    return chars <= ahead  # the next character may be none of them


def _has_boundary(seq) -> bool:
    """Whether a parsed pattern holds a word boundary (``\\b``) anywhere."""
    for item in seq:
        op, av = _op(item), item[1]
        if op == "AT" and str(av) == "AT_BOUNDARY":
            return True
        if op in _REPEATS or op == "POSSESSIVE_REPEAT":
            if _has_boundary(av[2]):
                return True
        elif op == "SUBPATTERN":
            if _has_boundary(av[3]):
                return True
        elif op == "BRANCH":
            if any(_has_boundary(b) for b in av[1]):
                return True
        elif op in ("ASSERT", "ASSERT_NOT") and _has_boundary(av[1]):
            return True
    return False


def _word(c: str) -> bool:
    return c.isalnum() or c == "_"


def _boundary_attack(pump_chars, taken, pump: str, suffix: str) -> tuple:
    """``(pump, suffix)`` for a pattern with a word boundary after the repeat: a boundary between the last
    pumped character and the suffix would let the match succeed there (``http://AAA\\x00`` matches
    ``\\b(http://(?:[a-z]|[$-_])+)\\b`` at once), so both are on the same side of it: a non-word pump
    (``(``) and a non-word suffix, else a word pump and a word suffix the repeat does not take."""
    for wanted in (False, True):
        pumps = sorted(c for c in pump_chars if _word(c) == wanted)
        suffixes = [c for c in _SUFFIXES + "#%^&*~:;/zZqQ9_" if _word(c) == wanted and c not in taken]
        if pumps and suffixes:
            chosen = pump if pump in pumps else _pick(frozenset(pumps))
            return chosen, suffixes[0]
    return pump, suffix


def _search(seq, flags, prefix, tail_can_fail, out, boundary=False):
    for i, item in enumerate(seq):
        op, av = _op(item), item[1]
        after = seq[i + 1:]
        can_fail = tail_can_fail or any(_can_fail(x) for x in after)
        if op in _REPEATS:
            if can_fail and _unbounded(av):
                found = _ambiguous(av[2], flags)
                if found:
                    kind, description, pump_chars, *given = found
                    body_chars = _first(av[2], flags)
                    pump = _pick(pump_chars & body_chars or pump_chars)
                    lead = _sample(_unwrap(list(av[2])), flags)
                    if kind == "alternation" and lead and lead[0] in pump_chars:
                        pump = lead[0] if len(lead) == 1 else pump
                    if given:
                        pump = given[0]
                    taken = _all_chars(av[2], flags) | _first(after, flags)
                    suffix = next((c for c in _SUFFIXES if c not in taken), "!")
                    if boundary:
                        every = _ambiguous(av[2], flags, every=True) if kind == "alternation" else None
                        chars = every[2] if every else pump_chars
                        pump, suffix = _boundary_attack(chars & body_chars or chars, taken, pump, suffix)
                    out.append(Issue(kind, description, prefix, pump, suffix))
                    return
            _search(list(av[2]), flags, prefix, can_fail, out, boundary)
        elif op == "SUBPATTERN":
            _search(list(av[3]), flags, prefix, can_fail, out, boundary)
        elif op == "BRANCH":
            for b in av[1]:
                _search(list(b), flags, prefix, can_fail, out, boundary)
                if out:
                    return
        if out:
            return
        prefix += _sample([item], flags)


def _all_chars(seq, flags) -> frozenset:
    out = set()
    for item in seq:
        chars = _chars(item, flags)
        if chars is not None:
            out |= chars
            continue
        op, av = _op(item), item[1]
        if op in _REPEATS or op == "POSSESSIVE_REPEAT":
            out |= _all_chars(av[2], flags)
        elif op == "SUBPATTERN":
            out |= _all_chars(av[3], flags)
        elif op == "BRANCH":
            for b in av[1]:
                out |= _all_chars(b, flags)
    return frozenset(out)


@lru_cache(maxsize=4096)
def analyse(pattern, flags: int = 0, whole: bool = False):
    """The catastrophic-backtracking issues of ``pattern`` (an empty tuple when none is found).

    ``whole`` says the pattern must match the entire string (``fullmatch``)."""
    if isinstance(pattern, bytes):
        pattern = pattern.decode("latin-1")  # one character per byte, never fails
    if not isinstance(pattern, str) or len(pattern) > 2000:
        return ()
    if isinstance(flags, int):
        flags &= ~re.DEBUG  # (the parser prints its tree to standard output when asked to debug)
    try:
        parsed = _parser.parse(pattern, flags)
    except (_c.error, RecursionError, OverflowError, ValueError, TypeError):
        return ()
    out: list = []
    try:
        _search(list(parsed.data), parsed.state.flags if hasattr(parsed, "state") else flags, "", whole, out,
                _has_boundary(list(parsed.data)))
    except (RecursionError, TypeError, IndexError, ValueError):
        return ()
    return tuple(filter(None, (_failing(issue, pattern, flags, whole) for issue in out)))


def _failing(issue: Issue, pattern: str, flags, whole: bool) -> Issue | None:
    r"""``issue`` with a suffix that makes the match fail, checked by matching a short attack string (six pumps: a
    few hundred steps at most); None when every suffix tried lets the pattern match. Then a success cuts the
    backtracking short and no input makes the engine try every way: in ``\[(\\]|[^\[\]]|\\])*\](.*$)`` with
    DOTALL, any pumped ``\]`` also closes the bracket, and the rest matches anything."""
    try:
        compiled = re.compile(pattern, flags if isinstance(flags, int) else 0)
    except (re.error, RecursionError, OverflowError, ValueError, TypeError):
        return issue
    matcher = compiled.fullmatch if whole else compiled.match
    for suffix in dict.fromkeys((issue.suffix, *_SUFFIXES, "\n", "")):
        if matcher(issue.prefix + issue.pump * 6 + suffix) is None:
            return issue if suffix == issue.suffix else Issue(issue.kind, issue.description, issue.prefix,
                                                               issue.pump, suffix)
    return None


# callee -> (subject position, flags position)
_FUNCS = {"re.match": (1, 2), "re.search": (1, 2), "re.fullmatch": (1, 2), "re.findall": (1, 2),
          "re.finditer": (1, 2), "re.sub": (2, 4), "re.subn": (2, 4), "re.split": (1, 3), "re.compile": (None, 1)}
_SOURCES = frozenset({"remote", "network", "rpc", "file", "environment"})


def _django_migration(module) -> bool:
    """A Django migration: a module of a ``migrations`` folder importing ``django.db.migrations``. The
    validators of the fields it creates (``RegexValidator(re.compile(...))``) record the models' history for
    the migration framework, which applies none of them to data: the model's own validator is reviewed where
    the model is defined."""
    return "/migrations/" in "/" + module.path.replace("\\", "/") and any(
        q == "django.db.migrations" or q.startswith("django.db.migrations.") for q in module.imports.values() if q)


class Redos(CallRule):
    __doc__ = __doc__

    id = "SR802"
    name = "redos"
    title = "Regular expression vulnerable to catastrophic backtracking"
    cwe = 1333
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    bandit = ()
    callees = tuple(_FUNCS)

    def check(self, site, callee: str):
        pattern, pnode = site.arg(0, "pattern")
        if pattern is None or not pattern.is_const:
            return
        subject_pos, flags_pos = _FUNCS[callee]
        flags_value, flags_node = site.arg(flags_pos, "flags")
        flags = 0
        if flags_value is not None:
            if flags_value.is_const and isinstance(flags_value.const, int):
                flags = int(flags_value.const)
            else:
                flags = _flag_bits(flags_node)
                if flags is None:
                    # flags unknown: read as written only when re.VERBOSE could not change the pattern
                    text = pattern.const if isinstance(pattern.const, str) else ""
                    if any(c.isspace() or c == "#" for c in text):
                        return
                    flags = 0
        if subject_pos is None and _django_migration(site.interp.module):
            return  # a validator frozen into a migration's model state is never applied to data
        issues = analyse(pattern.const, flags, callee == "re.fullmatch")
        if not issues:
            return
        confidence = Level.MEDIUM
        subject_text = ""
        if subject_pos is not None:
            subject, snode = site.arg(subject_pos, "string")
            if subject is None or subject.is_const:
                return
            subject_text = f" to `{site.interp.code(snode)}`"
            if any(not t.is_param and t.kind in _SOURCES for t in subject.taints):
                confidence = Level.HIGH
                subject_text += ", which is traced to untrusted input,"
        issue = issues[0]
        code = site.interp.code(site.call)
        pat = site.interp.code(pnode)
        sample = issue.attack(3).encode("unicode_escape").decode("ascii")
        applied = subject_text if subject_pos is not None else " (the compiled pattern is applied to data elsewhere)"
        yield Hit(
            node=site.call,
            explanation=(f"`{code}` applies the pattern `{pat}`{applied}; it contains {issue.description}, so a "
                         f"string like `{sample}` with the `{_show(issue.pump)}` repeated a few dozen times makes the "
                         f"engine try exponentially many ways to match before failing, blocking this thread for "
                         f"minutes or more."),
            fix=("Rewrite the pattern so that each part of the input can be matched in only one way (remove the "
                 "nested quantifier or make the alternatives disjoint, e.g. `(\\w+\\s?)*` → `[\\w\\s]*`), or use a "
                 "possessive repeat/atomic group on Python 3.11+, and cap the input length before matching."),
            confidence=confidence,
        )


def _flag_bits(node) -> int | None:
    """The value of flags written as ``re`` constants (``re.MULTILINE | re.VERBOSE``, ``re.I + re.S``),
    None when any part is something else."""
    if isinstance(node, ir.BinOp) and node.op in ("|", "+"):
        left, right = _flag_bits(node.left), _flag_bits(node.right)
        return None if left is None or right is None else left | right
    if isinstance(node, ir.Const) and isinstance(node.value, int):
        return node.value
    qualname = getattr(node, "qualname", None) or ""
    module, _, name = qualname.rpartition(".")
    if module == "re" and name.isupper():
        flag = getattr(re, name, None)
        if isinstance(flag, re.RegexFlag):
            return int(flag)
    return None


def _show(c: str) -> str:
    return c.encode("unicode_escape").decode("ascii")
