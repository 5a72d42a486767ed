"""The embedded conversation log and incremental runs (--since-last)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from loomcore import increments
from loomcore.log import ConversationLog
from loomcore.pipeline import Pipeline, RunOptions

DEFINITION = "A **mutex** is a lock that lets one thread at a time into a critical section."


def test_record_scores_and_history_filters(tmp_path):
    with ConversationLog(tmp_path / "chats.db") as log:
        kept = log.record("What is a mutex?", DEFINITION, timestamp="2025-10-01T10:00:00Z")
        noise = log.record("thanks", "You're welcome!", timestamp="2025-10-02T10:00:00Z")
        later = log.record(
            "What is a semaphore?",
            "A **semaphore** is a counter that limits concurrent access.",
            timestamp="2025-10-03T10:00:00Z",
            metadata={"app": "ide"},
        )
        assert (kept.id, noise.id, later.id) == ("log-1", "log-2", "log-3")
        assert kept.importance >= 0.4 > noise.importance == 0.15
        assert [m.id for m in log.history()] == ["log-1", "log-3"]
        assert [m.id for m in log.history(min_importance=0.0, since="2025-10-02")] == [
            "log-2",
            "log-3",
        ]
        assert log.history(since="2025-10-03")[0].metadata == {
            "app": "ide",
            "user_input": "What is a semaphore?",
            "system_output": "A **semaphore** is a counter that limits concurrent access.",
        }
        assert len(log) == 3


def test_log_refuses_non_text(tmp_path):
    with ConversationLog(tmp_path / "c.db") as log, pytest.raises(TypeError, match="must be text"):
        log.record(42, "x")


WRITER = """
import sys
from loomcore import increments
from loomcore.log import ConversationLog
log = ConversationLog(sys.argv[1])
i = 0
while True:
    i += 1
    log.record(f"What is item {i}?", "Item %d is a thing that exists." % i, importance=0.9)
    print(i, flush=True)
