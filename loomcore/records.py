"""Reading JSON inputs record by record: a JSON array, one JSON object, or
JSON Lines, each record with its position (line number, or index in the
array) so that errors and examples can name where they came from.

Readers build on this; a value that cannot be parsed comes back as the
error, so a reader can reject that one record and go on.  Every buffer is
held to ``--max-record-bytes`` while it is read (compressed input too), and a
corrupt element of an array costs that element only: the reader finds where
the next element begins from the structure around it (see
:class:`_ArrayReader`).
"""

from __future__ import annotations

import contextvars
import re
from array import array
from collections.abc import Iterable, Iterator
from typing import IO, Any

import attrs
import orjson

from loomcore import model
from loomcore.model import Source


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
    """One parsed record (or the error that stopped it), with where it was.

    ``raw`` holds the record's bytes up to the size limit; ``dropped`` says
    how many bytes beyond it were not kept."""

    index: int
    value: Any
    raw: bytes = b""
    error: str | None = None
    dropped: int = 0


@attrs.frozen
class Rejected(model.Rejected):
    """A :class:`loomcore.model.Rejected` that also says how many bytes of the
    record were not kept beyond the size limit (0 when ``raw`` is whole).
    Named as its base, since it is one wherever a rejection is looked at."""

    bytes_not_kept: int = 0


BOM = b"\xef\xbb\xbf"
HEAD_BYTES = 1 << 16
READ_BYTES = 1 << 20
NOT_CLOSED = "malformed JSON: unexpected end of data (the array is not closed)"


def read_at_most(stream: IO[bytes], n: int) -> bytes:
    """Up to ``n`` bytes of ``stream``, fewer only at its end (a gzip or pipe
    read may return less than asked for)."""
    parts, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def iter_json(stream: IO[bytes], *, inside: bool = False) -> Iterator[RawRecord]:
    """Records of a JSON array, a JSON object, or JSON Lines (``inside``: an
    array that is a value inside an object, see :func:`iter_array`).

    A file starting with ``[`` is an array, read element by element
    (:func:`iter_array`).  Otherwise it is JSON Lines, read line by line,
    unless no line of its head at the left margin parses alone: then it is one
    pretty-printed object (one record, under the limit).  So a cut or garbled
    first line of JSON Lines costs that line only.
    """
    max_bytes = limits.get().max_record_bytes
    head = read_at_most(stream, HEAD_BYTES)
    if head.startswith(BOM):
        head = head[3:]
    blank_lines = 0  # leading blank space is skipped, its lines counted, never held
    while not head.strip():
        chunk = read_at_most(stream, HEAD_BYTES)
        if not chunk:
            yield RawRecord(0, None, b"", "empty file")
            return
        blank_lines += head.count(b"\n")
        head = chunk
    first = head.lstrip()[:1]
    if first == b"[" and 0 < head.count(b"\n") < 3:  # look at a few lines before choosing
        head += read_at_most(stream, READ_BYTES)
    # a long first line that does not parse, and the head ends inside the
    # second: read on (up to the limit) until a line after it is whole, or a
    # cut first line of JSON Lines is taken for one document (and the whole
    # file rejected as over the limit)
    while first != b"[" and _one_line_then_part(head) and len(head) < max_bytes:
        more = read_at_most(stream, READ_BYTES)
        if not more:
            break
        head += more
    if first == b"[" and not _lines_of_arrays(head, max_bytes):
        yield from iter_array(head, stream, max_bytes, inside)
    elif _looks_like_lines(head, max_bytes):
        yield from iter_lines(head, stream, max_bytes, blank_lines)
    else:
        yield from _iter_document(head, stream, max_bytes)


def _one_line_then_part(head: bytes) -> bool:
    """Whether ``head`` holds one whole line and the start of the next only."""
    body = head.lstrip()
    nl = body.find(b"\n")
    return nl >= 0 and body.find(b"\n", nl + 1) < 0 and bool(body[nl + 1 :].strip())


