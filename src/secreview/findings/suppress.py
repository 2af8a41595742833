"""Inline suppressions: ``# nosec`` (Bandit's), Ruff's for its Bandit rules, and ``# secreview: ignore``.

Forms recognised in a comment (case-insensitive)::

    # nosec                          everything on the line
    # nosec B602                     Bandit ids, secreview rule ids or names,
    # nosec B602, B607               separated by commas and/or spaces,
    # nosec: B602                    optionally after a colon
    # secreview: ignore              everything on the line
    # secreview: ignore[SR101, command-injection]
    # secreview: ignore[SR101] -- input is an allow-listed enum
    # secreview: ignore: reason
    # noqa: S324                     Ruff's codes of its flake8-bandit rules,
    # ruff: ignore[S324]             read as the Bandit ids they copy (B324);
    # ruff: ignore[hashlib-insecure-hash-function]   or by Ruff's rule name
    # noqa: DUO122                   dlint's codes, read as the secreview rules
                                     of their ground
    # lgtm                           LGTM's (CodeQL's): everything on the line
    # lgtm[py/weak-sensitive-data-hashing]   CodeQL query ids, read as the
                                     secreview rules of their ground

A suppression covers what is reported on its statement's lines; one that names the rule (or one of
its Bandit ids) also covers a finding one of whose trace steps, in the same file, is on its line
(``engine.pipeline``): where Bandit reports the same defect (the query built, the address written),
``# nosec B608`` records that someone accepted it.

Only real comments count: the source is split with ``tokenize``, so ``"# nosec"``
inside a string is not a suppression. When ``tokenize`` fails (broken code), a
small scanner that skips string literals finds the comments instead.

``# nosec`` follows Bandit: the marker must directly follow a ``#`` (so
``# noqa  # nosec`` counts, ``# see nosec docs`` does not), and words after it
that are not rule references make it a bare ``# nosec`` with that text as the
reason. A rule reference is an id (``B602``, ``SR101``) or a slug containing
``-`` or ``_`` (``command-injection``). An unknown reference suppresses
nothing, so a typo shows up as an unsuppressed finding rather than silently
hiding everything.

Ruff's comments count only for its flake8-bandit rules (``S`` codes): a project
that runs Ruff's security rules records there that someone looked at the line
and accepted it, as a ``# nosec B324`` does for Bandit. A bare ``# noqa`` or one
naming only other linters' codes (``E501``) suppresses nothing: it is usually
about style. Ruff's file-level ``# ruff: noqa`` is not read either.

dlint's ``# noqa: DUO1xx`` comments (Duo Labs' flake8 security plugin) count the same way, each code read as
the secreview rules of its ground (``dlint_codes``: ``DUO122``, the ``ssl`` module, covers the unverified-context,
TLS-version and verification rules); a code secreview has no rule for suppresses nothing.

LGTM.com's comments (CodeQL's alerts, which projects suppressed there until 2022 and still carry) count
the same way: ``# lgtm`` (right after a ``#``) covers the line, ``# lgtm[py/...]`` the rules of the
queries it names (``codeql_queries``); a query secreview has no rule for suppresses nothing.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Literal

from secreview.findings.codeql_queries import CODEQL_QUERIES
from secreview.findings.dlint_codes import DLINT_CODES
from secreview.findings.ruff_bandit_names import RUFF_BANDIT_NAMES

_NOSEC = re.compile(r"#\s*nosec\b:?", re.IGNORECASE)
_SECREVIEW = re.compile(r"#\s*secreview\s*:\s*ignore\b", re.IGNORECASE)
_RULE_REF = re.compile(r"^(?:[A-Za-z]{1,4}\d{2,5}|[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)+)$")
_NOQA = re.compile(r"#\s*noqa\s*:\s*((?:[A-Za-z]+\d+[\s,]*)+)", re.IGNORECASE)
_RUFF_IGNORE = re.compile(r"#\s*ruff\s*:\s*ignore\s*\[([^\]#]*)\]", re.IGNORECASE)
_RUFF_BANDIT_CODE = re.compile(r"^S(\d{3})$", re.IGNORECASE)
_LGTM = re.compile(r"#\s*lgtm\b(?:\s*\[([^\]#]*)\])?", re.IGNORECASE)
_BRACKETS = re.compile(r"\s*\[([^\]#]*)\]")
_REASON_SEP = re.compile(r"^\s*(?:--|:|-|—)\s*")


@dataclass(frozen=True, slots=True)
class Suppression:
    line: int
    """1-based line of the comment."""
    kind: Literal["nosec", "secreview", "ruff", "dlint", "lgtm"]
    rules: tuple[str, ...]
    """Rule ids, names or Bandit ids as written; empty means every rule."""
    reason: str | None
    text: str
    """The whole comment, as written."""

    def covers(self, keys: set[str]) -> bool:
        """Whether this suppression applies to a rule known by ``keys`` (normalised)."""
        return not self.rules or any(_norm(r) in keys for r in self.rules)


def _norm(key: str) -> str:
    return key.strip().lower().replace("_", "-")


def _reason(tail: str) -> str | None:
    tail = tail.split("#", 1)[0]
    tail = _REASON_SEP.sub("", tail, count=1).strip()
    return tail or None


def _parse_nosec(line: int, comment: str, match: re.Match[str]) -> Suppression:
    rest = comment[match.end() :].split("#", 1)[0]
    rules: list[str] = []
    pos = 0
    for token in re.finditer(r"[^\s,]+", rest):
        word = token.group()
        if _RULE_REF.match(word):
            rules.append(word)
            pos = token.end()
            continue
        break
    reason = _reason(rest[pos:]) if rules else _reason(rest)
    return Suppression(line, "nosec", tuple(rules), reason, comment)


def _parse_secreview(line: int, comment: str, match: re.Match[str]) -> Suppression | None:
    rest = comment[match.end() :]
    rules: tuple[str, ...] = ()
    brackets = _BRACKETS.match(rest)
    if brackets:
        rules = tuple(r for r in re.split(r"[\s,]+", brackets.group(1)) if r)
        if not rules:
            return None  # "ignore[]" names nothing: suppress nothing rather than everything
        rest = rest[brackets.end() :]
    elif rest.lstrip().startswith("["):
        return None  # unterminated list: do not guess
    return Suppression(line, "secreview", rules, _reason(rest), comment)


def _bandit_ids(refs: list[str]) -> tuple[str, ...]:
    """The Bandit ids of Ruff's flake8-bandit codes or rule names among ``refs`` (others dropped)."""
    ids = []
    for ref in refs:
        code = RUFF_BANDIT_NAMES.get(ref.lower(), ref)
        match = _RUFF_BANDIT_CODE.match(code)
        if match:
            ids.append("B" + match.group(1))
    return tuple(ids)


