"""The text layer's exchange-scoped memos: the same results as the functions
computed afresh, a new list for every caller, a bounded size, emptied before
every exchange."""

from loomcore.model import Memory
from loomcore.options import RunOptions
from loomcore.stages.work import process_memory
from loomcore.text import memo, sentences, standalone
from loomcore.text.sentences import split_sentences

TEXTS = [
    "",
    "   ",
    "Dr. Smith arrived at 3.5 p.m. on Monday. He left early!",
    "Use `a.b()` here. Then e.g. call it again? Yes.",
    "J. R. R. Tolkien wrote it. macOS is a name. it goes on.",
    'He said "stop." Then (quietly) left. The U.S. agreed',
]


def test_split_sentences_gives_what_a_fresh_split_gives():
    memo.new_exchange()
    fresh = sentences._sentences.__wrapped__  # the function without its memo
    for text in TEXTS * 2:  # the second round is read from the memo
        assert split_sentences(text) == list(fresh(text))
    assert split_sentences(TEXTS[2]) == [
        "Dr. Smith arrived at 3.5 p.m. on Monday.",
        "He left early!",
    ]
    assert sentences._sentences.cache_info().hits >= len(TEXTS)


def test_each_caller_gets_its_own_list():
    memo.new_exchange()
    first = split_sentences("One. Two.")
    first.append("changed by a caller")
    assert split_sentences("One. Two.") == ["One.", "Two."]


def test_a_memo_is_bounded_and_emptied_by_new_exchange():
    memo.new_exchange()
    size = sentences._sentences.cache_info().maxsize
    for i in range(size + 100):
        split_sentences(f"Sentence {i}. Another one.")
    assert sentences._sentences.cache_info().currsize == size
    memo.new_exchange()
    assert sentences._sentences.cache_info().currsize == 0


def test_the_standalone_memos_answer_as_the_checks_do():
    memo.new_exchange()
    cases = [
        ("Describe how to cook the following dish.Poached eggs", "Crack the eggs."),
        ("Rewrite the function above", "Here's the same logic in C#: ..."),
        ("What is a wok?", "A wok is a round pan."),
    ]
    for _ in range(2):
        for request, output in cases:
            assert standalone.unglue(request, output) == standalone.unglue.__wrapped__(
                request, output
            )
            assert standalone.leans_on_earlier(output) == standalone.leans_on_earlier.__wrapped__(
                output
            )
            for history in (False, True):
                assert standalone.dangling_reference(
                    request, "", history
                ) == standalone.dangling_reference.__wrapped__(request, "", history)
    assert standalone.unglue(*cases[0]) == (
        "Describe how to cook the following dish.\n\nPoached eggs"
    )
    assert standalone.leans_on_earlier(cases[1][1]) is True
    assert standalone.dangling_reference(cases[1][0], "", False) is True


def test_every_exchange_starts_with_empty_memos(registry):
    split_sentences("Left over from before. It is not kept.")
    memory = Memory(
        id="m1", metadata={"user_input": "What is a wok?", "system_output": "A wok is a pan."}
    )
    outcome = process_memory(registry, RunOptions(), memory)
    assert outcome.memory_id == "m1"
    before = sentences._sentences.cache_info()
    split_sentences("Left over from before. It is not kept.")
    after = sentences._sentences.cache_info()
    assert (after.hits, after.misses) == (before.hits, before.misses + 1)
