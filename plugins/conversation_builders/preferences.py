"""Preference pairs from the answers a user regenerated away (``--format dpo``).

A reader that keeps the answers the user saw and did not keep (the ChatGPT
export reader: sibling answers to one question in ``mapping``) puts them in
the conversation; each becomes a pair for the same prompt: ``chosen`` the
answer on the branch the export ends on (``current_node``), ``rejected``
the other one.  This is a weak signal: the user may have regenerated for
variety, or gone back to an earlier branch for another reason; the pair
says only which answer the conversation went on from.

The prompt keeps the exchanges before it (``history``) and the system
prompt, as much of the history as the token budget leaves room for (the
oldest exchanges go first).  A pair whose two answers are the same text
(a regeneration that gave the same answer), or whose answer is empty after
redaction, is left out, counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from loomcore_plugins.conversation_builders.whole import MESSAGE_OVERHEAD

from loomcore import hookimpl
from loomcore.contracts import ConversationBuilder
from loomcore.model import Dialogue, SynthesisConfig, TokenBudget, TrainingExample, stable_id
from loomcore.text.sentences import normalise_space


def build(
    dialogue: Dialogue,
    config: SynthesisConfig,
    budget: TokenBudget,
    skipped: Callable[[str], None],
) -> Iterator[TrainingExample]:
    """One (prompt, chosen, rejected) example per answer the user did not keep."""
    for alt in dialogue.alternatives:
        memory = dialogue.exchanges[alt.exchange]
        prompt, chosen, rejected = (
            memory.user_input.strip(),
            memory.system_output.strip(),
            alt.text.strip(),
        )
        if not (prompt and chosen and rejected):
            skipped("preference: a prompt or answer empty after redaction")
            continue
        if normalise_space(chosen) == normalise_space(rejected):
            skipped("preference: the regenerated answer is the same text")
            continue
        history = [
            (m.user_input, m.system_output)
            for m in dialogue.exchanges[: alt.exchange]
            if m.user_input.strip() and m.system_output.strip()
        ]

        fixed = sum(
            budget.count(t) + MESSAGE_OVERHEAD
            for t in (dialogue.system, prompt, chosen, rejected)
            if t
        )
        sizes = [budget.count(u) + budget.count(a) + 2 * MESSAGE_OVERHEAD for u, a in history]
        while history and budget.limit is not None and fixed + sum(sizes) > budget.limit:
            history, sizes = history[1:], sizes[1:]  # the oldest context goes first
        if budget.limit is not None and fixed > budget.limit:
            skipped(f"preference: over max_tokens {budget.limit:,} without any history")
            continue
        yield TrainingExample(
            instruction=prompt,
            output=chosen,
            rejected=rejected,
            system=dialogue.system,
            history=tuple(history),
            pattern_type="preference",
            kind="preference",
            confidence=memory.importance or 0.0,
            source={
                "path": memory.source.path,
                "index": memory.source.index,
                "format": memory.source.format,
                "conversation_id": dialogue.id,
                "memory_id": memory.id,
                "signal": alt.signal,
            },
            id=stable_id("preference", memory.id, chosen, rejected),
        )


@hookimpl
def register_conversation_builders(register):
    register(
        ConversationBuilder(
            "regenerated_answers",
            "preference",
            build,
            description="preference pairs: the kept answer over the one regenerated away",
        )
    )
