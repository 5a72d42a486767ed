"""definition: the whole term, the whole sentence; never pronouns, vague subjects or opinions."""

from ..conftest import mine_exchange


def defs(user, reply):
    return mine_exchange(user, reply, "definition")


def test_bold_term_with_article_is_the_whole_name():
    assert defs(
        "What is Thompson Sampling?", "**Thompson Sampling** is a Bayesian approach to bandits."
    ) == [
        {
            "term": "Thompson Sampling",
            "definition": "Thompson Sampling is a Bayesian approach to bandits.",
        }
    ]


def test_appositive_and_short_for_keep_the_term_first():
    reply = (
        "The **Global Interpreter Lock**, or GIL, is a mutex in CPython. "
        "**DOMS**, short for delayed onset muscle soreness, is the pain after exercise."
    )
    assert [d["term"] for d in defs("Explain these.", reply)] == ["Global Interpreter Lock", "DOMS"]


def test_means_refers_to_and_is_when():
    reply = (
        "**Compound interest** means you earn interest on interest.\n\n"
        "- **Continuous Integration** refers to merging changes often.\n"
        "- **Overfitting** is when a model memorises its training data."
    )
    assert [d["term"] for d in defs("Define them", reply)] == [
        "Compound interest",
        "Continuous Integration",
        "Overfitting",
    ]


def test_pronoun_vague_and_evaluative_subjects_are_not_definitions():
    reply = (
        "It is a good approach for shipping safely. This is a common pattern. "
        "The result is a clean, linear history. The trade-off is on the write side. "
        "Rust is a great language. PostgreSQL is the safer choice. "
        "The server is a bit slow today. Tuples are also hashable."
    )
    assert defs("Tell me about Rust and PostgreSQL", reply) == []


def test_unemphasised_term_must_be_what_the_user_asked_about_or_a_name():
    reply = (
        "A sourdough starter is a fermented mixture of flour and water. A healthy starter is a joy."
    )
    assert defs("Tell me about sourdough starter.", reply) == [
        {
            "term": "sourdough starter",
            "definition": "A sourdough starter is a fermented mixture of flour and water.",
        }
    ]
    assert defs("Tell me about bread.", "A widget is a small gadget used in kitchens.") == []


def test_code_blocks_and_trailing_colon():
    reply = (
        "**ACID** is a set of four guarantees that transactions provide:\n\n"
        "```python\nx = 'A thing is a thing.'\n```\n"
    )
    assert defs("What does ACID mean?", reply) == [
        {
            "term": "ACID",
            "definition": "ACID is a set of four guarantees that transactions provide.",
        }
    ]


def test_list_labels_and_glosses_are_not_terms():
    reply = "- **Recovery**: HIIT is a hard workout.\n- **529 plan** – a state account; it is the best pick."
    assert defs("HIIT or not?", reply) == []


def test_a_short_name_in_brackets_is_what_the_user_asked_about():
    reply = "A virtual private network (VPN) is an encrypted tunnel between a device and a server."
    assert defs("What is a VPN?", reply) == [
        {"term": "virtual private network", "definition": reply}
    ]
    # unasked, the spelled-out name is no more salient than before
    assert defs("Any tips for travelling?", reply) == []


def test_a_plural_kind_defines_a_plural_term_the_user_asked_about():
    reply = "Embeddings are dense vectors that place similar items close together."
    assert defs("What are embeddings?", reply) == [{"term": "Embeddings", "definition": reply}]
    # what they do, how they are judged, or two things at once: not what they are
    for question, reply in (
        ("What are embeddings?", "Embeddings are learned during training."),
        ("What are embeddings?", "Embeddings are useful for search and ranking."),
        ("What are the birds doing?", "The birds are chirping in the trees."),
        ("What are HIIT and LISS?", "HIIT and LISS are two styles of cardio workouts."),
    ):
        assert defs(question, reply) == [], reply


def test_a_term_asked_about_in_its_other_number_is_salient():
    assert defs(
        "Tell me about bacteria.",
        "A bacterium is a single-celled organism without a nucleus. Some cause disease.",
    ) == [
        {
            "term": "bacterium",
            "definition": "A bacterium is a single-celled organism without a nucleus.",
        }
    ]
    # a word that only starts the same way is another word
    assert defs("What is a processor?", "A procession is a line of people moving along.") == []


def test_a_bracket_right_after_the_name_is_part_of_it():
    assert defs(
        "What is a 401(k)?", "A 401(k) is a retirement savings plan run by an employer."
    ) == [
        {
            "term": "401(k)",
            "definition": "A 401(k) is a retirement savings plan run by an employer.",
        }
    ]


def test_descriptive_adjectives_before_a_kind_define_what_was_asked():
    assert defs(
        "What is an SSD cache?",
        "An SSD cache is a small, fast drive placed in front of slower disks.",
    ) == [
        {
            "term": "SSD cache",
            "definition": "An SSD cache is a small, fast drive placed in front of slower disks.",
        }
    ]
    # an opinion names no kind, or a vague one; and only a what-is question counts
    assert defs("What is Go?", "Go is a popular choice for web servers.") == []
    assert defs("What is Go?", "Go is a small price to pay for speed.") == []
    assert defs("Describe the park.", "The park is a popular destination all year round.") == []


