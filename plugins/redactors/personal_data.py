"""Personal data: e-mail addresses, phone numbers (parsed by region with
``phonenumbers``), payment cards (Luhn), IBANs (mod 97), US social security
numbers, IPv4 and IPv6 addresses and dates of birth, replaced with typed
placeholders.

Every replacement needs evidence: a checksum, a valid number plan, a context
word, or a shape nothing else has.  What is public by design stays: the
documentation address ranges and example domains (RFC 5737, 3849, 2606),
loopback and router defaults, toll-free and premium-rate numbers (helplines,
businesses), placeholders such as ``you@example.com`` or ``xxxx@gmail.com``,
version numbers (``git 1.7.7.3``) and section numbers (``§15.12.2.7``).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from loomcore_plugins.redactors import anchors, spans
from loomcore_plugins.redactors.spans import Span

from loomcore import Redactor, hookimpl

# ---------------------------------------------------------------- e-mail
# the "@" also as a URL ("%40") or HTML ("&#64;", "&#x40;", "&commat;") writes it
_AT = r"(?:@|%40|&\#0{0,3}64;|&\#[xX]0{0,3}40;|&commat;)"
_EMAIL = re.compile(
    r"(?<![\w.+%-])(?P<local>[\w.%+-]{1,64})"
    + _AT
    + r"(?P<domain>(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.){1,8}"
    r"(?:[^\W\d_]{2,24}|xn--[\w-]{2,30}))(?!\w)"
)
_EXAMPLE_DOMAINS = frozenset({"example.com", "example.org", "example.net", "localhost"})
_RESERVED_TLDS = frozenset({"example", "test", "invalid", "localhost", "local"})
_PLACEHOLDER_DOMAINS = re.compile(
    r"(?i)(?:your|my)[-_]?(?:domain|company|site|email|mail|org|server|host)\.\w+|domain\.com|company\.com"
    r"|example[-\w]*\.\w+"
)
_PLACEHOLDER_LOCAL = re.compile(
    r"(?i)([a-z])\1{2,}|x+|you|your[\w.-]*|user(?:name)?|name|someone|somebody|e-?mail|"
    # (not "john.doe": people are called that, and a real domain after it
    # makes it an address to keep out; at example.com it stays anyway)
    r"first[._-]?(?:name[._-]?)?last(?:name)?"
    # a role, not a person: a company's public contact
    r"|info|sales|support|contact|hello|press|office|noreply|no-reply|marketing|offers|billing"
    r"|webmaster|postmaster|careers|jobs|help|team|enquiries|inquiries"
)
# "logo@2x.png" is a file name, not an address
_FILE_TLDS = frozenset(
    {
        *("png", "jpg", "jpeg", "gif", "svg", "webp", "js", "ts", "css", "json", "jsonl"),
        *("py", "md", "txt", "csv", "log", "gz", "zip", "html", "yaml", "yml", "toml"),
    }
)
# git@github.com:owner/repo is a remote, not a person
_SSH_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org", "ssh.dev.azure.com"})


# "bob[at]acme[dot]io", "bob at acme dot com": an address written to dodge scrapers
_EMAIL_BRACKETED = re.compile(
    r"(?i)(?<![\w.+-])[\w.+-]{1,64}\s?[\[({]at[\])}]\s?[\w-]{1,63}"
    r"(?:\s?(?:[\[({]dot[\])}]|\.)\s?[\w-]{1,63}){1,4}"
)
_EMAIL_WORDED = re.compile(
    r"(?i)(?<![\w.+-])[\w.+-]{1,64} at [\w-]{1,63}(?: dot [\w-]{1,63}){0,3} dot "
    r"(?:com|org|net|io|de|uk|fr|edu|gov|co|jp|in|info|biz|me|ai|dev|app|nl|es|it|ch|se|eu|ca|au)\b"
)


def _public_domain(domain: str) -> bool:
    domain = domain.lower()
    tld = domain.rsplit(".", 1)[-1]
    return (
        domain in _EXAMPLE_DOMAINS
        or tld in _RESERVED_TLDS
        or any(domain.endswith("." + d) for d in _EXAMPLE_DOMAINS)
    )


def _emails(text: str) -> Iterator[Span]:
    for m in _EMAIL.finditer(text):
        local, domain = m.group("local").strip("."), m.group("domain")
        end = m.end()
        tld = domain.rsplit(".", 1)[-1].lower()
        while tld in _FILE_TLDS and domain.count(".") >= 2:
            # "bob@acme.io.jsonl.gz": an address in a file name, the extensions after it
            domain, end = domain[: -len(tld) - 1], end - len(tld) - 1
            tld = domain.rsplit(".", 1)[-1].lower()
        lowered = domain.lower()
        if (
            _public_domain(domain)
            or _PLACEHOLDER_LOCAL.fullmatch(local)
            or _PLACEHOLDER_DOMAINS.fullmatch(domain)
            or lowered.rsplit(".", 1)[-1] in _FILE_TLDS
            or (local == "git" and lowered in _SSH_HOSTS)
        ):
            continue
        yield m.start(), end, "EMAIL"


# ---------------------------------------------------------------- numbers
# (not the digits of a float, "4.428224429561103e+16", nor of a hex hash)
_CARD = re.compile(r"(?<!\w)(?<!\d\.)(?<!\d-)(?:\d[ -]?){12,18}\d(?!\w|-\d|\.\d)")
_SSN = re.compile(r"(?<!\w)(?<!\d-)(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?!\w|-\d)")
_SSN_WORDED = re.compile(
    r"(?i)\b(?:ssn|social security(?: number| no\.?)?)\W{0,20}?(\d{3}[ ]?\d{2}[ ]?\d{4})(?!\d)"
)
# an identity document's number after the words that name it ("passport number:
# X12345678", "national insurance number QQ 12 34 56 C", "SIN 046 454 286")
_ID_NUMBER = re.compile(
    r"(?i:\b(?:"
    # names that say it is a document: "is" may follow
    r"(?:passport|national insurance|nino|social insurance|driver'?s licen[cs]e|driving licen[cs]e|"
    r"personal id(?:entification)?|identity card|national id(?:entity)?)"
    r"(?:\s(?:number|no\.?|#|code))?\s{0,3}(?:is|was|:|#|=)?|"
    # short names that are words too ("tax", "sin"): only with "number" or a colon
    r"(?:tax|tin|sin|ni|id card)(?:\s(?:number|no\.?|#|code)\s{0,3}(?:is|was|:|#|=)?|\s{0,3}[:#=])"
    r"))\s{0,3}"
    # upper-case letters and digits with at least one digit, spaced or dashed
    r"(?P<id>(?=[A-Z0-9 -]{0,24}\d)[A-Z0-9](?:[A-Z0-9]|[ -](?=[A-Z0-9])){3,22})(?![\w-])"
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")
# lengths of the IBANs of the countries most often seen (ISO 13616 registry)
_IBAN_LENGTHS = {
    **{"AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22},
    **{"DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21},
    **{"HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21},
    **{"MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24},
    **{"SI": 19, "SK": 24, "SM": 27, "TR": 26, "AE": 23, "SA": 24, "IL": 23, "BR": 29},
}
_DIGIT_PAIR = re.compile(r"\d\d")


def luhn(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check of card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    return (
        13 <= len(digits) <= 19 and digits[0] in "23456" and luhn(digits) and len(set(digits)) > 1
    )


def _cards(text: str) -> Iterator[Span]:
    """Card numbers (Luhn-checked); a run that took in the digits after the
    number ("4111 1111 1111 1111 12/27 737") is tried at its 13-19-digit starts."""
    for m in _CARD.finditer(text):
        value = m.group(0)
        if _card(value):
            yield m.start(), m.end(), "CREDIT_CARD"
            continue
        count, cut = 0, []
        for i, ch in enumerate(value):
            if ch.isdigit():
                count += 1
                if 13 <= count <= 19:
                    cut.append(i + 1)
        for end in reversed(cut):
            if _card(value[:end]):
                yield m.start(), m.start() + end, "CREDIT_CARD"
                break


def iban_valid(compact: str) -> bool:
    """The ISO 7064 mod-97 check of an IBAN written without spaces."""
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in moved)
    return int(number) % 97 == 1


def _ibans(text: str) -> Iterator[Span]:
    for m in _IBAN.finditer(text):
        want = _IBAN_LENGTHS.get(m.group(0)[:2])
        if want is None:
            continue
        # the match may run into a following code word: cut it at the country's length
        seen = 0
        for i, ch in enumerate(m.group(0)):
            if ch != " ":
                seen += 1
                if seen == want:
                    compact = m.group(0)[: i + 1].replace(" ", "")
                    if iban_valid(compact):
                        yield m.start(), m.start() + i + 1, "IBAN"
                    break


# ---------------------------------------------------------------- phones
_PHONE_CANDIDATE = re.compile(
    # ("Tel:+44 ..." and "... 0958-" are numbers still; "x-1234", "a/1234" are not)
    r"(?<![\w+.\-/#$§])(?:\+|\(\+?)?\d[\d \t().-]{5,22}\d(?![\w/]|\.\d|-\d)"
)
_PHONE_WORDS = re.compile(
    r"(?i)(?:phone|call|tel|mobile|cell|contact|whatsapp|fax|ring|sms|dial|text me|reach me|"
    r"my (?:\w+ )?number|handy|telefon|téléphone|portable|numéro|nummer|電話|携帯|फ़ोन|signal|"
    r"telegram|teléfono|telefono|telefone|móvil|movil|celular|cellulare|mobiel|numero|número|"
    r"telefoon|tlf|tfn)\b[^\n]{0,40}$"
)
_HELPLINE = re.compile(
    r"(?i)\b(?:helpline|hotline|crisis|lifeline|samaritans|charity|support line|advice line|"
    r"customer service|switchboard)\b"
)
_DATE_LIKE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
# "(2011-2015)": a span of years
_YEARS = re.compile(r"(?:1[89]|2[01])\d\d\s?[-–/]\s?(?:(?:1[89]|2[01])\d\d|\d\d)")
_NANP = re.compile(r"\(\d{3}\) ?\d{3}[-.]\d{4}|\d{3}-\d{3}-\d{4}|\d{3}\.\d{3}\.\d{4}")


@functools.cache
def _pn() -> Any:
    """phonenumbers, imported at the first phone-shaped candidate: every
    command (``loomcore plugins``) would pay 0.1 s for it otherwise."""
    import phonenumbers

    return phonenumbers


@functools.cache
def _public_types() -> frozenset[int]:
    """Numbers meant to be public: helplines, businesses' toll-free and rate lines."""
    kinds = _pn().PhoneNumberType
    return frozenset({kinds.TOLL_FREE, kinds.PREMIUM_RATE, kinds.SHARED_COST, kinds.UAN})


