"""procedure: an ordered way to do something.

A numbered or bulleted list whose items are actions ("Open a terminal ...",
"Rinse the rice ..."), numbered headings over a paragraph each ("### 1.
Create a Procfile"), prose sequenced by First / Next / Then / Finally, or,
for a how-to question, a paragraph of nothing but commands.
One step per top-level item; nested sub-items fold into their parent; intro
and closing sentences are not steps.  A list of facts, options or causes is
not a procedure.  Content: ``task`` (what the steps accomplish) and
``steps`` (one string each, in order, no numbering).
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
from loomcore.text.clauses import main_clause
from loomcore.text.lexicon import starts_imperative
from loomcore.text.question import Question
from loomcore.text.segment import Block, ListGroup
from loomcore.text.sentences import normalise_space, strip_inline

TYPE = "procedure"

# "Report the incident: one option is ..." - a labelled option, not an action
_LABEL = re.compile(r"^[^:]{1,60}:\s+\S")
_ORDINAL = re.compile(
    r"^(?P<marker>first(?:ly)?|to (?:start|begin)|start by|begin by|second(?:ly)?|third(?:ly)?|next|"
    r"then|after that|afterwards|once (?:that'?s|this is) done|finally|lastly)\b,?\s*",
    re.IGNORECASE,
)
_OPENING = ("first", "firstly", "to start", "to begin", "start by", "begin by")
MIN_STEPS = 3


def _step_text(item: Block, children: tuple[Block, ...]) -> str:
    text = strip_inline(item.text)
    extra = [strip_inline(c.text) for c in children]
    for code in item.code:
        extra.append(f"`{code}`" if "\n" not in code else f"\n```\n{code}\n```\n")
    if extra:
        if text and text[-1] not in ".:!?":
            text += ":" if item.code and not children else "."
        text = (
            text
            + " "
            + " ".join(
                e if e.startswith("\n") or e.endswith((".", ":", "`")) else e + "." for e in extra
            )
        )
    return normalise_space(text) if "```" not in text else text.strip()


def _list_steps(group: ListGroup, asked_how: bool) -> list[str] | None:
    items = group.items
    if len(items) < 2:
        return None
    texts = [strip_inline(b.text) for b in items]
    actions = sum(_acts(t) for t in texts)
    needed = 0.6 if group.ordered else 0.75
    if not asked_how:
        # an unrequested list must be numbered, nearly all actions, and not labelled options
        labelled = sum(bool(_LABEL.match(t)) for t in texts)
        if not group.ordered or actions / len(items) < 0.8 or labelled * 2 > len(items):
            return None
    if actions / len(items) < needed or (
        len(items) < MIN_STEPS and not (asked_how and actions == len(items))
    ):
        return None
    return [_step_text(b, kids) for b, kids in zip(items, group.children, strict=True)]


_NUMBERED_HEADING = re.compile(r"^(?:step\s+)?(?P<n>\d{1,2})\s*[.):\-—–]\s*(?P<text>\S.*)$", re.I)


def _heading_steps(memory: EnrichedMemory, asked_how: bool) -> list[str] | None:
    """Steps written as numbered headings ("### 1. Create a Procfile") over a
    paragraph each: the heading and the paragraph under it are one step, and
    what follows the last step's paragraph is a closing remark, not a step."""
    blocks = memory.reply_doc.blocks
    steps: list[str] = []
    actions = 0
    for bi, block in enumerate(blocks):
        m = _NUMBERED_HEADING.match(block.plain) if block.kind == "heading" else None
        if m is None or int(m.group("n")) != len(steps) + 1:
            continue
        title = m.group("text").rstrip(" .:")
        actions += starts_imperative(title)
        body: list[str] = []
        for nxt in blocks[bi + 1 :]:
            if nxt.kind == "code":
                body.append(f"\n```\n{nxt.text}\n```\n")
            elif nxt.kind in ("paragraph", "item") and not body:
                body.append(nxt.plain)
            else:
                break
        steps.append(f"{title}: {' '.join(body)}".strip() if body else f"{title}.")
    if len(steps) < MIN_STEPS or actions / len(steps) < (0.6 if asked_how else 0.8):
        return None
    return steps


