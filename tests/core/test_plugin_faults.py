"""A plugin that raises or hangs is counted against its name and the run goes
on; --strict makes the first fault fatal."""

import json

import pytest
from click.testing import CliRunner

from loomcore import Miner, PluginError, Registry, get_plugin_manager, hookimpl
from loomcore.pipeline import Pipeline, RunOptions


class Flaky:
    @hookimpl
    def register_miners(self, register):
        def mine(memory):
            if "Thompson" in memory.user_input:
                raise ValueError("cannot handle Thompson")
            return []

        register(Miner("flaky", mine))


class Hangs:
    @hookimpl
    def register_miners(self, register):
        def mine(memory):
            while True:
                pass

        register(Miner("hangs", mine))


def run(tmp_path, plugin, **options):
    registry = Registry(get_plugin_manager(plugins=[plugin]))
    return Pipeline(registry, RunOptions(formats=("alpaca",), **options)).run(None, tmp_path)


def test_a_raising_plugin_is_counted_by_name_and_the_run_goes_on(tmp_path):
    stats = run(tmp_path, Flaky())
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["plugin_errors"] == {"Flaky": 1}
    assert stats.lines["alpaca"] == 8  # every other plugin's examples still written


def test_strict_makes_the_first_fault_fatal(tmp_path):
    with pytest.raises(PluginError, match="failed in mine: ValueError: cannot handle Thompson"):
        run(tmp_path, Flaky(), strict=True)
    assert not (tmp_path / "alpaca.jsonl").exists()


def test_a_hanging_plugin_is_bounded_by_the_time_budget(tmp_path):
    stats = run(tmp_path, Hangs(), record_timeout=0.05)
    assert stats.plugin_errors == {"Hangs": stats.memories - stats.below_importance}
    assert stats.lines["alpaca"] == 8


def test_cli_strict_message_names_the_plugin(tmp_path, monkeypatch):
    import loomcore.cli as cli_module

    monkeypatch.setattr(
        cli_module, "get_plugin_manager", lambda **kw: get_plugin_manager(plugins=[Flaky()], **kw)
    )
    result = CliRunner().invoke(cli_module.cli, ["run", "-o", str(tmp_path), "--strict"])
    assert result.exit_code == 1
    assert "failed in mine: ValueError: cannot handle Thompson" in result.output
