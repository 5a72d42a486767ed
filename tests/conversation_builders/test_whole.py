"""Whole conversations (--conversations): the lines written, the flag on each
assistant message, redaction of every message, splits under --max-tokens."""

from __future__ import annotations

import json

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from loomcore import Registry, get_plugin_manager
from loomcore.cli import cli
from loomcore.model import Memory, TokenBudget
from loomcore.pipeline import Pipeline, RunOptions

SYSTEM = "You are a patient database tutor."
Q1 = "How do I create an index on a PostgreSQL table?"
A1 = (
    "Use CREATE INDEX: `CREATE INDEX idx_users_email ON users (email);` builds a B-tree index "
    "on the email column, which speeds up lookups and joins on it."
)
SECRET = "AKIAIOSFODNN7EXAMPLE"
Q2 = f"My key is {SECRET}, why does CREATE INDEX lock the table?"
Q2_REDACTED = "My key is [AWS_ACCESS_KEY], why does CREATE INDEX lock the table?"
A2 = (
    "A plain CREATE INDEX takes a SHARE lock, which blocks writes until the build ends; "
    "CREATE INDEX CONCURRENTLY avoids it by building in two passes."
)


def conversation(cid: str = "c1") -> dict:
    return {
        "id": cid,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": Q1},
            {"role": "assistant", "content": A1},
            {"role": "user", "content": "thanks!"},  # small talk: context, not trained
            {"role": "assistant", "content": "You're welcome!"},
            {"role": "user", "content": Q2},
            {"role": "assistant", "content": A2},
            {"role": "user", "content": "ok thanks"},  # trailing small talk: cut
            {"role": "assistant", "content": "Glad to help!"},
        ],
    }


def write_input(tmp_path, *rows) -> str:
    path = tmp_path / "chats.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return str(path)


