"""Incremental runs (``loomcore run --since-last``): each run synthesises only
what arrived since the last successful one, exactly once.

Every incremental run writes its own batch, ``<format>.run-NNNN.jsonl``, and
then ``summary.run-NNNN.json``, which holds the watermarks (for each input,
the last position read: a line number, a record index, a log sequence).  The
summary is written last, so it marks the batch complete.  On start, a batch
without its summary (a run that died half way) is deleted and redone; the
watermarks come from the newest complete summary.  So a failed run neither
skips records nor emits them twice.

A watermark also names the file it was taken on (inode, and the length and
hash of the prefix read), so a rotated or rewritten file is read again from
its start; a last line still being written (no line break, does not parse) is
left for the next run; standard input cannot be resumed and is refused.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs
import orjson

_BATCH = re.compile(r"^(?P<stem>.+)\.(?P<run>run-\d{4,})\.(?P<ext>jsonl|json)$")


@attrs.frozen
class State:
    """Where the next incremental run starts."""

    run_name: str
    watermarks: dict[
        str, Any
    ]  # :func:`key` of an input -> a position, or a dict from :func:`watermark`


def key(path: str) -> str:
    """What a watermark is filed under: a hash of the input's resolved path.

    The summary of an incremental run is an output like any other; the
    resolved path names the user's home directory ("/home/ana.lima/..."),
    which is personal data.  The hash still tells one input from another and
    finds the same file again under another spelling of its path."""
    if path == "-":
        return path
    resolved = str(Path(path).resolve()).encode("utf-8", "surrogateescape")
    return _hashed(resolved.decode("utf-8", "replace"))


def _hashed(resolved: str) -> str:
    return "sha256:" + hashlib.sha256(resolved.encode("utf-8")).hexdigest()


def prepare(out: Path) -> State:
    """Remove incomplete batches in ``out`` and read the watermarks of the last complete one."""
    out.mkdir(parents=True, exist_ok=True)
    complete: dict[str, Path] = {}
    batches: dict[str, list[Path]] = {}
    for path in out.iterdir():
        m = _BATCH.match(path.name)
        if not m:
            continue
        if m.group("stem") == "summary" and m.group("ext") == "json":
            complete[m.group("run")] = path
        else:
            batches.setdefault(m.group("run"), []).append(path)
    for run, files in batches.items():
        if run not in complete:
            for f in files:
                f.unlink()
    runs = sorted(complete, key=lambda r: int(r.split("-")[1]))
    watermarks: dict[str, Any] = {}
    if runs:
        watermarks = dict(orjson.loads(complete[runs[-1]].read_bytes()).get("watermarks") or {})
        # an older loomcore filed them under the resolved path itself: hash it
        watermarks = {
            (k if k == "-" or k.startswith("sha256:") else _hashed(k)): v
            for k, v in watermarks.items()
        }
    number = int(runs[-1].split("-")[1]) + 1 if runs else 1
    return State(run_name=f"run-{number:04d}", watermarks=watermarks)


# A watermark says which file it was taken on, so that a file rotated (a new
# file under the old name) or rewritten is read again from its start instead
# of being skipped up to a position that means nothing in it.
SQLITE_MAGIC = b"SQLite format 3\x00"
GZIP_MAGIC = b"\x1f\x8b"


def _prefix(path: str, lines: int) -> tuple[int, str]:
    """The length and SHA-256 of the first ``lines`` complete lines of ``path``.

    A SQLite file (the conversation log) rewrites its pages in place, so only
    its identity is kept, not the hash of a prefix.
    """
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC:
            return 0, digest.hexdigest()
        fh.seek(0)
        for line in fh:
            if lines <= 0 or not line.endswith(b"\n"):
                break
            digest.update(line)
            size += len(line)
            lines -= 1
    return size, digest.hexdigest()


def watermark(path: str, index: int) -> dict[str, Any]:
    """The watermark of ``path`` read up to record ``index``: the position and
    the file's identity (inode, and length and hash of the consumed prefix)."""
    size, sha = _prefix(path, index)
    return {"index": index, "inode": os.stat(path).st_ino, "bytes": size, "sha256": sha}


def start_after(path: str, mark: int | dict[str, Any] | None) -> tuple[int, str | None]:
    """Where to resume reading ``path`` (records at or before the index are
    skipped; -1 for all), and why it is read from the start when it is not
    the file the watermark was taken on."""
    if mark is None:
        return -1, None
    if isinstance(mark, int):  # a watermark of an older loomcore: a position only
        return mark, None
    try:
        st = os.stat(path)
        if st.st_ino != mark.get("inode"):
            return -1, "a new file under this name since the last run (rotated?)"
        if st.st_size < mark.get("bytes", 0):
            return -1, "shorter than what the last run read (rewritten or truncated)"
        if _prefix(path, int(mark["index"]))[1] != mark.get("sha256"):
            return -1, "what the last run read has changed (rewritten)"
    except OSError:
        return -1, None
    return int(mark["index"]), None


def half_written(path: str) -> bool:
    """Whether ``path`` may end in a line still being written: an uncompressed
    file of lines (not a JSON array, which ends in its "]") whose last byte
    is not a line break."""
    with open(path, "rb") as fh:
        head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        if head[:2] == GZIP_MAGIC or head[:1] == b"[":
            return False
        fh.seek(0, os.SEEK_END)
        if fh.tell() == 0:
            return False
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) != b"\n"


def complete_records(items: Iterable[Any], path: str, pending: list[int]) -> Iterator[Any]:
    """The records of an input being appended to, without its last line if that
    is still being written: a last record that does not parse, with no line
    break after it, is not consumed (its position goes to ``pending``), so the
    next run reads it whole."""
    held = None
    for item in items:
        if held is not None:
            yield held
        held = item
    if held is None:
        return
    reason = getattr(held, "reason", None)
    if reason is not None and reason.startswith("malformed JSON") and half_written(path):
        pending.append(held.source.index)
        return
    yield held
