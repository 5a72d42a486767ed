"""loomcore's built-in plugins, installed as ``loomcore_plugins`` (one entry point each)."""
