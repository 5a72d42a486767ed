"""``loomcore stats`` describes an output directory or one file from what is in it."""

import json
from collections import Counter

import pytest
from click.testing import CliRunner

from loomcore.cli import cli
from loomcore.dataset_stats import describe, length_histogram
from loomcore.pipeline import Pipeline, RunOptions


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    Pipeline(options=RunOptions()).run(None, out)
    return out


def stats(*args):
    result = CliRunner().invoke(cli, ["stats", *map(str, args)], catch_exceptions=False)
    return result


def test_json_counts_match_the_files_and_the_manifest(out_dir):
    report = json.loads(stats(out_dir, "--json").output)
    raw = [json.loads(x) for x in (out_dir / "raw.jsonl").read_text().splitlines()]
    # one example per exchange the sample keeps (see tests/core/test_compose.py)
    assert report["examples"] == len(raw) == 8
    assert report["described_from"] == "raw.jsonl"
    assert report["lines_by_format"] == {
        "alpaca": 8,
        "chatml": 8,
        "raw": 8,
        "sharegpt": 8,
        "text": 8,
    }
    assert report["examples_by_type"] == dict(
        sorted(Counter(r["metadata"]["pattern_type"] for r in raw).items())
    )
    assert report["examples_by_type"] == {
        "causal": 1,
        "comparison": 2,
        "definition": 1,
        "procedure": 2,
        "qa_pair": 2,
    }
    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert report["examples_removed"] == manifest["examples"]["filtered"] == {}
    assert report["examples_built"] == 8
    assert sum(report["confidence_histogram"].values()) == 8
    assert sum(report["length_histogram"].values()) == 8
    topics = Counter(t for r in raw for t in r["metadata"]["topics"])
    assert report["top_topics"][0] == [*topics.most_common(1)[0]]


def test_terminal_report_has_tables_and_histograms(out_dir):
    result = stats(out_dir)
    assert result.exit_code == 0
    out = result.output
    assert out.startswith(f"{out_dir}: 8 examples\n")
    for heading in ("files", "examples by pattern type", "confidence", "length (estimated tokens)"):
        assert heading in out
    assert "│ qa_pair      │ 2        │ 25.0% │" in out
    assert "removed after building 8: none" in out
    assert "█" in out


@pytest.mark.parametrize("fmt", ["alpaca", "chatml", "raw", "sharegpt", "text"])
def test_one_file_of_each_format(out_dir, fmt):
    report = describe(out_dir / f"{fmt}.jsonl")
    assert report["files"][0]["format"] == fmt
    assert report["examples"] == 8
    assert ("examples_by_type" in report) == (fmt == "raw")
    assert "examples_removed" not in report


def test_length_buckets():
    assert length_histogram([1, 64, 65, 9000]) == {
        "<=64": 2,
        "<=128": 1,
        "<=256": 0,
        "<=512": 0,
        "<=1024": 0,
        "<=2048": 0,
        "<=4096": 0,
        "<=8192": 0,
        ">8192": 1,
    }


def test_bad_paths_are_clean_errors(tmp_path):
    missing = stats(tmp_path / "nope")
    assert missing.exit_code == 1
    assert missing.output == f"Error: {tmp_path / 'nope'}: no such file or directory\n"
    assert stats(tmp_path).output == f"Error: {tmp_path}: holds no JSONL files of examples\n"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{not json\n')
    result = stats(bad)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {bad}:2: not a JSON line (")


def test_token_histogram_for_the_tokenizer_given(out_dir, tmp_path):
    from loomcore.dataset_stats import example_text
    from tests.core.test_tokens import word_tokenizer

    path, tok = word_tokenizer(tmp_path)
    report = json.loads(stats(out_dir, "--json", "--tokenizer", path).output)
    assert report["length_unit"] == f"tokens of {path}"
    raw = [json.loads(x) for x in (out_dir / "raw.jsonl").read_text().splitlines()]
    words = [len(tok.encode(example_text(r), add_special_tokens=False).ids) for r in raw]
    assert report["length_histogram"] == length_histogram(words)
    assert report["tokens_estimate"]["max"] == max(words)
    out = stats(out_dir, "--tokenizer", path).output
    assert "length (tokens of" in out  # the table's title, wrapped to the terminal
    assert f"tokens of {path} per example: min {min(words)}" in out
