"""The dedup filter's per-example work (``prepare``: normalise, shingle,
MinHash, band keys), against datasketch's MinHash on the same shingles
(not a test: it prints figures).

    python benchmarks/bench_dedup.py [--examples 5000]

Examples are the shared corpora's exchanges when they are there
(``bench_pipeline.seed_exchanges``), else generated.  Prints examples/s of
``prepare`` as it is, of the signature alone, of datasketch's
``MinHash.update_batch`` on the same shingles, and whether every signature
agreed with datasketch's (install the test extra for the comparison).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pipeline import seed_exchanges
from loomcore_plugins.filters import dedup

from loomcore import TrainingExample


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=5000)
    args = ap.parse_args()
    pairs = seed_exchanges()
    examples = [
        TrainingExample(instruction=f"{u} (#{i})", output=r, id=str(i))
        for i, (u, r) in enumerate(pairs[j % len(pairs)] for j in range(args.examples))
    ]
    mb = sum(len(e.instruction) + len(e.output) for e in examples) / 1e6
    dedup.prepare(examples[0], {})  # permutations and bands: once per process

    t = time.perf_counter()
    for e in examples:
        dedup.prepare(e, {})
    prepare_s = time.perf_counter() - t

    sets = [dedup.shingles(dedup.normalise(e)) for e in examples]
    t = time.perf_counter()
    ours = [dedup.signature(s, 64) for s in sets]
    ours_s = time.perf_counter() - t
    print(f"examples {len(examples)}, {mb:.1f} MB of text")
    print(
        f"prepare (ours)         {len(examples) / prepare_s:9.0f} examples/s  {mb / prepare_s:6.2f} MB/s"
    )
    print(f"signature (ours)       {len(examples) / ours_s:9.0f} examples/s")
    try:
        from datasketch import MinHash
    except ImportError:
        print("datasketch not installed: no comparison")
        return
    template = MinHash(num_perm=64, seed=1)
    t = time.perf_counter()
    theirs = []
    for s in sets:
        m = MinHash(num_perm=64, seed=1, permutations=template.permutations, scheme=template.scheme)
        m.update_batch(s)
        theirs.append(m.hashvalues)
    theirs_s = time.perf_counter() - t
    same = all(a.tolist() == b.tolist() for a, b in zip(ours, theirs, strict=True))
    print(
        f"signature (datasketch) {len(examples) / theirs_s:9.0f} examples/s  ({theirs_s / ours_s:.2f}x ours' time)"
    )
    print(f"same signatures: {'yes' if same else 'NO'} ({len(sets)} compared)")


if __name__ == "__main__":
    main()
