"""The records that flow through the pipeline, as attrs classes.

Conversation -> Memory (one user turn and the reply to it) -> EnrichedMemory
-> Pattern -> TrainingExample.  Records are frozen and slotted; a stage that
adds information returns a new record (``attrs.evolve``).
"""

from __future__ import annotations

import enum
import hashlib
import importlib
import re
import weakref
from collections.abc import Callable
from typing import Any

import attrs
import orjson

from loomcore.confidence import combine
from loomcore.pattern_types import coerce
from loomcore.text.segment import Document
from loomcore.text.sentences import split_sentences, strip_inline
from loomcore.text.smalltalk import is_courtesy
from loomcore.text.standalone import (
    dangling_reference,
    leans_on_earlier,
    names_nothing,
    unescape_entities,
    unglue,
    without_no_input_marker,
    without_repeated_input,
)


def stable_id(*parts: Any) -> str:
    """A short, deterministic id from JSON-serialisable parts."""
    blob = orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(blob, digest_size=8).hexdigest()


class ReasoningType(enum.StrEnum):
    """What kind of reasoning an exchange asks for or shows (set by enrichers)."""

    FACTUAL = "factual"
    DEFINITIONAL = "definitional"
    PROCEDURAL = "procedural"
    COMPARATIVE = "comparative"
    CAUSAL = "causal"
    DEDUCTIVE = "deductive"
    EVALUATIVE = "evaluative"
    CONVERSATIONAL = "conversational"


@attrs.frozen
class Source:
    """Where a record came from: file path and position (line or record index)."""

    path: str = "<memory>"
    index: int = 0
    format: str = ""


@attrs.frozen
class Turn:
    """One message of a conversation."""

    role: str  # "user", "assistant" or "system"; tool traffic never becomes a Turn
    content: str
    id: str | None = None
    timestamp: str | None = None


@attrs.frozen
class Conversation:
    """A whole conversation as read from an input file."""

    id: str
    turns: tuple[Turn, ...] = ()
    source: Source = attrs.field(factory=Source)
    metadata: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen
class Memory:
    """One exchange: a user message and the assistant reply to it.

    This is the seed's raw-memory record (``id``, ``text``, ``timestamp``,
    ``importance``, ``metadata.user_input`` / ``metadata.system_output``),
    plus the earlier turns of its conversation (``history``) so that a
    follow-up question can be understood, and its ``source``.
    ``importance`` is ``None`` until a scorer sets it.
    """

    id: str
    text: str = ""
    timestamp: str | None = None
    importance: float | None = None
    metadata: dict[str, Any] = attrs.field(factory=dict, hash=False)
    history: tuple[Turn, ...] = ()
    source: Source = attrs.field(factory=Source)
    conversation_id: str | None = None

    @property
    def user_input(self) -> str:
        return str(self.metadata.get("user_input") or "")

    @property
    def system_output(self) -> str:
        return str(self.metadata.get("system_output") or "")


@attrs.frozen
class Rejected:
    """An input record that could not be read: where it was, why, and its raw text."""

    source: Source
    reason: str
    raw: str = ""


@attrs.frozen
class Relationship:
    """A (subject, predicate, object) triple read from one sentence."""

    subject: str
    predicate: str
    object: str


