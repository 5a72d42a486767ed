"""Faults a user can cause fail closed: one line naming the path and the
cause, a non-zero exit, no traceback, no temporary file left, and an output
directory that holds the files of one run only.  Lost records are loud:
--max-rejected, and one line of counts with -q."""

import fcntl
import gzip
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from loomcore import writers
from loomcore.cli import cli


def record(i):
    return {"instruction": f"What is a mutex, take {i}?", "output": f"A mutex is lock {i}."}


def jsonl(n, start=0):
    return b"".join(json.dumps(record(i)).encode() + b"\n" for i in range(start, start + n))


def invoke(*args):
    return CliRunner().invoke(cli, ["run", *map(str, args), "-f", "raw"])


def leftovers(out):
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


def quarantine(out):
    return [json.loads(x) for x in (out / "quarantine.jsonl").read_text().splitlines()]


def test_over_max_rejected_the_run_writes_what_it_read_and_fails(tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out"
    src.write_bytes(jsonl(100) + b"{broken\n" + b'{"instruction": 1}\n')
    result = invoke(src, "-o", out)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: 2 of 102 input records rejected (1.96%), over --max-rejected 0.01; "
        f"see {out / 'quarantine.jsonl'}"
    )
    assert "Traceback" not in result.output
    loss = json.loads((out / "summary.json").read_text())["loss"]
    assert loss == {
        "records_read": 102,
        "records_rejected": 2,
        "rejected_share": round(2 / 102, 6),
        "max_rejected": 0.01,
        "inputs_failed": {},
        "inputs_restarted": {},
        "records_pending": {},
        "failed": True,
    }
    assert [q["index"] for q in quarantine(out)] == [101, 102]
    assert invoke(src, "-o", out, "--max-rejected", "0.05").exit_code == 0


