"""The per-exchange unit of work every executor runs: redact -> score -> enrich -> mine -> build."""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

import attrs

from loomcore.model import (
    Memory,
    TrainingExample,
)
from loomcore.options import RunOptions
from loomcore.registry import Registry
from loomcore.stages.annotate import enrich, mine, score
from loomcore.stages.budget import Faults, RecordTimeout, time_budget
from loomcore.stages.build import examples_of
from loomcore.stages.redact import RedactionFailed, redact
from loomcore.text.memo import new_exchange

log = logging.getLogger("loomcore")


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
    for f in registry.filters:  # filter by filter, each over every example
        if f.prepare is None:
            continue
        table = options.plugin_options.get(f.plugin, {})
        for example in examples:

            def prepare(f: Any, example: TrainingExample = example, table: Any = table) -> Any:
                return f.prepare(example, table)

            for _, value in faults.each((f,), "filter", example.id, prepare):
                prepared.setdefault(example.id, {})[f.plugin] = value
    return prepared


def process_memory(registry: Registry, options: RunOptions, memory: Memory) -> Outcome:
    """The per-exchange work: redact, score, filter, enrich, mine, build.

    Runs within the per-record time budget; a plugin still running when it
    ends gets a :class:`RecordTimeout`, handled like any fault of that plugin.
    """
    new_exchange()  # the text memos hold this exchange's texts only
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
