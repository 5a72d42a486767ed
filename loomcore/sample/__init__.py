"""Sample conversations bundled with loomcore (seed raw-memory records)."""
