"""decision: a choice the user faces and the reply's recommendation with its reason."""

from ..conftest import mine_exchange


def decisions(user, reply):
    return mine_exchange(user, reply, "decision")


def test_recommendation_with_reasoning():
    reply = (
        "I'd go with PostgreSQL for this. Orders and inventory are relational data.\n\n"
        "MongoDB shines for catalogues."
    )
    assert decisions("Should I use PostgreSQL or MongoDB for an e-commerce app?", reply) == [
        {
            "decision": "I'd go with PostgreSQL for this.",
            "context": "Should I use PostgreSQL or MongoDB for an e-commerce app?",
            "reasoning": "Orders and inventory are relational data.",
        }
    ]


def test_imperative_after_an_intro_clause_and_better_pick():
    assert (
        decisions(
            "Should I do cardio before or after lifting? My goal is strength.",
            "Since your main goal is strength, do your **weights first** and your cardio afterwards. Fresh muscles lift more.",
        )[0]["decision"]
        == "Since your main goal is strength, do your weights first and your cardio afterwards."
    )
    assert (
        decisions(
            "Should I open a Roth IRA or a traditional IRA?",
            "At 25 and in a low bracket, a **Roth IRA** is usually the better pick. Your rate will rise later.",
        )[0]["decision"]
        == "At 25 and in a low bracket, a Roth IRA is usually the better pick."
    )


def test_no_choice_or_no_recommendation_is_no_decision():
    assert (
        decisions(
            "How should I approach debugging?", "Be patient. Use the logs to gather evidence first."
        )
        == []
    )
    assert (
        decisions("What are my options for saving?", "Use a 529 plan or a Roth IRA; both work.")
        == []
    )
    assert (
        decisions(
            "Should I use A or B?",
            "Both have trade-offs: A is simpler and B scales further. It depends on your team.",
        )
        == []
    )


def test_a_reason_in_the_same_sentence_goes_to_the_reasoning():
    reply = (
        "I'd go with Memcached for the cache, because it needs no persistence and evicts on its own. "
        "Redis would work too."
    )
    assert decisions("Should I put the cache in Redis or Memcached?", reply) == [
        {
            "decision": "I'd go with Memcached for the cache.",
            "context": "Should I put the cache in Redis or Memcached?",
            "reasoning": "It needs no persistence and evicts on its own. Redis would work too.",
        }
    ]
    [got] = decisions(
        "Is Rust or Go better for a small CLI?",
        "For a small CLI, go with Go: it compiles fast. Rust gives more control.",
    )
    assert (got["decision"], got["reasoning"]) == (
        "For a small CLI, go with Go.",
        "It compiles fast. Rust gives more control.",
    )


def test_the_example_answers_with_the_sentence_as_written():
    from loomcore import DataSynthesizer, MemoryEnricher, PatternExtractor, SynthesisConfig

    from ..conftest import raw_memory

    reply = "I'd go with Memcached for the cache, because it needs no persistence. Redis works too."
    enriched = MemoryEnricher().enrich(
        raw_memory("Should I put the cache in Redis or Memcached?", reply)
    )
    patterns = [
        p
        for p in PatternExtractor(0.0).extract_patterns([enriched])
        if p.pattern_type == "decision"
    ]
    [with_reasons] = DataSynthesizer(SynthesisConfig(min_confidence=0.0)).synthesize(patterns)
    assert with_reasons.output == reply
    [bare] = DataSynthesizer(
        SynthesisConfig(min_confidence=0.0, include_reasoning=False)
    ).synthesize(patterns)
    assert bare.output == "I'd go with Memcached for the cache."


def test_a_short_answer_naming_one_option_is_the_recommendation():
    assert decisions(
        "Should I lease or buy a car? I drive 30,000 km a year.",
        "Buy. Leases cap the distance you can drive, and at 30,000 km a year the excess fees add up.",
    ) == [
        {
            "decision": "Buy.",
            "context": "Should I lease or buy a car? I drive 30,000 km a year.",
            "reasoning": "Leases cap the distance you can drive, and at 30,000 km a year the excess fees add up.",
        }
    ]
    # the verb the user asks about is the first option
    assert (
        decisions(
            "Should I refactor this module or rewrite it?",
            "Refactor it. Rewrites take longer than planned and lose old bug fixes.",
        )[0]["decision"]
        == "Refactor it."
    )
    # a short opening that names neither option recommends nothing
    assert (
        decisions(
            "Should I lease or buy a car?",
            "Good question. Leases cap the distance; buying costs more up front.",
        )
        == []
    )


