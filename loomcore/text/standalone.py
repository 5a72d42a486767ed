"""Does a training example stand alone?  The checks behind the ``standalone`` gate.

A reader who sees only an example's instruction, input, history and output
must accept it as a complete exchange.  Each check below names one way an
example fails that and returns its reason (or None).  They read the text's
structure (code fences, lists, tables, the first and the last sentence), not
a list of bad examples, so a third-party builder can use them too:
``first_failure(instruction, input, output, has_history)``.
"""

from __future__ import annotations

import bisect
import collections
import functools
import html
import re
from collections.abc import Callable

from loomcore.text.memo import exchange_memo
from loomcore.text.regex import lead
from loomcore.text.sentences import normalise_space, split_sentences

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
# what "my" points at that only pasting gives ("my code", "my essay"; not "my data")
_PASTED = (
    r"(?:code|snippet|text|essay|paragraph|poem|story|letter|e-?mail|resume|cv|sentences?|"
    r"query|function|script|draft)"
)
# "the table" / "the passage" point at something only when it is not named
_SHOWN = (
    r"(?:table|passage|paragraph|excerpt|snippet|article|text|list of \w+|chart|graph|diagram|"
    r"image|picture|photo|screenshot|attachment|spreadsheet)"
)
_POINTER = re.compile(
    rf"\b(?:the (?:following|above|given|attached|provided|below|previous|enclosed)\s+{_THINGS}|"
    rf"(?:this|these) {_THINGS}|my {_PASTED}|the {_SHOWN})\b(?!\s+(?:of|about|called|named|titled|by|on|"
    rf"from|for|with|that|which|where|in|at)\b)|"
    # "the given organizations": whatever it is, "given" says it must be there
    rf"\bthe (?:given|provided|attached|aforementioned) [a-z]+\b|"
    # "the function above", "that code from before": only an earlier turn gives it
    rf"\b(?:the|this|that|these|those) {_THINGS} (?:above|earlier|from before|you (?:wrote|gave))\b",
    re.IGNORECASE,
)
_POINTER = lead(_POINTER)  # the same matches, tried only where one can begin
# a pointer at formatting that plain text does not carry ("the italicized words")
_FORMATTED = re.compile(
    r"\bthe (?:italici[sz]ed|bold(?:ed)?|underlined|highlighted|capitali[sz]ed|colou?red|"
    r"strikethrough|marked) (?:words?|phrases?|parts?|sections?|text|terms?|sentences?)\b|"
    # "the words in bold", "the phrase in italics"
    r"\bthe (?:words?|phrases?|parts?|text|terms?) (?:in|written in|marked in) "
    r"(?:bold|italics?|capitals|red|yellow|brackets? below)\b",
    re.IGNORECASE,
)
# things only their whole text gives: a title in quotes is not the article
_LONG_FORM = re.compile(
    r"\b(?:article|passage|paragraph|text|story|essay|document|report|transcript|excerpt|"
    r"chapter|book|speech|review|email|e-mail|letter|post|blog post)$",
    re.IGNORECASE,
)
# a request about a text of a form that is never a few words long
_LONGEST_FORM = re.compile(
    r"\b(?:this|the following|the given|the provided|the attached|the below) "
    r"(?:article|essay|document|report|transcript|chapter|book|speech|blog post)\b"
    r"(?!\s+(?:titles?|names?|covers?|summary|summaries)\b)",  # "the following book title"
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
    r"message)|the (?:previous|earlier) (?:one|code|example|question|step))\b",
    re.IGNORECASE,
)
_EARLIER = lead(_EARLIER)  # the same matches, tried only where one can begin
_ABOUT_A_PRONOUN = re.compile(
    r"(?:why|how|what|where|when|who)\s+(?:is|are|was|were|does|do|did|can|could|would|will|has|have)"
    r"\s+(?:he|she|it|they|him|her|them|this|that|these|those)\b(?!\s+(?:mean|means)\b)"
    # "How does it work, the TCP handshake?" names it after all
    r"(?![^?\n]*,\s*(?:the|a|an|my|this)\s)",
    re.IGNORECASE,
)
_FOLLOW_ON = re.compile(r"^(?:and|but|also|or|then|what about|how about|ok(?:ay)? and)\b", re.I)
_URL = re.compile(r"https?://\S+|\bwww\.\S+", re.I)
_URL = lead(_URL)  # the same matches, tried only where one can begin
_ABOUT_A_LINK = re.compile(
    r"\b(?:summari[sz]e|outline|main points|key points|according to|read|what does|tl;?dr|review|"
    # what a page holds: "explain what the content of the webpage is"
    r"web ?page|website|content of|contents of)\b",
    re.I,
)

# A first word (or two) that continues text the output left out.
_CONTINUES = re.compile(
    r"^(?:(?:however|thus|hence|therefore|additionally|moreover|furthermore|"
    r"nevertheless|nonetheless|consequently|likewise|similarly|conversely|"
    r"in addition|as a result|on the other hand|in contrast|by contrast|that said)\b|"
    r"(?:also|besides|otherwise|instead),|"
    r"as (?:you|i|we) (?:said|mentioned|noted|can see)\b|as (?:mentioned|noted|stated|shown) "
    r"(?:above|before|earlier)\b|hope(?:fully)? (?:this|that) helps\b|(?:edit|update)\s*:)",
    re.IGNORECASE,
)
# a lead-in that promises what follows
_PROMISES = re.compile(
    r"(?::|\b(?:as follows|see below|the following|listed below|shown below))\s*[.!]?$",
    re.IGNORECASE,
)
_POINTS_DOWN = re.compile(
    r"\b(?:see below|(?:is|are) (?:shown |given |listed )?below|the (?:code|snippet|example) below|"
    r"the following (?:code|implementation|snippet|script|command|function|program|query|table))\b",
    re.IGNORECASE,
)
_POINTS_DOWN = lead(_POINTS_DOWN)  # the same matches, tried only where one can begin
_MARKUP = re.compile(
    # wiki images and files, a template's {{name}} left unfilled, an HTML entity
    r"\[\[?(?:[Ii]mage|[Ff]ile|[Cc]ategory):[^\[\]\n]{0,200}\]?\]|\{\{[A-Za-z_][\w.]{0,40}\}\}|"
    r"&(?:[a-z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});|"
    # a model's own tags left in its text
    r"</?(?:think|thinking|thought|reasoning|user_visible|tool_call|tool_response|"
    r"function_call|function_results|scratchpad|thread)>"
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
    r"\b(?:write|compose|draft)\b(?:(?!title|headline|subject|thesis|sentence|tagline|slogan|"
    r"summary|caption|name|outline|line)[^.?!\n]){0,60}?(?<![-\w])(?:essay|story|article|letter|"
    r"blog(?: post)?|chapter|speech|report|cover letter)\b",
    re.IGNORECASE,
)
# the last word of a sentence cut off mid-thought
_DANGLING_END = re.compile(
    r"(?:,|;|\b(?:and|or|but|the|a|an|of|to|with|for|from|in|on|at|by|that|which|is|are|was|"
    r"your|my|our|their|its))$",
    re.IGNORECASE,
)


