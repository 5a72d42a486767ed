"""causal: an explicit cause-and-effect statement.

Markers: "X causes / can cause / leads to / results in Y", "Y is caused by
X", "Y because (of) X", "Y due to X", "X, which causes Y", and "If X, (then)
Y" where Y is a consequence (not advice: "If you need X, use Y" is not
causal).  "so", "since", "when" and "even if" are not causal markers here.
Each marker gives at most one pattern; cause and effect are clauses trimmed
at clause boundaries.  Content: ``cause``, ``effect``.
"""

from __future__ import annotations

import itertools
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
from loomcore.text.clauses import (
    WINDOW,
    clause_after,
    clause_before,
    main_clause,
    tidy,
    without_setting,
)
from loomcore.text.lexicon import (
    ARTICLES,
    AUXILIARIES,
    COMMON_WORDS,
    CONJUNCTIONS,
    COPULAS,
    DETERMINERS,
    GENERAL_SUBJECTS,
    HEDGES,
    PREPOSITIONS,
    PRONOUNS,
    starts_imperative,
    word_list,
)
from loomcore.text.mining import MarkerMiner
from loomcore.text.question import Question
from loomcore.text.sentences import ends_complete

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
            # a hedge between copula and marker belongs to the marker:
            # "is mainly caused by", "are often caused by", "can be caused by"
            r"\s+(?:is|are|was|were|can be|may be)\s+(?:(?:often|usually|mostly|mainly|largely|"
            r"primarily|typically|generally|commonly|frequently|sometimes|partly|also|most often)\s+)?"
            r"caused\s+(?:(?:mainly|mostly|largely|primarily|partly|chiefly|usually|often)\s+)?by\s+",
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
    | AUXILIARIES
    | {"latter", "former"}
)
# A clause cut just before a marker cannot end on one of these ("X but",
# "diseases that can be", "the most common"): the cut is in the wrong place.
_DANGLING_END = (
    ARTICLES
    | PREPOSITIONS
    | CONJUNCTIONS
    | AUXILIARIES
    | word_list("causal_dangling_end", __package__)
)
# pronouns that can close a gerund subject ("Ignoring them leads to ...")
_GERUND_OBJECTS = word_list("causal_gerund_objects", __package__)
# a clause that opens with a subordinator is not the main clause ("While
# technology often leads to ...": the cause is not "While technology")
_BAD_START = PREPOSITIONS | word_list("causal_bad_start", __package__)
# a clause that holds a causal marker of its own is two links, not one clause
# ("the most common cause of X" names a cause; it is no marker)
_NESTED = re.compile(
    r"\b(?:causes?(?! of\b)|caused|leads? to|led to|results? in|because|due to)\b", re.IGNORECASE
)
# "X refers to Y because Z": the clause defines, it is no effect
_DEFINING = re.compile(r"\b(?:refers? to|means|is defined as|stands for)\b", re.IGNORECASE)
_MARKER_WORDS = ("caus", "lead", "led to", "result", "because", "due to")
_LEADING_BECAUSE = re.compile(
    r"^(?:because of|because|due to)\s+(?P<cause>[^,]{3,300}),\s*(?P<effect>.+)$", re.I
)
_IF = re.compile(r"(?:^|[:;]\s+)(?:so\s+|and\s+|but\s+)?if\s+(?P<body>.+)$", re.I)
_ADVICE = re.compile(
    r"^(?:you (?:can|could|should|might|may|need|want|must)|you(?:'ll| will|'d| would) (?:need|want|have to)|i'?d|i would|i recommend|consider|try|"
    r"make sure|it'?s (?:best|better|worth)|please|let|just)\b",
    re.I,
)
_MAIN_CLAUSE_START = ARTICLES | DETERMINERS | PRONOUNS | frozenset({"there"})


# degree words that, with "-ly" adverbs, only hedge the clause they lead
_HEDGES = HEDGES
_ONE_WORD_NOT = frozenset(
    {"yes", "no", "so", "then", "now", "also", "too", "here", "there", "this"}
    | {"nothing", "something", "anything", "everything"}
)


