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
        },
    }
