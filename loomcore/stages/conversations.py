"""Whole conversations and preference pairs: examples made of a conversation, not one exchange.

The per-exchange work makes one example per exchange.  This stage sees each
conversation as it is read, redacts and scores every exchange of it the way
the per-exchange work does (:func:`loomcore.stages.redact.redact`, failing
closed; :func:`loomcore.stages.annotate.score`), and hands the whole of it,
as a :class:`loomcore.model.Dialogue`, to the registered conversation
builders of the kinds the run writes:

- "conversation" (``--conversations``): written to ``<format>_conversations``
  files by every chosen format that takes conversations (chatml, sharegpt,
  alpaca, raw); a format that cannot carry them (text) is counted as skipped;
- "preference" (a chosen format that writes pairs only, ``--format dpo``):
  written to that format's file, and to ``raw_preferences`` when raw is chosen.

These examples skip the example filters (they judge one exchange: a
conversation's small talk is marked not-to-train instead) and are staged
until the run's train/validation split is known, so that a conversation's
examples land on the side its exchanges do.

Each exchange is redacted here once: the per-exchange work is handed the
exchanges as redacted here (:meth:`ConversationOutputs.redacted`) and runs
with :attr:`ConversationOutputs.exchange_options`, which redact nothing
again (a worker process redacted every text a second time).
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import attrs

from loomcore.contracts import Exporter
from loomcore.convert import converter
from loomcore.model import Alternative, Conversation, Dialogue, Memory, TokenBudget, TrainingExample
from loomcore.options import RunOptions
from loomcore.registry import Registry
from loomcore.stages.annotate import score
from loomcore.stages.budget import Faults, RecordTimeout, time_budget
from loomcore.stages.exchanges import exchanges
from loomcore.stages.redact import RedactionFailed, redact
from loomcore.stages.work import Outcome
from loomcore.writers import JsonlWriter

log = logging.getLogger("loomcore")

CONVERSATION, PREFERENCE, EXCHANGE = "conversation", "preference", "exchange"
# what a file of each kind is called after its format (dpo writes pairs only: "dpo")
SUFFIX = {CONVERSATION: "_conversations", PREFERENCE: "_preferences"}
# the default budget, as the quality filter's (``--max-tokens`` sets both)
DEFAULT_MAX_TOKENS = 32_768


def file_key(exporter: Exporter, kind: str) -> str:
    """The name a format's file of ``kind`` is written under (before ``.jsonl``)."""
    if kind == EXCHANGE or exporter.kinds == (kind,):
        return exporter.name
    return exporter.name + SUFFIX[kind]


def owned_files(exporters: Iterable[Exporter], sides: Iterable[str]) -> list[str]:
    """Every conversation or preference file a run may write, for the output
    directory to remove when a later run does not write it again."""
    return [
        f"{file_key(e, kind)}{side}.jsonl"
        for e in exporters
        for kind in e.kinds
        if kind != EXCHANGE
        for side in sides
    ]


def exchange_formats(exporters: list[Exporter]) -> list[Exporter]:
    """The chosen formats that write single exchanges (a dpo file has none)."""
    return [e for e in exporters if EXCHANGE in e.kinds]


def kinds_wanted(options: RunOptions, exporters: list[Exporter]) -> tuple[str, ...]:
    """The kinds beyond single exchanges this run builds: conversations when
    asked for, preference pairs when a pairs-only format is named."""
    kinds = []
    if options.conversations and any(CONVERSATION in e.kinds for e in exporters):
        kinds.append(CONVERSATION)
    if options.formats is not None and any(e.kinds == (PREFERENCE,) for e in exporters):
        kinds.append(PREFERENCE)
    return tuple(kinds)


def budget_of(options: RunOptions, count: Callable[[str], int] | None = None) -> TokenBudget:
    """The token budget of one example: ``--max-tokens`` (the quality
    filter's option, where the command line puts it), counted with
    ``--tokenizer``'s counter when one is given."""
    table = options.plugin_options.get("quality", {})
    limit = int(table.get("max_tokens", DEFAULT_MAX_TOKENS))
    if count is None:
        from loomcore import counting

        count = counting.counter(table.get("tokenizer"))
    return TokenBudget(limit, count)


@attrs.frozen
class Redacted:
    """One exchange as read (``original``) and as redacted (None: its
    redaction failed), with what was found in its own two turns."""

    original: Memory
    memory: Memory | None
    counts: Counter[str]
    seconds: float = 0.0


