"""reasoning_chain: two or more explicit inferential steps to a conclusion."""

from ..conftest import mine_exchange


def chains(reply, user="How many?"):
    return mine_exchange(user, reply, "reasoning_chain")


def test_worked_calculation_with_therefore():
    reply = (
        "Each epoch goes through the dataset once. 50,000 ÷ 64 = 781.25, so one epoch takes 782 steps. "
        "Over 10 epochs that's 782 × 10 = 7,820 steps.\n\n"
        "Therefore your run performs **7,820 optimizer steps** in total."
    )
    assert chains(reply) == [
        {
            "premise": "Each epoch goes through the dataset once",
            "steps": [
                "50,000 ÷ 64 = 781.25, so one epoch takes 782 steps",
                "Over 10 epochs that's 782 × 10 = 7,820 steps",
            ],
            "conclusion": "Your run performs 7,820 optimizer steps in total.",
        }
    ]


def test_list_of_calculations_after_an_intro():
    reply = (
        "1 kg of fat stores about 7,700 kcal.\n\n"
        "1. Total: 5 kg × 7,700 kcal = 38,500 kcal.\n"
        "2. Days: 38,500 ÷ 500 = 77 days.\n\n"
        "So you can expect it to take **about 11 weeks**."
    )
    [chain] = chains(reply)
    assert chain["premise"] == "1 kg of fat stores about 7,700 kcal"
    assert len(chain["steps"]) == 2
    assert chain["conclusion"] == "You can expect it to take about 11 weeks."


def test_one_sentence_with_so_splits_into_steps():
    reply = (
        "Closures look up variables when called. All lambdas share `i`, and the loop has finished, so `i` holds 2. "
        "Therefore every lambda returns 2."
    )
    [chain] = chains(reply)
    assert chain["steps"] == ["All lambdas share `i`, and the loop has finished", "`i` holds 2"]
    assert chain["conclusion"] == "Every lambda returns 2."


def test_single_inference_or_intensifier_so_is_no_chain():
    assert (
        chains(
            "Your rate is low now, so paying tax now locks it in. Decades of growth come out tax-free."
        )
        == []
    )
    assert (
        chains("The sky is so great and grand. The sea is so blue. So let us cherish it all.") == []
    )
