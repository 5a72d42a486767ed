"""Mining stays linear on hostile replies.

These guard against quadratic behaviour (which would take minutes at these
sizes), not against small slowdowns: the bounds are ten times what the
benchmark measures (benchmarks/bench_mining.py prints the real figures).
"""

import time

from loomcore import MemoryEnricher, PatternExtractor

from ..conftest import raw_memory

BOUND_SECONDS = 10.0


def mine_seconds(user: str, reply: str) -> tuple[float, list]:
    start = time.perf_counter()
    patterns = PatternExtractor(0.0).extract_patterns(
        [MemoryEnricher().enrich(raw_memory(user, reply))]
    )
    return time.perf_counter() - start, patterns


def test_one_megabyte_reply_without_punctuation():
    seconds, patterns = mine_seconds("What is this?", "word " * 200_000)
    assert seconds < BOUND_SECONDS
    # nothing structured is invented from it
    assert {p.pattern_type for p in patterns} <= {"qa_pair"}


def test_ten_thousand_list_items():
    reply = "\n".join(f"{i}. Open item {i} now" for i in range(1, 10_001))
    seconds, patterns = mine_seconds("How do I open them?", reply)
    assert seconds < BOUND_SECONDS
    [procedure] = [p for p in patterns if p.pattern_type == "procedure"]
    assert len(procedure.content["steps"]) == 10_000


def test_many_causal_markers_in_one_sentence():
    seconds, patterns = mine_seconds(
        "Why?", "strong heat leads to thermal expansion; " * 4_000 + "That is all."
    )
    assert seconds < BOUND_SECONDS
    causal = [p.content for p in patterns if p.pattern_type == "causal"]
    # one pattern per distinct (cause, effect), however often it repeats
    assert causal == [{"cause": "strong heat", "effect": "thermal expansion"}]
