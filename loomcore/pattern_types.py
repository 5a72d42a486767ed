"""``PatternType``: the built-in pattern types as a string enum.

The core names no pattern type: the enum is read from the ``loomcore``
distribution's own entry points (those under ``loomcore_plugins.patterns``),
without importing any plugin.  Members compare equal to plain strings, and a
third-party type stays a plain string.
"""

from __future__ import annotations

import enum
import functools
import importlib.metadata
from collections.abc import Iterable

BUILTIN_PATTERN_PACKAGE = "loomcore_plugins.patterns"


@functools.cache
def pattern_type_enum() -> type[enum.StrEnum]:
    eps: Iterable[importlib.metadata.EntryPoint]
    try:
        eps = importlib.metadata.distribution("loomcore").entry_points
    except importlib.metadata.PackageNotFoundError:  # running from a source tree
        eps = ()
    names = sorted(
        ep.name
        for ep in eps
        if ep.group == "loomcore" and ep.value.startswith(BUILTIN_PATTERN_PACKAGE)
    )
    made: type[enum.StrEnum] = enum.StrEnum(  # type: ignore[assignment,misc]
        "PatternType", {n.upper(): n for n in names}, module=__name__
    )
    return made


def coerce(name: str) -> str:
    """The enum member for a built-in type's name, else the name itself."""
    members = pattern_type_enum()._value2member_map_
    return members.get(str(name), str(name))  # type: ignore[return-value]
