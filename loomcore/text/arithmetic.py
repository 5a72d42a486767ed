"""Sums a reply writes out, worked again: "(8 + 8 - 32)/(2 * 8) = -0.5" is wrong.

A reply that states a sum and its result teaches the result; when the two
disagree, the example teaches a mistake.  Only what can be worked out
exactly is looked at: numbers (thousands commas and ``$`` allowed), ``+ - *
/ ^ ( )``, ``×``, ``÷``, ``·`` and ``x`` between numbers, ``²``/``³``,
``sqrt``/``√``, on one line, between ``=`` signs, outside code (where ``=``
assigns).  Anything with a letter, a unit, a percent, a factorial, a
hexadecimal number or a range is left alone, and so is a whole reply about
binary, XOR or remainders, ``^`` in a reply about code (XOR there), and a
result written rounded or cut to its last decimal (``22/7 = 3.14``,
``= 3.34 × 10^-5``).  A line may also restate the left side of the line
before it ("cos(ABC) = (8 + 8 - 32)/(2 * sqrt(8) * sqrt(8))" then
"cos(ABC) = -0.5"): the two values must agree.

Untrusted text: lines, the sides of an ``=`` and expressions are bounded in
length, powers in size and equations in number, and the expressions are
evaluated by walking their syntax tree (never ``eval``).
"""

from __future__ import annotations

import ast
import itertools
import math
import operator
import re

from loomcore.text.standalone import prose

# one "=" that states equality (not ==, <=, >=, !=, =>)
_EQUALS = re.compile(r"(?<![=<>!:])=(?![=>])")
# the characters a sum is written with; a segment of anything else is not one
_SUM = re.compile(r"[\d\s.+\-*/^()×÷·²³]*")
_SQRT = re.compile(r"(?:\\sqrt|sqrt|√)\s*")
_THOUSANDS = re.compile(r"\b\d{1,3}(?:,\d{3})+\b")
_TIMES_X = re.compile(r"(?<=[\d)])\s*[x×·]\s*(?=[\d(])")
_HEX = re.compile(r"\b0[xX][0-9a-fA-F]")
_RANGE = re.compile(r"\d+-\d+")  # "days 1-7"
_BINARY = re.compile(r"[01]{3,}")  # "1010 = 1*2^3 + 0*2^2 + 1*2^1 + 0 = 10"
# an operation between two operands (a leading minus is a sign)
_OPERATION = re.compile(r"[\d).]\s*(?:[+\-*/^×÷·x]|\*\*)\s*[-(\d.√s$]|[\d)][²³]|sqrt|√")
# a number written rounded: "0.333", "3.34 × 10^-5", "6.02e23"
_LITERAL = re.compile(r"[-+]?\d+(?:\.(\d+))?(?:\.\.\.)?")
_SCIENTIFIC = re.compile(
    r"[-+]?\d+(?:\.(\d+))?\s*(?:(?:\*|×|x|·)\s*10\s*(?:\^|\*\*)\s*\(?([-+]?\d{1,3})\)?|[eE]([-+]?\d{1,3}))"
)
# where numbers are not decimal sums: bases, bits, remainders ("In binary,
# 1 + 1 = 10", "5 ^ 3 = 6 in XOR", "17 mod 5 = 2"); such a reply is left alone
_OTHER_ARITHMETIC = re.compile(
    r"\b(?:binary|base[- ]?(?:2|8|16)|hexadecimal|hex|octal|xor|bitwise|modul[oa]r?|mod)\b",
    re.IGNORECASE,
)
# where "^" may be XOR: a reply with code or about a programming language
_CODE_TALK = re.compile(
    r"```|\b(?:[Ii]n|[Uu]sing) (?:C|C\+\+|C#|Java|JavaScript|Python|Go|Rust|PHP|Ruby)\b|"
    r"\b[Pp]rogramming\b"
)
# words that make the numbers after them part of a larger sum said in words
_WORKS_ON = frozenset(
    [
        "of",
        "by",
        "from",
        "than",
        "per",
        "in",
        "to",
        "into",
        "over",
        "under",
        "divided",
        "times",
        "plus",
        "minus",
        "half",
        "twice",
    ]
)
_LINE_LIMIT = 4000
_SIDE_LIMIT = 200  # characters of a side of an "=" that a sum is looked for in
_EQUATIONS_LIMIT = 200

_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


class _NotASum(Exception):
    pass


def _value(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _value(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _value(node.operand)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _value(node.left), _value(node.right)
        if isinstance(node.op, ast.Pow) and (abs(right) > 64 or abs(left) > 1e6):
            raise _NotASum  # a power too large to be a worked sum
        if isinstance(node.op, ast.Div) and right == 0:
            raise _NotASum
        result = _OPERATORS[type(node.op)](left, right)
        if isinstance(result, complex) or math.isinf(result) or math.isnan(result):
            raise _NotASum
        return float(result)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "sqrt"
        and len(node.args) == 1
        and not node.keywords
    ):
        inner = _value(node.args[0])
        if inner < 0:
            raise _NotASum
        return math.sqrt(inner)
    raise _NotASum


def _segment_value(segment: str, powers: bool = True) -> tuple[float, float | None] | None:
    """The value of one side of an "=" and, for a number as written, how far
    it may be from the sum's exact value (one unit of its last decimal: it
    was rounded or cut), or None if the side is no sum."""
    text = segment.strip().strip("*").replace("$", "").strip()
    if not text or len(text) > 120 or "%" in text or "!" in text or _HEX.search(text):
        return None
    if _RANGE.fullmatch(text) or _BINARY.fullmatch(text) or (not powers and "^" in text):
        return None  # "days 1-7", a number in binary, "2 ^ 3" where it may be XOR
    text = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), text)
    scientific = _SCIENTIFIC.fullmatch(text)
    text = _TIMES_X.sub("*", text)
    text = text.replace("\\times", "*").replace("\\cdot", "*").replace("\\div", "/")
    text = _SQRT.sub("sqrt", text)
    if not any(c.isdigit() for c in text) or not _SUM.fullmatch(text.replace("sqrt", "")):
        return None  # a letter, a unit, a brace, a comma of a list
    text = text.replace("^", "**").replace("×", "*").replace("÷", "/").replace("·", "*")
    text = text.replace("²", "**2").replace("³", "**3")
    try:
        value = _value(ast.parse(text, mode="eval"))
    except (SyntaxError, ValueError, ArithmeticError, _NotASum, RecursionError, MemoryError):
        return None
    tolerance: float | None = None
    literal = _LITERAL.fullmatch(text)
    if literal is not None:
        tolerance = 10.0 ** -len(literal.group(1) or "")
    elif scientific is not None:
        exponent = int(scientific.group(2) or scientific.group(3))
        tolerance = 10.0 ** (exponent - len(scientific.group(1) or ""))
    return value, tolerance


