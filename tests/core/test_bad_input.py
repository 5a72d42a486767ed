"""Bad input is refused clearly: the file, the line and the field; the run goes
on (quarantine) or stops (exit 1) as asked; never a traceback."""

import io
import json

import pytest
from click.testing import CliRunner

from loomcore.cli import cli

GOOD = json.dumps(
    {
        "instruction": "What is a mutex?",
        "output": "A mutex is a lock that lets one thread in at a time.",
    }
)


LOUD = ("--max-rejected", "1")


def run(tmp_path, body: bytes, *args, name="in.jsonl"):
    src = tmp_path / name
    src.write_bytes(body)
    out = tmp_path / "out"
    # one bad record of two is over the default --max-rejected (tests/core/test_faults.py):
    # here the run must go on and write what it read
    result = CliRunner().invoke(
        cli,
        ["run", str(src), "-o", str(out), "-f", "alpaca", "--input-format", "alpaca", *LOUD, *args],
    )
    return src, out, result


CASES = {
    "malformed JSON line": (
        b'{"instruction": "x", "output": \n',
        "malformed JSON: unexpected end of data",
    ),
    "number where text belongs": (
        b'{"instruction": 42, "output": "y"}\n',
        "expected text, got int @ $.instruction",
    ),
    "list where an object belongs": (b"[[1, 2]]\n", "expected an object, got list @ $"),
    "missing field": (
        b'{"instruction": "What is it?"}\n',
        "expected text, got NoneType @ $.output",
    ),
    "invalid UTF-8": (
        b'{"instruction": "\xff\xfe", "output": "y"}\n',
        "malformed JSON: str is not valid UTF-8",
    ),
    "lone surrogate": (
        b'{"instruction": "\\ud800", "output": "y"}\n',
        "malformed JSON: no low surrogate in string",
    ),
    "NUL byte": (
        b'{"instruction": "a\x00b", "output": "y"}\n',
        "malformed JSON: unexpected control character in string",
    ),
    "nested 10,000 levels": (
        b'{"instruction": ' + b"[" * 10_000 + b"]" * 10_000 + b', "output": "y"}\n',
        "malformed JSON: depth limit exceeded",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_record_is_quarantined_and_the_run_goes_on(tmp_path, case):
    body, reason = CASES[case]
    line = 2 if not body.startswith(b"[") else 0
    data = (GOOD.encode() + b"\n" + body) if line == 2 else body
    src, out, result = run(tmp_path, data)
    assert result.exit_code == 0, result.output
    [rejected] = [json.loads(x) for x in (out / "quarantine.jsonl").read_text().splitlines()]
    assert (rejected["path"], rejected["index"]) == (str(src), line)
    assert rejected["reason"].startswith(reason)
    if line == 2:  # the bad line is kept verbatim
        assert rejected["raw"] == body.rstrip(b"\n").decode("utf-8", "replace")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["records"]["rejected"] == 1
    assert (
        manifest["records"]["read"]
        == manifest["records"]["rejected"] + manifest["records"]["conversations"]
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_on_error_fail_stops_with_a_clear_message(tmp_path, case):
    body, reason = CASES[case]
    src, out, result = run(tmp_path, body, "--on-error", "fail")
    assert result.exit_code == 1
    index = 0 if body.startswith(b"[") else 1
    assert result.output.startswith(f"Error: {src}:{index}: {reason}")
    assert "Traceback" not in result.output
    assert not out.exists() or not list(out.glob("*.jsonl"))


def test_empty_file(tmp_path):
    src, out, result = run(tmp_path, b"")
    assert result.exit_code == 0
    [rejected] = [json.loads(x) for x in (out / "quarantine.jsonl").read_text().splitlines()]
    assert rejected["reason"] == "empty file"
    src, out, result = run(tmp_path, b"  \n", "--on-error", "fail")
    assert result.output == f"Error: {src}:0: empty file\n"


def test_record_over_the_size_limit(tmp_path):
    big = json.dumps(
        {"instruction": "Summarise this.", "output": "word " * 10_000_000}
    ).encode()  # 50 MB
    _, out, result = run(tmp_path, GOOD.encode() + b"\n" + big + b"\n")
    assert result.exit_code == 0
    [rejected] = [json.loads(x) for x in (out / "quarantine.jsonl").read_text().splitlines()]
    assert (
        rejected["reason"]
        == f"record of {len(big):,} bytes is over the limit of 16,777,216 bytes (--max-record-bytes)"
    )
    # kept whole up to the limit, and the rest counted, not held in memory
    assert len(rejected["raw"]) == 16 * 1024 * 1024
    assert rejected["raw"] == big[: 16 * 1024 * 1024].decode()
    assert rejected["bytes_not_kept"] == len(big) - 16 * 1024 * 1024
    assert len((out / "alpaca.jsonl").read_text().splitlines()) >= 1


def test_turn_limit(tmp_path):
    conv = {
        "conversations": [
            {"from": "human", "value": "hi?"},
            {"from": "gpt", "value": "hello there friend"},
        ]
        * 3
    }
    src = tmp_path / "c.json"
    src.write_text(json.dumps([conv]))
    result = CliRunner().invoke(
        cli, ["run", str(src), "-o", str(tmp_path / "o"), "--max-turns", "4", "--max-rejected", "1"]
    )
    assert result.exit_code == 0
    [rejected] = [
        json.loads(x) for x in (tmp_path / "o" / "quarantine.jsonl").read_text().splitlines()
    ]
    assert rejected["reason"] == "conversation of 6 turns is over the limit of 4 (--max-turns)"


def test_manifest_reconciles_on_the_bundled_sample(tmp_path):
    result = CliRunner().invoke(cli, ["run", "-o", str(tmp_path)])
    assert result.exit_code == 0
    m = json.loads((tmp_path / "manifest.json").read_text())
    assert m["records"]["read"] == m["records"]["rejected"] + m["records"]["conversations"] == 13
    assert (
        m["exchanges"]["total"] == m["exchanges"]["filtered"]["importance"] + m["exchanges"]["used"]
    )
    assert m["patterns"]["mined"] == m["patterns"]["filtered"]["confidence"] + sum(
        m["patterns"]["kept_by_type"].values()
    )
    assert m["examples"]["built"] == sum(m["examples_by_type"].values()) == 8
    assert m["examples"]["kept"] == m["examples"]["built"] - sum(m["examples"]["filtered"].values())
    assert m["examples"]["filtered"] == {}
    assert m["examples"]["kept"] == m["lines_by_format"]["alpaca"] == 8
    [facts] = m["inputs"]
    assert facts["bytes"] > 0 and len(facts["sha256"]) == 64
    assert {"name": "qa_pair", "distribution": "loomcore", "version": "0.1.0"} in m["plugins"]
    assert not (tmp_path / "quarantine.jsonl").exists()


def test_line_numbers_count_leading_blank_lines(tmp_path):
    _, out, _ = run(tmp_path, b"\n\n" + GOOD.encode() + b"\n{oops\n")
    [rejected] = [json.loads(x) for x in (out / "quarantine.jsonl").read_text().splitlines()]
    assert rejected["index"] == 4 and rejected["raw"] == "{oops"


def test_array_element_over_the_size_limit_is_skipped_as_it_streams(tmp_path):
    big = {"instruction": "Summarise this.", "output": "word " * 1000}
    body = json.dumps([json.loads(GOOD), big, json.loads(GOOD)], indent=1).encode()
    src, out, result = run(tmp_path, body, "--max-record-bytes", "1000", name="in.json")
    assert result.exit_code == 0, result.output
    [rejected] = [json.loads(x) for x in (out / "quarantine.jsonl").read_text().splitlines()]
    assert (rejected["path"], rejected["index"]) == (str(src), 1)
    size = int(rejected["reason"].split()[2].replace(",", ""))
    assert 5000 < size < 5100  # the element, as it is in the file
    assert rejected["reason"] == (
        f"record of {size:,} bytes is over the limit of 1,000 bytes (--max-record-bytes)"
    )
    assert rejected["raw"].startswith('{\n  "instruction": "Summarise this."')
    # the first bytes up to the limit, and how many more there were
    assert len(rejected["raw"]) == 1000
    assert rejected["bytes_not_kept"] == size - 1000
    assert (
        len((out / "alpaca.jsonl").read_text().splitlines()) == 1
    )  # the two good ones, deduplicated


def test_a_json_array_is_read_as_it_goes(tmp_path, monkeypatch):
    from loomcore import records

    class Counting:
        def __init__(self, data):
            self.inner, self.read_bytes = io.BytesIO(data), 0

        def read(self, n=-1):
            chunk = self.inner.read(n)
            self.read_bytes += len(chunk)
            return chunk

    monkeypatch.setattr(records, "HEAD_BYTES", 4096)
    monkeypatch.setattr(records, "READ_BYTES", 4096)
    data = json.dumps([json.loads(GOOD)] * 10_000).encode()  # 1.1 MB
    stream = Counting(data)
    first = next(records.iter_json(stream))
    assert first.value == json.loads(GOOD) and first.raw == GOOD.encode()
    assert stream.read_bytes == 4096  # one chunk, not the whole file


def test_a_glob_over_a_symlink_loop_reads_each_file_once(tmp_path):
    from loomcore.inputs import expand

    (tmp_path / "d" / "e").mkdir(parents=True)
    (tmp_path / "d" / "a.jsonl").write_text(GOOD + "\n")
    (tmp_path / "d" / "e" / "b.jsonl").write_text(GOOD + "\n")
    (tmp_path / "d" / "e" / "up").symlink_to("..")  # d/e/up -> d: a loop
    (tmp_path / "d" / "e" / "also").symlink_to("../a.jsonl")  # a file met twice
    assert expand([f"{tmp_path}/d/**/*.jsonl"]) == [
        f"{tmp_path}/d/a.jsonl",
        f"{tmp_path}/d/e/b.jsonl",
    ]
