"""Data exports as users download them: a ``.zip``, or the folder it unzips to.

A ChatGPT or Claude.ai export holds ``conversations.json`` beside sidecar
files (``chat.html``, ``user.json`` with the account's e-mail and phone,
``message_feedback.json``, images...).  Only the conversations files are
read; the sidecars are never opened, so nothing of theirs can reach an
output or the quarantine.  An archive is untrusted input: its member count,
member names and declared sizes are checked before anything is read.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath

# conversations.json, and the numbered parts a large export is split into
CONVERSATIONS = re.compile(r"conversations(?:[-_.]?\d+)?\.jsonl?(?:\.gz)?", re.I)
# the files an export carries beside its conversations: never input
SIDECARS = frozenset(
    {
        "chat.html",
        "user.json",
        "users.json",
        "message_feedback.json",
        "model_comparisons.json",
        "shared_conversations.json",
        "projects.json",
        "memories.json",
        "group_chats.json",
        "sora.json",
        "shopping.json",
    }
)
MAX_MEMBERS = 10_000  # a real export holds its JSON files and some thousands of images
MAX_RATIO = 200  # JSON compresses about 10:1; far more is a zip bomb
MAX_ARCHIVE_BYTES = 16 << 30  # uncompressed bytes of the members read, all together


class ArchiveError(ValueError):
    """An archive that is refused (too many members, a hostile name, a bomb)."""


def is_zip(path: str) -> bool:
    """Whether ``path`` is a ZIP archive (by its opening bytes, not its name).

    Only a regular file can be one: a pipe (``<(cat f)``, a FIFO) or a
    device is read once, and the four bytes this test took from it were lost
    to the reader after (a ZIP needs seeking anyway)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def export_files(names: Iterable[str], suffixes: tuple[str, ...] | None) -> list[str]:
    """The names to read among the files of one export folder or archive.

    Where conversations files are present, only they are read (the rest is
    the export's sidecars and media); elsewhere every input file is (with
    ``suffixes`` None, whatever its name ends in), except the known sidecars.
    """
    names = sorted(names)
    wanted = [n for n in names if CONVERSATIONS.fullmatch(PurePosixPath(n).name)]
    if wanted:
        return wanted
    return [
        n
        for n in names
        if PurePosixPath(n).name.lower() not in SIDECARS
        and (suffixes is None or PurePosixPath(n).name.removesuffix(".gz").endswith(suffixes))
    ]


def members(
    archive: zipfile.ZipFile, suffixes: tuple[str, ...], max_record_bytes: int
) -> list[str]:
    """The members of ``archive`` to read, after checking the whole archive.

    :raises ArchiveError: too many members, a member name that is absolute or
        climbs out (``..``) or holds control characters, an encrypted member,
        or declared sizes that are a bomb.
    """
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ArchiveError(f"{len(infos):,} members, more than the {MAX_MEMBERS:,} an export holds")
    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if (
            name.startswith(("/", "\\"))
            or re.match(r"[A-Za-z]:", name)
            or ".." in parts
            or any(ord(c) < 32 for c in name)
        ):
            raise ArchiveError(f"member name {name!r} is not a plain relative path")
        if not info.is_dir():
            by_name[name] = info
    chosen = export_files(by_name, suffixes)
    rooms = _rooms(archive, infos, {id(by_name[n]) for n in chosen})
    total = 0
    for name in chosen:
        info = by_name[name]
        if info.flag_bits & 0x1:
            raise ArchiveError(f"member {name!r} is encrypted")
        # the ratio below trusts the compressed size the directory declares: one
        # that runs over the next member's bytes is a lie (it would let a .gz
        # member unpack 200 times the images after it)
        if info.compress_size > rooms.get(id(info), info.compress_size):
            raise ArchiveError(
                f"member {name!r} declares {info.compress_size:,} compressed bytes, more than "
                f"the {rooms[id(info)]:,} the archive holds for it: refused as malformed"
            )
        if info.file_size > max_record_bytes and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise ArchiveError(
                f"member {name!r} unpacks to {info.file_size:,} bytes from "
                f"{info.compress_size:,} (over {MAX_RATIO}:1): refused as a zip bomb"
            )
        total += info.file_size
    if total > MAX_ARCHIVE_BYTES:
        raise ArchiveError(f"members to read unpack to {total:,} bytes, over {MAX_ARCHIVE_BYTES:,}")
    return chosen


def _rooms(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], wanted: set[int]
) -> dict[int, int]:
    """id(info) -> the room of each member in ``wanted`` (ids; the members to
    read): the bytes from where its data starts (after its local header, as
    the header itself gives its name's and extra field's lengths) to the next
    member's header, of any member, or the central directory.  Its data cannot
    be more.  Empty where the archive is not a file that can be read again,
    or a header is not where the directory says (zipfile refuses that member
    when it opens it)."""
    end = getattr(archive, "start_dir", None)
    path = getattr(archive, "filename", None)
    if not isinstance(end, int) or not isinstance(path, str):
        return {}
    ordered = sorted(infos, key=lambda i: i.header_offset)
    rooms = {}
    try:
        with open(path, "rb") as fh:
            for info, after in zip(ordered, [*ordered[1:], None], strict=True):
                if id(info) not in wanted:
                    continue  # (an export's images: thousands of headers not read)
                fh.seek(info.header_offset)
                header = fh.read(30)
                if len(header) < 30 or header[:4] != b"PK\x03\x04":
                    return {}
                name_length, extra_length = struct.unpack("<HH", header[26:30])
                start = info.header_offset + 30 + name_length + extra_length
                stop = after.header_offset if after is not None else end
                rooms[id(info)] = max(stop - start, 0)
    except OSError:
        return {}
    return rooms


def iter_members(archive: zipfile.ZipFile, names: list[str]) -> Iterator[tuple[str, object]]:
    """(name, open binary stream) of each member in turn, each closed after use."""
    for name in names:
        with archive.open(name) as stream:
            yield name, stream
