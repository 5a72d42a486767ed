"""A redactor that raises or runs past the time budget drops the exchange;
whatever else a run writes (quarantine, summary, manifest, card) is redacted."""

import contextlib
import json
import time

from loomcore import Redactor, Registry, get_plugin_manager, hookimpl
from loomcore.pipeline import Pipeline, RunOptions
from loomcore.stages.budget import RecordTimeout

TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2
EMAIL = "bob.smith@acme-mail.io"


class Raises:
    @hookimpl
    def register_redactors(self, register):
        def redact(text, allow):
            if "bandit" in text:
                raise ValueError("cannot redact this")
            return text, {}

        register(Redactor("raises", "secret", redact))


class SwallowsTheBudget:
    """Catches the time budget's exception itself and returns the text as it was."""

    @hookimpl
    def register_redactors(self, register):
        def redact(text, allow):
            if "bandit" in text:
                end = time.monotonic() + 0.3
                while time.monotonic() < end:
                    with contextlib.suppress(RecordTimeout):
                        time.sleep(0.01)
            return text, {}

        register(Redactor("swallows", "secret", redact))


def _chats(tmp_path, name="chats.jsonl"):
    records = [
        {
            "messages": [
                {"role": "user", "content": f"Why does my token {TOKEN} fail for the bandit job?"},
                {
                    "role": "assistant",
                    "content": "A multi-armed bandit job needs the repo scope. "
                    "Regenerate the token with that scope and retry.",
                },
            ]
        },
        {
            "messages": [
                {"role": "user", "content": "What is a hash map?"},
                {
                    "role": "assistant",
                    "content": "A hash map is a data structure that maps keys to values "
                    "through a hash function.",
                },
            ]
        },
    ]
    src = tmp_path / name
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    return src


def _run(tmp_path, plugin, src, **options):
    registry = Registry(get_plugin_manager(plugins=[plugin] if plugin else []))
    opts = RunOptions(min_importance=0.0, **options)
    return Pipeline(registry, opts).run([str(src)], tmp_path / "out")


def _written(out):
    return "".join(p.read_text() for p in sorted(out.iterdir()) if p.is_file())


def test_a_raising_redactor_drops_the_exchange_and_counts_it(tmp_path):
    stats = _run(tmp_path, Raises(), _chats(tmp_path))
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["exchanges_dropped"] == {"redaction_failed": 1}
    assert stats.plugin_errors[next(iter(stats.plugin_errors))] == 1
    written = _written(tmp_path / "out")
    assert "bandit" not in written and "hash map" in written
    exchanges = json.loads((tmp_path / "out" / "manifest.json").read_text())["exchanges"]
    assert (exchanges["total"], exchanges["used"]) == (2, 1)
    assert exchanges["filtered"] == {"importance": 0, "redaction_failed": 1}


def test_a_plugin_that_swallows_the_time_budget_still_fails_closed(tmp_path):
    _run(tmp_path, SwallowsTheBudget(), _chats(tmp_path), record_timeout=0.05)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["exchanges_dropped"] == {"redaction_failed": 1}
    assert "bandit" not in _written(tmp_path / "out")


def test_the_quarantine_keeps_rejected_records_redacted(tmp_path):
    src = tmp_path / "chats.jsonl"
    bad = '{"messages": [{"role": "user", "content": "mail ' + EMAIL + " key " + TOKEN + '"}'
    src.write_text(bad + "\n" + _chats(tmp_path, "good.jsonl").read_text())
    _run(tmp_path, None, src, input_format="openai_messages")
    quarantine = (tmp_path / "out" / "quarantine.jsonl").read_text()
    assert "[EMAIL]" in quarantine and "[GITHUB_TOKEN]" in quarantine
    assert EMAIL not in quarantine and TOKEN not in quarantine


def test_file_names_are_redacted_in_summary_manifest_and_card(tmp_path):
    src = _chats(tmp_path, f"{EMAIL}.jsonl")
    _run(tmp_path, None, src)
    out = tmp_path / "out"
    for name in ("summary.json", "manifest.json", "README.md"):
        assert EMAIL not in (out / name).read_text(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["inputs"] == [str(tmp_path / "[EMAIL].jsonl")]
    assert EMAIL not in _written(out) and TOKEN not in _written(out)


def test_a_failed_input_is_named_redacted_in_the_summary(tmp_path):
    import gzip

    data = gzip.compress(_chats(tmp_path).read_bytes() * 50)
    src = tmp_path / f"{EMAIL}.jsonl.gz"
    src.write_bytes(data[: len(data) // 2])  # a truncated gzip
    _run(tmp_path, None, src, input_format="openai_messages")
    out = tmp_path / "out"
    for name in ("summary.json", "manifest.json", "quarantine.jsonl"):
        assert EMAIL not in (out / name).read_text(), name
    loss = json.loads((out / "summary.json").read_text())["loss"]
    assert list(loss["inputs_failed"]) == [str(tmp_path / "[EMAIL].jsonl.gz")]


def test_the_api_fails_closed_too():
    # MemoryEnricher counts no faults: the redactor's error stops it, naming the plugin
    import pytest

    from loomcore import MemoryEnricher, PluginError

    enricher = MemoryEnricher(Registry(get_plugin_manager(plugins=[Raises()])))
    memory = {"id": "m1", "text": "User: a bandit?\n\nSystem: A bandit is a slot machine."}
    with pytest.raises(PluginError, match="plugin 'Raises' failed in redact: ValueError"):
        enricher.enrich(memory)
