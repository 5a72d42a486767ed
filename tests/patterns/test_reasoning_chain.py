"""reasoning_chain: two or more explicit inferential steps to a conclusion."""

import attrs

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


def test_a_step_that_ends_in_a_colon_keeps_the_line_it_announces():
    reply = (
        "A crate holds 24 bottles and the truck carries 15 crates. "
        "First the bottles per truck: 24 × 15 = 360. Adding the spare crate gives us:\n\n"
        "360 + 24 = 384.\n\n"
        "Therefore one truck delivers 384 bottles."
    )
    assert chains(reply, "How many bottles does one truck deliver?") == [
        {
            "premise": "A crate holds 24 bottles and the truck carries 15 crates",
            "steps": [
                "First the bottles per truck: 24 × 15 = 360",
                "Adding the spare crate gives us: 360 + 24 = 384",
            ],
            "conclusion": "One truck delivers 384 bottles.",
        }
    ]


def test_a_colon_before_code_announces_the_code_not_the_next_sentence():
    reply = (
        "The loop runs once per item. With 3 items and 2 passes that is 3 × 2 = 6 runs. "
        "Here is the loop:\n\n```\nfor item in items:\n    run(item)\n```\n\n"
        "Each run takes 5 ms, so 6 runs take 6 × 5 = 30 ms.\n\n"
        "Therefore the whole job takes 30 ms."
    )
    [chain] = chains(reply, "How long does the job take?")
    assert chain["steps"] == [
        "With 3 items and 2 passes that is 3 × 2 = 6 runs",
        "Here is the loop",
        "Each run takes 5 ms, so 6 runs take 6 × 5 = 30 ms",
    ]


def test_an_interjection_is_no_premise():
    reply = (
        "Sure! Halving 40 gives 40 / 2 = 20. Halving again gives 20 / 2 = 10. "
        "Halving once more gives 10 / 2 = 5.\n\n"
        "So an eighth of 40 is 5."
    )
    assert chains(reply, "What is an eighth of 40?") == [
        {
            "premise": "Halving 40 gives 40 / 2 = 20",
            "steps": ["Halving again gives 20 / 2 = 10", "Halving once more gives 10 / 2 = 5"],
            "conclusion": "An eighth of 40 is 5.",
        }
    ]


def test_built_output_lists_the_steps_as_sentences():
    from loomcore import DataSynthesizer, MemoryEnricher, PatternExtractor, SynthesisConfig

    from ..conftest import raw_memory

    reply = (
        "Each crate holds 24 bottles. So, let's count the crates: 15 crates × 24 = 360 bottles. "
        "Adding the spare crate gives 360 + 24 = 384.\n\nTherefore one truck delivers 384 bottles."
    )
    enriched = MemoryEnricher().enrich(raw_memory("How many bottles?", reply))
    [pattern] = [
        p
        for p in PatternExtractor(0.0).extract_patterns([enriched])
        if p.pattern_type == "reasoning_chain"
    ]
    # the user asked to solve it: the example is the whole exchange
    [whole] = DataSynthesizer(SynthesisConfig(min_confidence=0.0)).synthesize([pattern])
    assert (whole.instruction, whole.output) == ("How many bottles?", reply)
    # as an excerpt (derived_examples), the chain is written out step by step
    excerpt = attrs.evolve(pattern, asked=False)
    [example] = DataSynthesizer(
        SynthesisConfig(min_confidence=0.0, derived_examples=True)
    ).synthesize([excerpt])
    assert example.output == (
        "Each crate holds 24 bottles.\n"
        "1. Let's count the crates: 15 crates × 24 = 360 bottles.\n"
        "2. Adding the spare crate gives 360 + 24 = 384.\n"
        "Therefore, one truck delivers 384 bottles."
    )


def test_a_premise_that_infers_in_the_same_sentence_keeps_only_its_first_clause():
    reply = (
        "A shelf holds 40 books, so 5 shelves hold 200 books. "
        "You own 260 books, which means 60 are left over.\n\n"
        "So you need a sixth and a seventh shelf."
    )
    assert chains(reply, "How many shelves do I need?") == [
        {
            "premise": "A shelf holds 40 books",
            "steps": ["5 shelves hold 200 books", "You own 260 books", "60 are left over"],
            "conclusion": "You need a sixth and a seventh shelf.",
        }
    ]


