"""Privacy figures (not a test: it prints them).

    python benchmarks/privacy_check.py [--corpora ../shared/corpora] [--list]

1. Plants every kind of tests/privacy_corpus.py (116) in all four placements
   (user / assistant turn, prose / code fence), writes them in every reader's
   format, runs the whole pipeline on each and prints how many planted values
   survive into any file of the run (must be 0), and the redactions by kind.
2. With ``--corpora``: every replacement the redactors make on every file
   under the directory (JSON, JSON Lines, ZIP, text; every string in them,
   whatever a reader would keep), counted per file and kind; ``--list``
   prints each one with its context, for classifying it as a real secret or
   personal datum or a false positive.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from loomcore_plugins.redactors import personal_data, secrets, spans
from privacy_corpus import KINDS, PLACEMENTS, formats, planted_corpus, survivors, write_log

from loomcore import SynthesisConfig
from loomcore.pipeline import Pipeline, RunOptions


def planted_check() -> None:
    records, values = planted_corpus()
    print(f"planted: {len(KINDS)} kinds x {len(PLACEMENTS)} placements = {len(values)} values")
    with tempfile.TemporaryDirectory() as tmp:
        inputs = []
        for reader, (name, text) in formats(records).items():
            path = Path(tmp) / "in" / reader / name
            path.parent.mkdir(parents=True)
            path.write_text(text, encoding="utf-8")
            inputs.append((reader, path))
        log = Path(tmp) / "in" / "conversation_log" / "log.sqlite"
        log.parent.mkdir(parents=True)
        write_log(log, records)
        inputs.append(("conversation_log", log))
        total = 0
        for reader, path in inputs:
            out = Path(tmp) / "out" / reader
            options = RunOptions(min_importance=0.0, synthesis=SynthesisConfig(min_confidence=0.0))
            stats = Pipeline(options=options).run([str(path)], out)
            files = sorted(p for p in out.iterdir() if p.is_file())
            left = survivors("".join(p.read_text(encoding="utf-8") for p in files), values)
            total += len(left)
            print(
                f"  {reader:<17} conversations {stats.conversations:>4}  files {len(files):>2}  "
                f"lines {sum(stats.lines.values()):>5}  survivors {len(left)} {left[:5]}"
            )
        print(f"planted values surviving into any file of any reader's run: {total}")


def _strings(obj: object) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _strings(value)


def _documents(path: Path) -> Iterator[object]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                data = archive.read(name)
                if name.endswith(".json"):
                    yield json.loads(data)
                elif name.endswith((".jsonl", ".txt", ".md")):
                    yield from _lines(io.StringIO(data.decode("utf-8", "replace")))
    elif path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as fh:
            yield from _lines(fh)
    elif path.suffix == ".json":
        yield json.loads(path.read_text(encoding="utf-8"))
    else:
        yield path.read_text(encoding="utf-8", errors="replace")


def _lines(fh: io.TextIOBase) -> Iterator[object]:
    for line in fh:
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                yield line


def replacements(text: str) -> list[tuple[str, str, str]]:
    """(kind, value, context) of every replacement, secrets first as the pipeline runs them."""
    out = []
    for redactor in (secrets, personal_data):
        found = spans.resolve(redactor.find(text), spans.protected(text))
        for start, end, kind in found:
            context = text[max(0, start - 40) : min(len(text), end + 30)].replace("\n", " ")
            out.append((kind, text[start:end], context))
        text, _ = spans.apply(text, found)
    return out


def corpus_check(root: Path, listing: bool) -> None:
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix in (".json", ".jsonl", ".zip", ".txt")
    )
    grand: Counter[str] = Counter()
    print(f"\nreplacements on {root} ({len(files)} files, every string of each):")
    for path in files:
        seen: set[str] = set()
        kinds: Counter[str] = Counter()
        rows = []
        for doc in _documents(path):
            for text in _strings(doc):
                if text in seen:
                    continue
                seen.add(text)
                for kind, value, context in replacements(text):
                    kinds[kind] += 1
                    rows.append((kind, value, context))
        grand.update(kinds)
        print(f"  {path.relative_to(root)}: {sum(kinds.values())} {dict(sorted(kinds.items()))}")
        if listing:
            for kind, value, context in rows:
                print(f"      {kind:<14} {value!r:<40} … {context!r}")
    print(f"total: {sum(grand.values())} {dict(sorted(grand.items()))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, help="count every replacement on these files")
    parser.add_argument("--list", action="store_true", help="print each replacement")
    args = parser.parse_args()
    planted_check()
    if args.corpora:
        corpus_check(args.corpora, args.list)


if __name__ == "__main__":
    main()
