"""The ``loomcore`` command line.

Errors a user can act on (bad input, unknown plugin or format) print one
clear line and exit 1; a traceback means a bug.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import click
import orjson
from click.core import ParameterSource

from loomcore.progress import Progress, TerminalProgress
from loomcore.registry import LoomcoreError, Registry, get_plugin_manager
from loomcore.writers import DEFAULT_OUTPUT

log = logging.getLogger("loomcore")


def _registry(ctx: click.Context) -> Registry:
    """The registry for this invocation, built from the group's plugin options."""
    obj = ctx.ensure_object(dict)
    if "registry" not in obj:
        try:
            pm = get_plugin_manager(only=obj.get("plugins"), disable=obj.get("disable"))
        except LoomcoreError as exc:
            raise click.UsageError(str(exc)) from None
        obj["registry"] = Registry(pm)
    return obj["registry"]


class LoomcoreGroup(click.Group):
    """Turns :class:`LoomcoreError` into a clean one-line message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LoomcoreError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)

    # Plugins' commands are loaded only when a name is not one of loomcore's
    # own or the commands are listed (--help): `loomcore --version` and
    # `loomcore run` import no plugin for it, and --plugins / --disable
    # decide which plugins may add commands.
    def _plugin_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        obj = ctx.ensure_object(dict)
        if "plugin_commands" not in obj:
            group = click.Group()
            try:
                pm = get_plugin_manager(
                    only=ctx.params.get("plugins"), disable=ctx.params.get("disable")
                )
            except LoomcoreError:
                pm = None  # the group's own option handling reports the unknown name
            if pm is not None:
                Registry(pm).register_commands(group)
            obj["plugin_commands"] = {
                n: c for n, c in group.commands.items() if n not in self.commands
            }
        return obj["plugin_commands"]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        own = super().get_command(ctx, cmd_name)
        return own if own is not None else self._plugin_commands(ctx).get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugin_commands(ctx)})

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # the configuration file is read while the group's options are parsed
        try:
            return super().parse_args(ctx, args)
        except LoomcoreError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)


def _load_config(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Read the configuration file first (an eager option), so that its values
    become the defaults of every other option: the command line overrides them."""
    from loomcore.config import find, load, plugins_to_load

    config = load(find(value))
    run_defaults = _run_defaults(config)
    ctx.ensure_object(dict)["config"] = config
    default_map = dict(ctx.default_map or {})
    only = plugins_to_load(config)
    if only is not None:
        default_map["plugins"] = ",".join(only)
    if config.disable:
        default_map["disable"] = ",".join(config.disable)
    if run_defaults:
        default_map["run"] = run_defaults
    ctx.default_map = default_map


# how a run looks and plugin options given one by one: not for [run]
_NOT_IN_CONFIG = ("quiet", "plugin_option")


def _long_name(param: click.Parameter) -> str:
    """How a user writes ``param``: its long flag without dashes ("min-importance"), or its name."""
    last = param.opts[-1]
    return last.lstrip("-") if last.startswith("--") else param.name or last


def _run_defaults(config: Any) -> dict[str, Any]:
    """The ``[run]`` table as defaults of the ``run`` command's parameters,
    checked by the flag table as the Python API checks it (a bad value names
    the file and the key's path)."""
    from loomcore.config import ConfigError
    from loomcore.options import checked

    table = dict(config.run)
    inputs = table.pop("inputs", None)  # the command's argument, not an option
    try:
        values = {flag.param: value for flag, value in checked(table).items()}
    except ValueError as exc:
        raise ConfigError(f"{config.path}: {exc}") from None
    if inputs is not None:
        values["inputs"] = [inputs] if isinstance(inputs, str) else inputs
    return values


@click.group(cls=LoomcoreGroup)
@click.version_option(package_name="loomcore")
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    envvar="LOOMCORE_CONFIG",
    is_eager=True,
    expose_value=False,
    callback=_load_config,
    help="Configuration file; default: ./loomcore.toml, else [tool.loomcore] in ./pyproject.toml.",
)
@click.option(
    "--plugins",
    "plugins",
    metavar="NAMES",
    help="Load only these plugins (comma-separated entry-point names); default: LOOMCORE_LOAD_PLUGINS or all.",
)
@click.option(
    "--disable",
    "disable",
    metavar="NAMES",
    help="Do not load these plugins (comma-separated); adds to LOOMCORE_DISABLE_PLUGINS.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log each rejected record and plugin fault.")
