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
    assert qa("what's up", "Not much, just here to help. What's on your mind?") == []
    assert qa("hey, how's it going today?", "All good, thanks! How can I help?") == []
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


def test_a_refusal_is_not_an_answer():
    from loomcore.text.smalltalk import is_refusal

    assert (
        mine_exchange("Write me a poem about rain.", "I'm sorry, but I can't help with that.") == []
    )
    assert (
        mine_exchange(
            "What's the weather tomorrow?",
            "I am sorry, but I cannot access real-time data to give you a forecast.",
        )
        == []
    )
    # declining one part and answering the rest is still an answer
    [qa] = mine_exchange(
        "What's the weather in Oslo in March?",
        "I can't see live forecasts. In March, Oslo averages about 1 °C with frequent snow.",
        "qa_pair",
    )
    assert qa["answer"].startswith("I can't see live forecasts.")
    assert [
        is_refusal(s)
        for s in (
            "I'm afraid I can't do that.",
            "Unfortunately, I can't provide medical advice.",
            "I cannot stress enough how important sleep is.",
            "I'm sorry to hear that your cat is sick.",
            "I can't browse the web, but here is what I know.",
        )
    ] == [True, True, False, False, False]


def test_a_refusal_with_a_pointer_elsewhere_is_no_answer():
    from ..conftest import mine_exchange

    assert (
        mine_exchange(
            "Can you book a cab for me?",
            "I'm sorry, but I can't book cabs. I recommend using a cab booking app for that.",
            "qa_pair",
        )
        == []
    )
    assert (
        mine_exchange(
            "What time is it?",
            "I don't have access to real-time information. Please check your device's clock.",
            "qa_pair",
        )
        == []
    )
    # without a refusal the same advice is an answer
    [found] = mine_exchange(
        "How do I get to the airport?",
        "You can take the airport express from the central station every 15 minutes.",
        "qa_pair",
    )
    assert found["question"] == "How do I get to the airport?"


def test_greetings_are_phrases_so_short_follow_ups_still_ask():
    from loomcore.text.smalltalk import is_small_talk

    assert [is_small_talk(t) for t in ("what's up", "How are you doing today?", "sup")] == [
        True,
        True,
        True,
    ]
    assert [is_small_talk(t) for t in ("how so?", "what's that?", "how much?")] == [
        False,
        False,
        False,
    ]
