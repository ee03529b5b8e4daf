"""Word segmentation: jieba (HMM off) is the reference; rjieba, when installed, is the fast path.

rjieba (jieba-rs) yields token-for-token the same output as jieba with HMM off and is ~15x faster;
tests/models/test_tokenize.py proves it on the project's sentences. HMM stays off because the HMM
new-word finder is where the two differ, and because it is slow.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Callable
from functools import cache

Cutter = Callable[[str], list[str]]


def _package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


@cache
def jieba_cutter() -> Cutter:
    """The reference tokeniser. Loading its dictionary costs ~1 s the first time."""
    import jieba

    jieba.setLogLevel(logging.INFO)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()

    def cut(text: str) -> list[str]:
        return tokenizer.lcut(text, HMM=False)

    return cut


@cache
def rjieba_cutter() -> Cutter | None:
    try:
        import rjieba
    except ImportError:
        return None
    # ``import rjieba`` already builds a default dictionary (rjieba.cut); a second ``rjieba.Jieba()``
    # built it again and was a quarter of the start-up time of `brandguard sentiment`. Nothing here
    # adds words to it, so sharing the module's instance is safe.
    module_cut = rjieba.cut

    def cut(text: str) -> list[str]:
        return module_cut(text, hmm=False)

    return cut


def fast_available() -> bool:
    return _package_version("rjieba") is not None


def best_cutter(*, prefer_fast: bool = True) -> tuple[str, Cutter]:
    """Return ``(name, cut)``: rjieba when installed and preferred, else jieba."""
    if prefer_fast:
        fast = rjieba_cutter()
        if fast is not None:
            return "rjieba", fast
    return "jieba", jieba_cutter()


def versions() -> dict[str, str | None]:
    """Installed tokeniser versions, read from package metadata (no import, so it stays cheap)."""
    return {"jieba": _package_version("jieba"), "rjieba": _package_version("rjieba")}