def read_lines(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


@pytest.fixture
def out(tmp_path):
    out = tmp_path / "out"
    Pipeline(options=RunOptions(conversations=True)).run(
        [write_input(tmp_path, conversation())], out
    )
    return out


def test_chatml_conversation_has_the_system_prompt_and_openai_weights(out):
    assert read_lines(out / "chatml_conversations.jsonl") == [
        {
            "messages": [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": Q1},
                {"role": "assistant", "content": A1, "weight": 1},
                {"role": "user", "content": "thanks!"},
                {"role": "assistant", "content": "You're welcome!", "weight": 0},
                {"role": "user", "content": Q2_REDACTED},
                {"role": "assistant", "content": A2, "weight": 1},
            ]
        }
    ]


def test_sharegpt_conversation_flags_gpt_turns_with_train(out):
    assert read_lines(out / "sharegpt_conversations.jsonl") == [
        {
            "conversations": [
                {"from": "human", "value": Q1},
                {"from": "gpt", "value": A1, "train": True},
                {"from": "human", "value": "thanks!"},
                {"from": "gpt", "value": "You're welcome!", "train": False},
                {"from": "human", "value": Q2_REDACTED},
                {"from": "gpt", "value": A2, "train": True},
            ],
            "system": SYSTEM,
        }
    ]


def test_alpaca_conversation_is_llamafactory_history(out):
    assert read_lines(out / "alpaca_conversations.jsonl") == [
        {
            "instruction": Q2_REDACTED,
            "input": "",
            "output": A2,
            "system": SYSTEM,
            "history": [[Q1, A1], ["thanks!", "You're welcome!"]],
        }
    ]


def test_raw_conversation_traces_every_exchange(out):
    [row] = read_lines(out / "raw_conversations.jsonl")
    meta = row["metadata"]
    assert meta["kind"] == "conversation"
    assert meta["weights"] == [1, 0, 1]
    assert meta["source"]["conversation_id"] == "c1"
    assert meta["source"]["memory_ids"] == ["c1:0", "c1:1", "c1:2"]


def test_no_secret_reaches_any_file_and_text_skips_conversations_counted(out):
    for path in out.iterdir():
        assert SECRET.encode() not in path.read_bytes(), path.name
    assert not (out / "text_conversations.jsonl").exists()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["conversation_examples"] == {
        "assistant_messages_not_trained": 1,
        "assistant_messages_trained": 2,
        "conversations": 1,
        "skipped: text does not write conversations": 1,
    }
    assert summary["lines_by_format"]["chatml_conversations"] == 1
    # the single-exchange files are as they were: no flags in them
    for row in read_lines(out / "chatml.jsonl"):
        assert all(set(m) == {"role", "content"} for m in row["messages"])


def test_conversation_files_have_llamafactory_entries_and_card_configs(out):
    info = json.loads((out / "dataset_info.json").read_text())
    assert info["loomcore_sharegpt_conversations"]["file_name"] == "sharegpt_conversations.jsonl"
    assert info["loomcore_sharegpt_conversations"]["formatting"] == "sharegpt"
    assert info["loomcore_alpaca_conversations"]["columns"]["history"] == "history"
    card = (out / "README.md").read_text()
    assert "- config_name: chatml_conversations" in card
    assert "## Conversations and preference pairs" in card
    assert "`mask_history: true`" in card


def test_off_by_default_and_a_later_run_removes_the_files(out, tmp_path):
    Pipeline().run([write_input(tmp_path, conversation())], out)
    assert sorted(p.name for p in out.glob("*conversations*")) == []
    assert "conversation_examples" not in json.loads((out / "summary.json").read_text())


def test_two_runs_write_the_same_bytes(tmp_path):
    inputs = [write_input(tmp_path, conversation(), conversation("c2"))]
    got = []
    for name in ("a", "b"):
        Pipeline(options=RunOptions(conversations=True)).run(inputs, tmp_path / name)
        got.append((tmp_path / name / "chatml_conversations.jsonl").read_bytes())
    assert got[0] == got[1] and got[0].count(b"\n") == 2


def test_split_run_puts_a_conversation_on_the_side_of_its_exchanges(tmp_path):
    rows = [conversation(f"c{i}") for i in range(4)]
    out = tmp_path / "out"
    # the same conversation four times: without dedup, each keeps its examples
    registry = Registry(get_plugin_manager(disable=["dedup"]))
    pipe = Pipeline(registry, RunOptions(conversations=True, val_size=1))
    pipe.run([write_input(tmp_path, *rows)], out)
    val = read_lines(out / "raw.validation.jsonl")
    val_ids = {r["metadata"]["source"]["conversation_id"] for r in val}
    conv_val = read_lines(out / "raw_conversations.validation.jsonl")
    conv_train = read_lines(out / "raw_conversations.train.jsonl")
    assert {r["metadata"]["source"]["conversation_id"] for r in conv_val} == val_ids
    assert len(val_ids) == 1 and len(conv_val) == 1 and len(conv_train) == 3


def test_redaction_failure_leaves_the_conversation_out(tmp_path, monkeypatch):
    from loomcore_plugins.redactors import secrets

    def broken(text, allow):
        raise RuntimeError("boom")

    out = tmp_path / "out"
    pipe = Pipeline(options=RunOptions(conversations=True, formats=("chatml",)))
    original = pipe.registry.redactors
    monkeypatch.setattr(
        type(pipe.registry),
        "redactors",
        property(
            lambda self: [r if r.plugin != "secrets" else _evolve(r, broken) for r in original]
        ),
    )
    assert secrets  # the plugin whose redactor fails
    pipe.run([write_input(tmp_path, conversation())], out)
    assert not (out / "chatml_conversations.jsonl").exists()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["conversation_examples"] == {
        "skipped: conversation: redaction failed, left out": 1
    }


def _evolve(record, fn):
    import attrs

    return attrs.evolve(record, redact=fn)


def test_cli_flag_writes_conversations(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "run",
            write_input(tmp_path, conversation()),
            "-o",
            str(out),
            "-f",
            "chatml",
            "-q",
            "--conversations",
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.jsonl")) == [
        "chatml.jsonl",
        "chatml_conversations.jsonl",
    ]


# -- splitting at turn boundaries under the token budget ----------------------


def memory(i: int, user: str, reply: str, importance: float = 0.9) -> Memory:
    return Memory(
        id=f"c:{i}",
        importance=importance,
        metadata={"user_input": user, "system_output": reply},
        conversation_id="c",
    )


def build(memories, train, limit):
    from loomcore_plugins.conversation_builders.whole import build as whole_build

    from loomcore.model import Dialogue, SynthesisConfig

    skipped: list[str] = []
    dialogue = Dialogue("c", tuple(memories), tuple(train), system="Be brief.")
    # one token a character: the sums below are exact
    examples = list(
        whole_build(dialogue, SynthesisConfig(), TokenBudget(limit, len), skipped.append)
    )
    return examples, skipped


def test_long_conversation_is_split_between_exchanges_with_the_history_a_follow_up_needs():
    a = memory(0, "Explain B-tree indexes in PostgreSQL.", "x" * 40)
    b = memory(1, "Describe the VACUUM command in PostgreSQL.", "z" * 40)
    c = memory(2, "And GIN indexes?", "y" * 40)  # a follow-up: keeps the exchange before
    # system 9 + 4 markers; each exchange its text + 8 markers: a 85, b 90, c 64;
    # a + b fit in 200, c does not, and starts a part with b before it, not trained
    examples, skipped = build([a, b, c], [True, True, True], limit=200)
    assert [(e.history, e.instruction, e.weights, e.source["part"]) for e in examples] == [
        (((a.user_input, a.system_output),), b.user_input, (1, 1), 0),
        (((b.user_input, b.system_output),), c.user_input, (0, 1), 1),
    ]
    assert skipped == []
    # a question that stands alone starts its part with nothing before it
    d = memory(2, "Describe the pg_stat_activity view in detail.", "y" * 40)
    examples, _ = build([a, b, d], [True, True, True], limit=200)
    assert [(len(e.history), e.weights) for e in examples] == [(1, (1, 1)), (0, (1,))]


def test_parts_stay_whole_when_they_fit_and_an_exchange_over_the_budget_alone_goes():
    a = memory(0, "Explain B-tree indexes in PostgreSQL.", "x" * 40)
    huge = memory(1, "Paste the whole manual here please.", "w" * 500)
    c = memory(2, "Describe the VACUUM command in PostgreSQL.", "z" * 40)
    examples, skipped = build([a, huge, c], [True, True, True], limit=200)
    assert [(e.instruction, e.weights) for e in examples] == [
        (a.user_input, (1,)),
        (c.user_input, (1,)),
    ]
    assert skipped == ["conversation: an exchange over max_tokens 200 on its own, left out"]
    whole, _ = build([a, c], [True, True], limit=200)
    assert [(len(e.history), e.weights) for e in whole] == [(1, (1, 1))]
    assert "part" not in whole[0].source


def test_small_talk_only_gives_nothing_and_empty_exchanges_are_removed():
    chit = memory(0, "hi", "Hello!", importance=0.1)
    empty = memory(1, "[EMAIL]", " ")
    examples, skipped = build([chit, empty], [False, True], limit=None)
    assert examples == []
    assert skipped == [
        "conversation: an exchange empty after redaction, removed",
        "conversation: no exchange worth training on (small talk only)",
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["and that?", "Explain the planner in detail.", "why"]),
            st.integers(0, 120),
            st.booleans(),
        ),
        min_size=1,
        max_size=8,
    ),
    st.one_of(st.none(), st.integers(20, 300)),
)
def test_every_part_fits_ends_on_a_trained_answer_and_keeps_the_order(exchanges, limit):
    memories = [memory(i, q, "r" * n) for i, (q, n, _) in enumerate(exchanges)]
    train = [t for _, _, t in exchanges]
    examples, _ = build(memories, train, limit)
    order = {m.id: i for i, m in enumerate(memories)}
    for e in examples:
        ids = e.source["memory_ids"]
        assert [order[i] for i in ids] == sorted(order[i] for i in ids)
        assert len(e.weights) == len(e.history) + 1 and e.weights[-1] == 1
        # a weight is 1 only where the exchange is trained
        assert all(w <= train[order[i]] for w, i in zip(e.weights, ids, strict=True))
        if limit is not None:
            size = (
                9 + 4 + sum(len(u) + len(a) + 8 for u, a in [*e.history, (e.instruction, e.output)])
            )
            assert size <= limit
    # every trained exchange that fits alone is trained in exactly one part
    trained_in = [
        i for e in examples for w, i in zip(e.weights, e.source["memory_ids"], strict=True) if w
    ]
    assert len(trained_in) == len(set(trained_in))


