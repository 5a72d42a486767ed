"""The process executor's speed-up over one process, in pairs (not a test:
it prints figures).

    python benchmarks/bench_executors.py [--conversations 1000] [--pairs 4] [--workers 2]

Builds the corpus of ``bench_pipeline`` (every built-in plugin on, dedup
included), then runs it alternately in one process and with ``--executor
process``, each run in a fresh interpreter, and prints every pair: wall
seconds, the parent's and the workers' CPU seconds, the speed-up, and the
load average before the pair (another process holding a core halves the
speed-up; run it on a quiet machine).  The last line is the median speed-up.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pipeline import build_corpus

CHILD = """
import json, resource, sys, time
from loomcore.pipeline import Pipeline, RunOptions
src, out, executor, workers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
t = time.perf_counter()
Pipeline(options=RunOptions(executor=None if executor == "here" else executor, workers=workers)).run([src], out)
wall = time.perf_counter() - t
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "parent": me.ru_utime + me.ru_stime, "workers": kids.ru_utime + kids.ru_stime}))
"""


def _run(src: Path, out: Path, executor: str, workers: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(src), str(out), executor, str(workers)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--conversations", type=int, default=1000)
    ap.add_argument("--pairs", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "corpus.jsonl"
        mb = build_corpus(src, args.conversations) / 1e6
        print(f"{args.conversations} conversations, {mb:.1f} MB of text, {args.workers} workers")
        print(
            f"{'pair':>4} {'load':>5} {'here s':>7} {'process s':>9} {'parent cpu':>10} {'workers cpu':>11} {'speed-up':>8}"
        )
        for i in range(args.pairs):
            load = os.getloadavg()[0]
            here = _run(src, Path(tmp) / f"here-{i}", "here", args.workers)
            proc = _run(src, Path(tmp) / f"process-{i}", "process", args.workers)
            ratio = here["wall"] / proc["wall"]
            ratios.append(ratio)
            print(
                f"{i + 1:>4} {load:5.2f} {here['wall']:7.2f} {here['parent']:8.2f} {proc['wall']:9.2f} "
                f"{proc['parent']:10.2f} {proc['workers']:11.2f} {ratio:7.2f}x",
                flush=True,
            )
    print(f"median speed-up {statistics.median(ratios):.2f}x over {len(ratios)} pairs")


if __name__ == "__main__":
    main()