def _looks_like_lines(head: bytes, max_bytes: int) -> bool:
    """Whether ``head`` reads as JSON Lines: one line only so far, or a line at
    the left margin (not indented, as the inside of a pretty-printed object
    is) that parses alone as an object or array."""
    lines = head.strip().split(b"\n")
    if len(lines) == 1:
        return True
    return any(
        line[:1] in (b"{", b"[") and _parses(line.rstrip(b"\r"), max_bytes) for line in lines[:-1]
    )


def _lines_of_arrays(head: bytes, max_bytes: int) -> bool:
    """Whether ``head``, which starts with ``[``, is JSON Lines all the same:
    two lines after the first at the left margin parse alone (a cut first
    line), or the first does and another one too (lines of arrays).  An
    array written one element a line has a comma after all elements but the last.
    """
    lines = head.lstrip().split(b"\n")[:-1]
    if not lines:
        return False
    alone = sum(
        1 for x in lines[1:200] if x[:1] in (b"{", b"[") and _parses(x.rstrip(b"\r"), max_bytes)
    )
    return alone >= 2 or (alone >= 1 and _parses(lines[0].rstrip(b"\r"), max_bytes))


def bounded_lines(head: bytes, stream: IO[bytes], cap: int) -> Iterator[tuple[bytes, int]]:
    """The lines (without their ``\\n``) of ``head`` and then ``stream``, each
    cut at ``cap`` bytes, with its whole length: a line longer than ``cap``
    streams past and is never held whole."""
    buf = bytearray(head)
    pos = 0
    kept: bytes | None = None  # the first cap bytes of a line over the cap
    size = 0
    while True:
        nl = buf.find(b"\n", pos)
        if nl >= 0:
            if kept is None:
                yield bytes(buf[pos:nl]), nl - pos
            else:
                yield kept, size + nl - pos
                kept, size = None, 0
            pos = nl + 1
            continue
        if kept is None and len(buf) - pos > cap:
            kept, size = bytes(buf[pos : pos + cap]), 0
        if kept is not None:
            size += len(buf) - pos
            pos = len(buf)
        del buf[:pos]
        pos = 0
        chunk = stream.read(READ_BYTES)
        if not chunk:
            if kept is not None:
                yield kept, size
            elif buf:
                yield bytes(buf), len(buf)
            return
        buf += chunk


def iter_lines(
    head: bytes, stream: IO[bytes], max_bytes: int, blank_lines: int = 0
) -> Iterator[RawRecord]:
    """JSON Lines, numbered as the file numbers them (``blank_lines`` already
    read before ``head`` included)."""
    lines = bounded_lines(head, stream, max_bytes)
    for lineno, (line, size) in enumerate(lines, start=blank_lines + 1):
        if size > max_bytes:
            yield RawRecord(lineno, None, line, _too_big(size, max_bytes), size - len(line))
            continue
        line = line.rstrip(b"\r")
        if line.startswith(BOM):  # files joined with cat keep each one's BOM
            line = line[3:]
        if not line.strip():
            continue
        try:
            yield RawRecord(lineno, orjson.loads(line), line)
        except orjson.JSONDecodeError as exc:
            yield RawRecord(lineno, None, line, f"malformed JSON: {exc}")


def _iter_document(head: bytes, stream: IO[bytes], max_bytes: int) -> Iterator[RawRecord]:
    """One pretty-printed JSON document, read up to the size limit."""
    data = head + read_at_most(stream, max_bytes + 1 - len(head))
    body = data.strip()
    if len(data) > max_bytes:  # count the rest as it streams past, never holding it
        size = len(data)
        for chunk in iter(lambda: stream.read(READ_BYTES), b""):
            size += len(chunk)
        kept = data.lstrip()[:max_bytes]
        yield RawRecord(0, None, kept, _too_big(size, max_bytes), size - len(kept))
        return
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        lines = body.split(b"\n")
        if any(x[:1] in (b"{", b"[") and _parses(x.rstrip(b"\r"), max_bytes) for x in lines[1:]):
            # JSON Lines after all, whose first lines are broken
            yield from iter_lines(body, _EMPTY, max_bytes)
            return
        parts = _OBJECT_BOUNDARY.split(body)
        if len(parts) > 1:
            # pretty-printed objects one after another (`jq .` output): each
            # object is a record, so a broken one costs itself only
            for index, part in enumerate(parts):
                raw = (
                    (b"" if index == 0 else b"{")
                    + part
                    + (b"" if index == len(parts) - 1 else b"}")
                )
                yield _parse(index, raw.strip())
            return
        yield RawRecord(0, None, body, f"malformed JSON: {exc}")
        return
    yield RawRecord(0, value, body)