def test_quiet_prints_one_line_of_counts_not_a_warning_per_record(tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out"
    src.write_bytes(jsonl(300) + b"{broken\n" + b"[1]\n")
    result = invoke(src, "-o", out, "-q")
    assert result.exit_code == 0
    assert result.output == (
        f"2 of 302 input records rejected (0.66%); see {out / 'quarantine.jsonl'}\n"
    )


def test_an_empty_or_unrelated_file_in_a_directory_is_a_rejected_file(tmp_path):
    d, out = tmp_path / "d", tmp_path / "out"
    d.mkdir()
    (d / "a.jsonl").write_bytes(jsonl(300))
    (d / "empty.jsonl").write_bytes(b"")
    (d / "notes.txt").write_text("shopping: eggs, milk\n")
    result = invoke(d, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    assert [(q["path"], q["index"], q["reason"][:40]) for q in quarantine(out)] == [
        (str(d / "empty.jsonl"), 0, "empty file"),
        (str(d / "notes.txt"), 0, "could not detect the input format (tried"),
    ]
    assert len((out / "raw.jsonl").read_text().splitlines()) > 0


def test_the_output_path_is_a_file(tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out"
    src.write_bytes(jsonl(3))
    out.write_text("not a directory")
    result = invoke(src, "-o", out)
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {out}: the output path exists and is not a directory\n",
    )


def test_a_read_only_output_directory(tmp_path, monkeypatch):
    src, out = tmp_path / "in.jsonl", tmp_path / "out"
    src.write_bytes(jsonl(3))

    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system", str(out))

    monkeypatch.setattr(writers.tempfile, "mkdtemp", read_only)
    result = invoke(src, "-o", out)
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {out}: cannot write into the output directory: Read-only file system\n",
    )


def test_a_full_disk_names_the_file_and_leaves_the_last_run_whole(tmp_path, monkeypatch):
    src, out = tmp_path / "in.jsonl", tmp_path / "out"
    src.write_bytes(jsonl(50))
    assert invoke(src, "-o", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    opened = writers.AtomicFile.__init__

    def on_a_full_disk(self, path):
        opened(self, path)
        if self.path.name == "raw.jsonl":
            self._fh.close()
            self._fh = open("/dev/full", "wb")  # noqa: SIM115 - every flush is ENOSPC

    monkeypatch.setattr(writers.AtomicFile, "__init__", on_a_full_disk)
    src.write_bytes(jsonl(50, start=100))
    result = invoke(src, "-o", out)
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {out / 'raw.jsonl'}: No space left on device\n",
    )
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporaries either


def test_an_unreadable_input_is_named_and_the_others_are_read(tmp_path, monkeypatch):
    from loomcore import inputs

    d, out = tmp_path / "d", tmp_path / "out"
    d.mkdir()
    (d / "a.jsonl").write_bytes(jsonl(5))
    (d / "b.jsonl").write_bytes(jsonl(5, start=10))
    real = inputs.open_input

    def denied(path, *rest):
        if path.endswith("b.jsonl"):
            raise PermissionError(13, "Permission denied", path)
        return real(path, *rest)

    monkeypatch.setattr(inputs, "open_input", denied)
    result = invoke(d, "-o", out, "--max-rejected", "1")
    assert (result.exit_code, result.stderr) == (1, f"Error: {d / 'b.jsonl'}: Permission denied\n")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["conversations"] == 5
    assert summary["loss"]["inputs_failed"] == {str(d / "b.jsonl"): "Permission denied"}


@pytest.mark.parametrize(
    ("damage", "cause"),
    [
        (
            lambda z: z[: len(z) // 2],
            "truncated gzip file (Compressed file ended before the end-of-stream marker was reached)",
        ),
        (
            lambda z: z[:10] + b"\xff" * 40 + z[50:],
            "corrupt gzip file (Error -3 while decompressing",
        ),
    ],
)
def test_a_truncated_or_corrupt_gzip_is_one_line_not_aborted(tmp_path, damage, cause):
    src, out = tmp_path / "in.jsonl.gz", tmp_path / "out"
    src.write_bytes(damage(gzip.compress(jsonl(2000))))
    result = invoke(src, "-o", out)  # one line, whatever share of records it was
    assert result.exit_code == 1 and "Aborted" not in result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: {src}: {cause}")
    # the input's failure last; a record cut by the truncation before it
    *cut, entry = quarantine(out)
    assert entry["reason"].startswith(f"input not read to its end: {cause}")
    assert [e["reason"].split(":")[0] for e in cut] == (
        ["malformed JSON"] if cause.startswith("truncated") else []
    )


def test_a_truncated_gzip_keeps_every_record_before_the_cut(tmp_path):
    import zlib

    src, out = tmp_path / "in.jsonl.gz", tmp_path / "out"
    whole = gzip.compress(jsonl(2000))
    src.write_bytes(whole[: len(whole) // 2])
    complete = zlib.decompressobj(31).decompress(whole[: len(whole) // 2]).count(b"\n")
    assert complete > 900  # (half the file: about a thousand whole lines)
    result = invoke(src, "-o", out)
    assert result.exit_code == 1
    summary = json.loads((out / "summary.json").read_text())
    # gzip.GzipFile lost what its last read had decompressed: most of them
    assert summary["conversations"] == complete


def test_a_file_name_that_is_not_utf8_is_written_as_text(tmp_path):
    d, out = tmp_path / "d", tmp_path / "out"
    d.mkdir()
    name = os.fsdecode(b"caf\xe9.jsonl")  # Latin-1, not UTF-8
    (d / name).write_bytes(jsonl(3))
    result = invoke(d, "-o", out)
    assert result.exit_code == 0, result.output
    assert json.loads((out / "summary.json").read_text())["inputs"] == [f"{d}/caf\ufffd.jsonl"]


def test_a_second_run_into_the_same_directory_is_refused(tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out"
    src.write_bytes(jsonl(3))
    out.mkdir()
    (out / ".staging-4242-abc").mkdir()  # the running run's staging directory
    fd = os.open(out, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as the running run holds it
    try:
        result = invoke(src, "-o", out)
    finally:
        os.close(fd)
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {out}: another loomcore run (pid 4242) is writing into this directory; "
        "wait for it to end or choose another --output\n",
    )
    assert (out / ".staging-4242-abc").is_dir()  # the other run's files are not touched


def test_a_worker_killed_mid_run_is_one_line_and_leaves_nothing(tmp_path):
    """A process-pool worker that dies (the OOM killer, a crash in a C
    extension) is one line, exit 1, and no file of the run is left."""
    from loomcore import Scorer, hookimpl
    from loomcore.cli import _run_or_fail
    from loomcore.pipeline import Pipeline, RunOptions
    from loomcore.registry import LoomcoreError, Registry, get_plugin_manager

    class DiesOnItem7:
        @hookimpl
        def register_scorers(self, register):
            def score(memory):
                if "take 7?" in memory.user_input:
                    os._exit(9)  # as a worker killed by a signal
                return 0.9

            register(Scorer("dies", score))

    registry = Registry(
        get_plugin_manager(only=["alpaca_reader", "raw", "process"], plugins=[DiesOnItem7()])
    )
    src, out = tmp_path / "in.jsonl", tmp_path / "out"
    src.write_bytes(jsonl(20))
    pipe = Pipeline(registry, RunOptions(executor="process", workers=2))
    with pytest.raises(LoomcoreError) as exc:
        _run_or_fail(pipe, [str(src)], str(out))
    assert str(exc.value).startswith(f"{out}: a worker process died (A process in the process pool")
    assert str(exc.value).endswith("); nothing was written")
    assert list(out.iterdir()) == []


def test_a_dead_worker_is_one_line(tmp_path, monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    from loomcore.pipeline import Pipeline

    def dies(self, inputs, out):
        raise BrokenProcessPool("A child process terminated abruptly")

    monkeypatch.setattr(Pipeline, "run", dies)
    result = invoke("-o", tmp_path / "out")
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {tmp_path / 'out'}: a worker process died (A child process terminated "
        "abruptly); nothing was written\n",
    )


def test_a_commit_cut_short_is_finished_by_the_next_run(tmp_path, monkeypatch):
    """A kill between two renames of a commit leaves the journal; the next run
    (recover) finishes it, so no file of the older run stays beside the newer."""
    src, out, reference = tmp_path / "in.jsonl", tmp_path / "out", tmp_path / "reference"
    src.write_bytes(jsonl(20) + b"{broken\n")
    assert invoke(src, "-o", out, "--max-rejected", "1").exit_code == 0
    assert (out / "quarantine.jsonl").exists()
    src.write_bytes(jsonl(20, start=50))
    assert invoke(src, "-o", reference).exit_code == 0
    moves = []
    real = os.replace

    def killed(a, b):
        if os.path.dirname(b) == str(out):  # the journal, then the files moved in
            if len(moves) == 2:
                raise KeyboardInterrupt  # the kill, between two renames
            moves.append(b)
        real(a, b)

    monkeypatch.setattr(writers.os, "replace", killed)
    invoke(src, "-o", out)
    monkeypatch.undo()
    assert (out / writers.JOURNAL).exists()
    writers.recover(out)  # what the next run into out does first
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in reference.iterdir())  # quarantine.jsonl went
    for name in names:
        if name not in ("manifest.json", "summary.json", "README.md"):  # timings
            assert (out / name).read_bytes() == (reference / name).read_bytes(), name


@pytest.mark.slow
def test_sigterm_removes_the_staging_directory(tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out"
    src.write_bytes(jsonl(20_000))
    proc = subprocess.Popen(
        [sys.executable, "-m", "loomcore.cli", "run", str(src), "-o", str(out), "-q"],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while not (out.is_dir() and leftovers(out)) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM and b"Traceback" not in err
    assert leftovers(out) == [] and not (out / "raw.jsonl").exists()


def test_a_zip_member_whose_crc_fails_is_one_line(tmp_path):
    import zipfile

    from click.testing import CliRunner

    from loomcore.cli import cli

    good = tmp_path / "export.zip"
    record = b'[{"title": "t", "mapping": {}, "current_node": null}]'
    with zipfile.ZipFile(good, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("conversations.json", record)
    data = bytearray(good.read_bytes())
    at = data.index(b'"title"')
    data[at + 1] ^= 0x20  # one flipped bit in the stored member: its CRC fails
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))
    result = CliRunner().invoke(cli, ["run", str(bad), "-o", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {bad}: ") and "CRC" in result.output
    assert "Traceback" not in result.output
