"""Secrets: API keys and tokens of the common providers, private key blocks,
JWTs, passwords in URLs and in assignments.

The provider patterns are detect-secrets' own (its regex-based detectors),
compiled once and run over whole messages; formats it lacks (fine-grained
GitHub, Hugging Face, new-style OpenAI and Anthropic keys, Google API keys,
auth headers, ``curl -u``, ``mysql -p``, ``.pgpass`` and ``.netrc`` lines,
private key blocks with or without their END line) are added here, and
values assigned to credential names come from :mod:`assignments`.  All
spans are collected first and the text is rebuilt once (:mod:`spans`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

from loomcore_plugins.redactors import anchors, assignments, spans
from loomcore_plugins.redactors.spans import Span

from loomcore import Redactor, hookimpl

# detect-secrets detectors left out: they match ordinary words in prose
# (Artifactory's "AP..." ids) or are personal data, handled by personal_data.
# JWT, NPM and OpenAI: their patterns backtrack quadratically ("eyJ", "//" or
# "sk-" repeated takes minutes on a megabyte); linear ones of the same kinds
# are in _EXTRA.
# IBM Cloud IAM, Cloudant, SoftLayer and IBM COS: "(?: *)(?:...| +|...)(?: *)"
# is cubic on a run of spaces (8.5 s for 1,000); their key names are in
# the assignment rules (assignments.py).
_SKIPPED = {
    *("Artifactory Credentials", "Public IP (ipv4)", "Private Key"),
    *("JSON Web Token", "NPM tokens", "OpenAI Token"),
    *("IBM Cloud IAM Key", "Cloudant Credentials", "SoftLayer Credentials"),
    "IBM COS HMAC Credentials",
}

_EXTRA: tuple[tuple[str, str, tuple[anchors.Alternative, ...]], ...] = (
    # (placeholder, pattern, what a match needs: lower-case substrings or
    # regexes, one of which must be present; see anchors.py)
    ("ANTHROPIC_KEY", r"\bsk-ant-[A-Za-z0-9_-]{20,}", ("sk-ant-",)),
    ("OPENAI_TOKEN", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", ("sk-",)),
    ("GOOGLE_API_KEY", r"\bAIza[0-9A-Za-z_-]{35}", ("aiza",)),
    ("GITHUB_TOKEN", r"\bgithub_pat_[A-Za-z0-9_]{22,}", ("github_pat_",)),
    ("GITHUB_TOKEN", r"\bgh[pousr]_[A-Za-z0-9]{30,}", ("gh",)),
    ("HUGGINGFACE_TOKEN", r"\bhf_[A-Za-z0-9]{30,}", ("hf_",)),
    ("NPM_TOKEN", r"\bnpm_[A-Za-z0-9]{36}\b", ("npm_",)),
    ("NPM_TOKEN", r"_authToken\s{0,3}=\s{0,3}[\"']?([^\s\"']{8,200})", ("_authtoken",)),
    ("STRIPE_ACCESS_KEY", r"\b(?:sk|rk|pk)_(?:live|test)_[0-9a-zA-Z]{16,}", ("_live_", "_test_")),
    ("SLACK_TOKEN", r"\bxox[abposr]-[A-Za-z0-9-]{10,}", ("xox",)),
    # the prefixes services put on their tokens so that scanners find them
    ("DOCKER_TOKEN", r"\bdckr_pat_[A-Za-z0-9_-]{20,}", ("dckr_pat_",)),
    ("DIGITALOCEAN_TOKEN", r"\bdo[opr]_v1_[a-f0-9]{64}\b", ("_v1_",)),
    ("SHOPIFY_TOKEN", r"\bshp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}\b", ("shp",)),
    ("GITLAB_TOKEN", r"\bgl(?:pat|dt|ptt|rt|cbt)-[A-Za-z0-9_-]{20,}", ("gl",)),
    ("PYPI_TOKEN", r"\bpypi-AgE[A-Za-z0-9_-]{50,}", ("pypi-",)),
    ("SENDGRID_KEY", r"\bSG\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}", ("sg.",)),
    ("SQUARE_TOKEN", r"\bsq0(?:atp|csp)-[A-Za-z0-9_-]{22,}", ("sq0",)),
    ("GOOGLE_OAUTH_TOKEN", r"\bya29\.[A-Za-z0-9_-]{20,}", ("ya29.",)),
    ("WEBHOOK_SECRET", r"\bwhsec_[A-Za-z0-9+/=]{20,}", ("whsec_",)),
    ("GRAFANA_TOKEN", r"\bglsa_[A-Za-z0-9_]{20,}", ("glsa_",)),
    ("GROQ_KEY", r"\bgsk_[A-Za-z0-9]{40,}", ("gsk_",)),
    ("REPLICATE_TOKEN", r"\br8_[A-Za-z0-9]{30,}", ("r8_",)),
    ("PERPLEXITY_KEY", r"\bpplx-[A-Za-z0-9]{40,}", ("pplx-",)),
    ("VAULT_TOKEN", r"\bhv[sbr]\.[A-Za-z0-9_-]{20,}", ("hvs.", "hvb.", "hvr.")),
    ("SLACK_TOKEN", r"\bxapp-[0-9]-[A-Za-z0-9-]{20,}", ("xapp-",)),
    ("NEW_RELIC_KEY", r"\bNRAK-[A-Z0-9]{27}\b", ("nrak-",)),
    ("ATLASSIAN_TOKEN", r"\bATATT[A-Za-z0-9_=-]{40,}", ("atatt",)),
    ("MAILGUN_KEY", r"\bkey-[0-9a-z]{32}\b", ("key-",)),
    ("AGE_SECRET_KEY", r"\bAGE-SECRET-KEY-1[0-9A-Z]{58}", ("age-secret-key",)),
    # <password>...</password> in XML (Maven's settings.xml, app configs)
    (
        "PASSWORD",
        r"(?i)<(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|client[_-]?secret|"
        r"access[_-]?key)>\s*([^<\s][^<\n]{0,200}?)\s*</",
        ("password>", "passwd>", "pwd>", "secret>", "token>", "key>", "apikey>"),
    ),
    ("PASSWORD", r"\bsshpass\s+-p\s*[\"']?([^\s\"']{1,128})", ("sshpass",)),
    # "auth token 0123..." in prose: a key name in words, then a value with a digit in it
    (
        "PASSWORD",
        r"(?i)\b(?:auth(?:entication)?|access|api|secret|refresh|session|bot)[ _-]?"
        r"(?:token|key|secret)\s{0,3}(?:is|was|:|=)?\s{0,3}[\"']?"
        r"((?=[A-Za-z0-9_./+-]{0,200}\d)[A-Za-z0-9_./+-]{16,200})",
        ("token", "key", "secret"),
    ),
    # a webhook URL is its own credential: whoever has it can post
    (
        "WEBHOOK_URL",
        r"https://(?:(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks|hooks\.slack\.com/"
        r"(?:services|workflows)|[\w-]+\.webhook\.office\.com)/[\w/@-]{10,200}",
        ("webhook", "hooks.slack"),
    ),
    (
        "JWT",
        # (lookbehinds, not \b: "-eyJ" repeated made \b retry at every dash;
        # a dash before the token is fine, one inside a run of token text not)
        r"(?<![A-Za-z0-9_])(?<![A-Za-z0-9_]-)eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*",
        ("eyj",),
    ),
    (
        "AWS_SECRET_KEY",
        r"(?i)aws.{0,25}?(?:secret|key).{0,25}?[=:]\s*[\"']?([A-Za-z0-9/+]{40})\b",
        ("aws",),
    ),
    # Authorization headers, with or without the header name
    (
        "PASSWORD",
        r"(?i)\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?(?:(?:bearer|basic|token|bot|digest)\s+)?"
        r"([A-Za-z0-9._~+/-]{8,}=*)",
        ("authorization",),
    ),
    # "Bearer <token>" without the header name: a token has a digit or a base64 sign
    # ("basic examinations" is English)
    (
        "PASSWORD",
        r"\b(?:Bearer|Basic|Token)\s+((?=[A-Za-z0-9._~+/-]*[\d+/=])[A-Za-z0-9._~+/-]{12,}=*)",
        ("bearer", "basic", "token"),
    ),
    # curl -u user:pass, --user user:pass
    ("PASSWORD", r"(?:\s-u|--user)[ =]?[\"']?[^\s:\"']{1,64}:([^\s\"']{1,128})", ("-u", "--user")),
    # mysql -pSECRET (the password glued to -p; "-p" alone prompts for it)
    (
        "PASSWORD",
        r"(?i)\b(?:mysql|mysqldump|mariadb)\b[^\n]{0,200}?\s-p([^\s\"']{1,128})",
        ("mysql", "mariadb"),
    ),
    # docker login -u bob -p pass (a registry login's short flag takes the password)
    # (a port, all digits, is not one: "login ... ssh -p 2222")
    (
        "PASSWORD",
        r"\blogin\b[^\n]{0,200}?\s-p[ =]((?=[^\s\"']*[^\d\s\"'])[^\s\"'-][^\s\"']{0,127})",
        ("login",),
    ),
    # PuTTY key files: the private lines after "Private-Lines: N"
    (
        "PRIVATE_KEY",
        r"Private-Lines:[ \t]*\d{1,4}[ \t]*\r?\n([A-Za-z0-9+/=]{1,200}(?=\r?\n|$)"
        r"(?:\r?\n[A-Za-z0-9+/=]{1,200}(?=\r?\n|$)){0,400})",
        ("private-lines",),
    ),
    # sshpass -p pass
    ("PASSWORD", r"\bsshpass\s+-p\s*([^\s\"']{1,128})", ("sshpass",)),
    # scheme://user:p@ss!@host: the password runs to the last @ before the host
    (
        "PASSWORD",
        r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/@\"'<>]{0,64}:([^\s/\"'<>]{1,128})@[A-Za-z0-9.-]+",
        ("://",),
    ),
    # .pgpass: host:port:database:user:password (not an IPv6 address alone on
    # its line, whose last groups this took for a password: the address was
    # half replaced, and the half left no longer read as one)
    (
        "PASSWORD",
        r"(?m)^(?![0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%\w{1,16})?[ \t]*$)"
        r"[^\s:#]{1,128}:(?:\d{1,5}|\*):[^\s:]{1,128}:[^\s:]{1,128}:(\S{1,128})$",
        (re.compile(r":(?:\d|\*)"),),
    ),
    # password flags of database and file-share clients
    # redis-cli -a PASS (also --pass PASS)
    (
        "PASSWORD",
        r"\bredis-cli\b[^\n]{0,200}?\s(?:-a|--pass)\s+[\"']?([^\s\"']{1,128})",
        ("redis-cli",),
    ),
    # smbclient -U user%PASS, rpcclient -U user%PASS
    (
        "PASSWORD",
        r"\b(?:smbclient|rpcclient|smbcacls|smbget)\b[^\n]{0,200}?\s(?:-U|--user(?:name)?)[ =]?"
        r"[\"']?[^\s%\"']{1,64}%([^\s\"']{1,128})",
        ("smbclient", "rpcclient", "smbcacls", "smbget"),
    ),
    # mongo -p PASS (mongosh, mongodump...; a port is --port, never -p)
    (
        "PASSWORD",
        r"\bmongo(?:sh|dump|restore|export|import|stat|top)?\b[^\n]{0,200}?\s-p[ \t]+[\"']?"
        r"([^\s\"'-][^\s\"']{0,127})",
        ("mongo",),
    ),
    # htpasswd -b FILE USER PASS, htpasswd -nb USER PASS (-n: no file)
    (
        "PASSWORD",
        r"\bhtpasswd\s+-(?=[A-Za-z]*b)(?![A-Za-z]*n)[A-Za-z]+\s+\S+\s+\S+\s+[\"']?"
        r"([^\s\"'<>|;&]{1,128})",
        ("htpasswd",),
    ),
    (
        "PASSWORD",
        r"\bhtpasswd\s+-(?=[A-Za-z]*b)(?=[A-Za-z]*n)[A-Za-z]+\s+\S+\s+[\"']?([^\s\"'<>|;&]{1,128})",
        ("htpasswd",),
    ),
    # .netrc: machine host login user password pass
    ("PASSWORD", r"(?i)\blogin\s+\S{1,128}\s+password\s+(\S{1,128})", ("login",)),
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
def patterns() -> tuple[tuple[str, re.Pattern[str], tuple[anchors.Alternative, ...], bool], ...]:
    """(placeholder, compiled pattern, lower-case words one of which must be in
    the text for the pattern to match, whether a match needs a long run of
    token characters) for every secret kind."""
    out: list[tuple[str, re.Pattern[str], tuple[anchors.Alternative, ...], bool]] = [
        (name, re.compile(p), needs, False) for name, p, needs in _EXTRA
    ]
    # detect-secrets is imported here, at the first text: importing it pulls in
    # requests (0.4 s that ``loomcore plugins`` and ``--version`` would pay)
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector

    for secret_type, cls in sorted(get_mapping_from_secret_type_to_class().items()):
        if secret_type in _SKIPPED or not issubclass(cls, RegexBasedDetector):
            continue
        for pattern in cls().denylist:
            needs = _NEEDS.get(secret_type) or _literal_prefix(pattern.pattern)
            long_run = secret_type in _LONG_TYPES
            out.append((_placeholder(secret_type), pattern, needs, long_run))
    return tuple(out)


_PEM_BEGIN = re.compile(
    r"-----BEGIN[A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----|---- BEGIN SSH2 [A-Z ]{0,20}PRIVATE KEY ----"
)
_PEM_END = re.compile(
    r"-----END[A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----|---- END SSH2 [A-Z ]{0,20}PRIVATE KEY ----"
)
_FENCE_LINE = re.compile(r"[ \t]*(?:```|~~~)")
# how far a key block without its END line may run, at most
_PEM_MAX = 8000


def _pem_spans(text: str) -> Iterator[Span]:
    """Private key blocks, failing closed: from BEGIN to its END line when
    nothing but the key lies between (no code fence, which must stay); else,
    a key cut short or pasted oddly (headers, blank lines, CRLF, "> " quotes,
    JSON-escaped "\\n"), over every line after BEGIN up to the first line of
    prose (three spaces or more), a fence, or ``_PEM_MAX`` characters."""
    for m in _PEM_BEGIN.finditer(text):
        end = _PEM_END.search(text, m.end(), m.end() + 20000)
        if (
            end is not None
            and "```" not in text[m.end() : end.start()]
            and "~~~" not in text[m.end() : end.start()]
        ):
            yield m.start(), end.end(), "PRIVATE_KEY"
            continue
        pos, limit = m.end(), min(len(text), m.end() + _PEM_MAX)
        while pos < limit:
            stop = text.find("\n", pos + 1)
            stop = limit if stop < 0 or stop > limit else stop
            line = text[pos:stop].lstrip("\n")
            body = line.lstrip("> \t").rstrip("\r")
            if pos > m.end() and (_FENCE_LINE.match(line) or body.count(" ") >= 3):
                break
            pos = stop
        # a line of prose or a fence closes the block: the newline before it stays
        while pos > m.end() and text[pos - 1] in "\n\r":
            pos -= 1
        yield m.start(), pos, "PRIVATE_KEY"


def _span(m: re.Match[str], text: str) -> tuple[int, int]:
    # a pattern whose group holds the secret itself (password in a URL) keeps
    # its context; a group that is only a prefix ("ghp") does not
    if m.groups() and m.group(1) and len(m.group(1)) >= 6:
        return m.span(1)
    if m.groups() and m.group(1) and m.start(1) > m.start():
        return m.span(1)  # a short password in a URL, after "-u user:", "mysql -p"
    start, end = m.span()
    # a token longer than the pattern's minimum must go whole, not leave a tail
    while end < len(text) and (
        text[end].isalnum()
        or text[end] in "_-+/="
        or (text[end] == "." and text[end + 1 : end + 2].isalnum())
    ):
        end += 1
    return start, end


@functools.lru_cache(maxsize=16)  # asked by each long-run kind of one text: measured once
def _has_long_run(text: str) -> bool:
    """Whether ``text`` holds a run of 16 token characters: such a run lies
    within one whitespace-free chunk, and measuring the chunks is five times
    faster than the search, which most texts skip."""
    return max(map(len, text.split()), default=0) >= 16 and _LONG_RUN.search(text) is not None


# hyperscan looks for the run itself; Python measures the chunks first
_LONG_RUN_ANCHOR = anchors.Search(_LONG_RUN, _has_long_run)

# PEM blocks: "-----BEGIN ... PRIVATE KEY-----" (case-sensitive) holds these words
_PEM_NEEDS: tuple[tuple[str, ...], ...] = (("private key",),)


@functools.cache
def _anchors() -> anchors.Anchors:
    """The anchors of every secret kind (in the order of :func:`patterns`), then
    of the PEM blocks and of the assignment rules: what a match needs, declared beside each pattern
    (``_EXTRA``, ``_NEEDS``, a literal prefix, ``_LONG_TYPES``); a kind with
    none always runs."""
    detectors: list[anchors.Requirements] = []
    for _name, _pattern, needs, long_run in patterns():
        reqs: list[anchors.Requirement] = [needs] if needs else []
        if long_run:
            reqs.append((_LONG_RUN_ANCHOR,))
        detectors.append(tuple(reqs))
    detectors.append(_PEM_NEEDS)
    detectors.append(assignments.NEEDS)
    return anchors.Anchors(detectors)


def find(text: str, allow: frozenset[str] = frozenset(), engine: str = "auto") -> list[Span]:
    """Every secret's span in ``text`` (overlaps resolved by :func:`spans.apply`).

    Only the kinds whose anchors occur in the text run (one scan finds them,
    :mod:`anchors`); ``engine="none"`` runs every kind, the reference the
    prefilter is tested against, ``"python"`` never uses hyperscan."""
    found: list[Span] = []
    generic: list[Span] = []  # found by a rule about the context, not the token's shape
    # casefold, not lower: what IGNORECASE matches ("\u017f" for "s") folds too
    lower = anchors.fold(text)
    table = patterns()
    if engine == "none":
        selected: Iterable[int] = range(len(table) + 2)
    else:
        selected = _anchors().selected(text, lower, engine)
    pem = assigned = False
    for i in selected:
        if i >= len(table):
            pem, assigned = pem or i == len(table), assigned or i == len(table) + 1
            continue
        name, pattern, _needs, _long_run = table[i]
        covered = 0  # the end of this pattern's last token, as _span extended it
        for m in pattern.finditer(text):
            if m.start() < covered:
                continue  # inside the token just found ("ghp_" repeated is one token)
            start, end = _span(m, text)
            covered = end
            value = text[start:end]
            if value in allow or _placeholder_value(value):
                continue
            (generic if name == "PASSWORD" else found).append((start, end, name))
    if pem:
        found.extend(_pem_spans(text))
    # specific kinds first: at a tie the generic rules give way
    found.extend(generic)
    if assigned:
        found.extend(
            s
            for s in assignments.find(text, lower, gate=engine != "none")
            if text[s[0] : s[1]] not in allow
        )
    return found


def _placeholder_value(value: str) -> bool:
    return (value.startswith("[") and value.endswith("]")) or _MASKED.fullmatch(value) is not None


# "****", "xxxxxxxx", "<password>", "${DB_PASS}", "your_password_here"
_MASKED = re.compile(r"(?i)\*+|x{3,}|<[^<>]*>|\$\{?[\w.:-]*\}?|your[\w-]*|password|pass|secret")


def redact(text: str, allow: frozenset[str]) -> tuple[str, dict[str, int]]:
    """``text`` with every secret replaced by a typed placeholder, in one pass."""
    return spans.apply(text, find(text, allow))


@hookimpl
def register_redactors(register):
    register(
        Redactor(
            "secrets", "secret", redact, description="API keys, tokens, private keys, passwords"
        )
    )
