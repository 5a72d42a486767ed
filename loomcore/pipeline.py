"""The pipeline: read -> score and filter -> enrich -> mine -> build -> export.

Records stream through generators one exchange at a time; only counters grow
with the input.  The stage functions here are shared by the command line and
the seed-compatible Python API, so both run whatever plugins are registered.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import importlib.metadata
import logging
import signal
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from loomcore import dataset_card, increments, splits
from loomcore.compose import Built, compose
from loomcore.confidence import bucket, histogram
from loomcore.convert import converter
from loomcore.inputs import InputError, iter_paths, open_with_reader, printable_path
from loomcore.model import (
    Conversation,
    EnrichedMemory,
    Memory,
    Pattern,
    Rejected,
    Source,
    SynthesisConfig,
    TrainingExample,
    Turn,
)
from loomcore.progress import Progress, position
from loomcore.records import Limits, limits
from loomcore.registry import LoomcoreError, PluginError, Registry, default_registry
from loomcore.text.segment import segment
from loomcore.writers import AtomicFile, JsonlWriter, OutputDir, write_json

log = logging.getLogger("loomcore")


class RecordTimeout(Exception):
    """A record's processing ran past its time budget (raised inside the plugin running then)."""


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise :class:`RecordTimeout` in whatever code runs after ``seconds``.

    Works in the main thread of a Unix process (an interval timer and
    SIGALRM); it interrupts Python code, not a C extension that never
    returns to the interpreter.  Elsewhere it does nothing.
    """
    if (
        seconds <= 0
        or threading.current_thread() is not threading.main_thread()
        or not hasattr(signal, "setitimer")
    ):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise RecordTimeout(f"over the time budget of {seconds:g} s per record (--record-timeout)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@attrs.define
class Faults:
    """What to do when a plugin raises on one record: count it and go on, or stop."""

    strict: bool = True
    by_plugin: Counter[str] = attrs.field(factory=Counter)

    def handle(self, plugin: str, stage: str, exc: Exception, record_id: str) -> None:
        if self.strict:
            raise PluginError(plugin, stage, exc) from exc
        self.by_plugin[plugin] += 1
        log.warning(
            "plugin %r failed in %s on %s: %s: %s",
            plugin,
            stage,
            record_id,
            type(exc).__name__,
            exc,
        )


def exchanges(conversation: Conversation) -> Iterator[Memory]:
    """One memory per user turn that an assistant turn answers.

    Earlier turns travel along as ``history`` so that a follow-up question
    ("and the second one?") can be understood.  The memory's id is the user
    turn's id when the source gives one, else ``<conversation id>:<n>``.
    The conversation's system prompt (its system turns before the question,
    as the input gave them) travels in ``metadata["system_prompt"]``, so an
    example builder can carry it into the formats that have a place for it.
    """
    history: list[Turn] = []
    pending: Turn | None = None
    n = 0
    meta = conversation.metadata
    system: list[str] = []
    for turn in conversation.turns:
        if turn.role == "system" and turn.content.strip():
            system.append(turn.content.strip())
        if turn.role == "user":
            if pending is not None:
                history.append(pending)
            pending = turn
        elif turn.role == "assistant" and pending is not None:
            memory_id = pending.id or f"{conversation.id}:{n}"
            yield Memory(
                id=memory_id,
                text=f"User: {pending.content}\n\nSystem: {turn.content}",
                timestamp=pending.timestamp or turn.timestamp or meta.get("timestamp"),
                importance=meta.get("importance"),
                metadata={
                    **(meta.get("memory_metadata") or {}),
                    "user_input": pending.content,
                    "system_output": turn.content,
                    **({"system_prompt": "\n\n".join(system)} if system else {}),
                },
                history=tuple(history),
                source=attrs.evolve(conversation.source),
                conversation_id=conversation.id,
            )
            n += 1
            history.extend((pending, turn))
            pending = None
        else:
            history.append(turn)


REDACTION_MODES = {"none": (), "secrets": ("secret",), "all": ("secret", "personal")}


class RedactionFailed(LoomcoreError):
    """A redactor raised or ran past the time budget: the exchange must not go on unredacted."""


@attrs.define
class TurnCache:
    """The redacted turns of the conversation being processed.

    Every exchange carries the turns before it as ``history``, so without this
    a conversation of n exchanges would be redacted n * (n + 1) / 2 times over.
    Exchanges of one conversation arrive one after another (on each worker of
    a parallel executor too), so one conversation's turns are all it holds.
    Redactors are pure functions of the text, so a hit gives the same result
    as a fresh run and the output does not depend on what was cached.
    """

    scope: tuple[Any, ...] = ()
    turns: dict[str, tuple[str, Counter[str]]] = attrs.field(factory=dict)
    # the last history seen and its redacted copy: the next exchange's history
    # starts with it, so only the turns after it need redacting
    history: tuple[Turn, ...] = ()
    redacted: tuple[Turn, ...] = ()

    def of(self, scope: tuple[Any, ...]) -> TurnCache:
        if scope != self.scope:
            self.scope, self.turns, self.history, self.redacted = scope, {}, (), ()
        return self


# one cache per thread: an embedding application may run pipelines in threads,
# and one conversation's redacted history must never meet another's
_local = threading.local()


def _turn_cache(scope: tuple[Any, ...]) -> TurnCache:
    cache = getattr(_local, "turn_cache", None)
    if cache is None:
        cache = _local.turn_cache = TurnCache()
    return cache.of(scope)


def redact(
    registry: Registry,
    memory: Memory,
    mode: str = "all",
    allow: frozenset[str] = frozenset(),
    counts: Counter[str] | None = None,
    faults: Faults | None = None,
    deadline: float | None = None,
) -> Memory:
    """The memory with secrets (mode "secrets") or secrets and personal data
    (mode "all", the default) replaced by typed placeholders in every turn,
    in the string values of its metadata and in its source's path.

    ``counts`` gathers the findings by placeholder in the exchange's own two
    turns; the history's turns are redacted too but were counted as the
    exchanges they were.  The values themselves are never kept.

    Fails closed: a redactor that raises, or that returns after
    ``deadline`` (a ``time.monotonic()`` value: a plugin that catches the
    time budget's exception itself still returns late), is counted as a
    fault and :class:`RedactionFailed` is raised; the caller drops the
    exchange.
    """
    kinds = REDACTION_MODES[mode]
    # secrets first: a password in a URL is a secret before it looks like an e-mail
    redactors = sorted(
        (r for r in registry.redactors if r.kind in kinds),
        key=lambda r: (r.kind != "secret", r.name),
    )
    if not redactors:
        return memory
    faults = faults or Faults()
    cache = _turn_cache((registry, mode, allow, memory.conversation_id))
    turns = cache.turns

    def clean(text: str) -> tuple[str, Counter[str]]:
        hit = turns.get(text)
        if hit is not None:
            return hit
        original, found_all = text, Counter[str]()
        for redactor in redactors:
            try:
                text, found = redactor.redact(text, allow)
                if deadline is not None and time.monotonic() > deadline:
                    raise RecordTimeout("over the time budget per record (--record-timeout)")
            except Exception as exc:
                faults.handle(redactor.plugin, "redact", exc, memory.id)
                raise RedactionFailed(f"{redactor.name}: {type(exc).__name__}") from exc
            found_all.update(found)
        turns[original] = (text, found_all)
        return text, found_all

    (user, in_user), (reply, in_reply) = clean(memory.user_input), clean(memory.system_output)
    if counts is not None:
        counts.update(in_user)
        counts.update(in_reply)
    done = len(cache.history)
    if memory.history[:done] != cache.history:
        done = 0
    history = cache.redacted[:done] + tuple(
        attrs.evolve(t, content=clean(t.content)[0]) for t in memory.history[done:]
    )
    cache.history, cache.redacted = memory.history, history
    # titles, speaker names and file names travel in the metadata to the outputs
    memory = attrs.evolve(
        memory,
        metadata={k: clean(v)[0] if isinstance(v, str) else v for k, v in memory.metadata.items()},
        source=attrs.evolve(memory.source, path=clean(memory.source.path)[0]),
        # ids are made of file names ("bob@acme.io.jsonl:1:0")
        id=_clean_id(memory.id, memory.conversation_id, clean),
        conversation_id=clean(memory.conversation_id)[0] if memory.conversation_id else None,
    )
    return attrs.evolve(
        memory,
        text=f"User: {user}\n\nSystem: {reply}",
        metadata={**memory.metadata, "user_input": user, "system_output": reply},
        history=history,
    )


def _clean_id(
    memory_id: str, conversation_id: str | None, clean: Callable[[str], tuple[str, Any]]
) -> str:
    """An exchange's id redacted; "<conversation id>:<n>" redacts the
    conversation's id (once per conversation, as it is cached) and keeps the number."""
    if conversation_id and memory_id.startswith(conversation_id + ":"):
        return clean(conversation_id)[0] + memory_id[len(conversation_id) :]
    return clean(memory_id)[0]


def redact_text(
    registry: Registry, text: str, mode: str = "all", allow: frozenset[str] = frozenset()
) -> str:
    """One text through the redactors of ``mode``, for what a run writes
    besides examples (quarantine, summary, manifest).  Fails closed: when a
    redactor raises, nothing of the text is kept."""
    kinds = REDACTION_MODES[mode]
    redactors = sorted(
        (r for r in registry.redactors if r.kind in kinds),
        key=lambda r: (r.kind != "secret", r.name),
    )
    for redactor in redactors:
        try:
            text, _ = redactor.redact(text, allow)
        except Exception:
            return "[REDACTION_FAILED]"
    return text


def score(registry: Registry, memory: Memory, faults: Faults | None = None) -> Memory:
    """The memory with an importance: its own if the source gave one, else the
    highest score of the registered scorers (0.5 when none is loaded)."""
    if memory.importance is not None:
        return memory
    faults = faults or Faults()
    scores = []
    for scorer in registry.scorers:
        try:
            scores.append(float(scorer.score(memory)))
        except Exception as exc:
            faults.handle(scorer.plugin, "score", exc, memory.id)
    return attrs.evolve(memory, importance=round(max(scores), 4) if scores else 0.5)


def enrich(registry: Registry, memory: Memory, faults: Faults | None = None) -> EnrichedMemory:
    """Segment the exchange once, then let every enricher annotate it."""
    faults = faults or Faults()
    enriched = EnrichedMemory(
        memory=memory,
        user_doc=segment(memory.user_input),
        reply_doc=segment(memory.system_output),
    )
    for enricher in registry.enrichers:
        try:
            enriched = enricher.enrich(enriched)
        except Exception as exc:
            faults.handle(enricher.plugin, "enrich", exc, memory.id)
    return enriched


def mine(
    registry: Registry, enriched: EnrichedMemory, faults: Faults | None = None
) -> list[Pattern]:
    """Every registered miner's patterns for one exchange, miners in order of name."""
    faults = faults or Faults()
    out: list[Pattern] = []
    for miner in registry.miners:
        try:
            out.extend(miner.mine(enriched))
        except Exception as exc:
            faults.handle(miner.plugin, "mine", exc, enriched.id)
    return out


def built(
    registry: Registry, pattern: Pattern, config: SynthesisConfig, faults: Faults | None = None
) -> list[Built]:
    """What every builder of the pattern's type made of it, at most
    ``max_examples_per_pattern`` per builder, none below ``min_confidence``."""
    faults = faults or Faults()
    out: list[Built] = []
    for builder in registry.builders.get(str(pattern.pattern_type), []):
        try:
            made = list(builder.build(pattern, config))
        except Exception as exc:
            faults.handle(builder.plugin, "build", exc, pattern.id)
            continue
        out.extend(
            Built(e, asked=pattern.asked, priority=builder.priority)
            for e in made[: config.max_examples_per_pattern]
            if e.confidence >= config.min_confidence
        )
    return out


def build(
    registry: Registry, pattern: Pattern, config: SynthesisConfig, faults: Faults | None = None
) -> list[TrainingExample]:
    """Training examples for one pattern, as its builders made them (before
    :func:`loomcore.compose.compose` keeps one per purpose)."""
    return [b.example for b in built(registry, pattern, config, faults)]


def examples_of(
    registry: Registry,
    patterns: Iterable[Pattern],
    config: SynthesisConfig,
    faults: Faults | None = None,
) -> list[TrainingExample]:
    """The examples of some patterns, composed exchange by exchange (see
    :mod:`loomcore.compose`), exchanges in the order their patterns came."""
    by_exchange: dict[tuple[str, ...], list[Pattern]] = {}
    for p in patterns:
        by_exchange.setdefault(p.source_memory_ids or (p.id,), []).append(p)
    out: list[TrainingExample] = []
    for group in by_exchange.values():
        # an excerpt compose() would drop is not built at all
        made = [
            b
            for p in group
            if p.asked is not False or config.derived_examples
            for b in built(registry, p, config, faults)
        ]
        out.extend(compose(made, (str(p.pattern_type) for p in group), config))
    return out


@attrs.frozen
class Outcome:
    """What the work on one exchange produced: its examples and its counts.

    Small and picklable, so that an executor can compute it anywhere (another
    process, another machine) and the pipeline adds it up in input order.
    """

    memory_id: str
    examples: tuple[TrainingExample, ...] = ()
    below_importance: int = 0
    below_confidence: int = 0
    patterns: dict[str, int] = attrs.field(factory=dict)
    redactions: dict[str, int] = attrs.field(factory=dict)
    plugin_errors: dict[str, int] = attrs.field(factory=dict)
    seconds: dict[str, float] = attrs.field(factory=dict)
    # exchanges dropped whole, by reason ("redaction_failed")
    dropped: dict[str, int] = attrs.field(factory=dict)
    # example id -> filter plugin -> what that filter's prepare() made of it
    prepared: dict[str, dict[str, Any]] = attrs.field(factory=dict)


def prepare_filters(
    registry: Registry, options: RunOptions, examples: list[TrainingExample], faults: Faults
) -> dict[str, dict[str, Any]]:
    """Each filter's per-example work (see :class:`loomcore.contracts.ExampleFilter`)."""
    prepared: dict[str, dict[str, Any]] = {}
    for f in registry.filters:
        if f.prepare is None:
            continue
        table = options.plugin_options.get(f.plugin, {})
        for example in examples:
            try:
                prepared.setdefault(example.id, {})[f.plugin] = f.prepare(example, table)
            except Exception as exc:
                faults.handle(f.plugin, "filter", exc, example.id)
    return prepared


def process_memory(registry: Registry, options: RunOptions, memory: Memory) -> Outcome:
    """The per-exchange work: redact, score, filter, enrich, mine, build.

    Runs within the per-record time budget; a plugin still running when it
    ends gets a :class:`RecordTimeout`, handled like any fault of that plugin.
    """
    faults = Faults(strict=options.strict)
    redactions: Counter[str] = Counter()
    seconds: dict[str, float] = {}
    clock = time.perf_counter
    cfg = options.synthesis
    patterns: Counter[str] = Counter()
    below_confidence = 0
    examples: list[TrainingExample] = []
    prepared: dict[str, dict[str, Any]] = {}
    try:
        with time_budget(options.record_timeout):
            t0 = clock()
            deadline = (
                time.monotonic() + options.record_timeout if options.record_timeout > 0 else None
            )
            try:
                memory = redact(
                    registry,
                    memory,
                    options.redact,
                    options.redact_allow,
                    redactions,
                    faults,
                    deadline,
                )
            except RedactionFailed:
                # fail closed: an exchange whose redaction failed is dropped, never passed on
                return Outcome(
                    memory.id,
                    dropped={"redaction_failed": 1},
                    plugin_errors=dict(faults.by_plugin),
                    seconds=seconds,
                )
            memory = score(registry, memory, faults)
            t1 = clock()
            seconds["redact_score"] = t1 - t0
            if (memory.importance or 0.0) < options.min_importance:
                return Outcome(
                    memory.id,
                    below_importance=1,
                    redactions=dict(redactions),
                    plugin_errors=dict(faults.by_plugin),
                    seconds=seconds,
                )
            enriched = enrich(registry, memory, faults)
            t2 = clock()
            mined = mine(registry, enriched, faults)
            t3 = clock()
            kept = []
            for pattern in mined:
                if pattern.confidence < cfg.min_confidence:
                    below_confidence += 1
                    continue
                patterns[str(pattern.pattern_type)] += 1
                kept.append(pattern)
            examples = examples_of(registry, kept, cfg, faults)
            prepared = prepare_filters(registry, options, examples, faults)
            t4 = clock()
            seconds.update(enrich=t2 - t1, mine=t3 - t2, build=t4 - t3)
    except RecordTimeout as exc:  # ran out between plugins: loomcore's own time
        faults.handle("loomcore", "process", exc, memory.id)
        examples, prepared = [], {}
    return Outcome(
        memory.id,
        examples=tuple(examples),
        prepared=prepared,
        below_confidence=below_confidence,
        patterns=dict(patterns),
        redactions=dict(redactions),
        plugin_errors=dict(faults.by_plugin),
        seconds=seconds,
    )


@attrs.frozen
class ExecutionPlan:
    """What an executor needs to run :func:`process_memory` on many exchanges."""

    registry: Registry
    options: RunOptions


@attrs.define
class RunOptions:
    """Options of a whole run (the command line's flags)."""

    formats: tuple[str, ...] | None = None  # None: every loaded format
    min_importance: float = 0.4
    synthesis: SynthesisConfig = attrs.field(factory=SynthesisConfig)
    input_format: str | None = None
    strict: bool = False
    since_last: bool = False
    redact: str = "all"  # "none", "secrets" or "all"
    redact_allow: frozenset[str] = frozenset()
    on_error: str = "skip"  # "skip": quarantine bad records and go on; "fail": stop
    # None: here, one exchange after another; else the name of a registered executor
    executor: str | None = None
    # validation examples: a fraction below 1 or a count from 1 up (see loomcore.splits)
    val_size: float | None = None
    split: float | None = None  # deprecated: the train share (1 - val_size); None: no split
    # options of plugins, by plugin name ([options.<name>] in loomcore.toml):
    # {"dedup": {"near_threshold": 0.9}, "text": {"template": "..."}}
    plugin_options: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    seed: int = 0
    workers: int | None = None  # for parallel executors; None: every core
    record_timeout: float = 30.0  # seconds per exchange; 0 for none
    # the share of records that may be rejected before the run fails (exit 1)
    max_rejected: float = 0.01
    limits: Limits = attrs.field(factory=Limits)


@attrs.define
class RunStats:
    """What a run did, counted as it streamed."""

    inputs: list[str] = attrs.field(factory=list)
    conversations: int = 0
    rejected: int = 0
    rejected_by_reason: Counter[str] = attrs.field(factory=Counter)
    memories: int = 0
    below_importance: int = 0
    patterns: Counter[str] = attrs.field(factory=Counter)
    below_confidence: int = 0
    examples: Counter[str] = attrs.field(factory=Counter)
    examples_filtered: Counter[str] = attrs.field(factory=Counter)
    lines: dict[str, int] = attrs.field(factory=dict)
    plugin_errors: Counter[str] = attrs.field(factory=Counter)
    redactions: Counter[str] = attrs.field(factory=Counter)
    exchanges_dropped: Counter[str] = attrs.field(factory=Counter)
    # exchanges a reader left out, by reason (an answer to a tool result that
    # is not kept, a question about an image that is not carried ...)
    exchanges_not_read: Counter[str] = attrs.field(factory=Counter)
    inputs_failed: dict[str, str] = attrs.field(factory=dict)  # path -> why it was not read
    inputs_restarted: dict[str, str] = attrs.field(factory=dict)  # --since-last: changed files
    records_pending: dict[str, int] = attrs.field(factory=dict)  # --since-last: half lines
    # examples per confidence bucket (counts, not values: memory stays flat)
    confidence_counts: Counter[str] = attrs.field(factory=Counter)
    seconds: float = 0.0
    stage_seconds: Counter[str] = attrs.field(factory=Counter)  # of floats: seconds per stage

    def summary(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "conversations": self.conversations,
            "records_rejected": self.rejected,
            "records_rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
            "memories": self.memories,
            "memories_below_importance": self.below_importance,
            "memories_used": self.memories
            - self.below_importance
            - sum(self.exchanges_dropped.values()),
            "patterns_by_type": dict(sorted(self.patterns.items())),
            "patterns_below_confidence": self.below_confidence,
            "examples_by_type": dict(sorted(self.examples.items())),
            "examples": sum(self.examples.values()),
            "examples_filtered": dict(sorted(self.examples_filtered.items())),
            "lines_by_format": dict(sorted(self.lines.items())),
            "confidence_histogram": histogram(counts=self.confidence_counts),
            "plugin_errors": dict(sorted(self.plugin_errors.items())),
            "redactions": dict(sorted(self.redactions.items())),
            "exchanges_dropped": dict(sorted(self.exchanges_dropped.items())),
            "exchanges_left_out_by_readers": dict(sorted(self.exchanges_not_read.items())),
        }


class InputRejected(LoomcoreError):
    """A bad input record, with ``--on-error fail``."""


class Pipeline:
    """The whole run over some inputs, streaming, with the registry's plugins."""

    def __init__(
        self,
        registry: Registry | None = None,
        options: RunOptions | None = None,
        progress: Progress | None = None,
    ):
        self.registry = registry or default_registry()
        self.options = options or RunOptions()
        self.progress = progress or Progress()
        self.stats = RunStats()
        self.faults = Faults(strict=self.options.strict, by_plugin=self.stats.plugin_errors)
        self.quarantine: JsonlWriter | None = None
        # the filters' prepared values of the examples on their way to the filters
        self._prepared: dict[str, dict[str, Any]] = {}
        # the conversations chosen for validation, once a split run has seen them all
        self.split_plan: splits.SplitPlan | None = None
        # every file the run wrote, in the order written, with its lines if JSONL
        self.written: list[tuple[Path, int | None]] = []

    def redacted(self, text: str) -> str:
        """``text`` as the run's redaction mode leaves it (see :func:`redact_text`)."""
        return redact_text(self.registry, text, self.options.redact, self.options.redact_allow)

    def _reject(self, item: Rejected) -> None:
        # a rejected record is written too (quarantine, counts by reason): redacted
        path, reason = self.redacted(item.source.path), self.redacted(item.reason)
        where = f"{path}:{item.source.index}"
        if self.options.on_error == "fail":
            raise InputRejected(f"{where}: {reason}")
        self.stats.rejected += 1
        self.stats.rejected_by_reason[reason.split(":")[0].split(" @ ")[0][:80]] += 1
        log.warning("%s: rejected: %s", where, reason)
        if self.quarantine is not None:
            self.quarantine.write_record(
                {
                    "path": path,
                    "index": item.source.index,
                    "reason": reason,
                    "raw": self.redacted(item.raw),
                    # what the size limit kept out of raw (the record is whole when 0)
                    "bytes_not_kept": getattr(item, "bytes_not_kept", 0),
                }
            )

    def conversations(
        self, inputs: list[str] | None, watermarks: dict[str, Any] | None = None
    ) -> Iterator[Conversation]:
        """Every conversation of the inputs (the bundled sample when none).

        With ``watermarks`` ({input path: watermark, see :mod:`loomcore.increments`}),
        records at or before the mark are skipped and the marks move to the
        last record consumed, so that an incremental run reads only what
        arrived since.  An input that is empty or of no known format is one
        rejected record; one that cannot be opened or read to its end (no
        permission, a truncated gzip) is a failed input, named in the
        summary; the other inputs are read all the same.
        """
        done = 0  # bytes of the inputs read before this one
        for path in iter_paths(inputs):
            shown = printable_path(path)  # a file name that is not UTF-8 can still be written
            self.stats.inputs.append(path)  # opened again for the manifest: the real name
            last = [-1]  # the position of the last record read
            try:
                yield from self._read_input(path, shown, done, watermarks, last)
            except InputError as exc:  # empty, or no reader knows it: nothing of it is read
                self._reject(Rejected(Source(shown, 0, ""), str(exc).removeprefix(f"{shown}: ")))
            except (OSError, EOFError, zlib.error) as exc:
                self._input_failed(shown, last[0] + 1, exc)
            done += _size(path)

    def _read_input(
        self,
        path: str,
        shown: str,
        done: int,
        watermarks: dict[str, Any] | None,
        last: list[int],
    ) -> Iterator[Conversation]:
        stream, reader = open_with_reader(self.registry, path, self.options.input_format)
        key = printable_path(str(Path(path).resolve())) if path != "-" else path
        mark, pending = -1, list[int]()
        if watermarks is not None:
            mark, why = increments.start_after(path, watermarks.get(key))
            if why:
                log.warning("%s: %s: reading it from the start", shown, why)
                self.stats.inputs_restarted[shown] = why
        consumed = mark
        with stream:
            items: Iterable[Conversation | Rejected] = reader.read(stream, shown)
            if watermarks is not None:  # a last line still being written is not consumed
                items = increments.complete_records(items, path, pending)
            for item in items:
                last[0] = item.source.index
                if watermarks is not None:
                    if item.source.index <= mark:
                        continue
                    consumed = max(consumed, item.source.index)
                if (
                    not isinstance(item, Rejected)
                    and len(item.turns) > self.options.limits.max_turns
                ):
                    item = Rejected(
                        item.source,
                        f"conversation of {len(item.turns):,} turns is over the limit of "
                        f"{self.options.limits.max_turns:,} (--max-turns)",
                    )
                if isinstance(item, Rejected):
                    self._reject(item)
                else:
                    self.stats.conversations += 1
                self.progress.advance(done + position(stream), self.stats.conversations)
                if not isinstance(item, Rejected):
                    yield item
        if watermarks is None:
            return
        if pending:
            self.stats.records_pending[shown] = pending[0]
            log.warning(
                "%s:%d: the last line is not complete yet (no line break, does not parse): "
                "left for the next run",
                shown,
                pending[0],
            )
        if consumed != mark or shown in self.stats.inputs_restarted:
            watermarks[key] = increments.watermark(path, consumed)

    def _input_failed(self, shown: str, index: int, exc: BaseException) -> None:
        """An input that could not be opened or read to its end: named, counted
        as a rejected record, and the run fails (what it held is unknown)."""
        cause = _read_error(exc)
        self.stats.inputs_failed[shown] = cause
        self._reject(Rejected(Source(shown, index, ""), f"input not read to its end: {cause}"))

    def loss(self) -> dict[str, Any]:
        """What the run lost, for the summary and the exit status: rejected
        records against those read, the ``max_rejected`` share allowed, inputs
        not read to their end; ``failed`` when either is over."""
        stats = self.stats
        read = stats.conversations + stats.rejected
        share = stats.rejected / read if read else 0.0
        return {
            "records_read": read,
            "records_rejected": stats.rejected,
            "rejected_share": round(share, 6),
            "max_rejected": self.options.max_rejected,
            "inputs_failed": dict(sorted(stats.inputs_failed.items())),
            "inputs_restarted": dict(sorted(stats.inputs_restarted.items())),
            "records_pending": dict(sorted(stats.records_pending.items())),
            "failed": bool(stats.inputs_failed) or share > self.options.max_rejected,
        }

    def memories(self, conversations: Iterable[Conversation]) -> Iterator[Memory]:
        """Every exchange of the conversations, as read (redaction and scoring
        are part of the per-exchange work, see :func:`process_memory`)."""
        for conv in conversations:
            dropped = conv.metadata.get("dropped_exchanges")
            if isinstance(dropped, dict):
                self.stats.exchanges_not_read.update(dropped)
            for memory in exchanges(conv):
                self.stats.memories += 1
                yield memory

    def absorb(self, outcome: Outcome) -> list[TrainingExample]:
        """Add one exchange's outcome to the run's counts; its examples."""
        stats = self.stats
        stats.below_importance += outcome.below_importance
        stats.below_confidence += outcome.below_confidence
        stats.patterns.update(outcome.patterns)
        stats.redactions.update(outcome.redactions)
        stats.exchanges_dropped.update(outcome.dropped)
        stats.plugin_errors.update(outcome.plugin_errors)
        stats.stage_seconds.update(outcome.seconds)
        self._prepared.update(outcome.prepared)
        for ex in outcome.examples:
            stats.examples[ex.pattern_type] += 1
            stats.confidence_counts[bucket(ex.confidence)] += 1
        return list(outcome.examples)

    def process(self, memory: Memory) -> list[TrainingExample]:
        """One exchange through redact, score, enrich, mine and build, here."""
        return self.absorb(process_memory(self.registry, self.options, memory))

    def examples(
        self, inputs: list[str] | None, watermarks: dict[str, int] | None = None
    ) -> Iterator[TrainingExample]:
        """Every example of the inputs, in input order, through the chosen executor."""
        memories = self.memories(self.conversations(inputs, watermarks))
        if self.options.executor is None:
            for memory in memories:
                yield from self.process(memory)
            return
        executor = self.registry.executor(self.options.executor)
        for outcome in executor.run(ExecutionPlan(self.registry, self.options), memories):
            yield from self.absorb(outcome)

    def _filter(self, filters: list[tuple[Any, Any]], example: TrainingExample) -> str | None:
        prepared = self._prepared.pop(example.id, {})
        for f, state in filters:
            try:
                if f.prepare is None:
                    reason = state.see(example)
                else:
                    reason = state.see(example, prepared=prepared.get(f.plugin))
            except Exception as exc:
                self.faults.handle(f.plugin, "filter", exc, example.id)
                continue
            if reason:
                return reason
        return None

    def _export(
        self,
        exporters: list[Any],
        writers: dict[tuple[str, str], JsonlWriter],
        example: TrainingExample,
    ) -> None:
        t0 = time.perf_counter()
        for exporter in exporters:
            try:
                record = exporter.render(example)
            except Exception as exc:
                self.faults.handle(exporter.plugin, "export", exc, example.id)
                continue
            writers[exporter.name, self.side(example)].write_record(record)
        self.stats.stage_seconds["export"] += time.perf_counter() - t0  # type: ignore[assignment]

    def side(self, example: TrainingExample) -> str:
        """ "train" or "validation" for a split run ("" otherwise).

        Decided by the example's source conversation (see
        :mod:`loomcore.splits`), so every example of one conversation lands on
        the same side, and the same seed always gives the same split.
        """
        if self.split_plan is None:
            return ""
        key = splits.conversation_key(example.source)
        return "validation" if key in self.split_plan.validation else "train"

    def _plan_split(self, staged: Iterable[dict[str, Any]], dropped: dict[str, str]) -> None:
        """Choose the validation conversations from the staged examples that
        the filters kept, and warn with the numbers when the split is too small."""
        val_size = splits.requested(self.options.val_size, self.options.split)
        if val_size is None:
            return
        sizes: Counter[str] = Counter(
            splits.conversation_key(record["source"])
            for record in staged
            if record["id"] not in dropped
        )
        self.split_plan = splits.choose(sizes, val_size, self.options.seed)
        warning = self.split_plan.warning()
        if warning:
            log.warning("%s", warning)

    def run(self, inputs: list[str] | None, out_dir: str | Path) -> RunStats:
        """Write one JSONL file per format into ``out_dir``, and ``summary.json``.

        With ``since_last``, only records that arrived since the last
        successful incremental run into ``out_dir`` are read, and the files
        of this run are ``<format>.run-NNNN.jsonl`` with
        ``summary.run-NNNN.json`` written last (see :mod:`loomcore.increments`).
        """
        if self.options.since_last and inputs and "-" in inputs:
            raise LoomcoreError(
                "-: standard input cannot be resumed; --since-last reads files it can read again"
            )
        final = Path(out_dir)
        # locked for the run; every file goes to a staging directory, moved in as a set
        owned = [  # what a run writes: the previous run's files that this one does not write go
            *(f"{e}{side}.jsonl" for e in self.registry.exporters for side in SIDES),
            *RUN_FILES,
        ]
        output = OutputDir(final, replace=not self.options.since_last, owned=owned)
        try:
            return self._run(inputs, final, output)
        finally:
            output.close()  # a run that did not commit leaves nothing behind

    def _run(self, inputs: list[str] | None, final: Path, output: OutputDir) -> RunStats:
        out = output.stage
        # options first: the registry binds each plugin's functions to them
        self.registry.configure(self.options.plugin_options)
        names = self.options.formats or tuple(self.registry.exporters)
        exporters = [self.registry.exporter(n) for n in names]  # unknown names fail before any work
        state = increments.prepare(final) if self.options.since_last else None
        suffix = f".{state.run_name}" if state else ""
        watermarks = dict(state.watermarks) if state else None
        splitting = splits.requested(self.options.val_size, self.options.split) is not None
        sides = ("train", "validation") if splitting else ("",)
        writers = {
            (e.name, part): JsonlWriter(out / f"{e.name}{'.' + part if part else ''}{suffix}.jsonl")
            for e in exporters
            for part in sides
        }
        self.quarantine = (
            JsonlWriter(out / f"quarantine{suffix}.jsonl")
            if self.options.on_error == "skip"
            else None
        )
        token = limits.set(self.options.limits)
        started = time.perf_counter()
        filters = [(f, _start(f, self.options.plugin_options)) for f in self.registry.filters]
        # Pass 1: examples that pass the filters so far go to a staging file; a
        # filter that must see the whole run (deduplication keeps the best copy)
        # drops the rest afterwards.  Pass 2 writes the formats from staging.
        # a split needs every example's conversation before it writes the first
        staging = JsonlWriter(out / f"staging{suffix}.jsonl") if filters or splitting else None
        try:
            paths = list(iter_paths(inputs))  # directories and globs expanded once
            self.progress.start(None if "-" in paths else sum(map(_size, paths)))
            for example in self.examples(paths, watermarks):
                reason = self._filter(filters, example)
                if reason:
                    self.stats.examples_filtered[reason] += 1
                elif staging is not None:
                    staging.write_record(converter.unstructure(example))
                else:
                    self._export(exporters, writers, example)
            if staging is not None:
                late: dict[str, str] = {}
                for f, state_ in filters:
                    try:
                        late.update(state_.finish())
                    except Exception as exc:
                        self.faults.handle(f.plugin, "filter", exc, "the run")
                self.stats.examples_filtered.update(late.values())
                self.progress.stage("writing")
                staging.close_for_reading()
                if splitting:
                    self._plan_split(staging.read_back(), late)
                for record in staging.read_back():
                    example = converter.structure(record, TrainingExample)
                    if example.id not in late:
                        self._export(exporters, writers, example)
        except BaseException:
            for w in writers.values():
                w.abort()
            if self.quarantine is not None:
                self.quarantine.abort()
            raise
        finally:
            self.progress.finish()
            limits.reset(token)
            if staging is not None:
                staging.abort()
        # a quarantine is kept only when something was rejected
        if self.quarantine is not None:
            if self.quarantine.lines:
                self.quarantine.commit()
                self.written.append((self.quarantine.path, self.quarantine.lines))
            else:
                self.quarantine.abort()
        self.stats.seconds = round(time.perf_counter() - started, 3)
        if state is not None and watermarks == state.watermarks:
            for w in writers.values():  # nothing arrived since the last run
                w.abort()
            self.written = []  # the staging directory goes, with whatever it held
            return self.stats
        for (name, part), w in list(writers.items()):
            if part == "validation" and not w.lines:
                w.abort()  # no empty validation file: trainers fail to load one
                del writers[name, part]
                continue
            w.commit()
            self.written.append((w.path, w.lines))
            self.stats.lines[f"{name}.{part}" if part else name] = w.lines
        summary = self.stats.summary()
        summary["loss"] = self.loss()
        summary["inputs"] = [self.redacted(printable_path(p)) for p in summary["inputs"]]
        for key in ("inputs_failed", "inputs_restarted"):  # (watermarks need the real paths)
            summary["loss"][key] = {
                self.redacted(p): self.redacted(why) if isinstance(why, str) else why
                for p, why in summary["loss"][key].items()
            }
        if state is not None:
            summary["watermarks"] = watermarks
        if state is None:  # a ready-to-train directory; incremental batches are parts of one
            # a file of no lines is listed nowhere: a trainer given it fails
            files = {
                (f"{name}.{part}" if part else name): w.path.name
                for (name, part), w in writers.items()
                if w.lines
            }
            info = dataset_card.dataset_info(files, self.registry.exporters)
            write_json(out / "dataset_info.json", info)
            entries = frozenset(k for k in files if dataset_card.entry_name(k) in info)
            with AtomicFile(out / "README.md") as fh:
                fh.write(dataset_card.card(summary, files, entries).encode())
            self.written += [(out / "dataset_info.json", None), (out / "README.md", None)]
        write_json(out / f"manifest{suffix}.json", manifest(self, summary))
        # the summary is written last: for an incremental run it marks the batch complete
        write_json(out / f"summary{suffix}.json", summary)
        self.written += [
            (out / f"manifest{suffix}.json", None),
            (out / f"summary{suffix}.json", None),
        ]
        output.commit(last=f"summary{suffix}.json")
        self.written = [(final / path.name, lines) for path, lines in self.written]
        return self.stats


def _start(example_filter: Any, plugin_options: dict[str, dict[str, Any]]) -> Any:
    """A filter's state for this run, made with its plugin's options."""
    try:
        return example_filter.start(plugin_options.get(example_filter.plugin, {}))
    except (ValueError, TypeError) as exc:
        raise LoomcoreError(f"options of plugin {example_filter.plugin!r}: {exc}") from None


SIDES = ("", ".train", ".validation")
RUN_FILES = ("quarantine.jsonl", "README.md", "dataset_info.json", "manifest.json", "summary.json")


def _read_error(exc: BaseException) -> str:
    """Why an input could not be read to its end, in words."""
    if isinstance(exc, EOFError):  # gzip's word for a file cut short
        return f"truncated gzip file ({exc})"
    if isinstance(exc, gzip.BadGzipFile | zlib.error):
        return f"corrupt gzip file ({exc})"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size if path != "-" else 0
    except OSError:
        return 0


def _file_facts(path: str) -> dict[str, Any]:
    shown = printable_path(path)
    if path == "-":
        return {"path": path}
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:  # a failed input, named in summary.loss
        return {"path": shown, "error": exc.strerror or str(exc)}
    return {"path": shown, "bytes": size, "sha256": digest.hexdigest()}


def _split_facts(plan: splits.SplitPlan | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    return {
        "validation_asked": plan.asked,
        "train": plan.train_rows,
        "validation": plan.validation_rows,
        "conversations": plan.conversations,
        "validation_conversations": len(plan.validation),
        "warning": plan.warning(),
    }


def manifest(pipeline: Pipeline, summary: dict[str, Any]) -> dict[str, Any]:
    """What a run read, dropped, built and wrote, with the figures that must add up.

    ``records``: read = rejected + conversations.  ``exchanges``: total =
    filtered by importance + used.  ``patterns``: mined = filtered by
    confidence + kept.  Secrets are counted by kind, never stored.
    """
    stats, options = pipeline.stats, pipeline.options
    kept = sum(stats.patterns.values())
    return {
        "inputs": [
            {**facts, "path": pipeline.redacted(facts["path"])}
            for facts in map(_file_facts, stats.inputs)
        ],
        "records": {
            "read": stats.conversations + stats.rejected,
            "rejected": stats.rejected,
            "rejected_by_reason": dict(sorted(stats.rejected_by_reason.items())),
            "conversations": stats.conversations,
        },
        "exchanges": {
            "total": stats.memories,
            # an exchange whose redaction failed is dropped whole ("redaction_failed")
            "filtered": {"importance": stats.below_importance, **stats.exchanges_dropped},
            "used": stats.memories - stats.below_importance - sum(stats.exchanges_dropped.values()),
            # never exchanges: what the readers left out, by reason
            "left_out_by_readers": dict(sorted(stats.exchanges_not_read.items())),
        },
        "patterns": {
            "mined": kept + stats.below_confidence,
            "filtered": {"confidence": stats.below_confidence},
            "kept_by_type": dict(sorted(stats.patterns.items())),
        },
        "examples": {
            "built": summary["examples"],
            "filtered": summary["examples_filtered"],
            "kept": summary["examples"] - sum(summary["examples_filtered"].values()),
        },
        "examples_by_type": summary["examples_by_type"],
        "lines_by_format": summary["lines_by_format"],
        "redactions": summary["redactions"],
        "plugin_errors": summary["plugin_errors"],
        "plugins": [
            {k: row[k] for k in ("name", "distribution", "version")}
            for row in pipeline.registry.plugin_info()
        ],
        "loomcore_version": importlib.metadata.version("loomcore"),
        "configuration": {
            "formats": list(options.formats or pipeline.registry.exporters),
            "min_importance": options.min_importance,
            "synthesis": attrs.asdict(options.synthesis),
            "input_format": options.input_format,
            "redact": options.redact,
            "redact_allow": len(options.redact_allow),
            "on_error": options.on_error,
            "strict": options.strict,
            "since_last": options.since_last,
            "val_size": options.val_size,
            "split": options.split,
            "seed": options.seed,
            "limits": attrs.asdict(options.limits),
        },
        # what the train/validation split made of the examples (null: no split)
        "split": _split_facts(pipeline.split_plan),
        "seconds": stats.seconds,
    }
