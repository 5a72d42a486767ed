"""Alpaca: ``instruction``, ``input``, ``output``, optional ``system`` and
``history`` (a list of [user, assistant] pairs before the instruction)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from loomcore import Conversation, Reader, Source, Turn, hookimpl
from loomcore.model import Rejected
from loomcore.records import FieldError, dict_field, list_field, read_records, record_id, text_field
from loomcore.shape import first_record

NAME = "alpaca"


def sniff(head: bytes) -> bool:
    """A JSON record with ``instruction`` and ``output``."""
    shape = first_record(head)
    return shape is not None and shape.has("instruction", "output")


def convert(value: Any, source: Source) -> Conversation | None:
    record = dict_field(value, "$")
    instruction = text_field(record.get("instruction"), "$.instruction").strip()
    extra = text_field(record.get("input"), "$.input", allow_none=True).strip()
    output = text_field(record.get("output"), "$.output").strip()
    turns: list[Turn] = []
    system = text_field(record.get("system"), "$.system", allow_none=True).strip()
    if system:
        turns.append(Turn("system", system))
    for i, pair in enumerate(list_field(record.get("history") or [], "$.history")):
        pair = list_field(pair, f"$.history[{i}]")
        if len(pair) != 2:
            raise FieldError(f"expected a [user, assistant] pair @ $.history[{i}]")
        turns.append(Turn("user", text_field(pair[0], f"$.history[{i}][0]")))
        turns.append(Turn("assistant", text_field(pair[1], f"$.history[{i}][1]")))
    prompt = f"{instruction}\n\n{extra}" if extra else instruction
    if not prompt or not output:
        return None
    turns += [Turn("user", prompt), Turn("assistant", output)]
    return Conversation(id=record_id(record, source, "id"), turns=tuple(turns), source=source)


def read(stream: IO[bytes], path: str) -> Iterator[Conversation | Rejected]:
    return read_records(stream, path, NAME, convert)


@hookimpl
def register_readers(register):
    register(
        Reader(NAME, read, sniff, description="Alpaca instruction/input/output (+system, history)")
    )
