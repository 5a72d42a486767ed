"""Input-format readers."""
