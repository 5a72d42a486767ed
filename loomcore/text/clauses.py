"""Clause boundaries inside a sentence, for miners that cut out a clause
("X, which leads to Y": the cause is X, trimmed at the boundary before it)."""

from __future__ import annotations

import re

import attrs

from loomcore.text.sentences import normalise_space

# Where a clause begins, scanning left from a marker.
_LEFT_BOUNDARY = re.compile(
    r"(?:[:;]\s+|\s+[—–]\s+|,\s+(?:while|but|whereas|and|so|though|although|yet)\s+|"
    r"^(?:however|but|and|so|also|still|thus|therefore|plus|in practice|in short|in general|in summary|"
    r"in conclusion|overall|additionally|moreover|furthermore|in addition),?\s+|"
    # "a study found that X leads to Y": the clause is what was found
    r"\b(?:found|finds|show|shows|showed|shown|suggest|suggests|suggested|say|says|said|"
    r"note|notes|noted|report|reports|reported|believe|believes|think|thinks|know|known) that\s+)",
    re.IGNORECASE,
)
# Where a clause ends, scanning right from a marker.
_RIGHT_BOUNDARY = re.compile(
    r"(?:[;:]\s|\s+[—–]\s+|,\s+(?:which|so|but|while|whereas|though|although|yet|because|since)\b|"
    r",\s+and\s+(?=(?:it|they|you|we|the|this|that|there|then|so|i|if|when)\b))",
    re.IGNORECASE,
)
_LEAD = re.compile(
    # "yes" and "no" only as interjections: "no single server" keeps its "no"
    r"^(?:(?:yes|no),\s+|(?:(?:this|that|it) is (?:because|due to|since)(?: of)?|meanwhile|however|but|and|so|also|still|then|thus|therefore|plus|in practice|in summary|in conclusion|"
    r"overall|additionally|moreover|furthermore|in addition|as a result|ultimately|in short|in general),?\s+)",
    re.I,
)


# A clause longer than this is no clause a miner wants; looking only this far
# keeps every scan bounded, so many markers in one huge sentence stay linear.
WINDOW = 600


def clause_before(text: str) -> str:
    """The clause that ends at the end of ``text`` (looking back at most WINDOW characters)."""
    text = text[-WINDOW:]
    start = 0
    for m in _LEFT_BOUNDARY.finditer(text):
        if m.end() < len(text):
            start = m.end()
    return tidy(text[start:])


def clause_after(text: str) -> str:
    """The clause that starts at the start of ``text`` (looking at most WINDOW characters ahead)."""
    text = text[:WINDOW]
    m = _RIGHT_BOUNDARY.search(text)
    return tidy(text[: m.start()] if m else text)


# "In your snippet, the lookup fails": a setting fronted before the subject
_SETTING = re.compile(
    r"^(?i:in|on|at|for|during|after|before|with|without|under|over|across|by|from)\s+[^,]{1,40},\s+"
    r"(?=(?i:the|a|an|this|that|these|those|it|they|you|we|i|he|she|your|my|our|their|its|"
    r"more|most|many|much|some|few|several|all|each|every|no|both)\b|[A-Z`*\"])"
)


def without_setting(clause: str) -> str:
    """A clause without the setting fronted before its subject ("In your
    snippet, the lookup fails" -> "the lookup fails"); a miner that needs a
    clause to stand alone keeps its subject, not the scene."""
    return _SETTING.sub("", clause, count=1)


def tidy(text: str) -> str:
    """Trim a clause: spaces, leading connectives, trailing punctuation."""
    text = normalise_space(text).strip(" ,;:—–-")
    text = _LEAD.sub("", text)
    return text.rstrip(" .,;:!?").strip()


# "When the gas reaches your eyes, it forms an acid": a subordinate clause
# fronted before the main one
_SUBORDINATE = re.compile(
    r"^(?:when|whenever|once|if|after|before|while|although|though|as soon as)\b[^,;:]{1,120},\s+(?=\S)",
    re.IGNORECASE,
)


def main_clause(clause: str) -> str:
    """``clause`` without a subordinate clause fronted before it ("When the
    gas reaches your eyes, it forms an acid" -> "it forms an acid")."""
    m = _SUBORDINATE.match(clause)
    return clause[m.end() :] if m else clause


# "What is overfitting and how do I prevent it?": "it" is overfitting
_ASKED_THING = re.compile(
    r"\bwhat (?:is|are) (?:(?:an?|the) )?(?P<thing>[^?,]{1,60}?),? and how\b", re.IGNORECASE
)


def asked_thing(question: str) -> str | None:
    """The thing a "What is X and how ... it ...?" question is about, or None."""
    m = _ASKED_THING.search(question)
    return m.group("thing") if m else None


# --- the clause model: a sentence as its clauses, each with its kind and span ---

# what opens a clause that depends on another ("because", "if", "when")
SUBORDINATORS = frozenset(
    {"because", "since", "although", "though", "while", "whereas", "if", "unless", "until"}
    | {"when", "whenever", "once", "after", "before", "so that", "as soon as", "even though"}
)
RELATIVES = frozenset({"which", "who", "whom", "whose", "where"})
COORDINATORS = frozenset({"and", "but", "or", "so", "yet"})

# where one clause ends and the next begins: a semicolon, a colon, a dash, or
# a comma before a subordinator, a relative or a coordinator
_BOUNDARY = re.compile(
    r"\s*[;:]\s+|\s+[—–]\s+|,\s+(?=(?:"
    + "|".join(
        sorted(
            (re.escape(w) for w in SUBORDINATORS | RELATIVES | COORDINATORS), key=len, reverse=True
        )
    )
    + r")\b)",
    re.IGNORECASE,
)


@attrs.frozen
class Clause:
    """One clause of a sentence: its ``text``, its ``start``/``end`` in the
    sentence, and its ``kind``: ``main``, ``subordinate`` (opens on
    "because", "if", "when" ...), ``relative`` ("which", "who" ...) or
    ``coordinate`` ("and", "but" ... after a comma)."""

    text: str
    start: int
    end: int
    kind: str


def _kind(text: str) -> str:
    low = text.lower()
    for kind, words in (
        ("subordinate", SUBORDINATORS),
        ("relative", RELATIVES),
        ("coordinate", COORDINATORS),
    ):
        if any(low == w or low.startswith(w + " ") for w in words):
            return kind
    return "main"


def split_clauses(sentence: str) -> tuple[Clause, ...]:
    """The clauses of one sentence, in order, with their spans.  A marker
    miner finds its marker's clause here instead of cutting the sentence
    with a regex of its own (first clause opening on "if": a condition)."""
    out = []
    start = 0
    for m in _BOUNDARY.finditer(sentence):
        if m.start() > start:
            out.append(_clause(sentence, start, m.start()))
        start = m.end()
    if start < len(sentence):
        out.append(_clause(sentence, start, len(sentence)))
    return tuple(c for c in out if c.text)


def _clause(sentence: str, start: int, end: int) -> Clause:
    text = sentence[start:end]
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    return Clause(text, start + lead, start + lead + len(text), _kind(text))
