"""The options of a whole run, and the one table of `loomcore run`'s flags.

:class:`RunOptions` holds a run's options with their defaults; :data:`FLAGS`
says for each flag where its value goes in :class:`RunOptions` (a path into
it: ``("synthesis", "min_confidence")``), its kind, range and help.  The
command line's options are made from the table (:mod:`loomcore.cli`), the
``[run]`` table of ``loomcore.toml`` is read through it
(:meth:`RunOptions.from_table`), and the defaults are the fields' own, so
each default is written once.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any

import attrs

from loomcore.convert import converter
from loomcore.model import SynthesisConfig
from loomcore.records import Limits
from loomcore.splits import check_val_size
from loomcore.writers import DEFAULT_OUTPUT

log = logging.getLogger("loomcore")

REDACT_MODES = ("all", "secrets", "none")
ON_ERROR = ("skip", "fail")


@attrs.define
class RunOptions:
    """Options of a whole run (the command line's flags; see :data:`FLAGS`)."""

    formats: tuple[str, ...] | None = None  # None: every loaded format
    min_importance: float = 0.4
    synthesis: SynthesisConfig = attrs.field(factory=SynthesisConfig)
    input_format: str | None = None
    strict: bool = False
    since_last: bool = False
    redact: str = "all"  # one of REDACT_MODES
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
    output: str = DEFAULT_OUTPUT  # the output directory
    # also write whole conversations (<format>_conversations files, see
    # loomcore.stages.conversations), beside the single-exchange examples
    conversations: bool = False

    @classmethod
    def from_flags(cls, values: Mapping[str, Any]) -> RunOptions:
        """Options from flag values by flag name (``{"min-importance": 0.5}``,
        also ``min_importance``, or the field's name: ``formats``); a flag
        not given, or given as None, keeps its default.  Raises ValueError
        naming the flag and its path for an unknown flag or a value of the
        wrong kind or range."""
        tree: dict[str, Any] = {}
        for flag, value in checked(values).items():
            if value is None or (flag.path[0] == "plugin_options" and value is False):
                continue  # not set: the field's (or the plugin's) default
            node = tree
            for key in flag.path[:-1]:
                node = node.setdefault(key, {})
            node[flag.path[-1]] = value
        return converter.structure(tree, cls)

    @classmethod
    def from_table(
        cls, table: Mapping[str, Any], plugin_options: Mapping[str, Mapping[str, Any]] = {}
    ) -> RunOptions:
        """Options from a configuration file's ``[run]`` table (keys as the
        flags are written) and its ``[options.PLUGIN]`` tables; a flag that
        is a plugin's option (``max-tokens``) goes over the table's value."""
        options = cls.from_flags(table)
        merged = {name: dict(t) for name, t in plugin_options.items()}
        for name, t in options.plugin_options.items():
            merged.setdefault(name, {}).update(t)
        return attrs.evolve(options, plugin_options=merged)


@attrs.frozen
class Flag:
    """One `loomcore run` option: where its value goes and what it may be.

    ``kind``: ``value`` (one value of ``type``), ``many`` (repeatable, a
    list), ``flag`` (on when given), ``switch`` (``--x/--no-x``).
    ``low``/``high`` bound a number (``open`` when the bound itself is out).
    """

    name: str  # the long flag without its dashes: "min-importance"
    path: tuple[str, ...]  # where the value goes in RunOptions
    help: str
    kind: str = "value"
    type: type = str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()
    short: str | None = None  # "-o"
    metavar: str | None = None

    @property
    def param(self) -> str:
        """The keyword the command line passes its value as: the field's name."""
        return self.path[-1]

    @property
    def default(self) -> Any:
        """The default: the RunOptions field's own (None for a plugin's option)."""
        if self.path[0] == "plugin_options":
            return False if self.kind == "flag" else None
        value: Any = _defaults()
        for key in self.path:
            value = getattr(value, key)
        return value

    def check(self, value: Any) -> Any:
        """``value`` if this flag can take it (a list for ``many``), else a ValueError."""
        if value is None:
            return None
        if self.kind in ("flag", "switch"):
            if not isinstance(value, bool):
                raise ValueError(f"{self.name}: expected true or false, not {value!r}")
            return value
        if self.kind == "many":
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list | tuple) or not all(isinstance(v, str) for v in items):
                raise ValueError(f"{self.name}: expected a list of strings, not {value!r}")
            return list(items)
        # as TOML and JSON write them: no number as a string, no true as 1, no 1.5 as 1
        accepted = (int, float) if self.type is float else (self.type,)
        if isinstance(value, bool) or not isinstance(value, accepted):
            raise ValueError(f"{self.name}: expected {self.type.__name__}, not {value!r}")
        if self.choices and value not in self.choices:
            raise ValueError(f"{self.name}: {value!r} is not one of {', '.join(self.choices)}")
        if not isinstance(value, int | float):
            return value
        if value != value:  # NaN is in no range
            raise ValueError(f"{self.name}: expected a number, not nan")
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            raise ValueError(
                f"{self.name}: {value!r} is {'not above' if self.low_open else 'below'} {self.low:g}"
            )
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            raise ValueError(
                f"{self.name}: {value!r} is {'not below' if self.high_open else 'above'} {self.high:g}"
            )
        return value


