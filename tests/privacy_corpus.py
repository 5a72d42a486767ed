"""A deterministic corpus of realistic chats with planted secrets and personal
data, for the privacy tests and benchmarks/privacy_check.py."""

from __future__ import annotations

import json
import random
import re
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


# ---------------------------------------------------------------- every kind x placement
# The planted kinds of the privacy benchmark: (kind, make(rng) -> (value, line),
# whether the line must stand on its own line).  ``value`` is what must not
# survive anywhere; ``line`` is how a coding chat writes it.
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"


def _secret(rng: random.Random, n: int = 14) -> str:
    """A random password with a digit and a letter in it (so that it reads as one)."""
    return _rand(rng, string.ascii_letters, n - 2) + rng.choice(string.digits) + rng.choice("kQz")


def _valid_phone(rng: random.Random, region: str, make) -> str:
    import phonenumbers

    while True:
        candidate = make(rng)
        number = phonenumbers.parse(candidate, region)
        if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
            phonenumbers.PhoneNumberType.FIXED_LINE,
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            return candidate


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _iban(rng: random.Random, country: str, bban_len: int) -> str:
    bban = _digits(rng, bban_len)
    moved = bban + country + "00"
    check = 98 - int("".join(str(int(c, 36)) for c in moved)) % 97
    compact = f"{country}{check:02d}{bban}"
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _ssn(rng: random.Random) -> str:
    return f"{rng.randrange(100, 665)}-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}"


