"""One scan per text for the anchors of every detector: which detectors can
match at all, so that only those run their full patterns.

A detector declares, right beside its pattern, what any match of it needs:
a tuple of *requirements*, all of which must hold, each a tuple of
*alternatives*, one of which must occur in the text.  An alternative is a
literal (looked for in the text case-folded, as ``(?i)`` patterns fold it),
a compiled regex (searched for), or a predicate on the text.  A detector
that declares no requirement always runs: that is what keeps a detector
added later, with no anchors, from being skipped (fail-closed).

The literals and regexes of all detectors are found in one pass: with
hyperscan (an optional extra; ``pip install hyperscan``) when its wheel
installs and the text is ASCII, else with Python's own ``in`` and ``re``.
Non-ASCII text always takes the Python path, because the engines classify
characters differently there (``\\d`` matches Arabic-Indic digits in ``re``,
not in hyperscan; ``re``'s ``(?i)`` folds "K" and "ſ").  Both paths give the
same answer, so the output never depends on whether hyperscan is installed
(tests/redactors/test_prefilter.py compares them, and both with running every
detector).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

Alternative = str | re.Pattern[str] | Callable[[str], bool]
Requirement = tuple[Alternative, ...]
Requirements = tuple[Requirement, ...]


def fold(text: str) -> str:
    """``text`` case-folded so that every literal a ``(?i)`` pattern matches is
    a substring of it: ``casefold`` does so for "K" (Kelvin), "ſ" and "İ",
    but leaves the dotless "ı", which ``re`` matches for "i"."""
    folded = text.casefold()
    return folded.replace("ı", "i") if "ı" in folded else folded


def _hyperscan() -> Any:
    try:
        import hyperscan
    except ImportError:  # the optional extra: the Python path gives the same answer
        return None
    return hyperscan


def _hs_expression(alt: str | re.Pattern[str]) -> tuple[bytes, bool] | None:
    """(hyperscan expression, caseless) for an alternative it can take on ASCII
    text, else None (the alternative is then tested in Python)."""
    if isinstance(alt, str):
        if not alt.isascii():
            return None  # never in ASCII text: Python's test says so at once
        return "".join(f"\\x{ord(c):02x}" for c in alt).encode(), True
    # a regex: only the plain ones whose meaning on ASCII text is the same in both engines
    if not alt.pattern.isascii() or alt.flags & ~(re.IGNORECASE | re.UNICODE):
        return None
    # lookarounds, inline flags, anchors, and \s (Python's takes \x1c-\x1f too):
    # Python's own search.  \d, \w, \b mean the same in both on ASCII text.
    if re.search(r"\(\?[^:]|\\[AZsS]|[$^]", alt.pattern):
        return None
    return alt.pattern.encode(), bool(alt.flags & re.IGNORECASE)


class Anchors:
    """The anchors of a set of detectors, found in one scan of a text."""

    def __init__(self, detectors: Sequence[Requirements]):
        self.detectors = tuple(detectors)
        self.always = tuple(i for i, reqs in enumerate(self.detectors) if not reqs)
        # a detector is indexed by the alternatives of its first requirement;
        # one whose first requirement has a predicate is checked every time
        self.by_alternative: dict[Any, list[int]] = {}
        self.checked: list[int] = []
        for i, reqs in enumerate(self.detectors):
            if not reqs:
                continue
            if any(callable(a) and not isinstance(a, re.Pattern) for a in reqs[0]):
                self.checked.append(i)
                continue
            for alt in reqs[0]:
                self.by_alternative.setdefault(_key(alt), []).append(i)
        alternatives: dict[Any, Alternative] = {}
        for reqs in self.detectors:
            for req in reqs:
                for alt in req:
                    if isinstance(alt, str | re.Pattern):
                        alternatives.setdefault(_key(alt), alt)
        self.literals = tuple(k for k, a in alternatives.items() if isinstance(a, str))
        self.regexes = tuple((k, a) for k, a in alternatives.items() if isinstance(a, re.Pattern))
        # the distinct requirements, each as (its keys, its predicates), and each
        # detector's as their numbers: a requirement shared by many detectors
        # (a long run of token characters) is tested once per text
        numbered: dict[Any, int] = {}
        self._req_parts: list[tuple[frozenset[Any], tuple[Callable[[str], bool], ...]]] = []
        reqs_of: list[tuple[int, ...]] = []
        for reqs in self.detectors:
            ids = []
            for req in reqs:
                keys = frozenset(_key(a) for a in req if isinstance(a, str | re.Pattern))
                preds = tuple(a for a in req if not isinstance(a, str | re.Pattern))
                n = numbered.setdefault((keys, preds), len(numbered))
                if n == len(self._req_parts):
                    self._req_parts.append((keys, preds))
                ids.append(n)
            reqs_of.append(tuple(ids))
        self._reqs = tuple(reqs_of)
        self._sure = frozenset(
            i for i, reqs in enumerate(self.detectors) if len(reqs) == 1 and i not in self.checked
        )
        groups: dict[tuple[int, ...], list[int]] = {}
        for i in self.checked:
            groups.setdefault(self._reqs[i], []).append(i)
        self._checked_groups = tuple(groups.items())
        self._hs = self._compile(alternatives)
        self._local = threading.local()

    def _compile(self, alternatives: dict[Any, Alternative]) -> Any:
        hyperscan = _hyperscan()
        if hyperscan is None:
            return None
        keys, expressions, flags = [], [], []
        python_only = []
        for key, alt in alternatives.items():
            if callable(alt) and not isinstance(alt, re.Pattern):
                continue
            compiled = _hs_expression(alt)  # type: ignore[arg-type]
            if compiled is None:
                python_only.append((key, alt))
                continue
            expression, caseless = compiled
            keys.append(key)
            expressions.append(expression)
            flags.append(
                hyperscan.HS_FLAG_SINGLEMATCH | (hyperscan.HS_FLAG_CASELESS if caseless else 0)
            )
        if not expressions:
            return None
        try:
            db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            db.compile(expressions=expressions, ids=list(range(len(keys))), flags=flags)
        except Exception:  # an expression hyperscan refuses: the Python path for all
            return None
        return hyperscan, db, tuple(keys), tuple(python_only)

    def _python(self, text: str, folded: str) -> set[Any]:
        found: set[Any] = {k for k in self.literals if k[1] in folded}
        found.update(k for k, r in self.regexes if r.search(text) is not None)
        return found

    def _scan(self, text: str) -> set[Any]:
        hyperscan, db, keys, python_only = self._hs
        scratch = getattr(self._local, "scratch", None)
        if scratch is None or getattr(self._local, "db", None) is not db:
            scratch = self._local.scratch = hyperscan.Scratch(db)
            self._local.db = db
        found: set[Any] = set()

        def on_match(id_: int, start: int, end: int, flags: int, context: Any) -> None:
            found.add(keys[id_])

        db.scan(text.encode("ascii"), match_event_handler=on_match, scratch=scratch)
        for key, alt in python_only:
            if isinstance(alt, str):
                continue  # a non-ASCII literal: never in ASCII text
            if alt.search(text) is not None:
                found.add(key)
        return found

    def present(self, text: str, folded: str | None = None, engine: str = "auto") -> set[Any]:
        """The keys of the literals and regexes that occur in ``text``
        (``folded``: its :func:`fold`, when the caller has it).  ``engine``:
        "auto" (hyperscan for ASCII text where installed), "python"."""
        if engine == "auto" and self._hs is not None and text.isascii():
            return self._scan(text)
        return self._python(text, fold(text) if folded is None else folded)

    def selected(self, text: str, folded: str | None = None, engine: str = "auto") -> list[int]:
        """The detectors (their indices, in order) that can match ``text``."""
        found = self.present(text, folded, engine)
        memo: dict[int, bool] = {}
        parts = self._req_parts

        def holds(req: int) -> bool:
            ok = memo.get(req)
            if ok is None:
                keys, preds = parts[req]
                ok = memo[req] = not found.isdisjoint(keys) or (
                    bool(preds) and any(p(text) for p in preds)
                )
            return ok

        out = set(self.always)
        for reqs, members in self._checked_groups:
            if all(map(holds, reqs)):
                out.update(members)
        sure, all_reqs = self._sure, self._reqs
        for key in found:
            for i in self.by_alternative.get(key, ()):
                if i in sure or all(map(holds, all_reqs[i])):
                    out.add(i)
        return sorted(out)


def _key(alt: str | re.Pattern[str]) -> tuple[str, str, int]:
    if isinstance(alt, str):
        return ("literal", fold(alt), 0)
    return ("regex", alt.pattern, alt.flags)
