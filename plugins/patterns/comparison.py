"""comparison: the exchange contrasts two named things.

Found from the user's request ("A vs B", "difference between A and B",
"compare A and B", "A instead of B", "Should I use A or B?"), kept only when
the reply names both; or from a reply that weighs two things in paragraphs
of their own ("A list keeps ... / A set is built ...") when the question
names both and contrasts them ("but", "than", "while").  Content: ``item_a``, ``item_b`` (short names, never
clauses) and ``comparison`` (the reply's contrasting text).
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
from loomcore.text.clauses import asked_thing
from loomcore.text.lexicon import (
    COMMON_WORDS,
    DETERMINERS,
    IMPERATIVE_VERBS,
    PREPOSITIONS,
    PRONOUNS,
    same_noun,
    word_list,
)
from loomcore.text.regex import lead
from loomcore.text.sentences import normalise_space, split_sentences, strip_inline
from loomcore.text.smalltalk import is_courtesy

TYPE = "comparison"
MAX_ITEM_WORDS = 5

_FORMS: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"\bdifferences? between (?P<a>.+?) and (?P<b>.+)", re.I), 0.95),
    (
        re.compile(
            r"\b(?:torn|deciding|choosing|debating|undecided) between (?P<a>.+?) and (?P<b>.+)",
            re.I,
        ),
        0.85,
    ),
    (
        re.compile(r"\bcompare and contrast (?P<a>.+?) (?:and|with|to|against) (?P<b>.+)", re.I),
        0.95,
    ),
    (re.compile(r"^(?P<a>.+?)\s+(?:vs\.?|versus)\s+(?P<b>.+)", re.I), 0.95),
    (re.compile(r"\bcompare (?P<a>.+?) (?:and|with|to|against) (?P<b>.+)", re.I), 0.95),
    (re.compile(r"\bhow (?:is|are|does|do) (?P<a>.+?) differ(?:ent)? from (?P<b>.+)", re.I), 0.9),
    (
        re.compile(
            r"\bhow (?:does|do|did|would) (?P<a>.+?) (?:compare|stack up) (?:with|to|against) (?P<b>.+)",
            re.I,
        ),
        0.9,
    ),
    (re.compile(r"\bhow (?:is|are) (?P<a>.+?) compared (?:with|to) (?P<b>.+)", re.I), 0.9),
    (re.compile(r"^(?P<a>.+?) instead of (?P<b>.+)", re.I), 0.85),
)
# "A or B" compares only in a question or a choice ("Should I use A or B?"),
# not in a statement ("if we wait for some other person or some other time").
_OR_FORM = re.compile(r"^(?P<a>.+?),?\s+or\s+(?P<b>.+)", re.I)
# A request that compares is short; longer sentences are not scanned.
MAX_SENTENCE = 1000
_CHOICE_START = re.compile(
    r"^(?:should|shall|which|what|is|are|do|does|would|can|could|will|when|where|why|how|"
    r"determine which|decide|choose|pick)\b",
    re.I,
)
# "the health benefits of kiwi": the compared thing is kiwi
_ASPECT_OF = re.compile(
    r"^(?:the\s+)?(?:[\w-]+\s+)?(?:benefits?|properties|features?|advantages?|disadvantages?|pros and cons|"
    r"costs?|effects?|history|uses?|characteristics|roles?|impacts?|differences?|similarities|performance)"
    r"\s+of\s+(?P<thing>.+)$",
    re.I,
)
_CUT_RIGHT = re.compile(
    r"\s+(?:for|in|on|when|if|to|with|that|which|because|as|at|from|so|since|while|given)\s|[,;:?!]|"
    r"(?<!\w)\(|\)(?=\s|$)|\.(?=\s|$)|"
    r"\s[—–-]+\s"  # "A vs B — which should I use?": a dash ends the name
)
_SKIP_LEFT = (
    COMMON_WORDS
    | IMPERATIVE_VERBS
    | PRONOUNS
    | PREPOSITIONS
    | word_list("comparison_skip_left", __package__)
)
_NOT_ITEMS = PREPOSITIONS | word_list("comparison_not_items", __package__)
# a bracket right after a letter or digit is part of the name ("401(k)")
_PAREN = re.compile(r"(?<![\w)])\s*\([^)]*\)|\s+\([^)]*\)")


def _skip_lead(words: list[str], first: bool) -> list[str]:
    """Drop the question's own words before the compared name ("Should I use a ...").

    A capitalised word after the first ("LEFT JOIN") is a name, not a function
    word; a verb that a boundary follows ("a list in Python") is the name.
    """
    i = 0
    while i < len(words):
        if re.fullmatch(r"`[^`]+`", words[i]):
            break  # code is a name ("`is`"), whatever word it spells
        w = words[i].strip("`*\"'")
        low = w.lower()
        if low not in _SKIP_LEFT:
            break
        if (i > 0 or not first) and w[:1].isupper() and w != "I":
            break
        nxt = words[i + 1].lower() if i + 1 < len(words) else ""
        after = words[i + 2].lower() if i + 2 < len(words) else ""
        # "a list in Python": the verb-looking word is the name; "pay off my
        # card": a phrasal verb, skipped with its particle
        phrasal = nxt in PREPOSITIONS and (after in DETERMINERS or after in PRONOUNS)
        if (
            low in IMPERATIVE_VERBS
            and low not in COMMON_WORDS
            and (not nxt or nxt in PREPOSITIONS)
            and not phrasal
        ):
            break
        i += 1
    return words[i:]


def _left_item(text: str) -> str:
    text = _PAREN.sub("", strip_inline(text))
    # the clause just before "or"/"vs": after the last comma or sentence break
    clause = re.split(r"[,;:]\s", text)[-1]
    item = " ".join(_skip_lead(clause.split(), first=True)).strip(" .?!")
    if " between " in item:
        item = item.rsplit(" between ", 1)[1]
    m = _ASPECT_OF.match(item)
    if m:
        return m.group("thing")
    # "the culinary traditions of France" against "Italy": the thing is France
    head, of, thing = item.rpartition(" of ")
    return thing if of and thing[:1].isupper() and not head[:1].isupper() else item


def _right_item(text: str) -> str:
    text = _PAREN.sub("", strip_inline(text))
    text = " ".join(_skip_lead(text.split(), first=False))
    m = _CUT_RIGHT.search(" " + text + " ")
    if m:
        text = (" " + text + " ")[: m.start()]
    return text.strip(" .?!")


def _valid(item: str) -> bool:
    words = item.split()
    if not words or len(words) > MAX_ITEM_WORDS:
        return False
    if re.fullmatch(r"`[^`]+`", item):
        return True  # code names its thing exactly: "`==` and `is`"
    low = [w.lower() for w in words]
    if not any(c.isalpha() for c in item) or any(c in item for c in '"“”'):
        return False
    return (
        low[0] not in _NOT_ITEMS
        and low[-1] not in _NOT_ITEMS
        and not all(w in COMMON_WORDS for w in low)
    )


def _content_words(item: str) -> list[str]:
    return [w for w in re.findall(r"[\w+#/-]+", item.lower()) if w not in COMMON_WORDS]


def _mentions(reply: str, item: str, other: str = "") -> bool:
    """Whether the reply names ``item``, by its head noun; when both items
    share that head ("standing desk", "regular desk"), by the word that tells
    this one apart."""
    words = _content_words(item)
    others = _content_words(other)
    if len(words) > 1 and others and words[-1] == others[-1]:
        own = [w for w in words[:-1] if w not in others]
        if own:
            return any(re.search(rf"\b{re.escape(w)}", reply) for w in own)
    head = words[-1] if words else item.lower()
    stem = head[:-1] if head.endswith("s") and len(head) > 3 else head
    # "bacterium" is named by a reply about "bacteria"
    return stem in reply or any(same_noun(head, w) for w in re.findall(r"[a-z]{5,}", reply))


def _parallel_to(a: str, raw_b: str) -> str:
    """ "A or B" joins like with like: when B is "in Postgres", A is what
    follows the same preposition ("store sessions in Redis" -> "Redis")."""
    words = raw_b.split()
    prep = words[0].lower() if words else ""
    if prep not in PREPOSITIONS or f" {prep} " not in f" {a.lower()} ":
        return a
    at = f" {a.lower()} ".rindex(f" {prep} ")
    rest = " ".join(_skip_lead(a[at + len(prep) :].split(), first=False))
    return rest or a


def _referent(question: str) -> str:
    """What "it" stands for in "What is a Roth IRA and how is it different from ...?"."""
    thing = asked_thing(question)
    return _right_item(thing) if thing else ""


def items_of(question: str) -> tuple[str, str, float] | None:
    """The two compared things named by the user's message, if it asks to compare."""
    sentences = [
        s for line in question.splitlines() for s in split_sentences(normalise_space(line))
    ]
    for sentence in sentences:
        if len(sentence) > MAX_SENTENCE:
            continue
        forms = list(_FORMS)
        if sentence.rstrip().endswith("?") or _CHOICE_START.match(sentence):
            forms.append((_OR_FORM, 0.8))
        for form, sureness in forms:
            m = form.search(sentence)
            if not m:
                continue
            raw_a, raw_b = m.group("a"), m.group("b")
            if raw_a.split() and raw_a.split()[-1].lower() in _NOT_ITEMS:
                return None  # "cardio before or after lifting": not two things
            a, b = _left_item(raw_a), _right_item(raw_b)
            if raw_a.strip().lower() in ("it", "they"):
                a = _referent(question) or a
            a = _parallel_to(a, raw_b)
            # "machine and deep learning": the head noun belongs to both
            b_words = b.split()
            # (not "in a bank or in index funds": a preposition heads each item)
            b_bare = (
                raw_b.split()[0].lower() not in ("a", "an", "the", *PREPOSITIONS)
                if raw_b.split()
                else False
            )
            if (
                len(a.split()) == 1
                and len(b_words) == 2
                and a.islower()
                and b_bare
                and a != b_words[-1].lower()
            ):
                a = f"{a} {b_words[-1]}"
            if _valid(a) and _valid(b) and a.lower() != b.lower():
                return a, b, sureness
    return None


