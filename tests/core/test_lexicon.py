"""Word lists and word tests that the miners share."""

from loomcore.text.lexicon import same_noun, starts_imperative


def test_same_noun_in_either_number_but_not_a_word_that_only_starts_alike():
    pairs = [
        ("bacterium", "bacteria"),
        ("mitochondrion", "mitochondria"),
        ("analysis", "analyses"),
        ("matrix", "matrices"),
        ("category", "categories"),
        ("cat", "cats"),
        ("Virus", "viruses"),
    ]
    assert [same_noun(a, b) for a, b in pairs] == [True] * len(pairs)
    others = [
        ("processor", "procession"),
        ("process", "processor"),
        ("cat", "cut"),
        ("ant", "ants!"),
    ]
    assert [same_noun(a, b) for a, b in others] == [False] * len(others)


def test_how_to_verbs_that_are_seldom_nouns_start_a_command():
    assert starts_imperative("Insulate exposed pipes.")
    assert starts_imperative("Allocate resources: set aside a budget.")
    # words that are as often nouns need a word after them that follows a verb
    assert not starts_imperative("Water boils at 100 °C.")
