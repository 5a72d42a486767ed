"""text: the example rendered through a chat template into one ``text`` field.

The template is applied per message; set ``LOOMCORE_TEXT_TEMPLATE`` to your
model's (a Python format string with ``{role}`` and ``{content}``), and
``LOOMCORE_TEXT_SEPARATOR`` for what goes between messages.  The default is
ChatML: ``<|im_start|>{role}\\n{content}<|im_end|>\\n``.
"""

from __future__ import annotations

import os
from typing import Any

from loomcore_plugins.formats.chatml import render as chatml

from loomcore import Exporter, TrainingExample, hookimpl

CHATML = "<|im_start|>{role}\n{content}<|im_end|>\n"


def render(example: TrainingExample) -> dict[str, Any]:
    template = os.environ.get("LOOMCORE_TEXT_TEMPLATE", CHATML)
    separator = os.environ.get("LOOMCORE_TEXT_SEPARATOR", "")
    messages = chatml(example)["messages"]
    return {
        "text": separator.join(
            template.format(role=m["role"], content=m["content"]) for m in messages
        )
    }


@hookimpl
def register_exporters(register):
    register(
        Exporter(
            "text", render, description="one text field through a chat template (ChatML by default)"
        )
    )