@functools.cache
def _defaults() -> RunOptions:
    return RunOptions()  # (built once: every flag's default is read from it)


def flag_named(name: str) -> Flag | None:
    """The flag a configuration key or keyword names: ``min-importance``,
    ``min_importance``, or where its value goes (``formats``)."""
    key = name.replace("_", "-")
    return FLAG_BY_NAME.get(key) or FLAG_BY_PARAM.get(name.replace("-", "_"))


def checked(values: Mapping[str, Any]) -> dict[Flag, Any]:
    """Each value checked by its flag (see :meth:`Flag.check`), or a ValueError
    that says which key and why: ``min-importance: 2 is above 1 @ $.run.min-importance``."""
    out: dict[Flag, Any] = {}
    for name, value in values.items():
        flag = flag_named(name)
        if flag is None:
            known = ", ".join(sorted(FLAG_BY_NAME))
            raise ValueError(f"[run] has an unknown option {name!r} (known: {known})")
        try:
            out[flag] = flag.check(value)
        except ValueError as exc:  # where it is, as a configuration file's reader sees it
            raise ValueError(f"{exc} @ $.run.{name}") from None
    val_size, split = out.get(FLAG_BY_NAME["val-size"]), out.get(FLAG_BY_NAME["split"])
    if val_size is not None and split is not None:
        raise ValueError("give val-size or the deprecated split, not both @ $.run.val-size")
    if val_size is not None:
        try:
            check_val_size(val_size)
        except ValueError as exc:
            raise ValueError(f"val-size: {exc} @ $.run.val-size") from None
    return out


def _f(name: str, *path: str, help: str, **kw: Any) -> Flag:
    return Flag(name, path or (name.replace("-", "_"),), help, **kw)


_SYN = "synthesis"
_QUALITY = ("plugin_options", "quality")

