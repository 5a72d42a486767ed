"""process: the per-exchange work on a pool of processes, one per core.

Exchanges go to the workers in batches, a bounded number in flight, and the
outcomes come back in input order: the output is the same as ``local``'s and
memory stays flat however long the input.  On Linux the workers are forked
and inherit the run's registry (in-process plugins included); elsewhere each
worker builds the registry from the installed entry points.
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from loomcore import Executor, Memory, hookimpl
from loomcore.pipeline import ExecutionPlan, Outcome, process_memory

BATCH = 64
IN_FLIGHT_PER_WORKER = 4

_plan: ExecutionPlan | None = None  # the plan a forked worker inherits


def _work(batch: list[Memory], plan: ExecutionPlan | None = None) -> list[Outcome]:
    plan = plan or _plan
    assert plan is not None
    return [process_memory(plan.registry, plan.options, m) for m in batch]


def workers(plan: ExecutionPlan) -> int:
    """``--workers``, else the cores this process may use."""
    if plan.options.workers:
        return plan.options.workers
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def run(plan: ExecutionPlan, memories: Iterable[Memory]) -> Iterator[Outcome]:
    global _plan
    n = workers(plan)
    forking = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forking else "spawn")
    _plan = plan
    pending: collections.deque[Future[list[Outcome]]] = collections.deque()
    it = iter(memories)
    try:
        with ProcessPoolExecutor(max_workers=n, mp_context=context) as pool:
            while True:
                while len(pending) < n * IN_FLIGHT_PER_WORKER:
                    batch = list(itertools.islice(it, BATCH))
                    if not batch:
                        break
                    pending.append(
                        pool.submit(_work, batch) if forking else pool.submit(_work, batch, plan)
                    )
                if not pending:
                    break
                yield from pending.popleft().result()
    finally:
        _plan = None


@hookimpl
def register_executors(register):
    register(
        Executor(
            "process",
            run,
            description="a pool of processes (--workers, default: every core), same output as local",
        )
    )
