"""Mojibake is put back before the redactors read a text, never after them:
an address that mojibake hides from them must not come out repaired and whole."""

import json

from loomcore.pipeline import Pipeline, RunOptions

QUESTION = (
    "I wrote to my landlord at franÃ§ois.duprÃ©@orange-mail.fr about the broken heating "
    "and he hasnâ€™t replied. How should I write a formal complaint letter about heating repairs?"
)
ANSWER = (
    "A formal complaint letter should state the problem, when it started, what you have "
    "already done, and what you expect. Keep it polite and specific, give a deadline for "
    "the repair, and keep a copy of everything you send."
)


def _run(tmp_path, redact):
    src = tmp_path / "in.jsonl"
    record = {
        "conversations": [{"from": "human", "value": QUESTION}, {"from": "gpt", "value": ANSWER}]
    }
    src.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / f"out-{redact}"
    stats = Pipeline(options=RunOptions(redact=redact, min_importance=0.0)).run([src], out)
    return out, stats


def test_an_address_mojibake_hid_is_redacted_in_every_file(tmp_path):
    out, stats = _run(tmp_path, "all")
    texts = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.jsonl")}
    assert texts, "the run wrote no example file"
    for name, text in texts.items():
        assert "orange-mail" not in text, name
        assert "duprÃ" not in text and "dupré" not in text, name
    raw = json.loads(texts["raw.jsonl"].splitlines()[0])
    assert raw["instruction"] == (
        "I wrote to my landlord at [EMAIL] about the broken heating and he hasn’t replied. "
        "How should I write a formal complaint letter about heating repairs?"
    )
    assert dict(stats.redactions) == {"EMAIL": 1}


def test_without_redaction_the_text_is_still_put_back(tmp_path):
    out, _ = _run(tmp_path, "none")
    raw = json.loads((out / "raw.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert "françois.dupré@orange-mail.fr" in raw["instruction"]
    assert "hasn’t" in raw["instruction"]


def test_an_address_mojibake_hid_in_a_record_id_is_redacted(tmp_path):
    # second review: ids stay as the input spells them, but not what their repair shows
    src = tmp_path / "ids.jsonl"
    record = {
        "id": "sg-id franÃ§ois.duprÃ©@orange-mail.fr",
        "conversations": [{"from": "human", "value": QUESTION}, {"from": "gpt", "value": ANSWER}],
    }
    src.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    Pipeline(options=RunOptions(min_importance=0.0)).run([src], out)
    for path in out.glob("*.jsonl"):
        assert "orange-mail" not in path.read_text(encoding="utf-8"), path.name
    raw = json.loads((out / "raw.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert raw["metadata"]["source"]["conversation_id"] == "sg-id [EMAIL]"
