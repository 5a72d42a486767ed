"""ShareGPT: ``{"conversations": [{"from": "human"|"gpt", "value": ...}], "system": ...}``.

Turns strictly alternate human/gpt, starting with human and ending with gpt,
as LLaMA-Factory requires; every line has both keys.
"""

from __future__ import annotations

from typing import Any

from loomcore import Exporter, TrainingExample, hookimpl
from loomcore.contracts import InvalidExample  # the one class every format raises

SPEAKERS = {"user": "human", "assistant": "gpt"}


def render(example: TrainingExample) -> dict[str, Any]:
    """Alternating human/gpt turns; a whole conversation's gpt turns carry
    ``train`` (true or false), axolotl's per-turn flag
    (``message_field_training: train``); LLaMA-Factory reads past it."""
    turns: list[dict[str, Any]] = [
        {"from": SPEAKERS[role], "value": content} for role, content in example.dialogue()
    ]
    if example.weights:
        replies = [t for t in turns if t["from"] == "gpt"]
        if len(replies) != len(example.weights):
            raise InvalidExample(f"{len(example.weights)} weights for {len(replies)} gpt turns")
        for turn, weight in zip(replies, example.weights, strict=True):
            turn["train"] = bool(weight)
    validate(turns)
    return {"conversations": turns, "system": example.system}


def validate(turns: list[dict[str, Any]]) -> None:
    for i, turn in enumerate(turns):
        expected = "human" if i % 2 == 0 else "gpt"
        if turn["from"] != expected:
            raise InvalidExample(f"turn {i} is from {turn['from']!r}, expected {expected!r}")
        if not isinstance(turn["value"], str) or not turn["value"].strip():
            raise InvalidExample(f"turn {i} is empty")
    if not turns or turns[-1]["from"] != "gpt":
        raise InvalidExample("the last turn must be the assistant's")


def dataset_info(file_name: str) -> dict[str, Any]:
    return {
        "file_name": file_name,
        "formatting": "sharegpt",
        "columns": {"messages": "conversations", "system": "system"},
        "tags": {
            "role_tag": "from",
            "content_tag": "value",
            "user_tag": "human",
            "assistant_tag": "gpt",
        },
    }


@hookimpl
def register_exporters(register):
    register(
        Exporter(
            "sharegpt",
            render,
            description="ShareGPT conversations (human/gpt), LLaMA-Factory style",
            dataset_info=dataset_info,
            kinds=("exchange", "conversation"),
        )
    )
