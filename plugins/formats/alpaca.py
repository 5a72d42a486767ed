"""Alpaca: ``instruction``, ``input``, ``output``, ``system``, ``history``.

Every line has all five keys (``history`` a list of [user, assistant] pairs),
so a file has one schema, as LLaMA-Factory and ``datasets`` expect.
"""

from __future__ import annotations

from typing import Any

from loomcore import Exporter, TrainingExample, hookimpl


def render(example: TrainingExample) -> dict[str, Any]:
    return {
        "instruction": example.instruction,
        "input": example.input,
        "output": example.output,
        "system": example.system,
        "history": [[u, a] for u, a in example.history],
    }


def dataset_info(file_name: str) -> dict[str, Any]:
    return {
        "file_name": file_name,
        "formatting": "alpaca",
        "columns": {
            "prompt": "instruction",
            "query": "input",
            "response": "output",
            "system": "system",
            "history": "history",
        },
    }


@hookimpl
def register_exporters(register):
    register(
        Exporter(
            "alpaca",
            render,
            description="Alpaca instruction/input/output JSONL",
            dataset_info=dataset_info,
            # a conversation is its last exchange with the earlier ones as
            # ``history`` (LLaMA-Factory's multi-turn alpaca); it has no place
            # for per-message flags: mask_history: true trains the last answer only
            kinds=("exchange", "conversation"),
        )
    )
