"""One example per purpose: how the patterns of one exchange become its examples.

A pattern *annotates* an exchange (it holds a procedure, a definition, a
comparison); an example must *stand alone*: a reader who sees nothing but its
instruction, input, history and output accepts it as a complete exchange.

So when the user's own message asks for what a pattern holds ("How do I ...?"
and the reply's steps), the example is the whole exchange: the question and
the whole reply, never one section of it (:func:`whole_answer`).  Several
builders then make the same example; :func:`compose` keeps it once, named by
the most specific builder, with every pattern type found in the exchange in
its ``labels``.  Patterns the user did not ask about (``asked`` False: a
definition met in passing) give examples only with
``SynthesisConfig.derived_examples``, since their outputs are excerpts of the
reply; and no example is kept whose output is a fragment of another's to the
same instruction.  A miner that does not say (``asked`` None, as third-party
miners written before this) has its examples built and kept like an asked
one's: the same-example and fragment rules still apply to them.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from loomcore.model import (
    EnrichedMemory,
    Pattern,
    SynthesisConfig,
    TrainingExample,
    make_example,
    without_courtesy,
)
from loomcore.text.sentences import normalise_space


def answer_text(memory: EnrichedMemory | None, answer: str) -> str:
    """The reply without trailing courtesy lines ("Let me know if ...");
    a builder has it as ``pattern.origin.answer``."""
    return answer if memory is None else without_courtesy(answer, memory.reply_doc)


def whole_answer(pattern: Pattern, config: SynthesisConfig) -> TrainingExample:
    """The user's message as instruction and the whole reply as output: the
    example for a pattern the user asked for (``pattern.asked``)."""
    origin = pattern.origin
    if origin is None:
        raise ValueError("a whole-answer example needs the pattern's origin (pattern.origin)")
    return make_example(pattern, config, origin.question.strip(), origin.answer)


@attrs.frozen
class Built:
    """An example as a builder made it, with what :func:`compose` weighs."""

    example: TrainingExample
    asked: bool | None  # the pattern's ``asked``
    priority: int = 0


def _norm(text: str) -> str:
    return normalise_space(text).casefold()


def compose(
    built: Iterable[Built], labels: Iterable[str], config: SynthesisConfig
) -> list[TrainingExample]:
    """The examples of one exchange, one per purpose, in the order built.

    ``labels`` are the exchange's pattern types; every kept example carries
    them (sorted, once each).
    """
    kept: dict[tuple, Built] = {}
    for b in built:
        if b.asked is False and not config.derived_examples:
            continue
        e = b.example
        # the same example told apart by spacing or case is still the same
        key = (_norm(e.instruction), _norm(e.input), _norm(e.output), e.history)
        # the same example from two builders: the more specific one names it
        if key not in kept or b.priority > kept[key].priority:
            kept[key] = b
    examples = [b.example for b in kept.values()]
    outputs = [_norm(e.output) for e in examples]
    out: list[TrainingExample] = []
    for i, e in enumerate(examples):
        # a fragment of another example's output to the same instruction
        # teaches a part as if it were the whole ("How to cook corn?"
        # answered by one step of nine)
        if any(
            j != i
            and e.instruction == examples[j].instruction
            and len(outputs[j]) > len(outputs[i])
            and outputs[i] in outputs[j]
            for j in range(len(examples))
        ):
            continue
        out.append(e)
    tags = tuple(sorted(set(labels)))
    return [attrs.evolve(e, labels=tags) for e in out]
