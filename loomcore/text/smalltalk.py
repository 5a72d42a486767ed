"""Small talk: greetings, thanks, acknowledgements, courtesy lines, asking back."""

from __future__ import annotations

import re

from loomcore.text.regex import lead

# A message made only of these words (at most a dozen of them) is small talk.
_NOISE_WORDS = frozenset(
    [
        "hi",
        "hello",
        "hey",
        "yo",
        "hiya",
        "greetings",
        "good",
        "morning",
        "afternoon",
        "evening",
        "night",
        "thanks",
        "thank",
        "you",
        "thx",
        "ty",
        "cheers",
        "great",
        "cool",
        "nice",
        "awesome",
        "perfect",
        "ok",
        "okay",
        "k",
        "sure",
        "yes",
        "yep",
        "yeah",
        "no",
        "nope",
        "nah",
        "alright",
        "all",
        "right",
        "got",
        "it",
        "i",
        "see",
        "makes",
        "sense",
        "understood",
        "sounds",
        "bye",
        "goodbye",
        "lol",
        "haha",
        "wow",
        "that",
        "that's",
        "is",
        "it",
        "worked",
        "works",
        "helpful",
        "you're",
        "are",
        "the",
        "best",
        "so",
        "much",
        "a",
        "lot",
        "very",
        "for",
        "help",
        "again",
        "man",
        "mate",
        "there",
        "buddy",
        "friend",
        "really",
        "appreciate",
        "appreciated",
        "glad",
        "fine",
        "well",
        "done",
        "wonderful",
        "excellent",
        "brilliant",
        "np",
        "noted",
        "sup",
        "howdy",
    ]
)
_WORD = re.compile(r"[a-z']+")

_COURTESY = re.compile(
    r"^(?:let me know\b|feel free\b|hope (?:this|that|it) helps|happy (?:coding|training|baking|cooking|"
    r"to help|hacking|learning)|good luck|glad (?:it|that|i|to)|you'?re welcome|no problem|"
    r"any (?:other )?questions|if you (?:have|need) (?:any|more)|enjoy\b|cheers\b|have fun|"
    r"that'?s it\b|easy one|great question|sure[,!. ]|sure$|of course[,!.]|happy to\b|"
    r"here'?s (?:how|the|a|what)|i hope)",
    re.IGNORECASE,
)
_ASKS_BACK = re.compile(
    r"\b(?:could|can|would) you (?:tell|share|give|clarify|provide|describe|send|let me know|say)|"
    r"\bhow can i help|\bwhat (?:do|would) you (?:need|like|want)|\bcan you (?:be more specific|elaborate)",
    re.IGNORECASE,
)
_ASKS_BACK = lead(_ASKS_BACK)  # the same matches, tried only where one can begin

# a sentence that declines: "I'm sorry, but I can't help with that."
_REFUSAL = re.compile(
    r"^(?:(?:i'?m|i am) (?:sorry|afraid)[,.]?\s*(?:but\s+)?)?(?:unfortunately,?\s+)?"
    r"(?:i|we)\s+(?:can(?:'?t|not)|won'?t|am (?:not )?(?:unable|not able)|'?m (?:unable|not able)|"
    r"(?:am|'m) not (?:allowed|permitted)|must decline)\b"
    r"(?!.*\b(?:but|however)\b.*\b(?:here|can|is|are)\b)"
    r".{0,80}\b(?:help|assist|do that|provide|comply|fulfil|fulfill|write|create|answer|"
    r"with (?:that|this))\b"
    r"|^(?:i'?m|i am) sorry,? but\b(?!.*\bhere\b)"
    # "I don't have access to real-time information, so I can't ...": no answer either
    r"|^(?:as an ai,?\s+)?i (?:do not|don't) have (?:access to )?(?:real-time|current|live|"
    r"up-to-date|personal|browsing)\b",
    re.IGNORECASE,
)


# Greetings that are questions in form: "what's up", "how's it going?".  As
# phrases, not words: "how so?" and "what's that?" ask for more.
_GREETING = re.compile(
    r"(?:what'?s up|wh?at'?s good|how(?:'s| is) it going|how(?:'s| is) your day|"
    r"how(?:'s| are) (?:you|things)(?: doing)?)(?: today)?",
)


def is_small_talk(text: str) -> bool:
    """Whether a message is only a greeting, thanks or acknowledgement."""
    low = text.lower()[:300]
    if len(_WORD.findall(low)) > 12:  # most messages: no need to look at their words
        return False
    words = _WORD.findall(_GREETING.sub(" ", low.replace("’", "'")))
    return all(w in _NOISE_WORDS for w in words)


def is_courtesy(sentence: str) -> bool:
    """A sentence that is politeness, not content ("Let me know if ...")."""
    return bool(_COURTESY.match(sentence.strip(" *_")))


def asks_back(sentence: str) -> bool:
    """A sentence that asks the user for details instead of answering."""
    # every phrase of _ASKS_BACK holds "you" or "help" (letters that match
    # only their own two cases), and most sentences hold neither: two
    # substring tests spare the search there
    low = sentence.lower()
    return ("you" in low or "help" in low) and bool(_ASKS_BACK.search(sentence))


def is_refusal(sentence: str) -> bool:
    """A sentence that declines the request ("I'm sorry, but I can't help with that")."""
    return bool(_REFUSAL.match(sentence.strip(" *_")))