# a paragraph that opens on its subject: "A list keeps ...", "The set is ..."
_OPENING = re.compile(r"^(?:an?|the)\s+([a-z][\w+#-]*)\s", re.I)
_CONTRAST = re.compile(
    r"\b(?:but|while|whereas|unlike|versus|vs|than|in contrast|by contrast|on the other hand)\b",
    re.I,
)
_CONTRAST = lead(_CONTRAST)  # the same matches, tried only where one can begin


def _words_of(text: str) -> set[str]:
    """The question's words, identifiers split at underscores, plurals as singulars."""
    words = set()
    for w in re.findall(r"[a-z0-9+#-]+", text.lower().replace("_", " ")):
        words.add(w)
        if w.endswith("s") and len(w) > 3:
            words.add(w[:-1])
    return words


def parallel_items(memory: EnrichedMemory) -> tuple[str, str] | None:
    """Two things a reply weighs against each other in paragraphs of their own
    ("A list keeps ... / A set is built ..."), both named in a question that
    contrasts them ("... slow for lists but ... fast for sets?")."""
    if not _CONTRAST.search(memory.user_input):
        return None
    asked = _words_of(strip_inline(memory.user_input))
    heads: list[str] = []
    for block in memory.reply_doc.blocks:
        if block.kind not in ("paragraph", "item") or not block.sentences:
            continue
        m = _OPENING.match(block.sentences[0].plain)
        head = m.group(1).lower() if m else ""
        # the question names both: that is what makes them the compared things
        if head and head in asked and head not in _NOT_ITEMS and head not in heads:
            heads.append(head)
            if len(heads) == 2:
                return heads[0], heads[1]
    return None


