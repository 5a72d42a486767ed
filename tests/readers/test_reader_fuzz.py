"""Untrusted records: whatever shape a record has, a reader gives a
conversation, nothing, or a FieldError naming the field (which costs that
record only) — never another exception that would stop the run."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from loomcore_plugins.readers import chatgpt_export, claude_export, openai_messages, sharegpt

from loomcore.model import Conversation, Source
from loomcore.records import FieldError

KEYS = st.sampled_from(
    [
        "mapping", "current_node", "message", "parent", "children", "author", "role", "name",
        "content", "content_type", "parts", "text", "metadata", "recipient", "finish_details",
        "type", "is_visually_hidden_from_conversation", "is_user_system_message", "create_time",
        "chat_messages", "sender", "created_at", "uuid", "parent_message_uuid", "attachments",
        "extracted_content", "file_name", "input", "messages", "tool_calls", "value",
        "conversations", "from", "system", "id", "language", "user_profile", "updates",
    ]
)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["user", "assistant", "human", "tool", "system", "all", "text", "code",
                       "multimodal_text", "thoughts", "max_tokens", "artifacts", "tool_use",
                       "canmore.create_textdoc", "python", "a", "n1", "<image>"])
)  # fmt: skip
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS | st.text(max_size=3), inner, max_size=5),
    max_leaves=30,
)  # fmt: skip


@pytest.mark.parametrize("reader", [chatgpt_export, claude_export, openai_messages, sharegpt])
@settings(max_examples=150, deadline=None)
@given(value=VALUES)
def test_any_record_gives_a_conversation_nothing_or_a_field_error(reader, value):
    try:
        out = reader.convert(value, Source("f.json", 0, reader.NAME))
    except FieldError:
        return
    assert out is None or isinstance(out, Conversation)


def anything(*fixed):
    return st.sampled_from(fixed) | VALUES


chatgpt_message = st.fixed_dictionaries(
    {
        "id": anything("m"),
        "author": st.fixed_dictionaries({"role": anything("user", "assistant", "tool")}) | VALUES,
        "content": st.fixed_dictionaries(
            {"content_type": anything("text", "code", "multimodal_text"), "parts": VALUES}
        )
        | VALUES,
        "metadata": st.fixed_dictionaries({"finish_details": VALUES}) | VALUES,
        "recipient": anything("all", "python", "canmore.update_textdoc"),
    }
)
chatgpt_record = st.fixed_dictionaries(
    {
        "mapping": st.dictionaries(
            st.sampled_from(["a", "b", "c"]),
            st.fixed_dictionaries(
                {
                    "message": chatgpt_message | VALUES,
                    "parent": anything("a", "b", "c"),
                    "children": VALUES,
                }
            ),
            max_size=3,
        ),
        "current_node": anything("a", "b", "c"),
    }
)
claude_message = st.fixed_dictionaries(
    {
        "sender": anything("human", "assistant"),
        "uuid": anything("a", "b"),
        "parent_message_uuid": anything("a", "b"),
        "created_at": anything("2025-01-01", "2024-01-01"),
        "content": st.lists(
            st.fixed_dictionaries(
                {"type": anything("text", "tool_use", "thinking"), "text": VALUES, "input": VALUES}
            )
            | VALUES,
            max_size=3,
        )
        | VALUES,
        "attachments": st.lists(
            st.fixed_dictionaries({"file_name": VALUES, "extracted_content": VALUES}) | VALUES,
            max_size=2,
        )
        | VALUES,
        "text": VALUES,
    }
)
claude_record = st.fixed_dictionaries(
    {"chat_messages": st.lists(claude_message | st.none() | VALUES, max_size=4)}
)
openai_record = st.fixed_dictionaries(
    {
        "messages": st.lists(
            st.fixed_dictionaries(
                {
                    "role": anything("user", "assistant", "tool", "system"),
                    "content": VALUES
                    | st.lists(
                        st.fixed_dictionaries(
                            {"type": anything("text", "reasoning", "tool_call"), "value": VALUES}
                        ),
                        max_size=3,
                    ),
                    "tool_calls": VALUES,
                }
            ),
            max_size=5,
        )
    }
)


@pytest.mark.parametrize(
    ("reader", "records"),
    [
        (chatgpt_export, chatgpt_record),
        (claude_export, claude_record),
        (openai_messages, openai_record),
    ],
)
@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_records_of_the_right_shape_with_wrong_fields(reader, records, data):
    value = data.draw(records)
    try:
        out = reader.convert(value, Source("f.json", 0, reader.NAME))
    except FieldError:
        return
    assert out is None or isinstance(out, Conversation)
