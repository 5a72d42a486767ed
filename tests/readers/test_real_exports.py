"""Every file of ``corpora/real_exports`` (files the products wrote, and
other tools' fixtures), read with auto-detection: the counts measured on
them, pinned.  Skipped where the shared corpora are not there (a clone has
its own small fixtures in the other reader tests)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from loomcore.model import Rejected
from loomcore.stages.exchanges import exchanges

from .helpers import read_path

REAL = Path("/work/shared/corpora/real_exports")
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="no shared real_exports corpus here")

TOOL_RESULT = "answer depends on a tool result that is not kept"
NO_ANSWER = "question with no visible answer (the reply was a tool call, an image or empty)"
IMAGE = "question refers to an image that is not carried"
NO_QUESTION = "answer with no question before it (a greeting, or a cut conversation)"

# file: (reader, conversations, of them empty, exchanges, exchanges dropped by reason);
# no file has a bad record
EXPECTED = {
    "axolotl_conversation.json": ("sharegpt", 1, 0, 6, {}),
    "axolotl_conversation.missingturns.json": ("sharegpt", 1, 0, 5, {NO_ANSWER: 1}),
    "chatgpt_chatgpt2graph_code_interpreter.json": ("chatgpt_export", 1, 1, 0, {TOOL_RESULT: 8}),
    "chatgpt_exportstudio_sample_export.zip": ("zip", 2, 0, 3, {}),
    # trimmed to its last answer: no question, the answer counted as left out
    "chatgpt_librechat_chatgpt-citations.json": ("chatgpt_export", 1, 1, 0, {NO_QUESTION: 1}),
    "chatgpt_librechat_chatgpt-export.json": ("chatgpt_export", 2, 0, 5, {}),
    "chatgpt_librechat_chatgpt-modern-export.json": ("chatgpt_export", 3, 1, 3, {}),
    "chatgpt_librechat_chatgpt-tree.json": ("chatgpt_export", 1, 0, 3, {}),
    "chatgpt_pionxzh_image-generation.json": ("chatgpt_export", 1, 1, 0, {NO_ANSWER: 4}),
    "chatgpt_pionxzh_thinking-summaries.json": ("chatgpt_export", 1, 0, 2, {}),
    "claude_now2ai_conversations.json": ("claude_export", 2, 1, 6, {}),
    "claude_now2ai_unwrapped.json": ("claude_export", 2, 1, 6, {}),
    "claude_openarchive_null_message.json": ("claude_export", 1, 0, 1, {}),
    "claude_yaleman_anthropic-data.json": ("claude_export", 1, 0, 1, {}),
    "lf_mllm_demo.json": ("openai_messages", 6, 2, 4, {IMAGE: 8}),
    "lf_reason_tool_use_demo_50.jsonl": (
        "openai_messages",
        50,
        31,
        19,
        {TOOL_RESULT: 40, NO_ANSWER: 11},
    ),
    "lf_v1_sft_demo.jsonl": ("openai_messages", 500, 0, 500, {}),
}
# what must never be in a turn: tool calls, citation marks, placeholders
LEAKS = re.compile(
    r'search\("|mclick\(|【[^】]*†[^】]*】|[\ue200-\ue206]|Viewing artifacts created via|'
    r"<<ImageDisplayed>>|\"name\": \"get_"
)


def test_every_real_file_is_pinned():
    on_disk = {p.name for p in REAL.iterdir() if p.name != "README.md"}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_file_read_with_auto_detection(registry, name):
    reader, n_convs, n_empty, n_exchanges, dropped = EXPECTED[name]
    got_reader, items = read_path(registry, REAL / name)
    assert got_reader == reader
    assert [r.reason for r in items if isinstance(r, Rejected)] == []
    convs = [c for c in items if not isinstance(c, Rejected)]
    assert len(convs) == n_convs
    assert sum(not c.turns for c in convs) == n_empty
    assert sum(len(list(exchanges(c))) for c in convs) == n_exchanges
    got_dropped: Counter[str] = Counter()
    for c in convs:
        got_dropped.update(c.metadata.get("dropped_exchanges", {}))
    assert got_dropped == dropped
    for c in convs:
        for turn in c.turns:
            assert turn.content.strip() and not LEAKS.search(turn.content), (c.id, turn.content)
        # every question is answered by the reply right after it
        roles = [t.role for t in c.turns if t.role != "system"]
        assert roles == ["user", "assistant"] * (len(roles) // 2)


def test_chatgpt_browsing_answers_are_their_own_questions(registry):
    _, [first, _] = read_path(registry, REAL / "chatgpt_librechat_chatgpt-export.json")
    questions = [t.content for t in first.turns if t.role == "user"]
    answers = [t.content for t in first.turns if t.role == "assistant"]
    assert questions == [
        "What is the fuel consumption of vw  transporter with 8 people in l/km",
        "What about 10 year old model",
        "Is it for fully loaded    car?",
    ]
    assert answers[1].endswith("due to the additional weight.")
    assert answers[2].startswith("The fuel consumption figures for the 2014 Volkswagen")


def test_claude_answers_go_under_their_own_questions(registry):
    _, [conv, empty] = read_path(registry, REAL / "claude_now2ai_unwrapped.json")
    assert empty.turns == () and empty.metadata["empty"]
    turns = [(t.role, t.id) for t in conv.turns]
    # by created_at, not list order: the popup answer (cf9950f5) follows its question
    assert [i[:8] for _, i in turns] == [
        "60855f92", "217763b8", "7c110ab0", "cf9950f5", "0a182f9b", "884cf00e",
        "acfdcd76", "b17e5915", "60ce016f", "24d04b24", "b2cd068c", "3ff96041",
    ]  # fmt: skip
    assert conv.turns[0].content.startswith('<document name="PDF document.pdf">\nTitle:')
    assert conv.turns[3].content.startswith("```jsx\nimport React, { useState } from 'react';")


def test_the_wrapped_and_unwrapped_claude_files_read_the_same(registry):
    _, wrapped = read_path(registry, REAL / "claude_now2ai_conversations.json")
    _, plain = read_path(registry, REAL / "claude_now2ai_unwrapped.json")
    assert [c.turns for c in wrapped] == [c.turns for c in plain]


def test_the_zip_reads_its_conversations_file(registry):
    _, convs = read_path(registry, REAL / "chatgpt_exportstudio_sample_export.zip")
    assert [c.source.path.rsplit("/", 1)[-1] for c in convs] == ["conversations.json"] * 2
    assert [c.id for c in convs] == ["conv-001", "conv-002"]
    assert json.dumps([t.content for t in convs[0].turns]).count("Python") >= 2