def _kinds() -> list[tuple[str, object, bool]]:
    s = _secret
    kinds: list[tuple[str, object, bool]] = [
        # provider tokens, by their shape
        (
            "aws_access_key",
            lambda r: (v := "AKIA" + _rand(r, UPPER, 16), f"aws_access_key_id = {v}"),
            False,
        ),
        (
            "aws_secret_key",
            lambda r: (v := _rand(r, ALNUM, 40), f"aws_secret_access_key = {v}"),
            False,
        ),
        (
            "github_classic",
            lambda r: (
                v := "ghp_" + _rand(r, ALNUM, 36),
                f"git push https://{v}@github.com/me/app",
            ),
            False,
        ),
        ("github_oauth", lambda r: (v := "gho_" + _rand(r, ALNUM, 36), f"token {v}"), False),
        (
            "github_fine_grained",
            lambda r: (
                v := "github_pat_11" + _rand(r, UPPER, 20) + "_" + _rand(r, ALNUM, 59),
                f"GH={v}",
            ),
            False,
        ),
        ("gitlab", lambda r: (v := "glpat-" + _rand(r, ALNUM, 20), f"gitlab token {v}"), False),
        (
            "huggingface",
            lambda r: (v := "hf_" + _rand(r, ALNUM, 34), f"huggingface-cli login --token {v}"),
            False,
        ),
        (
            "openai_project",
            lambda r: (v := "sk-proj-" + _rand(r, ALNUM, 40), f'client = OpenAI(api_key="{v}")'),
            False,
        ),
        (
            "openai_legacy",
            lambda r: (v := "sk-" + _rand(r, ALNUM, 48), f"the key {v} stopped working"),
            False,
        ),
        (
            "anthropic",
            lambda r: (v := "sk-ant-api03-" + _rand(r, ALNUM, 60), f"ANTHROPIC={v}"),
            False,
        ),
        ("google_api", lambda r: (v := "AIza" + _rand(r, ALNUM, 35), f"maps?key={v}"), False),
        (
            "slack_bot",
            lambda r: (
                v
                := f"xoxb-{_digits(r, 12)}-{_digits(r, 12)}-{_rand(r, string.ascii_lowercase + string.digits, 24)}",
                f"slack bot {v}",
            ),
            False,
        ),
        (
            "slack_webhook",
            lambda r: (
                v
                := f"https://hooks.slack.com/services/T{_rand(r, UPPER, 8)}/B{_rand(r, UPPER, 8)}/{_rand(r, ALNUM, 24)}",
                f"curl -X POST {v}",
            ),
            False,
        ),
        (
            "stripe_live",
            lambda r: (v := "sk_live_" + _rand(r, ALNUM, 24), f"stripe.api_key = '{v}'"),
            False,
        ),
        (
            "stripe_test",
            lambda r: (v := "sk_test_" + _rand(r, ALNUM, 24), f"the test key {v}"),
            False,
        ),
        (
            "sendgrid",
            lambda r: (v := f"SG.{_rand(r, ALNUM, 22)}.{_rand(r, ALNUM, 43)}", f"sendgrid {v}"),
            False,
        ),
        ("twilio", lambda r: (v := "SK" + _rand(r, HEX, 32), f"twilio sid {v}"), False),
        (
            "npm",
            lambda r: (v := "npm_" + _rand(r, ALNUM, 36), f"//registry.npmjs.org/:_authToken={v}"),
            False,
        ),
        (
            "pypi",
            lambda r: (v := "pypi-AgEIcHlwaS5vcmc" + _rand(r, ALNUM, 72), f"password = {v}"),
            False,
        ),
        (
            "jwt",
            lambda r: (
                v := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI"
                + _rand(r, ALNUM, 20)
                + "."
                + _rand(r, ALNUM, 43),
                f"Cookie: session={v}",
            ),
            False,
        ),
        (
            "telegram",
            lambda r: (v := f"{_digits(r, 9)}:{_rand(r, ALNUM, 35)}", f"bot = Bot('{v}')"),
            False,
        ),
        ("mailchimp", lambda r: (v := _rand(r, HEX, 32) + "-us12", f"mailchimp key {v}"), False),
        ("square", lambda r: (v := "sq0csp-" + _rand(r, ALNUM, 43), f"square secret {v}"), False),
        (
            "azure_sas",
            lambda r: (
                v := _rand(r, B64, 43) + "=",
                f"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey={v}",
            ),
            False,
        ),
        (
            "azure_account_key",
            lambda r: (
                v := _rand(r, B64, 86) + "==",
                f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={v};EndpointSuffix=core.windows.net",
            ),
            False,
        ),
        (
            "pem_rsa",
            lambda r: (
                v := "MIIEow" + _rand(r, B64, 58),
                f"-----BEGIN RSA PRIVATE KEY-----\n{v}\n{_rand(r, B64, 64)}\n-----END RSA PRIVATE KEY-----",
            ),
            True,
        ),
        (
            "pem_without_end",
            lambda r: (
                v := "MIIEvQ" + _rand(r, B64, 58),
                f"-----BEGIN PRIVATE KEY-----\n{v}\n{_rand(r, B64, 40)}",
            ),
            True,
        ),
        (
            "openssh_key",
            lambda r: (
                v := "b3BlbnNzaC1rZXktdjE" + _rand(r, B64, 45),
                f"-----BEGIN OPENSSH PRIVATE KEY-----\n{v}\n-----END OPENSSH PRIVATE KEY-----",
            ),
            True,
        ),
        # values next to credential names
        ("env_db_password", lambda r: (v := s(r), f"DB_PASSWORD={v}"), False),
        ("env_postgres_password", lambda r: (v := s(r), f"POSTGRES_PASSWORD={v}"), False),
        (
            "env_secret_key",
            lambda r: (v := "django-insecure-" + s(r, 20), f"SECRET_KEY={v}"),
            False,
        ),
        ("env_jwt_secret", lambda r: (v := s(r, 24), f"JWT_SECRET={v}"), False),
        ("env_api_token", lambda r: (v := s(r, 20), f"API_TOKEN={v}"), False),
        ("env_pgpassword", lambda r: (v := s(r, 10), f"PGPASSWORD={v} psql -h db -U app"), False),
        ("env_hf_token", lambda r: (v := s(r, 20), f"export HF_TOKEN={v}"), False),
        ("compose_mysql_root", lambda r: (v := s(r), f"  MYSQL_ROOT_PASSWORD: {v}"), True),
        ("yaml_password", lambda r: (v := s(r), f"password: {v}"), True),
        ("json_client_secret", lambda r: (v := s(r, 24), f'{{"client_secret": "{v}"}}'), False),
        (
            "json_private_key_id",
            lambda r: (v := _rand(r, HEX, 40), f'"private_key_id": "{v}",'),
            False,
        ),
        ("toml_password", lambda r: (v := s(r), f'password = "{v}"'), False),
        ("hcl_secret_key", lambda r: (v := _rand(r, B64, 40), f'secret_key = "{v}"'), False),
        ("django_secret_key", lambda r: (v := s(r, 30), f"SECRET_KEY = '{v}'"), False),
        ("flask_secret_key", lambda r: (v := s(r, 24), f"app.config['SECRET_KEY'] = '{v}'"), False),
        ("camel_api_key", lambda r: (v := s(r, 24), f'const apiKey = "{v}";'), False),
        (
            "x_api_key_header",
            lambda r: (v := s(r, 24), f'curl -H "x-api-key: {v}" https://api.acme-corp.io'),
            False,
        ),
        ("cli_password_flag", lambda r: (v := s(r), f"app --user admin --password {v}"), False),
        ("cli_api_key_flag", lambda r: (v := s(r, 20), f"tool --api-key={v}"), False),
        ("mysql_p", lambda r: (v := s(r, 10), f"mysql -u root -p{v} shop"), False),
        ("curl_u", lambda r: (v := s(r, 10), f"curl -u admin:{v} https://api.acme-corp.io"), False),
        (
            "url_password_special",
            lambda r: (v := s(r, 8) + "@!", f"postgres://bob:{v}@db.acme-corp.io:5432/shop"),
            False,
        ),
        (
            "bearer_header",
            lambda r: (v := _rand(r, ALNUM, 32), f"Authorization: Bearer {v}"),
            False,
        ),
        (
            "basic_header",
            lambda r: (v := _rand(r, B64, 28) + "==", f"Authorization: Basic {v}"),
            False,
        ),
        ("pgpass_line", lambda r: (v := s(r), f"db.acme-corp.io:5432:shop:bob:{v}"), True),
        (
            "netrc_line",
            lambda r: (v := s(r), f"machine api.acme-corp.io login bob password {v}"),
            False,
        ),
        (
            "sql_connection_string",
            lambda r: (v := s(r), f"Server=db1;User Id=sa;Password={v};"),
            False,
        ),
        (
            "passphrase_spaces",
            lambda r: (
                v := " ".join(
                    r.choice(["correct", "horse", "battery", "staple", "orange", "piano"])
                    for _ in range(4)
                )
                + f" {_digits(r, 2)}",
                f'my password is "{v}"',
            ),
            False,
        ),
        (
            "short_password",
            lambda r: (
                v := _rand(r, string.ascii_lowercase, 3) + _digits(r, 2),
                f"the password is {v}",
            ),
            False,
        ),
        (
            "redis_url_no_user",
            lambda r: (v := s(r), f"redis://:{v}@cache.acme-corp.io:6379/0"),
            False,
        ),
        (
            "docker_login_p",
            lambda r: (v := s(r), f"docker login -u bob -p {v} registry.acme-corp.io"),
            False,
        ),
        (
            "putty_key",
            lambda r: (
                v := "AAAAgQC" + _rand(r, B64, 57),
                f"PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nPrivate-Lines: 2\n{v}\n{_rand(r, B64, 64)}\nPrivate-MAC: {_rand(r, HEX, 40)}",
            ),
            True,
        ),
        (
            "escaped_json_password",
            lambda r: (v := s(r), '{\\"user\\": \\"bob\\", \\"password\\": \\"' + v + '\\"}'),
            False,
        ),
        # personal data
        (
            "email",
            lambda r: (
                v
                := f"{r.choice(['anna', 'omar', 'li'])}.{_rand(r, string.ascii_lowercase, 6)}@acme-corp.io",
                f"mail {v} about it",
            ),
            False,
        ),
        (
            "email_non_ascii",
            lambda r: (
                v := f"jos\u00e9.{_rand(r, string.ascii_lowercase, 5)}@m\u00fcller-bau.de",
                f"write to {v}",
            ),
            False,
        ),
        (
            "phone_us_plus",
            lambda r: (
                v := _valid_phone(
                    r, "US", lambda r: f"+1 415-{r.randrange(200, 999)}-{r.randrange(1000, 9999)}"
                ),
                f"call {v}",
            ),
            False,
        ),
        (
            "phone_us_bare",
            lambda r: (
                v := _valid_phone(
                    r, "US", lambda r: f"415{r.randrange(200, 999)}{r.randrange(1000, 9999)}"
                ),
                f"call me at {v}",
            ),
            False,
        ),
        (
            "phone_uk",
            lambda r: (
                v := _valid_phone(r, "GB", lambda r: f"020 7{_digits(r, 3)} {_digits(r, 4)}"),
                f"ring {v}",
            ),
            False,
        ),
        (
            "phone_de",
            lambda r: (
                v := _valid_phone(r, "DE", lambda r: f"030 {r.randrange(2, 9)}{_digits(r, 7)}"),
                f"Telefon {v}",
            ),
            False,
        ),
        (
            "phone_fr",
            lambda r: (
                v := _valid_phone(
                    r, "FR", lambda r: "06 " + " ".join(_digits(r, 2) for _ in range(4))
                ),
                f"portable {v}",
            ),
            False,
        ),
        (
            "phone_jp",
            lambda r: (
                v := _valid_phone(
                    r, "JP", lambda r: f"03-{r.randrange(1000, 9999)}-{_digits(r, 4)}"
                ),
                f"tel {v}",
            ),
            False,
        ),
        (
            "phone_in",
            lambda r: (
                v := _valid_phone(r, "IN", lambda r: f"+91 9{_digits(r, 4)} {_digits(r, 5)}"),
                f"whatsapp {v}",
            ),
            False,
        ),
        (
            "ipv4",
            lambda r: (
                v
                := f"{r.randrange(11, 99)}.{r.randrange(32, 250)}.{r.randrange(1, 250)}.{r.randrange(2, 250)}",
                f"ssh root@{v}",
            ),
            False,
        ),
        (
            "ipv4_sentence_end",
            lambda r: (
                v
                := f"{r.randrange(100, 190)}.{r.randrange(32, 250)}.{r.randrange(1, 250)}.{r.randrange(2, 250)}",
                f"the server is at {v}.",
            ),
            False,
        ),
        (
            "ipv6",
            lambda r: (v := "2a02:" + ":".join(_rand(r, HEX, 4) for _ in range(7)), f"ping6 {v}"),
            False,
        ),
        ("ssn", lambda r: (v := _ssn(r), f"SSN {v}"), False),
        ("iban_de", lambda r: (v := _iban(r, "DE", 18), f"IBAN {v}"), False),
        (
            "iban_gb",
            lambda r: (v := _iban(r, "GB", 18).replace("GB", "GB", 1), f"pay to {v}"),
            False,
        ),
        ("card_visa", lambda r: (v := _luhn_card(r, "4"), f"card {v}"), False),
        (
            "card_mastercard",
            lambda r: (v := _luhn_card(r, "51").replace(" ", "-"), f"card {v}"),
            False,
        ),
        (
            "dob_born_on",
            lambda r: (
                v
                := f"{r.choice(['March', 'July', 'October'])} {r.randrange(1, 28)}, {r.randrange(1950, 2005)}",
                f"I was born on {v}",
            ),
            False,
        ),
        (
            "dob_german",
            lambda r: (
                v := f"{r.randrange(10, 28)}.0{r.randrange(1, 9)}.{r.randrange(1950, 2005)}",
                f"Geburtsdatum: {v}",
            ),
            False,
        ),
        (
            "email_bracketed",
            lambda r: (
                v := f"{_rand(r, string.ascii_lowercase, 7)}[at]acme-corp[dot]io",
                f"mail {v}",
            ),
            False,
        ),
        (
            "email_worded",
            lambda r: (
                v := f"{_rand(r, string.ascii_lowercase, 7)} at acme-corp dot com",
                f"write to {v} please",
            ),
            False,
        ),
        (
            "dob_label",
            lambda r: (
                v := f"{r.randrange(1950, 2005)}-0{r.randrange(1, 9)}-{r.randrange(10, 28)}",
                f"DOB: {v}",
            ),
            False,
        ),
        # found after the first corpus: service token prefixes, webhooks, ids, a placeholder-looking name
        (
            "docker_pat",
            lambda r: (
                v := "dckr_pat_" + _rand(r, ALNUM, 27),
                f"docker login -u me --password-stdin <<< {v}",
            ),
            False,
        ),
        (
            "digitalocean",
            lambda r: (v := "dop_v1_" + _rand(r, HEX, 64), f"DIGITALOCEAN_ACCESS_TOKEN {v}"),
            False,
        ),
        (
            "shopify",
            lambda r: (v := "shpat_" + _rand(r, HEX, 32), f"X-Shopify-Access-Token: {v}"),
            False,
        ),
        (
            "discord_webhook",
            lambda r: (
                v := f"https://discord.com/api/webhooks/{_digits(r, 18)}/{_rand(r, ALNUM, 68)}",
                f"post the alerts to {v}",
            ),
            False,
        ),
        (
            "slack_webhook",
            lambda r: (
                v
                := f"https://hooks.slack.com/services/T{_rand(r, UPPER, 8)}/B{_rand(r, UPPER, 8)}/{_rand(r, ALNUM, 24)}",
                f"webhook_url = {v}",
            ),
            False,
        ),
        ("passport", lambda r: (v := "X" + _digits(r, 8), f"my passport number is {v}"), False),
        (
            "uk_nino",
            lambda r: (
                v := f"QQ {_digits(r, 2)} {_digits(r, 2)} {_digits(r, 2)} C",
                f"national insurance number: {v}",
            ),
            False,
        ),
        (
            "doe_email",
            lambda r: (v := f"john.doe{_digits(r, 3)}@gmail.com", f"mail {v} the invoice"),
            False,
        ),
        ("xml_password", lambda r: (v := s(r), f"<password>{v}</password>"), True),
        ("sshpass", lambda r: (v := s(r), f"sshpass -p '{v}' ssh deploy@build-host"), True),
        (
            "prose_auth_token",
            lambda r: (v := _rand(r, HEX, 32), f"the auth token {v} expires at noon"),
            False,
        ),
        ("square", lambda r: (v := "sq0atp-" + _rand(r, ALNUM, 22), f"SQUARE_ACCESS {v}"), False),
        # found by the review after that: escaped text, YAML blocks, values with
        # punctuation, CLI password flags, prose, encoded e-mails, key-form dates
        (
            "json_escaped_env",
            lambda r: (v := s(r), f'{{"env": "DB_HOST=db.internal\\npassword={v}\\nPORT=5432"}}'),
            False,
        ),
        ("yaml_block", lambda r: (v := s(r), f"db:\n  password: |\n    {v}\n  port: 5432"), True),
        (
            "yaml_folded",
            lambda r: (v := s(r), f"api:\n  client_secret: >-\n    {v}\n  region: eu"),
            True,
        ),
        (
            "punctuated_value",
            lambda r: (v := f"{s(r, 8)},{s(r, 6)};{s(r, 6)}(7)", f"DB_PASSWORD={v}"),
            True,
        ),
        ("redis_cli", lambda r: (v := s(r), f"redis-cli -h cache.internal -a {v} ping"), False),
        ("smbclient", lambda r: (v := s(r), f"smbclient //files/share -U deploy%{v}"), False),
        ("mongo_p", lambda r: (v := s(r), f"mongo --host db.internal -u admin -p {v}"), False),
        ("htpasswd", lambda r: (v := s(r), f"htpasswd -b /etc/nginx/.htpasswd admin {v}"), False),
        ("mysql_glued", lambda r: (v := s(r), f"mysql -h db.internal -u root -p{v} shop"), False),
        (
            "prose_root_password",
            lambda r: (v := s(r), f"the root password for the server is {v} by the way"),
            False,
        ),
        ("prose_set_to", lambda r: (v := s(r), f"set the admin password to {v} for now"), False),
        ("prose_pw", lambda r: (v := s(r), f"the pw is {v} if you need it"), False),
        (
            "email_percent",
            lambda r: (
                v
                := f"{_rand(r, string.ascii_lowercase, 6)}.{_rand(r, string.ascii_lowercase, 5)}%40gmail.com",
                f"https://app.acme-corp.io/invite?to={v}&team=7",
            ),
            False,
        ),
        (
            "email_entity",
            lambda r: (
                v
                := f"{_rand(r, string.ascii_lowercase, 6)}.{_rand(r, string.ascii_lowercase, 5)}&#64;acme-corp.io",
                f"<a href='mailto:x'>{v}</a>",
            ),
            False,
        ),
        (
            "dob_json_key",
            lambda r: (
                v := f"{r.randrange(1950, 2005)}-0{r.randrange(1, 9)}-{r.randrange(10, 28)}",
                f'{{"name": "Ana", "dob": "{v}"}}',
            ),
            False,
        ),
        (
            "dob_camel_key",
            lambda r: (
                v := f"{r.randrange(10, 28)}/0{r.randrange(1, 9)}/{r.randrange(1950, 2005)}",
                f"user.birthDate = '{v}'",
            ),
            False,
        ),
        (
            "ipv6_alone",
            lambda r: (
                v := "2a02:" + ":".join(_rand(r, "123456789", 4) for _ in range(7)),
                f"{v}",
            ),
            True,
        ),
        (
            "phone_au_worded",
            lambda r: (
                v := _valid_phone(
                    r, "AU", lambda g: f"04{_digits(g, 2)} {_digits(g, 3)} {_digits(g, 3)}"
                ),
                f"call me on {v}",
            ),
            False,
        ),
        (
            "phone_nl_worded",
            lambda r: (
                v := _valid_phone(r, "NL", lambda g: f"06-{g.randrange(10000000, 99999999)}"),
                f"mijn nummer: {v}",
            ),
            False,
        ),
        (
            "phone_es_worded",
            lambda r: (
                v := _valid_phone(
                    r,
                    "ES",
                    lambda g: f"6{_digits(g, 2)} {_digits(g, 2)} {_digits(g, 2)} {_digits(g, 2)}",
                ),
                f"mi teléfono es {v}",
            ),
            False,
        ),
        (
            "phone_00_prefix",
            lambda r: (
                v := _valid_phone(r, "DE", lambda g: f"0049 30 {_digits(g, 8)}"),
                f"phone: {v}",
            ),
            False,
        ),
    ]
    return kinds


