"""The run: read -> (per exchange: redact -> score -> enrich -> mine -> build) -> filter -> export.

:class:`Pipeline` reads the inputs, hands each exchange to an executor that
runs :func:`loomcore.stages.work.process_memory`, filters what comes back in
input order and writes the outputs as one set.  Records stream through
generators one exchange at a time; only counters grow with the input.  The
stages are in :mod:`loomcore.stages`, the run's options in
:mod:`loomcore.options`, its counts in :mod:`loomcore.stats` and the
manifest in :mod:`loomcore.manifest`.
"""

from __future__ import annotations

import gzip
import logging
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from loomcore import dataset_card, increments, splits
from loomcore.confidence import bucket
from loomcore.convert import converter
from loomcore.inputs import InputError, iter_paths, open_with_reader, printable_path
from loomcore.manifest import _size, manifest
from loomcore.model import (
    Conversation,
    Memory,
    Rejected,
    Source,
    TrainingExample,
)
from loomcore.options import RunOptions
from loomcore.progress import Progress, position
from loomcore.records import limits
from loomcore.registry import LoomcoreError, Registry, default_registry
from loomcore.stages.annotate import enrich, mine, score
from loomcore.stages.budget import Faults, RecordTimeout, time_budget
from loomcore.stages.build import build, built, examples_of
from loomcore.stages.exchanges import exchanges
from loomcore.stages.redact import (
    REDACTION_MODES,
    RedactionFailed,
    TurnCache,
    redact,
    redact_text,
)
from loomcore.stages.work import ExecutionPlan, Outcome, prepare_filters, process_memory
from loomcore.stats import RunStats
from loomcore.writers import AtomicFile, JsonlWriter, OutputDir, write_json

log = logging.getLogger("loomcore")

# the stages, options, counts and manifest live in modules of their own; the
# names stay importable from here, as executors, plugins and tests use them
__all__ = [
    "REDACTION_MODES",
    "ExecutionPlan",
    "Faults",
    "InputRejected",
    "Outcome",
    "Pipeline",
    "RecordTimeout",
    "RedactionFailed",
    "RunOptions",
    "RunStats",
    "TurnCache",
    "build",
    "built",
    "enrich",
    "examples_of",
    "exchanges",
    "manifest",
    "mine",
    "prepare_filters",
    "process_memory",
    "redact",
    "redact_text",
    "score",
    "time_budget",
]


