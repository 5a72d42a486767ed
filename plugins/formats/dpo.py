"""dpo: preference pairs, ``prompt`` / ``chosen`` / ``rejected``, with ``system`` and ``history``.

One line per pair (``--format dpo``; not written by default):

- TRL's ``DPOTrainer`` reads ``prompt``, ``chosen`` and ``rejected`` as its
  standard (string) preference format and leaves the other columns alone,
  so the earlier turns of a follow-up are not in TRL's prompt;
- LLaMA-Factory reads the file through its ``dataset_info.json`` entry
  (``ranking: true``, alpaca columns), earlier turns (``history``) and
  system prompt included.

Every line has all five keys, so the file has one schema.
"""

from __future__ import annotations

from typing import Any

from loomcore import Exporter, TrainingExample, hookimpl
from loomcore.contracts import InvalidExample  # the one class every format raises


def render(example: TrainingExample) -> dict[str, Any]:
    if example.kind != "preference" or not example.rejected.strip():
        raise InvalidExample("dpo writes preference pairs only")
    return {
        "prompt": example.instruction,
        "chosen": example.output,
        "rejected": example.rejected,
        "system": example.system,
        "history": [[u, a] for u, a in example.history],
    }


def dataset_info(file_name: str) -> dict[str, Any]:
    return {
        "file_name": file_name,
        "formatting": "alpaca",
        "ranking": True,
        "columns": {
            "prompt": "prompt",
            "chosen": "chosen",
            "rejected": "rejected",
            "system": "system",
            "history": "history",
        },
    }


@hookimpl
def register_exporters(register):
    register(
        Exporter(
            "dpo",
            render,
            description="preference pairs (prompt/chosen/rejected) for TRL DPO and LLaMA-Factory ranking",
            dataset_info=dataset_info,
            kinds=("preference",),
        )
    )