KINDS = _kinds()
PLACEMENTS = ("user_prose", "user_code", "assistant_prose", "assistant_code")


def _placed(line: str, own_line: bool, placement: str) -> str:
    if placement.endswith("code"):
        return f"Here is the file:\n\n```\n{line}\n```\n\nIt is what I run."
    if own_line:
        return f"This is what I have set up.\n{line}\nIt is what I run."
    return f"This is what I have set up: {line} and it is what I run."


_SERVICES = ["billing API", "nightly backup", "staging deploy", "search indexer", "mail relay"]
_SERVICES += ["payment webhook", "image resizer", "metrics exporter", "chat bot", "CI runner"]
_ERRORS = ["a 401 response", "an authentication error", "a timeout", "a 403 response"]
_ERRORS += ["a refused connection", "an expired session", "a TLS handshake error"]
_CAUSES = ["the credentials were rotated", "the clock is skewed", "the scope is missing"]
_CAUSES += ["the wrong region is set", "the proxy strips the header", "the account is locked"]
_FIXES = ["create new credentials", "sync the clock with NTP", "grant the missing scope"]
_FIXES += ["set the region explicitly", "pass the header through", "unlock the account"]


def _filler(rng: random.Random) -> tuple[str, str]:
    """A question and an answer varied enough that no two exchanges are near-duplicates."""
    service, error = rng.choice(_SERVICES), rng.choice(_ERRORS)
    cause, fix = rng.choice(_CAUSES), rng.choice(_FIXES)
    n = rng.randrange(2, 60)
    user = f"Why does the {service} fail with {error} after {n} minutes?"
    reply = (
        f"The {service} fails with {error} because {cause}. "
        f"To fix it, {fix}, then restart the {service} and watch the logs for {n} minutes."
    )
    return user, reply


