"""One example per purpose: whole answers for what the user asked, labels for
every pattern found, no fragment beside its whole."""

import json

import pytest

from loomcore import SynthesisConfig, TrainingExample
from loomcore.compose import Built, compose
from loomcore.pipeline import Pipeline, RunOptions

from ..conftest import raw_memory

HOW = "How do I make cold brew coffee at home?"
STEPS = (
    "Cold brew takes a day but little work.\n\n"
    "1. Grind 100 g of coffee coarsely.\n"
    "2. Stir it into 1 litre of cold water.\n"
    "3. Leave it in the fridge for 18 hours.\n"
    "4. Strain it through a paper filter.\n\n"
    "Dilute it one to one with milk or water."
)


def ex(instruction, output):
    return TrainingExample(instruction=instruction, output=output)


def test_builders_that_make_the_same_example_keep_one_named_by_the_most_specific():
    whole = ex(HOW, STEPS)
    made = [Built(whole, asked=True, priority=-1), Built(whole, asked=True, priority=0)]
    [kept] = compose(made, ["qa_pair", "procedure", "qa_pair"], SynthesisConfig())
    assert kept.labels == ("procedure", "qa_pair")


def test_an_excerpt_comes_only_with_derived_examples_and_never_beside_its_whole():
    whole, step = ex(HOW, STEPS), ex(HOW, "Grind 100 g of coffee coarsely.")
    other = ex("What is cold brew?", "Cold brew takes a day but little work.")
    made = [Built(whole, True), Built(step, False), Built(other, False)]
    assert [e.output for e in compose(made, [], SynthesisConfig())] == [STEPS]
    derived = compose(made, [], SynthesisConfig(derived_examples=True))
    # the step answers the same question as the whole: a fragment, left out
    assert [e.instruction for e in derived] == [HOW, "What is cold brew?"]


def test_a_miner_that_does_not_say_keeps_its_examples():
    third_party = ex("Show the grind step as code.", "grind(100)")
    [kept] = compose([Built(third_party, None)], ["code_snippet"], SynthesisConfig())
    assert kept.output == "grind(100)"


def test_an_asked_procedure_is_the_whole_answer_not_one_section(registry):
    from loomcore import MemoryEnricher, PatternExtractor
    from loomcore.stages.build import examples_of

    enriched = MemoryEnricher(registry).enrich(raw_memory(HOW, STEPS))
    patterns = PatternExtractor(0.0, registry=registry).extract_patterns([enriched])
    assert {p.pattern_type for p in patterns} >= {"procedure", "qa_pair"}
    assert next(p for p in patterns if p.pattern_type == "procedure").asked is True
    [example] = examples_of(registry, patterns, SynthesisConfig(min_confidence=0.0))
    assert (example.pattern_type, example.instruction, example.output) == (
        "procedure",
        HOW,
        STEPS,
    )


def test_a_run_writes_one_example_per_exchange_with_its_labels(tmp_path):
    src = tmp_path / "chat.jsonl"
    row = {"messages": [{"role": "user", "content": HOW}, {"role": "assistant", "content": STEPS}]}
    src.write_text(json.dumps(row) + "\n")
    from loomcore import Registry, get_plugin_manager

    Pipeline(Registry(get_plugin_manager()), RunOptions(formats=("raw",))).run(
        [str(src)], tmp_path / "out"
    )
    [line] = (tmp_path / "out" / "raw.jsonl").read_text().splitlines()
    raw = json.loads(line)
    assert raw["instruction"] == HOW and raw["output"] == STEPS
    assert raw["metadata"]["pattern_type"] == "procedure"
    assert raw["metadata"]["labels"] == ["procedure", "qa_pair"]


def test_the_conversations_own_system_prompt_wins_unless_told_to_override(registry):
    from loomcore import MemoryEnricher, PatternExtractor
    from loomcore.stages.build import examples_of

    raw = raw_memory(HOW, STEPS)
    raw["metadata"]["system_prompt"] = "You are a barista."
    enriched = MemoryEnricher(registry).enrich(raw)
    patterns = PatternExtractor(0.0, registry=registry).extract_patterns([enriched])

    def system(**config):
        [e] = examples_of(registry, patterns, SynthesisConfig(min_confidence=0.0, **config))
        return e.system

    assert system() == "You are a barista."
    assert system(system_prompt="Be brief.") == "You are a barista."
    assert system(system_prompt="Be brief.", override_system_prompt=True) == "Be brief."


