"""Shared fixtures: a fresh registry per test, and helpers to mine one exchange."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from loomcore import Registry, get_plugin_manager
from loomcore.api import MemoryEnricher, PatternExtractor
from loomcore.registry import set_default_registry

ROOT = Path(__file__).resolve().parents[1]

# The built-in plugins, as the tests expect to find them.
PATTERN_TYPES = [
    "causal",
    "comparison",
    "decision",
    "definition",
    "procedure",
    "qa_pair",
    "reasoning_chain",
]
FORMATS = ["alpaca", "chatml", "raw", "sharegpt", "text"]
READERS = [
    "alpaca",
    "chatgpt_export",
    "claude_export",
    "conversation_log",
    "openai_messages",
    "raw_memory",
    "sharegpt",
    "transcript",
]
EXAMPLE_PLUGIN = ROOT / "examples" / "loomcore-code-snippets"


@pytest.fixture(autouse=True)
def _isolated_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts without a cached default registry and without plugin env vars."""
    monkeypatch.delenv("LOOMCORE_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("LOOMCORE_DISABLE_PLUGINS", raising=False)
    set_default_registry(None)
    yield
    set_default_registry(None)


@pytest.fixture
def registry() -> Registry:
    return Registry(get_plugin_manager())


def raw_memory(user: str, reply: str, importance: float = 0.8, id: str = "m1") -> dict:
    return {
        "id": id,
        "text": f"User: {user}\n\nSystem: {reply}",
        "timestamp": "2025-10-01T10:00:00",
        "importance": importance,
        "metadata": {"user_input": user, "system_output": reply},
    }


def mine_exchange(
    user: str, reply: str, pattern_type: str | None = None, registry: Registry | None = None
) -> list:
    """The contents of the patterns mined from one exchange (of one type if given)."""
    enriched = MemoryEnricher(registry).enrich(raw_memory(user, reply))
    patterns = PatternExtractor(min_confidence=0.0, registry=registry).extract_patterns([enriched])
    return [p.content for p in patterns if pattern_type is None or p.pattern_type == pattern_type]


@pytest.fixture
def code_snippets_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put the example plugin's source and a dist-info (with its entry point) on sys.path,
    as an install would, without touching the environment."""
    site = tmp_path / "site"
    dist = site / "loomcore_code_snippets-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: loomcore-code-snippets\nVersion: 0.1.0\n"
    )
    (dist / "entry_points.txt").write_text("[loomcore]\ncode_snippets = loomcore_code_snippets\n")
    monkeypatch.syspath_prepend(str(EXAMPLE_PLUGIN))
    monkeypatch.syspath_prepend(str(site))
    yield site
    sys.modules.pop("loomcore_code_snippets", None)
