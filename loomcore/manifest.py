"""manifest.json: what a run read, kept, dropped and wrote, reconciled."""

from __future__ import annotations

import importlib.metadata
import logging
import os
import stat
from pathlib import Path
from typing import Any

import attrs

from loomcore import splits
from loomcore.inputs import Digest, printable_path

log = logging.getLogger("loomcore")


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size if path != "-" else 0
    except OSError:
        return 0


def _file_facts(path: str, read: Any = None) -> dict[str, Any]:
    """Path, bytes and SHA-256 of an input: ``read`` is its digest as the run
    read it (:class:`loomcore.inputs.Digest`); an input not read to its end
    by then (an archive, a reader that stopped early) is hashed here."""
    shown = printable_path(path)
    if path == "-":
        return {"path": path}
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            # a pipe or a FIFO was read once, by the reader: opening it again
            # waits for a writer that is gone (the run hung here)
            return {"path": shown, "kind": "pipe", **_facts(read)}
        if read is None or not read.complete:
            with open(path, "rb") as fh:  # hashed here the way the readers' reads are
                read = Digest(fh)
                while read.read(1 << 20):
                    pass
    except OSError as exc:  # a failed input, named in summary.loss
        return {"path": shown, "error": exc.strerror or str(exc)}
    return {"path": shown, **_facts(read)}


def _facts(read: Digest | None) -> dict[str, Any]:
    """Bytes and SHA-256 of an input read to its end ({} when it was not)."""
    if read is None or not read.complete:
        return {}
    return {"bytes": read.size, "sha256": read.hexdigest()}


def _split_facts(plan: splits.SplitPlan | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    return {
        "validation_asked": plan.asked,
        "train": plan.train_rows,
        "validation": plan.validation_rows,
        "conversations": plan.conversations,
        "validation_conversations": len(plan.validation),
        "warning": plan.warning(),
    }


def manifest(pipeline: Any, summary: dict[str, Any]) -> dict[str, Any]:
    """What a run read, dropped, built and wrote, with the figures that must add up.

    ``records``: read = rejected + conversations.  ``exchanges``: total =
    filtered by importance + used.  ``patterns``: mined = filtered by
    confidence + kept.  Secrets are counted by kind, never stored.
    """
    stats, options = pipeline.stats, pipeline.options
    kept = sum(stats.patterns.values())
    return {
        "inputs": [
            {**facts, "path": pipeline.redacted(facts["path"])}
            for facts in (
                _file_facts(path, pipeline.reading.digests.get(path)) for path in stats.inputs
            )
        ],
        "records": {
            "read": stats.conversations + stats.rejected,
            "rejected": stats.rejected,
            "rejected_by_reason": dict(sorted(stats.rejected_by_reason.items())),
            "conversations": stats.conversations,
        },
        "exchanges": {
            "total": stats.memories,
            # an exchange whose redaction failed is dropped whole ("redaction_failed")
            "filtered": {"importance": stats.below_importance, **stats.exchanges_dropped},
            "used": stats.memories - stats.below_importance - sum(stats.exchanges_dropped.values()),
            # never exchanges: what the readers left out, by reason
            "left_out_by_readers": dict(sorted(stats.exchanges_not_read.items())),
        },
        "patterns": {
            "mined": kept + stats.below_confidence,
            "filtered": {"confidence": stats.below_confidence},
            "kept_by_type": dict(sorted(stats.patterns.items())),
        },
        "examples": {
            "built": summary["examples"],
            "filtered": summary["examples_filtered"],
            "kept": summary["examples"] - sum(summary["examples_filtered"].values()),
        },
        "examples_by_type": summary["examples_by_type"],
        "lines_by_format": summary["lines_by_format"],
        "redactions": summary["redactions"],
        "plugin_errors": summary["plugin_errors"],
        "plugins": [
            {k: row[k] for k in ("name", "distribution", "version")}
            for row in pipeline.registry.plugin_info()
        ],
        "loomcore_version": importlib.metadata.version("loomcore"),
        "configuration": {
            "formats": list(options.formats or pipeline.registry.exporters),
            "min_importance": options.min_importance,
            "synthesis": attrs.asdict(options.synthesis),
            "input_format": options.input_format,
            "redact": options.redact,
            "redact_allow": len(options.redact_allow),
            "on_error": options.on_error,
            "strict": options.strict,
            "since_last": options.since_last,
            "val_size": options.val_size,
            "split": options.split,
            "seed": options.seed,
            "limits": attrs.asdict(options.limits),
        },
        # what the train/validation split made of the examples (null: no split)
        "split": _split_facts(pipeline.split_plan),
        "seconds": stats.seconds,
    }
