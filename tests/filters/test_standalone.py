"""The standalone gate: each check on examples of our own writing, and the
gate as a run's filter with a reason per drop."""

import json

import pytest
from loomcore_plugins.filters.standalone import StandaloneGate

from loomcore import TrainingExample
from loomcore.text.standalone import first_failure


def fails(instruction, output, input="", history=False):
    return first_failure(instruction, input, output, history)


GOOD = "A heap keeps the smallest item at the root, so popping it takes logarithmic time."


@pytest.mark.parametrize(
    "instruction",
    [
        "Add the release year of each film to the third column of the table.",
        "Improve the design of the following website?",
        "What is wrong with this code?",
        "Describe what is happening in this picture.",
        "As you said, the cache is warm. Why is it slow then?",
        "And the second one?",
    ],
)
def test_a_request_for_something_not_given_dangles(instruction):
    assert fails(instruction, GOOD) == "dangling_reference"


@pytest.mark.parametrize(
    "instruction",
    [
        "Determine the parts of speech of the given words.\n\nhappy, bought, quickly",
        "Provide a solution to the equation 2a+3b=20",
        "Summarize the story of Snow White and the Seven Dwarfs.",
        "What is wrong with this code?\n\n```python\nprint(1/0)\n```",
        "Write a css rule to change the color of all links in the document.",
        "Rewrite the following sentence: the cat sat on the mat.",
    ],
)
def test_a_request_that_gives_what_it_points_at_stands(instruction):
    assert fails(instruction, GOOD) is None


def test_a_follow_up_with_its_history_stands():
    assert fails("And the second one?", GOOD, history=True) is None


def test_a_page_only_a_link_gives_cannot_be_answered():
    assert fails("Outline the main points of this article https://time.com/5798772/x/", GOOD) == (
        "link_only"
    )


def test_an_entity_dump_as_input_is_noise():
    assert fails("How to fill sandbags?", GOOD, input="Entities: After, All, Although") == (
        "noisy_input"
    )
    # a list the request works on is context, not noise
    assert fails("Sort these words.", GOOD, input="Bags, Bring, Clay, Continue, Dig, Fold") is None
    assert fails("Translate this.", GOOD, input="The weather is nice today. I walk.") is None


def test_brackets_that_do_not_pair_are_template_garble():
    assert fails("What happens when method - a tip] Carpet?", GOOD) == "garbled_instruction"
    assert fails("List three things: 1) a 2) b 3) c", GOOD) is None
    assert fails("[EMAIL]", GOOD) == "garbled_instruction"


@pytest.mark.parametrize(
    "output",
    [
        "However, the second approach avoids the lock entirely and is faster.",
        "Thus, the total comes to 42 apples in all of the baskets.",
        "As you said, the index is what makes the query fast here.",
        "Hopefully this helps! The index makes the query fast.",
    ],
)
def test_an_output_that_continues_left_out_text(output):
    assert fails("Why is the query fast?", output) == "continues_elsewhere"


def test_a_connective_is_fine_when_asked_to_go_on():
    assert fails("Add two more points to the argument.", "Additionally, meat is costly.") is None


@pytest.mark.parametrize(
    "output",
    [
        "Changing a tire is easy. Here are a few things you could do:",
        "The fix is short. See below.",
        "You can do it with the following implementation, which is fast and simple enough.",
    ],
)
def test_a_lead_in_with_nothing_after_it(output):
    assert fails("How do I fix it quickly?", output) == "empty_promise"


def test_a_lead_in_followed_by_its_list_or_code_stands():
    assert fails("How to boil an egg?", "Do this:\n\n1. Boil water.\n2. Add the egg.") is None
    assert fails("Sum a list in Python?", "Use the following code:\n\n```py\nsum(xs)\n```") is None


def test_markup_and_entities_outside_code():
    assert fails("How to relax?", "Breathe. [[Image:Relax.jpg|center]] Sleep.") == "markup"
    assert fails("Quote it.", "He said &quot;no&quot; to the plan.") == "markup"
    assert (
        fails("Why is the build slow?", "See the guide. Click here for more. It is long.")
        == "markup"
    )
    assert fails("Escape a quote in HTML?", "Write it as `&quot;` in the attribute.") is None


def test_placeholders_only_and_short_refusals():
    assert fails("What is my address?", "[ADDRESS]") == "placeholder_only"
    assert fails("Describe your house.", "As an AI, I don't have a physical house.") == "refusal"
    assert (
        fails("Predict housing prices in Buffalo.", "I'm sorry, I do not have access to data.")
        == "refusal"
    )


def test_an_essay_answered_in_a_sentence_and_an_output_cut_off():
    assert fails("Write an essay on why stay-at-home parenting matters.", "It is sexist.") == (
        "too_short_for_request"
    )
    assert fails("Write a paragraph.", "The quetzal is a reminder of the importance of") == (
        "cut_off"
    )
    assert fails("Write a haiku.", "Old pond, a frog jumps in,\nsplash of water") is None


