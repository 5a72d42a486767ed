"""What the data-export readers (ChatGPT, Claude.ai) share: reading the
conversations of a file that is an array of them, JSON Lines of them, or the
``{"conversations": [...]}`` wrapper some export tools write."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

import orjson

from loomcore.inputs import with_head
from loomcore.model import Conversation, Rejected, Source
from loomcore.records import limits, read_records
from loomcore.shape import first_record

# the wrapper with its list first: read element by element, like a plain array
WRAPPER = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*"conversations"\s*:\s*(?=\[)')
_STRUCTURE = re.compile(rb'["\[\]{}]')
_IN_STRING = re.compile(rb'["\\]')


def read_export(
    stream: IO[bytes],
    path: str,
    fmt: str,
    convert: Callable[[Any, Source], Conversation | None],
) -> Iterator[Conversation | Rejected]:
    """Conversations of an export file through ``convert`` (see
    :func:`loomcore.records.read_records`).  A wrapper whose list comes first
    is streamed as an array, what follows the list (the closing brace, keys
    after it) not read as records; one with keys before its list is read
    whole, as one record would be."""
    stream, head = with_head(stream)
    match = WRAPPER.match(head)
    if match is not None:
        stream.read(match.end())  # the array starts here
        # read up to the array's own end (a stray "]" inside costs one record, #18)
        yield from read_records(stream, path, fmt, convert, inside=True)
        return
    shape = first_record(head)
    if shape is not None and shape.container == "object" and shape.wrapped() is not None:
        # keys before the list: the wrapper is one document, read whole (over
        # the size limit, or broken, it is reported as it is)
        stream, data = with_head(stream, limits.get().max_record_bytes + 1)
        inner = _inner_list(data, limits.get().max_record_bytes)
        if inner is not None:
            stream = io.BytesIO(inner)
    yield from read_records(stream, path, fmt, convert)


def _inner_list(data: bytes, max_bytes: int) -> bytes | None:
    """The ``conversations`` list of a wrapper document, as JSON, or None."""
    if len(data) > max_bytes:
        return None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    inner = value.get("conversations") if isinstance(value, dict) else None
    return orjson.dumps(inner) if isinstance(inner, list) else None


class _UntilClosed(io.RawIOBase):
    """The bytes of ``stream`` up to the end of the JSON value it begins with
    (strings and escapes followed, so a bracket in a text does not count)."""

    def __init__(self, stream: IO[bytes]):
        self._stream = stream
        self._depth = 0
        self._in_string = self._escape = self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._done:
            return 0
        data = self._stream.read(len(buffer))
        end = self._end(data)
        if end is not None:
            data, self._done = data[:end], True
        buffer[: len(data)] = data
        return len(data)

    def _end(self, data: bytes) -> int | None:
        """Where in ``data`` the value ends (the byte after it), or None."""
        pos = 0
        if self._escape and data:
            pos, self._escape = 1, False
        while pos < len(data):
            if self._in_string:
                match = _IN_STRING.search(data, pos)
                if match is None:
                    return None
                if data[match.start()] == 0x5C:  # a backslash: the next byte is escaped
                    if match.end() == len(data):
                        self._escape = True
                        return None
                    pos = match.end() + 1
                    continue
                self._in_string, pos = False, match.end()
                continue
            match = _STRUCTURE.search(data, pos)
            if match is None:
                return None
            char, pos = data[match.start()], match.end()
            if char == 0x22:
                self._in_string = True
            elif char in b"[{":
                self._depth += 1
            else:
                self._depth -= 1
                if self._depth == 0:
                    return pos
        return None
