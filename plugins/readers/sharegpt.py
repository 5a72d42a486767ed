"""ShareGPT: ``{"conversations": [{"from": "human"|"gpt"|"system", "value": ...}]}``.

Tool traffic (``function_call``, ``observation``, ``tool``, ``function``)
never becomes a user question or an answer: those turns are dropped and
counted in the conversation's metadata, and an answer that comes after a
dropped ``observation`` is dropped with its question (it answers a result
that is not there; see :mod:`loomcore_plugins.readers.pairing`).  A
top-level ``system`` string or a ``system`` turn is the conversation's system
prompt; the ``tools`` column is ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from loomcore_plugins.readers.pairing import Pairing

from loomcore import Conversation, Reader, Source, Turn, hookimpl
from loomcore.model import Rejected
from loomcore.records import FieldError, dict_field, list_field, read_records, record_id, text_field
from loomcore.shape import first_record

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
RESULT_ROLES = frozenset({"observation", "tool", "function", "tool_response"})


def sniff(head: bytes) -> bool:
    """A JSON record whose ``conversations`` have a ``from``."""
    shape = first_record(head)
    return shape is not None and shape.child_has("conversations", "from")


def convert(value: Any, source: Source) -> Conversation | None:
    record = dict_field(value, "$")
    messages = list_field(record.get("conversations"), "$.conversations")
    pairs = Pairing()
    system = record.get("system")
    if system is not None:
        pairs.system(text_field(system, "$.system"))
    cid = record_id(record, source, "id")
    tool_turns = 0
    for i, msg in enumerate(messages):
        msg = dict_field(msg, f"$.conversations[{i}]")
        speaker = text_field(msg.get("from"), f"$.conversations[{i}].from").lower()
        text = text_field(msg.get("value"), f"$.conversations[{i}].value", allow_none=True)
        if speaker in TOOL_ROLES:
            tool_turns += 1
            if speaker in RESULT_ROLES:
                pairs.tool_result()
            else:
                pairs.tool_call()
            continue
        role = ROLES.get(speaker)
        if role is None:
            raise FieldError(f"unknown speaker {speaker!r} @ $.conversations[{i}].from")
        if role == "system":
            pairs.system(text)
        elif role == "user":
            if text.strip():
                pairs.ask(Turn(role, text.strip(), id=f"{cid}#{i}"))
            else:
                pairs.blank_question()
        else:
            pairs.reply(text, f"{cid}#{i}")
    meta: dict[str, Any] = {"tool_turns_skipped": tool_turns} if tool_turns else {}
    turns = pairs.finish(meta)
    if turns is None:
        return None
    return Conversation(id=cid, turns=turns, source=source, metadata=meta)


def read(stream: IO[bytes], path: str) -> Iterator[Conversation | Rejected]:
    return read_records(stream, path, NAME, convert)


@hookimpl
def register_readers(register):
    register(
        Reader(
            NAME, read, sniff, description="ShareGPT conversations (from/value), tool turns dropped"
        )
    )
