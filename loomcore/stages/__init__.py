"""The stages of a run, each a module: exchanges, redact, annotate (score, enrich,
mine), build, and the per-exchange unit of work (:mod:`loomcore.stages.work`)
that every executor runs.  Reading and exporting are the run's own
(:mod:`loomcore.pipeline`), since they stream whole inputs and outputs.
"""
