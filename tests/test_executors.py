"""The process executor gives the same output as running here, in order."""

import pytest
from click.testing import CliRunner

from loomcore.cli import cli
from loomcore.pipeline import Pipeline, RunOptions
from loomcore.registry import LoomcoreError


def test_process_executor_matches_local_byte_for_byte(tmp_path):
    here = Pipeline(options=RunOptions()).run(None, tmp_path / "here")
    pool = Pipeline(options=RunOptions(executor="process", workers=2)).run(None, tmp_path / "pool")
    for name in ("alpaca.jsonl", "chatml.jsonl", "raw.jsonl", "summary.json"):
        assert (tmp_path / "pool" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()
    assert (
        pool.stage_seconds.keys()
        == here.stage_seconds.keys()
        == {"redact_score", "enrich", "mine", "build", "export"}
    )


def test_cli_executor_options(tmp_path):
    result = CliRunner().invoke(
        cli, ["run", "-o", str(tmp_path), "--executor", "process", "--workers", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "wrote 18 lines to" in result.output


def test_unknown_executor_is_a_clear_error(tmp_path):
    with pytest.raises(
        LoomcoreError, match=r"unknown executor 'slurm' \(available: local, process\)"
    ):
        Pipeline(options=RunOptions(executor="slurm")).run(None, tmp_path)
