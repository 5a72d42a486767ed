"""English word lists that text analysis needs (no model, no download).

Kept small and general: function words, pronouns, vague nouns, evaluative
adjectives and the verbs people start instructions with.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources


@cache
def word_list(name: str, package: str | None = "loomcore.text") -> frozenset[str]:
    """The words of ``words/<name>.txt`` in ``package`` (one a line, ``#``
    comments), read once: by default the word classes every miner shares in
    ``loomcore/text/words``; a miner's own lists live beside it the same way
    (``word_list("causal_dangling_end", __package__)``), never as code."""
    text = (
        resources.files(package or "loomcore.text")
        .joinpath("words", f"{name}.txt")
        .read_text("utf-8")
    )
    return frozenset(word for line in text.splitlines() if (word := line.split("#", 1)[0].strip()))


ARTICLES = word_list("articles")

PRONOUNS = word_list("pronouns")

DETERMINERS = ARTICLES | word_list("determiners")

PREPOSITIONS = word_list("prepositions")

CONJUNCTIONS = word_list("conjunctions")

# Forms of be, have, do and the modals: a clause cannot end on one.
AUXILIARIES = word_list("auxiliaries")

# Words so common that they carry no topic (used to weight keywords and to
# refuse function words as entities).
COMMON_WORDS = (
    ARTICLES | PRONOUNS | DETERMINERS | PREPOSITIONS | CONJUNCTIONS | word_list("common_words")
)

VAGUE_NOUNS = word_list("vague_nouns")

# What a request can say without naming its subject ("give me a specific example").
BARE_REQUEST_WORDS = word_list("bare_request_words")

EVALUATIVE = word_list("evaluative")

# Verbs that open an instruction ("Rinse the rice", "Open a terminal").
IMPERATIVE_VERBS = word_list("imperative_verbs")

# Verbs of how-to steps that are seldom nouns ("Insulate exposed pipes"); words
# that are as often nouns (water, plant, charge) are left to the context test
# of starts_imperative.
IMPERATIVE_VERBS |= word_list("step_verbs")

# Verbs that open requests ("Summarize the article", "Differentiate A and
# B"): commands, never entities.
IMPERATIVE_VERBS |= word_list("request_verbs")
COMMON_WORDS |= frozenset({"given", "following"})

# a word ends on a letter: the quote in "'idempotent'" or "users'" is no part of it
_WORD = re.compile(r"[A-Za-z](?:[A-Za-z'’-]*[A-Za-z])?")


def words(text: str) -> list[str]:
    """Alphabetic words of ``text``, as written."""
    return _WORD.findall(text)


def first_word(text: str) -> str:
    m = _WORD.search(text)
    return m.group(0).lower() if m else ""


def starts_imperative(text: str) -> bool:
    """Whether ``text`` opens with a command ("Rinse the rice ...").

    A leading "-ly" adverb ("Slowly drizzle ...") is skipped.  A word not in
    the verb list still counts when the next word is one that follows a verb
    (an article, a number, an object pronoun or a preposition), unless the
    word itself is a known function word.
    """
    head = text[:200].lstrip(" *_`\"'(")
    if not head[:1].isalpha():
        return False  # "2 x 3 = ?" is no command
    ws = _WORD.findall(head)
    if not ws:
        return False
    i = 0
    if (
        ws[0].lower().endswith("ly")
        and len(ws) > 1
        and ws[0].lower() not in {"only", "early", "apply", "supply", "reply"}
    ):
        i = 1
    w = ws[i].lower()
    if w in IMPERATIVE_VERBS:
        return True
    if w in COMMON_WORDS or w.endswith(("ing", "ed", "s")):
        return False
    nxt = ws[i + 1].lower() if len(ws) > i + 1 else ""
    after = text.split(ws[i], 1)[1].lstrip()[:1] if ws[i] in text else ""
    return (
        nxt in ARTICLES
        or nxt in {"your", "it", "them", "up", "out", "off", "in", "on", "with", "for", "down"}
        or after[:1].isdigit()
    )


# what tells a noun's singular from its plural, after the shared stem
_NUMBER_ENDINGS = frozenset(
    {"", "s", "es", "a", "ae", "i", "on", "um", "us", "is", "x", "ces", "y", "ies"}
)
MIN_STEM = 5


def same_noun(a: str, b: str) -> bool:
    """Whether two words are one noun, in the same or the other number, regular
    or Latin and Greek ("bacterium" / "bacteria", "analysis" / "analyses",
    "mitochondrion" / "mitochondria"); words that only start alike are not
    ("processor" / "procession")."""
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    if min(len(a), len(b)) < MIN_STEM:
        return a + "s" == b or b + "s" == a
    # the shared stem: up to the first letter where the two differ
    stem = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return stem >= MIN_STEM and a[stem:] in _NUMBER_ENDINGS and b[stem:] in _NUMBER_ENDINGS


# word classes the miners share (each read from its file once)
HEDGES = word_list("hedges")
COPULAS = word_list("copulas")
GENERAL_SUBJECTS = word_list("general_subjects")
CLAUSE_OPENERS = word_list("clause_openers")
