"""definition: a sentence that says what a named thing is.

"Thompson Sampling is a Bayesian approach to ...", "X refers to ...", "X
means ...", "X is defined as ...", "X is when ...", "X, short for Y, is ...".
Not a definition: a pronoun or vague subject ("It is", "The result is"), an
evaluation ("Rust is a great language"), a state ("is a bit slow").
Content: ``term`` (the whole name, no leading article, no markup) and
``definition`` (the defining sentence, whole).
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
from loomcore.compose import whole_answer
from loomcore.model import make_example, make_pattern
from loomcore.text.lexicon import (
    ARTICLES,
    CLAUSE_OPENERS,
    DETERMINERS,
    EVALUATIVE,
    PREPOSITIONS,
    PRONOUNS,
    VAGUE_NOUNS,
    same_noun,
    word_list,
)
from loomcore.text.lexicon import words as words_of
from loomcore.text.mining import Exchange, ExchangeMiner
from loomcore.text.regex import lead
from loomcore.text.sentences import ends_complete, strip_inline

TYPE = "definition"

# subject, copula, rest; the subject is short, so the lazy scan is bounded
_COPULA = re.compile(
    r"^(?P<subj>.{1,90}?)\s+(?P<cop>is defined as|are defined as|refers to|refer to|means|mean|"
    r"stands for|is|are|was|were)\s+(?P<rest>.+)$",
    re.DOTALL,
)
_APPOSITIVE = re.compile(
    r"^(?P<term>[^,]+),\s*(?:short for|or|also (?:called|known as)|aka|i\.e\.|the|an?)\s[^,]+"
    # "The kernel, or core, of an operating system is ...": the term is still X
    r"(?:,?$|,\s+(?:of|in)\s[^,]+$)",
    re.I,
)
# a bracket after a space is an aside ("CDN (content delivery network)");
# one right after a letter or digit is part of the name ("401(k)")
_PAREN = re.compile(r"(?<![\w)])\s*\([^)]*\)|\s+\([^)]*\)")
_EMPHASIS = re.compile(r"\*\*|__|`")
_NOT_DEFINING = word_list("definition_not_defining", __package__)
# "X is an issue of growing concern", "X is the opposite": not what X is
_NOT_A_KIND = word_list("definition_not_a_kind", __package__)
_RELATIVE = CLAUSE_OPENERS


def _term(subject_md: str, question: str = "") -> tuple[str, bool] | None:
    """(term, emphasised) from the subject as written, or None if it names nothing.

    A vague head ("effect", "method") names nothing ("The main effect is
    ..."), unless a word before it makes a name that the user asked about or
    wrote with a capital ("the greenhouse effect", "the Doppler effect")."""
    subj = subject_md.strip().lstrip("-*+ ").strip()
    m = _APPOSITIVE.match(strip_inline(subj)) if "," in subj else None
    if "," in subj and not m:
        return None
    raw_term = subj.split(",", 1)[0] if m else subj
    if any(c in raw_term for c in ':;–—!?"“') or "- " in raw_term:
        return None
    emphasised = "**" in raw_term or "__" in raw_term or "`" in raw_term
    term = _PAREN.sub("", _EMPHASIS.sub("", strip_inline(raw_term))).strip(" .")
    words = term.split()
    had_article = bool(words) and words[0].lower() in ARTICLES
    if had_article:
        words = words[1:]
    if not words or len(words) > 6:
        return None
    lowered = [w.lower() for w in words]
    # "The Great Wall", "Great Britain": a capital that the sentence's start
    # did not give makes the word part of a name, not a judgement
    named_first = words[0][:1].isupper() and (
        had_article or (len(words) > 1 and words[1][:1].isupper())
    )
    if (
        lowered[0] in PRONOUNS
        or lowered[0] in DETERMINERS
        or (lowered[0] in EVALUATIVE and not named_first)
    ):
        return None
    if m and lowered[0] in PREPOSITIONS:
        # "On AWS, the usual options are ...": a setting before the comma, not
        # a name with its appositive (a title such as "To Kill a Mockingbird" has none)
        return None
    # "A 20% discount means you pay 80%": an amount of a thing, not a named
    # thing (a number alone can be one: "1984 is a novel by George Orwell")
    if len(words) > 1 and re.fullmatch(r"[$€£]?\d[\d,.]*%?", words[0]):
        return None
    # "[Charity Name]", "{{name}}": a template's placeholder names nothing
    if any(c in term for c in "[]{}<>"):
        return None
    # "the main idea of the poem": a vague head before "of" is no name
    if "of" in lowered and lowered[lowered.index("of") - 1] in VAGUE_NOUNS | _NOT_A_KIND:
        return None
    if any(
        w in _RELATIVE or w in {"is", "are", "was", "were", "can", "will", "should", "would"}
        for w in lowered
    ):
        return None
    # a capital that is not the sentence's own
    modifiers = words[:-1] if had_article else words[1:-1]
    named = len(words) > 1 and (
        " ".join(lowered) in question.lower() or any(w[:1].isupper() for w in modifiers)
    )
    if lowered[-1] in PRONOUNS or (
        (lowered[-1] in VAGUE_NOUNS or " ".join(lowered) in VAGUE_NOUNS) and not named
    ):
        return None
    if any(w.endswith("'s") or w.endswith("’s") for w in lowered):
        return None
    return " ".join(words), emphasised


def _salient(term: str, emphasised: bool, question: str, subject: str) -> bool:
    """Whether the term is worth defining: emphasised, asked about (by its
    name or by the short name in brackets after it), or a proper name."""
    if emphasised:
        return True
    if term.lower() in question.lower() or _asked_in_other_number(term, question):
        return True
    # "A content delivery network (CDN) is ..." answers "What's a CDN?"
    short_names = _SHORT_NAME.findall(subject)
    if short_names:
        asked = set(re.findall(r"[\w+#.-]+", question.lower()))
        if any(name.strip().lower() in asked for name in short_names):
            return True
    words = term.split()
    # a proper name: capitals after the first word, or inside a word (PostgreSQL)
    return any(w[:1].isupper() for w in words[1:]) or any(
        any(c.isupper() for c in w[1:]) for w in words
    )


_SHORT_NAME = re.compile(r"\(([^()]{1,20})\)")


def _asked_in_other_number(term: str, question: str) -> bool:
    """A one-word term asked about in its other number, regular or not: the
    reply's "The mitochondrion is ..." answers "Tell me about the
    mitochondria" (and "bacterium" / "bacteria", "analysis" / "analyses")."""
    if " " in term:
        return False
    return any(same_noun(term, word) for word in words_of(question))


def _asks_about(term: str, question: str) -> bool:
    """The question asks what something is and names a word of ``term``."""
    if not _ASKS_WHAT.search(question):
        return False
    asked = {w.lower() for w in words_of(question)}
    return any(w.lower() in asked for w in term.split() if len(w) > 3)


def _defines(
    cop: str,
    rest: str,
    emphasised: bool,
    asked: bool = False,
    asked_what: bool = False,
    asked_about: bool = False,
) -> float:
    """How surely ``<cop> <rest>`` defines (0 = not at all).

    ``asked``: the user's message names the term; ``asked_what``: it also asks
    what the term is ("What is a CPU cache?"); ``asked_about``: it asks what
    a word of the term is or means ("What does idempotent mean?" for the
    term "idempotent operation")."""
    words = rest.split()
    if len(words) < 3:
        return 0.0
    first = words[0].lower().strip("*_`")
    second = words[1].lower().strip("*_`,") if len(words) > 1 else ""
    if second in ("=", "≈"):
        return 0.0  # "The area of a circle is A = πr²": a formula, not "a ..."
    if cop.startswith(("refer", "mean", "stands", "is defined", "are defined")):
        return 0.95
    if asked_about and _ONE_THAT.match(rest):
        return 0.85  # "An idempotent operation is one that has the same effect ..."
    if first in ARTICLES:
        if asked_what and second in _DESCRIPTIVE and _names_a_kind(words[1:]):
            return 0.85  # "A CPU cache is a small, fast memory ...", asked about
        # "an incredibly important action", "a global one": evaluations, not kinds
        if second in EVALUATIVE or second in _NOT_A_KIND or second.endswith("ly"):
            return 0.0
        if "one" in (w.lower().strip(",.") for w in words[1:4]):
            return 0.0
        return 0.9
    if first in {"when", "where"}:
        return 0.85
    if first in _NOT_DEFINING or first.endswith(("ly", "ed", "er")) or first in EVALUATIVE:
        return 0.0
    # "Sympathy is feeling concern for ...", asked what it is: an activity
    # named by a gerund and its object (not "is restarting your pod")
    if (
        asked_what
        and cop in ("is", "are")
        and first.endswith("ing")
        and second.isalpha()
        and not second.endswith("ly")
        and second not in _NO_OBJECT
    ):
        return 0.75
    # "**Baking soda** is pure sodium bicarbonate": only for an emphasised term
    if emphasised:
        return 0.75
    # "Embeddings are dense vectors that ...", answering "What are embeddings?":
    # a plural kind, named by a plural noun that a relative clause or a
    # preposition may follow (not "are useful for", "are learned")
    if asked and cop == "are" and not first.endswith("ing") and _PLURAL_KIND.match(rest):
        return 0.8  # ("are chirping in the trees" is what they do, not what they are)
    return 0.0


# words that cannot start a gerund's object ("is restarting your pod")
_NO_OBJECT = ARTICLES | DETERMINERS | PRONOUNS | PREPOSITIONS
# Adjectives that describe rather than judge: after them a definition names
# its kind ("a small, fast memory"), where an opinion names none ("a small
# price to pay") or a vague one ("a popular choice")
_DESCRIPTIVE = frozenset(
    {"small", "big", "huge", "simple", "powerful", "popular", "common", "standard", "classic"}
    | {"typical", "fast", "lightweight", "large", "tiny", "free", "open-source", "strong"}
)


_ASKS_WHAT = re.compile(
    r"\b(?:what(?:'s| is| are| was| were)|define|definition of|meaning of|explain|tell me about|"
    r"who (?:is|was)|what do(?:es)? [^?]{1,60}\bmean)\b",
    re.IGNORECASE,
)
# "X is one that ...": a definition by what the thing does, when asked about
_ONE_THAT = re.compile(r"^one (?:that|which|who|whose|where|in which|with)\b", re.IGNORECASE)
# nouns that judge what they follow rather than name its kind
_JUDGED = word_list("definition_judged", __package__)


def _names_a_kind(words: list[str]) -> bool:
    """Whether descriptive adjectives ("small, fast") lead to a noun of a kind
    that the phrase goes on to describe ("memory located close to ...")."""
    for i, raw in enumerate(words):
        w = raw.lower().strip("*_`,")
        if w in _DESCRIPTIVE or w in EVALUATIVE or w == "and" or raw.endswith(","):
            continue
        return (
            w.isalpha()
            and w not in VAGUE_NOUNS
            and w not in _NOT_A_KIND
            and w not in _NOT_DEFINING
            and w not in _JUDGED
            and i + 1 < len(words)  # "a small price" ends; a kind is described further
        )
    return False


_PAIR = re.compile(r"\b(?:and|or)\b|&", re.I)
_PLURAL_KIND = re.compile(
    r"^(?:[\w-]+\s+){0,3}?[\w-]{3,}s\b"
    r"(?=\s+(?:that|which|who|whose|where|of|for|with|in|from|on|[a-z]+ed|built|made|known|called|written|found|held|kept|"
    # a size or degree that measures the kind: "particles less than 5 mm long"
    r"less|more|smaller|larger|bigger|under|over|up to|between)\b"
    r"|\s*[,.;]|\s*$)"
)


# Creative requests: "Loneliness is a vast, empty desert" answers a request
# for a metaphor; it defines nothing.
_CREATIVE = re.compile(
    r"\b(?:metaphors?|similes?|poems?|haikus?|stor(?:y|ies)|lyrics|song|jokes?|slogans?|tweets?|"
    r"persuasive|fictional|fiction|character|dialogue|limerick|rap)\b",
    re.IGNORECASE,
)
_CREATIVE = lead(_CREATIVE)  # the same matches, tried only where one can begin


# A field or a contrast before the term ("In CSS, padding refers to ...",
# "In contrast, an interpreter is ..."); not a summing-up, which evaluates
# ("In conclusion, remote work is the future").
_FRONTED = re.compile(
    r"^(?!in (?:summary|conclusion|short|sum|the end|total|all)\b)"
    r"(?:in (?:[\w-]+ ){0,2}[\w-]+|simply put|put simply|basically|technically|formally|"
    r"by contrast|on the other hand|however|similarly|likewise),\s+(?=\S)",
    re.IGNORECASE,
)
# a connective links to the sentence before; the definition stands alone without it
_CONNECTIVE = re.compile(
    r"^(?:in contrast|by contrast|on the other hand|however|similarly|likewise),\s+(?=\S)",
    re.IGNORECASE,
)


def _mine(memory: EnrichedMemory) -> Iterator[Pattern]:
    question = memory.user_input
    seen: set[str] = set()
    last = memory.reply_doc.last_sentence()
    for block in memory.reply_doc.prose():
        for sentence in block.sentences:
            if sentence is last and not ends_complete(sentence.plain):
                continue  # the reply was cut off mid-sentence
            # "In thermodynamics, entropy is ...": the field is no part of the term
            m = _COPULA.match(_FRONTED.sub("", sentence.text, count=1))
            if not m:
                continue
            found = _term(m.group("subj"), question)
            if found is None:
                continue
            term, emphasised = found
            rest = strip_inline(m.group("rest"))
            # a term named only in part ("idempotent" for "idempotent operation")
            # is salient only for the "is one that" form: the question's words
            # are looked at only for that form
            about = _ONE_THAT.match(rest) is not None and _asks_about(term, question)
            if not _salient(term, emphasised, question, m.group("subj")) and not about:
                continue
            # one asked-about thing ("A and B are two kinds of ..." defines neither)
            asked = term.lower() in question.lower() and not _PAIR.search(term)
            asked_what = asked and bool(_ASKS_WHAT.search(question))
            sureness = _defines(
                m.group("cop"),
                rest,
                emphasised,
                asked=asked,
                asked_what=asked_what,
                asked_about=about,
            )
            if not sureness or term.lower() in seen:
                continue
            seen.add(term.lower())
            definition = _CONNECTIVE.sub("", sentence.plain, count=1)
            if definition != sentence.plain and definition.split(None, 1)[0].islower():
                definition = definition[:1].upper() + definition[1:]  # not "iPhone"
            if definition.endswith(":"):
                definition = definition[:-1].rstrip() + "."
            yield make_pattern(
                memory,
                TYPE,
                {"term": term, "definition": definition},
                certainty=sureness,
                evidence=sentence.text,
                asked=asked_what or about,
            )


def build(pattern: Pattern, config: SynthesisConfig) -> Iterator[TrainingExample]:
    if pattern.asked:  # the user asked for it: the whole exchange is the example
        yield whole_answer(pattern, config)
        return
    term, definition = pattern.content["term"], pattern.content["definition"]
    verb = (
        "are"
        if term.lower().endswith("s") and not term.isupper() and not term.lower().endswith("ss")
        else "is"
    )
    # keep the sentence's own article: "What is the Red Cross?", "What is a data frame?"
    lead = definition.split(None, 1)[0].lower() if definition else ""
    article = f"{lead} " if lead in ("a", "an", "the") else ""
    question = pattern.origin.question if pattern.origin is not None else ""
    yield make_example(
        pattern, config, f"What {verb} {article}{_as_in_text(term, question)}?", definition
    )


def _as_in_text(term: str, question: str) -> str:
    """The term without the capital it got from starting a sentence
    ("Human digestion" -> "human digestion"), unless it is a name."""
    words = term.split()
    first = words[0]
    if not (first[:1].isupper() and first[1:].islower() and all(w.islower() for w in words[1:])):
        return term
    # written with its capital inside the user's question: a name ("Python")
    idx = question.find(term)
    if idx > 0 and question[idx - 1] in " \"'(`*":
        return term
    return first[:1].lower() + term[1:]


class DefinitionMiner(ExchangeMiner[Pattern]):
    """Sentences that say what a named thing is; it reads no exchange whose
    request is for creative writing (a story's "X is Y" defines nothing)."""

    name = TYPE

    def wants(self, exchange: Exchange) -> bool:
        return _CREATIVE.search(exchange.user_input[:2000]) is None

    def mine(self, memory: EnrichedMemory) -> Iterator[Pattern]:  # type: ignore[override]
        return _mine(memory)


MINER = DefinitionMiner()


def mine(memory: EnrichedMemory) -> Iterator[Pattern]:
    """The definition patterns of one exchange (the miner, called as a function)."""
    return MINER(memory)


@hookimpl
def register_miners(register):
    register(Miner(TYPE, MINER, description="sentences that say what a named thing is"))


@hookimpl
def register_example_builders(register):
    register(ExampleBuilder(TYPE, build, description='"What is X?" -> the defining sentence'))
