"""The run: read -> (per exchange: redact -> score -> enrich -> mine -> build) -> filter -> export.

:class:`Pipeline` composes the stages of :mod:`loomcore.stages`: reading, an
executor running :func:`~loomcore.stages.work.process_memory` on each
exchange, filtering in input order, and exporting the outputs as one set.
Records stream one exchange at a time; only counters grow with the input.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from loomcore import dataset_card, increments, splits
from loomcore.convert import converter
from loomcore.inputs import iter_paths
from loomcore.manifest import _size, manifest
from loomcore.model import Conversation, Memory, TrainingExample
from loomcore.options import RunOptions
from loomcore.progress import Progress
from loomcore.records import limits
from loomcore.registry import Registry, default_registry
from loomcore.stages import conversations as whole
from loomcore.stages.budget import Faults
from loomcore.stages.export import SIDES, Exporting, owned_files
from loomcore.stages.filter import Filtering
from loomcore.stages.read import InputRejected, Reading, resumable
from loomcore.stages.redact import redact_text
from loomcore.stages.work import ExecutionPlan, Outcome, process_memory
from loomcore.stats import RunStats
from loomcore.writers import JsonlWriter, OutputDir, write_json

log = logging.getLogger("loomcore")

# the names executors and plugins import from here (the stages are in loomcore.stages)
__all__ = ["ExecutionPlan", "InputRejected", "Outcome", "Pipeline", "RunOptions", "RunStats"]
__all__ += ["process_memory"]
# and the stages' names, for plugins written before the stages had modules of their own
from loomcore.stages.names import *  # noqa: E402, F403


class Pipeline:
    """The whole run over some inputs, streaming, with the registry's plugins."""

    def __init__(
        self,
        registry: Registry | None = None,
        options: RunOptions | None = None,
        progress: Progress | None = None,
    ):
        self.registry = registry or default_registry()
        self.options = options or RunOptions()
        self.progress = progress or Progress()
        self.stats = RunStats()
        self.faults = Faults(strict=self.options.strict, by_plugin=self.stats.plugin_errors)
        self.reading = Reading(
            self.registry, self.options, self.stats, self.progress, self.redacted
        )
        self.exporting: Exporting | None = None  # made when the run knows its output directory
        # whole conversations and preference pairs (issue 19), when the run writes them
        self.whole: whole.ConversationOutputs | None = None
        # every file the run wrote, in the order written, with its lines if JSONL
        self.written: list[tuple[Path, int | None]] = []

    @classmethod
    def from_config(
        cls, path: str | Path | None = None, progress: Progress | None = None
    ) -> Pipeline:
        """The run a configuration file describes (``loomcore.toml`` here, or
        ``path``; see :mod:`loomcore.config`): its plugins, ``[run]`` and
        ``[options.PLUGIN]`` tables, as ``loomcore run`` with no flags uses them."""
        from loomcore import config

        found = config.load(config.find(str(path) if path is not None else None))
        return cls(config.registry(found), config.run_options(found), progress)

    def redacted(self, text: str) -> str:
        """``text`` as the run's redaction mode leaves it (see :func:`redact_text`)."""
        return redact_text(self.registry, text, self.options.redact, self.options.redact_allow)

    def conversations(
        self, inputs: list[str] | None, watermarks: dict[str, Any] | None = None
    ) -> Iterator[Conversation]:
        """Every conversation of the inputs (see :meth:`Reading.conversations`)."""
        return self.reading.conversations(inputs, watermarks)

    def memories(self, conversations: Iterable[Conversation]) -> Iterator[Memory]:
        """Every exchange of the conversations, as read."""
        return self.reading.memories(conversations)

    def loss(self) -> dict[str, Any]:
        """What the run lost (see :meth:`Reading.loss`)."""
        return self.reading.loss()

    @property
    def split_plan(self) -> splits.SplitPlan | None:
        """The conversations chosen for validation, once a split run has seen them all."""
        return self.exporting.split_plan if self.exporting is not None else None

    def absorb(self, outcome: Outcome, filtering: Filtering | None = None) -> list[TrainingExample]:
        """Add one exchange's outcome to the run's counts; its examples."""
        self.stats.absorb(outcome)
        if filtering is not None:
            filtering.prepared.update(outcome.prepared)
        # made in another process by that process's registry: to_<format>() renders with this one
        key = self.registry.key
        return [e if e.made_by == key else attrs.evolve(e, made_by=key) for e in outcome.examples]

    def process(self, memory: Memory) -> list[TrainingExample]:
        """One exchange through redact, score, enrich, mine and build, here."""
        return self.absorb(process_memory(self.registry, self.options, memory))

    def examples(
        self,
        inputs: list[str] | None,
        watermarks: dict[str, Any] | None = None,
        filtering: Filtering | None = None,
    ) -> Iterator[TrainingExample]:
        """Every example of the inputs, in input order, through the chosen executor."""
        conversations = self.conversations(inputs, watermarks)
        options = self.options
        if self.whole is None:
            memories = self.memories(conversations)
        else:
            # each conversation as a whole too, as it is read: its exchanges are
            # redacted there, once, and go on to the per-exchange work redacted
            memories = self.whole.redacted(
                self.memories(self.whole.tap(conversations)), self.stats.absorb
            )
            options = self.whole.exchange_options
        if options.executor is None:
            outcomes: Iterable[Outcome] = (
                process_memory(self.registry, options, m) for m in memories
            )
        else:
            executor = self.registry.executor(options.executor)
            outcomes = executor.run(ExecutionPlan(self.registry, options), memories)
        for outcome in outcomes:
            yield from self.absorb(outcome, filtering)

    def run(self, inputs: list[str] | None, out_dir: str | Path | None = None) -> RunStats:
        """Write one JSONL file per format into ``out_dir`` (the options'
        ``output`` when None), and ``summary.json``.

        With ``since_last``, only records that arrived since the last
        successful incremental run into ``out_dir`` are read, and the files
        of this run are ``<format>.run-NNNN.jsonl`` with
        ``summary.run-NNNN.json`` written last (see :mod:`loomcore.increments`).
        Every file goes to a staging directory, moved in as a set when the
        run ends well; the directory is locked for the run.
        """
        if self.options.since_last:
            resumable(inputs)  # before anything is written
        final = Path(out_dir if out_dir is not None else self.options.output)
        # what a run here may write: a previous run's that this one does not write go
        exporters = self.registry.exporters
        owned = [*owned_files(exporters), *whole.owned_files(exporters.values(), SIDES)]
        output = OutputDir(final, replace=not self.options.since_last, owned=owned)
        try:
            return self._run(inputs, final, output)
        finally:
            output.close()  # a run that did not commit leaves nothing behind

    def _run(self, inputs: list[str] | None, final: Path, output: OutputDir) -> RunStats:
        out, options = output.stage, self.options
        self.registry.configure(options.plugin_options)  # options first: plugins bind to them
        names = options.formats or tuple(self.registry.exporters)
        exporters = [self.registry.exporter(n) for n in names]  # unknown names fail before any work
        state = increments.prepare(final) if options.since_last else None
        suffix = f".{state.run_name}" if state else ""
        watermarks = dict(state.watermarks) if state else None
        # whole conversations and preference pairs go to files of their own
        counts = self.stats.conversation_examples
        self.whole = whole.start(
            self.registry, options, exporters, out, suffix, self.faults, counts
        )
        exporters = whole.exchange_formats(exporters)
        exporting = self.exporting = Exporting(
            exporters, options, self.faults, self.stats, out, suffix
        )
        if options.on_error == "skip":  # bad records are kept aside, not lost
            self.reading.quarantine = JsonlWriter(out / f"quarantine{suffix}.jsonl")
        token = limits.set(options.limits)
        started = time.perf_counter()
        filtering = Filtering(self.registry, options, self.faults)
        # Pass 1: examples the filters keep so far go to a staging file; a filter
        # that must see the whole run (dedup keeps the best copy) drops the rest
        # at the end, and a split needs every conversation before its first line.
        # Pass 2 writes the formats from staging.
        staged = filtering or exporting.splitting
        staging = JsonlWriter(out / f"staging{suffix}.jsonl") if staged else None
        try:
            paths = list(iter_paths(inputs))  # directories and globs expanded once
            self.progress.start(None if "-" in paths else sum(map(_size, paths)))
            for example in self.examples(paths, watermarks, filtering):
                reason = filtering.reason(example)
                if reason:
                    self.stats.examples_filtered[reason] += 1
                elif staging is not None:
                    staging.write_record(converter.unstructure(example))
                else:
                    exporting.write(example)
            if staging is not None:
                late = filtering.finish()
                self.stats.examples_filtered.update(late.values())
                self.progress.stage("writing")
                staging.close_for_reading()
                if exporting.splitting:
                    exporting.plan_split(staging.read_back(), late)
                for record in staging.read_back():
                    if record["id"] not in late:
                        exporting.write(converter.structure(record, TrainingExample))
            if self.whole is not None:  # written once the split is known
                sides = ("train", "validation") if exporting.splitting else ("",)
                self.whole.write(exporting.writers, sides, exporting.side)
        except BaseException:
            exporting.abort()
            self.reading.close_quarantine(keep=False)
            raise
        finally:
            self.progress.finish()
            limits.reset(token)
            if staging is not None:
                staging.abort()
            if self.whole is not None:
                self.whole.close()
        self.written += self.reading.close_quarantine(keep=True)
        self.stats.seconds = round(time.perf_counter() - started, 3)
        if state is not None and watermarks == state.watermarks:
            exporting.abort()  # nothing arrived since the last run
            self.written = []  # the staging directory goes, with whatever it held
            return self.stats
        files = exporting.commit()
        self.written += [(w.path, w.lines) for w in files.values()]
        summary = self.reading.summary(watermarks if state is not None else None)
        if state is None:  # a ready-to-train directory; incremental batches are parts of one
            # a file of no lines is listed nowhere: a trainer given it fails
            listed = {entry: w.path.name for entry, w in files.items() if w.lines}
            card = dataset_card.write(out, summary, listed, self.registry.exporters)
            self.written += [(path, None) for path in card]
        write_json(out / f"manifest{suffix}.json", manifest(self, summary))
        # the summary is written last: for an incremental run it marks the batch complete
        write_json(out / f"summary{suffix}.json", summary)
        self.written += [
            (out / f"manifest{suffix}.json", None),
            (out / f"summary{suffix}.json", None),
        ]
        output.commit(last=f"summary{suffix}.json")
        self.written = [(final / path.name, lines) for path, lines in self.written]
        return self.stats
