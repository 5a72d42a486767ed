"""reasoning_chain: from a premise through two or more explicit inferential
steps to a conclusion.

Steps carry markers ("so", "which means", "therefore", "thus", "hence") or
are worked calculations ("50,000 ÷ 64 = 781.25", "Adding 3 hours gives
5:15 pm"); the conclusion is a
sentence that opens with Therefore / Thus / Hence / So.  A single inference
or a plain explanation is not a chain.  Content: ``premise``, ``steps``,
``conclusion``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from loomcore import (
    EnrichedMemory,
    ExampleBuilder,
    Miner,
    Pattern,
    SynthesisConfig,
    TrainingExample,
    hookimpl,
)
from loomcore.compose import whole_answer
from loomcore.model import make_example, make_pattern
from loomcore.text.clauses import tidy
from loomcore.text.question import Question
from loomcore.text.segment import Block
from loomcore.text.sentences import code_spans

TYPE = "reasoning_chain"
MIN_STEPS = 2

_CONCLUSION = re.compile(
    r"^(?:therefore|thus|hence|so|consequently|as a result|it follows that|that means|this means|all in all)\b,?\s*",
    re.IGNORECASE,
)
# "so" infers only when a clause follows ("..., so one epoch takes 782
# steps"); "so great and grand" is an intensifier.
_STEP = re.compile(
    r"(?:[,;]|\band)\s+so\s+(?:that's|that is|the|you|it|its|one|each|a|an|we|they|this|there|your|our|"
    r"their|i|[A-Z$`\d])|(?i:\bwhich means\b|\bthat means\b|\bwhich gives\b|\btherefore\b|\bthus\b|\bhence\b|\bit follows\b)",
)
# a number, an optional unit ("5 kg"), an operator, a number
_CALC = re.compile(
    r"\d[\d,.]*\s*(?:[A-Za-z%]{1,6}\s*)?(?:[×x*÷/+−–-]|times|divided by)\s*[$€£]?\d[\d,.]*"
)
# a step of a worked calculation told in words: "Adding 3 hours gives 5:15 pm",
# "Dividing by 12 leaves 40"
_COMPUTES = re.compile(
    r"^(?:adding|subtracting|multiplying|dividing|converting|doubling|halving|tripling|"
    r"rounding|summing|taking away|splitting)\b[^.;]*?\b(?:gives|yields|leaves|makes|equals|"
    r"comes to|brings (?:it|you|us|the \w+) to)\b([^.;]*)",
    re.IGNORECASE,
)
# the words after a comma that infer what follows from what came before
_INFERENCE = r"so|which means|that means|therefore|thus|hence"
# ", which is 500 ÷ 60 ≈ 8.3 minutes": a second calculation in the same sentence
_SPLIT = re.compile(
    rf",\s+(?:{_INFERENCE})\s+|;\s+|,\s+which (?:is|gives|equals)\s+(?=[^;]{{0,40}}?\d\s*[×x*÷/+−–-]\s*[$€£]?\d)",
    re.IGNORECASE,
)


def _without_code(text: str) -> str:
    spans = code_spans(text)
    if not spans:
        return text
    out, last = [], 0
    for s, e in spans:
        out.append(text[last:s])
        last = e
    out.append(text[last:])
    # a placeholder keeps "so `i` holds" a clause while hiding the code's own "=" and "/"
    return " CODE ".join(out)


def is_step(text: str) -> bool:
    prose = _without_code(text)
    return bool(_STEP.search(prose)) or _calculates(prose)


def _equation(text: str) -> bool:
    """A computed result: "5 × 4 = 20", "100 ÷ 6 ≈ 16.7"."""
    return ("=" in text or "≈" in text) and _CALC.search(text) is not None


def _calculates(text: str) -> bool:
    """A worked calculation: "5 × 4 = 20", or told in words ("Adding 3 hours gives 5:15 pm")."""
    if _equation(text):
        return True
    # the number is looked for after the match, not by the pattern: one pass,
    # where "[^.;]*\d" would rescan the clause after every "gives"
    m = _COMPUTES.match(text)
    return m is not None and re.search(r"\d", m.group(1)) is not None


def _join_colons(
    sentences: list[tuple[int, str]], blocks: tuple[Block, ...]
) -> list[tuple[int, str]]:
    """A sentence that ends in a colon announces the line after it ("Solving
    this gives us:" / "9 - 6 = 3."): the two are one step.  Not when a list
    follows (its items are steps of their own), nor code (the colon announced
    the code, which is not a sentence), nor another announcement."""
    out: list[tuple[int, str]] = []
    last_block = -1
    for bi, text in sentences:
        if (
            out
            and out[-1][1].endswith(":")
            and bi - last_block <= 1
            and blocks[bi].kind != "item"
            and not text.endswith(":")
        ):
            out[-1] = (out[-1][0], f"{out[-1][1]} {text}")
        else:
            out.append((bi, text))
        last_block = bi
    return out


# a result is also what a calculation "gives"
_INFERS = re.compile(rf",\s+(?:{_INFERENCE}|which gives)\s+", re.IGNORECASE)


def _worked_result(sentences: list[tuple[int, str]]) -> tuple[int, str, str] | None:
    """A worked calculation whose last sentence infers the result with no
    "Therefore" ("A week has 7 days, so 7 × 86,400 = 604,800 seconds"):
    (that sentence's index, what it infers from, the result).  Only after two
    marked steps, and only when the result is computed, so that an
    explanation with a few "so"s does not become a chain: one marked step
    before a computed result, two before a result in words."""
    at = len(sentences) - 1
    text = sentences[at][1]
    markers = list(_INFERS.finditer(text))
    if not markers:
        return None
    marker = markers[-1]  # what follows the last one is the result
    result = text[marker.end() :]
    before = text[: marker.start()]
    if _equation(result):
        # the computed result is an inference of its own: one marked step
        # before it makes the two a chain needs
        if sum(is_step(t) for _, t in sentences[:at]) < MIN_STEPS - 1:
            return None
    # "..., so the train arrives at 6:05 pm": a result in words, when what it
    # follows from and the step before it are both calculations
    elif not (
        re.search(r"\d", result)
        and _calculates(before)
        and sum(_calculates(t) for _, t in sentences[:at]) >= MIN_STEPS - 1
    ):
        return None
    return at, before, result


def mine(memory: EnrichedMemory) -> Iterator[Pattern]:
    blocks = memory.reply_doc.blocks
    sentences = _join_colons([(bi, s.plain) for bi, s in memory.reply_doc.sentences()], blocks)
    if len(sentences) < 2:
        return
    conclusion_at = None
    for i in range(len(sentences) - 1, 0, -1):
        if _CONCLUSION.match(sentences[i][1]) and not re.match(
            r"^so (?:far|much|many)\b", sentences[i][1], re.I
        ):
            conclusion_at = i
            break
    last_step = ""  # the inference the conclusion sentence opens with, when unmarked
    if conclusion_at is None:
        found = _worked_result(sentences)
        if found is None:
            return
        conclusion_at, last_step, result = found
    marked = [i for i in range(conclusion_at) if is_step(sentences[i][1])]
    if not marked:
        return
    first = marked[0]
    # the premise is the sentence before the first step: in the same paragraph,
    # or the sentence that introduces a list of steps
    same_block = first > 0 and sentences[first - 1][0] == sentences[first][0]
    list_intro = first > 0 and blocks[sentences[first][0]].kind == "item"
    premise_at = first - 1 if same_block or list_intro else first
    if premise_at < first and len(tidy(sentences[premise_at][1]).split()) < 3:
        premise_at = first  # "Sure!" opens the reply; it premises nothing
    premise = sentences[premise_at][1]
    steps = [sentences[i][1] for i in range(premise_at + 1, conclusion_at)]
    if len(steps) < MIN_STEPS:
        # split steps that chain inside one sentence ("..., so i holds 2")
        pieces = []
        for s in ([premise] if premise_at == first else []) + steps:
            pieces.extend(p for p in _SPLIT.split(s) if p.strip())
        if premise_at == first and pieces:
            # "A book has 300 pages, so 12 books are 3,600": the premise is
            # the first piece, and what it infers is the first step
            premise, pieces = pieces[0], pieces[1:]
            # "At 6 L per 100 km, each litre takes you 100 ÷ 6 ≈ 16.7 km.": a
            # first calculation with what it starts from fronted before a comma
            head, comma, tail = premise.partition(", ")
            if comma and len(head.split()) >= 2 and _calculates(tail) and not _calculates(head):
                premise, pieces = head, [tail, *pieces]
        steps = pieces
    steps = [tidy(s) for s in [*steps, last_step] if len(tidy(s).split()) >= 2]
    if len(steps) < MIN_STEPS:
        return
    raw = result if last_step else sentences[conclusion_at][1]
    conclusion = _CONCLUSION.sub("", raw, count=1).strip()
    conclusion = conclusion[:1].upper() + conclusion[1:]
    if len(conclusion.split()) < 3:
        return
    yield make_pattern(
        memory,
        TYPE,
        {"premise": tidy(premise), "steps": steps, "conclusion": conclusion},
        certainty=min(1.0, 0.7 + 0.1 * len(marked)),
        evidence=" ".join(s for _, s in sentences[premise_at : conclusion_at + 1]),
        asked=Question.of(memory.user_input).asks_to_solve,
    )


def build(pattern: Pattern, config: SynthesisConfig) -> Iterator[TrainingExample]:
    # the user asked for it: the whole exchange is the example (without
    # reasoning, the bare answer is what was asked for)
    if pattern.asked and config.include_reasoning:
        yield whole_answer(pattern, config)
        return
    c = pattern.content
    question = pattern.origin.question.strip() if pattern.origin is not None else ""
    instruction = question or f"Reason step by step: {c['premise']}"
    if config.include_reasoning:
        lines = [f"{c['premise']}."]
        lines += [f"{i}. {s[:1].upper()}{s[1:]}." for i, s in enumerate(c["steps"], start=1)]
        lines.append(f"Therefore, {c['conclusion'][:1].lower() + c['conclusion'][1:]}")
        output = "\n".join(lines)
    else:
        output = c["conclusion"]
    yield make_example(pattern, config, instruction, output)


@hookimpl
def register_miners(register):
    register(Miner(TYPE, mine, description="premise, explicit inferential steps, conclusion"))


@hookimpl
def register_example_builders(register):
    register(
        ExampleBuilder(TYPE, build, description="the question -> premise, steps and conclusion")
    )
