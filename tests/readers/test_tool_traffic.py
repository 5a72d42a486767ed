"""Dataset formats with tool use, reasoning and images (LLaMA-Factory's
demos, ShareGPT function calling), and system prompts carried to every
exchange; fixtures written from what the real files show."""

from __future__ import annotations

import json

from loomcore.stages.exchanges import exchanges

from .helpers import pairs, read_path

TOOL_RESULT = "answer depends on a tool result that is not kept"
NO_ANSWER = "question with no visible answer (the reply was a tool call, an image or empty)"
IMAGE_QUESTION = "question refers to an image that is not carried"


def read(registry, tmp_path, text, name="data.jsonl"):
    path = tmp_path / name
    path.write_text(text)
    return read_path(registry, path)


def jsonl(*records):
    return "\n".join(json.dumps(r) for r in records) + "\n"


def part(kind, value):
    return {"type": kind, "value": value}


def test_llama_factory_value_parts_are_read(registry, tmp_path):
    record = {
        "messages": [
            {"role": "user", "content": [part("text", "hi")], "loss_weight": 0.0},
            {"role": "assistant", "content": [part("text", "Hello! I am {{name}}.")]},
        ]
    }
    name, [conv] = read(registry, tmp_path, jsonl(record))
    assert name == "openai_messages"
    assert pairs(conv) == [("user", "hi"), ("assistant", "Hello! I am {{name}}.")]


SYSTEM = "You are a methodical and expert assistant."


def test_reasoning_is_never_an_answer_and_tool_calls_drop_their_exchange(registry, tmp_path):
    direct = {
        "messages": [
            {"role": "system", "content": [part("text", SYSTEM)]},
            {"role": "user", "content": [part("text", "Schools near 40, -75?")]},
            {
                "role": "assistant",
                "content": [
                    part("reasoning", "None of the tools fit."),
                    part("text", "Sorry, no tool finds schools."),
                ],
            },
        ]
    }
    with_tool = {
        "messages": [
            {"role": "system", "content": [part("text", SYSTEM)]},
            {"role": "user", "content": [part("text", 'Tell me about "Inception".')]},
            {
                "role": "assistant",
                "content": [
                    part("reasoning", "I'll call get_movie_details."),
                    part("tool_call", '{"name": "get_movie_details"}'),
                ],
            },
            {"role": "tool", "content": [part("text", '[{"director": "Christopher Nolan"}]')]},
            {
                "role": "assistant",
                "content": [part("text", "It was directed by Christopher Nolan.")],
            },
        ]
    }
    call_only = {
        "messages": [
            {"role": "user", "content": [part("text", "Weather in Paris?")]},
            {"role": "assistant", "content": [part("tool_call", '{"name": "weather"}')]},
        ]
    }
    _, (conv, tooled, unanswered) = read(registry, tmp_path, jsonl(direct, with_tool, call_only))
    assert pairs(conv) == [
        ("system", SYSTEM),
        ("user", "Schools near 40, -75?"),
        ("assistant", "Sorry, no tool finds schools."),
    ]
    # read, nothing kept: valid records of tool use, not bad ones
    assert (tooled.turns, tooled.metadata["dropped_exchanges"]) == ((), {TOOL_RESULT: 1})
    assert (unanswered.turns, unanswered.metadata["dropped_exchanges"]) == ((), {NO_ANSWER: 1})


def test_openai_tool_calls_and_tool_messages(registry, tmp_path):
    record = {
        "messages": [
            {"role": "user", "content": "What is 2 + 2?"},
            {"role": "assistant", "content": "4."},
            {"role": "user", "content": "And the weather?"},
            {"role": "assistant", "content": "Let me check.", "tool_calls": [{"id": "t1"}]},
            {"role": "tool", "content": "sunny", "tool_call_id": "t1"},
            {"role": "assistant", "content": "It is sunny."},
        ]
    }
    _, [conv] = read(registry, tmp_path, jsonl(record))
    assert pairs(conv) == [("user", "What is 2 + 2?"), ("assistant", "4.")]
    assert conv.metadata == {"tool_turns_skipped": 2, "dropped_exchanges": {TOOL_RESULT: 1}}


