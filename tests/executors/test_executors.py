"""The process and ray executors give the same output as running here, in order."""

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


def test_spawned_workers_load_the_plugins_and_their_options(tmp_path, monkeypatch, caplog):
    """Where processes are spawned (macOS, Windows) nothing is inherited: the
    workers must load the plugins and take the run's options themselves."""
    import orjson
    from loomcore_plugins.executors import process

    from loomcore import hookimpl
    from loomcore.registry import Registry, get_plugin_manager

    monkeypatch.delenv("LOOMCORE_TAXONOMY", raising=False)
    monkeypatch.setattr(process, "start_method", lambda: "spawn")
    taxonomy = tmp_path / "tax.toml"
    taxonomy.write_text('replace = true\n[topics]\nbandits = ["thompson sampling", "arm"]\n')
    options = {"default_enricher": {"taxonomy": str(taxonomy)}}
    Pipeline(options=RunOptions(plugin_options=options)).run(None, tmp_path / "here")
    Pipeline(options=RunOptions(executor="process", workers=2, plugin_options=options)).run(
        None, tmp_path / "pool"
    )
    for name in ("alpaca.jsonl", "chatml.jsonl", "raw.jsonl"):
        assert (tmp_path / "pool" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()
    topics = {
        t
        for line in (tmp_path / "pool" / "raw.jsonl").read_bytes().splitlines()
        for t in orjson.loads(line)["metadata"]["topics"]
    }
    assert topics == {"bandits"}  # the workers used the configured taxonomy

    class InProcess:
        @hookimpl
        def register_enrichers(self, register):
            pass

    pm = get_plugin_manager()
    pm.register(InProcess(), name="in_process")
    Pipeline(Registry(pm), RunOptions(executor="process", workers=1)).run(None, tmp_path / "warn")
    assert (
        "process executor: in-process plugins in_process do not reach spawned workers"
        in caplog.messages
    )


def test_cli_executor_options(tmp_path):
    result = CliRunner().invoke(
        cli, ["run", "-o", str(tmp_path), "--executor", "process", "--workers", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "wrote 8 lines to" in result.output


def test_unknown_executor_is_a_clear_error(tmp_path):
    with pytest.raises(
        LoomcoreError, match=r"unknown executor 'slurm' \(available: local, process, ray\)"
    ):
        Pipeline(options=RunOptions(executor="slurm")).run(None, tmp_path)


def many_conversations(path, copies):
    """The sample, ``copies`` times over with fresh ids: enough for several windows."""
    import orjson

    from loomcore.inputs import sample_path

    rows = [orjson.loads(x) for x in sample_path().read_bytes().splitlines()]
    with open(path, "wb") as fh:
        for n in range(copies):
            for row in rows:
                fh.write(orjson.dumps({**row, "id": f"{row['id']}-{n}"}) + b"\n")
    return str(path)


@pytest.mark.slow
@pytest.mark.ray
def test_ray_executor_matches_local_byte_for_byte(tmp_path, monkeypatch):
    pytest.importorskip("ray.data", reason="the ray extra is not installed")
    from loomcore_plugins.executors import ray_data

    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    monkeypatch.setattr(ray_data, "WINDOW", 50)  # several windows, to check their order
    corpus = many_conversations(tmp_path / "many.jsonl", 12)  # 156 conversations
    options = {"split": 0.9, "formats": ("alpaca", "chatml", "raw")}
    here = Pipeline(options=RunOptions(**options)).run([corpus], tmp_path / "here")
    on_ray = Pipeline(options=RunOptions(executor="ray", workers=2, **options)).run(
        [corpus], tmp_path / "ray"
    )
    assert on_ray.memories == here.memories == 156
    names = sorted(p.name for p in (tmp_path / "here").glob("*.jsonl"))
    assert names == sorted(p.name for p in (tmp_path / "ray").glob("*.jsonl"))
    assert len(names) == 6
    for name in [*names, "summary.json"]:
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()
    import ray

    assert not ray.is_initialized()  # the local Ray it started is stopped


def test_ray_executor_without_ray_is_a_clear_error(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray" or name.startswith("ray."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(
        LoomcoreError, match=r"the ray executor needs Ray Data: pip install 'loomcore\[ray\]'"
    ):
        Pipeline(options=RunOptions(executor="ray")).run(None, tmp_path)


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
@pytest.mark.ray
def test_ray_executor_joins_the_cluster_at_ray_address(tmp_path):
    pytest.importorskip("ray.data", reason="the ray extra is not installed")
    import os
    import subprocess
    import sys
    from pathlib import Path

    ray_cli = str(Path(sys.executable).with_name("ray"))
    port = _free_port()
    env = {**os.environ, "RAY_AUTH_MODE": "disabled"}
    start = [ray_cli, "start", "--head", "--num-cpus", "2", "--port", str(port)]
    start += ["--node-ip-address", "127.0.0.1", "--include-dashboard=false"]
    subprocess.run([*start, "--disable-usage-stats"], env=env, check=True, capture_output=True)
    try:
        # a separate driver process, as a user's `loomcore run` would be: one
        # process that already ran a local Ray cannot join another cluster
        corpus = many_conversations(tmp_path / "many.jsonl", 4)
        here = Pipeline(options=RunOptions(formats=("raw",))).run([corpus], tmp_path / "here")
        loomcore = str(Path(sys.executable).with_name("loomcore"))
        cmd = [loomcore, "run", corpus, "-q", "-f", "raw", "--executor", "ray"]
        done = subprocess.run(
            [*cmd, "-o", str(tmp_path / "cluster")],
            env={**env, "RAY_ADDRESS": f"127.0.0.1:{port}"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        raw = (tmp_path / "here" / "raw.jsonl").read_bytes()
        assert raw and (tmp_path / "cluster" / "raw.jsonl").read_bytes() == raw
        assert here.memories == 52
        # without RAY_ADDRESS the run starts a Ray of its own beside that head node
        alone = {k: v for k, v in env.items() if k != "RAY_ADDRESS"}
        done = subprocess.run(
            [*cmd, "-o", str(tmp_path / "alone"), "--workers", "1"],
            env=alone,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert (tmp_path / "alone" / "raw.jsonl").read_bytes() == raw
    finally:
        subprocess.run([ray_cli, "stop", "--force"], env=env, capture_output=True)


def test_an_unreachable_ray_address_is_a_clear_error(tmp_path, monkeypatch):
    pytest.importorskip("ray.data", reason="the ray extra is not installed")
    from loomcore_plugins.executors import ray_data

    def refuse(**kwargs):
        raise ConnectionError("Failed to connect to Ray cluster at 10.9.9.9:6379")

    monkeypatch.setenv("RAY_ADDRESS", "10.9.9.9:6379")
    monkeypatch.setattr("ray.init", refuse)
    with pytest.raises(LoomcoreError) as info:
        ray_data._connect(2)
    assert str(info.value) == (
        "the ray executor cannot connect to the cluster at RAY_ADDRESS=10.9.9.9:6379: "
        "Failed to connect to Ray cluster at 10.9.9.9:6379"
    )
