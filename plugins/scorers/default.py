"""The default importance scorer: signal from noise, by the form of the exchange.

Greetings, thanks, acknowledgements, one-word messages and replies that only
ask back score low; a question or request answered at length, with
structure (a list, code, a definition) scores high.  Domain keywords given in
``LOOMCORE_DOMAIN_KEYWORDS`` (comma-separated) raise the score of exchanges
that mention them.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from typing import Any

from loomcore import Memory, Scorer, check_options, hookimpl
from loomcore.text.lexicon import IMPERATIVE_VERBS
from loomcore.text.smalltalk import is_small_talk

_QUESTION_START = re.compile(
    r"^(?:what|why|how|when|where|which|who|whom|whose|is|are|can|could|should|would|"
    r"do|does|did|will|may|might|shall|explain|describe|compare|tell|list|give|show)\b",
    re.IGNORECASE,
)
_POLITE = re.compile(r"^(?:(?:please|kindly|hey|hi|hello|ok|okay|so|now)[,!.]?\s+)+", re.IGNORECASE)
_STRUCTURE = re.compile(
    r"^\s*(?:[-*+]|\d+[.)])\s|```|\b(?:is|are|means|refers to)\b\s+(?:a|an|the)\b", re.M
)
_ASKS_BACK = re.compile(
    r"\b(?:could|can|would) you (?:tell|share|give|clarify|provide|describe|let me know)|"
    r"how can i help|what (?:do|would) you (?:need|like)|anything else",
    re.IGNORECASE,
)


def _domain_keywords(configured: tuple[str, ...]) -> tuple[str, ...]:
    # LOOMCORE_DOMAIN_KEYWORDS overrides [options.default_scorer], as the
    # environment does for every setting
    raw = os.environ.get("LOOMCORE_DOMAIN_KEYWORDS")
    if raw is None:
        return configured
    return tuple(k.strip().lower() for k in raw.split(",") if k.strip())


def scorer_for(options: dict[str, Any]) -> Callable[[Memory], float]:
    """The score function for one run's options (``domain_keywords``), bound
    by the registry that runs it, so two registries never share settings."""
    check_options(options, ("domain_keywords",))
    words = options.get("domain_keywords", [])
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise ValueError("domain_keywords must be a list of strings")
    keywords = tuple(w.strip().lower() for w in words if w.strip())
    return functools.partial(_score, keywords=keywords)


def score(memory: Memory) -> float:
    """The score with no options (the seed's API and tests)."""
    return _score(memory)


def _score(memory: Memory, keywords: tuple[str, ...] = ()) -> float:
    user, reply = memory.user_input.strip(), memory.system_output.strip()
    if is_small_talk(user):
        return 0.15
    user_words = len(user.split())
    reply_words = len(reply.split())
    s = 0.25
    # "Please introduce yourself": the request starts after the politeness
    request = _POLITE.sub("", user)
    first = request.split(None, 1)[0].lower().strip(",.!?") if request else ""
    if "?" in user or _QUESTION_START.match(request) or first in IMPERATIVE_VERBS:
        s += 0.3
    elif user_words >= 6:
        s += 0.15
    # a substantive answer: the score saturates at about a paragraph
    s += min(reply_words, 60) / 60 * 0.3
    if _STRUCTURE.search(reply):
        s += 0.1
    if reply_words < 25 and _ASKS_BACK.search(reply):
        s -= 0.3
    if user_words <= 2 and "?" not in user:
        s -= 0.15
    keywords = _domain_keywords(keywords)
    if keywords:
        text = f"{user} {reply}".lower()
        if any(k in text for k in keywords):
            s += 0.15
    return round(min(max(s, 0.05), 0.98), 4)


@hookimpl
def register_scorers(register):
    register(
        Scorer("default", score, description="form-based signal/noise score", configure=scorer_for)
    )
