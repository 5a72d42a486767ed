"""The parsed question every miner of an exchange reads."""

import pytest

from loomcore.text.question import Question


def test_a_how_to_names_its_task():
    q = Question.of("How do I set up a PostgreSQL read replica?")
    assert (q.asks_how, q.task) == (True, "set up a PostgreSQL read replica")
    assert (q.asks_why, q.asks_to_choose) == (False, False)


def test_a_vague_task_is_the_whole_request():
    q = Question.of("I need to migrate the database. Describe the steps to do so.")
    assert q.asks_how is True
    assert q.task == "I need to migrate the database. Describe the steps to do so"


@pytest.mark.parametrize(
    "text",
    [
        "Should I use SQLite or PostgreSQL?",
        "Which laptop is better for travel?",
        "Redis vs Memcached?",
    ],
)
def test_a_choice(text):
    assert Question.of(text).asks_to_choose is True


def test_how_should_i_asks_how_not_which():
    assert Question.of("How should I store the sessions?").asks_to_choose is False


@pytest.mark.parametrize(
    ("text", "why", "solve"),
    [
        ("Why does ice float?", True, False),
        ("What happens if the pump fails?", True, False),
        ("What is 15% of 80?", False, True),
        ("A train leaves at 9:40 and takes 2 hours. When does it arrive? 9:40 + 2:00", False, True),
        ("How many bottles fit in 15 crates?", False, True),
        ("What is Thompson Sampling?", False, False),
    ],
)
def test_why_and_solve(text, why, solve):
    q = Question.of(text)
    assert (q.asks_why, q.asks_to_solve) == (why, solve)


def test_the_parse_is_shared():
    assert Question.of("Why?") is Question.of("Why?")


def test_a_date_is_no_sum():
    assert Question.of("What happened on 2023-05-01 in Paris?").asks_to_solve is False
    assert Question.of("What is 12 - 5?").asks_to_solve is True
