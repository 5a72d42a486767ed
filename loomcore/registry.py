"""The plugin registry: loads the ``loomcore`` entry-point group and collects
what every plugin registers.

Which plugins load can be chosen by name: ``only`` / ``LOOMCORE_LOAD_PLUGINS``
(an allow-list) and ``disable`` / ``LOOMCORE_DISABLE_PLUGINS`` (a block-list),
both comma-separated entry-point names.  Loading never happens as a side
effect of importing a module: call :func:`get_plugin_manager` or
:func:`default_registry`.
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import Any

import attrs
import pluggy

from loomcore import hookspecs, model
from loomcore.contracts import (
    ConversationBuilder,
    Enricher,
    ExampleBuilder,
    ExampleFilter,
    Executor,
    Exporter,
    Miner,
    Reader,
    Redactor,
    Scorer,
    TokenCounter,
)

ENTRY_POINT_GROUP = "loomcore"
ENV_LOAD = "LOOMCORE_LOAD_PLUGINS"
ENV_DISABLE = "LOOMCORE_DISABLE_PLUGINS"


class LoomcoreError(Exception):
    """An error a user can act on; the command line prints it without a traceback."""


class UnknownPluginError(LoomcoreError):
    """A plugin name that no installed entry point carries."""


class UnknownFormatError(LoomcoreError):
    """An output or input format that no loaded plugin provides."""


class PluginError(LoomcoreError):
    """A plugin raised while registering or running; ``plugin`` names it."""

    def __init__(self, plugin: str, stage: str, exc: BaseException):
        self.plugin, self.stage, self.exc = plugin, stage, exc
        super().__init__(f"plugin {plugin!r} failed in {stage}: {type(exc).__name__}: {exc}")


def installed_plugins() -> dict[str, importlib.metadata.EntryPoint]:
    """Every entry point of the ``loomcore`` group, by name."""
    eps = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    return {ep.name: ep for ep in sorted(eps, key=lambda e: e.name)}


def _names(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.split(",")
    return [v.strip() for v in value if v and v.strip()]


def get_plugin_manager(
    *,
    only: str | Iterable[str] | None = None,
    disable: str | Iterable[str] | None = None,
    plugins: Iterable[object] = (),
    load_entry_points: bool = True,
) -> pluggy.PluginManager:
    """A plugin manager with the hookspecs added and the chosen plugins loaded.

    :param only: load only these entry points (default: ``LOOMCORE_LOAD_PLUGINS``
        if set, else all).
    :param disable: never load these (added to ``LOOMCORE_DISABLE_PLUGINS``).
    :param plugins: extra in-process plugin objects (modules or instances).
    :raises UnknownPluginError: for a name that is not installed.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    only_names = _names(only) if only is not None else _names(os.environ.get(ENV_LOAD) or None)
    blocked = (_names(disable) or []) + (_names(os.environ.get(ENV_DISABLE)) or [])
    known = installed_plugins()
    unknown = sorted({n for n in (only_names or []) + blocked if n not in known})
    if unknown:
        raise UnknownPluginError(
            f"unknown plugin{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)} "
            f"(installed: {', '.join(known) or 'none'})"
        )
    for name in blocked:
        pm.set_blocked(name)
    if load_entry_points:
        if only_names is None:
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        else:
            for name in only_names:
                pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP, name=name)
    for plugin in plugins:
        pm.register(plugin)
    pm.check_pending()
    return pm


def _label(name: str, plugin: object) -> str:
    """A plugin's name for messages: its entry-point name, or for an object
    registered in-process (which pluggy names by id) its module or class."""
    if not name.isdigit():
        return name
    return getattr(plugin, "__name__", None) or type(plugin).__name__


