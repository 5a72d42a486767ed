"""The hook specifications: everything a loomcore plugin can provide.

Most hooks hand objects back through a ``register`` callback that the host
owns (the way ``llm``'s ``register_models`` does).  The registry, not pluggy,
then runs those objects one by one, in a stable order (by name), with its own
error handling: pluggy stops a whole hook call when one implementation raises
and calls implementations last-registered-first, neither of which suits a data
pipeline that must give the same output on every run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from collections.abc import Callable

    import click

    from loomcore.contracts import (
        ConversationBuilder,
        Enricher,
        ExampleBuilder,
        ExampleFilter,
        Executor,
        Exporter,
        Miner,
        Reader,
        Redactor,
        Scorer,
        TokenCounter,
    )

PROJECT = "loomcore"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_readers(register: Callable[[Reader], None]) -> None:
    """Register input-format readers.

    Called once, when the registry is first asked for readers.

    :param register: call it with one :class:`loomcore.contracts.Reader` per
        input format the plugin understands (``register(Reader(...))``).
    :return: nothing; every plugin's readers are collected.  When a file's
        format is auto-detected, readers are tried in order of name and the
        first whose ``sniff`` accepts the file's opening bytes reads it.
    """


@hookspec
def register_scorers(register: Callable[[Scorer], None]) -> None:
    """Register importance scorers, which separate signal from noise.

    Called once, when the registry is first asked for scorers.

    :param register: call it with one :class:`loomcore.contracts.Scorer` per
        scorer.  A scorer maps a :class:`loomcore.model.Memory` (one user turn
        and the reply to it) to an importance in ``[0, 1]``.
    :return: nothing; all scorers are collected.  A memory that carries its
        own importance (as the seed's raw-memory records do) keeps it;
        otherwise the scorers are combined as the run's configuration says
        (``max`` by default, so a user's domain scorer can only promote turns).
    """


@hookspec
def register_redactors(register: Callable[[Redactor], None]) -> None:
    """Register redactors, which keep secrets and personal data out of the data.

    Called once, when the registry is first asked for redactors.

    :param register: call it with one :class:`loomcore.contracts.Redactor`
        per kind of data it removes.  A redactor maps a text to the text with
        each finding replaced by a typed placeholder (``[EMAIL]``,
        ``[AWS_ACCESS_KEY]``) and the count of findings by placeholder.
    :return: nothing; the redactors whose ``kind`` the run's redaction mode
        selects (``secrets``: kind "secret"; ``all``: every kind) run in order
        of name on every turn of an exchange, before scoring and mining.
    """


@hookspec
def register_enrichers(register: Callable[[Enricher], None]) -> None:
    """Register enrichers, which annotate a memory before mining.

    Called once, when the registry is first asked for enrichers.

    :param register: call it with one :class:`loomcore.contracts.Enricher`
        per enricher.  An enricher takes an
        :class:`loomcore.model.EnrichedMemory` and returns it with more
        annotations (entities, relationships, topics, keywords, reasoning
        type) filled in, usually through ``attrs.evolve``.
    :return: nothing; all enrichers are collected and run in order of name,
        each seeing the output of the one before.
    """


@hookspec
def register_miners(register: Callable[[Miner], None]) -> None:
    """Register pattern miners.

    Called once, when the registry is first asked for miners.

    :param register: call it with one :class:`loomcore.contracts.Miner` per
        pattern type the plugin mines.  A miner maps one
        :class:`loomcore.model.EnrichedMemory` to zero or more
        :class:`loomcore.model.Pattern` objects of its type, reading the
        memory's segmented text (``memory.reply_doc``, ``memory.user_doc``)
        rather than re-scanning raw text.
    :return: nothing; every miner runs on every memory, in order of name.
    """


@hookspec
def register_example_builders(register: Callable[[ExampleBuilder], None]) -> None:
    """Register example builders, which turn patterns into training examples.

    Called once, when the registry is first asked for builders.

    :param register: call it with one :class:`loomcore.contracts.ExampleBuilder`
        per pattern type the plugin can render.  A builder maps one
        :class:`loomcore.model.Pattern` and the run's
        :class:`loomcore.model.SynthesisConfig` to zero or more
        :class:`loomcore.model.TrainingExample` objects.
    :return: nothing; all builders registered for a pattern's type are run,
        in order of name.  A pattern whose type has no builder gives no
        example (and is counted as such).
    """


@hookspec
def register_conversation_builders(register: Callable[[ConversationBuilder], None]) -> None:
    """Register conversation builders, which make examples of whole conversations.

    Called once, when the registry is first asked for conversation builders.

    :param register: call it with one
        :class:`loomcore.contracts.ConversationBuilder` per kind of example
        it makes from a :class:`loomcore.model.Dialogue` (a conversation whose
        exchanges are redacted and scored): "conversation" (the whole
        conversation with a training flag per assistant message) or
        "preference" (chosen and rejected answers to one prompt).
    :return: nothing; a run builds a kind only when it writes a format that
        takes it (``--conversations`` for conversations, ``--format dpo`` for
        preference pairs), every builder of that kind in order of name.  The
        examples go to their own files and skip the example filters, which
        judge single exchanges.
    """


@hookspec
def register_filters(register: Callable[[ExampleFilter], None]) -> None:
    """Register example filters: quality gates and deduplication.

    Called once, when the registry is first asked for filters.

    :param register: call it with one :class:`loomcore.contracts.ExampleFilter`.
        For each run, ``start(config)`` makes a fresh state; the state's
        ``see(example)`` is called on every built example in input order and
        returns a reason to drop it now (or None), and ``finish()`` returns
        the ids of examples to drop that only the whole run could decide
        (a later, better duplicate), with their reasons.  A filter may also
        give ``prepare(example, options)``: per-example work with no run
        state, run where the example is built (on the workers of a parallel
        executor) and handed to ``see(example, prepared=...)``.
    :return: nothing; every registered filter runs, in order of name.
    """


@hookspec
def configure(options: dict[str, Any]) -> None:
    """Take this plugin's own options, from its ``[options.<plugin name>]``
    table in ``loomcore.toml`` (or ``RunOptions.plugin_options``).

    Called once per run, before any record is read, on every plugin that
    implements it, each with its own table only (``{}`` when none is given:
    go back to the defaults, so one run's settings never leak into the next).
    Naming options for a plugin that implements neither this hook nor a
    filter (nor registers a record with a ``configure`` factory) is an error
    the user sees.

    A module-level plugin that keeps these options in module globals shares
    them with every registry of the process.  A scorer, enricher or format
    should rather register its record with ``configure=factory``: the
    registry calls ``factory(options)`` and keeps the function it returns
    for itself, so two registries embedded in one tool never mix settings.

    :param options: the table, as parsed from TOML (plain dicts, lists,
        strings and numbers).  Raise ``ValueError`` with a clear message for a
        key or value the plugin does not accept
        (:func:`loomcore.contracts.check_options` does it for keys).
    :return: nothing.
    """


@hookspec
def register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register output formats.

    Called once, when the registry is first asked for exporters.

    :param register: call it with one :class:`loomcore.contracts.Exporter` per
        format.  An exporter renders one :class:`loomcore.model.TrainingExample`
        as one JSON-serialisable dict, which becomes one line of the format's
        JSONL file.  The writing itself (files, atomic completion) is shared.
    :return: nothing; exporters are looked up by name.  Two plugins that
        register the same format name are an error, reported by name.
    """


@hookspec
def register_executors(register: Callable[[Executor], None]) -> None:
    """Register executors, which run the per-exchange work on many exchanges.

    Called once, when the registry is first asked for executors.

    :param register: call it with one :class:`loomcore.contracts.Executor`.
        An executor's ``run(plan, memories)`` applies
        :func:`loomcore.pipeline.process_memory` to every memory (in this
        process, in a pool of processes, on a cluster) and yields the
        :class:`loomcore.pipeline.Outcome` objects in input order.
    :return: nothing; the run uses the executor named by ``--executor``
        (``local`` by default).
    """


@hookspec
def register_token_counters(register: Callable[[TokenCounter], None]) -> None:
    """Register token counters, which count a text's tokens for a tokenizer.

    Called once, when the registry is first asked for token counters.

    :param register: call it with one :class:`loomcore.contracts.TokenCounter`
        per kind of tokenizer.  Its ``accepts(spec)`` says whether it reads the
        ``--tokenizer`` value (a file path, an encoding name), and
        ``load(spec)`` returns ``count(text) -> int``.
    :return: nothing; ``--tokenizer SPEC`` uses the first counter, in order of
        name, that accepts SPEC; without it loomcore's estimate (characters / 4)
        counts.  The quality filter's ``max_tokens``, ``loomcore stats`` and
        ``loomcore check`` count with the chosen one.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add sub-commands to the ``loomcore`` command line.

    Called once, when the command line starts.

    :param cli: the top-level :class:`click.Group`; add commands with
        ``@cli.command()`` as in ``llm`` and ``datasette``.
    :return: nothing.
    """
