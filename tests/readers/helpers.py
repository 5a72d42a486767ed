"""What the reader tests share: reading one input as a run would (auto-
detected, plugins configured afresh) and the turns of a conversation."""

from __future__ import annotations

from pathlib import Path

from loomcore.inputs import open_with_reader


def read_path(registry, path: Path | str) -> tuple[str, list]:
    """(name of the reader detected, everything it read) for ``path``."""
    registry.configure({})
    stream, reader = open_with_reader(registry, str(path), None)
    with stream:
        return reader.name, list(reader.read(stream, str(path)))


def pairs(conv) -> list[tuple[str, str]]:
    """(role, content) of each turn."""
    return [(t.role, t.content) for t in conv.turns]
