"""causal: one pattern per marker, clauses trimmed at clause boundaries and self-contained."""

from ..conftest import mine_exchange


def causal(reply, user="Why?"):
    return mine_exchange(user, reply, "causal")


def test_because_gives_effect_then_cause():
    assert causal("Queries get faster because the database can jump straight to the entries.") == [
        {"cause": "the database can jump straight to the entries", "effect": "Queries get faster"}
    ]


def test_which_leads_to_after_a_colon_label():
    assert causal(
        "- **Old yeast**: expired yeast produces less gas, which leads to a loaf that barely rises."
    ) == [{"cause": "expired yeast produces less gas", "effect": "a loaf that barely rises"}]


def test_leading_because_of_and_is_caused_by():
    reply = (
        "Because of the GIL, CPU-bound code doesn't get faster with threads: they take turns. "
        "Muscle soreness is caused by tiny micro-tears in the fibres."
    )
    assert causal(reply) == [
        {"cause": "the GIL", "effect": "CPU-bound code doesn't get faster with threads"},
        {"cause": "tiny micro-tears in the fibres", "effect": "Muscle soreness"},
    ]


def test_if_consequence_is_causal_but_conditional_advice_is_not():
    reply = (
        "If you keep lifting the same weight, your progress will stall. "
        "If you need speed, use a process pool. "
        "If the pain is sharp, sits in a joint or lasts a week, get it checked. "
        "Even if you stay on AWS, Terraform helps."
    )
    assert causal(reply) == [
        {"cause": "you keep lifting the same weight", "effect": "your progress will stall"}
    ]


def test_modals_belong_to_the_marker_and_cuts_must_be_clean():
    reply = (
        "This method is quicker but can sometimes lead to errors in idioms. "
        "The Revolution eventually led to the rise of Napoleon. "
        "Here is a list of five of the most common causes of academic failure. "
        "`POST` is not, which causes duplicate orders. "
        "This is because the air is dry."
    )
    assert causal(reply) == [{"cause": "The Revolution", "effect": "the rise of Napoleon"}]


def test_so_since_and_when_are_not_markers():
    reply = (
        "It is hot, so the dough rises. Since it is cold, wait. When I was young, I lived in Paris."
    )
    assert causal(reply) == []


def test_inline_code_is_kept_whole():
    assert causal(
        "Any edit invalidates the `COPY . .` layer, which causes `pip install` to run again."
    ) == [
        {
            "cause": "Any edit invalidates the `COPY . .` layer",
            "effect": "`pip install` to run again",
        }
    ]


def test_a_one_word_subject_is_a_cause_or_an_effect():
    assert causal(
        "Inflation is usually caused by demand growing faster than supply.",
        "What causes inflation?",
    ) == [{"cause": "demand growing faster than supply", "effect": "Inflation"}]
    assert causal(
        "Deforestation can lead to soil erosion and floods.", "Is deforestation bad?"
    ) == [{"cause": "Deforestation", "effect": "soil erosion and floods"}]
    # the last word of a list is no clause of its own
    found = causal(
        "Firms save on hardware, software, and facilities because the provider runs them.",
        "Why use the cloud?",
    )
    assert "facilities" not in [c["effect"] for c in found]


def test_a_one_word_effect_asks_what_causes_it():
    from loomcore_plugins.patterns.causal import instruction_for

    evidence = "Inflation is usually caused by demand growing faster than supply."
    assert (
        instruction_for("demand growing faster than supply", "Inflation", evidence)
        == "What causes inflation?"
    )


def test_a_gerund_subject_is_a_cause_and_a_hedge_is_no_effect():
    assert causal("Overwatering leads to root rot, which starves the plant.") == [
        {"cause": "Overwatering", "effect": "root rot"}
    ]
    # "Most likely because X": the hedge is not what X causes
    assert causal("Most likely because the cache expired before the request.") == []
    assert causal("Probably because the cache expired.") == []
    assert causal("Nothing causes more outages than a full disk.") == []


def test_a_negation_stays_with_its_clause_and_and_if_ends_the_effect():
    assert causal(
        "Because no single server takes all the requests, the site stays fast, "
        "and if one server fails the others take over."
    ) == [{"cause": "no single server takes all the requests", "effect": "the site stays fast"}]
    # "No," opening an answer is an interjection, not part of the clause
    assert causal("No, the build fails because the cache is stale.") == [
        {"cause": "the cache is stale", "effect": "the build fails"}
    ]


