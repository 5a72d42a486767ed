"""Privacy by default: planted secrets and personal data never reach an output."""

import json
import re

import pytest
from loomcore_plugins.redactors import personal_data, secrets

from loomcore import increments
from loomcore.pipeline import Pipeline, RunOptions

from ..privacy_corpus import corpus


def test_no_planted_secret_or_personal_data_reaches_any_output(tmp_path):
    records, values = corpus(200)
    src = tmp_path / "chats.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    stats = Pipeline(options=RunOptions(min_importance=0.0, synthesis=_cfg())).run(
        [str(src)], tmp_path / "out"
    )
    outputs = "".join(p.read_text() for p in (tmp_path / "out").glob("*.json*"))
    assert sum(stats.lines.values()) > 0
    leaked = [(kind, v) for kind, v in values if v in outputs or v.replace(" ", "") in outputs]
    assert leaked == []
    assert sum(stats.redactions.values()) >= 200
    # the manifest counts kinds, never values
    summary = (tmp_path / "out" / "summary.json").read_text()
    assert "EMAIL" in summary and all(v not in summary for _, v in values)


def test_few_clean_tokens_are_redacted(tmp_path):
    records, values = corpus(200)
    planted_values = {v for _, v in values}
    clean = total = changed = 0
    for r in records:
        for m in r["messages"]:
            text = m["content"]
            for v in planted_values:
                text = text.replace(v, "VALUE")
            out, _ = secrets.redact(text, frozenset())
            out, _ = personal_data.redact(out, frozenset())
            before, after = text.split(), out.split()
            total += len(before)
            changed += sum(1 for w in after if re.fullmatch(r"\W*\[[A-Z_]+\]\W*", w))
            clean += 1
    assert changed / total < 0.02


def test_allow_list_and_modes():
    text = "Write to support@acme.io or ops@acme.io from 10.1.2.3, key AKIAABCDEFGHIJKLMNOP."
    out, counts = personal_data.redact(text, frozenset({"support@acme.io"}))
    assert out == "Write to support@acme.io or [EMAIL] from [IP_ADDRESS], key AKIAABCDEFGHIJKLMNOP."
    assert counts == {"EMAIL": 1, "IP_ADDRESS": 1}
    out, counts = secrets.redact(text, frozenset())
    assert out.endswith("key [AWS_ACCESS_KEY].") and counts == {"AWS_ACCESS_KEY": 1}


def test_luhn_and_look_alikes_are_left_alone():
    text = "Order 1234 5678 9012 3456 shipped; version 3.11.7; 2,000,000 rows on 2025-10-01; call 555-0100."
    out, counts = personal_data.redact(text, frozenset())
    assert out == text and counts == {}


def _cfg():
    from loomcore import SynthesisConfig

    return SynthesisConfig(min_confidence=0.0)


def test_key_word_shortcut_does_not_hide_a_credential():
    # the words that let a keyword pattern run must cover its every spelling:
    # Cloudant's "pw" was once missing, so "clou_pw = ..." went through.  The
    # Cloudant detector is left out now (its pattern is cubic on spaces); the
    # assignment rule for a *_pw name takes the value instead
    for text in (
        "set clou_pw = abcdefghijklmnopqrstuvwx in the env",
        "set cloudant_pw = abcdefghijklmnopqrstuvwx in the env",
    ):
        out, counts = secrets.redact(text, frozenset())
        assert out == text.replace("abcdefghijklmnopqrstuvwx", "[PASSWORD]")
        assert counts == {"PASSWORD": 1}


# The shortest credential of each kind that the long-run shortcut gates, and
# of the kinds gated by a word: the shortcut must never skip one.
SHORTEST = [
    ("key AKIA0123456789ABCDEF here", "AKIA0123456789ABCDEF", "AWS_ACCESS_KEY"),
    ("token glpat-abcdefghij0123456789 here", "glpat-abcdefghij0123456789", "GITLAB_TOKEN"),
    (
        "use SK0123456789abcdef0123456789abcdef now",
        "SK0123456789abcdef0123456789abcdef",
        "TWILIO_API_KEY",
    ),
    (
        "bot 123456789:ABCDEFGHIJ0123456789abcdefghij_-XYZ ok",
        "123456789:ABCDEFGHIJ0123456789abcdefghij_-XYZ",
        "TELEGRAM_BOT_TOKEN",
    ),
    (
        "sk_live_0123456789abcdefghijABCD is live",
        "sk_live_0123456789abcdefghijABCD",
        "STRIPE_ACCESS_KEY",
    ),
    ("jwt eyJhbGci.eyJzdWIi.c2ln done", "eyJhbGci.eyJzdWIi.c2ln", "JWT"),
    ("see https://bob:hunter22@db.example.com/x", "hunter22", "PASSWORD"),
]


@pytest.mark.parametrize(("text", "value", "placeholder"), SHORTEST)
def test_shortcuts_never_skip_a_credential(text, value, placeholder):
    out, counts = secrets.redact(text, frozenset())
    assert out == text.replace(value, f"[{placeholder}]")
    assert counts == {placeholder: 1}