def redacted_exchanges(
    registry: Registry, options: RunOptions, conversation: Conversation, faults: Faults
) -> list[Redacted]:
    """Every exchange of the conversation redacted as the per-exchange work
    would (the same :func:`redact`, within the time budget per record); one
    whose redaction fails is None, and the ones after it are still tried,
    each on its own, as the per-exchange work tries them."""
    done = []
    for memory in exchanges(conversation):
        counts: Counter[str] = Counter()
        started = time.perf_counter()
        try:
            with time_budget(options.record_timeout):
                deadline = (
                    time.monotonic() + options.record_timeout
                    if options.record_timeout > 0
                    else None
                )
                clean: Memory | None = redact(
                    registry,
                    memory,
                    options.redact,
                    options.redact_allow,
                    counts,
                    faults,
                    deadline,
                )
        except (RedactionFailed, RecordTimeout):
            clean, counts = None, Counter()
        done.append(Redacted(memory, clean, counts, time.perf_counter() - started))
    return done


def dialogue(
    registry: Registry,
    options: RunOptions,
    conversation: Conversation,
    faults: Faults,
    skipped: Callable[[str], None],
    redacted: list[Redacted] | None = None,
) -> Dialogue | None:
    """The conversation redacted and scored exchange by exchange; None when it
    has no exchange, or when redacting any of it failed (fail closed: nothing
    of a conversation goes on partly redacted).  ``redacted``: its exchanges
    as :func:`redacted_exchanges` gave them, when already done."""
    if redacted is None:
        redacted = redacted_exchanges(registry, options, conversation, faults)
    if not redacted:
        return None
    originals = [r.original for r in redacted]
    memories: list[Memory] = []
    for r in redacted:
        if r.memory is None:
            skipped("conversation: redaction failed, left out")
            return None
        memories.append(score(registry, r.memory, faults))
    alternatives = []
    index = {m.id: i for i, m in enumerate(originals)}
    for alt in conversation.metadata.get("alternatives") or ():
        at = index.get(str(alt.get("question_id"))) if isinstance(alt, dict) else None
        text = alt.get("text") if isinstance(alt, dict) else None
        if at is None or not isinstance(text, str):
            skipped("preference: the kept answer's exchange is not read")
            continue
        # the rejected answer goes through the same redactors, as the reply it stands for
        probe = attrs.evolve(
            originals[at], metadata={**originals[at].metadata, "system_output": text}
        )
        try:
            with time_budget(options.record_timeout):
                text = redact(
                    registry, probe, options.redact, options.redact_allow, None, faults
                ).system_output
        except (RedactionFailed, RecordTimeout):
            skipped("preference: redaction failed, left out")
            continue
        alternatives.append(Alternative(at, text, str(alt.get("signal") or "regenerated")))
    config = options.synthesis
    own = str(memories[-1].metadata.get("system_prompt") or "").strip()
    system = config.system_prompt
    if own and not (config.override_system_prompt and system):
        system = own
    return Dialogue(
        id=memories[-1].conversation_id or conversation.id,
        exchanges=tuple(memories),
        train=tuple((m.importance or 0.0) >= options.min_importance for m in memories),
        system=system,
        source=memories[-1].source,
        alternatives=tuple(alternatives),
    )


