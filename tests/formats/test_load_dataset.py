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