@pytest.mark.parametrize(
    ("text", "value", "placeholder"),
    [
        # (8.8.4.4, once here, is a public resolver everyone knows: kept now)
        ("ping 81.2.69.142 now", "81.2.69.142", "IP_ADDRESS"),
        ("call (555) 123-4567 today", "(555) 123-4567", "PHONE"),
        ("call +44 20 7946 0958 today", "+44 20 7946 0958", "PHONE"),
        ("card 4111-1111-1111-1111 on file", "4111-1111-1111-1111", "CREDIT_CARD"),
    ],
)
def test_number_run_shortcut_never_skips_personal_data(text, value, placeholder):
    out, counts = personal_data.redact(text, frozenset())
    assert out == text.replace(value, f"[{placeholder}]")
    assert counts == {placeholder: 1}


def _every_reader_input(tmp_path, records):
    from ..privacy_corpus import formats, write_log

    paths = []
    for reader, (name, text) in formats(records).items():
        path = tmp_path / "in" / reader / name
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
        paths.append((reader, path))
    log = tmp_path / "in" / "conversation_log" / "log.sqlite"
    log.parent.mkdir(parents=True)
    write_log(log, records)
    paths.append(("conversation_log", log))
    return paths


def test_no_planted_kind_survives_in_any_file_of_any_reader(tmp_path):
    """83 kinds x 4 placements (user / assistant turn, prose / code fence),
    fed through every reader: nothing planted reaches any file of the run."""
    from ..privacy_corpus import KINDS, PLACEMENTS, planted_corpus, survivors

    records, values = planted_corpus()
    assert len(KINDS) >= 60 and len(values) == len(KINDS) * len(PLACEMENTS)
    leaked = {}
    for reader, path in _every_reader_input(tmp_path, records):
        out = tmp_path / "out" / reader
        stats = Pipeline(options=RunOptions(min_importance=0.0, synthesis=_cfg())).run(
            [str(path)], out
        )
        assert stats.conversations == len(records), reader
        written = "".join(p.read_text(encoding="utf-8") for p in sorted(out.iterdir()))
        assert "[PASSWORD]" in written and "[EMAIL]" in written, reader
        leaked[reader] = survivors(written, values)
    assert leaked == {reader: [] for reader in leaked}
    assert len(leaked) == 8


def test_legitimate_look_alikes_survive_a_run_unchanged(tmp_path):
    from ..privacy_corpus import LOOK_ALIKE_CODE, LOOK_ALIKES

    reply = " ".join(LOOK_ALIKES) + "\n\n" + LOOK_ALIKE_CODE
    record = {
        "messages": [
            {"role": "user", "content": "How do I set up the build server?"},
            {"role": "assistant", "content": reply},
        ]
    }
    src = tmp_path / "chats.jsonl"
    src.write_text(json.dumps(record) + "\n")
    stats = Pipeline(
        options=RunOptions(min_importance=0.0, formats=("raw",), synthesis=_cfg())
    ).run([str(src)], tmp_path / "out")
    assert stats.redactions == {}
    [line] = (tmp_path / "out" / "raw.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["output"] == reply


def test_the_planted_corpus_reaches_the_outputs_when_nothing_is_redacted(tmp_path):
    # the survivor check means something only if the values would get through
    from ..privacy_corpus import formats, planted_corpus, survivors

    records, values = planted_corpus()
    name, text = formats(records)["openai_messages"]
    (tmp_path / name).write_text(text, encoding="utf-8")
    options = RunOptions(min_importance=0.0, redact="none", synthesis=_cfg())
    Pipeline(options=options).run([str(tmp_path / name)], tmp_path / "out")
    written = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir())
    assert len(survivors(written, values)) >= 0.95 * len(values)


def test_since_last_state_names_no_home_directory(tmp_path, monkeypatch):
    # the watermarks were filed under the resolved path ("/home/ana.lima/...")
    # and records_pending under the path unredacted: personal data in an output
    home = tmp_path / "home" / "ana.lima"
    home.mkdir(parents=True)
    monkeypatch.chdir(home)
    line = json.dumps(
        {
            "messages": [
                {"role": "user", "content": "What is a mutex?"},
                {"role": "assistant", "content": "A mutex is a lock one thread holds at a time."},
            ]
        }
    )
    (home / "chats.jsonl").write_text(line + "\n" + line[:30])  # the last line is half written
    out = tmp_path / "out"
    options = RunOptions(since_last=True, min_importance=0.0, synthesis=_cfg())
    stats = Pipeline(options=options).run(["chats.jsonl"], out)
    assert (stats.conversations, stats.rejected) == (1, 0)
    summary = json.loads((out / "summary.run-0001.json").read_text())
    [(key, mark)] = summary["watermarks"].items()
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", key) and mark["index"] == 1
    assert summary["loss"]["records_pending"] == {"chats.jsonl": 2}
    written = {p.name: p.read_text() for p in out.iterdir() if p.is_file()}
    assert [name for name, text in written.items() if "ana.lima" in text] == []
    # the next run finds its watermark again, and an older state's raw-path key too
    with (home / "chats.jsonl").open("a") as fh:
        fh.write(line[30:] + "\n")
    stats = Pipeline(options=options).run(["chats.jsonl"], out)
    assert (stats.conversations, stats.rejected) == (1, 0)
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    mark = increments.watermark("chats.jsonl", 2)
    (legacy / "summary.run-0001.json").write_text(
        json.dumps({"watermarks": {str((home / "chats.jsonl").resolve()): mark}})
    )
    assert Pipeline(options=options).run(["chats.jsonl"], legacy).conversations == 0
    assert increments.prepare(legacy).watermarks == {increments.key("chats.jsonl"): mark}
