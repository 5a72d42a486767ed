"""The per-record time budget and the fault policy every stage runs plugins under."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

import attrs

from loomcore.registry import PluginError

log = logging.getLogger("loomcore")


class _Plugged(Protocol):
    """A registered record: it names the plugin that registered it."""

    @property
    def plugin(self) -> str: ...


P = TypeVar("P", bound=_Plugged)
R = TypeVar("R")


class RecordTimeout(Exception):
    """A record's processing ran past its time budget (raised inside the plugin running then)."""


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise :class:`RecordTimeout` in whatever code runs after ``seconds``.

    Works in the main thread of a Unix process (an interval timer and
    SIGALRM); it interrupts Python code, not a C extension that never
    returns to the interpreter.  Elsewhere it does nothing.
    """
    if (
        seconds <= 0
        or threading.current_thread() is not threading.main_thread()
        or not hasattr(signal, "setitimer")
    ):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise RecordTimeout(f"over the time budget of {seconds:g} s per record (--record-timeout)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@attrs.define
class Faults:
    """What to do when a plugin raises on one record: count it and go on, or stop."""

    strict: bool = True
    by_plugin: Counter[str] = attrs.field(factory=Counter)

    def each(
        self, records: Iterable[P], stage: str, record_id: str, call: Callable[[P], R]
    ) -> Iterator[tuple[P, R]]:
        """``(record, call(record))`` for each plugin record, in order; a record
        whose call raises is handled (:meth:`handle`) and left out.

        The one place a stage runs plugins: every stage's loop is
        ``for record, result in faults.each(...)``, so the fault policy,
        strict mode and the count per plugin are the same everywhere.
        ``call`` runs when the loop asks for the next record, so it may read
        what the loop body changed (an enricher's input is the last one's output).
        """
        for record in records:
            try:
                result = call(record)
            except Exception as exc:
                self.handle(record.plugin, stage, exc, record_id)
                continue
            yield record, result

    def handle(self, plugin: str, stage: str, exc: Exception, record_id: str) -> None:
        """Stop the run (strict) or count the fault against ``plugin`` and log it."""
        if self.strict:
            raise PluginError(plugin, stage, exc) from exc
        self.by_plugin[plugin] += 1
        log.warning(
            "plugin %r failed in %s on %s: %s: %s",
            plugin,
            stage,
            record_id,
            type(exc).__name__,
            exc,
        )
