"""code_snippet: a fenced code block and the request it answers.

A third-party loomcore plugin: it registers one miner and one example
builder through loomcore's hooks and is found through its entry point only.

It is written on loomcore's miners' toolkit (:mod:`loomcore.text.mining`):
the miner is a ``MarkerMiner`` that declares its markers, the code fences.
loomcore's one scan per exchange finds every marker miner's markers at once,
so an exchange without a fence costs this miner nothing.  It reads the
reply's segmented blocks (``reply_doc``) rather than raw text, and tags
words with the shared token model (:func:`loomcore.text.tokens.tokenize`).

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
from loomcore.text.mining import MarkerMiner
from loomcore.text.segment import Block
from loomcore.text.tokens import tokenize

TYPE = "code_snippet"
MIN_CODE_LINES = 2


def _snippets(blocks: tuple[Block, ...]) -> list[int]:
    """The indices of the code blocks long enough to be a snippet."""
    return [
        i
        for i, b in enumerate(blocks)
        if b.kind == "code" and b.text.count("\n") + 1 >= MIN_CODE_LINES
    ]


def _introduces(sentence: str) -> bool:
    """Whether a sentence is about what follows it: it has a word that is no
    function word (an "Here it is:" has "Here" and "is": only function words)
    — the shared token tags decide, not a word list of this plugin's own."""
    return any(t.tag == "word" for t in tokenize(sentence))


class CodeSnippets(MarkerMiner[Pattern]):
    """Each fenced code block of at least MIN_CODE_LINES lines, with the
    sentence that introduces it."""

    name = "code_snippets"
    markers = ("```", "~~~")  # a code block of the reply is fenced

    def mine(self, memory: EnrichedMemory) -> Iterator[Pattern]:  # type: ignore[override]
        request = memory.user_input.strip()
        if not request:
            return
        blocks = memory.reply_doc.blocks
        code = _snippets(blocks)
        for i in code:
            block = blocks[i]
            # the sentence that introduces the code, if the block before is prose
            intro = ""
            if i > 0 and blocks[i - 1].sentences:
                last = blocks[i - 1].sentences[-1].plain
                intro = last if _introduces(last) else ""
            yield make_pattern(
                memory,
                TYPE,
                {
                    "request": request,
                    "language": block.lang,
                    "code": block.text,
                    "explanation": intro,
                },
                certainty=0.9 if block.lang else 0.75,
                evidence=block.text[:200],
                miner=self.name,
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
        Miner(
            TYPE,
            CodeSnippets(),
            name=CodeSnippets.name,
            description="fenced code blocks and their request",
        )
    )


@hookimpl
def register_example_builders(register):
    register(
        ExampleBuilder(TYPE, build, name="code_snippets", description="the request -> the code")
    )
