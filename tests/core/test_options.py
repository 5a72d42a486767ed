"""One source for a run's options: the flag table makes the command line,
reads loomcore.toml's [run] table and gives the Python API the same run."""

from __future__ import annotations

import json

import click
import pytest

from loomcore.cli import run
from loomcore.config import ConfigError, load, run_options
from loomcore.model import SynthesisConfig
from loomcore.options import FLAGS, RunOptions
from loomcore.pipeline import Pipeline
from loomcore.records import Limits


def test_every_flag_is_an_option_of_run_with_the_fields_default():
    params = {p.name: p for p in run.params}
    for flag in FLAGS:
        param = params[flag.param]
        assert f"--{flag.name}" in param.opts, flag.name
        if flag.kind == "value":
            assert param.default == flag.default, flag.name
    # the command line with no flags is the default RunOptions
    ctx = run.make_context("run", [])
    values = {k: v for k, v in ctx.params.items() if k not in ("inputs", "plugin_option", "quiet")}
    assert RunOptions.from_flags(values) == RunOptions(formats=(), redact_allow=frozenset())
    assert RunOptions.from_flags(values).min_importance == 0.4


def test_flags_go_where_their_path_says():
    options = RunOptions.from_flags(
        {
            "min-confidence": 0.7,
            "max-turns": 12,
            "max_tokens": 512,  # written with underscores, as Python would
            "keep-custom-instructions": True,
            "redact-allow": "127.0.0.1",
            "format": ["alpaca"],
        }
    )
    assert options.synthesis == SynthesisConfig(min_confidence=0.7)
    assert options.limits == Limits(max_turns=12)
    assert options.plugin_options == {
        "quality": {"max_tokens": 512},
        "chatgpt_export_reader": {"keep_custom_instructions": True},
    }
    assert (options.redact_allow, options.formats) == (frozenset({"127.0.0.1"}), ("alpaca",))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"min-importance": 1.5}, "min-importance: 1.5 is above 1 @ $.run.min-importance"),
        (
            {"min-importance": "high"},
            "min-importance: expected float, not 'high' @ $.run.min-importance",
        ),
        ({"redact": "some"}, "redact: 'some' is not one of all, secrets, none @ $.run.redact"),
        ({"val-size": 0}, "val-size: 0 is not above 0 @ $.run.val-size"),
        ({"strict": "yes"}, "strict: expected true or false, not 'yes' @ $.run.strict"),
        ({"seed": True}, "seed: expected int, not True @ $.run.seed"),
        ({"colour": "red"}, "[run] has an unknown option 'colour' (known: "),
    ],
)
def test_a_bad_value_in_the_file_names_the_file_and_its_path(tmp_path, table, message):
    lines = [f"{k} = {json.dumps(v)}" for k, v in table.items()]
    path = tmp_path / "loomcore.toml"
    path.write_text("[run]\n" + "\n".join(lines) + "\n")
    with pytest.raises(ConfigError) as info:
        run_options(load(path))
    assert str(info.value).startswith(f"{path}: {message}")


def test_the_python_api_runs_what_the_file_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LOOMCORE_CONFIG", raising=False)
    (tmp_path / "loomcore.toml").write_text(
        'disable = ["text"]\n\n[run]\noutput = "dataset"\nformat = ["raw"]\n'
        "min-importance = 0.2\nmax-tokens = 4000\n\n[options.quality]\nmax_tokens = 9\n"
        "min_output_chars = 2\n"
    )
    pipe = Pipeline.from_config()
    assert pipe.options.formats == ("raw",)
    assert pipe.options.min_importance == 0.2
    # the flag that is a plugin's option goes over that plugin's table
    assert pipe.options.plugin_options == {"quality": {"max_tokens": 4000, "min_output_chars": 2}}
    assert "text" not in pipe.registry.exporters
    pipe.run(None)  # the bundled sample, into the file's output directory
    written = sorted(p.name for p in (tmp_path / "dataset").iterdir())
    assert written == [  # (raw has no LLaMA-Factory entry: no dataset_info.json)
        "README.md",
        "manifest.json",
        "raw.jsonl",
        "summary.json",
    ]


def test_the_command_line_and_the_api_make_the_same_options(tmp_path):
    args = ["--min-importance", "0.3", "-f", "alpaca", "--max-turns", "9", "--no-include-reasoning"]
    ctx = run.make_context("run", args)
    values = {k: v for k, v in ctx.params.items() if k not in ("inputs", "plugin_option", "quiet")}
    from_cli = RunOptions.from_flags(values)
    from_file = RunOptions.from_table(
        {"min-importance": 0.3, "format": ["alpaca"], "max-turns": 9, "include-reasoning": False}
    )
    assert from_cli == from_file
    assert isinstance(run, click.Command)


def test_keys_may_name_the_flag_or_the_field(tmp_path):
    # "formats" is how the command line's keyword and older files spell it
    assert RunOptions.from_table({"formats": ["raw"]}).formats == ("raw",)
    assert RunOptions.from_table({"format": "raw"}).formats == ("raw",)
    assert RunOptions.from_table({"min_importance": 0.3}).min_importance == 0.3


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("seed = 1.5", "seed: expected int, not 1.5 @ $.run.seed"),
        (
            'min-importance = "0.5"',
            "min-importance: expected float, not '0.5' @ $.run.min-importance",
        ),
        ("min-importance = nan", "min-importance: expected a number, not nan"),
        ("val-size = 1.5", "val-size: val_size 1.5: a fraction below 1 or a whole number"),
        ("val-size = 0.1\nsplit = 0.9", "give val-size or the deprecated split, not both"),
    ],
)
def test_run_and_the_python_api_refuse_the_same_values_alike(tmp_path, monkeypatch, line, message):
    from click.testing import CliRunner

    from loomcore.cli import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LOOMCORE_CONFIG", raising=False)
    path = tmp_path / "loomcore.toml"
    path.write_text(f"[run]\n{line}\n")
    with pytest.raises(ConfigError) as info:
        Pipeline.from_config()
    assert str(info.value).startswith(f"{path}: {message}")
    result = CliRunner().invoke(cli, ["run", "-q"])
    assert (result.exit_code, result.output.startswith(f"Error: {path}: {message}")) == (1, True)


def test_the_environment_chooses_the_plugins_over_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LOOMCORE_CONFIG", raising=False)
    (tmp_path / "loomcore.toml").write_text(
        'plugins = ["raw_memory_reader", "qa_pair", "alpaca"]\n'
    )
    assert sorted(Pipeline.from_config().registry.exporters) == ["alpaca"]
    monkeypatch.setenv("LOOMCORE_LOAD_PLUGINS", "raw_memory_reader,qa_pair,raw")
    assert sorted(Pipeline.from_config().registry.exporters) == ["raw"]


def test_inputs_in_the_file_are_the_commands_not_the_apis(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LOOMCORE_CONFIG", raising=False)
    (tmp_path / "loomcore.toml").write_text('[run]\ninputs = ["chats.jsonl"]\nseed = 4\n')
    assert Pipeline.from_config().options.seed == 4  # inputs are given to run() instead
