"""Each input format: a small sample written from the format's documentation,
auto-detection by content, and clear rejections naming record and field."""

import gzip
import io
import json

import pytest

from loomcore import Conversation, Turn
from loomcore.inputs import InputError, detect, expand, open_with_reader
from loomcore.model import Rejected


def read(registry, tmp_path, name, content, suffix=".json"):
    path = tmp_path / f"{name}{suffix}"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    stream, reader = open_with_reader(registry, str(path), None)
    with stream:
        return reader.name, list(reader.read(stream, str(path)))


def turns(conv):
    return [(t.role, t.content) for t in conv.turns]


SHAREGPT = [
    {
        "id": "c1",
        "conversations": [
            {"from": "human", "value": "Can you help me cook something?"},
            {"from": "gpt", "value": "Of course! What ingredients do you have?"},
            {"from": "human", "value": "I have chicken and rice."},
            {"from": "function_call", "value": '{"name": "search_recipes"}'},
            {"from": "observation", "value": '{"recipes": ["stir fry"]}'},
            {"from": "gpt", "value": "Try a chicken stir fry."},
        ],
        "system": "You are a chef.",
        "tools": '[{"name": "search_recipes"}]',
    }
]


def test_sharegpt_drops_tool_traffic(registry, tmp_path):
    name, [conv] = read(registry, tmp_path, "share", json.dumps(SHAREGPT))
    assert name == "sharegpt"
    # the stir fry answers an observation that is not kept: that exchange goes
    assert turns(conv) == [
        ("system", "You are a chef."),
        ("user", "Can you help me cook something?"),
        ("assistant", "Of course! What ingredients do you have?"),
    ]
    assert conv.metadata == {
        "tool_turns_skipped": 2,
        "dropped_exchanges": {"answer depends on a tool result that is not kept": 1},
    }
    assert (conv.id, conv.source.index, conv.source.format) == ("c1", 0, "sharegpt")


def test_openai_messages_jsonl_with_content_parts(registry, tmp_path):
    lines = [
        {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": [{"type": "text", "text": "What is a mutex?"}]},
                {
                    "role": "assistant",
                    "content": "A mutex is a lock that allows one thread at a time.",
                },
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Is this one deadlocking?"},
                        {"type": "file", "file": {"file_id": "f1"}},
                    ],
                },
                {"role": "assistant", "content": None, "tool_calls": [{"id": "t1"}]},
                {"role": "tool", "content": "lookup result", "tool_call_id": "t1"},
                {"role": "assistant", "content": "Yes: the lookup shows two holders."},
            ]
        },
        {"messages": [{"role": "user", "content": "hi"}]},
    ]
    name, items = read(
        registry, tmp_path, "chat", "\n".join(json.dumps(x) for x in lines), ".jsonl"
    )
    assert name == "openai_messages"
    conv, rejected = items
    assert turns(conv) == [
        ("system", "Be brief."),
        ("user", "What is a mutex?"),
        ("assistant", "A mutex is a lock that allows one thread at a time."),
    ]
    # the second answer rests on a tool result that is not kept: dropped, counted
    assert conv.metadata == {
        "non_text_parts_skipped": 1,
        "tool_turns_skipped": 2,
        "dropped_exchanges": {"answer depends on a tool result that is not kept": 1},
    }
    assert isinstance(rejected, Rejected) and rejected.source.index == 2
    assert rejected.reason == "no user and assistant turns"


def test_alpaca_with_system_and_history(registry, tmp_path):
    data = [
        {
            "instruction": "And in Celsius?",
            "input": "",
            "output": "About 37 °C.",
            "system": "Be exact.",
            "history": [["Body temperature in F?", "About 98.6 °F."]],
        }
    ]
    name, [conv] = read(registry, tmp_path, "alp", json.dumps(data))
    assert name == "alpaca"
    assert turns(conv) == [
        ("system", "Be exact."),
        ("user", "Body temperature in F?"),
        ("assistant", "About 98.6 °F."),
        ("user", "And in Celsius?"),
        ("assistant", "About 37 °C."),
    ]


