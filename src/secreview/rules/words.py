"""The words of identifiers, as the rules that judge names read them."""

from __future__ import annotations

import functools
import re
import sys

_CAMEL_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")
_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")


POSITION_WORDS = frozenset({"stream", "position", "pos", "offset", "since", "from", "prev", "previous", "upto",
                            "next", "page", "cursor", "sync", "batch", "before", "after"})
"""Words that make a ``*_token`` a position in an event stream or a page of results (``from_token``,
``since_token``, ``next_page_token``, ``sync_token``, the ``before_token``/``after_token`` of a
cursor), not a credential: for the rules that judge names."""
CONCURRENCY_WORDS = frozenset({"fencing", "lease", "claim", "consistency", "concurrency", "lock", "revision",
                               "generation", "epoch"})
"""Words that make a ``*_token`` one of concurrency control: a lease's fencing counter, a claim on a job, an
optimistic-locking version stamp (``fencing_token``, ``claim_token``, ``consistency_token``), which a holder shows
to prove its turn, not who it is."""


PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "passwort", "pass", "passcode", "pin"})
"""Words that name a password (``db_passwd``, ``user_pin``): for the rules that judge names."""


@functools.lru_cache(maxsize=1 << 14)
def identifier_words(name: str) -> tuple[str, ...]:
    """The lower-case words of an identifier, key or qualified-name part, digits kept:
    ``dbPassword`` -> (db, password), ``api-key2`` -> (api, key2), ``FakeClient`` -> (fake, client).
    (``weak_random.name_words`` also splits acronyms and drops digits.) The words are interned: the
    16,384 answers kept hold a few thousand distinct words (``id``, ``get``, ``password``...), one
    object each rather than one per name."""
    name = _CAMEL_BOUNDARY.sub(r"\1_\2", name)
    return tuple(sys.intern(w) for w in _NOT_WORD.split(name.lower()) if w)


class NameScreen:
    """``any(predicate(n) for n in names)`` for the names of one function after another, by set
    operations: most of a function's names were judged for an earlier function, so only the new
    ones are. ``predicate`` must be pure. Past ``limit`` names judged (a huge tree) it starts again
    rather than grow without bound."""

    __slots__ = ("predicate", "hits", "misses", "limit", "_room")

    def __init__(self, predicate, limit: int = 1 << 19):
        self.predicate = predicate
        self.hits: set = set()  # names for which it holds
        self.misses: set = set()  # and those for which it does not
        self.limit = limit
        self._room = sys.getsizeof(self.misses)  # the size of ``misses`` when last made anew

    def any(self, names) -> bool:
        """Whether ``predicate`` holds for one of ``names`` (any iterable of hashable names)."""
        if not self.hits.isdisjoint(names):
            return True
        misses = self.misses
        if misses.issuperset(names):
            return False
        if len(misses) > self.limit:
            misses = self.misses = set()
            self._room = sys.getsizeof(misses)
            self.hits.clear()
        unknown = set(names)
        unknown.difference_update(misses)
        predicate = self.predicate
        found = False
        for name in unknown:
            if predicate(name):
                self.hits.add(name)
                found = True
            else:
                misses.add(name)
        if sys.getsizeof(misses) > self._room:
            # A set that ``add`` grows makes room for four times what it holds (below 50,000); one made from it,
            # for twice: the same names in half the memory (Django's three screens: 2 MiB each for 27,000 to
            # 30,000 names, a lasting part of a review's peak). Made anew each time it grows, a few times.
            misses = self.misses = set(misses)
            self._room = sys.getsizeof(misses)
        return found


# also sample data: ``sample_url_func`` fills a template preview with a made-up order secret; and the decoys and
# bait of a honeypot (``FakeUser``, ``_decoy_password``), which are made to be found
TEST_DOUBLE_WORDS = frozenset({"fake", "fakes", "dummy", "mock", "mocks", "stub", "stubs", "sample", "samples",
                               "demo", "preview", "placeholder", "placeholders", "decoy", "decoys", "bait"})


@functools.lru_cache(maxsize=1 << 12)
def test_double(qualname: str | None) -> bool:
    """Code of a fake, dummy, mock, stub or decoy (``FakeKeystoneClient``, ``DummySession``, ``FakeUser`` of a
    honeypot's persona), or code making sample data (``sample_url_func``, ``placeholders.preview``): the
    credentials it holds are made up."""
    return bool(qualname) and any(w in TEST_DOUBLE_WORDS
                                  for part in qualname.split(".") for w in identifier_words(part))