def planted_corpus(seed: int = 11) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """(OpenAI-messages records, (kind, placement, value)): every kind in every
    placement, one conversation each, the value fresh for each."""
    rng = random.Random(seed)
    records, values = [], []
    for kind, make, own_line in KINDS:
        for placement in PLACEMENTS:
            value, line = make(rng)  # type: ignore[operator]
            snippet = _placed(line, own_line, placement)
            user, reply = _filler(rng)
            if placement.startswith("user"):
                user = f"{user}\n\n{snippet}"
            else:
                reply = f"{reply}\n\n{snippet}"
            records.append(
                {
                    "messages": [
                        {"role": "user", "content": user},
                        {"role": "assistant", "content": reply},
                    ]
                }
            )
            values.append((kind, placement, value))
    return records, values


# Legitimate look-alikes that must come out exactly as written.
LOOK_ALIKES = [
    "Upgrade git 1.7.7.3 to v2.10.1.4 first.",
    "See JLS §15.12.2.7 for the inference rules.",
    "Use 192.0.2.10 or 198.51.100.7 or 203.0.113.5 in the docs, and 2001:db8::1 for IPv6.",
    "Send it to you@example.com or admin@example.org.",
    "Commit 3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39 fixed it.",
    "The id is 123e4567-e89b-12d3-a456-426614174000 in the table.",
    "The integral is 3.14159 times 2.71828 and the sum of 12 345 678 rows.",
    "Bind to 127.0.0.1 and 0.0.0.0, the router is 192.168.1.1.",
    "Set password: <password> and token: ${API_TOKEN} in the template.",
]
LOOK_ALIKE_CODE = "```docker\nFROM python:3.12-slim\nRUN pip install uv==0.4.18\n```"