_ENTITY = re.compile(r"&(?:[A-Za-z]{2,8}|#\d{2,6}|#[xX][0-9a-fA-F]{2,5});")


class _Spans:
    """Sorted, merged (start, end) spans, asked whether a position is inside
    one in logarithmic time (the texts may hold thousands of spans)."""

    def __init__(self, spans: list[tuple[int, int]]):
        merged: list[list[int]] = []
        for a, b in sorted(spans):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]

    def __contains__(self, pos: int) -> bool:
        i = bisect.bisect_right(self.starts, pos) - 1
        return i >= 0 and pos < self.ends[i]


# what UTF-8 read as Windows-1252 or Latin-1 looks like: a lead byte's letter
# (Â Ã Ð × â ...) then a continuation byte's (€ ™ ‚ ¢ © ...); only where it
# is found is ftfy asked (most texts hold neither)
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def repair_encoding(text: str) -> str:
    """Mojibake put back ("itâ€™s" -> "it’s"): text that was UTF-8 decoded as
    Windows-1252 somewhere before the export, as ftfy can tell and undo."""
    if _MOJIBAKE_HINT.search(text) is None:
        return text
    import ftfy  # when first needed: most runs never meet mojibake

    return ftfy.fix_encoding(text)


def mojibake(text: str) -> bool:
    """Mojibake that could not be undone (a byte of it was lost on the way:
    "×—×©×‘×•×Ÿ ××ª×¨"): the text is not what was written."""
    if _MOJIBAKE_HINT.search(text) is None:
        return False
    from ftfy.badness import is_bad

    return bool(is_bad(text))


def unescape_entities(text: str) -> str:
    """HTML entities a scraped page left in ("&quot;ima&quot;") as the
    characters they stand for; code that is markup (HTML, XML), or that shows
    an entity itself (`&quot;`), keeps them."""
    if "&" not in text:
        return text
    code = [m.span() for m in _FENCE.finditer(text)] + [
        m.span() for m in _INLINE_CODE.finditer(text)
    ]
    keep = _Spans(
        [
            (a, b)
            for a, b in code
            if re.search(r"<[A-Za-z/!]", text[a:b])
            or re.fullmatch(r"[`\s]*(?:&#?\w+;\s*)+[`\s]*", text[a:b])
        ]
    )

    def swap(m: re.Match[str]) -> str:
        return m.group(0) if m.start() in keep else html.unescape(m.group(0))

    return _ENTITY.sub(swap, text)


@functools.lru_cache(maxsize=16)  # every check of one example reads the same texts
def prose(text: str) -> str:
    """``text`` without fenced and inline code (which may say anything)."""
    return _INLINE_CODE.sub(" ", _FENCE.sub("\n", text))


_HEAD = 4000


def _given(text: str, at: int) -> bool:
    """Whether what a pointer at ``at`` points to follows it in ``text``: more
    text after a line break or a colon, a quote, a code block or a table, or
    the thing itself right after the pointer ("the equation 2a+3b=20")."""
    rest = text[at:]
    if "```" in rest or re.search(r"^[ \t]*\|[^\n]*\|", rest, re.MULTILINE):
        return True
    # more after a line break, a colon or a quote (found once, read to its end once)
    mark = re.search(r"[\n:\"“'`]", rest)
    if mark is not None and rest[mark.end() :].strip():
        return True
    # the same sentence goes on with what it names, not with its end or a new clause
    # ("the given organizations are more profitable" goes on with a verb: nothing given)
    return bool(_GOES_ON_WITH_IT.match(rest))


_GOES_ON_WITH_IT = re.compile(
    r"[ \t]*(?![.?!,;)]|$)(?!(?:and|or|but|so|then|to|in order|is|are|was|were|be|been|has|have|"
    r"had|can|could|will|would|should|may|might|must|do|does|did|that|which|who|more|less|than|"
    r"if|when|into|as|for|with|from|by|of|in|on|at|about)\b)\S",
    re.IGNORECASE,
)


@exchange_memo(maxsize=64)  # asked by make_example and by the gate
def dangling_reference(instruction: str, input: str, has_history: bool) -> bool:
    """The request points at a text, table or image that the example does not
    give ("Add the stars to the third column of the table"), or leans on turns
    it does not carry ("as you said")."""
    if has_history:
        return False
    # the request and what it gives are in its first few thousand characters;
    # reading no further keeps every pointer's look at the rest linear
    instruction = instruction[:_HEAD]
    given = input.strip()
    if _EARLIER.search(instruction) or (
        _FOLLOW_ON.match(instruction.strip()) and len(instruction.split()) <= 25
    ):
        return True
    # "Why is he on the ground?": a short question about someone or something
    # only earlier turns (or an image) named
    if len(instruction.split()) <= 10 and _ABOUT_A_PRONOUN.match(instruction.strip()):
        return True
    # "give me a specific example": of what, only an earlier turn says
    if not given and names_nothing(instruction):
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
        line_or_colon = re.search(r"[\n:]", rest)
        if (
            _LONG_FORM.search(m.group(0))
            and not (line_or_colon and rest[line_or_colon.end() :].strip())
            and len(_WORD.findall(rest)) < 25
        ):
            return True

    if (
        asks_to_choose_from_nothing(instruction)
        or only_a_title(instruction)
        or one_of_a_set(instruction)
    ):
        return True
    if _FORMATTED.search(instruction) and not re.search(
        r"[*_]\w|<(?:i|b|u|em|strong)>", instruction
    ):
        return True
    image = _IMAGE.search(instruction)
    return image is not None and not _given(instruction, image.end())


# the assistant is what it is about: "Tell me about you.", "Who are you?"
_ABOUT_YOU = re.compile(r"\b(?:about you|who (?:you are|are you)|yourself|your name)\b", re.I)
_REQUEST_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


