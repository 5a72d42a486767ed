"""Score, enrich and mine one exchange with the registered plugins."""

from __future__ import annotations

import logging

import attrs

from loomcore.model import (
    EnrichedMemory,
    Memory,
    Pattern,
)
from loomcore.registry import Registry
from loomcore.stages.budget import Faults
from loomcore.text.segment import segment

log = logging.getLogger("loomcore")


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
