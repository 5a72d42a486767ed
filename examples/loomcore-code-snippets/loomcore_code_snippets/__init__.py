"""code_snippet: a fenced code block and the request it answers.

A third-party loomcore plugin: it registers one miner and one example
builder through loomcore's hooks and is found through its entry point only.

It follows loomcore's contract that every example stands alone: when the
reply's one code block answers the request, the pattern is ``asked`` and its
example is the whole exchange (``whole_answer``), named ``code_snippet`` and
labelled with the exchange's other patterns.  A reply with several code
blocks gives one pattern per block, each an excerpt (``asked=False``), whose
examples a run writes only with ``derived_examples``.
"""

from __future__ import annotations

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

TYPE = "code_snippet"
MIN_CODE_LINES = 2


def mine(memory: EnrichedMemory) -> Iterator[Pattern]:
    request = memory.user_input.strip()
    if not request:
        return
    blocks = memory.reply_doc.blocks
    code = [b for b in blocks if b.kind == "code" and b.text.count("\n") + 1 >= MIN_CODE_LINES]
    for i, block in enumerate(blocks):
        if block.kind != "code" or block.text.count("\n") + 1 < MIN_CODE_LINES:
            continue
        # the sentence that introduces the code, if the block before is prose
        intro = ""
        if i > 0 and blocks[i - 1].sentences:
            intro = blocks[i - 1].sentences[-1].plain
        yield make_pattern(
            memory,
            TYPE,
            {"request": request, "language": block.lang, "code": block.text, "explanation": intro},
            certainty=0.9 if block.lang else 0.75,
            evidence=block.text[:200],
            miner="code_snippets",
            # the one code block answers the request; one of several is an excerpt
            asked=len(code) == 1,
        )


def build(pattern: Pattern, config: SynthesisConfig) -> Iterator[TrainingExample]:
    if pattern.asked:
        yield whole_answer(pattern, config)
        return
    c = pattern.content
    fence = f"```{c['language']}\n{c['code']}\n```"
    output = f"{c['explanation']}\n\n{fence}" if c["explanation"] else fence
    yield make_example(pattern, config, c["request"], output)


@hookimpl
def register_miners(register):
    register(
        Miner(TYPE, mine, name="code_snippets", description="fenced code blocks and their request")
    )


@hookimpl
def register_example_builders(register):
    register(
        ExampleBuilder(TYPE, build, name="code_snippets", description="the request -> the code")
    )
