"""Text folding for matching: width, case, traditional -> simplified, whitespace — with offsets back.

``fold(text)`` returns a :class:`Folded` whose ``.text`` is what matchers scan and whose ``.offsets`` give,
for every folded character, the index of the original character it came from (plus a final sentinel equal
to ``len(text)``), so a span found in the folded text maps back with ``text[offsets[s]:offsets[e - 1] + 1]``.

Why not NFKC + OpenCC per call: NFKC runs at ~15 MB/s and OpenCC at start-up costs a library load, while
``str.translate`` with a precomputed table folds at ~26 MB/s. Almost every folding here is one character to
one character, so the table keeps lengths equal; the rare exceptions (``⑩`` -> ``10``, zero-width
characters, whitespace runs) are handled by one regex pass that records where lengths change. Offsets are
kept as piecewise-linear segments and materialised as a list only when ``.offsets`` is asked for.

``fold(text, keep_lines=True)`` (what the compliance scanner uses) folds line and paragraph breaks, tabs and
the Unicode line/paragraph separators to ``"\n"`` instead of a space: a line break is a hard boundary, so
"全网最低\n12月发货" must not become "全网最低 12月发货", where the join matches an allowed phrase
(最低12...).
Brand queries (monitor/matching) keep the default, where every whitespace character is one space.

Long-running processes (the web server, the daemon) call ``enable_fast_fold()``: the 1:1 table then
becomes a NumPy lookup over the text's UTF-32 code units, ~15x faster than ``str.translate`` on CJK text
(5 vs 90 us for 2,000 characters). The CLI does not: importing NumPy costs more than it would save.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["Folded", "SpanMap", "enable_fast_fold", "fold", "fold_text"]

_T2S_PATH = Path(__file__).with_name("data") / "t2s_chars.txt"
_TABLE_PATH = Path(__file__).with_name("data") / "fold_table.json"
# Ranges where NFKC changes characters that matter in Chinese copy: Latin-1 and punctuation, letter-like
# and enclosed alphanumerics (①, ⒈, ㈠), Kangxi radicals (⼀ -> 一), CJK compatibility ideographs and
# the full/half-width block.
_NFKC_RANGES = ((0x00A0, 0x00FF), (0x2000, 0x33FF), (0xF900, 0xFAFF), (0xFE10, 0xFE6F), (0xFF00, 0xFFEF))
# Financial (anti-forgery) numerals fold to the ordinary ones: 第壹 is 第一 to a reader.
_EXTRA = dict(zip("壹贰貳叁參肆伍陆陸柒捌玖拾", "一二二三三四五六六七八九十", strict=True))
# Invisible characters used to break up banned words; deleting them changes lengths.
_DELETE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# Characters that end a line, paragraph or table cell (tab-separated tables); with ``keep_lines`` they all
# fold to "\n", which the scanner never removes and no term contains.
LINE_BREAKS = "\n\r\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@dataclass(frozen=True)
class SpanMap:
    """Piecewise map from a derived text's indices to its source's: segment k starts at ``new_starts[k]``
    in the derived text and at ``old_starts[k]`` in the source, and advances one for one."""

    new_starts: list[int]
    old_starts: list[int]
    source_length: int
    length: int
    # Most texts fold and compact without changing length: then every span maps to itself, and the
    # checker maps two spans per hit (~80 hits in a dense draft).
    identity: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        same = self.new_starts == [0] and self.old_starts == [0] and self.length == self.source_length
        object.__setattr__(self, "identity", same)

    def index(self, i: int) -> int:
        """Source index of derived character ``i`` (``i == length`` maps to ``source_length``)."""
        if i >= self.length:
            return self.source_length
        k = bisect_right(self.new_starts, i) - 1
        return self.old_starts[k] + (i - self.new_starts[k])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Source span covering derived ``[start, end)``; ``end`` follows the last character, so a
        character that expanded (``⑩`` -> ``10``) or swallowed deleted ones is covered whole."""
        if self.identity:
            return (start, end) if end > start else (min(start, self.length), min(start, self.length))
        if end <= start:
            pos = self.index(start)
            return pos, pos
        return self.index(start), self.index(end - 1) + 1

    def offsets(self) -> list[int]:
        out: list[int] = []
        bounds = [*self.new_starts[1:], self.length]
        for new_start, old_start, new_end in zip(self.new_starts, self.old_starts, bounds, strict=True):
            out.extend(range(old_start, old_start + (new_end - new_start)))
        out.append(self.source_length)
        return out


