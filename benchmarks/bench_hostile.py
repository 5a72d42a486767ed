"""Time of the redactors and the segmenter on hostile text shapes (not a
test: it prints figures and asserts nothing).

    python benchmarks/bench_hostile.py [--base-kb 100] [--only redact|segment]

Each shape is built at 1x, 4x and 16x the base size; linear work grows 4x
and 16x, quadratic work 16x and 256x.  Prints seconds per size and the
growth ratio of 16x over 1x.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from loomcore_plugins.redactors import personal_data, secrets

from loomcore.text.segment import segment
from loomcore.text.sentences import split_sentences

UNITS: dict[str, str] = {
    "email list": "anna.smith{i}@acme-mail.io, ",
    "phone list": "call +44 20 7946 {i:04d} or 030 1234{i:04d}; ",
    "password is": "the password is hunter{i}! ",
    "a. a.": "a. ",
    "long prose": "The cache keeps the last {i} entries, so a miss costs one read. ",
    # detect-secrets' JWT and NPM patterns backtracked quadratically on these
    "eyJ run": "eyJ",
    "// run": "//x_authToken",
    # a token run: each match was extended to the end of the run
    "ghp_ run": "ghp_",
    "sk- run": "sk-",
}


def _text(unit: str, size: int) -> str:
    out, n, i = [], 0, 0
    while n < size:
        piece = unit.format(i=i % 10000)
        out.append(piece)
        n += len(piece)
        i += 1
    return "".join(out)


def _redact(text: str) -> object:
    out, _ = secrets.redact(text, frozenset())
    return personal_data.redact(out, frozenset())


WORK: dict[str, Callable[[str], object]] = {
    "redact": _redact,
    "sentences": split_sentences,
    "segment": segment,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-kb", type=int, default=100, help="size of 1x in KB")
    parser.add_argument("--only", choices=sorted(WORK), help="time one kind of work")
    args = parser.parse_args()
    base = args.base_kb * 1000
    print(f"{'shape':<12} {'work':<10} {'1x':>8} {'4x':>8} {'16x':>8} {'16x/1x':>7}")
    for shape, unit in UNITS.items():
        for work, fn in WORK.items():
            if args.only and work != args.only:
                continue
            times = []
            for factor in (1, 4, 16):
                text = _text(unit, base * factor)
                t0 = time.perf_counter()
                fn(text)
                times.append(time.perf_counter() - t0)
            ratio = times[2] / times[0] if times[0] > 0 else float("inf")
            print(
                f"{shape:<12} {work:<10} {times[0]:>7.2f}s {times[1]:>7.2f}s {times[2]:>7.2f}s "
                f"{ratio:>7.1f}"
            )


if __name__ == "__main__":
    main()
