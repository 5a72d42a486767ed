"""text: the example rendered through a chat template into one ``text`` field.

The template is applied per message: give your model's (a Python format
string with ``{role}`` and ``{content}``) as ``template`` in
``[options.text]`` of ``loomcore.toml``, or in ``LOOMCORE_TEXT_TEMPLATE``;
``separator`` (``LOOMCORE_TEXT_SEPARATOR``) goes between messages.  The
default is ChatML: ``<|im_start|>{role}\\n{content}<|im_end|>\\n``.

A row does not end with the end token (``end_token``, or
``LOOMCORE_TEXT_END_TOKEN``; default ChatML's ``<|im_end|>``): a trainer ends
a text row with its tokenizer's end token itself (TRL's ``SFTTrainer``
appends the EOS token), so keeping it would train a second end token after
every answer.  Set it to your template's (``</s>``), or to nothing to keep
rows as the template writes them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from loomcore_plugins.formats.chatml import render as chatml

from loomcore import Exporter, TrainingExample, check_options, hookimpl

CHATML = "<|im_start|>{role}\n{content}<|im_end|>\n"
END_TOKEN = "<|im_end|>"


def render(example: TrainingExample, options: dict[str, str] | None = None) -> dict[str, Any]:
    """One row through the template of ``options`` (ChatML when none)."""
    options = options or {}
    # the environment overrides the configuration file, as it does for every setting
    template = os.environ.get("LOOMCORE_TEXT_TEMPLATE") or options.get("template", CHATML)
    separator = os.environ.get("LOOMCORE_TEXT_SEPARATOR", options.get("separator", ""))
    messages = chatml(example)["messages"]
    # the row's last end token (and the newline after it) is the trainer's to add
    end = os.environ.get("LOOMCORE_TEXT_END_TOKEN", options.get("end_token", END_TOKEN))
    text = separator.join(template.format(role=m["role"], content=m["content"]) for m in messages)
    tail = text.rstrip()
    if end and tail.endswith(end):
        text = tail[: -len(end)]
    return {"text": text}


def renderer_for(options: dict[str, Any]) -> Callable[[TrainingExample], dict[str, Any]]:
    """The render function for one run's options (``template``, ``separator``,
    ``end_token``), bound by the registry that runs it."""
    check_options(
        options,
        (
            "template",
            "separator",
            "end_token",
        ),
    )
    for key, value in options.items():
        if not isinstance(value, str):
            raise ValueError(f"{key} must be a string")
    if "template" in options:
        try:
            options["template"].format(role="user", content="x")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"template must be a format string with {{role}} and {{content}} ({exc!r})"
            ) from None
        if "{content}" not in options["template"]:
            raise ValueError("template must hold {content}, or every message's text is lost")
    return functools.partial(render, options=dict(options))


@hookimpl
def register_exporters(register):
    register(
        Exporter(
            "text",
            render,
            description="one text field through a chat template (ChatML by default)",
            configure=renderer_for,
        )
    )
