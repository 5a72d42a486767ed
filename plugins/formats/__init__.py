"""The built-in output formats: one module each."""
