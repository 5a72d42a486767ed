"""One scan per text for the anchors of every detector: which detectors can
match at all, so that only those run their full patterns.

A detector declares, right beside its pattern, what any match of it needs:
a tuple of *requirements*, all of which must hold, each a tuple of
*alternatives*, one of which must occur in the text.  An alternative is a
literal (looked for in the text case-folded, as ``(?i)`` patterns fold it),
a compiled regex (searched for), a :class:`Search` (a regex with a faster
Python test of the same thing) or a predicate on the text.  A detector
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

import functools
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any


class Search:
    """A regex anchor with a faster Python test of the same thing: hyperscan
    scans for ``regex``; the Python path calls ``test(text)``, which must be
    true exactly when ``regex.search(text)`` finds something."""

    __slots__ = ("regex", "test")

    def __init__(self, regex: re.Pattern[str], test: Callable[[str], bool]):
        self.regex, self.test = regex, test


Alternative = str | re.Pattern[str] | Search | Callable[[str], bool]
Requirement = tuple[Alternative, ...]
Requirements = tuple[Requirement, ...]
Key = tuple[Any, ...]


@functools.lru_cache(maxsize=16)  # one text is folded by both redactors and their anchors
def fold(text: str) -> str:
    """``text`` case-folded so that every literal a ``(?i)`` pattern matches is
    a substring of it: ``casefold`` does so for "K" (Kelvin) and "ſ", but
    leaves the dotless "ı", which ``re`` matches for "i", and writes "İ" as
    "i" and a combining dot, which ``re`` matches for "i" alone."""
    folded = text.casefold()
    if "ı" in folded:
        folded = folded.replace("ı", "i")
    return folded.replace("i\u0307", "i") if "\u0307" in folded else folded


def _hyperscan() -> Any:
    try:
        import hyperscan
    except ImportError:  # the optional extra: the Python path gives the same answer
        return None
    return hyperscan


def _hs_expression(alt: Alternative) -> tuple[bytes, bool] | None:
    """(hyperscan expression, caseless) for an alternative it can take on ASCII
    text, else None (the alternative is then tested in Python)."""
    if isinstance(alt, Search):
        alt = alt.regex
    if not isinstance(alt, str | re.Pattern):
        return None  # a predicate: Python only
    if isinstance(alt, str):
        if not alt.isascii():
            return None  # never in ASCII text: Python's test says so at once
        return "".join(f"\\x{ord(c):02x}" for c in alt).encode(), True
    # a regex: only the plain ones whose meaning on ASCII text is the same in both engines
    if not alt.pattern.isascii() or alt.flags & ~(re.IGNORECASE | re.UNICODE):
        return None
    # lookarounds, inline flags, anchors: Python's own search.  \d, \w, \b
    # mean the same in both on ASCII text; \s is spelt out, as Python's takes
    # \x1c-\x1f too (only outside a character class: else Python's search).
    # ("^" as the first character of a class negates it; elsewhere it anchors.)
    if re.search(r"\(\?[^:]", alt.pattern):
        return None
    expression = _spell_spaces(alt.pattern)
    if expression is None:
        return None
    return expression.encode(), bool(alt.flags & re.IGNORECASE)


_PY_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f "  # what re's \s matches in ASCII text


def _spell_spaces(pattern: str) -> str | None:
    r"""``pattern`` with \s and \S written as the classes Python's ``re`` means
    on ASCII text, or None when one stands inside a character class, or the
    pattern has anchors (^, $, \A, \Z) or a class that opens with "]"."""
    out, i, in_class = [], 0, False
    if "[]" in pattern or "[^]" in pattern:
        return None  # a class that holds "]": the scan below would misread it
    while i < len(pattern):
        c = pattern[i]
        if c in "^$" and not in_class:
            return None
        if c == "\\" and i + 1 < len(pattern):
            pair = pattern[i : i + 2]
            if pair in ("\\A", "\\Z"):
                return None
            if pair in ("\\s", "\\S"):
                if in_class:
                    return None
                out.append(("[" if pair[1] == "s" else "[^") + _PY_SPACE + "]")
            else:
                out.append(pair)
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class:
            in_class = False
        out.append(c)
        i += 1
    return "".join(out)


class Anchors:
    """The anchors of a set of detectors, found in one scan of a text."""

    def __init__(self, detectors: Sequence[Requirements]):
        self.detectors = tuple(detectors)
        self.always = tuple(i for i, reqs in enumerate(self.detectors) if not reqs)
        tests: dict[Key, Alternative] = {}  # every distinct alternative, by key
        self._reqs: list[tuple[frozenset[Key], ...]] = []
        for reqs in self.detectors:
            keyed = []
            for req in reqs:
                keys = []
                for alt in req:
                    key = _key(alt)
                    tests.setdefault(key, alt)
                    keys.append(key)
                keyed.append(frozenset(keys))
            self._reqs.append(tuple(keyed))
        # a detector is found through the alternatives of its first
        # requirement; one with more requirements is checked against the rest
        self._by_key: dict[Key, list[int]] = {}
        for i, reqs in enumerate(self._reqs):
            if reqs:
                for key in reqs[0]:
                    self._by_key.setdefault(key, []).append(i)
        self._single = frozenset(i for i, reqs in enumerate(self._reqs) if len(reqs) == 1)
        self._literals = tuple((k, k[1]) for k, a in tests.items() if isinstance(a, str))
        self._tests = tuple(
            (k, _python_test(a)) for k, a in tests.items() if not isinstance(a, str)
        )
        self._hs = self._compile(tests)
        self._local = threading.local()

    def _compile(self, tests: dict[Key, Alternative]) -> Any:
        hyperscan = _hyperscan()
        if hyperscan is None:
            return None
        keys, expressions, flags = [], [], []
        python_only = []  # tested in Python on ASCII text too
        for key, alt in tests.items():
            compiled = _hs_expression(alt)
            if compiled is None:
                if not isinstance(alt, str):  # a non-ASCII literal is in no ASCII text
                    python_only.append((key, _python_test(alt)))
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

    def _python(self, text: str, folded: str) -> set[Key]:
        found = {k for k, literal in self._literals if literal in folded}
        found.update(k for k, test in self._tests if test(text))
        return found

    def _scan(self, text: str) -> set[Key]:
        hyperscan, db, keys, python_only = self._hs
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:  # one per thread: a scratch space serves one scan at a time
            scratch = self._local.scratch = hyperscan.Scratch(db)
        found: set[Key] = set()

        def on_match(id_: int, start: int, end: int, flags: int, context: Any) -> None:
            found.add(keys[id_])

        db.scan(text.encode("ascii"), match_event_handler=on_match, scratch=scratch)
        found.update(k for k, test in python_only if test(text))
        return found

    def present(self, text: str, folded: str | None = None, engine: str = "auto") -> set[Key]:
        """The keys of the alternatives that hold in ``text`` (``folded``: its
        :func:`fold`, when the caller has it).  ``engine``: "auto" (hyperscan
        for ASCII text where installed) or "python"."""
        if engine == "auto" and self._hs is not None and text.isascii():
            return self._scan(text)
        return self._python(text, fold(text) if folded is None else folded)

    def selected(self, text: str, folded: str | None = None, engine: str = "auto") -> list[int]:
        """The detectors (their indices, in order) that can match ``text``."""
        found = self.present(text, folded, engine)
        if not found:
            return list(self.always)
        out = set(self.always)
        single, reqs = self._single, self._reqs
        for key in found:
            for i in self._by_key.get(key, ()):
                if i in single or all(not found.isdisjoint(r) for r in reqs[i]):
                    out.add(i)
        return sorted(out)


def _key(alt: Alternative) -> Key:
    if isinstance(alt, str):
        return ("literal", fold(alt))
    if isinstance(alt, Search):
        alt = alt.regex
    if isinstance(alt, re.Pattern):
        return ("regex", alt.pattern, alt.flags)
    return ("predicate", alt)


def _python_test(alt: Alternative) -> Callable[[str], bool]:
    if isinstance(alt, Search):
        return alt.test
    if isinstance(alt, re.Pattern):
        search = alt.search
        return lambda text: search(text) is not None
    assert callable(alt)
    return alt