def names_nothing(text: str) -> bool:
    """A short request that does not say what it is about ("give me a specific
    example", "Can you elaborate a bit more?", "explain in more detail"): only
    an earlier turn does."""
    if "\n" in text.strip() or len(text) > 120:
        return False
    words = [w.lower() for w in _REQUEST_WORD.findall(text)]
    if not words or len(words) > 12 or _ABOUT_YOU.search(text):
        return False
    from loomcore.text.lexicon import BARE_REQUEST_WORDS  # when first needed, as below

    function = _function_words()
    if not (
        any(w in BARE_REQUEST_WORDS for w in words)
        and all(w in function or w in BARE_REQUEST_WORDS for w in words)
    ):
        return False
    # "What can you do?", "What do you like?": about the assistant, who is
    # there; "can you elaborate?", "what do you mean?" ask it to go on
    for i, w in enumerate(words):
        if w == "you":
            rest = [x for x in words[i + 1 :] if x not in _MODALS]
            if not rest or rest[0] not in _GO_ON_VERBS:
                return False
    return True


_MODALS = frozenset({"can", "could", "would", "will", "do", "did", "please", "just", "also"})
_GO_ON_VERBS = frozenset(
    {"give", "show", "tell", "provide", "explain", "elaborate", "expand", "clarify", "describe"}
    | {"continue", "keep", "go", "mean", "more", "again"}
)


# "Given a set of instructions, ...", "Using this list of steps, ..."
_A_SET_OF = re.compile(
    r"^\W*(?:given|using|with|from|for) (?:a|an|the|this|these) (?:set|list|series|collection|"
    r"sequence) of [a-z]+s\b",
    re.IGNORECASE,
)


def one_of_a_set(instruction: str) -> bool:
    """A request about a set or a list of things that gives one line with no
    list in it ("Given a set of instructions, explain how to use a system"
    then only "How to create an account on Twitter"): a title, not the set."""
    first_end = instruction.find("\n")
    if first_end < 0 or not _A_SET_OF.match(instruction):
        return False
    given = instruction[first_end:].strip()
    listed = re.search(r"[,;\[{(|]|\band\b|\bor\b", given) or len(re.findall(r"\d+", given)) > 1
    return bool(given) and "\n" not in given and not listed


def only_a_title(instruction: str) -> bool:
    """The request is about an article, essay or report, and what it gives is
    a few words ("Summarize this article: "The Benefits of Organic Foods""):
    a title, not the text, so the answer is made up."""
    if _URL.search(instruction, 0, _HEAD):
        return False  # a link to the text: link_only says so
    first_line = instruction.find("\n")
    m = _LONGEST_FORM.search(instruction, 0, first_line if first_line >= 0 else _HEAD)
    if m is None:  # (asked in the request, its first line, not met in what it gives)
        return False
    rest = instruction[m.end() : m.end() + _HEAD]
    start = re.search(r"[\n:]", rest)
    return len(_WORD.findall(rest[start.end() :] if start else "")) < 15


def without_repeated_input(request: str) -> str:
    """The request without a last paragraph that only repeats what it already
    quotes ("Rewrite this sentence: "The dog, it was black."\n\nThe dog, it was
    black."): a dataset's input pasted after an instruction that held it."""
    head, sep, last = request.rstrip().rpartition("\n\n")
    given = normalise_space(last)
    if not sep or len(given.split()) < 2 or "\n\n" in last:
        return request
    # a short repeat counts as whole words ("sides 4 cm long" then "4 cm")
    return head.rstrip() if _has_words(normalise_space(head), given) else request


def _has_words(text: str, words: str) -> bool:
    """Whether ``words`` occur in ``text`` as whole words (no regex: the words
    differ from call to call, and each would be one more compiled pattern)."""
    at = text.find(words)
    while at >= 0:
        end = at + len(words)
        before = text[at - 1] if at else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            return True
        at = text.find(words, at + 1)
    return False


# a request to pick among things ("Choose the alternative ...", "Select the
# incorrect definition ...", "Identify the correct example of a noun",
# "From the list of words, identify ...")
_CHOOSE = re.compile(
    r"\b(?:choose|select|pick|identify|find|circle|mark|which of)\b[^.?!\n]{0,40}?\bthe "
    # the right or the odd one of candidates: "the correct example", "the odd word"
    r"(?:(?:(?:correct|incorrect|right|wrong|best|odd|most (?:appropriate|suitable|likely))"
    r"(?:[ -]\w+)? (?:answer|option|choice|alternative|definition|example|statement|sentence|word|"
    r"phrase|spelling|synonym|antonym|one|item|match|meaning)s?)|(?:alternative|option|choice)s?)\b|"
    r"\b(?:from|in|of|among) the (?:(?:given |following |provided )?(?:list|set) of (?:words|options|"
    r"choices|answers|definitions|alternatives)|word list|(?:given |following |provided )?(?:options|"
    r"choices|alternatives))\b|"
    # "Answer the following multiple-choice question.": its choices must be there
    r"\b(?:answer|solve) (?:the|this) (?:following )?multiple[- ]choice question\b",
    re.IGNORECASE,
)
_CHOOSE = lead(_CHOOSE)  # the same matches, tried only where one can begin
# what a choice is made among: a list, lines, "a or b", "a, b, c", "(a) ... (b)"
_ENUMERATION = re.compile(
    r"^[ \t]*(?:[-*•]|\(?[a-dA-D1-9][.):])[ \t]|\bor\b|\bvs\.?\b|versus|"
    # options inline: "A) Mars B) Jupiter", "a. red b. blue"
    r"\b[Aa][.)]\s+\S[^\n]{0,200}?\s[Bb][.)]\s+\S|"
    r"[^,;\n]+[,;][^,;\n]+[,;]|\([a-dA-D]\)",
    re.MULTILINE | re.IGNORECASE,
)


def asks_to_choose_from_nothing(request: str) -> bool:
    """A request to choose the right, the best or the odd one among
    alternatives that it does not list ("Select the incorrect definition for
    the word 'timid'", "Choose the alternative closest in meaning to the
    given phrase: I'm entitled to my opinion")."""
    head = request[:_HEAD]
    m = _CHOOSE.search(head)
    if m is None:
        return False
    # the alternatives are what the request gives: after it, or in it ("a or b")
    if _ENUMERATION.search(head):
        return False
    # what to pick from may be the text it gives ("Identify the incorrect
    # phrase in the following sentence: ..."), unless what is picked are
    # alternatives to the text ("the alternative closest to the given phrase")
    gives = re.search(r"[\n:]\s*\S", head[m.end() :]) is not None
    return not gives or _ALTERNATIVES.search(m.group(0)) is not None


