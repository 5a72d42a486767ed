"""The records that flow are self-contained: the converter round-trips each
one unchanged, and a pattern's examples do not depend on where it has been."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from loomcore.convert import from_dict, to_dict
from loomcore.model import (
    Memory,
    Origin,
    Pattern,
    Source,
    SynthesisConfig,
    TrainingExample,
    Turn,
)
from loomcore.registry import default_registry
from loomcore.stages.annotate import enrich, mine, score
from loomcore.stages.build import examples_of

text = st.text(max_size=40)
sources = st.builds(Source, path=text, index=st.integers(0, 10**6), format=text)
pairs = st.lists(st.tuples(text, text), max_size=3).map(tuple)
origins = st.builds(
    Origin,
    memory_id=text,
    question=text,
    answer=text,
    history=pairs,
    system_prompt=text,
    source=sources,
    conversation_id=st.none() | text,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
patterns = st.builds(
    Pattern,
    pattern_type=st.sampled_from(["qa_pair", "procedure", "my_domain_type"]),
    content=st.dictionaries(text, json_values, max_size=4),
    confidence=st.floats(0, 1),
    certainty=st.floats(0, 1),
    source_memory_ids=st.lists(text, max_size=2).map(tuple),
    entities=st.lists(text, max_size=3).map(tuple),
    topics=st.lists(text, max_size=3).map(tuple),
    evidence=text,
    miner=text,
    id=text,
    asked=st.none() | st.booleans(),
    origin=st.none() | origins,
)
examples = st.builds(
    TrainingExample,
    instruction=text,
    output=text,
    input=text,
    system=text,
    history=pairs,
    pattern_type=text,
    confidence=st.floats(0, 1),
    source=st.dictionaries(text, json_values, max_size=4),
    topics=st.lists(text, max_size=3).map(tuple),
    entities=st.lists(text, max_size=3).map(tuple),
    id=text,
    labels=st.lists(text, max_size=3).map(tuple),
)
turns = st.builds(
    Turn, role=st.sampled_from(["user", "assistant", "system"]), content=text, id=st.none() | text
)
memories = st.builds(
    Memory,
    id=text,
    text=text,
    importance=st.none() | st.floats(0, 1),
    metadata=st.fixed_dictionaries({"user_input": text, "system_output": text}),
    history=st.lists(turns, max_size=3).map(tuple),
    source=sources,
    conversation_id=st.none() | text,
)


@settings(max_examples=150, deadline=None)
@given(st.one_of(patterns, examples, memories))
def test_the_converter_round_trips_every_record_unchanged(record):
    # through JSON and back, as a record travels to a worker or a staging file
    data = orjson.loads(orjson.dumps(to_dict(record)))
    assert from_dict(data, type(record)) == record
    if isinstance(record, Pattern):
        assert from_dict(data, Pattern).origin == record.origin  # compared, not skipped


def _patterns_of(question: str, reply: str, history: tuple[Turn, ...] = ()) -> list[Pattern]:
    registry = default_registry()
    memory = Memory(
        id="m1",
        metadata={"user_input": question, "system_output": reply, "system_prompt": "Be brief."},
        history=history,
        source=Source("chats.jsonl", 7, "sharegpt"),
        conversation_id="c1",
    )
    return mine(registry, enrich(registry, score(registry, memory)))


def test_a_pattern_carries_what_its_builders_need():
    history = (Turn("user", "What is a wok?"), Turn("assistant", "A wok is a round pan."))
    reply = (
        "To season a wok:\n\n1. Wash it with hot water.\n2. Dry it over a flame.\n"
        "3. Rub a thin coat of oil inside.\n\nLet me know if you have questions!"
    )
    mined = _patterns_of("And how do I season it?", reply, history)
    assert {str(p.pattern_type) for p in mined} >= {"procedure", "qa_pair"}
    origin = mined[0].origin
    assert origin == Origin(
        memory_id="m1",
        question="And how do I season it?",
        answer=reply.split("\n\nLet me know")[0],  # the closing courtesy is not part of it
        history=(("What is a wok?", "A wok is a round pan."),),
        system_prompt="Be brief.",
        source=Source("chats.jsonl", 7, "sharegpt"),
        conversation_id="c1",
    )


def test_a_round_trip_changes_no_example_a_pattern_makes():
    history = (Turn("user", "What is a wok?"), Turn("assistant", "A wok is a round pan."))
    reply = (
        "To season a wok:\n\n1. Wash it with hot water.\n2. Dry it over a flame.\n"
        "3. Rub a thin coat of oil inside."
    )
    registry = default_registry()
    mined = _patterns_of("And how do I season it?", reply, history)
    config = SynthesisConfig()
    travelled = [from_dict(orjson.loads(orjson.dumps(to_dict(p))), Pattern) for p in mined]
    before = examples_of(registry, mined, config)
    assert examples_of(registry, travelled, config) == before
    [example] = before
    assert (example.instruction, example.output, example.system) == (
        "And how do I season it?",
        reply,
        "Be brief.",
    )
    assert example.history == (("What is a wok?", "A wok is a round pan."),)
    assert example.source == {
        "pattern_id": example.source["pattern_id"],
        "memory_ids": ["m1"],
        "path": "chats.jsonl",
        "index": 7,
        "format": "sharegpt",
        "conversation_id": "c1",
        "memory_id": "m1",
    }
