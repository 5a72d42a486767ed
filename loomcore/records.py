"""Reading JSON inputs record by record: a JSON array, one JSON object, or
JSON Lines, each record with its position (line number, or index in the
array) so that errors and examples can name where they came from.

Readers build on this; a value that cannot be parsed comes back as the
exception, so a reader can reject that one record and go on.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator
from typing import IO, Any

import attrs
import orjson

from loomcore.model import Rejected, Source


@attrs.frozen
class Limits:
    """How much one input record may hold (``loomcore run --max-record-bytes``,
    ``--max-turns``).  JSON nesting deeper than 1,024 levels is refused by the
    parser itself."""

    max_record_bytes: int = 16 * 1024 * 1024
    max_turns: int = 10_000


# Limits is frozen, so sharing the default instance is safe
limits: contextvars.ContextVar[Limits] = contextvars.ContextVar("loomcore_limits", default=Limits())  # noqa: B039


@attrs.frozen
class RawRecord:
    """One parsed record (or the error that stopped it), with where it was."""

    index: int
    value: Any
    raw: bytes = b""
    error: str | None = None


HEAD_BYTES = 1 << 16


def _lines(head: bytes, stream: IO[bytes]) -> Iterator[bytes]:
    """The lines of ``head`` followed by the rest of ``stream``, read in chunks."""
    carry = head
    while True:
        *complete, carry = carry.split(b"\n")
        yield from complete
        chunk = stream.read(1 << 20)
        if not chunk:
            break
        carry += chunk
    if carry:
        yield carry


def iter_json(stream: IO[bytes]) -> Iterator[RawRecord]:
    """Records of a JSON array, a JSON object, or JSON Lines.

    JSON Lines are read line by line and a JSON array element by element
    (:func:`iter_array`), so memory does not grow with the file; one
    pretty-printed object is parsed whole (it is one record, under the limit).
    """
    max_bytes = limits.get().max_record_bytes
    head = stream.read(HEAD_BYTES)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    first = head.lstrip()[:1]
    if not first:
        yield RawRecord(0, None, b"", "empty file")
        return
    first_line = head.lstrip().split(b"\n", 1)[0]
    whole_document = first == b"[" or (
        first == b"{" and b"\n" in head.strip() and not _parses(first_line, max_bytes)
    )
    if first == b"[":
        yield from iter_array(head, stream, max_bytes)
        return
    if whole_document:
        data = head + stream.read()
        body = data.lstrip()
        if len(body) > max_bytes:
            # one pretty-printed object larger than any record may be
            yield RawRecord(0, None, body, _too_big(len(body), max_bytes))
            return
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            yield RawRecord(0, None, data[:2000], f"malformed JSON: {exc}")
            return
        yield RawRecord(0, value)
        return
    # JSON Lines: number the lines as the file does, blank leading lines included
    for lineno, line in enumerate(_lines(head, stream), start=1):
        line = line.rstrip(b"\r")
        if not line.strip():
            continue
        if len(line) > max_bytes:
            yield RawRecord(lineno, None, line, _too_big(len(line), max_bytes))
            continue
        try:
            yield RawRecord(lineno, orjson.loads(line), line)
        except orjson.JSONDecodeError as exc:
            yield RawRecord(lineno, None, line, f"malformed JSON: {exc}")


# the next byte that matters to the array's structure, and the longest run
# of a string's body made of whole characters and escapes (it stops at the
# closing quote, or before a backslash that ends the buffer)
_STRUCTURE = re.compile(rb'["\[\]{},]')
_STRING_BODY = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
READ_BYTES = 1 << 20
KEEP_RAW = 2000  # bytes of a record too big to keep whole, for the quarantine


def iter_array(head: bytes, stream: IO[bytes], max_bytes: int) -> Iterator[RawRecord]:
    """The elements of a top-level JSON array, one at a time.

    A scanner finds where each element ends (it tracks strings and nesting
    only, and a regex skips over string contents), then orjson parses the
    element's bytes: each element keeps its raw text, is parsed with the same
    limits as a JSON line, and can fail alone.  An element over ``max_bytes``
    is dropped as it streams past, keeping its first bytes for the quarantine.
    """
    buf = bytearray(head)
    pos = buf.index(b"[") + 1  # where scanning resumes
    start = pos  # where the current element begins
    depth = 1
    in_string = False
    index = 0
    skipped = 0  # bytes of an over-limit element already dropped
    prefix = b""

    def element(end: int) -> RawRecord:
        if skipped:
            return RawRecord(index, None, prefix, _too_big(skipped + end - start, max_bytes))
        raw = bytes(buf[start:end]).strip()
        try:
            return RawRecord(index, orjson.loads(raw), raw)
        except orjson.JSONDecodeError as exc:
            return RawRecord(index, None, raw[:KEEP_RAW], f"malformed JSON: {exc}")

    while True:
        if skipped or pos - start > max_bytes:
            if not skipped:
                prefix = bytes(buf[start : start + 2 * KEEP_RAW]).lstrip()[:KEEP_RAW]
            skipped += pos - start
            del buf[:pos]
            pos = start = 0
        if in_string:
            pos = _STRING_BODY.match(buf, pos).end()  # type: ignore[union-attr]
            if pos < len(buf) and buf[pos] == 0x22:  # the closing quote
                pos += 1
                in_string = False
                continue
        else:
            match = _STRUCTURE.search(buf, pos)
            if match is not None:
                char = buf[match.start()]
                pos = match.end()
                if char == 0x22:
                    in_string = True
                elif char in b"[{":
                    depth += 1
                elif char in b"]}":
                    depth -= 1
                    if depth == 0:
                        if skipped or bytes(buf[start : match.start()]).strip():
                            yield element(match.start())
                        trailing = (bytes(buf[pos:]) + stream.read(HEAD_BYTES)).strip()
                        if trailing:
                            yield RawRecord(
                                index + 1,
                                None,
                                trailing[:KEEP_RAW],
                                "malformed JSON: data after the array",
                            )
                        return
                elif depth == 1:  # a comma between elements
                    yield element(match.start())
                    index += 1
                    skipped, prefix = 0, b""
                    start = pos
                    if start > READ_BYTES:  # forget what has been parsed
                        del buf[:start]
                        pos = start = 0
                continue
            pos = len(buf)
        # the buffer is used up: read more, in growing chunks for a long element
        chunk = stream.read(max(READ_BYTES, len(buf) - start))
        if not chunk:
            if skipped or bytes(buf[start:]).strip() or depth:
                yield RawRecord(
                    index,
                    None,
                    prefix or bytes(buf[start : start + KEEP_RAW]),
                    "malformed JSON: unexpected end of data (the array is not closed)",
                )
            return
        buf += chunk


def _parses(line: bytes, max_bytes: int) -> bool:
    if len(line) > max_bytes:
        return True  # a JSON Lines record too big to parse: rejected line by line
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def _too_big(size: int, limit: int) -> str:
    return f"record of {size:,} bytes is over the limit of {limit:,} bytes (--max-record-bytes)"


def reject(path: str, record: RawRecord, fmt: str, reason: str) -> Rejected:
    """A rejection of ``record``, keeping its raw text for the quarantine."""
    raw = record.raw or (orjson.dumps(record.value) if record.value is not None else b"")
    return Rejected(Source(path, record.index, fmt), reason, raw.decode("utf-8", "replace"))


class FieldError(ValueError):
    """A field of a record with the wrong type; the message names its path."""


def text_field(value: Any, where: str, *, allow_none: bool = False) -> str:
    """``value`` if it is a string; a clear error naming ``where`` if not."""
    if isinstance(value, str):
        return value
    if value is None and allow_none:
        return ""
    raise FieldError(f"expected text, got {type(value).__name__} @ {where}")


def list_field(value: Any, where: str) -> list:
    if isinstance(value, list):
        return value
    raise FieldError(f"expected a list, got {type(value).__name__} @ {where}")


def dict_field(value: Any, where: str) -> dict:
    if isinstance(value, dict):
        return value
    raise FieldError(f"expected an object, got {type(value).__name__} @ {where}")


def read_records(stream: IO[bytes], path: str, fmt: str, convert: Any) -> Iterator[Any]:
    """Conversations from JSON records through ``convert(value, source)``.

    ``convert`` returns a Conversation, or None for a record with nothing to
    read (an empty conversation), or raises :class:`FieldError`; either
    failure becomes a :class:`Rejected` that names the record and the field.
    """
    for record in iter_json(stream):
        if record.error:
            yield reject(path, record, fmt, record.error)
            continue
        source = Source(path, record.index, fmt)
        try:
            conv = convert(record.value, source)
        except FieldError as exc:
            yield reject(path, record, fmt, str(exc))
            continue
        if conv is None:
            yield reject(path, record, fmt, "no user and assistant turns")
        else:
            yield conv


def record_id(value: dict, source: Source, *keys: str) -> str:
    """The record's own id (first of ``keys`` present), else ``<file name>:<position>``."""
    for key in keys:
        v = value.get(key)
        if isinstance(v, str | int) and not isinstance(v, bool) and str(v):
            return str(v)
    name = source.path.rsplit("/", 1)[-1]
    return f"{name}:{source.index}"
