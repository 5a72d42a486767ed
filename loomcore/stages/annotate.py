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
    scores = [
        value
        for _, value in faults.each(
            registry.scorers, "score", memory.id, lambda s: float(s.score(memory))
        )
    ]
    return attrs.evolve(memory, importance=round(max(scores), 4) if scores else 0.5)


def enrich(registry: Registry, memory: Memory, faults: Faults | None = None) -> EnrichedMemory:
    """Segment the exchange once, then let every enricher annotate it."""
    faults = faults or Faults()
    enriched = EnrichedMemory(
        memory=memory,
        user_doc=segment(memory.user_input),
        reply_doc=segment(memory.system_output),
    )
    # each enricher annotates what the one before it returned
    done = [enriched]
    for _, result in faults.each(
        registry.enrichers, "enrich", memory.id, lambda e: e.enrich(done[-1])
    ):
        done.append(result)
    return done[-1]


def mine(
    registry: Registry, enriched: EnrichedMemory, faults: Faults | None = None
) -> list[Pattern]:
    """Every registered miner's patterns for one exchange, miners in order of name."""
    faults = faults or Faults()
    mined = faults.each(registry.miners, "mine", enriched.id, lambda m: list(m.mine(enriched)))
    return [pattern for _, patterns in mined for pattern in patterns]
