"""ChatGPT exports as the product writes them: one test per quirk of the real
files (key order, tool traffic, citations, continuations, hidden context),
each fixture written from what a real export shows."""

from __future__ import annotations

import json

import pytest

from loomcore.inputs import open_with_reader

from .helpers import pairs, read_path

TOOL_RESULT = "answer depends on a tool result that is not kept"
NO_ANSWER = "question with no visible answer (the reply was a tool call, an image or empty)"
IMAGE_QUESTION = "question refers to an image that is not carried"


def message(mid, role, content, *, recipient="all", name=None, hidden=False, channel=None, **meta):
    """One message of a mapping; ``content`` a string (text), or a content dict."""
    if isinstance(content, str):
        content = {"content_type": "text", "parts": [content]}
    metadata = dict(meta)
    if hidden:
        metadata["is_visually_hidden_from_conversation"] = True
    return {
        "id": mid,
        "author": {"role": role, "name": name, "metadata": {}},
        "create_time": 1700000000.0,
        "content": content,
        "metadata": metadata,
        "recipient": recipient,
        "channel": channel,
    }


def conversation(messages, *, current=None, cid="conv-1", title="Title", first="title"):
    """A conversation in the product's key order (``current_node`` after the
    whole ``mapping``), its messages one chain under a null root."""
    mapping = {"root": {"id": "root", "message": None, "parent": None, "children": []}}
    parent = "root"
    for msg in messages:
        mapping[msg["id"]] = {"id": msg["id"], "message": msg, "parent": parent, "children": []}
        mapping[parent]["children"].append(msg["id"])
        parent = msg["id"]
    record = {"title": title, "create_time": 1700000000.0, "update_time": 1700000999.0}
    record["mapping"] = mapping
    record["moderation_results"] = []
    record["current_node"] = current or parent
    record["conversation_id"] = cid
    record["id"] = cid
    return record


def read(registry, tmp_path, records, name="conversations.json"):
    path = tmp_path / name
    path.write_text(json.dumps(records))
    return read_path(registry, path)


def test_detected_when_current_node_comes_after_a_long_mapping(registry, tmp_path):
    # a real export: the first conversation is 148 KB and current_node follows it
    long_answer = "A long answer. " * 12_000
    record = conversation(
        [message("m1", "user", "Tell me everything."), message("m2", "assistant", long_answer)]
    )
    text = json.dumps([record])
    assert text.index('"current_node"') > 150_000
    name, [conv] = read(registry, tmp_path, [record])
    assert name == "chatgpt_export"
    assert pairs(conv) == [("user", "Tell me everything."), ("assistant", long_answer.strip())]


def test_browsing_tool_traffic_and_citation_marks_are_left_out(registry, tmp_path):
    record = conversation(
        [
            message("m0", "system", "", hidden=True),
            message("m1", "user", "What is the fuel consumption of a VW Transporter?"),
            message(
                "m2",
                "assistant",
                {"content_type": "code", "language": "unknown", "text": 'search("VW fuel")'},
                recipient="browser",
            ),
            message(
                "m3",
                "tool",
                {"content_type": "tether_browsing_display", "result": "# 【0†Fuelly†fuelly.com】"},
                name="browser",
            ),
            message(
                "m4",
                "assistant",
                {"content_type": "code", "language": "unknown", "text": "mclick([0, 3, 7])"},
                recipient="browser",
            ),
            message(
                "m5",
                "tool",
                {"content_type": "tether_quote", "text": "8.2 L/100km"},
                name="browser",
            ),
            message(
                "m6",
                "assistant",
                "The combined figure is 8.2 L/100km【13†source】. Loaded, it is higher 【6:0†source】.",
            ),
        ]
    )
    _, [conv] = read(registry, tmp_path, [record])
    assert pairs(conv) == [
        ("user", "What is the fuel consumption of a VW Transporter?"),
        ("assistant", "The combined figure is 8.2 L/100km. Loaded, it is higher."),
    ]
    assert "dropped_exchanges" not in conv.metadata


def test_private_use_citation_markers_are_removed(registry, tmp_path):
    answer = "Use Python 3.12\ue200cite\ue202turn0search1\ue201 for this \ue203project\ue204."
    record = conversation(
        [message("m1", "user", "Which Python?"), message("m2", "assistant", answer)]
    )
    _, [conv] = read(registry, tmp_path, [record])
    assert conv.turns[1].content == "Use Python 3.12 for this project."


