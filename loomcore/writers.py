"""Writing output files: JSONL lines, atomically.

Every file is written under a temporary name in its own directory and renamed
into place only when complete, so a run that dies leaves either the previous
complete file or none, never half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson


def _umask() -> int:
    """The process's umask (read by setting it, so set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class AtomicFile:
    """A binary file that appears at ``path`` only when closed without error."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        # mkstemp makes the file 0600; an output file is as readable as any
        # the user creates (a training job under another user must read it)
        os.fchmod(fd, 0o666 & ~_umask())
        self._tmp = Path(tmp)
        self._fh = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        self._fh.write(data)

    def commit(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._fh.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


class JsonlWriter(AtomicFile):
    """One JSON object a line; counts the lines it wrote."""

    def __init__(self, path: str | os.PathLike[str]):
        super().__init__(path)
        self.lines = 0

    def write_record(self, record: dict[str, Any]) -> None:
        self.write(orjson.dumps(record) + b"\n")
        self.lines += 1

    def close_for_reading(self) -> None:
        """Flush, for a file that is read back before it is committed or dropped."""
        self._fh.flush()

    def read_back(self) -> Iterator[Any]:
        """The records written so far, in order (from the temporary file)."""
        with open(self._tmp, "rb") as fh:
            for line in fh:
                yield orjson.loads(line)


def write_json(path: str | os.PathLike[str], data: Any) -> None:
    """Write one JSON document atomically, keys sorted, indented."""
    with AtomicFile(path) as fh:
        fh.write(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")


def remove_stale_temporaries(directory: str | os.PathLike[str]) -> int:
    """Delete temporary files that a killed run left in ``directory``; returns how many."""
    removed = 0
    path = Path(directory)
    if path.is_dir():
        for tmp in path.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
            removed += 1
    return removed
