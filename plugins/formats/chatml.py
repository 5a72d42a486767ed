"""ChatML as OpenAI-style ``messages``: system, earlier turns, user, assistant."""

from __future__ import annotations

from typing import Any

from loomcore import Exporter, TrainingExample, hookimpl


def render(example: TrainingExample) -> dict[str, Any]:
    messages: list[dict[str, str]] = []
    if example.system:
        messages.append({"role": "system", "content": example.system})
    for user, assistant in example.history:
        messages.append({"role": "user", "content": user})
        messages.append({"role": "assistant", "content": assistant})
    prompt = (
        example.instruction if not example.input else f"{example.instruction}\n\n{example.input}"
    )
    messages.append({"role": "user", "content": prompt})
    messages.append({"role": "assistant", "content": example.output})
    return {"messages": messages}


@hookimpl
def register_exporters(register):
    register(Exporter("chatml", render, description="OpenAI-style chat messages JSONL"))
