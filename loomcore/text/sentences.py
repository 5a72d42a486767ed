"""Sentence splitting and inline-markdown cleaning, in linear time.

Abbreviations ("e.g.", "Dr.", "U.S."), initials, decimals ("3.5 mg") and
anything inside inline code (`` `a.b()` ``) never end a sentence.  Every
regular expression here is bounded so that hostile text cannot make it
backtrack quadratically.
"""

from __future__ import annotations

import bisect
import re

from loomcore.text.memo import exchange_memo

# Only tokens that are not also ordinary words: "sun.", "no.", "min." end
# sentences far more often than they abbreviate.
ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "etc",
        "vs",
        "cf",
        "al",
        "approx",
        "appr",
        "ca",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "ft",
        "nos",
        "vol",
        "figs",
        "eq",
        "eqs",
        "pp",
        "inc",
        "ltd",
        "corp",
        "dept",
        "jan",
        "feb",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "tue",
        "thu",
        "fri",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "a.m",
        "p.m",
        "ph.d",
        "b.sc",
        "m.sc",
        "resp",
        "incl",
        "excl",
    ]
)

_CODE_SPAN = re.compile(r"`[^`\n]{0,2000}`")
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]*_]*(?=\s|$)")
_BOLD = re.compile(r"(\*\*|__)(?=\S)([^*_\n]{1,400}?)(?<=\S)\1")
_ITALIC_STAR = re.compile(r"(?<![\w*\\])\*(?=[^\s*])([^*\n]{1,400}?)(?<=[^\s*])\*(?![\w*])")
_ITALIC_UNDER = re.compile(r"(?<![\w_\\])_(?=[^\s_])([^_\n]{1,400}?)(?<=[^\s_])_(?![\w_])")
_LINK = re.compile(r"!?\[([^\]\n]{0,400})\]\([^)\s]{0,2000}\)")


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace to one space and trim."""
    # str.split() splits on exactly what \s matches (str.isspace), and is
    # several times faster than a regex substitution
    return " ".join(text.split())


def code_spans(text: str) -> list[tuple[int, int]]:
    """Start and end offsets of the inline code spans of ``text``."""
    return [m.span() for m in _CODE_SPAN.finditer(text)]


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``pos`` lies strictly inside one of the sorted ``spans``."""
    i = bisect.bisect_left(spans, (pos, pos)) - 1
    # spans do not overlap: only the last one starting before pos can hold it
    return i >= 0 and spans[i][0] < pos < spans[i][1]


# a name that starts in lower case opens sentences too ("macOS is ...",
# "iPhone sales ...", "eBay"); "npm" does not qualify: no inner capital tells
# it from an ordinary word
_LOWER_NAME = re.compile(r"[a-z]{1,4}[A-Z][A-Za-z]*\b")


def _ends_sentence(text: str, start: int, end: int) -> bool:
    """Whether the punctuation at text[start:end] ends a sentence."""
    # the first character after the spaces, found in place: copying the rest
    # of the text at every full stop made splitting quadratic
    nxt = end
    while nxt < len(text) and text[nxt].isspace():
        nxt += 1
    if nxt < len(text) and text[nxt].islower() and not _LOWER_NAME.match(text, nxt):
        return False
    if text[start] != ".":
        return True
    # the word that carries the period
    i = start
    while i > 0 and not text[i - 1].isspace():
        i -= 1
    # opening quotes and brackets are not part of the word; an apostrophe
    # inside it is ("won't." ends a sentence: its word is not the initial "t")
    word = text[i:start].lstrip("(\"'“‘").lower().strip("*_`")
    if not word:
        return True
    if word in ABBREVIATIONS:
        return False
    # initials such as "J. Smith" or "U.S." written as one token; a version
    # or a decimal ("Python 3.13.") ends its sentence like any word
    if len(word) == 1 and word.isalpha() and text[start - 1].isupper():
        return False  # an initial; a lower-case letter is a variable ("k = log n.")
    parts = word.split(".")
    return not (len(parts) > 1 and all(len(p) <= 2 and p.isalpha() for p in parts))


def split_sentences(text: str) -> list[str]:
    """Split one block of prose into sentences (markdown kept as written)."""
    # a new list each call: the same text is split once per exchange
    return list(_sentences(text))


@exchange_memo(maxsize=512)
def _sentences(text: str) -> tuple[str, ...]:
    text = text.strip()
    if not text:
        return ()
    spans = code_spans(text)
    out: list[str] = []
    begin = 0
    for m in _BOUNDARY.finditer(text):
        start, end = m.span()
        if spans and _inside(start, spans):
            continue
        if not _ends_sentence(text, start, end):
            continue
        piece = text[begin:end].strip()
        if piece:
            out.append(piece)
        begin = end
    tail = text[begin:].strip()
    if tail:
        out.append(tail)
    return tuple(out)


def strip_inline(text: str) -> str:
    """Inline markdown to plain text: emphasis marks and link targets removed.

    Inline code keeps its backticks, since code is content.
    """
    if "*" not in text and "_" not in text and "[" not in text:  # no generator: most texts
        return normalise_space(text)
    parts: list[str] = []
    last = 0
    for start, end in code_spans(text):
        parts.append(_strip_marks(text[last:start]))
        parts.append(text[start:end])
        last = end
    parts.append(_strip_marks(text[last:]))
    return normalise_space("".join(parts))


def _strip_marks(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    text = _BOLD.sub(r"\2", text)
    text = _ITALIC_STAR.sub(r"\1", text)
    return _ITALIC_UNDER.sub(r"\1", text)


def ends_complete(sentence: str) -> bool:
    """Whether a sentence ends as sentences do (a reply cut off mid-word does not)."""
    return sentence.rstrip().endswith((".", "!", "?", ":", ")", '"', "'", "”", "’", "`", "*"))
