"""``loomcore check``: what each trainer would reject, drop, truncate or mask,
file by file, tested on files that break each rule."""

import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loomcore_plugins.formats import alpaca, sharegpt

from loomcore import preflight
from loomcore.cli import cli
from loomcore.pipeline import Pipeline, RunOptions


def write(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))


def chat(*turns, **extra):
    return {"messages": [{"role": r, "content": c} for r, c in turns], **extra}


GOOD = chat(("user", "Why is the sky blue?"), ("assistant", "Rayleigh scattering."))
# the entries loomcore writes for these files
SHAREGPT_INFO = sharegpt.dataset_info("sharegpt.jsonl")
ALPACA_INFO = alpaca.dataset_info("alpaca.jsonl")


def lines(directory, *trainers, max_tokens=None):
    return preflight.report(
        preflight.check(directory, trainers or preflight.TRAINERS, max_tokens=max_tokens)
    )


def test_openai_format_errors_each_reject_the_file(tmp_path):
    write(
        tmp_path / "chatml.jsonl",
        [GOOD] * 9
        + [
            "[1, 2]",
            {"prompt": "x"},
            {"messages": [{"role": "user"}]},
            {"messages": [{"role": "user", "content": "q", "extra": 1}]},
            chat(("user", "q"), ("robot", "a")),
            chat(("user", "q"), ("assistant", "")),
            chat(("system", "s"), ("user", "q")),
            {"messages": [{"role": "user", "content": "q", "weight": 1}]},
        ],
    )
    assert lines(tmp_path, "openai") == [
        "chatml.jsonl: openai: reject 1 row (line 10): data_type: a line is not a JSON object",
        "chatml.jsonl: openai: reject 1 row (line 16): example_missing_assistant_message: "
        "no assistant message",
        "chatml.jsonl: openai: reject 1 row (line 17): invalid_weight: weight is 0 or 1, "
        "on assistant messages only",
        "chatml.jsonl: openai: reject 1 row (line 12): message_missing_key: a message without "
        "role or content",
        "chatml.jsonl: openai: reject 1 row (line 13): message_unrecognized_key: a message "
        "with an unknown key",
        "chatml.jsonl: openai: reject 1 row (line 15): missing_content: a message with empty "
        "content",
        "chatml.jsonl: openai: reject 1 row (line 11): missing_messages_list: no messages list",
        "chatml.jsonl: openai: reject 1 row (line 14): unrecognized_role: a role other than "
        "system, user, assistant",
    ]


def test_openai_needs_ten_examples_and_truncates_past_its_context(tmp_path):
    long = chat(("user", "q"), ("assistant", "word " * 400))  # about 500 estimated tokens
    write(tmp_path / "chatml.jsonl", [GOOD, long, GOOD])
    assert lines(tmp_path, "openai", max_tokens=100) == [
        "chatml.jsonl: openai: reject the file: 3 examples: at least 10 are required",
        "chatml.jsonl: openai: truncate 1 row (line 2): over the 100-token training context",
    ]


def test_llamafactory_role_alternation_and_message_count_drop_rows(tmp_path):
    turn = lambda who, text: {"from": who, "value": text}  # noqa: E731
    write(
        tmp_path / "sharegpt.jsonl",
        [
            {"conversations": [turn("human", "q"), turn("gpt", "a")], "system": ""},
            {"conversations": [turn("gpt", "a"), turn("human", "q")], "system": ""},
            {"conversations": [turn("human", "q"), turn("gpt", "a"), turn("human", "q2")]},
            {"conversations": [turn("system", "s"), turn("human", "q"), turn("gpt", "a")]},
            {"conversations": [turn("human", "q"), turn("human", "q")], "system": ""},
            {"system": "no messages"},
        ],
    )
    (tmp_path / "dataset_info.json").write_text(
        json.dumps({"loomcore_sharegpt": SHAREGPT_INFO, "loomcore_gone": ALPACA_INFO})
    )
    assert lines(tmp_path, "llamafactory") == [
        "sharegpt.jsonl: llamafactory: reject 1 row (line 6): no 'conversations' list: the "
        "messages column is missing",
        "sharegpt.jsonl: llamafactory: drop 1 row (line 3): invalid message count: it must end "
        "with an assistant turn",
        "sharegpt.jsonl: llamafactory: drop 2 rows (lines 2, 5): invalid role tag: user turns "
        "must alternate with assistant",
        "alpaca.jsonl: llamafactory: reject the file: dataset_info.json entry loomcore_gone "
        "names a file that does not exist",
    ]


