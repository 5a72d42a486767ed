"""Long runs show progress on a terminal, and nothing in a pipe or with --quiet."""

import io

from click.testing import CliRunner
from rich.console import Console

from loomcore.cli import cli
from loomcore.inputs import sample_path
from loomcore.pipeline import Pipeline, RunOptions
from loomcore.progress import Progress, TerminalProgress


class Recorder(Progress):
    def __init__(self):
        self.calls = []

    def start(self, total_bytes):
        self.calls.append(("start", total_bytes))

    def advance(self, bytes_read, records):
        self.calls.append(("advance", bytes_read, records))

    def stage(self, name):
        self.calls.append(("stage", name))

    def finish(self):
        self.calls.append(("finish",))


def test_the_pipeline_reports_bytes_read_against_the_input_size(tmp_path):
    recorder = Recorder()
    stats = Pipeline(options=RunOptions(), progress=recorder).run(None, tmp_path)
    size = sample_path().stat().st_size
    assert recorder.calls[0] == ("start", size)
    advances = [c for c in recorder.calls if c[0] == "advance"]
    # one report per record read, never backwards, ending at the whole file
    assert len(advances) == stats.conversations
    assert [a[1] for a in advances] == sorted(a[1] for a in advances)
    assert advances[-1][1] == size
    assert advances[-1][2] == stats.conversations
    assert recorder.calls[-2:] == [("stage", "writing"), ("finish",)]


def test_stdin_has_no_total(tmp_path, monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(sample_path().read_bytes())))
    Pipeline(options=RunOptions(), progress=recorder).run(["-"], tmp_path)
    assert recorder.calls[0] == ("start", None)


def test_terminal_progress_draws_a_bar_with_records_and_eta(tmp_path):
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=160)
    Pipeline(options=RunOptions(), progress=TerminalProgress(console)).run(None, tmp_path)
    drawn = screen.getvalue()
    assert "reading" in drawn or "writing" in drawn
    assert "conversations" in drawn and "ETA" in drawn


def test_no_progress_bar_in_a_pipe_and_nothing_at_all_with_quiet(tmp_path):
    result = CliRunner().invoke(cli, ["run", "-o", str(tmp_path / "a")], catch_exceptions=False)
    assert result.exit_code == 0
    assert "ETA" not in result.output and "\x1b[" not in result.output
    assert "wrote 8 lines to" in result.output
    quiet = CliRunner().invoke(
        cli, ["run", "-q", "-o", str(tmp_path / "b")], catch_exceptions=False
    )
    assert quiet.exit_code == 0 and quiet.output == ""
    assert (tmp_path / "b" / "alpaca.jsonl").read_bytes() == (
        tmp_path / "a" / "alpaca.jsonl"
    ).read_bytes()
