"""The default enricher: real names and noun phrases, taxonomy topics,
ranked keywords, relationships and reasoning type."""

import pytest
from loomcore_plugins.enrichers import default as enricher_module

from loomcore import LoomcoreError, MemoryEnricher, ReasoningType

from ..conftest import raw_memory


def enrich(user, reply):
    return MemoryEnricher().enrich(raw_memory(user, reply))


def test_entities_are_names_and_noun_phrases_not_function_words():
    m = enrich(
        "What is Thompson Sampling? How does it compare for a multi-armed bandit?",
        "However, **Thompson Sampling** is a Bayesian approach. Based on PostgreSQL logs, What matters is the posterior.",
    )
    assert m.question_entities == ("Thompson Sampling", "multi-armed bandit")
    assert {"Thompson Sampling", "PostgreSQL", "multi-armed bandit"} <= set(m.entities)
    assert not {"What", "How", "However", "Based"} & set(m.entities)


def test_request_verbs_are_not_entities():
    m = enrich(
        "Summarize the article about climate change.", "The article says the climate is warming."
    )
    assert m.question_entities == ("article", "climate change")


def test_topics_come_from_the_taxonomy_and_can_be_extended(tmp_path, monkeypatch):
    m = enrich(
        "How do I index a PostgreSQL table for faster queries?",
        "Create a B-tree index on the column with CREATE INDEX.",
    )
    assert m.topics == ("databases",) and m.question_topics == ("databases",)
    taxonomy = tmp_path / "tax.toml"
    taxonomy.write_text(
        'replace = true\n[topics]\nbandits = ["thompson sampling", "multi-armed bandit", "arm"]\n'
    )
    monkeypatch.setenv("LOOMCORE_TAXONOMY", str(taxonomy))
    enricher_module.taxonomy.cache_clear()
    enricher_module._topic_index.cache_clear()
    try:
        m = enrich(
            "What is Thompson Sampling?", "It picks the arm whose sampled reward is highest."
        )
        assert m.topics == ("bandits",)
    finally:
        enricher_module.taxonomy.cache_clear()
        enricher_module._topic_index.cache_clear()


def test_keywords_relationships_and_reasoning_type():
    m = enrich(
        "Why does my Docker build take so long?",
        "Docker caches layers. A cache miss causes a full rebuild of later layers.",
    )
    assert m.keywords[:3] == ("docker", "build", "layers")
    assert [(r.subject, r.predicate, r.object) for r in m.relationships] == [
        ("cache miss", "causes", "a full rebuild of later layers")
    ]
    assert m.reasoning_type == ReasoningType.CAUSAL
    assert enrich("thanks", "Sure.").reasoning_type == ReasoningType.CONVERSATIONAL
    assert (
        enrich("Should I use A or B?", "Use A for small data because it is simpler.").reasoning_type
        == ReasoningType.EVALUATIVE
    )


def test_taxonomy_from_the_configuration(tmp_path, registry, monkeypatch):
    monkeypatch.delenv("LOOMCORE_TAXONOMY", raising=False)
    taxonomy = tmp_path / "tax.toml"
    taxonomy.write_text('replace = true\n[topics]\nbandits = ["thompson sampling", "arm"]\n')
    question = ("What is Thompson Sampling?", "It picks the arm whose sampled reward is highest.")
    registry.configure({"default_enricher": {"taxonomy": str(taxonomy)}})
    configured = MemoryEnricher(registry).enrich(raw_memory(*question))
    assert configured.topics == ("bandits",)
    # the option is this registry's: the process-wide one still has the bundled taxonomy
    assert enrich(*question).topics != ("bandits",)
    registry.configure({})  # back to the bundled taxonomy
    assert MemoryEnricher(registry).enrich(raw_memory(*question)).topics != ("bandits",)
    with pytest.raises(LoomcoreError, match="options of plugin 'default_enricher': taxonomy: "):
        registry.configure({"default_enricher": {"taxonomy": str(tmp_path / "none.toml")}})


def test_a_keyword_at_the_end_of_the_text_counts_once():
    from loomcore_plugins.enrichers.default import topics_of

    # one mention of "energy" is not enough for a topic, wherever it stands
    assert topics_of("Tell me a fact.", "Stars give off energy") == ((), ())
    assert topics_of("Tell me a fact.", "Energy comes from stars") == ((), ())
    assert topics_of("Tell me a fact.", "Energy from stars is energy") == (("science",), ())
