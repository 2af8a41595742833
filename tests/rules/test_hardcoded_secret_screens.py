"""The cheap screens in front of ``hardcoded_secret``'s name and credential checks never change
an answer: with each screen disabled (it lets everything through), the rule answers the same."""

from __future__ import annotations

import itertools
import re

from secreview.rules import hardcoded_secret as H

WORDS = ["pass", "word", "pwd", "se", "cret", "api", "key", "Key", "token", "type", "pin", "spinner", "db", "user",
         "name", "bearer", "cred", "entials", "private", "access", "AKIA", "ghp_", "example", "value", "x"]
SEPARATORS = ["", "_", "-", ".", " ", "://", ":", "@"]


def names() -> list[str]:
    out = set()
    for a, b in itertools.product(WORDS, WORDS):
        for sep in SEPARATORS:
            out.add(a + sep + b)
            out.add((a + sep + b).upper())
    out.update(["AKIAABCDEFGHIJKLMNOP", "ghp_" + "a" * 36, "https://user:hunter2@example.org",
                "postgres://admin:s3cr3tPw@db.internal", "-----BEGIN RSA PRIVATE KEY-----", "AIza" + "b" * 35,
                "xoxb-1234567890-abc", "sk_live_" + "c" * 24, "glpat-" + "d" * 20])
    return sorted(out)


def test_screens_change_no_answer(monkeypatch):
    corpus = names()
    screened = [(H.secret_name(n), H._credential_shape(n)) for n in corpus]
    monkeypatch.setattr(H, "_SECRET_STEMS", ("",))  # every name passes
    monkeypatch.setattr(H, "_PATTERN_LITERALS", re.compile(""))
    unscreened = [(H.secret_name(n), H._credential_shape(n)) for n in corpus]
    assert screened == unscreened
    assert any(found for found, _ in screened) and any(shape for _, shape in screened)  # the corpus has both


def test_any_mentions_secret_equals_any_over_the_names():
    H._SECRET_SCREEN.hits.clear()
    H._SECRET_SCREEN.misses.clear()
    corpus = names()
    for size in (1, 3, 17):
        for start in range(0, len(corpus), 97):
            group = frozenset(corpus[start:start + size])
            assert H._any_mentions_secret(group) == any(H._mentions_secret(n) for n in group), group
            # (a function's names are a tuple once it is analysed, and parameter names come as a list)
            assert H._any_mentions_secret(tuple(group)) == any(H._mentions_secret(n) for n in group), group
