"""Plain transcripts: "User: ..." / "Assistant: ..." / "System: ..." lines."""

from __future__ import annotations

import re

_SPEAKER = re.compile(
    r"^[ \t]*(user|human|you|me|customer|assistant|ai|bot|gpt|chatgpt|claude|agent|model|system)[ \t]*:[ \t]?",
    re.IGNORECASE | re.MULTILINE,
)
_ROLES = {
    "user": "user",
    "human": "user",
    "you": "user",
    "me": "user",
    "customer": "user",
    "assistant": "assistant",
    "ai": "assistant",
    "bot": "assistant",
    "gpt": "assistant",
    "chatgpt": "assistant",
    "claude": "assistant",
    "agent": "assistant",
    "model": "assistant",
    "system": "system",
}


def parse_transcript(text: str) -> list[tuple[str, str]]:
    """(role, content) pairs of a transcript.

    In the seed's memory text the reply is labelled "System:", so a "System:"
    turn that follows a user turn, in a transcript with no "Assistant:" label,
    is the assistant's reply.
    """
    marks = list(_SPEAKER.finditer(text))
    turns: list[tuple[str, str]] = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        role = _ROLES[m.group(1).lower()]
        content = text[m.end() : end].strip()
        if content:
            turns.append((role, content))
    if not any(r == "assistant" for r, _ in turns):
        turns = [
            ("assistant" if r == "system" and i > 0 and turns[i - 1][0] == "user" else r, c)
            for i, (r, c) in enumerate(turns)
        ]
    return turns
