"""Preference pairs from a ChatGPT export's regenerated answers, and the dpo format.

The fixture has the shape of the real exports (LibreChat's chatgpt-tree.json):
a hidden system root, an edited question (two question children of one
answer), and a question whose answer was regenerated (several answer
children), the kept one on the ``current_node`` path.
"""

from __future__ import annotations

import json

import orjson
import pytest
from loomcore_plugins.formats import dpo
from loomcore_plugins.readers import chatgpt_export

from loomcore import TrainingExample
from loomcore.pipeline import Pipeline, RunOptions

SECRET = "AKIAIOSFODNN7EXAMPLE"
KEPT = (
    "A B-tree index keeps keys sorted in a balanced tree, so PostgreSQL finds a row in "
    "logarithmic time and can also read ranges in order."
)
REGENERATED = (
    "PostgreSQL stores an index as pages of sorted keys; lookups walk down from the root. "
    f"Your key {SECRET} is not needed for this."
)


def node(nid, parent, children, role=None, text=None, t=0.0, **message):
    msg = None
    if role is not None:
        msg = {
            "id": nid,
            "author": {"role": role},
            "create_time": t,
            "content": {"content_type": "text", "parts": [text]},
            "metadata": message.pop("metadata", {}),
            "recipient": message.pop("recipient", "all"),
            **message,
        }
    return {"id": nid, "parent": parent, "children": children, "message": msg}


def export() -> list[dict]:
    mapping = [
        node("root", None, ["sys"]),
        node(
            "sys",
            "root",
            ["u1"],
            "system",
            "",
            metadata={"is_visually_hidden_from_conversation": True},
        ),
        node("u1", "sys", ["a1"], "user", "What is a database index?", 1.0),
        node(
            "a1",
            "u1",
            ["u2-old", "u2"],
            "assistant",
            "An index is a structure that lets the database find rows without scanning the table.",
            2.0,
        ),
        # an edited question: a different question, not a preference between answers
        node("u2-old", "a1", ["a2-old"], "user", "so what?", 3.0),
        node("a2-old", "u2-old", [], "assistant", "It makes queries faster.", 4.0),
        node(
            "u2",
            "a1",
            ["a2-regen", "a2-same", "a2-tool", "a2"],
            "user",
            "How does a B-tree index work in PostgreSQL?",
            5.0,
        ),
        node("a2-regen", "u2", [], "assistant", REGENERATED, 6.0),
        node("a2-same", "u2", [], "assistant", KEPT, 6.5),  # a regeneration that gave the same text
        node("a2-tool", "u2", [], "assistant", "search('btree')", 6.7, recipient="browser"),
        node("a2", "u2", [], "assistant", KEPT, 7.0),
    ]
    return [
        {
            "title": "Indexes",
            "id": "conv-1",
            "mapping": {n["id"]: n for n in mapping},
            "current_node": "a2",
        }
    ]


@pytest.fixture
def export_file(tmp_path):
    path = tmp_path / "conversations.json"
    path.write_bytes(orjson.dumps(export()))
    return path


def test_reader_keeps_the_answers_regenerated_away_on_the_active_branch(export_file):
    [conv] = list(chatgpt_export.read(export_file.open("rb"), "conversations.json"))
    assert [(t.role, t.content) for t in conv.turns][-2:] == [
        ("user", "How does a B-tree index work in PostgreSQL?"),
        ("assistant", KEPT),
    ]
    # the edited question's branch is not read; the tool call is no answer
    assert conv.metadata["alternatives"] == [
        {"question_id": "u2", "text": REGENERATED, "signal": "regenerated"},
        {"question_id": "u2", "text": KEPT, "signal": "regenerated"},
    ]


def test_dpo_line_is_prompt_chosen_rejected_with_history_and_no_secret(export_file, tmp_path):
    out = tmp_path / "out"
    Pipeline(options=RunOptions(formats=("dpo", "chatml"))).run([str(export_file)], out)
    rows = [json.loads(x) for x in (out / "dpo.jsonl").read_text().splitlines()]
    assert rows == [
        {
            "prompt": "How does a B-tree index work in PostgreSQL?",
            "chosen": KEPT,
            "rejected": REGENERATED.replace(SECRET, "[AWS_ACCESS_KEY]"),
            "system": "",
            "history": [
                [
                    "What is a database index?",
                    "An index is a structure that lets the database find rows without "
                    "scanning the table.",
                ]
            ],
        }
    ]
    for path in out.iterdir():
        assert SECRET.encode() not in path.read_bytes(), path.name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["conversation_examples"] == {
        "preference_pairs": 1,
        "skipped: preference: the regenerated answer is the same text": 1,
    }
    info = json.loads((out / "dataset_info.json").read_text())
    assert info["loomcore_dpo"] == {
        "file_name": "dpo.jsonl",
        "formatting": "alpaca",
        "ranking": True,
        "columns": {
            "prompt": "prompt",
            "chosen": "chosen",
            "rejected": "rejected",
            "system": "system",
            "history": "history",
        },
    }


def test_dpo_is_off_by_default_and_raw_traces_the_pair(export_file, tmp_path):
    out = tmp_path / "out"
    Pipeline().run([str(export_file)], out)
    assert not (out / "dpo.jsonl").exists() and not (out / "raw_preferences.jsonl").exists()
    Pipeline(options=RunOptions(formats=("dpo", "raw"))).run([str(export_file)], out)
    [row] = [json.loads(x) for x in (out / "raw_preferences.jsonl").read_text().splitlines()]
    assert row["rejected"].startswith("PostgreSQL stores an index")
    assert row["metadata"]["kind"] == "preference"
    assert row["metadata"]["source"]["memory_id"] == "u2"
    assert row["metadata"]["source"]["signal"] == "regenerated"


def test_a_run_of_no_branching_conversation_writes_no_dpo_file(tmp_path):
    out = tmp_path / "out"
    Pipeline(options=RunOptions(formats=("dpo", "alpaca"))).run(None, out)
    assert sorted(p.name for p in out.glob("*.jsonl")) == ["alpaca.jsonl"]


def test_dpo_render_refuses_anything_but_a_pair():
    pair = TrainingExample(
        instruction="Q?", output="good", rejected="bad", kind="preference", history=(("a", "b"),)
    )
    assert dpo.render(pair) == {
        "prompt": "Q?",
        "chosen": "good",
        "rejected": "bad",
        "system": "",
        "history": [["a", "b"]],
    }
    with pytest.raises(dpo.InvalidExample):
        dpo.render(TrainingExample(instruction="Q?", output="A."))
