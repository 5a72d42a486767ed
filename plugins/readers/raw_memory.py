"""The seed's raw-memory records: ``id``, ``text``, ``timestamp``,
``importance``, ``metadata.user_input`` / ``metadata.system_output``.

A JSON array, a single JSON object, or JSON Lines.  A record that does not
fit is rejected, naming the line (or record index) and the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from loomcore import Conversation, Reader, RecordError, Source, Turn, hookimpl
from loomcore.api import to_memory
from loomcore.model import Rejected
from loomcore.records import FieldError, read_records
from loomcore.shape import first_record

NAME = "raw_memory"


def sniff(head: bytes) -> bool:
    """A JSON record with ``user_input`` / ``system_output`` (at the top or in
    ``metadata``), or with ``text`` and ``importance``."""
    shape = first_record(head)
    if shape is None:
        return False
    return any(
        shape.has(k) or shape.child_has("metadata", k) for k in ("user_input", "system_output")
    ) or shape.has("text", "importance")


def convert(value: object, source: Source) -> Conversation:
    try:
        memory = to_memory(value)  # type: ignore[arg-type]
    except RecordError as exc:
        raise FieldError(str(exc)) from None
    if not (memory.user_input.strip() and memory.system_output.strip()):
        raise FieldError("no user and assistant turns")
    meta = {k: v for k, v in memory.metadata.items() if k not in ("user_input", "system_output")}
    return Conversation(
        id=memory.id,
        turns=(
            Turn("user", memory.user_input, id=memory.id, timestamp=memory.timestamp),
            Turn("assistant", memory.system_output, timestamp=memory.timestamp),
        ),
        source=source,
        metadata={
            "importance": memory.importance,
            "timestamp": memory.timestamp,
            "memory_metadata": meta,
        },
    )


def read(stream: IO[bytes], path: str) -> Iterator[Conversation | Rejected]:
    return read_records(stream, path, NAME, convert)


@hookimpl
def register_readers(register):
    register(Reader(NAME, read, sniff, description="the seed's raw-memory records (JSON or JSONL)"))
