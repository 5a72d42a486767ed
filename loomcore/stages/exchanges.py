"""Conversations into exchanges (a user turn and the reply to it), with the turns before them."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import attrs

from loomcore.model import (
    Conversation,
    Memory,
    Turn,
)

log = logging.getLogger("loomcore")


def exchanges(conversation: Conversation) -> Iterator[Memory]:
    """One memory per user turn that an assistant turn answers.

    Earlier turns travel along as ``history`` so that a follow-up question
    ("and the second one?") can be understood.  The memory's id is the user
    turn's id when the source gives one, else ``<conversation id>:<n>``.
    The conversation's system prompt (its system turns before the question,
    as the input gave them) travels in ``metadata["system_prompt"]``, so an
    example builder can carry it into the formats that have a place for it.
    """
    history: list[Turn] = []
    pending: Turn | None = None
    n = 0
    meta = conversation.metadata
    system: list[str] = []
    for turn in conversation.turns:
        if turn.role == "system" and turn.content.strip():
            system.append(turn.content.strip())
        if turn.role == "user":
            if pending is not None:
                history.append(pending)
            pending = turn
        elif turn.role == "assistant" and pending is not None:
            memory_id = pending.id or f"{conversation.id}:{n}"
            yield Memory(
                id=memory_id,
                text=f"User: {pending.content}\n\nSystem: {turn.content}",
                timestamp=pending.timestamp or turn.timestamp or meta.get("timestamp"),
                importance=meta.get("importance"),
                metadata={
                    **(meta.get("memory_metadata") or {}),
                    "user_input": pending.content,
                    "system_output": turn.content,
                    **({"system_prompt": "\n\n".join(system)} if system else {}),
                },
                history=tuple(history),
                source=attrs.evolve(conversation.source),
                conversation_id=conversation.id,
            )
            n += 1
            history.extend((pending, turn))
            pending = None
        else:
            history.append(turn)