def _listed(pattern: re.Pattern[str], comment: str) -> list[str]:
    """The codes or names a comment lists after ``pattern`` (``# noqa: S324, DUO122``), split at commas and spaces."""
    match = pattern.search(comment)
    return [r for r in re.split(r"[\s,]+", match.group(1)) if r] if match else []


def _parse_ruff(line: int, comment: str, noqa: list[str]) -> Suppression | None:
    """``noqa``: the codes of the comment's ``# noqa:`` list (``_listed``), with Ruff's ``# ruff: ignore[...]``."""
    ids = _bandit_ids(noqa + _listed(_RUFF_IGNORE, comment))
    return Suppression(line, "ruff", ids, None, comment) if ids else None


def _parse_dlint(line: int, comment: str, noqa: list[str]) -> Suppression | None:
    """``# noqa: DUO122``: the secreview rules of the dlint codes named (others dropped)."""
    rules = tuple(r for ref in noqa for r in DLINT_CODES.get(ref.lower(), ()))
    return Suppression(line, "dlint", rules, None, comment) if rules else None


def _parse_lgtm(line: int, comment: str, match: re.Match[str]) -> Suppression | None:
    if match.group(1) is None:
        return Suppression(line, "lgtm", (), None, comment)
    queries = [q.lower() for q in re.split(r"[\s,]+", match.group(1)) if q]
    rules = tuple(r for q in queries for r in CODEQL_QUERIES.get(q, ()))
    return Suppression(line, "lgtm", rules, None, comment) if rules else None


