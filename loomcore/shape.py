"""The shape of a JSON input's first record, read from its opening bytes.

Format detection looks at structure, not at words in a byte window: a real
ChatGPT export writes ``current_node`` after the whole ``mapping`` (160 KB
into the file), and a transcript that quotes ``{"messages": ...}`` is not
JSON at all.  :func:`first_record` scans the head of a file as JSON, without
building the values, and gives the keys of its first record (the first
element of an array, the first line of JSON Lines, or the one object) and,
one level down, the keys of each key's value (an object's own keys, or those
of a list's first object); the keys of the next few records the head holds
whole are added.  A head that ends inside the first record gives what was
seen up to there; a head that is not JSON gives None.
"""

from __future__ import annotations

import functools
import re

import attrs
import orjson

_SPACE = re.compile(rb"[ \t\r\n]*")
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(rb"-?[0-9][0-9.eE+-]*|-?Infinity|true|false|null|NaN")
_LITERALS = (b"true", b"false", b"null", b"NaN", b"Infinity", b"-Infinity")
MAX_DEPTH = 256  # recursion stays well inside Python's limit
MAX_KEYS = 256  # keys remembered per object: a mapping of node ids need not be listed
MORE_RECORDS = 3  # records after the first whose keys are added, when the head holds them


@attrs.frozen
class Shape:
    """The first record of a JSON input.

    :param container: ``"array"`` (a JSON array of records) or ``"object"``
        (one object, or JSON Lines whose first line it is).
    :param keys: the record's keys, in file order.
    :param inner: for a key whose value is an object, that object's keys; for
        a key whose value is a list, the keys of the list's first object.
    :param complete: whether the whole first record was in the head.
    """

    container: str
    keys: tuple[str, ...] = ()
    inner: dict[str, tuple[str, ...]] = attrs.field(factory=dict, hash=False)
    complete: bool = True

    def has(self, *keys: str) -> bool:
        """Whether the record has every one of ``keys``."""
        return all(k in self.keys for k in keys)

    def child_has(self, key: str, *keys: str) -> bool:
        """Whether the value of ``key`` (or its first element) has every one of ``keys``."""
        return all(k in self.inner.get(key, ()) for k in keys)

    def wrapped(self) -> Shape | None:
        """The shape of the first record inside a ``{"conversations": [...]}``
        wrapper, as far as one level down shows it (keys only)."""
        if "conversations" not in self.keys:
            return None
        return Shape(self.container, self.inner.get("conversations", ()), {}, False)


class _End(Exception):
    """The head ran out inside the record."""


class _NotJson(Exception):
    """The head is not JSON."""


@functools.lru_cache(maxsize=8)
def first_record(head: bytes) -> Shape | None:
    """The shape of the first record of ``head``, or None if it is not JSON
    whose first record is an object."""
    buf = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    pos = _SPACE.match(buf).end()  # type: ignore[union-attr]
    if buf[pos : pos + 1] == b"[":
        container = "array"
        pos = _SPACE.match(buf, pos + 1).end()  # type: ignore[union-attr]
    else:
        container = "object"
    if buf[pos : pos + 1] != b"{":
        return None
    keys: list[str] = []
    inner: dict[str, tuple[str, ...]] = {}
    try:
        pos = _object(buf, pos, keys, inner, depth=0)
    except _NotJson:
        # a corrupt first record must not hide what the file is: the next
        # whole record says it (text that only quotes a broken object has none)
        return _next_record(buf, pos, container)
    except _End:
        return Shape(container, tuple(keys), inner, complete=False)
    # the next few records too: a first record with little in it (an entry of
    # an export with no messages) must not hide what the file is
    for _ in range(MORE_RECORDS):
        pos = _space(buf, pos)
        if container == "array" and buf[pos : pos + 1] == b",":
            pos = _space(buf, pos + 1)
        if buf[pos : pos + 1] != b"{":
            break
        more: list[str] = []
        more_inner: dict[str, tuple[str, ...]] = {}
        try:
            pos = _object(buf, pos, more, more_inner, depth=0)
        except (_NotJson, _End):
            break
        inner = _merge(keys, inner, more, more_inner)
    return Shape(container, tuple(keys), inner)


def _merge(
    keys: list[str],
    inner: dict[str, tuple[str, ...]],
    more: list[str],
    more_inner: dict[str, tuple[str, ...]],
) -> dict[str, tuple[str, ...]]:
    """Add another record's keys to ``keys`` (in place, up to MAX_KEYS); the merged ``inner``."""
    keys += [k for k in more if k not in keys][: MAX_KEYS - len(keys)]
    return {**more_inner, **inner}


