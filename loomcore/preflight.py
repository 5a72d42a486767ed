"""Preflight: what each trainer would do with the files of an output directory.

``loomcore check DIR [--for TRAINER]`` reads every JSONL file once and
reports, per file and trainer, the rows that trainer would reject (the whole
file fails to load or the job fails validation), drop (the row is skipped),
truncate (cut at the trainer's length limit) or mask (kept, but no token of
it is trained on).  No trainer is run or imported: these are loomcore's own
readings of the rules each tool documents.

- LLaMA-Factory (the files ``dataset_info.json`` names): an entry's file must
  exist and hold rows; ``sharegpt`` turns alternate user (or observation) at
  odd positions and assistant (or function) at even ones, an even count
  after an optional leading system turn, else the row is dropped as having
  an invalid role tag or message count; ``alpaca`` rows need the prompt and
  response columns; rows over ``cutoff_len`` (2,048) tokens are truncated.
- TRL ``SFTTrainer``: a ``text`` column is language modelling, ``messages``
  conversational language modelling, ``prompt``/``completion`` its
  prompt-completion type; anything else is refused.  Rows over
  ``max_length`` (1,024) tokens are truncated, and a row whose prompt alone
  reaches it keeps no completion token (masked under assistant-only or
  completion-only loss).
- Axolotl ``type: chat_template`` (``messages``; the sharegpt file with
  ``field_messages: conversations`` and ``from``/``value`` as the README
  maps them) and ``type: alpaca``: roles must map to user, assistant,
  system or tool; a row with no assistant turn has nothing to train on and
  is dropped; rows over ``sequence_len`` (2,048) are dropped
  (``excess_length_strategy: drop``, the default).
- OpenAI chat fine-tuning: the format errors of its data-preparation guide
  (``data_type``, ``missing_messages_list``, ``message_missing_key``,
  ``message_unrecognized_key``, ``unrecognized_role``, ``missing_content``,
  ``example_missing_assistant_message``), ``weight`` only 0 or 1 and only on
  assistant messages, at least 10 examples; any of these fails the job.
  Rows over the training context (65,536 tokens for gpt-4o-mini) are
  truncated.

Token counts come from the counter given (by default loomcore's estimate);
``max_tokens`` replaces every trainer's default limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs
import orjson

from loomcore.registry import LoomcoreError
from loomcore.text.tokens import estimate_tokens

TRAINERS = ("llamafactory", "trl", "axolotl", "openai")
# each trainer's default length limit, in tokens: LLaMA-Factory's cutoff_len,
# TRL's max_length, axolotl's usual sequence_len, gpt-4o-mini's training context
DEFAULT_LIMITS = {"llamafactory": 2048, "trl": 1024, "axolotl": 2048, "openai": 65_536}
# what a verdict does, in the report's order
VERDICTS = ("reject", "drop", "truncate", "mask", "ignore")
# "ignore": the row loads, but the trainer reads past its per-message training
# flags (a whole conversation's weight 0 / train false) and trains on those messages
PAST = {"drop": "dropped", "truncate": "truncated", "mask": "masked", "ignore": "flags ignored"}
OPENAI_MIN_EXAMPLES = 10
OPENAI_KEYS = frozenset({"role", "content", "name", "function_call", "weight", "tool_calls"})
# tuples, not sets: a role in a file may be any JSON value, a list too
OPENAI_ROLES = ("system", "user", "assistant", "tool", "function")
# axolotl's default role mapping for chat_template
AXOLOTL_ROLES = {
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "gpt": "assistant",
    "system": "system",
    "tool": "tool",
}
# files in an output directory that no trainer is given
NOT_FOR_TRAINERS = ("quarantine", "staging", "raw")
SHOWN_LINES = 3  # line numbers named per finding


class CheckError(LoomcoreError):
    """A path ``loomcore check`` cannot read."""


@attrs.define
class Finding:
    """Rows of one file that one trainer would treat one way, for one reason."""

    verdict: str
    reason: str
    rows: int = 0
    lines: list[int] = attrs.field(factory=list)  # the first few, 1-based

    def add(self, line: int) -> None:
        self.rows += 1
        if len(self.lines) < SHOWN_LINES:
            self.lines.append(line)


@attrs.define
class FileCheck:
    """What one trainer would do with one file."""

    file: str
    trainer: str
    rows: int = 0
    findings: dict[tuple[str, str], Finding] = attrs.field(factory=dict)

    def flag(self, verdict: str, reason: str, line: int = 0) -> None:
        """Count one row (``line`` from 1), or the whole file (``line`` 0), under a verdict."""
        finding = self.findings.setdefault((verdict, reason), Finding(verdict, reason))
        if line:
            finding.add(line)

    def lines(self) -> list[str]:
        """The report lines of this file and trainer: one per finding, or one "ok"."""
        if not self.findings:
            return [f"{self.file}: {self.trainer}: ok ({_n(self.rows, 'row')})"]
        out = []
        order = sorted(self.findings.values(), key=lambda f: (VERDICTS.index(f.verdict), f.reason))
        for f in order:
            if not f.rows:
                out.append(f"{self.file}: {self.trainer}: reject the file: {f.reason}")
                continue
            where = ", ".join(map(str, f.lines)) + (", ..." if f.rows > len(f.lines) else "")
            label = "line" if f.rows == 1 else "lines"
            out.append(
                f"{self.file}: {self.trainer}: {f.verdict} {_n(f.rows, 'row')} "
                f"({label} {where}): {f.reason}"
            )
        return out


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _shape(row: dict[str, Any], name: str) -> str:
    """What a file holds, told by its first row's keys (else by its name, for an empty file)."""
    keys = set(row)
    if {"prompt", "chosen", "rejected"} <= keys:
        return "preference"
    if "messages" in keys:
        return "chat"
    if "conversations" in keys:
        return "sharegpt"
    if {"prompt", "completion"} <= keys:
        return "prompt_completion"
    if "instruction" in keys and "output" in keys and "metadata" not in keys:
        return "alpaca"
    if keys == {"text"}:
        return "text"
    if not keys:
        fmt = name.split(".")[0].removesuffix("_conversations")
        return {
            "chatml": "chat",
            "sharegpt": "sharegpt",
            "alpaca": "alpaca",
            "text": "text",
            "dpo": "preference",
        }.get(fmt, "unknown")
    return "unknown"


