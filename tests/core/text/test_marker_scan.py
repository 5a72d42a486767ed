"""The marker scan's look-ahead for first letters finds exactly what the
bare alternation finds."""

import re

from hypothesis import given
from hypothesis import strategies as st

from loomcore.text.mining import _alternation, _compiled

MARKERS = ["because", "as a result", "leads to", "If", "due", "results", "kelvin", "so"]
# letters IGNORECASE folds in ways of their own (İ ı ſ K), spaces of all kinds
_TEXT = st.text(
    alphabet=st.sampled_from("becausdltorfikvnBECAUSIKİıſK \n\t\u00a0,.-_1"), max_size=60
)


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def test_the_look_ahead_stands_before_the_alternation():
    assert _compiled(["because", "If"]).pattern == "(?=[bi])(?:\\b(?:because|If)\\b)"
    # a marker that starts on a mark gets none
    assert _compiled(["```", "because"]).pattern == _alternation(["```", "because"])
    text = "It failed because the cache was cold, and if so it leads to errors."
    assert [m.group(0) for m in _compiled(MARKERS).finditer(text)] == [
        "because",
        "if",
        "so",
        "leads to",
    ]


@given(_TEXT, st.lists(st.sampled_from(MARKERS), min_size=1, max_size=5))
def test_the_same_matches_as_the_bare_alternation(text, markers):
    bare = re.compile(_alternation(markers), re.IGNORECASE)
    assert _spans(_compiled(markers), text) == _spans(bare, text)
