"""Enrichers: entities, relationships, topics, keywords, reasoning type."""
