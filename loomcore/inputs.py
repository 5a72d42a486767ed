"""Finding and opening inputs: files, directories, globs, ``-`` for stdin,
gzip-compressed files, and picking the reader for each (by content)."""

from __future__ import annotations

import glob
import hashlib
import io
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import IO, Any

from loomcore import archives
from loomcore.contracts import Reader
from loomcore.records import limits, read_at_most
from loomcore.registry import LoomcoreError, Registry

SNIFF_BYTES = 64 * 1024
INPUT_SUFFIXES = (".json", ".jsonl", ".ndjson", ".txt", ".md")


class InputError(LoomcoreError):
    """An input that cannot be found, opened or recognised."""


class DecompressionBomb(OSError):
    """A compressed stream that unpacks to more than it may (a ``.gz`` member
    of a ZIP archive, checked as it is read: its declared size is that of
    the gzip bytes, so the archive's own checks cannot see it).  An
    ``OSError``, so the input is one not read to its end: named, counted,
    and the run fails, with what was read before it kept."""


class EmptyInput(InputError):
    """An input file with nothing in it (or white space only)."""


def printable_path(path: str) -> str:
    """``path`` as text that can be written anywhere: a file name that is not
    valid UTF-8 (held by Python as lone surrogates) gets U+FFFD for its bad
    bytes; the file itself is opened by its real name."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def sample_path() -> Path:
    """The sample conversations bundled with loomcore."""
    return Path(str(resources.files("loomcore.sample") / "conversations.jsonl"))


def expand(inputs: list[str]) -> list[str]:
    """Input arguments to a sorted list of file paths (``-`` kept as is)."""
    paths: list[str] = []
    for arg in inputs:
        if arg == "-":
            paths.append(arg)
            continue
        p = Path(arg)
        if p.is_dir():
            found = _folder_inputs(p)
            if not found:
                raise InputError(
                    f"{arg}: directory holds no input files ({', '.join(INPUT_SUFFIXES)})"
                )
            paths.extend(found)
        elif p.exists():
            paths.append(str(p))
        elif any(c in arg for c in "*?["):
            found = sorted(_glob(arg))
            if not found:
                raise InputError(f"{arg}: no file matches this pattern")
            paths.extend(_without_sidecars(f for f in found if Path(f).is_file()))
        else:
            raise InputError(f"{arg}: no such file or directory")
    return _once(paths)


def _once(paths: list[str]) -> list[str]:
    """``paths`` without a file met twice (through a link, or two arguments)."""
    seen: set[tuple[int, int]] = set()
    out = []
    for path in paths:
        try:
            st = os.stat(path) if path != "-" else None
        except OSError:
            st = None  # reported when it is opened
        if st is not None:
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
        out.append(path)
    return out


def _glob(pattern: str) -> Iterator[str]:
    """Paths matching ``pattern``; ``**`` is any depth, and each directory is
    walked once even when links make a loop (glob.glob follows a link to a
    parent again and again)."""
    if "**" not in pattern:
        yield from glob.glob(pattern)
        return
    fixed = []
    for part in pattern.split("/"):
        if any(c in part for c in "*?["):
            break
        fixed.append(part)
    root = "/".join(fixed)
    strip = 0
    if not root:  # a pattern starting with "**": walk the current directory
        root, pattern, strip = ".", "./" + pattern, 2
    matcher = re.compile(_translate(pattern))
    seen: set[tuple[int, int]] = set()
    for top, dirs, files in os.walk(root, followlinks=True):
        try:
            st = os.stat(top)
        except OSError:
            dirs[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:  # met before, through a link
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        for name in files:
            path = os.path.join(top, name)
            if matcher.fullmatch(path):
                yield path[strip:]


def _translate(pattern: str) -> str:
    """A glob pattern as a regex: ``**/`` any directories, ``*`` and ``?`` within one name."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


def _without_sidecars(files: Iterable[str]) -> list[str]:
    """The files a glob matched, sorted, less an export's sidecars (as in a
    folder: ``export/*`` reads ``conversations.json``, never ``user.json``
    with the account's e-mail and phone).  The pattern chose the names, so
    any suffix it asked for stays."""
    by_dir: dict[str, list[str]] = {}
    for f in files:
        head, _, name = f.rpartition("/")
        by_dir.setdefault(head, []).append(name)
    return sorted(
        f"{d}/{name}" if d else name
        for d, names in by_dir.items()
        for name in archives.export_files(names, None)
    )


def _folder_inputs(folder: Path) -> list[str]:
    """The input files under ``folder``, sorted; in a data-export folder
    (``conversations.json`` beside ``user.json``, ``chat.html``...) only the
    conversations files, so the sidecars are never opened."""
    by_dir: dict[Path, list[str]] = {}
    for f in folder.rglob("*"):
        if f.is_file():
            by_dir.setdefault(f.parent, []).append(f.name)
    return sorted(
        str(d / name)
        for d, names in by_dir.items()
        for name in archives.export_files(names, INPUT_SUFFIXES)
    )


