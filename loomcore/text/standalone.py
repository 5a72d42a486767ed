"""Does a training example stand alone?  The checks behind the ``standalone`` gate.

A reader who sees only an example's instruction, input, history and output
must accept it as a complete exchange.  Each check below names one way an
example fails that and returns its reason (or None).  They read the text's
structure (code fences, lists, tables, the first and the last sentence), not
a list of bad examples, so a third-party builder can use them too:
``first_failure(instruction, input, output, has_history)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from loomcore.text.sentences import split_sentences

_FENCE = re.compile(r"^[ \t]*(```|~~~).*?(?:^[ \t]*\1[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]{0,2000}`")

# Things a request points at that must then be given: "the following text",
# "this table", "the list of words", "the image".
_THINGS = (
    r"(?:text|article|passage|paragraph|table|list(?: of \w+)?|code|snippet|sentences?|data(?:set)?|"
    r"story|poem|e-?mail|letter|document|essay|image|picture|photo|screenshot|graph|chart|"
    r"diagram|figure|file|spreadsheet|excerpt|quote|review|report|transcript|recipe|song|"
    r"lyrics|video|link|page|website|tweet|post|message|program|script|function|query|"
    r"equation|problem|question|words|options|choices|statements?|phrases?|input|output)"
)
# "the table" / "the passage" point at something only when it is not named
_SHOWN = (
    r"(?:table|passage|paragraph|excerpt|snippet|article|text|list of \w+|chart|graph|diagram|"
    r"image|picture|photo|screenshot|attachment|spreadsheet)"
)
_POINTER = re.compile(
    rf"\b(?:the (?:following|above|given|attached|provided|below|previous|enclosed)\s+{_THINGS}|"
    rf"(?:this|these|my) {_THINGS}|the {_SHOWN})\b(?!\s+(?:of|about|called|named|titled|by|on|"
    rf"from|for|with|that|which|where|in|at)\b)|"
    # "the function above", "that code from before": only an earlier turn gives it
    rf"\b(?:the|this|that|these|those) {_THINGS} (?:above|earlier|from before|you (?:wrote|gave))\b",
    re.IGNORECASE,
)
# a pointer at formatting that plain text does not carry ("the italicized words")
_FORMATTED = re.compile(
    r"\bthe (?:italici[sz]ed|bold(?:ed)?|underlined|highlighted|capitali[sz]ed|colou?red|"
    r"strikethrough|marked) (?:words?|phrases?|parts?|sections?|text|terms?|sentences?)\b",
    re.IGNORECASE,
)
# things only their whole text gives: a title in quotes is not the article
_LONG_FORM = re.compile(
    r"\b(?:article|passage|paragraph|text|story|essay|document|report|transcript|excerpt|"
    r"chapter|book|speech|review|email|e-mail|letter|post|blog post)$",
    re.IGNORECASE,
)
_IMAGE = re.compile(
    r"<image>|\b(?:this|the|attached|my|in the) (?:image|picture|photo|screenshot)\b", re.I
)
# words that lean on turns the example does not carry
_EARLIER = re.compile(
    r"\b(?:as (?:you|i|we) (?:said|mentioned|noted|suggested|described)|you (?:said|mentioned) "
    r"(?:earlier|before|above)|(?:your|my) (?:previous|last|earlier) (?:answer|reply|response|"
    r"message|question|code|suggestion)|the (?:previous|last|earlier) (?:answer|reply|response|"
    r"message|one|code|example|question|step))\b",
    re.IGNORECASE,
)
_FOLLOW_ON = re.compile(r"^(?:and|but|also|or|then|what about|how about|ok(?:ay)? and)\b", re.I)
_URL = re.compile(r"https?://\S+|\bwww\.\S+", re.I)
_ABOUT_A_LINK = re.compile(
    r"\b(?:summari[sz]e|outline|main points|key points|according to|read|what does|tl;?dr|review)\b",
    re.I,
)

# A first word (or two) that continues text the output left out.
_CONTINUES = re.compile(
    r"^(?:however|thus|hence|therefore|additionally|moreover|furthermore|also|besides|"
    r"nevertheless|nonetheless|consequently|otherwise|instead|likewise|similarly|conversely|"
    r"in addition|as a result|on the other hand|in contrast|by contrast|that said|"
    r"as (?:you|i|we) (?:said|mentioned|noted|can see)|as (?:mentioned|noted|stated|shown) "
    r"(?:above|before|earlier)|hope(?:fully)? (?:this|that) helps|edit\b|update\b)\b",
    re.IGNORECASE,
)
# a lead-in that promises what follows
_PROMISES = re.compile(
    r"(?::|\b(?:as follows|see below|the following|listed below|shown below|below))\s*[.!]?$",
    re.IGNORECASE,
)
_POINTS_DOWN = re.compile(
    r"\b(?:see below|(?:is|are) (?:shown |given |listed )?below|the (?:code|snippet|example) below|"
    r"the following (?:code|implementation|snippet|script|command|function|program|query|table))\b",
    re.IGNORECASE,
)
_MARKUP = re.compile(
    r"\[\[?(?:Image|File|Category):[^\]\n]*\]?\]|\{\{[^{}\n]{0,200}\}\}|"
    r"&(?:quot|amp|lt|gt|nbsp|apos|#\d{2,5}|#x[0-9a-f]{2,4});",
    re.IGNORECASE,
)
# site furniture copied with a page's text
_FURNITURE = re.compile(r"\b(?:click here|related wikihows|downvoter)\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_]{2,40}\]|<image>|<\|[a-z_]+\|>")
_WORD = re.compile(r"[^\W\d_]{2,}")
_REFUSES = re.compile(
    r"^(?:i'?m sorry,?\s*(?:but\s*)?)?(?:as an ai\b|i am an ai\b|i'?m an ai\b|"
    r"(?:i'?m |i am )?(?:sorry, )?(?:but )?i (?:cannot|can'?t|am unable to|'?m unable to|am not able to|"
    r"won'?t|will not|do not have access|don'?t have access))",
    re.IGNORECASE,
)
# a request for a piece of writing of some length
_WRITE = re.compile(
    r"\b(?:write|compose|draft)\b[^.?!\n]{0,60}?(?<![-\w])(?:essay|story|article|letter|"
    r"blog(?: post)?|chapter|speech|report|cover letter)\b",
    re.IGNORECASE,
)
# the last word of a sentence cut off mid-thought
_DANGLING_END = re.compile(
    r"(?:,|;|\b(?:and|or|but|the|a|an|of|to|with|for|from|in|on|at|by|that|which|is|are|was))$",
    re.IGNORECASE,
)


_ENTITY = re.compile(r"&(?:quot|amp|lt|gt|nbsp|apos|#39|#34);")
_ENTITIES = {
    "&quot;": '"',
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&nbsp;": " ",
    "&apos;": "'",
    "&#39;": "'",
    "&#34;": '"',
}


def unescape_entities(text: str) -> str:
    """HTML entities a scraped page left in ("&quot;ima&quot;") as the
    characters they stand for; code that is markup (HTML, XML) keeps them."""
    if "&" not in text:
        return text
    keep = [m.span() for m in _FENCE.finditer(text)] + [
        m.span() for m in _INLINE_CODE.finditer(text)
    ]

    # in code, an entity is meant where the code is markup (HTML, XML) or the
    # entity itself is what the code shows (`&quot;`)
    keep = [
        (a, b)
        for a, b in keep
        if re.search(r"<[A-Za-z/!]", text[a:b])
        or re.fullmatch(r"[`\s]*(?:&#?\w+;\s*)+[`\s]*", text[a:b])
    ]

    def swap(m: re.Match[str]) -> str:
        inside = any(a <= m.start() < b for a, b in keep)
        return m.group(0) if inside else _ENTITIES[m.group(0)]

    return _ENTITY.sub(swap, text)


def prose(text: str) -> str:
    """``text`` without fenced and inline code (which may say anything)."""
    return _INLINE_CODE.sub(" ", _FENCE.sub("\n", text))


def _given(text: str, at: int) -> bool:
    """Whether what a pointer at ``at`` points to follows it in ``text``: more
    text after a line break or a colon, a quote, a code block or a table, or
    the thing itself right after the pointer ("the equation 2a+3b=20")."""
    rest = text[at:]
    if "```" in rest or re.search(r"^\s*\|.*\|", rest, re.MULTILINE):
        return True
    if re.search(r"(?:\n|[:\"“'`])\s*\S", rest):
        return True
    # the same sentence goes on with what it names, not with its end or a new clause
    return bool(re.match(r"\s*(?![.?!,;)]|$)(?!(?:and|or|but|so|then|to|in order)\b)\S", rest))


def dangling_reference(instruction: str, input: str, has_history: bool) -> bool:
    """The request points at a text, table or image that the example does not
    give ("Add the stars to the third column of the table"), or leans on turns
    it does not carry ("as you said")."""
    if has_history:
        return False
    given = input.strip()
    if _EARLIER.search(instruction) or (
        _FOLLOW_ON.match(instruction.strip()) and len(instruction.split()) <= 25
    ):
        return True
    if given:
        return False
    # the request is its first line; what follows is what it gives
    request_end = instruction.find("\n")
    request = instruction if request_end < 0 else instruction[:request_end]
    for m in _POINTER.finditer(request):
        if not _given(instruction, m.end()):
            return True
        # "Summarize the article 'Climate Change'": a title names what is not given
        rest = instruction[m.end() :]
        if (
            _LONG_FORM.search(m.group(0))
            and not re.search(r"(?:\n|:)\s*\S", rest)
            and len(_WORD.findall(rest)) < 25
        ):
            return True
    if _FORMATTED.search(instruction) and not re.search(
        r"[*_]\w|<(?:i|b|u|em|strong)>", instruction
    ):
        return True
    image = _IMAGE.search(instruction)
    return image is not None and not _given(instruction, image.end())


def link_only(instruction: str) -> bool:
    """The request is about a page only a link gives ("Outline this article
    https://..."): a model cannot read it, so the answer cannot be checked."""
    urls = _URL.findall(instruction)
    if not urls or not _ABOUT_A_LINK.search(instruction):
        return False
    rest = _URL.sub(" ", instruction)
    return len(_WORD.findall(rest)) < 40


# a dataset template's "no input" marker left in the request
_NO_INPUT = re.compile(r"(?:^|\s)(?:<\s*no\s*input\s*>|noinput|no input)\s*\.?\s*$", re.IGNORECASE)


# two texts glued with no space: "Describe how to cook the following dish.Poached
# eggs", "... in simple language?Artificial Intelligence", "Reword this sentence
# to increase clarityThe idea ..." (a dataset's instruction and input joined)
_GLUED = re.compile(
    r"\b[a-z]{2,}[.?!](?=[\"“]?[A-Z][a-z]{2})|"
    r"\b[a-z]{3,}(?=(?:The|This|That|These|Those|How|What|Why|When|Where|Which|Who|Given|Please)\b)"
)


def unglue(request: str) -> str:
    """A request whose text was glued to what it gives ("Describe how to cook
    the following dish.Poached eggs") with the blank line put back between
    them; once, in the first line, never inside a link or code."""
    line_end = request.find("\n")
    head = request if line_end < 0 else request[:line_end]
    spans = [m.span() for m in _URL.finditer(head)]
    spans += [m.span() for m in _INLINE_CODE.finditer(head)]
    for m in _GLUED.finditer(head):
        if not any(a <= m.start() < b for a, b in spans):
            return request[: m.end()] + "\n\n" + request[m.end() :]
    return request


def garbled(instruction: str) -> bool:
    """Brackets that do not pair, a template's "<noinput>" left in, two texts
    glued with no space, or a placeholder where the request should be."""
    text = prose(instruction)
    if _NO_INPUT.search(instruction) or unglue(instruction) != instruction:
        return True
    for a, b in ("()", "[]", "{}"):
        if text.count(a) != text.count(b):
            # "1) first 2) second": enumerators close without opening
            if a == "(" and text.count(b) > text.count(a) and re.search(r"(?:^|\s)\w\)", text):
                continue
            return True
    return len(_PLACEHOLDER.sub(" ", instruction).split()) < 2


# a request to go on from a text ("Add three more points", "Continue the story")
_GO_ON = re.compile(r"^\W*(?:add|continue|extend|expand|finish|complete|append)\b", re.IGNORECASE)


# an answer that leans on turns the example does not carry
_LEANS_BACK = re.compile(
    r"\b(?:the same (?:logic|code|program|function|approach|example|concept|idea|steps|query|"
    r"script|method)|(?:as|like) (?:before|i said|you said)|(?:described|mentioned|shown|explained) "
    r"(?:above|earlier|before|previously)|the (?:previous|earlier|above) (?:code|example|answer|"
    r"solution|version|approach|function|snippet|query|script|step))\b",
    re.IGNORECASE,
)
# an answer about tools the example does not carry ("based on the available tools")
_TOOLS = re.compile(
    r"\b(?:(?:the )?(?:available|provided|given) (?:tools|functions|apis)|none of the "
    r"(?:available )?(?:tools|functions)|the [`'\"]?[a-z_]+[`'\"]? (?:tool|function) "
    r"(?:requires|needs|returned|returns|does not|doesn't|can't|cannot)|"
    r"(?:i|we) (?:don't|do not) have (?:a|any) (?:direct )?(?:tool|function))\b",
    re.IGNORECASE,
)


def leans_on_earlier(output: str) -> bool:
    """The output opens by pointing back at an earlier turn ("Here's the same
    logic in C#", "As described earlier, ..."); later in a long answer such
    words point at the answer's own text."""
    sentences = split_sentences(prose(output).strip()[:600])
    return bool(sentences) and bool(_LEANS_BACK.search(sentences[0]))


def about_missing_tools(output: str) -> bool:
    """The output answers from a tool list or tool results that the example
    does not carry ("based on the available tools, I can't ...")."""
    return bool(_TOOLS.search(prose(output)))


def continues_elsewhere(instruction: str, output: str) -> bool:
    """The output opens on a word that continues text it left out
    ("However, ...", "Thus, ...", "As you said, ..."), unless it was asked to go on."""
    return bool(_CONTINUES.match(output.lstrip(" \t\n>*#-"))) and not _GO_ON.match(instruction)


def _last_prose_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def empty_promise(output: str) -> bool:
    """The output ends on a lead-in with nothing after it ("here are a few
    things you could do:"), or points below at code or a table that is not there."""
    text = output.rstrip()
    if text.endswith("```") or text.endswith("|"):
        return False  # ends on its own code block or table
    last = _last_prose_line(text)
    if _PROMISES.search(last) and not last.startswith(("|", "-", "*")):
        return True
    if "```" in output or re.search(r"^\s*(?:\||[-*+]\s|\d+[.)]\s)", output, re.M):
        return False
    plain = prose(output)
    return any(len(_WORD.findall(plain[m.end() :])) < 8 for m in _POINTS_DOWN.finditer(plain))


def markup(text: str, furniture: bool = True) -> bool:
    """Wiki or HTML markup outside code ("[[Image:...|center]]", "&quot;") and,
    with ``furniture``, a site's links copied along ("click here")."""
    plain = prose(text)
    return bool(_MARKUP.search(plain) or (furniture and _FURNITURE.search(plain)))


def placeholder_only(output: str) -> bool:
    """Nothing but placeholders ("[EMAIL]", "<image>") and punctuation."""
    return len(_WORD.findall(_PLACEHOLDER.sub(" ", output))) < 2


def refusal(output: str) -> bool:
    """A short refusal ("I'm sorry, but as an AI language model I cannot ..."):
    it teaches a model to decline what it was asked."""
    words = len(output.split())
    return words < 80 and bool(_REFUSES.match(output.strip()))


def noisy_input(input: str) -> bool:
    """An input that is a dump of words, not context: "Entities: After, All,
    Although; Topics: graph" (the old include_context), or any list of short
    comma-separated names with no sentence among them."""
    text = input.strip()
    if not text:
        return False
    if re.match(r"^(?:entities|topics|keywords)\s*:", text, re.IGNORECASE):
        return True
    items = [t.strip() for t in re.split(r"[,;]", text) if t.strip()]
    return (
        len(items) >= 5
        and not re.search(r"[.!?]\s", text)
        and sum(len(t.split()) for t in items) / len(items) <= 2.5
    )


def too_short_for_request(instruction: str, output: str) -> bool:
    """A request for an essay, a story, a poem answered in a sentence or two."""
    return bool(_WRITE.search(instruction[:600])) and len(output.split()) < 25


# the commonest function words of English and of the languages a reply most
# often switches to: a text is told by which of them it uses
_ENGLISH = frozenset(
    {"the", "and", "of", "to", "a", "in", "is", "that", "it", "you", "for", "was", "on", "are"}
    | {"with", "as", "this", "be", "have", "not", "i", "at", "by", "or", "from", "but", "they"}
)
_OTHER = frozenset(
    {"der", "die", "das", "und", "ich", "nicht", "ist", "ein", "eine", "zu", "den", "von", "mit"}
    | {"sich", "auf", "für", "dem", "le", "la", "les", "et", "est", "une", "du", "que", "pas"}
    | {"pour", "qui", "dans", "el", "los", "las", "y", "es", "por", "con", "una", "para", "lo"}
    | {"il", "che", "di", "non", "per", "sono", "och", "att", "het", "een", "niet", "van"}
)
_LETTER_WORD = re.compile(r"[^\W\d_]+")
_OTHER_LANGUAGE = re.compile(
    r"\b(?:translat\w*|in (?:german|french|spanish|italian|portuguese|dutch|chinese|japanese|"
    r"korean|russian|arabic|hindi|turkish|polish|swedish|latin|greek)|"
    r"(?:german|french|spanish|italian|japanese|chinese|russian)\b)",
    re.IGNORECASE,
)


def _shares(text: str) -> tuple[int, float, float, float]:
    """(words, share of English function words, of other languages' function
    words, share of letters outside the Latin scripts)."""
    plain = prose(text)[:4000]
    words = [w.lower() for w in _LETTER_WORD.findall(plain)]
    if not words:
        return 0, 0.0, 0.0, 0.0
    letters = [c for w in words for c in w]
    return (
        len(words),
        sum(w in _ENGLISH for w in words) / len(words),
        sum(w in _OTHER for w in words) / len(words),
        sum(ord(c) > 0x24F for c in letters) / len(letters),
    )


def language_mismatch(instruction: str, output: str) -> bool:
    """An English request answered in another language it did not ask for."""
    n_in, english_in, _, _ = _shares(instruction)
    n_out, english_out, other_out, script_out = _shares(output)
    if n_in < 5 or english_in < 0.2 or n_out < 15 or _OTHER_LANGUAGE.search(instruction):
        return False
    return script_out > 0.5 or (other_out >= 0.1 and other_out > 2 * english_out)


def cut_off(output: str) -> bool:
    """The output stops mid-sentence (on a comma, "and", "the"), outside code,
    or inside a code block that never closes."""
    text = output.rstrip()
    # a fence line holds the backticks and at most a language: "```x```" on a
    # line is inline code
    fences = re.findall(r"^[ \t]*```[^`\n]*$", text, re.MULTILINE)
    if len(fences) % 2:
        return True
    if text.endswith(("```", "|")):
        return False
    # the last line as written, its inline code blanked (a code line or a
    # table row is no sentence)
    last = _INLINE_CODE.sub(" x ", _last_prose_line(text)).strip()
    if not last or last.startswith(("```", "|", "    ")):
        return False
    sentences = split_sentences(last)
    tail = sentences[-1] if sentences else last
    return len(tail.split()) >= 4 and bool(_DANGLING_END.search(tail))


Check = Callable[[str, str, str, bool], bool]

#: reason -> check(instruction, input, output, has_history), in the order they run
CHECKS: dict[str, Check] = {
    "dangling_reference": lambda i, x, o, h: dangling_reference(i, x, h),
    "noisy_input": lambda i, x, o, h: noisy_input(x),
    "link_only": lambda i, x, o, h: not x.strip() and link_only(i),
    "garbled_instruction": lambda i, x, o, h: garbled(i),
    "continues_elsewhere": lambda i, x, o, h: (
        continues_elsewhere(i, o) or (not h and leans_on_earlier(o))
    ),
    "missing_tools": lambda i, x, o, h: about_missing_tools(o),
    "empty_promise": lambda i, x, o, h: empty_promise(o),
    "markup": lambda i, x, o, h: markup(o) or markup(i, furniture=False),
    "placeholder_only": lambda i, x, o, h: placeholder_only(o),
    "refusal": lambda i, x, o, h: refusal(o),
    "too_short_for_request": lambda i, x, o, h: too_short_for_request(i, o),
    "cut_off": lambda i, x, o, h: cut_off(o),
    "language_mismatch": lambda i, x, o, h: language_mismatch(i, o),
}


def first_failure(
    instruction: str, input: str, output: str, has_history: bool = False
) -> str | None:
    """The first check an example fails, by its reason name, or None."""
    for reason, check in CHECKS.items():
        if check(instruction, input, output, has_history):
            return reason
    return None