_ALTERNATIVES = re.compile(r"\b(?:alternative|option|choice|definition|list|words)s?\b", re.I)


_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|bmp|tiff?)(?:[?#]\S*)?$", re.IGNORECASE)


def link_only(instruction: str) -> bool:
    """The request is about a page only a link gives ("Outline this article
    https://..."): a model cannot read it, so the answer cannot be checked."""
    urls = _URL.findall(instruction)
    if not urls:
        return False
    if not _ABOUT_A_LINK.search(instruction) and not any(map(_IMAGE_FILE.search, urls)):
        return False  # (a picture behind a link is never something a model reads)
    rest = _URL.sub(" ", instruction)
    return len(_WORD.findall(rest)) < 40


# a dataset template's "no input" marker left in the request
_NO_INPUT = re.compile(
    r"(?:^|[\s.?!:])[`'\"]?(?:<\s*no\s*input\s*>|noinput|no input)[`'\"]?\s*\.?\s*$", re.IGNORECASE
)
# a template's words about the model, not a person's request: "This is a
# open-ended generation task. GPT model should generate an appropriate output"
_TEMPLATE_TALK = re.compile(
    r"\b(?:GPT|the|a|language|AI) model (?:should|must|will|needs to) (?:generate|output|produce|"
    r"write|respond)\b|\bopen-ended generation task\b",
    re.IGNORECASE,
)
_TEMPLATE_TALK = lead(_TEMPLATE_TALK)  # the same matches, tried only where one can begin


def without_no_input_marker(request: str) -> str:
    """The request without a template's "<noinput>" marker at its end (the
    dataset had no input; the request is whole without it)."""
    m = _NO_INPUT.search(request, max(0, len(request) - 200))
    if m is None:
        return request
    kept = request[: m.start() + (1 if request[m.start()] in ".?!:" else 0)].rstrip()
    return kept or request


# two texts glued with no space: "Describe how to cook the following dish.Poached
# eggs", "... in simple language?Artificial Intelligence", "Reword this sentence
# to increase clarityThe idea ..." (a dataset's instruction and input joined)
_GLUED = re.compile(
    r"\b[a-z]{2,}[.?!](?=[\"“]?(?:[A-Z][a-z]{2,}(?![\w(\[.])|[A-Z]{2,}\b|[AI] [a-z]))"
)
# a lower-case word run into a capitalised function word ("clarityThe idea",
# "use a systemHow to ...") is glue wherever it stands: no identifier ends so
_CAMEL_GLUE = re.compile(
    r"\b[a-z]{3,}[’'\"”)]?(?=(?:The|This|That|These|Those|How|What|Why|When|Where|Which|Who|"
    r"Given|Please|I|He|She|We|They|You|My|Our)\b)|"
    # a letter's greeting run onto the request: "as an Inquiry or SuggestionHello,"
    r"\b[A-Za-z][a-z]{2,}(?=(?:Hello|Hi|Dear|Greetings)\b[ ,!])"
)


# "compiledef sum(": a word (not "sub"/"super" in "subclass Foo(") run into a
# keyword that opens a line of code
_CODE_GLUE = re.compile(
    r"\b([a-z]{3,}?)(?<!sub)(?<!super)(?<!meta)(?:def|function|import|SELECT|public|const|var|func)"
    r"[ \t]+[A-Za-z_]\w*[ \t]*[(:{=<]"
)
# a word, a sentence end, then a capitalised word and a space: "tense.She had"
_SENTENCE_GLUE = re.compile(r"\b[a-z]{2,}([.?!])([A-Z][a-z]*)(?=[ '’])")
# a word ending a sentence (its quote closed) run into a capitalised word that
# ends as a word does: "perimeter.Side 1", "teeth".She", "movie."Avatar""
_END_GLUE = re.compile(
    r"\b([a-z][a-z'-]{2,})(?:[.?!:]|[.?!]?[\"”][.?!:]?)"
    r"(?=[\"“]?[A-Z](?:[a-z'’-]*|[A-Z]*)(?:[ \t,:;!?\"”]|$)|"
    # or run into a number or a list: "equation.2x + 4 = 10", "set.30, 20", "order.[4, 21]"
    r"(?<=[.:])(?:\d[\d.,]*[a-z]?(?:[ \t,]|$)|\[)|"
    # or run into a list of words: "from two random words.happiness, balloon"
    # (not a list of file names: "config.yaml, base.yaml")
    r"(?<=[.])[a-z]{4,},[ \t](?![\w-]*\.[a-z]))|"
    # a name or an acronym run into data: "to Celsius.210", "the angle ABC.A=(1,2)",
    # "each item in the list.list = [...]"
    # (a number only after a word of five letters or more: "Fig.3", "No.5" are names)
    r"\b(?:([A-Z][a-z]{4,})[.:](?=\d[\d.,]*[a-z]?(?:[ \t,]|$))|"
    r"([A-Z][a-z'-]{2,}|[A-Z]{2,}|[a-z]{3,})[.:](?=[A-Za-z_]\w* ?= ?[\[{(\"'\d]))|"
    # a word run into prices, a drawing or an address: "in a store$12, $14",
    # "out of paper.+---+", "the home page?www.example.com"
    r"\b([a-z]{3,})(?:[.?!:](?=\+-{2,}|(?:www\.|https?://)\S)|[.?!:]?(?=\$\d))"
)
# a request about code, where "numpy.Array" is a name, not two texts
_ABOUT_CODE = re.compile(
    r"[_(){}<>=`\\]|\b(?:code|python|javascript|java|typescript|rust|golang|c\+\+|library|"
    r"module|package|class|import|api|numpy|pandas|torch|sql|function|method|object)s?\b",
    re.IGNORECASE,
)
# a lower-case word run into one capitalised word: "typesAerobic", "verbSing"
_WORD_GLUE = re.compile(r"\b[a-z]{3,}()[A-Z][a-z]{2,}\b")


@functools.cache
def _openers() -> frozenset[str]:
    # imported when first needed: loading loomcore.model stays light
    from loomcore.text import lexicon

    return (
        lexicon.PRONOUNS | lexicon.DETERMINERS | lexicon.PREPOSITIONS | lexicon.CONJUNCTIONS
    ) | {"there", "here"}


# a request that points at what it gives, whatever the thing ("the following
# dish", "this sentence", "the given topic")
_POINTS_AT_GIVEN = re.compile(
    r"\b(?:the (?:following|given|provided|below|above|input)|this|these) [a-z]+", re.IGNORECASE
)


def _glue_point(head: str, output: str, skip: _Spans) -> int | None:
    """Where two texts meet with no space in ``head`` (a request's first
    line), or None."""
    camel = _CAMEL_GLUE.search(head)
    if camel is not None and camel.end() not in skip:
        return camel.end()
    # "make sure it compiledef sum(a, b):": a word run into a line of code
    code = _CODE_GLUE.search(head)
    if code is not None and code.start() not in skip:
        return code.end(1)
    # "... in the present tense.She had worked": a sentence end run into a word
    # that only opens a sentence (a pronoun, an article): no dotted name ends so
    for m in _SENTENCE_GLUE.finditer(head):
        if m.start() not in skip and m.group(2).lower() in _openers():
            return m.end(1)
    # "the two typesAerobic and anaerobic": a word run into a capitalised one
    # that the answer never writes as one (an identifier it would)
    if output and "```" not in output:
        for m in _WORD_GLUE.finditer(head):
            if m.start() not in skip and m.group(0) not in output:
                return m.end(1)
    # "find out its perimeter.Side 1 = 4": the end of a request of a few words
    # run into a capitalised word, written so nowhere in the answer (a dotted
    # name, "pandas.DataFrame", is written so where the answer uses it)
    if output:
        for m in _END_GLUE.finditer(head):
            sentence_start = max(head.rfind(c, 0, m.start()) for c in ".?!\n") + 1
            glued = head[m.start() : m.end() + 40].split()[0] if head[m.start() :].split() else ""
            if (
                m.start() not in skip
                and len(head[sentence_start : m.start()].split()) >= 3
                and glued not in output
                and not re.search(re.escape(next(g for g in m.groups() if g)) + r"\.\w", output)
                and not _ABOUT_CODE.search(head, sentence_start, m.start())
            ):
                return m.end()
    if not _POINTS_AT_GIVEN.search(head):
        return None
    for m in _GLUED.finditer(head):
        if m.start() in skip:
            continue
        pointer = _POINTS_AT_GIVEN.search(head, 0, m.end())
        if pointer is None:  # the glue comes before anything points at it
            return None
        return m.end()
    return None


@exchange_memo(maxsize=64)  # asked by make_example and by the gate
def unglue(request: str, output: str = "") -> str:
    """A request glued to the text it gives ("Describe how to cook the
    following dish.Poached eggs") with the blank line put back between them:
    where a word runs into a capitalised function word ("a systemHow to"), a
    line of code ("it compiledef sum(") or a pronoun opening a sentence
    ("tense.She had"); where a word runs into a capitalised word that the
    ``output`` never spells glued ("typesAerobic"); and where the request
    points at something ("the following dish") that the repair then gives.
    Once, in the first line, never inside a link or code (so "subclass
    nn.Module" stays as it is)."""
    line_end = request.find("\n", 0, _HEAD)
    head = request[:_HEAD] if line_end < 0 else request[:line_end]
    skip = _Spans(
        [m.span() for m in _URL.finditer(head)] + [m.span() for m in _INLINE_CODE.finditer(head)]
    )
    at = _glue_point(head, output, skip)
    if at is None:
        return request
    return request[:at] + "\n\n" + request[at:]


def _repeated_in_brackets(text: str) -> bool:
    """What was just written, repeated in brackets right after it: "the
    following list: dogs, cats, pigs[dogs, cats, pigs]" (a dataset's input
    glued on after the request had quoted it)."""
    for m in re.finditer(r"[\[(]([^\[\]()\n]{8,400})[\])]", text):
        inner = m.group(1).strip()
        if text[: m.start()].rstrip().endswith(inner):
            return True
    return False


# emoticons close brackets without opening them
_EMOTICON = re.compile(r"(?<!\w)[:;=8]-?[()\[\]DPp](?!\w)|\(\s*[:;]|\b(?:s|es)\)")


def garbled(instruction: str, output: str = "") -> bool:
    """Brackets that do not pair, a template's "<noinput>" left in, two texts
    glued with no space, or a placeholder where the request should be."""
    text = _EMOTICON.sub(" ", prose(instruction[:_HEAD]))
    if _NO_INPUT.search(instruction[-200:]) or unglue(instruction, output) != instruction:
        return True
    if _TEMPLATE_TALK.search(instruction, 0, _HEAD):
        return True
    if _repeated_in_brackets(text):
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
    r"script|method) (?:as (?:before|above|earlier)|again|(?:written |rewritten |implemented )?in)\b|"
    r"(?:as|like) (?:before|i said|you said)|(?:described|mentioned|shown|explained) "
    r"(?:above|earlier|before|previously)|the (?:previous|earlier|above) (?:code|example|answer|"
    r"solution|version|approach|function|snippet|query|script|step))\b",
    re.IGNORECASE,
)
_LEANS_BACK = lead(_LEANS_BACK)  # the same matches, tried only where one can begin
# an answer about tools the example does not carry ("based on the available tools")
_TOOLS = re.compile(
    r"\b(?:(?:the )?(?:available|provided|given) (?:tools|functions|apis)|none of the "
    r"(?:available )?(?:tools|functions)|the (?:[`'\"][\w.-]+[`'\"]|[a-z]+_[a-z_]+) "
    r"(?:tool|function|api) (?:requires|needs|returned|returns|does not|doesn't|can't|cannot)|"
    r"the (?:available |provided )?[`'\"]?[a-z]+_[a-z_]+[`'\"]? tool\b|"
    r"(?:i|we) (?:don't|do not) have (?:a|any) (?:direct )?(?:tool|function))\b",
    re.IGNORECASE,
)


@exchange_memo(maxsize=64)  # asked by make_example and by the gate
def leans_on_earlier(output: str) -> bool:
    """The output opens by pointing back at an earlier turn ("Here's the same
    logic in C#", "As described earlier, ..."); later in a long answer such
    words point at the answer's own text."""
    sentences = split_sentences(prose(output).strip()[:600])
    # the first two: "Certainly! Here's the same logic in C#"
    return any(_LEANS_BACK.search(s) for s in sentences[:2])


# a tool named by its identifier ("the `get_card_by_slug` tool", "the
# available API tool `x`"); a function in a coding answer is no tool
_NAMED_TOOL = re.compile(
    r"`[A-Za-z]\w*_\w+`[ \t]+(?:tool|api)\b|\b(?:api )?tool[ \t]+`[A-Za-z]\w*`",
    re.IGNORECASE,
)
# a tool's parameter asked for by its name ("I need the refund_transaction_id")
_PARAMETER = re.compile(
    r"\b(?:need|provide|require[sd]?|missing|without|share) (?:the|a|an|your) [a-z]+(?:_[a-z]+)+\b",
    re.IGNORECASE,
)
# a search the model says it ran ("the sources I found", "According to weather.com")
_SEARCHED = re.compile(
    r"\b(?:(?:sources|results|pages|websites|articles) (?:that )?I (?:found|checked|consulted|"
    r"searched|looked at)|my search results|(?:based on|according to|from) (?:my|the) "
    r"(?:web search|search results|searches|browsing)|I (?:have )?(?:searched|looked) (?:the web|"
    r"online|the internet)|I (?:googled|looked it up online)\b|"
    r"according to (?:[a-z0-9-]+\.)+(?:com|org|net|gov|edu|io)\b)",
    re.IGNORECASE,
)
_SEARCHED = lead(_SEARCHED)  # the same matches, tried only where one can begin


# a word every _SEARCHED alternative holds
_SEARCH_WORDS = (
    "found",
    "checked",
    "consulted",
    "search",
    "looked",
    "browsing",
    "googled",
    "according to",
)


def about_missing_tools(output: str, instruction: str = "") -> bool:
    """The output answers from a tool list or tool results that the example
    does not carry ("based on the available tools, I can't ...", "the
    `get_card_by_slug` tool requires ...", "I need the refund_transaction_id"),
    or from a web search it did not run ("According to weather.com, ...")."""
    plain = prose(output)
    # each pattern only where a word it cannot match without is there (the
    # alternations scan every position: most replies name no tool at all)
    folded = plain.casefold()
    tools = "tool" in folded or "function" in folded or "api" in folded
    if (tools and _TOOLS.search(plain)) or (
        any(w in folded for w in _SEARCH_WORDS) and _SEARCHED.search(plain)
    ):
        return True
    raw = output.casefold()  # (a tool is named in code spans, which prose() leaves out)
    named = _NAMED_TOOL.search(output) if "`" in raw and ("tool" in raw or "api" in raw) else None
    if named is not None and named.group(0).strip("` ").split("`")[0] not in instruction:
        return True
    # a parameter's name that the request never wrote, in an answer with no code
    parameter = _PARAMETER.search(plain) if "_" in plain else None
    return (
        parameter is not None
        and "```" not in output
        and parameter.group(0).split()[-1].lower() not in instruction.lower()
    )


# an answer on a Q&A site that builds on the site's other answers, which the
# example does not carry ("the accepted answer", "as the other answer says",
# "as TypeIA pointed out in a comment")
_PAGE_ANSWERS = re.compile(
    r"\b(?:accepted|top|top-voted|highest-voted|existing|previous|earlier|above) (?:answers?|"
    r"posters?|repl(?:y|ies))\b|\b(?:the other|another|one) answers? (?:here|above|below|on this page|"
    r"suggests?|says?|mentions?|points? out|claims?|argues?)\b|\bas the other answers? (?:says?|suggests?|"
    r"mentions?|points? out)\b|\b(?:comments|comment section) (?:above|below)\b|"
    r"\b(?:pointed out|said|mentioned|noted|suggested|wrote) in (?:a|his|her|their|the) comment\b",
    re.IGNORECASE,
)
# the same, by the other poster's name: "jball's answer", "as Samuh_1 wrote",
# "suggested by @kim" (a name is told from a word below: see _a_handle); each
# found from its fixed words, the name then read just before or after them
_OWNED_ANSWER = re.compile(r"['’]s (?:answer|reply|post|comment)s?\b(?! to\b)", re.IGNORECASE)
_SAID = re.compile(
    r"\b(?:wrote|said|mentioned|pointed out|noted|suggested|answered|explained)\b", re.IGNORECASE
)
_SAID_BY = re.compile(r"\b(?:answered|suggested|pointed out|mentioned) by (@?\w{1,40})\b", re.I)
_NAME_BEFORE = re.compile(r"(@?\b\w{1,40})$")
_AS_NAME_BEFORE = re.compile(r"\bas (@?\w{1,40}) $", re.IGNORECASE)


def _a_handle(name: str, before: str) -> bool:
    """Whether ``name`` is a site user's handle ("jball", "TypeIA", "@kim",
    "user_42"), not a word or a person's name ("the student's", "as
    Einstein said", "by many historians")."""
    if name.startswith("@") or any(c.isdigit() or c == "_" for c in name):
        return True
    if name[:1].isupper() and any(c.isupper() for c in name[1:]) and not name.isupper():
        return True  # "TypeIA", "MegaCharizardZord"
    if not name.islower():
        return False
    from loomcore.text.lexicon import DETERMINERS  # when first needed, as above

    # "the student's answer", "each user's reply": a noun, owned
    previous = before.split()[-1].lower() if before.split() else ""
    return name not in _function_words() and previous not in DETERMINERS


def cites_other_answers(output: str) -> bool:
    """The output builds on other answers that only the page it was copied
    from shows ("jball's answer ... I'll borrow from his diagrams", "as the
    other answer suggests"): a reader of the example alone cannot follow it."""
    plain = prose(output)
    folded = plain.casefold()
    # each pattern only where the words it cannot match without are there
    # (an alternation that opens on a word boundary is tried at every one)
    about_posts = any(w in folded for w in ("answer", "poster", "repl", "comment", "post"))
    if about_posts and _PAGE_ANSWERS.search(plain):
        return True
    if about_posts and ("'s " in folded or "’s " in folded):
        for m in _OWNED_ANSWER.finditer(plain):
            before = plain[max(0, m.start() - 80) : m.start()]
            name = _NAME_BEFORE.search(before)
            if name and _a_handle(name.group(1), before[: name.start()]):
                return True
    if "as " in folded and any(w in folded for w in _SAYING):
        for m in _SAID.finditer(plain):
            before = plain[max(0, m.start() - 80) : m.start()]
            name = _AS_NAME_BEFORE.search(before)
            if name and _a_handle(name.group(1), before[: name.start()]):
                return True
    if any(w + " by " in folded for w in ("answered", "suggested", "pointed out", "mentioned")):
        for m in _SAID_BY.finditer(plain):
            if _a_handle(m.group(1), plain[max(0, m.start() - 40) : m.start()]):
                return True
    return False


_SAYING = (
    "wrote",
    "said",
    "mentioned",
    "pointed out",
    "noted",
    "suggested",
    "answered",
    "explained",
)


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
    if "```" in output or re.search(
        r"^(?:[ \t]*(?:\||[-*+][ \t]|\d+[.)][ \t])|(?: {4}|\t)\S)", output, re.M
    ):
        return False
    plain = prose(output)
    # the last pointer down: is anything after it?
    pointers = collections.deque(_POINTS_DOWN.finditer(plain), maxlen=1)
    return bool(pointers) and len(_WORD.findall(plain[pointers[0].end() :])) < 8


# a model's own tag on a line by itself: leaked wherever it stands (code that
# handles such tags writes them in strings, not alone on a line)
_TAG_LINE = re.compile(
    r"^[ \t]*</?(?:think|thinking|thought|thread|reasoning|user_visible|tool_call|tool_response|"
    r"function_call|function_results|scratchpad)>[ \t]*$",
    re.MULTILINE,
)


def markup(text: str, furniture: bool = True) -> bool:
    """Wiki or HTML markup outside code ("[[Image:...|center]]", "&quot;"), a
    model's own tag on a line by itself even inside a code block
    ("</think>"), and, with ``furniture``, a site's links copied along ("click here")."""
    plain = prose(text)
    return bool(
        _MARKUP.search(plain) or _TAG_LINE.search(text) or (furniture and _FURNITURE.search(plain))
    )


# a list flattened into one line: its items glued on "- " after each full
# stop ("1. Have fun.- Go out often.- Know how to ...")
_GLUED_ITEMS = re.compile(r"[.!?)]- [A-Z\"“]")


def flattened_list(output: str) -> bool:
    """A list whose items a scrape ran into one line ("Have fun.- Go out
    often.- Record yourself."): three glued items on one line."""
    if ".- " not in output and "!- " not in output and "?- " not in output:
        return False
    return any(len(_GLUED_ITEMS.findall(line)) >= 2 for line in prose(output).splitlines())


def placeholder_only(output: str) -> bool:
    """Nothing but placeholders ("[EMAIL]", "<image>") and punctuation (a bare
    number or a list of them is an answer)."""
    if not _PLACEHOLDER.search(output):
        return False
    rest = _PLACEHOLDER.sub(" ", output)
    return len(_WORD.findall(rest)) + len(re.findall(r"\d+", rest)) < 2


# what the request calls a thing a redactor replaced, where the placeholder's
# own name is not how people ask for it
_ASKED_AS = {
    "EMAIL": r"e-?mail address(?:es)?",
    "PHONE": r"(?:phone|telephone|mobile|cell) numbers?",
    "PASSWORD": r"passwords?|passphrases?",
}


def redacted_answer(instruction: str, output: str) -> bool:
    """The thing asked for is what redaction took out ("Generate a password of
    8 characters." answered "Here is a password: [PASSWORD]."): the request
    asks for a new one of the placeholder's kind, so the answer's point is
    the placeholder.  A placeholder the reply wrote as a template's blank
    ("[COMPANY] Launches ...") or an example value redacted in a how-to
    ("IDENTIFIED BY '[PASSWORD]'" for "How do I reset the root password?")
    is no such answer."""
    names = sorted(set(_PLACEHOLDER_NAME.findall(output[:20_000])))[:8] if "[" in output else []
    request = instruction[:_HEAD]
    if not names or not _MAKE.search(request):
        return False
    for name in names:
        asked = _ASKED_AS.get(name) or re.escape(name.lower()).replace("_", "[ _-]")
        # the kind as the object of the verb: "generate a strong password",
        # "give me 3 random email addresses"
        made = (
            rf"{_MAKE.pattern}\s+(?:(?:a|an|me|us|some|one|two|three|\d+|new|random|strong|secure|"
        )
        made += (
            rf"unique|valid|fake|sample|example|[\w-]+-character|\w+-digit)\s+){{0,4}}(?:{asked})\b"
        )
        if re.search(made, request, re.IGNORECASE):
            return True
    return False


# a request to make something new ("generate", "give me", "come up with")
_MAKE = re.compile(
    r"\b(?:generate|create|make up|give me|give us|suggest|come up with|invent|provide|pick|"
    r"choose|write|produce)",
    re.IGNORECASE,
)


_PLACEHOLDER_NAME = re.compile(r"\[([A-Z][A-Z_]{2,40})\]")


def refusal(output: str) -> bool:
    """A short refusal ("I'm sorry, but as an AI language model I cannot ..."):
    it teaches a model to decline what it was asked."""
    words = len(output.split())
    return words < 80 and bool(_REFUSES.match(output.strip()))


def noisy_input(input: str) -> bool:
    """An input that is a dump of annotations, not context: "Entities: After,
    All, Although; Topics: graph" (what include_context once wrote).  A list
    the request works on ("Sort these: 3, 7, 1") is context and stays."""
    return bool(re.match(r"^\s*(?:entities|topics|keywords)\s*:", input, re.IGNORECASE))


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@functools.cache
def _function_words() -> frozenset[str]:
    from loomcore.text import lexicon

    return (
        lexicon.ARTICLES
        | lexicon.PRONOUNS
        | lexicon.DETERMINERS
        | lexicon.PREPOSITIONS
        | lexicon.CONJUNCTIONS
        | lexicon.AUXILIARIES
    )


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def restates_given(instruction: str, output: str) -> bool:
    """A sum or a count whose answer the request itself states ("Calculate
    the total number of pages in the book. There are 350 pages in the book."
    answered "The total number of pages is 350."): nothing is worked out, so
    nothing is learnt.  Only a short answer, whose every number and word the
    request's given text already holds, and all of whose numbers it gives."""
    first_line, _, given = instruction.strip().partition("\n")
    if not given.strip() or len(output.split()) > 30 or "```" in output:
        return False
    from loomcore.text.question import Question  # when first needed, as above

    if not Question.of(first_line).asks_to_solve:
        return False
    # the answer's numbers are the given ones, all of them: nothing was worked
    # out of them ("40 and 20 years old" -> "20 years" is a difference)
    numbers = set(_NUMBER.findall(output))
    if not numbers or numbers != set(_NUMBER.findall(given)):
        return False
    known = {_stem(w.lower()) for w in _LETTER_WORD.findall(instruction)}
    content = {
        _stem(w.lower()) for w in _LETTER_WORD.findall(output) if w.lower() not in _function_words()
    }
    return content <= known


def too_short_for_request(instruction: str, output: str) -> bool:
    """A request for an essay, a story, a poem answered in a sentence or two."""
    if not _WRITE.search(instruction[:600]):
        return False
    # words for scripts that space them, characters (two to a word) for those that do not
    return len(output.split()) < 25 and len(output.strip()) < 120


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
_OTHER_LANGUAGE = lead(_OTHER_LANGUAGE)  # the same matches, tried only where one can begin


_NON_LATIN = re.compile(r"[^\W\d_A-Za-z\u00C0-\u024F]")


def _words(text: str) -> list[str]:
    return list(map(str.lower, _LETTER_WORD.findall(prose(text)[:4000])))


def _share(words: list[str], vocabulary: frozenset[str]) -> float:
    return sum(map(vocabulary.__contains__, words)) / len(words) if words else 0.0


def language_mismatch(instruction: str, output: str) -> bool:
    """An English request answered in another language it did not ask for."""
    out = _words(output)
    english_out = _share(out, _ENGLISH)
    if english_out >= 0.1:  # an English answer: most are, so this is looked at first
        return False
    request = _words(instruction)
    if len(request) < 5 or _share(request, _ENGLISH) < 0.2 or _OTHER_LANGUAGE.search(instruction):
        return False
    plain = prose(output)[:4000]
    if len(out) < 15 and len(plain.strip()) < 60:
        return False
    letters = sum(len(w) for w in out)
    script_out = len(_NON_LATIN.findall(plain)) / letters if letters else 0.0
    other_out = _share(out, _OTHER)
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
    # a web page whose document never closes ("<p>Fitzgerald's writing is absolutely")
    if "<html" in text[:2000].lower() and "</html>" not in text[-2000:].lower():
        return True
    # the last line as written, its inline code blanked (a code line or a
    # table row is no sentence)
    last = _INLINE_CODE.sub(" x ", _last_prose_line(text)).strip()
    if not last or last.startswith(("```", "|", "    ")):
        return False
    if re.fullmatch(r"(?:[-*+•]|\d+[.)])", last):
        return True  # a list's next item begun and not written: "10."
    sentences = split_sentences(last)
    tail = sentences[-1] if sentences else last
    if len(tail.split()) >= 4 and bool(_DANGLING_END.search(tail)):
        return True
    # "... which cryptocurrency you want. While Bitcoin": a clause's opener
    # and a word or two, where a sentence went on
    words = tail.split()
    if (
        len(sentences) >= 2
        and 2 <= len(words) <= 3
        and words[0].lower() in _subordinators()
        and re.search(r"[\w)]$", tail)
    ):
        return True
    # "... walking slowly, p", "or with a d": a word broken off after its first letter
    if len(sentences) >= 2 and _BROKEN_WORD.search(tail) and "$" not in last:
        return True
    # "... until we reach the end of the list. Then we reverse": a paragraph
    # whose sentences end, but not its last (a list's item, "**Fast.** Great
    # for reads", a poem's line, a heading or a sign-off often has no full stop)
    is_item = re.match(r"(?:[-*+•]|\d+[.)])\s", last) is not None
    return (
        len(sentences) >= 2
        and re.search(r"[.!?]$", sentences[-2].rstrip("\"'”’)*_")) is not None
        # "... as a tuple 3. Return the list": a number that enumerates ends no sentence
        and re.search(r"(?:^|\s)\d{1,2}[.)]$", sentences[-2]) is None
        and _UNENDED.search(tail) is not None
        # a short last sentence without its full stop was cut where it began; a
        # long one is a writer's habit ("... in a world of GUIs, though"), but
        # in a long reply (where a length limit cuts) one that ends on no
        # afterthought was cut ("it may need to be re")
        and (
            (len(tail.split()) < 8 and not is_item)
            or (len(text) >= _LONG_REPLY and tail.split()[-1].lower() not in _afterthoughts())
        )
    )


# characters of a reply long enough that a length limit may have cut it
_LONG_REPLY = 1500


@functools.cache
def _afterthoughts() -> frozenset[str]:
    from loomcore.text.lexicon import word_list  # when first needed, as above

    return word_list("afterthoughts")


@functools.cache
def _subordinators() -> frozenset[str]:
    from loomcore.text.lexicon import word_list

    return word_list("subordinators")


# a sentence that stops without its end: a word, not a mark, an emoji or a smiley
_UNENDED = re.compile(r"(?<![:;=])\b[a-z]{2,}$")
# one lower-case letter after a word that a word must follow ("walking
# slowly, p", "or with a d", "towards its o"): a word broken off ("the answer
# is b", "press q", "vitamin c" end on a letter that is one)
_BROKEN_WORD = re.compile(
    r"(?:,|\b(?:a|an|the|its|your|my|our|their|his|this|that|with|of|to|for|from|in|on|at|by|and|or))"
    # (not i j k n t x y z: a formula's variables)
    r"\s+[bcdefghlmopqrsuvw]$",
    re.IGNORECASE,
)


Check = Callable[[str, str, str, bool], bool]

#: reason -> check(instruction, input, output, has_history), in the order they run
CHECKS: dict[str, Check] = {
    "dangling_reference": lambda i, x, o, h: dangling_reference(i, x, h),
    "noisy_input": lambda i, x, o, h: noisy_input(x),
    "link_only": lambda i, x, o, h: not x.strip() and link_only(i),
    "garbled_instruction": lambda i, x, o, h: garbled(i, o),
    "continues_elsewhere": lambda i, x, o, h: (
        continues_elsewhere(i, o) or (not h and leans_on_earlier(o))
    ),
    "missing_tools": lambda i, x, o, h: about_missing_tools(o, i),
    "cites_other_answers": lambda i, x, o, h: not h and cites_other_answers(o),
    "empty_promise": lambda i, x, o, h: empty_promise(o),
    "markup": lambda i, x, o, h: markup(o) or markup(i, furniture=False),
    "mojibake": lambda i, x, o, h: mojibake(o) or mojibake(i) or mojibake(x),
    "flattened_list": lambda i, x, o, h: flattened_list(o),
    "placeholder_only": lambda i, x, o, h: placeholder_only(o),
    "redacted_answer": lambda i, x, o, h: redacted_answer(i + "\n" + x, o),
    "refusal": lambda i, x, o, h: refusal(o),
    "too_short_for_request": lambda i, x, o, h: too_short_for_request(i, o),
    "restates_input": lambda i, x, o, h: restates_given(i + ("\n\n" + x if x else ""), o),
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