# where one pretty-printed top-level object ends and the next begins: a "}"
# alone at the start of a line, then a "{" at the start of the next
_OBJECT_BOUNDARY = re.compile(rb"(?m)^\}[ \t\r]*\n(?:[ \t\r]*\n)*\{")


class _Empty:
    def read(self, n: int = -1) -> bytes:
        return b""


_EMPTY: Any = _Empty()


# the next byte that matters to the structure, and the longest run of a
# string's body made of whole characters and escapes: it stops at the closing
# quote, at a raw line break (which no JSON string may hold: a sure sign that
# a quote is missing), or before a backslash that ends the buffer
_STRUCTURE = re.compile(rb'["\[\]{},]')
_STRING_BODY = re.compile(rb'[^"\\\n]*(?:\\[^\n][^"\\\n]*)*')
_NONSPACE = re.compile(rb"[^ \t\r\n]")
_OBJECT = re.compile(rb"\{")
_SPACE = b" \t\r\n"
# how a scan of one array element ends
SEP, CLOSE, BAD, MORE, BIG, EOF, LONG = range(7)
# elements after a candidate that must read cleanly when there is nothing to compare with
CHAIN = 16


class _Scan:
    """Where the scan of one array element stands (positions are absolute)."""

    __slots__ = ("deep", "in_string", "pos", "stack")

    def __init__(self, pos: int):
        self.pos = pos
        self.stack = bytearray()
        self.in_string = False
        self.deep = False  # nested past what orjson parses (see DEPTH)


def _scan(buf: bytearray, base: int, st: _Scan, stop: int | None = None) -> int:
    """Scan ``buf`` (which starts at absolute position ``base``) from
    ``st.pos`` to the end of one array element: SEP (its comma) or CLOSE (the
    array's ``]``) at ``st.pos``; BAD, the structure broken at ``st.pos`` (a
    bracket closing the wrong one, a line break in a string); or MORE, the
    buffer ends first (call again with more bytes), or ``stop`` (an absolute
    position) comes first."""
    pos = st.pos - base
    stack = st.stack
    end = len(buf) if stop is None else max(pos, min(len(buf), stop - base))
    while True:
        if st.in_string:
            pos = _STRING_BODY.match(buf, pos, end).end()  # type: ignore[union-attr]
            if pos < end and buf[pos] == 0x22:
                st.in_string = False
                pos += 1
                continue
            st.pos = base + pos
            if pos >= end or (buf[pos] == 0x5C and pos + 1 == end):
                return MORE
            return BAD
        match = _STRUCTURE.search(buf, pos, end)
        if match is None:
            st.pos = base + end
            return MORE
        pos = match.start()
        char = buf[pos]
        if char == 0x22:
            st.in_string = True
        elif char in b"{[":
            stack.append(char)
            if len(stack) > DEPTH:
                st.deep = True
        elif char in b"}]":
            if not stack or stack[-1] != char - 2:  # "}" is "{" + 2, "]" is "[" + 2
                st.pos = base + pos
                return CLOSE if char == 0x5D and not stack else BAD
            stack.pop()
        elif not stack:  # a comma between elements
            st.pos = base + pos
            return SEP
        pos += 1


