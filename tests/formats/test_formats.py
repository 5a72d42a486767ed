"""Each built-in format renders an example to exactly these lines."""

import orjson
from loomcore_plugins.formats import alpaca, chatml, raw

from loomcore import TrainingExample

EXAMPLE = TrainingExample(
    instruction="And the second one?",
    output="The second one is FUSED mode.",
    input="Entities: FUSED mode",
    system="You are terse.",
    history=(("Name two modes.", "FAST mode and FUSED mode."),),
    pattern_type="qa_pair",
    confidence=0.8123,
    source={"path": "chats.jsonl", "index": 3, "memory_id": "c1:1"},
    topics=("programming",),
    entities=("FUSED mode",),
    id="abc",
)


def line(record: dict) -> bytes:
    return orjson.dumps(record)


def test_alpaca_line():
    assert line(alpaca.render(EXAMPLE)) == (
        b'{"instruction":"And the second one?","input":"Entities: FUSED mode",'
        b'"output":"The second one is FUSED mode.","system":"You are terse.",'
        b'"history":[["Name two modes.","FAST mode and FUSED mode."]]}'
    )


def test_chatml_line_keeps_earlier_turns_in_order():
    assert chatml.render(EXAMPLE) == {
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Name two modes."},
            {"role": "assistant", "content": "FAST mode and FUSED mode."},
            {"role": "user", "content": "And the second one?\n\nEntities: FUSED mode"},
            {"role": "assistant", "content": "The second one is FUSED mode."},
        ]
    }


def test_chatml_without_system_or_input():
    bare = TrainingExample(instruction="Q?", output="A.")
    assert chatml.render(bare) == {
        "messages": [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "A."}]
    }


def test_raw_line_carries_metadata_for_tracing():
    assert raw.render(EXAMPLE) == {
        "id": "abc",
        "instruction": "And the second one?",
        "input": "Entities: FUSED mode",
        "output": "The second one is FUSED mode.",
        "system": "You are terse.",
        "history": [["Name two modes.", "FAST mode and FUSED mode."]],
        "metadata": {
            "pattern_type": "qa_pair",
            "confidence": 0.8123,
            "source": {"path": "chats.jsonl", "index": 3, "memory_id": "c1:1"},
            "topics": ["programming"],
            "entities": ["FUSED mode"],
            "labels": [],
        },
    }


def test_sharegpt_line_alternates_human_and_gpt():
    from loomcore_plugins.formats import sharegpt

    assert sharegpt.render(EXAMPLE) == {
        "conversations": [
            {"from": "human", "value": "Name two modes."},
            {"from": "gpt", "value": "FAST mode and FUSED mode."},
            {"from": "human", "value": "And the second one?\n\nEntities: FUSED mode"},
            {"from": "gpt", "value": "The second one is FUSED mode."},
        ],
        "system": "You are terse.",
    }


def test_text_line_through_the_default_chatml_template(monkeypatch):
    from loomcore_plugins.formats import text

    bare = TrainingExample(instruction="Q?", output="A.", system="Be brief.")
    assert text.render(bare) == {
        "text": "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nQ?<|im_end|>\n<|im_start|>assistant\nA."
    }
    monkeypatch.setenv("LOOMCORE_TEXT_TEMPLATE", "### {role}: {content}")
    monkeypatch.setenv("LOOMCORE_TEXT_SEPARATOR", "\n")
    assert text.render(bare) == {"text": "### system: Be brief.\n### user: Q?\n### assistant: A."}
    # the row's last end token is the trainer's to add, not the file's
    monkeypatch.setenv("LOOMCORE_TEXT_TEMPLATE", "<|{role}|>\n{content}</s>\n")
    monkeypatch.setenv("LOOMCORE_TEXT_SEPARATOR", "")
    monkeypatch.setenv("LOOMCORE_TEXT_END_TOKEN", "</s>")
    assert text.render(bare) == {
        "text": "<|system|>\nBe brief.</s>\n<|user|>\nQ?</s>\n<|assistant|>\nA."
    }
    monkeypatch.setenv("LOOMCORE_TEXT_END_TOKEN", "")
    assert text.render(bare)["text"].endswith("<|assistant|>\nA.</s>\n")