def test_llamafactory_alpaca_columns_history_and_cutoff_len(tmp_path):
    row = {"instruction": "q", "input": "", "output": "a", "history": []}
    write(
        tmp_path / "alpaca.jsonl",
        [
            row,
            {**row, "output": None},
            {**row, "history": [["only one"]]},
            {**row, "output": "word " * 400},
        ],
    )
    (tmp_path / "dataset_info.json").write_text(json.dumps({"loomcore_alpaca": ALPACA_INFO}))
    assert lines(tmp_path, "llamafactory", max_tokens=100) == [
        "alpaca.jsonl: llamafactory: reject 1 row (line 3): a history entry that is not a "
        "[prompt, response] pair",
        "alpaca.jsonl: llamafactory: reject 1 row (line 2): no 'instruction' or 'output' "
        "string column",
        "alpaca.jsonl: llamafactory: truncate 1 row (line 4): over cutoff_len 100 tokens",
    ]


def test_trl_dataset_types_truncation_and_masked_completions(tmp_path):
    write(
        tmp_path / "chatml.jsonl",
        [
            GOOD,
            chat(("user", "q"), ("assistant", "word " * 400)),
            chat(("user", "word " * 400), ("assistant", "a")),
            chat(("user", "q"), ("narrator", "a")),
            chat(("user", "q")),
        ],
    )
    write(tmp_path / "text.jsonl", [{"text": "fine"}, {"text": 3}])
    write(tmp_path / "pc.jsonl", [{"prompt": "word " * 400, "completion": "a"}])
    assert lines(tmp_path, "trl", max_tokens=100) == [
        "chatml.jsonl: trl: reject 1 row (line 4): a role chat templates do not know",
        "chatml.jsonl: trl: truncate 1 row (line 2): over max_length 100 tokens",
        "chatml.jsonl: trl: mask 1 row (line 5): no assistant message: nothing to train on",
        "chatml.jsonl: trl: mask 1 row (line 3): the prompt alone reaches max_length 100: no "
        "completion token is left under assistant-only or completion-only loss",
        "pc.jsonl: trl: mask 1 row (line 1): the prompt alone reaches max_length 100: no "
        "completion token is left under assistant-only or completion-only loss",
        "text.jsonl: trl: reject 1 row (line 2): 'text' is not a string",
    ]


def test_axolotl_chat_template_roles_and_sequence_len(tmp_path):
    turn = lambda who, text: {"from": who, "value": text}  # noqa: E731
    write(
        tmp_path / "sharegpt.jsonl",
        [
            {"conversations": [turn("human", "q"), turn("gpt", "a")]},
            {"conversations": [turn("human", "q"), turn("bot", "a")]},
            {"conversations": [turn("human", "q")]},
            {"conversations": [turn("human", "q"), turn("gpt", "word " * 400)]},
        ],
    )
    write(tmp_path / "alpaca.jsonl", [{"instruction": "", "input": "", "output": "a"}])
    assert lines(tmp_path, "axolotl", max_tokens=100) == [
        "alpaca.jsonl: axolotl: drop 1 row (line 1): no instruction or output (type: alpaca)",
        "sharegpt.jsonl: axolotl: reject 1 row (line 2): a role the chat_template role mapping "
        "does not know",
        "sharegpt.jsonl: axolotl: drop 1 row (line 3): no assistant turn: nothing for "
        "roles_to_train",
        "sharegpt.jsonl: axolotl: drop 1 row (line 4): over sequence_len 100 tokens",
    ]


def test_empty_and_broken_files_are_rejected_by_every_reader(tmp_path):
    (tmp_path / "chatml.jsonl").write_text("")
    write(tmp_path / "text.jsonl", [{"text": "a"}, "{not json"])
    assert lines(tmp_path, "trl", "openai") == [
        "chatml.jsonl: trl: reject the file: no rows: an empty file fails to load",
        "chatml.jsonl: openai: reject the file: no rows: an empty file fails to load",
        "text.jsonl: trl: reject 1 row (line 2): a line that is not JSON fails to load",
    ]


