"""Claude.ai data export (``conversations.json``, as the product writes it).

``chat_messages`` are not in time order and hold edited branches side by
side, so they are put in order first: along the ``parent_message_uuid``
links from the latest message back to the root where the file has them (the
branch that was kept), else by ``created_at``.  Then:

- an answer is its ``text`` content blocks (whitespace-only ones ignored) and
  its artifacts' content (the ``artifacts`` tool's input), in block order;
  ``thinking`` blocks, other tool calls and tool results never are;
- the message's ``text`` field is read only when it has no content blocks
  (it runs thinking and text together, and holds placeholders such as
  "Viewing artifacts created via the Analysis Tool web feature preview
  isn't yet supported on mobile.", which are never used as text);
- attachments with ``extracted_content`` (a pasted or uploaded text file, a
  PDF's text) become part of the user's turn, before its text and labelled
  with the file name, as the model saw them;
- ``null`` entries in ``chat_messages`` are skipped;
- the ``{"conversations": [...]}`` wrapper some tools write is read too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from loomcore_plugins.readers.exports import read_export

from loomcore import Conversation, Reader, Source, Turn, hookimpl
from loomcore.model import Rejected
from loomcore.records import dict_field, list_field, record_id, text_field
from loomcore.shape import first_record

NAME = "claude_export"
ROLES = {"human": "user", "user": "user", "assistant": "assistant"}
# what the product writes where it cannot show a block; never the answer
PLACEHOLDER = re.compile(
    r"(?:```\s*)?(?:Viewing artifacts created via the Analysis Tool web feature preview "
    r"isn[’']t yet supported on mobile\.|This block is not supported on your current device yet\.)"
    r"(?:\s*```)?"
)
# an artifact's type to the language of its fenced block ("" for markdown: kept as is)
ARTIFACT_LANGUAGES = {
    "text/markdown": "",
    "text/html": "html",
    "image/svg+xml": "svg",
    "application/vnd.ant.react": "jsx",
    "application/vnd.ant.mermaid": "mermaid",
}


def sniff(head: bytes) -> bool:
    """A JSON record with ``chat_messages`` (also inside ``{"conversations": [...]}``)."""
    shape = first_record(head)
    if shape is None:
        return False
    wrapped = shape.wrapped()
    return shape.has("chat_messages") or (wrapped is not None and wrapped.has("chat_messages"))


def ordered(messages: list[dict]) -> list[dict]:
    """The messages of the kept branch, oldest first.

    With parent links: the chain from the latest message (by ``created_at``,
    the later in the list on a tie) back to the root.  Without: every
    message, by ``created_at`` (list order on a tie; a message with none
    keeps its place after the one before it).
    """
    keys, last = [], ""
    for i, m in enumerate(messages):
        # a message with no time stays after the one before it
        stamp = m.get("created_at")
        last = stamp if isinstance(stamp, str) and stamp else last
        keys.append((last, i))
    by_time = sorted(range(len(messages)), key=keys.__getitem__)
    if not any(isinstance(m.get("parent_message_uuid"), str) for m in messages):
        return [messages[i] for i in by_time]
    by_id = {m.get("uuid"): m for m in messages if isinstance(m.get("uuid"), str)}
    chain: list[dict] = []
    seen: set[int] = set()
    node: dict | None = messages[by_time[-1]]
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        chain.append(node)
        parent = node.get("parent_message_uuid")
        node = by_id.get(parent) if isinstance(parent, str) else None
    return chain[::-1]


def artifact(block: dict) -> str:
    """An artifact's content as the answer shows it, or "" (an ``update``, a
    tool that is not ``artifacts``)."""
    data = block.get("input") if isinstance(block.get("input"), dict) else {}
    content = data.get("content")
    if block.get("name") != "artifacts" or not isinstance(content, str) or not content.strip():
        return ""
    kind = str(data.get("type") or "")
    if kind == "application/vnd.ant.code":
        lang = str(data.get("language") or "")
    else:
        lang = ARTIFACT_LANGUAGES.get(kind, "")
        if kind == "text/markdown":
            return content.strip()
    return f"```{lang}\n{content.strip()}\n```"


def message_text(msg: dict, where: str) -> tuple[str, int]:
    """(text, blocks skipped) of one message, without thinking, tool traffic
    or placeholders."""
    blocks = msg.get("content")
    if not blocks:  # an old export: the text field is all there is
        text = text_field(msg.get("text"), f"{where}.text", allow_none=True)
        return PLACEHOLDER.sub("", text).strip(), 0
    texts, skipped = [], 0
    for j, block in enumerate(list_field(blocks, f"{where}.content")):
        block = dict_field(block, f"{where}.content[{j}]")
        kind = block.get("type")
        if kind == "text":
            text = text_field(block.get("text"), f"{where}.content[{j}].text", allow_none=True)
            texts.append(PLACEHOLDER.sub("", text))
        elif kind == "tool_use" and artifact(block):
            texts.append(artifact(block))
        elif kind != "thinking":
            skipped += 1
    return "\n\n".join(t.strip() for t in texts if t.strip()), skipped


def attachments(msg: dict, where: str) -> list[str]:
    """The text of each attachment, labelled with its file name."""
    out = []
    given = msg.get("attachments")
    items = [] if given is None else list_field(given, f"{where}.attachments")
    for k, item in enumerate(items):
        item = dict_field(item, f"{where}.attachments[{k}]")
        content = item.get("extracted_content")
        if isinstance(content, str) and content.strip():
            name = item.get("file_name") if isinstance(item.get("file_name"), str) else "file"
            out.append(f'<document name="{name}">\n{content.strip()}\n</document>')
    return out


def convert(value: Any, source: Source) -> Conversation | None:
    record = dict_field(value, "$")
    entries = list_field(record.get("chat_messages"), "$.chat_messages")
    where_of = {id(m): f"$.chat_messages[{i}]" for i, m in enumerate(entries)}
    messages = [dict_field(m, where_of[id(m)]) for m in entries if m is not None]
    turns: list[Turn] = []
    skipped = 0
    for msg in ordered(messages):
        where = where_of[id(msg)]
        role = ROLES.get(text_field(msg.get("sender"), f"{where}.sender"))
        if role is None:
            continue
        text, n = message_text(msg, where)
        skipped += n
        if role == "user":
            text = "\n\n".join(
                [*attachments(msg, where), text] if text else attachments(msg, where)
            )
        if not text.strip():
            continue
        stamp = msg.get("created_at") if isinstance(msg.get("created_at"), str) else None
        if turns and turns[-1].role == role == "assistant":  # one answer, written in two
            last = turns.pop()
            turns.append(Turn(role, f"{last.content}\n\n{text}", last.id, last.timestamp))
            continue
        turns.append(Turn(role, text, id=str(msg.get("uuid") or ""), timestamp=stamp))
    meta: dict[str, Any] = {"title": record["name"]} if isinstance(record.get("name"), str) else {}
    if not any(t.role == "user" for t in turns) or not any(t.role == "assistant" for t in turns):
        # a conversation opened and left empty: read, nothing in it (no bad record)
        turns, meta["empty"] = [], True
    if skipped:
        meta["non_text_parts_skipped"] = skipped
    if len(messages) < len(entries):
        meta["null_messages_skipped"] = len(entries) - len(messages)
    return Conversation(
        id=record_id(record, source, "uuid", "id"), turns=tuple(turns), source=source, metadata=meta
    )


def read(stream: IO[bytes], path: str) -> Iterator[Conversation | Rejected]:
    return read_export(stream, path, NAME, convert)


@hookimpl
def register_readers(register):
    register(Reader(NAME, read, sniff, description="Claude.ai data export conversations.json"))