def _prose_steps(memory: EnrichedMemory) -> list[str] | None:
    steps: list[str] = []
    started = finished = False
    for block in memory.reply_doc.blocks:
        if block.kind != "paragraph":
            if started and block.kind != "paragraph":
                break
            continue
        for s in block.sentences:
            if finished:
                break
            m = _ORDINAL.match(s.plain)
            if m and (started or m.group("marker").lower() in _OPENING):
                started = True
                finished = m.group("marker").lower() in ("finally", "lastly")
                steps.append(_after(m, s.plain))
            elif started and _acts(s.plain):
                # "First grind ... Then mix ... Let it steep ... Finally strain ...":
                # an action between the marked ones is a step of its own
                steps.append(s.plain)
    if len(steps) < MIN_STEPS:
        return None
    # "First, the internet allows ..." enumerates reasons, not actions
    actions = sum(_acts(s) for s in steps)
    return steps if actions / len(steps) >= 0.6 else None


# "As a last resort, use an extractor": a fronted aside before the command
_FRONTED_ASIDE = re.compile(
    r"^(?:as a last resort|otherwise|alternatively|if needed|if necessary|in an emergency),\s+(?=\S)",
    re.IGNORECASE,
)


def _acts(sentence: str) -> bool:
    """A command, perhaps after a fronted condition or aside ("When you
    counter, ask for more", "As a last resort, use an extractor")."""
    rest = _FRONTED_ASIDE.sub("", main_clause(sentence), count=1)
    return starts_imperative(rest)


def _command_paragraph(memory: EnrichedMemory) -> list[str] | None:
    """A how-to answered by a paragraph of commands and nothing else ("Rinse
    the rice. Put it in a pot ... Simmer ... Fluff it and serve."): its
    sentences, in order, are the steps."""
    for block in memory.reply_doc.blocks:
        if block.kind != "paragraph":
            continue
        # "Then jack up the car.": a sequence word before a command leaves the command
        sentences = [_without_ordinal(s.plain) for s in block.sentences]
        if len(sentences) >= MIN_STEPS and all(starts_imperative(s) for s in sentences):
            return sentences
    return None


def _after(m: re.Match[str], sentence: str) -> str:
    """The sentence after its sequence word, capitalised: "then jack up" -> "Jack up"."""
    rest = sentence[m.end() :]
    return rest[:1].upper() + rest[1:]


def _without_ordinal(sentence: str) -> str:
    m = _ORDINAL.match(sentence)
    return sentence if m is None or m.end() == len(sentence) else _after(m, sentence)


def mine(memory: EnrichedMemory) -> Iterator[Pattern]:
    question = Question.of(memory.user_input)
    task, asked_how = question.task, question.asks_how
    found = False
    for group in memory.reply_doc.lists():
        steps = _list_steps(group, asked_how)
        if steps:
            found = True
            yield make_pattern(
                memory,
                TYPE,
                {"task": task, "steps": steps},
                certainty=0.95 if asked_how else 0.8,
                evidence="\n".join(b.text for b in group.items),
                asked=asked_how,
            )
    if not found:
        steps = (
            _heading_steps(memory, asked_how)
            or _prose_steps(memory)
            or (_command_paragraph(memory) if asked_how else None)
        )
        if steps:
            yield make_pattern(
                memory,
                TYPE,
                {"task": task, "steps": steps},
                certainty=0.85,
                evidence=" ".join(steps),
                asked=asked_how,
            )


def build(pattern: Pattern, config: SynthesisConfig) -> Iterator[TrainingExample]:
    if pattern.asked:  # the user asked for it: the whole exchange is the example
        yield whole_answer(pattern, config)
        return
    task, steps = pattern.content["task"], pattern.content["steps"]
    question = pattern.origin.question.strip() if pattern.origin is not None else ""
    # the user's own request is what the steps answer; a very long one is summed up by its task
    if question and len(question) < 300:
        instruction = question
    elif question and task != normalise_space(question).rstrip(" .?!"):
        instruction = f"How do I {task}?"
    else:
        instruction = f"Explain step by step: {task}"
    output = "\n".join(f"{i}. {s}" for i, s in enumerate(steps, start=1))
    yield make_example(pattern, config, instruction, output)


@hookimpl
def register_miners(register):
    register(
        Miner(TYPE, mine, description="ordered actions from lists or First/Then/Finally prose")
    )


@hookimpl
def register_example_builders(register):
    register(ExampleBuilder(TYPE, build, description='"How do I X?" -> numbered steps'))