#: every flag of `loomcore run`, in the order `--help` lists them
FLAGS: tuple[Flag, ...] = (
    _f("output", help="Output directory.", short="-o"),
    _f(
        "format",
        "formats",
        help="Output format (repeat); default: every loaded format.",
        kind="many",
        short="-f",
    ),
    _f("input-format", help="Read inputs with this reader instead of detecting the format."),
    _f("min-importance", help="Drop exchanges scored below this.", type=float, low=0, high=1),
    _f(
        "min-confidence",
        _SYN,
        "min_confidence",
        help="Drop patterns and examples below this.",
        type=float,
        low=0,
        high=1,
    ),
    _f(
        "include-context",
        _SYN,
        "include_context",
        help="Kept for the seed's API; writes no entity dump into the input any more.",
        kind="switch",
    ),
    _f(
        "derived-examples",
        _SYN,
        "derived_examples",
        help="Also write excerpt examples of patterns the user did not ask about "
        "(a definition met in passing); labels in raw.jsonl name them either way.",
        kind="switch",
    ),
    _f(
        "conversations",
        help="Also write whole conversations, a training flag per assistant message, to "
        "<format>_conversations files (chatml, sharegpt, alpaca, raw); see the README.",
        kind="flag",
    ),
    _f(
        "include-reasoning",
        _SYN,
        "include_reasoning",
        help="Keep reasoning in decision and chain outputs.",
        kind="switch",
    ),
    _f(
        "system-prompt",
        _SYN,
        "system_prompt",
        help="System message for every example whose conversation has none of its own.",
    ),
    _f(
        "override-system-prompt",
        _SYN,
        "override_system_prompt",
        help="Use --system-prompt even where the input gave a system prompt.",
        kind="flag",
    ),
    _f("strict", help="Stop at the first plugin fault instead of counting it.", kind="flag"),
    _f(
        "redact",
        help="Replace secrets (and with 'all' personal data) by placeholders such as [EMAIL] before mining.",
        choices=REDACT_MODES,
    ),
    _f("redact-allow", help="A value never to redact (repeat).", kind="many", metavar="VALUE"),
    _f(
        "on-error",
        help="On a bad input record: skip it (written verbatim to quarantine.jsonl) or stop with exit 1.",
        choices=ON_ERROR,
    ),
    _f(
        "max-rejected",
        help="The share of input records that may be rejected; over it (or when an input cannot be "
        "read to its end) the run still writes what it read, then fails with exit 1.",
        type=float,
        low=0,
        high=1,
    ),
    _f(
        "max-record-bytes",
        "limits",
        "max_record_bytes",
        help="Largest input record.",
        type=int,
        low=1,
    ),
    _f(
        "val-size",
        help="Write train and validation files: this share of the examples (below 1, e.g. 0.05) "
        "or this many (from 1 up) in validation, whole conversations on one side.",
        type=float,
        low=0,
        low_open=True,
    ),
    _f(
        "split",
        help="Deprecated: the train share (--split 0.95 is --val-size 0.05).",
        type=float,
        low=0,
        high=1,
        low_open=True,
        high_open=True,
    ),
    _f("seed", help="Seed of the train/validation split.", type=int),
    _f(
        "max-tokens",
        *_QUALITY,
        "max_tokens",
        help="Drop examples over this many tokens (quality:too_many_tokens; default 32768).",
        type=int,
        low=1,
    ),
    _f(
        "tokenizer",
        *_QUALITY,
        "tokenizer",
        help="Count tokens with a local tokenizer.json (tokenizers extra) or a tiktoken encoding "
        "name (tiktoken extra, from its cache); default: an estimate, characters / 4.",
        metavar="SPEC",
    ),
    _f(
        "executor",
        help="Run the per-exchange work with this executor (local, process, ray, or a plugin's); "
        "default: here, in order.",
        metavar="NAME",
    ),
    _f(
        "workers",
        help="Worker processes for parallel executors (default: every core).",
        type=int,
        low=1,
    ),
    _f(
        "record-timeout",
        help="Seconds one exchange may take; a plugin past it is counted as failed on that record "
        "(0: no limit).",
        type=float,
        low=0,
    ),
    _f("max-turns", "limits", "max_turns", help="Most turns in one conversation.", type=int, low=1),
    _f(
        "keep-custom-instructions",
        "plugin_options",
        "chatgpt_export_reader",
        "keep_custom_instructions",
        help="Keep a ChatGPT export's custom instructions as each conversation's system prompt "
        "(off by default: they describe the person).",
        kind="flag",
    ),
    _f(
        "since-last",
        help="Read only what arrived since the last --since-last run into the same output "
        "directory; write this run's batch as <format>.run-NNNN.jsonl.",
        kind="flag",
    ),
)
FLAG_BY_NAME = {flag.name: flag for flag in FLAGS}
# the keyword of each flag (the field it sets): "formats" for --format
FLAG_BY_PARAM = {flag.param: flag for flag in FLAGS}
