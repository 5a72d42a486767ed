"""ChatGPT data export (``conversations.json``).

Each conversation is a tree (``mapping``); the active branch runs from
``current_node`` back to the root through ``parent`` links, so edited-away
turns are left out.  Null, hidden and empty messages are skipped; text parts
are joined; ``code`` content is kept as a fenced block; images and other
non-text parts are skipped and counted; tool messages are dropped.
Consecutive messages of one role (code, then its explanation) become one turn.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

from loomcore import Conversation, Reader, Source, Turn, hookimpl
from loomcore.model import Rejected
from loomcore.records import FieldError, dict_field, read_records, record_id, text_field

NAME = "chatgpt_export"
ROLES = {"user": "user", "assistant": "assistant", "system": "system"}


def sniff(head: bytes) -> bool:
    return b'"mapping"' in head and b'"current_node"' in head


def _time(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


def active_branch(mapping: dict, current: str) -> list[dict]:
    """The nodes from the root to ``current``, following ``parent`` links."""
    path, seen = [], set()
    node_id: Any = current
    while isinstance(node_id, str) and node_id in mapping and node_id not in seen:
        seen.add(node_id)
        node = dict_field(mapping[node_id], f"$.mapping.{node_id}")
        path.append(node)
        node_id = node.get("parent")
    return path[::-1]


def message_text(message: dict, where: str) -> tuple[str, int]:
    """(text, non-text parts skipped) of one message's content."""
    content = dict_field(message.get("content") or {}, f"{where}.content")
    kind = content.get("content_type")
    if kind == "code":
        code = text_field(content.get("text"), f"{where}.content.text", allow_none=True)
        lang = content.get("language") if isinstance(content.get("language"), str) else ""
        lang = "" if lang in ("unknown", None) else lang
        return (f"```{lang}\n{code.strip()}\n```" if code.strip() else ""), 0
    if kind in ("text", "multimodal_text"):
        texts, skipped = [], 0
        for part in content.get("parts") or []:
            if isinstance(part, str):
                texts.append(part)
            else:
                skipped += 1
        return "\n\n".join(t for t in texts if t.strip()), skipped
    return "", 1


def convert(value: Any, source: Source) -> Conversation | None:
    record = dict_field(value, "$")
    mapping = dict_field(record.get("mapping"), "$.mapping")
    current = record.get("current_node")
    if not isinstance(current, str):
        raise FieldError("expected text, got " + type(current).__name__ + " @ $.current_node")
    turns: list[Turn] = []
    skipped = 0
    for node in active_branch(mapping, current):
        message = node.get("message")
        if not isinstance(message, dict):
            continue
        where = f"$.mapping.{node.get('id')}.message"
        meta = message.get("metadata") or {}
        if isinstance(meta, dict) and meta.get("is_visually_hidden_from_conversation"):
            continue
        author = message.get("author") or {}
        role = ROLES.get(author.get("role") if isinstance(author, dict) else None)
        if role is None:  # tool output and the like
            continue
        text, n = message_text(message, where)
        skipped += n
        if not text.strip():
            continue
        if turns and turns[-1].role == role:
            last = turns.pop()
            turns.append(Turn(role, f"{last.content}\n\n{text.strip()}", last.id, last.timestamp))
        else:
            turns.append(
                Turn(
                    role,
                    text.strip(),
                    id=str(message.get("id") or ""),
                    timestamp=_time(message.get("create_time")),
                )
            )
    if not any(t.role == "user" for t in turns) or not any(t.role == "assistant" for t in turns):
        return None
    meta = {"title": record.get("title")} if isinstance(record.get("title"), str) else {}
    if skipped:
        meta["non_text_parts_skipped"] = skipped
    return Conversation(
        id=record_id(record, source, "id", "conversation_id"),
        turns=tuple(turns),
        source=source,
        metadata=meta,
    )


def read(stream: IO[bytes], path: str) -> Iterator[Conversation | Rejected]:
    return read_records(stream, path, NAME, convert)


@hookimpl
def register_readers(register):
    register(
        Reader(
            NAME, read, sniff, description="ChatGPT data export conversations.json (active branch)"
        )
    )
