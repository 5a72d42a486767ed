"""Example builders write natural instructions and complete outputs."""

import itertools

import attrs
from hypothesis import given
from hypothesis import strategies as st
from loomcore_plugins.patterns.causal import clean_output, instruction_for

from loomcore import (
    Conversation,
    DataSynthesizer,
    PatternExtractor,
    SynthesisConfig,
    Turn,
    default_registry,
)
from loomcore.stages.annotate import enrich, mine
from loomcore.stages.exchanges import exchanges

from ..conftest import mine_exchange


def examples(user, reply, pattern_type, **config):
    """What the builder of ``pattern_type`` makes of its pattern as an excerpt
    (``asked`` False), the derived example a run makes only with
    ``derived_examples`` (whole-answer examples: tests/core/test_compose.py)."""
    from loomcore import MemoryEnricher

    from ..conftest import raw_memory

    enriched = MemoryEnricher().enrich(raw_memory(user, reply))
    patterns = [
        attrs.evolve(p, asked=False)
        for p in PatternExtractor(0.0).extract_patterns([enriched])
        if p.pattern_type == pattern_type
    ]
    config.setdefault("derived_examples", True)
    return DataSynthesizer(SynthesisConfig(min_confidence=0.0, **config)).synthesize(patterns)


def test_causal_instructions_follow_the_marker():
    assert (
        instruction_for(
            "the database can jump to the rows",
            "Queries get faster",
            "Queries get faster because the database can jump to the rows.",
        )
        == "Explain why queries get faster."
    )
    assert instruction_for(
        "you keep lifting the same weight",
        "your progress will stall",
        "If you keep lifting the same weight, your progress will stall.",
    ) == ("What happens if you keep lifting the same weight?")
    assert instruction_for(
        "expired yeast produces less gas",
        "a loaf that barely rises",
        "Old yeast: expired yeast produces less gas, which leads to a loaf that barely rises.",
    ) == ("What happens when expired yeast produces less gas?")
    assert (
        instruction_for(
            "working remotely",
            "feelings of isolation",
            "Working remotely can also lead to feelings of isolation.",
        )
        == "What is the effect of working remotely?"
    )
    assert instruction_for(
        "the use of machine learning",
        "greater efficiency",
        "The use of machine learning can lead to greater efficiency.",
    ) == ("What is the effect of the use of machine learning?")
    # a question that could not be understood alone is not asked
    assert (
        instruction_for(
            "its resemblance to a cat",
            "they named it the winged cat",
            "They named it the winged cat due to its resemblance to a cat.",
        )
        is None
    )


def test_causal_output_drops_connectives_and_labels():
    assert (
        clean_output("Additionally, working remotely can lead to isolation.")
        == "Working remotely can lead to isolation."
    )
    assert (
        clean_output("Pests, diseases, and weather: Growing food is hard due to pests.")
        == "Growing food is hard due to pests."
    )


def test_definition_question_keeps_article_and_drops_sentence_capital():
    [ex] = examples(
        "Describe the organisation.",
        "The Red Cross is a humanitarian organization that helps in disasters.",
        "definition",
    )
    assert (ex.instruction, ex.output) == (
        "What is the Red Cross?",
        "The Red Cross is a humanitarian organization that helps in disasters.",
    )
    [ex] = examples(
        "Explain human digestion.",
        "Human digestion is the process by which food is broken down.",
        "definition",
    )
    assert ex.instruction == "What is human digestion?"
    [ex] = examples(
        "What is Python?",
        "Python is a programming language created by Guido van Rossum.",
        "definition",
    )
    assert ex.instruction == "What is Python?"


def test_definitions_are_not_mined_from_creative_requests_or_cut_replies():
    assert (
        mine_exchange(
            "Write a metaphor for loneliness.",
            "Loneliness is a vast, empty desert without water.",
            "definition",
        )
        == []
    )
    assert (
        mine_exchange(
            "What is a mutex?", "A mutex is a lock that lets one thread in at a", "definition"
        )
        == []
    )


