"""asks_back's substring gate never changes its answer."""

from hypothesis import given
from hypothesis import strategies as st

from loomcore.text.smalltalk import _ASKS_BACK, asks_back

SAID = [
    "Could you tell me more about the error?",
    "COULD YOU SHARE the file",
    "How can I help you today?",
    "how can İ help",  # a letter IGNORECASE folds to i
    "What would you like to do next?",
    "Can you be more specific?",
    "The cache holds the results.",
    "You can run it twice.",
]


def test_asks_back_on_known_sentences():
    assert [asks_back(s) for s in SAID] == [bool(_ASKS_BACK.search(s)) for s in SAID]
    assert [asks_back(s) for s in SAID] == [True, True, True, True, True, True, False, False]


WORDS = ["could", "you", "YOU", "tell", "how", "can", "i", "İ", "ı", "help", "HELP", "what"]
WORDS += ["would", "like", "be more specific", "elaborate", "share", "x", "?", ","]


@given(st.lists(st.sampled_from(WORDS)))
def test_asks_back_is_the_search(words):
    sentence = " ".join(words)
    assert asks_back(sentence) == bool(_ASKS_BACK.search(sentence))
