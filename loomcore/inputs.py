"""Finding and opening inputs: files, directories, globs, ``-`` for stdin,
gzip-compressed files, and picking the reader for each (by content)."""

from __future__ import annotations

import glob
import gzip
import io
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import IO

from loomcore.contracts import Reader
from loomcore.registry import LoomcoreError, Registry

SNIFF_BYTES = 64 * 1024
INPUT_SUFFIXES = (".json", ".jsonl", ".ndjson", ".txt", ".md")


class InputError(LoomcoreError):
    """An input that cannot be found, opened or recognised."""


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
            found = sorted(
                str(f)
                for f in p.rglob("*")
                if f.is_file() and f.name.removesuffix(".gz").endswith(INPUT_SUFFIXES)
            )
            if not found:
                raise InputError(
                    f"{arg}: directory holds no input files ({', '.join(INPUT_SUFFIXES)})"
                )
            paths.extend(found)
        elif p.exists():
            paths.append(str(p))
        elif any(c in arg for c in "*?["):
            found = sorted(glob.glob(arg, recursive=True))
            if not found:
                raise InputError(f"{arg}: no file matches this pattern")
            paths.extend(f for f in found if Path(f).is_file())
        else:
            raise InputError(f"{arg}: no such file or directory")
    return paths


def open_input(path: str) -> IO[bytes]:
    """A binary stream of the input's bytes, decompressed if gzip."""
    raw: IO[bytes] = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[arg-type]
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=buffered)  # type: ignore[return-value]
    return buffered


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
    registry: Registry, path: str, input_format: str | None
) -> tuple[IO[bytes], Reader]:
    stream = open_input(path)
    if input_format:
        return stream, registry.reader(input_format)
    # peek, never read: the reader gets the stream from its first byte, and a
    # compressed file is decompressed as it is read, not all at once
    head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]  # type: ignore[attr-defined]
    return stream, detect(registry, head, path)


def iter_paths(inputs: list[str] | None) -> Iterator[str]:
    yield from expand(inputs) if inputs else [str(sample_path())]
