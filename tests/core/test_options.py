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
        param = params[flag.name.replace("-", "_")]
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
        ({"colour": "red"}, "unknown option 'colour' @ $.run.colour (known: "),
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
    assert written == [
        "README.md",
        "dataset_info.json",
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
