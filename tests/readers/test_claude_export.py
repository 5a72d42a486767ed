"""Claude.ai exports as the product writes them: one test per quirk of the
real files (order, branches, attachments, artifacts, placeholders, nulls,
thinking, the wrapper), each fixture written from what a real export shows."""

from __future__ import annotations

import json

from .helpers import pairs, read_path

PLACEHOLDER = (
    " \n```\nViewing artifacts created via the Analysis Tool web feature preview isn’t yet "
    "supported on mobile.\n```\n"
)


def msg(uuid, sender, at, *blocks, text=None, parent=None, attachments=(), files=()):
    """One chat message; ``blocks`` are content blocks or plain strings (text blocks)."""
    content = [
        {"type": "text", "text": b, "citations": []} if isinstance(b, str) else b for b in blocks
    ]
    out = {
        "uuid": uuid,
        "text": text if text is not None else "".join(b for b in blocks if isinstance(b, str)),
        "content": content,
        "sender": sender,
        "created_at": at,
        "updated_at": at,
        "attachments": list(attachments),
        "files": list(files),
    }
    if parent is not None:
        out["parent_message_uuid"] = parent
    return out


def conv(*messages, uuid="c-1", name="Chat"):
    return {
        "uuid": uuid,
        "name": name,
        "created_at": "2025-02-24T23:10:00Z",
        "updated_at": "2025-02-24T23:20:00Z",
        "account": {"uuid": "acc"},
        "chat_messages": list(messages),
    }


def read(registry, tmp_path, data):
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps(data))
    return read_path(registry, path)


def test_messages_are_put_in_time_order(registry, tmp_path):
    # as in a real export: an answer listed before the question it answers
    data = [
        conv(
            msg("q1", "human", "2025-02-24T23:10:23Z", "Summarise the article."),
            msg("a2", "assistant", "2025-02-24T23:11:17Z", "Here is the popup."),
            msg("a1", "assistant", "2025-02-24T23:10:47Z", "Here is the summary."),
            msg("q2", "human", "2025-02-24T23:11:12Z", "Put it in a popup."),
        )
    ]
    name, [c] = read(registry, tmp_path, data)
    assert name == "claude_export"
    assert pairs(c) == [
        ("user", "Summarise the article."),
        ("assistant", "Here is the summary."),
        ("user", "Put it in a popup."),
        ("assistant", "Here is the popup."),
    ]


def test_parent_links_follow_the_kept_branch(registry, tmp_path):
    root = "00000000-0000-4000-8000-000000000000"
    data = [
        conv(
            msg("q1", "human", "2025-01-01T10:00:00Z", "Name a colour.", parent=root),
            msg("a1", "assistant", "2025-01-01T10:00:05Z", "Red.", parent="q1"),
            # the question edited: a second branch from the root, kept (latest)
            msg("q1b", "human", "2025-01-01T10:01:00Z", "Name a blue colour.", parent=root),
            msg("a1b", "assistant", "2025-01-01T10:01:05Z", "Navy.", parent="q1b"),
            msg("q2", "human", "2025-01-01T10:02:00Z", "Another?", parent="a1b"),
            msg("a2", "assistant", "2025-01-01T10:02:05Z", "Teal.", parent="q2"),
        )
    ]
    _, [c] = read(registry, tmp_path, data)
    assert pairs(c) == [
        ("user", "Name a blue colour."),
        ("assistant", "Navy."),
        ("user", "Another?"),
        ("assistant", "Teal."),
    ]


def test_attachment_text_is_part_of_the_question_labelled_by_file_name(registry, tmp_path):
    pdf = {
        "file_name": "PDF document.pdf",
        "file_size": 20698,
        "file_type": "pdf",
        "extracted_content": "Title: The court ruling\nThe court criticised...",
    }
    data = [
        conv(
            msg("q", "human", "2025-02-24T23:10:23Z", "Summarise it.", attachments=[pdf]),
            msg("a", "assistant", "2025-02-24T23:10:47Z", "The court criticised lawyers."),
            # a question that is only a pasted file
            msg(
                "q2",
                "human",
                "2025-02-24T23:11:00Z",
                "",
                attachments=[{"file_name": "notes.txt", "extracted_content": "buy milk"}],
            ),
            msg("a2", "assistant", "2025-02-24T23:11:30Z", "A shopping note."),
        )
    ]
    _, [c] = read(registry, tmp_path, data)
    assert pairs(c) == [
        (
            "user",
            '<document name="PDF document.pdf">\nTitle: The court ruling\nThe court criticised...'
            "\n</document>\n\nSummarise it.",
        ),
        ("assistant", "The court criticised lawyers."),
        ("user", '<document name="notes.txt">\nbuy milk\n</document>'),
        ("assistant", "A shopping note."),
    ]


ARTIFACT = {
    "type": "tool_use",
    "name": "artifacts",
    "input": {
        "id": "article-summary",
        "type": "text/markdown",
        "title": "Summary",
        "command": "create",
        "content": "# Summary\n\n* point one",
    },
}
REACT = {
    "type": "tool_use",
    "name": "artifacts",
    "input": {
        "id": "popup",
        "type": "application/vnd.ant.react",
        "command": "create",
        "content": "const Popup = () => <div/>;",
    },
}
RESULT = {"type": "tool_result", "name": "artifacts", "content": [{"type": "text", "text": "OK"}]}


