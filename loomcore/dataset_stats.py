"""What is in a dataset loomcore wrote: ``loomcore stats DIR-or-FILE``.

Reads an output directory (its JSONL files, and ``manifest.json`` for what
the run dropped) or one JSONL file of any format, streaming line by line, and
counts: lines per file, examples by pattern type, confidence and length
distributions, top topics and entities, duplicates removed.

A line's format is told by its keys, against what every loaded exporter
writes.  Pattern types, confidences, topics and entities live in a line's
``metadata`` object (the ``raw`` format writes one); for a directory without
such a file the pattern counts come from the manifest, and the rest is left
out.  Lengths are in
estimated tokens (see :mod:`loomcore.text.tokens`), or in the tokens of the
tokenizer given (``--tokenizer``, see :mod:`loomcore.counting`).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from loomcore.confidence import bucket, histogram
from loomcore.model import TrainingExample
from loomcore.registry import LoomcoreError, Registry, default_registry
from loomcore.text.tokens import estimate_tokens

# upper bounds of the length buckets, in estimated tokens
LENGTH_EDGES = (64, 128, 256, 512, 1024, 2048, 4096, 8192)
TOP = 10
# files in an output directory that hold no examples
NOT_EXAMPLES = ("quarantine", "staging")


class StatsError(LoomcoreError):
    """A path ``loomcore stats`` cannot describe."""


def format_keys(registry: Registry) -> dict[frozenset[str], str]:
    """The keys of a line of each loaded format -> its name, learnt by
    rendering one probe example through every exporter (so a plugin's format
    is recognised like a built-in one; the core names none)."""
    probe = TrainingExample(
        instruction="q", output="a", pattern_type="qa_pair", source={"path": "p"}, id="x"
    )
    keys: dict[frozenset[str], str] = {}
    for name, exporter in registry.exporters.items():
        try:
            keys.setdefault(frozenset(exporter.render(probe)), name)
        except Exception:  # a format that refuses the probe is simply not recognised
            continue
    return keys


def file_format(row: dict[str, Any], keys: dict[frozenset[str], str]) -> str:
    """The format a line was written in, told by its keys."""
    return keys.get(frozenset(row), "unknown")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def example_text(row: dict[str, Any]) -> str:
    """Every string a trainer would read from the line (not the raw format's metadata)."""
    return "\n".join(_strings({k: v for k, v in row.items() if k not in ("metadata", "id")}))


def length_histogram(tokens: list[int]) -> dict[str, int]:
    """Counts of examples per length bucket ("<=64", ..., ">8192")."""
    labels = [f"<={e}" for e in LENGTH_EDGES] + [f">{LENGTH_EDGES[-1]}"]
    counts = dict.fromkeys(labels, 0)
    for n in tokens:
        counts[labels[bisect.bisect_left(LENGTH_EDGES, n)]] += 1
    return counts


def _summary_numbers(values: list[int]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    return {
        "min": ordered[0],
        "median": ordered[len(ordered) // 2],
        "mean": round(sum(ordered) / len(ordered), 1),
        "max": ordered[-1],
    }


def describe_file(
    path: Path, keys: dict[frozenset[str], str], count: Callable[[str], int] = estimate_tokens
) -> dict[str, Any]:
    """The statistics of one JSONL file of examples, read line by line."""
    lines = 0
    fmt = None
    tokens: list[int] = []
    by_type: Counter[str] = Counter()
    confidences: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    entities: Counter[str] = Counter()
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                row = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise StatsError(f"{path}:{number}: not a JSON line ({exc})") from None
            if not isinstance(row, dict):
                raise StatsError(f"{path}:{number}: not a JSON object")
            lines += 1
            fmt = fmt or file_format(row, keys)
            tokens.append(count(example_text(row)))
            meta = row.get("metadata")
            if isinstance(meta, dict):
                by_type[str(meta.get("pattern_type"))] += 1
                if isinstance(meta.get("confidence"), int | float):
                    confidences[bucket(float(meta["confidence"]))] += 1
                topics.update(t for t in meta.get("topics") or () if isinstance(t, str))
                entities.update(e for e in meta.get("entities") or () if isinstance(e, str))
    out: dict[str, Any] = {
        "file": path.name,
        "format": fmt or "empty",
        "lines": lines,
        "bytes": path.stat().st_size,
        "tokens_estimate": _summary_numbers(tokens),
        "length_histogram": length_histogram(tokens),
    }
    if by_type:
        out.update(
            examples_by_type=dict(sorted(by_type.items())),
            confidence_histogram=histogram(counts=confidences),
            top_topics=_top(topics),
            top_entities=_top(entities),
        )
    return out


def _top(counter: Counter[str]) -> list[list[Any]]:
    # ties broken by name, so two runs print the same list
    return [[k, n] for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]]


def describe(
    path: str | Path,
    registry: Registry | None = None,
    count: Callable[[str], int] = estimate_tokens,
) -> dict[str, Any]:
    """The statistics of an output directory or of one JSONL file; lengths
    counted by ``count`` (default: the estimate)."""
    p = Path(path)
    keys = format_keys(registry or default_registry())
    if p.is_file():
        files = [describe_file(p, keys, count)]
        manifest: dict[str, Any] = {}
    elif p.is_dir():
        paths = sorted(f for f in p.glob("*.jsonl") if not f.name.startswith(NOT_EXAMPLES))
        if not paths:
            raise StatsError(f"{path}: holds no JSONL files of examples")
        files = [describe_file(f, keys, count) for f in paths]
        manifest = _read_manifest(p)
    else:
        raise StatsError(f"{path}: no such file or directory")
    # the per-example figures come from the richest file: raw if there is one
    main = next((f for f in files if "examples_by_type" in f), files[0])
    lines_by_format: Counter[str] = Counter()
    for f in files:
        lines_by_format[f["format"]] += f["lines"]
    report: dict[str, Any] = {
        "path": str(p),
        "files": [{k: f[k] for k in ("file", "format", "lines", "bytes")} for f in files],
        "lines_by_format": dict(sorted(lines_by_format.items())),
        # every format holds every example once (a split's files add up by format)
        "examples": max(lines_by_format.values()),
        "described_from": main["file"],
        **{k: v for k, v in main.items() if k not in ("file", "format", "lines", "bytes")},
    }
    if manifest:
        report["examples_removed"] = manifest.get("examples", {}).get("filtered", {})
        report["redactions"] = manifest.get("redactions", {})
        report["examples_built"] = manifest.get("examples", {}).get("built")
        if "examples_by_type" not in report and manifest.get("examples_by_type"):
            report["examples_by_type_built"] = manifest["examples_by_type"]
    return report


def _read_manifest(directory: Path) -> dict[str, Any]:
    manifests = sorted(directory.glob("manifest*.json"))
    if not manifests:
        return {}
    # incremental runs write one manifest per batch: add their removal counts
    merged: dict[str, Any] = {
        "examples": {"filtered": Counter(), "built": 0},
        "redactions": Counter(),
    }
    for m in manifests:
        data = orjson.loads(m.read_bytes())
        merged["examples"]["filtered"].update(data.get("examples", {}).get("filtered", {}))
        merged["examples"]["built"] += data.get("examples", {}).get("built", 0)
        merged["redactions"].update(data.get("redactions", {}))
        types = Counter(merged.get("examples_by_type", {}))
        types.update(data.get("examples_by_type", {}))
        merged["examples_by_type"] = dict(sorted(types.items()))
    merged["examples"]["filtered"] = dict(sorted(merged["examples"]["filtered"].items()))
    merged["redactions"] = dict(sorted(merged["redactions"].items()))
    return merged


def bars(counts: dict[str, int], width: int = 40) -> list[tuple[str, int, str]]:
    """(label, count, bar) rows of a histogram for the terminal."""
    peak = max(counts.values(), default=0)
    return [
        (label, n, "█" * (round(width * n / peak) if peak else 0) or ("▏" if n else ""))
        for label, n in counts.items()
    ]
