"""The miners' toolkit: word lists read from data files, tokens with their
closed-class tags, clauses with their kind and span, and the base classes
whose one marker scan per exchange decides which miners run."""

import attrs
import pytest

from loomcore.text import lexicon
from loomcore.text.clauses import Clause, split_clauses
from loomcore.text.mining import (
    MarkerMiner,
    MarkerSentenceMiner,
    SentenceMiner,
    markers_in,
)
from loomcore.text.segment import segment
from loomcore.text.tokens import tokenize


def test_word_lists_are_data_files_read_once():
    assert lexicon.word_list("articles") == frozenset({"a", "an", "the"})
    assert lexicon.word_list("articles") is lexicon.word_list("articles")  # read once
    assert lexicon.word_list("articles") == lexicon.ARTICLES
    # the classes are built from the files
    assert lexicon.ARTICLES | lexicon.word_list("determiners") == lexicon.DETERMINERS
    assert {"learn", "summarize"} <= lexicon.IMPERATIVE_VERBS
    # a comment line is no word
    assert not any(w.startswith("#") for w in lexicon.word_list("request_verbs"))
    assert (len(lexicon.PRONOUNS), len(lexicon.PREPOSITIONS)) == (59, 52)


def test_tokens_carry_their_span_and_closed_class():
    text = "That cache won't help in 3.5 cases, does it?"
    tokens = tokenize(text)
    assert [(t.text, t.tag) for t in tokens] == [
        ("That", "determiner"),
        ("cache", "word"),
        ("won't", "word"),
        ("help", "word"),
        ("in", "preposition"),
        ("3.5", "number"),
        ("cases", "word"),
        (",", "punct"),
        ("does", "auxiliary"),
        ("it", "pronoun"),
        ("?", "punct"),
    ]
    assert all(text[t.start : t.end] == t.text for t in tokens)
    # "that" is in two classes; its tag is the more specific one
    assert tokens[0].classes == frozenset({"determiner", "pronoun"})
    assert [t.closed for t in tokens[:2]] == [True, False]


def test_clauses_with_their_kind_and_span():
    sentence = (
        "The build fails when the cache is cold, which happens after a deploy, "
        "and the tests time out; restart it."
    )
    clauses = split_clauses(sentence)
    assert [(c.kind, c.text) for c in clauses] == [
        ("main", "The build fails when the cache is cold"),
        ("relative", "which happens after a deploy"),
        ("coordinate", "and the tests time out"),
        ("main", "restart it."),
    ]
    assert all(sentence[c.start : c.end] == c.text for c in clauses)
    assert split_clauses("If it rains, because of the wind, stay in.")[0] == Clause(
        "If it rains", 0, 11, "subordinate"
    )
    assert split_clauses("") == ()


@attrs.frozen
class Chat:
    user_input: str
    system_output: str

    @property
    def reply_doc(self):
        return segment(self.system_output)


class Because(MarkerSentenceMiner):
    name = "test_because"
    markers = ("because", "as a result")

    def sentence(self, exchange, block, index, sentence):
        yield (index, sentence.plain, self.marked(sentence.plain))


class Fences(MarkerMiner):
    name = "test_fences"
    markers = ("```",)

    def mine(self, exchange):
        yield from (b.text for b in exchange.reply_doc.blocks if b.kind == "code")


class Lengths(SentenceMiner):
    name = "test_lengths"

    def sentence(self, exchange, block, index, sentence):
        yield len(sentence.plain.split())


def test_one_scan_says_which_marker_miners_run():
    because, fences = Because(), Fences()
    reply = "It failed because the disk was full. As a result, the job stopped.\n\n```\nx = 1\n```"
    # one pass finds the markers of both miners, each by its name
    assert {"test_because", "test_fences"} <= markers_in(reply)
    assert markers_in("Nothing to see.") & {"test_because", "test_fences"} == frozenset()
    # "because" as a word only: "becausey" is no marker
    assert "test_because" not in markers_in("becausey")
    chat = Chat("Why did it fail?", reply)
    assert list(because(chat)) == [
        (0, "It failed because the disk was full.", ["because"]),
        (0, "As a result, the job stopped.", ["As a result"]),
    ]
    assert list(fences(chat)) == ["x = 1"]
    # a reply without the markers is not mined at all
    plain = Chat("Hi?", "Hello there. Nice day.")
    assert list(because(plain)) == [] and list(fences(plain)) == []
    assert list(Lengths()(plain)) == [2, 2]


def test_a_marker_miner_needs_a_name_and_markers():
    class Nameless(MarkerMiner):
        markers = ("x",)

    with pytest.raises(TypeError, match="Nameless needs a name and markers"):
        Nameless()


def test_the_word_lists_ship_with_the_package():
    import pathlib
    import tomllib

    root = pathlib.Path(__file__).resolve().parents[3]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    assert "words/*.txt" in config["tool"]["setuptools"]["package-data"]["loomcore.text"]
    shipped = {p.stem for p in (root / "loomcore" / "text" / "words").glob("*.txt")}
    assert {"articles", "pronouns", "prepositions", "imperative_verbs"} <= shipped
