"""A fixed held-out slice of the shared public corpora, for in-domain evaluation of what we train on.

Training samples rows from ``reviews.csv`` and ``news_headlines.csv``; to measure the model on those
domains without leakage, rows whose text hashes into the lowest ``HELDOUT_PERCENT`` buckets are never
used for training (``models.training``) and are what ``brandguard model evaluate --domains`` scores.
A hash of the text (not a row number or a random draw) keeps the slice stable when files are re-sorted
or rows are added, and identical texts always fall on the same side.
"""

from __future__ import annotations

import hashlib

HELDOUT_PERCENT = 10


def is_heldout(text: str) -> bool:
    """True for the ~10% of texts reserved for evaluation."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELDOUT_PERCENT
