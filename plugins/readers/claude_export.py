"""Claude.ai data export (``conversations.json``): ``chat_messages`` with
``sender`` human/assistant and ``text`` or ``content`` blocks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from loomcore import Conversation, Reader, Source, Turn, hookimpl
from loomcore.model import Rejected
from loomcore.records import dict_field, list_field, read_records, record_id, text_field

NAME = "claude_export"
ROLES = {"human": "user", "user": "user", "assistant": "assistant"}


def sniff(head: bytes) -> bool:
    return b'"chat_messages"' in head


def convert(value: Any, source: Source) -> Conversation | None:
    record = dict_field(value, "$")
    messages = list_field(record.get("chat_messages"), "$.chat_messages")
    turns: list[Turn] = []
    skipped = 0
    for i, msg in enumerate(messages):
        where = f"$.chat_messages[{i}]"
        msg = dict_field(msg, where)
        role = ROLES.get(text_field(msg.get("sender"), f"{where}.sender"))
        if role is None:
            continue
        texts = []
        for j, block in enumerate(msg.get("content") or []):
            block = dict_field(block, f"{where}.content[{j}]")
            if block.get("type") == "text":
                texts.append(
                    text_field(block.get("text"), f"{where}.content[{j}].text", allow_none=True)
                )
            else:
                skipped += 1
        text = "\n\n".join(t for t in texts if t.strip()) or text_field(
            msg.get("text"), f"{where}.text", allow_none=True
        )
        if not text.strip():
            continue
        stamp = msg.get("created_at") if isinstance(msg.get("created_at"), str) else None
        turns.append(Turn(role, text.strip(), id=str(msg.get("uuid") or ""), timestamp=stamp))
    if not any(t.role == "user" for t in turns) or not any(t.role == "assistant" for t in turns):
        return None
    meta: dict[str, Any] = {"title": record["name"]} if isinstance(record.get("name"), str) else {}
    if skipped:
        meta["non_text_parts_skipped"] = skipped
    return Conversation(
        id=record_id(record, source, "uuid", "id"), turns=tuple(turns), source=source, metadata=meta
    )


def read(stream: IO[bytes], path: str) -> Iterator[Conversation | Rejected]:
    return read_records(stream, path, NAME, convert)


@hookimpl
def register_readers(register):
    register(Reader(NAME, read, sniff, description="Claude.ai data export conversations.json"))
