"""How the standalone gate's time grows on hostile shapes (not a test: it prints figures).

    python benchmarks/bench_standalone.py [--base-kb 64]

For each shape, the gate's checks (loomcore.text.standalone.first_failure)
and its repairs (unglue, unescape_entities) run on the text at 1x, 4x and
16x its base size; the last column is the time at 16x over the time at 4x
(4 means linear; the 1x times are too small to divide by).
"""

from __future__ import annotations

import argparse
import time

from loomcore.text.standalone import first_failure, unescape_entities, unglue

SHAPES = {
    "blank lines": ("Summarize the table", "x" + "\n" * 1024 + "x"),
    "pointers": ("the text " * 113, "fine answer. " * 80),
    "wiki brackets": ("Why?", "[File:" * 170),
    "entities in code": ("Explain", "`<b>` &amp; " * 100),
    "see below": ("How?", "see below. " * 100),
    "glued request": ("Describe the following dish." + "Poached eggs " * 80, "ok fine"),
    "one long line": ("What is " + "a" * 1000 + "?", "b " * 500),
}


def run(instruction: str, output: str) -> float:
    t0 = time.perf_counter()
    first_failure(unglue(instruction), "", unescape_entities(output))
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-kb", type=int, default=64)
    args = ap.parse_args()
    print(f"{'shape':18} {'1x s':>8} {'4x s':>8} {'16x s':>8} {'16x/4x':>7}")
    for name, (instruction, output) in SHAPES.items():
        # grow both sides to about base-kb KB at 1x
        reps = max(1, args.base_kb * 1024 // max(1, len(instruction) + len(output)))
        times = []
        for factor in (1, 4, 16):
            times.append(run(instruction * reps * factor, output * reps * factor))
        print(
            f"{name:18} {times[0]:8.3f} {times[1]:8.3f} {times[2]:8.3f} "
            f"{times[2] / max(times[1], 1e-9):7.1f}"
        )


if __name__ == "__main__":
    main()