def test_the_noun_cause_of_is_no_second_marker():
    assert causal(
        "Overwatering is the most common cause of root rot, because soggy soil starves the roots."
    ) == [
        {
            "cause": "soggy soil starves the roots",
            "effect": "Overwatering is the most common cause of root rot",
        }
    ]


def test_an_effect_loses_the_hedge_and_copula_before_its_marker():
    assert causal("Bread goes stale mainly because of starch retrogradation.") == [
        {"cause": "starch retrogradation", "effect": "Bread goes stale"}
    ]
    assert causal("Evening slowdowns are usually due to network congestion.") == [
        {"cause": "network congestion", "effect": "Evening slowdowns"}
    ]


def test_an_effect_ends_where_the_next_causal_link_is_joined():
    assert causal(
        "Smoke can cause coughing and chest pain, and long exposure can lead to lung damage."
    ) == [
        {"cause": "Smoke", "effect": "coughing and chest pain"},
        {"cause": "long exposure", "effect": "lung damage"},
    ]


def test_one_lower_case_noun_after_the_marker_is_a_clause():
    assert causal("Chronic stress can also cause insomnia.") == [
        {"cause": "Chronic stress", "effect": "insomnia"}
    ]
    assert causal("The ball falls due to gravity.") == [
        {"cause": "gravity", "effect": "The ball falls"}
    ]
    # a whole list before the marker is the cause, not its lower-case tail
    assert causal("Poor sleep, diet and stress cause weight gain.") == [
        {"cause": "Poor sleep, diet and stress", "effect": "weight gain"}
    ]


def test_a_fronted_setting_and_a_reporting_verb_are_no_part_of_the_clause():
    assert causal("In your script, the import fails because the package is not installed.") == [
        {"cause": "the package is not installed", "effect": "the import fails"}
    ]
    assert causal("A 2019 survey found that remote work leads to longer hours.") == [
        {"cause": "remote work", "effect": "longer hours"}
    ]


def test_a_plural_noun_after_a_possessive_or_preposition_is_no_verb():
    from loomcore_plugins.patterns.causal import instruction_for

    evidence = "Napoleon's reforms led to a unified legal code."
    assert instruction_for("Napoleon's reforms", "a unified legal code", evidence) == (
        "What is the effect of Napoleon's reforms?"
    )
    evidence = "The misuse of antibiotics leads to resistant bacteria."
    assert instruction_for("The misuse of antibiotics", "resistant bacteria", evidence) == (
        "What is the effect of the misuse of antibiotics?"
    )
    evidence = "People skip breakfast, which leads to snacking."
    assert instruction_for("People skip breakfast", "snacking", evidence) == (
        "What happens when people skip breakfast?"
    )
    evidence = "Today's diets lead to more diabetes."
    assert instruction_for("Today's diets", "more diabetes", evidence) == (
        "What is the effect of today's diets?"
    )


def test_results_in_an_idiom_is_a_noun_not_the_marker():
    assert causal("The loader keeps intermediate results in memory, which makes reruns fast.") == []
    assert causal("Skipping warm-up results in injuries.") == [
        {"cause": "Skipping warm-up", "effect": "injuries"}
    ]


def test_a_hyphenated_word_is_a_one_word_cause():
    assert causal(
        "Dense bread is usually caused by under-proofing: the dough rose too little."
    ) == [{"cause": "under-proofing", "effect": "Dense bread"}]


def test_a_pronoun_may_close_a_gerund_cause_but_no_question_asks_about_it():
    from loomcore_plugins.patterns.causal import instruction_for

    evidence = "Breaking it can result in fines of up to 4% of turnover."
    assert causal(evidence) == [{"cause": "Breaking it", "effect": "fines of up to 4% of turnover"}]
    assert instruction_for("Breaking it", "fines of up to 4% of turnover", evidence) is None
    # a longer phrase holds what its pronoun means
    evidence = "If more people want to buy a stock than sell it, the price rises."
    assert instruction_for(
        "more people want to buy a stock than sell it", "the price rises", evidence
    ) == ("What happens if more people want to buy a stock than sell it?")


