"""Example filters: deduplication and quality gates."""
