"""Plain transcripts: ``User:`` / ``Assistant:`` / ``System:`` prefixed turns.

One conversation per file, or several separated by a line of ``---``.  As
in the seed's memory text, a ``System:`` turn answering a user in a
transcript with no ``Assistant:`` label is the assistant's reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from loomcore import Conversation, Reader, Source, Turn, hookimpl
from loomcore.model import Rejected
from loomcore.text.transcript import parse_transcript

NAME = "transcript"
_LABEL = re.compile(rb"^\s*(?:user|human|assistant|ai|bot|system|customer|agent)\s*:", re.I | re.M)
_SEPARATOR = re.compile(r"^\s*-{3,}\s*$", re.M)


def sniff(head: bytes) -> bool:
    stripped = head.lstrip()
    return not stripped.startswith((b"{", b"[")) and bool(_LABEL.search(head[:4096]))


def read(stream: IO[bytes], path: str) -> Iterator[Conversation | Rejected]:
    text = stream.read().decode("utf-8", "replace")
    name = path.rsplit("/", 1)[-1]
    for index, chunk in enumerate(_SEPARATOR.split(text)):
        if not chunk.strip():
            continue
        source = Source(path, index, NAME)
        turns = tuple(Turn(role, content) for role, content in parse_transcript(chunk))
        if not any(t.role == "user" for t in turns) or not any(
            t.role == "assistant" for t in turns
        ):
            yield Rejected(source, "no user and assistant turns", chunk[:2000])
            continue
        yield Conversation(id=f"{name}:{index}", turns=turns, source=source)


@hookimpl
def register_readers(register):
    register(Reader(NAME, read, sniff, description="plain User:/Assistant: transcripts"))