# the regions tried for a national number written with its trunk 0 (all of
# them drop the 0 after the country code), and for one without (US, IN mobiles)
_TRUNK_ZERO = (44, 49, 33, 81, 91)  # GB, DE, FR, JP, IN
_NO_TRUNK = (1, 91)


@functools.cache
def _no_trunk_types() -> dict[int, frozenset[int]]:
    """The types a number written without a trunk 0 may be, by country code:
    India writes its mobiles so, a fixed line with its STD code's 0 ("022 ...")
    or "+91"; ten digits read as an Indian fixed line are a count or an
    argument list ("call it with 12 34 56 78 90").  NANP has no trunk 0."""
    kinds = _pn().PhoneNumberType
    return {91: frozenset({kinds.MOBILE, kinds.FIXED_LINE_OR_MOBILE})}


@functools.lru_cache(maxsize=8192)  # a pure function of the text; lists repeat numbers
def _phone_kind(candidate: str) -> int | None:
    """The phonenumbers type of the valid number ``candidate`` is, or None.

    A number some region gives to a person wins over one that another region
    reserves for businesses ("030 ..." is Berlin in DE, a UAN in GB), but a
    toll-free number anywhere ("0800 ...") is a business's.  The national
    digits are the same in every region tried, so the number is built once
    per country code instead of parsed once per region (a list of phones is
    five times faster).
    """
    if candidate.lstrip("(").startswith("+"):
        try:
            number = _pn().parse(candidate, None)
        except _pn().NumberParseException:
            return None
        kind = _pn().number_type(number)
        return None if kind == _pn().PhoneNumberType.UNKNOWN else kind
    digits = "".join(c for c in candidate if c.isdigit())
    if _NANP.fullmatch(candidate):
        # "(555) 123-4567" is written the North American way, whatever GB makes of it
        codes, national = (1,), digits
    elif digits.startswith("0"):
        codes, national = _TRUNK_ZERO, digits[1:]
    else:
        codes = _NO_TRUNK
        national = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
    found: list[int] = []
    allowed = _no_trunk_types() if codes is _NO_TRUNK else {}
    for code in codes:
        number = _pn().PhoneNumber(country_code=code, national_number=int(national))
        if not _pn().is_possible_number(number):
            continue
        kind = _pn().number_type(number)
        if code in allowed and kind not in allowed[code]:
            continue  # not how that region writes such a number
        if kind == _pn().PhoneNumberType.TOLL_FREE:
            return kind
        if kind != _pn().PhoneNumberType.UNKNOWN:
            found.append(kind)
    personal = [k for k in found if k not in _public_types()]
    return (personal or found or [None])[0]