def test_code_interpreter_answer_to_an_unseen_output_is_dropped(registry, tmp_path):
    record = conversation(
        [
            message("m1", "user", "What is the average distance between x, y in U(0,1)?"),
            message("m2", "assistant", "Let me compute that."),
            message(
                "m3",
                "assistant",
                {"content_type": "code", "language": "unknown", "text": "integrate(...)"},
                recipient="python",
            ),
            message("m4", "tool", {"content_type": "execution_output", "text": "0"}, name="python"),
            message("m5", "assistant", "My apologies; there was an error. Let me correct that."),
            message("m6", "user", "Thanks. And what is 2 + 2?"),
            message("m7", "assistant", "4."),
        ]
    )
    _, [conv] = read(registry, tmp_path, [record])
    assert pairs(conv) == [("user", "Thanks. And what is 2 + 2?"), ("assistant", "4.")]
    assert conv.metadata["dropped_exchanges"] == {TOOL_RESULT: 1}


def test_an_image_only_reply_does_not_merge_its_question_into_the_next(registry, tmp_path):
    image = {"content_type": "image_asset_pointer", "asset_pointer": "sediment://file_2"}
    record = conversation(
        [
            message("m1", "user", "Draw a cat."),
            message(
                "m2",
                "assistant",
                {"content_type": "code", "text": '{"prompt": "a cat"}'},
                recipient="dalle.text2im",
            ),
            message(
                "m3", "tool", {"content_type": "multimodal_text", "parts": [image]}, name="dalle"
            ),
            message("m4", "assistant", {"content_type": "reasoning_recap", "content": "Thought"}),
            message("m5", "user", "What is a cat's top speed?"),
            message("m6", "assistant", "About 48 km/h."),
        ]
    )
    _, [conv] = read(registry, tmp_path, [record])
    assert pairs(conv) == [("user", "What is a cat's top speed?"), ("assistant", "About 48 km/h.")]
    assert conv.metadata["dropped_exchanges"] == {NO_ANSWER: 1}


def test_thoughts_reasoning_recap_web_run_and_hidden_messages_are_not_answers(registry, tmp_path):
    thoughts = {"content_type": "thoughts", "thoughts": [{"summary": "s", "content": "thought 1"}]}
    record = conversation(
        [
            message("m1", "user", {"content_type": "multimodal_text", "parts": ["question 1"]}),
            message("m2", "assistant", "", recipient="web.run"),
            message("m3", "tool", "", name="web.run"),
            message("m4", "assistant", thoughts),
            message("m5", "assistant", {"content_type": "reasoning_recap", "content": "29s"}),
            message("m6", "assistant", "hidden commentary", hidden=True),
            message("m7", "assistant", "answer 1", channel="final"),
        ]
    )
    _, [conv] = read(registry, tmp_path, [record])
    assert pairs(conv) == [("user", "question 1"), ("assistant", "answer 1")]


def test_a_max_tokens_continuation_is_joined_with_no_separator(registry, tmp_path):
    record = conversation(
        [
            message("m1", "user", "Write the function."),
            message(
                "m2",
                "assistant",
                "```python\ndef compute_tot",
                finish_details={"type": "max_tokens"},
            ),
            message("m3", "assistant", "al(xs):\n    return sum(xs)\n```"),
        ]
    )
    _, [conv] = read(registry, tmp_path, [record])
    assert conv.turns[1].content == "```python\ndef compute_total(xs):\n    return sum(xs)\n```"
    assert conv.turns[1].id == "m2"


def test_an_ordinary_second_part_is_a_new_paragraph(registry, tmp_path):
    record = conversation(
        [
            message("m1", "user", "Explain."),
            message("m2", "assistant", "First part.", finish_details={"type": "stop"}),
            message("m3", "assistant", "Second part."),
        ]
    )
    _, [conv] = read(registry, tmp_path, [record])
    assert conv.turns[1].content == "First part.\n\nSecond part."


