"""standalone: every example must read as a complete exchange on its own.

Drops an example whose instruction points at a text, table or image it does
not give, or leans on turns it does not carry; whose instruction is garbled;
whose output opens on a connective that continues left-out text, ends on a
lead-in with nothing after it, stops mid-sentence, carries wiki or HTML
markup, is only placeholders, or is a short refusal.  Each drop is counted
as ``standalone:<check>`` (the checks are in :mod:`loomcore.text.standalone`).

Options (``[options.standalone]`` in loomcore.toml, or ``-O standalone.KEY=VALUE``):
``skip``, a comma-separated list of checks to leave out (default none).
"""

from __future__ import annotations

from typing import Any

from loomcore import ExampleFilter, TrainingExample, check_options, hookimpl
from loomcore.text.standalone import CHECKS


class StandaloneGate:
    def __init__(self, options: dict[str, Any]):
        check_options(options, ("skip",))
        skip = {s.strip() for s in str(options.get("skip", "")).split(",") if s.strip()}
        unknown = skip - set(CHECKS)
        if unknown:
            raise ValueError(
                f"unknown standalone check(s) {sorted(unknown)}; the checks are {sorted(CHECKS)}"
            )
        self.checks = [(name, check) for name, check in CHECKS.items() if name not in skip]

    def see(self, example: TrainingExample) -> str | None:
        has_history = bool(example.history)
        for name, check in self.checks:
            if check(example.instruction, example.input, example.output, has_history):
                return f"standalone:{name}"
        return None

    def finish(self) -> dict[str, str]:
        return {}


@hookimpl
def register_filters(register):
    register(
        ExampleFilter(
            "standalone",
            StandaloneGate,
            description="examples that read as complete on their own: no dangling references, "
            "lead-ins, markup, fragments",
        )
    )