# which trainers are given a file of each shape (LLaMA-Factory: the files its entries name)
READERS = {
    "chat": ("trl", "axolotl", "openai"),
    "sharegpt": ("axolotl",),
    "alpaca": ("axolotl",),
    "text": ("trl",),
    "prompt_completion": ("trl",),
    "preference": ("trl",),
}


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _messages(row: dict[str, Any], field: str, role: str, content: str) -> list[tuple[Any, Any]]:
    value = row.get(field)
    if not isinstance(value, list):
        return []
    return [(m.get(role), m.get(content)) if isinstance(m, dict) else (None, None) for m in value]


def _flagged_off(messages: Any, key: str) -> bool:
    """Whether a message of ``messages`` sets its training flag ``key`` off (0 or false)."""
    return isinstance(messages, list) and any(
        isinstance(m, dict) and key in m and m[key] in (0, False) for m in messages
    )


def _read(path: Path) -> Iterable[tuple[int, Any]]:
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, 1):
            if raw.strip():
                try:
                    yield number, orjson.loads(raw)
                except orjson.JSONDecodeError:
                    yield number, _BAD_JSON


_BAD_JSON = object()


@attrs.define
class Rules:
    """The rules of every trainer, applied row by row."""

    count: Callable[[str], int] = estimate_tokens
    limits: dict[str, int] = attrs.field(factory=lambda: dict(DEFAULT_LIMITS))

    def tokens(self, row: dict[str, Any]) -> int:
        return self.count("\n".join(_strings(row)))

    # -- LLaMA-Factory -------------------------------------------------------
    def llamafactory(self, c: FileCheck, line: int, row: Any, entry: dict[str, Any]) -> None:
        if not isinstance(row, dict):
            c.flag("reject", "a line that is not a JSON object fails to load", line)
            return
        columns = entry.get("columns", {})
        if entry.get("ranking"):
            names = [
                columns.get(k, d)
                for k, d in (
                    ("prompt", "instruction"),
                    ("chosen", "chosen"),
                    ("rejected", "rejected"),
                )
            ]
            if entry.get("formatting", "alpaca") == "alpaca" and not all(
                isinstance(row.get(n), str) for n in names
            ):
                c.flag("reject", f"ranking: no {', '.join(map(repr, names))} string columns", line)
                return
            if self.tokens(row) > self.limits["llamafactory"]:
                c.flag("truncate", f"over cutoff_len {self.limits['llamafactory']:,} tokens", line)
            return
        if entry.get("formatting", "alpaca") == "sharegpt":
            tags = {
                "role_tag": "from",
                "content_tag": "value",
                "user_tag": "human",
                "assistant_tag": "gpt",
                "observation_tag": "observation",
                "function_tag": "function_call",
                "system_tag": "system",
                **entry.get("tags", {}),
            }
            field = columns.get("messages", "conversations")
            if not isinstance(row.get(field), list):
                c.flag("reject", f"no {field!r} list: the messages column is missing", line)
                return
            turns = _messages(row, field, tags["role_tag"], tags["content_tag"])
            if turns and turns[0][0] == tags["system_tag"]:
                turns = turns[1:]
            odd = (tags["user_tag"], tags["observation_tag"])
            even = (tags["assistant_tag"], tags["function_tag"])
            if any(role not in (odd if i % 2 == 0 else even) for i, (role, _) in enumerate(turns)):
                c.flag("drop", "invalid role tag: user turns must alternate with assistant", line)
                return
            if len(turns) % 2 or not turns:
                c.flag("drop", "invalid message count: it must end with an assistant turn", line)
                return
            if _flagged_off(row.get(field), "train"):
                c.flag(
                    "ignore",
                    "a turn with train false: LLaMA-Factory reads no per-turn flag and trains "
                    "on it (mask_history: true trains the last turn only)",
                    line,
                )
        else:
            prompt = columns.get("prompt", "instruction")
            response = columns.get("response", "output")
            if not isinstance(row.get(prompt), str) or not isinstance(row.get(response), str):
                c.flag("reject", f"no {prompt!r} or {response!r} string column", line)
                return
            history = row.get(columns["history"]) if "history" in columns else []
            if not isinstance(history, list) or any(
                not isinstance(h, list) or len(h) != 2 for h in history
            ):
                c.flag("reject", "a history entry that is not a [prompt, response] pair", line)
                return
        if self.tokens(row) > self.limits["llamafactory"]:
            c.flag("truncate", f"over cutoff_len {self.limits['llamafactory']:,} tokens", line)

    # -- TRL -----------------------------------------------------------------
    def trl(self, c: FileCheck, line: int, row: Any, shape: str) -> None:
        if not isinstance(row, dict):
            c.flag("reject", "a line that is not a JSON object fails to load", line)
            return
        limit = self.limits["trl"]
        if shape == "preference":
            self.trl_preference(c, line, row)
            return
        if shape == "chat":
            turns = _messages(row, "messages", "role", "content")
            if not turns:
                c.flag("reject", "'messages' is not a list of messages", line)
                return
            if any(r not in ("system", "user", "assistant", "tool") for r, _ in turns):
                c.flag("reject", "a role chat templates do not know", line)
                return
            if not any(r == "assistant" for r, _ in turns):
                c.flag("mask", "no assistant message: nothing to train on", line)
                return
            if _flagged_off(row.get("messages"), "weight"):
                c.flag(
                    "ignore",
                    "an assistant message with weight 0: TRL reads no per-message weight "
                    "and trains on it under assistant-only loss",
                    line,
                )
            last = max(i for i, (r, _) in enumerate(turns) if r == "assistant")
            prompt = "\n".join(str(t) for _, t in turns[:last])
        elif shape == "prompt_completion":
            prompt = "\n".join(_strings(row.get("prompt")))
        else:
            if not isinstance(row.get("text"), str):
                c.flag("reject", "'text' is not a string", line)
                return
            prompt = ""
        if self.tokens(row) > limit:
            if prompt and self.count(prompt) >= limit:
                c.flag(
                    "mask",
                    f"the prompt alone reaches max_length {limit:,}: no completion token is "
                    "left under assistant-only or completion-only loss",
                    line,
                )
            else:
                c.flag("truncate", f"over max_length {limit:,} tokens", line)

    def trl_preference(self, c: FileCheck, line: int, row: dict[str, Any]) -> None:
        """TRL's standard preference type (``DPOTrainer``): three strings."""
        values = [row.get(k) for k in ("prompt", "chosen", "rejected")]
        if not all(isinstance(v, str) and v.strip() for v in values):
            c.flag(
                "reject", "preference: prompt, chosen and rejected must be non-empty strings", line
            )
            return
        if values[1] == values[2]:
            c.flag("mask", "preference: chosen and rejected are the same text", line)
            return
        limit = self.limits["trl"]
        prompt, chosen, rejected = (str(v) for v in values)
        if self.count(prompt) + max(self.count(chosen), self.count(rejected)) > limit:
            c.flag("truncate", f"over max_length {limit:,} tokens", line)

    # -- axolotl -------------------------------------------------------------
    def axolotl(self, c: FileCheck, line: int, row: Any, shape: str) -> None:
        if not isinstance(row, dict):
            c.flag("reject", "a line that is not a JSON object fails to load", line)
            return
        if shape == "alpaca":
            if not row.get("instruction") or not isinstance(row.get("output"), str):
                c.flag("drop", "no instruction or output (type: alpaca)", line)
                return
        else:
            field, role, content = (
                ("messages", "role", "content")
                if shape == "chat"
                else ("conversations", "from", "value")
            )
            turns = _messages(row, field, role, content)
            if not turns:
                c.flag("reject", f"no {field!r} list (field_messages)", line)
                return
            roles = [AXOLOTL_ROLES.get(r) if isinstance(r, str) else None for r, _ in turns]
            if None in roles:
                c.flag("reject", "a role the chat_template role mapping does not know", line)
                return
            if "assistant" not in roles:
                c.flag("drop", "no assistant turn: nothing for roles_to_train", line)
                return
        if self.tokens(row) > self.limits["axolotl"]:
            c.flag("drop", f"over sequence_len {self.limits['axolotl']:,} tokens", line)

    # -- OpenAI --------------------------------------------------------------
    def openai(self, c: FileCheck, line: int, row: Any) -> None:
        if not isinstance(row, dict):
            c.flag("reject", "data_type: a line is not a JSON object", line)
            return
        messages = row.get("messages")
        if not isinstance(messages, list) or not messages:
            c.flag("reject", "missing_messages_list: no messages list", line)
            return
        for m in messages:
            if not isinstance(m, dict) or "role" not in m or "content" not in m:
                c.flag("reject", "message_missing_key: a message without role or content", line)
                return
            if set(m) - OPENAI_KEYS:
                c.flag("reject", "message_unrecognized_key: a message with an unknown key", line)
                return
            if m["role"] not in OPENAI_ROLES:
                c.flag(
                    "reject", "unrecognized_role: a role other than system, user, assistant", line
                )
                return
            if (not m["content"] and not m.get("function_call")) or not isinstance(
                m["content"], str
            ):
                c.flag("reject", "missing_content: a message with empty content", line)
                return
            if "weight" in m and (m["role"] != "assistant" or m["weight"] not in (0, 1)):
                c.flag(
                    "reject", "invalid_weight: weight is 0 or 1, on assistant messages only", line
                )
                return
        if not any(m["role"] == "assistant" for m in messages):
            c.flag("reject", "example_missing_assistant_message: no assistant message", line)
            return
        if self.tokens(row) > self.limits["openai"]:
            c.flag("truncate", f"over the {self.limits['openai']:,}-token training context", line)


