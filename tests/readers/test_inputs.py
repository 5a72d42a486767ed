"""Inputs that are not plain files: pipes and FIFOs (read once, never
reopened), globs over an export folder (its sidecars left out, as a folder's
are), and ``.gz`` members of a ZIP archive (decompressed as they are read)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import signal
import threading
import zipfile

import pytest

from loomcore import SynthesisConfig
from loomcore.inputs import expand, open_with_reader
from loomcore.pipeline import Pipeline, RunOptions

from .helpers import pairs, read_path

LINES = [
    {
        "messages": [
            {"role": "user", "content": f"How do I list the files of folder {i}?"},
            {"role": "assistant", "content": f"Run `ls -la folder{i}` to list every file in it."},
        ]
    }
    for i in range(3)
]
DATA = b"".join(json.dumps(r).encode() + b"\n" for r in LINES)


def test_a_pipe_is_read_whole(registry):
    # `loomcore run <(cat f)`: the ZIP test took the first four bytes of the
    # pipe, so the reader saw '"messages"...' and detected nothing
    r, w = os.pipe()
    os.write(w, DATA)
    os.close(w)
    try:
        name, got = read_path(registry, f"/dev/fd/{r}")
    finally:
        os.close(r)
    assert name == "openai_messages"
    assert [pairs(c)[0][1] for c in got] == [
        f"How do I list the files of folder {i}?" for i in range(3)
    ]


@pytest.fixture
def alarm():
    """Fail a test that hangs instead of hanging the suite."""

    def hung(signum, frame):
        raise TimeoutError("the run hung")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_a_fifo_is_read_once_and_hashed_as_it_is_read(tmp_path, alarm):
    # the manifest opened the FIFO again to hash it, and waited for a writer forever
    fifo = tmp_path / "chats.fifo"
    os.mkfifo(fifo)

    def write():
        with open(fifo, "wb") as fh:
            fh.write(DATA)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    options = RunOptions(min_importance=0.0, synthesis=SynthesisConfig(min_confidence=0.0))
    stats = Pipeline(options=options).run([str(fifo)], tmp_path / "out")
    writer.join(5)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert stats.conversations == 3 and stats.rejected == 0
    assert manifest["inputs"] == [
        {
            "path": str(fifo),
            "kind": "pipe",
            "bytes": len(DATA),
            "sha256": hashlib.sha256(DATA).hexdigest(),
        }
    ]
    assert manifest["records"]["read"] == 3


def test_a_glob_over_an_export_folder_leaves_its_sidecars_out(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "conversations.json").write_text("[]")
    (export / "user.json").write_text(
        '{"email": "ana.lima@acme-mail.io", "phone": "+44 7700 900123"}'
    )
    (export / "chat.html").write_text("<html></html>")
    assert expand([f"{export}/*"]) == [str(export / "conversations.json")]
    assert expand([f"{export}/*.json"]) == [str(export / "conversations.json")]
    # no conversations file: every file the pattern names but the known sidecars
    other = tmp_path / "other"
    other.mkdir()
    for name in ("notes.jsonl", "user.json", "message_feedback.json", "chats.log"):
        (other / name).write_text("{}")
    assert expand([f"{other}/*"]) == [str(other / "chats.log"), str(other / "notes.jsonl")]


def test_a_gz_member_of_a_zip_is_decompressed(registry, tmp_path):
    archive = tmp_path / "chats.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("chats.jsonl.gz", gzip.compress(DATA))
        zf.writestr("more.jsonl", DATA[: DATA.index(b"\n") + 1])
    name, got = read_path(registry, archive)
    assert name == "zip"
    assert [(c.source.path, c.source.index) for c in got] == [
        (f"{archive}/chats.jsonl.gz", 1),
        (f"{archive}/chats.jsonl.gz", 2),
        (f"{archive}/chats.jsonl.gz", 3),
        (f"{archive}/more.jsonl", 1),
    ]
    assert pairs(got[2])[1] == ("assistant", "Run `ls -la folder2` to list every file in it.")


def test_stdin_as_a_pipe_still_reads_gzip(registry, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(gzip.compress(DATA))))
    name, got = read_path(registry, "-")
    assert name == "openai_messages" and len(got) == 3


@pytest.mark.parametrize("blank", [b" " * 100_000 + b"\n", b"\n" * 100_000])
def test_leading_white_space_past_the_head_is_no_empty_file(registry, tmp_path, blank):
    # the sniffed head (64 KB) was all white space: "empty file", every record lost
    path = tmp_path / "chats.jsonl"
    path.write_bytes(blank + DATA)
    name, got = read_path(registry, path)
    first = blank.count(b"\n") + 1
    assert name == "openai_messages"
    assert [c.source.index for c in got] == [first, first + 1, first + 2]


def test_forty_megabytes_of_leading_spaces_are_not_held(registry, tmp_path):
    import tracemalloc

    path = tmp_path / "chats.jsonl.gz"
    path.write_bytes(gzip.compress(b" " * 40_000_000 + b"\n" + DATA, 1))
    tracemalloc.start()
    try:
        name, got = read_path(registry, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (name, [c.source.index for c in got]) == ("openai_messages", [2, 3, 4])
    assert peak < 8 << 20


def test_a_file_of_white_space_only_is_empty(registry, tmp_path):
    from loomcore.inputs import EmptyInput

    path = tmp_path / "blank.jsonl"
    path.write_bytes(b" \n" * 100_000)
    with pytest.raises(EmptyInput, match=r"blank\.jsonl: empty file$"):
        read_path(registry, path)


def bomb_zip(path, bomb: bytes) -> int:
    """A ZIP holding a good .gz member, then ``bomb`` gzip-compressed (the
    archive's directory declares the gzip bytes' size); that size."""
    packed = gzip.compress(bomb, 9)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.jsonl.gz", gzip.compress(DATA))
        zf.writestr("b.jsonl.gz", packed)
    return len(packed)


def test_a_gz_member_that_unpacks_past_the_ratio_fails_the_input(tmp_path):
    from click.testing import CliRunner

    from loomcore.cli import cli

    # one good line, then 3 MB of spaces in about 3 KB of gzip: a zip bomb
    # whose declared size (the gzip bytes) the archive's own check passes
    archive, out = tmp_path / "export.zip", tmp_path / "out"
    packed = bomb_zip(archive, DATA[: DATA.index(b"\n") + 1] + b" " * 3_000_000 + b"\n")
    result = CliRunner().invoke(
        cli, ["run", str(archive), "-o", str(out), "-f", "raw", "--max-record-bytes", "1000000"]
    )
    cause = (
        f"member 'b.jsonl.gz' unpacks to over 1,000,000 bytes from {packed:,} "
        "(over 200:1): refused as a zip bomb"
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr == f"Error: {archive}: {cause}\n"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["loss"]["inputs_failed"] == {str(archive): cause}
    # what was read before the bomb is kept: the three lines of a.jsonl.gz, and b's first
    assert summary["conversations"] == 4
    [entry] = [json.loads(x) for x in (out / "quarantine.jsonl").read_text().splitlines()]
    assert entry["reason"] == f"input not read to its end: {cause}"


def test_a_gz_member_deflated_again_is_held_to_its_bytes_in_the_archive(registry, tmp_path):
    from loomcore.inputs import DecompressionBomb
    from loomcore.records import Limits, limits

    # fast gzip (141:1 alone, under the ratio) deflated again by the ZIP
    # (2,700:1 of the bytes in the archive): one member, one ratio
    archive = tmp_path / "export.zip"
    gz = gzip.compress(DATA[: DATA.index(b"\n") + 1] * 20_000, 1)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("b.jsonl.gz", gz)
    stored = zipfile.ZipFile(archive).getinfo("b.jsonl.gz").compress_size
    assert len(gz) * 200 > 3_000_000 > stored * 200
    token = limits.set(Limits(max_record_bytes=1_000_000))
    try:
        stream, reader = open_with_reader(registry, str(archive), None)
        with stream, pytest.raises(DecompressionBomb) as caught:
            list(reader.read(stream, "x"))
    finally:
        limits.reset(token)
    assert str(caught.value) == (
        f"member 'b.jsonl.gz' unpacks to over 1,000,000 bytes from {stored:,} "
        "(over 200:1): refused as a zip bomb"
    )


def test_gz_members_are_held_to_the_archive_total_as_they_unpack(registry, tmp_path, monkeypatch):
    from loomcore import archives
    from loomcore.inputs import DecompressionBomb

    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.jsonl.gz", gzip.compress(DATA))
        zf.writestr("b.jsonl.gz", gzip.compress(DATA))
    # room for the gzip bytes and a's lines, not b's too
    monkeypatch.setattr(archives, "MAX_ARCHIVE_BYTES", len(gzip.compress(DATA)) * 2 + len(DATA))
    stream, reader = open_with_reader(registry, str(archive), None)
    got = []
    with stream, pytest.raises(DecompressionBomb) as caught:
        got.extend(reader.read(stream, "x"))
    assert str(caught.value) == (
        f"members read unpack to over {archives.MAX_ARCHIVE_BYTES:,} bytes: "
        "refused as a zip bomb at member 'b.jsonl.gz'"
    )
    assert [(c.source.path, c.source.index) for c in got] == [
        ("x/a.jsonl.gz", 1),
        ("x/a.jsonl.gz", 2),
        ("x/a.jsonl.gz", 3),
    ]


def test_a_gz_member_within_the_limits_reads_whole(registry, tmp_path):
    # the ratio is that of the archive's check: 3 MB of spaces is fine with
    # the default record limit (16 MB), and every line after them is read
    archive = tmp_path / "export.zip"
    bomb_zip(archive, b" " * 3_000_000 + b"\n" + DATA)
    name, got = read_path(registry, archive)
    assert name == "zip"
    assert [(c.source.path, c.source.index) for c in got] == [
        (f"{archive}/a.jsonl.gz", 1),
        (f"{archive}/a.jsonl.gz", 2),
        (f"{archive}/a.jsonl.gz", 3),
        (f"{archive}/b.jsonl.gz", 2),
        (f"{archive}/b.jsonl.gz", 3),
        (f"{archive}/b.jsonl.gz", 4),
    ]


def test_a_member_that_declares_more_compressed_bytes_than_it_holds_is_refused(registry, tmp_path):
    # review: a .gz member whose directory entry claims the bytes of the image
    # after it got 200 times those as its ratio's allowance
    import struct

    archive = tmp_path / "export.zip"
    packed = gzip.compress(DATA, 9)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("conversations.jsonl.gz", packed)
        zf.writestr("image.png", os.urandom(5_000))
    raw = bytearray(archive.read_bytes())
    entry = raw.find(b"PK\x01\x02")  # the central directory entry of the .gz member
    struct.pack_into("<I", raw, entry + 20, len(packed) + 5_000)
    archive.write_bytes(bytes(raw))
    from loomcore.inputs import InputError

    with pytest.raises(InputError) as refused:
        read_path(registry, archive)
    assert str(refused.value) == (
        f"{archive}: member 'conversations.jsonl.gz' declares {len(packed) + 5_000:,} compressed "
        f"bytes, more than the {len(packed):,} the archive holds for it: refused as malformed"
    )