def test_voice_messages_are_read_from_their_transcriptions(registry, tmp_path):
    audio = {"content_type": "audio_asset_pointer", "asset_pointer": "sediment://a"}
    said = {"content_type": "audio_transcription", "text": "How far is the moon?"}
    heard = {"content_type": "audio_transcription", "text": "About 384,000 km."}
    record = conversation(
        [
            message("m1", "user", {"content_type": "multimodal_text", "parts": [said, audio]}),
            message(
                "m2", "assistant", {"content_type": "multimodal_text", "parts": [heard, audio]}
            ),
        ]
    )
    _, [conv] = read(registry, tmp_path, [record])
    assert pairs(conv) == [("user", "How far is the moon?"), ("assistant", "About 384,000 km.")]
    assert "non_text_parts_skipped" not in conv.metadata


def test_a_question_about_an_uploaded_image_is_dropped(registry, tmp_path):
    image = {"content_type": "image_asset_pointer", "asset_pointer": "sediment://file_1"}
    record = conversation(
        [
            message("m1", "user", {"content_type": "multimodal_text", "parts": [image, "Who?"]}),
            message("m2", "assistant", "They are Kane and Gretzka."),
            message("m3", "user", "Name a striker."),
            message("m4", "assistant", "Harry Kane."),
        ]
    )
    _, [conv] = read(registry, tmp_path, [record])
    assert pairs(conv) == [("user", "Name a striker."), ("assistant", "Harry Kane.")]
    assert conv.metadata["dropped_exchanges"] == {IMAGE_QUESTION: 1}


CUSTOM = [
    message(
        "m0",
        "user",
        {
            "content_type": "user_editable_context",
            "user_profile": "The user is an SRE.",
            "user_instructions": "Answer concisely.",
        },
        hidden=True,
        is_user_system_message=True,
    ),
    message("m1", "user", "How do I roll back the deploy?"),
    message("m2", "assistant", "Run `helm rollback staging`.", channel="final"),
]


def test_custom_instructions_are_left_out_by_default(registry, tmp_path):
    _, [conv] = read(registry, tmp_path, [conversation(CUSTOM)])
    assert pairs(conv) == [
        ("user", "How do I roll back the deploy?"),
        ("assistant", "Run `helm rollback staging`."),
    ]


def test_custom_instructions_kept_as_the_system_prompt_when_asked(registry, tmp_path):
    path = tmp_path / "conversations.json"
    old = message("m9", "system", "", hidden=True, is_user_system_message=True)
    old["metadata"]["user_context_message_data"] = {
        "about_user_message": "I work on Kubernetes.",
        "about_model_message": "",
    }
    path.write_text(json.dumps([conversation(CUSTOM), conversation([old, *CUSTOM[1:]])]))
    registry.configure({"chatgpt_export_reader": {"keep_custom_instructions": True}})
    try:
        stream, reader = open_with_reader(registry, str(path), None)
        with stream:
            first, second = reader.read(stream, str(path))
    finally:
        registry.configure({})
    assert first.turns[0].role == "system"
    assert first.turns[0].content == "The user is an SRE.\n\nAnswer concisely."
    assert second.turns[0].content == "I work on Kubernetes."
    assert [t.role for t in first.turns] == ["system", "user", "assistant"]


def test_keep_custom_instructions_must_be_a_flag(registry):
    with pytest.raises(Exception, match="keep_custom_instructions must be true or false"):
        registry.configure({"chatgpt_export_reader": {"keep_custom_instructions": "yes"}})
    registry.configure({})


def test_current_node_missing_from_the_mapping_ends_at_the_latest_leaf(registry, tmp_path):
    record = conversation(
        [
            message("m1", "user", "Who founded Signal Sciences?"),
            message("m2", "assistant", "Three."),
        ],
        current="not-in-the-mapping",
    )
    _, [conv] = read(registry, tmp_path, [record])
    assert pairs(conv) == [("user", "Who founded Signal Sciences?"), ("assistant", "Three.")]


def test_an_answer_with_no_question_before_it_is_counted(registry, tmp_path):
    # a real export cut down to its last answer: a browsing result, then the
    # answer, no question, and current_node not in the mapping; it was read as
    # a conversation of nothing, with no word of what it held
    record = conversation(
        [
            message("m1", "tool", {"content_type": "tether_browsing_display", "result": ""}),
            message("m2", "assistant", "Signal Sciences is a web application security company."),
        ],
        current="not-in-the-mapping",
    )
    _, [conv] = read(registry, tmp_path, [record])
    assert conv.turns == ()
    assert conv.metadata == {
        "title": "Title",
        "dropped_exchanges": {
            "answer with no question before it (a greeting, or a cut conversation)": 1
        },
    }