# words that name a phone number itself ("call" and "ring" are also a
# function's and a buffer's): the evidence for trying many more regions
_STRONG_PHONE_WORDS = re.compile(
    r"(?i)(?:phone|tel|telephone|mobile|cell|whatsapp|fax|sms|call me|ring me|text me|reach me|"
    r"my (?:\w+ )?number|handy|telefon|téléphone|portable|numéro|nummer|teléfono|telefono|"
    r"telefone|móvil|movil|celular|cellulare|mobiel|telefoon|tlf|tfn)\b[^\n]{0,40}$"
)
# the regions tried, by their own rules, for a number after a context word
# that the regions above do not give to anyone
_WORDED_REGIONS = (
    *("ES", "IT", "AU", "NL", "BR", "PL", "SE", "CH", "AT", "BE", "IE", "NZ", "ZA", "MX"),
    *("PT", "KR", "CN", "RU", "TR", "DK", "NO", "FI", "SG", "HK", "AE", "IL", "AR", "CA"),
)


@functools.lru_cache(maxsize=8192)
def _worded_kind(candidate: str) -> int | None:
    """The type of the valid number ``candidate`` is in any of the
    ``_WORDED_REGIONS`` (national format), or None."""
    pn = _pn()
    for region in _WORDED_REGIONS:
        try:
            number = pn.parse(candidate, region)
        except pn.NumberParseException:
            continue
        if pn.is_valid_number(number):
            return pn.number_type(number)  # type: ignore[no-any-return]
    return None


