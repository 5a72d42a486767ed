"""loomcore's own conversation log (SQLite, written by ``ConversationLog``).

Each stored exchange becomes a conversation whose position is the turn's
sequence number, so ``run --since-last`` picks up exactly the new turns.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from loomcore import Conversation, Reader, Turn, hookimpl
from loomcore.log import FORMAT, ConversationLog
from loomcore.model import Rejected


def sniff(head: bytes) -> bool:
    return head.startswith(b"SQLite format 3\x00")


def read(stream: IO[bytes], path: str) -> Iterator[Conversation | Rejected]:
    stream.close()  # SQLite reads the file itself
    with ConversationLog(path) as log:
        for memory in log.memories():
            yield Conversation(
                id=memory.id,
                turns=(
                    Turn("user", memory.user_input, id=memory.id, timestamp=memory.timestamp),
                    Turn("assistant", memory.system_output, timestamp=memory.timestamp),
                ),
                source=memory.source,
                metadata={"importance": memory.importance, "timestamp": memory.timestamp},
            )


@hookimpl
def register_readers(register):
    register(Reader(FORMAT, read, sniff, description="loomcore's SQLite conversation log"))