def test_chatgpt_export_follows_the_active_branch(registry, tmp_path):
    mapping = {
        "root": {"id": "root", "message": None, "parent": None, "children": ["s"]},
        "s": {
            "id": "s",
            "parent": "root",
            "children": ["u1"],
            "message": {
                "id": "s",
                "author": {"role": "system"},
                "content": {"content_type": "text", "parts": [""]},
                "metadata": {"is_visually_hidden_from_conversation": True},
            },
        },
        "u1": {
            "id": "u1",
            "parent": "s",
            "children": ["a1", "u2"],
            "message": {
                "id": "u1",
                "author": {"role": "user"},
                "create_time": 1700000000,
                "content": {
                    "content_type": "text",
                    "parts": ["How do I write a function in JavaScript?"],
                },
            },
        },
        "u2": {
            "id": "u2",
            "parent": "u1",
            "children": [],
            "message": {
                "id": "u2",
                "author": {"role": "user"},
                "content": {"content_type": "text", "parts": ["Python instead?"]},
            },
        },
        "a1": {
            "id": "a1",
            "parent": "u1",
            "children": ["a2"],
            "message": {
                "id": "a1",
                "author": {"role": "assistant"},
                "content": {
                    "content_type": "code",
                    "language": "javascript",
                    "text": "function f() {}",
                },
            },
        },
        "a2": {
            "id": "a2",
            "parent": "a1",
            "children": [],
            "message": {
                "id": "a2",
                "author": {"role": "assistant"},
                "content": {
                    "content_type": "multimodal_text",
                    "parts": [{"asset_pointer": "img"}, "Use the function keyword."],
                },
            },
        },
    }
    data = [{"id": "conv-1", "title": "JS", "current_node": "a2", "mapping": mapping}]
    name, [conv] = read(registry, tmp_path, "conversations", json.dumps(data))
    assert name == "chatgpt_export"
    assert turns(conv) == [
        ("user", "How do I write a function in JavaScript?"),
        ("assistant", "```javascript\nfunction f() {}\n```\n\nUse the function keyword."),
    ]
    assert conv.turns[0].timestamp == "2023-11-14T22:13:20Z"
    assert conv.metadata == {"title": "JS", "non_text_parts_skipped": 1}


def test_claude_export(registry, tmp_path):
    data = [
        {
            "uuid": "u-1",
            "name": "Sorting",
            "chat_messages": [
                {
                    "uuid": "m1",
                    "sender": "human",
                    "text": "What is a stable sort?",
                    "created_at": "2024-05-01T10:00:00Z",
                },
                {
                    "uuid": "m2",
                    "sender": "assistant",
                    "text": "",
                    "content": [
                        {
                            "type": "text",
                            "text": "A stable sort keeps equal items in their original order.",
                        }
                    ],
                },
            ],
        }
    ]
    name, [conv] = read(registry, tmp_path, "claude", json.dumps(data))
    assert name == "claude_export"
    assert conv.id == "u-1"
    assert turns(conv) == [
        ("user", "What is a stable sort?"),
        ("assistant", "A stable sort keeps equal items in their original order."),
    ]


def test_plain_transcript_with_separators(registry, tmp_path):
    text = "User: What is DNS?\nAssistant: DNS maps names to addresses.\n---\nUser: hi\nSystem: Hello!\n"
    name, convs = read(registry, tmp_path, "chat", text, ".txt")
    assert name == "transcript"
    assert [turns(c) for c in convs] == [
        [("user", "What is DNS?"), ("assistant", "DNS maps names to addresses.")],
        [("user", "hi"), ("assistant", "Hello!")],
    ]


def test_wrong_types_are_rejected_with_the_field_path(registry, tmp_path):
    data = [
        {"conversations": [{"from": "human", "value": 42}]},
        {"conversations": "nope"},
        {"conversations": [{"from": "alien", "value": "x"}]},
    ]
    _, items = read(registry, tmp_path, "bad", json.dumps(data))
    assert [(r.source.index, r.reason) for r in items] == [
        (0, "expected text, got int @ $.conversations[0].value"),
        (1, "expected a list, got str @ $.conversations"),
        (2, "unknown speaker 'alien' @ $.conversations[0].from"),
    ]