@attrs.frozen
class EnrichedMemory:
    """A memory with its segmented text and the enrichers' annotations.

    ``user_doc`` and ``reply_doc`` hold the markdown structure of the user
    message and the reply, segmented once so that every miner reads the same
    paragraphs, sentences, list items and code blocks.
    """

    memory: Memory
    user_doc: Document
    reply_doc: Document
    entities: tuple[str, ...] = ()
    question_entities: tuple[str, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    topics: tuple[str, ...] = ()
    question_topics: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    reasoning_type: ReasoningType | None = None

    # The seed's EnrichedMemory exposed the memory's fields directly.
    @property
    def id(self) -> str:
        return self.memory.id

    @property
    def text(self) -> str:
        return self.memory.text

    @property
    def timestamp(self) -> str | None:
        return self.memory.timestamp

    @property
    def importance(self) -> float:
        imp = self.memory.importance
        return 0.5 if imp is None else imp

    @property
    def metadata(self) -> dict[str, Any]:
        return self.memory.metadata

    @property
    def user_input(self) -> str:
        return self.memory.user_input

    @property
    def system_output(self) -> str:
        return self.memory.system_output


@attrs.frozen
class Origin:
    """The exchange a pattern was mined from, as much of it as examples need.

    ``question`` is the user's message and ``answer`` the whole reply without
    its closing courtesy ("Let me know if ..."), both as redacted; ``history``
    the last (user, assistant) pairs before it, back to where its thread
    starts (see ``_thread``), for a follow-up question;
    ``system_prompt`` the conversation's own, if the input had one.
    """

    memory_id: str
    question: str = ""
    answer: str = ""
    history: tuple[tuple[str, str], ...] = ()
    system_prompt: str = ""
    source: Source = attrs.field(factory=Source)
    conversation_id: str | None = None

    @classmethod
    def of(cls, memory: EnrichedMemory) -> Origin:
        """The origin of patterns mined from ``memory``."""
        mem = memory.memory
        return cls(
            memory_id=mem.id,
            question=mem.user_input,
            answer=without_courtesy(mem.system_output, memory.reply_doc),
            history=_thread(mem.history),
            system_prompt=str(mem.metadata.get("system_prompt") or "").strip(),
            source=mem.source,
            conversation_id=mem.conversation_id,
        )


@attrs.frozen
class Pattern:
    """A learnable unit mined from one exchange.

    ``pattern_type`` is a plain string (the seven built-in types compare equal
    to the members of :data:`loomcore.PatternType`); ``content`` holds the
    keys that the type defines; ``evidence`` is the text span it came from;
    ``certainty`` is the miner's own certainty and ``confidence`` combines it
    with the memory's importance (see :mod:`loomcore.confidence`).
    """

    pattern_type: str
    content: dict[str, Any] = attrs.field(hash=False)
    confidence: float = 0.0
    certainty: float = 1.0
    source_memory_ids: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    evidence: str = ""
    miner: str = ""
    id: str = ""
    # Whether the user's own message asks for what this pattern holds ("How
    # do I ...?" and the reply's steps; "What is X?" and X's definition).
    # True: the whole reply answers it, so its example is the whole exchange.
    # False: met in passing; an example of it would be an excerpt of the
    # reply, made only with ``SynthesisConfig.derived_examples``.  None: the
    # miner does not say (its examples are kept as built).
    asked: bool | None = None
    # Where it was mined, as its builders need it: a pattern is a
    # self-contained record (it survives the converter's round trip whole)
    origin: Origin | None = None


@attrs.frozen
class TrainingExample:
    """One instruction-tuning example, format-neutral.

    Exporters render it: ``example.render("alpaca")`` or, as in the seed's
    API, ``example.to_alpaca()`` (``to_<format>`` works for every installed
    format).  ``history`` holds earlier (user, assistant) exchanges that the
    instruction depends on.
    """

    instruction: str
    output: str
    input: str = ""
    system: str = ""
    history: tuple[tuple[str, str], ...] = ()
    pattern_type: str = ""
    confidence: float = 0.0
    source: dict[str, Any] = attrs.field(factory=dict, hash=False)
    topics: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    id: str = ""
    # every pattern type found in the exchange, so that a user can select
    # "all procedures" from whole-answer examples (see loomcore.compose)
    labels: tuple[str, ...] = ()
    # the key of the registry that made it (see `makers`), so that
    # to_<format>() renders with that registry's formats; not data: the
    # converter leaves it out, and equality ignores it
    made_by: int | None = attrs.field(default=None, eq=False, repr=False)
    # what the example is: "exchange" (one exchange, the default), "conversation"
    # (a whole conversation: ``history`` and the last exchange) or "preference"
    # (a chosen ``output`` and a ``rejected`` answer to the same prompt)
    kind: str = "exchange"
    # a conversation's training flags, one per assistant turn of ``dialogue()``
    # in order: 1 to train on it, 0 to keep it as context only (small talk);
    # empty: every assistant turn is trained as the format's trainer decides
    weights: tuple[int, ...] = ()
    # a preference pair's rejected answer (the chosen one is ``output``)
    rejected: str = ""

    def dialogue(self) -> list[tuple[str, str]]:
        """The example as (role, content) turns, "user"/"assistant", without
        the system prompt: earlier turns, the prompt (instruction and input),
        the output.  Chat formats only rename the roles and keys."""
        turns: list[tuple[str, str]] = []
        for user, assistant in self.history:
            turns += [("user", user), ("assistant", assistant)]
        prompt = self.instruction if not self.input else f"{self.instruction}\n\n{self.input}"
        turns += [("user", prompt), ("assistant", self.output)]
        return turns

    def render(self, format: str) -> dict[str, Any]:
        """This example as one record of the named output format (through the
        renderer the registry layer installs: see :data:`renderer`)."""
        maker = makers.get(self.made_by) if self.made_by is not None else None
        if maker is not None and format in maker.exporters:
            return maker.exporter(format).render(self)  # type: ignore[no-any-return]
        # else any installed format, as the process-wide registry has them
        if renderer is None:
            # the registry layer installs the renderer when it is imported
            importlib.import_module("loomcore.registry")
        assert renderer is not None
        return renderer(format, self)

    def __getattr__(self, name: str) -> Any:
        # `to_alpaca()`, `to_chatml()`, `to_raw()` from the seed's API, and
        # the same for any format a plugin adds.
        if name.startswith("to_") and len(name) > 3:
            fmt = name[3:]
            return lambda: self.render(fmt)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


#: the live registries by key: an example renders with the one that made it
#: (weakly held: a registry that is gone falls back to :data:`renderer`)
makers: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()


@attrs.frozen
class Alternative:
    """An answer the user saw and did not keep, to one exchange of a conversation.

    ``exchange`` is the position of the exchange (among the conversation's
    exchanges) whose reply was kept instead; ``signal`` says how the input
    told them apart ("regenerated": the kept answer is on the branch the
    export ends on, a weak signal: the user may have regenerated for variety).
    """

    exchange: int
    text: str
    signal: str = "regenerated"


@attrs.frozen
class Dialogue:
    """A whole conversation as conversation builders see it.

    ``exchanges`` are its exchanges in order, each redacted and scored as the
    per-exchange work does it; ``train`` says per exchange whether its reply
    is worth training on (False: below the run's minimum importance, small
    talk); ``alternatives`` are the answers a reader found the user did not
    keep, redacted.  ``system`` is the conversation's system prompt, else the
    run's.
    """

    id: str
    exchanges: tuple[Memory, ...]
    train: tuple[bool, ...]
    system: str = ""
    source: Source = attrs.field(factory=Source)
    alternatives: tuple[Alternative, ...] = ()


@attrs.frozen
class TokenBudget:
    """The most tokens one example may hold (None: no limit), and how to count them."""

    limit: int | None = None
    count: Callable[[str], int] = attrs.field(factory=lambda: _estimate, eq=False)


def _estimate(text: str) -> int:
    """loomcore's estimate (:mod:`loomcore.text.tokens`), loaded when first counted:
    ``import loomcore.model`` loads the text layer's segmentation alone."""
    from loomcore.text.tokens import estimate_tokens

    return estimate_tokens(text)


#: ``renderer(format, example) -> record``: installed by :mod:`loomcore.registry`
#: (the process-wide registry's exporters), so that this layer imports nothing
#: above it and ``TrainingExample.to_<format>()`` still works for any format
renderer: Callable[[str, TrainingExample], dict[str, Any]] | None = None


@attrs.frozen
class SynthesisConfig:
    """How patterns become training examples (the seed's options, plus a few).

    :param include_reasoning: keep the reasoning (the why of a decision, the
        steps of a chain) in the example's output.
    :param include_context: accepted for the seed's API; it no longer writes
        the question's entities and topics into the input (a list of
        capitalised words is noise a curator rejects).  A follow-up keeps the
        earlier turns it depends on as ``history`` either way.
    :param min_confidence: patterns and examples below it are dropped.
    :param max_examples_per_pattern: at most this many examples per pattern.
    :param system_prompt: system message for chat formats ("" for none); a
        conversation's own system prompt from the input wins over it unless
        ``override_system_prompt``.
    :param derived_examples: also emit examples built from patterns the user
        did not ask about (a definition met in passing, one causal sentence).
        Off by default: their outputs are excerpts of a reply, and most lean
        on text they leave out.
    """

    include_reasoning: bool = True
    include_context: bool = False
    min_confidence: float = 0.5
    max_examples_per_pattern: int = 1
    system_prompt: str = ""
    derived_examples: bool = False
    override_system_prompt: bool = False

    def __attrs_post_init__(self) -> None:
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be between 0 and 1, got {self.min_confidence}")
        if self.max_examples_per_pattern < 1:
            raise ValueError(
                f"max_examples_per_pattern must be at least 1, got {self.max_examples_per_pattern}"
            )


def make_pattern(
    memory: EnrichedMemory,
    pattern_type: str,
    content: dict[str, Any],
    *,
    certainty: float = 1.0,
    evidence: str = "",
    miner: str = "",
    asked: bool | None = None,
) -> Pattern:
    """A pattern mined from ``memory``, with id, source, entities, topics and
    confidence filled in the same way for every miner."""
    return Pattern(
        pattern_type=coerce(pattern_type),
        content=content,
        confidence=combine(memory.memory.importance, certainty),
        certainty=round(certainty, 4),
        source_memory_ids=(memory.id,),
        entities=memory.entities,
        topics=memory.topics,
        evidence=evidence,
        miner=miner or pattern_type,
        id=stable_id(memory.id, pattern_type, content),
        asked=asked,
        origin=Origin.of(memory),
    )


_FOLLOW_UP_START = (
    "and ",
    "but ",
    "so ",
    "also ",
    "what about",
    "how about",
    "then ",
    "ok and",
    "okay and",
    "what if",
    # a request about the answer just given ("now in Python", "shorter please")
    "now ",
    "same ",
    "continue",
    "again",
    "try again",
    "more ",
    "ok ",
    "okay ",
    "great",
    "thanks",
    "thank you",
    "shorter",
    "longer",
    "simpler",
    "rewrite it",
    "make it",
    "elaborate",
    "expand on",
    "explain more",
    "give me more",
    "another",
    "why",
)
_FOLLOW_UP_WORDS = frozenset(
    [
        "it",
        "its",
        "that",
        "this",
        "those",
        "these",
        "they",
        "them",
        "their",
        "above",
        "previous",
        "earlier",
        "former",
        "latter",
        "second",
        "third",
        "one",
        "he",
        "she",
        "him",
        "her",
        "his",
    ]
)


def is_follow_up(question: str, short: bool = True) -> bool:
    """Whether a question leans on earlier turns ("and what about the second
    one?", "now in Python", "shorter please"): in a conversation, a message
    of a few words is taken to (with ``short``), as its earlier turns cost the
    example nothing but can be all it means."""
    q = question.strip().lower()
    if q.startswith(_FOLLOW_UP_START):
        return True
    words = [w.strip("?,.!'\"") for w in q.split()]
    if (short and len(words) <= 4) or names_nothing(q):
        return True
    return len(words) <= 12 and any(w in _FOLLOW_UP_WORDS for w in words)


# the earlier exchanges a follow-up keeps (see make_example), and how far
# back they may reach when the first of them is a follow-up too
HISTORY_PAIRS = 2
MAX_HISTORY_PAIRS = 6


def without_courtesy(answer: str, doc: Document) -> str:
    """The reply without trailing courtesy lines or a closing courtesy
    sentence ("Let me know if ..."); ``doc`` is its segmentation."""
    lines = answer.rstrip().split("\n")
    while lines and (not lines[-1].strip() or _only_courtesy(lines[-1])):
        lines.pop()
    text = "\n".join(lines).rstrip()
    # a courtesy sentence at the end of the last paragraph
    last = doc.blocks[-1] if doc.blocks else None
    if last is not None and last.kind == "paragraph" and len(last.sentences) > 1:
        tail = last.sentences[-1]
        if is_courtesy(tail.plain) and text.endswith(tail.text):
            text = text[: -len(tail.text)].rstrip()
    return text or answer


def _only_courtesy(line: str) -> bool:
    sents = split_sentences(line)
    return bool(sents) and all(is_courtesy(strip_inline(s)) for s in sents)


def _thread(turns: tuple[Turn, ...]) -> tuple[tuple[str, str], ...]:
    """The exchanges a follow-up keeps: the last ``HISTORY_PAIRS``, and further
    back while the first of them is a follow-up itself ("assuming I knew
    both, explain the same concept"), up to ``MAX_HISTORY_PAIRS``: history
    that starts mid-thread leaves the example as incomplete as none."""
    pairs = _last_pairs(turns, MAX_HISTORY_PAIRS)
    keep = min(HISTORY_PAIRS, len(pairs))
    # (by what it says, not by its length: "What is Docker?" starts a thread)
    while keep < len(pairs) and _leans_back(pairs[-keep][0], short=False):
        keep += 1
    return pairs[len(pairs) - keep :]


# a question of any length that points at what an earlier turn said
_POINTS_BACK = re.compile(
    r"\bthe same (?:concept|thing|idea|question|way|code|example|approach|logic|steps?|process|"
    r"method|problem)\b|\b(?:that|this) (?:assumption|approach|idea|example|answer|explanation|"
    r"suggestion)\b",
    re.IGNORECASE,
)


def _leans_back(question: str, short: bool = True) -> bool:
    return (
        is_follow_up(question, short)
        or dangling_reference(question, "", False)
        or _POINTS_BACK.search(question[:2000]) is not None
    )


def _last_pairs(turns: tuple[Turn, ...], n: int) -> tuple[tuple[str, str], ...]:
    """The last ``n`` (user, assistant) pairs of ``turns``, read from the end
    so that a follow-up late in a long conversation costs no more than an early one."""
    pairs: list[tuple[str, str]] = []
    after: Turn | None = None  # the user or assistant turn after this one
    for turn in reversed(turns):
        if turn.role not in ("user", "assistant"):
            continue
        if turn.role == "user" and after is not None and after.role == "assistant":
            pairs.append((turn.content, after.content))
            if len(pairs) == n:
                break
        after = turn
    return tuple(reversed(pairs))


def make_example(
    pattern: Pattern,
    config: SynthesisConfig,
    instruction: str,
    output: str,
    *,
    input: str = "",
) -> TrainingExample:
    """A training example for ``pattern``, traced to its source record.

    The system prompt is the conversation's own (``metadata["system_prompt"]``
    from the reader) or else ``config``'s.  A follow-up question keeps the
    exchanges before it as ``history`` so that it can be understood alone.
    """
    origin = pattern.origin
    history: tuple[tuple[str, str], ...] = ()
    system = config.system_prompt
    source: dict[str, Any] = {
        "pattern_id": pattern.id,
        "memory_ids": list(pattern.source_memory_ids),
    }
    if origin is not None:
        source.update(
            {
                "path": origin.source.path,
                "index": origin.source.index,
                "format": origin.source.format,
                "conversation_id": origin.conversation_id,
                "memory_id": origin.memory_id,
            }
        )
        # a question that leans on earlier turns ("and the second one?",
        # "rewrite the function above") keeps them, so it is understood alone
        if origin.history and (
            _leans_back(origin.question)
            or leans_on_earlier(output)  # "Here is the same logic in C#"
        ):
            history = origin.history
        if origin.system_prompt and not (config.override_system_prompt and system):
            system = origin.system_prompt
    # a dataset that joined its instruction and input with no space
    # ("... the following dish.Poached eggs") gets its blank line back
    # entities a scraped page left in prose ("&quot;") are the characters,
    # then the glue is looked for in the text as it reads
    # (text decoded with the wrong code page on its way here, "itâ€™s", was put
    # back before redaction: see loomcore.stages.redact)
    instruction, output = unescape_entities(instruction.strip()), unescape_entities(output.strip())
    # and an input pasted after an instruction that already quoted it is said once
    instruction = without_repeated_input(without_no_input_marker(unglue(instruction, output)))
    return TrainingExample(
        instruction=instruction,
        output=output,
        input=input,
        system=system,
        history=history,
        pattern_type=str(pattern.pattern_type),
        confidence=pattern.confidence,
        source=source,
        topics=pattern.topics,
        entities=pattern.entities,
        id=stable_id(pattern.id, instruction, input, output),
    )
