"""ChatML as OpenAI-style ``messages``: system, earlier turns, user, assistant."""

from __future__ import annotations

from typing import Any

from loomcore import Exporter, TrainingExample, hookimpl
from loomcore.contracts import InvalidExample  # the one class every format raises


def render(example: TrainingExample) -> dict[str, Any]:
    """OpenAI chat messages; a whole conversation's assistant messages carry
    OpenAI's ``weight`` (1 train, 0 context only), which axolotl reads too
    with ``message_field_training: weight``."""
    messages: list[dict[str, Any]] = (
        [{"role": "system", "content": example.system}] if example.system else []
    )
    messages += [{"role": role, "content": content} for role, content in example.dialogue()]
    if example.weights:
        replies = [m for m in messages if m["role"] == "assistant"]
        if len(replies) != len(example.weights):
            raise InvalidExample(
                f"{len(example.weights)} weights for {len(replies)} assistant messages"
            )
        for message, weight in zip(replies, example.weights, strict=True):
            message["weight"] = weight
    validate(messages)
    return {"messages": messages}


ROLES = ("system", "user", "assistant")


def validate(messages: list[dict[str, Any]]) -> None:
    """OpenAI chat fine-tuning rules: known roles and keys, non-empty string
    content, system only first, user and assistant alternating, assistant
    last, ``weight`` 0 or 1 and on assistant messages only."""
    for i, m in enumerate(messages):
        keys = set(m) - ({"weight"} if m.get("role") == "assistant" else set())
        if keys != {"role", "content"} or m["role"] not in ROLES:
            raise InvalidExample(f"message {i} has role {m.get('role')!r} or unknown keys")
        if "weight" in m and m["weight"] not in (0, 1):
            raise InvalidExample(f"message {i} has weight {m['weight']!r}, not 0 or 1")
        if not isinstance(m["content"], str) or not m["content"].strip():
            raise InvalidExample(f"message {i} ({m['role']}) is empty")
        if m["role"] == "system" and i != 0:
            raise InvalidExample("a system message may only come first")
    dialogue = [m["role"] for m in messages if m["role"] != "system"]
    if dialogue[::2] != ["user"] * len(dialogue[::2]) or dialogue[1::2] != ["assistant"] * len(
        dialogue[1::2]
    ):
        raise InvalidExample("user and assistant messages must alternate, starting with the user")
    if not dialogue or dialogue[-1] != "assistant":
        raise InvalidExample("the last message must be the assistant's")


def dataset_info(file_name: str) -> dict[str, Any]:
    """LLaMA-Factory's entry for OpenAI-style messages: its ``sharegpt``
    formatting with role/content tags, the system prompt the first message
    (a whole conversation's ``weight`` is a key LLaMA-Factory reads past)."""
    return {
        "file_name": file_name,
        "formatting": "sharegpt",
        "columns": {"messages": "messages"},
        "tags": {
            "role_tag": "role",
            "content_tag": "content",
            "user_tag": "user",
            "assistant_tag": "assistant",
            "system_tag": "system",
        },
    }


@hookimpl
def register_exporters(register):
    register(
        Exporter(
            "chatml",
            render,
            description="OpenAI-style chat messages JSONL",
            dataset_info=dataset_info,
            kinds=("exchange", "conversation"),
        )
    )
