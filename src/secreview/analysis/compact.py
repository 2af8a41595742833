"""Smaller containers for what the whole-program analysis keeps to the end of a review.

A review holds tens of thousands of small collections for its whole length (who read each field,
who called each function, the types a value may have). Most hold one or two items, and the
general containers cost far more than their items: an empty ``set`` takes 216 bytes, a 1-tuple 48;
a ``frozenset`` is made anew for every value of the same type. These helpers keep such
collections small without changing what they contain.
"""

from __future__ import annotations

SMALL = 4
"""``add_to`` keeps up to this many items in a tuple, then a set: membership in a tuple is a scan."""


def add_to(mapping: dict, key, item) -> None:
    """``mapping[key]`` gains ``item``, as a set would (no duplicates). A lone item is kept as a
    1-tuple and a few as a tuple (up to ``SMALL``), more in a set: readers iterate the collection
    (``dirty.update(...)``), test membership and sort it, never rely on its type."""
    held = mapping.get(key)
    if held is None:
        mapping[key] = (item,)
    elif type(held) is tuple:
        if item not in held:
            mapping[key] = held + (item,) if len(held) < SMALL else {*held, item}
    else:
        held.add(item)


class SharedSets:
    """``frozenset({name})`` once per name for one review (``Program.types``): the types of what a
    name of the reviewed code stands for (a function, a class, an imported module), made at every
    read of the name, then hold one object, not one each (216 bytes). Owned by the review's
    program, so that nothing outlives the review. A set made once holds for every later read: the
    sets made at the same places from other names, which nothing keeps, are not kept here either."""

    __slots__ = ("_single",)

    def __init__(self):
        self._single: dict = {}

    def single(self, name: str) -> frozenset:
        """``frozenset({name})``, one object per name."""
        found = self._single.get(name)
        if found is None:
            found = self._single[name] = frozenset((name,))
        return found


SQUEEZE_FROM = 256
"""``squeezed`` compresses pickles of at least this many bytes (most summaries pickle to fewer, and
those gain little)."""


def squeezed(blob: bytes) -> bytes:
    """A pickle as kept until read (``Program.lazy_summaries``): zlib-compressed (fastest level) when
    it is large, else as it is; ``loads`` reads either. A pickle starts with its protocol opcode
    (``0x80``), a zlib stream with ``0x78``: the first byte tells them apart."""
    import zlib
    return zlib.compress(blob, 1) if len(blob) >= SQUEEZE_FROM else blob


def unsqueezed(blob: bytes) -> bytes:
    """The pickle a ``squeezed`` one was made from."""
    if blob[:1] == b"x":
        import zlib
        return zlib.decompress(blob)
    return blob


def loads(blob: bytes):
    """``pickle.loads`` of a pickle or of a ``squeezed`` one."""
    import pickle
    return pickle.loads(unsqueezed(blob))
