"""A run killed with SIGKILL at any moment leaves each output file either as
the previous complete version or as the new complete version: never partial."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

RECORD = {
    "instruction": "What is a mutex number {i}?",
    "output": "A **mutex** is a lock that lets one thread in at a time. It is item {i}.",
}


def write_input(path, n, tag):
    with path.open("w") as fh:
        for i in range(n):
            rec = {k: v.format(i=f"{tag}-{i}") for k, v in RECORD.items()}
            fh.write(json.dumps(rec) + "\n")


def run(src, out):
    return subprocess.Popen(
        [sys.executable, "-m", "loomcore.cli", "run", str(src), "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def contents(out):
    return {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}


@pytest.mark.slow
def test_sigkill_never_leaves_a_partial_file(tmp_path):
    old_src, new_src = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    write_input(old_src, 300, "old")
    write_input(new_src, 300, "new")
    reference = tmp_path / "reference"
    assert run(new_src, reference).wait() == 0
    new = contents(reference)
    out = tmp_path / "out"
    assert run(old_src, out).wait() == 0
    old = contents(out)
    started = time.monotonic()
    assert run(new_src, tmp_path / "timing").wait() == 0
    duration = time.monotonic() - started
    rng = random.Random(20)
    for attempt in range(20):
        proc = run(new_src, out)
        time.sleep(rng.uniform(0, duration))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for name, data in contents(out).items():
            if name == "manifest.json":  # holds timings: complete means it parses
                json.loads(data)
                continue
            assert data in (old.get(name), new.get(name)), f"attempt {attempt}: {name} is partial"
        # restore the previous outputs for the next attempt
        for name, data in old.items():
            (out / name).write_bytes(data)
        for name in set(contents(out)) - set(old):
            os.remove(out / name)
    # the next run sweeps temporaries a killed run left behind
    assert run(old_src, out).wait() == 0
    assert not list(out.glob(".*.tmp"))


@pytest.mark.slow
def test_sigkill_then_recovery_leaves_the_files_of_one_run(tmp_path):
    """Killed at any moment, then recovered as the next run into the directory
    starts: every file is of the old run, or every file of the new one."""
    from loomcore.writers import recover

    old_src, new_src = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    write_input(old_src, 300, "old")
    write_input(new_src, 200, "new")
    new_src.write_text(new_src.read_text() + "{broken\n")  # the new run has a quarantine too
    out = tmp_path / "out"
    assert run(old_src, out).wait() == 0
    old = contents(out)
    reference = tmp_path / "reference"
    started = time.monotonic()
    run(new_src, reference).wait()
    duration = time.monotonic() - started
    new = contents(reference)
    assert set(new) - set(old) == {"quarantine.jsonl"}
    rng = random.Random(18)
    for attempt in range(12):
        proc = run(new_src, out)
        time.sleep(rng.uniform(0.5, 1.0) * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        recover(out)
        now = contents(out)
        same = [
            side
            for side, files in (("old", old), ("new", new))
            if set(now) == set(files)
            and all(now[n] == files[n] for n in now if n != "manifest.json")
        ]
        assert same, f"attempt {attempt}: files of two runs: {sorted(now)}"
        assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
        for name in set(now) - set(old):  # back to the old run for the next attempt
            os.remove(out / name)
        for name, data in old.items():
            (out / name).write_bytes(data)
