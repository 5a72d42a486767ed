"""Detection by structure (the first records' keys), for files, gzip, stdin
and directories alike; export archives and folders read only their
conversations files; hostile archives refused."""

from __future__ import annotations

import gzip
import io
import json
import sys
import zipfile

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from loomcore_plugins.readers.exports import _UntilClosed

from loomcore.cli import cli
from loomcore.inputs import InputError, detect, expand, open_with_reader
from loomcore.shape import first_record

from .helpers import read_path

CHATGPT = [
    {
        "title": "T",
        "mapping": {
            "a": {
                "id": "a",
                "parent": None,
                "children": ["b"],
                "message": {
                    "id": "a",
                    "author": {"role": "user"},
                    "content": {"content_type": "text", "parts": ["What is a monad?"]},
                    "recipient": "all",
                },
            },
            "b": {
                "id": "b",
                "parent": "a",
                "children": [],
                "message": {
                    "id": "b",
                    "author": {"role": "assistant"},
                    "content": {
                        "content_type": "text",
                        "parts": [
                            "A monad wraps a value and lets you chain operations on it, as Maybe and IO do in Haskell: each step gets the value of the one before."
                        ],
                    },
                    "recipient": "all",
                },
            },
        },
        "current_node": "b",
        "id": "conv-1",
    }
]
USER_JSON = {"email": "jane.doe@example.com", "phone_number": "+15555550123"}


def test_shape_gives_the_first_records_keys_and_one_level_down():
    shape = first_record(b'[{"title": "x", "mapping": {"n1": {}, "n2": {}}, "current_node": "n2"}]')
    assert shape.container == "array" and shape.complete
    assert shape.keys == ("title", "mapping", "current_node")
    assert shape.inner == {"mapping": ("n1", "n2")}
    shape = first_record(b'{"conversations": [{"from": "human", "value": "[not json"}]}\n')
    assert shape.child_has("conversations", "from", "value")


def test_shape_of_a_head_cut_inside_the_first_record():
    shape = first_record(b'[{"title": "x", "mapping": {"n1": {"message": "abc')
    assert shape.keys == ("title", "mapping") and not shape.complete


@pytest.mark.parametrize(
    "head",
    [
        b'User: here is my config {"messages": [{"role": "user"}]}',
        b"Assistant: [1, 2, 3]",
        b'{"messages": oops}',
        b"[" * 5000,
        b"",
    ],
)
def test_text_that_merely_quotes_json_is_not_json(head):
    assert first_record(head) is None


def test_a_transcript_quoting_openai_json_is_read_as_a_transcript(registry, tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text(
        'User: why does {"messages": [{"role": "user", "content": "hi"}]} fail?\n'
        "Assistant: The API wants a list of messages, not a string.\n"
    )
    name, [conv] = read_path(registry, path)
    assert name == "transcript"
    assert conv.turns[1].content == "The API wants a list of messages, not a string."


def test_detection_from_gzip_and_stdin(registry, tmp_path, monkeypatch):
    data = json.dumps(CHATGPT).encode()
    gz = tmp_path / "conversations.json.gz"
    gz.write_bytes(gzip.compress(data))
    name, [conv] = read_path(registry, gz)
    assert (name, conv.turns[1].content) == (
        "chatgpt_export",
        "A monad wraps a value and lets you chain operations on it, as Maybe and IO do in Haskell: each step gets the value of the one before.",
    )
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    name, [conv] = read_path(registry, "-")
    assert (name, conv.id) == ("chatgpt_export", "conv-1")


def test_a_long_claude_summary_does_not_hide_chat_messages(registry, tmp_path):
    # a peek gave 4 KB; the head is 64 KB, so a long summary before the messages is fine
    record = {
        "uuid": "c",
        "name": "n",
        "summary": "s" * 20_000,
        "chat_messages": [
            {"uuid": "q", "sender": "human", "text": "Hi?", "created_at": "2025-01-01T00:00:00Z"},
            {
                "uuid": "a",
                "sender": "assistant",
                "text": "Hi!",
                "created_at": "2025-01-01T00:00:01Z",
            },
        ],
    }
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps([record]))
    name, [conv] = read_path(registry, path)
    assert name == "claude_export" and [t.content for t in conv.turns] == ["Hi?", "Hi!"]


