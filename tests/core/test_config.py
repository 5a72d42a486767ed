"""loomcore.toml / [tool.loomcore]: every run option and plugin option, the
command line over the file, `loomcore config` showing the result."""

import json

import pytest
from click.testing import CliRunner

from loomcore.cli import cli
from loomcore.config import ConfigError, parse_assignment


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LOOMCORE_CONFIG", raising=False)
    return tmp_path


_ANSWER = (
    "Thompson Sampling is a Bayesian approach to the multi-armed bandit problem that picks each "
    "action with the probability that it is the best one, keeping a posterior over each arm's "
    "reward, drawing one sample per arm and playing the arm with the highest sample{}."
)
# two conversations whose answers differ in one word at the end: near duplicates
NEAR_DUPLICATES = "".join(
    json.dumps(
        {
            "messages": [
                {"role": "user", "content": "What is Thompson Sampling in bandit problems?"},
                {"role": "assistant", "content": _ANSWER.format(end)},
            ]
        }
    )
    + "\n"
    for end in ("", " today")
)

CONFIG = """
disable = ["text"]

[run]
output = "dataset"
format = ["alpaca", "chatml"]
min-importance = 0.5
split = 0.5
seed = 3

[options.dedup]
near_threshold = 1
"""


def manifest(path):
    return json.loads((path / "manifest.json").read_text())


def test_run_takes_its_options_from_loomcore_toml(here):
    (here / "loomcore.toml").write_text(CONFIG)
    assert invoke("run", "-q").exit_code == 0
    out = here / "dataset"
    assert sorted(p.name for p in out.glob("*.jsonl")) == [
        "alpaca.train.jsonl",
        "alpaca.validation.jsonl",
        "chatml.train.jsonl",
        "chatml.validation.jsonl",
    ]
    conf = manifest(out)["configuration"]
    assert (conf["formats"], conf["min_importance"], conf["split"], conf["seed"]) == (
        ["alpaca", "chatml"],
        0.5,
        0.5,
        3,
    )
    # near_threshold = 1 turns near-duplicate removal off
    (here / "near.jsonl").write_text(NEAR_DUPLICATES)
    invoke("run", "-q", "near.jsonl", "-o", "near")
    assert manifest(here / "near")["examples"]["filtered"] == {}


def test_the_command_line_overrides_the_file(here):
    (here / "loomcore.toml").write_text(CONFIG)
    invoke("run", "-q", "-f", "raw", "--min-importance", "0.1", "-o", "other")
    conf = manifest(here / "other")["configuration"]
    assert (conf["formats"], conf["min_importance"], conf["split"]) == (["raw"], 0.1, 0.5)
    (here / "near.jsonl").write_text(NEAR_DUPLICATES)
    invoke("run", "-q", "near.jsonl", "-o", "again", "-O", "dedup.near_threshold=0.8")
    assert manifest(here / "again")["examples"]["filtered"] == {"near_duplicate": 1}


def test_inputs_from_the_file(here):
    from loomcore.inputs import sample_path

    (here / "loomcore.toml").write_text(f'[run]\ninputs = ["{sample_path()}"]\nformat = "raw"\n')
    report = json.loads(invoke("config", "--json").output)
    assert report["run"]["inputs"] == {"value": [str(sample_path())], "from": "config"}
    invoke("run", "-q")
    assert manifest(here / "loomcore-out")["inputs"][0]["path"] == str(sample_path())


def test_pyproject_tool_table_is_read_when_there_is_no_loomcore_toml(here):
    (here / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.loomcore.run]\noutput = "from-pyproject"\nformat = "raw"\n'
    )
    invoke("run", "-q")
    assert [p.name for p in (here / "from-pyproject").glob("*.jsonl")] == ["raw.jsonl"]


def test_pyproject_without_the_table_is_ignored(here):
    (here / "pyproject.toml").write_text('[project]\nname = "x"\n')
    report = json.loads(invoke("config", "--json").output)
    assert report["config_file"] is None
    assert report["run"]["output"] == {"value": "loomcore-out", "from": "default"}