# where a record starts after a broken one: an object after "}," (an array)
# or at the start of a line (JSON Lines, a pretty array)
_NEXT_RECORD = re.compile(rb"\}[ \t\r\n]*,[ \t\r\n]*(?=\{)|\n[ \t]*(?=\{)")


def _next_record(buf: bytes, pos: int, container: str) -> Shape | None:
    """The keys of the records after a broken first one, from the objects the
    head holds after it: where the break leaves the nesting unknown, a
    record's own objects come along too (the readers look for their marks)."""
    keys: list[str] = []
    inner: dict[str, tuple[str, ...]] = {}
    found = 0
    for m in _NEXT_RECORD.finditer(buf, pos + 1):
        if found == 12:
            break
        more: list[str] = []
        more_inner: dict[str, tuple[str, ...]] = {}
        try:
            _object(buf, m.end(), more, more_inner, depth=0)
        except _NotJson:
            continue
        except _End:
            pass  # what it showed up to the head's end still counts
        if more:
            found += 1
            inner = _merge(keys, inner, more, more_inner)
    return Shape(container, tuple(keys), inner, complete=False) if keys else None


def _object(
    buf: bytes, pos: int, keys: list[str], inner: dict[str, tuple[str, ...]] | None, depth: int
) -> int:
    """Scan the object at ``pos``; its keys go to ``keys`` (and, with
    ``inner``, each value's keys to ``inner``).  The position after it."""
    pos = _space(buf, pos + 1)
    if _peek(buf, pos) == b"}":
        return pos + 1
    while True:
        match = _STRING.match(buf, pos)
        if match is None:
            if _peek(buf, pos) == b'"':
                raise _End  # a key cut off by the end of the head
            raise _NotJson
        key = _key(match.group())
        if len(keys) < MAX_KEYS:
            keys.append(key)
        pos = _space(buf, match.end())
        if _peek(buf, pos) != b":":
            raise _NotJson
        pos = _space(buf, pos + 1)
        if inner is not None:
            child: list[str] = []
            try:
                pos = _value(buf, pos, child, depth + 1)
            finally:
                if child:
                    inner[key] = tuple(child)
        else:
            pos = _value(buf, pos, None, depth + 1)
        pos = _space(buf, pos)
        char = _peek(buf, pos)
        if char == b"}":
            return pos + 1
        if char != b",":
            raise _NotJson
        pos = _space(buf, pos + 1)


def _value(buf: bytes, pos: int, keys: list[str] | None, depth: int) -> int:
    """Scan one value; with ``keys``, an object's keys (or a list's first
    object's) are collected.  The position after it."""
    if depth > MAX_DEPTH:
        raise _NotJson  # deeper than any input format nests, and than the parser allows
    char = _peek(buf, pos)
    if char == b"{":
        return _object(buf, pos, keys if keys is not None else [], None, depth)
    if char == b"[":
        pos = _space(buf, pos + 1)
        if _peek(buf, pos) == b"]":
            return pos + 1
        first = True
        while True:
            pos = _value(buf, pos, keys if first else None, depth + 1)
            first = False
            pos = _space(buf, pos)
            char = _peek(buf, pos)
            if char == b"]":
                return pos + 1
            if char != b",":
                raise _NotJson
            pos = _space(buf, pos + 1)
    if char == b'"':
        match = _STRING.match(buf, pos)
        if match is None:
            raise _End  # an open string at the end of the head
        return match.end()
    match = _SCALAR.match(buf, pos)
    if match is None:
        rest = buf[pos:]
        if any(literal.startswith(rest) for literal in _LITERALS):
            raise _End  # a literal cut off by the end of the head ("tru")
        raise _NotJson
    if match.end() == len(buf):
        raise _End  # a number may go on past the head
    return match.end()


def _space(buf: bytes, pos: int) -> int:
    return _SPACE.match(buf, pos).end()  # type: ignore[union-attr]


def _peek(buf: bytes, pos: int) -> bytes:
    if pos >= len(buf):
        raise _End
    return buf[pos : pos + 1]


def _key(raw: bytes) -> str:
    try:
        return str(orjson.loads(raw))
    except orjson.JSONDecodeError:
        raise _NotJson from None
