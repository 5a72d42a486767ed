"""Progress of a long run: how much input has been read, records/s and an ETA.

The pipeline reports to a :class:`Progress` (the default one does nothing);
the command line gives it a :class:`TerminalProgress` only when stderr is a
terminal and ``--quiet`` is off, so that a run in a pipe, in CI or in a
notebook prints nothing but its summary.

Progress is measured in bytes of input read (compressed bytes for a gzip
file), because that is what is known in advance; a record count has no total
until the whole input has been read.
"""

from __future__ import annotations

import time
from typing import IO, Any


class Progress:
    """Told how far a run has got; this base class ignores it."""

    def start(self, total_bytes: int | None) -> None:
        """The run begins; ``total_bytes`` of input in all (None: unknown, e.g. stdin)."""

    def advance(self, bytes_read: int, records: int) -> None:
        """``bytes_read`` of the input are read so far, ``records`` conversations so far."""

    def stage(self, name: str) -> None:
        """The run moves on to ``name`` (for example "writing")."""

    def finish(self) -> None:
        """The run is over (also called when it fails)."""


class TerminalProgress(Progress):
    """A rich progress bar on stderr: bytes read, conversations, records/s, ETA.

    Redraws at most ten times a second, whatever the rate of records.
    """

    def __init__(self, console: Any = None):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[records]:,} conversations, {task.fields[rate]:,.0f}/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
            transient=True,
        )
        self._task: Any = None
        self._started = 0.0
        self._last = 0.0

    def start(self, total_bytes: int | None) -> None:
        self._bar.start()
        self._started = time.monotonic()
        self._task = self._bar.add_task("reading", total=total_bytes, records=0, rate=0.0)

    def advance(self, bytes_read: int, records: int) -> None:
        now = time.monotonic()
        if now - self._last < 0.1:
            return
        self._last = now
        rate = records / max(now - self._started, 1e-9)
        self._bar.update(self._task, completed=bytes_read, records=records, rate=rate)

    def stage(self, name: str) -> None:
        self._bar.update(self._task, description=name)

    def finish(self) -> None:
        self._bar.stop()


def position(stream: IO[bytes]) -> int:
    """How many bytes of the file under ``stream`` have been consumed.

    For a gzip stream this is the position in the compressed file; for a
    pipe it is 0.
    """
    inner = getattr(stream, "fileobj", None) or stream  # GzipFile wraps the file
    try:
        return inner.tell()
    except (OSError, ValueError):
        return 0
