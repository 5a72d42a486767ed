"""Whole conversations, with a training flag on every assistant message.

One example per conversation (``--conversations``): the system prompt, then
every exchange in order.  An exchange the run would not train on (scored
below ``--min-importance``: small talk, thanks) stays as context with its
flag off (weight 0); an exchange that redaction left empty is removed (a
chat format refuses an empty message); trailing exchanges with their flag
off are cut, as they teach nothing and a trainer that ignores the flags
would learn from them.  A conversation with no exchange worth training on
gives nothing.

Under the token budget (``--max-tokens``) a long conversation is split at
exchange boundaries, never inside a message, so each part ends with a whole
assistant message and the format's end-of-turn token after it.  A part
that starts with a follow-up ("and the second one?") keeps the exchange
before it as context, flag off, when it fits; an exchange over the budget
on its own is left out, counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from loomcore import hookimpl
from loomcore.contracts import ConversationBuilder
from loomcore.model import (
    Dialogue,
    Memory,
    SynthesisConfig,
    TokenBudget,
    TrainingExample,
    is_follow_up,
    stable_id,
)

# tokens a chat template adds around one message (role header, end-of-turn token)
MESSAGE_OVERHEAD = 4

Part = list[tuple[Memory, bool]]


def cost(memory: Memory, budget: TokenBudget) -> int:
    """Tokens of one exchange in a chat template: both messages and their markers."""
    return (
        budget.count(memory.user_input) + budget.count(memory.system_output) + 2 * MESSAGE_OVERHEAD
    )


def _trimmed(part: Part) -> Part:
    while part and not part[-1][1]:
        part = part[:-1]
    return part


def split(
    turns: Part, system: str, budget: TokenBudget, skipped: Callable[[str], None]
) -> list[Part]:
    """``turns`` in parts of at most ``budget.limit`` tokens, cut between exchanges."""
    base = budget.count(system) + MESSAGE_OVERHEAD if system else 0
    if budget.limit is None or base + sum(cost(m, budget) for m, _ in turns) <= budget.limit:
        return [turns]
    parts: list[Part] = []
    current: Part = []
    size = base
    for i, (memory, train) in enumerate(turns):
        c = cost(memory, budget)
        if base + c > budget.limit:
            skipped(
                f"conversation: an exchange over max_tokens {budget.limit:,} on its own, left out"
            )
            parts.append(current)
            current, size = [], base
            continue
        if current and size + c > budget.limit:
            parts.append(current)
            current, size = [], base
            # the history the question needs: the exchange before, as context only
            before = turns[i - 1][0] if i else None
            if (
                before is not None
                and is_follow_up(memory.user_input)
                and base + cost(before, budget) + c <= budget.limit
            ):
                current, size = [(before, False)], base + cost(before, budget)
        current.append((memory, train))
        size += c
    parts.append(current)
    return [p for p in map(_trimmed, parts) if any(t for _, t in p)]


def example(dialogue: Dialogue, part: Part, number: int | None) -> TrainingExample:
    """One part of a conversation as an example: earlier exchanges in
    ``history``, the last as instruction and output, a weight per reply."""
    *earlier, (last, _) = part
    trained = [m.importance or 0.0 for m, t in part if t]
    source = {
        "path": last.source.path,
        "index": last.source.index,
        "format": last.source.format,
        "conversation_id": dialogue.id,
        "memory_ids": [m.id for m, _ in part],
    }
    if number is not None:
        source["part"] = number
    return TrainingExample(
        instruction=last.user_input,
        output=last.system_output,
        system=dialogue.system,
        history=tuple((m.user_input, m.system_output) for m, _ in earlier),
        pattern_type="conversation",
        kind="conversation",
        weights=tuple(int(t) for _, t in part),
        confidence=round(max(trained), 4) if trained else 0.0,
        source=source,
        id=stable_id("conversation", dialogue.id, [m.id for m, _ in part]),
    )


def build(
    dialogue: Dialogue,
    config: SynthesisConfig,
    budget: TokenBudget,
    skipped: Callable[[str], None],
) -> Iterator[TrainingExample]:
    """The conversation as one example, or as parts of it under the budget."""
    turns: Part = []
    for memory, train in zip(dialogue.exchanges, dialogue.train, strict=True):
        if not memory.user_input.strip() or not memory.system_output.strip():
            skipped("conversation: an exchange empty after redaction, removed")
            continue
        turns.append((memory, train))
    turns = _trimmed(turns)
    if not turns:
        skipped("conversation: no exchange worth training on (small talk only)")
        return
    parts = split(turns, dialogue.system, budget, skipped)
    for n, part in enumerate(parts):
        yield example(dialogue, part, n if len(parts) > 1 else None)


@hookimpl
def register_conversation_builders(register):
    register(
        ConversationBuilder(
            "whole_conversation",
            "conversation",
            build,
            description="whole conversations, a training flag per assistant message",
        )
    )
