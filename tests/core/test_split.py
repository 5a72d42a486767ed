"""Train/validation split: deterministic by seed, one conversation never on both sides."""

import json
import logging

import pytest

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


@pytest.mark.slow
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


# --val-size: a share or a count of examples, whole conversations on one side


def run_split(tmp_path, src, name="out", **options):
    out = tmp_path / name
    pipe = Pipeline(options=RunOptions(formats=("raw", "alpaca"), **options))
    stats = pipe.run([str(src)], out)
    return pipe, stats, out


def test_val_size_fraction_takes_that_share_of_the_examples_rounded_up(tmp_path):
    src = tmp_path / "chats.jsonl"
    write_conversations(src)  # 60 conversations of 2 examples each
    for seed in range(6):
        pipe, stats, out = run_split(tmp_path, src, f"out-{seed}", val_size=0.1, seed=seed)
        assert stats.lines == {
            "alpaca.train": 108,
            "alpaca.validation": 12,
            "raw.train": 108,
            "raw.validation": 12,
        }
        assert len(pipe.split_plan.validation) == 6
        found = sides(out)
        assert sum(parts == {"validation"} for parts in found.values()) == 6
        assert all(len(parts) == 1 for parts in found.values())


def test_val_size_count_is_filled_by_whole_conversations_that_fit(tmp_path):
    src = tmp_path / "chats.jsonl"
    write_conversations(src)
    pipe, stats, _ = run_split(tmp_path, src, val_size=7, seed=0)
    # 2 examples a conversation: three fit under 7, a fourth would not
    assert (stats.lines["raw.train"], stats.lines["raw.validation"]) == (114, 6)
    assert pipe.split_plan.asked == 7
    assert sorted(pipe.split_plan.validation) == ["conv-30", "conv-36", "conv-52"]


def test_the_seed_chooses_the_conversations_and_the_same_seed_the_same_ones(tmp_path):
    src = tmp_path / "chats.jsonl"
    write_conversations(src, 30)
    chosen = [
        run_split(tmp_path, src, f"o{seed}", val_size=0.2, seed=seed)[0].split_plan.validation
        for seed in (0, 0, 1)
    ]
    assert chosen[0] == chosen[1] != chosen[2]
    assert len(chosen[0]) == len(chosen[2]) == 6


def test_split_is_the_deprecated_train_share(tmp_path):
    src = tmp_path / "chats.jsonl"
    write_conversations(src)
    a = run_split(tmp_path, src, "a", split=0.9, seed=2)
    b = run_split(tmp_path, src, "b", val_size=0.1, seed=2)
    assert a[0].split_plan == b[0].split_plan
    assert (a[2] / "raw.validation.jsonl").read_bytes() == (
        b[2] / "raw.validation.jsonl"
    ).read_bytes()


def test_no_empty_validation_file_is_written_or_listed(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="loomcore")  # whatever an earlier test set
    src = tmp_path / "one.jsonl"
    write_conversations(src, 1)
    _, stats, out = run_split(tmp_path, src, val_size=0.05)
    assert stats.lines == {"alpaca.train": 2, "raw.train": 2}
    assert sorted(p.name for p in out.glob("*.jsonl")) == ["alpaca.train.jsonl", "raw.train.jsonl"]
    info = json.loads((out / "dataset_info.json").read_text())
    assert sorted(info) == ["loomcore_alpaca_train"]
    card = (out / "README.md").read_text()
    assert "validation" not in card.split("---\n")[1]
    assert caplog.messages == [
        "no validation file written: 1 example asked for validation, but 2 examples "
        "from 1 conversation cannot be split by conversation without leaving a side empty"
    ]


def test_a_validation_side_too_small_is_kept_with_a_warning(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="loomcore")
    src = tmp_path / "chats.jsonl"
    write_conversations(src, 20)
    _, stats, _ = run_split(tmp_path, src, val_size=0.05, seed=1)
    assert (stats.lines["raw.train"], stats.lines["raw.validation"]) == (38, 2)
    assert caplog.messages == [
        "validation holds only 2 examples (1 of 20 conversations; 38 in train): fewer than "
        "10 is too few to measure anything (ask for more with --val-size)"
    ]


def test_choose_takes_conversations_that_fit_else_the_smallest():
    from collections import Counter

    from loomcore.splits import choose, target

    assert [target(0.05, 18), target(0.3, 10), target(0.1, 1125), target(4, 100)] == [1, 3, 113, 4]
    plan = choose(Counter(a=5, b=3, c=4), 2, seed=0)
    assert (plan.validation, plan.validation_rows, plan.train_rows) == (frozenset("b"), 3, 9)
    everything = choose(Counter(a=1, b=1), 5, seed=0)
    assert (everything.validation, everything.train_rows) == (frozenset(), 2)


def test_cli_val_size_and_the_deprecation_note(tmp_path):
    from click.testing import CliRunner

    from loomcore.cli import cli

    src = tmp_path / "chats.jsonl"
    write_conversations(src, 20)
    runner = CliRunner()
    ok = runner.invoke(
        cli, ["run", str(src), "-o", str(tmp_path / "o"), "-f", "raw", "--val-size", "4", "-q"]
    )
    assert ok.exit_code == 0, ok.output
    assert len((tmp_path / "o" / "raw.validation.jsonl").read_text().splitlines()) == 4
    old = runner.invoke(
        cli, ["run", str(src), "-o", str(tmp_path / "p"), "-f", "raw", "--split", "0.8", "-q"]
    )
    assert old.exit_code == 0
    assert (
        old.stderr.splitlines()[0]
        == "note: --split is deprecated (it is the train share): use --val-size 0.2"
    )
    bad = runner.invoke(cli, ["run", str(src), "-o", str(tmp_path / "q"), "--val-size", "2.5"])
    assert bad.exit_code == 2
    assert "val_size 2.5: a fraction below 1 or a whole number of examples from 1 up" in bad.output
    both = runner.invoke(cli, ["run", str(src), "--val-size", "3", "--split", "0.5"])
    assert "give --val-size or the deprecated --split, not both" in both.output


def test_the_manifest_records_what_the_split_made(tmp_path):
    src = tmp_path / "chats.jsonl"
    write_conversations(src, 20)
    _, _, out = run_split(tmp_path, src, val_size=0.25, seed=4)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["split"] == {
        "validation_asked": 10,
        "train": 30,
        "validation": 10,
        "conversations": 20,
        "validation_conversations": 5,
        "warning": None,
    }
    assert manifest["configuration"]["val_size"] == 0.25
    _, _, plain = run_split(tmp_path, src, "plain")
    assert json.loads((plain / "manifest.json").read_text())["split"] is None
