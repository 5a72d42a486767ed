"""manifest.json names each input by its size and SHA-256, taken while the
input was read: an input is read once, whatever its kind."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest

from loomcore.pipeline import Pipeline, RunOptions

ROW = {
    "messages": [
        {"role": "user", "content": "What does a heat pump do in winter?"},
        {
            "role": "assistant",
            "content": "A heat pump moves heat from the cold outside air into the house, "
            "using a refrigerant that boils at low temperatures.",
        },
    ]
}


def _inputs(tmp_path):
    jsonl = tmp_path / "chats.jsonl"
    jsonl.write_text("".join(json.dumps(ROW) + "\n" for _ in range(3)))
    array = tmp_path / "chats.json"
    array.write_text(json.dumps([ROW, ROW]))
    packed = tmp_path / "chats.jsonl.gz"
    packed.write_bytes(gzip.compress(jsonl.read_bytes()))
    return [jsonl, array, packed]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_each_input_is_hashed_as_it_is_read_not_read_again(tmp_path, monkeypatch, index):
    path = _inputs(tmp_path)[index]

    def no_second_read(file, *args, **kwargs):
        raise AssertionError(f"the manifest opened {file} again")

    # (a name the module looks up before the builtin one)
    monkeypatch.setattr("loomcore.manifest.open", no_second_read, raising=False)
    out = tmp_path / "out"
    Pipeline(options=RunOptions(formats=("raw",))).run([str(path)], out)
    [facts] = json.loads((out / "manifest.json").read_text())["inputs"]
    data = path.read_bytes()
    assert facts == {
        "path": str(path),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def test_an_archive_is_hashed_after_the_run(tmp_path):
    import zipfile

    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("chats.jsonl", json.dumps(ROW) + "\n")
    out = tmp_path / "out"
    Pipeline(options=RunOptions(formats=("raw",))).run([str(archive)], out)
    [facts] = json.loads((out / "manifest.json").read_text())["inputs"]
    assert facts["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
