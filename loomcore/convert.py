"""The one cattrs converter: input records into the model, the model back out.

Built on ``cattrs.preconf.orjson`` so that tuples, enums and attrs classes
serialise the same way everywhere, and validation errors carry the field
path (``cattrs.transform_error``).
"""

from __future__ import annotations

from typing import Any, TypeVar

import cattrs
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.preconf.orjson import make_converter

from loomcore.model import EnrichedMemory, TrainingExample

T = TypeVar("T")


def _make() -> cattrs.Converter:
    conv = make_converter(forbid_extra_keys=False)
    # The segmented documents are working state; the rest of an enriched
    # memory is what `loomcore explain` and the raw format show.
    conv.register_unstructure_hook(
        EnrichedMemory,
        make_dict_unstructure_fn(
            EnrichedMemory, conv, user_doc=override(omit=True), reply_doc=override(omit=True)
        ),
    )
    # which registry made an example is for rendering it, not part of it
    conv.register_unstructure_hook(
        TrainingExample,
        make_dict_unstructure_fn(TrainingExample, conv, made_by=override(omit=True)),
    )
    return conv


converter = _make()


def to_dict(obj: Any) -> Any:
    """Any model object as plain JSON-ready data."""
    return converter.unstructure(obj)


def from_dict(data: Any, cls: type[T]) -> T:
    """Structure plain data into ``cls``; raises ``cattrs`` errors with field paths."""
    return converter.structure(data, cls)


def field_errors(exc: Exception) -> list[str]:
    """Readable lines ("expected str @ $.metadata.user_input") for a structuring error."""
    if isinstance(exc, cattrs.BaseValidationError):
        return cattrs.transform_error(exc)
    return [str(exc)]


__all__ = ["converter", "field_errors", "from_dict", "to_dict"]
