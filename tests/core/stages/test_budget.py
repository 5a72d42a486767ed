"""The one fault policy every stage runs its plugins under (Faults.each)."""

from __future__ import annotations

import attrs
import pytest

from loomcore.registry import PluginError
from loomcore.stages.budget import Faults


@attrs.frozen
class Plugged:
    plugin: str
    value: int


def _call(record: Plugged) -> int:
    if record.value < 0:
        raise ValueError(f"bad value {record.value}")
    return record.value * 10


RECORDS = [Plugged("a", 1), Plugged("b", -1), Plugged("c", 3)]


def test_a_failing_plugin_is_counted_and_left_out(caplog):
    faults = Faults(strict=False)
    got = [(r.plugin, v) for r, v in faults.each(RECORDS, "score", "m1", _call)]
    assert got == [("a", 10), ("c", 30)]
    assert faults.by_plugin == {"b": 1}
    assert "plugin 'b' failed in score on m1: ValueError: bad value -1" in caplog.text


def test_strict_mode_stops_at_the_first_fault():
    faults = Faults(strict=True)
    with pytest.raises(PluginError) as info:
        list(faults.each(RECORDS, "mine", "m1", _call))
    assert (info.value.plugin, info.value.stage) == ("b", "mine")


def test_each_call_sees_what_the_loop_body_changed():
    # an enricher reads what the one before it returned
    faults = Faults(strict=False)
    done = [1]
    for _, value in faults.each(RECORDS[:1] * 3, "enrich", "m1", lambda r: done[-1] * 2):
        done.append(value)
    assert done == [1, 2, 4, 8]


def test_filters_prepare_filter_by_filter_and_a_failing_miner_gives_nothing():
    from loomcore import ExampleFilter, Miner, Registry, get_plugin_manager, hookimpl
    from loomcore.model import Memory, TrainingExample, make_pattern
    from loomcore.options import RunOptions
    from loomcore.stages.annotate import enrich, mine
    from loomcore.stages.work import prepare_filters

    calls = []

    class Noting:
        @hookimpl
        def register_filters(self, register):
            for name in ("fa", "fb"):

                def prepare(example, options, name=name):
                    calls.append((name, example.id))

                register(ExampleFilter(name, lambda options: None, prepare=prepare))

        @hookimpl
        def register_miners(self, register):
            def half_then_fail(memory):
                yield make_pattern(memory, "mine_test", {"n": 1})
                raise RuntimeError("second pattern")

            register(Miner("mine_test", half_then_fail))

    pm = get_plugin_manager(only=[])
    pm.register(Noting(), name="noting")
    registry = Registry(pm)
    examples = [TrainingExample("q", "a", id="ex1"), TrainingExample("q", "a", id="ex2")]
    prepare_filters(registry, RunOptions(), examples, Faults(strict=False))
    assert calls == [("fa", "ex1"), ("fa", "ex2"), ("fb", "ex1"), ("fb", "ex2")]
    # a miner that raises part way gives nothing for that exchange (its half is not trusted)
    faults = Faults(strict=False)
    assert mine(registry, enrich(registry, Memory("m1")), faults) == []
    assert faults.by_plugin == {"noting": 1}


def test_the_stages_names_are_still_importable_from_the_pipeline():
    from loomcore import pipeline
    from loomcore.stages import annotate, budget, redact, work

    assert (pipeline.enrich, pipeline.Faults, pipeline.redact, pipeline.prepare_filters) == (
        annotate.enrich,
        budget.Faults,
        redact.redact,
        work.prepare_filters,
    )
