"""The export stage: each kept example rendered by every chosen format and
written to that format's file (per side of the train/validation split)."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from loomcore import splits
from loomcore.model import TrainingExample
from loomcore.options import RunOptions
from loomcore.stages.budget import Faults
from loomcore.stats import RunStats
from loomcore.writers import JsonlWriter

log = logging.getLogger("loomcore")

# the files a run may write for one format: whole, or one per side of the split
SIDES = ("", ".train", ".validation")
# what a run writes beside the formats' files
RUN_FILES = ("quarantine.jsonl", "README.md", "dataset_info.json", "manifest.json", "summary.json")


def owned_files(exporters: Iterable[str]) -> list[str]:
    """Every file name a (non-incremental) run into a directory may write."""
    return [*(f"{e}{side}.jsonl" for e in exporters for side in SIDES), *RUN_FILES]


class Exporting:
    """One JSONL writer per (format, side), in ``out``; nothing is kept until :meth:`commit`."""

    def __init__(
        self,
        exporters: list[Any],
        options: RunOptions,
        faults: Faults,
        stats: RunStats,
        out: Path,
        suffix: str = "",
    ):
        self.exporters, self.options, self.faults, self.stats = exporters, options, faults, stats
        self.splitting = splits.requested(options.val_size, options.split) is not None
        sides = ("train", "validation") if self.splitting else ("",)
        self.writers = {
            (e.name, side): JsonlWriter(out / f"{e.name}{'.' + side if side else ''}{suffix}.jsonl")
            for e in exporters
            for side in sides
        }
        # the conversations chosen for validation, once a split run has seen them all
        self.split_plan: splits.SplitPlan | None = None

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

    def plan_split(self, staged: Iterable[dict[str, Any]], dropped: dict[str, str]) -> None:
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

    def write(self, example: TrainingExample) -> None:
        """Render ``example`` in every format and write each line."""
        t0 = time.perf_counter()
        side = self.side(example)
        rendered = self.faults.each(
            self.exporters, "export", example.id, lambda e: e.render(example)
        )
        for exporter, record in rendered:
            self.writers[exporter.name, side].write_record(record)
        self.stats.stage_seconds["export"] += time.perf_counter() - t0  # type: ignore[assignment]

    def abort(self) -> None:
        """Leave nothing of the formats' files."""
        for w in self.writers.values():
            w.abort()

    def commit(self) -> dict[str, JsonlWriter]:
        """Keep the files, but no empty validation file (trainers fail to load
        one); ``{entry: writer}`` of those kept ("alpaca", "alpaca.train" ...)."""
        kept: dict[str, JsonlWriter] = {}
        for (name, side), w in self.writers.items():
            if side == "validation" and not w.lines:
                w.abort()
                continue
            w.commit()
            entry = f"{name}.{side}" if side else name
            self.stats.lines[entry] = w.lines
            kept[entry] = w
        return kept
