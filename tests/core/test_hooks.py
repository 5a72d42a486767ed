"""One test per hook: an in-process plugin implements it and the pipeline uses it.
And every hookspec is documented."""

import inspect
import io
import json
from collections import Counter

import attrs
import click
import orjson
from click.testing import CliRunner

from loomcore import (
    Conversation,
    Enricher,
    ExampleBuilder,
    Exporter,
    Miner,
    Reader,
    Redactor,
    Registry,
    Scorer,
    SynthesisConfig,
    TrainingExample,
    Turn,
    get_plugin_manager,
    hookimpl,
    hookspecs,
    make_pattern,
)
from loomcore.model import make_example
from loomcore.pipeline import Pipeline, RunOptions
from loomcore.stages.annotate import enrich, mine, score
from loomcore.stages.build import build

from ..conftest import raw_memory


def registry_with(*plugins, only=("raw_memory_reader",)):
    return Registry(get_plugin_manager(only=list(only), plugins=plugins))


def test_every_hookspec_is_documented_and_tested():
    specs = [
        n
        for n, f in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(f, "loomcore_spec")
    ]
    assert specs, "no hookspecs found"
    tests = {n for n in globals() if n.startswith("test_hook_")}
    for name in specs:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert "Called" in doc and ":return:" in doc, f"{name} is not fully documented"
        assert f"test_hook_{name}" in tests, f"{name} has no test"


class Upper:
    """A plugin that implements every registration hook, for the tests below."""

    @hookimpl
    def register_readers(self, register):
        def read(stream, path):
            for i, line in enumerate(stream.read().decode().splitlines()):
                q, a = line.split("|")
                yield Conversation(f"up{i}", (Turn("user", q), Turn("assistant", a)))

        register(Reader("pipes", read, sniff=lambda head: b"|" in head))

    @hookimpl
    def register_scorers(self, register):
        register(Scorer("length", lambda m: 0.9 if len(m.system_output) > 10 else 0.1))

    @hookimpl
    def register_enrichers(self, register):
        register(Enricher("shout", lambda m: attrs.evolve(m, keywords=(m.user_input.upper(),))))

    @hookimpl
    def register_miners(self, register):
        register(
            Miner(
                "shout",
                lambda m: [make_pattern(m, "shout", {"text": m.keywords[0]}, certainty=1.0)],
            )
        )

    @hookimpl
    def register_example_builders(self, register):
        register(
            ExampleBuilder(
                "shout", lambda p, cfg: [make_example(p, cfg, "Say it loud", p.content["text"])]
            )
        )

    @hookimpl
    def register_exporters(self, register):
        register(Exporter("pair", lambda ex: {"q": ex.instruction, "a": ex.output}))

    @hookimpl
    def register_commands(self, cli):
        @cli.command(name="hello")
        def hello():
            click.echo("hello from a plugin")


def test_hook_register_readers():
    reg = registry_with(Upper())
    convs = list(reg.readers["pipes"].read(io.BytesIO(b"hi there|a long enough answer\n"), "x"))
    assert convs == [
        Conversation("up0", (Turn("user", "hi there"), Turn("assistant", "a long enough answer")))
    ]


def test_hook_register_scorers():
    reg = registry_with(Upper())
    from loomcore.api import to_memory

    mem = to_memory(raw_memory("q?", "a long enough answer"))
    assert score(reg, attrs.evolve(mem, importance=None)).importance == 0.9
    assert score(reg, mem).importance == 0.8  # the source's own importance is kept


def test_hook_register_enrichers():
    reg = registry_with(Upper())
    from loomcore.api import to_memory

    assert enrich(reg, to_memory(raw_memory("what now", "x"))).keywords == ("WHAT NOW",)


def test_hook_register_miners():
    reg = registry_with(Upper())
    from loomcore.api import to_memory

    patterns = mine(reg, enrich(reg, to_memory(raw_memory("what now", "x"))))
    assert [(p.pattern_type, p.content, p.confidence) for p in patterns] == [
        ("shout", {"text": "WHAT NOW"}, 0.9)
    ]


def test_hook_register_example_builders():
    reg = registry_with(Upper())
    from loomcore.api import to_memory

    pattern = mine(reg, enrich(reg, to_memory(raw_memory("what now", "x"))))[0]
    [example] = build(reg, pattern, SynthesisConfig())
    assert (example.instruction, example.output, example.pattern_type) == (
        "Say it loud",
        "WHAT NOW",
        "shout",
    )
    assert example.source["memory_id"] == "m1"


