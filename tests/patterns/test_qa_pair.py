"""qa_pair: a question or request answered substantively; never small talk."""

from ..conftest import mine_exchange


def qa(user, reply):
    return mine_exchange(user, reply, "qa_pair")


def test_question_with_substantive_answer():
    assert qa(
        "Tell me about feature flags.",
        "Feature flags let you switch code paths on or off at runtime.",
    ) == [
        {
            "question": "Tell me about feature flags.",
            "answer": "Feature flags let you switch code paths on or off at runtime.",
        }
    ]


def test_small_talk_and_asking_back_are_not_qa_pairs():
    assert qa("hi there", "Hello! How can I help you today?") == []
    assert (
        qa("thanks, that worked perfectly!", "You're welcome! Glad it worked. Happy coding!") == []
    )
    assert qa("ok got it", "Great! Feel free to ask if anything else comes up.") == []
    assert qa("Can you help me?", "Sure, what do you need?") == []
    assert (
        qa(
            "Can you make me a workout plan?",
            "Sure, happy to! To tailor it to you, could you tell me:\n\n- your main goal,\n- your experience, and\n- your equipment?",
        )
        == []
    )


def test_code_only_answer_counts():
    assert len(qa("Write a hello world in Python", "```python\nprint('hello')\n```")) == 1


def test_courtesy_lines_are_cut_from_the_example_output(tmp_path):
    from loomcore import DataSynthesizer, MemoryEnricher, PatternExtractor, SynthesisConfig

    from ..conftest import raw_memory

    reply = (
        "Use `isinstance(value, float)`; it returns True for subclasses too.\n\nHope that helps!"
    )
    enriched = MemoryEnricher().enrich(raw_memory("How do I check for a float?", reply))
    patterns = [
        p for p in PatternExtractor(0.0).extract_patterns([enriched]) if p.pattern_type == "qa_pair"
    ]
    [example] = DataSynthesizer(SynthesisConfig(min_confidence=0.0)).synthesize(patterns)
    assert example.output == "Use `isinstance(value, float)`; it returns True for subclasses too."