def _ok(clause: str, cut_before: bool) -> bool:
    """A self-contained clause: a few words, some content, cut at a clean place.

    ``cut_before``: the clause was cut just before the marker, so its last
    word must be able to end a clause.
    """
    words = [w.strip("`*\"'(),.").lower() for w in clause.split()]
    words = [w for w in words if w]
    if not words or len(words) > MAX_CLAUSE_WORDS:
        return False
    # one word is a clause only as a noun that names something ("Inflation is
    # caused by ...", the gerund "Overwatering leads to ...", "... can cause
    # inflation"), never an adverb or a verb left over from a cut
    if (
        len(words) == 1
        and (
            words[0].endswith(("ly", "ed"))
            or words[0] in _ONE_WORD_NOT
            # "under-proofing" is a word; "3.5" or "~" is not
            or not words[0].replace("-", "").isalpha()
            # before the marker, a sentence's subject ("Stress causes"), not a
            # list's tail ("diet and stress cause")
            or (cut_before and not clause.lstrip("`*\"'(")[:1].isupper())
        )
    ):
        return False
    if not any(w.replace("-", "").isalpha() for w in words):
        return False  # "9 + 16 = 25": a sum checks a fact; it is no clause
    if all(w in _FUNCTION or w in _HEDGES or w.endswith("ly") for w in words):
        return False  # "This is", "Most likely", "Partly": no content of its own
    if words[0] in _BAD_START or _DEFINING.search(clause) or _NESTED.search(clause):
        return False
    if cut_before and words[-1] in _GERUND_OBJECTS and len(words) > 1 and words[-2].endswith("ing"):
        return True  # "Breaking it can result in ...": the pronoun is the gerund's object
    return not (cut_before and words[-1] in _DANGLING_END)


# "results in memory", "results in practice": the noun "results" and an
# idiom, where "results in <one word>" would otherwise read as the marker
_IN_IDIOMS = frozenset(
    {"memory", "practice", "production", "general", "theory", "particular", "total", "turn"}
    | {"time", "place", "order", "fact", "short", "part", "parallel", "sequence", "advance"}
    | {"detail", "full", "mind", "context", "cache", "storage", "use", "progress", "isolation"}
)


_JOIN = re.compile(r",\s+(?:and|but|or|while)\s+", re.IGNORECASE)


def _before_next_link(effect: str) -> str:
    """An effect that runs on into the sentence's next causal link ("coughing
    and chest pain, and high exposure can lead to ...") ends at the comma
    that joins the two."""
    nested = _NESTED.search(effect)
    if nested is None:
        return effect
    joins = [m.start() for m in _JOIN.finditer(effect, 0, nested.start())]
    return effect[: joins[-1]] if joins else effect


# the causal verbs, not "caused by" (a marker of its own) nor the noun "cause of"
_FORWARD = re.compile(r"\b" + _VERBS + r"\s+(?!by\b|of\b)", re.IGNORECASE)


def _caused(effect: str) -> str:
    """An effect cut before "because" that is itself a causal link ("Opening
    the door can cause the cake to fall, because ..."): what "because"
    explains is the link's own effect, "the cake to fall"."""
    ends = [m.end() for m in _FORWARD.finditer(effect)]
    return effect[ends[-1] :] if ends else effect


_TAIL_HEDGES = _HEDGES | {"often", "sometimes", "also", "all", "partly", "mainly", "mostly"}
_COPULAS = COPULAS


def _trim_tail(effect: str) -> str:
    """An effect cut before "because" / "due to" without the hedge and copula
    that lead into the marker: "Bread goes stale mainly" -> "Bread goes
    stale", "Slowdowns are usually" -> "Slowdowns"."""
    words = effect.split()
    while len(words) > 1 and (
        words[-1].lower() in _TAIL_HEDGES or words[-1].lower().endswith("ly")
    ):
        words.pop()
    if len(words) > 1 and words[-1].lower() in _COPULAS:
        words.pop()
    return " ".join(words)