def check(
    directory: str | Path,
    trainers: Iterable[str] = TRAINERS,
    max_tokens: int | None = None,
    count: Callable[[str], int] = estimate_tokens,
) -> list[FileCheck]:
    """What each of ``trainers`` would do with each file of ``directory``."""
    out_dir = Path(directory)
    if not out_dir.is_dir():
        raise CheckError(f"{directory}: not a directory")
    trainers = tuple(trainers)
    unknown = sorted(set(trainers) - set(TRAINERS))
    if unknown:
        raise CheckError(f"unknown trainer {', '.join(unknown)} (known: {', '.join(TRAINERS)})")
    limits = dict(DEFAULT_LIMITS)
    if max_tokens is not None:
        limits = dict.fromkeys(TRAINERS, max_tokens)
    rules = Rules(count, limits)
    entries = _entries(out_dir) if "llamafactory" in trainers else {}
    results: list[FileCheck] = []
    for path in sorted(out_dir.glob("*.jsonl")):
        if path.name.startswith(NOT_FOR_TRAINERS):
            continue
        results += _check_file(path, trainers, rules, entries.pop(path.name, []))
    # entries naming a file that is not there
    for file_name, names in sorted(entries.items()):
        c = FileCheck(file_name, "llamafactory")
        c.flag("reject", f"dataset_info.json entry {names[0][0]} names a file that does not exist")
        results.append(c)
    return results


