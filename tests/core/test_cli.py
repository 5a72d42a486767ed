"""The command line: run on the bundled sample, plugins, choosing plugins, explain."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from loomcore.cli import cli

from ..conftest import FORMATS, PATTERN_TYPES, READERS


def invoke(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def read_jsonl(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


def test_run_on_bundled_sample_writes_every_format_and_summary(tmp_path):
    result = invoke("run", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "13 conversations, 13 exchanges (5 below importance, 0 rejected records)"
    )
    summary = json.loads((tmp_path / "summary.json").read_text())
    # one example per exchange, named by the most specific pattern the user asked for
    assert summary["examples_by_type"] == {
        "causal": 1,
        "comparison": 2,
        "definition": 1,
        "procedure": 2,
        "qa_pair": 2,
    }
    assert summary["lines_by_format"] == {
        "alpaca": 8,
        "chatml": 8,
        "raw": 8,
        "sharegpt": 8,
        "text": 8,
    }
    alpaca = read_jsonl(tmp_path / "alpaca.jsonl")
    assert {
        "instruction": "What is Thompson Sampling?",
        "input": "",
        "system": "",
        "history": [],
        # the whole answer, not its first sentence beside a copy of the whole
        "output": "**Thompson Sampling** is a Bayesian approach to the multi-armed bandit problem "
        "that picks each action with the probability that it is the best one.\n\n"
        "It keeps a posterior distribution over each arm's reward, draws one sample per arm and "
        "plays the arm with the highest sample. Arms that look promising get played more often, "
        "while uncertain arms still get explored because their posteriors are wide.",
    } in alpaca
    # noise ("thanks!", "ok", "hello", "Can you help me?") gives nothing
    instructions = {r["instruction"] for r in alpaca}
    assert not instructions & {
        "thanks!",
        "ok",
        "hello",
        "Can you help me?",
        "ok thanks, that worked",
    }
    raw = read_jsonl(tmp_path / "raw.jsonl")
    assert {r["metadata"]["source"]["memory_id"] for r in raw} <= {
        f"s{i:02d}" for i in range(1, 14)
    }
    assert not list(tmp_path.glob(".*.tmp"))


def test_two_runs_give_byte_identical_outputs(tmp_path):
    invoke("run", "-o", str(tmp_path / "a"))
    invoke("run", "-o", str(tmp_path / "b"))
    for name in ("alpaca.jsonl", "chatml.jsonl", "raw.jsonl", "summary.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_disabling_a_pattern_removes_its_output_and_nothing_else(tmp_path):
    invoke("run", "-o", str(tmp_path / "all"))
    result = invoke("--disable", "causal", "run", "-o", str(tmp_path / "nocausal"))
    assert result.exit_code == 0
    full = read_jsonl(tmp_path / "all" / "raw.jsonl")
    reduced = read_jsonl(tmp_path / "nocausal" / "raw.jsonl")
    # the same examples (a whole answer is named by the next builder that
    # makes it), with no trace of the disabled miner
    assert [(r["instruction"], r["output"]) for r in reduced] == [
        (r["instruction"], r["output"]) for r in full
    ]
    assert any("causal" in r["metadata"]["labels"] for r in full)
    assert all("causal" not in r["metadata"]["labels"] for r in reduced)
    assert {r["metadata"]["pattern_type"] for r in reduced} == {
        "comparison",
        "definition",
        "procedure",
        "qa_pair",
    }


def test_format_option_and_disabled_format(tmp_path):
    invoke("--disable", "raw", "run", "-o", str(tmp_path), "-f", "alpaca")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "README.md",
        "alpaca.jsonl",
        "dataset_info.json",
        "manifest.json",
        "summary.json",
    ]
    result = invoke("--disable", "raw", "run", "-o", str(tmp_path), "-f", "raw")
    assert result.exit_code == 1
    assert (
        result.output
        == "Error: unknown output format 'raw' (available: alpaca, chatml, dpo, sharegpt, text)\n"
    )


def test_unknown_plugin_is_a_usage_error(tmp_path):
    result = invoke("--disable", "casual", "run", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "unknown plugin: casual (installed: " in result.output
    result = invoke("run", "-o", str(tmp_path), env={"LOOMCORE_LOAD_PLUGINS": "nope"})
    assert result.exit_code == 2 and "unknown plugin: nope" in result.output


def test_missing_input_is_a_clean_error(tmp_path):
    result = invoke("run", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path))
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'nope.jsonl'}: no such file or directory\n"


def test_plugins_json_lists_every_plugin():
    result = invoke("plugins", "--json")
    rows = {r["name"]: r for r in json.loads(result.output)}
    expected = (
        {f"{r}_reader" for r in READERS}
        | set(PATTERN_TYPES)
        | set(FORMATS)
        | {
            "default_enricher",
            "default_scorer",
            "secrets",
            "personal_data",
            "local",
            "process",
            "ray",
            "dedup",
            "quality",
            "standalone",
            "token_counters",
            # issue 19: the preference-pair format and the conversation builders
            "dpo",
            "conversations",
            "preferences",
            # issue 16: sums worked again
            "arithmetic",
        }
    )
    assert set(rows) == expected
    assert rows["raw_memory_reader"]["hooks"] == ["register_readers"]
    assert rows["raw_memory_reader"]["distribution"] == "loomcore"


def test_explain_shows_segments_entities_and_patterns():
    from loomcore.inputs import sample_path

    result = invoke("explain", str(sample_path()), "--record", "2", "--json")
    report = json.loads(result.output)
    assert report["memory_id"] == "s03"
    assert [s["kind"] for s in report["segments"]] == [
        "paragraph",
        "item",
        "item",
        "item",
        "item",
        "item",
        "paragraph",
    ]
    assert "PostgreSQL read replica" in report["entities"]
    procedure = next(p for p in report["patterns"] if p["type"] == "procedure")
    assert procedure["content"]["task"] == "set up a PostgreSQL read replica"
    assert len(procedure["content"]["steps"]) == 5
    assert procedure["span"].startswith("Create a replication role")
    # scored, and the example a run would write of it, with the filters' verdict
    assert report["importance"] > 0.4
    [example] = report["examples"]
    assert example["pattern_type"] == "procedure"
    assert example["labels"] == ["procedure", "qa_pair"]
    assert example["instruction"] == "How do I set up a PostgreSQL read replica?"
    assert example["dropped_by"] is None


@pytest.mark.slow
def test_console_script_runs_as_installed(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "loomcore.cli", "run", "-o", str(tmp_path), "-f", "alpaca"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "wrote 8 lines to" in out.stdout


def test_plugin_commands_load_only_when_asked_for(monkeypatch):
    import click

    from loomcore import cli as cli_module
    from loomcore import hookimpl
    from loomcore.registry import get_plugin_manager

    class Hello:
        @hookimpl
        def register_commands(self, cli):
            @cli.command()
            def hello():
                click.echo("hello from a plugin")

    calls = []

    def plugin_manager(only=None, disable=None):
        calls.append((only, disable))
        return get_plugin_manager(plugins=[] if disable == "hello" else [Hello()])

    monkeypatch.setattr(cli_module, "get_plugin_manager", plugin_manager)
    assert ", version " in CliRunner().invoke(cli_module.cli, ["--version"]).output
    assert calls == []  # --version imports no plugin
    result = CliRunner().invoke(cli_module.cli, ["hello"])
    assert result.output == "hello from a plugin\n"
    result = CliRunner().invoke(cli_module.cli, ["--disable", "hello", "hello"])
    assert result.exit_code == 2 and "No such command 'hello'" in result.output
    assert "hello" in CliRunner().invoke(cli_module.cli, ["--help"]).output


def test_explain_names_the_filter_that_would_drop_an_example(tmp_path):
    src = tmp_path / "chat.jsonl"
    row = {
        "messages": [
            {"role": "user", "content": "How can I make my laptop battery last longer?"},
            {
                "role": "assistant",
                "content": "Batteries wear out with heat and full charge cycles. "
                "Here are a few things you could do:",
            },
        ]
    }
    src.write_text(json.dumps(row) + "\n")
    report = json.loads(invoke("explain", str(src), "--json").output)
    assert [(e["pattern_type"], e["dropped_by"]) for e in report["examples"]] == [
        ("qa_pair", "standalone:empty_promise")
    ]


def test_explain_uses_the_options_a_run_here_would(tmp_path, monkeypatch):
    from loomcore.inputs import sample_path

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LOOMCORE_CONFIG", raising=False)
    before = json.loads(invoke("explain", str(sample_path()), "--record", "2", "--json").output)
    assert [e["dropped_by"] for e in before["examples"]] == [None]
    # the file's plugin options reach the filters explain runs, as they reach a run's
    (tmp_path / "loomcore.toml").write_text("[options.quality]\nmax_output_chars = 50\n")
    after = json.loads(invoke("explain", str(sample_path()), "--record", "2", "--json").output)
    assert [e["dropped_by"] for e in after["examples"]] == ["quality:output_too_long"]
