"""The dedup filter's own MinHash and band choice give datasketch's values
exactly, so near-duplicate decisions are the same as with datasketch."""

import random

import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st
from loomcore_plugins.filters import dedup


def _datasketch(shingles: set[bytes], num_perm: int) -> list[int]:
    reference = MinHash(num_perm=num_perm, seed=1)
    reference.update_batch(sorted(shingles))
    return reference.hashvalues.tolist()


@settings(max_examples=300, deadline=None)
@given(
    st.sets(st.binary(max_size=40) | st.text(max_size=20).map(str.encode), max_size=60),
    st.sampled_from([2, 16, 64, 128]),
)
def test_signature_is_datasketchs(shingles, num_perm):
    ours = dedup.signature(shingles, num_perm)
    assert ours.dtype.name == "uint32"
    assert ours.tolist() == _datasketch(shingles, num_perm)


def test_signatures_of_normalised_texts_are_datasketchs():
    """Shingles as prepare() makes them, from texts with repeats and Unicode."""
    rng = random.Random(3)
    words = ["reset", "password", "mutex", "Größe", "日本語", "ümlaut", "x", "the", "a"]
    checked = 0
    for _ in range(200):
        text = " ".join(rng.choices(words, k=rng.randrange(0, 300)))
        shingles = dedup.shingles(text)
        assert dedup.signature(shingles, 64).tolist() == _datasketch(shingles, 64)
        checked += 1
    assert checked == 200


def test_empty_set_signature_is_datasketchs_empty_minhash():
    assert dedup.signature(set(), 8).tolist() == MinHash(num_perm=8, seed=1).hashvalues.tolist()
    assert dedup.signature(set(), 8).tolist() == [0xFFFFFFFF] * 8


def _choice(bands, threshold, num_perm):
    """The bands chosen, or "error" where fewer than two would be."""
    try:
        return tuple(bands(threshold, num_perm))
    except ValueError:
        return "error"


@pytest.mark.parametrize("num_perm", [16, 64, 128])
def test_bands_are_datasketchs_choice_on_a_grid_of_thresholds(num_perm):
    def theirs(threshold, num_perm):
        return MinHashLSH(threshold=threshold, num_perm=num_perm).hashranges

    differ, errors = [], 0
    for i in range(5, 100, 5):
        threshold = i / 100
        want = _choice(theirs, threshold, num_perm)
        errors += want == "error"
        if _choice(dedup._bands, threshold, num_perm) != want:
            differ.append(threshold)
    assert differ == []
    assert errors < 19
    # the default: 64 permutations, 0.8
    assert dedup._bands(0.8, 64) == tuple(MinHashLSH(threshold=0.8, num_perm=64).hashranges)


def test_too_few_bands_is_an_error_as_in_datasketch():
    with pytest.raises(ValueError, match="too few bands"):
        dedup._bands(0.99, 2)
    with pytest.raises(ValueError, match="bands are too small"):
        MinHashLSH(threshold=0.99, num_perm=2)


def test_prepare_and_signature_do_not_import_datasketch_or_scipy():
    """In a fresh interpreter: the hot path (prepare on a worker) loads neither."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from loomcore import TrainingExample\n"
        "from loomcore_plugins.filters.dedup import prepare, Deduplicator\n"
        "e = TrainingExample(instruction='How do I reset it?', output='Open the settings and reset it.', id='a')\n"
        "d = Deduplicator({})\n"
        "print(d.see(e, prepared=prepare(e, {})), prepare(e, {})[0] > 0,"
        " 'datasketch' in sys.modules, 'scipy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["None", "True", "False", "False"]


def test_band_keys_are_those_of_the_datasketch_signature():
    """prepare()'s band keys as the datasketch-based filter computed them:
    blake2b of each band of the signature's little-endian uint32 values."""
    import hashlib

    from loomcore import TrainingExample

    rng = random.Random(11)
    words = [f"w{i}" for i in range(50)]
    for i in range(50):
        e = TrainingExample(
            instruction="Q", output=" ".join(rng.choices(words, k=rng.randrange(1, 80))), id=str(i)
        )
        values = MinHash(num_perm=64, seed=1)
        values.update_batch(dedup.shingles(dedup.normalise(e)))
        want = tuple(
            int.from_bytes(
                hashlib.blake2b(values.hashvalues[a:b].tobytes(), digest_size=8).digest(), "little"
            )
            for a, b in MinHashLSH(threshold=0.8, num_perm=64).hashranges
        )
        assert dedup.prepare(e, {})[1] == want
