"""The read stage: inputs -> conversations -> exchanges, each bad record
counted, quarantined and never the cause of another one's loss."""

from __future__ import annotations

import gzip
import logging
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from loomcore import increments
from loomcore.inputs import Digest, InputError, iter_paths, open_with_reader, printable_path
from loomcore.manifest import _size
from loomcore.model import Conversation, Memory, Rejected, Source
from loomcore.options import RunOptions
from loomcore.progress import Progress, position
from loomcore.registry import LoomcoreError, Registry
from loomcore.stages.exchanges import exchanges
from loomcore.stats import RunStats
from loomcore.text.standalone import repair_encoding
from loomcore.writers import JsonlWriter

log = logging.getLogger("loomcore")


class InputRejected(LoomcoreError):
    """A bad input record, with ``--on-error fail``."""


class Reading:
    """Reads a run's inputs with the registry's readers, counting into ``stats``.

    ``redacted`` is the run's redaction of a string: a rejected record's path,
    reason and raw text are written (quarantine, log) only through it.
    """

    def __init__(
        self,
        registry: Registry,
        options: RunOptions,
        stats: RunStats,
        progress: Progress,
        redacted: Callable[[str], str],
    ):
        self.registry, self.options, self.stats = registry, options, stats
        self.progress, self.redacted = progress, redacted
        self.quarantine: JsonlWriter | None = None  # set by the run when it keeps one
        # each input file hashed as it is read, for the manifest (see inputs.Digest)
        self.digests: dict[str, Digest] = {}

    def reject(self, item: Rejected) -> None:
        """Count, log and quarantine one bad record (or stop, with ``--on-error fail``)."""
        path, reason = self.redacted(item.source.path), self.redacted(item.reason)
        where = f"{path}:{item.source.index}"
        if self.options.on_error == "fail":
            raise InputRejected(f"{where}: {reason}")
        self.stats.rejected += 1
        self.stats.rejected_by_reason[reason.split(":")[0].split(" @ ")[0][:80]] += 1
        log.warning("%s: rejected: %s", where, reason)
        if self.quarantine is not None:
            self.quarantine.write_record(
                {
                    "path": path,
                    "index": item.source.index,
                    "reason": reason,
                    # mojibake put back first, as for every turn (see stages.redact)
                    "raw": self.redacted(repair_encoding(item.raw)),
                    # what the size limit kept out of raw (the record is whole when 0)
                    "bytes_not_kept": getattr(item, "bytes_not_kept", 0),
                }
            )

    def close_quarantine(self, keep: bool) -> list[tuple[Path, int | None]]:
        """Keep the quarantine file if ``keep`` and something was rejected,
        else remove it; the file kept, with its lines, if any."""
        quarantine, self.quarantine = self.quarantine, None
        if quarantine is None:
            return []
        if keep and quarantine.lines:
            quarantine.commit()
            return [(quarantine.path, quarantine.lines)]
        quarantine.abort()
        return []

    def conversations(
        self, inputs: list[str] | None, watermarks: dict[str, Any] | None = None
    ) -> Iterator[Conversation]:
        """Every conversation of the inputs (the bundled sample when none).

        With ``watermarks`` ({input path: watermark, see :mod:`loomcore.increments`}),
        records at or before the mark are skipped and the marks move to the
        last record consumed, so that an incremental run reads only what
        arrived since.  An input that is empty or of no known format is one
        rejected record; one that cannot be opened or read to its end (no
        permission, a truncated gzip) is a failed input, named in the
        summary; the other inputs are read all the same.
        """
        done = 0  # bytes of the inputs read before this one
        for path in iter_paths(inputs):
            shown = printable_path(path)  # a file name that is not UTF-8 can still be written
            self.stats.inputs.append(path)  # opened again for the manifest: the real name
            last = [-1]  # the position of the last record read
            try:
                yield from self._read_input(path, shown, done, watermarks, last)
            except InputError as exc:  # empty, or no reader knows it: nothing of it is read
                self.reject(Rejected(Source(shown, 0, ""), str(exc).removeprefix(f"{shown}: ")))
            except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
                # (a zip member whose CRC fails raises BadZipFile while it is read)
                cause = read_error(
                    exc
                )  # named, counted, and the run fails: what it held is unknown
                self.stats.inputs_failed[shown] = cause
                self.reject(
                    Rejected(Source(shown, last[0] + 1, ""), f"input not read to its end: {cause}")
                )
            done += _size(path)

    def _read_input(
        self,
        path: str,
        shown: str,
        done: int,
        watermarks: dict[str, Any] | None,
        last: list[int],
    ) -> Iterator[Conversation]:
        stream, reader = open_with_reader(
            self.registry, path, self.options.input_format, self.digests
        )
        key = increments.key(path)  # (a hash: the resolved path names the home directory)
        mark, pending = -1, list[int]()
        if watermarks is not None:
            mark, why = increments.start_after(path, watermarks.get(key))
            if why:
                log.warning("%s: %s: reading it from the start", shown, why)
                self.stats.inputs_restarted[shown] = why
        consumed = mark
        max_turns = self.options.limits.max_turns
        with stream:
            items: Iterable[Conversation | Rejected] = reader.read(stream, shown)
            if watermarks is not None:  # a last line still being written is not consumed
                items = increments.complete_records(items, path, pending)
            for item in items:
                last[0] = item.source.index
                if watermarks is not None:
                    if item.source.index <= mark:
                        continue
                    consumed = max(consumed, item.source.index)
                if not isinstance(item, Rejected) and len(item.turns) > max_turns:
                    item = Rejected(
                        item.source,
                        f"conversation of {len(item.turns):,} turns is over the limit of "
                        f"{max_turns:,} (--max-turns)",
                    )
                if isinstance(item, Rejected):
                    self.reject(item)
                else:
                    self.stats.conversations += 1
                self.progress.advance(done + position(stream), self.stats.conversations)
                if not isinstance(item, Rejected):
                    yield item
        if watermarks is None:
            return
        if pending:
            self.stats.records_pending[shown] = pending[0]
            log.warning(
                "%s:%d: the last line is not complete yet (no line break, does not parse): "
                "left for the next run",
                shown,
                pending[0],
            )
        if consumed != mark or shown in self.stats.inputs_restarted:
            watermarks[key] = increments.watermark(path, consumed)

    def memories(self, conversations: Iterable[Conversation]) -> Iterator[Memory]:
        """Every exchange of the conversations, as read (redaction and scoring
        are part of the per-exchange work, see :mod:`loomcore.stages.work`)."""
        for conv in conversations:
            dropped = conv.metadata.get("dropped_exchanges")
            if isinstance(dropped, dict):
                self.stats.exchanges_not_read.update(dropped)
            for memory in exchanges(conv):
                self.stats.memories += 1
                yield memory

    def summary(self, watermarks: dict[str, Any] | None = None) -> dict[str, Any]:
        """summary.json: the run's counts, what was lost, paths and reasons
        redacted; ``watermarks`` for an incremental run."""
        summary = self.stats.summary()
        summary["loss"] = self.loss()
        summary["inputs"] = [self.redacted(printable_path(p)) for p in summary["inputs"]]
        for key in ("inputs_failed", "inputs_restarted", "records_pending"):
            summary["loss"][key] = {
                self.redacted(p): self.redacted(why) if isinstance(why, str) else why
                for p, why in summary["loss"][key].items()
            }
        if watermarks is not None:
            summary["watermarks"] = watermarks
        return summary

    def loss(self) -> dict[str, Any]:
        """What the run lost, for the summary and the exit status: rejected
        records against those read, the ``max_rejected`` share allowed, inputs
        not read to their end; ``failed`` when either is over."""
        stats = self.stats
        read = stats.conversations + stats.rejected
        share = stats.rejected / read if read else 0.0
        return {
            "records_read": read,
            "records_rejected": stats.rejected,
            "rejected_share": round(share, 6),
            "max_rejected": self.options.max_rejected,
            "inputs_failed": dict(sorted(stats.inputs_failed.items())),
            "inputs_restarted": dict(sorted(stats.inputs_restarted.items())),
            "records_pending": dict(sorted(stats.records_pending.items())),
            "failed": bool(stats.inputs_failed) or share > self.options.max_rejected,
        }


def resumable(inputs: list[str] | None) -> None:
    """Refuse inputs an incremental run (``--since-last``) cannot read again."""
    if inputs and "-" in inputs:
        raise LoomcoreError(
            "-: standard input cannot be resumed; --since-last reads files it can read again"
        )


def read_error(exc: BaseException) -> str:
    """Why an input could not be read to its end, in words."""
    if isinstance(exc, EOFError):  # gzip's word for a file cut short
        return f"truncated gzip file ({exc})"
    if isinstance(exc, gzip.BadGzipFile | zlib.error):
        return f"corrupt gzip file ({exc})"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)
