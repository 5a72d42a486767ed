"""comparison: two short names from the request, kept only when the reply names both."""

from ..conftest import mine_exchange

REPLY = "{a} is one thing and {b} is another; {a} is faster while {b} is safer for most teams."


def items(user, a, b):
    found = mine_exchange(user, REPLY.format(a=a, b=b), "comparison")
    return [(c["item_a"], c["item_b"]) for c in found]


def test_request_forms():
    assert items(
        "What's the difference between a Docker container and a virtual machine?",
        "Docker container",
        "virtual machine",
    ) == [("Docker container", "virtual machine")]
    assert items("Explain git rebase vs git merge.", "git rebase", "git merge") == [
        ("git rebase", "git merge")
    ]
    assert items(
        "Compare and contrast holographic imaging and x-ray imaging.",
        "holographic imaging",
        "x-ray imaging",
    ) == [("holographic imaging", "x-ray imaging")]
    assert items("When should I use a tuple instead of a list in Python?", "tuple", "list") == [
        ("tuple", "list")
    ]


def test_choice_questions_reduce_to_the_things():
    assert items(
        "Should I pay off my credit card (22% APR) or invest it in an index fund?",
        "credit card",
        "index fund",
    ) == [("credit card", "index fund")]
    assert items(
        "Which pan should I use for scrambled eggs, cast iron or nonstick?", "cast iron", "nonstick"
    ) == [("cast iron", "nonstick")]
    assert items(
        "What's the difference between an `INNER JOIN` and a `LEFT JOIN`?",
        "INNER JOIN",
        "LEFT JOIN",
    ) == [("`INNER JOIN`", "`LEFT JOIN`")]


def test_shared_head_noun_and_aspect_of():
    assert items(
        "Explain the difference between generative and discriminative models.",
        "generative models",
        "discriminative models",
    ) == [("generative models", "discriminative models")]
    assert items("Compare the health benefits of kiwi and mango.", "kiwi", "mango") == [
        ("kiwi", "mango")
    ]


def test_not_two_things():
    assert items("Should I do cardio before or after lifting weights?", "cardio", "weights") == []
    assert items("Why does this print [2, 2, 2] instead of [0, 1, 2]?", "[2", "[0") == []
    assert (
        items(
            "Write a tweet. Change will not come if we wait for some other person or some other time.",
            "person",
            "time",
        )
        == []
    )


def test_reply_must_name_both():
    found = mine_exchange(
        "Should I use PostgreSQL or MongoDB?",
        "I'd go with PostgreSQL because your data is relational and you need joins.",
        "comparison",
    )
    assert found == []


TUPLE_REPLY = (
    "A tuple is fixed once it is made, so Python stores exactly its items and nothing more.\n\n"
    "A list can grow, so it keeps spare slots at the end to make appends cheap. "
    "That headroom is why it takes more memory than a tuple of the same items."
)


def test_a_reply_that_weighs_two_things_in_paragraphs_of_their_own():
    [found] = mine_exchange(
        "Why does my_tuple take less memory than my_list?", TUPLE_REPLY, "comparison"
    )
    assert (found["item_a"], found["item_b"]) == ("tuple", "list")
    assert found["comparison"].startswith("A tuple is fixed once it is made")
    assert "\nA list can grow" in found["comparison"]


def test_parallel_paragraphs_need_a_contrasting_question_naming_both():
    # no contrast in the question: two paragraphs are not a comparison
    assert mine_exchange("Tell me about my_tuple and my_list.", TUPLE_REPLY, "comparison") == []
    # the question names only one of the two
    assert mine_exchange("Why is my_tuple smaller than before?", TUPLE_REPLY, "comparison") == []


def test_or_joins_like_with_like():
    """When B is "in Postgres", A is what follows the same preposition; a verb
    the question opens with ("learn") is not part of A."""
    from loomcore_plugins.patterns.comparison import items_of

    assert items_of("Should I store sessions in Redis or in Postgres?") == (
        "Redis",
        "Postgres",
        0.8,
    )
    assert items_of("Should I keep my savings in a bank or in index funds?") == (
        "bank",
        "index funds",
        0.8,
    )
    assert items_of("Should I learn Python or JavaScript?") == ("Python", "JavaScript", 0.8)
    # a head noun shared by both items still goes to both
    assert items_of("Should I study machine or deep learning?") == (
        "machine learning",
        "deep learning",
        0.8,
    )


def test_how_does_a_compare_with_b():
    from loomcore_plugins.patterns.comparison import items_of

    assert items_of("How do SSDs compare with HDDs?") == ("SSDs", "HDDs", 0.9)
    assert items_of("How does Rust compare to C++ for game engines?") == ("Rust", "C++", 0.9)
    assert items_of("How does the iPhone 15 stack up against the Pixel 8?") == (
        "iPhone 15",
        "Pixel 8",
        0.9,
    )


def test_a_dash_ends_the_second_name():
    assert items(
        "Redis vs Memcached — which should I pick for sessions?", "Redis", "Memcached"
    ) == [("Redis", "Memcached")]
    assert items("Vim vs Emacs - thoughts?", "Vim", "Emacs") == [("Vim", "Emacs")]


def test_code_names_are_items_whatever_word_they_spell():
    from loomcore_plugins.patterns.comparison import items_of

    assert items_of("Difference between `==` and `is` in Python?") == ("`==`", "`is`", 0.95)
    assert items_of("Should I use `let` or `var`?") == ("`let`", "`var`", 0.8)


def test_the_reply_may_name_an_item_in_its_other_number():
    found = mine_exchange(
        "What's the difference between a virus and a bacterium?",
        "Bacteria are living cells that reproduce alone. Viruses are not cells; they need a host.",
        "comparison",
    )
    assert [(c["item_a"], c["item_b"]) for c in found] == [("virus", "bacterium")]


def test_torn_between_a_and_b_names_the_two_things():
    from loomcore_plugins.patterns.comparison import items_of

    assert items_of("I'm torn between PostgreSQL and MySQL for a new SaaS.") == (
        "PostgreSQL",
        "MySQL",
        0.85,
    )


def test_a_bracket_inside_a_name_stays_and_one_after_a_space_goes():
    assert items(
        "Should I open a 529(b) plan or a Coverdell ESA?", "529(b) plan", "Coverdell ESA"
    ) == [("529(b) plan", "Coverdell ESA")]
    assert items(
        "What's the difference between RAM (memory) and an SSD (storage)?", "RAM", "SSD"
    ) == [("RAM", "SSD")]


def test_items_with_one_head_need_the_word_that_tells_them_apart():
    reply = (
        "I'd go for a standing desk, but alternate rather than stand all day. "
        "Switching positions reduces back stiffness."
    )
    user = "I'm deciding between a standing desk and a regular desk. Thoughts?"
    assert mine_exchange(user, reply, "comparison") == []
    reply = (
        "A standing desk lets you switch positions, while a regular desk is cheaper and steadier."
    )
    assert [(c["item_a"], c["item_b"]) for c in mine_exchange(user, reply, "comparison")] == [
        ("standing desk", "regular desk")
    ]


def test_it_in_how_is_it_different_is_the_thing_asked_about():
    user = "What is a Roth IRA and how is it different from a traditional IRA?"
    reply = "A Roth IRA is funded with after-tax money, while a traditional IRA is funded with pre-tax money."
    assert [(c["item_a"], c["item_b"]) for c in mine_exchange(user, reply, "comparison")] == [
        ("Roth IRA", "traditional IRA")
    ]