def test_image_placeholder_questions_are_dropped_with_a_reason(registry, tmp_path):
    data = [
        {
            "messages": [
                {"content": "<image>Who is he?", "role": "user"},
                {"content": "He's Thomas Muller.", "role": "assistant"},
                {"content": "Which club does Muller play for?", "role": "user"},
                {"content": "Bayern Munich.", "role": "assistant"},
            ],
            "images": ["mllm_demo_data/2.jpg"],
        },
        {
            "messages": [
                {"content": "<image>Who are they?", "role": "user"},
                {"content": "Kane and Gretzka.", "role": "assistant"},
                {"content": "What are they doing?<image>", "role": "user"},
                {"content": "Celebrating.", "role": "assistant"},
            ],
            "images": ["1.jpg", "1.jpg"],
        },
    ]
    name, (conv, images) = read(registry, tmp_path, json.dumps(data, indent=2), "mllm.json")
    assert name == "openai_messages"
    assert pairs(conv) == [
        ("user", "Which club does Muller play for?"),
        ("assistant", "Bayern Munich."),
    ]
    assert conv.metadata["dropped_exchanges"] == {IMAGE_QUESTION: 1}
    assert (images.turns, images.metadata["dropped_exchanges"]) == ((), {IMAGE_QUESTION: 2})


def test_sharegpt_answer_to_a_dropped_observation_is_dropped(registry, tmp_path):
    data = [
        {
            "conversations": [
                {"from": "human", "value": "Can you help me find a recipe?"},
                {"from": "gpt", "value": "Of course! What ingredients do you have?"},
                {"from": "human", "value": "I have chicken, bell peppers, and rice."},
                {"from": "function_call", "value": '{"name": "search_recipes"}'},
                {"from": "observation", "value": '{"recipes": [{"name": "Stir Fry"}]}'},
                {"from": "gpt", "value": "I found two recipes for you."},
                {"from": "human", "value": "Thanks! How long do I cook rice?"},
                {"from": "gpt", "value": "About 18 minutes."},
            ],
            "tools": '[{"name": "search_recipes"}]',
        }
    ]
    name, [conv] = read(registry, tmp_path, json.dumps(data), "share.json")
    assert name == "sharegpt"
    assert pairs(conv) == [
        ("user", "Can you help me find a recipe?"),
        ("assistant", "Of course! What ingredients do you have?"),
        ("user", "Thanks! How long do I cook rice?"),
        ("assistant", "About 18 minutes."),
    ]
    assert conv.metadata == {"tool_turns_skipped": 2, "dropped_exchanges": {TOOL_RESULT: 1}}


def test_sharegpt_missing_turn_drops_its_question_without_merging(registry, tmp_path):
    data = {
        "conversations": [
            {"from": "human", "value": "How could I implement minesweeper with topology?"},
            {"from": "gpt", "value": ""},
            {"from": "human", "value": "Could you give me the gist?"},
            {"from": "gpt", "value": "Sure. Represent the board as a complex."},
        ]
    }
    _, [conv] = read(registry, tmp_path, json.dumps(data, indent=2), "axolotl.json")
    assert pairs(conv) == [
        ("user", "Could you give me the gist?"),
        ("assistant", "Sure. Represent the board as a complex."),
    ]
    assert conv.metadata == {"dropped_exchanges": {NO_ANSWER: 1}}


def test_system_prompts_travel_with_every_exchange(registry, tmp_path):
    openai = {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "What is a mutex?"},
            {"role": "assistant", "content": "A lock."},
            {"role": "user", "content": "And a semaphore?"},
            {"role": "assistant", "content": "A counter."},
        ]
    }
    _, [conv] = read(registry, tmp_path, jsonl(openai))
    assert [m.metadata["system_prompt"] for m in exchanges(conv)] == ["Be brief.", "Be brief."]
    sharegpt = [
        {
            "conversations": [
                {"from": "system", "value": "You are a chef."},
                {"from": "human", "value": "Rice?"},
                {"from": "gpt", "value": "Rinse it."},
            ],
            "system": "Answer in English.",
        }
    ]
    _, [conv] = read(registry, tmp_path, json.dumps(sharegpt), "share.json")
    [memory] = exchanges(conv)
    assert memory.metadata["system_prompt"] == "Answer in English.\n\nYou are a chef."
    alpaca = [
        {"instruction": "Convert 98.6 F.", "input": "", "output": "37 C.", "system": "Be exact."}
    ]
    _, [conv] = read(registry, tmp_path, json.dumps(alpaca), "alpaca.json")
    [memory] = exchanges(conv)
    assert memory.metadata["system_prompt"] == "Be exact."
    assert (memory.user_input, memory.system_output) == ("Convert 98.6 F.", "37 C.")


