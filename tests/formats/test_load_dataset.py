"""Every file loomcore writes loads with Hugging Face ``datasets`` as is:
each JSONL file alone, and the output directory as a dataset whose card
names the configs and splits."""

import json
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
datasets = pytest.importorskip("datasets")

from loomcore.pipeline import Pipeline, RunOptions  # noqa: E402


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    Pipeline(options=RunOptions(split=0.5)).run(None, out)
    return out


def test_every_file_loads_with_datasets_and_keeps_every_line(out_dir, tmp_path):
    files = sorted(out_dir.glob("*.jsonl"))
    assert [p.name for p in files] == [
        f"{fmt}.{side}.jsonl"
        for fmt in ("alpaca", "chatml", "raw", "sharegpt", "text")
        for side in ("train", "validation")
    ]
    for path in files:
        rows = [json.loads(x) for x in path.read_text().splitlines()]
        ds = datasets.load_dataset(
            "json", data_files=str(path), split="train", cache_dir=str(tmp_path)
        )
        assert ds.num_rows == len(rows), path.name
        assert ds.column_names == list(rows[0]), path.name
        first = ds[0]
        for key in ("instruction", "output", "text"):
            if key in rows[0]:
                assert first[key] == rows[0][key]
        if "messages" in rows[0]:
            assert first["messages"] == rows[0]["messages"]
        if "conversations" in rows[0]:
            assert first["conversations"] == rows[0]["conversations"]


def test_the_output_directory_loads_by_config_and_split_from_its_card(out_dir, tmp_path):
    for config in ("alpaca", "chatml", "sharegpt"):
        dd = datasets.load_dataset(str(out_dir), config, cache_dir=str(tmp_path))
        assert sorted(dd) == ["train", "validation"]
        for side in ("train", "validation"):
            lines = (out_dir / f"{config}.{side}.jsonl").read_text().splitlines()
            assert dd[side].num_rows == len(lines)
    chat = datasets.load_dataset(str(out_dir), "chatml", split="train", cache_dir=str(tmp_path))
    first = json.loads((out_dir / "chatml.train.jsonl").read_text().splitlines()[0])
    assert chat[0]["messages"] == first["messages"]


# -- whole conversations and preference pairs (issue 19) ----------------------

BRANCHING = {
    "title": "Indexes",
    "id": "conv-1",
    "current_node": "a2",
    "mapping": {
        "u1": {
            "id": "u1",
            "parent": None,
            "children": ["a1"],
            "message": {
                "id": "u1",
                "author": {"role": "user"},
                "content": {"content_type": "text", "parts": ["What is a database index?"]},
            },
        },
        "a1": {
            "id": "a1",
            "parent": "u1",
            "children": ["u2"],
            "message": {
                "id": "a1",
                "author": {"role": "assistant"},
                "content": {
                    "content_type": "text",
                    "parts": ["A structure that finds rows without a full scan."],
                },
            },
        },
        "u2": {
            "id": "u2",
            "parent": "a1",
            "children": ["a2-regen", "a2"],
            "message": {
                "id": "u2",
                "author": {"role": "user"},
                "content": {"content_type": "text", "parts": ["How does a B-tree index work?"]},
            },
        },
        "a2-regen": {
            "id": "a2-regen",
            "parent": "u2",
            "children": [],
            "message": {
                "id": "a2-regen",
                "author": {"role": "assistant"},
                "content": {
                    "content_type": "text",
                    "parts": ["Pages of sorted keys, walked from the root."],
                },
            },
        },
        "a2": {
            "id": "a2",
            "parent": "u2",
            "children": [],
            "message": {
                "id": "a2",
                "author": {"role": "assistant"},
                "content": {
                    "content_type": "text",
                    "parts": [
                        "A balanced tree of sorted keys: lookups in logarithmic time, ranges in order."
                    ],
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def whole_dir(tmp_path_factory):
    import orjson

    from loomcore.inputs import sample_path

    base = tmp_path_factory.mktemp("whole")
    export = base / "conversations.json"
    export.write_bytes(orjson.dumps([BRANCHING]))
    out = base / "out"
    options = RunOptions(conversations=True, formats=("alpaca", "chatml", "sharegpt", "raw", "dpo"))
    Pipeline(options=options).run([str(sample_path()), str(export)], out)
    return out


def test_conversation_and_dpo_files_load_with_datasets_and_keep_every_line(whole_dir, tmp_path):
    names = sorted(p.name for p in whole_dir.glob("*_conversations.jsonl"))
    assert names == [
        "alpaca_conversations.jsonl",
        "chatml_conversations.jsonl",
        "raw_conversations.jsonl",
        "sharegpt_conversations.jsonl",
    ]
    for name in [*names, "dpo.jsonl"]:
        path = whole_dir / name
        rows = [json.loads(x) for x in path.read_text().splitlines()]
        ds = datasets.load_dataset(
            "json", data_files=str(path), split="train", cache_dir=str(tmp_path)
        )
        assert ds.num_rows == len(rows) > 0, name
    chat = datasets.load_dataset(
        "json",
        data_files=str(whole_dir / "chatml_conversations.jsonl"),
        split="train",
        cache_dir=str(tmp_path),
    )
    weights = [m["weight"] for row in chat for m in row["messages"] if m["role"] == "assistant"]
    assert set(weights) <= {0, 1} and 1 in weights
    pairs = datasets.load_dataset(
        "json", data_files=str(whole_dir / "dpo.jsonl"), split="train", cache_dir=str(tmp_path)
    )
    assert pairs.column_names == ["prompt", "chosen", "rejected", "system", "history"]
    assert pairs[0]["prompt"] == "How does a B-tree index work?"
    assert pairs[0]["rejected"] == "Pages of sorted keys, walked from the root."


def test_the_card_names_conversation_and_dpo_configs(whole_dir, tmp_path):
    for config in ("chatml_conversations", "sharegpt_conversations", "dpo"):
        ds = datasets.load_dataset(str(whole_dir), config, split="train", cache_dir=str(tmp_path))
        lines = (whole_dir / f"{config}.jsonl").read_text().splitlines()
        assert ds.num_rows == len(lines)
