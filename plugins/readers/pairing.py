"""Pairing each question with the answer the person saw, for readers whose
input interleaves tool traffic, hidden steps and images with the dialogue.

A question is kept with the visible answer that follows it, or dropped and
counted by reason (the conversation's ``dropped_exchanges``):

- :data:`NO_ANSWER`: nothing visible answered it (the reply was only a tool
  call, an image, or empty), so it must not merge into the next question;
- :data:`TOOL_RESULT`: the answer came after a tool result that is not kept,
  so it would answer a result that is not there;
- :data:`IMAGE_QUESTION` / :data:`FILE_QUESTION`: the question refers to an
  image, or an uploaded file, that is not carried.

An answer before any question (a custom GPT's greeting, a conversation cut
down to its last answer) is no exchange; it is counted too
(:data:`NO_QUESTION`), so that nothing a conversation shows is left out unsaid.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from loomcore.model import Turn

NO_ANSWER = "question with no visible answer (the reply was a tool call, an image or empty)"
TOOL_RESULT = "answer depends on a tool result that is not kept"
IMAGE_QUESTION = "question refers to an image that is not carried"
FILE_QUESTION = "question refers to an uploaded file that is not carried"
NO_QUESTION = "answer with no question before it (a greeting, or a cut conversation)"


class Pairing:
    """Turns of one conversation, built from its messages in order.

    Call :meth:`system`, :meth:`ask`, :meth:`reply`, :meth:`tool_result` as
    the messages come, then :meth:`finish`.
    """

    def __init__(self) -> None:
        self.turns: list[Turn] = []
        self.systems: list[str] = []
        self.dropped: Counter[str] = Counter()
        self.question: Turn | None = None
        self.missing: str | None = None  # why the question cannot stand (an image, a file)
        self.parts: list[str] = []
        self.first: Turn | None = None  # the first message of the answer (its id and time)
        self.joined = (
            False  # the answer's last part was cut off (max tokens): go on without a break
        )
        self.after_result = False  # a tool result came since the question
        self.tool_use = False  # the conversation used tools or images at all
        self.unasked = False  # an answer came before any question (counted once)
        self.blank = False  # a question came empty: the answer after it has none
        self.skipping = False  # the parts of such an answer, once counted

    def system(self, text: str) -> None:
        """A system prompt of the conversation (all of them go first, in order)."""
        if text.strip():
            self.systems.append(text.strip())

    def ask(self, turn: Turn, image: bool = False, missing: str | None = None) -> None:
        """A question (``image``: it refers to an image that is not carried;
        ``missing``: another reason it cannot stand, such as FILE_QUESTION)."""
        self._close()
        self.question = turn
        self.missing = IMAGE_QUESTION if image else missing
        self.tool_use = self.tool_use or self.missing is not None

    def blank_question(self) -> None:
        """A question with no text: it closes the exchange before it, once
        that has an answer (the answer to the blank one must not run on into
        it), and the answer to it, which answers nothing shown, is counted as
        NO_QUESTION.  Before any answer it is nothing: the question it
        follows is still waiting for its answer."""
        if self.question is not None and not self.parts:
            return
        self._close()
        self.blank = True

    def tool_result(self) -> None:
        """A tool result that is not kept arrived."""
        self.tool_use = True
        if self.question is not None:
            self.after_result = True

    def tool_call(self) -> None:
        """A reply that calls a tool (what it says before the call is no answer)."""
        self.tool_use = True

    def reply(
        self,
        text: str,
        turn_id: str | None = None,
        timestamp: str | None = None,
        cut_off: bool = False,
    ) -> None:
        """Visible answer text (``cut_off``: it stopped on max tokens, and the
        next part goes on from its last character)."""
        if not text.strip():
            return
        if self.question is None:  # an answer to no question (a custom GPT's greeting)
            if self.blank:  # to an empty question: counted for each (once, however many parts)
                self.blank, self.skipping = False, True
                self.dropped[NO_QUESTION] += 1
            elif not self.unasked and not self.skipping:
                self.unasked = True
                self.dropped[NO_QUESTION] += 1
            return
        if self.first is None:
            self.first = Turn("assistant", "", id=turn_id, timestamp=timestamp)
        if self.parts and not self.joined:
            self.parts.append("\n\n")
        self.parts.append(text if self.joined else text.lstrip())
        self.joined = cut_off

    def _close(self) -> None:
        question, self.question = self.question, None
        answer = "".join(self.parts).strip()
        if question is not None:
            if not answer:
                self.dropped[NO_ANSWER] += 1
            elif self.after_result:
                self.dropped[TOOL_RESULT] += 1
            elif self.missing is not None:
                self.dropped[self.missing] += 1
            else:
                first = self.first or Turn("assistant", "")
                self.turns += [question, Turn("assistant", answer, first.id, first.timestamp)]
        self.parts, self.first = [], None
        self.joined = self.after_result = self.blank = self.skipping = False
        self.missing = None

    def finish(self, metadata: dict[str, Any]) -> tuple[Turn, ...] | None:
        """The conversation's turns (its system prompts first), the drops
        counted into ``metadata``; None when no question was answered.

        A conversation whose every exchange was dropped for its tool use or
        images gives no turns: it was read, and holds nothing to learn from,
        which is no fault of the input (so it is not a rejected record).
        """
        self._close()
        if self.dropped:
            metadata["dropped_exchanges"] = dict(sorted(self.dropped.items()))
        if not self.turns:
            return () if self.tool_use else None
        return tuple(Turn("system", s) for s in self.systems) + tuple(self.turns)
