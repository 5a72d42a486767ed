"""causal: an explicit cause-and-effect statement.

Markers: "X causes / can cause / leads to / results in Y", "Y is caused by
X", "Y because (of) X", "Y due to X", "X, which causes Y", and "If X, (then)
Y" where Y is a consequence (not advice: "If you need X, use Y" is not
causal).  "so", "since", "when" and "even if" are not causal markers here.
Each marker gives at most one pattern; cause and effect are clauses trimmed
at clause boundaries.  Content: ``cause``, ``effect``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from loomcore import (
    EnrichedMemory,
    ExampleBuilder,
    Miner,
    Pattern,
    SynthesisConfig,
    TrainingExample,
    hookimpl,
)
from loomcore.model import make_example, make_pattern
from loomcore.text.clauses import WINDOW, clause_after, clause_before, tidy
from loomcore.text.lexicon import (
    ARTICLES,
    CONJUNCTIONS,
    DETERMINERS,
    PREPOSITIONS,
    PRONOUNS,
    starts_imperative,
)

TYPE = "causal"
MAX_CLAUSE_WORDS = 40

# Modals and adverbs between subject and causal verb belong to the marker:
# "X can sometimes lead to Y" has the cause "X", not "X can sometimes".
_PRE = (
    r"(?:(?:can|could|may|might|will|would|often|sometimes|also|even|eventually|ultimately|usually|"
    r"typically|generally|directly|further|then|in turn|frequently|commonly|quickly|easily|likely|"
    r"probably|potentially|possibly|gradually|significantly|indirectly|inevitably)\s+){0,3}"
)
_VERBS = r"(?:causes|caused|cause|leads to|led to|lead to|results in|resulted in|result in)"
# (pattern, direction): "forward" = cause before the marker, "backward" = effect before it
_MARKERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r",?\s+which\s+" + _PRE + _VERBS + r"\s+", re.I), "forward"),
    (
        re.compile(
            r"\s+(?:is|are|was|were|can be|is often|are often|is usually|are usually|is mostly|are mostly) caused by\s+",
            re.I,
        ),
        "backward",
    ),
    (re.compile(r"\s+" + _PRE + _VERBS + r"\s+", re.I), "forward"),
    (re.compile(r",?\s+because of\s+", re.I), "backward"),
    (re.compile(r",?\s+because\s+", re.I), "backward"),
    (re.compile(r",?\s+due to\s+", re.I), "backward"),
)
# Words with no content of their own: a clause made only of these ("This
# is", "the latter") says nothing by itself.
_FUNCTION = (
    ARTICLES
    | DETERMINERS
    | PREPOSITIONS
    | CONJUNCTIONS
    | PRONOUNS
    | frozenset(
        [
            "can",
            "could",
            "may",
            "might",
            "will",
            "would",
            "should",
            "must",
            "shall",
            "be",
            "been",
            "being",
            "is",
            "are",
            "was",
            "were",
            "am",
            "has",
            "have",
            "had",
            "do",
            "does",
            "did",
            "not",
            "latter",
            "former",
        ]
    )
)
# A clause cut just before a marker cannot end on one of these ("X but",
# "diseases that can be", "the most common"): the cut is in the wrong place.
_DANGLING_END = (
    ARTICLES
    | PREPOSITIONS
    | CONJUNCTIONS
    | frozenset(
        [
            "which",
            "who",
            "whom",
            "whose",
            "they",
            "he",
            "she",
            "we",
            "i",
            "you",
            "my",
            "your",
            "our",
            "their",
            "its",
            "can",
            "could",
            "may",
            "might",
            "will",
            "would",
            "should",
            "must",
            "shall",
            "be",
            "been",
            "being",
            "is",
            "are",
            "was",
            "were",
            "am",
            "has",
            "have",
            "had",
            "do",
            "does",
            "did",
            "not",
            "as",
            "common",
            "main",
            "possible",
            "primary",
            "root",
            "major",
            "leading",
            "potential",
            "underlying",
            "key",
            "most",
            "biggest",
            "top",
            "every",
            "each",
            "some",
            "any",
            "no",
        ]
    )
)
_BAD_START = PREPOSITIONS | frozenset({"and", "or", "but", "nor", "which", "that", "than"})
_MARKER_WORDS = ("caus", "lead", "led to", "result", "because", "due to")
_LEADING_BECAUSE = re.compile(
    r"^(?:because of|because|due to)\s+(?P<cause>[^,]{3,300}),\s*(?P<effect>.+)$", re.I
)
_IF = re.compile(r"(?:^|[:;]\s+)(?:so\s+|and\s+|but\s+)?if\s+(?P<body>.+)$", re.I)
_ADVICE = re.compile(
    r"^(?:you (?:can|could|should|might|may|need|want|must)|i'?d|i would|i recommend|consider|try|"
    r"make sure|it'?s (?:best|better|worth)|please|let|just)\b",
    re.I,
)
_MAIN_CLAUSE_START = ARTICLES | DETERMINERS | PRONOUNS | frozenset({"there"})


def _ok(clause: str, cut_before: bool) -> bool:
    """A self-contained clause: a few words, some content, cut at a clean place.

    ``cut_before``: the clause was cut just before the marker, so its last
    word must be able to end a clause.
    """
    words = [w.strip("`*\"'(),.").lower() for w in clause.split()]
    words = [w for w in words if w]
    if not 2 <= len(words) <= MAX_CLAUSE_WORDS:
        return False
    if all(w in _FUNCTION for w in words):
        return False
    if words[0] in _BAD_START:
        return False
    return not (cut_before and words[-1] in _DANGLING_END)


def _if_pattern(text: str) -> tuple[str, str] | None:
    m = _IF.search(text)
    if not m or re.search(
        r"\beven\s+if\b|\bonly\s+if\b|\bas\s+if\b", text[max(0, m.start() - 6) : m.end()], re.I
    ):
        return None
    body = m.group("body")[:WINDOW]
    # the comma that ends the condition is the one followed by a main clause
    for cm in re.finditer(r",\s+(?:then\s+)?", body):
        cond, rest = body[: cm.start()], body[cm.end() :]
        first = rest.split(None, 1)[0].lower().strip("`*") if rest.split() else ""
        if first in ("or", "and"):
            continue
        if _ADVICE.match(rest) or starts_imperative(rest):
            return None
        if first in _MAIN_CLAUSE_START or first[:1].isupper() or first.startswith("`"):
            return tidy(cond), clause_after(rest)
    return None


def pairs(text: str) -> Iterator[tuple[str, str, float]]:
    """(cause, effect, certainty) for each causal marker in one sentence."""
    lead = _LEADING_BECAUSE.match(text)
    # positions already inside a marker: ", which leads to" is one marker, not two
    covered: set[int] = set()
    if lead:
        cause, effect = tidy(lead.group("cause")), clause_after(lead.group("effect"))
        if _ok(cause, cut_before=False) and _ok(effect, cut_before=False):
            yield cause, effect, 0.9
        covered.update(range(0, lead.end("cause")))
    low = text.lower()
    if not any(k in low for k in _MARKER_WORDS):
        markers: tuple = ()  # no marker word at all: skip the regex scans (most sentences)
    else:
        markers = _MARKERS
    for pattern, direction in markers:
        for m in pattern.finditer(text):
            if m.start() in covered:
                continue
            covered.update(range(*m.span()))
            # windows, not whole halves: a clause is short, and copying halves
            # of a long sentence per marker would be quadratic
            before = text[max(0, m.start() - WINDOW) : m.start()]
            after = text[m.end() : m.end() + WINDOW]
            if direction == "forward":
                cause, effect = clause_before(before), clause_after(after)
                if _ok(cause, cut_before=True) and _ok(effect, cut_before=False):
                    yield cause, effect, 0.9
            else:
                effect, cause = clause_before(before), clause_after(after)
                if _ok(effect, cut_before=True) and _ok(cause, cut_before=False):
                    yield cause, effect, 0.9
    found = _if_pattern(text)
    if found and _ok(found[0], cut_before=False) and _ok(found[1], cut_before=False):
        yield found[0], found[1], 0.8


def mine(memory: EnrichedMemory) -> Iterator[Pattern]:
    seen: set[tuple[str, str]] = set()
    for block in memory.reply_doc.prose():
        for sentence in block.sentences:
            text = sentence.plain
            for cause, effect, certainty in pairs(text):
                key = (cause.lower(), effect.lower())
                if key in seen:
                    continue
                seen.add(key)
                yield make_pattern(
                    memory,
                    TYPE,
                    {"cause": cause, "effect": effect},
                    certainty=certainty,
                    evidence=text,
                )


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


_EFFECT_FIRST = re.compile(r"\b(?:because|due to|caused by)\b", re.IGNORECASE)


def instruction_for(cause: str, effect: str, evidence: str) -> str:
    """A question whose answer is the causal sentence.

    "If X, Y" asks what happens if X; "Y because X" has a clause for its
    effect, so it asks why; "X leads to Y" has a clause (or a gerund) for
    its cause, so it asks what happens when X.
    """
    if re.match(r"^(?:so\s+|and\s+|but\s+)?if\b", evidence, re.IGNORECASE) or re.search(
        r"[:;]\s+if\b", evidence, re.IGNORECASE
    ):
        return f"What happens if {_lower_first(cause)}?"
    if _EFFECT_FIRST.search(evidence):
        return f"Explain why {_lower_first(effect)}."
    return f"What happens when {_lower_first(cause)}?"


def build(pattern: Pattern, config: SynthesisConfig) -> Iterator[TrainingExample]:
    cause, effect = pattern.content["cause"], pattern.content["effect"]
    evidence = pattern.evidence.strip()
    output = evidence or f"{effect[:1].upper()}{effect[1:]} because {cause}."
    yield make_example(pattern, config, instruction_for(cause, effect, evidence), output)


@hookimpl
def register_miners(register):
    register(Miner(TYPE, mine, description="explicit cause-and-effect statements"))


@hookimpl
def register_example_builders(register):
    register(
        ExampleBuilder(
            TYPE, build, description='"Why ...?" / "What happens if ...?" -> the causal sentence'
        )
    )
