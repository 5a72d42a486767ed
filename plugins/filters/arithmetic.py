"""arithmetic: an example whose reply works a sum out wrong teaches the mistake.

Every sum the output writes out in full ("(8 + 8 - 32)/(2 * 8) = -0.5",
"cos(C) = (14² + 3² - 15²) / (2 * 14 * 3) = -0.357") is worked again; when a
stated result disagrees, the example is dropped as ``arithmetic:wrong_sum``.
Only numbers and operators are read (see :mod:`loomcore.text.arithmetic`):
algebra, units, percentages and rounded results are left alone.  The check
runs where the example is built (``prepare``, on the executor's workers).

No options.
"""

from __future__ import annotations

from typing import Any

from loomcore import ExampleFilter, TrainingExample, check_options, hookimpl
from loomcore.text.arithmetic import wrong_sum


def prepare(example: TrainingExample, options: dict[str, Any]) -> bool:
    """Whether the output states a sum whose result is wrong."""
    return wrong_sum(example.output) is not None


class ArithmeticCheck:
    def __init__(self, options: dict[str, Any]):
        check_options(options, ())

    def see(self, example: TrainingExample, prepared: bool | None = None) -> str | None:
        wrong = prepare(example, {}) if prepared is None else prepared
        return "arithmetic:wrong_sum" if wrong else None

    def finish(self) -> dict[str, str]:
        return {}


@hookimpl
def register_filters(register):
    register(
        ExampleFilter(
            "arithmetic",
            ArithmeticCheck,
            prepare=prepare,
            description="outputs whose written-out sums state a wrong result",
        )
    )