class ConversationOutputs:
    """The conversation and preference files of one run: built as each
    conversation is read, staged, written once the split is known."""

    def __init__(
        self,
        registry: Registry,
        options: RunOptions,
        exporters: list[Exporter],
        kinds: tuple[str, ...],
        out: Path,
        suffix: str,
        faults: Faults,
        counts: Counter[str] | None = None,
    ):
        self.registry, self.options, self.faults = registry, options, faults
        self.exporters, self.kinds = exporters, kinds
        self.out, self.suffix = out, suffix
        # the run's own counter (RunStats.conversation_examples), so the summary has them
        self.counts: Counter[str] = Counter() if counts is None else counts
        self.budget = budget_of(options)
        self.staging = JsonlWriter(out / f"staging.conversations{suffix}.jsonl")
        # the exchanges of the conversation last seen, redacted, in the order
        # the run reads them next (see redacted)
        self.pending: deque[Redacted] = deque()
        # the per-exchange work's options: its exchanges come redacted from here
        self.exchange_options = attrs.evolve(options, redact="none")

    def skipped(self, reason: str) -> None:
        self.counts[f"skipped: {reason}"] += 1

    def tap(self, conversations: Iterable[Conversation]) -> Iterator[Conversation]:
        """``conversations`` as they are, each seen (:meth:`see`) on its way."""
        for conversation in conversations:
            self.see(conversation)
            yield conversation

    def redacted(
        self, memories: Iterable[Memory], absorb: Callable[[Outcome], None]
    ) -> Iterator[Memory]:
        """The exchanges of the conversations :meth:`tap` passed on, as
        :meth:`see` redacted them, for the per-exchange work (run with
        :attr:`exchange_options`); their findings go to ``absorb`` as the
        work's own would, and an exchange whose redaction failed is dropped
        here ("redaction_failed"), never passed on."""
        for memory in memories:
            done = self.pending.popleft() if self.pending else None
            if done is None or done.original.id != memory.id:
                # (each conversation's exchanges are read right after it is
                # seen, in the same order: anything else is a bug, and no
                # exchange may go on unredacted)
                raise RuntimeError(f"exchange {memory.id!r} was not redacted with its conversation")
            if done.memory is None:
                absorb(Outcome(memory.id, dropped={"redaction_failed": 1}))
                continue
            # (the work adds its scoring time under the same name)
            absorb(
                Outcome(
                    memory.id, redactions=dict(done.counts), seconds={"redact_score": done.seconds}
                )
            )
            yield done.memory

    def see(self, conversation: Conversation) -> None:
        """Redact this conversation's exchanges (kept for :meth:`redacted`),
        then build its examples of the kinds the run writes, and stage them."""
        done = redacted_exchanges(self.registry, self.options, conversation, self.faults)
        self.pending.extend(done)
        d = dialogue(self.registry, self.options, conversation, self.faults, self.skipped, done)
        if d is None:
            return
        for builder in self.registry.conversation_builders:
            if builder.kind not in self.kinds:
                continue
            try:
                made = list(builder.build(d, self.options.synthesis, self.budget, self.skipped))
            except Exception as exc:
                self.faults.handle(builder.plugin, "build", exc, d.id)
                continue
            for example in made:
                if example.kind != builder.kind:
                    self.faults.handle(
                        builder.plugin,
                        "build",
                        ValueError(f"made a {example.kind!r} example, not {builder.kind!r}"),
                        d.id,
                    )
                    continue
                self._count(example)
                self.staging.write_record(converter.unstructure(example))

    def _count(self, example: TrainingExample) -> None:
        if example.kind == PREFERENCE:
            self.counts["preference_pairs"] += 1
            return
        self.counts["conversations"] += 1
        if "part" in example.source:  # one part of a conversation split under the budget
            self.counts["conversation_parts"] += 1
        trained = sum(example.weights) if example.weights else len(example.history) + 1
        self.counts["assistant_messages_trained"] += trained
        self.counts["assistant_messages_not_trained"] += len(example.history) + 1 - trained

    def write(
        self,
        writers: dict[tuple[str, str], JsonlWriter],
        sides: tuple[str, ...],
        side: Callable[[TrainingExample], str],
    ) -> None:
        """Render every staged example into its files, added to ``writers``
        (keyed by file and side, as the run's own) so the run commits and
        lists them with the rest."""
        targets: dict[str, list[tuple[Exporter, str]]] = {k: [] for k in self.kinds}
        mine: set[tuple[str, str]] = set()
        for e in self.exporters:
            for kind in self.kinds:
                if kind in e.kinds:
                    targets[kind].append((e, file_key(e, kind)))
                    for part in sides:
                        name = f"{file_key(e, kind)}{'.' + part if part else ''}{self.suffix}"
                        writers[file_key(e, kind), part] = JsonlWriter(self.out / f"{name}.jsonl")
                        mine.add((file_key(e, kind), part))
        # a chosen format that cannot carry a whole conversation (text) is told;
        # pairs are dpo's, no other format is expected to write them
        left_out = {
            CONVERSATION: [
                e.name
                for e in self.exporters
                if CONVERSATION not in e.kinds and EXCHANGE in e.kinds
            ]
        }
        self.staging.close_for_reading()
        for record in self.staging.read_back():
            example = converter.structure(record, TrainingExample)
            for fmt in left_out.get(example.kind, ()):
                self.counts[f"skipped: {fmt} does not write {example.kind}s"] += 1
            for exporter, key in targets.get(example.kind, ()):
                try:
                    line = exporter.render(example)
                except Exception as exc:
                    self.faults.handle(exporter.plugin, "export", exc, example.id)
                    continue
                writers[key, side(example)].write_record(line)
        # a file of no lines is one a trainer fails on (a run of no branching
        # conversation has no pair): not written, not listed
        for empty in [k for k, w in writers.items() if k in mine and not w.lines]:
            writers.pop(empty).abort()

    def close(self) -> None:
        """Drop the staging file (the run's files hold what it had)."""
        self.staging.abort()


def start(
    registry: Registry,
    options: RunOptions,
    exporters: list[Exporter],
    out: Path,
    suffix: str,
    faults: Faults,
    counts: Counter[str] | None = None,
) -> ConversationOutputs | None:
    """The conversation outputs of a run, or None when it writes none."""
    kinds = kinds_wanted(options, exporters)
    if not kinds:
        return None
    return ConversationOutputs(registry, options, exporters, kinds, out, suffix, faults, counts)


__all__ = [
    "ConversationOutputs",
    "exchange_formats",
    "file_key",
    "owned_files",
    "start",
]
