"""Time and records kept of the JSON reader on hostile and corrupt input
shapes (not a test: it prints figures and asserts nothing).

    python benchmarks/bench_readers.py [--base 2000]

Each shape is built at 1x, 4x and 16x the base number of records; linear
work grows 4x and 16x.  Prints seconds per size, the growth of 16x over 1x,
and at 1x how many good records were kept of how many intact ones.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from collections.abc import Callable

from loomcore import records


def conversations(n: int) -> list[dict]:
    """Records shaped as a ChatGPT export's: a tree of nodes under "mapping"."""
    return [
        {
            "title": f"Chat {i}",
            "id": f"c{i}",
            "create_time": 1_700_000_000 + i,
            "mapping": {
                f"n{j}": {
                    "id": f"n{j}",
                    "message": {
                        "author": {"role": "user" if j % 2 == 0 else "assistant"},
                        "content": {"content_type": "text", "parts": [f"turn {j} of {i}, {{x}}"]},
                    },
                    "parent": f"n{j - 1}" if j else None,
                    "children": [f"n{j + 1}"] if j < 3 else [],
                }
                for j in range(4)
            },
            "current_node": "n3",
        }
        for i in range(n)
    ]


def corrupt(data: bytes, damage: bytes | None, n: int, which: int | None = None) -> bytes:
    """``data`` with record ``which`` (n // 2 by default) damaged: ``damage``
    put after its first key, or (None) its first quote removed."""
    at = data.index(f'"c{n // 2 if which is None else which}"'.encode())
    return data[:at] + damage + data[at:] if damage is not None else data[:at] + data[at + 1 :]


SHAPES: dict[str, Callable[[int], tuple[bytes, int]]] = {
    "intact array": lambda n: (json.dumps(conversations(n)).encode(), n),
    "stray ] (compact)": lambda n: (corrupt(json.dumps(conversations(n)).encode(), b"]", n), n - 1),
    "lost quote (compact)": lambda n: (
        corrupt(json.dumps(conversations(n)).encode(), None, n),
        n - 1,
    ),
    "lost quote (pretty)": lambda n: (
        corrupt(json.dumps(conversations(n), indent=2).encode(), None, n),
        n - 1,
    ),
    # the first element broken: no model of the elements yet, so its scan
    # runs to the end of the input (or the size limit), once per file
    "first open { (compact)": lambda n: (
        corrupt(json.dumps(conversations(n)).encode(), b"{", n, 0),
        n - 1,
    ),
    "first no quote (pretty)": lambda n: (
        corrupt(json.dumps(conversations(n), indent=2).encode(), None, n, 0),
        n - 1,
    ),
    "cut first JSON line": lambda n: (
        b"".join(json.dumps(r).encode() + b"\n" for r in conversations(n))[30:],
        n - 1,
    ),
    "unclosed nesting": lambda n: (b"[" + b'{"a":' * (40 * n), 0),
    "comma-brace soup": lambda n: (b"[" + b",{" * (100 * n), 0),
    "every other broken": lambda n: (
        b"[" + b",".join([b'{"a": "x]"}', b'{"a": ]}'] * (n // 2)) + b"]",
        n // 2,
    ),
}


def kept(data: bytes) -> tuple[int, float]:
    started = time.perf_counter()
    good = sum(1 for r in records.iter_json(io.BytesIO(data)) if r.error is None)
    return good, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=int, default=2000, help="records at 1x")
    args = parser.parse_args()
    print(f"{'shape':24} {'1x s':>8} {'4x s':>8} {'16x s':>8} {'16x/1x':>7}  kept at 1x")
    for name, make in SHAPES.items():
        times, first = [], ""
        for factor in (1, 4, 16):
            data, intact = make(args.base * factor)
            good, seconds = kept(data)
            times.append(seconds)
            if factor == 1:
                first = f"{good} of {intact}"
        growth = times[2] / times[0] if times[0] else float("nan")
        print(f"{name:24} {times[0]:8.3f} {times[1]:8.3f} {times[2]:8.3f} {growth:7.1f}  {first}")


if __name__ == "__main__":
    main()
