"""qa_pair: the user asks (a question or a request) and the reply informs.

Not a qa_pair: small talk, a reply that only greets, thanks, refuses or asks
for more detail.  Content: ``question`` (the user message), ``answer`` (the
reply).
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
from loomcore.model import make_example, make_pattern
from loomcore.text.mining import Exchange, ExchangeMiner
from loomcore.text.smalltalk import asks_back, is_courtesy, is_refusal, is_small_talk

TYPE = "qa_pair"
MIN_WORDS = 5


# after a refusal, a pointer elsewhere is no answer ("Please check your
# device's clock", "If you need access, you could ask your neighbour")
_REDIRECT = re.compile(
    r"^(?:if [^,]{1,80},\s*)?(?:please\s+)?(?:you (?:can|could|might|may|should)|"
    r"i (?:recommend|suggest)|check|consult|contact|ask|try|consider|refer to|visit)\b",
    re.IGNORECASE,
)


def informative_sentences(memory: EnrichedMemory) -> list[str]:
    """Sentences of the reply that state something (not courtesy, not asking
    back, not declining, and after a refusal not a pointer elsewhere)."""
    out = []
    refused = False
    for block in memory.reply_doc.prose():
        for s in block.sentences:
            text = s.plain
            if is_refusal(text):
                refused = True
                continue
            if text.endswith("?") or text.endswith(",") or len(text.split()) < MIN_WORDS:
                continue
            if is_courtesy(text) or asks_back(text) or (refused and _REDIRECT.match(text)):
                continue
            out.append(text)
    return out


def _mine(memory: EnrichedMemory) -> Iterator[Pattern]:
    question = memory.user_input.strip()
    reply = memory.system_output.strip()
    informative = informative_sentences(memory)
    has_code = any(b.kind == "code" for b in memory.reply_doc.blocks) or any(
        b.code for b in memory.reply_doc.blocks
    )
    has_table = any(b.kind == "table" for b in memory.reply_doc.blocks)
    if not informative and not has_code and not has_table:
        return
    if any(asks_back(s.plain) for _, s in memory.reply_doc.sentences()) and len(informative) < 2:
        return
    certainty = min(1.0, 0.6 + 0.1 * len(informative) + (0.1 if has_code else 0.0))
    yield make_pattern(
        memory,
        TYPE,
        {"question": question, "answer": reply},
        certainty=certainty,
        evidence=reply[:300],
        asked=True,
    )


def build(pattern: Pattern, config: SynthesisConfig) -> Iterator[TrainingExample]:
    c = pattern.content
    yield make_example(
        pattern,
        config,
        c["question"],
        pattern.origin.answer if pattern.origin is not None else c["answer"],
    )


class QaPairMiner(ExchangeMiner[Pattern]):
    """A question or request and the reply that answers it; it reads no
    exchange where either side is empty or small talk ("thanks", "ok")."""

    name = TYPE

    def wants(self, exchange: Exchange) -> bool:
        question, reply = exchange.user_input.strip(), exchange.system_output.strip()
        return bool(question and reply) and not (is_small_talk(question) or is_small_talk(reply))

    def mine(self, memory: EnrichedMemory) -> Iterator[Pattern]:  # type: ignore[override]
        return _mine(memory)


MINER = QaPairMiner()


def mine(memory: EnrichedMemory) -> Iterator[Pattern]:
    """The qa_pair patterns of one exchange (the miner, called as a function)."""
    return MINER(memory)


@hookimpl
def register_miners(register):
    register(Miner(TYPE, MINER, description="a question or request and the reply that answers it"))


@hookimpl
def register_example_builders(register):
    # -1: a more specific builder names the same whole-answer example
    register(
        ExampleBuilder(
            TYPE,
            build,
            description="the question as instruction, the reply as output",
            priority=-1,
        )
    )
