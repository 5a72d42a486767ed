"""standalone: every example must read as a complete exchange on its own.

Drops an example whose instruction points at a text, table or image it does
not give or leans on turns it does not carry (``dangling_reference``), whose
input is an annotation dump (``noisy_input``), whose request is about a page
only a link gives (``link_only``), whose instruction is garbled
(``garbled_instruction``); whose output continues left-out text
(``continues_elsewhere``), answers from tools the example lacks
(``missing_tools``), builds on a page's other answers
(``cites_other_answers``), ends on a lead-in with nothing after it
(``empty_promise``), carries wiki or HTML markup (``markup``) or mojibake
that could not be undone (``mojibake``), runs a list
into one line (``flattened_list``), is only placeholders
(``placeholder_only``), has the thing asked for redacted
(``redacted_answer``), a short refusal (``refusal``), a sentence where an
essay or a story was asked for (``too_short_for_request``), only restates
the sum's answer that the request gave (``restates_input``), stops
mid-sentence (``cut_off``) or is in a language the request did not ask
for (``language_mismatch``).  Each drop is counted as ``standalone:<check>``
(the checks are in :mod:`loomcore.text.standalone`).  The checks run where
the example is built (``prepare``, on the executor's workers, within the
per-record time budget); ``see`` only reads the result.

Options (``[options.standalone]`` in loomcore.toml, or ``-O standalone.KEY=VALUE``):
``skip``, the checks to leave out, as a list or a comma-separated string
(default none).
"""

from __future__ import annotations

import functools
from typing import Any

import orjson

from loomcore import ExampleFilter, TrainingExample, check_options, hookimpl
from loomcore.text.standalone import CHECKS, Check


def _checks(options: dict[str, Any]) -> list[tuple[str, Check]]:
    check_options(options, ("skip",))
    given = options.get("skip", "")
    names = given if isinstance(given, list) else str(given).split(",")
    skip = {str(s).strip() for s in names if str(s).strip()}
    unknown = skip - set(CHECKS)
    if unknown:
        raise ValueError(
            f"unknown standalone check(s) {sorted(unknown)}; the checks are {sorted(CHECKS)}"
        )
    return [(name, check) for name, check in CHECKS.items() if name not in skip]


@functools.lru_cache(maxsize=8)
def _checks_for(skip: str) -> list[tuple[str, Check]]:
    return _checks({"skip": orjson.loads(skip)} if skip else {})


def _first(checks: list[tuple[str, Check]], example: TrainingExample) -> str:
    has_history = bool(example.history)
    for name, check in checks:
        if check(example.instruction, example.input, example.output, has_history):
            return f"standalone:{name}"
    return ""


def prepare(example: TrainingExample, options: dict[str, Any]) -> str:
    """The first check the example fails ("" for none), on the worker that built it."""
    skip = options.get("skip")
    checks = _checks_for(orjson.dumps(skip).decode() if skip is not None else "")
    return _first(checks, example)


class StandaloneGate:
    def __init__(self, options: dict[str, Any]):
        self.checks = _checks(options)  # refuses unknown checks before any work

    def see(self, example: TrainingExample, prepared: str | None = None) -> str | None:
        # None: prepare did not run (or failed) for it; check here then
        reason = _first(self.checks, example) if prepared is None else prepared
        return reason or None

    def finish(self) -> dict[str, str]:
        return {}


@hookimpl
def register_filters(register):
    register(
        ExampleFilter(
            "standalone",
            StandaloneGate,
            prepare=prepare,
            description="examples that read as complete on their own: no dangling references, "
            "lead-ins, markup, fragments",
        )
    )
