"""Tokens of a sentence with their closed-class tags, and a token count
without a tokenizer (an estimate, and documented as one).

``tokenize(text)`` splits a sentence into words, numbers and punctuation,
each with its span in ``text`` and the closed word class it belongs to
(``article``, ``determiner``, ``pronoun``, ``auxiliary``, ``preposition``,
``conjunction``; else ``word``, ``number`` or ``punct``).  The classes are
the word lists of :mod:`loomcore.text.lexicon`, so every miner tags a word
the same way.
"""

from __future__ import annotations

import re
from functools import lru_cache

import attrs

from loomcore.text import lexicon

# most specific first: "that" is a determiner before it is a pronoun, "in" a
# preposition, "not" a conjunction only where nothing else claims it
_CLASSES: tuple[tuple[str, frozenset[str]], ...] = (
    ("article", lexicon.ARTICLES),
    ("determiner", lexicon.DETERMINERS),
    ("pronoun", lexicon.PRONOUNS),
    ("auxiliary", lexicon.AUXILIARIES),
    ("preposition", lexicon.PREPOSITIONS),
    ("conjunction", lexicon.CONJUNCTIONS),
)
CLOSED_TAGS = frozenset(tag for tag, _ in _CLASSES)

# a word keeps its inner apostrophes and hyphens ("don't", "well-known");
# a number its separators ("3.14", "1,000"); anything else is one mark
_TOKEN = re.compile(
    r"(?P<number>\d+(?:[.,]\d+)*)|(?P<word>[^\W\d_](?:[\w'’-]*[^\W_])?)|(?P<punct>[^\w\s])"
)


@attrs.frozen
class Token:
    """One token: ``text`` as written, its ``start``/``end`` in the text it
    came from, its ``tag`` (a closed class, or ``word``/``number``/``punct``)
    and ``classes``, every closed class the word is in ("that": determiner
    and pronoun)."""

    text: str
    start: int
    end: int
    tag: str
    classes: frozenset[str] = frozenset()

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def closed(self) -> bool:
        """A function word (any closed class)."""
        return self.tag in CLOSED_TAGS


def _tag(word: str) -> tuple[str, frozenset[str]]:
    low = word.lower()
    classes = frozenset(tag for tag, members in _CLASSES if low in members)
    tag = next((t for t, _ in _CLASSES if t in classes), "word")
    return tag, classes


@lru_cache(maxsize=1024)
def tokenize(text: str) -> tuple[Token, ...]:
    """The tokens of ``text`` in order (cached: the miners of one exchange
    tokenize the same sentences)."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "punct"
        if kind == "word":
            tag, classes = _tag(m.group(0))
        else:
            tag, classes = kind, frozenset()
        out.append(Token(m.group(0), m.start(), m.end(), tag, classes))
    return tuple(out)


def estimate_tokens(text: str) -> int:
    """About 4 characters a token for English text: an estimate, not a tokenizer's count."""
    return (len(text) + 3) // 4
