"""The options of a whole run (the command line's flags)."""

from __future__ import annotations

import logging
from typing import Any

import attrs

from loomcore.model import (
    SynthesisConfig,
)
from loomcore.records import Limits

log = logging.getLogger("loomcore")


@attrs.define
class RunOptions:
    """Options of a whole run (the command line's flags)."""

    formats: tuple[str, ...] | None = None  # None: every loaded format
    min_importance: float = 0.4
    synthesis: SynthesisConfig = attrs.field(factory=SynthesisConfig)
    input_format: str | None = None
    strict: bool = False
    since_last: bool = False
    redact: str = "all"  # "none", "secrets" or "all"
    redact_allow: frozenset[str] = frozenset()
    on_error: str = "skip"  # "skip": quarantine bad records and go on; "fail": stop
    # None: here, one exchange after another; else the name of a registered executor
    executor: str | None = None
    # validation examples: a fraction below 1 or a count from 1 up (see loomcore.splits)
    val_size: float | None = None
    split: float | None = None  # deprecated: the train share (1 - val_size); None: no split
    # options of plugins, by plugin name ([options.<name>] in loomcore.toml):
    # {"dedup": {"near_threshold": 0.9}, "text": {"template": "..."}}
    plugin_options: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    seed: int = 0
    workers: int | None = None  # for parallel executors; None: every core
    record_timeout: float = 30.0  # seconds per exchange; 0 for none
    # the share of records that may be rejected before the run fails (exit 1)
    max_rejected: float = 0.01
    limits: Limits = attrs.field(factory=Limits)