def _possible(candidate: str) -> bool:
    """Whether the plan could dial ``candidate`` (written with its "+")."""
    try:
        return _pn().is_possible_number(_pn().parse(candidate, None))
    except _pn().NumberParseException:
        return False


def _phones(text: str) -> Iterator[Span]:
    for m in _PHONE_CANDIDATE.finditer(text):
        value = m.group(0).rstrip(" \t(")
        digits = sum(c.isdigit() for c in value)
        # "0049 30 ...": the international prefix written as 00 (in groups:
        # a zero-padded id, "00123456789", is no number)
        intl = (
            value.startswith("00")
            and value[2:3] != "0"
            and digits >= 10
            and any(c in " \t-" for c in value)
        )
        plus = value.lstrip("(").startswith("+") or intl
        bare = value.strip("() \t")
        if not (7 if plus else 8) <= digits <= 15 or _DATE_LIKE.fullmatch(bare):
            continue
        if _YEARS.fullmatch(bare):
            continue
        groups = [g for g in re.split(r"[ \t().-]+", value) if g]
        if len(groups) > 6 or max(map(len, groups)) < 2:
            continue  # "1 2 3 4 5 6 7" is a list of numbers
        if "." in value and not _NANP.fullmatch(value):
            continue  # dotted: versions and decimals, but for 415.555.2671
        separated = len(groups) > 1
        worded = _PHONE_WORDS.search(text, max(0, m.start() - 60), m.start()) is not None
        if not (plus or separated or worded):
            continue  # a bare run of digits is an id or a count, not a number to call
        kind = _phone_kind("+" + value[2:] if intl else value)
        if (
            kind is None
            and separated
            and not plus
            and _STRONG_PHONE_WORDS.search(text, max(0, m.start() - 60), m.start())
        ):
            kind = _worded_kind(value)  # "mi teléfono es 612 34 56 78" (grouped: a count is not)
        if kind is None:
            # a US-shaped number after "call" (555 numbers are not in the plan)
            # or any "+..." the plan could dial
            fallback = (worded and _NANP.fullmatch(value)) or (plus and _possible(value))
            if fallback:
                yield m.start(), m.start() + len(value), "PHONE"
            continue
        if kind in _public_types():
            continue
        if _HELPLINE.search(text, max(0, m.start() - 80), m.start()):
            continue  # a helpline is published to be called
        yield m.start(), m.start() + len(value), "PHONE"