def test_the_gate_counts_each_drop_by_check_and_can_skip_one():
    gate = StandaloneGate({})
    ex = TrainingExample(instruction="Why is quicksort fast?", output="However, it is not.")
    assert gate.see(ex) == "standalone:continues_elsewhere"
    assert StandaloneGate({"skip": "continues_elsewhere"}).see(ex) is None
    with pytest.raises(ValueError, match=r"unknown standalone check\(s\) \['nope'\]"):
        StandaloneGate({"skip": "nope"})


def test_a_run_reports_the_gates_drops_in_its_summary(tmp_path):
    from loomcore import Registry, get_plugin_manager
    from loomcore.pipeline import Pipeline, RunOptions

    src = tmp_path / "chats.jsonl"
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Why does ice float on water at all?"},
                {
                    "role": "assistant",
                    "content": "Ice is less dense than liquid water because "
                    "its hydrogen bonds hold the molecules in an open lattice.",
                },
            ]
        },
        {
            "messages": [
                {
                    "role": "user",
                    "content": "Add the stars of each movie to the third column of the table.",
                },
                {
                    "role": "assistant",
                    "content": "Big stars Tom Hanks. Sleepless in Seattle stars Tom Hanks "
                    "and Meg Ryan. Independence Day stars Will Smith and Bill Pullman.",
                },
            ]
        },
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    registry = Registry(get_plugin_manager())
    stats = Pipeline(registry, RunOptions(formats=("alpaca",))).run([str(src)], tmp_path / "out")
    assert stats.examples_filtered["standalone:dangling_reference"] == 1
    [kept] = [json.loads(x) for x in (tmp_path / "out" / "alpaca.jsonl").read_text().splitlines()]
    assert kept["instruction"] == "Why does ice float on water at all?"


def test_formatting_a_plain_text_does_not_carry_dangles():
    text = "Seek replacements for the italicized words.\n\nShe was too obstinate to admit it."
    assert fails(text, "She was too stubborn to admit it.") == "dangling_reference"
    marked = "Seek replacements for the italicized words.\n\nShe was too *obstinate* to admit it."
    assert fails(marked, "She was too stubborn to admit it.") is None


def test_an_article_named_by_its_title_only_is_not_given():
    assert fails('Summarize the article "The Effects of Climate Change" briefly.', GOOD) == (
        "dangling_reference"
    )
    given = "Summarize the article.\n\nThe article says heaps pop in log time."
    assert fails(given, GOOD) is None
    # the given text may itself say "this article": that is content, not a pointer
    assert fails("Summarize it.\n\nThis article talks about heaps.", GOOD) is None


def test_a_template_no_input_marker_and_an_unclosed_code_block():
    assert fails("Describe a use case for machine learning.\n\nNo input.", GOOD) == (
        "garbled_instruction"
    )
    assert fails("Describe a use case.\n\n<noinput>", GOOD) == "garbled_instruction"
    table = "Here it is:\n\n```\n2x1=2 | 3x1=3\n2x2=4 | 3x2=6"
    assert fails("Create a multiplication table.", table) == "cut_off"
    assert fails("Create a multiplication table.", table + "\n```") is None


def test_a_request_glued_to_what_it_gives_gets_its_blank_line_back():
    from loomcore.text.standalone import unglue

    assert unglue("Describe how to cook the following dish.Poached eggs") == (
        "Describe how to cook the following dish.\n\nPoached eggs"
    )
    assert unglue("Explain the following term in simple language?Artificial Intelligence") == (
        "Explain the following term in simple language?\n\nArtificial Intelligence"
    )
    # no pointer at a given text: a dotted name is code, not glue
    for code in ("How do I subclass nn.Module in PyTorch?", "Is torch.Tensor a class?"):
        assert unglue(code) == code
        assert fails(code, GOOD) is None
    assert unglue("Reword this sentence to increase clarityThe idea made me smile") == (
        "Reword this sentence to increase clarity\n\nThe idea made me smile"
    )
    for fine in (
        "Open https://example.com/Index.Html in a browser.",
        "Is macOS fast? Yes.",
        "Use `a.Name` here.",
    ):
        assert unglue(fine) == fine
    # what is left glued after the repair fails the gate
    assert fails("List three traits of this animal.Tiger", GOOD) == "garbled_instruction"


def test_an_answer_about_tools_the_example_does_not_carry():
    out = "I'm sorry, but based on the available tools, I can't search for realtors."
    assert fails("Can you search for realtors in LA?", out) == "missing_tools"
    lean = "Here is the same logic written in C#:\n\n```csharp\nint Sum(int[] xs) => xs.Sum();\n```"
    assert fails("Give me code in C#.", lean) == "continues_elsewhere"
    assert fails("Give me code in C#.", lean, history=True) is None


def test_entities_in_prose_are_characters_and_code_keeps_them():
    from loomcore.text.standalone import unescape_entities

    text = "Is &quot;ima&quot; short for &quot;I must&quot;? Write `&quot;` in HTML:\n\n```html\n<p>&amp;</p>\n```"
    assert unescape_entities(text) == (
        'Is "ima" short for "I must"? Write `&quot;` in HTML:\n\n```html\n<p>&amp;</p>\n```'
    )


