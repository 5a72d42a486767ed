"""Fuzzing with hypothesis: whatever the input, every reader yields conversations
or clean rejections, and the whole pipeline writes only valid JSON lines.

Seeded (derandomize) and bounded so that CI runs are repeatable and short.
"""

import io
import json

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loomcore import Conversation, default_registry
from loomcore.model import Rejected
from loomcore.pipeline import Pipeline, RunOptions

FUZZ = settings(
    derandomize=True, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
message = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["user", "assistant", "system", "tool", "alien", 3]),
        "content": json_values | st.text(),
    }
)
records = st.one_of(
    st.fixed_dictionaries(
        {"instruction": json_values | st.text(), "output": json_values | st.text()}
    ),
    st.fixed_dictionaries({"messages": st.lists(message, max_size=5) | json_values}),
    st.fixed_dictionaries(
        {
            "conversations": st.lists(
                st.fixed_dictionaries(
                    {
                        "from": st.sampled_from(["human", "gpt", "observation", "x"]),
                        "value": json_values | st.text(),
                    }
                ),
                max_size=5,
            )
        }
    ),
    st.fixed_dictionaries(
        {
            "chat_messages": st.lists(
                st.dictionaries(st.sampled_from(["sender", "text", "content"]), json_values),
                max_size=4,
            )
        }
    ),
    st.fixed_dictionaries({"mapping": json_values, "current_node": json_values}),
    st.fixed_dictionaries(
        {"id": json_values, "text": json_values, "metadata": json_values, "importance": json_values}
    ),
    json_values,
)


def file_bytes(items, as_lines):
    if as_lines:
        return b"\n".join(orjson.dumps(i) for i in items)
    return orjson.dumps(items)


@FUZZ
@given(st.lists(records, max_size=5), st.booleans(), st.binary(max_size=64))
def test_every_reader_yields_conversations_or_rejections(items, as_lines, junk):
    for data in (file_bytes(items, as_lines), junk, file_bytes(items, as_lines) + junk):
        for reader in default_registry().readers.values():
            if reader.name == "conversation_log":
                continue  # reads SQLite files, covered by the log's tests
            for item in reader.read(io.BytesIO(data), "fuzz.jsonl"):
                assert isinstance(item, Conversation | Rejected)
                if isinstance(item, Conversation):
                    assert all(isinstance(t.content, str) and t.content for t in item.turns)


@FUZZ
@given(st.lists(records, max_size=6), st.booleans(), st.text(max_size=200))
def test_the_pipeline_writes_only_valid_json_lines(tmp_path_factory, items, as_lines, free_text):
    tmp = tmp_path_factory.mktemp("fuzz")
    src = tmp / "in.jsonl"
    good = {
        "instruction": "What is a mutex? " + free_text,
        "output": "A mutex is a lock. " + free_text,
    }
    src.write_bytes(file_bytes([good, *items], as_lines))
    stats = Pipeline(options=RunOptions(min_importance=0.0, input_format=None)).run(
        [str(src)], tmp / "out"
    )
    for path in (tmp / "out").glob("*.jsonl"):
        # JSON Lines are split on "\n" only: U+2028 or NEL inside a string is valid JSON
        for line in path.read_text(encoding="utf-8").split("\n")[:-1]:
            json.loads(line)
    assert stats.conversations + stats.rejected >= 1


@FUZZ
@given(
    items=st.lists(json_values, max_size=8),
    indent=st.booleans(),
    chunk=st.integers(1, 16),
    cut=st.integers(0, 200),
)
def test_json_arrays_stream_element_by_element_as_parsed_whole(items, indent, chunk, cut):
    """Read in chunks as small as one byte, a JSON array gives exactly the
    elements orjson finds in it whole, each with its own raw text; cut short,
    it gives the complete elements and one clean rejection."""
    from loomcore import records

    data = orjson.dumps(items, option=orjson.OPT_INDENT_2 if indent else 0)
    saved = records.READ_BYTES
    records.READ_BYTES = chunk
    try:
        got = list(records.iter_json(io.BytesIO(data)))
        whole = orjson.loads(data)  # (orjson writes inf as null)
        assert [r.value for r in got] == whole
        assert all(r.error is None and orjson.loads(r.raw) == r.value for r in got)
        truncated = data[: min(cut, len(data) - 1)] if len(data) > 1 else data
        partial = list(records.iter_json(io.BytesIO(truncated)))
    finally:
        records.READ_BYTES = saved
    good = [r for r in partial if r.error is None]
    assert [r.value for r in good] == whole[: len(good)]
    assert all(
        r.error.startswith("malformed JSON") or r.error == "empty file" for r in partial if r.error
    )