# ---------------------------------------------------------------- IP addresses
_IPV4 = re.compile(r"(?<![\w.§$-])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
# (an IPv4 tail, "::ffff:1.2.3.4", is left to the IPv4 pattern whole)
_IPV6 = re.compile(
    r"(?<!\w)(?!:[^:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\w{1,16})?(?!\w|\.\d)"
)
# documentation, loopback and everyone's defaults: not anybody's data
_IP_KEEP = frozenset(
    {
        *("0.0.0.0", "127.0.0.1", "255.255.255.255", "169.254.169.254"),
        *("192.168.0.1", "192.168.1.1", "192.168.1.254", "192.168.0.254", "192.168.100.1"),
        *("10.0.0.1", "10.0.0.138", "10.0.0.2", "192.168.2.1", "192.168.8.1", "192.168.10.1"),
        # public resolvers, known by heart
        *("8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "208.67.222.222"),
    }
)
_DOC_NETS = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "127.0.0.0/8")
)
_VERSION_BEFORE = re.compile(
    r"(?i)(?:\bv|\bversion|\bver\.?|\brelease|\brev\.?|\bbuild|§|\bsection|\bsec\.|\bchapter"
    r"|\bclause|\brule|\bpara\.?)\s{0,2}$"
)
_IP_WORDS = re.compile(
    r"(?i)\b(?:ip|ips|ipv4|address|addr|host|hostname|server|ping|ssh|connect\w*|subnet|gateway|"
    r"dns|route|inet|listen\w*|bind|curl|nmap|telnet|firewall|allow|deny|proxy|vpn|client|peer|"
    r"origin|remote|address(?:es)?)\b[^\n]{0,30}$|[@=]\s?$|://$"
)
# the name a version follows, right before the number: "using git 1.7.7.3"
_NAME_BEFORE = re.compile(r"\b([A-Za-z][\w.+#-]{0,30}?)\s{1,2}$")


@functools.cache
def _versioned_names() -> frozenset[str]:
    from loomcore.text.lexicon import word_list

    return word_list("versioned_names", __package__)


def _ipv4s(text: str) -> Iterator[Span]:
    for m in _IPV4.finditer(text):
        value = m.group(0)
        if not value.isascii():
            continue  # \d took other scripts' digits: no address (ipaddress refuses them)
        octets = value.split(".")
        if any((len(o) > 1 and o[0] == "0") or int(o) > 255 for o in octets):
            continue
        if value in _IP_KEEP or octets[0] == "255":
            continue  # netmasks
        address = ipaddress.ip_address(value)
        if any(address in net for net in _DOC_NETS) or address.is_multicast or octets[0] == "0":
            continue
        if octets[3] in ("0", "255"):
            continue  # a network ("10.0.0.0/8", "192.168.1.0") or its broadcast, not a host
        before = text[max(0, m.start() - 40) : m.start()]
        if _VERSION_BEFORE.search(before):
            continue
        # "git 1.7.7.3", "Java 1.8.0.201": a four-part version starts with one digit;
        # such an address needs a word that says it is one ("server 3.14.15.92")
        if int(octets[0]) < 10 and not _IP_WORDS.search(before):
            continue
        # a name that versions follow, right before it: "git 1.7.7.3", whatever
        # address word came before ("our remote repo. I'm using git 1.7.7.3")
        name = _NAME_BEFORE.search(before) if int(octets[0]) < 10 else None
        if name is not None and name.group(1).lower() in _versioned_names():
            continue
        yield m.start(), m.end(), "IP_ADDRESS"


