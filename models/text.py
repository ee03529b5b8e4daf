"""Text preparation shared by training and inference: one function, so both see identical input."""

from __future__ import annotations

import unicodedata

# Brand mentions are short; long posts carry their opinion early and the feature count (hence the
# cost) grows with length. Training and inference both cut here, so the model never sees more.
MAX_CHARS = 512


def prepare(text: str) -> str:
    """NFKC (full-width -> half-width), lower case, whitespace folded, cut to ``MAX_CHARS``."""
    folded = unicodedata.normalize("NFKC", text[: MAX_CHARS * 2]).lower()
    # Same result as re.sub(r"\s+", " ", folded).strip() (str.split and the regex \s of a str pattern
    # both use str.isspace, checked for every code point), a third cheaper.
    return " ".join(folded.split())[:MAX_CHARS]
