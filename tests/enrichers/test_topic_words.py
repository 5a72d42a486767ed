"""The topic scan's faster forms find what the plain ones found: the same
words from one regex as matching and stripping the ends after, and the same
counts when only the words that can hit are looked at."""

import re
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st
from loomcore_plugins.enrichers import default as enricher

# the scan as it was written first: every word, every position
_PLAIN_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#/.'-]*")


def _plain_hits(text: str) -> Counter[str]:
    index, longest, starts = enricher._topic_index(None)
    words = [w.rstrip(".'-") for w in _PLAIN_TOKEN.findall(text.lower())]
    found: list[str] = []
    for i, word in enumerate(words):
        found.extend(index.get(word, ()))
        if word in starts:
            for n in range(2, longest + 1):
                found.extend(index.get(" ".join(words[i : i + n]), ()))
    return Counter(found)


_TEXT = st.text(alphabet=st.sampled_from("abcz09+#/.'- \nAİK"), max_size=80)


@given(_TEXT)
def test_the_topic_words_are_the_stripped_matches(text):
    low = text.lower()
    assert enricher._TOPIC_TOKEN.findall(low) == [
        w.rstrip(".'-") for w in _PLAIN_TOKEN.findall(low)
    ]


@given(st.lists(st.sampled_from(["machine", "learning", "python", "cache", "the", "x.'"])))
def test_topic_hits_count_as_the_plain_scan(words):
    text = " ".join(words)
    assert enricher._topic_hits(text) == _plain_hits(text)


def test_topic_hits_of_known_text():
    text = "Machine learning in Python. A python cache-"
    assert enricher._topic_hits(text) == _plain_hits(text)
    assert enricher._topic_hits(text)  # the taxonomy knows these words
    assert enricher._topic_hits("nothing here hits at all zzz") == Counter()
