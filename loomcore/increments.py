"""Incremental runs (``loomcore run --since-last``): each run synthesises only
what arrived since the last successful one, exactly once.

Every incremental run writes its own batch, ``<format>.run-NNNN.jsonl``, and
then ``summary.run-NNNN.json``, which holds the watermarks (for each input,
the last position read: a line number, a record index, a log sequence).  The
summary is written last, so it marks the batch complete.  On start, a batch
without its summary (a run that died half way) is deleted and redone; the
watermarks come from the newest complete summary.  So a failed run neither
skips records nor emits them twice.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import orjson

_BATCH = re.compile(r"^(?P<stem>.+)\.(?P<run>run-\d{4,})\.(?P<ext>jsonl|json)$")


@attrs.frozen
class State:
    """Where the next incremental run starts."""

    run_name: str
    watermarks: dict[str, int]


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
    watermarks: dict[str, int] = {}
    if runs:
        watermarks = dict(orjson.loads(complete[runs[-1]].read_bytes()).get("watermarks") or {})
    number = int(runs[-1].split("-")[1]) + 1 if runs else 1
    return State(run_name=f"run-{number:04d}", watermarks=watermarks)
