"""Plain transcripts: ``User:`` / ``Assistant:`` / ``System:`` prefixed turns.

One conversation per file, or several separated by a line of ``---``
before a turn.  As
in the seed's memory text, a ``System:`` turn answering a user in a
transcript with no ``Assistant:`` label is the assistant's reply.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import IO

from loomcore import Conversation, Reader, Source, Turn, hookimpl
from loomcore.records import Rejected, limits
from loomcore.text.transcript import parse_transcript

NAME = "transcript"
_LABEL = re.compile(rb"^\s*(?:user|human|assistant|ai|bot|system|customer|agent)\s*:", re.I | re.M)
_SEPARATOR = re.compile(r"[ \t]*-{3,}\s*")  # a whole line of dashes
# a line that opens a turn, as parse_transcript reads one
_TURN = re.compile(
    r"[ \t]*(?:user|human|you|me|customer|assistant|ai|bot|gpt|chatgpt|claude|agent|model|system)"
    r"[ \t]*:",
    re.I,
)
LINE_CHARS = 1 << 20


def sniff(head: bytes) -> bool:
    stripped = head.lstrip()
    return not stripped.startswith((b"{", b"[")) and bool(_LABEL.search(head[:4096]))


def read(stream: IO[bytes], path: str) -> Iterator[Conversation | Rejected]:
    """Conversations one at a time, reading the file line by line: memory
    holds one conversation, and one over ``--max-record-bytes`` is skipped
    as it streams past (its text up to the limit kept for the quarantine).

    A line of dashes separates two conversations only when the next line
    with text opens a turn (``User:``); otherwise it is a rule inside an
    answer and stays in it.  A UTF-8 byte order mark is not text.
    """
    max_chars = limits.get().max_record_bytes
    name = path.rsplit("/", 1)[-1]
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    index, lines, size = 0, [], 0
    pending: list[str] = []  # a separator line and the blank lines after it

    def add(line: str) -> None:
        nonlocal size
        kept = max(0, max_chars - size) if size < max_chars else 0
        size += len(line)
        if kept:
            lines.append(line[:kept])

    def conversation() -> Iterator[Conversation | Rejected]:
        chunk = "".join(lines)
        if size > max_chars:
            reason = _too_big(size, max_chars)
            yield Rejected(
                Source(path, index, NAME), reason, chunk, bytes_not_kept=size - len(chunk)
            )
        elif chunk.strip():
            yield from _conversation(chunk, Source(path, index, NAME), f"{name}:{index}")

    try:
        # bounded reads: a file with no line breaks is not held whole
        for line in iter(lambda: text.readline(LINE_CHARS), ""):
            if pending:
                if not line.strip():
                    pending.append(line)
                    continue
                if _TURN.match(line):
                    yield from conversation()
                    index, lines, size = index + 1, [], 0
                else:  # a rule inside an answer
                    for held in pending:
                        add(held)
                pending = []
            if _SEPARATOR.fullmatch(line):
                pending = [line]
                continue
            add(line)
        yield from conversation()
    finally:
        text.detach()  # the stream belongs to the caller, who closes it


def _conversation(chunk: str, source: Source, cid: str) -> Iterator[Conversation | Rejected]:
    turns = tuple(Turn(role, content) for role, content in parse_transcript(chunk))
    if not any(t.role == "user" for t in turns) or not any(t.role == "assistant" for t in turns):
        yield Rejected(source, "no user and assistant turns", chunk)
    else:
        yield Conversation(id=cid, turns=turns, source=source)


def _too_big(size: int, limit: int) -> str:
    return (
        f"conversation of {size:,} characters is over the limit of {limit:,} (--max-record-bytes)"
    )


@hookimpl
def register_readers(register):
    register(Reader(NAME, read, sniff, description="plain User:/Assistant: transcripts"))
