"""Deduplication: exact (normalised text hash) and near-duplicate (MinHash LSH,
datasketch), on instruction and output, keeping the highest-confidence copy.

Options (``[options.dedup]`` in loomcore.toml, or ``-O dedup.KEY=VALUE``): ``near_threshold``
(Jaccard similarity of word 3-grams, default 0.8; 1 turns near-duplicate
detection off) and ``num_perm`` (MinHash permutations, default 64).  The
index holds an 8-byte hash and one MinHash signature per kept example.
"""

from __future__ import annotations

import functools
import hashlib
import re
from typing import TYPE_CHECKING, Any

import numpy as np

from loomcore import ExampleFilter, TrainingExample, check_options, hookimpl

if TYPE_CHECKING:
    from datasketch import MinHash

# datasketch is imported where it is first used: importing it pulls in scipy,
# 0.7 s that every command (``loomcore plugins``, ``config``) would pay

_WORD = re.compile(r"\w+")


def normalise(example: TrainingExample) -> str:
    return " ".join(_WORD.findall(f"{example.instruction} {example.output}".lower()))


# Near-duplicates share their opening: shingling the first words bounds the
# work per example whatever the length of the output.
MAX_SHINGLE_WORDS = 256


def shingles(text: str, n: int = 3) -> set[bytes]:
    words = text.split()[:MAX_SHINGLE_WORDS]
    if len(words) <= n:
        return {text.encode()}
    return {" ".join(words[i : i + n]).encode() for i in range(len(words) - n + 1)}


OPTIONS = ("near_threshold", "num_perm")


@functools.cache
def _permutations(num_perm: int) -> tuple[Any, str]:
    # depend only on num_perm and the seed: made once per process, not per example
    from datasketch import MinHash

    template = MinHash(num_perm=num_perm, seed=1)
    return template.permutations, template.scheme


def _settings(options: dict[str, Any]) -> tuple[float, int]:
    return float(options.get("near_threshold", 0.8)), int(options.get("num_perm", 64))


def prepare(example: TrainingExample, options: dict[str, Any]) -> tuple[bytes, MinHash | None]:
    """The example's exact key and MinHash signature: the costly part, done
    where the example is built (a worker, with a parallel executor)."""
    threshold, num_perm = _settings(options)
    text = normalise(example)
    key = hashlib.blake2b(text.encode(), digest_size=8).digest()
    if threshold >= 1:
        return key, None
    from datasketch import MinHash

    permutations, scheme = _permutations(num_perm)
    signature = MinHash(
        num_perm=num_perm, seed=1, permutations=permutations, scheme=scheme, hashfunc=int
    )
    signature.update_batch(shingle_hashes(shingles(text)))
    return key, signature


def shingle_hashes(shingles: set[bytes]) -> list[int]:
    """datasketch's default 32-bit hash (the first 4 bytes of SHA-1, little
    endian) of each shingle, in one pass: the same values as its per-shingle
    ``sha1_hash32``, at a quarter of the cost."""
    digests = b"".join([hashlib.sha1(s).digest()[:4] for s in sorted(shingles)])
    return np.frombuffer(digests, dtype="<u4").tolist()


def _lsh(threshold: float, num_perm: int) -> Any:
    from datasketch import MinHashLSH

    return MinHashLSH(threshold=threshold, num_perm=num_perm)


class Deduplicator:
    """One run's index: the best copy so far of each text (about 0.7 KB per kept example)."""

    def __init__(self, options: dict[str, Any]):
        check_options(options, OPTIONS)
        self.options = options
        self.threshold, self.num_perm = _settings(options)
        self.exact: dict[bytes, str] = {}
        self.lsh = _lsh(self.threshold, self.num_perm) if self.threshold < 1 else None
        self.confidence: dict[str, float] = {}
        self.key_of: dict[str, bytes] = {}
        self.dropped: dict[str, str] = {}

    def see(
        self, example: TrainingExample, prepared: tuple[bytes, MinHash | None] | None = None
    ) -> str | None:
        if example.id in self.confidence:
            return "duplicate"
        key, signature = prepared or prepare(example, self.options)
        rival, kind = self.exact.get(key), "duplicate"
        if rival is None and self.lsh is not None and signature is not None:
            similar = [i for i in self.lsh.query(signature) if i not in self.dropped]
            if similar:
                rival = max(similar, key=lambda i: (self.confidence[i], i))
                kind = "near_duplicate"
        if rival is not None:
            # keep the higher-confidence copy; on a tie, the earlier one
            if example.confidence <= self.confidence[rival]:
                return kind
            self.dropped[rival] = kind
            # the rival's exact text now points at its better copy
            self.exact[self.key_of[rival]] = example.id
        self.exact[key] = example.id
        self.key_of[example.id] = key
        self.confidence[example.id] = example.confidence
        if self.lsh is not None and signature is not None:
            self.lsh.insert(example.id, signature)
        return None

    def finish(self) -> dict[str, str]:
        """Examples kept at first but beaten later by a better copy."""
        return dict(self.dropped)


@hookimpl
def register_filters(register):
    register(
        ExampleFilter(
            "dedup",
            Deduplicator,
            description="exact and near-duplicate examples, best copy kept",
            prepare=prepare,
        )
    )
