"""Secrets: API keys and tokens of the common providers, private key blocks,
JWTs, passwords in URLs and in assignments.

The provider patterns are detect-secrets' own (its regex-based detectors),
compiled once and run over whole messages; a few formats it lacks (new-style
OpenAI and Anthropic keys, Google API keys, private key blocks, keyword
assignments such as ``password = ...``) are added here.
"""

from __future__ import annotations

import functools
import re

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.plugins.base import RegexBasedDetector

from loomcore import Redactor, hookimpl

# detect-secrets detectors left out: they match ordinary words in prose
# (Artifactory's "AP..." ids) or are personal data, handled by personal_data.
_SKIPPED = {"Artifactory Credentials", "Public IP (ipv4)", "Private Key"}

_EXTRA: tuple[tuple[str, str, str], ...] = (
    # (placeholder, pattern, a substring that must be present)
    (
        "PRIVATE_KEY",
        r"-----BEGIN[A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,20000}?-----END[A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----",
        "PRIVATE KEY",
    ),
    ("OPENAI_TOKEN", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", "sk-"),
    ("ANTHROPIC_KEY", r"\bsk-ant-[A-Za-z0-9_-]{20,}", "sk-ant-"),
    ("GOOGLE_API_KEY", r"\bAIza[0-9A-Za-z_-]{35}\b", "AIza"),
    (
        "AWS_SECRET_KEY",
        r"(?i)aws.{0,25}?(?:secret|key).{0,25}?[=:]\s*[\"']?([A-Za-z0-9/+]{40})\b",
        "aws",
    ),
    (
        "PASSWORD",
        r"(?i)\b(?:password|passwd|pwd|passphrase|secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|"
        r"client[_-]?secret|private[_-]?key)\b[\"']?\s*(?:=|:|is)\s*[\"']?([^\s\"',;]{6,200})",
        "",
    ),
)


_NAMES = {"Basic Auth Credentials": "PASSWORD", "JSON Web Token": "JWT", "Secret Keyword": "SECRET"}


def _placeholder(secret_type: str) -> str:
    return _NAMES.get(secret_type) or re.sub(r"[^A-Z0-9]+", "_", secret_type.upper()).strip("_")


# Patterns that look for a credential next to a key-like word can only match
# where such a word is: a lower-case substring test skips them in most text.
_KEY_WORDS = ("key", "pw", "pass", "token", "secret", "auth", "cloudant", "softlayer", "aws")
_NEEDS: dict[str, tuple[str, ...]] = {
    "IBM Cloud IAM Key": _KEY_WORDS,
    "IBM COS HMAC Credentials": _KEY_WORDS,
    "SoftLayer Credentials": _KEY_WORDS,
    "Cloudant Credentials": _KEY_WORDS,
    "Mailchimp Access Key": ("-us",),
    "Telegram Bot Token": (":",),
}


@functools.cache
def patterns() -> tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...]:
    """(placeholder, compiled pattern, lower-case words one of which must be in
    the text for the pattern to match) for every secret kind."""
    out: list[tuple[str, re.Pattern[str], tuple[str, ...]]] = [
        (name, re.compile(p), (hint.lower(),) if hint else _KEY_WORDS) for name, p, hint in _EXTRA
    ]
    for secret_type, cls in sorted(get_mapping_from_secret_type_to_class().items()):
        if secret_type in _SKIPPED or not issubclass(cls, RegexBasedDetector):
            continue
        for pattern in cls().denylist:
            needs = _NEEDS.get(secret_type, ())
            if pattern.pattern.startswith("aws"):
                needs = ("aws",)
            out.append((_placeholder(secret_type), pattern, needs))
    return tuple(out)


def _span(m: re.Match[str], text: str) -> tuple[int, int]:
    # a pattern whose group holds the secret itself (password in a URL) keeps
    # its context; a group that is only a prefix ("ghp") does not
    if m.groups() and m.group(1) and len(m.group(1)) >= 6:
        return m.span(1)
    start, end = m.span()
    # a token longer than the pattern's minimum must go whole, not leave a tail
    while end < len(text) and (
        text[end].isalnum()
        or text[end] in "_-+/="
        or (text[end] == "." and text[end + 1 : end + 2].isalnum())
    ):
        end += 1
    return start, end


def redact(text: str, allow: frozenset[str]) -> tuple[str, dict[str, int]]:
    counts: dict[str, int] = {}
    lower = text.lower()
    # many patterns share one tuple of words: look each tuple up once per text
    present: dict[tuple[str, ...], bool] = {(): True}
    for name, pattern, needs in patterns():
        found = present.get(needs)
        if found is None:
            found = present[needs] = any(map(lower.__contains__, needs))  # no frame per word
        if not found:
            continue
        spans = []
        for m in pattern.finditer(text):
            start, end = _span(m, text)
            value = text[start:end]
            if value in allow or (value.startswith("[") and value.endswith("]")):
                continue
            spans.append((start, end))
        for start, end in reversed(spans):
            text = f"{text[:start]}[{name}]{text[end:]}"
        if spans:
            counts[name] = counts.get(name, 0) + len(spans)
    return text, counts


@hookimpl
def register_redactors(register):
    register(
        Redactor(
            "secrets", "secret", redact, description="API keys, tokens, private keys, passwords"
        )
    )