def test_inline_triple_backticks_are_no_unclosed_fence():
    out = "You cannot add to it.\n```List<String> xs = List.of();``` is fixed, as it's ```fixed-size```."
    assert fails("Why can't I add to a fixed-size Java list?", out) is None


def test_an_english_request_answered_in_another_language():
    de = (
        "Heute ist es in Berlin sonnig und warm, die Temperaturen liegen bei 25 Grad und es gibt "
        "keinen Regen, also ist es ein schöner Tag für einen Spaziergang."
    )
    assert fails("Can you tell me what the weather is like in Berlin today?", de) == (
        "language_mismatch"
    )
    assert fails("Translate this into German: it is sunny and warm in Berlin today.", de) is None
    assert fails("Wie ist das Wetter heute in Berlin, kannst du mir das sagen?", de) is None
    nouns = "book, novel, newspaper, magazine, article, text, page, words, letter, note, card, sign, menu, label, list"
    assert fails("List all the nouns that go with the verb read.", nouns) is None


@pytest.mark.parametrize(
    ("instruction", "output"),
    [
        (
            "What does print return in Python?",
            "The print function returns None, so x = print(1) sets x to None.",
        ),
        (
            "How do I sort a list without changing it?",
            "The sorted function returns a new list and leaves the old one as it was.",
        ),
        (
            "How do I refresh apt's package list?",
            "Update the package index with sudo apt update, then install as usual.",
        ),
        (
            "How do I add up a list in Python?",
            "Instead of a loop, call sum(xs): it adds the numbers in one pass.",
        ),
        (
            "How are merge sort and quicksort alike?",
            "Both use the same approach, divide and conquer, and split the input in two.",
        ),
        (
            "What happens in the last step of mitosis?",
            "In telophase the two nuclei form again and the cell divides in two.",
        ),
        (
            "What is the best way to back up my data?",
            "Keep three copies on two kinds of storage, one of them off site.",
        ),
        (
            "Can you explain how a heap works :)",
            "A heap keeps the smallest item at the root, so popping it takes log time.",
        ),
        (
            "Write a title for my essay on climate policy.",
            "Carbon, Cost and Consent: Paying for the Transition",
        ),
        ("How do I install requests?", "Run the following command:\n\n    pip install requests"),
        ("Sort these numbers: 3, 7, 1, 9, 4", "1, 3, 4, 7, 9"),
    ],
)
def test_good_technical_answers_stand(instruction, output):
    assert fails(instruction, output) is None


def test_entities_of_every_kind_are_repaired_before_the_gate():
    from loomcore.text.standalone import unescape_entities

    assert (
        unescape_entities("It&#8217;s fine &mdash; really &#x27;ok&#x27;")
        == "It’s fine — really 'ok'"
    )


def test_the_gate_takes_its_skips_as_a_list_and_reads_what_prepare_found():
    from loomcore_plugins.filters.standalone import prepare

    ex = TrainingExample(instruction="Why is quicksort fast?", output="However, it is not.")
    gate = StandaloneGate({"skip": ["continues_elsewhere", "markup"]})
    assert gate.see(ex) is None
    assert prepare(ex, {}) == "standalone:continues_elsewhere"
    assert prepare(ex, {"skip": ["continues_elsewhere"]}) == ""
    # see() takes what the worker found, and checks itself when nothing came
    assert StandaloneGate({}).see(ex, prepared="") is None
    assert StandaloneGate({}).see(ex, prepared=None) == "standalone:continues_elsewhere"


def test_glue_and_leftovers_found_in_real_exports():
    from loomcore.text.standalone import unglue

    # a word run into a capitalised function word is glue wherever it stands
    assert unglue("Explain how to use a systemHow to create an account") == (
        "Explain how to use a system\n\nHow to create an account"
    )
    assert fails("Describe how technology changed work.Noinput", GOOD) == "garbled_instruction"
    assert fails("Which type of the given organizations are more profitable?", GOOD) == (
        "dangling_reference"
    )
    leaked = "Here is the plan.</user_visible> It has three steps, each a week long."
    assert fails("Plan my week.", leaked) == "markup"
    tool = 'I\'m sorry, but the available "get_ip_location" tool is designed for IP addresses.'
    assert fails("Find the location of Amazon's headquarters.", tool) == "missing_tools"
    # a pandas function named in a coding answer is no tool
    assert fails("How do I read a CSV?", "The `read_csv` function returns a DataFrame.") is None


def test_a_short_question_about_someone_only_earlier_turns_named():
    assert fails("Why is he on the ground?", GOOD) == "dangling_reference"
    assert fails("Why is he on the ground?", GOOD, history=True) is None
    assert fails("How does it work, the TCP handshake?", GOOD) is None
    assert fails("What does this mean in Python: x[::-1]?", GOOD) is None
    code = "Certainly! Here's the same logic written in C#:\n\n```csharp\nint x = 1;\n```"
    assert fails("give me code in C#", code) == "continues_elsewhere"
