"""The words of identifiers, as the rules that judge names read them."""

from __future__ import annotations

import functools
import re
import sys

_CAMEL_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")
_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")


@functools.lru_cache(maxsize=1 << 14)
def identifier_words(name: str) -> tuple[str, ...]:
    """The lower-case words of an identifier, key or qualified-name part, digits kept:
    ``dbPassword`` -> (db, password), ``api-key2`` -> (api, key2), ``FakeClient`` -> (fake, client).
    (``weak_random.name_words`` also splits acronyms and drops digits.) The words are interned: the
    16,384 answers kept hold a few thousand distinct words (``id``, ``get``, ``password``...), one
    object each rather than one per name."""
    name = _CAMEL_BOUNDARY.sub(r"\1_\2", name)
    return tuple(sys.intern(w) for w in _NOT_WORD.split(name.lower()) if w)
