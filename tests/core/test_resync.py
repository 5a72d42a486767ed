"""A corrupt record costs that record only: JSON arrays resynchronise on the
next element, JSON Lines are read line by line whatever the first line holds,
and every buffer is held to the size limit, compressed input too."""

import gzip
import io
import json
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loomcore import records
from loomcore.records import Limits, iter_json, limits

N = 1000


def conversations(n=N):
    """ShareGPT-like records: nested lists of objects, as real exports have."""
    return [
        {
            "id": f"c{i}",
            "conversations": [
                {"from": "human", "value": f"What is item {i}?"},
                {"from": "gpt", "value": f"Item {i} is a thing, see {{x}} and [y]."},
            ],
        }
        for i in range(n)
    ]


def encode(items, shape):
    if shape == "lines":
        return b"".join(json.dumps(r).encode() + b"\n" for r in items)
    return json.dumps(items, indent=2 if shape == "pretty" else None).encode()


def read(data):
    got = list(iter_json(io.BytesIO(data)))
    good = {
        r.value["id"]
        for r in got
        if r.error is None and isinstance(r.value, dict) and "conversations" in r.value
    }
    return good, [r for r in got if r.error]


def element(data, i):
    """Where record ``i`` starts and ends in ``data``."""
    start = data.rindex(b"{", 0, data.index(f'"c{i}"'.encode()))
    end = data.rindex(b"}", 0, data.index(f'"c{i + 1}"'.encode())) + 1
    return start, end


# each shape of corruption, applied inside record 10
SHAPES = {
    "stray ] inside": lambda d, a, b: d[: a + 12] + b"]" + d[a + 12 :],
    "unterminated string": lambda d, a, b: (
        d[: d.index(b'"', a + 8)] + d[d.index(b'"', a + 8) + 1 :]
    ),
    "garbage inside": lambda d, a, b: d[: a + 20] + b"\x00#garbage{[" + d[a + 20 :],
    "closing brace lost": lambda d, a, b: d[: b - 1] + d[b:],
    "cut short": lambda d, a, b: d[: a + 40] + d[b:],
}


@pytest.mark.parametrize("shape", ["compact", "pretty", "lines"])
@pytest.mark.parametrize("corruption", sorted(SHAPES))
def test_one_corrupt_record_costs_that_record_only(shape, corruption):
    data = encode(conversations(), shape)
    a, b = element(data, 10)
    good, errors = read(SHAPES[corruption](data, a, b))
    assert good == {f"c{i}" for i in range(N)} - {"c10"}
    assert [(r.index, r.error.startswith("malformed JSON")) for r in errors] == [
        (11 if shape == "lines" else 10, True)
    ]


def test_a_stray_bracket_between_elements_loses_nothing():
    data = encode(conversations(), "pretty")
    a, _ = element(data, 10)
    good, errors = read(data[:a] + b"]" + data[a:])
    assert len(good) == N and errors == []


def test_the_broken_element_is_kept_whole_for_the_quarantine():
    data = encode(conversations(), "compact")
    a, b = element(data, 10)
    broken = data[:a] + data[a : a + 12] + b"]" + data[a + 12 : b] + data[b:]
    _, [error] = read(broken)
    assert error.raw == data[a:b][:12] + b"]" + data[a:b][12:] and error.dropped == 0


@pytest.mark.parametrize("shape", ["compact", "pretty"])
def test_a_corrupt_first_element_is_found_past_too(shape):
    data = encode(conversations(), shape)
    q = data.index(b'"id"')
    good, errors = read(data[:q] + data[q + 1 :])  # a quote lost in the first key
    assert good == {f"c{i}" for i in range(1, N)} and [e.index for e in errors] == [0]


def test_a_cut_first_line_of_json_lines_costs_that_line():
    data = encode(conversations(), "lines")
    good, errors = read(data[30:])
    assert good == {f"c{i}" for i in range(1, N)}
    assert [(e.index, e.raw) for e in errors] == [(1, data[30 : data.index(b"\n")])]


@pytest.mark.parametrize("shape", ["compact", "pretty", "lines"])
def test_a_byte_order_mark_is_not_data(shape):
    good, errors = read(b"\xef\xbb\xbf" + encode(conversations(3), shape))
    assert good == {"c0", "c1", "c2"} and errors == []