# "If you need Windows, the ThinkPad is a good fit": a condition on what the
# reader wants or needs sets up advice, not a consequence
_WANTS = re.compile(
    r"^you(?:'d| would)? (?:need|want|prefer|like|care about|are looking for|plan to|'re looking for)\b",
    re.IGNORECASE,
)


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
        if _ADVICE.match(rest) or starts_imperative(rest) or _WANTS.match(cond):
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
                cause = main_clause(without_setting(clause_before(before)))
                effect = _before_next_link(clause_after(after))
                if m.group(0).rstrip().lower().endswith(" in") and effect.lower() in _IN_IDIOMS:
                    continue  # "keeps intermediate results in memory": a noun, not the verb
                if _ok(cause, cut_before=True) and _ok(effect, cut_before=False):
                    yield cause, effect, 0.9
            else:
                effect = _trim_tail(main_clause(without_setting(clause_before(before))))
                if m.group(0).startswith(",") and "because" in m.group(0).lower():
                    # ", because" explains the whole clause before its comma
                    effect = _caused(effect)
                cause = clause_after(after)
                if _ok(effect, cut_before=True) and _ok(cause, cut_before=False):
                    yield cause, effect, 0.9
    # _IF needs "if"; in a text of ASCII only, only its two cases match it
    # (IGNORECASE also folds "İ" and "ı" to "i", which lower() does not)
    found = _if_pattern(text) if "if" in low or not low.isascii() else None
    if found and _ok(found[0], cut_before=False) and _ok(found[1], cut_before=False):
        yield found[0], found[1], 0.8


class CausalMiner(MarkerMiner[Pattern]):
    """Explicit cause-and-effect statements.  Every marker of ``_MARKERS``,
    ``_LEADING_BECAUSE`` and ``_IF`` holds one of these words, so a reply without them is not read at all
    (the toolkit's one marker scan per exchange decides)."""

    name = TYPE
    markers = (
        "cause",
        "causes",
        "caused",
        "lead",
        "leads",
        "led",
        "result",
        "results",
        "resulted",
        "because",
        "due",
        "if",  # "If you keep lifting the same weight, your progress will stall"
    )

    def mine(self, memory: EnrichedMemory) -> Iterator[Pattern]:  # type: ignore[override]
        return mine(memory)


def mine(memory: EnrichedMemory) -> Iterator[Pattern]:
    """The causal patterns of one exchange, read sentence by sentence."""
    seen: set[tuple[str, str]] = set()
    asked = Question.of(memory.user_input).asks_why
    last = memory.reply_doc.last_sentence()
    for block in memory.reply_doc.prose():
        for sentence in block.sentences:
            text = sentence.plain
            if sentence is last and not ends_complete(text):
                continue  # the reply was cut off mid-sentence
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
                    asked=asked,
                )


# possessives that start sentences without being names
_COMMON_OWNERS = word_list("causal_common_owners", __package__)


