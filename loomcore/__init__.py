"""loomcore: turn conversation logs into instruction-tuning datasets, through plugins.

The seed-compatible API (``MemoryEnricher``, ``PatternExtractor``,
``DataSynthesizer``, ``SynthesisConfig``) and the pieces plugin authors need
(``hookimpl``, the contracts and the model) are importable from here.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Names are imported from their modules when first used (PEP 562), so that
# `import loomcore.model` loads the model and the text layer only, and
# `loomcore --version` pays for nothing it does not use.
_EXPORTS = {
    "loomcore.api": ("DataSynthesizer", "MemoryEnricher", "PatternExtractor", "RecordError"),
    "loomcore.contracts": (
        "Enricher",
        "ExampleBuilder",
        "ExampleFilter",
        "Executor",
        "Exporter",
        "Miner",
        "Reader",
        "Redactor",
        "Scorer",
        "check_options",
    ),
    "loomcore.hookspecs": ("hookimpl",),
    "loomcore.model": (
        "Conversation",
        "EnrichedMemory",
        "Memory",
        "Pattern",
        "ReasoningType",
        "Relationship",
        "Source",
        "SynthesisConfig",
        "TrainingExample",
        "Turn",
        "make_pattern",
    ),
    "loomcore.registry": (
        "LoomcoreError",
        "PluginError",
        "Registry",
        "UnknownFormatError",
        "UnknownPluginError",
        "default_registry",
        "get_plugin_manager",
    ),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
_SUBMODULES = frozenset(
    {"api", "cli", "compose", "config", "contracts", "convert", "hookspecs", "inputs", "model"}
    | {"pipeline", "records", "registry", "text", "writers", "preflight", "splits", "log"}
)

if TYPE_CHECKING:  # what the names are, for type checkers and editors
    from loomcore.api import DataSynthesizer, MemoryEnricher, PatternExtractor, RecordError
    from loomcore.contracts import (
        Enricher,
        ExampleBuilder,
        ExampleFilter,
        Executor,
        Exporter,
        Miner,
        Reader,
        Redactor,
        Scorer,
        check_options,
    )
    from loomcore.hookspecs import hookimpl
    from loomcore.model import (
        Conversation,
        EnrichedMemory,
        Memory,
        Pattern,
        ReasoningType,
        Relationship,
        Source,
        SynthesisConfig,
        TrainingExample,
        Turn,
        make_pattern,
    )
    from loomcore.registry import (
        LoomcoreError,
        PluginError,
        Registry,
        UnknownFormatError,
        UnknownPluginError,
        default_registry,
        get_plugin_manager,
    )

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:  # `import loomcore; loomcore.registry` as before
        return import_module(f"loomcore.{name}")
    module = _MODULE_OF.get(name)
    if module is not None:
        value = getattr(import_module(module), name)
        globals()[name] = value  # found once, then an ordinary attribute
        return value
    # PatternType is read from the installed entry points on first use, not
    # at import time.
    if name == "PatternType":
        from loomcore.pattern_types import pattern_type_enum

        return pattern_type_enum()
    raise AttributeError(f"module 'loomcore' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "Conversation",
    "DataSynthesizer",
    "EnrichedMemory",
    "Enricher",
    "ExampleBuilder",
    "ExampleFilter",
    "Executor",
    "Exporter",
    "LoomcoreError",
    "Memory",
    "MemoryEnricher",
    "Miner",
    "Pattern",
    "PatternExtractor",
    "PatternType",
    "PluginError",
    "Reader",
    "ReasoningType",
    "RecordError",
    "Redactor",
    "Registry",
    "Relationship",
    "Scorer",
    "Source",
    "SynthesisConfig",
    "TrainingExample",
    "Turn",
    "UnknownFormatError",
    "UnknownPluginError",
    "check_options",
    "default_registry",
    "get_plugin_manager",
    "hookimpl",
    "make_pattern",
]
