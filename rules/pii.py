"""Detectors for personal information exposed in copy: ID numbers, bank cards, mobiles, e-mail.

They scan the *folded* text (full-width digits already half-width, separators kept) and validate what
they find, because a number that fails its checksum is far more often an order number than a leak.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

Span = tuple[int, int]

_ID = re.compile(r"(?<![0-9x])[1-9]\d{5}(\d{4})(\d{2})(\d{2})\d{3}[0-9x](?![0-9x])")
_ID_GROUPED = re.compile(r"(?<![0-9x])[1-9]\d{5}[ -]\d{8}[ -]\d{3}[0-9x](?![0-9x])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10x98765432"
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){15,18}\d(?!\d)")
# 3-4-4 grouping (138 1234 5678) and the 4-4-3 one people also write (1381 2345 678).
_MOBILE = re.compile(
    r"(?<!\d)(?:\+?86[ -]?)?(?:1[3-9]\d(?:[ .-]?\d{4}){2}|1[3-9]\d{2}[ .-]\d{4}[ .-]\d{3})(?!\d)"
)
_EMAIL = re.compile(
    r"(?<![a-z0-9._%+-])[a-z0-9][a-z0-9._%+-]{0,63}@"
    r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.[a-z]{2,24}(?![a-z0-9])"
)


def valid_id_number(number: str) -> bool:
    """18-digit resident ID: GB 11643 checksum and a real birth date (1900-2099)."""
    number = number.lower()
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[17]:
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not 1900 <= year <= 2099:
        return False
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def find_id_numbers(text: str) -> list[Span]:
    found = [m.span() for m in _ID.finditer(text) if valid_id_number(m.group())]
    # Also the common 6-8-4 grouping ("110105 19900307 1239").
    found.extend(
        m.span() for m in _ID_GROUPED.finditer(text) if valid_id_number(re.sub(r"[ -]", "", m.group()))
    )
    return sorted(set(found))


def find_bank_cards(text: str) -> list[Span]:
    out = []
    for m in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", m.group())
        if not 16 <= len(digits) <= 19 or digits[0] not in "3456" or not luhn_valid(digits):
            continue
        if len(digits) == 18 and valid_id_number(digits):
            continue  # an ID number that happens to pass Luhn is reported as an ID number
        out.append(m.span())
    return out


def find_mobiles(text: str) -> list[Span]:
    return [m.span() for m in _MOBILE.finditer(text)]


def find_emails(text: str) -> list[Span]:
    # Only look around the '@' signs: the regex has no literal prefix, so a whole-text scan is slow.
    # Windows that touch are merged, so each character is scanned once however many '@' there are.
    windows: list[list[int]] = []
    at = text.find("@")
    while at >= 0:
        lo, hi = max(0, at - 64), min(len(text), at + 256)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi
        else:
            windows.append([lo, hi])
        at = text.find("@", at + 1)
    return [m.span() for lo, hi in windows for m in _EMAIL.finditer(text, lo, hi)]


# Phone, ID and card numbers all live inside a run of >= 11 digits (spaces and dashes allowed inside).
# Finding those runs first costs one regex pass; the validating detectors then only see the runs.
# Each repetition consumes a digit, so a long run of separators without digits cannot backtrack
# quadratically ("+ + + + ..." took seconds with a plain [0-9 +.-]{9,} class).
_NUMBER_RUN = re.compile(r"\+?[0-9](?:[ +.-]?[0-9x]){10,}")
# A number run consists of these characters only and has at least 11 of them. This class-led pattern
# gets `re`'s fast character-set scan, which the run pattern (led by an optional '+') does not: it finds
# the stretches of text that can hold a run at all, several times faster than trying every position.
_NUMBER_STRETCH = re.compile(r"[0-9+. x-][0-9+. x-]{10,}")


def _number_runs(text: str) -> list[re.Match[str]]:
    # The same matches as _NUMBER_RUN.finditer(text): a run never extends past its stretch, has no
    # lookarounds, and finditer restarts at the end of the previous match, which is inside a stretch.
    return [
        run
        for stretch in _NUMBER_STRETCH.finditer(text)
        for run in _NUMBER_RUN.finditer(text, stretch.start(), stretch.end())
    ]


def find_numbers(text: str) -> dict[str, list[Span]]:
    """Spans per number detector (id_number, bank_card, mobile) over the whole text."""
    found: dict[str, list[Span]] = {"id_number": [], "bank_card": [], "mobile": []}
    for run in _number_runs(text):
        offset = run.start()
        chunk = run.group()
        for name in found:
            found[name].extend((s + offset, e + offset) for s, e in DETECTORS[name](chunk))
    return found


DETECTORS: dict[str, Callable[[str], list[Span]]] = {
    "id_number": find_id_numbers,
    "bank_card": find_bank_cards,
    "mobile": find_mobiles,
    "email": find_emails,
}
# Numbers found by an earlier detector are not reported again by a later one.
DETECTOR_ORDER = ("id_number", "bank_card", "mobile", "email")
