"""local: the per-exchange work in this process, one exchange after another."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from loomcore import Executor, Memory, hookimpl
from loomcore.stages.work import ExecutionPlan, Outcome, process_memory


def run(plan: ExecutionPlan, memories: Iterable[Memory]) -> Iterator[Outcome]:
    for memory in memories:
        yield process_memory(plan.registry, plan.options, memory)


@hookimpl
def register_executors(register):
    register(Executor("local", run, description="one process, in order (the default)"))
