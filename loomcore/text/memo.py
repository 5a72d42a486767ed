"""Memos of the text layer's pure functions, scoped to one exchange.

The stages of one exchange read the same texts again and again: the reply's
lines are split into sentences by segmentation, then again by the courtesy
trim, the standalone gate and the miners (half of all ``split_sentences``
calls repeat a text of the same exchange).  A function decorated with
:func:`exchange_memo` computes each text once; :func:`new_exchange` (called
by the per-exchange work before each exchange) empties every such memo, so
that what is kept is bounded by one exchange's texts (and by ``maxsize``)
and no result is carried from one exchange to the next.  Called outside
that work (the seed's API, a third-party builder), they are plain LRU memos
of that size.  The functions are pure: a memo never changes what they return.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_clears: list[Callable[[], None]] = []


def exchange_memo(maxsize: int) -> Callable[[F], F]:
    """An LRU memo of at most ``maxsize`` results, emptied by :func:`new_exchange`.

    Only for pure functions of hashable arguments that return an immutable
    value (a tuple, a string, a frozen record): every caller gets the same object.
    """

    def wrap(fn: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        _clears.append(cached.cache_clear)
        return cached  # type: ignore[return-value]

    return wrap


def new_exchange() -> None:
    """Forget every memo: the next exchange's texts start from nothing."""
    for clear in _clears:
        clear()
