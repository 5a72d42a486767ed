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

_EXTRA: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # (placeholder, pattern, lower-case substrings one of which must be present)
    (
        "PRIVATE_KEY",
        r"-----BEGIN[A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,20000}?-----END[A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----",
        ("private key",),
    ),
    ("OPENAI_TOKEN", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", ("sk-",)),
    ("ANTHROPIC_KEY", r"\bsk-ant-[A-Za-z0-9_-]{20,}", ("sk-ant-",)),
    ("GOOGLE_API_KEY", r"\bAIza[0-9A-Za-z_-]{35}\b", ("aiza",)),
    (
        "AWS_SECRET_KEY",
        r"(?i)aws.{0,25}?(?:secret|key).{0,25}?[=:]\s*[\"']?([A-Za-z0-9/+]{40})\b",
        ("aws",),
    ),
    (
        "PASSWORD",
        r"(?i)\b(?:password|passwd|pwd|passphrase|secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|"
        r"client[_-]?secret|private[_-]?key)\b[\"']?\s*(?:=|:|is)\s*[\"']?([^\s\"',;]{6,200})",
        # every spelling of the key words above ("token" stands for two of them)
        (
            *("pass", "pwd", "secret", "apikey", "api_key", "api-key", "token"),
            *("privatekey", "private_key", "private-key"),
        ),
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
    "JSON Web Token": ("eyj",),
    "NPM tokens": ("_authtoken",),
    "Basic Auth Credentials": ("://",),
}
# Every pattern of these kinds matches a run of at least 16 token characters
# (AKIA + 16, a 24-letter Cloudant password, a 36-character GitHub token...),
# so text without such a run skips them.  Ordinary prose has none, and one
# search for it costs less than the two dozen patterns it stands for.  Kinds
# not listed (new ones in a later detect-secrets too) always run.
_LONG_TYPES = frozenset(
    {
        "AWS Access Key",
        "Azure Storage Account access key",
        "Cloudant Credentials",
        "Discord Bot Token",
        "GitHub Token",
        "GitLab Token",
        "IBM COS HMAC Credentials",
        "IBM Cloud IAM Key",
        "Mailchimp Access Key",
        "OpenAI Token",
        "PyPI Token",
        "SendGrid API Key",
        "SoftLayer Credentials",
        "Square OAuth Secret",
        "Stripe Access Key",
        "Telegram Bot Token",
        "Twilio API Key",
    }
)
# the widest class of those runs, case-folded as the IGNORECASE patterns fold
_LONG_RUN = re.compile(r"[a-z0-9_/+=\\-]{16}", re.IGNORECASE)


def _literal_prefix(pattern: str) -> tuple[str, ...]:
    """The literal text a pattern starts with ("xox", "AccountKey="), lower
    case, when it is long enough to be worth a substring test; else ()."""
    m = re.match(r"[A-Za-z0-9_=:/-]+", pattern)
    prefix = m.group(0) if m else ""
    if pattern[len(prefix) : len(prefix) + 1] in ("?", "*", "{"):
        prefix = prefix[:-1]  # its last character is optional
    return (prefix.casefold(),) if len(prefix) >= 3 else ()


@functools.cache
def patterns() -> tuple[tuple[str, re.Pattern[str], tuple[str, ...], bool], ...]:
    """(placeholder, compiled pattern, lower-case words one of which must be in
    the text for the pattern to match, whether a match needs a long run of
    token characters) for every secret kind."""
    out: list[tuple[str, re.Pattern[str], tuple[str, ...], bool]] = [
        (name, re.compile(p), needs, False) for name, p, needs in _EXTRA
    ]
    for secret_type, cls in sorted(get_mapping_from_secret_type_to_class().items()):
        if secret_type in _SKIPPED or not issubclass(cls, RegexBasedDetector):
            continue
        for pattern in cls().denylist:
            needs = _NEEDS.get(secret_type) or _literal_prefix(pattern.pattern)
            long_run = secret_type in _LONG_TYPES
            out.append((_placeholder(secret_type), pattern, needs, long_run))
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
    # casefold, not lower: what IGNORECASE matches ("\u017f" for "s") folds too
    lower = text.casefold()
    # many patterns share one tuple of words: look each tuple up once per text
    present: dict[tuple[str, ...], bool] = {(): True}
    has_run: bool | None = None
    for name, pattern, needs, long_run in patterns():
        found = present.get(needs)
        if found is None:
            found = present[needs] = any(map(lower.__contains__, needs))  # no frame per word
        if not found:
            continue
        if long_run:
            if has_run is None:
                # such a run lies within one whitespace-free chunk: measuring the
                # chunks is five times faster than the search, which most texts skip
                has_run = (
                    max(map(len, text.split()), default=0) >= 16
                    and _LONG_RUN.search(text) is not None
                )
            if not has_run:
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
