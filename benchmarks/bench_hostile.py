"""Time of the redactors and the segmenter on hostile text shapes (not a
test: it prints figures and asserts nothing).

    python benchmarks/bench_hostile.py [--base-kb 100] [--only redact|segment|read]

Each shape is built at 1x, 4x and 16x the base size; linear work grows 4x
and 16x, quadratic work 16x and 256x.  Prints seconds per size and the
growth ratio of 16x over 1x; for the reader's shapes (whole input files read
by :func:`loomcore.records.iter_json`) also the peak memory the reading held
at 16x, the records read and the records rejected.
"""

from __future__ import annotations

import argparse
import io
import time
import tracemalloc
from collections.abc import Callable

from loomcore_plugins.redactors import personal_data, secrets

from loomcore.records import iter_json
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
    # the rules added for the review's second round, each on its own trigger
    "escaped env": "\\npassword=x{i}",
    "yaml block": "password: |\n  ",
    "punctuated": "DB_PASSWORD=a,",
    "prose for": "the password for the server ",
    "cli flags": "redis-cli -a smbclient -U u%mongo -p htpasswd -b ",
    "encoded @": "a%40a&#64;",
    "dob key": '"dob": "',
    "phone word": "telefono 612 ",
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


_GOOD = (
    b'{"title":"t","messages":[{"role":"user","content":"how do I undo a commit?"},'
    b'{"role":"assistant","content":"git reset --soft HEAD~1 keeps the changes staged."}]}'
)


def _array(elements: list[bytes]) -> bytes:
    return b"[" + b",".join(elements) + b"]"


def _count(size: int) -> int:
    return max(1, size // (len(_GOOD) + 1))


# whole input files of about ``size`` bytes
FILES: dict[str, Callable[[int], bytes]] = {
    # one element nested past the parser's depth, its brackets balanced: each
    # "{" in it was scanned again to its end (quadratic)
    "deep element": lambda size: _array(
        [_GOOD, b'{"a":[' * (size // 12) + b"1" + b"]}" * (size // 12), _GOOD]
    ),
    # every tenth element lost its last "]}": each was scanned to the end of the input
    "cut every 10th": lambda size: _array(
        [_GOOD if i % 10 else _GOOD[:-2] for i in range(_count(size))]
    ),
    # every tenth element lost a closing quote (compact: the strings invert)
    "quote every 10th": lambda size: _array(
        [
            _GOOD if i % 10 else _GOOD.replace(b'commit?"', b"commit?", 1)
            for i in range(_count(size))
        ]
    ),
    # a run of spaces between two elements was held whole (1 GB of it, 1.15 GB)
    "space run": lambda size: b"[" + _GOOD + b"," + b" " * size + _GOOD + b"]",
    # JSON Lines whose first line is long and cut
    "cut first line": lambda size: (
        b"\n".join(
            [b'{"messages":[{"role":"user","content":"' + b"x" * (size // 2)]
            + [_GOOD] * _count(size // 2)
        )
        + b"\n"
    ),
}


def _read(data: bytes) -> tuple[int, int]:
    kept = rejected = 0
    for record in iter_json(io.BytesIO(data)):
        if record.error is None:
            kept += 1
        else:
            rejected += 1
    return kept, rejected


def bench_files(base: int, only: list[str] | None = None) -> None:
    print(
        f"{'file shape':<17} {'1x':>8} {'4x':>8} {'16x':>8} {'16x/1x':>7} {'peak 16x':>9} kept/rejected"
    )
    for shape, make in FILES.items():
        if only and shape not in only:
            continue
        times = []
        for factor in (1, 4, 16):
            data = make(base * factor)
            t0 = time.perf_counter()
            kept, rejected = _read(data)
            times.append(time.perf_counter() - t0)
        tracemalloc.start()  # (the input's own bytes are made before: not counted)
        _read(data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        ratio = times[2] / times[0] if times[0] > 0 else float("inf")
        print(
            f"{shape:<17} {times[0]:>7.2f}s {times[1]:>7.2f}s {times[2]:>7.2f}s {ratio:>7.1f} "
            f"{peak / 1e6:>7.1f}MB {kept}/{rejected} (16x = {len(data) / 1e6:.1f} MB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-kb", type=int, default=100, help="size of 1x in KB")
    parser.add_argument("--only", choices=[*sorted(WORK), "read"], help="time one kind of work")
    parser.add_argument("--shape", action="append", help="time this shape only (repeatable)")
    args = parser.parse_args()
    base = args.base_kb * 1000
    if args.only in (None, "read"):
        bench_files(base, args.shape)
    if args.only == "read":
        return
    print(f"{'shape':<12} {'work':<10} {'1x':>8} {'4x':>8} {'16x':>8} {'16x/1x':>7}")
    for shape, unit in UNITS.items():
        if args.shape and shape not in args.shape:
            continue
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