def test_line_numbers_shown_are_the_first_three():
    c = preflight.FileCheck("f.jsonl", "trl", rows=5)
    for line in (2, 3, 5, 8):
        c.flag("drop", "why", line)
    assert c.lines() == ["f.jsonl: trl: drop 4 rows (lines 2, 3, 5, ...): why"]


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    Pipeline(options=RunOptions()).run(None, out)
    return out


def test_what_loomcore_writes_passes_every_trainer_but_openais_minimum(sample_out):
    n = len((sample_out / "chatml.jsonl").read_text().splitlines())
    assert lines(sample_out) == [
        f"alpaca.jsonl: llamafactory: ok ({n} rows)",
        f"alpaca.jsonl: axolotl: ok ({n} rows)",
        f"chatml.jsonl: llamafactory: ok ({n} rows)",
        f"chatml.jsonl: trl: ok ({n} rows)",
        f"chatml.jsonl: axolotl: ok ({n} rows)",
        f"chatml.jsonl: openai: reject the file: {n} examples: at least 10 are required",
        f"sharegpt.jsonl: llamafactory: ok ({n} rows)",
        f"sharegpt.jsonl: axolotl: ok ({n} rows)",
        f"text.jsonl: trl: ok ({n} rows)",
    ]
    assert preflight.summary(preflight.check(sample_out)) == (
        "check: llamafactory ok; trl ok; axolotl ok; openai 1 file rejected"
    )


def test_check_command_prints_the_report_and_exits_1_on_a_rejection(sample_out, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["check", str(sample_out), "--for", "trl"])
    assert result.exit_code == 0
    n = len((sample_out / "text.jsonl").read_text().splitlines())
    assert result.output.splitlines() == [
        f"chatml.jsonl: trl: ok ({n} rows)",
        f"text.jsonl: trl: ok ({n} rows)",
        "check: trl ok",
    ]
    rejected = runner.invoke(cli, ["check", str(sample_out), "--for", "openai"])
    assert rejected.exit_code == 1
    assert rejected.output.splitlines()[-1] == "check: openai 1 file rejected"
    missing = runner.invoke(cli, ["check", str(tmp_path / "nope")])
    assert missing.exit_code == 1
    assert missing.output == f"Error: {tmp_path / 'nope'}: not a directory\n"


def test_run_ends_with_the_check_in_one_line(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["run", "-o", str(out), "-f", "chatml"])
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == (
        # chatml alone has its dataset_info.json entry: LLaMA-Factory reads it too
        f"check: llamafactory ok; trl ok; axolotl ok; openai 1 file rejected (loomcore check {out})"
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
roles = st.sampled_from(["user", "assistant", "system", "human", "gpt", "tool"])
message = (
    st.dictionaries(
        st.sampled_from(["role", "content", "from", "value", "weight", "x"]),
        json_values,
        max_size=4,
    )
    | st.fixed_dictionaries(
        {"role": roles | json_values, "content": st.text(max_size=5) | json_values},
        optional={"weight": json_values},
    )
    | st.fixed_dictionaries(
        {"from": roles | json_values, "value": st.text(max_size=5) | json_values}
    )
)
row = (
    st.fixed_dictionaries({"messages": st.lists(message, max_size=4)})
    | st.fixed_dictionaries({"conversations": st.lists(message, max_size=4)})
    | st.fixed_dictionaries(
        {"instruction": json_values, "output": json_values},
        optional={"input": json_values, "history": json_values | st.lists(json_values)},
    )
    | st.fixed_dictionaries({"text": json_values})
    | st.dictionaries(st.text(max_size=8), json_values, max_size=3)
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(row | json_values, min_size=1, max_size=6),
    name=st.sampled_from(["chatml", "sharegpt", "alpaca", "text"]),
)
@pytest.mark.slow
def test_any_json_rows_get_a_verdict_for_every_row_never_a_crash(tmp_path, rows, name):
    write(tmp_path / f"{name}.jsonl", [json.dumps(r) for r in rows])
    (tmp_path / "dataset_info.json").write_text(
        json.dumps({"loomcore_sharegpt": SHAREGPT_INFO, "loomcore_alpaca": ALPACA_INFO})
    )
    for c in preflight.check(tmp_path):
        if c.file == f"{name}.jsonl":
            assert c.rows == len(rows)
            assert all(line <= len(rows) for f in c.findings.values() for line in f.lines)
            assert all(f.verdict in preflight.VERDICTS for f in c.findings.values())
