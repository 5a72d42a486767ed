"""Text structure shared by every miner: segmentation, sentences, word lists."""

from loomcore.text.segment import Block, Document, ListGroup, Sentence, segment
from loomcore.text.sentences import normalise_space, split_sentences, strip_inline

__all__ = [
    "Block",
    "Document",
    "ListGroup",
    "Sentence",
    "normalise_space",
    "segment",
    "split_sentences",
    "strip_inline",
]
