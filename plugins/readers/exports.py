"""What the data-export readers (ChatGPT, Claude.ai) share: reading the
conversations of a file that is an array of them, JSON Lines of them, or the
``{"conversations": [...]}`` wrapper some export tools write."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import IO, Any

from loomcore.inputs import with_head
from loomcore.model import Conversation, Rejected, Source
from loomcore.records import read_records

# the wrapper with its list first: read element by element, like a plain array
WRAPPER = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*"conversations"\s*:\s*(?=\[)')
AFTER_ARRAY = "malformed JSON: data after the array"


def read_export(
    stream: IO[bytes],
    path: str,
    fmt: str,
    convert: Callable[[Any, Source], Conversation | None],
) -> Iterator[Conversation | Rejected]:
    """Conversations of an export file through ``convert`` (see
    :func:`loomcore.records.read_records`), the wrapper's list streamed as
    an array: the wrapper's closing brace (and keys after the list) are the
    end of the wrapper, not a bad record."""
    stream, head = with_head(stream)
    match = WRAPPER.match(head)
    if match is None:
        yield from read_records(stream, path, fmt, convert)
        return
    stream.read(match.end())  # the array starts here
    for item in read_records(stream, path, fmt, convert):
        if (
            isinstance(item, Rejected)
            and item.reason == AFTER_ARRAY
            and item.raw.lstrip().startswith(("}", ","))
        ):
            continue
        yield item