def test_no_system_prompt_no_key(registry, tmp_path):
    record = {
        "messages": [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hi!"}]
    }
    _, [conv] = read(registry, tmp_path, jsonl(record))
    [memory] = exchanges(conv)
    assert "system_prompt" not in memory.metadata


def test_what_readers_leave_out_is_counted_in_the_summary_and_manifest(registry, tmp_path):
    from loomcore.pipeline import Pipeline, RunOptions

    record = {
        "conversations": [
            {"from": "human", "value": "What's the weather in Paris right now?"},
            {
                "from": "function_call",
                "value": '{"name": "weather", "arguments": {"city": "Paris"}}',
            },
            {"from": "observation", "value": '{"temp": 21}'},
            {"from": "gpt", "value": "It is 21 degrees and sunny in Paris at the moment."},
            {"from": "human", "value": "Why is the sky blue during the day?"},
            {
                "from": "gpt",
                "value": "Air scatters blue light more than red light, so the sky looks blue.",
            },
        ]
    }
    src = tmp_path / "tools.json"
    src.write_text(json.dumps([record]))
    stats = Pipeline(registry, RunOptions(formats=("raw",))).run([str(src)], tmp_path / "out")
    assert stats.summary()["exchanges_left_out_by_readers"] == {TOOL_RESULT: 1}
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["exchanges"]["left_out_by_readers"] == {TOOL_RESULT: 1}
    [line] = (tmp_path / "out" / "raw.jsonl").read_text().splitlines()
    assert json.loads(line)["instruction"] == "Why is the sky blue during the day?"


NO_QUESTION = "answer with no question before it (a greeting, or a cut conversation)"


def test_an_empty_question_keeps_its_answer_out_of_the_answer_before_it(registry, tmp_path):
    # review: the answer to a blank question was joined to the previous answer
    sharegpt = {
        "conversations": [
            {
                "from": "human",
                "value": "What is the boiling point of water at sea level in Celsius?",
            },
            {"from": "gpt", "value": "Water boils at 100 degrees Celsius at sea level."},
            {"from": "human", "value": "   "},
            {"from": "gpt", "value": "Here is my private note about the staging server."},
            {"from": "gpt", "value": "And a second part of it."},
        ]
    }
    messages = {
        "messages": [
            {
                "role": "user",
                "content": "What is the boiling point of water at sea level in Celsius?",
            },
            {"role": "assistant", "content": "Water boils at 100 degrees Celsius at sea level."},
            {"role": "user", "content": ""},
            {"role": "assistant", "content": "Here is my private note about the staging server."},
        ]
    }
    for name, record in (("sharegpt.json", [sharegpt]), ("messages.jsonl", None)):
        text = json.dumps(record) if record else jsonl(messages)
        _, [conv] = read(registry, tmp_path, text, name)
        assert pairs(conv) == [
            ("user", "What is the boiling point of water at sea level in Celsius?"),
            ("assistant", "Water boils at 100 degrees Celsius at sea level."),
        ], name
        assert conv.metadata["dropped_exchanges"] == {NO_QUESTION: 1}, name


def test_an_empty_turn_before_any_answer_keeps_the_question_waiting(registry, tmp_path):
    record = {
        "conversations": [
            {"from": "human", "value": "What is the capital of Peru?"},
            {"from": "human", "value": ""},
            {"from": "gpt", "value": "Lima is the capital of Peru."},
            {"from": "human", "value": "And of Chile?"},
            {"from": "gpt", "value": "Santiago."},
        ]
    }
    _, [conv] = read(registry, tmp_path, json.dumps([record]), "sharegpt.json")
    assert pairs(conv) == [
        ("user", "What is the capital of Peru?"),
        ("assistant", "Lima is the capital of Peru."),
        ("user", "And of Chile?"),
        ("assistant", "Santiago."),
    ]
    assert "dropped_exchanges" not in conv.metadata
