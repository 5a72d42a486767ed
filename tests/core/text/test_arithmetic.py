"""Sums written out in a reply are worked again; only exact arithmetic is read."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loomcore.text.arithmetic import wrong_sum

ANGLE = """First we find the distances between the points:
AB = sqrt((3 - 1)^2 + (4 - 2)^2) = sqrt(8)
BC = sqrt((5 - 3)^2 + (6 - 4)^2) = sqrt(8)

cos(ABC) = (AB^2 + BC^2 - AC^2)/(2 * AB * BC)
cos(ABC) = (8 + 8 - 32)/(2 * sqrt(8) * sqrt(8))
cos(ABC) = -0.5

So the angle ABC is 120 degrees."""


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        (ANGLE, "cos(ABC) = -0.5"),
        (
            "cos(C) = (a² + b² - c²) / (2ab) = (14² + 3² - 15²) / (2 * 14 * 3) = -0.357",
            "cos(C) = (a² + b² - c²) / (2ab) = (14² + 3² - 15²) / (2 * 14 * 3) = -0.357",
        ),
        ("So 2 + 2 = 5.", "So 2 + 2 = 5."),
        ("The area is 3 x 4 = 13 square metres.", "The area is 3 x 4 = 13 square metres."),
        ("Step 2: x = 12 / 4 = 4", "Step 2: x = 12 / 4 = 4"),
        ("It costs $3 + $4 = $8 in all.", "It costs $3 + $4 = $8 in all."),
    ],
)
def test_a_stated_result_that_the_sum_does_not_give_is_wrong(text, wrong):
    assert wrong_sum(text) == wrong


@pytest.mark.parametrize(
    "text",
    [
        ANGLE.replace("= -0.5", "= -1"),
        "22/7 = 3.14 and 1/3 = 0.333 and sqrt(8) = 2.83",  # rounded results
        "12 + 4 = 16 and 3 * 4 = 12",  # two sums on one line
        "- 4 + 6 = 10\n- 6 + 10 = 16\n2. 3 * 4 = 12",  # list markers are no minus
        "f(2) = 4, x = 3, E = mc^2, 2x + 3 = 7",  # names and algebra
        "x + 4 - 4 = 10 - 4",  # one side of an equation being solved
        "5% of 80 = 4, half of 10 + 2 = 7, 1 km = 1000 m",  # sums said in words
        "1010 = 1*2^3 + 0*2^2 + 1*2^1 + 0 = 10",  # binary
        "1,000 + 2,000 = 3,000",
        "total = 10\ntotal = 12",  # a new value, not a restated sum
        "```python\nx = 2 + 2\nx = 5\n```\nand `y = 1 + 1 = 3` in code",  # code assigns
        "2^3 = 8, (1+2)*3 = 9, 10 / 4 = 2.5, 1 - 2 = -1",
    ],
)
def test_sums_that_are_right_or_are_not_arithmetic_pass(text):
    assert wrong_sum(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "9^99999 = 1",  # a power too large to work out
        "(" * 5000 + "1" + ")" * 5000 + " = 2",  # nesting past any parser
        "1 = " * 10_000,
        ("2 + 2 = 4\n" * 5000),
    ],
)
def test_hostile_sums_are_bounded(text):
    assert wrong_sum(text) is None


_TERMS = st.integers(min_value=-50, max_value=50)


@st.composite
def sums(draw):
    values = draw(st.lists(_TERMS, min_size=2, max_size=5))
    ops = draw(
        st.lists(
            st.sampled_from(["+", "-", "*"]), min_size=len(values) - 1, max_size=len(values) - 1
        )
    )
    text = str(values[0])
    for op, v in zip(ops, values[1:], strict=True):
        text += f" {op} {v}" if v >= 0 else f" {op} ({v})"
    return text


@settings(max_examples=200, deadline=None)
@given(sums(), st.integers(min_value=1, max_value=9))
def test_hypothesis_a_right_sum_passes_and_a_wrong_one_is_found(expression, off):
    right = eval(expression)  # the test's own integer sums, never the input's
    assert wrong_sum(f"We get {expression} = {right}.") is None
    assert (
        wrong_sum(f"We get {expression} = {right + off}.")
        == f"We get {expression} = {right + off}."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Note that 0^-1 = undefined",  # a division by zero inside the sum
        "-5 + 3 = -2 and -2 * -3 = 6",  # a leading minus is no list marker
        "F = 6.67 × 10^-11 × 1000 × 2000 / 4 = 3.34 × 10^-5 N",  # rounded, in powers of ten
        "2 × 6.02 × 10^23 = 1.2 × 10^24",
        "2/3 = 0.666 when truncated",
        "0x10 = 16 in decimal; bit masks: 0x40 = 64",  # hexadecimal
        "In C, 2 ^ 3 = 1",  # XOR where code is talked about
        "5 ^ 3 = 6 in bitwise XOR",
        "In binary, 1 + 1 = 10",
        "Days 1-7 = 7 days",  # a range
    ],
)
def test_notations_that_are_not_decimal_sums_or_are_rounded_pass(text):
    assert wrong_sum(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "-5 + 3 = -3",
        "7 + 9 = 17, so we stop",  # a comma after the result
        "The total: " + "we add the costs up one by one and carry on " * 10 + "7 + 9 = 17 here",
        "1,000 + 2,000 = 3,001",
    ],
)
def test_wrong_results_after_a_sign_before_a_comma_or_in_a_long_line_are_found(text):
    assert wrong_sum(text) == text


def test_hostile_lines_under_the_line_limit_are_bounded():
    # one line each, of sums, spaces and brackets: the sides are read 200 characters deep
    for text in (
        "1 " * 1900 + "= 2",
        "(" * 1900 + "1" + ")" * 1900 + " = 2",
        "1+" * 1900 + "1 = 3",
    ):
        assert wrong_sum(text) is None