def identity_map(length: int) -> SpanMap:
    return SpanMap([0], [0], length, length)


@dataclass(frozen=True)
class Folded:
    """Folded text plus the map back to the original."""

    text: str
    map: SpanMap = field(repr=False)

    @property
    def offsets(self) -> list[int]:
        """For each folded character the original index it came from, then ``len(original)``."""
        return self.map.offsets()

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.map.span(start, end)


def _fold_char(ch: str, t2s: dict[str, str]) -> str:
    out = unicodedata.normalize("NFKC", ch) if ord(ch) >= 0xA0 else ch
    if out.isspace():
        return " "
    out = "".join(c.lower() if c.isascii() else c for c in out)
    return "".join(t2s.get(c, c) for c in out)


def build_fold_table() -> dict[str, dict[str, str]]:
    """Compute the folding table from Unicode NFKC and the OpenCC-derived t2s pairs (~60 ms); the result
    ships as ``rules/data/fold_table.json`` (``python -m rules.gen_t2s_table`` rewrites both files)."""
    t2s: dict[str, str] = {}
    for line in _T2S_PATH.read_text(encoding="utf-8").splitlines():
        if len(line) == 2:
            t2s[line[0]] = line[1]
    one: dict[str, str] = {}
    expand: dict[str, str] = {}
    candidates = {chr(cp) for lo, hi in _NFKC_RANGES for cp in range(lo, hi + 1)}
    candidates.update(t2s)
    candidates.update(chr(cp) for cp in range(0x41, 0x5B))
    candidates.update(("\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85"))
    candidates.update(_EXTRA)
    for ch in sorted(candidates):
        if ch in _DELETE:
            continue
        out = _EXTRA.get(ch) or _fold_char(ch, t2s)
        if out == ch:
            continue
        if len(out) == 1:
            one[ch] = out
        elif out.strip():
            expand[ch] = out
    return {"unicode": {"version": unicodedata.unidata_version}, "one": one, "expand": expand}


@cache
def _tables(keep_lines: bool = False) -> tuple[dict[int, str], dict[str, str], re.Pattern[str]]:
    """(1:1 translate table, expansions, regex of irregular spots), from the shipped JSON table."""
    import json

    data = json.loads(_TABLE_PATH.read_text(encoding="utf-8"))
    one = {ord(k): v for k, v in data["one"].items()}
    if keep_lines:
        one.update({ord(c): "\n" for c in LINE_BREAKS})
        del one[ord("\n")]
    expand: dict[str, str] = data["expand"]
    parts = [" {2,}", f"[{re.escape(_DELETE)}]"]
    if expand:
        parts.append("[" + "".join(re.escape(c) for c in sorted(expand)) + "]")
    return one, expand, re.compile("|".join(parts))


_fast: tuple[Any, Any, Any] | None = None  # (numpy, lookup table, lookup table keeping lines) once enabled
_FAST_MIN_CHARS = 64  # below this the array set-up costs more than str.translate


def enable_fast_fold() -> None:
    """Translate with a NumPy lookup table from now on (a 4.4 MB array over all code points)."""
    global _fast
    import numpy as np

    tables = []
    for keep_lines in (False, True):
        one, _, _ = _tables(keep_lines)
        table = np.arange(0x110000, dtype=np.uint32)
        table[np.fromiter(one.keys(), dtype=np.uint32, count=len(one))] = np.fromiter(
            (ord(v) for v in one.values()), dtype=np.uint32, count=len(one)
        )
        tables.append(table)
    _fast = (np, tables[0], tables[1])


# Full-width punctuation that Chinese copy has in every sentence; replaced by str.replace (a C pass) before
# the run split below, which would otherwise cut the text at every comma.
_HOT = "，！？：；（）％～　"
# A regex character class with a code point above U+FFFF cannot use sre's bitmap and is tested item by
# item (~40x slower); texts with such characters (emoji, rare ideographs) take plain str.translate.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# Below this the run split saves less than compiling its regex costs a one-draft CLI run (~5 ms).
_RUNS_FROM = 4096