@click.pass_context
def cli(ctx: click.Context, plugins: str | None, disable: str | None, verbose: bool) -> None:
    """Turn conversation logs into instruction-tuning datasets."""
    ctx.ensure_object(dict).update(plugins=plugins, disable=disable)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s: %(message)s"
    )


def _click_option(flag: Any) -> Any:
    """The click option of one :class:`loomcore.options.Flag`."""
    decls = [f"--{flag.name}/--no-{flag.name}" if flag.kind == "switch" else f"--{flag.name}"]
    if flag.short:
        decls.insert(0, flag.short)
    kw: dict[str, Any] = {"help": flag.help, "metavar": flag.metavar}
    if flag.kind == "flag":
        kw["is_flag"] = True
    elif flag.kind == "many":
        kw["multiple"] = True
    else:
        kw["default"] = flag.default
        kw["show_default"] = flag.default is not None and flag.default != ""
        if flag.choices:
            kw["type"] = click.Choice(flag.choices)
        elif flag.type in (int, float):
            ranged = click.IntRange if flag.type is int else click.FloatRange
            bounded = flag.low is not None or flag.high is not None
            kw["type"] = (
                ranged(flag.low, flag.high, min_open=flag.low_open, max_open=flag.high_open)
                if bounded
                else flag.type
            )
    return click.option(*decls, flag.param, **kw)


def _run_options(command: Any) -> Any:
    """Every flag of :data:`loomcore.options.FLAGS` as an option of ``command``."""
    from loomcore.options import FLAGS

    for flag in reversed(FLAGS):
        command = _click_option(flag)(command)
    return command


@cli.command()
@click.argument("inputs", nargs=-1)
@_run_options
@click.option(
    "-O",
    "--option",
    "plugin_option",
    multiple=True,
    metavar="PLUGIN.KEY=VALUE",
    help="Set one plugin option (repeat), e.g. dedup.near_threshold=0.9; overrides [options.PLUGIN].",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Print nothing but errors: no progress bar (shown only on a terminal) and no summary.",
)
@click.pass_context
def run(
    ctx: click.Context,
    inputs: tuple[str, ...],
    plugin_option: tuple[str, ...],
    quiet: bool,
    **flags: Any,
) -> None:
    """Run the whole pipeline on INPUTS (files, directories, globs, - for stdin).

    With no INPUTS, runs on the sample conversations bundled with loomcore.
    Writes one JSONL file per format into the output directory, and
    summary.json.
    """
    import attrs

    from loomcore.pipeline import Pipeline, RunOptions

    registry = _registry(ctx)
    flags["val_size"] = _val_size(flags["val_size"], split := flags.pop("split"))
    options = attrs.evolve(RunOptions.from_flags(flags), split=split)  # as given, for the manifest
    # the file's [options.PLUGIN] tables, -O over them, flags that are a plugin's option over both
    plugin_options = _plugin_options(ctx, plugin_option)
    for name, table in options.plugin_options.items():
        plugin_options.setdefault(name, {}).update(table)
    options = attrs.evolve(options, plugin_options=plugin_options)
    output = options.output
    pipe = Pipeline(registry, options, progress=_progress(quiet))
    logger = logging.getLogger("loomcore")
    level = logger.level
    if quiet:  # one line with the counts at the end, not a warning per rejected record
        logger.setLevel(logging.ERROR)
    try:
        stats = _run_or_fail(pipe, list(inputs) or None, output)
    finally:  # a tool that runs the command in its own process keeps its logging
        logger.setLevel(level)
    loss = pipe.loss()
    for line in _loss_lines(loss, output, quiet):
        click.echo(line, err=True)
    if loss["failed"]:
        ctx.exit(1)
    if not quiet:
        _print_summary(stats.summary(), pipe.written)
        from loomcore import counting, preflight

        counter = counting.counter(flags["tokenizer"], registry)
        checks = preflight.check(output, count=counter)
        click.echo(f"{preflight.summary(checks)} (loomcore check {output})")