def test_the_command_line_writes_excerpts_only_when_asked(tmp_path):
    from click.testing import CliRunner

    from loomcore.cli import cli

    def lines(*flags):
        out = tmp_path / "-".join(flags or ("plain",))
        result = CliRunner().invoke(cli, ["run", "-q", "-f", "raw", "-o", str(out), *flags])
        assert result.exit_code == 0, result.output
        return [json.loads(x) for x in (out / "raw.jsonl").read_text().splitlines()]

    plain, derived = lines(), lines("--derived-examples")
    assert len(plain) == 8
    assert len(derived) == 12
    assert {(r["instruction"], r["output"]) for r in plain} <= {
        (r["instruction"], r["output"]) for r in derived
    }


def test_a_question_pointing_at_an_earlier_turn_keeps_it_as_history():
    from loomcore import Conversation, Registry, Turn, get_plugin_manager
    from loomcore.stages.annotate import enrich, mine
    from loomcore.stages.build import examples_of
    from loomcore.stages.exchanges import exchanges

    registry = Registry(get_plugin_manager())
    code = "```python\ndef total(xs):\n    return sum(xs)\n```"
    conv = Conversation(
        "c1",
        (
            Turn("user", "Write a Python function that sums a list of prices."),
            Turn("assistant", f"Here is one:\n\n{code}"),
            Turn(
                "user",
                "Can you please rewrite the function above so that it skips None values "
                "and empty strings as well?",
            ),
            Turn(
                "assistant",
                "Filter them out first:\n\n```python\ndef total(xs):\n"
                "    return sum(x for x in xs if x is not None)\n```",
            ),
        ),
    )
    second = list(exchanges(conv))[1]
    patterns = mine(registry, enrich(registry, second))
    [example] = examples_of(registry, patterns, SynthesisConfig(min_confidence=0.0))
    assert example.history == (
        ("Write a Python function that sums a list of prices.", f"Here is one:\n\n{code}"),
    )


def test_the_same_example_told_apart_by_spacing_or_case_is_kept_once():
    a, b = ex(HOW, STEPS), ex(HOW + " ", STEPS.replace("Cold brew", "cold  brew"))
    assert len(compose([Built(a, True), Built(b, True)], [], SynthesisConfig())) == 1


@pytest.mark.parametrize(
    ("message", "leans"),
    [
        ("now do it in Python", True),
        ("shorter please", True),
        ("try again", True),
        ("Same but for JavaScript", True),
        ("Thanks, can you give me more examples?", True),
        ("why?", True),
        # a request that names nothing it is about
        ("give me a specific example", True),
        ("Could you explain that in more detail please", True),
        ("Give me an example of tail recursion in Scheme", False),
        ("How do I set up a PostgreSQL read replica?", False),
        ("What is the capital of Australia and why was it chosen?", True),
    ],
)
def test_a_message_about_the_answer_just_given_keeps_the_turns_before_it(message, leans):
    from loomcore.model import is_follow_up

    assert is_follow_up(message) is leans


def test_history_reaches_back_to_where_the_thread_starts():
    from loomcore.model import Turn, _thread

    turns = (
        Turn("user", "How could I solve Minesweeper boards with algebraic topology?"),
        Turn("assistant", "Treat the board as a simplicial complex and read its homology."),
        Turn("user", "give me a specific example"),
        Turn("assistant", "Take a 3x3 board whose centre square is unknown."),
        Turn("user", "explain the same concept again, assuming I know both fields"),
        Turn("assistant", "Each unknown square is a vertex; mines are holes."),
        Turn("user", "Tell me how the persistent homology of such a complex is computed."),
        Turn("assistant", "Filter the complex by distance and track its Betti numbers."),
    )
    # the last two exchanges begin on a follow-up: the one before them is kept too
    assert [q for q, _ in _thread(turns)] == [
        "How could I solve Minesweeper boards with algebraic topology?",
        "give me a specific example",
        "explain the same concept again, assuming I know both fields",
        "Tell me how the persistent homology of such a complex is computed.",
    ]
    # a thread that starts within the last two keeps just them
    assert [q for q, _ in _thread(turns[4:])] == [
        "explain the same concept again, assuming I know both fields",
        "Tell me how the persistent homology of such a complex is computed.",
    ]
