"""An output directory is ready to train on: LLaMA-Factory's dataset_info.json
names existing files with the right columns, and the dataset card's YAML
lists every file."""

import json

from loomcore.pipeline import Pipeline, RunOptions


def test_dataset_info_names_existing_files_llama_factory_can_read(tmp_path):
    Pipeline(options=RunOptions()).run(None, tmp_path)
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    assert sorted(info) == ["loomcore_alpaca", "loomcore_chatml", "loomcore_sharegpt"]
    for entry in info.values():
        assert (tmp_path / entry["file_name"]).is_file()
    assert info["loomcore_alpaca"]["formatting"] == "alpaca"
    assert info["loomcore_alpaca"]["columns"] == {
        "prompt": "instruction",
        "query": "input",
        "response": "output",
        "system": "system",
        "history": "history",
    }
    sharegpt = info["loomcore_sharegpt"]
    assert sharegpt["tags"] == {
        "role_tag": "from",
        "content_tag": "value",
        "user_tag": "human",
        "assistant_tag": "gpt",
    }
    # the columns it names are the keys of every line
    row = json.loads((tmp_path / sharegpt["file_name"]).read_text().splitlines()[0])
    assert set(sharegpt["columns"].values()) == set(row)
    # OpenAI-style messages: LLaMA-Factory's sharegpt formatting, its OpenAI tags
    assert info["loomcore_chatml"] == {
        "file_name": "chatml.jsonl",
        "formatting": "sharegpt",
        "columns": {"messages": "messages"},
        "tags": {
            "role_tag": "role",
            "content_tag": "content",
            "user_tag": "user",
            "assistant_tag": "assistant",
            "system_tag": "system",
        },
    }


def test_card_front_matter_lists_every_file_by_split(tmp_path):
    Pipeline(options=RunOptions(formats=("alpaca", "chatml"), split=0.5)).run(None, tmp_path)
    card = (tmp_path / "README.md").read_text()
    front, body = card.split("---\n")[1], card.split("---\n", 2)[2]
    assert (
        "- config_name: alpaca\n  default: true\n  data_files:\n  - split: train\n    path: alpaca.train.jsonl\n"
        "  - split: validation\n    path: alpaca.validation.jsonl" in front
    )
    assert "- config_name: chatml" in front and "size_categories:\n- n<1K" in front
    assert "# Instruction-tuning data made with loomcore" in body
    assert "| qa_pair | 2 |" in body
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    assert sorted(info) == [
        "loomcore_alpaca_train",
        "loomcore_alpaca_validation",
        "loomcore_chatml_train",
        "loomcore_chatml_validation",
    ]


# LLaMA-Factory's defaults for a dataset_info.json entry (its DatasetAttr)
LF_DEFAULTS = {
    "formatting": "alpaca",
    "prompt": "instruction",
    "query": "input",
    "response": "output",
    "history": None,
    "system": None,
    "messages": "conversations",
    "role_tag": "from",
    "content_tag": "value",
    "user_tag": "human",
    "assistant_tag": "gpt",
    "system_tag": "system",
}


def llama_factory_view(entry: dict) -> dict:
    """An entry resolved the way LLaMA-Factory's get_dataset_list reads it."""
    attr = dict(LF_DEFAULTS, formatting=entry.get("formatting", "alpaca"))
    columns = ["system", "tools", "images"] + (
        ["prompt", "query", "response", "history"]
        if attr["formatting"] == "alpaca"
        else ["messages"]
    )
    for name in columns:
        if name in entry.get("columns", {}):
            attr[name] = entry["columns"][name]
    if attr["formatting"] == "sharegpt":
        attr.update({k: v for k, v in entry.get("tags", {}).items() if k in LF_DEFAULTS})
    return attr


