"""What a user's message asks for, read once and shared by the miners.

A miner sets ``asked`` on its pattern when the message asks for what the
pattern holds: then the whole reply answers it and the example is the whole
exchange (see :mod:`loomcore.compose`).  ``Question.of(text)`` is cached, so
every miner of one exchange reads the same parse.
"""

from __future__ import annotations

import re
from functools import lru_cache

import attrs

# "Why ...?", "What causes ...?", "How come ...?", "What happens if ...?",
# "What is the reason / effect ...", "Explain why ..."
_WHY = re.compile(
    r"(?:^|[\s(\"'])(?:why\b|how come\b|what (?:causes|caused|makes|made|leads? to|led to|"
    r"happens|happened|would happen|will happen|results? in)\b|"
    r"what (?:is|are|was|were) the (?:causes?|reasons?|effects?|consequences?|impacts?)\b|"
    r"(?:the )?(?:reasons?|causes?) (?:for|of|behind|why)\b|explain (?:why|how)\b|"
    r"(?:effects?|impacts?|consequences?) of\b)",
    re.IGNORECASE,
)
# "Calculate ...", "How many ...", "Solve ...", "What is 15% of 80?", "x + 3 = 7"
_SOLVE = re.compile(
    r"\b(?:calculate|compute|solve|evaluate|simplify|derive|prove|estimate|work out|figure out|"
    r"convert|find the (?:value|sum|product|area|volume|number|total|average|mean|probability|"
    r"answer|result|solution|derivative|integral|roots?|angle|distance|speed|time)|"
    r"how (?:many|much|long|far|fast|old|often|big|large|heavy|tall)|"
    r"what (?:is|are|was|will be) (?:the )?(?:total|sum|product|difference|probability|"
    r"result|answer|average|mean|value|number|cost|price|area|volume|speed|time)|"
    r"what (?:is|'s) -?\d)",
    re.IGNORECASE,
)
_ARITHMETIC = re.compile(r"\d\s*(?:[-+*/×÷^=%]|\bplus\b|\bminus\b|\btimes\b)\s*\(?-?\d")


@attrs.frozen
class Question:
    """The parts of a user message that the miners and the gates read."""

    text: str
    asks_why: bool
    asks_to_solve: bool

    @staticmethod
    def of(text: str) -> Question:
        """The parse of ``text`` (cached per text)."""
        return _parse(text)


@lru_cache(maxsize=256)
def _parse(text: str) -> Question:
    head = text[:4000]
    return Question(
        text=text,
        asks_why=bool(_WHY.search(head)),
        asks_to_solve=bool(_SOLVE.search(head) or _ARITHMETIC.search(head)),
    )