def test_a_worked_calculation_ends_in_its_result_without_therefore():
    reply = (
        "A pallet holds 40 boxes, so 12 pallets hold 480 boxes. Each box weighs 5 kg, "
        "which gives 2,400 kg of boxes. The truck adds 3,000 kg, so 2,400 + 3,000 = 5,400 kg."
    )
    assert chains(reply, "How heavy is the loaded truck?") == [
        {
            "premise": "A pallet holds 40 boxes",
            "steps": [
                "12 pallets hold 480 boxes",
                "Each box weighs 5 kg, which gives 2,400 kg of boxes",
                "The truck adds 3,000 kg",
            ],
            "conclusion": "2,400 + 3,000 = 5,400 kg.",
        }
    ]
    # an explanation with a few "so"s and no computed result is no chain
    assert (
        chains(
            "Tea has caffeine, so it wakes you. Milk softens it, so it is mild. "
            "Sugar sweetens it, so kids like it."
        )
        == []
    )


def test_a_calculation_told_in_words_is_a_chain():
    reply = (
        "The tank starts with 120 litres. Subtracting the 45 litres used on Monday leaves 75 litres. "
        "Subtracting the 30 litres used on Tuesday leaves 45 litres, so the tank has 45 litres left."
    )
    assert chains(reply, "How much water is left?") == [
        {
            "premise": "The tank starts with 120 litres",
            "steps": [
                "Subtracting the 45 litres used on Monday leaves 75 litres",
                "Subtracting the 30 litres used on Tuesday leaves 45 litres",
            ],
            "conclusion": "The tank has 45 litres left.",
        }
    ]
    # one computed sentence and a "so" make no chain
    assert (
        chains("The tank holds 120 litres. Adding 10 litres gives 130 litres, so it is full.") == []
    )


def test_two_sentences_with_a_marked_step_and_a_computed_result_are_a_chain():
    reply = "A dozen is 12 eggs, so 3 dozen is 36 eggs. Each carton holds 6, so 36 ÷ 6 = 6 cartons."
    assert chains(reply, "How many cartons for 3 dozen eggs?") == [
        {
            "premise": "A dozen is 12 eggs",
            "steps": ["3 dozen is 36 eggs", "Each carton holds 6"],
            "conclusion": "36 ÷ 6 = 6 cartons.",
        }
    ]
    # one computed line is no chain
    assert chains("Each carton holds 6, so 36 ÷ 6 = 6 cartons.") == []


def test_a_result_inferred_after_a_comma_and_therefore_ends_the_chain():
    reply = (
        "An hour has 3,600 seconds, so a day has 24 × 3,600 = 86,400 seconds. "
        "A week has 7 days, therefore a week has 7 × 86,400 = 604,800 seconds."
    )
    assert chains(reply, "How many seconds are in a week?") == [
        {
            "premise": "An hour has 3,600 seconds",
            "steps": ["a day has 24 × 3,600 = 86,400 seconds", "A week has 7 days"],
            "conclusion": "A week has 7 × 86,400 = 604,800 seconds.",
        }
    ]


def test_which_is_before_a_second_calculation_splits_the_sentence_into_two_steps():
    reply = (
        "The Sun is 150 million km away and light travels 300,000 km per second. "
        "So the trip takes 150,000,000 ÷ 300,000 = 500 seconds, which is 500 ÷ 60 ≈ 8.3 minutes. "
        "Therefore, sunlight reaches us in about 8 minutes."
    )
    assert chains(reply, "How long does sunlight take to reach Earth?") == [
        {
            "premise": "The Sun is 150 million km away and light travels 300,000 km per second",
            "steps": [
                "the trip takes 150,000,000 ÷ 300,000 = 500 seconds",
                "500 ÷ 60 ≈ 8.3 minutes",
            ],
            "conclusion": "Sunlight reaches us in about 8 minutes.",
        }
    ]


def test_a_decimal_in_the_second_calculation_still_splits_the_sentence():
    reply = (
        "Your tax is 22% of $60,000, which is 0.22 × $60,000 = $13,200. "
        "Subtracting that gives $60,000 − $13,200 = $46,800. "
        "So your take-home pay is about $46,800 a year."
    )
    assert chains(reply, "What is my pay after tax?") == [
        {
            "premise": "Your tax is 22% of $60,000",
            "steps": [
                "0.22 × $60,000 = $13,200",
                "Subtracting that gives $60,000 − $13,200 = $46,800",
            ],
            "conclusion": "Your take-home pay is about $46,800 a year.",
        }
    ]


def test_approximate_calculations_and_a_fronted_starting_point():
    reply = (
        "At 6 litres per 100 km, each litre takes you 100 ÷ 6 ≈ 16.7 km. "
        "With 50 litres, that's 50 × 16.7 ≈ 833 km. "
        "So you can drive about 830 km on a full tank."
    )
    assert chains(reply, "How far can I drive on a full tank?") == [
        {
            "premise": "At 6 litres per 100 km",
            "steps": [
                "each litre takes you 100 ÷ 6 ≈ 16.7 km",
                "With 50 litres, that's 50 × 16.7 ≈ 833 km",
            ],
            "conclusion": "You can drive about 830 km on a full tank.",
        }
    ]
