"""The default enricher: entities, relationships, topics, keywords and
reasoning type, from the segmented exchange.

Entities are names and noun phrases ("Thompson Sampling", "PostgreSQL",
"multi-armed bandit"), never sentence-initial function words.  Topics come
from a taxonomy (``taxonomy.toml`` beside this module, replaceable or
extendable with ``LOOMCORE_TAXONOMY``).  Keywords are ranked by frequency,
doubled for words of the question, against a common-word list.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from loomcore import EnrichedMemory, Enricher, ReasoningType, Relationship, check_options, hookimpl
from loomcore.text.lexicon import COMMON_WORDS, IMPERATIVE_VERBS, PRONOUNS, VAGUE_NOUNS
from loomcore.text.regex import lead
from loomcore.text.sentences import strip_inline

MAX_ENTITIES = 10
MAX_QUESTION_ENTITIES = 5
MAX_KEYWORDS = 8
MAX_TOPICS = 3
# Enrichment reads this much of each side: enough for any real exchange, and
# a bound on the work a hostile 1 MB message can cause.
MAX_CHARS = 20_000
MAX_CANDIDATES = 200

_BOLD = re.compile(r"\*\*([^*\n]{1,60})\*\*")
_CODE = re.compile(r"`([^`\n]{1,40})`")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#./'’-]*[A-Za-z0-9+#]|[A-Za-z0-9]")
_CAPS_RUN = re.compile(r"\b(?<![\w-])[A-Z][\w+#-]*(?:\s+(?:of\s+|de\s+)?[A-Z0-9][\w+#-]*){0,4}")
_CAPS_RUN = lead(_CAPS_RUN)  # the same matches, tried only where one can begin
# one pass for words with inner capitals or digits: PostgreSQL, B2B, GPT-4, OAuth.
# The leading \b changes nothing (a word character follows it) but lets sre
# reject most positions before it tries the lookbehind.
_INNER_TOKEN = re.compile(
    r"\b(?<![\w-])(?:[A-Za-z]+[0-9][\w+#-]*|[0-9]+[A-Za-z][\w+#-]*|[a-z]+[A-Z][\w+#-]*|"
    r"[A-Z][a-z]*[A-Z][\w+#-]*)(?![\w-])"
)
_INNER = re.compile(r"[a-z][A-Z]|[A-Za-z]\d|\d[A-Za-z]|^[A-Z]{2,}")
_REL = re.compile(
    r"^(?:(?:a|an|the)\s+)?(?P<subj>[\w][\w /+#.-]{0,40}?)\s+"
    r"(?P<pred>is an?|is the|are|means|refers to|causes|leads to|results in|uses|requires|"
    r"contains|supports|returns|creates|stores|provides|prevents|reduces|increases)\s+"
    r"(?P<obj>[^,;:.!?]{3,80})",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=16)
def taxonomy(extra: str | None = None) -> dict[str, tuple[str, ...]]:
    """topic -> keywords, from the bundled file and ``extra``: the
    ``taxonomy`` option (``[options.default_enricher]``) or ``LOOMCORE_TAXONOMY``."""
    with open(Path(__file__).with_name("taxonomy.toml"), "rb") as fh:
        topics = {k: tuple(v) for k, v in tomllib.load(fh)["topics"].items()}
    if extra:
        with open(extra, "rb") as fh:
            data = tomllib.load(fh)
        if data.get("replace"):
            topics = {}
        for k, v in data.get("topics", {}).items():
            topics[k] = tuple(dict.fromkeys((*topics.get(k, ()), *v)))
    return topics


@functools.lru_cache(maxsize=16)
def _topic_index(
    extra: str | None = None,
) -> tuple[dict[str, tuple[str, ...]], int, frozenset[str]]:
    """keyword (one to a few words, lower case) -> topics; the longest keyword
    in words; and the first words of the keywords of more than one word."""
    index: dict[str, list[str]] = {}
    for topic, words in taxonomy(extra).items():
        for w in words:
            index.setdefault(" ".join(w.lower().split()), []).append(topic)
    longest = max((k.count(" ") + 1 for k in index), default=1)
    starts = frozenset(k.split(" ", 1)[0] for k in index if " " in k)
    return {k: tuple(v) for k, v in index.items()}, longest, starts


# a word of letters, digits and + # / . ' -, without the . ' - it ends with
# (the same words as matching [a-z0-9][a-z0-9+#/.'-]* and stripping them after)
_TOPIC_TOKEN = re.compile(r"[a-z0-9](?:[a-z0-9+#/.'-]*[a-z0-9+#/])?")


def _topic_hits(text: str, extra: str | None = None) -> Counter[str]:
    """How often each topic's keywords occur in ``text`` (one pass over its words)."""
    index, longest, starts = _topic_index(extra)
    words = _TOPIC_TOKEN.findall(text.lower())
    # the words that can hit (a keyword, or the first word of a longer one),
    # found in one set operation: two texts in three have none
    hit = _hit_words(extra).intersection(words)
    found: list[str] = []
    if not hit:
        return Counter(found)
    for i, word in enumerate(words):
        if word not in hit:
            continue
        topics = index.get(word)
        if topics:
            found.extend(topics)
        if word in starts:  # only then can a longer keyword begin here
            for n in range(2, longest + 1):
                topics = index.get(" ".join(words[i : i + n]))
                if topics:
                    found.extend(topics)
    return Counter(found)


