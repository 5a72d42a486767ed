"""The markdown segmenter and sentence splitter that every miner reads."""

from loomcore.text import segment, split_sentences, strip_inline


def test_abbreviations_and_decimals_do_not_end_sentences():
    text = "Take 3.5 mg daily, e.g. with food. Dr. Smith works in the U.S. Army now. It is fine."
    assert split_sentences(text) == [
        "Take 3.5 mg daily, e.g. with food.",
        "Dr. Smith works in the U.S. Army now.",
        "It is fine.",
    ]


def test_a_version_number_at_the_end_ends_the_sentence():
    # a decimal inside a sentence stays, but "3.13." is a number, not initials
    text = "The wheel is missing for Python 3.13. Upgrading the pin fixes it at 2.5 s."
    assert split_sentences(text) == [
        "The wheel is missing for Python 3.13.",
        "Upgrading the pin fixes it at 2.5 s.",
    ]


def test_inline_code_is_never_split():
    text = "Any edit invalidates the `COPY . .` layer. Then run `a.b(). C` again."
    assert split_sentences(text) == [
        "Any edit invalidates the `COPY . .` layer.",
        "Then run `a.b(). C` again.",
    ]


def test_strip_inline_removes_emphasis_but_keeps_code():
    assert strip_inline("A **decorator** is *very* `__init__` and [docs](http://x.y)") == (
        "A decorator is very `__init__` and docs"
    )


def test_numbered_list_with_nested_bullets_and_code():
    text = (
        "Intro line:\n\n"
        "1. **Gather evidence** from logs.\n"
        "   - Note the timestamps.\n"
        "   - Look for deploys.\n"
        "2. Add this line:\n"
        "   ```\n"
        "   0 2 * * * backup.sh\n"
        "   ```\n"
        "3. Save and close.\n\n"
        "### Tips\n"
        "- A tip\n"
    )
    doc = segment(text)
    kinds = [(b.kind, b.depth, b.number) for b in doc.blocks]
    assert kinds == [
        ("paragraph", 0, None),
        ("item", 0, 1),
        ("item", 1, None),
        ("item", 1, None),
        ("item", 0, 2),
        ("item", 0, 3),
        ("heading", 3, None),
        ("item", 0, None),
    ]
    assert doc.blocks[4].code == ("0 2 * * * backup.sh",)
    groups = doc.lists()
    assert [len(g.items) for g in groups] == [3, 1]
    assert [b.plain for b in groups[0].children[0]] == ["Note the timestamps.", "Look for deploys."]
    assert groups[0].ordered and not groups[1].ordered


def test_fenced_code_is_a_block_without_sentences():
    doc = segment("Use this:\n\n```python\nx = 1. y = 2\n```\n\nDone.")
    assert [(b.kind, b.lang) for b in doc.blocks] == [
        ("paragraph", ""),
        ("code", "python"),
        ("paragraph", ""),
    ]
    assert doc.blocks[1].text == "x = 1. y = 2"
    assert doc.blocks[1].sentences == ()


def test_table_and_continuation_lines():
    doc = segment("| a | b |\n|---|---|\n| 1 | 2 |\n\n- item one\n  continues here\n- item two")
    assert doc.blocks[0].kind == "table"
    assert [b.plain for b in doc.blocks[1:]] == ["item one continues here", "item two"]


def test_segmenting_is_linear_on_hostile_text():
    # no punctuation at all, and a huge list: both must segment without blowing up
    doc = segment("word " * 200_000)
    assert len(doc.blocks) == 1 and len(doc.blocks[0].sentences) == 1
    doc = segment("\n".join(f"- item {i}" for i in range(10_000)))
    assert len(doc.lists()[0].items) == 10_000


def test_flush_left_code_ends_a_list_unless_the_numbering_goes_on():
    goes_on = segment("1. Install it:\n\n```\npip install x\n```\n\n2. Run it.")
    assert [(b.kind, b.number, b.code) for b in goes_on.blocks] == [
        ("item", 1, ("pip install x",)),
        ("item", 2, ()),
    ]
    # a code block after the last item, or before a list that starts again, stands alone
    ends = segment("1. Install it.\n\n```\npip install x\n```\n\n1. Another list.")
    assert [(b.kind, b.number) for b in ends.blocks] == [
        ("item", 1),
        ("code", None),
        ("item", 1),
    ]


def test_a_contraction_ends_its_sentence():
    # the apostrophe is inside the word: "won't." is no initial "t."
    text = "Use a set when order doesn't matter and a list when it won't do. Sets can't hold lists. That's it."
    assert split_sentences(text) == [
        "Use a set when order doesn't matter and a list when it won't do.",
        "Sets can't hold lists.",
        "That's it.",
    ]
    text = "Push it, or it won't. Then 'J. Smith' signs."
    assert split_sentences(text) == ["Push it, or it won't.", "Then 'J. Smith' signs."]


def test_a_lower_case_letter_before_a_period_is_a_variable_not_an_initial():
    text = "The search ends when k = log n. Therefore it is fast. Ask J. Smith."
    assert split_sentences(text) == [
        "The search ends when k = log n.",
        "Therefore it is fast.",
        "Ask J. Smith.",
    ]


def test_a_name_written_in_lower_case_opens_a_sentence():
    assert split_sentences("Get a Mac. macOS is Unix-based. iPhone apps need Xcode.") == [
        "Get a Mac.",
        "macOS is Unix-based.",
        "iPhone apps need Xcode.",
    ]
    # after an abbreviation, and before an ordinary lower-case word, no break
    assert split_sentences("Use a phone, e.g. iPhone or Pixel. It helps.") == [
        "Use a phone, e.g. iPhone or Pixel.",
        "It helps.",
    ]
    assert split_sentences("It costs approx. ten dollars.") == ["It costs approx. ten dollars."]
