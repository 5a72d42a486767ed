"""decision: the user faces a choice and the reply recommends one option, with a reason.

The user's message asks to choose ("Should I use A or B?", "Which is better
...?", "Do you recommend X?", "I'm torn between A and B"); the reply holds a
recommendation ("I'd go with A", "Use A", "A is the better pick", an
opening "Rent." that names one of the options, or an opening "Yes, ..." /
"No, ..." to a question about one option).  A reply that only lists options
is not a decision.  Content: ``decision`` (the recommendation, without the
reason the same sentence goes on to), ``context`` (the user's situation) and
``reasoning`` (the why: that reason and the sentences after it).
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
from loomcore.text.mining import Exchange, ExchangeMiner
from loomcore.text.question import Question
from loomcore.text.sentences import normalise_space

TYPE = "decision"
MAX_REASONING_SENTENCES = 3

_RECOMMEND = re.compile(
    r"\b(?:i'?d|i would|i'?ll|we'?d|i)\s+(?:strongly\s+|probably\s+|definitely\s+|personally\s+)?"
    r"(?:go with|recommend|suggest|pick|choose|lean (?:towards?|toward)|opt for|use|start with|"
    r"stick with|invest|pay|take|vote for|favou?r|prefer|go for)\b|"
    # "I'd wait for the 17": after "I'd", any of the choices people ask about
    r"\b(?:i'?d|i would|we'?d)\s+(?:probably\s+|definitely\s+|personally\s+)?"
    r"(?:wait|hold off|skip|keep|stay|avoid|buy|get|switch|upgrade|rent|lease|sell|hire|learn|move)\b|"
    r"\b(?:is|are) (?:usually |generally |probably |clearly |definitely |almost always )?"
    r"(?:the |a )?(?:better|best|right|safer|smarter|wiser) (?:pick|choice|option|bet|fit|call|move)\b|"
    r"\bmy (?:recommendation|advice|pick|vote) (?:is|would be)\b|"
    r"\byou should (?:go with|use|pick|choose|start|do|pay|invest|get|buy|opt)\b|"
    r"\b(?:go with|opt for|stick with)\b",
    re.IGNORECASE,
)
_IMPERATIVE_CHOICE = re.compile(
    r"^(?:[^,]{1,80},\s*)?(?:use|go|pick|choose|pay|start|stick|do|invest|buy|get|take|opt|keep|put|"
    r"switch|stay|avoid|skip|learn)\b",
    re.IGNORECASE,
)


# where a recommending sentence goes on to its reason: "I'd use Redis, because
# ...", "go with Go: it compiles fast", "pick A, which ..."
_REASON_START = re.compile(
    r"(?:,\s*|\s+)(?:because|since)\s+|,\s*(?:as|which|so)\s+|:\s+|\s+[—–]\s+|\s+-\s+",
    re.IGNORECASE,
)


def split_reason(sentence: str) -> tuple[str, str]:
    """(the recommendation, the reason given in the same sentence, or "").

    A reason that opens the sentence ("Since your goal is strength, lift
    first") stays: what follows it is the recommendation itself."""
    m = _REASON_START.search(sentence)
    if m is None or len(sentence[: m.start()].split()) < 2 or not sentence[m.end() :].strip():
        return sentence, ""
    return sentence[: m.start()].rstrip(" ,") + ".", sentence[m.end() :]


_OPTIONS = re.compile(r"([\w.+#-]+)\s+or\s+(?:(?:an?|the|to)\s+)?([\w.+#-]+)", re.IGNORECASE)
SHORT_ANSWER_WORDS = 4
_ASKED_VERB = re.compile(
    r"\b(?:should (?:i|we)|is it (?:better|worth|smarter|wise) to|better to)\s+([a-z]+)\b",
    re.IGNORECASE,
)


def names_an_option(sentence: str, question: str) -> bool:
    """A short sentence that answers "A or B?" with one of them: "Rent.",
    "Postgres, definitely." """
    words = [w.strip(".,;:!*`'\"").lower() for w in sentence.split()]
    if not words or len(words) > SHORT_ANSWER_WORDS:
        return False
    options = {w.lower() for m in _OPTIONS.finditer(question) for w in m.groups()}
    # "Should I refactor it or rewrite it?": the first option is the verb asked about
    options.update(w.lower() for w in _ASKED_VERB.findall(question))
    return any(w in options for w in words)


# "Yes, upgrade to 32 GB." / "No, wait for the sale.": an opening yes or no
# answers a question about one option ("Is it worth upgrading?", "Should we
# start with microservices?")
_YES_NO = re.compile(r"^(?:yes|no|absolutely|definitely|probably not|not yet)\b", re.IGNORECASE)


def answers_yes_no(sentence: str, question: str) -> bool:
    """An opening yes or no to a choice about one option (no "A or B") that
    goes on to say what to do: a bare "Probably not." leaves the
    recommendation to a later sentence ("I'd wait for the 10.")."""
    m = _YES_NO.match(sentence)
    return (
        m is not None
        and len(sentence[m.end() :].split()) >= 2
        and not re.search(r"\bor\b", question, re.IGNORECASE)
    )


# "Pick whichever matches your goal": leaving the choice to the user recommends nothing
_ANY_OPTION = re.compile(
    r"\b(?:whichever|whatever|either one|either of them|either is)\b", re.IGNORECASE
)


def _mine(memory: EnrichedMemory) -> Iterator[Pattern]:
    blocks = memory.reply_doc.blocks
    for bi, block in enumerate(blocks):
        if block.kind != "paragraph":
            continue
        for si, sentence in enumerate(block.sentences):
            text = sentence.plain
            strong = _RECOMMEND.search(text)
            answered = bi == si == 0 and (
                names_an_option(text, memory.user_input) or answers_yes_no(text, memory.user_input)
            )
            if not strong and not answered and not _IMPERATIVE_CHOICE.match(text):
                continue
            if text.endswith("?") or _ANY_OPTION.search(text):
                continue
            reasoning = [s.plain for s in block.sentences[si + 1 :]]
            nxt = bi + 1
            while len(reasoning) < 1 and nxt < len(blocks):
                if blocks[nxt].kind == "paragraph":
                    reasoning = [s.plain for s in blocks[nxt].sentences]
                nxt += 1
            reasons_first = not reasoning and si > 0
            if reasons_first:
                # the recommendation closes its paragraph: the reasons came first
                reasoning = [s.plain for s in block.sentences[:si]][-MAX_REASONING_SENTENCES:]
            reasoning = reasoning[:MAX_REASONING_SENTENCES]
            decision, reason = split_reason(text)
            why = [reason[:1].upper() + reason[1:]] if reason else []
            yield make_pattern(
                memory,
                TYPE,
                {
                    "decision": decision,
                    "context": normalise_space(memory.user_input),
                    "reasoning": " ".join(why + reasoning),
                },
                certainty=(0.9 if strong else 0.8) if reasoning or reason else 0.6,
                # only a question that faces a choice gets here: the reply answers it
                asked=True,
                # the recommending sentence and its reasons, in the order written: the example's answer
                evidence=" ".join([*reasoning, text] if reasons_first else [text, *reasoning]),
            )
            return


def build(pattern: Pattern, config: SynthesisConfig) -> Iterator[TrainingExample]:
    # the user asked for it: the whole exchange is the example (without
    # reasoning, the bare answer is what was asked for)
    if pattern.asked and config.include_reasoning:
        yield whole_answer(pattern, config)
        return
    c = pattern.content
    # with reasoning, the answer is the recommendation and its reasons as written
    output = pattern.evidence if config.include_reasoning and pattern.evidence else c["decision"]
    yield make_example(pattern, config, c["context"], output)


class DecisionMiner(ExchangeMiner[Pattern]):
    """A recommendation for a choice the user faces: it reads only an exchange
    whose question asks to choose (``Question.asks_to_choose``)."""

    name = TYPE

    def wants(self, exchange: Exchange) -> bool:
        return Question.of(exchange.user_input).asks_to_choose

    def mine(self, memory: EnrichedMemory) -> Iterator[Pattern]:  # type: ignore[override]
        return _mine(memory)


MINER = DecisionMiner()


def mine(memory: EnrichedMemory) -> Iterator[Pattern]:
    """The decision patterns of one exchange (the miner, called as a function)."""
    return MINER(memory)


@hookimpl
def register_miners(register):
    register(
        Miner(
            TYPE,
            MINER,
            description="a recommendation, with its reason, for a choice the user faces",
        )
    )


@hookimpl
def register_example_builders(register):
    register(
        ExampleBuilder(TYPE, build, description="the user's choice -> recommendation and reasoning")
    )
