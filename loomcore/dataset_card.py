"""What makes an output directory ready to train on: LLaMA-Factory's
``dataset_info.json`` and a Hugging Face dataset card (``README.md``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loomcore.writers import AtomicFile, write_json

_SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"))


def size_category(n: int) -> str:
    return next((label for limit, label in _SIZES if n < limit), "1M<n<10M")


# How files and entries are named, said once for the card (and the README says the same)
NAMING = (
    "Each file is `<format>.jsonl`, or with a validation split `<format>.train.jsonl` and "
    "`<format>.validation.jsonl` (a validation file only when it holds examples). "
    "Each LLaMA-Factory entry in `dataset_info.json` is named after its file: "
    "`loomcore_` and the file's name without `.jsonl`, dots as underscores "
    "(`loomcore_alpaca`; split: `loomcore_alpaca_train` and `loomcore_alpaca_validation`)."
)


def entry_name(key: str, prefix: str = "loomcore") -> str:
    """The ``dataset_info.json`` entry of the file with key ``alpaca`` or ``alpaca.train``."""
    return f"{prefix}_{key.replace('.', '_')}"


def dataset_info(
    files: dict[str, str], exporters: dict[str, Any], prefix: str = "loomcore"
) -> dict[str, Any]:
    """LLaMA-Factory entries for every written file whose format describes itself.

    ``files`` maps the file's key (``alpaca`` or ``alpaca.train``) to its name.
    """
    out: dict[str, Any] = {}
    for key, file_name in sorted(files.items()):
        exporter = exporter_of(key, exporters)
        if exporter is not None and exporter.dataset_info is not None:
            out[entry_name(key, prefix)] = exporter.dataset_info(file_name)
    return out


# the files of whole conversations and preference pairs are named after their
# format (loomcore.stages.conversations): chatml_conversations, raw_preferences
KIND_SUFFIXES = ("_conversations", "_preferences")


def exporter_of(key: str, exporters: dict[str, Any]) -> Any:
    """The format that wrote the file of key ``alpaca``, ``alpaca.train`` or
    ``sharegpt_conversations.train`` (None when no loaded format did)."""
    name = key.split(".")[0]
    if name in exporters:
        return exporters[name]
    for suffix in KIND_SUFFIXES:
        if name.endswith(suffix) and name.removesuffix(suffix) in exporters:
            return exporters[name.removesuffix(suffix)]
    return None


def card(
    summary: dict[str, Any], files: dict[str, str], entries: frozenset[str] = frozenset()
) -> str:
    """A dataset card: YAML front matter with one config per format, then the figures.

    ``entries`` are the keys of the files that have a ``dataset_info.json`` entry.
    """
    formats: dict[str, dict[str, str]] = {}
    for key, file_name in sorted(files.items()):
        fmt, _, part = key.partition(".")
        formats.setdefault(fmt, {})[part or "train"] = file_name
    lines = [
        "---",
        "task_categories:",
        "- text-generation",
        "language:",
        "- en",
        f"size_categories:\n- {size_category(summary['examples'])}",
        "tags:",
        "- instruction-tuning",
        "- loomcore",
    ]
    if formats:
        lines.append("configs:")
    for i, (fmt, parts) in enumerate(formats.items()):
        lines.append(f"- config_name: {fmt}")
        if i == 0:
            lines.append("  default: true")
        lines.append("  data_files:")
        for split, file_name in sorted(parts.items()):
            lines += [f"  - split: {split}", f"    path: {file_name}"]
    lines.append("---")
    kept = summary["examples"] - sum(summary["examples_filtered"].values())
    lines += [
        "",
        "# Instruction-tuning data made with loomcore",
        "",
        f"{kept} examples mined from {summary['conversations']} conversations "
        f"({summary['memories']} exchanges, {summary['memories_below_importance']} dropped as small talk, "
        f"{summary['records_rejected']} input records rejected).",
        "",
        "## How it was made",
        "",
        "Each exchange was scored for importance, stripped of secrets and personal data "
        "(replaced by placeholders such as `[EMAIL]`), segmented, and mined for learnable "
        "patterns; each pattern became an example traced to its source record (see `raw`). "
        "Duplicates and low-quality examples were filtered out.",
        "",
        "## Examples by pattern type",
        "",
        "| pattern type | examples |",
        "| --- | --- |",
        *[f"| {t} | {n} |" for t, n in summary["examples_by_type"].items()],
        "",
        *_whole_section(summary),
        "## Files",
        "",
        NAMING,
        "",
        "| file | lines | LLaMA-Factory entry |",
        "| --- | --- | --- |",
        *[
            f"| {files[k]} | {n} | {entry_name(k) if k in entries else '-'} |"
            for k, n in summary["lines_by_format"].items()
            if k in files
        ],
        "",
        "## Filtered",
        "",
        *(
            [f"- {reason}: {n}" for reason, n in summary["examples_filtered"].items()]
            or ["- nothing"]
        ),
        "",
        "## Redacted",
        "",
        *([f"- {kind}: {n}" for kind, n in summary["redactions"].items()] or ["- nothing"]),
        "",
    ]
    return "\n".join(lines)


def write(out: Path, summary: dict[str, Any], files: dict[str, str], exporters: Any) -> list[Path]:
    """dataset_info.json and the card (README.md) in ``out``, listing ``files``
    ({entry: file name}, only files with lines); the paths written.

    dataset_info.json is written only when some file has an entry: ``{}``
    (formats LLaMA-Factory does not read, or files of no lines) names no
    dataset, and read as the directory's description it says there is none
    (a run's commit removes the one a run before left)."""
    info = dataset_info(files, exporters)
    written = []
    if info:
        write_json(out / "dataset_info.json", info)
        written.append(out / "dataset_info.json")
    entries = frozenset(k for k in files if entry_name(k) in info)
    with AtomicFile(out / "README.md") as fh:
        fh.write(card(summary, files, entries).encode())
    return [*written, out / "README.md"]


# what the card says of whole conversations and preference pairs, when a run wrote them
WHOLE = (
    "`<format>_conversations` files hold whole conversations, one a line, beside the "
    "single-exchange files: train on either or both (both trains every kept answer twice). "
    "Each assistant message carries its training flag in the format's own spelling: "
    "`weight` 0/1 in chatml (OpenAI fine-tuning; axolotl with "
    "`message_field_training: weight`), `train` on the `gpt` turns of sharegpt (axolotl "
    "with `message_field_training: train`). LLaMA-Factory reads no per-message flag: it "
    "trains every answer of the history, or only the last with `mask_history: true`. "
    "`dpo.jsonl` holds preference pairs (`prompt`, `chosen`, `rejected`, `system`, "
    "`history`; entry with `ranking: true`): chosen is the answer the conversation went on "
    "from, rejected one the user regenerated away, a weak signal."
)


def _whole_section(summary: dict[str, Any]) -> list[str]:
    counts = summary.get("conversation_examples") or {}
    if not counts:
        return []
    lines = ["## Conversations and preference pairs", "", WHOLE, ""]
    lines += [f"- {what}: {n}" for what, n in counts.items()]
    return [*lines, ""]
