"""The seed-compatible Python API: thin faces over the registry.

::

    enricher = MemoryEnricher()
    enriched = enricher.enrich(raw_memory)
    extractor = PatternExtractor(min_confidence=0.5)
    patterns = extractor.extract_patterns([enriched])
    synthesizer = DataSynthesizer(SynthesisConfig(include_context=True))
    examples = synthesizer.synthesize(patterns)
    synthesizer.export_jsonl(examples, "training_data.jsonl", format="alpaca")
    stats = synthesizer.export_statistics(examples)

Each class uses whatever plugins the registry holds (all installed ones by
default); pass ``registry=`` to embed a registry of your own.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import cattrs

from loomcore.confidence import histogram
from loomcore.convert import field_errors, from_dict
from loomcore.model import EnrichedMemory, Memory, Pattern, SynthesisConfig, TrainingExample
from loomcore.registry import LoomcoreError, Registry, default_registry
from loomcore.stages import annotate, build
from loomcore.stages.redact import REDACTION_MODES, redact
from loomcore.text.transcript import parse_transcript
from loomcore.writers import JsonlWriter

HIGH_CONFIDENCE = 0.8


class RecordError(LoomcoreError):
    """An input record that does not fit the model; ``errors`` name the fields."""

    def __init__(self, message: str, errors: list[str]):
        self.errors = errors
        super().__init__(f"{message}: " + "; ".join(errors))


def to_memory(raw: Memory | Mapping[str, Any]) -> Memory:
    """A seed raw-memory record (``id``, ``text``, ``timestamp``, ``importance``,
    ``metadata.user_input`` / ``metadata.system_output``) as a :class:`Memory`.

    When the metadata lacks the two sides, they are read from ``text``
    ("User: ... System: ...").
    """
    if isinstance(raw, Memory):
        return raw
    if not isinstance(raw, Mapping):
        raise RecordError("a memory must be a JSON object", [f"got {type(raw).__name__}"])
    data = {k: raw[k] for k in ("id", "text", "timestamp", "importance", "metadata") if k in raw}
    if data.get("id") is None:  # cattrs would make None the id "None"
        raise RecordError("invalid memory", ["required field missing @ $.id"])
    if isinstance(data["id"], int) and not isinstance(data["id"], bool):
        data["id"] = str(data["id"])
    meta = data.get("metadata", {})
    if isinstance(meta, Mapping):
        meta = dict(meta)
        if not (meta.get("user_input") and meta.get("system_output")):
            turns = parse_transcript(str(data.get("text") or ""))
            for key, role in (("user_input", "user"), ("system_output", "assistant")):
                if not meta.get(key):
                    meta[key] = next((c for r, c in turns if r == role), "")
        data["metadata"] = meta
    try:
        memory = from_dict(data, Memory)
    except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
        raise RecordError("invalid memory", field_errors(exc)) from None
    for key in ("user_input", "system_output"):
        if not isinstance(memory.metadata.get(key, ""), str):
            raise RecordError("invalid memory", [f"expected str @ $.metadata.{key}"])
    return memory


class MemoryEnricher:
    """Segments an exchange and runs every registered enricher on it.

    Secrets and personal data are replaced by placeholders first (``redact``:
    "all" by default, "secrets", or "none"), as in a pipeline run.
    """

    def __init__(
        self,
        registry: Registry | None = None,
        redact: str = "all",
        redact_allow: Iterable[str] = (),
    ):
        if redact not in REDACTION_MODES:
            raise ValueError(f"redact must be one of {', '.join(REDACTION_MODES)}, got {redact!r}")
        self.registry = registry or default_registry()
        self.redact = redact
        self.redact_allow = frozenset(redact_allow)

    def enrich(self, raw_memory: Memory | Mapping[str, Any]) -> EnrichedMemory:
        memory = redact(self.registry, to_memory(raw_memory), self.redact, self.redact_allow)
        memory = annotate.score(self.registry, memory)
        return annotate.enrich(self.registry, memory)

    def enrich_batch(
        self, raw_memories: Iterable[Memory | Mapping[str, Any]]
    ) -> list[EnrichedMemory]:
        return [self.enrich(m) for m in raw_memories]


class PatternExtractor:
    """Runs every registered miner; keeps patterns at or above ``min_confidence``."""

    def __init__(self, min_confidence: float = 0.5, registry: Registry | None = None):
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be between 0 and 1, got {min_confidence}")
        self.min_confidence = min_confidence
        self.registry = registry or default_registry()

    def extract_patterns(self, enriched_memories: Iterable[EnrichedMemory]) -> list[Pattern]:
        out: list[Pattern] = []
        for enriched in enriched_memories:
            out.extend(
                p
                for p in annotate.mine(self.registry, enriched)
                if p.confidence >= self.min_confidence
            )
        return out

    def cluster_patterns(
        self, patterns: Iterable[Pattern], by: str = "pattern_type"
    ) -> dict[str, list[Pattern]]:
        """Group patterns by ``pattern_type`` or by ``topic`` (a pattern joins
        every one of its topics; one without topics goes to "general")."""
        groups: dict[str, list[Pattern]] = {}
        for p in patterns:
            if by == "pattern_type":
                keys = [str(p.pattern_type)]
            elif by == "topic":
                keys = list(p.topics) or ["general"]
            else:
                raise ValueError(f"cannot cluster by {by!r}; use 'pattern_type' or 'topic'")
            for k in keys:
                groups.setdefault(k, []).append(p)
        return dict(sorted(groups.items()))


class DataSynthesizer:
    """Builds training examples from patterns and writes them out."""

    def __init__(self, config: SynthesisConfig | None = None, registry: Registry | None = None):
        self.config = config or SynthesisConfig()
        self.registry = registry or default_registry()

    def synthesize(self, patterns: Iterable[Pattern]) -> list[TrainingExample]:
        """Examples for the patterns, one per purpose per exchange, as a run
        makes them (see :mod:`loomcore.compose`)."""
        kept = [p for p in patterns if p.confidence >= self.config.min_confidence]
        return build.examples_of(self.registry, kept, self.config)

    def export_jsonl(
        self,
        examples: Iterable[TrainingExample],
        output_path: str | os.PathLike[str],
        format: str = "alpaca",
    ) -> int:
        """Write ``examples`` in ``format`` (any loaded format); returns the line count."""
        exporter = self.registry.exporter(format)
        with JsonlWriter(output_path) as writer:
            for ex in examples:
                writer.write_record(exporter.render(ex))
        return writer.lines

    def export_statistics(self, examples: Iterable[TrainingExample]) -> dict[str, Any]:
        """``total_examples``, ``pattern_types``, ``avg_length``, ``avg_confidence``,
        ``high_confidence_count`` (confidence >= 0.8) and ``confidence_histogram``.

        ``avg_length`` is the mean length in characters of instruction, input
        and output together.
        """
        exs = list(examples)
        n = len(exs)
        confidences = [e.confidence for e in exs]
        return {
            "total_examples": n,
            "pattern_types": dict(sorted(Counter(e.pattern_type for e in exs).items())),
            "avg_length": round(
                sum(len(e.instruction) + len(e.input) + len(e.output) for e in exs) / n, 1
            )
            if n
            else 0.0,
            "avg_confidence": round(sum(confidences) / n, 4) if n else 0.0,
            "high_confidence_count": sum(c >= HIGH_CONFIDENCE for c in confidences),
            "confidence_histogram": histogram(confidences),
        }
