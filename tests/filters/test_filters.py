"""Deduplication keeps the best copy of planted paraphrases; quality gates drop
what teaches nothing."""

from typing import ClassVar

import pytest
from datasketch.hashfunc import sha1_hash32
from loomcore_plugins.filters.dedup import Deduplicator, shingle_hashes
from loomcore_plugins.filters.quality import QualityGates, estimate_tokens

from loomcore import TrainingExample

ANSWER = (
    "To reset your password, open Settings, choose Security, click Reset password and follow the link "
    "we e-mail you within five minutes; the link expires after one hour."
)


def ex(id, instruction, output, confidence=0.8):
    return TrainingExample(instruction=instruction, output=output, confidence=confidence, id=id)


def run(dedup, examples):
    now = {e.id: dedup.see(e) for e in examples}
    late = dedup.finish()
    return [e.id for e in examples if not now[e.id] and e.id not in late], {
        **{k: v for k, v in now.items() if v},
        **late,
    }


def test_planted_paraphrase_duplicates_are_found_and_the_best_copy_kept():
    examples = [
        ex("a", "How do I reset my password?", ANSWER, 0.7),
        ex("b", "How can I reset my password?", ANSWER, 0.9),  # reworded question, same answer
        ex("c", "how do i reset my password", ANSWER, 0.6),  # exact after normalisation
        ex(
            "d",
            "What is a mutex?",
            "A mutex is a lock that lets one thread at a time into a critical section.",
        ),
        ex(
            "e",
            "What is a semaphore?",
            "A semaphore is a counter that limits how many threads may enter a section.",
        ),
    ]
    kept, dropped = run(Deduplicator({}), examples)
    assert kept == ["b", "d", "e"]
    assert dropped == {"a": "near_duplicate", "c": "duplicate"}


def test_exact_duplicates_with_near_detection_off():
    examples = [
        ex("a", "Q one?", ANSWER, 0.5),
        ex("b", "q ONE", ANSWER + " ", 0.6),
        ex("c", "How do I reset it?", ANSWER, 0.9),
    ]
    kept, dropped = run(Deduplicator({"near_threshold": 1}), examples)
    assert kept == ["b", "c"] and dropped == {"a": "duplicate"}


def test_quality_gates():
    gates = QualityGates({"max_tokens": 50, "min_confidence": 0.3})
    assert gates.see(ex("a", "What is it?", "ok")) == "quality:trivial_output"
    assert gates.see(ex("b", "Hi", "A long enough answer.")) == "quality:instruction_too_short"
    assert gates.see(ex("c", "Explain.", "word " * 60)) == "quality:too_many_tokens"
    assert (
        gates.see(ex("d", "Explain.", "A fine answer.", confidence=0.2)) == "quality:low_confidence"
    )
    assert gates.see(ex("e", "Explain.", "A fine answer.")) is None
    assert estimate_tokens("abcd" * 10) == 10


class PidFilter:
    """Records where prepare() ran and what see() was handed."""

    seen: ClassVar[list] = []

    def __init__(self, options):
        PidFilter.seen = []

    def see(self, example, prepared=None):
        PidFilter.seen.append(prepared)
        return None

    def finish(self):
        return {}


def where(example, options):
    import os

    if "thompson" in example.instruction.lower():
        raise ValueError("no")
    return (os.getpid(), options.get("tag"))


def test_prepare_runs_on_the_workers_and_reaches_see(tmp_path):
    import os

    from loomcore import ExampleFilter, Registry, get_plugin_manager, hookimpl
    from loomcore.pipeline import Pipeline, RunOptions

    class Plugin:
        @hookimpl
        def register_filters(self, register):
            register(ExampleFilter("pid", PidFilter, prepare=where))

    registry = Registry(get_plugin_manager(plugins=[Plugin()]))
    options = dict(formats=("raw",), plugin_options={"Plugin": {"tag": "t"}})
    here = Pipeline(registry, RunOptions(**options)).run(None, tmp_path / "here")
    assert {p for p in PidFilter.seen if p} == {(os.getpid(), "t")}
    Pipeline(registry, RunOptions(executor="process", workers=2, **options)).run(
        None, tmp_path / "pool"
    )
    pids = {p[0] for p in PidFilter.seen if p}
    assert pids and os.getpid() not in pids  # computed in the worker processes
    # a prepare that fails hands None to see() and counts as the plugin's fault
    # (one Thompson example a run: the whole answer, no excerpt beside it)
    assert PidFilter.seen.count(None) == 1
    assert here.plugin_errors == {"Plugin": 1}


def test_shingle_hashes_are_datasketchs_own():
    """The batch hash must give datasketch's sha1_hash32 values, or signatures
    (and so which near-duplicates are found) would change."""
    shingles = {b"a b c", b"x y z", "\u00fcn\u00ef c\u00f6d\u00e9 \u6f22".encode()}
    # in the set's own order: a signature is a minimum, which no order changes
    assert shingle_hashes(shingles) == [sha1_hash32(s) for s in shingles]
    assert shingle_hashes(set()) == []


def test_band_index_finds_what_datasketchs_lsh_finds():
    """The compact buckets must return the candidates datasketch's MinHashLSH
    returns for the same signatures, near-duplicates and strangers alike."""
    import random

    from datasketch import MinHash, MinHashLSH
    from loomcore_plugins.filters.dedup import normalise, prepare, shingles

    rng = random.Random(7)
    words = [f"w{i}" for i in range(300)]
    base = [rng.choices(words, k=40) for _ in range(30)]
    examples = []
    for i in range(300):
        text = list(base[i % 30])
        for _ in range(rng.choice([0, 1, 2, 3, 30])):  # copies, near copies, strangers
            text[rng.randrange(40)] = rng.choice(words)
        examples.append(ex(f"e{i:03d}", "Q", " ".join(text)))
    lsh = MinHashLSH(threshold=0.8, num_perm=64)
    index = Deduplicator({})
    agreed = 0
    for e in examples:
        signature = MinHash(num_perm=64, seed=1)
        signature.update_batch(sorted(shingles(normalise(e))))
        _, bands = prepare(e, {})
        ours = {index.ids[n] for n in index._similar(bands)}
        assert ours == set(lsh.query(signature)), e.id
        agreed += bool(ours)
        lsh.insert(e.id, signature)
        n = len(index.ids)
        index.ids.append(e.id)
        index._insert(bands, n)
    assert agreed > 60  # 88 of 300 had candidates to agree on when written


def test_the_arithmetic_filter_drops_an_example_whose_sum_is_wrong():
    from loomcore_plugins.filters.arithmetic import ArithmeticCheck, prepare

    from loomcore.model import TrainingExample

    wrong = TrainingExample(instruction="What is 17 * 3?", output="17 * 3 = 41.")
    right = TrainingExample(instruction="What is 17 * 3?", output="17 * 3 = 51.")
    check = ArithmeticCheck({})
    assert check.see(wrong) == "arithmetic:wrong_sum"
    assert check.see(right) is None
    assert prepare(wrong, {}) is True
    assert check.see(right, prepared=True) == "arithmetic:wrong_sum"  # the worker's verdict counts
    with pytest.raises(ValueError, match="unknown"):
        ArithmeticCheck({"strict": True})
