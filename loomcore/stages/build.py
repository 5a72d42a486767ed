"""Patterns into examples, one per purpose per exchange (see :mod:`loomcore.compose`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import attrs

from loomcore.compose import Built, compose
from loomcore.model import (
    Pattern,
    SynthesisConfig,
    TrainingExample,
)
from loomcore.registry import Registry
from loomcore.stages.budget import Faults

log = logging.getLogger("loomcore")


def built(
    registry: Registry, pattern: Pattern, config: SynthesisConfig, faults: Faults | None = None
) -> list[Built]:
    """What every builder of the pattern's type made of it, at most
    ``max_examples_per_pattern`` per builder, none below ``min_confidence``."""
    faults = faults or Faults()
    out: list[Built] = []
    builders = registry.builders.get(str(pattern.pattern_type), [])
    made_by = faults.each(builders, "build", pattern.id, lambda b: list(b.build(pattern, config)))
    for builder, made in made_by:
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
        composed = compose(made, (str(p.pattern_type) for p in group), config)
        # to_<format>() of these renders with this registry's formats
        out.extend(attrs.evolve(e, made_by=registry.key) for e in composed)
    return out
