"""Rebuilding a run's registry in another process (a spawned worker, a Ray worker).

A forked worker inherits the driver's registry; any other worker starts
with nothing, so it loads the same plugins by entry-point name and hands them
the run's ``configure`` options.  Plugins registered in-process (not through
an entry point) cannot travel that way: :func:`portable_plugins` names them so
that the executor can say so.
"""

from __future__ import annotations

from loomcore.options import RunOptions
from loomcore.registry import Registry, get_plugin_manager, installed_plugins


def portable_plugins(registry: Registry) -> tuple[list[str], list[str]]:
    """The loaded plugins a worker can load by name, and those it cannot (in-process)."""
    names = [name for name, plugin in registry.pm.list_name_plugin() if plugin is not None]
    installed = set(installed_plugins())
    return sorted(n for n in names if n in installed), sorted(
        n for n in names if n not in installed
    )


# one registry per run per worker process: workers are reused across batches
# (and Ray's across tasks), so the plugins load once, not once per batch
_state: dict[str, tuple[Registry, RunOptions]] = {}


def worker_registry(
    run_id: str, plugins: list[str], options: RunOptions
) -> tuple[Registry, RunOptions]:
    """This process's registry for run ``run_id``: ``plugins`` loaded and configured."""
    if run_id not in _state:
        _state.clear()
        registry = Registry(get_plugin_manager(only=plugins))
        registry.configure(options.plugin_options)
        _state[run_id] = (registry, options)
    return _state[run_id]
