"""What a plugin registers: small records that name a piece and hold its function.

A plugin's hook implementation calls ``register(Miner(...))`` and so on; the
registry collects these records and the pipeline runs them.  Plain functions
are enough to write a plugin: no base class to inherit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from loomcore.model import (
        Conversation,
        EnrichedMemory,
        Memory,
        Pattern,
        SynthesisConfig,
        TrainingExample,
    )


@attrs.frozen
class Reader:
    """An input format.

    :param name: the format's name, as given to ``--input-format``.
    :param read: ``read(stream, path) -> iterator of Conversation``; ``stream``
        is a binary file object, ``path`` its display name.
    :param sniff: ``sniff(head) -> bool``: whether the opening bytes of a file
        look like this format (used for auto-detection).
    :param description: one line for ``loomcore plugins``.
    """

    name: str
    read: Callable[[IO[bytes], str], Iterator[Conversation]]
    sniff: Callable[[bytes], bool] = lambda head: False
    description: str = ""
    plugin: str = ""


@attrs.frozen
class Scorer:
    """An importance scorer: ``score(memory) -> float`` in ``[0, 1]``."""

    name: str
    score: Callable[[Memory], float]
    description: str = ""
    plugin: str = ""
    # ``configure(options) -> function``: given the plugin's option table for
    # a run, the function to use in place of the one above for that run, held
    # by the registry that was configured (two registries in one process keep
    # their own); raise ValueError or TypeError for options it refuses
    configure: Callable[[dict[str, Any]], Callable[..., Any]] | None = attrs.field(
        default=None, kw_only=True
    )


@attrs.frozen
class Redactor:
    """A redactor: ``redact(text, allow) -> (text, {placeholder: count})``.

    ``kind`` is "secret" (credentials, keys, tokens) or "personal" (e-mail
    addresses, phone numbers, card numbers, IP addresses); ``allow`` is a set
    of exact values that must be left as they are.
    """

    name: str
    kind: str
    redact: Callable[[str, frozenset[str]], tuple[str, dict[str, int]]]
    description: str = ""
    plugin: str = ""


@attrs.frozen
class Enricher:
    """An enricher: ``enrich(memory) -> EnrichedMemory`` with annotations added."""

    name: str
    enrich: Callable[[EnrichedMemory], EnrichedMemory]
    description: str = ""
    plugin: str = ""
    # ``configure(options) -> function``: given the plugin's option table for
    # a run, the function to use in place of the one above for that run, held
    # by the registry that was configured (two registries in one process keep
    # their own); raise ValueError or TypeError for options it refuses
    configure: Callable[[dict[str, Any]], Callable[..., Any]] | None = attrs.field(
        default=None, kw_only=True
    )


@attrs.frozen
class Miner:
    """A pattern miner: ``mine(memory) -> iterable of Pattern`` of ``pattern_type``.

    Build the patterns with :func:`loomcore.model.make_pattern` so that ids,
    source and confidence are filled in the same way for every miner.
    """

    pattern_type: str
    mine: Callable[[EnrichedMemory], Iterable[Pattern]]
    name: str = attrs.field()
    description: str = ""
    plugin: str = ""

    @name.default
    def _name(self) -> str:
        return self.pattern_type


@attrs.frozen
class ExampleBuilder:
    """Builds training examples: ``build(pattern, config) -> iterable of TrainingExample``.

    For a pattern the user asked for (``pattern.asked``) build the whole
    exchange with :func:`loomcore.compose.whole_answer`.  When two builders
    make the same example, the one with the higher ``priority`` names it
    (``qa_pair``, which fits every question, has -1).
    """

    pattern_type: str
    build: Callable[[Pattern, SynthesisConfig], Iterable[TrainingExample]]
    name: str = attrs.field()
    description: str = ""
    plugin: str = ""
    priority: int = attrs.field(default=0, kw_only=True)

    @name.default
    def _name(self) -> str:
        return self.pattern_type


@attrs.frozen
class ConversationBuilder:
    """Builds examples from a whole conversation:
    ``build(dialogue, config, budget, skipped) -> iterable of TrainingExample``.

    ``dialogue`` is a :class:`loomcore.model.Dialogue` (every exchange
    redacted and scored), ``config`` the run's
    :class:`loomcore.model.SynthesisConfig`, ``budget`` a
    :class:`loomcore.model.TokenBudget` no example may go over, and
    ``skipped(reason)`` counts one thing the builder left out, by reason (the
    run's summary shows the counts).  ``kind`` is the kind of example it
    makes ("conversation" or "preference", see
    :attr:`loomcore.model.TrainingExample.kind`): a run builds a kind only
    when it writes a format that takes it.
    """

    name: str
    kind: str
    build: Callable[..., Iterable[TrainingExample]]
    description: str = ""
    plugin: str = ""


@attrs.frozen
class ExampleFilter:
    """A quality gate or a deduplicator: ``start(config) -> state``, where the
    state has ``see(example) -> reason | None`` and ``finish() -> {id: reason}``.

    State that grows with the run (a deduplication index) must stay small per
    example: a hash or a signature, never the example's text.

    ``prepare(example, options)``, if given, is the per-example work that
    needs no run state (a hash, a signature).  It runs where the example is
    built, on the workers of a parallel executor, and its result reaches the
    state as ``see(example, prepared=...)`` (None if it failed), so that the
    one process that sees every example does as little as possible.
    """

    name: str
    start: Callable[[dict[str, Any]], Any]
    description: str = ""
    plugin: str = ""
    prepare: Callable[[TrainingExample, dict[str, Any]], Any] | None = None


@attrs.frozen
class Executor:
    """Runs the per-exchange work: ``run(plan, memories) -> iterator of Outcome``,
    in input order, reading ``memories`` lazily so that memory stays flat."""

    name: str
    run: Callable[[Any, Iterable[Any]], Iterator[Any]]
    description: str = ""
    plugin: str = ""


class InvalidExample(ValueError):
    """An example an output format cannot write validly (an empty turn, roles
    out of order, a pair with no rejected answer); the run counts it against
    the format's plugin and writes no line for it."""


@attrs.frozen
class Exporter:
    """An output format: ``render(example) -> dict``, one JSONL line per example."""

    name: str
    render: Callable[[TrainingExample], dict[str, Any]]
    description: str = ""
    plugin: str = ""
    # the LLaMA-Factory dataset_info.json entry for a file of this format,
    # given the file's name (None: LLaMA-Factory cannot read this format)
    dataset_info: Callable[[str], dict[str, Any]] | None = None
    # the kinds of example it writes (TrainingExample.kind): "exchange" formats
    # are written by default; "conversation" ones also get a
    # <format>_conversations file with --conversations; a format of
    # "preference" only (dpo) is written when it is named
    kinds: tuple[str, ...] = attrs.field(default=("exchange",), kw_only=True)
    # ``configure(options) -> function``: given the plugin's option table for
    # a run, the function to use in place of the one above for that run, held
    # by the registry that was configured (two registries in one process keep
    # their own); raise ValueError or TypeError for options it refuses
    configure: Callable[[dict[str, Any]], Callable[..., Any]] | None = attrs.field(
        default=None, kw_only=True
    )


@attrs.frozen
class TokenCounter:
    """A kind of tokenizer: ``load(spec) -> count(text) -> int``.

    :param name: the counter's name ("estimate", "tokenizers", "tiktoken").
    :param accepts: ``accepts(spec) -> bool``: whether ``--tokenizer SPEC``
        names a tokenizer of this kind (a ``tokenizer.json`` path, an
        encoding name).
    :param load: ``load(spec)``: the counting function; raises
        :class:`loomcore.registry.LoomcoreError` with one clear line when the
        tokenizer cannot be had (a missing optional package or file).  It must
        never download anything.
    """

    name: str
    accepts: Callable[[str], bool]
    load: Callable[[str], Callable[[str], int]]
    description: str = ""
    plugin: str = ""


def check_options(options: dict[str, Any], known: Iterable[str]) -> None:
    """Refuse option keys a plugin does not know, naming the ones it does.

    For a plugin's ``configure`` hook or a filter's ``start``: a misspelt key
    in ``loomcore.toml`` must be an error, not a setting silently ignored.

    :raises ValueError: for any key not in ``known``.
    """
    known = tuple(known)
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ValueError(
            f"unknown option{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            f"(known: {', '.join(known)})"
        )
