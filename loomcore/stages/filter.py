"""The filter stage: each example seen by every filter in order; the first
reason drops it.  A filter that must see the whole run (deduplication keeps
the best copy) names what it drops at the end, in :meth:`Filtering.finish`."""

from __future__ import annotations

import logging
from typing import Any

import attrs

from loomcore.model import TrainingExample
from loomcore.options import RunOptions
from loomcore.registry import LoomcoreError, Registry
from loomcore.stages.budget import Faults

log = logging.getLogger("loomcore")


@attrs.frozen
class _Running:
    """One filter and its state for this run."""

    record: Any  # loomcore.contracts.ExampleFilter
    state: Any

    @property
    def plugin(self) -> str:
        return str(self.record.plugin)


class Filtering:
    """The run's filters, each started with its plugin's options."""

    def __init__(self, registry: Registry, options: RunOptions, faults: Faults):
        self.faults = faults
        self.running = [_Running(f, start(f, options.plugin_options)) for f in registry.filters]
        # the filters' prepare() values of the examples on their way here (made by the workers)
        self.prepared: dict[str, dict[str, Any]] = {}

    def __bool__(self) -> bool:
        return bool(self.running)

    def reason(self, example: TrainingExample) -> str | None:
        """Why ``example`` is dropped (the first filter that says so), or None."""
        prepared = self.prepared.pop(example.id, {})

        def see(run: _Running) -> str | None:
            if run.record.prepare is None:
                return run.state.see(example)  # type: ignore[no-any-return]
            return run.state.see(example, prepared=prepared.get(run.plugin))  # type: ignore[no-any-return]

        for _, reason in self.faults.each(self.running, "filter", example.id, see):
            if reason:
                return reason
        return None

    def finish(self) -> dict[str, str]:
        """Example id -> reason, for what the filters drop once they saw the whole run."""
        late: dict[str, str] = {}
        for _, dropped in self.faults.each(
            self.running, "filter", "the run", lambda run: run.state.finish()
        ):
            late.update(dropped)
        return late


def start(example_filter: Any, plugin_options: dict[str, dict[str, Any]]) -> Any:
    """A filter's state for this run, made with its plugin's options."""
    try:
        return example_filter.start(plugin_options.get(example_filter.plugin, {}))
    except (ValueError, TypeError) as exc:
        raise LoomcoreError(f"options of plugin {example_filter.plugin!r}: {exc}") from None
