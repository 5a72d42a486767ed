"""Loading plugins from entry points, choosing them by name, collecting what they register."""

import importlib.metadata
import subprocess
import sys

import pytest

from loomcore import Exporter, Miner, Registry, UnknownPluginError, get_plugin_manager, hookimpl
from loomcore.registry import LoomcoreError, PluginError

from ..conftest import FORMATS, PATTERN_TYPES, READERS


def test_every_builtin_is_its_own_entry_point():
    eps = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="loomcore")}
    for name in PATTERN_TYPES:
        assert eps[name] == f"loomcore_plugins.patterns.{name}"
    for name in FORMATS:
        assert eps[name] == f"loomcore_plugins.formats.{name}"
    for name in READERS:
        assert eps[f"{name}_reader"] == f"loomcore_plugins.readers.{name}"
    assert eps["default_enricher"] == "loomcore_plugins.enrichers.default"
    assert eps["default_scorer"] == "loomcore_plugins.scorers.default"


def test_no_top_level_plugins_package_is_installed(tmp_path):
    # run outside the checkout, so that only what is installed is importable
    code = (
        "import importlib.util, pathlib, loomcore_plugins;"
        "print(importlib.util.find_spec('plugins'));"
        "print(pathlib.Path(loomcore_plugins.__file__).parent.name)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["None", "plugins"]


def test_registry_collects_all_builtins(registry):
    assert registry.pattern_types == PATTERN_TYPES
    # dpo (preference pairs) is loaded too, but written only when named
    assert list(registry.exporters) == sorted([*FORMATS, "dpo"])
    assert sorted(registry.builders) == PATTERN_TYPES
    assert list(registry.readers) == READERS
    assert [e.name for e in registry.enrichers] == ["default"]
    assert [s.name for s in registry.scorers] == ["default"]
    assert registry.miners[0].plugin == "causal"


def test_disable_removes_one_plugin_and_nothing_else():
    reg = Registry(get_plugin_manager(disable=["causal", "raw"]))
    assert reg.pattern_types == [t for t in PATTERN_TYPES if t != "causal"]
    assert list(reg.exporters) == ["alpaca", "chatml", "dpo", "sharegpt", "text"]


def test_only_loads_the_named_plugins():
    reg = Registry(get_plugin_manager(only="qa_pair,alpaca"))
    assert reg.pattern_types == ["qa_pair"]
    assert list(reg.exporters) == ["alpaca"]
    assert reg.enrichers == []


def test_environment_variables_choose_plugins(monkeypatch):
    monkeypatch.setenv("LOOMCORE_LOAD_PLUGINS", "definition, chatml")
    monkeypatch.setenv("LOOMCORE_DISABLE_PLUGINS", "chatml")
    reg = Registry(get_plugin_manager())
    assert reg.pattern_types == ["definition"]
    assert list(reg.exporters) == []


def test_unknown_plugin_name_is_a_clear_error(monkeypatch):
    with pytest.raises(UnknownPluginError) as exc:
        get_plugin_manager(disable=["casual", "qa_pair"])
    assert str(exc.value).startswith(
        "unknown plugin: casual (installed: alpaca, alpaca_reader, arithmetic, causal,"
    )
    monkeypatch.setenv("LOOMCORE_LOAD_PLUGINS", "nope")
    with pytest.raises(UnknownPluginError, match="unknown plugin: nope"):
        get_plugin_manager()


def test_misspelt_hook_fails_loudly():
    class Bad:
        @hookimpl
        def register_minerz(self, register):
            pass

    with pytest.raises(Exception, match="register_minerz"):
        get_plugin_manager(plugins=[Bad()], load_entry_points=False)


def test_two_plugins_registering_one_format_name_is_an_error():
    class Dup:
        @hookimpl
        def register_exporters(self, register):
            register(Exporter("alpaca", lambda ex: {}))

    reg = Registry(get_plugin_manager(plugins=[Dup()]))
    with pytest.raises(LoomcoreError, match="output format 'alpaca' is registered twice"):
        _ = reg.exporters


def test_a_plugin_that_raises_while_registering_is_named():
    class Broken:
        @hookimpl
        def register_miners(self, register):
            raise RuntimeError("boom")

    pm = get_plugin_manager(plugins=[Broken()], load_entry_points=False)
    with pytest.raises(PluginError) as exc:
        _ = Registry(pm).miners
    # an in-process plugin is named by its class, not by pluggy's id-number name
    assert exc.value.plugin == "Broken"
    assert "failed in register_miners: RuntimeError: boom" in str(exc.value)


def test_register_rejects_the_wrong_kind_of_object():
    class Wrong:
        @hookimpl
        def register_miners(self, register):
            register(Exporter("x", lambda e: {}))

    with pytest.raises(PluginError, match="register_miners expects Miner objects"):
        _ = Registry(get_plugin_manager(plugins=[Wrong()], load_entry_points=False)).miners


def test_plugin_info_names_distribution_version_and_hooks(registry):
    rows = {r["name"]: r for r in registry.plugin_info()}
    assert rows["qa_pair"] == {
        "name": "qa_pair",
        "distribution": "loomcore",
        "version": "0.1.0",
        "hooks": ["register_example_builders", "register_miners"],
    }
    assert rows["alpaca"]["hooks"] == ["register_exporters"]


def test_miners_run_in_order_of_name_whatever_the_registration_order():
    class Z:
        @hookimpl
        def register_miners(self, register):
            register(Miner("zz", lambda m: []))

    class A:
        @hookimpl
        def register_miners(self, register):
            register(Miner("aa", lambda m: []))

    reg = Registry(get_plugin_manager(plugins=[Z(), A()], load_entry_points=False))
    assert [m.name for m in reg.miners] == ["aa", "zz"]


def test_two_registries_in_one_process_keep_their_own_options(tmp_path, monkeypatch):
    """Embedding: each registry binds its plugins to its own options; none
    leaks into another registry or into the process-wide functions."""
    from loomcore_plugins.formats import text

    from loomcore import Registry, TrainingExample, get_plugin_manager

    for var in ("LOOMCORE_TEXT_TEMPLATE", "LOOMCORE_TEXT_SEPARATOR", "LOOMCORE_TEXT_END_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    a, b = Registry(get_plugin_manager()), Registry(get_plugin_manager())
    a.configure({"text": {"template": "A:{role}:{content}\n"}})
    b.configure({"text": {"template": "B:{role}:{content}\n"}})
    example = TrainingExample(instruction="Q?", output="R.")
    assert a.exporter("text").render(example) == {"text": "A:user:Q?\nA:assistant:R.\n"}
    assert b.exporter("text").render(example) == {"text": "B:user:Q?\nB:assistant:R.\n"}
    assert text.render(example)["text"].startswith("<|im_start|>user\nQ?")
    # a later run of the same registry with no options is back to the default
    a.configure({})
    assert a.exporter("text").render(example) == text.render(example)


def test_the_model_layer_imports_nothing_above_it():
    import subprocess
    import sys

    code = (
        "import sys, loomcore.model as m\n"
        "print(sorted(k for k in sys.modules if k.startswith(('loomcore', 'cattrs', 'pluggy'))))\n"
        "print(m.TrainingExample(instruction='q', output='a').to_alpaca()['output'])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded, rendered = out.stdout.splitlines()
    assert loaded == str(
        [
            "loomcore",
            "loomcore.confidence",
            "loomcore.model",
            "loomcore.pattern_types",
            "loomcore.text",
            "loomcore.text.memo",
            "loomcore.text.regex",
            "loomcore.text.segment",
            "loomcore.text.sentences",
            "loomcore.text.smalltalk",
            "loomcore.text.standalone",
        ]
    )
    assert rendered == "a"  # to_<format>() still works: the registry layer loads on demand


def test_options_a_plugin_refuses_leave_the_registry_as_it_was(monkeypatch):
    from loomcore import LoomcoreError, Registry, TrainingExample, get_plugin_manager

    for var in ("LOOMCORE_TEXT_TEMPLATE", "LOOMCORE_TEXT_SEPARATOR", "LOOMCORE_TEXT_END_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    reg = Registry(get_plugin_manager())
    reg.configure({"text": {"template": "A:{role}:{content}\n"}})
    example = TrainingExample(instruction="Q?", output="R.")
    with pytest.raises(LoomcoreError, match="template must hold \\{content\\}"):
        reg.configure(
            {"text": {"template": "{role}\n"}, "default_scorer": {"domain_keywords": ["x"]}}
        )
    assert reg.exporter("text").render(example) == {"text": "A:user:Q?\nA:assistant:R.\n"}
    with pytest.raises(LoomcoreError, match="domain_keywords must be a list of strings"):
        reg.configure({"default_scorer": {"domain_keywords": "x"}})


def test_to_format_renders_with_the_registry_that_made_the_example():
    from loomcore import (
        DataSynthesizer,
        Exporter,
        LoomcoreError,
        MemoryEnricher,
        PatternExtractor,
        Registry,
        get_plugin_manager,
        hookimpl,
    )
    from loomcore.convert import from_dict, to_dict
    from loomcore.model import TrainingExample

    class Shouting:
        @hookimpl
        def register_exporters(self, register):
            register(Exporter("shout", lambda e: {"text": e.output.upper()}))

    pm = get_plugin_manager()
    pm.register(Shouting(), name="shouting")
    mine = Registry(pm)
    memory = {
        "id": "m1",
        "text": "What is a wok? A wok is a round-bottomed pan used for stir frying.",
        "metadata": {
            "user_input": "What is a wok?",
            "system_output": "A wok is a round-bottomed pan used for stir frying.",
        },
    }
    enriched = MemoryEnricher(registry=mine).enrich(memory)
    patterns = PatternExtractor(registry=mine).extract_patterns([enriched])
    [example] = DataSynthesizer(registry=mine).synthesize(patterns)
    assert example.to_shout() == {"text": "A WOK IS A ROUND-BOTTOMED PAN USED FOR STIR FRYING."}
    assert example.to_alpaca()["output"] == example.output  # and the built-in formats
    # the key is not data: the converter leaves it out, equality ignores it
    assert "made_by" not in to_dict(example)
    travelled = from_dict(to_dict(example), TrainingExample)
    assert travelled == example
    with pytest.raises(LoomcoreError, match="shout"):
        travelled.to_shout()  # made by no registry: the process-wide one has no such format


def test_an_example_renders_any_installed_format_its_registry_lacks():
    from loomcore import Registry, get_plugin_manager
    from loomcore.model import Memory, SynthesisConfig
    from loomcore.stages.annotate import enrich, mine, score
    from loomcore.stages.build import examples_of

    small = Registry(get_plugin_manager(only=["default_scorer", "qa_pair", "alpaca"]))
    memory = Memory(
        "m1",
        metadata={
            "user_input": "What is a wok?",
            "system_output": "A wok is a round-bottomed pan used for stir frying.",
        },
    )
    [example] = examples_of(
        small, mine(small, enrich(small, score(small, memory))), SynthesisConfig()
    )
    assert example.made_by == small.key
    assert example.to_chatml()["messages"][-1]["content"] == example.output


def test_examples_from_another_process_render_with_the_runs_registry():
    import attrs

    from loomcore.model import TrainingExample
    from loomcore.pipeline import Pipeline
    from loomcore.stages.work import Outcome

    pipe = Pipeline()
    # as a spawned worker's own registry stamps them: a key the parent never made
    foreign = TrainingExample(instruction="Q?", output="R.", made_by=12345)
    [example] = pipe.absorb(Outcome("m1", examples=(foreign,)))
    assert example.made_by == pipe.registry.key
    assert attrs.evolve(example, made_by=None) == foreign  # nothing else changed