def _ipv6s(text: str) -> Iterator[Span]:
    for m in _IPV6.finditer(text):
        value = m.group(0)
        groups = [g for g in value.split("%")[0].split(":") if g]
        if len(groups) < 2 or not (len(groups) >= 4 or max(map(len, groups)) >= 3):
            continue  # "a[1::2]", "std::vector"
        if not any(c.isdigit() for c in value):
            continue
        try:
            address = ipaddress.IPv6Address(value.split("%")[0])
        except ValueError:
            continue
        if (
            address.is_loopback
            or address.is_unspecified
            or address.is_multicast
            or any(address in net for net in _DOC_NETS if net.version == 6)
            or value.lower() == "fe80::1"
        ):
            continue
        yield m.start(), m.end(), "IP_ADDRESS"


# ---------------------------------------------------------------- dates of birth
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DOB = re.compile(
    r"(?i)\b(?:born(?:\s+on)?|dob|d\.o\.b\.?|date\s+of\s+birth|birth\s?date|birthday"
    r"|geburtsdatum|geboren(?:\s+am)?|date\s+de\s+naissance|n[ée]e?\s+le"
    r"|fecha\s+de\s+nacimiento|data\s+di\s+nascita)\b"
    r"(?:\s+(?:is|was))?[\s:,=-]{0,4}"
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)


