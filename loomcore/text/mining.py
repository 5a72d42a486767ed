"""Base classes for miners: one that reads the reply sentence by sentence,
one that declares its marker words, and the one scan per exchange that
decides which marker miners run at all.

A marker miner names the words its pattern cannot do without (``markers``:
"because", "leads to", "```").  Every marker of every marker miner is in one
compiled alternation; :func:`markers_in` runs it once over an exchange's text
(cached per text) and says which miners' markers occur.  A miner whose
markers do not occur is not run, so adding miners does not add passes over
every exchange.

These classes read the exchange through :class:`Exchange`, the two fields a
miner needs (``user_input``, the reply ``system_output`` and its segmented
``reply_doc``), so they depend
on nothing above :mod:`loomcore.text`; an ``EnrichedMemory`` is one.  What a
miner yields (a ``Pattern`` made with ``loomcore.model.make_pattern``) is its
own business.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import ClassVar, Generic, Protocol, TypeVar

from loomcore.text.regex import lead
from loomcore.text.segment import Block, Document, Sentence

T = TypeVar("T")


class Exchange(Protocol):
    """What a miner reads of one exchange (an ``EnrichedMemory`` has all three)."""

    @property
    def user_input(self) -> str: ...

    @property
    def system_output(self) -> str: ...

    @property
    def reply_doc(self) -> Document: ...


# marker (lower case) -> the names of the miners that declared it
_MARKERS: dict[str, set[str]] = {}


def _pattern_of(marker: str) -> str:
    # a marker that starts or ends on a letter matches whole words only
    # ("if" is not in "gift"); "```" matches anywhere
    body = re.escape(marker).replace(r"\ ", r"\s+")
    head = r"\b" if marker[:1].isalnum() else ""
    tail = r"\b" if marker[-1:].isalnum() else ""
    return head + body + tail


def _alternation(markers: Iterable[str]) -> str:
    """One alternation of ``markers``: the whole-word ones inside a single
    ``\\b(?:...)\\b`` (one boundary test a position, not one an alternative:
    twice as fast), the others as they are; longest first, so "as a result"
    wins over "as"."""
    ordered = sorted(set(markers), key=lambda m: (-len(m), m))
    words = [m for m in ordered if m[:1].isalnum() and m[-1:].isalnum()]
    others = [m for m in ordered if m not in words]
    parts = [_pattern_of(m) for m in others]
    if words:
        parts.append(
            r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")\b"
        )
    return "|".join(parts)


def _compiled(markers: Iterable[str]) -> re.Pattern[str]:
    """The alternation of ``markers``, compiled (ignoring case), behind a
    look-ahead for the markers' first letters (:func:`loomcore.text.regex.lead`):
    tried only where a marker can begin, twice as fast over a reply."""
    return lead(re.compile(_alternation(markers), re.IGNORECASE))


@lru_cache(maxsize=8)
def _scanner(markers: frozenset[str]) -> re.Pattern[str]:
    return _compiled(markers)


def register_markers(miner: str, markers: Iterable[str]) -> None:
    """Declare ``markers`` for the miner named ``miner`` (a marker miner does
    it when it is made)."""
    for marker in markers:
        _MARKERS.setdefault(marker.lower(), set()).add(miner)
    _markers_in.cache_clear()


def markers_in(text: str) -> frozenset[str]:
    """The names of the marker miners whose markers occur in ``text``: one
    pass of one compiled alternation, cached per text."""
    return _markers_in(text, frozenset(_MARKERS))


@lru_cache(maxsize=256)
def _markers_in(text: str, markers: frozenset[str]) -> frozenset[str]:
    if not markers:
        return frozenset()
    found = {m.group(0).lower() for m in _scanner(markers).finditer(text)}
    names: set[str] = set()
    for hit in found:
        names |= _MARKERS.get(re.sub(r"\s+", " ", hit), set())
    return frozenset(names)


class ExchangeMiner(Generic[T]):
    """A miner as an object: ``miner(exchange)`` yields what it finds.
    Subclasses set ``name`` and implement :meth:`mine`; :meth:`wants` decides
    whether an exchange is worth mining at all (every one, by default)."""

    name: ClassVar[str] = ""

    def __call__(self, exchange: Exchange) -> Iterator[T]:
        if self.wants(exchange):
            yield from self.mine(exchange)

    def wants(self, exchange: Exchange) -> bool:
        """Whether to mine ``exchange``."""
        return True

    def mine(self, exchange: Exchange) -> Iterable[T]:
        """What the miner finds in ``exchange``."""
        raise NotImplementedError


class SentenceMiner(ExchangeMiner[T]):
    """A miner that reads the reply's prose sentences in order, each once
    with the block it is in; implement :meth:`sentence`."""

    def mine(self, exchange: Exchange) -> Iterator[T]:
        doc = exchange.reply_doc
        for index, sentence in doc.sentences():
            yield from self.sentence(exchange, doc.blocks[index], index, sentence)

    def sentence(
        self, exchange: Exchange, block: Block, index: int, sentence: Sentence
    ) -> Iterable[T]:
        """What one sentence (of ``block``, the reply's block ``index``) holds."""
        raise NotImplementedError


class MarkerMiner(ExchangeMiner[T]):
    """A miner that declares the markers its pattern cannot do without.  It
    runs only on an exchange where the shared scan (:func:`markers_in`) found
    one of them; ``marked(text)`` gives the markers in one piece of text."""

    markers: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        if not self.name or not self.markers:
            raise TypeError(f"{type(self).__name__} needs a name and markers")
        register_markers(self.name, self.markers)
        self._own = _compiled(self.markers)

    def wants(self, exchange: Exchange) -> bool:
        # the reply as written: the scan is shared by every marker miner of it
        return self.name in markers_in(exchange.system_output)

    def marked(self, text: str) -> list[str]:
        """The markers in ``text``, in order, as written."""
        return [m.group(0) for m in self._own.finditer(text)]


class MarkerSentenceMiner(MarkerMiner[T], SentenceMiner[T]):
    """A marker miner that reads only the sentences holding one of its
    markers: implement :meth:`sentence`, which gets them with their markers
    (``self.marked(sentence.plain)``) found."""

    def mine(self, exchange: Exchange) -> Iterator[T]:
        doc = exchange.reply_doc
        for index, sentence in doc.sentences():
            if self.marked(sentence.plain):
                yield from self.sentence(exchange, doc.blocks[index], index, sentence)
