"""The run: read -> (per exchange: redact -> score -> enrich -> mine -> build) -> filter -> export.

:class:`Pipeline` composes the stages of :mod:`loomcore.stages`: it reads the
inputs (:class:`~loomcore.stages.read.Reading`), hands each exchange to an
executor that runs :func:`loomcore.stages.work.process_memory`, filters what
comes back in input order (:class:`~loomcore.stages.filter.Filtering`) and
writes the outputs as one set (:class:`~loomcore.stages.export.Exporting`).
Records stream through generators one exchange at a time; only counters grow
with the input.  The run's options are in :mod:`loomcore.options`, its counts
in :mod:`loomcore.stats` and the manifest in :mod:`loomcore.manifest`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from loomcore import dataset_card, increments, splits
from loomcore.convert import converter
from loomcore.inputs import iter_paths, printable_path
from loomcore.manifest import _size, manifest
from loomcore.model import Conversation, Memory, TrainingExample
from loomcore.options import RunOptions
from loomcore.progress import Progress
from loomcore.records import limits
from loomcore.registry import LoomcoreError, Registry, default_registry, get_plugin_manager
from loomcore.stages import conversations as whole
from loomcore.stages.budget import Faults
from loomcore.stages.export import SIDES, Exporting
from loomcore.stages.filter import Filtering
from loomcore.stages.read import InputRejected, Reading
from loomcore.stages.redact import redact_text
from loomcore.stages.work import ExecutionPlan, Outcome, process_memory
from loomcore.stats import RunStats
from loomcore.writers import JsonlWriter, OutputDir, write_json

log = logging.getLogger("loomcore")

# the names executors and plugins import from here (the stages are in loomcore.stages)
__all__ = ["ExecutionPlan", "InputRejected", "Outcome", "Pipeline", "RunOptions", "RunStats"]
__all__ += ["process_memory"]

# what a run writes beside the formats' files: a previous run's copies that this one does not write go
RUN_FILES = ("quarantine.jsonl", "README.md", "dataset_info.json", "manifest.json", "summary.json")


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
        registry = Registry(get_plugin_manager(only=found.plugins, disable=found.disable))
        return cls(registry, config.run_options(found), progress)

    def redacted(self, text: str) -> str:
        """``text`` as the run's redaction mode leaves it (see :func:`redact_text`)."""
        return redact_text(self.registry, text, self.options.redact, self.options.redact_allow)

    def conversations(self, inputs: list[str] | None) -> Iterator[Conversation]:
        """Every conversation of the inputs (see :meth:`Reading.conversations`)."""
        return self.reading.conversations(inputs)

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
        return list(outcome.examples)

    def examples(
        self,
        inputs: list[str] | None,
        watermarks: dict[str, Any] | None = None,
        filtering: Filtering | None = None,
    ) -> Iterator[TrainingExample]:
        """Every example of the inputs, in input order, through the chosen executor."""
        conversations = self.reading.conversations(inputs, watermarks)
        if self.whole is not None:  # issue 19: each conversation as a whole, as it is read
            conversations = self.whole.tap(conversations)
        memories = self.memories(conversations)
        if self.options.executor is None:
            outcomes: Iterable[Outcome] = (
                process_memory(self.registry, self.options, m) for m in memories
            )
        else:
            executor = self.registry.executor(self.options.executor)
            outcomes = executor.run(ExecutionPlan(self.registry, self.options), memories)
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
        if self.options.since_last and inputs and "-" in inputs:
            raise LoomcoreError(
                "-: standard input cannot be resumed; --since-last reads files it can read again"
            )
        final = Path(out_dir if out_dir is not None else self.options.output)
        owned = [
            *(f"{e}{side}.jsonl" for e in self.registry.exporters for side in SIDES),
            *RUN_FILES,
            *whole.owned_files(self.registry.exporters.values(), SIDES),  # issue 19
        ]
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
        # -- issue 19: conversations and preference pairs go to files of their own
        self.whole = whole.start(
            self.registry,
            options,
            exporters,
            out,
            suffix,
            self.faults,
            self.stats.conversation_examples,
        )
        exporters = whole.exchange_formats(exporters)
        # --
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
            if self.whole is not None:  # issue 19: written once the split is known
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
            if self.whole is not None:  # issue 19
                self.whole.close()
        self.written += self.reading.close_quarantine(keep=True)
        self.stats.seconds = round(time.perf_counter() - started, 3)
        if state is not None and watermarks == state.watermarks:
            exporting.abort()  # nothing arrived since the last run
            self.written = []  # the staging directory goes, with whatever it held
            return self.stats
        files = exporting.commit()
        self.written += [(w.path, w.lines) for w in files.values()]
        summary = self._summary(watermarks if state is not None else None)
        if state is None:  # a ready-to-train directory; incremental batches are parts of one
            listed = {entry: w.path.name for entry, w in files.items()}
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

    def _summary(self, watermarks: dict[str, Any] | None) -> dict[str, Any]:
        """summary.json: the counts, what was lost, paths and reasons redacted."""
        summary = self.stats.summary()
        summary["loss"] = self.loss()
        summary["inputs"] = [self.redacted(printable_path(p)) for p in summary["inputs"]]
        for key in ("inputs_failed", "inputs_restarted"):  # (watermarks need the real paths)
            summary["loss"][key] = {
                self.redacted(p): self.redacted(why) if isinstance(why, str) else why
                for p, why in summary["loss"][key].items()
            }
        if watermarks is not None:
            summary["watermarks"] = watermarks
        return summary