def test_artifacts_are_kept_and_placeholders_never_used(registry, tmp_path):
    data = [
        conv(
            msg("q1", "human", "2025-02-24T23:10:23Z", "Summarise."),
            msg(
                "a1",
                "assistant",
                "2025-02-24T23:10:47Z",
                " I'll create a summary.",
                ARTIFACT,
                RESULT,
                "\n\nI've created a summary.",
                text=" I'll create a summary." + PLACEHOLDER + "\n\nI've created a summary.",
            ),
            msg("q2", "human", "2025-02-24T23:11:12Z", "As a popup."),
            # whitespace-only text blocks around the artifact, a placeholder in text
            msg("a2", "assistant", "2025-02-24T23:11:17Z", " ", REACT, "", text=PLACEHOLDER),
        )
    ]
    _, [c] = read(registry, tmp_path, data)
    assert pairs(c) == [
        ("user", "Summarise."),
        (
            "assistant",
            "I'll create a summary.\n\n# Summary\n\n* point one\n\nI've created a summary.",
        ),
        ("user", "As a popup."),
        ("assistant", "```jsx\nconst Popup = () => <div/>;\n```"),
    ]
    assert "Viewing artifacts" not in json.dumps(pairs(c))


def test_an_old_export_with_only_the_text_field_drops_the_placeholder(registry, tmp_path):
    old = msg("a", "assistant", "2024-01-01T00:00:05Z", text="Done." + PLACEHOLDER)
    old["content"] = []
    data = [conv(msg("q", "human", "2024-01-01T00:00:00Z", "Go."), old)]
    _, [c] = read(registry, tmp_path, data)
    assert pairs(c) == [("user", "Go."), ("assistant", "Done.")]


def test_thinking_blocks_are_never_in_answers(registry, tmp_path):
    thinking = {"type": "thinking", "thinking": "The user is asking about dog saliva."}
    data = [
        conv(
            msg("q", "human", "2025-07-06T03:10:13Z", "Is dog saliva antibacterial?"),
            msg(
                "a",
                "assistant",
                "2025-07-06T03:10:24Z",
                thinking,
                "Somewhat: it holds lysozyme.",
                # the text field runs thinking and text together
                text="The user is asking about dog saliva.Somewhat: it holds lysozyme.",
            ),
        )
    ]
    _, [c] = read(registry, tmp_path, data)
    assert pairs(c) == [
        ("user", "Is dog saliva antibacterial?"),
        ("assistant", "Somewhat: it holds lysozyme."),
    ]


def test_a_null_message_is_skipped_and_the_conversation_read(registry, tmp_path):
    data = [
        conv(
            None,
            msg("q", "human", "2026-01-17T14:23:33Z", "Will lean legs skew the scale?"),
            msg("a", "assistant", "2026-01-17T14:23:51Z", "Yes.", files=[{"file_name": "n.txt"}]),
        )
    ]
    _, [c] = read(registry, tmp_path, data)
    assert pairs(c) == [("user", "Will lean legs skew the scale?"), ("assistant", "Yes.")]
    assert c.metadata["null_messages_skipped"] == 1


def test_the_conversations_wrapper_and_an_empty_conversation(registry, tmp_path):
    data = {
        "conversations": [
            {
                **conv(
                    msg("q", "human", "2025-01-01T00:00:00Z", "Hi?"),
                    msg("a", "assistant", "2025-01-01T00:00:01Z", "Hello."),
                ),
                "processed": True,
            },
            conv(
                msg("e1", "human", "2023-12-17T20:11:41Z", ""),
                msg("e2", "assistant", "2023-12-17T20:11:41Z", ""),
                uuid="c-2",
            ),
        ],
        "exported_by": "a tool",
    }
    name, (c, empty) = read(registry, tmp_path, data)
    assert name == "claude_export"
    assert pairs(c) == [("user", "Hi?"), ("assistant", "Hello.")]
    # opened and left empty: read, with no turns (no bad record)
    assert (empty.id, empty.turns, empty.source.index) == ("c-2", (), 1)
    assert empty.metadata == {"title": "Chat", "empty": True}


def test_an_undated_message_stays_after_the_one_before_it(registry, tmp_path):
    answer = msg("a", "assistant", "", "A stable sort keeps equal items in order.")
    del answer["created_at"]
    data = [conv(msg("q", "human", "2024-05-01T10:00:00Z", "What is a stable sort?"), answer)]
    _, [c] = read(registry, tmp_path, data)
    assert [t.role for t in c.turns] == ["user", "assistant"]


def test_a_wrapper_with_keys_before_its_list(registry, tmp_path):
    data = {
        "exported_by": "a tool",
        "conversations": [
            conv(
                msg("q", "human", "2025-01-01T00:00:00Z", "Hi?"),
                msg("a", "assistant", "2025-01-01T00:00:01Z", "Hello."),
            ),
            conv(msg("q2", "human", "2025-01-01T00:00:00Z", "Bye?"), uuid="c-2"),
        ],
    }
    name, (c, empty) = read(registry, tmp_path, data)
    assert name == "claude_export"
    assert pairs(c) == [("user", "Hi?"), ("assistant", "Hello.")]
    assert (empty.turns, empty.source.index, empty.metadata["empty"]) == ((), 1, True)
