"""Importance scorers."""