# a date of birth under its key: "dob": "1990-04-12", birthDate = '12/04/1990', date_of_birth:
_DOB_KEY = re.compile(
    r"(?i)(?<![a-z])(?:[a-z]+_)?(?:dob|d_o_b|birth_?date|date_?of_?birth|birth_?day)(?![a-z])"
    # (quotes escaped too: a JSON string that holds JSON, a record's raw text)
    r"(?:\\{0,3}[\"'])?\s{0,3}(?::|=|=>)\s{0,3}(?:\\{0,3}[\"'])?"
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_YEAR = re.compile(r"(?<!\d)(\d{4}|\d{2})(?!\d)")


def _dobs(text: str) -> Iterator[Span]:
    for m in (*_DOB.finditer(text), *_DOB_KEY.finditer(text)):
        years = [y for y in _YEAR.findall(m.group("date")) if len(y) == 4]
        if years and int(years[-1]) < 1900:
            continue  # "Hugo was born on 26 February 1802": history, not a living person's data
        yield m.start("date"), m.end("date"), "DATE_OF_BIRTH"


def _bracketed(text: str) -> Iterator[Span]:
    return ((*m.span(), "EMAIL") for m in _EMAIL_BRACKETED.finditer(text))


def _worded(text: str) -> Iterator[Span]:
    return ((*m.span(), "EMAIL") for m in _EMAIL_WORDED.finditer(text))


def _ssns(text: str) -> Iterator[Span]:
    return ((*m.span(), "SSN") for m in _SSN.finditer(text))


def _ssns_worded(text: str) -> Iterator[Span]:
    return ((*m.span(1), "SSN") for m in _SSN_WORDED.finditer(text))


def _id_numbers(text: str) -> Iterator[Span]:
    return ((*m.span("id"), "ID_NUMBER") for m in _ID_NUMBER.finditer(text))


def _seven_colons(text: str) -> bool:
    return text.count(":") >= 7


# (the regex is hyperscan's form of the same test: it starts at a colon, so
# Python's re would take no more than seven passes either)
_SEVEN_COLONS = anchors.Search(re.compile(r":(?:[^:]*:){6}"), _seven_colons)


# What any match of each detector needs (anchors.py): every requirement must
# hold, by one of its alternatives (a case-folded literal, a regex, a
# predicate).  Unicode digits count as \d counts them, since these are
# Python regexes.  A detector listed with () always runs: add a new one here
# with its anchors, or with none and it is never skipped.
_DIGIT = re.compile(r"\d")


@functools.lru_cache(maxsize=16)  # asked by each digit anchor of one text: searched once
def _has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


def _with_digit(regex: re.Pattern[str]) -> anchors.Search:
    """An anchor that needs a digit: in Python, searched for only in text with one
    (most prose has none, and one search then stands for all of them)."""
    search = regex.search
    return anchors.Search(regex, lambda text: _has_digit(text) and search(text) is not None)


def _with_word(
    regex: re.Pattern[str], words: tuple[str, ...], every: bool = False
) -> anchors.Search:
    """An anchor that holds one of ``words`` (``every``: all of them), case-folded
    as its (?i) matches: in Python, searched for only in text that has them."""
    search = regex.search
    holds = all if every else any

    def test(text: str) -> bool:
        folded = anchors.fold(text)
        return holds(w in folded for w in words) and search(text) is not None

    return anchors.Search(regex, test)


_DIGITS = anchors.Search(_DIGIT, _has_digit)
_DIGIT_PAIRS = _with_digit(_DIGIT_PAIR)
_DIGIT_DOT = _with_digit(re.compile(r"\d\.\d"))
# a card's digits, spaced or dashed one by one too
_DIGIT_RUN = _with_digit(re.compile(r"\d[ -]?\d"))
# ("née le", "ne le": an ASCII regex for the "e" spellings, the literal for "é")
_NE_LE = _with_word(re.compile(r"ne{1,2}\s+le", re.IGNORECASE), ("ne", "le"), every=True)
_DOB_WORDS: anchors.Requirement = (
    *("born", "dob", "d.o.b", "d_o_b", "birth", "geburtsdatum", "geboren", "naissance"),
    *("nacimiento", "nascita", _NE_LE, "né"),
)
# (the short names are whole words: a \s, ":", "#" or "=" follows them)
_ID_SHORT = _with_word(
    re.compile(r"\b(?:tax|tin|sin|ni)\b", re.IGNORECASE), ("tax", "tin", "sin", "ni")
)
_ID_WORDS: anchors.Requirement = (
    *("passport", "insurance", "nino", "licen", "personal id", "identity card"),
    *("national id", "id card", _ID_SHORT),
)
DETECTORS: tuple[tuple[str, anchors.Requirements, Callable[[str], Iterable[Span]]], ...] = (
    # (the "@" also as a URL or HTML writes it: see _AT)
    ("email", (("@", "%40", "&#", "&commat;"),), _emails),
    ("email_bracketed", (("at]", "at)", "at}"),), _bracketed),
    ("email_worded", ((" dot ",),), _worded),
    ("iban", ((_DIGIT_PAIRS,),), _ibans),
    ("date_of_birth", ((_DIGIT_PAIRS,), _DOB_WORDS), _dobs),
    ("ssn", ((_DIGIT_PAIRS,), ("-",)), _ssns),
    ("ssn_worded", ((_DIGIT_PAIRS,), ("ssn", "social security")), _ssns_worded),
    ("id_number", ((_DIGITS,), _ID_WORDS), _id_numbers),
    ("credit_card", ((_DIGIT_RUN,),), _cards),
    # (seven digits or more in six groups at most: two of them side by side)
    ("phone", ((_DIGIT_PAIRS,),), _phones),
    ("ipv4", ((_DIGIT_DOT,),), _ipv4s),
    # (a valid address with fewer than seven colons has "::")
    ("ipv6", (("::", _SEVEN_COLONS),), _ipv6s),
)


@functools.cache
def _anchors() -> anchors.Anchors:
    return anchors.Anchors([reqs for _name, reqs, _find in DETECTORS])


def find(text: str, allow: frozenset[str] = frozenset(), engine: str = "auto") -> list[Span]:
    """Every personal datum's span in ``text`` (overlaps resolved by :func:`spans.apply`).

    Only the detectors whose anchors occur in the text run (:mod:`anchors`);
    ``engine="none"`` runs every one, the reference the prefilter is tested
    against, ``"python"`` never uses hyperscan."""
    found: list[Span] = []
    # a number set with no-break or thin spaces ("+33\u00a06 12 34 56 78", as
    # word processors and repaired mojibake write them) is read as with
    # spaces; one character for one, so the spans are the text's own
    scan = text.translate(_SPACES) if not text.isascii() else text
    if engine == "none":
        selected: Iterable[int] = range(len(DETECTORS))
    else:
        selected = _anchors().selected(scan, None, engine)
    for i in selected:
        found.extend(DETECTORS[i][2](scan))
    return [s for s in found if text[s[0] : s[1]] not in allow]


_SPACES = {0x00A0: " ", 0x2007: " ", 0x2009: " ", 0x202F: " "}


def redact(text: str, allow: frozenset[str]) -> tuple[str, dict[str, int]]:
    """``text`` with every personal datum replaced by a typed placeholder, in one pass."""
    return spans.apply(text, find(text, allow))


@hookimpl
def register_redactors(register):
    register(
        Redactor(
            "personal_data",
            "personal",
            redact,
            description="e-mail, phone, card, IBAN, SSN, IP addresses, dates of birth",
        )
    )
