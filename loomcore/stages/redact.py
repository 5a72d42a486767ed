"""Redaction: every turn through the redactors once, failing closed."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import attrs

from loomcore.model import (
    Memory,
    Turn,
)
from loomcore.registry import LoomcoreError, Registry
from loomcore.stages.budget import Faults, RecordTimeout
from loomcore.text.standalone import repair_encoding

log = logging.getLogger("loomcore")

REDACTION_MODES = {"none": (), "secrets": ("secret",), "all": ("secret", "personal")}


class RedactionFailed(LoomcoreError):
    """A redactor raised or ran past the time budget: the exchange must not go on unredacted."""


@attrs.define
class TurnCache:
    """The redacted turns of the conversation being processed.

    Every exchange carries the turns before it as ``history``, so without this
    a conversation of n exchanges would be redacted n * (n + 1) / 2 times over.
    Exchanges of one conversation arrive one after another (on each worker of
    a parallel executor too), so one conversation's turns are all it holds.
    Redactors are pure functions of the text, so a hit gives the same result
    as a fresh run and the output does not depend on what was cached.
    """

    scope: tuple[Any, ...] = ()
    # (text, repaired first) -> (redacted text, what was found)
    turns: dict[tuple[str, bool], tuple[str, Counter[str]]] = attrs.field(factory=dict)
    # the last history seen and its redacted copy: the next exchange's history
    # starts with it, so only the turns after it need redacting
    history: tuple[Turn, ...] = ()
    redacted: tuple[Turn, ...] = ()

    def of(self, scope: tuple[Any, ...]) -> TurnCache:
        if scope != self.scope:
            self.scope, self.turns, self.history, self.redacted = scope, {}, (), ()
        return self


# one cache per thread: an embedding application may run pipelines in threads,
# and one conversation's redacted history must never meet another's
_local = threading.local()


def _turn_cache(scope: tuple[Any, ...]) -> TurnCache:
    cache = getattr(_local, "turn_cache", None)
    if cache is None:
        cache = _local.turn_cache = TurnCache()
    return cache.of(scope)


def redact(
    registry: Registry,
    memory: Memory,
    mode: str = "all",
    allow: frozenset[str] = frozenset(),
    counts: Counter[str] | None = None,
    faults: Faults | None = None,
    deadline: float | None = None,
) -> Memory:
    """The memory with secrets (mode "secrets") or secrets and personal data
    (mode "all", the default) replaced by typed placeholders in every turn,
    in the string values of its metadata and in its source's path.

    ``counts`` gathers the findings by placeholder in the exchange's own two
    turns; the history's turns are redacted too but were counted as the
    exchanges they were.  The values themselves are never kept.

    Fails closed: a redactor that raises, or that returns after
    ``deadline`` (a ``time.monotonic()`` value: a plugin that catches the
    time budget's exception itself still returns late), is counted as a
    fault and :class:`RedactionFailed` is raised; the caller drops the
    exchange.
    """
    kinds = REDACTION_MODES[mode]
    # secrets first: a password in a URL is a secret before it looks like an e-mail
    redactors = sorted(
        (r for r in registry.redactors if r.kind in kinds),
        key=lambda r: (r.kind != "secret", r.name),
    )
    faults = faults or Faults()
    cache = _turn_cache((registry, mode, allow, memory.conversation_id))
    turns = cache.turns

    def repaired(text: str) -> str:
        # mojibake is put back before the redactors read a text, never after:
        # "franÃ§ois@orange.fr" hides the address from them, and a repair
        # afterwards would write it out whole; a failure fails closed
        try:
            return repair_encoding(text)
        except Exception as exc:
            faults.handle("loomcore", "repair_encoding", exc, memory.id)
            raise RedactionFailed(f"repair_encoding: {type(exc).__name__}") from exc

    def clean(text: str, repair: bool = True) -> tuple[str, Counter[str]]:
        hit = turns.get((text, repair))
        if hit is not None:
            return hit
        original, found_all = text, Counter[str]()
        if repair:
            text = repaired(text)
        for redactor in redactors:
            try:
                text, found = redactor.redact(text, allow)
                if deadline is not None and time.monotonic() > deadline:
                    raise RecordTimeout("over the time budget per record (--record-timeout)")
            except Exception as exc:
                faults.handle(redactor.plugin, "redact", exc, memory.id)
                raise RedactionFailed(f"{redactor.name}: {type(exc).__name__}") from exc
            found_all.update(found)
        turns[(original, repair)] = (text, found_all)
        return text, found_all

    def name(text: str) -> tuple[str, Counter[str]]:
        # a path and the ids made of it stay as the file system spells them,
        # unless mojibake hid something there that its repair shows (then the
        # repaired form, redacted, is written: fail closed)
        kept = clean(text, repair=False)
        fixed_text = repaired(text)
        if fixed_text == text:
            return kept
        fixed = clean(fixed_text, repair=False)
        return fixed if sum(fixed[1].values()) > sum(kept[1].values()) else kept

    (user, in_user), (reply, in_reply) = clean(memory.user_input), clean(memory.system_output)
    if counts is not None:
        counts.update(in_user)
        counts.update(in_reply)
    done = len(cache.history)
    if memory.history[:done] != cache.history:
        done = 0
    history = cache.redacted[:done] + tuple(
        attrs.evolve(t, content=clean(t.content)[0]) for t in memory.history[done:]
    )
    cache.history, cache.redacted = memory.history, history
    # titles, speaker names and file names travel in the metadata to the outputs
    memory = attrs.evolve(
        memory,
        metadata={k: clean(v)[0] if isinstance(v, str) else v for k, v in memory.metadata.items()},
        source=attrs.evolve(memory.source, path=name(memory.source.path)[0]),
        # ids are made of file names ("bob@acme.io.jsonl:1:0")
        id=_clean_id(memory.id, memory.conversation_id, name),
        conversation_id=name(memory.conversation_id)[0] if memory.conversation_id else None,
    )
    return attrs.evolve(
        memory,
        text=f"User: {user}\n\nSystem: {reply}",
        metadata={**memory.metadata, "user_input": user, "system_output": reply},
        history=history,
    )


def _clean_id(
    memory_id: str, conversation_id: str | None, clean: Callable[[str], tuple[str, Any]]
) -> str:
    """An exchange's id redacted; "<conversation id>:<n>" redacts the
    conversation's id (once per conversation, as it is cached) and keeps the number."""
    if conversation_id and memory_id.startswith(conversation_id + ":"):
        return clean(conversation_id)[0] + memory_id[len(conversation_id) :]
    return clean(memory_id)[0]


def redact_text(
    registry: Registry, text: str, mode: str = "all", allow: frozenset[str] = frozenset()
) -> str:
    """One text through the redactors of ``mode``, for what a run writes
    besides examples (quarantine, summary, manifest).  Fails closed: when a
    redactor raises, nothing of the text is kept."""
    kinds = REDACTION_MODES[mode]
    redactors = sorted(
        (r for r in registry.redactors if r.kind in kinds),
        key=lambda r: (r.kind != "secret", r.name),
    )
    for redactor in redactors:
        try:
            text, _ = redactor.redact(text, allow)
        except Exception:
            return "[REDACTION_FAILED]"
    return text