def test_a_greeting_before_the_first_question_is_counted_once(registry, tmp_path):
    record = conversation(
        [
            message("m1", "assistant", "Hi! I am your SQL tutor."),
            message("m2", "assistant", "Ask me anything about indexes."),
            message("m3", "user", "What does an index speed up?"),
            message("m4", "assistant", "Lookups and joins on its column."),
        ]
    )
    _, [conv] = read(registry, tmp_path, [record])
    assert pairs(conv) == [
        ("user", "What does an index speed up?"),
        ("assistant", "Lookups and joins on its column."),
    ]
    assert conv.metadata["dropped_exchanges"] == {
        "answer with no question before it (a greeting, or a cut conversation)": 1
    }


def test_the_active_branch_leaves_an_edited_question_out(registry, tmp_path):
    record = conversation([message("m1", "user", "hi there"), message("m2", "assistant", "Hello!")])
    mapping = record["mapping"]
    # the user edited "hi there" into "hi again": a sibling branch, now current
    mapping["m3"] = {
        "id": "m3",
        "message": message("m3", "user", "hi again"),
        "parent": "root",
        "children": ["m4"],
    }
    mapping["m4"] = {
        "id": "m4",
        "message": message("m4", "assistant", "Welcome back."),
        "parent": "m3",
        "children": [],
    }
    mapping["root"]["children"].append("m3")
    record["current_node"] = "m4"
    _, [conv] = read(registry, tmp_path, [record])
    assert pairs(conv) == [("user", "hi again"), ("assistant", "Welcome back.")]


def test_every_question_dropped_leaves_a_conversation_with_no_turns(registry, tmp_path):
    # read, with nothing to learn from: no bad record (a run's --max-rejected
    # counts bad records only)
    record = conversation(
        [
            message("m1", "user", "Plot it."),
            message(
                "m2", "assistant", {"content_type": "code", "text": "plot()"}, recipient="python"
            ),
            message(
                "m3", "tool", {"content_type": "execution_output", "text": "<<ImageDisplayed>>"}
            ),
            message("m4", "assistant", "Here's the graph."),
        ]
    )
    _, [conv] = read(registry, tmp_path, [record])
    assert conv.turns == ()
    assert conv.metadata == {"title": "Title", "dropped_exchanges": {TOOL_RESULT: 1}}


def test_an_entry_with_no_mapping_is_an_empty_conversation(registry, tmp_path):
    empty = {"title": "Empty", "id": "c2", "conversation_id": "c2"}
    ok = conversation([message("m1", "user", "Anchovies?"), message("m2", "assistant", "Yes.")])
    _, (nothing, conv) = read(registry, tmp_path, [empty, ok])
    assert (nothing.id, nothing.turns, nothing.source.index) == ("c2", (), 0)
    assert nothing.metadata == {"title": "Empty", "empty": True}
    assert pairs(conv) == [("user", "Anchovies?"), ("assistant", "Yes.")]


def test_a_simplified_export_without_content_types_or_current_node(registry, tmp_path):
    # what export tools write (chatgpt-export-studio's sample): parts, no content_type
    mapping = {
        "a": {
            "id": "a",
            "parent": None,
            "message": {"id": "a", "author": {"role": "user"}, "content": {"parts": ["Hi?"]}},
        },
        "b": {
            "id": "b",
            "parent": "a",
            "message": {"id": "b", "author": {"role": "assistant"}, "content": {"parts": ["Hi!"]}},
        },
    }
    _, [conv] = read(registry, tmp_path, [{"id": "c", "title": "T", "mapping": mapping}])
    assert pairs(conv) == [("user", "Hi?"), ("assistant", "Hi!")]


def test_the_wrapper_some_tools_write_is_read(registry, tmp_path):
    ok = conversation([message("m1", "user", "Anchovies?"), message("m2", "assistant", "Yes.")])
    name, [conv] = read(registry, tmp_path, {"conversations": [ok], "exported_at": "2025"})
    assert name == "chatgpt_export"
    assert pairs(conv) == [("user", "Anchovies?"), ("assistant", "Yes.")]