def test_a_pretty_printed_object_is_one_record():
    [record] = list(iter_json(io.BytesIO(json.dumps({"a": [1, 2]}, indent=2).encode())))
    assert (record.index, record.value, record.error) == (0, {"a": [1, 2]}, None)


def peak_bytes(data, limit):
    token = limits.set(Limits(max_record_bytes=limit))
    tracemalloc.start()
    try:
        got = [
            (r.index, r.error, len(r.raw), r.dropped)
            for r in iter_json(gzip.GzipFile(fileobj=io.BytesIO(data)))
        ]
        return got, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        limits.reset(token)


def test_a_long_line_in_gzip_is_never_held_whole():
    line = b'{"instruction": "x", "output": "' + b"a" * 40_000_000 + b'"}\n'
    good = json.dumps({"instruction": "y", "output": "z"}).encode() + b"\n"
    got, peak = peak_bytes(gzip.compress(line + good, 1), 1 << 20)
    assert got == [
        (
            1,
            f"record of {len(line) - 1:,} bytes is over the limit of 1,048,576 bytes (--max-record-bytes)",
            1 << 20,
            len(line) - 1 - (1 << 20),
        ),
        (2, None, len(good) - 1, 0),
    ]
    assert peak < 8 << 20  # the limit and a read chunk or two, not 40 MB


def test_one_huge_pretty_printed_object_in_gzip_is_counted_not_held():
    body = json.dumps(
        {"messages": [{"role": "user", "content": "a" * 1000}] * 30_000}, indent=2
    ).encode()
    got, peak = peak_bytes(gzip.compress(body, 1), 1 << 20)
    assert got == [
        (
            0,
            f"record of {len(body):,} bytes is over the limit of 1,048,576 bytes (--max-record-bytes)",
            1 << 20,
            len(body) - (1 << 20),
        )
    ]
    assert peak < 8 << 20


def test_an_array_element_past_the_limit_streams_past():
    big = {"id": "big", "conversations": [{"from": "human", "value": "a" * 50_000}]}
    data = encode([*conversations(3), big, *conversations(3)], "compact")
    token = limits.set(Limits(max_record_bytes=10_000))
    try:
        got = list(iter_json(io.BytesIO(data)))
    finally:
        limits.reset(token)
    [error] = [r for r in got if r.error]
    size = len(json.dumps(big))
    assert (error.index, error.error, len(error.raw), error.dropped) == (
        3,
        f"record of {size:,} bytes is over the limit of 10,000 bytes (--max-record-bytes)",
        10_000,
        size - 10_000,
    )
    assert len(got) == 7