def test_detect_takes_the_first_reader_whose_structure_matches(registry):
    assert detect(registry, b'{"instruction": "a", "output": "b"}', "x").name == "alpaca"
    assert detect(registry, b'{"messages": [{"role": "user"}]}', "x").name == "openai_messages"
    assert detect(registry, b'{"conversations": [{"from": "gpt"}]}', "x").name == "sharegpt"
    assert detect(
        registry, b'{"conversations": [{"uuid": "u", "chat_messages": []}]}', "x"
    ).name == ("claude_export")
    assert detect(registry, b'{"id": 1, "metadata": {"user_input": "q"}}', "x").name == "raw_memory"


def export_zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


SIDECARS = {
    "chat.html": "<html>" + json.dumps(CHATGPT) + "</html>",
    "user.json": json.dumps(USER_JSON),
    "message_feedback.json": json.dumps([{"rating": "thumbsUp"}]),
    "shared_conversations.json": json.dumps([{"id": "s", "title": "x"}]),
}


def test_a_zip_export_reads_only_its_conversations_file(registry, tmp_path):
    archive = tmp_path / "export.zip"
    export_zip(archive, {"conversations.json": json.dumps(CHATGPT), **SIDECARS})
    name, [conv] = read_path(registry, archive)
    assert name == "zip"
    assert conv.source.path == f"{archive}/conversations.json"
    assert [t.content for t in conv.turns] == [
        "What is a monad?",
        "A monad wraps a value and lets you chain operations on it, as Maybe and IO do in Haskell: each step gets the value of the one before.",
    ]


def test_zip_and_folder_runs_never_copy_sidecars_anywhere(tmp_path):
    archive = tmp_path / "export.zip"
    bad = json.dumps([{"mapping": "broken"}, *CHATGPT])  # one bad record, for a quarantine
    export_zip(archive, {"conversations.json": bad, **SIDECARS})
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "conversations.json").write_text(bad)
    for name, data in SIDECARS.items():
        (folder / name).write_text(data)
    (folder / "dalle-generations").mkdir()
    (folder / "dalle-generations" / "file-1.webp").write_bytes(b"RIFF....WEBP")
    assert expand([str(folder)]) == [str(folder / "conversations.json")]
    summaries = []
    for src, out in ((archive, tmp_path / "z"), (folder, tmp_path / "f")):
        result = CliRunner().invoke(
            cli,
            ["run", str(src), "-o", str(out), "-q", "--min-importance", "0", "--max-rejected", "1"],
        )
        assert result.exit_code == 0, result.output
        summaries.append(json.loads((out / "summary.json").read_text()))
        written = "".join(p.read_text() for p in out.iterdir() if p.is_file())
        assert "jane.doe" not in written and "5555550123" not in written
        assert "thumbsUp" not in written and "<html>" not in written
        quarantine = (out / "quarantine.jsonl").read_text().splitlines()
        assert [json.loads(x)["index"] for x in quarantine] == [0]
    assert [s["conversations"] for s in summaries] == [1, 1]
    # the same export, zipped or not, gives the same examples
    alpaca = [(tmp_path / d / "alpaca.jsonl").read_text() for d in ("z", "f")]
    assert (
        alpaca[0] == alpaca[1]
        and "A monad wraps a value and lets you chain operations on it, as Maybe and IO do in Haskell: each step gets the value of the one before."
        in alpaca[0]
    )
    assert [s["records_rejected"] for s in summaries] == [1, 1]


