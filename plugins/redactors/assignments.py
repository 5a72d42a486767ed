"""Credentials found by the name they are assigned to.

``DB_PASSWORD=...``, ``"client_secret": "..."``, ``MYSQL_ROOT_PASSWORD: ...``,
``secret_key = "..."`` (HCL, TOML), ``--password x``, ``password is "correct
horse battery staple"``: the key name is the evidence, so a value is
replaced only when it sits next to a credential name, and only when it is a
literal (not ``os.environ["X"]``, a type annotation, a placeholder such as
``<password>`` or an English word after "password is").

Key names are split into words (``DB_PASSWORD`` -> db, password;
``apiKey`` -> api, key), because ``\\bpassword\\b`` never matches after an
underscore.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

from loomcore_plugins.redactors.spans import Span

# a credential word that names the value when it ends the key ("DB_PASSWORD")
_LAST = frozenset(
    {
        *("password", "passwd", "pwd", "passphrase", "passcode", "pass", "pgpassword"),
        *("secret", "secrets", "token", "credential", "credentials", "apikey", "psk"),
        *("mysqlpassword", "sapassword", "pw"),
    }
)
# "*_KEY" names a credential ("API_KEY", "SharedAccessKey", "STRIPE_KEY")
# unless the word before it says what else the key is ("PRIMARY_KEY",
# "cache_key", "public_key"); a bare "key" is a dictionary's
_NOT_KEY_OWNERS = frozenset(
    {
        *("primary", "foreign", "sort", "partition", "hash", "range", "cache", "row", "public"),
        *("idempotency", "composite", "unique", "map", "dict", "hot", "lookup", "index"),
        *("object", "translation", "i18n", "message", "group", "item", "node", "field"),
        *("column", "config", "setting", "dedup", "routing", "shard", "sharding", "join"),
        *("order", "cluster", "bucket", "prefix", "local", "react", "list", "menu", "short"),
        *("shortcut", "keyboard", "music", "color", "the", "a", "next", "prev", "previous"),
        *("last", "first", "natural", "surrogate", "candidate", "alternate", "secondary"),
        *("sequence", "lock", "cursor", "event", "metric", "label", "tag", "attribute"),
        *("query", "path", "file", "name", "type", "record", "entry", "element", "option"),
    }
)
# words after a credential word that still name the credential itself
_TAILS = frozenset({"id", "value", "confirm", "confirmation", "plain", "raw", "b64", "base64"})
# "EOS_TOKEN", "max_token", "page_token" name no secret
_NOT_TOKEN_OWNERS = frozenset(
    {
        *("eos", "bos", "pad", "unk", "sep", "cls", "mask", "start", "end", "special"),
        *("max", "num", "n", "next", "page", "continuation", "cancellation", "image"),
    }
)
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def sensitive(key: str) -> bool:
    """Whether a key name names a credential (``DB_PASSWORD``, ``apiKey``)."""
    words = [w.lower() for w in _WORDS.findall(key)]
    if not words:
        return False
    if len(words) > 1 and words[-1] in _TAILS:
        words = words[:-1]
    last = words[-1]
    prev = words[-2] if len(words) > 1 else ""
    if last in _LAST:
        return not (last == "token" and prev in _NOT_TOKEN_OWNERS)
    if last == "key":
        return bool(prev) and prev not in _NOT_KEY_OWNERS
    return False


# a value that stands for a credential but is none: keep it as written (an
# env var's name such as API_KEY or AWS_S3_SECRET is a reference, XK29_7QZ is not)
_PLACEHOLDER = re.compile(
    r"(?ix)^(?:<[^<>]*>|\*+|x{3,}|\|[-+1-9]{0,2}|\.{3}|…|\?+|-+|_+|\$\{?[\w.:-]*\}?|%\(?\w*\)?s?|\{\{.*\}\}|\{[\w.]*\}"
    r"|your[\w-]*|my[_-]?(?:password|pass|secret|token|key|pwd)|(?:enter|insert|put)[_-]?your[\w-]*"
    r"|password|passwd|secret|token|changeme|none|null|nil|true|false|undefined|required|optional"
    r"|empty|blank|hidden|redacted|str|string|int|bool|bytes|any|text|number|secretstr|char|varchar"
    r"|\[[A-Z_]+\]|env\(.*|os\.\w+.*|process\.env.*|getenv.*|input\(.*|getpass.*|request\..*"
    r"|self\..*|this\..*|config\..*|settings\..*|secrets\..*|vault.*"
    r"|(?:[A-Z]{2,}|[A-Z]{1,3}\d)(?:_(?:[A-Z]{2,}|[A-Z]{1,3}\d))+)$"
)
# an unquoted value in code that is an expression, not a literal
_EXPRESSION = re.compile(r"[a-z_][a-z_]*(?:\.[A-Za-z_]\w*)*(?:[(\[].*)?|[A-Za-z_][\w.]*[(\[<].*")

# key ["']? op value (``config['SECRET_KEY'] = ...`` too); the key starts a
# word, so each word is tried once, and the rest is a lookahead: "set up:
# DB_PASSWORD=x" must not hide the second key inside the first one's value.
# Quotes may be escaped, as in a tool call's JSON arguments quoted inside a
# message: {\"password\": \"...\"}
# (a key may follow an escaped line break: "host=db\\npassword=..." in JSON text)
_AFTER = r"""(?:(?<![\w\\-])|(?<=\\[nrt]))"""
_ASSIGN = re.compile(
    _AFTER
    + r"""(?<!\w\.)(?P<key>[A-Za-z_][\w.-]{0,80}?)(?=(?P<kq>\\?["']?\]?)(?P<sp1>[ \t]{0,3})(?P<op>:=|=>|=|:)"""
    r"""(?P<sp2>[ \t]{0,3})(?P<val>\\"[^"\n]{0,300}?\\"|"[^"\n]{0,300}"|'[^'\n]{0,300}'|`[^`\n]{1,300}`"""
    r"""|[^\s"'`,;)}\]<>(={\[][^\s"',;)}\](]{0,300}))"""
)
# --password x, --api-key=x
_FLAG = re.compile(
    _AFTER
    + r"""--(?P<key>[A-Za-z][\w-]{0,60})(?:=|[ \t]+)(?P<val>"[^"\n]{1,300}"|'[^'\n]{1,300}'"""
    # (a backtick ends the value: `psql --password=x` keeps its code span closed)
    r"""|[^\s"'`-][^\s"'`]{0,300})"""
)
# prose: "my password is ...", "the passphrase was '...'"
_PROSE = re.compile(
    r"""(?i)(?<![\w-])(?P<key>(?:pass(?:word|phrase|code)|passwd|pwd|pw|pin|secret|token))s?"""
    # what it is the password of: "the root password for the server is ..."
    r"""(?:[ \t]+(?:for|of|on|at)[ \t]+(?:(?:the|my|our|this|that|your)[ \t]+)?[\w.@-]{1,40})?"""
    # "set the admin password to ...": a value after "to" still needs evidence
    r"""(?:[ \t]+(?:is|was|will[ \t]+be|should[ \t]+be|set[ \t]+to|to|=>|=|:)){1,2}[ \t]*:?[ \t]*"""
    # (a value never starts with "=", "<", ">" or "!": "token == None" compares)
    r"""(?P<val>"[^"\n]{1,200}"|'[^'\n]{1,200}'|“[^”\n]{1,200}”|`[^`\n]{1,200}`|[^\s"'`“=<>!][^\s"'“]{0,200})"""
)
# a password named with no verb before it: "never commit the password Ya9mlSecr3tQ"
# (letters and digits both, eight or more: "the password field" is no value)
_NAMED = re.compile(
    r"(?i)(?<![\w-])(?:the|my|our|your|his|her|their|a|new|root|admin)[ \t]+"
    r"(?:password|passphrase|passwd)[ \t]+"
    r"(?P<val>(?=[^\s\"'`]*\d)(?=[^\s\"'`]*[A-Za-z])[^\s\"'`.,;:!?()]{8,128})"
)
_QUOTES = {'"': '"', "'": "'", "`": "`", "“": "”"}
_WORDS_NEEDED = ("pass", "pwd", "secret", "token", "key", "credential", "psk", "pw", "pin")
# what any match needs, for the secrets redactor's one scan (:mod:`anchors`):
# every credential word of a key or of the prose rule holds one of these
NEEDS: tuple[tuple[str, ...], ...] = (_WORDS_NEEDED,)


def _entropy(value: str) -> float:
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _value_span(m: re.Match[str]) -> tuple[int, int, str, bool]:
    """(start, end, value, quoted) of the match's value, quotes and a
    sentence's closing punctuation left out."""
    start, end = m.span("val")
    raw = m.group("val")
    if raw.startswith('\\"') and raw.endswith('\\"') and len(raw) >= 4:
        return start + 2, end - 2, raw[2:-2], True  # JSON inside a string: \"secret\"
    if raw[0] in _QUOTES and len(raw) > 1 and raw[-1] == _QUOTES[raw[0]]:
        return start + 1, end - 1, raw[1:-1], True
    escape = re.search(r"\\[nrt]", raw)
    if escape:  # JSON text: the value ends at an escaped line break
        raw = raw[: escape.start()]
        end = start + len(raw)
        if not raw:
            return start, start, raw, False
    stripped = raw.rstrip(".,;:?!)")
    if len(stripped) < len(raw) and re.search(r"[.,;:?!)]$", raw):
        # "hunter2!" keeps its "!" only when something else marks it a password
        keep = raw if re.fullmatch(r"\w+[!?]", raw) and re.search(r"\d", raw) else stripped
        return start, start + len(keep), keep, False
    return start, end, raw, False


def _run_on(text: str, end: int) -> int:
    """Where an unquoted value cut at ``,;()`` really ends: it runs on while
    the punctuation is followed by more of it ("DB_PASSWORD=ab,c;d(e)f"
    left ",c;d(e)f" in the text), not by a space, the end ("f(password=x, y)")
    or the next key ("Password=x;Host=db")."""
    while end < len(text) and text[end] in ",;()":
        nxt = end
        while nxt < len(text) and text[nxt] in ",;()":
            nxt += 1
        if _NEXT_KEY.match(text, nxt):
            break  # "AccountKey=x;EndpointSuffix=...": the next pair of a connection string
        m = _VALUE_TAIL.match(text, nxt)
        if m is None:
            break
        end = m.end()
    return end


_NEXT_KEY = re.compile(r"[A-Za-z_][\w.-]{0,80}[ \t]{0,3}[=:]")
_VALUE_TAIL = re.compile(r"[^\s\"'`,;()<>{}\[\]\\]{1,300}")
_YAML_MARK = re.compile(r":[ \t]*[|>]")
# a YAML block scalar under a credential key: "password: |" and the lines
# indented under it
_YAML_BLOCK = re.compile(
    r"(?m)^(?P<indent>[ \t]*)(?:- )?[\"']?(?P<key>[A-Za-z_][\w.-]{0,80})[\"']?[ \t]*:[ \t]*"
    r"[|>][-+1-9]{0,2}[ \t]*(?:#[^\n]{0,200})?\n(?P<val>(?:(?P=indent)[ \t]+\S[^\n]*(?:\n|$)){1,100})"
)


def _evidence(value: str) -> bool:
    """An unquoted word that reads as a password: digits, symbols or inner capitals."""
    return bool(re.search(r"\d|[^\w\s]|[a-z][A-Z]", value)) or _entropy(value) >= 3.5


def find(text: str, lower: str, gate: bool = True) -> Iterator[Span]:
    """Spans of credential values next to credential names in ``text``
    (``lower`` is its :func:`anchors.fold`, for the cheap word test; with
    ``gate=False`` every rule runs, the reference the gates are tested against)."""
    if gate and not any(map(lower.__contains__, _WORDS_NEEDED)):
        return
    if not gate or "=" in text or ":" in text:
        for m in _ASSIGN.finditer(text):
            key = m.group("key")
            if not sensitive(key):
                continue
            if text[m.start() - 1 : m.start()] == "[" and text[m.end() : m.end() + 1] == "]":
                continue  # a placeholder ("[PASSWORD]") is no key
            start, end, value, quoted = _value_span(m)
            if not value or _PLACEHOLDER.match(value):
                continue
            if not quoted:
                if text[m.end("val") : m.end("val") + 1] in ("(", "[") and re.fullmatch(
                    r"[A-Za-z_][A-Za-z_.]*", value
                ):
                    continue  # a call or an index: code, not a literal
                op, spaced = m.group("op"), bool(m.group("sp1") or m.group("sp2"))
                compound = (
                    "_" in key or "-" in key or key.isupper() or any(c.isupper() for c in key[1:])
                )
                expression = _EXPRESSION.fullmatch(value) is not None
                if op == "=" and not spaced:
                    # env and CLI lines are literal; a keyword argument's variable is not
                    variable = re.fullmatch(r"[a-z_][a-z_.]*", value) is not None
                    if variable and text[m.end("val") : m.end("val") + 1] in (")", ","):
                        continue
                elif op == ":" and not compound:
                    # "Password: at least 8 characters" is prose
                    if not _evidence(value) or (expression and not re.search(r"\d", value)):
                        continue
                elif expression and not (re.search(r"\d", value) or _entropy(value) >= 3.5):
                    continue
                if end == m.end("val"):
                    end = _run_on(text, end)
            yield start, end, "PASSWORD"
    # (the gate is the rule's own "key: |" shape, spaces and tabs as it takes them)
    if not gate or _YAML_MARK.search(text):
        for m in _YAML_BLOCK.finditer(text):
            if sensitive(m.group("key")):
                body = m.group("val").rstrip()
                start = m.start("val") + len(body) - len(body.lstrip())
                yield start, m.start("val") + len(body), "PASSWORD"
    if not gate or "--" in text:
        for m in _FLAG.finditer(text):
            if not sensitive(m.group("key")):
                continue
            start, end, value, quoted = _value_span(m)
            if value and not _PLACEHOLDER.match(value):
                yield start, end, "PASSWORD"
    for m in _PROSE.finditer(text):
        start, end, value, quoted = _value_span(m)
        if not value or _PLACEHOLDER.match(value):
            continue
        if not quoted and not _evidence(value):
            continue  # "the password is wrong"
        if m.group("key").lower() == "pin" and not value.isdigit():
            continue
        yield start, end, "PASSWORD"
    for m in _NAMED.finditer(text):
        yield m.start("val"), m.end("val"), "PASSWORD"