def test_the_process_executor_writes_the_same_conversations(tmp_path):
    inputs = [write_input(tmp_path, conversation(), conversation("c2"))]
    files = {}
    for name, executor in (("here", None), ("pool", "process")):
        options = RunOptions(conversations=True, executor=executor, workers=2)
        Pipeline(options=options).run(inputs, tmp_path / name)
        files[name] = {
            p.name: p.read_bytes() for p in sorted((tmp_path / name).glob("*conversations.jsonl"))
        }
    assert files["here"] == files["pool"] and len(files["here"]) == 4


def test_incremental_runs_write_each_batch_s_conversations(tmp_path):
    src = tmp_path / "chats.jsonl"
    src.write_bytes(orjson.dumps(conversation()) + b"\n")
    out = tmp_path / "out"
    options = RunOptions(conversations=True, since_last=True, formats=("chatml",))
    Pipeline(options=options).run([str(src)], out)
    with src.open("ab") as fh:
        fh.write(orjson.dumps(conversation("c2")) + b"\n")
    Pipeline(options=options).run([str(src)], out)
    batches = sorted(p.name for p in out.glob("chatml_conversations.*.jsonl"))
    assert batches == ["chatml_conversations.run-0001.jsonl", "chatml_conversations.run-0002.jsonl"]
    second = read_lines(out / batches[1])
    assert len(second) == 1 and second[0]["messages"][1]["content"] == Q1
