"""ShareGPT: ``{"conversations": [{"from": "human"|"gpt"|"system", "value": ...}]}``.

Tool traffic (``function_call``, ``observation``, ``tool``, ``function``)
never becomes a user question or an answer: those turns are dropped and
counted in the conversation's metadata; a top-level ``system`` string
becomes the first turn, and the ``tools`` column is ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from loomcore import Conversation, Reader, Source, Turn, hookimpl
from loomcore.model import Rejected
from loomcore.records import FieldError, dict_field, list_field, read_records, record_id, text_field

NAME = "sharegpt"
ROLES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "bard": "assistant",
    "bing": "assistant",
    "model": "assistant",
    "system": "system",
}
TOOL_ROLES = frozenset(
    {"function_call", "observation", "tool", "function", "tool_call", "tool_response"}
)


def sniff(head: bytes) -> bool:
    return b'"conversations"' in head and b'"from"' in head


def convert(value: Any, source: Source) -> Conversation | None:
    record = dict_field(value, "$")
    messages = list_field(record.get("conversations"), "$.conversations")
    turns: list[Turn] = []
    system = record.get("system")
    if system is not None and text_field(system, "$.system").strip():
        turns.append(Turn("system", system.strip()))
    tool_turns = 0
    for i, msg in enumerate(messages):
        msg = dict_field(msg, f"$.conversations[{i}]")
        speaker = text_field(msg.get("from"), f"$.conversations[{i}].from").lower()
        text = text_field(msg.get("value"), f"$.conversations[{i}].value", allow_none=True)
        if speaker in TOOL_ROLES:
            tool_turns += 1
            continue
        role = ROLES.get(speaker)
        if role is None:
            raise FieldError(f"unknown speaker {speaker!r} @ $.conversations[{i}].from")
        if text.strip():
            turns.append(Turn(role, text.strip(), id=f"{record_id(record, source, 'id')}#{i}"))
    if not any(t.role == "user" for t in turns) or not any(t.role == "assistant" for t in turns):
        return None
    return Conversation(
        id=record_id(record, source, "id"),
        turns=tuple(turns),
        source=source,
        metadata={"tool_turns_skipped": tool_turns} if tool_turns else {},
    )


def read(stream: IO[bytes], path: str) -> Iterator[Conversation | Rejected]:
    return read_records(stream, path, NAME, convert)


@hookimpl
def register_readers(register):
    register(
        Reader(
            NAME, read, sniff, description="ShareGPT conversations (from/value), tool turns dropped"
        )
    )
