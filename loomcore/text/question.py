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

from loomcore.text.clauses import asked_thing
from loomcore.text.regex import lead
from loomcore.text.sentences import normalise_space, split_sentences

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
_SOLVE = lead(_SOLVE)  # the same matches, tried only where one can begin
# a minus needs spaces round it, or a date ("2023-05-01") would be a sum
_ARITHMETIC = re.compile(r"\d\s*(?:[+*/×÷^=%]|\s-\s|\bplus\b|\bminus\b|\btimes\b)\s*\(?-?\d")


def sentences_of(text: str) -> list[str]:
    """A question's sentences, split as every reply is
    (:func:`loomcore.text.sentences.split_sentences`)."""
    return split_sentences(text)


# --- how-to questions (procedure) ---
_HOW = re.compile(
    r"\bhow (?:do|can|should|would|could|might|shall) (?:i|we|you|one)\s+(?P<task>[^?]+)|"
    r"\b(?:how|(?:the )?best way|the right way) to\s+(?P<task2>[^?]+)|"
    r"\b(?:steps|instructions|guide|process|directions|procedure|tutorial|recipe)\s+(?:to|for|on)\s+(?P<task3>[^?]+)",
    re.IGNORECASE,
)
# "Describe the steps to do so": the task is the whole request, not "do so"
_VAGUE_TASK = re.compile(r"^(?:do (?:so|it|this|that)|it|this|that|the following(?: task)?)$", re.I)
# Requests that ask for a way to do something, even without "how".
_ASKS_FOR_STEPS = re.compile(
    r"\b(?:how (?:do|can|should|would|could|might|shall|to)|steps?|step-by-step|instructions?|recipe|"
    r"algorithm|guide|tutorial|procedure|process|directions|walk me through)\b",
    re.IGNORECASE,
)
_ASKS_FOR_STEPS = lead(_ASKS_FOR_STEPS)  # the same matches, tried only where one can begin


def _resolve_it(task: str, question: str) -> str:
    head, _, last = task.rpartition(" ")
    thing = asked_thing(question)
    if head and thing and last.lower() in ("it", "them"):
        return f"{head} {thing}"
    return task


def task_of(question: str) -> tuple[str, bool]:
    """(what the user wants done, whether they asked for a way to do it)."""
    asked = bool(_ASKS_FOR_STEPS.search(question))
    for sentence in sentences_of(question.strip()):
        m = _HOW.search(sentence)
        if m:
            task = m.group("task") or m.group("task2") or m.group("task3") or ""
            task = normalise_space(task).rstrip(" .?!")
            if task and not _VAGUE_TASK.match(task):
                return _resolve_it(task, question), True
    return normalise_space(question).rstrip(" .?!"), asked


# --- choices (decision) ---
_CHOICE = re.compile(
    r"\b(?:should (?:i|we)|shall (?:i|we)|which (?:\w+ ){0,3}(?:should|is better|would you|do you|one)|"
    r"(?:do|would) you (?:recommend|suggest)|is it (?:better|worth|smarter|wise)|"
    r"what(?:'s| is| would be) (?:better|the best|best|your recommendation)|"
    r"better (?:to|option|choice)|recommend(?:ation)?|(?:torn|deciding|choosing|debating) between)\b",
    re.IGNORECASE,
)
_CHOICE = lead(_CHOICE)  # the same matches, tried only where one can begin
_OR_QUESTION = re.compile(r"^[^.?!]{1,80}\b(?:or|vs\.?|versus)\s[^.?!]{1,120}\?\s*$", re.IGNORECASE)
_HOW_SHOULD = re.compile(r"\bhow (?:should|do|can|would) (?:i|we)\b", re.IGNORECASE)


# "What's the best way to learn X?" asks how, not which
_BEST_WAY = re.compile(
    r"\bwhat(?:'s| is| would be) the best (?:way|approach|method|strategy|time|practice)s?\b",
    re.IGNORECASE,
)


def faces_choice(question: str) -> bool:
    q = normalise_space(question)
    if _BEST_WAY.search(q) and not re.search(r"\bor\b", q):
        return False
    if _HOW_SHOULD.search(q) and not re.search(r"\bor\b", q):
        return False
    if _CHOICE.search(q):
        return True
    return any(_OR_QUESTION.match(s) for s in sentences_of(q))


@attrs.frozen
class Question:
    """The parts of a user message that the miners and the gates read."""

    text: str
    asks_why: bool  # "Why ...?", "What causes ...?", "What happens if ...?"
    asks_to_solve: bool  # "Calculate ...", "How many ...?", "What is 15% of 80?"
    asks_how: bool  # a way to do something ("How do I ...?", "steps to ...")
    task: str  # what the user wants done ("set up a read replica"), else the whole message
    asks_to_choose: bool  # "Should I use A or B?", "Which ... is better?"

    @staticmethod
    def of(text: str) -> Question:
        """The parse of ``text`` (cached per text)."""
        return _parse(text)


@lru_cache(maxsize=256)
def _parse(text: str) -> Question:
    head = text[:4000]
    task, asks_how = task_of(text)
    return Question(
        text=text,
        asks_why=bool(_WHY.search(head)),
        asks_to_solve=bool(_SOLVE.search(head) or _ARITHMETIC.search(head)),
        asks_how=asks_how,
        task=task,
        asks_to_choose=faces_choice(text),
    )