def test_a_field_or_contrast_before_the_term_is_not_part_of_it():
    assert defs(
        "Define entropy.", "In thermodynamics, entropy is a measure of the disorder of a system."
    ) == [
        {
            "term": "entropy",
            "definition": "In thermodynamics, entropy is a measure of the disorder of a system.",
        }
    ]
    # a connective links to the sentence before: the definition stands without it
    assert defs(
        "What is an interpreter?",
        "A compiler translates code ahead of time. In contrast, an interpreter is a program "
        "that runs code directly.",
    ) == [
        {
            "term": "interpreter",
            "definition": "An interpreter is a program that runs code directly.",
        }
    ]
    # a summing-up evaluates
    assert defs("What is remote work?", "In conclusion, remote work is the future of jobs.") == []


def test_an_appositive_with_an_article_names_the_term_before_it():
    assert defs(
        "Can you tell me what DNS is?",
        "DNS, the Domain Name System, is the directory that maps names to IP addresses.",
    ) == [
        {
            "term": "DNS",
            "definition": "DNS, the Domain Name System, is the directory that maps names to IP addresses.",
        }
    ]
    # a setting before the comma is not a term
    assert defs("Which load balancer on AWS?", "On AWS, the usual options are ALB and NLB.") == []


def test_is_one_that_defines_a_term_the_question_names_in_part():
    assert defs(
        "What does volatile mean in Java?",
        "A volatile variable is one whose value is always read from main memory, not a cache.",
    ) == [
        {
            "term": "volatile variable",
            "definition": "A volatile variable is one whose value is always read from main memory, not a cache.",
        }
    ]
    # not asked about: "one that" judges ("a good manager is one who listens")
    assert defs("How do I lead a team?", "A good manager is one who listens before deciding.") == []


def test_an_or_appositive_with_a_tail_of_its_own_keeps_the_first_name():
    assert defs(
        "What is the nucleus of a cell?",
        "The nucleus, or control centre, of a cell is the organelle that holds its DNA.",
    ) == [
        {
            "term": "nucleus",
            "definition": "The nucleus, or control centre, of a cell is the organelle that holds its DNA.",
        }
    ]


def test_a_vague_head_names_a_thing_when_the_user_asked_about_it():
    assert defs(
        "Tell me about the placebo effect",
        "The placebo effect is an improvement in symptoms that comes from expecting treatment.",
    ) == [
        {
            "term": "placebo effect",
            "definition": "The placebo effect is an improvement in symptoms that comes from expecting treatment.",
        }
    ]
    # not asked about, and no capital: a vague head names nothing
    assert defs("What did the study find?", "The main effect is a drop in blood pressure.") == []


def test_a_capital_the_sentence_did_not_give_makes_a_judging_word_part_of_a_name():
    assert defs(
        "Tell me about the Great Wall of China.",
        "The Great Wall of China is a series of fortifications built across northern China.",
    ) == [
        {
            "term": "Great Wall of China",
            "definition": "The Great Wall of China is a series of fortifications built across northern China.",
        }
    ]
    # the sentence's own capital: still a judgement
    assert defs("Is Python good?", "Great languages are a joy to use every single day.") == []


def test_an_amount_of_a_thing_is_no_term_but_a_number_alone_may_be():
    assert (
        defs("What was the original price?", "A 20% discount means you pay 80% of the price.") == []
    )
    assert defs("What is 1984?", "1984 is a dystopian novel by George Orwell.") == [
        {"term": "1984", "definition": "1984 is a dystopian novel by George Orwell."}
    ]


def test_a_plural_kind_may_be_measured_after_its_noun():
    reply = (
        "Microplastics are tiny plastic particles less than 5 mm long that come from plastic waste."
    )
    assert defs("What are microplastics?", reply) == [
        {"term": "Microplastics", "definition": reply}
    ]


def test_a_gerund_with_its_object_defines_a_term_asked_about():
    reply = "Sympathy is feeling concern or pity for someone's hardship."
    assert defs("What is the difference between empathy and sympathy?", reply) == [
        {"term": "Sympathy", "definition": reply}
    ]
    # what the thing is doing right now is no definition
    assert (
        defs("What is Kubernetes doing?", "Kubernetes is restarting your pod every minute.") == []
    )


def test_a_formula_after_the_copula_is_no_definition():
    assert (
        defs(
            "What's the area of a circle?",
            "The area of a circle is A = πr², where r is the radius.",
        )
        == []
    )


def test_a_quoted_word_in_the_question_is_asked_about():
    reply = "An idempotent operation is one that has the same effect however often you call it."
    assert defs("What does 'idempotent' mean in APIs?", reply) == [
        {"term": "idempotent operation", "definition": reply}
    ]