def test_a_recommendation_that_closes_its_paragraph_takes_the_reasons_before_it():
    user = "Is it worth upgrading from a Pixel 6 to a Pixel 8?"
    reply = "Probably not. The changes are small and your phone still gets updates. I'd wait for the 10."
    assert decisions(user, reply) == [
        {
            "decision": "I'd wait for the 10.",
            "context": user,
            "reasoning": "Probably not. The changes are small and your phone still gets updates.",
        }
    ]
    from loomcore import DataSynthesizer, MemoryEnricher, PatternExtractor, SynthesisConfig

    from ..conftest import raw_memory

    enriched = MemoryEnricher().enrich(raw_memory(user, reply))
    patterns = [
        p
        for p in PatternExtractor(0.0).extract_patterns([enriched])
        if p.pattern_type == "decision"
    ]
    [example] = DataSynthesizer(SynthesisConfig(min_confidence=0.0)).synthesize(patterns)
    assert example.output == reply  # the reasons, then the recommendation, as written


def test_torn_between_is_a_choice_and_the_best_way_to_is_a_how_to():
    user = "I'm torn between PostgreSQL and MySQL for a new SaaS. Thoughts?"
    reply = "I'd lean towards PostgreSQL. It has richer types and better window functions."
    assert [d["decision"] for d in decisions(user, reply)] == ["I'd lean towards PostgreSQL."]
    steps = (
        "First, learn 20 words a day. Then listen to podcasts. After that, book a tutor. "
        "Finally, keep a journal in the language."
    )
    assert decisions("What is the best way to learn a language quickly?", steps) == []
    found = mine_exchange("What is the best way to learn a language quickly?", steps, "procedure")
    assert [p["task"] for p in found] == ["learn a language quickly"]


def test_an_opening_yes_or_no_answers_a_choice_about_one_option():
    user = "Should I replace my 8-year-old boiler this summer?"
    reply = (
        "Yes, replace it before winter. Boilers that old lose a fifth of their efficiency, "
        "and summer installs are cheaper."
    )
    assert decisions(user, reply) == [
        {
            "decision": "Yes, replace it before winter.",
            "context": user,
            "reasoning": "Boilers that old lose a fifth of their efficiency, and summer installs are cheaper.",
        }
    ]
    assert [
        d["decision"]
        for d in decisions(
            "Is it worth learning Latin?",
            "No, not for your goals. Spanish would serve your travel plans better.",
        )
    ] == ["No, not for your goals."]
    # "A or B?" is not answered by a yes
    assert decisions("Should I take the bus or the train?", "Yes, it depends on the day.") == []


def test_a_versus_question_is_a_choice():
    user = "Kafka vs RabbitMQ for a small job queue?"
    reply = "I'd go with RabbitMQ here. It is simpler to run and handles job queues out of the box."
    assert [d["decision"] for d in decisions(user, reply)] == ["I'd go with RabbitMQ here."]
    # a versus in a statement is no question
    assert decisions("I read a post on Kafka vs RabbitMQ.", reply) == []


def test_leaving_the_choice_to_the_user_is_no_recommendation():
    reply = (
        "Both are good. If you want jobs, React has more openings; if you want an easy start, "
        "Vue feels closer to HTML. Pick whichever matches your goal."
    )
    assert decisions("Should I learn React or Vue first?", reply) == []
    assert decisions("Should I learn React or Vue first?", "Go with React. It has more jobs.") == [
        {
            "decision": "Go with React.",
            "context": "Should I learn React or Vue first?",
            "reasoning": "It has more jobs.",
        }
    ]


def test_which_with_a_longer_noun_phrase_before_should_asks_for_a_choice():
    reply = "Start with SQL. Nearly every analyst job uses it daily."
    assert decisions("Which programming language should a data analyst learn first?", reply) == [
        {
            "decision": "Start with SQL.",
            "context": "Which programming language should a data analyst learn first?",
            "reasoning": "Nearly every analyst job uses it daily.",
        }
    ]