def test_formats_refuse_examples_the_trainers_would_reject():
    import pytest
    from loomcore_plugins.formats import chatml, sharegpt

    empty_answer = TrainingExample(instruction="Q?", output="  ")
    with pytest.raises(chatml.InvalidExample, match=r"message 1 \(assistant\) is empty"):
        chatml.render(empty_answer)
    with pytest.raises(sharegpt.InvalidExample, match="turn 1 is empty"):
        sharegpt.render(empty_answer)
    with pytest.raises(chatml.InvalidExample, match="must alternate"):
        chatml.validate(
            [
                {"role": "user", "content": "a"},
                {"role": "user", "content": "b"},
                {"role": "assistant", "content": "c"},
            ]
        )
    with pytest.raises(chatml.InvalidExample, match="unknown keys"):
        chatml.validate(
            [{"role": "user", "content": "a", "name": "x"}, {"role": "assistant", "content": "c"}]
        )
    with pytest.raises(chatml.InvalidExample, match="system message may only come first"):
        chatml.validate(
            [
                {"role": "user", "content": "a"},
                {"role": "system", "content": "s"},
                {"role": "assistant", "content": "c"},
            ]
        )


def test_every_line_of_a_file_has_the_same_keys_and_types(tmp_path):
    import json

    from loomcore.pipeline import Pipeline, RunOptions

    Pipeline(options=RunOptions()).run(None, tmp_path)
    for path in tmp_path.glob("*.jsonl"):
        rows = [json.loads(x) for x in path.read_text().splitlines()]
        shapes = {tuple((k, type(v).__name__) for k, v in row.items()) for row in rows}
        assert len(shapes) == 1, f"{path.name} changes its schema between lines: {shapes}"


# -- whole conversations and preference pairs (issue 19) ----------------------

CONVERSATION = TrainingExample(
    instruction="And the second one?",
    output="The second one is FUSED mode.",
    system="You are terse.",
    history=(("Name two modes.", "FAST mode and FUSED mode."), ("thanks", "Any time.")),
    kind="conversation",
    weights=(1, 0, 1),
)


def test_chatml_conversation_puts_openai_weight_on_each_assistant_message():
    assert chatml.render(CONVERSATION) == {
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Name two modes."},
            {"role": "assistant", "content": "FAST mode and FUSED mode.", "weight": 1},
            {"role": "user", "content": "thanks"},
            {"role": "assistant", "content": "Any time.", "weight": 0},
            {"role": "user", "content": "And the second one?"},
            {"role": "assistant", "content": "The second one is FUSED mode.", "weight": 1},
        ]
    }


def test_a_weight_per_assistant_message_or_the_format_refuses_the_example():
    import attrs
    import pytest

    with pytest.raises(chatml.InvalidExample, match="2 weights for 3 assistant messages"):
        chatml.render(attrs.evolve(CONVERSATION, weights=(1, 1)))
    with pytest.raises(chatml.InvalidExample, match="weight 2"):
        chatml.validate(
            [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A", "weight": 2}]
        )
    with pytest.raises(chatml.InvalidExample, match="unknown keys"):
        chatml.validate(
            [{"role": "user", "content": "Q", "weight": 1}, {"role": "assistant", "content": "A"}]
        )


def test_sharegpt_conversation_puts_train_on_gpt_turns_only():
    from loomcore_plugins.formats import sharegpt

    turns = sharegpt.render(CONVERSATION)["conversations"]
    assert [(t["from"], t.get("train")) for t in turns] == [
        ("human", None),
        ("gpt", True),
        ("human", None),
        ("gpt", False),
        ("human", None),
        ("gpt", True),
    ]


def test_alpaca_conversation_is_the_last_exchange_with_history_and_raw_keeps_the_weights():
    assert alpaca.render(CONVERSATION)["history"] == [
        ["Name two modes.", "FAST mode and FUSED mode."],
        ["thanks", "Any time."],
    ]
    meta = raw.render(CONVERSATION)["metadata"]
    assert (meta["kind"], meta["weights"]) == ("conversation", [1, 0, 1])


def test_which_formats_take_which_kinds():
    from loomcore import Registry, get_plugin_manager

    exporters = Registry(get_plugin_manager()).exporters
    assert {name: e.kinds for name, e in exporters.items()} == {
        "alpaca": ("exchange", "conversation"),
        "chatml": ("exchange", "conversation"),
        "dpo": ("preference",),
        "raw": ("exchange", "conversation", "preference"),
        "sharegpt": ("exchange", "conversation"),
        "text": ("exchange",),
    }
