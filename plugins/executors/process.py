"""process: the per-exchange work on a pool of processes, one per core.

Exchanges go to the workers in batches, a bounded number in flight, and the
outcomes come back in input order: the output is the same as ``local``'s and
memory stays flat however long the input.  On Linux the workers are forked
and inherit the run's registry (in-process plugins included).  Where
processes are spawned (macOS, Windows) each worker loads the same plugins
from their entry points once and is handed the run's plugin options; plugins
registered in-process cannot travel that way and are reported.
"""

from __future__ import annotations

import collections
import itertools
import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from loomcore import Executor, Memory, hookimpl
from loomcore.options import RunOptions
from loomcore.stages.work import ExecutionPlan, Outcome, process_memory
from loomcore.workers import portable_plugins, worker_registry

# 256 exchanges a batch: fewer submissions and result pickles for the parent
# (1.5 -> 1.4 s of CPU on 6,373 exchanges) and a conversation's exchanges
# split over two workers less often (each worker redacts a history again);
# two batches a worker in flight keep it busy while the parent writes
BATCH = 256
IN_FLIGHT_PER_WORKER = 2

log = logging.getLogger("loomcore")

# the plan a worker runs: inherited when forked, rebuilt by _start when spawned
_plan: ExecutionPlan | None = None


def _start(plugins: list[str], options: RunOptions) -> None:
    """A spawned worker's initializer: load and configure the run's plugins once."""
    global _plan
    registry, options = worker_registry("process", plugins, options)
    _plan = ExecutionPlan(registry, options)


def _work(batch: list[Memory]) -> list[Outcome]:
    assert _plan is not None
    return [process_memory(_plan.registry, _plan.options, m) for m in batch]


def workers(plan: ExecutionPlan) -> int:
    """``--workers``, else the cores this process may use."""
    if plan.options.workers:
        return plan.options.workers
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def start_method() -> str:
    """``fork`` where the platform has it (workers inherit the plan), else ``spawn``."""
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def _pool(plan: ExecutionPlan, n: int) -> ProcessPoolExecutor:
    method = start_method()
    context = multiprocessing.get_context(method)
    if method == "fork":
        return ProcessPoolExecutor(max_workers=n, mp_context=context)
    plugins, local_only = portable_plugins(plan.registry)
    if local_only:
        log.warning(
            "process executor: in-process plugins %s do not reach spawned workers",
            ", ".join(local_only),
        )
    return ProcessPoolExecutor(
        max_workers=n, mp_context=context, initializer=_start, initargs=(plugins, plan.options)
    )


def run(plan: ExecutionPlan, memories: Iterable[Memory]) -> Iterator[Outcome]:
    global _plan
    n = workers(plan)
    _plan = plan
    pending: collections.deque[Future[list[Outcome]]] = collections.deque()
    it = iter(memories)
    try:
        with _pool(plan, n) as pool:
            while True:
                while len(pending) < n * IN_FLIGHT_PER_WORKER:
                    batch = list(itertools.islice(it, BATCH))
                    if not batch:
                        break
                    pending.append(pool.submit(_work, batch))
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
