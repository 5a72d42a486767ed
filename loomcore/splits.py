"""Train/validation splits the way trainers ask for them.

``--val-size`` reads like LLaMA-Factory's ``val_size``: a fraction below 1
is a share of the examples (rounded up, as ``datasets``'
``train_test_split`` rounds its test size), a whole number from 1 up is a
count of examples.  Examples are split by source conversation, so the
follow-ups of one conversation never sit on both sides: conversations are
taken for validation in an order shuffled by the seed, each one that still
fits under the asked size, until it is reached.  The same seed and the same
examples always give the same split.

A split that would leave validation or train empty gives no validation at
all (every example is train), and a validation side too small to measure
anything is kept but warned about, with the numbers.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

import attrs

# below this many validation examples an evaluation loss says little
TOO_FEW = 10


def check_val_size(value: float) -> float:
    """``value`` if it is a usable ``--val-size``, else a ValueError saying why."""
    if not value > 0:
        raise ValueError(f"val_size must be above 0, not {value:g}")
    if value >= 1 and value != int(value):
        raise ValueError(
            f"val_size {value:g}: a fraction below 1 or a whole number of examples from 1 up"
        )
    return value


def requested(val_size: float | None, split: float | None) -> float | None:
    """The validation size asked for: ``val_size``, else what the deprecated
    ``split`` (the train share) leaves, else None (no split)."""
    if val_size is not None:
        return check_val_size(val_size)
    if split is not None:
        return round(1 - split, 12)
    return None


def conversation_key(source: Mapping[str, Any]) -> str:
    """What groups examples for the split: the source conversation, else the record."""
    return str(source.get("conversation_id") or f"{source.get('path')}:{source.get('index')}")


def target(val_size: float, total: int) -> int:
    """How many validation examples ``val_size`` asks for out of ``total``."""
    if val_size >= 1:
        return int(val_size)
    # rounded first: 1 - 0.7 is 0.30000000000000004, and 10 of it is not 4
    return math.ceil(round(val_size * total, 9))


def _order(seed: int, key: str) -> bytes:
    return hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest()


@attrs.frozen
class SplitPlan:
    """Which conversations go to validation, and the counts that came of it."""

    validation: frozenset[str]
    train_rows: int
    validation_rows: int
    asked: int
    conversations: int

    def warning(self) -> str | None:
        """One line for the user when the split is too small to be useful."""
        if self.conversations == 0:
            return None
        total = self.train_rows + self.validation_rows
        if not self.validation:
            return (
                f"no validation file written: {_n(self.asked, 'example')} asked for validation, "
                f"but {_n(total, 'example')} from {_n(self.conversations, 'conversation')} "
                "cannot be split by conversation without leaving a side empty"
            )
        if self.validation_rows < TOO_FEW:
            return (
                f"validation holds only {_n(self.validation_rows, 'example')} "
                f"({len(self.validation)} of {_n(self.conversations, 'conversation')}; "
                f"{self.train_rows} in train): fewer than {TOO_FEW} is too few to measure "
                "anything (ask for more with --val-size)"
            )
        return None


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def choose(sizes: Counter[str], val_size: float, seed: int) -> SplitPlan:
    """The validation conversations for ``val_size``, given the examples per conversation."""
    total = sum(sizes.values())
    asked = min(target(val_size, total), total)
    chosen: set[str] = set()
    rows = 0
    ordered = sorted(sizes, key=lambda k: (_order(seed, k), k))
    for key in ordered:
        if rows >= asked:
            break
        if rows + sizes[key] <= asked:
            chosen.add(key)
            rows += sizes[key]
    if not chosen and asked > 0 and ordered:
        # every conversation is bigger than the size asked: the smallest one
        # (the first of the seed's order among equals) comes closest
        smallest = min(ordered, key=lambda k: sizes[k])
        chosen, rows = {smallest}, sizes[smallest]
    if rows >= total:  # a train side of nothing is no split
        chosen, rows = set(), 0
    return SplitPlan(frozenset(chosen), total - rows, rows, asked, len(sizes))
