"""The default importance scorer separates signal from noise; a user's scorer
combines with it (highest wins) or replaces it (disable default_scorer)."""

import attrs
from loomcore_plugins.scorers.default import score as default_score

from loomcore import Registry, Scorer, get_plugin_manager, hookimpl
from loomcore.api import to_memory
from loomcore.stages.annotate import score

from ..conftest import raw_memory

ANSWER = (
    "**Thompson Sampling** is a Bayesian approach to the multi-armed bandit problem. It keeps a posterior "
    "over each arm's reward, samples from each and plays the best sample, so promising arms are played "
    "more often while uncertain ones are still explored."
)


def importance(user, reply):
    return default_score(attrs.evolve(to_memory(raw_memory(user, reply)), importance=None))


def test_noise_scores_low_and_signal_high():
    assert importance("thanks", "You're welcome!") == 0.15
    assert importance("ok got it", "Great!") == 0.15
    assert importance("hi there", "Hello! How can I help you today?") == 0.15
    assert importance("what's up", "Not much! What's on your mind?") == 0.15
    assert importance("Can you help me?", "Sure, what do you need?") < 0.4
    assert importance("What is Thompson Sampling?", ANSWER) >= 0.8
    assert (
        importance(
            "Please introduce yourself.", "I am Vicuna, a language model trained by researchers."
        )
        >= 0.4
    )


def test_domain_keywords_raise_the_score(monkeypatch):
    plain = importance(
        "Tell me about the release", "The release went out on Tuesday with two fixes."
    )
    monkeypatch.setenv("LOOMCORE_DOMAIN_KEYWORDS", "release, rollback")
    assert importance(
        "Tell me about the release", "The release went out on Tuesday with two fixes."
    ) == round(plain + 0.15, 4)


class Generous:
    @hookimpl
    def register_scorers(self, register):
        register(Scorer("generous", lambda memory: 0.99))


def test_a_user_scorer_combines_with_the_default_by_taking_the_highest():
    registry = Registry(get_plugin_manager(plugins=[Generous()]))
    memory = attrs.evolve(to_memory(raw_memory("thanks", "You're welcome!")), importance=None)
    assert [s.name for s in registry.scorers] == ["default", "generous"]
    assert score(registry, memory).importance == 0.99


def test_a_user_scorer_replaces_the_default_when_it_is_disabled():
    class Strict:
        @hookimpl
        def register_scorers(self, register):
            register(Scorer("strict", lambda memory: 0.05))

    registry = Registry(get_plugin_manager(plugins=[Strict()], disable=["default_scorer"]))
    memory = attrs.evolve(
        to_memory(raw_memory("What is Thompson Sampling?", ANSWER)), importance=None
    )
    assert [s.name for s in registry.scorers] == ["strict"]
    assert score(registry, memory).importance == 0.05


def test_domain_keywords_from_the_configuration(monkeypatch, registry):
    monkeypatch.delenv("LOOMCORE_DOMAIN_KEYWORDS", raising=False)
    args = ("Tell me about the release", "The release went out on Tuesday with two fixes.")
    plain = importance(*args)
    memory = attrs.evolve(to_memory(raw_memory(*args)), importance=None)
    registry.configure({"default_scorer": {"domain_keywords": ["Release"]}})
    assert score(registry, memory).importance == round(plain + 0.15, 4)
    # the option is this registry's, not the process's
    assert importance(*args) == plain
    # the environment overrides the file
    monkeypatch.setenv("LOOMCORE_DOMAIN_KEYWORDS", "rollback")
    assert score(registry, memory).importance == plain
    monkeypatch.delenv("LOOMCORE_DOMAIN_KEYWORDS")
    registry.configure({})
    assert score(registry, memory).importance == plain
