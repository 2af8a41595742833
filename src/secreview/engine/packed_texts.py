"""Source texts a worker rarely reads, kept compressed (``PackedTexts``).

A worker process (``engine.parallel``) lowers and analyses its share of the files; the other shares'
texts it needs only to quote their lines in the explanations of its findings and for the few
questions asked of the whole tree's text (``Program.secret_option_names``). Forked from the process
that read them, it starts with every text of the review as a ``str`` (neutron: 18 MiB, half of them
another share's). ``PackedTexts`` keeps those of the other shares zlib-compressed in one ``bytes``
object (a quarter of their size) and decompresses one when asked for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from secreview.source.reading import pack_text, unpack_text


class PackedTexts:
    """``path -> text``: ``plain`` as given, the others zlib-compressed in one ``bytes`` object.

    ``get(path, default)`` and ``items()`` give each text exactly as it was given (UTF-8 with
    ``surrogatepass``: any ``str`` round-trips). A text of ``packed`` given as ``bytes`` is one packed
    already (``source.reading.pack_text``: a ``PackedSource``'s), taken as it is."""

    __slots__ = ("_blob", "_spans", "_plain")

    def __init__(self, packed: Iterable[tuple[str, str]], plain: dict | None = None):
        parts, spans, at = [], {}, 0
        for path, text in packed:
            data = text if type(text) is bytes else pack_text(text)
            spans[path] = (at, at + len(data))
            parts.append(data)
            at += len(data)
        self._blob = b"".join(parts)
        self._spans = spans
        self._plain = dict(plain or {})

    def get(self, path: str, default: str = "") -> str:
        text = self._plain.get(path)
        if text is not None:
            return text
        span = self._spans.get(path)
        if span is None:
            return default
        return unpack_text(memoryview(self._blob)[span[0]:span[1]])

    def items(self) -> Iterator[tuple[str, str]]:
        """Every ``(path, text)``, the plain ones first; each packed text is decompressed as it comes."""
        yield from self._plain.items()
        for path in self._spans:
            yield path, self.get(path)

    def __len__(self) -> int:
        return len(self._plain) + len(self._spans)

    def packed_size(self) -> int:
        return len(self._blob)