"""


@pytest.mark.slow
def test_log_survives_a_process_killed_mid_write(tmp_path):
    db = tmp_path / "chats.db"
    for attempt in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True
        )
        committed = 0
        deadline = time.monotonic() + 20
        while committed < 30 * (attempt + 1) and time.monotonic() < deadline:
            committed = int(proc.stdout.readline())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        with ConversationLog(db) as log:
            assert log._db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            # every turn whose record() returned is there (one more may be)
            assert len(log) >= committed


def run_incremental(db, out):
    return Pipeline(options=RunOptions(since_last=True, formats=("raw",))).run([str(db)], out)


def lines(out, pattern):
    return sorted(line for f in sorted(out.glob(pattern)) for line in f.read_text().splitlines())


def test_two_incremental_runs_emit_each_example_exactly_once(tmp_path):
    db, out = tmp_path / "chats.db", tmp_path / "out"
    with ConversationLog(db) as log:
        log.record("What is a mutex?", DEFINITION)
        run_incremental(db, out)
        log.record(
            "What is a semaphore?", "A **semaphore** is a counter that limits concurrent access."
        )
        log.record("ok", "Great!")
        stats = run_incremental(db, out)
        assert stats.conversations == 2
        stats = run_incremental(db, out)  # nothing new: nothing written
        assert stats.conversations == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.run-0001.json",
        "manifest.run-0002.json",
        "raw.run-0001.jsonl",
        "raw.run-0002.jsonl",
        "summary.run-0001.json",
        "summary.run-0002.json",
    ]
    Pipeline(options=RunOptions(formats=("raw",))).run([str(db)], tmp_path / "full")
    assert lines(out, "raw.run-*.jsonl") == lines(tmp_path / "full", "raw.jsonl")
    [(path, mark)] = json.loads((out / "summary.run-0002.json").read_text())["watermarks"].items()
    # a SQLite log rewrites its pages in place: its identity is the inode, no prefix hash
    assert (path, mark["index"], mark["inode"], mark["bytes"]) == (
        increments.key(str(db)),
        3,
        db.stat().st_ino,
        0,
    )


def test_a_run_that_dies_before_its_summary_is_redone_not_duplicated(tmp_path, monkeypatch):
    db, out = tmp_path / "chats.db", tmp_path / "out"
    with ConversationLog(db) as log:
        log.record("What is a mutex?", DEFINITION)
        run_incremental(db, out)
        log.record(
            "What is a semaphore?", "A **semaphore** is a counter that limits concurrent access."
        )

        import loomcore.pipeline as pipeline_module

        def die(*args, **kwargs):
            raise KeyboardInterrupt("killed")

        monkeypatch.setattr(pipeline_module, "write_json", die)
        with pytest.raises(KeyboardInterrupt):
            run_incremental(db, out)
        # the batch is written through a staging directory and moved in with
        # its summary: a run that dies leaves nothing of itself at all
        assert sorted(p.name for p in out.iterdir()) == [
            "manifest.run-0001.json",
            "raw.run-0001.jsonl",
            "summary.run-0001.json",
        ]
        monkeypatch.undo()
        log.record(
            "What is a spinlock?", "A **spinlock** is a lock that busy-waits until it is free."
        )
        run_incremental(db, out)
    Pipeline(options=RunOptions(formats=("raw",))).run([str(db)], tmp_path / "full")
    assert lines(out, "raw.run-*.jsonl") == lines(tmp_path / "full", "raw.jsonl")


def test_since_last_works_on_a_growing_jsonl_file(tmp_path):
    src, out = tmp_path / "chats.jsonl", tmp_path / "out"
    rec = {"instruction": "What is a mutex?", "output": DEFINITION}
    src.write_text(json.dumps(rec) + "\n")
    run_incremental(src, out)
    with src.open("a") as fh:
        fh.write(json.dumps({**rec, "instruction": "Define mutex."}) + "\n")
    stats = run_incremental(src, out)
    assert stats.conversations == 1

    def sources(name):
        rows = [json.loads(x) for x in (out / name).read_text().splitlines()]
        return {r["metadata"]["source"]["conversation_id"] for r in rows}

    assert sources("raw.run-0001.jsonl") == {"chats.jsonl:1"}
    assert sources("raw.run-0002.jsonl") == {"chats.jsonl:2"}


def jsonl_line(question):
    return json.dumps({"instruction": question, "output": DEFINITION}) + "\n"


def raw_sources(out, name):
    rows = [json.loads(x) for x in (out / name).read_text().splitlines()]
    return sorted(r["metadata"]["source"]["conversation_id"] for r in rows)


def test_a_half_written_last_line_is_left_for_the_next_run(tmp_path):
    src, out = tmp_path / "chats.jsonl", tmp_path / "out"
    line = jsonl_line("What is a mutex?")
    src.write_text(jsonl_line("Define mutex.") + line[:25])  # the writer is half way
    stats = run_incremental(src, out)
    assert (stats.conversations, stats.rejected) == (1, 0)
    assert not (out / "quarantine.run-0001.jsonl").exists()
    summary = json.loads((out / "summary.run-0001.json").read_text())
    assert summary["loss"]["records_pending"] == {str(src): 2}
    assert summary["watermarks"][increments.key(str(src))]["index"] == 1
    with src.open("a") as fh:  # the writer finishes the line, and writes one more
        fh.write(line[25:] + jsonl_line("What is a lock?"))
    stats = run_incremental(src, out)
    assert (stats.conversations, stats.rejected) == (2, 0)
    assert raw_sources(out, "raw.run-0002.jsonl") == ["chats.jsonl:2", "chats.jsonl:3"]


def test_since_last_refuses_standard_input(tmp_path):
    from click.testing import CliRunner

    from loomcore.cli import cli

    result = CliRunner().invoke(
        cli, ["run", "-", "--since-last", "-o", str(tmp_path / "out")], input=jsonl_line("Hi?")
    )
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: -: standard input cannot be resumed; --since-last reads files it can read again\n",
    )
    assert not (tmp_path / "out").exists()


def test_a_rotated_file_is_read_from_its_start(tmp_path, caplog):
    src, out = tmp_path / "chats.jsonl", tmp_path / "out"
    src.write_text(jsonl_line("What is a mutex?") + jsonl_line("Define mutex."))
    run_incremental(src, out)
    fresh = tmp_path / "new.jsonl"  # the log rotates: a new file takes the name
    fresh.write_text(jsonl_line("What is a semaphore?"))
    os.replace(fresh, src)
    stats = run_incremental(src, out)
    assert stats.conversations == 1  # not skipped as "line 1 was read before"
    assert raw_sources(out, "raw.run-0002.jsonl") == ["chats.jsonl:1"]
    assert (
        f"{src}: a new file under this name since the last run (rotated?): "
        "reading it from the start" in caplog.messages
    )


def test_a_file_rewritten_in_place_is_read_from_its_start(tmp_path, caplog):
    src, out = tmp_path / "chats.jsonl", tmp_path / "out"
    src.write_text(jsonl_line("What is a mutex?"))
    run_incremental(src, out)
    with src.open("r+") as fh:  # same file, same inode, other records
        fh.write(jsonl_line("What is a spinlock?") + jsonl_line("What is a barrier?"))
    stats = run_incremental(src, out)
    assert stats.conversations == 2
    assert (
        f"{src}: what the last run read has changed (rewritten): reading it from the start"
        in caplog.messages
    )
    stats = run_incremental(src, out)  # and then nothing is new
    assert stats.conversations == 0


def test_a_broken_last_element_of_an_array_is_rejected_not_left_pending(tmp_path):
    src, out = tmp_path / "chats.json", tmp_path / "out"
    good = json.loads(jsonl_line("What is a mutex?"))
    src.write_text(json.dumps([good])[:-1] + ', {"instruction": ]')  # no line break at the end
    stats = run_incremental(src, out)
    assert (stats.conversations, stats.rejected, stats.records_pending) == (1, 1, {})
