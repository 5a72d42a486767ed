"""With --conversations each text is redacted once, in the parent, whatever
the executor: the per-exchange work gets the exchanges redacted (a process
executor's workers redacted every text a second time), the counts are the
same as a run without --conversations, and a failing redaction still drops
the exchange and its conversation."""

from __future__ import annotations

import json
import os

import pytest

from loomcore import Redactor, Registry, get_plugin_manager, hookimpl
from loomcore.pipeline import Pipeline, RunOptions

from .test_whole import SECRET, conversation, write_input

EMAIL = "dana.price@acme-mail.io"


class Counting:
    """Appends each text it is given to a file: forked workers write there too."""

    def __init__(self, log):
        self.log = log

    @hookimpl
    def register_redactors(self, register):
        def redact(text, allow):
            fd = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            try:
                os.write(fd, json.dumps(text).encode() + b"\n")  # one write: one line
            finally:
                os.close(fd)
            if "bandit" in text:
                raise ValueError("cannot redact this")
            return text, {}

        register(Redactor("counting", "secret", redact))


def chats(tmp_path):
    second = {
        "id": "c2",
        "messages": [
            {"role": "user", "content": "What does a B-tree index speed up?"},
            {"role": "assistant", "content": "Lookups, range scans and joins on its column."},
            {"role": "user", "content": f"Can you mail {EMAIL} the notes on B-tree indexes?"},
            {"role": "assistant", "content": "I cannot send mail, but the notes are above."},
            {"role": "user", "content": "Why does the multi-armed bandit job fail?"},
            {"role": "assistant", "content": "A bandit job needs the repo scope to run."},
        ],
    }
    return write_input(tmp_path, conversation(), second)


def run(tmp_path, name, **options):
    log = tmp_path / f"{name}.log"
    registry = Registry(get_plugin_manager(plugins=[Counting(str(log))]))
    out = tmp_path / name
    opts = RunOptions(min_importance=0.0, strict=False, **options)
    Pipeline(registry, opts).run([chats(tmp_path)], out)
    seen = [json.loads(x) for x in log.read_text().splitlines()]
    return out, seen


@pytest.mark.parametrize("executor", [None, "process"])
def test_each_turn_is_redacted_once_with_conversations(tmp_path, executor):
    out, seen = run(tmp_path, "run", conversations=True, executor=executor, workers=2)
    turns = [
        m["content"]
        for line in (tmp_path / "chats.jsonl").read_text().splitlines()
        for m in json.loads(line)["messages"]
        if m["role"] != "system"
    ]
    # every turn of both conversations, each once (twice with workers: the
    # parent's redaction for the conversation, then the worker's)
    # (but the reply after the bandit question: its exchange failed on the question)
    assert len(turns) == 14 and turns[-1] == "A bandit job needs the repo scope to run."
    assert {t: seen.count(t) for t in turns} == {t: 1 for t in turns[:-1]} | {turns[-1]: 0}
    assert (out / "chatml_conversations.jsonl").read_text().count(turns[0]) == 1


def test_process_executor_writes_what_running_here_writes(tmp_path):
    here, _ = run(tmp_path, "here", conversations=True)
    pool, _ = run(tmp_path, "pool", conversations=True, executor="process", workers=2)
    names = sorted(p.name for p in here.iterdir())
    assert names == sorted(p.name for p in pool.iterdir())
    assert "chatml_conversations.jsonl" in names
    for name in names:
        if name != "manifest.json":  # (it holds the run's seconds)
            assert (pool / name).read_bytes() == (here / name).read_bytes(), name


def test_counts_and_failures_are_those_of_a_run_without_conversations(tmp_path):
    alone, _ = run(tmp_path, "alone")
    whole, _ = run(tmp_path, "whole", conversations=True, executor="process", workers=2)
    a, w = (json.loads((d / "summary.json").read_text()) for d in (alone, whole))
    # the secret and the e-mail, counted once each; the bandit exchange
    # dropped (its redactor failed) and counted against the plugin once
    assert a["redactions"] == w["redactions"] == {"AWS_ACCESS_KEY": 1, "EMAIL": 1}
    assert a["exchanges_dropped"] == w["exchanges_dropped"] == {"redaction_failed": 1}
    assert a["plugin_errors"] == w["plugin_errors"] == {"Counting": 1}
    # c2 failed to redact: no conversation of it, nothing of it in any file
    assert w["conversation_examples"]["skipped: conversation: redaction failed, left out"] == 1
    assert w["conversation_examples"]["conversations"] == 1
    for path in whole.iterdir():
        data = path.read_bytes()
        assert b"bandit" not in data and EMAIL.encode() not in data, path.name
        assert SECRET.encode() not in data, path.name
    for name in ("alpaca.jsonl", "chatml.jsonl", "raw.jsonl"):
        assert (whole / name).read_bytes() == (alone / name).read_bytes(), name
