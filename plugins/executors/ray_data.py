"""ray: the per-exchange work on Ray Data, on a local Ray or an existing cluster.

Installed with ``pip install 'loomcore[ray]'``.  With ``RAY_ADDRESS`` set it
connects to that cluster; otherwise it starts a local Ray with ``--workers``
CPUs (default: every core) and stops it at the end of the run.  Each
worker builds its registry from the same entry points the driver loaded, so
the plugins must be installed on the workers too; plugins registered
in-process (not through an entry point) cannot travel and are reported.

The input is read on the driver and goes to Ray in windows of ``WINDOW``
exchanges: each window is one ``ray.data`` dataset, ``map_batches`` runs
:func:`loomcore.stages.work.process_memory` on batches of ``BATCH``, and the
outcomes come back in input order, so the files are the same as ``local``'s
and the driver holds one window at a time, not the whole input.
"""

from __future__ import annotations

import itertools
import logging
import os
import pickle
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from loomcore_plugins.executors.process import workers

from loomcore import Executor, LoomcoreError, Memory, hookimpl
from loomcore.options import RunOptions
from loomcore.stages.work import ExecutionPlan, Outcome, process_memory
from loomcore.workers import portable_plugins, worker_registry

WINDOW = 8192
BATCH = 64
# the local Ray's shared-memory store: enough for a few windows in flight
LOCAL_OBJECT_STORE_BYTES = 256 * 1024 * 1024

log = logging.getLogger("loomcore")


def _work(batch: Any, run_id: str, plugins: list[str], options: RunOptions) -> Any:
    """One batch of pickled exchanges to their pickled outcomes (runs on a Ray worker)."""
    import pyarrow as pa

    registry, options = worker_registry(run_id, plugins, options)
    outcomes = [
        pickle.dumps(process_memory(registry, options, pickle.loads(m)))
        for m in batch.column("memory").to_pylist()
    ]
    return pa.table({"index": batch.column("index"), "outcome": pa.array(outcomes, pa.binary())})


def _connect(workers: int) -> bool:
    """Join ``RAY_ADDRESS``'s cluster, or start a local Ray; True if this run started it."""
    import ray

    if ray.is_initialized():
        return False
    # the workers read the same LOOMCORE_* settings as the driver
    env = {k: v for k, v in os.environ.items() if k.startswith("LOOMCORE_")}
    runtime_env = {"env_vars": env} if env else None
    address = os.environ.get("RAY_ADDRESS")
    if address:
        try:
            ray.init(runtime_env=runtime_env, log_to_driver=False, configure_logging=False)
        except (ConnectionError, RuntimeError) as exc:
            raise LoomcoreError(
                f"the ray executor cannot connect to the cluster at RAY_ADDRESS={address}: {exc}"
            ) from None
    else:
        # "local": a Ray of this run's own, even when `ray start` left a head
        # node on this machine (plain ray.init() would join that one, and
        # refuse num_cpus there)
        ray.init(
            address="local",
            num_cpus=workers,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
            object_store_memory=LOCAL_OBJECT_STORE_BYTES,
            runtime_env=runtime_env,
        )
    return True


def run(plan: ExecutionPlan, memories: Iterable[Memory]) -> Iterator[Outcome]:
    try:
        import ray
        import ray.data
    except ImportError:
        raise LoomcoreError(
            "the ray executor needs Ray Data: pip install 'loomcore[ray]'"
        ) from None
    plugins, local_only = portable_plugins(plan.registry)
    if local_only:
        log.warning(
            "ray executor: in-process plugins %s do not reach the Ray workers",
            ", ".join(local_only),
        )
    if not log.isEnabledFor(logging.INFO):  # Ray's own notices only with -v
        for name in ("ray", "ray.data"):
            logging.getLogger(name).setLevel(logging.ERROR)
    started = _connect(workers(plan))
    # loomcore draws its own progress; Ray Data's bars would interleave with it
    ray.data.DataContext.get_current().enable_progress_bars = False
    run_id = uuid.uuid4().hex
    kwargs = {"run_id": run_id, "plugins": plugins, "options": plan.options}
    it = iter(memories)
    try:
        while window := list(itertools.islice(it, WINDOW)):
            rows = [{"index": i, "memory": pickle.dumps(m)} for i, m in enumerate(window)]
            dataset = ray.data.from_items(rows).map_batches(
                _work, batch_size=BATCH, batch_format="pyarrow", fn_kwargs=kwargs
            )
            done = sorted(dataset.take_all(), key=lambda row: row["index"])
            for row in done:
                yield pickle.loads(row["outcome"])
    finally:
        if started:
            ray.shutdown()


@hookimpl
def register_executors(register):
    register(
        Executor(
            "ray",
            run,
            description="Ray Data: a local Ray, or the cluster at RAY_ADDRESS (pip install 'loomcore[ray]')",
        )
    )
