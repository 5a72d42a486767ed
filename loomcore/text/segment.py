"""Markdown structure of a message: paragraphs, headings, list items with
their nesting and numbering, fenced code, tables and quotes.

One pass over the lines, no backtracking: segmenting is linear in the size of
the text.  Miners read this structure instead of re-scanning raw text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

from loomcore.text.sentences import normalise_space, split_sentences, strip_inline

_FENCE = re.compile(r"^(`{3,}|~{3,})\s*([\w+#.-]*)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^([-*+•]|(\d{1,9})[.)])\s+(.*)$")
_RULE = re.compile(r"^([-*_])(\s*\1){2,}\s*$")


@attrs.frozen
class Sentence:
    """One sentence: ``text`` as written, ``plain`` without emphasis marks."""

    text: str
    plain: str


@attrs.frozen
class Block:
    """One block of a message.

    ``kind`` is ``paragraph``, ``heading``, ``item``, ``code``, ``table`` or
    ``quote``.  For items: ``depth`` (0 = top level), ``number`` (None for
    bullets), ``list_id`` (shared by the items of one list) and ``parent``
    (index of the enclosing item).  ``code`` holds code blocks nested in an
    item.  Code blocks keep their text verbatim and have no sentences.
    """

    kind: str
    text: str
    sentences: tuple[Sentence, ...] = ()
    depth: int = 0
    number: int | None = None
    list_id: int | None = None
    parent: int | None = None
    lang: str = ""
    code: tuple[str, ...] = ()

    @property
    def plain(self) -> str:
        return strip_inline(self.text) if self.kind != "code" else self.text

    @property
    def ordered(self) -> bool:
        return self.number is not None


@attrs.frozen
class ListGroup:
    """The items of one list: ``items`` are the top-level ones, in order;
    ``children[i]`` are the nested items of ``items[i]``."""

    list_id: int
    items: tuple[Block, ...]
    children: tuple[tuple[Block, ...], ...]
    first_block: int
    last_block: int

    @property
    def ordered(self) -> bool:
        return bool(self.items) and self.items[0].ordered


@attrs.frozen
class Document:
    """The segmented structure of one message."""

    blocks: tuple[Block, ...] = ()

    def prose(self) -> Iterator[Block]:
        """Blocks that hold sentences (paragraphs, items, quotes)."""
        return (b for b in self.blocks if b.kind in ("paragraph", "item", "quote"))

    def sentences(self) -> Iterator[tuple[int, Sentence]]:
        """(block index, sentence) for every prose sentence, in order."""
        for i, b in enumerate(self.blocks):
            if b.kind in ("paragraph", "item", "quote"):
                for s in b.sentences:
                    yield i, s

    def lists(self) -> list[ListGroup]:
        groups: dict[int, list[int]] = {}
        for i, b in enumerate(self.blocks):
            if b.kind == "item" and b.list_id is not None:
                groups.setdefault(b.list_id, []).append(i)
        out = []
        for lid, idxs in groups.items():
            top = [i for i in idxs if self.blocks[i].depth == 0]
            kids: dict[int, list[Block]] = {i: [] for i in top}
            for i in idxs:
                b = self.blocks[i]
                if b.depth > 0:
                    root = i
                    while (parent := self.blocks[root].parent) is not None:
                        root = parent
                    kids.setdefault(root, []).append(b)
            out.append(
                ListGroup(
                    list_id=lid,
                    items=tuple(self.blocks[i] for i in top),
                    children=tuple(tuple(kids.get(i, ())) for i in top),
                    first_block=idxs[0],
                    last_block=idxs[-1],
                )
            )
        return out

    def last_sentence(self) -> Sentence | None:
        """The reply's final prose sentence (where a truncated reply shows)."""
        for b in reversed(self.blocks):
            if b.kind in ("paragraph", "item", "quote") and b.sentences:
                return b.sentences[-1]
            if b.kind in ("code", "table"):
                return None
        return None


def _prose_block(kind: str, text: str, **kw) -> Block:
    text = normalise_space(text)
    sents = tuple(Sentence(s, strip_inline(s)) for s in split_sentences(text))
    return Block(kind=kind, text=text, sentences=sents, **kw)


def _numbering_goes_on(lines: list[str], i: int, number: int | None) -> bool:
    """Whether the first non-blank line from ``lines[i]`` is item ``number + 1``:
    then a code block written flush left between "2." and "3." belongs to
    step 2 instead of ending the list (chat replies often write it so)."""
    if number is None:
        return False
    while i < len(lines) and not lines[i].strip():
        i += 1
    m = _ITEM.match(lines[i].strip()) if i < len(lines) else None
    return m is not None and m.group(2) is not None and int(m.group(2)) == number + 1


