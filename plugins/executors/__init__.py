"""Executors: where the per-exchange work runs (this process, a process pool, a Ray cluster)."""
