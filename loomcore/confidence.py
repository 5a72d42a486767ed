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


def combine(importance: float | None, certainty: float) -> float:
    """The confidence of a pattern mined with ``certainty`` from a memory of ``importance``."""
    imp = 0.5 if importance is None else min(max(importance, 0.0), 1.0)
    cert = min(max(certainty, 0.0), 1.0)
    return round(cert * (0.5 + 0.5 * imp), 4)


HISTOGRAM_EDGES = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def histogram(values: list[float]) -> dict[str, int]:
    """Counts of ``values`` per confidence bucket, for the statistics."""
    edges = HISTOGRAM_EDGES
    out = {f"{lo:.1f}-{hi:.1f}": 0 for lo, hi in itertools.pairwise(edges)}
    keys = list(out)
    for v in values:
        for k, hi in zip(keys, edges[1:], strict=False):
            if v <= hi:
                out[k] += 1
                break
    return out