def parse_comment(line: int, comment: str) -> list[Suppression]:
    """The suppressions in one comment (a comment may hold several forms)."""
    found = []
    noqa = _listed(_NOQA, comment)
    ruff = _parse_ruff(line, comment, noqa)
    if ruff:
        found.append(ruff)
    dlint = _parse_dlint(line, comment, noqa)
    if dlint:
        found.append(dlint)
    nosec = _NOSEC.search(comment)
    if nosec:
        found.append(_parse_nosec(line, comment, nosec))
    lgtm = _LGTM.search(comment)
    if lgtm:
        parsed = _parse_lgtm(line, comment, lgtm)
        if parsed:
            found.append(parsed)
    own = _SECREVIEW.search(comment)
    if own:
        parsed = _parse_secreview(line, comment, own)
        if parsed:
            found.append(parsed)
    return found


def _comments_tokenize(text: str) -> list[tuple[int, str]]:
    comments = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.COMMENT:
            comments.append((tok.start[0], tok.string))
    return comments


_PREFIX_CHARS = frozenset("rRbBuUfF")


def _comments_scan(text: str) -> list[tuple[int, str]]:
    """Comments found by skipping string literals: the fallback for code ``tokenize`` rejects."""
    comments = []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            comments.append((line, text[i:end]))
            i = end
        elif c in "'\"":
            raw = i > 0 and text[i - 1] in "rR"
            quote = text[i : i + 3] if text[i : i + 3] in ("'''", '"""') else c
            j = i + len(quote)
            while j < n:
                if text[j] == "\\" and not raw:
                    j += 2
                    continue
                if text.startswith(quote, j):
                    j += len(quote)
                    break
                if text[j] == "\n" and len(quote) == 1:
                    break  # unterminated single-quoted string ends at the line end
                j += 1
            line += text.count("\n", i, min(j, n))
            i = j
        else:
            i += 1
    return comments


class Suppressions:
    """The inline suppressions of one file."""

    def __init__(self, items: list[Suppression]) -> None:
        self._items = sorted(items, key=lambda s: (s.line, s.kind))
        self._by_line: dict[int, list[Suppression]] = {}
        for item in self._items:
            self._by_line.setdefault(item.line, []).append(item)

    @classmethod
    def from_source(cls, text: str) -> Suppressions:
        lowered = text.lower()
        if "nosec" not in lowered and "secreview" not in lowered and "noqa" not in lowered and "ruff" not in lowered \
                and "lgtm" not in lowered:
            return cls([])  # most files: tokenizing them would cost as much as parsing
        try:
            comments = _comments_tokenize(text)
        except (tokenize.TokenError, SyntaxError, ValueError, SystemError):
            # SystemError: CPython 3.13.0's tokenize on some inputs with NUL bytes ("''\n 1\n\0")
            comments = _comments_scan(text)
        items = []
        for line, comment in comments:
            items.extend(parse_comment(line, comment))
        return cls(items)

    def all(self) -> tuple[Suppression, ...]:
        """Every suppression, in line order."""
        return tuple(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def match(
        self,
        rule_id: str,
        rule_name: str,
        bandit_ids: tuple[str, ...],
        lines: range,
        named_only: bool = False,
    ) -> Suppression | None:
        """The first suppression on any line of ``lines`` that covers the rule, or None.

        A suppression covers a rule when it is bare or lists the rule's id,
        name or one of its Bandit ids (case-insensitively; ``_`` and ``-``
        are the same in names); with ``named_only``, only one that lists it.
        """
        keys = {_norm(rule_id), _norm(rule_name), *(_norm(b) for b in bandit_ids)}
        keys.discard("")
        if len(lines) <= len(self._by_line):
            for line in lines:
                for item in self._by_line.get(line, ()):
                    if item.covers(keys) and (item.rules or not named_only):
                        return item
            return None
        for item in self._items:
            if item.line in lines and item.covers(keys) and (item.rules or not named_only):
                return item
        return None
