"""Privacy figures (not a test: it prints them).

    python benchmarks/privacy_check.py [clean-corpus.json ...]

Plants 200 secrets and personal-data items in realistic chats, runs the
whole pipeline, and prints how many survive into any output (must be 0);
then prints the share of clean tokens redacted, on the planted corpus with
the values removed and on any clean corpora given.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from loomcore_plugins.redactors import personal_data, secrets
from privacy_corpus import corpus

from loomcore import SynthesisConfig
from loomcore.pipeline import Pipeline, RunOptions

PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")


def redacted_share(texts: list[str]) -> tuple[int, int, Counter[str]]:
    total = changed = 0
    kinds: Counter[str] = Counter()
    for text in texts:
        out, c1 = secrets.redact(text, frozenset())
        out, c2 = personal_data.redact(out, frozenset())
        kinds.update(c1)
        kinds.update(c2)
        total += len(text.split())
        changed += len(PLACEHOLDER.findall(out)) - len(PLACEHOLDER.findall(text))
    return changed, total, kinds


def main() -> None:
    records, values = corpus(200)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "chats.jsonl"
        src.write_text("\n".join(json.dumps(r) for r in records) + "\n")
        options = RunOptions(min_importance=0.0, synthesis=SynthesisConfig(min_confidence=0.0))
        stats = Pipeline(options=options).run([str(src)], Path(tmp) / "out")
        outputs = "".join(p.read_text() for p in (Path(tmp) / "out").glob("*.json*"))
    leaked = [k for k, v in values if v in outputs or v.replace(" ", "") in outputs]
    print(
        f"planted items: {len(values)} ({', '.join(f'{k} {n}' for k, n in sorted(Counter(k for k, _ in values).items()))})"
    )
    print(
        f"lines written: {sum(stats.lines.values())}; redactions: {dict(sorted(stats.redactions.items()))}"
    )
    print(f"planted items surviving into any output: {len(leaked)} {leaked}")
    clean_texts = []
    planted_values = {v for _, v in values}
    for r in records:
        for m in r["messages"]:
            text = m["content"]
            for v in planted_values:
                text = text.replace(v, "VALUE")
            clean_texts.append(text)
    changed, total, kinds = redacted_share(clean_texts)
    print(
        f"clean tokens redacted (planted corpus, values removed): {changed}/{total} = {changed / total:.2%} {dict(kinds)}"
    )
    for path in sys.argv[1:]:
        data = json.loads(Path(path).read_text())
        texts = [
            " ".join(str(r.get(k, "")) for k in ("instruction", "input", "output")) for r in data
        ]
        changed, total, kinds = redacted_share(texts)
        print(
            f"tokens redacted in {Path(path).name}: {changed}/{total} = {changed / total:.3%} {dict(kinds)}"
        )


if __name__ == "__main__":
    main()
