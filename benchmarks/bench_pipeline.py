"""Throughput and memory of the whole pipeline (not a test: it prints figures).

    python benchmarks/bench_pipeline.py [--sizes 1000,10000,100000] [--executors here,process,ray]
        [--conversation-bytes 2700] [--corpus FILE] [--profile N]

Builds a corpus of N conversations (OpenAI messages JSONL) of about 2.7 KB
of text each, several exchanges from ../shared/corpora when it is there, else
from its own generator, and runs
the full pipeline with every built-in plugin and the three formats, each run
in a fresh process so that peak RSS is that run's own.  Prints per row:
conversations, MB of text, seconds, conversations/s, MB/s, peak RSS, the time
to only parse and re-serialise the same records with orjson (and the ratio
pipeline/parse), whether the files are byte-identical to the first
executor's, and the time per stage.

``--corpus FILE`` runs on that file instead (any input loomcore reads, e.g.
a LIMA-style JSONL concatenated ten times; MB is then the file's size).
``--profile N`` runs each child under cProfile and prints, after its row,
the N functions with the most time of their own and the N with the most
time under them (profiling slows a run about 1.5x: read the shares, not the
seconds).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"


def seed_exchanges() -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    alpaca = CORPORA / "alpaca_en_demo.json"
    if alpaca.exists():
        for r in json.loads(alpaca.read_text()):
            user = r["instruction"] + (f"\n\n{r['input']}" if r.get("input") else "")
            pairs.append((user, r["output"]))
    for name in ("sharegpt_toolcall_en_demo.json", "sharegpt_fastchat_dummy.json"):
        path = CORPORA / name
        if path.exists():
            for conv in json.loads(path.read_text()):
                turns = [t for t in conv["conversations"] if t["from"] in ("human", "gpt")]
                pairs.extend(
                    (a["value"], b["value"])
                    for a, b in itertools.pairwise(turns)
                    if a["from"] == "human" and b["from"] == "gpt"
                )
    if not pairs:  # no shared corpora: a small generator of realistic exchanges
        pairs = [
            (
                f"What is concept {i}?",
                f"**Concept {i}** is a technique that combines step {i} with a cache. "
                f"It matters because repeated lookups become cheap, which leads to faster pages.",
            )
            for i in range(200)
        ]
    return pairs


def build_corpus(path: Path, n: int, conversation_bytes: int = 2700) -> int:
    """N conversations of seed exchanges, each about ``conversation_bytes`` of
    text (the issue's 2.7 KB; 0: one exchange each); the bytes of text written."""
    pairs = seed_exchanges()
    size = 0
    j = 0
    with path.open("wb") as fh:
        for i in range(n):
            messages: list[dict[str, str]] = []
            text = 0
            while not messages or text < conversation_bytes:
                user, reply = pairs[j % len(pairs)]
                j += 1
                # vary each copy so that no two records are the same
                user = f"{user} (#{i})"
                messages += [
                    {"role": "user", "content": user},
                    {"role": "assistant", "content": reply},
                ]
                text += len(user) + len(reply)
            fh.write(orjson.dumps({"id": f"c{i}", "messages": messages}) + b"\n")
            size += text
    return size


CHILD = """
import cProfile, io, json, pstats, sys, time
from loomcore.pipeline import Pipeline, RunOptions
src, out, executor, top = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
pipeline = Pipeline(options=RunOptions(executor=None if executor == "here" else executor))
profile = cProfile.Profile() if top else None
t = time.perf_counter()
if profile:
    profile.enable()
stats = pipeline.run([src], out)
if profile:
    profile.disable()
total = time.perf_counter() - t
if profile:
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats(order).print_stats(top)
        rows = text.getvalue().split("ncalls", 1)[-1].splitlines()[1:]
        print(f"  top {top} by {order}:")
        print("\\n".join("    " + r.strip() for r in rows if r.strip()))
print(json.dumps({"seconds": total, "stages": dict(stats.stage_seconds), "examples": sum(stats.examples.values())}))
"""


def parse_only(path: Path) -> float:
    t = time.perf_counter()
    try:
        with path.open("rb") as fh:
            for line in fh:
                orjson.dumps(orjson.loads(line))
    except orjson.JSONDecodeError:  # one JSON document (an export), not JSONL
        t = time.perf_counter()
        orjson.dumps(orjson.loads(path.read_bytes()))
    return time.perf_counter() - t


def _same_files(first: Path, other: Path) -> str:
    """Whether a run wrote byte-identical example files to the first executor's."""
    names = sorted(p.name for p in first.glob("*.jsonl"))
    if names != sorted(p.name for p in other.glob("*.jsonl")):
        return "no"
    return (
        "yes" if all((first / n).read_bytes() == (other / n).read_bytes() for n in names) else "no"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--executors", default="here,process")
    ap.add_argument(
        "--conversation-bytes",
        type=int,
        default=2700,
        help="text per conversation, made of whole exchanges (0: one exchange each)",
    )
    ap.add_argument("--corpus", help="run on this input file instead of a generated corpus")
    ap.add_argument(
        "--profile", type=int, default=0, metavar="N", help="print each run's top N functions"
    )
    args = ap.parse_args()
    print(
        f"{'executor':9} {'convs':>7} {'MB':>6} {'s':>7} {'conv/s':>7} {'MB/s':>6} {'RSS MB':>7} {'parse s':>7} {'ratio':>6} {'same':>5}  stages (s)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        sizes = [int(x) for x in args.sizes.split(",")] if not args.corpus else [0]
        for n in sizes:
            if args.corpus:  # a given file: its size stands for its text, its lines for records
                src = Path(args.corpus)
                text_bytes = src.stat().st_size
                n = max(1, sum(1 for line in src.open("rb") if line.strip()))
            else:
                src = Path(tmp) / f"corpus-{n}.jsonl"
                text_bytes = build_corpus(src, n, args.conversation_bytes)
            parse_s = parse_only(src)
            for executor in args.executors.split(","):
                before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                out = subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        CHILD,
                        str(src),
                        str(Path(tmp) / f"out-{n}-{executor}"),
                        executor,
                        str(args.profile),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                    env=dict(os.environ),
                )
                rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                *profile, last = out.stdout.strip().splitlines()
                row = json.loads(last)
                s = row["seconds"]
                mb = text_bytes / 1e6
                stages = " ".join(f"{k}={v:.1f}" for k, v in sorted(row["stages"].items()))
                # ru_maxrss of children is the largest child so far: report it only when it grew
                rss_mb = f"{rss / 1024:.0f}" if rss > before else f"<={rss / 1024:.0f}"
                same = _same_files(
                    Path(tmp) / f"out-{n}-{args.executors.split(',')[0]}",
                    Path(tmp) / f"out-{n}-{executor}",
                )
                print(
                    f"{executor:9} {n:7d} {mb:6.1f} {s:7.1f} {n / s:7.0f} {mb / s:6.2f} {rss_mb:>7} {parse_s:7.2f} {s / parse_s:6.0f} {same:>5}  {stages}",
                    flush=True,
                )
                if profile:
                    print("\n".join(profile), flush=True)


if __name__ == "__main__":
    main()