def formats(records: list[dict]) -> dict[str, tuple[str, str]]:
    """The same conversations in every input format a reader reads: {reader:
    (file name, file text)} (the SQLite log is written by :func:`write_log`)."""
    pairs = [(r["messages"][0]["content"], r["messages"][1]["content"]) for r in records]
    out: dict[str, tuple[str, str]] = {
        "openai_messages": ("chats.jsonl", "".join(json.dumps(r) + "\n" for r in records)),
        "sharegpt": (
            "share.json",
            json.dumps(
                [
                    {"conversations": [{"from": "human", "value": u}, {"from": "gpt", "value": a}]}
                    for u, a in pairs
                ]
            ),
        ),
        "alpaca": ("alpaca.json", json.dumps([{"instruction": u, "output": a} for u, a in pairs])),
        "raw_memory": (
            "memories.json",
            json.dumps(
                [
                    {
                        "id": f"m{i}",
                        "text": f"User: {u}\n\nSystem: {a}",
                        "importance": 0.9,
                        "metadata": {"user_input": u, "system_output": a},
                    }
                    for i, (u, a) in enumerate(pairs)
                ]
            ),
        ),
        "chatgpt_export": (
            "conversations.json",
            json.dumps([_chatgpt(i, u, a) for i, (u, a) in enumerate(pairs)]),
        ),
        "claude_export": (
            "claude.json",
            json.dumps(
                [
                    {
                        "uuid": f"c{i}",
                        "name": "chat",
                        "chat_messages": [
                            {"uuid": f"c{i}u", "sender": "human", "text": u},
                            {"uuid": f"c{i}a", "sender": "assistant", "text": a},
                        ],
                    }
                    for i, (u, a) in enumerate(pairs)
                ]
            ),
        ),
        "transcript": (
            "chat.txt",
            "\n---\n".join(f"User: {u}\nAssistant: {a}" for u, a in pairs) + "\n",
        ),
    }
    return out


