"""``loomcore check`` on conversation files (per-message flags) and dpo files
(preference pairs, LLaMA-Factory ``ranking: true``)."""

import json

from loomcore_plugins.formats import dpo, sharegpt

from loomcore import preflight


def write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def lines(directory, *trainers, max_tokens=None):
    return preflight.report(
        preflight.check(directory, trainers or preflight.TRAINERS, max_tokens=max_tokens)
    )


FLAGGED = {
    "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is an index?"},
        {"role": "assistant", "content": "A lookup structure.", "weight": 1},
        {"role": "user", "content": "thanks"},
        {"role": "assistant", "content": "Any time.", "weight": 0},
        {"role": "user", "content": "And a B-tree?"},
        {"role": "assistant", "content": "A balanced sorted tree.", "weight": 1},
    ]
}
ALL_TRAINED = {
    "messages": [
        {"role": "user", "content": "What is an index?"},
        {"role": "assistant", "content": "A lookup structure.", "weight": 1},
    ]
}


def test_chatml_conversations_openai_reads_the_weights_trl_does_not(tmp_path):
    write(tmp_path / "chatml_conversations.jsonl", [FLAGGED, ALL_TRAINED] * 5)
    assert lines(tmp_path, "openai", "trl", "axolotl") == [
        "chatml_conversations.jsonl: trl: ignore 5 rows (lines 1, 3, 5, ...): an assistant "
        "message with weight 0: TRL reads no per-message weight and trains on it under "
        "assistant-only loss",
        "chatml_conversations.jsonl: axolotl: ok (10 rows)",
        "chatml_conversations.jsonl: openai: ok (10 rows)",
    ]
    bad = {"messages": [{**m, "weight": 1} for m in FLAGGED["messages"]]}
    write(tmp_path / "chatml_conversations.jsonl", [bad] * 10)
    assert lines(tmp_path, "openai") == [
        "chatml_conversations.jsonl: openai: reject 10 rows (lines 1, 2, 3, ...): "
        "invalid_weight: weight is 0 or 1, on assistant messages only",
    ]


def test_sharegpt_conversations_train_false_is_ignored_by_llamafactory(tmp_path):
    row = {
        "conversations": [
            {"from": "human", "value": "hi"},
            {"from": "gpt", "value": "Hello!", "train": False},
            {"from": "human", "value": "What is an index?"},
            {"from": "gpt", "value": "A lookup structure.", "train": True},
        ],
        "system": "",
    }
    write(tmp_path / "sharegpt_conversations.jsonl", [row])
    info = {
        "loomcore_sharegpt_conversations": sharegpt.dataset_info("sharegpt_conversations.jsonl")
    }
    (tmp_path / "dataset_info.json").write_text(json.dumps(info))
    assert lines(tmp_path, "llamafactory", "axolotl") == [
        "sharegpt_conversations.jsonl: llamafactory: ignore 1 row (line 1): a turn with train "
        "false: LLaMA-Factory reads no per-turn flag and trains on it (mask_history: true "
        "trains the last turn only)",
        "sharegpt_conversations.jsonl: axolotl: ok (1 row)",
    ]


def test_dpo_file_trl_preference_type_and_llamafactory_ranking(tmp_path):
    good = {"prompt": "Q?", "chosen": "Good.", "rejected": "Bad.", "system": "", "history": []}
    write(
        tmp_path / "dpo.jsonl",
        [
            good,
            {**good, "rejected": ""},
            {**good, "rejected": "Good."},
            {**good, "chosen": "word " * 400},
            {**good, "chosen": None},
        ],
    )
    (tmp_path / "dataset_info.json").write_text(
        json.dumps({"loomcore_dpo": dpo.dataset_info("dpo.jsonl")})
    )
    assert lines(tmp_path, "llamafactory", "trl", max_tokens=100) == [
        "dpo.jsonl: llamafactory: reject 1 row (line 5): ranking: no 'prompt', 'chosen', "
        "'rejected' string columns",
        "dpo.jsonl: llamafactory: truncate 1 row (line 4): over cutoff_len 100 tokens",
        "dpo.jsonl: trl: reject 2 rows (lines 2, 5): preference: prompt, chosen and rejected "
        "must be non-empty strings",
        "dpo.jsonl: trl: truncate 1 row (line 4): over max_length 100 tokens",
        "dpo.jsonl: trl: mask 1 row (line 3): preference: chosen and rejected are the same text",
    ]
    summary = preflight.summary(preflight.check(tmp_path, ("trl",)))
    assert summary == "check: trl 1 file rejected, 1 row masked"


def test_an_empty_dpo_file_is_a_preference_file_every_reader_rejects(tmp_path):
    (tmp_path / "dpo.jsonl").write_text("")
    assert lines(tmp_path, "trl") == [
        "dpo.jsonl: trl: reject the file: no rows: an empty file fails to load"
    ]
