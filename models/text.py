"""Text preparation shared by training and inference: one function, so both see identical input."""

from __future__ import annotations

import re
import unicodedata

# Brand mentions are short; long posts carry their opinion early and the feature count (hence the
# cost) grows with length. Training and inference both cut here, so the model never sees more.
MAX_CHARS = 512

_SPACES = re.compile(r"\s+")


def prepare(text: str) -> str:
    """NFKC (full-width -> half-width), lower case, whitespace folded, cut to ``MAX_CHARS``."""
    folded = unicodedata.normalize("NFKC", text[: MAX_CHARS * 2]).lower()
    return _SPACES.sub(" ", folded).strip()[:MAX_CHARS]
