"""The configuration file: ``loomcore.toml``, or ``[tool.loomcore]`` in pyproject.toml.

Found in this order: ``--config PATH`` (or ``LOOMCORE_CONFIG``), then
``loomcore.toml`` in the current directory, then a ``pyproject.toml`` there
that has a ``[tool.loomcore]`` table.  Only the first one found is read::

    plugins = ["qa_pair", "definition", "alpaca_reader", "alpaca"]  # --plugins
    disable = ["text"]                                              # --disable

    [run]                       # any `loomcore run` option, by its long name
    output = "dataset"
    format = ["alpaca", "chatml"]
    min-importance = 0.5
    val-size = 0.05

    [options.dedup]             # one plugin's own options, by plugin name
    near_threshold = 0.85

Options given on the command line override the file; ``loomcore config``
prints the result and where each value came from.  The Python API reads the
same file: ``Pipeline.from_config()`` (the ``[run]`` table is structured into
:class:`~loomcore.options.RunOptions` through the one flag table,
:data:`loomcore.options.FLAGS`, that also makes the command line's options).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import attrs

from loomcore.contracts import check_options
from loomcore.options import RunOptions
from loomcore.registry import ENV_LOAD, LoomcoreError, Registry, get_plugin_manager

CONFIG_FILE = "loomcore.toml"
ENV_CONFIG = "LOOMCORE_CONFIG"
TOP_LEVEL = ("plugins", "disable", "run", "options")


class ConfigError(LoomcoreError):
    """A configuration file that cannot be read or holds an unknown key or a bad value."""


@attrs.frozen
class Config:
    """What a configuration file sets (empty when there is none)."""

    path: Path | None = None
    plugins: tuple[str, ...] | None = None
    disable: tuple[str, ...] = ()
    run: dict[str, Any] = attrs.field(factory=dict)  # keys as written: see run_options()
    options: dict[str, dict[str, Any]] = attrs.field(factory=dict)


def find(explicit: str | None = None, cwd: Path | None = None) -> Path | None:
    """The configuration file to read, or None."""
    explicit = explicit or os.environ.get(ENV_CONFIG) or None
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{explicit}: no such configuration file")
        return path
    here = cwd or Path.cwd()
    if (here / CONFIG_FILE).is_file():
        return here / CONFIG_FILE
    pyproject = here / "pyproject.toml"
    if pyproject.is_file() and "loomcore" in _read(pyproject).get("tool", {}):
        return pyproject
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid TOML (not UTF-8 text)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None


def _names(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of plugin names")
    return tuple(v.strip() for v in value if v.strip())


def load(path: Path | None) -> Config:
    """Read and check the shape of a configuration file (None: no file, an empty config)."""
    if path is None:
        return Config()
    data = _read(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("loomcore", {})
        where = f"{path} [tool.loomcore]"
    else:
        where = str(path)
    try:
        check_options(data, TOP_LEVEL)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    run = data.get("run", {})
    options = data.get("options", {})
    if not isinstance(run, dict):
        raise ConfigError(f"{where}: run must be a table")
    if not isinstance(options, dict) or not all(isinstance(v, dict) for v in options.values()):
        raise ConfigError(f"{where}: options must hold one table per plugin ([options.NAME])")
    return Config(
        path=path,
        plugins=_names(data["plugins"], f"{where}: plugins") if "plugins" in data else None,
        disable=_names(data.get("disable", []), f"{where}: disable"),
        run=dict(run),
        options={k: dict(v) for k, v in options.items()},
    )


def run_options(config: Config) -> RunOptions:
    """The file's ``[run]`` and ``[options.PLUGIN]`` tables as :class:`RunOptions`
    (what ``loomcore run`` in that directory would use, with no flags given);
    a bad key or value is a :class:`ConfigError` naming the file and the key's
    path (``@ $.run.min-importance``)."""
    table = {k: v for k, v in config.run.items() if k != "inputs"}  # given to run() instead
    try:
        return RunOptions.from_table(table, config.options)
    except ValueError as exc:
        raise ConfigError(f"{config.path}: {exc}") from None


def plugins_to_load(config: Config) -> tuple[str, ...] | None:
    """The file's ``plugins`` list, unless ``LOOMCORE_LOAD_PLUGINS`` is set:
    the environment's allow-list wins over the file's, as a command-line
    flag would (None: the environment's, or every installed plugin)."""
    return None if os.environ.get(ENV_LOAD) else config.plugins


def registry(config: Config) -> Registry:
    """The registry of the plugins the file loads (:func:`plugins_to_load`),
    less its ``disable`` list and the environment's."""
    return Registry(get_plugin_manager(only=plugins_to_load(config), disable=config.disable))


def parse_assignment(text: str) -> tuple[str, str, Any]:
    """``plugin.key=value`` (the value in TOML, or a bare string) -> (plugin, key, value)."""
    name, sep, raw = text.partition("=")
    plugin, dot, key = name.strip().partition(".")
    if not sep or not dot or not plugin or not key.strip():
        raise ConfigError(f"--option {text!r}: expected PLUGIN.KEY=VALUE")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()  # a bare word: a string
    return plugin, key.strip(), value
