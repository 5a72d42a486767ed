"""A deterministic corpus of realistic chats with planted secrets and personal
data, for the privacy tests and benchmarks/privacy_check.py."""

from __future__ import annotations

import random
import string


def _luhn_card(rng: random.Random, prefix: str, length: int = 16) -> str:
    digits = [int(c) for c in prefix] + [rng.randrange(10) for _ in range(length - len(prefix) - 1)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    digits.append((10 - total % 10) % 10)
    s = "".join(map(str, digits))
    return " ".join(s[i : i + 4] for i in range(0, len(s), 4))


def _rand(rng: random.Random, chars: str, n: int) -> str:
    return "".join(rng.choice(chars) for _ in range(n))


ALNUM = string.ascii_letters + string.digits
UPPER = string.ascii_uppercase + string.digits


def planted(rng: random.Random) -> list[tuple[str, str]]:
    """(kind, value) for one of each kind, freshly generated."""
    first = rng.choice(["anna", "li", "omar", "jo", "maria", "sven", "priya"])
    return [
        ("aws", "AKIA" + _rand(rng, UPPER, 16)),
        ("github", "ghp_" + _rand(rng, ALNUM, 36)),
        ("openai", "sk-proj-" + _rand(rng, ALNUM, 40)),
        (
            "slack",
            f"xoxb-{rng.randrange(10**11, 10**12)}-{rng.randrange(10**11, 10**12)}-{_rand(rng, string.ascii_lowercase + string.digits, 24)}",
        ),
        ("stripe", "sk_live_" + _rand(rng, ALNUM, 24)),
        (
            "jwt",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            + _rand(rng, ALNUM, 40)
            + "."
            + _rand(rng, ALNUM, 43),
        ),
        ("url_password", _rand(rng, ALNUM, 14)),
        ("password", _rand(rng, ALNUM, 12) + "!"),
        (
            "email",
            f"{first}.{_rand(rng, string.ascii_lowercase, 6)}@{rng.choice(['gmail.com', 'acme-corp.io', 'uni.edu'])}",
        ),
        (
            "phone",
            f"+1 {rng.randrange(200, 999)}-{rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}",
        ),
        ("card", _luhn_card(rng, rng.choice(["4", "51", "37"]), 16)),
        (
            "ip",
            f"{rng.randrange(11, 223)}.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 254)}",
        ),
        ("private_key", "MIIEow" + _rand(rng, ALNUM + "+/", 120)),
    ]


def _chat(kind: str, value: str) -> tuple[str, str]:
    """A realistic exchange carrying ``value``; the planted value appears verbatim."""
    if kind == "aws":
        return (
            "Why does boto3 say my credentials are invalid?",
            f"Check the key you exported: `export AWS_ACCESS_KEY_ID={value}`. An access key that was deactivated in IAM causes InvalidClientTokenId errors, so create a new one if needed.",
        )
    if kind == "github":
        return (
            f"My push fails with 403 even though I set the token {value} in the remote URL. Why?",
            "A 403 usually means the token lacks the repo scope. Fine-grained tokens need explicit repository access, so regenerate it with the right permissions.",
        )
    if kind == "openai":
        return (
            f'Is this the right way to set my key? client = OpenAI(api_key="{value}")',
            "It works, but hard-coding the key leads to leaks when the file is committed. Read it from the OPENAI_API_KEY environment variable instead.",
        )
    if kind == "slack":
        return (
            "How do I post to a channel from a script?",
            f'Use chat.postMessage with your bot token, for example `curl -H "Authorization: Bearer {value}" https://slack.com/api/chat.postMessage`. The bot must be invited to the channel first.',
        )
    if kind == "stripe":
        return (
            f"Payments fail in production with key {value}. What should I check?",
            "First, confirm the live key matches the account. Next, check that webhooks point to the production endpoint. Then look at the Radar rules for blocked charges.",
        )
    if kind == "jwt":
        return (
            f"Why is this token rejected: {value}",
            "The signature check fails because the server uses a different secret. Tokens signed with HS256 must be verified with the same shared secret.",
        )
    if kind == "url_password":
        return (
            "How do I connect to Postgres from SQLAlchemy?",
            f"Use a URL such as `postgresql://app_user:{value}@db.internal:5432/shop` with `create_engine`. A wrong password causes an authentication error at the first query.",
        )
    if kind == "password":
        return (
            f"I set password = {value} in my config file. Is that safe?",
            "Storing a password in plain text is risky because anyone with read access to the repository can see it. Use a secrets manager or environment variables.",
        )
    if kind == "email":
        return (
            f"Draft a reply to {value} about the delayed order.",
            "Here is a short reply: apologise for the delay, give the new delivery date and offer a discount code. Keep it under five sentences.",
        )
    if kind == "phone":
        return (
            f"Customer called from {value} about a refund. What's our policy?",
            "Refunds are issued within 14 days of purchase to the original payment method. Partial refunds apply to opened items.",
        )
    if kind == "card":
        return (
            f"The charge on card {value} was declined. Why?",
            "A decline usually comes from the issuing bank. Common causes are insufficient funds, a wrong expiry date or a fraud block.",
        )
    if kind == "ip":
        return (
            f"Our API server at {value} keeps timing out. How do I debug it?",
            "Start with the load balancer logs, then check the server's CPU and connection counts. A full connection pool leads to timeouts under load.",
        )
    return (
        "How do I load a private key in Python?",
        f"Read the PEM file with the cryptography package:\n\n```\n-----BEGIN RSA PRIVATE KEY-----\n{value}\n-----END RSA PRIVATE KEY-----\n```\n\nNever commit the key file itself.",
    )


def corpus(n_items: int = 200, seed: int = 7) -> tuple[list[dict], list[tuple[str, str]]]:
    """(OpenAI-messages records, planted (kind, value) pairs), ``n_items`` planted in all."""
    rng = random.Random(seed)
    records, values = [], []
    while len(values) < n_items:
        for kind, value in planted(rng):
            if len(values) >= n_items:
                break
            user, reply = _chat(kind, value)
            records.append(
                {
                    "messages": [
                        {"role": "user", "content": user},
                        {"role": "assistant", "content": reply},
                    ]
                }
            )
            values.append((kind, value))
    return records, values