def test_an_ordinary_folder_still_reads_every_input_file(tmp_path):
    (tmp_path / "a.jsonl").write_text("{}")
    (tmp_path / "b.json").write_text("{}")
    (tmp_path / "user.json").write_text("{}")  # a sidecar's name: never an input
    assert expand([str(tmp_path)]) == [str(tmp_path / "a.jsonl"), str(tmp_path / "b.json")]


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"../conversations.json": "[]"}, "member name '../conversations.json' is not a plain"),
        ({"/etc/conversations.json": "[]"}, "is not a plain relative path"),
        ({"conver\x01sations.json": "[]"}, "is not a plain relative path"),
    ],
)
def test_hostile_member_names_refuse_the_archive(registry, tmp_path, members, message):
    archive = tmp_path / "export.zip"
    export_zip(archive, members)
    with pytest.raises(InputError, match=message):
        open_with_reader(registry, str(archive), None)


def test_too_many_members_refuse_the_archive(registry, tmp_path, monkeypatch):
    from loomcore import archives

    monkeypatch.setattr(archives, "MAX_MEMBERS", 3)
    archive = tmp_path / "export.zip"
    export_zip(archive, {f"file-{i}.webp": b"x" for i in range(4)})
    with pytest.raises(InputError, match="4 members, more than the 3 an export holds"):
        open_with_reader(registry, str(archive), None)


def test_a_zip_bomb_is_refused_before_it_is_read(registry, tmp_path):
    from loomcore.records import Limits, limits

    archive = tmp_path / "export.zip"
    export_zip(archive, {"conversations.json": b"[" + b" " * 3_000_000 + b"]"})
    token = limits.set(Limits(max_record_bytes=1_000_000))
    try:
        with pytest.raises(InputError, match="refused as a zip bomb"):
            open_with_reader(registry, str(archive), None)
    finally:
        limits.reset(token)


def test_an_archive_with_nothing_to_read(registry, tmp_path):
    archive = tmp_path / "photos.zip"
    export_zip(archive, {"a.png": b"x"})
    with pytest.raises(InputError, match="holds no conversations or input files"):
        open_with_reader(registry, str(archive), None)


class Trickle(io.RawIOBase):
    """A stream that gives a few bytes per read, to cut the input anywhere."""

    def __init__(self, data: bytes, step: int):
        self.data, self.step = data, step

    def readable(self):
        return True

    def readinto(self, buffer):
        chunk, self.data = self.data[: self.step], self.data[self.step :]
        buffer[: len(chunk)] = chunk
        return len(chunk)


texts = st.text(alphabet='ab[]{}",\\:\n', max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    items=st.lists(st.dictionaries(texts, texts | st.lists(texts, max_size=3), max_size=3)),
    after=st.dictionaries(texts, texts, max_size=2),
    step=st.integers(1, 9),
)
def test_the_wrapper_list_ends_where_it_closes(items, after, step):
    array = orjson.dumps(items)
    tail = orjson.dumps(after)[1:]  # "}" or the keys after the list, then "}"
    data = array + (b"," + tail if after else b"}")
    got = io.BufferedReader(_UntilClosed(io.BufferedReader(Trickle(data, step)))).read()
    assert got == array


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_shape_never_raises_on_any_head(head):
    shape = first_record(head)
    assert shape is None or shape.container in ("array", "object")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.text(max_size=8), st.text(max_size=8) | st.integers(-(2**63), 2**63 - 1), min_size=1
        ),
        min_size=1,
        max_size=3,
    ),
    st.integers(0, 200),
)
@pytest.mark.slow
def test_shape_keys_are_the_records_keys_for_any_valid_json(records, cut):
    data = orjson.dumps(records)
    shape = first_record(data)
    expected = []
    for record in records[:4]:
        expected += [k for k in record if k not in expected]
    assert shape.keys == tuple(expected)
    partial = first_record(data[: cut + 2])
    assert partial is None or set(partial.keys) <= set(expected)
