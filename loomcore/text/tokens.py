"""A token count without a tokenizer: an estimate, and documented as one."""

from __future__ import annotations


def estimate_tokens(text: str) -> int:
    """About 4 characters a token for English text: an estimate, not a tokenizer's count."""
    return (len(text) + 3) // 4
