"""Writing output files: JSONL lines, atomically, and one run's files as a set.

Every file is written under a temporary name in its own directory and renamed
into place only when complete, so a run that dies leaves either the previous
complete file or none, never half a file.  A run writes all its files into a
staging directory inside the output directory and then moves them in as one
set, under a journal that the next run finishes if a kill came half way
(:class:`OutputDir`); a lock keeps a second run out of the directory meanwhile.
An OS error names the file it happened on.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import orjson

from loomcore.registry import LoomcoreError

#: the output directory of a run that names none (``loomcore run``, ``stats``, ``check``)
DEFAULT_OUTPUT = "loomcore-out"

JOURNAL = ".loomcore-commit.json"  # the set being moved in, while it is
STAGING = ".staging-"


class OutputError(LoomcoreError):
    """An output directory that cannot be used (one clear line: the path and the cause)."""


def named(exc: OSError, path: str | os.PathLike[str]) -> OSError:
    """``exc`` with the file it happened on (a failed write does not say)."""
    if exc.filename is not None:
        return exc
    return type(exc)(exc.errno, exc.strerror or str(exc), str(path))


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
        try:
            fd, tmp = tempfile.mkstemp(
                prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
            )
        except OSError as exc:
            raise named(exc, self.path) from None
        # mkstemp makes the file 0600; an output file is as readable as any
        # the user creates (a training job under another user must read it)
        os.fchmod(fd, 0o666 & ~_umask())
        self._tmp = Path(tmp)
        self._fh = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        try:
            self._fh.write(data)
        except OSError as exc:  # a full disk: name the file, not just the errno
            raise named(exc, self.path) from None

    def commit(self) -> None:
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self.abort()
            raise named(exc, self.path) from None

    def abort(self) -> None:
        """Drop the temporary file (also when closing it fails: a full disk)."""
        try:
            with contextlib.suppress(OSError):
                self._fh.close()
        finally:
            self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> Self:
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
        try:
            self._fh.flush()
        except OSError as exc:
            raise named(exc, self.path) from None

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
    """Delete temporary files and staging directories that a killed run left
    in ``directory``; returns how many.  Only under the directory's lock: a
    running run's files look the same."""
    removed = 0
    path = Path(directory)
    if path.is_dir():
        for tmp in path.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
            removed += 1
        for stage in path.glob(STAGING + "*"):
            shutil.rmtree(stage, ignore_errors=True)
            removed += 1
    return removed


class OutputDir:
    """The output directory of one run: locked while the run lasts, written
    through a staging directory inside it, and committed as a set.

    ``commit`` writes a journal (the files to move in, and those of the
    previous run to remove: the ``owned`` names this run did not write) and
    then carries it out; a kill half way leaves the journal, and the next run
    into the directory finishes it before anything else (:func:`recover`), so
    the directory never keeps files of two runs.  Incremental batches
    (``replace`` false) leave the previous files alone.  The lock is a
    ``flock`` of the directory itself, so it leaves no file behind and ends
    with the process however it ends.
    """

    def __init__(
        self, out: str | os.PathLike[str], *, replace: bool = True, owned: Iterable[str] = ()
    ):
        self.out = Path(out)
        self.replace = replace
        self.owned = frozenset(owned)
        self.committed = False
        self.stage = self.out  # until the staging directory is made
        self._made = False
        if self.out.exists() and not self.out.is_dir():
            raise OutputError(f"{self.out}: the output path exists and is not a directory")
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                f"{self.out}: cannot create the output directory: {exc.strerror}"
            ) from None
        self._lock = _lock(self.out)
        try:
            recover(self.out)
            self.stage = Path(tempfile.mkdtemp(prefix=f"{STAGING}{os.getpid()}-", dir=self.out))
            self._made = True
        except OSError as exc:
            self.close()
            raise OutputError(
                f"{self.out}: cannot write into the output directory: {exc.strerror}"
            ) from None

    def commit(self, last: str) -> None:
        """Move the staged files into the directory, ``last`` (the summary, which
        marks a complete run) after every other one."""
        names = sorted(p.name for p in self.stage.iterdir() if not p.name.startswith("."))
        names.sort(key=lambda n: n == last)
        remove = []
        if self.replace:
            remove = sorted(n for n in self.owned - set(names) if (self.out / n).is_file())
        journal = {"stage": self.stage.name, "move": names, "remove": remove}
        write_json(self.out / JOURNAL, journal)
        self.committed = True  # from here on the set goes in, now or at the next run
        _carry_out(self.out, journal)

    def close(self) -> None:
        """Remove the staging directory (what a failed run wrote), or finish a
        commit that an interruption cut short; then unlock."""
        if self._made and not self.committed:
            shutil.rmtree(self.stage, ignore_errors=True)
        elif self._made and self.stage.exists():
            with contextlib.suppress(OSError):  # else the next run finishes it
                recover(self.out)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def _lock(out: Path) -> int | None:
    """Hold ``out``'s lock, or say which run holds it (one line)."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): no lock
        return None
    try:
        fd = os.open(out, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise OutputError(f"{out}: cannot open the output directory: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        pids = sorted({p.name[len(STAGING) :].split("-")[0] for p in out.glob(STAGING + "*")})
        raise OutputError(
            f"{out}: another loomcore run (pid {', '.join(pids) or '?'}) is writing into this "
            "directory; wait for it to end or choose another --output"
        ) from None
    except OSError:  # a file system without locks (some network ones): go on unlocked
        os.close(fd)
        return None
    return fd


def _carry_out(out: Path, journal: dict[str, Any]) -> None:
    """Do what a commit journal says; each step can be done again after a kill."""
    stage = out / journal["stage"]
    *first, last = journal["move"] or [""]
    if last:
        (out / last).unlink(missing_ok=True)  # no summary while the set changes
    for name in first:
        if (stage / name).exists():
            os.replace(stage / name, out / name)
    for name in journal["remove"]:
        (out / name).unlink(missing_ok=True)
    if last and (stage / last).exists():
        os.replace(stage / last, out / last)
    with contextlib.suppress(OSError):  # the renames reach the disk before the journal goes
        fd = os.open(out, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    (out / JOURNAL).unlink(missing_ok=True)
    shutil.rmtree(stage, ignore_errors=True)


def recover(out: str | os.PathLike[str]) -> None:
    """Finish a commit a killed run left half done, then sweep what killed
    runs left (temporary files, staging directories).  Under the lock only."""
    out = Path(out)
    try:
        journal = orjson.loads((out / JOURNAL).read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):  # none (written whole, or not at all)
        journal = None
    if journal is not None:
        if (out / journal["stage"]).is_dir():
            _carry_out(out, journal)
        (out / JOURNAL).unlink(missing_ok=True)
    remove_stale_temporaries(out)
