"""The seed-compatible Python API, run as the original documentation wrote it."""

import json

import pytest

import loomcore
from loomcore import (
    DataSynthesizer,
    MemoryEnricher,
    PatternExtractor,
    ReasoningType,
    SynthesisConfig,
)
from loomcore.api import RecordError, to_memory

from ..conftest import raw_memory

REPLY = (
    "**Thompson Sampling** is a Bayesian approach to the multi-armed bandit problem.\n\n"
    "Arms that look promising get played more often because their posterior mass is high."
)


def seed_snippet(path):
    # the original documentation's code, unchanged but for the import line
    raw = raw_memory("What is Thompson Sampling?", REPLY, importance=0.88, id="mem-1")
    enricher = MemoryEnricher()
    enriched = enricher.enrich(raw)
    extractor = PatternExtractor(min_confidence=0.5)
    patterns = extractor.extract_patterns([enriched])
    config = SynthesisConfig(include_reasoning=True, include_context=True, min_confidence=0.5)
    synthesizer = DataSynthesizer(config)
    examples = synthesizer.synthesize(patterns)
    synthesizer.export_jsonl(examples, path / "training_data.jsonl", format="alpaca")
    synthesizer.export_jsonl(examples, path / "chat.jsonl", format="chatml")
    synthesizer.export_jsonl(examples, path / "raw.jsonl", format="raw")
    stats = synthesizer.export_statistics(examples)
    return enriched, patterns, examples, stats


def lines(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


def test_seed_snippet_runs_and_writes_the_three_formats(tmp_path):
    enriched, patterns, examples, stats = seed_snippet(tmp_path)
    assert enriched.id == "mem-1" and enriched.importance == 0.88
    assert "Thompson Sampling" in enriched.entities
    assert enriched.reasoning_type == ReasoningType.DEFINITIONAL
    assert sorted(p.pattern_type for p in patterns) == ["causal", "definition", "qa_pair"]
    definition = next(p for p in patterns if p.pattern_type == loomcore.PatternType.DEFINITION)
    assert definition.content == {
        "term": "Thompson Sampling",
        "definition": "Thompson Sampling is a Bayesian approach to the multi-armed bandit problem.",
    }
    assert definition.confidence == round(0.9 * (0.5 + 0.5 * 0.88), 4)

    # one example per purpose: the user asked what Thompson Sampling is, so the
    # whole reply answers it (not the definition's sentence beside a copy of
    # the whole); the causal sentence met in passing gives no example of its
    # own; the exchange's three pattern types stay on the example as labels
    [alpaca] = lines(tmp_path / "training_data.jsonl")
    assert alpaca == {
        "instruction": "What is Thompson Sampling?",
        "input": "",
        "output": REPLY,
        "system": "",
        "history": [],
    }
    [chat] = lines(tmp_path / "chat.jsonl")
    assert chat == {
        "messages": [
            {"role": "user", "content": "What is Thompson Sampling?"},
            {"role": "assistant", "content": REPLY},
        ]
    }
    [raw] = lines(tmp_path / "raw.jsonl")
    meta = raw["metadata"]
    assert meta["pattern_type"] == "definition"
    assert meta["confidence"] == definition.confidence
    assert meta["source"]["memory_id"] == "mem-1"
    assert meta["labels"] == ["causal", "definition", "qa_pair"]
    assert set(meta) == {"pattern_type", "confidence", "source", "topics", "entities", "labels"}

    assert stats["total_examples"] == 1
    assert stats["pattern_types"] == {"definition": 1}
    assert stats["high_confidence_count"] == sum(e.confidence >= 0.8 for e in examples)
    assert set(stats) >= {
        "total_examples",
        "pattern_types",
        "avg_length",
        "avg_confidence",
        "high_confidence_count",
    }


def test_min_confidence_filters_in_extractor_and_synthesizer():
    enriched = MemoryEnricher().enrich(
        raw_memory("What is Thompson Sampling?", REPLY, importance=0.1)
    )
    everything = PatternExtractor(min_confidence=0.0).extract_patterns([enriched])
    strict = PatternExtractor(min_confidence=0.6).extract_patterns([enriched])
    assert len(strict) < len(everything)
    assert all(p.confidence >= 0.6 for p in strict)
    examples = DataSynthesizer(SynthesisConfig(min_confidence=0.6)).synthesize(everything)
    assert [e.confidence >= 0.6 for e in examples] == [True] * len(examples)
    assert len(examples) == len(strict)


def test_examples_render_through_to_format_methods():
    enriched = MemoryEnricher().enrich(raw_memory("What is Thompson Sampling?", REPLY))
    patterns = PatternExtractor(min_confidence=0.0).extract_patterns([enriched])
    example = DataSynthesizer(SynthesisConfig(min_confidence=0.0)).synthesize(patterns)[0]
    assert example.to_alpaca()["instruction"] == example.instruction
    assert example.to_chatml()["messages"][-1] == {"role": "assistant", "content": example.output}
    assert example.to_raw()["metadata"]["pattern_type"] == example.pattern_type
    with pytest.raises(loomcore.UnknownFormatError, match="unknown output format 'parquet'"):
        example.to_parquet()


def test_cluster_patterns_by_type_and_topic():
    extractor = PatternExtractor(min_confidence=0.0)
    enriched = MemoryEnricher().enrich(
        raw_memory(
            "What is a Python decorator?",
            "A **decorator** is a function that wraps another function.",
        )
    )
    patterns = extractor.extract_patterns([enriched])
    by_type = extractor.cluster_patterns(patterns, by="pattern_type")
    assert {k: len(v) for k, v in by_type.items()} == {"definition": 1, "qa_pair": 1}
    by_topic = extractor.cluster_patterns(patterns, by="topic")
    assert list(by_topic) == ["programming"]
    with pytest.raises(ValueError, match="cannot cluster by 'colour'"):
        extractor.cluster_patterns(patterns, by="colour")


def test_pattern_type_enum_lists_the_builtins_and_compares_to_strings():
    names = sorted(m.value for m in loomcore.PatternType)
    assert names == [
        "causal",
        "comparison",
        "decision",
        "definition",
        "procedure",
        "qa_pair",
        "reasoning_chain",
    ]
    assert loomcore.PatternType.QA_PAIR == "qa_pair"


def test_memory_without_metadata_sides_is_read_from_its_text():
    memory = to_memory(
        {"id": 7, "text": "User: What is X?\n\nSystem: X is a letter of the alphabet."}
    )
    assert (memory.id, memory.user_input, memory.system_output) == (
        "7",
        "What is X?",
        "X is a letter of the alphabet.",
    )


def test_invalid_memory_names_the_field():
    with pytest.raises(RecordError) as exc:
        to_memory({"id": "a", "metadata": {"user_input": 3, "system_output": "x"}})
    assert exc.value.errors == ["expected str @ $.metadata.user_input"]
    with pytest.raises(RecordError, match=r"required field missing @ \$.id"):
        to_memory({"text": "hi"})
    with pytest.raises(RecordError, match="a memory must be a JSON object"):
        to_memory(["not", "a", "dict"])


def test_synthesis_config_refuses_bad_values():
    with pytest.raises(ValueError, match="min_confidence must be between 0 and 1, got 2"):
        SynthesisConfig(min_confidence=2)
    with pytest.raises(ValueError, match="max_examples_per_pattern must be at least 1"):
        SynthesisConfig(max_examples_per_pattern=0)
