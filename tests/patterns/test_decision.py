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