def test_a_hedge_between_copula_and_caused_by_belongs_to_the_marker():
    assert causal("Inflation is mainly caused by demand growing faster than supply.") == [
        {"cause": "demand growing faster than supply", "effect": "Inflation"}
    ]
    assert causal("Migraines are largely caused by changes in brain activity.") == [
        {"cause": "changes in brain activity", "effect": "Migraines"}
    ]


def test_what_you_will_need_under_a_condition_is_advice():
    assert causal("If you plan to work or study, you will need the appropriate visa.") == []
    assert causal("If you skip the primer, you'll need an extra coat.") == []
    assert causal("If you unplug it mid-update, you will lose the firmware.") == [
        {"cause": "you unplug it mid-update", "effect": "you will lose the firmware"}
    ]


def test_comma_because_after_a_causal_link_explains_the_links_effect():
    sentence = (
        "Opening the oven too early can cause the cake to fall, "
        "because the drop in temperature stops the rise."
    )
    assert causal(sentence) == [
        {"cause": "Opening the oven too early", "effect": "the cake to fall"},
        {"cause": "the drop in temperature stops the rise", "effect": "the cake to fall"},
    ]
    # without the comma, "because" belongs to the clause it follows: no second link
    assert causal("The policy is likely to lead to hazards that people face due to smog.") == []


def test_a_hedge_after_caused_and_a_sum_that_is_no_clause():
    assert causal("Tides are caused mainly by the Moon's gravity.") == [
        {"cause": "the Moon's gravity", "effect": "Tides"}
    ]
    assert causal("A triangle with legs 3 and 4 has a hypotenuse of 5, because 9 + 16 = 25.") == []


def test_a_thing_caused_is_asked_what_causes_it_and_an_event_why():
    from loomcore_plugins.patterns.causal import instruction_for

    evidence = "A weak starter leads to a dense loaf, because it makes too little gas."
    assert instruction_for("it makes too little gas", "a dense loaf", evidence) == (
        "What causes a dense loaf?"
    )
    evidence = "The import fails because the package is not installed."
    assert instruction_for("the package is not installed", "The import fails", evidence) == (
        "Explain why the import fails."
    )


def test_the_link_is_in_the_main_clause_after_a_subordinate_one():
    sentence = (
        "When the gas reaches your eyes, it forms a mild acid, which causes a stinging sensation."
    )
    assert causal(sentence) == [{"cause": "it forms a mild acid", "effect": "a stinging sensation"}]


def test_a_condition_on_what_the_reader_needs_sets_up_advice():
    assert causal("If you need Windows, the ThinkPad T14 is a solid alternative.") == []
    assert causal("If you want a 20% tip, the tip amount would be $10.") == []


def test_a_fronted_time_before_a_quantified_subject_is_no_part_of_the_cause():
    sentence = "In the evening, more people are streaming video, which leads to congestion."
    assert causal(sentence) == [
        {"cause": "more people are streaming video", "effect": "congestion"}
    ]


def test_the_causal_miner_runs_only_where_the_shared_scan_finds_its_markers():
    from loomcore_plugins.patterns.causal import CausalMiner

    from loomcore.text.mining import markers_in

    # the words every causal marker holds, declared once for the one scan
    assert {"because", "due", "caused", "leads", "if"} <= set(CausalMiner.markers)
    assert "causal" in markers_in("It broke **because** the fuse blew.")
    assert "causal" not in markers_in("The fuse blew and the lights went out.")
    # emphasis around a marker word does not hide it from the scan
    reply = "Queries get faster **because** the database can jump straight to the entries."
    assert causal(reply) == [
        {"cause": "the database can jump straight to the entries", "effect": "Queries get faster"}
    ]
    assert causal("The database jumps straight to the entries. Queries get faster.") == []


def test_an_if_is_read_where_the_sentence_holds_if_in_any_case():
    # the "if" reading runs only where "if" is written; IGNORECASE folds
    # "İ" and "ı" to "i" (lower() does not), so a text that is not ASCII is read anyway
    from loomcore_plugins.patterns.causal import pairs

    expected = [("it rains", "the roads get wet", 0.8)]
    assert list(pairs("If it rains, the roads get wet.")) == expected
    assert list(pairs("İf it rains, the roads get wet.")) == expected
    assert list(pairs("ıf it rains, the roads get wet.")) == expected
    assert list(pairs("When it rains, the roads get wet.")) == []