class Digest(io.RawIOBase):
    """A file's bytes as they are read, counted and hashed (SHA-256), so that
    the manifest names each input by its hash without reading it again;
    ``complete`` once the reader has read it to its end."""

    def __init__(self, raw: IO[bytes]):
        self._raw, self.size, self.complete = raw, 0, False
        self._sha = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if n:
            self._sha.update(memoryview(buffer)[:n])
            self.size += n
        elif n == 0:
            self.complete = True
        return n  # type: ignore[no-any-return]

    def tell(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        self._raw.close()
        super().close()

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def open_input(path: str, digests: dict[str, Digest] | None = None) -> IO[bytes]:
    """A binary stream of the input's bytes, decompressed if gzip; a file's
    bytes hashed as they are read into ``digests[path]`` when given."""
    if path == "-":
        return gunzipped(sys.stdin.buffer)
    raw: IO[bytes] = open(path, "rb")  # noqa: SIM115
    if digests is not None:
        digests[path] = digest = Digest(raw)
        raw = io.BufferedReader(digest)  # type: ignore[arg-type]
    return gunzipped(raw)


def gunzipped(raw: IO[bytes], limit: Callable[[int], None] | None = None) -> IO[bytes]:
    """``raw``, decompressed as it is read when it starts as gzip does (a
    file, stdin, or a ``.gz`` member of a ZIP archive); ``limit`` is called
    with the count of bytes decompressed so far, and raises to stop."""
    buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)  # type: ignore[arg-type,type-var]
    if buffered.peek(2)[:2] == b"\x1f\x8b":  # type: ignore[attr-defined]
        return _Decompressed(Gunzip(buffered, limit))  # type: ignore[return-value]
    return buffered


class _Decompressed(io.BufferedReader):
    """A buffered :class:`Gunzip` whose ``fileobj`` is the compressed file, as
    ``gzip.GzipFile``'s is: the progress bar reads its position there."""

    def __init__(self, raw: Gunzip):
        super().__init__(raw)
        self.fileobj = raw.fileobj


class Gunzip(io.RawIOBase):
    """gzip (one member or many) decompressed as it is read.

    A file cut short gives every byte that can be decompressed, then its end;
    the ``EOFError`` that says it was cut short comes when it is closed, after
    the reader has taken every record it still holds (``gzip.GzipFile``
    raises in the read that meets the end, and what that read decompressed,
    most of a truncated file's records for a large read, is lost).
    ``fileobj`` is the compressed stream (the progress bar's position);
    ``limit``, when given, is called with ``size`` (the bytes decompressed so
    far) after each step, and raises when that is too many.
    """

    _CHUNK = 64 * 1024
    _OUT = 256 * 1024

    def __init__(self, fileobj: IO[bytes], limit: Callable[[int], None] | None = None):
        self.fileobj, self._limit, self.size = fileobj, limit, 0
        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._pending = b""  # decompressed, not yet read
        self._input = b""  # compressed, not yet decompressed
        self._raw_done = False
        self.truncated = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        while not self._pending:
            if self._raw_done:
                return 0
            self._pending = self._more()
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def _more(self) -> bytes:
        if not self._input:
            self._input = self.fileobj.read(self._CHUNK)
            if not self._input:
                self._raw_done = True
                if not self._z.eof:  # the end-of-stream marker never came
                    self.truncated = True
                    return self._z.flush()
                return b""
        if self._z.eof:  # a member ended: the next one begins with what is left
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        # at most _OUT bytes at a time: a bomb (40 MB of spaces in 40 KB) is
        # decompressed as it is read, never at once
        out = self._z.decompress(self._input, self._OUT)
        self._input = self._z.unused_data if self._z.eof else self._z.unconsumed_tail
        self.size += len(out)
        if self._limit is not None:
            self._limit(self.size)
        return out

    def tell(self) -> int:
        return self.fileobj.tell()

    def close(self) -> None:
        if self.closed:
            return
        self.fileobj.close()
        super().close()
        if self.truncated:  # read to its end, and the end was not the file's
            raise EOFError("Compressed file ended before the end-of-stream marker was reached")


def detect(registry: Registry, head: bytes, path: str) -> Reader:
    """The first reader (by name) whose ``sniff`` accepts ``head``."""
    tried = []
    for name, reader in registry.readers.items():
        tried.append(name)
        try:
            if reader.sniff(head):
                return reader
        except Exception:  # a faulty sniff must not hide the other readers
            continue
    raise InputError(
        f"{path}: could not detect the input format (tried: {', '.join(tried) or 'no reader loaded'}); "
        "name it with --input-format"
    )


def open_with_reader(
    registry: Registry,
    path: str,
    input_format: str | None,
    digests: dict[str, Digest] | None = None,
) -> tuple[IO[bytes], Reader]:
    """The input's stream and the reader for it (``input_format``, or detected).

    A ZIP archive (a data export as downloaded) gives the archive's stream
    and a reader that reads its conversations files one after another.
    """
    if path != "-" and archives.is_zip(path):
        return _open_zip(registry, path, input_format)
    stream, head = with_head(open_input(path, digests))
    if input_format:
        return stream, registry.reader(input_format)
    if not head.strip():
        stream.close()
        raise EmptyInput(f"{printable_path(path)}: empty file")
    try:
        return stream, detect(registry, head, printable_path(path))
    except BaseException:
        stream.close()
        raise


