"""Trainer smoke run (not a test: it prints a table and asserts nothing).

    python benchmarks/trainer_smoke.py [--shared ../shared/corpora] [--keep DIR]

Runs loomcore with ``--conversations`` and every format (dpo included) on
the bundled sample plus a small branching ChatGPT export written here (two
answers to one question, the kept one on the ``current_node`` path), and,
when ``--shared`` holds them, on ``alpaca_en_demo.json``,
``sharegpt_toolcall_en_demo.json`` and the real exports' branching
conversation (``real_exports/chatgpt_librechat_chatgpt-tree.json``).  Then
it loads every file written the way each trainer does and prints, per file
and trainer, the rows loaded and the rows the trainer would reject:

- every file first through ``datasets.load_dataset("json")`` (a test
  dependency), as TRL, axolotl and LLaMA-Factory all do: a file that does
  not load is all rejected;
- TRL (``SFTTrainer`` for ``messages`` / ``text``, ``DPOTrainer`` for
  ``prompt``/``chosen``/``rejected``): with ``trl`` installed its own
  ``is_conversational`` and ``maybe_extract_prompt`` judge each row, else the
  dataset types its documentation gives;
- LLaMA-Factory: each ``dataset_info.json`` entry, its rows converted as its
  alpaca / sharegpt / ranking converters do (roles alternating user and
  assistant after an optional system turn, an even count, string columns);
- OpenAI chat fine-tuning: the format checks of its data-preparation guide;
- axolotl ``chat_template``: roles that map, an assistant turn to train on,
  per-message flags (``weight``, ``train``) that are booleans or 0/1.

TRL and LLaMA-Factory are not required (nor installed by loomcore); no model
is downloaded and no training step runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

Row = dict[str, Any]
Check = Callable[[Row], str | None]  # a row -> why the trainer rejects it, or None

HAVE_TRL = importlib.util.find_spec("trl") is not None


def branching_export() -> list[dict[str, Any]]:
    """A small ChatGPT export with one regenerated answer (the shape of the real ones)."""

    def node(nid, parent, children, role, text):
        message = {
            "id": nid,
            "author": {"role": role},
            "content": {"content_type": "text", "parts": [text]},
            "recipient": "all",
        }
        return nid, {"id": nid, "parent": parent, "children": children, "message": message}

    nodes = dict(
        [
            node("u1", None, ["a1"], "user", "What does VACUUM do in PostgreSQL?"),
            node(
                "a1",
                "u1",
                ["u2"],
                "assistant",
                "VACUUM reclaims the space of dead rows so that it can be reused, and "
                "updates the visibility map.",
            ),
            node("u2", "a1", ["a2-old", "a2"], "user", "And VACUUM FULL?"),
            node("a2-old", "u2", [], "assistant", "It is the same as VACUUM but slower."),
            node(
                "a2",
                "u2",
                [],
                "assistant",
                "VACUUM FULL rewrites the whole table into a new file, giving the space back "
                "to the operating system, and holds an exclusive lock while it runs.",
            ),
        ]
    )
    return [{"id": "smoke-1", "title": "Vacuum", "mapping": nodes, "current_node": "a2"}]


# -- the trainers' row rules ---------------------------------------------------


def _messages(row: Row, field: str) -> list[Any] | None:
    value = row.get(field)
    return value if isinstance(value, list) and value else None


def trl_sft(row: Row) -> str | None:
    if "text" in row:
        return None if isinstance(row["text"], str) and row["text"] else "text is not a string"
    if HAVE_TRL:
        from trl.data_utils import is_conversational

        return None if is_conversational(row) else "not a conversational row"
    messages = _messages(row, "messages")
    if messages is None or not all(
        isinstance(m, dict) and m.get("role") in ("system", "user", "assistant", "tool")
        for m in messages
    ):
        return "messages is not a list of role/content messages"
    return None


def trl_dpo(row: Row) -> str | None:
    if HAVE_TRL:
        from trl.data_utils import maybe_extract_prompt

        row = maybe_extract_prompt(row)
    values = [row.get(k) for k in ("prompt", "chosen", "rejected")]
    if not all(isinstance(v, str) and v for v in values):
        return "prompt, chosen, rejected are not strings"
    return None


def openai(row: Row) -> str | None:
    messages = _messages(row, "messages")
    if messages is None:
        return "missing_messages_list"
    for m in messages:
        if not isinstance(m, dict) or not {"role", "content"} <= set(m):
            return "message_missing_key"
        if set(m) - {"role", "content", "name", "weight", "tool_calls", "function_call"}:
            return "message_unrecognized_key"
        if m["role"] not in ("system", "user", "assistant", "tool", "function"):
            return "unrecognized_role"
        if not isinstance(m["content"], str) or not m["content"]:
            return "missing_content"
        if "weight" in m and (m["role"] != "assistant" or m["weight"] not in (0, 1)):
            return "invalid_weight"
    if not any(m["role"] == "assistant" for m in messages):
        return "example_missing_assistant_message"
    return None


AXOLOTL_ROLES = {"user", "human", "assistant", "gpt", "system", "tool"}


def axolotl(field: str, role: str, flag: str | None) -> Check:
    def check(row: Row) -> str | None:
        messages = _messages(row, field)
        if messages is None:
            return f"no {field} list"
        roles = [m.get(role) if isinstance(m, dict) else None for m in messages]
        if any(r not in AXOLOTL_ROLES for r in roles):
            return "a role the role mapping does not know"
        if not any(r in ("assistant", "gpt") for r in roles):
            return "no assistant turn to train on"
        if flag and any(
            isinstance(m, dict) and flag in m and m[flag] not in (0, 1, True, False)
            for m in messages
        ):
            return f"{flag} is not a boolean"
        return None

    return check


def axolotl_alpaca(row: Row) -> str | None:
    ok = isinstance(row.get("instruction"), str) and isinstance(row.get("output"), str)
    return None if ok else "no instruction or output"


def llamafactory(entry: dict[str, Any]) -> Check:
    columns = entry.get("columns", {})
    tags = {
        "role_tag": "from",
        "content_tag": "value",
        "user_tag": "human",
        "assistant_tag": "gpt",
        "system_tag": "system",
        **entry.get("tags", {}),
    }

    def alpaca(row: Row) -> str | None:
        prompt = row.get(columns.get("prompt", "instruction"))
        if not isinstance(prompt, str):
            return "no prompt column"
        history = row.get(columns["history"]) if "history" in columns else []
        if not isinstance(history, list) or any(
            not isinstance(h, list) or len(h) != 2 for h in history
        ):
            return "history is not a list of [prompt, response]"
        if entry.get("ranking"):
            pair = [row.get(columns.get(k, k)) for k in ("chosen", "rejected")]
            return None if all(isinstance(p, str) for p in pair) else "chosen/rejected not strings"
        response = row.get(columns.get("response", "output"))
        return None if isinstance(response, str) else "no response column"

    def sharegpt(row: Row) -> str | None:
        turns = _messages(row, columns.get("messages", "conversations"))
        if turns is None:
            return "no messages column"
        if turns[0].get(tags["role_tag"]) == tags["system_tag"]:
            turns = turns[1:]
        for i, turn in enumerate(turns):
            want = tags["user_tag"] if i % 2 == 0 else tags["assistant_tag"]
            if turn.get(tags["role_tag"]) != want:
                return "Invalid role tag"
        return None if turns and len(turns) % 2 == 0 else "Invalid message count"

    return sharegpt if entry.get("formatting") == "sharegpt" else alpaca


# -- which trainer reads which file --------------------------------------------


def trainers_for(name: str, first: Row, info: dict[str, Any]) -> list[tuple[str, Check]]:
    if name.startswith(("raw", "quarantine")):
        return []
    out: list[tuple[str, Check]] = []
    for entry_name, entry in sorted(info.items()):
        if entry.get("file_name") == name:
            out.append((f"llamafactory ({entry_name})", llamafactory(entry)))
    if "messages" in first:
        out += [
            ("trl SFTTrainer", trl_sft),
            ("openai", openai),
            ("axolotl chat_template", axolotl("messages", "role", "weight")),
        ]
    elif "conversations" in first:
        out.append(("axolotl chat_template", axolotl("conversations", "from", "train")))
    elif "chosen" in first:
        out.append(("trl DPOTrainer", trl_dpo))
    elif "text" in first:
        out.append(("trl SFTTrainer", trl_sft))
    elif "instruction" in first:
        out.append(("axolotl alpaca", axolotl_alpaca))
    return out


def load(path: Path, cache: str) -> tuple[list[Row] | None, str]:
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()

    try:
        ds = datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=cache)
    except Exception as exc:  # the trainer would fail on the whole file
        return None, f"{type(exc).__name__}: {str(exc)[:60]}"
    return [dict(r) for r in ds], ""


def smoke(run: str, out: Path, cache: str) -> list[tuple[str, ...]]:
    info_path = out / "dataset_info.json"
    info = json.loads(info_path.read_text()) if info_path.exists() else {}
    rows_out: list[tuple[str, ...]] = []
    for path in sorted(out.glob("*.jsonl")):
        lines = sum(1 for line in path.open("rb") if line.strip())
        rows, error = load(path, cache)
        first = rows[0] if rows else json.loads(path.read_text().splitlines()[0] or "{}")
        for trainer, check in trainers_for(path.name, first, info):
            if rows is None:
                rows_out.append((run, path.name, trainer, "0", str(lines), error))
                continue
            reasons = [r for r in map(check, rows) if r]
            note = f"{reasons[0]} ({len(reasons)})" if reasons else ""
            rows_out.append(
                (run, path.name, trainer, str(len(rows) - len(reasons)), str(len(reasons)), note)
            )
    return rows_out


def run_loomcore(inputs: list[str], out: Path) -> dict[str, Any]:
    from loomcore.pipeline import Pipeline, RunOptions

    formats = ("alpaca", "chatml", "sharegpt", "text", "raw", "dpo")
    Pipeline(options=RunOptions(conversations=True, formats=formats)).run(inputs, out)
    return json.loads((out / "summary.json").read_text())


def table(rows: Iterable[tuple[str, ...]]) -> str:
    head = ("run", "file", "trainer", "loaded", "rejected", "first reason")
    rows = [head, *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    repo = Path(__file__).resolve().parents[1]
    parser.add_argument("--shared", default=str(repo.parent / "shared" / "corpora"))
    parser.add_argument("--keep", default=None, help="write the output directories here")
    args = parser.parse_args()
    from loomcore.inputs import sample_path

    base = Path(args.keep or tempfile.mkdtemp(prefix="loomcore-smoke-"))
    base.mkdir(parents=True, exist_ok=True)
    export = base / "branching_export.json"
    export.write_text(json.dumps(branching_export()))
    runs = {"sample": [str(sample_path()), str(export)]}
    shared = Path(args.shared)
    chosen = [
        shared / "alpaca_en_demo.json",
        shared / "sharegpt_toolcall_en_demo.json",
        shared / "real_exports" / "chatgpt_librechat_chatgpt-tree.json",
    ]
    if all(p.exists() for p in chosen):
        runs["shared"] = [str(p) for p in chosen]
    rows: list[tuple[str, ...]] = []
    cache = str(base / "hf-cache")
    print(
        f"trl installed: {HAVE_TRL}; llamafactory installed: "
        f"{importlib.util.find_spec('llamafactory') is not None}"
    )
    for run, inputs in runs.items():
        out = base / run
        summary = run_loomcore(inputs, out)
        counts = summary.get("conversation_examples", {})
        print(
            f"{run}: {summary['conversations']} conversations read, "
            f"{summary['lines_by_format']}, conversation examples {counts}"
        )
        rows += smoke(run, out, cache)
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