def _chatgpt(i: int, user: str, reply: str) -> dict:
    def node(nid: str, parent: str | None, child: str | None, role: str, text: str) -> dict:
        return {
            "id": nid,
            "parent": parent,
            "children": [child] if child else [],
            "message": {
                "id": nid,
                "author": {"role": role},
                "content": {"content_type": "text", "parts": [text]},
            },
        }

    mapping = {
        f"u{i}": node(f"u{i}", None, f"a{i}", "user", user),
        f"a{i}": node(f"a{i}", f"u{i}", None, "assistant", reply),
    }
    return {"id": f"conv-{i}", "title": "chat", "current_node": f"a{i}", "mapping": mapping}


def write_log(path, records: list[dict]) -> None:
    """The conversations as loomcore's own SQLite conversation log."""
    from loomcore.log import ConversationLog

    with ConversationLog(path) as log:
        for r in records:
            log.record(r["messages"][0]["content"], r["messages"][1]["content"], importance=0.9)


def survivors(text: str, values: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(kind, placement) of every planted value found in ``text``, as written
    or as JSON escapes it, or half of a long one (a value cut at its
    punctuation was half replaced, and the half left counted as redacted)."""
    out = []
    for kind, placement, value in values:
        forms = {value, value.replace(" ", ""), json.dumps(value)[1:-1]}
        if len(value) >= 20:  # (a half with no digit may be a public part: "@acme-corp.io")
            halves = (value[: len(value) // 2], value[len(value) // 2 :])
            forms |= {h for h in halves if re.search(r"\d", h) and re.search(r"[A-Za-z]", h)}
        if any(f in text for f in forms):
            out.append((kind, placement))
    return out