def _open_at(buf: bytearray, base: int, start: int, end: int) -> array[int]:
    """The positions of the ``{`` and ``[`` opened from ``start`` (read as
    :func:`_scan` reads) that are still open at ``end``."""
    pos, end = start - base, end - base
    opened = array("q")  # (a list of ints held twenty times a deep element's size)
    in_string = False
    while pos < end:
        if in_string:
            pos = _STRING_BODY.match(buf, pos).end()  # type: ignore[union-attr]
            if pos >= end or buf[pos] != 0x22:
                break
            in_string = False
            pos += 1
            continue
        match = _STRUCTURE.search(buf, pos, end)
        if match is None:
            break
        pos = match.start()
        char = buf[pos]
        if char == 0x22:
            in_string = True
        elif char in b"{[":
            opened.append(base + pos)
        elif char in b"}]" and opened:
            opened.pop()
        pos += 1
    return opened


class _Positions:
    """A set of positions at or after ``origin``, one bit each: a deeply
    nested broken element marks every "{" in it, and a set of ints cost
    twenty times the input."""

    __slots__ = ("bits", "origin")

    def __init__(self, origin: int):
        self.origin = origin
        self.bits = bytearray()

    def update(self, positions: Iterable[int]) -> None:
        for pos in positions:
            i = pos - self.origin
            if i < 0:
                continue
            if i >> 3 >= len(self.bits):
                self.bits.extend(bytes((i >> 3) + 1 - len(self.bits)))
            self.bits[i >> 3] |= 1 << (i & 7)

    def __contains__(self, pos: int) -> bool:
        i = pos - self.origin
        return i >= 0 and i >> 3 < len(self.bits) and bool(self.bits[i >> 3] >> (i & 7) & 1)


