"""Every stage's public names in one place, so that ``from loomcore.pipeline
import enrich`` (how plugins imported them before the stages had modules of
their own) keeps working."""

from loomcore.stages.annotate import enrich, mine, score
from loomcore.stages.budget import Faults, RecordTimeout, time_budget
from loomcore.stages.build import build, built, examples_of
from loomcore.stages.exchanges import exchanges
from loomcore.stages.redact import REDACTION_MODES, RedactionFailed, TurnCache, redact, redact_text
from loomcore.stages.work import ExecutionPlan, Outcome, prepare_filters, process_memory

__all__ = [
    "REDACTION_MODES",
    "ExecutionPlan",
    "Faults",
    "Outcome",
    "RecordTimeout",
    "RedactionFailed",
    "TurnCache",
    "build",
    "built",
    "enrich",
    "examples_of",
    "exchanges",
    "mine",
    "prepare_filters",
    "process_memory",
    "redact",
    "redact_text",
    "score",
    "time_budget",
]
