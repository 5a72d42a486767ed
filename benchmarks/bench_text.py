"""How often the per-exchange work asks the text layer the same question
(not a test: it prints figures).

    python benchmarks/bench_text.py [INPUT ...]

Runs the per-exchange work (``process_memory``) on every exchange of the
inputs (default: ``../shared/corpora/alpaca_en_demo.json``, else the bundled
sample) and prints, for each text function, its calls, the calls that
repeat an argument already seen in the same exchange (what an analysis
made once per exchange saves) and those that repeat one seen anywhere in
the run (what a run-wide cache would add: on a benchmark corpus built from
copies, mostly an artefact of the copies), then the hits of the
exchange-scoped memos (:mod:`loomcore.text.memo`) and the CPU seconds.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loomcore.pipeline import Pipeline, RunOptions
from loomcore.stages.work import process_memory

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpora" / "alpaca_en_demo.json"

WATCHED = {
    "loomcore.text.sentences": ["split_sentences", "strip_inline", "normalise_space"],
    "loomcore.text.segment": ["segment"],
    "loomcore.text.standalone": ["unglue", "leans_on_earlier", "dangling_reference", "prose"],
    "loomcore.text.smalltalk": ["is_courtesy", "asks_back", "is_small_talk"],
    "loomcore.model": ["without_courtesy"],
}
MEMOS = {
    "loomcore.text.sentences": ["_sentences"],
    "loomcore.text.standalone": ["unglue", "leans_on_earlier", "dangling_reference"],
}


class Counts:
    def __init__(self) -> None:
        self.calls = 0
        self.in_exchange = 0
        self.anywhere = 0
        self.exchange: set[Any] = set()
        self.run: set[Any] = set()


def _watch(fn: Callable[..., Any], counts: Counts) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        key = (args, tuple(sorted(kwargs.items())))
        counts.calls += 1
        counts.in_exchange += key in counts.exchange
        counts.anywhere += key in counts.run
        counts.exchange.add(key)
        counts.run.add(key)
        return fn(*args, **kwargs)

    return counted


def main() -> None:
    inputs = sys.argv[1:] or ([str(DEFAULT)] if DEFAULT.exists() else None)
    pipeline = Pipeline(options=RunOptions())
    pipeline.registry.configure(pipeline.options.plugin_options)
    memories = list(pipeline.memories(pipeline.conversations(inputs, None)))
    if not memories:
        raise SystemExit("no exchanges in the inputs")
    process_memory(pipeline.registry, pipeline.options, memories[0])  # plugins loaded

    # CPU of the work as it runs, before any counting wrapper is put in
    started = time.process_time()
    for memory in memories:
        process_memory(pipeline.registry, pipeline.options, memory)
    cpu = time.process_time() - started
    memos = [getattr(importlib.import_module(m), f) for m, fs in MEMOS.items() for f in fs]
    # each exchange starts with empty memos (and counts): add them up per exchange
    hits = {f"{m.__module__}.{m.__name__}": [0, 0, m.cache_info().maxsize] for m in memos}
    for memory in memories:
        process_memory(pipeline.registry, pipeline.options, memory)
        for memo in memos:
            info, row = memo.cache_info(), hits[f"{memo.__module__}.{memo.__name__}"]
            row[0] += info.hits
            row[1] += info.hits + info.misses

    # every module that holds one of the watched functions gets the counted one
    table: dict[str, Counts] = {}
    for module_name, names in WATCHED.items():
        module = importlib.import_module(module_name)
        for name in names:
            original = getattr(module, name)
            counts = table[name] = Counts()
            counted = _watch(original, counts)
            for other in list(sys.modules.values()):
                space = getattr(other, "__dict__", None)
                if not space or not other.__name__.startswith(("loomcore", "loomcore_plugins")):
                    continue
                for attr, value in list(space.items()):
                    if value is original:
                        setattr(other, attr, counted)
    for memory in memories:
        for counts in table.values():
            counts.exchange.clear()
        process_memory(pipeline.registry, pipeline.options, memory)

    n = len(memories)
    print(f"{n} exchanges, {cpu:.2f} s CPU ({cpu / n * 1000:.2f} ms an exchange)")
    print(f"{'function':20} {'calls':>8} {'/exch':>6} {'same exch':>10} {'anywhere':>9}")
    for name, c in table.items():
        print(
            f"{name:20} {c.calls:8d} {c.calls / n:6.1f} {c.in_exchange / max(c.calls, 1):10.0%} "
            f"{c.anywhere / max(c.calls, 1):9.0%}"
        )
    print("exchange memos (hits / calls, size bound):")
    for name, (hit, calls, maxsize) in hits.items():
        print(f"  {name:42} {hit:7d} / {calls:7d}  maxsize {maxsize}")


if __name__ == "__main__":
    main()
