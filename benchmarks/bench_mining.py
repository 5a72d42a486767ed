"""How mining time grows with the size of one reply (not a test: it prints figures).

    python benchmarks/bench_mining.py

For each hostile shape (no punctuation, a huge list, many causal markers in
one sentence, a long question without "vs") it times enrich + mine at 1x,
2x and 4x size and prints seconds and the growth ratio; linear work doubles.
"""

from __future__ import annotations

import time

from loomcore import MemoryEnricher, PatternExtractor


def shapes(scale: int) -> dict[str, tuple[str, str]]:
    return {
        "1MB-no-punctuation": ("What is this?", "word " * (200_000 * scale // 4)),
        "list-items": (
            "How do I do it?",
            "\n".join(f"{i}. Open item {i} now" for i in range(2_500 * scale)),
        ),
        "markers-one-sentence": ("Why?", "X leads to Y because Z, " * (2_000 * scale)),
        "commas-after-if": ("Why?", "If a" + ", b" * (20_000 * scale) + "."),
        "long-question": (
            "which " + "thing or " * (2_000 * scale) + "?",
            "It is fine because it works.",
        ),
    }


def run(user: str, reply: str) -> float:
    enricher, extractor = MemoryEnricher(), PatternExtractor(min_confidence=0.0)
    memory = {
        "id": "b",
        "text": "",
        "importance": 0.8,
        "metadata": {"user_input": user, "system_output": reply},
    }
    start = time.perf_counter()
    extractor.extract_patterns([enricher.enrich(memory)])
    return time.perf_counter() - start


def main() -> None:
    print(f"{'shape':24} {'1x s':>8} {'2x s':>8} {'4x s':>8} {'4x/1x':>6}  size at 1x")
    for name in shapes(1):
        times = [run(*shapes(scale)[name]) for scale in (1, 2, 4)]
        size = sum(len(x) for x in shapes(1)[name])
        print(
            f"{name:24} {times[0]:8.3f} {times[1]:8.3f} {times[2]:8.3f} {times[2] / max(times[0], 1e-9):6.1f}  {size / 1e6:.2f} MB"
        )


if __name__ == "__main__":
    main()
