"""Token budgets: the counter --tokenizer chooses (the estimate, a local
tokenizer.json, a cached tiktoken encoding) and --max-tokens dropping
over-long examples as quality:too_many_tokens."""

import importlib.util
import json

import pytest
from click.testing import CliRunner

from loomcore import counting
from loomcore.cli import cli
from loomcore.registry import LoomcoreError


def word_tokenizer(directory):
    """A word-level tokenizer.json built here (no download): one token a word
    or punctuation mark; returns its path and the tokenizer."""
    tokenizers = pytest.importorskip("tokenizers")
    tok = tokenizers.Tokenizer(tokenizers.models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    tok.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    path = directory / "tokenizer.json"
    tok.save(str(path))
    return path, tok


@pytest.fixture
def tokenizer_json(tmp_path):
    return word_tokenizer(tmp_path)[0]


def test_the_default_is_the_estimate():
    assert counting.counter(None)("x" * 40) == 10
    assert counting.counter("estimate")("x" * 40) == 10
    assert counting.label(None) == "estimated tokens"


def test_a_local_tokenizer_json_counts_its_tokens(tokenizer_json):
    count = counting.counter(str(tokenizer_json))
    assert count("Why is the sky blue?") == 6
    # a directory holding tokenizer.json names it too
    assert counting.counter(str(tokenizer_json.parent))("a b") == 2


def test_tokenizers_that_cannot_be_had_are_one_line_errors(tmp_path, monkeypatch):
    with pytest.raises(LoomcoreError, match=r"^--tokenizer .*nope.json: no such tokenizer file$"):
        counting.counter(str(tmp_path / "nope.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    # without the optional package the file cannot even be read: one line that says so
    has_tokenizers = importlib.util.find_spec("tokenizers") is not None
    expected = (
        r"bad.json: not a tokenizer.json"
        if has_tokenizers
        else r"bad.json: needs the tokenizers package \(pip install 'loomcore\[tokenizers\]'\)"
    )
    with pytest.raises(LoomcoreError, match=expected):
        counting.counter(str(bad))
    with pytest.raises(LoomcoreError, match="no token counter reads it"):
        counting.counter("Not A Tokenizer")


def test_a_tiktoken_encoding_is_never_downloaded(tmp_path, monkeypatch):
    pytest.importorskip("tiktoken")
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "empty-cache"))
    with pytest.raises(LoomcoreError) as err:
        counting.counter("r50k_base", registry=_fresh_registry())
    assert str(err.value) == (
        "--tokenizer r50k_base: the tiktoken encoding is not in its cache "
        "(TIKTOKEN_CACHE_DIR), and loomcore downloads nothing"
    )


def _fresh_registry():
    # counters are cached per registry: a new one loads again
    from loomcore.registry import Registry, get_plugin_manager

    return Registry(get_plugin_manager(only=["token_counters"]))


def write_chats(path):
    """Three conversations whose answers are 5, 60 and 200 words long."""
    rows = []
    for i, words in enumerate((5, 60, 200)):
        answer = " ".join(["Widgets hold panels"] + ["firmly"] * words) + "."
        rows.append(
            {
                "id": f"c{i}",
                "messages": [
                    {"role": "user", "content": f"What does widget {i} do?"},
                    {"role": "assistant", "content": answer},
                ],
            }
        )
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")


def run(tmp_path, *args):
    tmp_path.mkdir()
    src = tmp_path / "chats.jsonl"
    write_chats(src)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["run", str(src), "-o", str(out), "-f", "raw", "-q", *args])
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in (out / "raw.jsonl").read_text().splitlines()]
    return rows, json.loads((out / "summary.json").read_text())


def lengths(rows, count):
    return [
        count(r["instruction"] + r["input"] + r["output"] + "".join(u + a for u, a in r["history"]))
        for r in rows
    ]


def test_max_tokens_drops_over_long_examples_with_a_reason(tmp_path):
    everything, _ = run(tmp_path / "a")
    sizes = lengths(everything, counting.counter(None))
    kept, summary = run(tmp_path / "b", "--max-tokens", "100")
    over = sum(n > 100 for n in sizes)
    assert over > 0
    assert summary["examples_filtered"] == {"quality:too_many_tokens": over}
    assert len(kept) == len(everything) - over
    assert all(n <= 100 for n in lengths(kept, counting.counter(None)))


def test_max_tokens_counts_with_the_tokenizer_given(tmp_path, tokenizer_json):
    count = counting.counter(str(tokenizer_json))
    everything, _ = run(tmp_path / "a")
    sizes = lengths(everything, count)
    kept, summary = run(tmp_path / "b", "--max-tokens", "100", "--tokenizer", str(tokenizer_json))
    over = sum(n > 100 for n in sizes)
    assert 0 < over < len(sizes)
    assert summary["examples_filtered"] == {"quality:too_many_tokens": over}
    assert sorted(lengths(kept, count)) == sorted(n for n in sizes if n <= 100)


def test_an_unreadable_tokenizer_stops_the_run_with_one_line(tmp_path):
    src = tmp_path / "chats.jsonl"
    write_chats(src)
    result = CliRunner().invoke(
        cli, ["run", str(src), "-o", str(tmp_path / "o"), "--tokenizer", str(tmp_path / "x.json")]
    )
    assert result.exit_code == 1
    assert result.output == f"Error: --tokenizer {tmp_path / 'x.json'}: no such tokenizer file\n"


def test_check_counts_with_the_tokenizer_given(tmp_path, tokenizer_json):
    row = {
        "messages": [
            {"role": "user", "content": "a b c"},
            {"role": "assistant", "content": "d e f"},
        ]
    }
    (tmp_path / "chatml.jsonl").write_text(json.dumps(row) + "\n")
    args = ["check", str(tmp_path), "--for", "trl"]
    # the row's strings, "user", "a b c", "assistant", "d e f": 8 words, 26 characters
    with_words = CliRunner().invoke(
        cli, [*args, "--max-tokens", "5", "--tokenizer", str(tokenizer_json)]
    )
    assert with_words.output.splitlines()[0] == (
        "chatml.jsonl: trl: truncate 1 row (line 1): over max_length 5 tokens"
    )
    estimated = CliRunner().invoke(cli, [*args, "--max-tokens", "7"])
    assert estimated.output.splitlines()[0] == "chatml.jsonl: trl: ok (1 row)"
