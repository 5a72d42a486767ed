"""Redaction speed with and without the anchor prefilter (not a test: it
prints figures).

    python benchmarks/bench_redact.py [--rounds 3]

Texts: the exchanges of ``bench_pipeline``'s seed corpus, every string of the
files under ../shared/corpora when they are there, and the planted privacy
corpus (tests/privacy_corpus.py).  Each redactor runs as the pipeline runs
them (secrets, then personal data on the text secrets left) with every
detector (``none``: the reference), with the prefilter on Python's ``re``
(``python``) and with hyperscan where installed (``auto``).  Prints MB/s per
engine (the best of ``--rounds``, CPU time) and how many texts any engine
redacted differently from the reference (must be 0).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pipeline import CORPORA, seed_exchanges
from loomcore_plugins.redactors import anchors, personal_data, secrets, spans
from privacy_check import _documents, _strings
from privacy_corpus import planted_corpus


def texts() -> list[str]:
    out = [t for pair in seed_exchanges() for t in pair]
    seen = set(out)
    if CORPORA.exists():
        for path in sorted(CORPORA.rglob("*")):
            if path.is_file() and path.suffix in (".json", ".jsonl", ".zip"):
                for doc in _documents(path):
                    for text in _strings(doc):
                        if text not in seen:
                            seen.add(text)
                            out.append(text)
    records, _ = planted_corpus()
    out.extend(m["content"] for r in records for m in r["messages"])
    return out


def redact(text: str, engine: str) -> str:
    for redactor in (secrets, personal_data):
        text, _ = spans.apply(text, redactor.find(text, frozenset(), engine=engine))
    return text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    corpus = texts()
    mb = sum(map(len, corpus)) / 1e6
    ascii_share = sum(t.isascii() for t in corpus) / len(corpus)
    print(f"{len(corpus)} texts, {mb:.2f} MB, {ascii_share:.0%} ASCII")
    print(f"hyperscan: {'yes' if anchors._hyperscan() else 'not installed (auto = python)'}")
    reference = [redact(t, "none") for t in corpus]
    base = None
    for engine in ("none", "python", "auto"):
        best = float("inf")
        for _ in range(args.rounds):
            t = time.process_time()
            got = [redact(x, engine) for x in corpus]
            best = min(best, time.process_time() - t)
        differ = sum(a != b for a, b in zip(got, reference, strict=True))
        base = base or best
        print(
            f"  {engine:<7} {best:6.2f} s  {mb / best:6.2f} MB/s  {base / best:5.1f}x  "
            f"texts redacted differently: {differ}"
        )


if __name__ == "__main__":
    main()