def comparison_text(memory: EnrichedMemory) -> str:
    """The reply's prose and tables, without code and courtesy."""
    parts = []
    for block in memory.reply_doc.blocks:
        if block.kind == "table":
            parts.append(block.text)
        elif block.kind in ("paragraph", "item", "heading"):
            kept = [s.plain for s in block.sentences if not is_courtesy(s.plain)]
            if kept:
                prefix = "- " if block.kind == "item" else ""
                parts.append(prefix + " ".join(kept))
    return "\n".join(parts)


def mine(memory: EnrichedMemory) -> Iterator[Pattern]:
    found = items_of(memory.user_input)
    if not found:
        pair = parallel_items(memory)
        if not pair:
            return
        found = (*pair, 0.75)
    a, b, sureness = found
    reply = strip_inline(memory.system_output).lower()
    if not (_mentions(reply, a, b) and _mentions(reply, b, a)):
        return
    text = comparison_text(memory)
    if len(text.split()) < 8:
        return
    yield make_pattern(
        memory,
        TYPE,
        {"item_a": a, "item_b": b, "comparison": text},
        certainty=sureness,
        evidence=memory.user_input,
        # both compared things come from the question: it asked for this
        asked=True,
    )


def build(pattern: Pattern, config: SynthesisConfig) -> Iterator[TrainingExample]:
    if pattern.asked:  # the user asked for it: the whole exchange is the example
        yield whole_answer(pattern, config)
        return
    c = pattern.content
    yield make_example(
        pattern, config, f"Compare {c['item_a']} and {c['item_b']}.", c["comparison"]
    )


@hookimpl
def register_miners(register):
    register(Miner(TYPE, mine, description="two named things the exchange contrasts"))


@hookimpl
def register_example_builders(register):
    register(ExampleBuilder(TYPE, build, description='"Compare A and B." -> the contrasting text'))