class InputRejected(LoomcoreError):
    """A bad input record, with ``--on-error fail``."""


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
        self.quarantine: JsonlWriter | None = None
        # the filters' prepared values of the examples on their way to the filters
        self._prepared: dict[str, dict[str, Any]] = {}
        # the conversations chosen for validation, once a split run has seen them all
        self.split_plan: splits.SplitPlan | None = None
        # every file the run wrote, in the order written, with its lines if JSONL
        self.written: list[tuple[Path, int | None]] = []

    def redacted(self, text: str) -> str:
        """``text`` as the run's redaction mode leaves it (see :func:`redact_text`)."""
        return redact_text(self.registry, text, self.options.redact, self.options.redact_allow)

    def _reject(self, item: Rejected) -> None:
        # a rejected record is written too (quarantine, counts by reason): redacted
        path, reason = self.redacted(item.source.path), self.redacted(item.reason)
        where = f"{path}:{item.source.index}"
        if self.options.on_error == "fail":
            raise InputRejected(f"{where}: {reason}")
        self.stats.rejected += 1
        self.stats.rejected_by_reason[reason.split(":")[0].split(" @ ")[0][:80]] += 1
        log.warning("%s: rejected: %s", where, reason)
        if self.quarantine is not None:
            self.quarantine.write_record(
                {
                    "path": path,
                    "index": item.source.index,
                    "reason": reason,
                    "raw": self.redacted(item.raw),
                    # what the size limit kept out of raw (the record is whole when 0)
                    "bytes_not_kept": getattr(item, "bytes_not_kept", 0),
                }
            )

    def conversations(
        self, inputs: list[str] | None, watermarks: dict[str, Any] | None = None
    ) -> Iterator[Conversation]:
        """Every conversation of the inputs (the bundled sample when none).

        With ``watermarks`` ({input path: watermark, see :mod:`loomcore.increments`}),
        records at or before the mark are skipped and the marks move to the
        last record consumed, so that an incremental run reads only what
        arrived since.  An input that is empty or of no known format is one
        rejected record; one that cannot be opened or read to its end (no
        permission, a truncated gzip) is a failed input, named in the
        summary; the other inputs are read all the same.
        """
        done = 0  # bytes of the inputs read before this one
        for path in iter_paths(inputs):
            shown = printable_path(path)  # a file name that is not UTF-8 can still be written
            self.stats.inputs.append(path)  # opened again for the manifest: the real name
            last = [-1]  # the position of the last record read
            try:
                yield from self._read_input(path, shown, done, watermarks, last)
            except InputError as exc:  # empty, or no reader knows it: nothing of it is read
                self._reject(Rejected(Source(shown, 0, ""), str(exc).removeprefix(f"{shown}: ")))
            except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
                # (a zip member whose CRC fails raises BadZipFile while it is read)
                self._input_failed(shown, last[0] + 1, exc)
            done += _size(path)

    def _read_input(
        self,
        path: str,
        shown: str,
        done: int,
        watermarks: dict[str, Any] | None,
        last: list[int],
    ) -> Iterator[Conversation]:
        stream, reader = open_with_reader(self.registry, path, self.options.input_format)
        key = printable_path(str(Path(path).resolve())) if path != "-" else path
        mark, pending = -1, list[int]()
        if watermarks is not None:
            mark, why = increments.start_after(path, watermarks.get(key))
            if why:
                log.warning("%s: %s: reading it from the start", shown, why)
                self.stats.inputs_restarted[shown] = why
        consumed = mark
        with stream:
            items: Iterable[Conversation | Rejected] = reader.read(stream, shown)
            if watermarks is not None:  # a last line still being written is not consumed
                items = increments.complete_records(items, path, pending)
            for item in items:
                last[0] = item.source.index
                if watermarks is not None:
                    if item.source.index <= mark:
                        continue
                    consumed = max(consumed, item.source.index)
                if (
                    not isinstance(item, Rejected)
                    and len(item.turns) > self.options.limits.max_turns
                ):
                    item = Rejected(
                        item.source,
                        f"conversation of {len(item.turns):,} turns is over the limit of "
                        f"{self.options.limits.max_turns:,} (--max-turns)",
                    )
                if isinstance(item, Rejected):
                    self._reject(item)
                else:
                    self.stats.conversations += 1
                self.progress.advance(done + position(stream), self.stats.conversations)
                if not isinstance(item, Rejected):
                    yield item
        if watermarks is None:
            return
        if pending:
            self.stats.records_pending[shown] = pending[0]
            log.warning(
                "%s:%d: the last line is not complete yet (no line break, does not parse): "
                "left for the next run",
                shown,
                pending[0],
            )
        if consumed != mark or shown in self.stats.inputs_restarted:
            watermarks[key] = increments.watermark(path, consumed)

    def _input_failed(self, shown: str, index: int, exc: BaseException) -> None:
        """An input that could not be opened or read to its end: named, counted
        as a rejected record, and the run fails (what it held is unknown)."""
        cause = _read_error(exc)
        self.stats.inputs_failed[shown] = cause
        self._reject(Rejected(Source(shown, index, ""), f"input not read to its end: {cause}"))

    def loss(self) -> dict[str, Any]:
        """What the run lost, for the summary and the exit status: rejected
        records against those read, the ``max_rejected`` share allowed, inputs
        not read to their end; ``failed`` when either is over."""
        stats = self.stats
        read = stats.conversations + stats.rejected
        share = stats.rejected / read if read else 0.0
        return {
            "records_read": read,
            "records_rejected": stats.rejected,
            "rejected_share": round(share, 6),
            "max_rejected": self.options.max_rejected,
            "inputs_failed": dict(sorted(stats.inputs_failed.items())),
            "inputs_restarted": dict(sorted(stats.inputs_restarted.items())),
            "records_pending": dict(sorted(stats.records_pending.items())),
            "failed": bool(stats.inputs_failed) or share > self.options.max_rejected,
        }

    def memories(self, conversations: Iterable[Conversation]) -> Iterator[Memory]:
        """Every exchange of the conversations, as read (redaction and scoring
        are part of the per-exchange work, see :func:`process_memory`)."""
        for conv in conversations:
            dropped = conv.metadata.get("dropped_exchanges")
            if isinstance(dropped, dict):
                self.stats.exchanges_not_read.update(dropped)
            for memory in exchanges(conv):
                self.stats.memories += 1
                yield memory

    def absorb(self, outcome: Outcome) -> list[TrainingExample]:
        """Add one exchange's outcome to the run's counts; its examples."""
        stats = self.stats
        stats.below_importance += outcome.below_importance
        stats.below_confidence += outcome.below_confidence
        stats.patterns.update(outcome.patterns)
        stats.redactions.update(outcome.redactions)
        stats.exchanges_dropped.update(outcome.dropped)
        stats.plugin_errors.update(outcome.plugin_errors)
        stats.stage_seconds.update(outcome.seconds)
        self._prepared.update(outcome.prepared)
        for ex in outcome.examples:
            stats.examples[ex.pattern_type] += 1
            stats.confidence_counts[bucket(ex.confidence)] += 1
        return list(outcome.examples)

    def process(self, memory: Memory) -> list[TrainingExample]:
        """One exchange through redact, score, enrich, mine and build, here."""
        return self.absorb(process_memory(self.registry, self.options, memory))

    def examples(
        self, inputs: list[str] | None, watermarks: dict[str, int] | None = None
    ) -> Iterator[TrainingExample]:
        """Every example of the inputs, in input order, through the chosen executor."""
        memories = self.memories(self.conversations(inputs, watermarks))
        if self.options.executor is None:
            for memory in memories:
                yield from self.process(memory)
            return
        executor = self.registry.executor(self.options.executor)
        for outcome in executor.run(ExecutionPlan(self.registry, self.options), memories):
            yield from self.absorb(outcome)

    def _filter(self, filters: list[tuple[Any, Any]], example: TrainingExample) -> str | None:
        prepared = self._prepared.pop(example.id, {})
        for f, state in filters:
            try:
                if f.prepare is None:
                    reason = state.see(example)
                else:
                    reason = state.see(example, prepared=prepared.get(f.plugin))
            except Exception as exc:
                self.faults.handle(f.plugin, "filter", exc, example.id)
                continue
            if reason:
                return reason
        return None

    def _export(
        self,
        exporters: list[Any],
        writers: dict[tuple[str, str], JsonlWriter],
        example: TrainingExample,
    ) -> None:
        t0 = time.perf_counter()
        for exporter in exporters:
            try:
                record = exporter.render(example)
            except Exception as exc:
                self.faults.handle(exporter.plugin, "export", exc, example.id)
                continue
            writers[exporter.name, self.side(example)].write_record(record)
        self.stats.stage_seconds["export"] += time.perf_counter() - t0  # type: ignore[assignment]

    def side(self, example: TrainingExample) -> str:
        """ "train" or "validation" for a split run ("" otherwise).

        Decided by the example's source conversation (see
        :mod:`loomcore.splits`), so every example of one conversation lands on
        the same side, and the same seed always gives the same split.
        """
        if self.split_plan is None:
            return ""
        key = splits.conversation_key(example.source)
        return "validation" if key in self.split_plan.validation else "train"

    def _plan_split(self, staged: Iterable[dict[str, Any]], dropped: dict[str, str]) -> None:
        """Choose the validation conversations from the staged examples that
        the filters kept, and warn with the numbers when the split is too small."""
        val_size = splits.requested(self.options.val_size, self.options.split)
        if val_size is None:
            return
        sizes: Counter[str] = Counter(
            splits.conversation_key(record["source"])
            for record in staged
            if record["id"] not in dropped
        )
        self.split_plan = splits.choose(sizes, val_size, self.options.seed)
        warning = self.split_plan.warning()
        if warning:
            log.warning("%s", warning)

    def run(self, inputs: list[str] | None, out_dir: str | Path) -> RunStats:
        """Write one JSONL file per format into ``out_dir``, and ``summary.json``.

        With ``since_last``, only records that arrived since the last
        successful incremental run into ``out_dir`` are read, and the files
        of this run are ``<format>.run-NNNN.jsonl`` with
        ``summary.run-NNNN.json`` written last (see :mod:`loomcore.increments`).
        """
        if self.options.since_last and inputs and "-" in inputs:
            raise LoomcoreError(
                "-: standard input cannot be resumed; --since-last reads files it can read again"
            )
        final = Path(out_dir)
        # locked for the run; every file goes to a staging directory, moved in as a set
        owned = [  # what a run writes: the previous run's files that this one does not write go
            *(f"{e}{side}.jsonl" for e in self.registry.exporters for side in SIDES),
            *RUN_FILES,
        ]
        output = OutputDir(final, replace=not self.options.since_last, owned=owned)
        try:
            return self._run(inputs, final, output)
        finally:
            output.close()  # a run that did not commit leaves nothing behind

    def _run(self, inputs: list[str] | None, final: Path, output: OutputDir) -> RunStats:
        out = output.stage
        # options first: the registry binds each plugin's functions to them
        self.registry.configure(self.options.plugin_options)
        names = self.options.formats or tuple(self.registry.exporters)
        exporters = [self.registry.exporter(n) for n in names]  # unknown names fail before any work
        state = increments.prepare(final) if self.options.since_last else None
        suffix = f".{state.run_name}" if state else ""
        watermarks = dict(state.watermarks) if state else None
        splitting = splits.requested(self.options.val_size, self.options.split) is not None
        sides = ("train", "validation") if splitting else ("",)
        writers = {
            (e.name, part): JsonlWriter(out / f"{e.name}{'.' + part if part else ''}{suffix}.jsonl")
            for e in exporters
            for part in sides
        }
        self.quarantine = (
            JsonlWriter(out / f"quarantine{suffix}.jsonl")
            if self.options.on_error == "skip"
            else None
        )
        token = limits.set(self.options.limits)
        started = time.perf_counter()
        filters = [(f, _start(f, self.options.plugin_options)) for f in self.registry.filters]
        # Pass 1: examples that pass the filters so far go to a staging file; a
        # filter that must see the whole run (deduplication keeps the best copy)
        # drops the rest afterwards.  Pass 2 writes the formats from staging.
        # a split needs every example's conversation before it writes the first
        staging = JsonlWriter(out / f"staging{suffix}.jsonl") if filters or splitting else None
        try:
            paths = list(iter_paths(inputs))  # directories and globs expanded once
            self.progress.start(None if "-" in paths else sum(map(_size, paths)))
            for example in self.examples(paths, watermarks):
                reason = self._filter(filters, example)
                if reason:
                    self.stats.examples_filtered[reason] += 1
                elif staging is not None:
                    staging.write_record(converter.unstructure(example))
                else:
                    self._export(exporters, writers, example)
            if staging is not None:
                late: dict[str, str] = {}
                for f, state_ in filters:
                    try:
                        late.update(state_.finish())
                    except Exception as exc:
                        self.faults.handle(f.plugin, "filter", exc, "the run")
                self.stats.examples_filtered.update(late.values())
                self.progress.stage("writing")
                staging.close_for_reading()
                if splitting:
                    self._plan_split(staging.read_back(), late)
                for record in staging.read_back():
                    example = converter.structure(record, TrainingExample)
                    if example.id not in late:
                        self._export(exporters, writers, example)
        except BaseException:
            for w in writers.values():
                w.abort()
            if self.quarantine is not None:
                self.quarantine.abort()
            raise
        finally:
            self.progress.finish()
            limits.reset(token)
            if staging is not None:
                staging.abort()
        # a quarantine is kept only when something was rejected
        if self.quarantine is not None:
            if self.quarantine.lines:
                self.quarantine.commit()
                self.written.append((self.quarantine.path, self.quarantine.lines))
            else:
                self.quarantine.abort()
        self.stats.seconds = round(time.perf_counter() - started, 3)
        if state is not None and watermarks == state.watermarks:
            for w in writers.values():  # nothing arrived since the last run
                w.abort()
            self.written = []  # the staging directory goes, with whatever it held
            return self.stats
        for (name, part), w in list(writers.items()):
            if part == "validation" and not w.lines:
                w.abort()  # no empty validation file: trainers fail to load one
                del writers[name, part]
                continue
            w.commit()
            self.written.append((w.path, w.lines))
            self.stats.lines[f"{name}.{part}" if part else name] = w.lines
        summary = self.stats.summary()
        summary["loss"] = self.loss()
        summary["inputs"] = [self.redacted(printable_path(p)) for p in summary["inputs"]]
        for key in ("inputs_failed", "inputs_restarted"):  # (watermarks need the real paths)
            summary["loss"][key] = {
                self.redacted(p): self.redacted(why) if isinstance(why, str) else why
                for p, why in summary["loss"][key].items()
            }
        if state is not None:
            summary["watermarks"] = watermarks
        if state is None:  # a ready-to-train directory; incremental batches are parts of one
            # a file of no lines is listed nowhere: a trainer given it fails
            files = {
                (f"{name}.{part}" if part else name): w.path.name
                for (name, part), w in writers.items()
                if w.lines
            }
            info = dataset_card.dataset_info(files, self.registry.exporters)
            write_json(out / "dataset_info.json", info)
            entries = frozenset(k for k in files if dataset_card.entry_name(k) in info)
            with AtomicFile(out / "README.md") as fh:
                fh.write(dataset_card.card(summary, files, entries).encode())
            self.written += [(out / "dataset_info.json", None), (out / "README.md", None)]
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


def _start(example_filter: Any, plugin_options: dict[str, dict[str, Any]]) -> Any:
    """A filter's state for this run, made with its plugin's options."""
    try:
        return example_filter.start(plugin_options.get(example_filter.plugin, {}))
    except (ValueError, TypeError) as exc:
        raise LoomcoreError(f"options of plugin {example_filter.plugin!r}: {exc}") from None


SIDES = ("", ".train", ".validation")
RUN_FILES = ("quarantine.jsonl", "README.md", "dataset_info.json", "manifest.json", "summary.json")


def _read_error(exc: BaseException) -> str:
    """Why an input could not be read to its end, in words."""
    if isinstance(exc, EOFError):  # gzip's word for a file cut short
        return f"truncated gzip file ({exc})"
    if isinstance(exc, gzip.BadGzipFile | zlib.error):
        return f"corrupt gzip file ({exc})"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)