FUZZ = settings(
    derandomize=True, max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@FUZZ
@given(
    shape=st.sampled_from(["compact", "pretty", "lines"]),
    which=st.integers(0, N - 1),
    where=st.floats(0, 1, exclude_max=True),
    how=st.sampled_from(["insert", "delete", "replace"]),
    junk=st.binary(min_size=1, max_size=3) | st.sampled_from([b"]", b"}", b"{", b'"', b"\n", b","]),
)
def test_fuzz_one_corrupt_record_keeps_998_of_1000(shape, which, where, how, junk):
    data = encode(conversations(), shape)
    if which < N - 1:
        a, b = element(data, which)
    else:
        a = data.rindex(b"{", 0, data.index(b'"c999"'))
        b = data.rindex(b"}") + 1
    p = a + int(where * (b - a))
    if how == "insert":
        data = data[:p] + junk + data[p:]
    elif how == "delete":
        data = data[:p] + data[p + len(junk) :]
    else:
        data = data[:p] + junk + data[p + len(junk) :]
    good, errors = read(data)
    assert len(good) >= N - 2 and len(errors) <= 3
    assert all(e.error.startswith("malformed JSON") for e in errors)


def transcript(data: bytes):
    from loomcore_plugins.readers import transcript as reader

    return [
        [(t.role, t.content) for t in item.turns] if hasattr(item, "turns") else item.reason
        for item in reader.read(io.BytesIO(data), "/x/chat.txt")
    ]


def test_a_transcript_with_a_byte_order_mark_keeps_its_first_turn():
    data = "\ufeffUser: What is DNS?\nAssistant: It maps names to addresses.\n".encode()
    assert transcript(data) == [
        [("user", "What is DNS?"), ("assistant", "It maps names to addresses.")]
    ]


def test_a_rule_inside_an_answer_does_not_cut_it():
    data = (
        b"User: Show me a table.\nAssistant: Here it is:\n\n---\n\n| a | b |\n\nDone.\n"
        b"---\n\nUser: Thanks, and DNS?\nAssistant: It maps names.\n"
    )
    assert transcript(data) == [
        [("user", "Show me a table."), ("assistant", "Here it is:\n\n---\n\n| a | b |\n\nDone.")],
        [("user", "Thanks, and DNS?"), ("assistant", "It maps names.")],
    ]


def test_every_other_element_broken_keeps_every_good_one():
    data = b"[" + b",".join([b'{"a": "x]"}', b'{"a": ]}'] * 500) + b"]"
    got = list(iter_json(io.BytesIO(data)))
    assert [r.value for r in got if r.error is None] == [{"a": "x]"}] * 500
    assert [r.index for r in got if r.error] == list(range(1, 1000, 2))


def test_an_unclosed_soup_is_one_rejection():
    # every "{" is a candidate that never closes: each is scanned once at most
    data = b"[" + b"{," * 50_000
    [record] = list(iter_json(io.BytesIO(data)))
    assert (record.index, record.error[:14], record.raw) == (0, "malformed JSON", data[1:])


def test_parts_of_a_broken_first_element_do_not_become_the_model():
    """Cut inside record 0, its inner messages read as two alike elements and a
    stray "]" closes the array early: the records after are found all the same."""
    items = [
        {"id": f"c{i}", "messages": [{"role": "user", "content": f"Q {i}?"}] * 3} for i in range(N)
    ]
    data = json.dumps(items, indent=1).encode()
    cut = data.index(b'"c0",') + 5  # record 0 loses the text up to its first message's end
    broken = data[:cut] + data[data.index(b"}", data.index(b'"Q 0?"')) :]
    got = list(iter_json(io.BytesIO(broken)))
    ids = {r.value.get("id") for r in got if r.error is None and "messages" in r.value}
    assert ids == {f"c{i}" for i in range(1, N)}


def test_a_separator_splits_before_any_speaker_label_the_parser_knows():
    data = b"User: Hi?\nClaude: Hello.\n---\nYou: And DNS?\nClaude: It maps names.\n"
    assert transcript(data) == [
        [("user", "Hi?"), ("assistant", "Hello.")],
        [("user", "And DNS?"), ("assistant", "It maps names.")],
    ]


def test_an_array_inside_a_wrapper_ends_at_its_own_last_bracket():
    """For an export's {"conversations": [...], "meta": ...} wrapper, read from
    its "[": a stray "]" inside costs one element, and the wrapper's next key
    and closing brace are not records."""
    data = encode(conversations(), "compact")
    a, _ = element(data, 10)
    body = data[: a + 12] + b"]" + data[a + 12 :] + b', "meta": {"n": 1000}}'
    got = list(records.iter_array(body[:4096], io.BytesIO(body[4096:]), 1 << 20, inside=True))
    good = {r.value["id"] for r in got if r.error is None}
    assert good == {f"c{i}" for i in range(N)} - {"c10"}
    assert [r.index for r in got if r.error] == [10]


def test_a_stray_bracket_in_a_wrapped_export_costs_one_conversation():
    from loomcore_plugins.readers import claude_export

    from loomcore.model import Rejected

    chats = [
        {
            "uuid": f"u{i}",
            "name": f"chat {i}",
            "chat_messages": [
                {"uuid": f"m{i}a", "sender": "human", "text": f"What is item {i}?"},
                {"uuid": f"m{i}b", "sender": "assistant", "text": f"Item {i} is a thing."},
            ],
        }
        for i in range(N)
    ]
    data = json.dumps({"conversations": chats, "meta": {"tool": "x"}}).encode()
    at = data.index(b'"chat 10",') + len(b'"chat 10",')
    items = list(claude_export.read(io.BytesIO(data[:at] + b"]" + data[at:]), "export.json"))
    assert len([i for i in items if not isinstance(i, Rejected)]) == N - 1
    assert [i.source.index for i in items if isinstance(i, Rejected)] == [10]


def test_pretty_printed_objects_one_after_another_cost_one_record_each():
    from loomcore.records import iter_json

    records = [
        {
            "messages": [
                {"role": "user", "content": f"q{i}?"},
                {"role": "assistant", "content": f"a{i}"},
            ]
        }
        for i in range(1000)
    ]
    text = "\n".join(json.dumps(r, indent=2) for r in records)  # as `jq .` writes them
    parts = text.split("\n{\n")
    parts[10] = parts[10].replace('"role"', '"role', 1)  # an unterminated string in record 10
    read = list(iter_json(io.BytesIO("\n{\n".join(parts).encode())))
    assert [r.index for r in read if r.error] == [10]
    assert [r.value for r in read if not r.error] == records[:10] + records[11:]


# one Claude conversation of one exchange, for the wrapped and detection cases
def _claude_conversation(i):
    return {
        "uuid": f"c{i}",
        "name": "t",
        "chat_messages": [
            {
                "uuid": f"u{i}",
                "sender": "human",
                "text": f"What is {i} squared?",
                "created_at": "2025-01-01T00:00:00Z",
            },
            {
                "uuid": f"a{i}",
                "sender": "assistant",
                "text": f"{i} squared is {i * i}.",
                "created_at": "2025-01-01T00:00:01Z",
            },
        ],
    }


def test_a_stray_bracket_and_brace_inside_a_wrapped_list_costs_nothing_after_it(tmp_path):
    from loomcore.pipeline import Pipeline, RunOptions

    body = ",".join(json.dumps(_claude_conversation(i)) for i in range(1000))
    cut = body.index('{"uuid": "c500"')
    src = tmp_path / "conversations.json"
    src.write_text(
        '{"conversations": [' + body[:cut] + "]}" + body[cut:] + "]}"
    )  # a stray "]}" after 499
    stats = Pipeline(options=RunOptions(formats=("raw",), max_rejected=1.0)).run(
        [str(src)], tmp_path / "out"
    )
    assert stats.conversations == 1000


def test_a_corrupt_first_record_does_not_hide_what_the_file_is(tmp_path):
    from loomcore.pipeline import Pipeline, RunOptions

    records = [json.dumps(_claude_conversation(i)) for i in range(1000)]
    records[0] = records[0].replace('"u0"', '"u0', 1)  # an unterminated string in the first record
    src = tmp_path / "conversations.json"
    src.write_text("[" + ", ".join(records) + "]")  # detected, not named with --input-format
    stats = Pipeline(options=RunOptions(formats=("raw",), max_rejected=1.0)).run(
        [str(src)], tmp_path / "out"
    )
    assert (stats.conversations, stats.rejected) == (999, 1)


# hostile shapes that cost quadratic time or unbounded memory (timed in
# benchmarks/bench_hostile.py --only read; here: what is kept and rejected)


def test_an_element_nested_past_the_parser_depth_costs_itself_only():
    deep = b'{"a":[' * 3000 + b"1" + b"]}" * 3000  # balanced, too deep for orjson
    data = (
        b"[" + b",".join([encode(conversations(1), "compact")[1:-1], deep, b'{"id": "c1"}']) + b"]"
    )
    got = list(iter_json(io.BytesIO(data)))
    assert [(r.index, r.error is None) for r in got] == [(0, True), (1, False), (2, True)]
    assert got[1].error.startswith("malformed JSON: depth limit exceeded")
    assert got[1].raw == deep
    assert got[2].value == {"id": "c1"}


def test_every_tenth_element_cut_short_keeps_every_good_one():
    # each broken element ran on to the end of the input (its "]}" missing)
    # and was scanned to it: 1,000 elements took minutes
    items = conversations(200)
    parts = [json.dumps(r, separators=(",", ":")).encode() for r in items]
    parts = [p[:-2] if i % 10 == 0 else p for i, p in enumerate(parts)]
    good, bad = read(b"[" + b",".join(parts) + b"]")
    assert good == {f"c{i}" for i in range(200) if i % 10}
    assert len(bad) == 20
    assert {r.error.split(":")[0] for r in bad} == {"malformed JSON"}
    assert [r.raw for r in bad] == [p for i, p in enumerate(parts) if i % 10 == 0]


def test_a_long_good_element_after_short_ones_is_not_split():
    # past eight times the longest element so far the reader looks for the
    # next element inside it; a long conversation holds none
    long = {
        "id": "long",
        "conversations": [{"from": "human", "value": f"turn {i} " + "x" * 50} for i in range(4000)],
    }
    items = [*conversations(3), long, *conversations(3)]
    got = list(iter_json(io.BytesIO(encode(items, "compact"))))
    assert [r.error for r in got] == [None] * 7
    assert [r.value for r in got] == items


@pytest.mark.parametrize("where", ["after the comma", "before the comma"])
def test_a_run_of_spaces_between_elements_is_not_held(where):
    one, two = (json.dumps(r).encode() for r in conversations(2))
    spaces = b" " * 40_000_000
    data = (
        b"[" + one + (b"," + spaces if where == "after the comma" else spaces + b",") + two + b"]"
    )
    got, peak = peak_bytes(gzip.compress(data, 1), 1 << 20)
    assert got == [(0, None, len(one), 0), (1, None, len(two), 0)]
    assert (
        peak < 8 << 20
    )  # a read chunk or two, not 40 MB (it held them all, then lost the element)


def test_a_long_cut_first_line_of_json_lines_is_not_read_as_one_document():
    # the head (64 KB) ends inside line 2: no whole line after the first to go
    # by, so the file was one document over the limit, and every line lost
    first = b'{"messages": [{"role": "user", "content": "' + b"x" * 65_450
    lines = [json.dumps(r).encode() for r in conversations(3000)]
    token = limits.set(Limits(max_record_bytes=300_000))
    try:
        got = list(iter_json(io.BytesIO(b"\n".join([first, *lines]) + b"\n")))
    finally:
        limits.reset(token)
    assert [r.index for r in got] == list(range(1, 3002))
    assert got[0].error == (
        f"malformed JSON: unexpected end of data: line 1 column {len(first) + 1} (char {len(first)})"
    )
    assert [r.value["id"] for r in got[1:]] == [f"c{i}" for i in range(3000)]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    spaces=st.lists(st.text(alphabet=" \t\r\n", max_size=300), min_size=12, max_size=12),
    n=st.integers(1, 5),
)
def test_fuzz_white_space_between_tokens_changes_no_element(monkeypatch, spaces, n):
    # tiny reads, so that runs of white space span many chunks and are squeezed
    monkeypatch.setattr(records, "READ_BYTES", 16)
    monkeypatch.setattr(records, "HEAD_BYTES", 16)
    items = conversations(n)
    ws = [s.encode() for s in spaces]
    parts = [
        json.dumps(r, separators=("," + spaces[i % 3], ":")).encode() for i, r in enumerate(items)
    ]
    body = b"".join(ws[i % 6 + 6] + p + ws[i % 6] + b"," for i, p in enumerate(parts))[:-1]
    data = b"[" + body + ws[5] + b"]" + ws[4]
    got = list(iter_json(io.BytesIO(data)))
    assert [(r.error, r.value) for r in got] == [(None, r) for r in items]


@pytest.mark.parametrize("shape", ["compact", "pretty"])
@pytest.mark.parametrize("corruption", sorted(SHAPES))
@pytest.mark.parametrize("max_bytes", [64 * 1024, 16 << 20])
def test_a_broken_first_element_keeps_every_good_one_after_it(shape, corruption, max_bytes):
    # no model of the elements yet: the scan of the first one runs on (to the
    # end of the input, or to the size limit when the file is larger), then
    # the search resumes right after it: every element after it is read
    data = encode(conversations(), shape)
    a, b = element(data, 0)
    token = limits.set(Limits(max_record_bytes=max_bytes))
    try:
        good, errors = read(SHAPES[corruption](data, a, b))
    finally:
        limits.reset(token)
    assert len(data) > 64 * 1024  # the small limit is below the file's size
    assert good == {f"c{i}" for i in range(1, N)}
    assert [(e.index, e.error.startswith("malformed JSON")) for e in errors] == [(0, True)]
