"""A conversation log that a tool embeds: record turns as they happen, read
the signal back, and let ``loomcore run --since-last`` synthesise what arrived.

::

    log = ConversationLog("chats.db")
    log.record("What is Thompson Sampling?", "Thompson Sampling is ...")
    for memory in log.history(min_importance=0.4, since="2025-10-01"):
        ...

Stored in one SQLite file (standard library) in WAL mode with full
synchronous commits: one writer and several readers at once, and a turn
whose ``record`` returned survives a crash of the process.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import attrs
import orjson

from loomcore.model import Memory, Source
from loomcore.registry import Registry, default_registry
from loomcore.stages.annotate import score

FORMAT = "conversation_log"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT,
    user_input TEXT NOT NULL,
    system_output TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    importance REAL NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS turns_time ON turns (timestamp);
"""


class ConversationLog:
    """Turns recorded one by one, scored on the way in, kept in SQLite."""

    def __init__(self, path: str | os.PathLike[str], registry: Registry | None = None):
        self.path = os.fspath(path)
        self.registry = registry
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed turn is on disk before record() returns
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def record(
        self,
        user_input: str,
        system_output: str,
        *,
        conversation_id: str | None = None,
        timestamp: str | None = None,
        importance: float | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Memory:
        """Score one exchange (unless ``importance`` is given) and store it."""
        if not isinstance(user_input, str) or not isinstance(system_output, str):
            raise TypeError("user_input and system_output must be text")
        stamp = timestamp or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        memory = Memory(
            id="",
            text=f"User: {user_input}\n\nSystem: {system_output}",
            timestamp=stamp,
            importance=importance,
            metadata={**(metadata or {}), "user_input": user_input, "system_output": system_output},
            conversation_id=conversation_id,
        )
        if memory.importance is None:
            memory = score(self.registry or default_registry(), memory)
        # one statement, committed on its own: the row is whole or absent
        cur = self._db.execute(
            "INSERT INTO turns (conversation_id, user_input, system_output, timestamp, importance, metadata)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                conversation_id,
                user_input,
                system_output,
                stamp,
                memory.importance,
                orjson.dumps(metadata or {}).decode(),
            ),
        )
        seq = cur.lastrowid or 0  # set by every INSERT
        return attrs.evolve(memory, id=f"log-{seq}", source=Source(self.path, seq, FORMAT))

    def history(
        self, min_importance: float = 0.4, since: str | None = None, limit: int | None = None
    ) -> list[Memory]:
        """Stored exchanges at or above ``min_importance``, oldest first,
        from ``since`` (an ISO timestamp or date) on."""
        return list(self.memories(min_importance=min_importance, since=since, limit=limit))

    def memories(
        self,
        *,
        min_importance: float = 0.0,
        since: str | None = None,
        after_seq: int = 0,
        limit: int | None = None,
    ) -> Iterator[Memory]:
        sql = "SELECT seq, conversation_id, user_input, system_output, timestamp, importance, metadata FROM turns WHERE importance >= ? AND seq > ?"
        args: list[Any] = [min_importance, after_seq]
        if since:
            sql += " AND timestamp >= ?"
            args.append(since)
        sql += " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        for seq, conv, user, reply, stamp, imp, meta in self._db.execute(sql, args):
            yield Memory(
                id=f"log-{seq}",
                text=f"User: {user}\n\nSystem: {reply}",
                timestamp=stamp,
                importance=imp,
                metadata={**orjson.loads(meta), "user_input": user, "system_output": reply},
                source=Source(self.path, seq, FORMAT),
                conversation_id=conv,
            )

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM turns").fetchone()[0]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ConversationLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