def test_hook_register_conversation_builders(tmp_path):
    from loomcore.contracts import ConversationBuilder

    class Whole:
        @hookimpl
        def register_conversation_builders(self, register):
            def build(dialogue, config, budget, skipped):
                if not any(dialogue.train):
                    skipped("nothing to train")
                    return
                last = dialogue.exchanges[-1]
                yield TrainingExample(
                    instruction=last.user_input,
                    output=last.system_output,
                    kind="conversation",
                    weights=(1,),
                    source={"conversation_id": dialogue.id},
                )

            register(ConversationBuilder("echo", "conversation", build))

        @hookimpl
        def register_exporters(self, register):
            register(
                Exporter(
                    "whole",
                    lambda ex: {"q": ex.instruction, "w": list(ex.weights)},
                    kinds=("conversation",),
                )
            )

    reg = registry_with(Upper(), Whole())
    src = tmp_path / "in.txt"
    src.write_text("what now|a long enough answer\nok|no\n")
    options = RunOptions(formats=("pair", "whole"), conversations=True)
    stats = Pipeline(reg, options).run([str(src)], tmp_path / "out")
    assert (tmp_path / "out" / "whole.jsonl").read_text() == '{"q":"what now","w":[1]}\n'
    assert stats.conversation_examples == {
        "conversations": 1,
        "assistant_messages_trained": 1,
        "assistant_messages_not_trained": 0,
        "skipped: nothing to train": 1,
        # a chosen format that takes single exchanges only is told, counted
        "skipped: pair does not write conversations": 1,
    }


def test_hook_register_exporters(tmp_path):
    reg = registry_with(Upper())
    src = tmp_path / "in.txt"
    src.write_text("what now|a long enough answer\nok|no\n")
    stats = Pipeline(reg, RunOptions(formats=("pair",))).run([str(src)], tmp_path / "out")
    assert (tmp_path / "out" / "pair.jsonl").read_text() == '{"q":"Say it loud","a":"WHAT NOW"}\n'
    assert stats.below_importance == 1


def test_hook_register_redactors():
    from loomcore import Redactor
    from loomcore.api import to_memory
    from loomcore.stages.redact import redact

    def codenames(text, allow):
        return text.replace("Bluebird", "[CODENAME]"), {"CODENAME": text.count("Bluebird")}

    class Codenames:
        @hookimpl
        def register_redactors(self, register):
            register(Redactor("codenames", "secret", codenames))

    reg = registry_with(Codenames())
    counts = Counter()
    memory = redact(
        reg,
        to_memory(raw_memory("Is Bluebird late?", "Bluebird ships Friday.")),
        "secrets",
        counts=counts,
    )
    assert (memory.user_input, memory.system_output) == (
        "Is [CODENAME] late?",
        "[CODENAME] ships Friday.",
    )
    assert counts == {"CODENAME": 2}
    assert (
        redact(reg, to_memory(raw_memory("Is Bluebird late?", "x")), "none").user_input
        == "Is Bluebird late?"
    )


def test_hook_register_executors(tmp_path):
    from loomcore import Executor
    from loomcore.pipeline import process_memory

    seen = []

    def backwards(plan, memories):
        # an executor may work in any order inside, but yields in input order
        batch = list(memories)
        outcomes = {m.id: process_memory(plan.registry, plan.options, m) for m in reversed(batch)}
        seen.extend(reversed([m.id for m in batch]))
        for m in batch:
            yield outcomes[m.id]

    class Backwards:
        @hookimpl
        def register_executors(self, register):
            register(Executor("backwards", backwards))

    registry = Registry(get_plugin_manager(plugins=[Backwards()]))
    stats = Pipeline(registry, RunOptions(executor="backwards", formats=("alpaca",))).run(
        None, tmp_path / "b"
    )
    Pipeline(registry, RunOptions(formats=("alpaca",))).run(None, tmp_path / "here")
    assert seen[0] == "s13" and stats.memories == 13
    assert (tmp_path / "b" / "alpaca.jsonl").read_bytes() == (
        tmp_path / "here" / "alpaca.jsonl"
    ).read_bytes()


def test_hook_register_token_counters():
    from loomcore import counting
    from loomcore.contracts import TokenCounter

    class Words:
        @hookimpl
        def register_token_counters(self, register):
            register(
                TokenCounter("words", lambda s: s == "words", lambda s: lambda t: len(t.split()))
            )

    registry = registry_with(Words(), only=("token_counters",))
    assert sorted(registry.token_counters) == ["estimate", "tiktoken", "tokenizers", "words"]
    assert counting.counter("words", registry)("one two three") == 3
    assert counting.counter(None, registry)("one two three") == 4  # the estimate: 13 chars / 4


def test_hook_register_commands(monkeypatch):
    from loomcore import cli as cli_module

    group = click.Group(commands=dict(cli_module.cli.commands), name="loomcore")
    registry_with(Upper()).register_commands(group)
    result = CliRunner().invoke(group, ["hello"])
    assert result.output == "hello from a plugin\n"


