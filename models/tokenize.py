"""Word segmentation: jieba (HMM off) is the reference; rjieba, when installed, is the fast path.

rjieba (jieba-rs) yields token-for-token the same output as jieba with HMM off and is ~15x faster;
tests/models/test_tokenize.py proves it on the project's sentences. HMM stays off because the HMM
new-word finder is where the two differ, and because it is slow.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from functools import cache

Cutter = Callable[[str], list[str]]


def _package_version(name: str) -> str | None:
    """The installed version of ``name``, as ``importlib.metadata.version`` finds it.

    ``importlib.metadata`` pulls in ``email``, ``zipfile`` and more: ~25 ms of CPU at every start of
    `brandguard sentiment`, for two strings. A wheel install leaves ``<name>-<version>.dist-info/METADATA``
    in a ``sys.path`` directory, so that is read directly (first match on ``sys.path``, as importlib
    does); anything else (egg-info, zipped eggs) falls back to importlib.metadata.
    """
    wanted = _normalise(name)
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for item in names:
            if not item.endswith(".dist-info"):
                continue
            if _normalise(item.removesuffix(".dist-info").rpartition("-")[0]) == wanted:
                version = _metadata_version(os.path.join(entry or ".", item, "METADATA"))
                if version is not None:
                    return version
    import importlib.metadata

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _normalise(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _metadata_version(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("Version:"):
                    return line[len("Version:") :].strip()
                if not line.strip():
                    break  # end of the headers
    except OSError:
        return None
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
