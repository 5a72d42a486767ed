"""lead(): a look-ahead for a pattern's first characters, and never a different match."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from loomcore_plugins.enrichers import default as enricher
from loomcore_plugins.patterns import comparison, definition

from loomcore.text import question, smalltalk, standalone
from loomcore.text.regex import first_chars, lead

# the patterns the text layer and the plugins run behind lead()
LED = {
    "points_down": standalone._POINTS_DOWN,
    "leans_back": standalone._LEANS_BACK,
    "searched": standalone._SEARCHED,
    "other_language": standalone._OTHER_LANGUAGE,
    "creative": definition._CREATIVE,
    "solve": question._SOLVE,
    "choice": question._CHOICE,
    "asks_for_steps": question._ASKS_FOR_STEPS,
    "asks_back": smalltalk._ASKS_BACK,
    "caps_run": enricher._CAPS_RUN,
    "url": standalone._URL,
    "pointer": standalone._POINTER,
    "choose": standalone._CHOOSE,
    "earlier": standalone._EARLIER,
    "template_talk": standalone._TEMPLATE_TALK,
    "contrast": comparison._CONTRAST,
}
_HEAD = re.compile(r"\(\?=\[[0-9A-Za-z]+\]\)\(\?:(.*)\)", re.DOTALL)


def _bare(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern as written, without the look-ahead lead() put before it."""
    m = _HEAD.fullmatch(pattern.pattern)
    assert m is not None, pattern.pattern
    return re.compile(m.group(1), pattern.flags)


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple]:
    return [(m.span(), m.groups(), m.groupdict()) for m in pattern.finditer(text)]


def test_first_characters_read_from_the_pattern():
    assert first_chars(re.compile(r"\b(?:see below|is shown|the (?:code|x))\b")) == {"s", "i", "t"}
    assert first_chars(re.compile(r"(?<![\w-])[A-C][a-z]+")) == {"A", "B", "C"}
    assert first_chars(re.compile(r"(?:ab)+c")) == {"a"}
    # what it cannot tell: an optional start, a category, a negated class, local flags
    for pattern in (r"a?b", r"\w+", r"[^a]b", r"(?i:a)b", r"\b", r"a|\d"):
        assert first_chars(re.compile(pattern)) is None, pattern


def test_lead_puts_the_look_ahead_before_the_pattern():
    led = lead(re.compile(r"\b(?:Because|if)\b", re.IGNORECASE))
    assert led.pattern == r"(?=[bi])(?:\b(?:Because|if)\b)"
    assert led.flags & re.IGNORECASE
    plain = re.compile(r"\w+ing")
    assert lead(plain) is plain  # nothing to gain: left as it is
    assert lead(re.compile(r"`x`")).pattern == "`x`"  # a mark first: no look-ahead


@pytest.mark.parametrize("name", sorted(LED))
def test_every_led_pattern_has_its_look_ahead(name):
    assert _HEAD.fullmatch(LED[name].pattern), name


_ODD = "İıſK\u00a0\t\n -'.,?:"


@settings(max_examples=60)
@given(st.data())
def test_the_same_matches_as_the_pattern_as_written(data):
    name = data.draw(st.sampled_from(sorted(LED)))
    pattern = LED[name]
    bare = _bare(pattern)
    # texts of the pattern's own letters and words, and letters IGNORECASE folds oddly
    words = re.findall(r"[a-z]{2,}", bare.pattern)[:60]
    text = data.draw(
        st.lists(
            st.one_of(
                st.sampled_from(words),
                st.sampled_from([w.upper() for w in words] + [w.title() for w in words]),
                st.text(alphabet=st.sampled_from(_ODD + "abcsikAB9"), max_size=4),
            ),
            max_size=14,
        ).map(" ".join)
    )
    assert _matches(pattern, text) == _matches(bare, text)


def test_known_texts_match_as_before():
    text = "The code below is shown below. As I said, should I use X or Y? Calculate 3 + 4."
    for name, pattern in LED.items():
        assert _matches(pattern, text) == _matches(_bare(pattern), text), name
    assert [m.group(0) for m in question._SOLVE.finditer(text)] == ["Calculate"]
    assert [m.group(0) for m in standalone._LEANS_BACK.finditer(text)] == ["As I said"]