def test_every_line_converts_under_llama_factory_rules(tmp_path):
    Pipeline(options=RunOptions(split=0.5)).run(None, tmp_path)
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    assert sorted(info) == [
        "loomcore_alpaca_train",
        "loomcore_alpaca_validation",
        "loomcore_chatml_train",
        "loomcore_chatml_validation",
        "loomcore_sharegpt_train",
        "loomcore_sharegpt_validation",
    ]
    for name, entry in info.items():
        assert set(entry) <= {"file_name", "formatting", "columns", "tags"}, name
        attr = llama_factory_view(entry)
        path = tmp_path / entry["file_name"]
        assert path.suffix == ".jsonl"  # LLaMA-Factory loads .jsonl with the json builder
        rows = [json.loads(x) for x in path.read_text().splitlines()]
        assert rows, name
        for row in rows:
            if attr["formatting"] == "alpaca":
                assert row[attr["prompt"]] and row[attr["response"]]
                assert isinstance(row[attr["query"]], str)
                for turn in row[attr["history"]]:
                    assert len(turn) == 2 and all(isinstance(t, str) and t for t in turn)
            else:
                messages = row[attr["messages"]]
                if messages and messages[0][attr["role_tag"]] == attr["system_tag"]:
                    messages = messages[1:]  # its converter takes this as the system prompt
                # user first, strict alternation, an even number of turns
                roles = [m[attr["role_tag"]] for m in messages]
                assert len(roles) % 2 == 0
                assert roles == [attr["user_tag"], attr["assistant_tag"]] * (len(roles) // 2)
                assert all(m[attr["content_tag"]] for m in messages)
            if attr["system"]:
                assert isinstance(row[attr["system"]], str)


def test_card_says_how_files_and_entries_are_named(tmp_path):
    Pipeline(options=RunOptions(formats=("alpaca", "chatml"), val_size=0.5)).run(None, tmp_path)
    body = (tmp_path / "README.md").read_text().split("---\n", 2)[2]
    assert (
        "Each LLaMA-Factory entry in `dataset_info.json` is named after its file: "
        "`loomcore_` and the file's name without `.jsonl`, dots as underscores" in body
    )
    assert "| file | lines | LLaMA-Factory entry |" in body
    n = {p.name: len(p.read_text().splitlines()) for p in tmp_path.glob("*.jsonl")}
    assert f"| alpaca.train.jsonl | {n['alpaca.train.jsonl']} | loomcore_alpaca_train |" in body
    assert (
        f"| alpaca.validation.jsonl | {n['alpaca.validation.jsonl']} | loomcore_alpaca_validation |"
        in body
    )
    assert f"| chatml.train.jsonl | {n['chatml.train.jsonl']} | loomcore_chatml_train |" in body


def test_output_files_are_as_readable_as_the_umask_allows(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        Pipeline(options=RunOptions(formats=("alpaca",))).run(None, tmp_path)
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert modes == {
        "alpaca.jsonl": 0o644,
        "dataset_info.json": 0o644,
        "README.md": 0o644,
        "manifest.json": 0o644,
        "summary.json": 0o644,
    }


def test_run_lists_every_file_it_wrote(tmp_path):
    from click.testing import CliRunner

    from loomcore.cli import cli

    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["run", "-o", str(out), "-f", "alpaca", "--val-size", "0.5"])
    assert result.exit_code == 0, result.output
    wrote = [line for line in result.output.splitlines() if line.startswith("wrote ")]
    n = {p.name: len(p.read_text().splitlines()) for p in out.glob("*.jsonl")}
    assert wrote == [
        f"wrote {n['alpaca.train.jsonl']} lines to {out / 'alpaca.train.jsonl'}",
        f"wrote {n['alpaca.validation.jsonl']} lines to {out / 'alpaca.validation.jsonl'}",
        f"wrote {out / 'dataset_info.json'}",
        f"wrote {out / 'README.md'}",
        f"wrote {out / 'manifest.json'}",
        f"wrote {out / 'summary.json'}",
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(w.rsplit("/", 1)[1] for w in wrote)


def test_a_format_file_of_no_lines_is_written_but_listed_nowhere(tmp_path):
    src = tmp_path / "chat.jsonl"
    src.write_text(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": "hi"},
                    {"role": "assistant", "content": "hello!"},
                ]
            }
        )
        + "\n"
    )
    out = tmp_path / "out"
    Pipeline(options=RunOptions(formats=("alpaca", "sharegpt"))).run([str(src)], out)
    assert (out / "alpaca.jsonl").read_text() == ""  # the run's files, empty
    # no file to describe: no dataset_info.json ({} names no dataset)
    assert not (out / "dataset_info.json").exists()
    assert "configs:" not in (out / "README.md").read_text()


def test_formats_llama_factory_does_not_read_write_no_dataset_info(tmp_path):
    # `-f raw` after a run that wrote entries: {} would name no dataset, and
    # the file the run before left is not the new run's
    Pipeline(options=RunOptions(formats=("alpaca",))).run(None, tmp_path)
    assert sorted(json.loads((tmp_path / "dataset_info.json").read_text())) == ["loomcore_alpaca"]
    Pipeline(options=RunOptions(formats=("raw", "text"))).run(None, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "README.md",
        "manifest.json",
        "raw.jsonl",
        "summary.json",
        "text.jsonl",
    ]
    body = (tmp_path / "README.md").read_text().split("---\n", 2)[2]
    n = len((tmp_path / "raw.jsonl").read_text().splitlines())
    assert f"| raw.jsonl | {n} | - |" in body


def test_chatml_alone_is_described_for_llama_factory(tmp_path):
    Pipeline(options=RunOptions(formats=("chatml",))).run(None, tmp_path)
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    assert list(info) == ["loomcore_chatml"]
    attr = llama_factory_view(info["loomcore_chatml"])
    assert (attr["messages"], attr["role_tag"], attr["system_tag"]) == (
        "messages",
        "role",
        "system",
    )
    rows = [json.loads(x) for x in (tmp_path / "chatml.jsonl").read_text().splitlines()]
    assert rows and all(set(row) == {attr["messages"]} for row in rows)