class _ArrayReader:
    """The elements of a top-level JSON array, each parsed alone, so that a
    corrupt one costs that one only.

    A scanner finds where each element ends (it tracks strings and brackets,
    and a regex skips over string contents), then orjson parses its bytes.
    When the structure breaks (a bracket closing the wrong one, a line break
    inside a string, an element that never ends), the reader looks for the
    next element from the structure: the first ``{`` after the broken
    element's start that follows a separator, begins a whole value, and fits
    the array.  What fits is learnt from two good elements in a row, alike
    and at the first element's column: half their keys shared, and that
    column in a pretty-printed file; with no such model yet, a candidate like
    the last good object fits, or one whose next elements read cleanly as
    its kind.  A ``{`` still open where an earlier candidate broke is never
    scanned again, so the search is linear whatever the input; buffers are
    held to about twice the size limit.
    """

    def __init__(self, head: bytes, stream: IO[bytes], max_bytes: int, inside: bool = False):
        self.inside = inside  # the array is a value inside an object (an export's wrapper)
        self.buf = bytearray(head)
        self.base = 0  # absolute position of buf[0]
        self.stream = stream
        self.eof = False
        self.max = max_bytes
        self.keys: frozenset[str] | None = None  # of the last two good elements, alike
        self.column: int | None = None  # of the elements, in a pretty-printed array
        self.first_column: int | None = None  # of the array's first element
        self.last: tuple[frozenset[str], int | None] | None = None  # the good element before
        self.seen: frozenset[str] | None = None  # keys of the last good object, alike or not
        self.largest = 0  # bytes of the largest good element so far
        self.dead = _Positions(0)  # candidates known to break (see read_at)
        self.scanned: dict[int, tuple[Any, int, int]] = {}  # read_at's scans, by position
        self.reach: int | None = None  # how far candidates are read (see resync)

    # buffer

    def fill(self, squeeze: bool = False) -> bool:
        """Read the next chunk onto the buffer.  With ``squeeze`` (the reader
        stands between tokens, outside any string, at the end of the buffer)
        a chunk of white space only after white space is dropped: a run of
        spaces costs one chunk of memory, not its length (1 GB of spaces
        between two elements held 1 GB)."""
        while not self.eof:
            chunk = self.stream.read(READ_BYTES)
            if not chunk:
                self.eof = True
                return False
            if (
                squeeze
                and self.buf
                and self.buf[-1] in _SPACE
                and not chunk.translate(None, _SPACE)
            ):
                continue  # white space between tokens means nothing: keep the first chunk only
            self.buf += chunk
            return True
        return False

    def forget(self, upto: int) -> None:
        """Drop the bytes before absolute position ``upto``."""
        if upto > self.base:
            del self.buf[: upto - self.base]
            self.base = upto

    def take(self, start: int, end: int) -> bytes:
        return bytes(self.buf[start - self.base : end - self.base])

    def next_nonspace(self, pos: int) -> int | None:
        while True:
            match = _NONSPACE.search(self.buf, max(0, pos - self.base))
            if match is not None:
                return self.base + match.start()
            pos = self.base + len(self.buf)
            if not self.fill(squeeze=True):
                return None

    def scan(self, st: _Scan, start: int, limit: int | None = None) -> int:
        """:func:`_scan`, reading more as needed: BIG once the element passes
        the size limit, LONG once it passes ``limit`` (call again to go on),
        EOF at the end of the input."""
        while True:
            outcome = _scan(self.buf, self.base, st, None if limit is None else start + limit)
            if outcome != MORE:
                return outcome
            if st.pos - start > self.max:
                return BIG
            if limit is not None and st.pos - start >= limit:
                return LONG
            if not self.fill(squeeze=not st.in_string):
                return EOF

    # elements

    def elements(self) -> Iterator[RawRecord]:
        start = self.base + self.buf.index(b"[") + 1
        self.first_column = self.column_of(start)
        index = 0
        while True:
            if start - self.base > READ_BYTES:  # forget what has been parsed
                self.forget(start)
            st = _Scan(start)
            limit = self.suspect()
            outcome = self.scan(st, start, limit)
            nxt = None
            while outcome == LONG and limit is not None:
                # far longer than every element so far: a broken one that runs
                # on into the next ones?  Look for the next element in what was
                # scanned, rather than scanning on to the end of the input
                # (each broken element cost a scan to the end: quadratic).
                # Doubling the limit keeps a long good element's look-ups linear.
                last = self.last
                # (candidates are read no further than as far again: a probe
                # costs what was scanned, not the rest of a long element)
                reach = st.pos + (st.pos - start)
                why = TOO_DEEP if st.deep else None
                record, nxt = self.resync(index, start, stop=st.pos, reach=reach, why=why)
                if nxt is not None:
                    break
                self.last = last  # not yet: go on scanning it
                limit *= 2
                outcome = self.scan(st, start, limit if 2 * limit < self.max else None)
            if nxt is not None:
                yield record
                index += 1
                start = nxt
                continue
            if outcome in (SEP, CLOSE) and st.pos - start > self.max:
                outcome = BIG  # found whole in what was read, but over the limit all the same
            if outcome == BIG:
                record, nxt, outcome = self.too_big(index, start, st)
                yield record
                index += 1
                if nxt is not None:  # it was broken, and the next element begins at nxt
                    start = nxt
                    continue
                if outcome == EOF:
                    return
            elif outcome == BAD or (outcome == EOF and (st.stack or st.in_string)):
                # a broken element may have swallowed the ones after it
                record, nxt = self.resync(index, start)
                yield record
                index += 1
                if nxt is None:
                    return
                start = nxt
                continue
            else:  # SEP, CLOSE, or the end of the input after a whole value
                raw = self.take(start, st.pos).strip()
                if raw or outcome == SEP:
                    # (orjson takes eight times a deep element's size to refuse it)
                    record = (
                        RawRecord(index, None, raw, TOO_DEEP) if st.deep else _parse(index, raw)
                    )
                    if record.error is None:
                        self.learn(record.value, start)
                        self.largest = max(self.largest, st.pos - start)
                        yield record
                        index += 1
                    elif outcome == EOF:
                        yield RawRecord(index, None, raw, NOT_CLOSED)
                        return
                    else:  # the brackets balance, the text is no JSON: one element, or more?
                        why = TOO_DEEP if st.deep else None
                        record, nxt = self.resync(index, start, stop=st.pos, why=why)
                        yield record
                        index += 1
                        if nxt is not None:
                            start = nxt
                            continue
                if outcome == EOF:
                    yield RawRecord(index, None, b"", NOT_CLOSED)
                    return
            if outcome == SEP:
                start = st.pos + 1
                continue
            # the array's "]": elements after it mean it was a stray one
            nxt = self.next_nonspace(st.pos + 1)
            if nxt is None:
                return
            char = self.buf[nxt - self.base]
            if self.inside and self.ends_object(nxt, char):
                return  # the rest is the enclosing object's: its closing brace, its next key
            if char == 0x2C:
                start = nxt + 1
            elif char in b"{[":
                start = nxt
            else:  # out of step: what came before the stray "]" may be a broken element's parts
                self.forget_model()
                record, nxt = self.resync(index, nxt, why="malformed JSON: data after the array")
                yield record
                index += 1
                if nxt is None:
                    return
                start = nxt

    def ends_object(self, pos: int, char: int) -> bool:
        """After the array's ``]`` inside an object: the object's ``}`` that
        closes the input (or its enclosing object, or comes before the next
        key), or a comma before its next key (not before another element).  A
        stray "]}" inside the list, followed by more elements, is neither."""
        if char == 0x7D:
            after = self.next_nonspace(pos + 1)
            if after is None:
                return True
            follow = self.buf[after - self.base]
            if follow == 0x7D:
                return True
            if follow != 0x2C:
                return False
            key = self.next_nonspace(after + 1)
            return key is None or self.buf[key - self.base] == 0x22
        if char != 0x2C:
            return False
        after = self.next_nonspace(pos + 1)
        return after is None or self.buf[after - self.base] == 0x22

    def learn(self, value: Any, start: int) -> None:
        """Take a good object as what the next elements look like (its keys,
        and its column in a pretty-printed array) once the one after it looks
        the same: a stray part of a broken element never becomes the model."""
        if not isinstance(value, dict):
            self.last = None
            return
        shape = (frozenset(value), self.column_of(start))
        self.seen = shape[0]
        if (
            self.last is not None
            and self.last[1] == shape[1]
            and shape[1] == self.first_column  # where the array's first element began
            and _alike(shape[0], self.last[0])
        ):
            self.keys, self.column = shape
        self.last = shape

    def column_of(self, start: int) -> int | None:
        """The column of the element after ``start`` when it begins a line of its own."""
        first = self.next_nonspace(start) or start
        line = self.buf.rfind(b"\n", start - self.base, first - self.base)
        return first - self.base - line - 1 if line >= 0 else None

    def forget_model(self) -> None:
        """The elements read may have been parts of a broken one: learn anew."""
        self.keys = self.column = self.seen = self.last = None

    def suspect(self) -> int | None:
        """How long an element may grow before the reader looks for the next
        one inside it: eight times the largest so far, once there is a model
        of the elements to look for (without one, a long conversation's
        messages would pass for elements), and below the size limit."""
        if self.keys is None and self.seen is None:
            return None
        limit = max(SUSPECT_BYTES, 8 * self.largest)
        return limit if 2 * limit < self.max else None

    def too_big(self, index: int, start: int, st: _Scan) -> tuple[RawRecord, int | None, int]:
        """An element past the size limit: a broken one that runs into the
        next (found in what is buffered), or else one skipped as it streams
        past, keeping its first bytes; with how its scan ended."""
        start = self.next_nonspace(start) or start
        kept = self.take(start, start + self.max)
        record, nxt = self.resync(index, start, stop=st.pos, kept=kept)
        if nxt is not None:
            return record, nxt, BIG
        while True:
            self.forget(st.pos)
            outcome = _scan(self.buf, self.base, st)
            if outcome in (SEP, CLOSE):
                size = st.pos - start
                why = _too_big(size, self.max)
                return RawRecord(index, None, kept, why, size - len(kept)), None, outcome
            if outcome == BAD or (outcome == MORE and not self.fill()):
                record, nxt = self.resync(index, start, frm=st.pos, kept=kept)
                return record, nxt, BIG if nxt is not None else EOF

    def resync(
        self,
        index: int,
        start: int,
        *,
        stop: int | None = None,
        frm: int | None = None,
        kept: bytes | None = None,
        why: str | None = None,
        reach: int | None = None,
    ) -> tuple[RawRecord, int | None]:
        """The broken element at ``start`` as a rejection, and where the next
        element begins (None: nowhere before ``stop``, or the end of the input).

        Candidates are looked at in order from ``frm`` (the byte after
        ``start``); what lies behind them is forgotten once it is past the size
        limit, keeping the element's first bytes for the quarantine.  With
        ``reach``, no candidate is read past that position (it does not fit).
        """
        self.reach = reach
        self.last = None
        start = self.next_nonspace(start) or start
        pos = start + 1 if frm is None else frm
        budget = [BUDGET + 8 * self.max]  # bytes candidates may scan: linear time on any input
        self.dead = _Positions(start)
        self.scanned = {}
        self.skip = 0
        found = None
        while budget[0] > 0:
            match = _OBJECT.search(self.buf, max(0, pos - self.base))
            if match is None:
                pos = self.base + len(self.buf)
                if stop is not None and pos >= stop:
                    break
                kept = self.keep(kept, start, pos)
                if not self.fill():
                    break
                continue
            candidate = self.base + match.start()
            if stop is not None and candidate >= stop:
                break
            if candidate not in self.dead and self.fits(candidate, budget):
                found = candidate
                break
            # a candidate read whole that did not fit: no "{" inside it begins an
            # element (a deeply nested one was scanned again from each "{" in it)
            pos = max(candidate + 1, self.skip)
            kept = self.keep(kept, start, candidate)
        if found is not None:
            end = self.separator_before(found)
        elif stop is not None:
            end = stop
        else:
            end = self.base + len(self.buf)
        size = end - start
        if kept is None or size <= len(kept):
            kept = self.take(start, min(end, start + self.max))
        raw = kept.rstrip()
        if why is None:
            try:
                orjson.loads(raw)
                why = "malformed JSON: the element runs into the next one"
            except orjson.JSONDecodeError as exc:
                why = f"malformed JSON: {exc}"
        return RawRecord(index, None, raw, why, max(0, size - len(kept))), found

    def keep(self, kept: bytes | None, start: int, upto: int) -> bytes | None:
        """Forget the bytes before ``upto`` once they are past the size limit
        of the element at ``start``, keeping its first bytes."""
        if kept is None and upto - start > self.max + READ_BYTES:
            kept = self.take(start, start + self.max)
        if kept is not None:
            self.forget(upto)
        return kept

    def separator_before(self, pos: int) -> int:
        """Where the element before the one at ``pos`` ends: at its comma, or
        after its last byte."""
        q = pos - 1
        while q > self.base and self.buf[q - self.base] in _SPACE:
            q -= 1
        return q if self.buf[q - self.base] == 0x2C else q + 1

    def fits(self, pos: int, budget: list[int]) -> bool:
        """Whether a whole element that fits the array begins at ``pos``."""
        q = pos - 1
        while q >= self.base and self.buf[q - self.base] in _SPACE:
            q -= 1
        if q < self.base or self.buf[q - self.base] not in b",[]}":
            return False
        if self.column is not None:  # pretty-printed: on a line of its own, at the column
            line = self.buf.rfind(b"\n", q - self.base, pos - self.base)
            if line < 0 or pos - self.base - line - 1 != self.column:
                return False
        value, outcome, end = self.read_at(pos, budget)
        if value is not _TOO_DEEP and value is not None:
            self.skip = end  # whole JSON: no element of the array inside it
        elif value is _TOO_DEEP:
            self.skip = end
            return False
        if not isinstance(value, dict):
            return False
        keys = frozenset(value)
        if self.keys is not None:
            return _alike(keys, self.keys)
        if self.seen is not None and _alike(keys, self.seen):
            return True  # like the one good element so far
        # nothing to compare with yet: the elements after it must read as its kind
        for alike in range(CHAIN):
            nxt = self.next_nonspace(end + 1)
            if outcome == CLOSE:
                return nxt is None
            if nxt is None or self.buf[nxt - self.base] != 0x7B:
                return False
            got, outcome, end = self.read_at(nxt, budget)
            if outcome not in (SEP, CLOSE):
                # broken in its turn: enough like ones before it say they are elements
                return alike >= CHAIN // 2
            if not isinstance(got, dict) or not _alike(frozenset(got), keys):
                return False
        return True

    def read_at(self, pos: int, budget: list[int]) -> tuple[Any, int, int]:
        """The value beginning at ``pos`` (None when it does not parse), how
        its scan ended and where.  Each position is scanned once per resync:
        the candidates' look-ahead reads the same elements again and again,
        and a broken one among them was scanned to the end each time."""
        got = self.scanned.get(pos)
        if got is not None:
            return got
        st = _Scan(pos)
        outcome = self.scan(st, pos, None if self.reach is None else max(1, self.reach - pos))
        budget[0] -= st.pos - pos
        if outcome in (BAD, EOF, LONG):
            # every "{" still open where this one broke (or stopped, at reach) would too: skip them
            self.dead.update(_open_at(self.buf, self.base, pos, st.pos))
        value = None
        if outcome in (SEP, CLOSE) and st.deep:
            value = _TOO_DEEP  # (orjson took eight times its size to say so)
        elif outcome in (SEP, CLOSE):
            try:
                value = orjson.loads(self.take(pos, st.pos))
            except orjson.JSONDecodeError as exc:
                # nested past the parser's depth: so is every "{" inside it
                # but the last thousand, and each was scanned to its end
                value = _TOO_DEEP if "depth" in str(exc) else None
        got = self.scanned[pos] = (value, outcome, st.pos)
        return got


