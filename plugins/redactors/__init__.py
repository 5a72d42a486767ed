"""Redactors: secrets and personal data out of the training data."""
