"""How a pattern's confidence is computed: the one place that decides it.

``confidence = certainty * (0.5 + 0.5 * importance)``

- ``certainty`` (0..1) is the miner's own certainty for this instance: clear
  markers and well-formed spans score high, weaker cues lower.
- ``importance`` (0..1) is the memory's importance (given by the source, or
  by the scorers).

So a certain pattern from an important exchange scores near 1, the same
pattern from a middling exchange (importance 0.5) about 0.75, and a weak cue
from noise stays low; ``min_confidence`` (default 0.5) is a useful dial.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping


def combine(importance: float | None, certainty: float) -> float:
    """The confidence of a pattern mined with ``certainty`` from a memory of ``importance``."""
    imp = 0.5 if importance is None else min(max(importance, 0.0), 1.0)
    cert = min(max(certainty, 0.0), 1.0)
    return round(cert * (0.5 + 0.5 * imp), 4)


HISTOGRAM_EDGES = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def bucket(value: float) -> str:
    """The histogram bucket of one confidence ("0.8-0.9" holds 0.8 < v <= 0.9)."""
    for lo, hi in itertools.pairwise(HISTOGRAM_EDGES):
        if value <= hi:
            return f"{lo:.1f}-{hi:.1f}"
    return f"{HISTOGRAM_EDGES[-2]:.1f}-{HISTOGRAM_EDGES[-1]:.1f}"


def histogram(
    values: Iterable[float] = (), counts: Mapping[str, int] | None = None
) -> dict[str, int]:
    """Counts of ``values`` per confidence bucket, for the statistics; or, given
    ``counts`` by :func:`bucket`, the same dict with every bucket present.

    A run keeps counts, never the values, so its memory does not grow with
    the number of examples.
    """
    tally: Counter[str] = Counter(counts or {})
    tally.update(bucket(v) for v in values)
    return {
        f"{lo:.1f}-{hi:.1f}": tally.get(f"{lo:.1f}-{hi:.1f}", 0)
        for lo, hi in itertools.pairwise(HISTOGRAM_EDGES)
    }
