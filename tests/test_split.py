"""Train/validation split: deterministic by seed, one conversation never on both sides."""

import json

from loomcore.pipeline import Pipeline, RunOptions


def write_conversations(path, n=60):
    rows = []
    for i in range(n):
        rows.append(
            {
                "id": f"conv-{i}",
                "messages": [
                    {"role": "user", "content": f"What is widget {i}?"},
                    {
                        "role": "assistant",
                        "content": f"A **widget {i}** is a small part that holds panel {i} in place.",
                    },
                    {"role": "user", "content": f"Why does widget {i} matter?"},
                    {
                        "role": "assistant",
                        "content": f"Panels fall off because widget {i} is missing, which leads to repairs.",
                    },
                ],
            }
        )
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")


def sides(out):
    found = {}
    for part in ("train", "validation"):
        for line in (out / f"raw.{part}.jsonl").read_text().splitlines():
            conv = json.loads(line)["metadata"]["source"]["conversation_id"]
            found.setdefault(conv, set()).add(part)
    return found


def test_split_never_puts_one_conversation_on_both_sides(tmp_path):
    src = tmp_path / "chats.jsonl"
    write_conversations(src)
    for seed in range(15):
        out = tmp_path / f"out-{seed}"
        Pipeline(options=RunOptions(formats=("raw",), split=0.8, seed=seed)).run([str(src)], out)
        found = sides(out)
        assert len(found) == 60
        assert all(len(parts) == 1 for parts in found.values())
        train = sum(parts == {"train"} for parts in found.values())
        assert 30 <= train <= 58


def test_same_seed_same_split_and_files_named_by_side(tmp_path):
    src = tmp_path / "chats.jsonl"
    write_conversations(src, 20)
    a = Pipeline(options=RunOptions(formats=("alpaca",), split=0.5, seed=3)).run(
        [str(src)], tmp_path / "a"
    )
    Pipeline(options=RunOptions(formats=("alpaca",), split=0.5, seed=3)).run(
        [str(src)], tmp_path / "b"
    )
    for part in ("train", "validation"):
        assert (tmp_path / "a" / f"alpaca.{part}.jsonl").read_bytes() == (
            tmp_path / "b" / f"alpaca.{part}.jsonl"
        ).read_bytes()
    assert set(a.lines) == {"alpaca.train", "alpaca.validation"}
    assert a.lines["alpaca.train"] + a.lines["alpaca.validation"] == sum(a.examples.values())