def test_config_command_shows_values_and_where_they_came_from(here):
    (here / "loomcore.toml").write_text(CONFIG)
    report = json.loads(invoke("config", "--json").output)
    assert report["config_file"] == str(here / "loomcore.toml")
    assert report["run"]["format"] == {"value": ["alpaca", "chatml"], "from": "config"}
    assert report["run"]["min-importance"] == {"value": 0.5, "from": "config"}
    assert report["run"]["min-confidence"] == {"value": 0.5, "from": "default"}
    assert report["run"]["inputs"] == {"value": [], "from": "default"}
    assert report["plugins"] == {"load": "all", "from": "default", "disable": "text"}
    assert report["options"] == {"dedup": {"near_threshold": 1}}
    text = invoke("--plugins", "qa_pair,raw_memory_reader,raw", "config").output
    assert "plugins: qa_pair,raw_memory_reader,raw (from command line); disabled: text" in text
    # the name column is as wide as the longest option (--keep-custom-instructions)
    assert "│ min-importance           │ 0.5" in text
    assert "[options.dedup]\n  near_threshold = 1" in text


def test_text_template_from_the_file(here):
    (here / "loomcore.toml").write_text(
        '[run]\nformat = ["text"]\n[options.text]\ntemplate = "<{role}>{content}</{role}>"\n'
    )
    invoke("run", "-q")
    first = json.loads((here / "loomcore-out" / "text.jsonl").read_text().splitlines()[0])
    assert first["text"].startswith("<user>") and first["text"].endswith("</assistant>")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "colour = 1\n",
            "FILE: unknown option colour (known: plugins, disable, run, options)",
        ),
        (
            "[run]\nmin-importance = 2\n",
            "FILE: min-importance: 2 is above 1 @ $.run.min-importance",
        ),
        (
            '[run]\nredact = "some"\n',
            "FILE: redact: 'some' is not one of all, secrets, none @ $.run.redact",
        ),
        (
            "[run]\nspeed = 1\n",
            "FILE: [run] has an unknown option 'speed' (known: conversations, derived-examples, executor,",
        ),
        ("x = [\n", "FILE: not valid TOML (Invalid value (at end of document))"),
        (
            "[options.dedup]\nthreshold = 0.9\n",
            "options of plugin 'dedup': unknown option threshold (known: near_threshold, num_perm)",
        ),
        ("[options.qa_pair]\nx = 1\n", "plugin 'qa_pair' takes no options"),
        (
            "[options.nope]\nx = 1\n",
            "options given for plugin 'nope', which is not loaded (loaded: alpaca,",
        ),
        (
            '[options.text]\ntemplate = "{name}"\n',
            "options of plugin 'text': template must be a format string with {role} and {content} (KeyError('name'))",
        ),
        ("plugins = 3\n", "FILE: plugins must be a list of plugin names"),
    ],
)
def test_bad_configuration_is_one_clear_line(here, content, message):
    (here / "loomcore.toml").write_text(content)
    result = invoke("run", "-q", "-o", "out")
    assert result.exit_code == 1
    expected = "Error: " + message.replace("FILE", str(here / "loomcore.toml"))
    assert result.output.startswith(expected), result.output
    assert result.output.count("\n") == 1
    assert not (here / "out").exists() or not list((here / "out").glob("*.jsonl"))


def test_explicit_config_that_does_not_exist(here):
    result = invoke("--config", "missing.toml", "run")
    assert (result.exit_code, result.output) == (
        1,
        "Error: missing.toml: no such configuration file\n",
    )


def test_option_assignments_parse_toml_values():
    assert parse_assignment("dedup.near_threshold=0.9") == ("dedup", "near_threshold", 0.9)
    assert parse_assignment("text.template=<{role}>") == ("text", "template", "<{role}>")
    assert parse_assignment('scorer.words=["a", "b"]') == ("scorer", "words", ["a", "b"])
    with pytest.raises(ConfigError, match=r"--option 'dedup': expected PLUGIN.KEY=VALUE"):
        parse_assignment("dedup")


def test_a_configuration_file_that_is_not_utf8_is_one_clear_line(here):
    (here / "loomcore.toml").write_bytes(b"\xff\xfe[run]\n")
    result = invoke("run", "-q", "-o", "out")
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {here / 'loomcore.toml'}: not valid TOML (not UTF-8 text)\n",
    )