class Registry:
    """What the loaded plugins provide, collected once and ordered by name.

    The pipeline and the seed-compatible API both run through a registry, so
    they use whatever plugins are registered.
    """

    def __init__(self, plugin_manager: pluggy.PluginManager | None = None):
        self.pm = plugin_manager if plugin_manager is not None else get_plugin_manager()
        # examples this registry makes render with it (TrainingExample.to_<format>())
        self.key = _new_key()
        model.makers[self.key] = self

    def _collect(self, hook_name: str, kind: type) -> list[Any]:
        hook = getattr(self.pm.hook, hook_name)
        collected: list[Any] = []
        for impl in sorted(hook.get_hookimpls(), key=lambda i: i.plugin_name):
            plugin = _label(impl.plugin_name, impl.plugin)

            def register(obj: Any, _plugin: str = plugin) -> None:
                if not isinstance(obj, kind):
                    raise TypeError(f"{hook_name} expects {kind.__name__} objects, got {obj!r}")
                record: Any = obj  # one of the attrs records of loomcore.contracts
                collected.append(attrs.evolve(record, plugin=record.plugin or _plugin))

            try:
                impl.function(register)
            except Exception as exc:
                raise PluginError(plugin, hook_name, exc) from exc
        return sorted(collected, key=lambda o: (o.name, o.plugin))

    @cached_property
    def readers(self) -> dict[str, Reader]:
        return self._unique(self._collect("register_readers", Reader), "input format")

    @cached_property
    def scorers(self) -> list[Scorer]:
        return self._collect("register_scorers", Scorer)

    @cached_property
    def redactors(self) -> list[Redactor]:
        return self._collect("register_redactors", Redactor)

    @cached_property
    def enrichers(self) -> list[Enricher]:
        return self._collect("register_enrichers", Enricher)

    @cached_property
    def miners(self) -> list[Miner]:
        return self._collect("register_miners", Miner)

    @cached_property
    def builders(self) -> dict[str, list[ExampleBuilder]]:
        out: dict[str, list[ExampleBuilder]] = {}
        for b in self._collect("register_example_builders", ExampleBuilder):
            out.setdefault(b.pattern_type, []).append(b)
        return out

    @cached_property
    def exporters(self) -> dict[str, Exporter]:
        return self._unique(self._collect("register_exporters", Exporter), "output format")

    @staticmethod
    def _unique(items: list[Any], what: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for item in items:
            if item.name in out:
                raise LoomcoreError(
                    f"{what} {item.name!r} is registered twice, by plugins "
                    f"{out[item.name].plugin!r} and {item.plugin!r}; disable one"
                )
            out[item.name] = item
        return out

    @cached_property
    def conversation_builders(self) -> list[ConversationBuilder]:
        return self._collect("register_conversation_builders", ConversationBuilder)

    @cached_property
    def filters(self) -> list[ExampleFilter]:
        return self._collect("register_filters", ExampleFilter)

    @cached_property
    def token_counters(self) -> dict[str, TokenCounter]:
        return self._unique(self._collect("register_token_counters", TokenCounter), "token counter")

    @cached_property
    def executors(self) -> dict[str, Executor]:
        return self._unique(self._collect("register_executors", Executor), "executor")

    def executor(self, name: str) -> Executor:
        try:
            return self.executors[name]
        except KeyError:
            raise LoomcoreError(
                f"unknown executor {name!r} (available: {', '.join(self.executors) or 'none'})"
            ) from None

    def exporter(self, name: str) -> Exporter:
        try:
            return self.exporters[name]
        except KeyError:
            raise UnknownFormatError(
                f"unknown output format {name!r} (available: {', '.join(self.exporters) or 'none'})"
            ) from None

    def reader(self, name: str) -> Reader:
        try:
            return self.readers[name]
        except KeyError:
            raise UnknownFormatError(
                f"unknown input format {name!r} (available: {', '.join(self.readers) or 'none'})"
            ) from None

    @property
    def pattern_types(self) -> list[str]:
        """Every pattern type some loaded miner produces, sorted."""
        return sorted({m.pattern_type for m in self.miners})

    def configure(self, options: dict[str, dict[str, Any]]) -> None:
        """Hand each plugin its own table of options (see the ``configure`` hookspec).

        :raises LoomcoreError: for options naming a plugin that is not loaded,
            one that takes no options, or options the plugin refuses.
        """
        loaded = {
            _label(name, plugin)
            for name, plugin in self.pm.list_name_plugin()
            if plugin is not None
        }
        impls = {_label(i.plugin_name, i.plugin): i for i in self.pm.hook.configure.get_hookimpls()}
        filters = {f.plugin for f in self.filters}  # filters take theirs when a run starts
        filters |= {r.plugin for _, _, r in self._configurable()}
        for name, table in sorted(options.items()):
            if name not in loaded:
                raise LoomcoreError(
                    f"options given for plugin {name!r}, which is not loaded "
                    f"(loaded: {', '.join(sorted(loaded)) or 'none'})"
                )
            if not isinstance(table, dict):
                raise LoomcoreError(f"options of plugin {name!r} must be a table, not {table!r}")
            if name not in impls and name not in filters:
                raise LoomcoreError(f"plugin {name!r} takes no options")
        # every plugin with settings hears of every run, so that one run's
        # options never linger into the next run of the same process
        for name, impl in sorted(impls.items()):
            try:
                impl.function(options=dict(options.get(name, {})))
            except (ValueError, TypeError) as exc:
                raise LoomcoreError(f"options of plugin {name!r}: {exc}") from None
        self._bind(options)

    # (registry attribute, the record's function field) of the records that
    # may carry a ``configure`` factory
    _BINDABLE = (("scorers", "score"), ("enrichers", "enrich"), ("exporters", "render"))

    def _configurable(self) -> Iterator[tuple[str, str, Any]]:
        for attr, field in self._BINDABLE:
            records = getattr(self, attr)
            for record in records.values() if isinstance(records, dict) else records:
                if record.configure is not None:
                    yield attr, field, record

    def _bind(self, options: dict[str, dict[str, Any]]) -> None:
        """Give every record with a ``configure`` factory its function for this
        run's options, kept on this registry only (no module state).  All are
        bound before any is kept, so options a plugin refuses leave the
        registry as it was."""
        bound_all: dict[str, Any] = {}
        for attr, field in self._BINDABLE:
            records = getattr(self, attr)

            def bound(record: Any, _field: str = field) -> Any:
                if record.configure is None:
                    return record
                try:
                    fn = record.configure(dict(options.get(record.plugin, {})))
                except (ValueError, TypeError) as exc:
                    raise LoomcoreError(f"options of plugin {record.plugin!r}: {exc}") from None
                return attrs.evolve(record, **{_field: fn})

            if isinstance(records, dict):
                bound_all[attr] = {k: bound(r) for k, r in records.items()}
            else:
                bound_all[attr] = [bound(r) for r in records]
        # the cached collections live in this instance's __dict__
        self.__dict__.update(bound_all)

    def register_commands(self, cli: Any) -> None:
        self.pm.hook.register_commands(cli=cli)

    def plugin_info(self) -> list[dict[str, Any]]:
        """Name, distribution, version and implemented hooks of every loaded plugin."""
        dists = {id(p): d for p, d in self.pm.list_plugin_distinfo()}
        # (name, version) of each distribution, read once: reading a version
        # parses its metadata file, and one package often holds every plugin
        named: dict[int, tuple[str, str]] = {}
        rows = []
        for name, plugin in sorted(self.pm.list_name_plugin(), key=lambda x: x[0]):
            if plugin is None:
                continue
            dist = dists.get(id(plugin))
            # (pluggy wraps one distribution in a facade per plugin)
            key = id(getattr(dist, "_dist", dist))
            if dist is not None and key not in named:
                named[key] = (dist.project_name, dist.version)
            project, version = named[key] if dist is not None else (None, None)
            hooks = sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])
            rows.append({"name": name, "distribution": project, "version": version, "hooks": hooks})
        return rows


_default: Registry | None = None


def _new_key() -> int:
    # unique across processes: a worker's own registry (spawn, Ray) never
    # takes the key of an unrelated registry in the parent
    return int.from_bytes(os.urandom(8), "big")


def default_registry() -> Registry:
    """The process-wide registry of every installed plugin (built on first use)."""
    global _default
    if _default is None:
        _default = Registry()
    return _default


def _render(format: str, example: Any) -> dict[str, Any]:
    return default_registry().exporter(format).render(example)


# TrainingExample.to_<format>() renders through the process-wide registry;
# the model layer holds the hook so that it need not import this one
model.renderer = _render


def set_default_registry(registry: Registry | None) -> None:
    """Replace (or, with None, forget) the process-wide registry; for embedding and tests."""
    global _default
    _default = registry
