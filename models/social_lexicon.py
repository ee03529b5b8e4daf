"""The data-file lexicons of social-media text: emoticon/emoji polarity and platform slang.

Both are TSV files in ``models/lexicons/`` maintained by hand (see their headers for the source and the
curation notes). They are read once per process; their bytes are part of the feature fingerprint, so
editing a file without retraining makes ``load_model`` refuse the old artifact instead of silently
scoring with features the model never saw.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from models.errors import DataError
from models.text import prepare

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
EMOTICONS_FILE = LEXICON_DIR / "emoticons.tsv"
SLANG_FILE = LEXICON_DIR / "slang.tsv"
_POLARITIES = {"-1": -1, "0": 0, "1": 1, "+1": 1}


@cache
def _read_tsv(path: Path) -> tuple[tuple[str, int], ...]:
    # Cached per path: slang.tsv feeds two tables, and reading it (a ``prepare`` per term) twice was
    # ~2% of the start-up of `brandguard sentiment`. A different path (tests) is read afresh.
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot read the lexicon ({exc.strerror})") from exc
    entries: list[tuple[str, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        term, _, polarity = line.partition("\t")
        value = _POLARITIES.get(polarity.split("\t")[0].strip())
        if not term.strip() or value is None:
            raise DataError(f"{path}: line {number}: expected 'term<TAB>-1|0|1', got {line!r}")
        # Keys go through the same preparation as the texts, so [NO] and [no] are one entry.
        entries.append((prepare(term), value))
    return tuple(entries)


@cache
def emoticon_polarity() -> dict[str, int]:
    """Bracket codes (``[抓狂]``) and bare emoji (without variation selectors) -> -1 / 0 / +1."""
    return {term.replace("\ufe0f", ""): value for term, value in _read_tsv(EMOTICONS_FILE)}


def _is_latin(term: str) -> bool:
    return term.isascii() and term.replace(" ", "").isalnum()


@cache
def slang_substrings() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Slang matched as substrings (anything with a non-Latin character): terms and polarities."""
    entries = [(t, v) for t, v in _read_tsv(SLANG_FILE) if not _is_latin(t)]
    return tuple(t for t, _ in entries), tuple(v for _, v in entries)


@cache
def slang_words() -> dict[str, int]:
    """Slang written in Latin letters/digits (yyds, emo, 666, refund): whole-word matches only."""
    return {t: v for t, v in _read_tsv(SLANG_FILE) if _is_latin(t)}


def lexicon_digest() -> str:
    """SHA-256 over both lexicon files' bytes, for the feature fingerprint."""
    digest = hashlib.sha256()
    for path in (EMOTICONS_FILE, SLANG_FILE):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