def test_procedure_instruction_is_the_users_request():
    reply = "1. Preheat the oven to 200 °C.\n2. Slice the potatoes.\n3. Roast them for 40 minutes."
    [ex] = examples("Give me a recipe for roast potatoes.", reply, "procedure")
    assert ex.instruction == "Give me a recipe for roast potatoes."
    assert (
        ex.output
        == "1. Preheat the oven to 200 °C.\n2. Slice the potatoes.\n3. Roast them for 40 minutes."
    )


def test_decision_output_with_and_without_reasoning():
    user = "Should I use SQLite or PostgreSQL for a small tool?"
    reply = "I'd go with SQLite for this. A single file needs no server."
    [ex] = examples(user, reply, "decision")
    assert (ex.instruction, ex.output) == (
        user,
        "I'd go with SQLite for this. A single file needs no server.",
    )
    [ex] = examples(user, reply, "decision", include_reasoning=False)
    assert ex.output == "I'd go with SQLite for this."


def test_context_no_longer_writes_an_entity_dump_into_the_input():
    # "Entities: After, All, Although; Topics: graph" was noise to every
    # curator; entities and topics stay in the example's metadata
    [ex] = examples(
        "What is a PostgreSQL replica?",
        "A **PostgreSQL replica** is a copy of the primary database kept in sync by streaming.",
        "definition",
        include_context=True,
    )
    assert ex.input == ""
    assert ex.entities == ("PostgreSQL replica",)
    assert ex.topics == ("databases",)


def test_follow_up_keeps_the_turns_it_needs():
    conv = Conversation(
        "c1",
        (
            Turn("user", "Name two execution modes of the engine."),
            Turn("assistant", "FAST mode and FUSED mode."),
            Turn("user", "And what about the second one?"),
            Turn(
                "assistant",
                "FUSED mode compiles every stage into a single kernel, which avoids intermediate writes.",
            ),
        ),
    )
    registry = default_registry()
    memories = list(exchanges(conv))
    assert [m.id for m in memories] == ["c1:0", "c1:1"]
    follow_up = memories[1]
    patterns = [
        p for p in mine(registry, enrich(registry, follow_up)) if p.pattern_type == "qa_pair"
    ]
    [ex] = DataSynthesizer(SynthesisConfig(min_confidence=0.0)).synthesize(patterns)
    assert ex.history == (("Name two execution modes of the engine.", "FAST mode and FUSED mode."),)
    assert ex.to_chatml()["messages"][0] == {
        "role": "user",
        "content": "Name two execution modes of the engine.",
    }
    # a question that stands alone carries no history
    first = [
        p for p in mine(registry, enrich(registry, memories[0])) if p.pattern_type == "qa_pair"
    ]
    assert all(
        e.history == ()
        for e in DataSynthesizer(SynthesisConfig(min_confidence=0.0)).synthesize(first)
    )


@given(
    st.lists(
        st.tuples(st.sampled_from(["user", "assistant", "system", "tool"]), st.text(max_size=3)),
        max_size=12,
    )
)
def test_last_pairs_read_from_the_end_match_a_forward_scan(roles_and_texts):
    from loomcore.model import _last_pairs

    turns = tuple(Turn(role, text) for role, text in roles_and_texts)
    talk = [t for t in turns if t.role in ("user", "assistant")]
    forward = [
        (a.content, b.content)
        for a, b in itertools.pairwise(talk)
        if a.role == "user" and b.role == "assistant"
    ]
    assert _last_pairs(turns, 2) == tuple(forward[-2:])


def test_last_pairs_skip_turns_that_are_not_talk():
    from loomcore.model import _last_pairs

    turns = (
        Turn("system", "Be brief."),
        Turn("user", "a?"),
        Turn("assistant", "A."),
        Turn("user", "b?"),
        Turn("tool", "{}"),
        Turn("assistant", "B."),
        Turn("user", "unanswered"),
        Turn("user", "c?"),
        Turn("assistant", "C."),
    )
    assert _last_pairs(turns, 2) == (("b?", "B."), ("c?", "C."))
