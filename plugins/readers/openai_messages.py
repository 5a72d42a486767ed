"""OpenAI chat ``messages``: ``{"messages": [{"role": ..., "content": ...}]}``.

``content`` may be a string or a list of parts (``{"type": "text", "text":
...}``); non-text parts are counted and skipped.  ``tool`` messages and
assistant messages that only call tools are dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from loomcore import Conversation, Reader, Source, Turn, hookimpl
from loomcore.model import Rejected
from loomcore.records import FieldError, dict_field, list_field, read_records, record_id, text_field

NAME = "openai_messages"
ROLES = {"user": "user", "assistant": "assistant", "system": "system", "developer": "system"}


def sniff(head: bytes) -> bool:
    return b'"messages"' in head and b'"role"' in head


def content_text(content: Any, where: str) -> tuple[str, int]:
    """(text, number of non-text parts) of a message's content."""
    if content is None or isinstance(content, str):
        return content or "", 0
    parts = list_field(content, where)
    texts, skipped = [], 0
    for j, part in enumerate(parts):
        if isinstance(part, str):
            texts.append(part)
            continue
        part = dict_field(part, f"{where}[{j}]")
        if part.get("type") in ("text", "input_text", "output_text"):
            texts.append(text_field(part.get("text"), f"{where}[{j}].text"))
        else:
            skipped += 1
    return "\n\n".join(t for t in texts if t.strip()), skipped


def convert(value: Any, source: Source) -> Conversation | None:
    record = dict_field(value, "$")
    messages = list_field(record.get("messages"), "$.messages")
    turns: list[Turn] = []
    skipped_parts = tool_messages = 0
    for i, msg in enumerate(messages):
        msg = dict_field(msg, f"$.messages[{i}]")
        role = text_field(msg.get("role"), f"$.messages[{i}].role")
        if role in ("tool", "function"):
            tool_messages += 1
            continue
        if role not in ROLES:
            raise FieldError(f"unknown role {role!r} @ $.messages[{i}].role")
        text, skipped = content_text(msg.get("content"), f"$.messages[{i}].content")
        skipped_parts += skipped
        if not text.strip():
            if msg.get("tool_calls") or msg.get("function_call"):
                tool_messages += 1
            continue
        turns.append(Turn(ROLES[role], text.strip()))
    if not any(t.role == "user" for t in turns) or not any(t.role == "assistant" for t in turns):
        return None
    meta = {}
    if skipped_parts:
        meta["non_text_parts_skipped"] = skipped_parts
    if tool_messages:
        meta["tool_turns_skipped"] = tool_messages
    return Conversation(
        id=record_id(record, source, "id"), turns=tuple(turns), source=source, metadata=meta
    )


def read(stream: IO[bytes], path: str) -> Iterator[Conversation | Rejected]:
    return read_records(stream, path, NAME, convert)


@hookimpl
def register_readers(register):
    register(Reader(NAME, read, sniff, description="OpenAI-style chat messages JSONL"))