class _Replay(io.RawIOBase):
    """A stream's bytes again from the first: the head already read, then the rest."""

    def __init__(self, head: bytes, rest: IO[bytes], blank_lines: int = 0):
        self._head, self._rest = memoryview(head), rest
        self._blank = blank_lines  # line breaks of the leading white space, given back as they were

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._blank:
            n = min(len(buffer), self._blank)
            buffer[:n] = b"\n" * n
            self._blank -= n
            return n
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def tell(self) -> int:  # the position in the file beneath, for the progress bar
        inner = getattr(self._rest, "fileobj", None) or self._rest
        return inner.tell()

    def close(self) -> None:
        self._rest.close()
        super().close()


def with_head(stream: IO[bytes], size: int = SNIFF_BYTES) -> tuple[IO[bytes], bytes]:
    """``stream`` from its first byte again, and its first ``size`` bytes.

    A peek gives only what one read fills (4 KB of a file, one gzip block);
    detection needs the first record's keys, which a long title or summary
    can push further.  The head is read whole and replayed, so a compressed
    file is still decompressed as it is read, and stdin works the same.
    """
    head = read_at_most(stream, size)
    # leading white space is skipped while sniffing (a file starting with
    # more than the head of it was taken for an empty file, and lost) and
    # never held: only its line breaks are given back, so lines keep their numbers
    blank_lines = 0
    while head and not head.strip():
        more = read_at_most(stream, size)
        if not more:
            break
        blank_lines += head.count(b"\n")
        head = more
    if blank_lines and head.lstrip() != head:
        blank_lines += head.count(b"\n", 0, len(head) - len(head.lstrip()))
        head = head.lstrip()
    if blank_lines:
        head += read_at_most(stream, size - len(head)) if len(head) < size else b""
    replay = _Replay(head, stream, blank_lines)
    return io.BufferedReader(replay, buffer_size=1 << 16), head  # type: ignore[return-value]


def _open_zip(registry: Registry, path: str, input_format: str | None) -> tuple[IO[bytes], Reader]:
    import zipfile

    raw = open(path, "rb")  # noqa: SIM115 - the pipeline closes it when the input is done
    try:
        archive = zipfile.ZipFile(raw)
        names = archives.members(archive, INPUT_SUFFIXES, limits.get().max_record_bytes)
    except (zipfile.BadZipFile, archives.ArchiveError, OSError) as exc:
        raw.close()
        raise InputError(f"{path}: {exc}") from None
    if not names:
        raw.close()
        raise InputError(f"{path}: the archive holds no conversations or input files")

    # the archive's checks read the sizes its directory declares, which for
    # a .gz member are those of the gzip bytes: what it unpacks to is held
    # to the same ratio and the same total as it is decompressed
    budget = [archives.MAX_ARCHIVE_BYTES - sum(archive.getinfo(n).file_size for n in names)]

    def read(stream: IO[bytes], display: str) -> Iterator[Any]:
        for name, member in archives.iter_members(archive, names):
            limit = _unpack_limit(name, archive.getinfo(name), budget)
            inner, head = with_head(gunzipped(member, limit))  # type: ignore[arg-type]
            where = f"{display}/{name}"
            reader = (
                registry.reader(input_format) if input_format else detect(registry, head, where)
            )
            yield from reader.read(inner, where)

    return raw, Reader("zip", read, description="the conversations files of a ZIP archive")


def _unpack_limit(name: str, info: Any, budget: list[int]) -> Callable[[int], None]:
    """The check of a ``.gz`` member's decompressed size: the ratio that
    :func:`archives.members` holds the other members to, of what it unpacks
    to over the bytes it takes in the archive (a gzip deflated again by the
    ZIP is one member, not two ratios multiplied), and the archive's total
    (``budget``: what the total has left, shared by the members in turn)."""
    packed, stored = info.file_size, info.compress_size
    cap = max(limits.get().max_record_bytes, archives.MAX_RATIO * max(stored, 1))
    start = budget[0]

    def check(size: int) -> None:
        budget[0] = start - max(size - packed, 0)  # the gzip bytes are already counted
        if size > cap:
            raise DecompressionBomb(
                f"member {name!r} unpacks to over {cap:,} bytes from {stored:,} "
                f"(over {archives.MAX_RATIO}:1): refused as a zip bomb"
            )
        if budget[0] < 0:
            raise DecompressionBomb(
                f"members read unpack to over {archives.MAX_ARCHIVE_BYTES:,} bytes: "
                f"refused as a zip bomb at member {name!r}"
            )

    return check


def iter_paths(inputs: list[str] | None) -> Iterator[str]:
    yield from expand(inputs) if inputs else [str(sample_path())]
