"""Personal data: e-mail addresses, phone numbers, payment card numbers
(Luhn-checked) and IP addresses, replaced with typed placeholders."""

from __future__ import annotations

import re

from loomcore import Redactor, hookimpl

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}\b"
)
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}"
    r"|\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}|\b\d{3}[.-]\d{3}[.-]\d{4})(?![\w-])"
)
_IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w.])"
)
# documentation addresses everyone writes; not anybody's data
_IP_KEEP = frozenset({"0.0.0.0", "127.0.0.1", "255.255.255.255", "255.255.255.0"})


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    return 13 <= len(digits) <= 19 and luhn(digits) and len(set(digits)) > 1


def _phone(value: str) -> bool:
    return 9 <= len(re.sub(r"\D", "", value)) <= 15


def _ip(value: str) -> bool:
    return value not in _IP_KEEP


# Card numbers (13+ digits), phone numbers (9+) and IP addresses (7+
# characters) are all runs of digits and separators: text without such a run
# (most text) skips their three patterns.
_NUMBER_RUN = re.compile(r"\d[\d ().+-]{5,}\d")
_KINDS = (
    ("EMAIL", _EMAIL, None, "@"),
    ("CREDIT_CARD", _CARD, _card, None),
    ("PHONE", _PHONE, _phone, None),
    ("IP_ADDRESS", _IPV4, _ip, "."),
)


def redact(text: str, allow: frozenset[str]) -> tuple[str, dict[str, int]]:
    counts: dict[str, int] = {}
    has_run: bool | None = None
    for name, pattern, check, hint in _KINDS:
        if hint and hint not in text:
            continue
        if name != "EMAIL":
            if has_run is None:
                has_run = _NUMBER_RUN.search(text) is not None
            if not has_run:
                continue
        spans = [
            m.span()
            for m in pattern.finditer(text)
            if m.group(0) not in allow and (check is None or check(m.group(0)))
        ]
        for start, end in reversed(spans):
            text = f"{text[:start]}[{name}]{text[end:]}"
        if spans:
            counts[name] = len(spans)
    return text, counts


@hookimpl
def register_redactors(register):
    register(
        Redactor(
            "personal_data",
            "personal",
            redact,
            description="e-mail, phone, card numbers, IP addresses",
        )
    )