def test_custom_instructions_reach_the_outputs_only_with_the_flag(tmp_path):
    from click.testing import CliRunner

    from loomcore.cli import cli

    src = tmp_path / "conversations.json"
    answer = (
        "Run `helm rollback staging` to go back to the previous release of the chart, "
        "then check the pods with `kubectl get pods` until every one is ready again."
    )
    src.write_text(json.dumps([conversation([*CUSTOM[:2], message("m2", "assistant", answer)])]))
    outputs = {}
    for flag in ((), ("--keep-custom-instructions",)):
        out = tmp_path / f"out{len(flag)}"
        result = CliRunner().invoke(
            cli, ["run", str(src), "-o", str(out), "-q", "--min-importance", "0", *flag]
        )
        assert result.exit_code == 0, result.output
        outputs[flag] = "".join(p.read_text() for p in out.glob("*.jsonl"))
    assert "The user is an SRE" not in outputs[()]
    assert "Answer concisely" not in outputs[()]
    chatml = [json.loads(x) for x in (tmp_path / "out1" / "chatml.jsonl").read_text().splitlines()]
    assert chatml and all(
        row["messages"][0]
        == {"role": "system", "content": "The user is an SRE.\n\nAnswer concisely."}
        for row in chatml
    )


def canvas_call(mid, target, call):
    return message(
        mid, "assistant", {"content_type": "code", "text": json.dumps(call)}, recipient=target
    )


def test_a_canvas_document_is_part_of_the_answer(registry, tmp_path):
    record = conversation(
        [
            message("m1", "user", "Write a haiku about rain."),
            canvas_call(
                "m2",
                "canmore.create_textdoc",
                {"name": "rain", "type": "document", "content": "Soft rain on the roof"},
            ),
            message("m3", "tool", "Successfully created text document 'rain'", name="canmore"),
            message("m4", "assistant", "Here is your haiku in the canvas."),
            message("m5", "user", "Now as Python that prints it."),
            canvas_call(
                "m6",
                "canmore.update_textdoc",
                {"updates": [{"pattern": ".*", "replacement": "print('Soft rain')"}]},
            ),
            message("m7", "tool", "Successfully updated text document", name="canmore"),
            message("m8", "user", "Make line two shorter."),
            canvas_call(
                "m9",
                "canmore.update_textdoc",
                {"updates": [{"pattern": "roof", "replacement": "eaves"}]},
            ),
            message("m10", "tool", "Successfully updated text document", name="canmore"),
            message("m11", "assistant", "I've shortened the second line."),
        ]
    )
    _, [conv] = read(registry, tmp_path, [record])
    assert pairs(conv) == [
        ("user", "Write a haiku about rain."),
        ("assistant", "Soft rain on the roof\n\nHere is your haiku in the canvas."),
        ("user", "Now as Python that prints it."),
        ("assistant", "print('Soft rain')"),
    ]
    # a partial edit is not shown: the answer about it rests on what is not there
    assert conv.metadata["dropped_exchanges"] == {TOOL_RESULT: 1}


def test_a_question_about_an_uploaded_file_is_dropped(registry, tmp_path):
    upload = message("m1", "user", "Summarise this report.")
    upload["metadata"]["attachments"] = [
        {"id": "file-1", "name": "q3-report.pdf", "mime_type": "application/pdf"}
    ]
    record = conversation(
        [
            upload,
            message("m2", "assistant", "The report says revenue grew 12%."),
            message("m3", "user", "What is a good growth rate?"),
            message("m4", "assistant", "It depends on the industry."),
        ]
    )
    _, [conv] = read(registry, tmp_path, [record])
    assert pairs(conv) == [
        ("user", "What is a good growth rate?"),
        ("assistant", "It depends on the industry."),
    ]
    assert conv.metadata["dropped_exchanges"] == {
        "question refers to an uploaded file that is not carried": 1
    }


def test_raw_reasoning_on_the_analysis_channel_is_never_an_answer(registry, tmp_path):
    record = conversation(
        [
            message("m1", "user", "Is 91 prime?"),
            message("m2", "assistant", "91 = 7 * 13, so no.", channel="analysis"),
            message("m3", "assistant", "No: 91 is 7 × 13.", channel="final"),
        ]
    )
    _, [conv] = read(registry, tmp_path, [record])
    assert pairs(conv) == [("user", "Is 91 prime?"), ("assistant", "No: 91 is 7 × 13.")]
