"""The standalone rules added for the blind ratings' structural failures:
glue repaired, choices among alternatives not given, tools and searches the
example does not carry, a model's tags on a line of their own, a paragraph
whose last sentence stops.  Every text here is of our own writing."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loomcore.text.standalone import (
    about_missing_tools,
    asks_to_choose_from_nothing,
    cites_other_answers,
    cut_off,
    first_failure,
    flattened_list,
    markup,
    redacted_answer,
    unglue,
    without_no_input_marker,
    without_repeated_input,
)

GOOD = "A heap keeps the smallest item at the root, so popping it takes logarithmic time."


@pytest.mark.parametrize(
    ("glued", "output", "repaired"),
    [
        # a sentence end run into a word that only opens a sentence
        (
            "Make this sentence sound more formal.They gonna be late.",
            "",
            "Make this sentence sound more formal.\n\nThey gonna be late.",
        ),
        (
            "Count the legs in the sentence.There are two dogs and a cat.",
            "",
            "Count the legs in the sentence.\n\nThere are two dogs and a cat.",
        ),
        (
            "Give the opposite of the phrase.I'm always early",
            "",
            "Give the opposite of the phrase.\n\nI'm always early",
        ),
        # a word run into a line of code
        (
            "fix this so that it runsdef add(a, b) return a + b",
            "",
            "fix this so that it runs\n\ndef add(a, b) return a + b",
        ),
        # a word run into a capitalised word the answer never writes glued
        (
            "Name the plural of the nounGoose",
            "The plural of goose is geese.",
            "Name the plural of the noun\n\nGoose",
        ),
    ],
)
def test_glue_is_repaired_with_a_blank_line(glued, output, repaired):
    assert unglue(glued, output) == repaired
    # what is still glued fails the gate; the repair passes it
    assert first_failure(glued, "", output or GOOD) == "garbled_instruction"
    assert first_failure(repaired, "", output or GOOD) is None


@pytest.mark.parametrize(
    ("request_", "output"),
    [
        ("How do I subclass nn.Module in PyTorch?", GOOD),
        ("Can I subclass Foo(Base) twice?", GOOD),
        ("Is fmt.Println buffered in Go?", GOOD),
        # an identifier the answer writes too is no glue
        ("What does setTimeout return?", "setTimeout returns a timer id."),
        # in a coding answer a camel-cased name is code, whatever the answer writes
        ("Why is myList empty?", "```python\nitems = []\n```"),
        ("Is macOS fast? Yes.", GOOD),
    ],
)
def test_names_and_code_are_not_glue(request_, output):
    assert unglue(request_, output) == request_


@pytest.mark.parametrize(
    "request_",
    [
        "Select the wrong meaning of the word 'brisk'.",
        "Choose the option that best completes the proverb.\n\nA stitch in time",
        "Pick the correct synonym for 'rapid'.",
        "Among the given choices, which is a mammal?",
        "From the list of words, find the one that rhymes with 'cat'.",
    ],
)
def test_a_choice_among_alternatives_not_given_dangles(request_):
    assert asks_to_choose_from_nothing(request_)
    assert first_failure(request_, "", GOOD) == "dangling_reference"


@pytest.mark.parametrize(
    "request_",
    [
        "Pick the correct synonym for 'rapid': slow, quick or loud.",
        "Choose the right word: affect or effect?",
        "Select the best option:\n- tea\n- coffee",
        "Identify the wrong word in the sentence below.\n\nShe go to school every day.",
        "Find the incorrect statement: Fish swim. Birds fly. Cats bark.",
        "Choose the best answer to this riddle: what has keys but no locks?",
        # "the best way", "the right laptop": advice, not a pick among candidates
        "Find the best way to learn Spanish.",
        "Choose the right laptop for programming.",
        "Identify the most likely cause of a flat tire.",
        "Select the most appropriate data structure for an LRU cache.",
    ],
)
def test_a_choice_with_its_alternatives_or_its_text_stands(request_):
    assert not asks_to_choose_from_nothing(request_)
    assert first_failure(request_, "", GOOD) is None


@pytest.mark.parametrize(
    "output",
    [
        "The `lookup_flight` tool needs a flight number before it can answer.",
        "The available booking API tool `reserveRoom` has no date field.",
        "Sorry, I need the order_reference_code to look that order up.",
        "According to timeanddate.com, the sun sets at 6 pm there in March.",
        "The sources I found do not list a price for it.",
        "I searched online, and the museum opens at nine.",
        "Based on the search results, the museum opens at nine.",
    ],
)
def test_an_answer_from_a_tool_or_a_search_the_example_lacks(output):
    assert about_missing_tools(output, "When does the Louvre open?")
    assert first_failure("When does the Louvre open?", "", output) == "missing_tools"


@pytest.mark.parametrize(
    ("request_", "output"),
    [
        # a function of a coding answer is no tool
        ("How do I read a CSV?", "The `read_csv` function returns a DataFrame."),
        # a parameter the request itself names
        ("What is user_id for?", "You need the user_id to fetch a profile."),
        ("Tell me a story.", "As I looked up, I saw the moon over the hills."),
        ("Tell me a story.", "I searched everywhere for my keys and browsed the shelves."),
        ("How does SEO work?", "Good pages rank higher in the search results."),
        ("Who publishes it?", "According to the publisher, it comes out yearly."),
    ],
)
def test_words_that_only_look_like_tools(request_, output):
    assert not about_missing_tools(output, request_)


def test_a_model_tag_alone_on_a_line_is_leaked_even_in_a_code_block():
    leaked = "Here it is.\n```text\n<thread>\nPlan the reply.\n</thread>\n</think>\n\nHi.\n```"
    assert markup(leaked)
    assert first_failure("Say hi.", "", leaked) == "markup"
    # code that handles the tags writes them in strings
    code = '```python\nanswer = text.split("</think>")[-1]\n```'
    assert not markup(code)


@pytest.mark.parametrize(
    "output",
    [
        "A stack is last in, first out. We push each node on it. Then we pop",
        "Boil the water first. Add the pasta and stir. After that you drain",
    ],
)
def test_a_paragraph_whose_last_sentence_stops_is_cut_off(output):
    assert cut_off(output)
    assert first_failure("Explain how a stack is used.", "", output) == "cut_off"


@pytest.mark.parametrize(
    "output",
    [
        # a list item whose second sentence stops on a word no sentence ends on
        "1. Rest the dough.\n2. Give praise to your dog. When you are training your",
        # a word broken after its first letter, however long its sentence
        "Serve warm. They are fine on their own or with a d",
        # a clause's opener and a word, where the sentence went on
        "Pick the coin you want to invest in. While Bitcoin",
        # in a long reply (where a length limit cuts), a long last sentence that
        # stops on a word no afterthought ends on
        "Collect the sales. " * 90
        + "Retrain it monthly. If the model's performance degrades over time, it may need to be re",
        "Breathe slowly. You can also do a walking meditation by walking slowly, p",
    ],
)
def test_a_list_item_or_sentence_broken_off_mid_word_is_cut_off(output):
    assert cut_off(output)
    assert first_failure("Explain how a stack is used.", "", output) == "cut_off"


@pytest.mark.parametrize(
    "output",
    [
        # a long last sentence without its full stop is the writer's habit
        "Use a newline. The carriage return is only for overwriting the line you just "
        "wrote in a terminal, which is rare these days though",
        # a list item, a poem's line, a sign-off
        "Steps:\n1. Open the file.\n2.  Return the `result` list",
        "Roses are red\nViolets are blue",
        # an inline enumeration's number ends no sentence
        "Make pairs 1. Sort the array 2. Walk two pointers 3. Return the `result` list",
        "Do you: 1. Open the door 2. Call your supervisor 3. Finish your paperwork",
        # a one-letter variable ends a formula's sentence
        "Differentiate each term. The answer is 2x + $c$, where c",
        "Thanks for asking. I hope it works.\n\nBest wishes",
        "Done. See you soon :)",
    ],
)
def test_lines_that_end_without_a_full_stop_but_are_whole(output):
    assert not cut_off(output)


def test_a_sum_whose_answer_the_request_states_restates_it():
    from loomcore.text.standalone import restates_given

    request = "Work out how many apples are in the box.\n\nThe box holds 12 apples."
    assert restates_given(request, "There are 12 apples in the box.")
    assert first_failure(request, "", "There are 12 apples in the box.") == "restates_input"
    # the given text in the input field counts as given
    assert first_failure(
        "Work out how many apples are in the box.",
        "The box holds 12 apples.",
        "There are 12 apples in the box.",
    ) == ("restates_input")
    # a number worked out of the given ones, even one that is among them
    ages = "Calculate the age difference.\n\nAnn: 40 years old\nBen: 20 years old"
    assert not restates_given(ages, "The age difference between Ann and Ben is 20 years.")
    # a request that is no sum, or an answer that says more
    assert not restates_given(
        "Rewrite it politely.\n\nGive me 12 apples.", "Please give me 12 apples."
    )
    assert not restates_given(request, "12 apples, which is a dozen.")


def test_a_list_repeated_in_brackets_after_it_is_garbled():
    request = "Sort the numbers in the following list: 9, 4, 7, 1[9, 4, 7, 1]"
    assert first_failure(request, "", "1, 4, 7, 9") == "garbled_instruction"
    # brackets that add something are fine
    fine = "Sort the numbers in the following list: 9, 4, 7, 1 (all of them integers)"
    assert first_failure(fine, "", "1, 4, 7, 9") is None


@pytest.mark.parametrize(
    ("glued", "repaired"),
    [
        (
            "Find the area of the square.Side = 4 cm",
            "Find the area of the square.\n\nSide = 4 cm",
        ),
        (
            "Improve the following slogan:Fresh Bread Daily",
            "Improve the following slogan:\n\nFresh Bread Daily",
        ),
        (
            'Suggest a film like this one."Heat" and "Ronin"',
            'Suggest a film like this one.\n\n"Heat" and "Ronin"',
        ),
        (
            "Solve the equation below.3x - 2 = 7",
            "Solve the equation below.\n\n3x - 2 = 7",
        ),
        (
            "Sort the numbers from low to high.[9, 4, 7]",
            "Sort the numbers from low to high.\n\n[9, 4, 7]",
        ),
        (
            'Use the idiom "a piece of cake".Tom passed the exam',
            'Use the idiom "a piece of cake".\n\nTom passed the exam',
        ),
    ],
)
def test_the_end_of_a_request_run_into_what_it_gives(glued, repaired):
    answer = "Here is my answer to it."
    assert unglue(glued, answer) == repaired
    assert first_failure(glued, "", answer) == "garbled_instruction"


@pytest.mark.parametrize(
    ("request_", "output"),
    [
        # the answer writes the dotted name: it is a name
        ("Should I call pandas.DataFrame directly?", "Yes: pandas.DataFrame(rows) is fine."),
        # a request about code keeps its dotted names whatever the answer says
        ("Why does my code use numpy.Array here?", "It is a habit."),
        # too short a sentence to be a request run into its input
        ("Is torch.Tensor a class?", "Yes."),
    ],
)
def test_dotted_names_are_no_glue(request_, output):
    assert unglue(request_, output) == request_


@pytest.mark.parametrize(
    ("glued", "output", "repaired"),
    [
        # a name or an acronym run into the data the request gives
        (
            "Convert this temperature from Fahrenheit to Kelvin.451",
            "(451 - 32) * 5/9 + 273.15 = 505.9 K",
            "Convert this temperature from Fahrenheit to Kelvin.\n\n451",
        ),
        (
            "Find the area of the triangle PQR.P=(0,0), Q=(4,0), R=(0,3)",
            "The area is 6.",
            "Find the area of the triangle PQR.\n\nP=(0,0), Q=(4,0), R=(0,3)",
        ),
        (
            "Print the sum of the numbers in the array.nums = [3, 5, 8]",
            "print(sum([3, 5, 8]))",
            "Print the sum of the numbers in the array.\n\nnums = [3, 5, 8]",
        ),
        # a letter's greeting run onto the request
        (
            "Say whether this message is a Complaint or PraiseDear team, the parcel came broken.",
            "It is a complaint.",
            "Say whether this message is a Complaint or Praise\n\nDear team, the parcel came broken.",
        ),
    ],
)
def test_a_request_run_into_its_data_gets_its_blank_line_back(glued, output, repaired):
    assert unglue(glued, output) == repaired


@pytest.mark.parametrize(
    "text",
    [
        # a quote closed right before the text it quoted is left as it is
        'Pick the best input for the command "List the students of Leeds University."Leeds University',
        "Open YouTube and find the MacBook review",  # brands are written so
        "Look at the wiring of the parts in Fig.3 before you start",  # an abbreviation and its number
    ],
)
def test_names_and_quotes_are_not_glue(text):
    assert unglue(text, "Sure.") == text


@pytest.mark.parametrize(
    ("request_", "said_once"),
    [
        (
            'Make this sentence shorter: "The car that we bought, it was red in colour."\n\n'
            "The car that we bought, it was red in colour.",
            'Make this sentence shorter: "The car that we bought, it was red in colour."',
        ),
        ("Find the median of 4, 9, 1, 7\n\n4, 9, 1, 7", "Find the median of 4, 9, 1, 7"),
    ],
)
def test_an_input_the_request_already_quotes_is_said_once(request_, said_once):
    assert without_repeated_input(request_) == said_once


def test_an_input_that_adds_something_is_kept():
    text = "Translate into German.\n\nThe train leaves at noon."
    assert without_repeated_input(text) == text
    assert without_repeated_input("Sum these: 1, 2\n\n1, 2, 3") == "Sum these: 1, 2\n\n1, 2, 3"


@pytest.mark.parametrize(
    "instruction",
    [
        'Summarize this article in three sentences: "Why Cities Plant Trees"',
        'Write a critique of the following essay.\n\n"On Being Late"',
    ],
)
def test_a_title_given_for_an_article_is_not_the_article(instruction):
    assert first_failure(instruction, "", GOOD) == "dangling_reference"


@pytest.mark.parametrize(
    "instruction",
    [
        "Describe a hero who would suit the following book title.\n\nThe Last Lighthouse Keeper",
        "Summarize the text in one sentence.\n\nThis article explains why cities plant trees.",
        "Summarize this article in one sentence.\n\n" + "Cities plant trees for shade. " * 6,
    ],
)
def test_a_title_asked_for_or_a_text_given_stands(instruction):
    assert first_failure(instruction, "", GOOD) is None


@pytest.mark.parametrize(
    "instruction",
    [
        "Describe the following painting in a few words.\n\nhttps://example.org/art/Starry_Night.jpg",
        "Add colour to this black and white photo: https://example.org/p/1.PNG?size=large",
    ],
)
def test_a_picture_behind_a_link_cannot_be_answered(instruction):
    assert first_failure(instruction, "", GOOD) == "link_only"


def test_a_link_that_is_not_a_picture_is_not_a_picture():
    instruction = "Write a slogan for the shop at https://example.org/bakery and keep it short."
    assert first_failure(instruction, "", GOOD) is None


@pytest.mark.parametrize(
    ("glued", "output", "repaired"),
    [
        (
            "Work out what the average visitor pays at the fair$4, $9, $11",
            "($4 + $9 + $11) / 3 = $8",
            "Work out what the average visitor pays at the fair\n\n$4, $9, $11",
        ),
        (
            "Draw this box on a sheet of card.+--+\n|  |\n+--+",
            "Take a ruler and a pencil.",
            "Draw this box on a sheet of card.\n\n+--+\n|  |\n+--+",
        ),
        (
            "Who is the owner of the shop whose page is this?www.example.org",
            "The page does not say.",
            "Who is the owner of the shop whose page is this?\n\nwww.example.org",
        ),
    ],
)
def test_prices_drawings_and_addresses_run_onto_a_request_are_set_apart(glued, output, repaired):
    assert unglue(glued, output) == repaired


@pytest.mark.parametrize(
    ("request_", "whole"),
    [
        ("Write a limerick about a cat.\n\n`<noinput>`", "Write a limerick about a cat."),
        ("Write a limerick about a cat. <no input>", "Write a limerick about a cat."),
        ("Explain how no input systems idle", "Explain how no input systems idle"),
    ],
)
def test_a_templates_no_input_marker_is_taken_off(request_, whole):
    assert without_no_input_marker(request_) == whole


def test_a_templates_words_about_the_model_are_no_request():
    instruction = (
        "This is a open-ended generation task. GPT model should generate an appropriate "
        "output for the instruction\n\nHow to keep basil alive"
    )
    assert first_failure(instruction, "", GOOD) == "garbled_instruction"


@pytest.mark.parametrize(
    "output",
    [
        "The club's members:\n\n1. Ana, the captain.\n\n2. Ben, the keeper.\n\n3.",
        "<!DOCTYPE html>\n<html>\n<body>\n<p>The novel is, above all, absolutely",
    ],
)
def test_a_list_item_begun_or_a_page_never_closed_is_cut_off(output):
    assert cut_off(output)


def test_a_whole_page_is_not_cut_off():
    assert not cut_off("<!DOCTYPE html>\n<html>\n<body>\n<p>Hello.</p>\n</body>\n</html>")


def test_what_a_page_holds_behind_a_link_cannot_be_answered():
    instruction = (
        "Say in one sentence what the content of the webpage is.\n\nhttps://example.org/n/1"
    )
    assert first_failure(instruction, "", GOOD) == "link_only"


@pytest.mark.parametrize(
    "instruction",
    [
        "Replace the words in bold with a synonym.\n\nThe old house stood on a quiet hill.",
        "Translate the phrase in italics.\n\nShe said it was a fait accompli.",
    ],
)
def test_formatting_that_plain_text_does_not_carry_is_not_given(instruction):
    assert first_failure(instruction, "", GOOD) == "dangling_reference"


_TOOL_FRAGMENTS = [
    *("the available tools", "the `get_card_by_slug` tool", "tool `lookup`", "API ", "Function "),
    *("I need the refund_transaction_id", "sources I found", "my search results", "I googled"),
    *("according to weather.com", "According to the search results", "I looked it up online"),
    *("ſearch", "TOOL", "ᴛool", " ", "\n", "`", "_", "the ", "a ", "x", ".", "```\ncode\n```"),
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOOL_FRAGMENTS), max_size=12).map("".join))
def test_the_tool_check_gates_change_no_verdict(output):
    import loomcore.text.standalone as s

    plain = s.prose(output)
    ungated = bool(s._TOOLS.search(plain) or s._SEARCHED.search(plain))
    named = s._NAMED_TOOL.search(output)
    ungated = ungated or named is not None
    parameter = s._PARAMETER.search(plain)
    ungated = ungated or (parameter is not None and "```" not in output)
    assert about_missing_tools(output, "") == ungated


@pytest.mark.parametrize(
    "output",
    [
        "While kbell's answer describes the insets well, it misses when to use them. "
        "I'll borrow from his diagrams.",
        "The death is not literal, as the other answer suggests.",
        "It is informal and, as TypeIA pointed out in a comment, mostly spoken.",
        "See the accepted answer for the full patch; this adds the test.",
        "Another answer suggests that the main question is one of public safety. It is not.",
    ],
)
def test_an_answer_built_on_a_pages_other_answers_does_not_stand_alone(output):
    assert cites_other_answers(output)
    request = "What does the content inset of a scroll view do?"
    assert first_failure(request, "", output) == "cites_other_answers"
    # with the turns before it, "the other answer" may be one of them
    assert first_failure(request, "", output, True) != "cites_other_answers"


@pytest.mark.parametrize(
    "output",
    [
        "As I said, the insets pad the content.",  # the writer's own words
        "The author's answer to the critics came a year later, in his second book.",
        "Reply to the email within a day; a short answer is fine.",
    ],
)
def test_words_about_answers_that_cite_no_other_answer(output):
    assert not cites_other_answers(output)


def test_a_list_run_into_one_line_is_flattened():
    flat = "Ways to practise:\n\n1. Have fun.- Go out often.- Record yourself.- Keep a journal."
    assert flattened_list(flat)
    assert first_failure("How do I get better at talking to people?", "", flat) == (
        "flattened_list"
    )
    assert not flattened_list("Items:\n- Have fun.\n- Go out often.\n- Record yourself.")
    assert not flattened_list("The range is 3-5 km.- a dash after a stop, once.")


def test_the_thing_asked_for_replaced_by_its_placeholder_is_no_answer():
    output = "Here is a randomly generated 8-character password: [PASSWORD]. Keep it safe."
    assert redacted_answer("Generate a password of 8 characters.", output)
    assert first_failure("Generate a password of 8 characters.", "", output) == "redacted_answer"
    assert redacted_answer("Give me a strong password for my router.", "Try [PASSWORD].")
    assert redacted_answer("Generate three random email addresses.", "1. [EMAIL]\n2. [EMAIL]")
    # a template's blanks, a how-to's redacted example value: the answer is there
    assert not redacted_answer(
        "Write a press release announcing a new phone for a tech company.",
        "[COMPANY] Launches X1, its lightest phone yet.",
    )
    assert not redacted_answer(
        "How do I reset the MySQL root password?",
        "Run: ALTER USER 'root'@'localhost' IDENTIFIED BY '[PASSWORD]';",
    )
    # a placeholder beside an answer about something else is only redaction
    assert not redacted_answer(
        "Write a short email to my landlord about the heating.",
        "Dear Sam,\n\nThe heating has failed again. Please call me.\n\nAlex\n[EMAIL]",
    )


def test_a_request_that_names_nothing_leans_on_earlier_turns():
    assert first_failure("give me a specific example", "", GOOD) == "dangling_reference"
    assert first_failure("give me a specific example", "", GOOD, True) is None
    assert first_failure("Tell me about yourself.", "", GOOD) is None
    assert first_failure("Give me an example of a heap.", "", GOOD) is None


def test_a_multiple_choice_question_without_its_choices_points_at_nothing():
    request = (
        "Answer the following multiple-choice question. In what year did the Berlin Wall fall?"
    )
    assert asks_to_choose_from_nothing(request)
    assert first_failure(request, "", "It fell in 1989.") == "dangling_reference"
    given = request + "\n\nA) 1987\nB) 1989\nC) 1991"
    assert first_failure(given, "", "B) 1989") is None
    # a request to write one is answered with its choices
    assert not asks_to_choose_from_nothing(
        "Write a multiple-choice question about the Berlin Wall."
    )


def test_mojibake_is_repaired_where_it_can_be_and_dropped_where_it_cannot():
    from loomcore.text.standalone import mojibake, repair_encoding

    # UTF-8 read as Windows-1252, whole: put back
    assert repair_encoding("Itâ€™s a cafÃ© on the corner.") == "It’s a café on the corner."
    # a byte lost on the way ("א" is D7 90, and 0x90 has no Windows-1252 character)
    lost = "Title: ×—×©×‘×•×Ÿ ××ª×¨ × ×’×™×©"
    assert mojibake(repair_encoding(lost))
    assert first_failure("Summarise this page.\n\n" + lost, "", GOOD) == "mojibake"
    # what was written so stays as it is
    for text in ("Kroměříž, Größe, naïve, 3 × 4 = 12, “quotes” — and ½", "x × y", GOOD):
        assert repair_encoding(text) == text
        assert not mojibake(text)


# ordinary good examples that an over-broad rule would drop (from review)
@pytest.mark.parametrize(
    ("instruction", "input", "output"),
    [
        (
            "Who said imagination matters more than knowledge?",
            "",
            "As Einstein said, imagination is more important than knowledge.",
        ),
        ("Quote Shakespeare on the world.", "", "As Shakespeare wrote, all the world's a stage."),
        ("Check this student's sum: 2 + 2 = 4.", "", "Yes, the student's answer is correct."),
        (
            "Which planet is the largest? A) Mars B) Jupiter",
            "",
            "B) Jupiter. The other answers are smaller planets.",
        ),
        (
            "How do I add one to a counter in Python?",
            "",
            "See the comments in the code below:\n\n```python\n# add one in place\ncount += 1\n```",
        ),
        (
            "How do I avoid SQL injection?",
            "",
            "Use parameterised queries, as suggested by the OWASP guidelines.",
        ),
        ("When did the war begin?", "", "Earlier than taught, as pointed out by many historians."),
        (
            "Are these two sentences expressing the same idea?",
            "I am hungry. I want food.",
            "Yes: both say the speaker wants to eat.",
        ),
        (
            "The Earth is flat. Is that assumption correct?",
            "",
            "No. The Earth is an oblate spheroid.",
        ),
        (
            "What can you do?",
            "",
            "I can answer questions, write and explain code, and summarise text.",
        ),
        ("What do you like?", "", "I have no likes of my own, but I enjoy a well-posed question."),
        (
            "Explain to a student how to answer multiple choice tests well.",
            "",
            "Read every option before choosing, and strike out the ones you know are wrong.",
        ),
        (
            "Answer the following multiple choice question: Which planet is largest? A) Mars B) Jupiter C) Earth",
            "",
            "B) Jupiter",
        ),
        ("What letter is the answer?", "", "Plants release oxygen. So the answer is b"),
        ("How do I leave less?", "", "Open the file in less. To leave it, press q"),
        (
            "List two benefits of remote work.",
            "",
            "1. No commute. More time for family\n2. Quiet hours. Fewer interruptions",
        ),
        (
            "Why pick Redis?",
            "",
            "- **Fast.** Great for read-heavy workloads\n- **Simple.** One binary to run",
        ),
        (
            "Write a press release for a tech company.",
            "",
            "[COMPANY] Launches Its Lightest Phone Yet. The phone weighs 120 g.",
        ),
    ],
)
def test_ordinary_good_examples_pass_every_check(instruction, input, output):
    assert first_failure(instruction, input, output) is None


def test_a_hyphen_run_costs_linear_time_in_the_other_answers_check():
    # every letter of "a-a-a-..." is a word boundary: a name of any length
    # tried from each would be quadratic (142 s on 100 KB before)
    assert not cites_other_answers("a-" * 50_000 + " answer")
    assert cites_other_answers("as user_42 wrote in the thread, set the flag")


def test_a_short_repeat_of_what_the_request_says_is_said_once():
    assert (
        without_repeated_input("Determine the volume of a cube with sides 4 cm long.\n\n4 cm")
        == "Determine the volume of a cube with sides 4 cm long."
    )
    # whole words only: "4" is in "40 cm", but "40 cm" is not "4 cm"
    kept = "Determine the volume of a cube with sides 40 cm long.\n\n4 cm"
    assert without_repeated_input(kept) == kept
    one_word = "Translate hello into French.\n\nhello"
    assert without_repeated_input(one_word) == one_word  # one word may be the input itself


def test_a_set_given_as_one_line_title_is_no_set():
    request = "Given a set of instructions, explain how to use a system\n\nHow to create an account on Twitter"
    assert first_failure(request, "", GOOD) == "dangling_reference"
    for listed in (
        "Given a list of ingredients, suggest a smoothie.\n\nBanana, oats and milk",
        "Given a list of numbers, find the largest.\n\n3 5 7 2",
        "Given a set of instructions, explain them.\n\n1. Open the box\n2. Take the lid off",
    ):
        assert first_failure(listed, "", GOOD) is None, listed


def test_a_request_run_into_its_list_of_words_is_unglued():
    glued = "Create a children's book title from two random words.happiness, balloon"
    assert unglue(glued, '"The Balloon of Happiness"') == (
        "Create a children's book title from two random words.\n\nhappiness, balloon"
    )
    files = "Merge the files config.yaml, base.yaml into one"
    assert unglue(files, "Use yq.") == files