BUDGET = 64 << 20
DEPTH = 1024  # the nesting orjson parses
TOO_DEEP = f"malformed JSON: depth limit exceeded (nested deeper than {DEPTH:,} levels)"
_TOO_DEEP: Any = object()  # read_at's value of an element nested deeper than orjson parses
# the least an element may grow to before the reader looks for the next one inside it
SUSPECT_BYTES = 16 << 10


def _alike(keys: frozenset[str], known: frozenset[str]) -> bool:
    """At least half of the keys of the two objects are shared."""
    return 2 * len(keys & known) >= len(keys | known)


def _parse(index: int, raw: bytes) -> RawRecord:
    try:
        return RawRecord(index, orjson.loads(raw), raw)
    except orjson.JSONDecodeError as exc:
        return RawRecord(index, None, raw, f"malformed JSON: {exc}")


def iter_array(
    head: bytes, stream: IO[bytes], max_bytes: int, inside: bool = False
) -> Iterator[RawRecord]:
    """The elements of a JSON array, one at a time (see :class:`_ArrayReader`).

    With ``inside``, the array is a value inside an object (``stream`` starts
    at its ``[``): reading ends at the array's last ``]``, before the object's
    closing brace or next key, and a stray ``]`` inside still costs one
    element only."""
    yield from _ArrayReader(head, stream, max_bytes, inside).elements()


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
    """A rejection of ``record``, keeping its raw text (up to the size limit) for the quarantine."""
    raw = record.raw or (orjson.dumps(record.value) if record.value is not None else b"")
    text = raw.decode("utf-8", "replace")
    return Rejected(Source(path, record.index, fmt), reason, text, bytes_not_kept=record.dropped)


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


def read_records(
    stream: IO[bytes], path: str, fmt: str, convert: Any, *, inside: bool = False
) -> Iterator[Any]:
    """Conversations from JSON records through ``convert(value, source)``.

    ``convert`` returns a Conversation, or None for a record with nothing to
    read (an empty conversation), or raises :class:`FieldError`; either
    failure becomes a :class:`Rejected` that names the record and the field.
    With ``inside``, ``stream`` starts at an array inside an object (an
    export's ``{"conversations": [...]}``) and is read up to the array's end.
    """
    for record in iter_json(stream, inside=inside):
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
