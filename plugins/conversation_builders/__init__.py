"""Builders of examples made of whole conversations: conversations with training flags, preference pairs."""