@functools.lru_cache(maxsize=16)
def _hit_words(extra: str | None = None) -> frozenset[str]:
    """The keywords of one word and the first words of the longer ones."""
    index, _, starts = _topic_index(extra)
    return frozenset(index) | starts


def topics_of(
    question: str, reply: str, extra: str | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(topics of the exchange, topics of the question alone), with the
    keywords of the taxonomy file ``extra`` added to the bundled ones."""
    in_question = _topic_hits(question, extra)
    scores = _topic_hits(reply, extra)
    for topic, n in in_question.items():
        scores[topic] += 2 * n
    ranked = [t for t, s in sorted(scores.items(), key=lambda x: (-x[1], x[0])) if s >= 2]
    topics = tuple(ranked[:MAX_TOPICS])
    return topics, tuple(t for t in topics if t in in_question)


def _clean(phrase: str) -> str:
    words = phrase.strip(" .,:;!?()[]\"'").split()
    while words and words[0].lower() in COMMON_WORDS:
        words.pop(0)
    while words and words[-1].lower() in COMMON_WORDS:
        words.pop()
    return " ".join(words)


def _sentence_starts(text: str) -> set[int]:
    starts = {0}
    for m in re.finditer(r"[.!?:]\s+|\n\s*(?:[-*+]|\d+[.)])?\s*", text):
        starts.add(m.end())
    return starts


def names(text: str, plain: str | None = None) -> list[str]:
    """Names in ``text``: emphasised spans, short code, capitalised runs,
    words with inner capitals or digits.  Sentence-initial common words
    ("What", "However") are not names.  ``plain`` is the text without
    markdown, when the caller already has it."""
    found: list[str] = []
    for m in _BOLD.finditer(text):
        found.append(m.group(1))
    for m in _CODE.finditer(text):
        if " " not in m.group(1).strip():
            found.append(m.group(1))
    if plain is None:
        plain = to_plain(text)
    starts = _sentence_starts(plain)
    for m in _CAPS_RUN.finditer(plain):
        run = m.group(0)
        words = run.split()
        if m.start() in starts or (m.start() > 0 and plain[m.start() - 1] in "\"'(“"):
            # a capital at a sentence start says nothing: drop common first words
            while words and (
                words[0].lower() in COMMON_WORDS or words[0].lower() in IMPERATIVE_VERBS
            ):
                words.pop(0)
            if len(words) == 1 and not _INNER.search(words[0]) and m.start() in starts:
                continue
        if words:
            found.append(" ".join(words))
    for tok in _INNER_TOKEN.findall(plain):
        if tok.lower() not in COMMON_WORDS:
            found.append(tok)
    return found


def to_plain(text: str) -> str:
    """``text`` without markdown marks, line breaks kept as sentence breaks."""
    return strip_inline(text.replace("\n", " \n "))


def noun_phrases(plain: str) -> list[str]:
    """Runs of one to four content words ("fluffy white rice", "Python project")
    in text without markdown.

    A request's first word ("Summarize", "Differentiate") is its verb, not a name.
    """
    out: list[str] = []
    run: list[str] = []
    starts = _sentence_starts(plain)
    for m in _TOKEN.finditer(plain):
        tok = m.group(0)
        low = tok.lower()
        first_word = m.start() in starts and not _INNER.search(tok)
        # a verb opens no phrase ("cook fluffy rice"), but a noun that is also a
        # verb can end one ("climate change")
        verb_at_start = low in IMPERATIVE_VERBS and not run
        if first_word or verb_at_start or low in COMMON_WORDS or low in PRONOUNS or low.isdigit():
            if run:
                out.append(" ".join(run[-4:]))
            run = []
        else:
            run.append(tok)
    if run:
        out.append(" ".join(run[-4:]))
    return [p for p in out if p.lower() not in VAGUE_NOUNS]


def _dedupe(items: list[str], limit: int) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for item in items[:MAX_CANDIDATES]:
        item = _clean(item)
        key = item.lower()
        if len(item) < 2 or key in COMMON_WORDS or key in seen:
            continue
        # a longer phrase that contains a shorter one already kept replaces it
        if any(key in k for k in seen):
            continue
        for k in [k for k in seen if k in key]:
            del seen[k]
        seen[key] = item
    return tuple(list(seen.values())[:limit])


def entities_of(
    question: str, reply: str, q_plain: str, r_plain: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    question_entities = _dedupe(
        names(question, q_plain) + noun_phrases(q_plain), MAX_QUESTION_ENTITIES
    )
    found = names(reply, r_plain)
    counts = Counter(n.lower() for n in found)
    reply_names = sorted(dict.fromkeys(found), key=lambda n: -counts[n.lower()])
    return _dedupe(list(question_entities) + reply_names, MAX_ENTITIES), question_entities


def keywords_of(q_plain: str, r_plain: str) -> tuple[str, ...]:
    """Words ranked by frequency (question words count double), common words left out."""
    # count every token first (in C), then judge each distinct one once
    counts = Counter(_TOKEN.findall(r_plain.lower()))
    for tok, n in Counter(_TOKEN.findall(q_plain.lower())).items():
        counts[tok] += 2 * n
    for tok in [t for t in counts if len(t) < 3 or t in COMMON_WORDS or t.isdigit()]:
        del counts[tok]
    return tuple(w for w, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:MAX_KEYWORDS])


def relationships_of(memory: EnrichedMemory) -> tuple[Relationship, ...]:
    out: list[Relationship] = []
    for _, sent in memory.reply_doc.sentences():
        m = _REL.match(sent.plain)
        if not m:
            continue
        subj = m.group("subj").strip()
        if (
            subj.lower() in PRONOUNS
            or subj.lower() in VAGUE_NOUNS
            or subj.split()[0].lower() in PRONOUNS
        ):
            continue
        out.append(Relationship(subj, m.group("pred").lower(), m.group("obj").strip()))
        if len(out) >= 10:
            break
    return tuple(out)


# Matched against the lower-cased question: sre runs a case-sensitive pattern
# faster than an IGNORECASE one.
_RT_RULES: tuple[tuple[re.Pattern[str], ReasoningType], ...] = (
    (
        re.compile(r"\b(should (?:i|we)|which (?:is|one|should)|recommend|better)\b"),
        ReasoningType.EVALUATIVE,
    ),
    (
        re.compile(r"\b(difference|vs\.?|versus|compare|compared)\b"),
        ReasoningType.COMPARATIVE,
    ),
    (
        re.compile(r"\b(how (?:do|can|should|to|would)|steps?|set up|install)\b"),
        ReasoningType.PROCEDURAL,
    ),
    (re.compile(r"\b(why|what happens|cause[sd]?)\b"), ReasoningType.CAUSAL),
    (re.compile(r"\b(how (?:many|much|long)|calculate|compute)\b"), ReasoningType.DEDUCTIVE),
    (
        re.compile(r"^(?:what(?:'s| is| are| does)|define|explain|tell me about)\b"),
        ReasoningType.DEFINITIONAL,
    ),
)
_INFERENCE_WORDS = ("therefore", "thus", "hence")
_INFERENCE = re.compile(r"\b(?:therefore|thus|hence)\b")
_ARITHMETIC = re.compile(r"\d\s*[×xX*÷/]\s*\d")


def reasoning_type_of(question: str, reply: str) -> ReasoningType:
    if len(reply.split(None, 12)) < 12 and "?" not in question:  # fewer than 12 words
        return ReasoningType.CONVERSATIONAL
    asked = question.casefold()
    for pat, rt in _RT_RULES:
        if pat.search(asked):
            return rt
    said = reply.casefold()
    # a substring test first: the word search is slow and seldom needed
    if any(map(said.__contains__, _INFERENCE_WORDS)) and _INFERENCE.search(said):
        return ReasoningType.DEDUCTIVE
    if _ARITHMETIC.search(reply):
        return ReasoningType.DEDUCTIVE
    return ReasoningType.FACTUAL


def enrich(memory: EnrichedMemory, taxonomy_file: str | None = None) -> EnrichedMemory:
    """The annotations of one exchange; ``taxonomy_file`` is the run's
    ``taxonomy`` option (``LOOMCORE_TAXONOMY`` overrides it)."""
    extra = os.environ.get("LOOMCORE_TAXONOMY") or taxonomy_file
    question, reply = memory.user_input[:MAX_CHARS], memory.system_output[:MAX_CHARS]
    # markdown is stripped once per side; every annotator reads the same plain text
    q_plain, r_plain = to_plain(question), to_plain(reply)
    entities, question_entities = entities_of(question, reply, q_plain, r_plain)
    topics, question_topics = topics_of(q_plain, r_plain, extra)
    return attrs.evolve(
        memory,
        entities=entities,
        question_entities=question_entities,
        topics=topics,
        question_topics=question_topics,
        keywords=keywords_of(q_plain, r_plain),
        relationships=relationships_of(memory),
        reasoning_type=reasoning_type_of(question, reply),
    )


def enricher_for(options: dict[str, Any]) -> Callable[[EnrichedMemory], EnrichedMemory]:
    """The enrich function for one run's options (``taxonomy``: a TOML file of
    topics), bound by the registry that runs it, so two registries never
    share a taxonomy."""
    check_options(options, ("taxonomy",))
    path = options.get("taxonomy")
    if path is not None and not (isinstance(path, str) and Path(path).is_file()):
        raise ValueError(f"taxonomy: {path!r} is not a file")
    return functools.partial(enrich, taxonomy_file=path)


@hookimpl
def register_enrichers(register):
    register(
        Enricher(
            "default",
            enrich,
            description="entities, relationships, topics, keywords, reasoning type",
            configure=enricher_for,
        )
    )
