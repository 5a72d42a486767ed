"""Raw: the example with its metadata (pattern type, confidence, source,
topics, entities, the exchange's pattern labels), so every line can be traced to its source record."""

from __future__ import annotations

from typing import Any

from loomcore import Exporter, TrainingExample, hookimpl


def render(example: TrainingExample) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": example.id,
        "instruction": example.instruction,
        "input": example.input,
        "output": example.output,
        "system": example.system,
        "history": [[u, a] for u, a in example.history],
        "metadata": {
            "pattern_type": str(example.pattern_type),
            "confidence": example.confidence,
            "source": dict(example.source),
            "topics": list(example.topics),
            "entities": list(example.entities),
            # every pattern type found in the exchange: select "all procedures" here
            "labels": list(example.labels),
        },
    }
    if example.kind != "exchange":  # a whole conversation or a preference pair
        record["metadata"]["kind"] = example.kind
        if example.weights:
            record["metadata"]["weights"] = list(example.weights)
        if example.kind == "preference":
            record["rejected"] = example.rejected
    return record


@hookimpl
def register_exporters(register):
    register(
        Exporter(
            "raw",
            render,
            description="examples with pattern type, confidence, source, topics, entities",
            kinds=("exchange", "conversation", "preference"),
        )
    )