def test_raw_memories_without_an_id_or_either_side_are_rejected(registry, tmp_path):
    data = [
        {"id": None, "text": "User: Hi?\n\nSystem: Hello there.", "importance": 0.5},
        {"id": "m2", "text": None, "metadata": {}, "importance": None},
        {"id": "m3", "text": "User: What is 2 + 2?\n\nSystem:   ", "importance": 0.5},
    ]
    name, items = read(registry, tmp_path, "memories", json.dumps(data))
    assert name == "raw_memory"
    assert [(r.source.index, r.reason) for r in items] == [
        (0, "invalid memory: required field missing @ $.id"),
        (1, "no user and assistant turns"),
        (2, "no user and assistant turns"),
    ]


def test_malformed_jsonl_line_is_rejected_and_reading_goes_on(registry, tmp_path):
    good = json.dumps({"instruction": "Name a colour.", "output": "Blue is a colour."})
    _, items = read(registry, tmp_path, "mixed", f'{good}\n{{"instruction": \n{good}\n', ".jsonl")
    assert [type(i).__name__ for i in items] == ["Conversation", "Rejected", "Conversation"]
    assert items[1].source.index == 2 and items[1].reason.startswith("malformed JSON")
    assert items[1].raw == '{"instruction": '


def test_detection_names_the_formats_it_tried(registry):
    with pytest.raises(InputError) as exc:
        detect(registry, b'{"foo": 1}', "x.json")
    assert str(exc.value) == (
        "x.json: could not detect the input format (tried: alpaca, chatgpt_export, claude_export, "
        "conversation_log, openai_messages, raw_memory, sharegpt, transcript); name it with --input-format"
    )


def test_gzip_directories_globs_and_stdin(registry, tmp_path, monkeypatch):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    rec = json.dumps({"instruction": "Name a colour.", "output": "Blue is a colour."}).encode()
    (tmp_path / "d" / "a.jsonl").write_bytes(rec)
    (tmp_path / "d" / "sub" / "b.jsonl.gz").write_bytes(gzip.compress(rec))
    (tmp_path / "d" / "notes.bin").write_bytes(b"\x00")
    assert expand([str(tmp_path / "d")]) == [
        str(tmp_path / "d" / "a.jsonl"),
        str(tmp_path / "d" / "sub" / "b.jsonl.gz"),
    ]
    assert expand([str(tmp_path / "d" / "*.jsonl")]) == [str(tmp_path / "d" / "a.jsonl")]
    stream, reader = open_with_reader(registry, str(tmp_path / "d" / "sub" / "b.jsonl.gz"), None)
    assert reader.name == "alpaca" and len(list(reader.read(stream, "b"))) == 1
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(rec)))
    stream, reader = open_with_reader(registry, "-", None)
    [conv] = list(reader.read(stream, "-"))
    assert isinstance(conv, Conversation) and conv.turns[0] == Turn("user", "Name a colour.")
    with pytest.raises(InputError, match="no file matches this pattern"):
        expand([str(tmp_path / "*.nothing")])


def test_transcripts_are_read_a_conversation_at_a_time(monkeypatch):
    from loomcore_plugins.readers import transcript

    from loomcore.records import Limits, limits

    class Counting(io.BytesIO):
        read_bytes = 0

        def read(self, n=-1):
            chunk = super().read(n)
            Counting.read_bytes += len(chunk)
            return chunk

        def readinto(self, b):
            n = super().readinto(b)
            Counting.read_bytes += n
            return n

    one = "User: What is DNS?\nAssistant: DNS maps names to addresses.\n"
    big = "User: Summarise.\nAssistant: " + "word " * 400 + "\n"
    data = (one + "---\n" + big + "---\n" + one + "---\n") * 2000
    token = limits.set(Limits(max_record_bytes=1000))
    try:
        stream = Counting(data.encode())
        items = transcript.read(stream, "/x/chat.txt")
        first = next(items)
        assert Counting.read_bytes < len(data) // 10  # not the whole file
        rest = list(items)
    finally:
        limits.reset(token)
    assert turns(first) == [("user", "What is DNS?"), ("assistant", "DNS maps names to addresses.")]
    assert len(rest) == 3 * 2000 - 1
    rejected = rest[0]
    assert isinstance(rejected, Rejected) and rejected.source.index == 1
    assert rejected.reason == (
        f"conversation of {len(big):,} characters is over the limit of 1,000 (--max-record-bytes)"
    )
    assert rejected.raw.startswith("User: Summarise.\nAssistant: word word")
    assert isinstance(rest[1], Conversation) and rest[1].id == "chat.txt:2"
    assert not stream.closed  # the caller's stream, closed by the caller
