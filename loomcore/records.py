"""Reading JSON inputs record by record: a JSON array, one JSON object, or
JSON Lines, each record with its position (line number, or index in the
array) so that errors and examples can name where they came from.

Readers build on this; a value that cannot be parsed comes back as the
exception, so a reader can reject that one record and go on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import attrs
import orjson

from loomcore.model import Rejected, Source


@attrs.frozen
class RawRecord:
    """One parsed record (or the error that stopped it), with where it was."""

    index: int
    value: Any
    raw: bytes = b""
    error: str | None = None


def iter_json(stream: IO[bytes]) -> Iterator[RawRecord]:
    """Records of a JSON array, a JSON object, or JSON Lines."""
    data = stream.read()
    body = data.lstrip()
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    if body.startswith(b"["):
        try:
            items = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            yield RawRecord(0, None, data[:2000], f"malformed JSON: {exc}")
            return
        if not isinstance(items, list):
            yield RawRecord(0, None, data[:2000], "expected a JSON array")
            return
        for i, item in enumerate(items):
            yield RawRecord(i, item)
        return
    lines = body.splitlines()
    if body.startswith(b"{") and len(lines) > 1:
        try:
            orjson.loads(lines[0])
        except orjson.JSONDecodeError:
            # one pretty-printed object, not JSON Lines
            try:
                yield RawRecord(0, orjson.loads(body))
            except orjson.JSONDecodeError as exc:
                yield RawRecord(0, None, data[:2000], f"malformed JSON: {exc}")
            return
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield RawRecord(lineno, orjson.loads(line), line)
        except orjson.JSONDecodeError as exc:
            yield RawRecord(lineno, None, line, f"malformed JSON: {exc}")


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
