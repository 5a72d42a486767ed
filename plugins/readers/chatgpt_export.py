"""ChatGPT data export (``conversations.json``, as the product writes it).

Each conversation is a tree (``mapping``); the active branch runs from
``current_node`` back to the root through ``parent`` links, so edited-away
turns are left out (a ``current_node`` missing from the mapping falls back to
the latest leaf).  Only what the person saw is read:

- a message addressed to a tool (``recipient`` other than "all": browser
  searches, Code Interpreter code, image prompts, ``bio``, ``canmore``...),
  tool output, hidden messages, ``thoughts``, ``reasoning_recap`` and other
  context messages are left out;
- citation marks (``【6†source】``, and the private-use markers of newer
  exports) are removed;
- a continuation after ``finish_details.type == "max_tokens"`` is joined to
  the part before with no separator (it goes on mid-word, mid-code);
- voice messages are read from their transcriptions;
- a canvas document the assistant wrote (``canmore.create_textdoc``, or an
  update that rewrites it whole) is part of the answer, as Claude's
  artifacts are; a partial edit is not shown, so the answer about it goes.

A question is paired with the visible answer that follows it, or dropped
(counted by reason in the conversation's ``dropped_exchanges``): when the
reply was only a tool call or an image, when the answer comes after a tool
result that is not kept (Code Interpreter output, a generated image: it
would answer a result that is not there), or when the question carries an
image or an uploaded file (its text is not in the export).  Search results
are sources, not results an answer replies to, so a browsing answer is
kept, citation marks removed; ``channel: "analysis"`` (raw reasoning) never
is.

Custom instructions (``user_editable_context``, ``is_user_system_message``)
describe the person; they become the conversation's system prompt only with
``keep_custom_instructions`` (``loomcore run --keep-custom-instructions``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

import orjson
from loomcore_plugins.readers.exports import read_export
from loomcore_plugins.readers.pairing import FILE_QUESTION, Pairing

from loomcore import Conversation, Reader, Source, Turn, hookimpl
from loomcore.contracts import check_options
from loomcore.model import Rejected
from loomcore.records import FieldError, dict_field, list_field, record_id, text_field
from loomcore.shape import first_record

NAME = "chatgpt_export"
OPTIONS = {"keep_custom_instructions"}
# what configure() was last told; every run configures (see the hookspec)
settings: dict[str, Any] = {"keep_custom_instructions": False}

# content types that are never shown as a message of the conversation
CONTEXT_TYPES = frozenset(
    {
        "thoughts",
        "reasoning_recap",
        "user_editable_context",
        "model_editable_context",
        "system_error",
        "tether_browsing_display",
        "tether_quote",
        "execution_output",
        "computer_output",
        "app_pairing_content",
        "super_widget",
    }
)
# tool output that only lists sources: the answer after it stands on its own
SOURCE_TYPES = frozenset({"tether_browsing_display", "tether_quote"})
# tools whose reply the answer does not rest on: search results (sources),
# memory updates, and canvas writes (the canvas itself is the answer's part)
SOURCE_TOOLS = re.compile(
    r"^(?:browser|web|web\.run|file_search|myfiles_browser|bio|canmore)(?:\.|$)"
)
IMAGE_PARTS = frozenset({"image_asset_pointer", "image_url"})
# 【6†source】, 【13:0†source】, 【0†Title†www.site.com】, with the space before it
# (the mark itself is matched; the spaces before it go in _drop_mark, since a
# leading [ \t]* retried at every space of a long run was quadratic)
CITATION = re.compile(r"【[^【】\n]{0,400}?†[^【】\n]{0,400}?】")
# newer exports: \ue200cite\ue202turn0search1\ue201 (and entity spans like it)
PRIVATE_CITATION = re.compile(r"\ue200[^\ue200\ue201]{0,400}\ue201")
PRIVATE_MARKS = re.compile(r"[\ue200-\ue206]")


def sniff(head: bytes) -> bool:
    """A JSON record with a ``mapping`` (also inside ``{"conversations": [...]}``)."""
    shape = first_record(head)
    if shape is None:
        return False
    wrapped = shape.wrapped()
    return shape.has("mapping") or (wrapped is not None and wrapped.has("mapping"))


def _time(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


def active_branch(mapping: dict, current: Any) -> list[dict]:
    """The nodes from the root to ``current``, following ``parent`` links.

    When ``current`` is not in the mapping (a trimmed or damaged export), the
    branch ends at the latest leaf instead: the node with no child in the
    mapping whose message was written last (the last such in file order on
    a tie).
    """
    if not (isinstance(current, str) and current in mapping):
        current = _latest_leaf(mapping)
    path, seen = [], set()
    node_id: Any = current
    while isinstance(node_id, str) and node_id in mapping and node_id not in seen:
        seen.add(node_id)
        node = dict_field(mapping[node_id], f"$.mapping.{node_id}")
        path.append(node)
        node_id = node.get("parent")
    return path[::-1]


def _latest_leaf(mapping: dict) -> str | None:
    best: tuple[float, int] | None = None
    found = None
    for i, (node_id, node) in enumerate(mapping.items()):
        if not isinstance(node, dict):
            continue
        children = node.get("children") if isinstance(node.get("children"), list) else []
        if any(isinstance(c, str) and c in mapping for c in children):
            continue
        message = node.get("message") if isinstance(node.get("message"), dict) else {}
        stamp = message.get("create_time")
        key = (float(stamp) if isinstance(stamp, int | float) else 0.0, i)
        if best is None or key > best:
            best, found = key, node_id
    return found


def _drop_marks(pattern: re.Pattern[str], text: str) -> str:
    """``text`` without the marks ``pattern`` finds, nor the spaces before each."""
    if not pattern.search(text):
        return text
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(text[last : m.start()].rstrip(" \t"))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def clean(text: str) -> str:
    """``text`` without citation marks (and the space before each)."""
    text = _drop_marks(CITATION, text)
    text = _drop_marks(PRIVATE_CITATION, text)
    return PRIVATE_MARKS.sub("", text)


def message_text(message: dict, where: str) -> tuple[str, int, bool]:
    """(text, non-text parts skipped, whether it carries an image) of one message."""
    content = dict_field(message.get("content") or {}, f"{where}.content")
    kind = content.get("content_type")
    if kind == "code":
        code = text_field(content.get("text"), f"{where}.content.text", allow_none=True)
        lang = content.get("language") if isinstance(content.get("language"), str) else ""
        lang = "" if lang in ("unknown", None) else lang
        return (f"```{lang}\n{code.strip()}\n```" if code.strip() else ""), 0, False
    if kind not in ("text", "multimodal_text", None):  # None: a tool's simplified export
        return "", 1, False
    texts, skipped, image = [], 0, False
    for part in list_field(content.get("parts") or [], f"{where}.content.parts"):
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict) and part.get("content_type") == "audio_transcription":
            texts.append(text_field(part.get("text"), f"{where}.content.parts", allow_none=True))
        elif isinstance(part, dict) and "audio_asset_pointer" in str(part.get("content_type")):
            continue  # the recording of a voice message: its transcription is the text
        else:
            image = image or (isinstance(part, dict) and part.get("content_type") in IMAGE_PARTS)
            skipped += 1
    return "\n\n".join(t for t in texts if t.strip()), skipped, image


def canvas(message: dict) -> str:
    """The document a canvas call wrote (``canmore.create_textdoc``, or an
    update that rewrites it whole), as the answer shows it; "" otherwise."""
    content = message.get("content") if isinstance(message.get("content"), dict) else {}
    try:
        call = orjson.loads(content.get("text") or "")
    except (orjson.JSONDecodeError, TypeError):
        return ""
    if not isinstance(call, dict):
        return ""
    text, kind = call.get("content"), str(call.get("type") or "document")
    updates = call.get("updates")
    whole = {"pattern": None}
    if isinstance(updates, list) and len(updates) == 1 and isinstance(updates[0], dict):
        whole = updates[0]
    if whole.get("pattern") in (".*", "^.*$", "(?s).*"):  # a rewrite of the whole document
        text = whole.get("replacement")
    if not isinstance(text, str) or not text.strip():
        return ""
    if kind.startswith("code/"):
        return f"```{kind.removeprefix('code/')}\n{text.strip()}\n```"
    return text.strip()


def custom_instructions(message: dict) -> str:
    """The text of a custom-instructions message (either shape), or ""."""
    content = message.get("content") if isinstance(message.get("content"), dict) else {}
    meta = message.get("metadata") if isinstance(message.get("metadata"), dict) else {}
    data = meta.get("user_context_message_data")
    data = data if isinstance(data, dict) else {}
    fields = [
        content.get("user_profile"),
        content.get("user_instructions"),
        data.get("about_user_message"),
        data.get("about_model_message"),
        *(content.get("parts") or []),
    ]
    return "\n\n".join(f.strip() for f in fields if isinstance(f, str) and f.strip())


def _is_custom_instructions(message: dict, meta: dict) -> bool:
    content = message.get("content") if isinstance(message.get("content"), dict) else {}
    return bool(meta.get("is_user_system_message")) or (
        content.get("content_type") == "user_editable_context"
    )


def convert(value: Any, source: Source) -> Conversation | None:
    record = dict_field(value, "$")
    if not record.get("mapping"):  # an entry the product wrote with no messages
        return _empty(record, source)
    mapping = dict_field(record.get("mapping"), "$.mapping")
    current = record.get("current_node")
    if current is not None and not isinstance(current, str):
        raise FieldError("expected text, got " + type(current).__name__ + " @ $.current_node")
    pairs = Pairing()
    skipped = 0
    path = active_branch(mapping, current)
    for node in path:
        message = node.get("message")
        if not isinstance(message, dict):
            continue
        where = f"$.mapping.{node.get('id')}.message"
        meta = message.get("metadata") if isinstance(message.get("metadata"), dict) else {}
        author = message.get("author") if isinstance(message.get("author"), dict) else {}
        role = author.get("role")
        content = message.get("content") if isinstance(message.get("content"), dict) else {}
        kind = content.get("content_type") if isinstance(content.get("content_type"), str) else None
        if _is_custom_instructions(message, meta):
            if settings["keep_custom_instructions"]:
                pairs.system(custom_instructions(message))
            continue
        if role == "tool":
            name = str(author.get("name") or "")
            if kind not in SOURCE_TYPES and not SOURCE_TOOLS.match(name):
                pairs.tool_result()
            continue
        recipient = message.get("recipient")
        if isinstance(recipient, str) and recipient.startswith("canmore."):
            shown = canvas(message)  # a canvas the person saw written: part of the answer
            if shown:
                pairs.reply(shown, str(message.get("id") or ""), _time(message.get("create_time")))
            else:
                pairs.tool_result()  # an edit the answer speaks of, not shown here
            continue
        if recipient not in (None, "all"):
            continue  # a call to a tool: its code or query is not the answer
        if meta.get("is_visually_hidden_from_conversation") or kind in CONTEXT_TYPES:
            continue
        if message.get("channel") == "analysis":
            continue  # the model's raw reasoning, never shown
        if role not in ("user", "assistant"):
            continue  # the hidden system root and its kind
        text, n, image = message_text(message, where)
        skipped += n
        text = clean(text)
        if role == "user":
            if text.strip() or image:
                turn = Turn(
                    "user",
                    text.strip(),
                    id=str(message.get("id") or ""),
                    timestamp=_time(message.get("create_time")),
                )
                # an uploaded file's text is not in the export: the answer rests on it
                files = meta.get("attachments") if isinstance(meta.get("attachments"), list) else []
                pairs.ask(turn, image, missing=FILE_QUESTION if files else None)
        elif text.strip():
            finish = (
                meta.get("finish_details") if isinstance(meta.get("finish_details"), dict) else {}
            )
            pairs.reply(
                text,
                str(message.get("id") or ""),
                _time(message.get("create_time")),
                cut_off=finish.get("type") == "max_tokens",
            )
    meta_out: dict[str, Any] = (
        {"title": record.get("title")} if isinstance(record.get("title"), str) else {}
    )
    if skipped:
        meta_out["non_text_parts_skipped"] = skipped
    turns = pairs.finish(meta_out)
    if turns is None and "dropped_exchanges" not in meta_out:
        return _empty(record, source)
    # (an answer with no question is nothing to learn from, said in the counts)
    turns = turns or ()
    alternatives = regenerated(mapping, path)
    if alternatives:
        meta_out["alternatives"] = alternatives
    return Conversation(
        id=record_id(record, source, "id", "conversation_id"),
        turns=turns,
        source=source,
        metadata=meta_out,
    )


def _shown_answer(message: Any) -> str:
    """The text of an assistant answer as the person saw it, "" for anything
    else (a tool call, hidden reasoning, an image)."""
    if not isinstance(message, dict):
        return ""
    author = message.get("author") if isinstance(message.get("author"), dict) else {}
    meta = message.get("metadata") if isinstance(message.get("metadata"), dict) else {}
    content = message.get("content") if isinstance(message.get("content"), dict) else {}
    if (
        author.get("role") != "assistant"
        or message.get("recipient") not in (None, "all")
        or meta.get("is_visually_hidden_from_conversation")
        or content.get("content_type") in CONTEXT_TYPES
        or message.get("channel") == "analysis"
    ):
        return ""
    try:
        text, _, _ = message_text(message, "$")
    except FieldError:
        return ""
    return clean(text).strip()


def regenerated(mapping: dict, path: list[dict]) -> list[dict[str, str]]:
    """The answers regenerated away on the active branch: for each question on
    it with several answers as children (the product's "regenerate"), the
    ones not on the branch, as ``{"question_id", "text", "signal"}``.

    The answer on the branch is the one the conversation went on from: the
    preference a pair of them carries is that, and no more (a weak signal).
    An edited question (several question children of one answer) is a
    different question, not a preference between answers: it is not read.
    """
    out: list[dict[str, str]] = []
    on_path = {id(node) for node in path}
    for node in path:
        message = node.get("message")
        author = message.get("author") if isinstance(message, dict) else None
        if not isinstance(author, dict) or author.get("role") != "user":
            continue
        children = node.get("children") if isinstance(node.get("children"), list) else []
        siblings = [mapping[c] for c in children if isinstance(c, str) and c in mapping]
        if len(siblings) < 2 or not any(id(c) in on_path for c in siblings):
            continue
        question = str(message.get("id") or node.get("id") or "")
        for child in siblings:
            if id(child) in on_path or not isinstance(child, dict):
                continue
            text = _shown_answer(child.get("message"))
            if text and question:
                out.append({"question_id": question, "text": text, "signal": "regenerated"})
    return out


def _empty(record: dict, source: Source) -> Conversation:
    """A conversation of the export with nothing said in it: read, with no
    turns (the product wrote it; it is no bad record)."""
    meta: dict[str, Any] = (
        {"title": record["title"]} if isinstance(record.get("title"), str) else {}
    )
    return Conversation(
        id=record_id(record, source, "id", "conversation_id"),
        source=source,
        metadata={**meta, "empty": True},
    )


def read(stream: IO[bytes], path: str) -> Iterator[Conversation | Rejected]:
    return read_export(stream, path, NAME, convert)


@hookimpl
def configure(options: dict[str, Any]) -> None:
    """``keep_custom_instructions`` (bool, default false)."""
    check_options(options, OPTIONS)
    keep = options.get("keep_custom_instructions", False)
    if not isinstance(keep, bool):
        raise ValueError(f"keep_custom_instructions must be true or false, not {keep!r}")
    settings["keep_custom_instructions"] = keep


@hookimpl
def register_readers(register):
    register(
        Reader(
            NAME, read, sniff, description="ChatGPT data export conversations.json (active branch)"
        )
    )