def _entries(out_dir: Path) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """LLaMA-Factory's entries by the file they name."""
    info_path = out_dir / "dataset_info.json"
    if not info_path.is_file():
        return {}
    try:
        info = orjson.loads(info_path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise CheckError(f"{info_path}: not JSON ({exc})") from None
    by_file: dict[str, list[Any]] = {}
    for name, entry in sorted(info.items()):
        if isinstance(entry, dict) and isinstance(entry.get("file_name"), str):
            by_file.setdefault(entry["file_name"], []).append((name, entry))
    return by_file


def _check_file(
    path: Path, trainers: tuple[str, ...], rules: Rules, entries: list[tuple[str, dict[str, Any]]]
) -> list[FileCheck]:
    rows = _read(path)
    first = next(iter(rows), None)
    shape = _shape(first[1] if first and isinstance(first[1], dict) else {}, path.name)
    readers = [t for t in READERS.get(shape, ()) if t in trainers]
    checks = {t: FileCheck(path.name, t) for t in readers}
    lf = [(name, entry, FileCheck(path.name, "llamafactory")) for name, entry in entries]
    if not checks and not lf:
        return []
    rest = iter(()) if first is None else _chain(first, rows)
    for line, row in rest:
        if row is _BAD_JSON:
            for c in [*checks.values(), *(c for _, _, c in lf)]:
                c.rows += 1
                c.flag("reject", "a line that is not JSON fails to load", line)
            continue
        for trainer, c in checks.items():
            c.rows += 1
            if trainer == "openai":
                rules.openai(c, line, row)
            elif trainer == "trl":
                rules.trl(c, line, row, shape)
            else:
                rules.axolotl(c, line, row, shape)
        for _, entry, c in lf:
            c.rows += 1
            rules.llamafactory(c, line, row, entry)
    for c in [*checks.values(), *(c for _, _, c in lf)]:
        if c.rows == 0:
            c.flag("reject", "no rows: an empty file fails to load")
    if "openai" in checks and 0 < checks["openai"].rows < OPENAI_MIN_EXAMPLES:
        checks["openai"].flag(
            "reject",
            f"{_n(checks['openai'].rows, 'example')}: at least {OPENAI_MIN_EXAMPLES} are required",
        )
    return [c for _, _, c in lf] + [checks[t] for t in TRAINERS if t in checks]


def _chain(first: tuple[int, Any], rest: Iterable[tuple[int, Any]]) -> Iterable[tuple[int, Any]]:
    yield first
    yield from rest


def report(checks: list[FileCheck]) -> list[str]:
    """Every report line, file by file."""
    return [line for c in checks for line in c.lines()]


def summary(checks: list[FileCheck]) -> str:
    """One line for the end of a run: per trainer, ok or what it would do."""
    parts = []
    for trainer in TRAINERS:
        mine = [c for c in checks if c.trainer == trainer]
        if not mine:
            continue
        rejected = sum(any(f.verdict == "reject" for f in c.findings.values()) for c in mine)
        counts = {
            v: sum(f.rows for c in mine for f in c.findings.values() if f.verdict == v)
            for v in VERDICTS[1:]
        }
        said = ([f"{_n(rejected, 'file')} rejected"] if rejected else []) + [
            f"{_n(n, 'row')} {PAST[verdict]}" for verdict, n in counts.items() if n
        ]
        parts.append(f"{trainer} " + (", ".join(said) if said else "ok"))
    return "check: " + ("; ".join(parts) if parts else "no file a trainer reads")