def _lower_first(text: str) -> str:
    """``text`` without the capital it got from opening its sentence; a
    name's possessive keeps it ("Napoleon's reforms", not "today's")."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        first = text.split(None, 1)[0]
        stem = re.sub(r"['’]s$", "", first).lower()
        if stem != first.lower() and stem not in COMMON_WORDS and stem not in _COMMON_OWNERS:
            return text
        return text[0].lower() + text[1:]
    return text


_EFFECT_FIRST = re.compile(r"\b(?:because|due to|caused by)\b", re.IGNORECASE)
# a question about "it" or "they" cannot be understood without the reply;
# "you" is the generic reader and stays ("What happens if you ...?")
_REFERS_BACK = word_list("causal_refers_back", __package__)
_AUX = AUXILIARIES
_OPENER = re.compile(
    r"^(?:(?:additionally|also|moreover|furthermore|however|in addition|in fact|similarly|likewise|"
    r"finally|overall|so|and|but|plus)\b,?\s+|[A-Z][\w'’ ,&/-]{0,50}:\s+(?=[A-Z]))",
    re.IGNORECASE,
)


_SUBJECTS = GENERAL_SUBJECTS


def _is_clause(text: str) -> bool:
    """Whether ``text`` has a finite verb ("expired yeast produces less gas")
    or is a noun phrase ("the use of machine learning", "working remotely")."""
    words = text.split()
    if len(words) > 1 and words[0].lower() in _SUBJECTS:
        return True  # "people tend to avoid ...": a subject, so a verb follows
    for i, (prev, word) in enumerate(itertools.pairwise(words)):
        w = word.strip(',.`*"').lower()
        if w in _AUX:
            return True
        plain_verb = word[:1].islower() and len(w) > 3 and w.endswith(("s", "ed")) and "'" not in w
        # a plural noun, not a verb, after a possessive ("Alexander's
        # conquests") or as a preposition's object ("the violation of copyright laws")
        noun = prev.lower().endswith(("'s", "’s")) or (
            i > 0 and words[i - 1].lower() in PREPOSITIONS
        )
        if (
            plain_verb
            and not noun
            and prev.lower() not in DETERMINERS
            and prev.lower() not in PREPOSITIONS
        ):
            return True
    return False


MAX_QUESTION_WORDS = 20


def instruction_for(cause: str, effect: str, evidence: str) -> str | None:
    """A question whose answer is the causal sentence, or None when the
    question could not be understood alone ("Explain why they named it ...")
    or would be a run-on.

    "If X, Y" asks what happens if X; when the effect comes first ("Y
    because X") it asks why Y; when the cause comes first ("X leads to Y") it
    asks what happens when X (a clause) or the effect of X (a phrase).
    """
    ev = evidence.lower()
    at = ev.find(cause.lower()[:30])
    conditional = (
        at > 0 and re.search(r"(?:^|[:;]\s+)(?:so\s+|and\s+|but\s+)?if\s+$", ev[:at]) is not None
    )
    effect_first = not conditional and 0 <= ev.find(effect.lower()[:30]) < at
    asks_about = effect if effect_first else cause
    first = asks_about.split()[0].lower().strip(",`*").split("'")[0].split("’")[0]
    if first in _REFERS_BACK or len(asks_about.split()) > MAX_QUESTION_WORDS:
        return None
    words = [w.strip(",.`*").lower() for w in asks_about.split()]
    if len(words) <= 3 and any(w in _REFERS_BACK for w in words[1:]):
        return None  # "Breaking it": a short phrase has nothing in it for "it" to mean
    if conditional:
        return f"What happens if {_lower_first(cause)}?"
    if effect_first:
        # "Inflation is caused by ...", "a dense loaf, because ...": a thing,
        # not an event, is what the question asks the cause of
        first_word = effect.split()[0].lower()
        if len(effect.split()) == 1 or (
            first_word in ARTICLES | DETERMINERS and not _is_clause(effect)
        ):
            return f"What causes {_lower_first(effect)}?"
        return f"Explain why {_lower_first(effect)}."
    if _is_clause(cause):
        return f"What happens when {_lower_first(cause)}?"
    return f"What is the effect of {_lower_first(cause)}?"


def clean_output(sentence: str) -> str:
    """The causal sentence as an answer: no leading connective or list label."""
    text = _OPENER.sub("", sentence.strip(), count=1)
    return text[:1].upper() + text[1:]


def build(pattern: Pattern, config: SynthesisConfig) -> Iterator[TrainingExample]:
    if pattern.asked:  # the user asked for it: the whole exchange is the example
        yield whole_answer(pattern, config)
        return
    cause, effect = pattern.content["cause"], pattern.content["effect"]
    evidence = pattern.evidence.strip()
    instruction = instruction_for(cause, effect, evidence)
    if instruction is None:
        return
    output = (
        clean_output(evidence) if evidence else f"{effect[:1].upper()}{effect[1:]} because {cause}."
    )
    yield make_example(pattern, config, instruction, output)


@hookimpl
def register_miners(register):
    register(Miner(TYPE, CausalMiner(), description="explicit cause-and-effect statements"))


@hookimpl
def register_example_builders(register):
    register(
        ExampleBuilder(
            TYPE, build, description='"Why ...?" / "What happens if ...?" -> the causal sentence'
        )
    )
