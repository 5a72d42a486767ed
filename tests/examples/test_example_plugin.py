"""The third-party example plugin works through its entry point only."""

import json
import os
import subprocess
import sys

import attrs
import pytest

from loomcore import Registry, get_plugin_manager
from loomcore.api import DataSynthesizer, MemoryEnricher, PatternExtractor
from loomcore.model import SynthesisConfig

from ..conftest import EXAMPLE_PLUGIN, raw_memory

REPLY = "Use `isinstance()`:\n\n```python\nvalue = 3.14\nprint(isinstance(value, float))\n```\n\nIt prints True."


def test_code_snippet_examples_from_the_entry_point(code_snippets_plugin):
    registry = Registry(get_plugin_manager())
    assert "code_snippet" in registry.pattern_types
    info = {r["name"]: r for r in registry.plugin_info()}
    assert info["code_snippets"]["distribution"] == "loomcore-code-snippets"
    enriched = MemoryEnricher(registry).enrich(
        raw_memory("How can I check for a float in Python?", REPLY)
    )
    patterns = PatternExtractor(0.0, registry).extract_patterns([enriched])
    snippet = next(p for p in patterns if p.pattern_type == "code_snippet")
    assert snippet.content == {
        "request": "How can I check for a float in Python?",
        "language": "python",
        "code": "value = 3.14\nprint(isinstance(value, float))",
        "explanation": "Use `isinstance()`:",
    }
    # the reply's one code block answers the request: the example is the whole exchange
    assert snippet.asked is True
    [example] = DataSynthesizer(SynthesisConfig(min_confidence=0.0), registry).synthesize([snippet])
    assert (example.instruction, example.output) == (snippet.content["request"], REPLY)
    # one block of several is an excerpt, written only with derived_examples
    excerpt = attrs.evolve(snippet, asked=False)
    config = SynthesisConfig(min_confidence=0.0, derived_examples=True)
    [example] = DataSynthesizer(config, registry).synthesize([excerpt])
    assert (
        example.output
        == "Use `isinstance()`:\n\n```python\nvalue = 3.14\nprint(isinstance(value, float))\n```"
    )
    assert (
        DataSynthesizer(SynthesisConfig(min_confidence=0.0), registry).synthesize([excerpt]) == []
    )


@pytest.mark.slow
def test_loomcore_run_emits_code_snippets_without_changing_loomcore(code_snippets_plugin, tmp_path):
    data = tmp_path / "chats.jsonl"
    data.write_text(json.dumps(raw_memory("How can I check for a float in Python?", REPLY)) + "\n")
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(code_snippets_plugin), str(EXAMPLE_PLUGIN)])
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "loomcore.cli",
            "run",
            str(data),
            "-o",
            str(tmp_path / "out"),
            "-f",
            "raw",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "code_snippet" in out.stdout
    types = [
        json.loads(x)["metadata"]["pattern_type"]
        for x in (tmp_path / "out" / "raw.jsonl").read_text().splitlines()
    ]
    assert types.count("code_snippet") == 1
    # and without the plugin on the path there is none
    subprocess.run(
        [
            sys.executable,
            "-m",
            "loomcore.cli",
            "run",
            str(data),
            "-o",
            str(tmp_path / "bare"),
            "-f",
            "raw",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "code_snippet" not in (tmp_path / "bare" / "raw.jsonl").read_text()


def test_the_plugin_is_a_marker_miner_on_the_toolkit(code_snippets_plugin):
    from loomcore_code_snippets import CodeSnippets

    from loomcore.text.mining import markers_in

    registry = Registry(get_plugin_manager())
    enricher = MemoryEnricher(registry)
    extractor = PatternExtractor(0.0, registry)
    assert CodeSnippets.markers == ("```", "~~~")
    # a reply without a fence is not mined: the shared scan says so first
    plain = "Use isinstance(value, float); it returns True for floats."
    assert "code_snippets" not in markers_in(plain)
    patterns = extractor.extract_patterns(
        [enricher.enrich(raw_memory("How can I check for a float in Python?", plain))]
    )
    assert [p for p in patterns if p.pattern_type == "code_snippet"] == []
    # an intro of function words only ("Here it is:") introduces nothing
    reply = "Here it is:\n\n~~~python\nx = 1.5\nprint(type(x))\n~~~\n\nDone."
    patterns = extractor.extract_patterns(
        [enricher.enrich(raw_memory("Show me a float in Python.", reply))]
    )
    [snippet] = [p for p in patterns if p.pattern_type == "code_snippet"]
    assert snippet.content == {
        "request": "Show me a float in Python.",
        "language": "python",
        "code": "x = 1.5\nprint(type(x))",
        "explanation": "",
    }
