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