def _run_or_fail(pipe: Any, inputs: list[str] | None, output: str) -> Any:
    """``pipe.run``, with what a user can cause as one line naming the path and
    the cause (a full disk, no permission, a read-only or file output path, a
    dead worker process) instead of a traceback; a SIGTERM ends the run as an
    exception does, so that its staging directory is removed."""
    import signal
    from concurrent.futures.process import BrokenProcessPool

    def terminate(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        return pipe.run(inputs, output)
    except OSError as exc:
        raise LoomcoreError(_os_error(exc)) from None
    except BrokenProcessPool as exc:
        raise LoomcoreError(
            f"{output}: a worker process died ({exc}); nothing was written"
        ) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _os_error(exc: OSError) -> str:
    """``path: cause`` of an OS error, the path as the user knows it (not a staging name)."""
    import re

    from loomcore.inputs import printable_path

    where = os.fsdecode(exc.filename) if exc.filename is not None else "?"
    where = re.sub(r"/\.staging-[^/]+", "", printable_path(where))
    return f"{where}: {exc.strerror or exc}"


def _loss_lines(loss: dict[str, Any], output: str, quiet: bool) -> list[str]:
    """What the run lost, in one line a fault (and one with -q when records were rejected)."""
    lines = [f"Error: {path}: {cause}" for path, cause in loss["inputs_failed"].items()]
    rejected, read = loss["records_rejected"], loss["records_read"]
    counts = f"{rejected:,} of {read:,} input records rejected ({loss['rejected_share']:.2%})"
    where = f"see {Path(output) / 'quarantine.jsonl'}"
    records = rejected - len(lines)  # a failed input is one rejection, said above already
    if records and records / read > loss["max_rejected"]:
        lines.append(f"Error: {counts}, over --max-rejected {loss['max_rejected']:g}; {where}")
    elif quiet and rejected and not lines:
        lines.append(f"{counts}; {where}")
    return lines


def _val_size(val_size: float | None, split: float | None) -> float | None:
    """``--val-size``, or what the deprecated ``--split`` (the train share) means, with a note."""
    from loomcore.splits import check_val_size, requested

    if val_size is not None:
        if split is not None:
            raise click.UsageError("give --val-size or the deprecated --split, not both")
        try:
            return check_val_size(val_size)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--val-size") from None
    if split is None:
        return None
    share = requested(None, split)
    click.echo(
        f"note: --split is deprecated (it is the train share): use --val-size {share:g}", err=True
    )
    return share


def _plugin_options(ctx: click.Context, assignments: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """The file's [options.PLUGIN] tables with the command line's -O settings over them."""
    from loomcore.config import Config, parse_assignment

    obj = ctx.find_object(dict) or {}
    config = obj.get("config") or Config()
    merged = {name: dict(table) for name, table in config.options.items()}
    for text in assignments:
        plugin, key, value = parse_assignment(text)
        merged.setdefault(plugin, {})[key] = value
    return merged


def _progress(quiet: bool) -> Progress | None:
    """A progress bar on stderr, only when it is a terminal (never in a pipe or with --quiet)."""
    from rich.console import Console

    console = Console(stderr=True)
    return TerminalProgress(console) if console.is_terminal and not quiet else None


def _print_summary(summary: dict[str, Any], written: list[tuple[Path, int | None]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=False, highlight=False)
    console.print(
        f"{summary['conversations']} conversations, {summary['memories']} exchanges "
        f"({summary['memories_below_importance']} below importance, {summary['records_rejected']} rejected records)"
    )
    table = Table("pattern type", "patterns", "examples")
    for ptype in sorted(set(summary["patterns_by_type"]) | set(summary["examples_by_type"])):
        table.add_row(
            ptype,
            str(summary["patterns_by_type"].get(ptype, 0)),
            str(summary["examples_by_type"].get(ptype, 0)),
        )
    console.print(table)
    for path, lines in written:
        # one line a file, never wrapped, so a script can read the paths back
        console.print(
            f"wrote {lines} line{'' if lines == 1 else 's'} to {path}"
            if lines is not None
            else f"wrote {path}",
            soft_wrap=True,
            markup=False,
        )
    if summary["redactions"]:
        found = ", ".join(f"{k} {v}" for k, v in summary["redactions"].items())
        console.print(f"redacted: {found}")
    if summary["plugin_errors"]:
        console.print(f"plugin faults: {summary['plugin_errors']}")


@cli.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def show_config(ctx: click.Context, as_json: bool) -> None:
    """Show the effective configuration of `loomcore run`: each option's value
    and where it came from (the configuration file or the default)."""
    from loomcore.config import Config
    from loomcore.registry import ENV_DISABLE, ENV_LOAD

    obj = ctx.ensure_object(dict)
    config = obj.get("config") or Config()
    # parse an empty `run` command line under this invocation: its values are
    # what `loomcore run` would use, and click knows where each one came from
    run_ctx = run.make_context("run", [], parent=ctx.find_root())
    options = {}
    for param in run.params:
        if param.name in _NOT_IN_CONFIG:
            continue
        name = _long_name(param)
        value = run_ctx.params[param.name]
        from_file = run_ctx.get_parameter_source(param.name) == ParameterSource.DEFAULT_MAP
        options[name] = {
            "value": list(value) if isinstance(value, tuple) else value,
            "from": "config" if from_file else "default",
        }

    def source(cli_value: str | None, env: str) -> str:
        if cli_value is not None:
            param = "plugins" if env == ENV_LOAD else "disable"
            from_file = ctx.find_root().get_parameter_source(param) == ParameterSource.DEFAULT_MAP
            return "config" if from_file else "command line"
        return "environment" if os.environ.get(env) else "default"

    report: dict[str, Any] = {
        "config_file": str(config.path) if config.path else None,
        "plugins": {
            "load": obj.get("plugins") or os.environ.get(ENV_LOAD) or "all",
            "from": source(obj.get("plugins"), ENV_LOAD),
            "disable": ",".join(
                n for n in (obj.get("disable") or "", os.environ.get(ENV_DISABLE, "")) if n
            ),
        },
        "run": options,
        "options": config.options,
    }
    if as_json:
        click.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    console.print(f"configuration file: {report['config_file'] or 'none'}")
    plugins = report["plugins"]
    console.print(
        f"plugins: {plugins['load']} (from {plugins['from']}); disabled: {plugins['disable'] or 'none'}"
    )
    table = Table("run option", "value", "from", title="loomcore run")
    for name, row in options.items():
        table.add_row(name, repr(row["value"]), str(row["from"]))
    console.print(table)
    for plugin, table_ in sorted(report["options"].items()):
        console.print(f"[options.{plugin}]", markup=False)
        for key, value in table_.items():
            console.print(f"  {key} = {value!r}", markup=False)


@cli.command()
@click.argument("path", metavar="DIR-OR-FILE", default=DEFAULT_OUTPUT)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--tokenizer",
    metavar="SPEC",
    default=None,
    help="Count lengths with a local tokenizer.json or a tiktoken encoding (default: an estimate).",
)
def stats(path: str, as_json: bool, tokenizer: str | None) -> None:
    """What is in an output directory or one JSONL file: counts by pattern type
    and format, confidence and token-length histograms, top topics and
    entities, duplicates removed."""
    from loomcore import counting
    from loomcore.dataset_stats import describe

    report = describe(path, count=counting.counter(tokenizer))
    report["length_unit"] = counting.label(tokenizer)
    if as_json:
        click.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
    else:
        _print_stats(report)


def _print_stats(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from loomcore.dataset_stats import bars

    console = Console(highlight=False)
    console.print(f"[bold]{report['path']}[/bold]: {report['examples']:,} examples")
    files = Table("file", "format", "lines", "MB", title="files")
    for f in report["files"]:
        files.add_row(f["file"], f["format"], f"{f['lines']:,}", f"{f['bytes'] / 1e6:.2f}")
    console.print(files)
    if "examples_by_type" in report:
        types = Table("pattern type", "examples", "share", title="examples by pattern type")
        total = sum(report["examples_by_type"].values()) or 1
        for ptype, n in report["examples_by_type"].items():
            types.add_row(ptype, f"{n:,}", f"{100 * n / total:.1f}%")
        console.print(types)
    histograms = [(f"length ({report['length_unit']})", report["length_histogram"])]
    if "confidence_histogram" in report:
        histograms.insert(0, ("confidence", report["confidence_histogram"]))
    for title, counts in histograms:
        table = Table("bucket", "examples", "", title=title, box=None)
        for label, n, bar in bars(counts):
            table.add_row(label, f"{n:,}", bar)
        console.print(table)
    numbers = report.get("tokens_estimate") or {}
    if numbers:
        console.print(
            f"{report['length_unit']} per example: "
            + ", ".join(f"{k} {v:,}" for k, v in numbers.items()),
            soft_wrap=True,
            markup=False,
        )
    for key, title in (("top_topics", "top topics"), ("top_entities", "top entities")):
        if report.get(key):
            console.print(
                f"{title}: " + ", ".join(f"{k} ({n})" for k, n in report[key]), markup=False
            )
    if report.get("examples_removed") is not None:
        removed = report["examples_removed"]
        console.print(
            f"removed after building {report.get('examples_built', 0):,}: "
            + (", ".join(f"{k} {n:,}" for k, n in removed.items()) or "none")
        )
    if report.get("redactions"):
        console.print(
            "redacted: " + ", ".join(f"{k} {n:,}" for k, n in report["redactions"].items())
        )


@cli.command()
@click.argument("directory", metavar="DIR", default=DEFAULT_OUTPUT)
@click.option(
    "--for",
    "trainers",
    multiple=True,
    type=click.Choice(["llamafactory", "trl", "axolotl", "openai"]),
    help="Check for this trainer (repeat); default: every one.",
)
@click.option(
    "--max-tokens",
    type=click.IntRange(1),
    default=None,
    help="Token limit for every trainer, instead of each one's default "
    "(LLaMA-Factory cutoff_len 2048, TRL max_length 1024, axolotl sequence_len 2048, OpenAI 65536).",
)
@click.option(
    "--tokenizer",
    metavar="SPEC",
    default=None,
    help="Count tokens with a local tokenizer.json or a tiktoken encoding (default: an estimate).",
)
def check(
    directory: str, trainers: tuple[str, ...], max_tokens: int | None, tokenizer: str | None
) -> None:
    """What each trainer would reject, drop, truncate or mask in DIR, file by file
    (loomcore's reading of their documented rules; no trainer is run).
    Exits 1 when a trainer would reject a file."""
    from loomcore import counting, preflight

    count = counting.counter(tokenizer)
    checks = preflight.check(directory, trainers or preflight.TRAINERS, max_tokens, count)
    for line in preflight.report(checks):
        click.echo(line)
    click.echo(preflight.summary(checks))
    if any(f.verdict == "reject" for c in checks for f in c.findings.values()):
        sys.exit(1)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def plugins(ctx: click.Context, as_json: bool) -> None:
    """List the loaded plugins: name, distribution, version, hooks."""
    rows = _registry(ctx).plugin_info()
    if as_json:
        click.echo(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("name", "distribution", "version", "hooks")
    for r in rows:
        table.add_row(
            r["name"], r["distribution"] or "-", r["version"] or "-", ", ".join(r["hooks"])
        )
    Console().print(table)


@cli.command()
@click.argument("input_path", metavar="INPUT")
@click.option(
    "--record",
    "record_index",
    type=int,
    default=0,
    show_default=True,
    help="Which exchange of INPUT (0-based).",
)
@click.option("--input-format", help="Reader to use instead of detecting the format.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def explain(
    ctx: click.Context, input_path: str, record_index: int, input_format: str | None, as_json: bool
) -> None:
    """Show why: one exchange's segments, entities, topics, mined patterns and
    the examples a run would write of it, with each filter's verdict (of the
    exchange as redacted: a terminal is an output too)."""
    import attrs

    from loomcore.config import Config, run_options
    from loomcore.convert import to_dict
    from loomcore.pipeline import Pipeline
    from loomcore.stages.annotate import enrich, mine, score
    from loomcore.stages.budget import Faults
    from loomcore.stages.build import examples_of
    from loomcore.stages.filter import Filtering
    from loomcore.stages.redact import RedactionFailed, redact
    from loomcore.stages.work import prepare_filters

    registry = _registry(ctx)
    # the options `loomcore run` here would use (the configuration file's), for every exchange
    config = (ctx.find_object(dict) or {}).get("config") or Config()
    options = attrs.evolve(run_options(config), min_importance=0.0)
    if input_format:
        options = attrs.evolve(options, input_format=input_format)
    registry.configure(options.plugin_options)
    faults = Faults(strict=True)  # a plugin's fault is shown, not counted
    pipe = Pipeline(registry, options)
    for i, memory in enumerate(pipe.memories(pipe.conversations([input_path]))):
        if i < record_index:
            continue
        try:
            memory = redact(registry, memory, options.redact, options.redact_allow)
        except RedactionFailed as exc:
            raise LoomcoreError(f"{input_path}: redaction failed ({exc}); nothing shown") from None
        memory = score(registry, memory, faults)
        enriched = enrich(registry, memory, faults)
        patterns = mine(registry, enriched, faults)
        kept = [p for p in patterns if p.confidence >= options.synthesis.min_confidence]
        examples = examples_of(registry, kept, options.synthesis, faults)
        # each example through the run's own filter stage, started afresh: the
        # run-wide filters (dedup) see only this exchange here
        verdicts = []
        for e in examples:
            filtering = Filtering(registry, options, faults)
            filtering.prepared.update(prepare_filters(registry, options, [e], faults))
            verdicts.append(filtering.reason(e))
        report = {
            "memory_id": memory.id,
            "source": to_dict(memory.source),
            "importance": memory.importance,
            "segments": [
                {
                    "kind": b.kind,
                    "depth": b.depth,
                    "number": b.number,
                    "sentences": [s.plain for s in b.sentences],
                }
                if b.kind != "code"
                else {"kind": "code", "lang": b.lang, "lines": b.text.count("\n") + 1}
                for b in enriched.reply_doc.blocks
            ],
            "entities": list(enriched.entities),
            "question_entities": list(enriched.question_entities),
            "topics": list(enriched.topics),
            "keywords": list(enriched.keywords),
            "reasoning_type": str(enriched.reasoning_type) if enriched.reasoning_type else None,
            "relationships": [to_dict(r) for r in enriched.relationships],
            "patterns": [
                {
                    "type": str(p.pattern_type),
                    "confidence": p.confidence,
                    "certainty": p.certainty,
                    "content": p.content,
                    "span": p.evidence,
                }
                for p in patterns
            ],
            # what a run would write, and which filter would drop it (the
            # run-wide ones, dedup, see only one example here)
            "examples": [
                {
                    "pattern_type": str(e.pattern_type),
                    "labels": list(e.labels),
                    "instruction": e.instruction,
                    "history_turns": len(e.history),
                    "output_chars": len(e.output),
                    "dropped_by": verdict,
                }
                for e, verdict in zip(examples, verdicts, strict=True)
            ],
        }
        if as_json:
            click.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
        else:
            _print_explain(report)
        return
    raise LoomcoreError(f"{input_path}: has no exchange number {record_index}")


def _print_explain(report: dict[str, Any]) -> None:
    from rich.console import Console

    c = Console(highlight=False)
    c.print(
        f"[bold]{report['memory_id']}[/bold]  importance={report['importance']}  source={report['source']}"
    )
    c.print("[bold]segments[/bold]")
    for s in report["segments"]:
        if s["kind"] == "code":
            c.print(f"  code ({s['lang'] or 'plain'}, {s['lines']} lines)")
        else:
            label = (
                s["kind"]
                + (f" #{s['number']}" if s["number"] is not None else "")
                + ("  " * s["depth"])
            )
            for sent in s["sentences"]:
                c.print(f"  {label}: {sent}", markup=False)
    c.print(f"[bold]entities[/bold] {report['entities']}", markup=True)
    c.print(f"[bold]topics[/bold] {report['topics']}  [bold]keywords[/bold] {report['keywords']}")
    c.print(f"[bold]reasoning type[/bold] {report['reasoning_type']}")
    c.print("[bold]patterns[/bold]")
    for p in report["patterns"]:
        c.print(f"  {p['type']} confidence={p['confidence']} content=", end="")
        c.print(orjson.dumps(p["content"]).decode()[:400], markup=False)
        c.print(f"    span: {p['span'][:200]}", markup=False)
    c.print("[bold]examples[/bold]")
    for e in report["examples"]:
        verdict = f"dropped by {e['dropped_by']}" if e["dropped_by"] else "written"
        c.print(
            f"  {e['pattern_type']} {e['labels']} ({verdict}): {e['instruction'][:120]}",
            markup=False,
        )


def main() -> None:
    """Entry point (plugins' commands load when asked for: see LoomcoreGroup)."""
    cli(prog_name="loomcore")


if __name__ == "__main__":
    main()
    sys.exit(0)
