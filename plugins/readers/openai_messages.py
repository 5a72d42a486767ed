"""OpenAI chat ``messages``: ``{"messages": [{"role": ..., "content": ...}]}``.

``content`` is a string or a list of parts: ``{"type": "text", "text": ...}``
as OpenAI writes them, or ``{"type": "text", "value": ...}`` as LLaMA-Factory
does.  ``reasoning`` parts are never part of an answer.  Tool traffic
(``tool`` / ``function`` messages, ``tool_calls``, ``tool_call`` parts) is not
kept, so an answer that comes after a tool result is dropped with its
question rather than answer a result that is not there, and a question whose
only reply was a tool call is dropped too (see
:mod:`loomcore_plugins.readers.pairing`).  A question that carries an image
(an image part, or an ``<image>`` placeholder of a multimodal dataset whose
``images`` are not read) is dropped with a reason.  ``system`` (and
``developer``) messages are the conversation's system prompt.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from loomcore_plugins.readers.pairing import Pairing

from loomcore import Conversation, Reader, Source, Turn, hookimpl
from loomcore.model import Rejected
from loomcore.records import FieldError, dict_field, list_field, read_records, record_id, text_field
from loomcore.shape import first_record

NAME = "openai_messages"
ROLES = {"user": "user", "assistant": "assistant", "system": "system", "developer": "system"}
TEXT_PARTS = frozenset({"text", "input_text", "output_text"})
MEDIA_PARTS = frozenset({"image", "image_url", "input_image", "video", "audio", "input_audio"})
CALL_PARTS = frozenset({"tool_call", "function_call", "tool_use"})
MEDIA_PLACEHOLDER = re.compile(r"<(?:image|video|audio)>")


def sniff(head: bytes) -> bool:
    """A JSON record whose ``messages`` are objects with a ``role``."""
    shape = first_record(head)
    return shape is not None and shape.child_has("messages", "role")


def content_text(content: Any, where: str) -> tuple[str, int, bool, bool]:
    """(text, non-text parts skipped, carries media, calls a tool) of a
    message's content."""
    if content is None or isinstance(content, str):
        return content or "", 0, False, False
    texts, skipped, media, calls = [], 0, False, False
    for j, part in enumerate(list_field(content, where)):
        if isinstance(part, str):
            texts.append(part)
            continue
        part = dict_field(part, f"{where}[{j}]")
        kind = part.get("type") if isinstance(part.get("type"), str) else None
        if kind in TEXT_PARTS:
            key = "text" if "text" in part else "value"
            texts.append(text_field(part.get(key), f"{where}[{j}].{key}"))
        elif kind in CALL_PARTS:
            calls = True
        elif kind in ("reasoning", "thinking"):
            continue  # the model's own notes: never an answer
        else:
            media = media or kind in MEDIA_PARTS
            skipped += 1
    return "\n\n".join(t for t in texts if t.strip()), skipped, media, calls


def convert(value: Any, source: Source) -> Conversation | None:
    record = dict_field(value, "$")
    messages = list_field(record.get("messages"), "$.messages")
    pairs = Pairing()
    skipped_parts = tool_messages = 0
    for i, msg in enumerate(messages):
        msg = dict_field(msg, f"$.messages[{i}]")
        role = text_field(msg.get("role"), f"$.messages[{i}].role")
        if role in ("tool", "function", "ipython"):
            tool_messages += 1
            pairs.tool_result()
            continue
        if role not in ROLES:
            raise FieldError(f"unknown role {role!r} @ $.messages[{i}].role")
        text, skipped, media, calls = content_text(msg.get("content"), f"$.messages[{i}].content")
        skipped_parts += skipped
        role = ROLES[role]
        if role == "system":
            pairs.system(text)
        elif role == "user":
            media = media or bool(MEDIA_PLACEHOLDER.search(text))
            if text.strip() or media:
                pairs.ask(Turn("user", text.strip()), image=media)
            else:
                pairs.blank_question()
        elif calls or msg.get("tool_calls") or msg.get("function_call"):
            tool_messages += 1  # what it says before the call is not the answer
            pairs.tool_call()
        else:
            pairs.reply(text)
    meta: dict[str, Any] = {}
    if skipped_parts:
        meta["non_text_parts_skipped"] = skipped_parts
    if tool_messages:
        meta["tool_turns_skipped"] = tool_messages
    turns = pairs.finish(meta)
    if turns is None:
        return None
    return Conversation(
        id=record_id(record, source, "id"), turns=turns, source=source, metadata=meta
    )


def read(stream: IO[bytes], path: str) -> Iterator[Conversation | Rejected]:
    return read_records(stream, path, NAME, convert)


@hookimpl
def register_readers(register):
    register(Reader(NAME, read, sniff, description="OpenAI-style chat messages JSONL"))
