"""causal: an explicit cause-and-effect statement.

Markers: "X causes / can cause / leads to / results in Y", "Y is caused by
X", "Y because (of) X", "Y due to X", "X, which causes Y", and "If X, (then)
Y" where Y is a consequence (not advice: "If you need X, use Y" is not
causal).  "so", "since", "when" and "even if" are not causal markers here.
Each marker gives at most one pattern; cause and effect are clauses trimmed
at clause boundaries.  Content: ``cause``, ``effect``.
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
from loomcore.text.clauses import clause_after, clause_before, tidy
from loomcore.text.lexicon import ARTICLES, DETERMINERS, PRONOUNS, starts_imperative

TYPE = "causal"
MAX_CLAUSE_WORDS = 40

# (pattern, direction): "forward" = cause before the marker, "backward" = effect before it
_MARKERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r",?\s+which (?:in turn )?(?:causes|can cause|leads to|can lead to|results in|can result in)\s+",
            re.I,
        ),
        "forward",
    ),
    (
        re.compile(
            r"\s+(?:is|are|was|were|can be|is often|are often|is usually|are usually) caused by\s+",
            re.I,
        ),
        "backward",
    ),
    (
        re.compile(
            r"\s+(?:causes|caused|can cause|will cause|may cause|leads to|led to|lead to|can lead to|will lead to|"
            r"results in|resulted in|result in|can result in|will result in)\s+",
            re.I,
        ),
        "forward",
    ),
    (re.compile(r",?\s+because of\s+", re.I), "backward"),
    (re.compile(r",?\s+because\s+", re.I), "backward"),
    (re.compile(r",?\s+due to\s+", re.I), "backward"),
)
_LEADING_BECAUSE = re.compile(
    r"^(?:because of|because|due to)\s+(?P<cause>[^,]{3,300}),\s*(?P<effect>.+)$", re.I
)
_IF = re.compile(r"(?:^|[:;]\s+)(?:so\s+|and\s+|but\s+)?if\s+(?P<body>.+)$", re.I)
_ADVICE = re.compile(
    r"^(?:you (?:can|could|should|might|may|need|want|must)|i'?d|i would|i recommend|consider|try|"
    r"make sure|it'?s (?:best|better|worth)|please|let|just)\b",
    re.I,
)
_MAIN_CLAUSE_START = ARTICLES | DETERMINERS | PRONOUNS | frozenset({"there"})


def _ok(clause: str) -> bool:
    n = len(clause.split())
    return 2 <= n <= MAX_CLAUSE_WORDS


def _if_pattern(text: str) -> tuple[str, str] | None:
    m = _IF.search(text)
    if not m or re.search(
        r"\beven\s+if\b|\bonly\s+if\b|\bas\s+if\b", text[max(0, m.start() - 6) : m.end()], re.I
    ):
        return None
    body = m.group("body")
    # the comma that ends the condition is the one followed by a main clause
    for cm in re.finditer(r",\s+(?:then\s+)?", body):
        cond, rest = body[: cm.start()], body[cm.end() :]
        first = rest.split(None, 1)[0].lower().strip("`*") if rest.split() else ""
        if first in ("or", "and"):
            continue
        if _ADVICE.match(rest) or starts_imperative(rest):
            return None
        if first in _MAIN_CLAUSE_START or first[:1].isupper() or first.startswith("`"):
            return tidy(cond), clause_after(rest)
    return None


def pairs(text: str) -> Iterator[tuple[str, str, float]]:
    """(cause, effect, certainty) for each causal marker in one sentence."""
    lead = _LEADING_BECAUSE.match(text)
    used: list[tuple[int, int]] = []
    if lead:
        yield tidy(lead.group("cause")), clause_after(lead.group("effect")), 0.9
        used.append((0, lead.end("cause")))
    for pattern, direction in _MARKERS:
        for m in pattern.finditer(text):
            if any(s <= m.start() < e for s, e in used):
                continue
            used.append(m.span())
            before, after = text[: m.start()], text[m.end() :]
            if direction == "forward":
                cause, effect = clause_before(before), clause_after(after)
            else:
                effect, cause = clause_before(before), clause_after(after)
            yield cause, effect, 0.9
    found = _if_pattern(text)
    if found:
        yield found[0], found[1], 0.8


def mine(memory: EnrichedMemory) -> Iterator[Pattern]:
    seen: set[tuple[str, str]] = set()
    for block in memory.reply_doc.prose():
        for sentence in block.sentences:
            text = sentence.plain
            # a label before a colon ("**Old yeast**: expired yeast ...") is not part of the clause
            for cause, effect, certainty in pairs(text):
                if not (_ok(cause) and _ok(effect)):
                    continue
                key = (cause.lower(), effect.lower())
                if key in seen:
                    continue
                seen.add(key)
                yield make_pattern(
                    memory,
                    TYPE,
                    {"cause": cause, "effect": effect},
                    certainty=certainty,
                    evidence=text,
                )


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def build(pattern: Pattern, config: SynthesisConfig) -> Iterator[TrainingExample]:
    cause, effect = pattern.content["cause"], pattern.content["effect"]
    evidence = pattern.evidence.strip()
    first = cause.split(None, 1)[0].lower() if cause.split() else ""
    if first.endswith("ing") or first in ("too", "using", "adding"):
        instruction = f"What happens when {_lower_first(cause)}?"
    else:
        instruction = f"Explain why {_lower_first(effect)}."
    if re.match(r"^(?:so\s+|and\s+|but\s+)?if\b", evidence, re.I):
        instruction = f"What happens if {_lower_first(cause)}?"
    output = evidence if evidence else f"{effect[:1].upper()}{effect[1:]} because {cause}."
    yield make_example(pattern, config, instruction, output)


@hookimpl
def register_miners(register):
    register(Miner(TYPE, mine, description="explicit cause-and-effect statements"))


@hookimpl
def register_example_builders(register):
    register(
        ExampleBuilder(
            TYPE, build, description='"Why ...?" / "What happens if ...?" -> the causal sentence'
        )
    )
