"""The built-in pattern types: one module (miner and example builder) each."""