def test_hook_register_filters(tmp_path):
    from loomcore import ExampleFilter

    class NoCausal:
        def __init__(self, options):
            self.options = options

        def see(self, example):
            return "no_causal" if example.pattern_type == "causal" else None

        def finish(self):
            return {}

    class Filters:
        @hookimpl
        def register_filters(self, register):
            register(ExampleFilter("no_causal", NoCausal))

    registry = Registry(get_plugin_manager(plugins=[Filters()], disable=["dedup"]))
    stats = Pipeline(registry, RunOptions(formats=("raw",))).run(None, tmp_path)
    # the sample's one causal example: "Why does my Python script get slower ...?"
    # (causal sentences met in passing give no example by default)
    assert stats.examples_filtered == {"no_causal": 1}
    rows = [json.loads(line) for line in (tmp_path / "raw.jsonl").read_text().splitlines()]
    assert rows and all(r["metadata"]["pattern_type"] != "causal" for r in rows)


def test_hook_configure(tmp_path):
    class Tagger:
        def __init__(self):
            self.tag = "none"
            self.calls = []

        @hookimpl
        def configure(self, options):
            self.calls.append(options)
            self.tag = options.get("tag", "none")

        @hookimpl
        def register_exporters(self, register):
            register(Exporter("tagged", lambda ex: {"tag": self.tag, "id": ex.id}))

    tagger = Tagger()
    registry = Registry(get_plugin_manager(plugins=[tagger], disable=["text"]))
    options = RunOptions(formats=("tagged",), plugin_options={"Tagger": {"tag": "x"}})
    Pipeline(registry, options).run(None, tmp_path / "a")
    Pipeline(registry, RunOptions(formats=("tagged",))).run(None, tmp_path / "b")
    first = (tmp_path / "a" / "tagged.jsonl").read_text().splitlines()
    second = (tmp_path / "b" / "tagged.jsonl").read_text().splitlines()
    assert {orjson.loads(x)["tag"] for x in first} == {"x"}
    # the next run without options resets the plugin: nothing lingers
    assert {orjson.loads(x)["tag"] for x in second} == {"none"}
    assert tagger.calls == [{"tag": "x"}, {}]


def test_each_turn_of_a_conversation_is_redacted_once(tmp_path):
    """Every exchange carries the turns before it; they must not be redacted
    again for each exchange (that made redaction quadratic in the length of a
    conversation) nor counted again."""
    from loomcore.pipeline import Pipeline, RunOptions

    seen = []

    def codenames(text, allow):
        seen.append(text)
        return text.replace("Bluebird", "[CODENAME]"), {"CODENAME": text.count("Bluebird")}

    class Codenames:
        @hookimpl
        def register_redactors(self, register):
            register(Redactor("codenames", "secret", codenames))

    reg = registry_with(Codenames(), only=("openai_messages_reader", "raw", "qa_pair"))
    messages = []
    for i in range(40):
        messages += [
            {"role": "user", "content": f"Why is Bluebird late, part {i}?"},
            {"role": "assistant", "content": f"Bluebird waits for review {i} before it can ship."},
        ]
    src = tmp_path / "chat.jsonl"
    src.write_text(json.dumps({"id": "c1", "messages": messages}) + "\n")
    stats = Pipeline(reg, RunOptions(redact="secrets", min_importance=0.0)).run(
        [str(src)], tmp_path / "out"
    )
    # every turn once; besides the turns only the file name (in the examples'
    # source, the summary and the manifest) and the conversation's id, which
    # reach the outputs too
    turns = [m["content"] for m in messages]
    times = Counter(seen)
    assert [times[t] for t in turns] == [1] * len(turns)
    assert set(times) - set(turns) == {str(src), "c1"}
    assert stats.redactions == {"CODENAME": 80}
    lines = [json.loads(line) for line in (tmp_path / "out" / "raw.jsonl").read_text().splitlines()]
    assert len(lines) == 40 and not any("Bluebird" in json.dumps(line) for line in lines)


def test_pipelines_in_threads_keep_their_conversations_apart(tmp_path):
    """The per-conversation redaction cache is per thread: two runs at once
    write what each writes alone."""
    import threading

    from loomcore.pipeline import Pipeline, RunOptions

    def chat(name):
        messages = []
        for i in range(30):
            messages += [
                {"role": "user", "content": f"Why is {name} late, part {i}? Mail {name}@x.io"},
                {"role": "assistant", "content": f"{name} waits for review {i} before shipping."},
            ]
        src = tmp_path / f"{name}.jsonl"
        src.write_text(json.dumps({"id": name, "messages": messages}) + "\n")
        return src

    def run(src, out):
        Pipeline(options=RunOptions(min_importance=0.0)).run([str(src)], out)
        return (out / "raw.jsonl").read_text()

    sources = [chat("bluebird"), chat("redwing")]
    alone = [run(src, tmp_path / f"alone-{src.stem}") for src in sources]
    together: dict[str, str] = {}
    threads = [
        threading.Thread(
            target=lambda s=src: together.__setitem__(s.stem, run(s, tmp_path / f"both-{s.stem}"))
        )
        for src in sources
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [together[s.stem] for s in sources] == alone
    assert "redwing" not in alone[0] and "[EMAIL]" in alone[0]