@cache
def _runs(keep_lines: bool) -> tuple[tuple[tuple[str, str], ...], re.Pattern[str], str]:
    """(hot replacements, regex splitting out runs of characters the table changes, a separator that is
    not in the table). Built on the first text of 64+ characters: term lists never need it."""
    one, _, _ = _tables(keep_lines)
    # A hot character whose replacement the table would change again must go through translate.
    hot = tuple((c, one[ord(c)]) for c in _HOT if ord(c) in one and ord(one[ord(c)]) not in one)
    ranges: list[list[int]] = []
    for code in sorted(c for c in one if c <= 0xFFFF):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    # Written as ranges: half the items, half the compile time (~5 ms at start-up).
    keys = "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)
    used = set(one) | {ord(c) for v in one.values() for c in v}
    separator = next(chr(c) for c in range(0x110000) if c not in used)
    # [k][k]* rather than [k]+ for `re`'s fast character-set scan (see _PLAIN_SPLIT in rules/compact.py).
    return hot, re.compile(f"([{keys}][{keys}]*)"), separator


@cache
def _irregular(keep_lines: bool) -> re.Pattern[str]:
    """The characters that make ``fold`` leave the one-for-one path (deleted or expanded ones)."""
    _, expand, _ = _tables(keep_lines)
    return re.compile("[" + re.escape(_DELETE + "".join(sorted(expand))) + "]")


def _translate(text: str, one: dict[int, str], keep_lines: bool = False) -> str:
    fast = _fast
    if fast is not None and len(text) >= _FAST_MIN_CHARS:
        np, table = fast[0], fast[2 if keep_lines else 1]
        try:
            codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        except UnicodeEncodeError:  # lone surrogates (from a broken decoder) have no UTF-32 form
            return text.translate(one)
        return str(table[codes].tobytes().decode("utf-32-le"))
    if len(text) < _RUNS_FROM or _ASTRAL.search(text) is not None:
        return text.translate(one)
    # str.translate looks every character up in the dict (~60 ns each) although nearly all of them stay
    # as they are. Same result, ~4x less CPU: the hot punctuation by str.replace, then only the runs of
    # characters the table changes are cut out (regex split, in C), translated in one call and put back.
    hot, runs, separator = _runs(keep_lines)
    for char, folded in hot:
        if char in text:
            text = text.replace(char, folded)
    parts = runs.split(text)
    if len(parts) > 1:
        parts[1::2] = separator.join(parts[1::2]).translate(one).split(separator)
        text = "".join(parts)
    return text


def fold(text: str, *, keep_lines: bool = False) -> Folded:
    """Fold ``text`` for matching. Offsets always lead back into ``text``. With ``keep_lines`` every line
    break (see ``LINE_BREAKS``) folds to "\n" rather than a space."""
    one, expand, irregular = _tables(keep_lines)
    t = _translate(text, one, keep_lines)
    # The alternation below is tried at every position (~20 ns a character); one class search and a
    # substring test tell the same "nothing irregular" several times faster.
    if "  " not in t and _irregular(keep_lines).search(t) is None:
        return Folded(t, identity_map(len(text)))
    pieces: list[str] = []
    new_starts: list[int] = []
    old_starts: list[int] = []
    pos = 0
    length = 0
    for m in irregular.finditer(t):
        s, e = m.span()
        if s > pos:
            new_starts.append(length)
            old_starts.append(pos)
            pieces.append(t[pos:s])
            length += s - pos
        g = m.group()
        if g[0] == " ":
            new_starts.append(length)
            old_starts.append(s)
            pieces.append(" ")
            length += 1
        elif g not in _DELETE:
            for c in expand[g]:
                new_starts.append(length)
                old_starts.append(s)
                pieces.append(c)
                length += 1
        pos = e
    if pos < len(t):
        new_starts.append(length)
        old_starts.append(pos)
        pieces.append(t[pos:])
        length += len(t) - pos
    if not new_starts:
        new_starts, old_starts = [0], [len(text)]
    return Folded("".join(pieces), SpanMap(new_starts, old_starts, len(text), length))


def fold_text(text: str) -> str:
    """Only the folded text (brand queries, term lists)."""
    return fold(text).text
