"""The seed's raw-memory records: ``id``, ``text``, ``timestamp``,
``importance``, ``metadata.user_input`` / ``metadata.system_output``.

Reads a JSON array, a single JSON object, or JSON Lines.  A record that does
not fit is yielded as :class:`loomcore.model.Rejected`, naming the line (or
record index) and the field, and the reading goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import orjson

from loomcore import Conversation, Reader, RecordError, Source, Turn, hookimpl
from loomcore.api import to_memory
from loomcore.model import Rejected

NAME = "raw_memory"


def sniff(head: bytes) -> bool:
    return (
        b'"system_output"' in head
        or b'"user_input"' in head
        or (b'"text"' in head and b'"importance"' in head)
    )


def records(stream: IO[bytes], path: str) -> Iterator[tuple[int, Any, bytes]]:
    """(line or record index, parsed value or the exception, raw bytes)."""
    data = stream.read()
    body = data.lstrip()
    if body.startswith(b"["):
        try:
            items = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            yield 0, exc, data[:2000]
            return
        for i, item in enumerate(items):
            yield i, item, b""
        return
    lines = data.splitlines()
    if body.startswith(b"{") and len(lines) > 1:
        try:
            orjson.loads(lines[0])
        except orjson.JSONDecodeError:
            # one pretty-printed object, not JSON Lines
            try:
                yield 0, orjson.loads(data), b""
            except orjson.JSONDecodeError as exc:
                yield 0, exc, data[:2000]
            return
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield lineno, orjson.loads(line), line
        except orjson.JSONDecodeError as exc:
            yield lineno, exc, line


def read(stream: IO[bytes], path: str) -> Iterator[Conversation | Rejected]:
    for index, value, raw in records(stream, path):
        source = Source(path=path, index=index, format=NAME)
        if isinstance(value, Exception):
            yield Rejected(source, f"malformed JSON: {value}", raw.decode("utf-8", "replace"))
            continue
        try:
            memory = to_memory(value)
        except RecordError as exc:
            yield Rejected(
                source, str(exc), (raw or orjson.dumps(value)).decode("utf-8", "replace")
            )
            continue
        meta = {
            k: v for k, v in memory.metadata.items() if k not in ("user_input", "system_output")
        }
        yield Conversation(
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


@hookimpl
def register_readers(register):
    register(Reader(NAME, read, sniff, description="the seed's raw-memory records (JSON or JSONL)"))
