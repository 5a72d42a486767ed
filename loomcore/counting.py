"""Counting tokens with the tokenizer a user names: ``--tokenizer SPEC``.

Without one, loomcore's estimate counts (about four characters a token, see
:mod:`loomcore.text.tokens`).  With one, the registered token counters are
asked in order of name whether they read SPEC; the first that does loads
it.  The built-in ones (``loomcore_plugins.token_counters``) read a local
Hugging Face ``tokenizer.json`` with the ``tokenizers`` package and a
``tiktoken`` encoding already in its cache; neither downloads anything, and
both packages are optional extras.
"""

from __future__ import annotations

from collections.abc import Callable

from loomcore.registry import LoomcoreError, Registry, default_registry
from loomcore.text.tokens import estimate_tokens

ESTIMATE = "estimate"
# loaded counters by (registry, spec): a tokenizer.json takes a while to read,
# and a run asks for its counter from the filter, the check and the stats
_loaded: dict[tuple[int, str], Callable[[str], int]] = {}


def counter(spec: str | None, registry: Registry | None = None) -> Callable[[str], int]:
    """The counting function for ``--tokenizer SPEC`` (the estimate for None)."""
    if spec is None or spec == ESTIMATE:
        return estimate_tokens
    registry = registry or default_registry()
    key = (id(registry), spec)
    if key not in _loaded:
        for c in registry.token_counters.values():
            if c.accepts(spec):
                _loaded[key] = c.load(spec)
                break
        else:
            raise LoomcoreError(
                f"--tokenizer {spec}: no token counter reads it (a tokenizer.json file, or a "
                f"tiktoken encoding name; loaded: {', '.join(registry.token_counters) or 'none'})"
            )
    return _loaded[key]


def label(spec: str | None) -> str:
    """How a report names the counter: "estimated tokens" or "tokens of SPEC"."""
    return "estimated tokens" if spec in (None, ESTIMATE) else f"tokens of {spec}"
