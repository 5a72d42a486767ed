"""Built-in token counters: loomcore's estimate, a local Hugging Face
``tokenizer.json`` (the ``tokenizers`` extra) and ``tiktoken`` encodings
(the ``tiktoken`` extra).  Nothing is ever downloaded: a tokenizer is a file
the user has, and a tiktoken encoding must already be in tiktoken's cache.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from loomcore import hookimpl
from loomcore.contracts import TokenCounter
from loomcore.registry import LoomcoreError
from loomcore.text.tokens import estimate_tokens


def _is_tokenizer_file(spec: str) -> bool:
    path = Path(spec)
    return spec.endswith(".json") or path.is_file() or (path / "tokenizer.json").is_file()


def _is_tiktoken_name(spec: str) -> bool:
    """An encoding tiktoken knows (any such name without tiktoken installed, so
    that loading it says what to install)."""
    try:
        import tiktoken
    except ImportError:
        return bool(re.fullmatch(r"[a-z0-9]+_base|gpt2|o200k_harmony", spec))
    return spec in tiktoken.list_encoding_names()


def load_tokenizer_json(spec: str) -> Callable[[str], int]:
    """``count(text)`` for a Hugging Face ``tokenizer.json`` on disk."""
    path = Path(spec)
    if path.is_dir():
        path = path / "tokenizer.json"
    if not path.is_file():
        raise LoomcoreError(f"--tokenizer {spec}: no such tokenizer file")
    try:
        from tokenizers import Tokenizer
    except ImportError:
        raise LoomcoreError(
            f"--tokenizer {spec}: needs the tokenizers package (pip install 'loomcore[tokenizers]')"
        ) from None
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # the library raises a bare Exception on a bad file
        raise LoomcoreError(f"--tokenizer {spec}: not a tokenizer.json ({exc})") from None

    def count(text: str) -> int:
        # the text as the file holds it: a trainer's template adds its own tokens
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    return count


def load_tiktoken(spec: str) -> Callable[[str], int]:
    """``count(text)`` for a tiktoken encoding that is already in its cache."""
    try:
        import tiktoken
        import tiktoken.load
    except ImportError:
        raise LoomcoreError(
            f"--tokenizer {spec}: needs the tiktoken package (pip install 'loomcore[tiktoken]')"
        ) from None
    fetch = tiktoken.load.read_file

    def no_download(blobpath: str) -> bytes:
        # tiktoken calls this only when the encoding is not in its cache
        if "://" in blobpath:
            raise LoomcoreError(
                f"--tokenizer {spec}: the tiktoken encoding is not in its cache "
                "(TIKTOKEN_CACHE_DIR), and loomcore downloads nothing"
            )
        return fetch(blobpath)

    tiktoken.load.read_file = no_download
    try:
        encoding = tiktoken.get_encoding(spec)
    except ValueError as exc:
        raise LoomcoreError(f"--tokenizer {spec}: {exc}") from None
    finally:
        tiktoken.load.read_file = fetch

    def count(text: str) -> int:
        return len(encoding.encode(text, disallowed_special=()))

    return count


@hookimpl
def register_token_counters(register):
    register(
        TokenCounter(
            "estimate",
            lambda spec: spec == "estimate",
            lambda spec: estimate_tokens,
            description="about 4 characters a token: an estimate",
        )
    )
    register(
        TokenCounter(
            "tiktoken",
            _is_tiktoken_name,
            load_tiktoken,
            description="a tiktoken encoding from its cache (cl100k_base, o200k_base)",
        )
    )
    register(
        TokenCounter(
            "tokenizers",
            _is_tokenizer_file,
            load_tokenizer_json,
            description="a local Hugging Face tokenizer.json",
        )
    )
