"""What a run counts as it goes, and the summary made of it."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import attrs

from loomcore.confidence import bucket, histogram

log = logging.getLogger("loomcore")


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
    # whole conversations and preference pairs built, and what was skipped, by reason
    conversation_examples: Counter[str] = attrs.field(factory=Counter)

    def absorb(self, outcome: Any) -> None:
        """Add the counts of one exchange's :class:`loomcore.stages.work.Outcome`."""
        self.below_importance += outcome.below_importance
        self.below_confidence += outcome.below_confidence
        self.patterns.update(outcome.patterns)
        self.redactions.update(outcome.redactions)
        self.exchanges_dropped.update(outcome.dropped)
        self.plugin_errors.update(outcome.plugin_errors)
        self.stage_seconds.update(outcome.seconds)
        for ex in outcome.examples:
            self.examples[ex.pattern_type] += 1
            self.confidence_counts[bucket(ex.confidence)] += 1

    def summary(self) -> dict[str, Any]:
        extra = (
            {"conversation_examples": dict(sorted(self.conversation_examples.items()))}
            if self.conversation_examples
            else {}
        )
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
            **extra,
        }