def _agree(a: tuple[float, float | None], b: tuple[float, float | None]) -> bool:
    (x, tx), (y, ty) = a, b
    if math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
        return True
    # a result written rounded or cut: within a unit of its last decimal
    # (less than a unit: a sum of whole numbers off by one is wrong)
    return any(t is not None and abs(x - y) < t * (1 - 1e-9) for t in (tx, ty))


# a list's marker ("- 4 + 6 = 10", "2. 3 * 4 = 12") is no minus and no number
# ("-5 + 3 = -2" starts with one)
_MARKER = re.compile(r"^\s*(?:[-*+•>]|\d{1,2}[.)])\s+")


def _prose_lines(text: str) -> list[str]:
    # outside code, as the standalone gate reads it (one cached computation for both)
    return [
        _MARKER.sub("", line, count=1)
        for line in prose(text).splitlines()
        if "=" in line and len(line) <= _LINE_LIMIT
    ]


def wrong_sum(text: str) -> str | None:
    """The first written sum whose stated result is wrong, as written on its
    line; None when every sum that can be worked out agrees."""
    if "=" not in text or _OTHER_ARITHMETIC.search(text):
        return None
    powers = _CODE_TALK.search(text) is None
    checked = 0
    computed: tuple[str, tuple[float, float | None]] | None = None  # last line's "name = sum"
    for line in _prose_lines(text):
        parts = _EQUALS.split(line)
        if len(parts) < 2:
            computed = None
            continue
        # each "=": the sum that ends before it against the one that starts after it
        for left, right in itertools.pairwise(parts):
            tail, head = _tail_sum(left[-_SIDE_LIMIT:]), _head_sum(right[:_SIDE_LIMIT])
            if not (_OPERATION.search(tail) or _OPERATION.search(head)):
                continue  # two numbers ("5% of 80 = 4"): nothing is worked out
            a, b = _segment_value(tail, powers), _segment_value(head, powers)
            if a is None or b is None:
                continue
            checked += 1
            if checked > _EQUATIONS_LIMIT:
                return None
            if not _agree(a, b):
                return line.strip()
        # "cos(ABC) = (8 + 8 - 32)/16" then "cos(ABC) = -0.5": one name, one value
        name = parts[0].strip().lower()
        value = (
            _segment_value(_head_sum(parts[1][:_SIDE_LIMIT]), powers) if len(parts) == 2 else None
        )
        named = bool(name) and len(name) < 40 and _tail_sum(parts[0][-_SIDE_LIMIT:]) == ""
        if named and value is not None:
            restated = computed is not None and computed[0] == name and value[1] is not None
            if restated and computed is not None and not _agree(computed[1], value):
                return line.strip()
            # only a worked sum is restated; a number as written may be a new value
            computed = (name, value) if value[1] is None else None
        else:
            computed = None
    return None


# a sum is at the end of the text before an "=" and at the start of the text
# after one: prose ("So the total is 12 + 4") around it is no part of it; a
# comma is in a sum only as a thousands separator ("= 17, so ..." ends at 17)
_SUM_TEXT = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|[\d\s.+\-*/^()×÷·√$x²³]|sqrt)"
_SUM_START = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|[-(\d√$]|sqrt)"
_TAIL = re.compile(rf"(?:^|[:;,]\s|\s(?=[-(\d√s$]))({_SUM_START}{_SUM_TEXT}*)$")
_HEAD_SUM = re.compile(rf"^\s*({_SUM_START}{_SUM_TEXT}*)")


def _tail_sum(left: str) -> str:
    m = _TAIL.search(left.rstrip())
    if m is None:
        return ""
    before = left[: m.start(1)]
    # "f(2) = 4", "x2 = 5": a name's argument or index is no sum
    if before and (before[-1].isalnum() or before[-1] in "_)]"):
        return ""
    # "half of 10 + 2 = 6": the words before it work on it too
    words = before.split()
    if words and words[-1].lower().strip(",") in _WORKS_ON:
        return ""
    # "x + 4 - 4 = 10 - 4": what comes before is part of the same sum
    if before.rstrip()[-1:] in ("+", "-", "*", "/", "^", "×", "÷", "·", "(", "="):
        return ""
    return m.group(1)


def _head_sum(right: str) -> str:
    m = _HEAD_SUM.match(right)
    if m is None:
        return ""
    rest = right[m.end() :]
    # "= 3 apples" is a sum, "= 3x" or "= 2(a+b)" is not
    if rest[:1].isalpha() and not rest[:2].isspace() and not right[m.end() - 1].isspace():
        return ""
    return m.group(1)