def segment(text: str) -> Document:
    """Segment a markdown message into blocks."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    para: list[str] = []
    para_kind = "paragraph"
    # open list state
    item: dict | None = None  # the item being built
    stack: list[tuple[int, int]] = []  # (indent, block index) of open items
    list_id = -1
    in_list = False
    list_ordered = False
    top_number: int | None = None  # the number of the open list's last top-level item
    blank_before = False

    def flush_para() -> None:
        nonlocal para, para_kind
        if para:
            blocks.append(_prose_block(para_kind, " ".join(para)))
        para = []
        para_kind = "paragraph"

    def flush_item() -> None:
        nonlocal item
        if item is not None:
            blocks[item["index"]] = _prose_block(
                "item",
                " ".join(item["lines"]),
                depth=item["depth"],
                number=item["number"],
                list_id=item["list_id"],
                parent=item["parent"],
                code=tuple(item["code"]),
            )
        item = None

    def close_list() -> None:
        nonlocal in_list, stack
        flush_item()
        in_list = False
        stack = []

    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" \t"))

        fence = _FENCE.match(stripped)
        if fence:
            marker = fence.group(1)
            body: list[str] = []
            i += 1
            while i < n and not lines[i].strip().startswith(marker):
                body.append(lines[i])
                i += 1
            i += 1  # the closing fence (or end of text)
            code = _dedent(body)
            if (
                in_list
                and item is not None
                and (indent > stack[0][0] or _numbering_goes_on(lines, i, top_number))
            ):
                item["code"].append(code)
            else:
                flush_para()
                close_list()
                blocks.append(Block(kind="code", text=code, lang=fence.group(2)))
            blank_before = False
            continue

        if not stripped:
            flush_para()
            blank_before = True
            i += 1
            continue

        heading = _HEADING.match(stripped)
        item_m = _ITEM.match(stripped) if not _RULE.match(stripped) else None

        if heading and indent < 4:
            flush_para()
            close_list()
            blocks.append(_prose_block("heading", heading.group(2)))
            blocks[-1] = attrs.evolve(blocks[-1], depth=len(heading.group(1)))
        elif stripped.startswith("|"):
            flush_para()
            close_list()
            rows = [stripped]
            while i + 1 < n and lines[i + 1].strip().startswith("|"):
                i += 1
                rows.append(lines[i].strip())
            blocks.append(Block(kind="table", text="\n".join(rows)))
        elif item_m:
            flush_para()
            number = int(item_m.group(2)) if item_m.group(2) else None
            if in_list and stack and indent <= stack[0][0] and list_ordered != (number is not None):
                # a bullet list right after a numbered one (or the reverse) is a new list
                close_list()
            if not in_list:
                list_id += 1
                in_list = True
                list_ordered = number is not None
                stack = []
            flush_item()
            while stack and indent < stack[-1][0]:
                stack.pop()
            if stack and indent == stack[-1][0]:
                stack.pop()
            parent = stack[-1][1] if stack else None
            depth = len(stack)
            if depth == 0:
                top_number = number
            blocks.append(Block(kind="item", text=""))  # placeholder, filled by flush_item
            index = len(blocks) - 1
            item = {
                "index": index,
                "lines": [item_m.group(3)],
                "depth": depth,
                "number": number,
                "list_id": list_id,
                "parent": parent,
                "code": [],
            }
            stack.append((indent, index))
        elif in_list and item is not None and (indent > stack[0][0] or not blank_before):
            # continuation of the current item (indented, or a lazy line)
            item["lines"].append(stripped)
        elif stripped.startswith(">"):
            close_list()
            if para_kind != "quote":
                flush_para()
            para_kind = "quote"
            para.append(stripped.lstrip("> ").strip())
        elif _RULE.match(stripped):
            flush_para()
            close_list()
        else:
            if in_list:
                close_list()
            if para_kind == "quote":
                flush_para()
            para.append(stripped)
        blank_before = False
        i += 1

    flush_para()
    close_list()
    return Document(blocks=tuple(b for b in blocks if b.kind != "item" or b.text))


def _dedent(lines: list[str]) -> str:
    widths = [len(x) - len(x.lstrip(" ")) for x in lines if x.strip()]
    cut = min(widths) if widths else 0
    return "\n".join(x[cut:] for x in lines).strip("\n")
