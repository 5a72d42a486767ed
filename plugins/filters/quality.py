"""Quality gates: lengths, confidence, a token estimate, trivial outputs.

Options (``[options.quality]`` in loomcore.toml, or ``-O quality.KEY=VALUE``): ``min_output_chars`` (default 2),
``max_output_chars`` (100,000), ``min_instruction_chars`` (3),
``max_tokens`` (default 32,768; ``--max-tokens N`` on the command line),
counted by ``tokenizer`` (``--tokenizer``: a ``tokenizer.json`` path or a
tiktoken encoding, see :mod:`loomcore.counting`; default the estimate,
characters / 4), ``min_confidence`` (0).  A dropped example is counted under
``quality:<gate>``.
"""

from __future__ import annotations

import re
from typing import Any

from loomcore import ExampleFilter, TrainingExample, check_options, counting, hookimpl
from loomcore.text.tokens import estimate_tokens

# outputs that teach nothing ("ok", "Sure!", "N/A")
_TRIVIAL = re.compile(
    r"^\W*(?:ok(?:ay)?|sure|yes|no|n/?a|none|thanks?|done|\.\.\.)\W*$", re.IGNORECASE
)


_OPTIONS = (
    "min_output_chars",
    "max_output_chars",
    "min_instruction_chars",
    "max_tokens",
    "tokenizer",
    "min_confidence",
)


class QualityGates:
    def __init__(self, options: dict[str, Any]):
        check_options(options, _OPTIONS)
        self.min_output = int(options.get("min_output_chars", 2))
        self.max_output = int(options.get("max_output_chars", 100_000))
        self.min_instruction = int(options.get("min_instruction_chars", 3))
        self.max_tokens = int(options.get("max_tokens", 32_768))
        tokenizer = options.get("tokenizer")
        self.count = estimate_tokens if tokenizer is None else counting.counter(tokenizer)
        self.min_confidence = float(options.get("min_confidence", 0.0))

    def see(self, example: TrainingExample) -> str | None:
        output = example.output.strip()
        if len(output) < self.min_output or _TRIVIAL.match(output):
            return "quality:trivial_output"
        if len(output) > self.max_output:
            return "quality:output_too_long"
        if len(example.instruction.strip()) < self.min_instruction:
            return "quality:instruction_too_short"
        total = (
            example.instruction
            + example.input
            + output
            + "".join(u + a for u, a in example.history)
        )
        if self.count(total) > self.max_tokens:
            return "quality:too_many_tokens"
        if example.confidence < self.min_confidence:
            return "quality:low_confidence"
        return None

    def finish(self) -> dict[str, str]:
        return {}


@hookimpl
def register_filters(register):
    register(
        ExampleFilter(
            "quality",
            QualityGates,
            description="length, token estimate, confidence, trivial outputs",
        )
    )
