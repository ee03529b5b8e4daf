"""HTML fragments (feed summaries, page bodies) to plain text with paragraph breaks kept."""

from __future__ import annotations

import html
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

_BLOCKS = "p,div,br,li,tr,h1,h2,h3,h4,h5,h6,blockquote,pre,section,article,header,footer,table,ul,ol,dd,dt"
_NOISE = ["script", "style", "noscript", "template", "iframe", "svg", "form", "button"]
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_BREAKS = re.compile(r"\s*\n\s*")


def normalise_whitespace(text: str) -> str:
    text = _SPACES.sub(" ", text)
    return _BREAKS.sub("\n", text).strip()


def node_text(node: LexborNode) -> str:
    # Without explicit breaks, text of adjacent blocks runs together ("第一段第二段", "endStart").
    for block in node.css(_BLOCKS):
        block.insert_after("\n")
    return normalise_whitespace(node.text(separator="", deep=True))


def html_to_text(fragment: str | None) -> str:
    if not fragment:
        return ""
    if "<" not in fragment:
        return normalise_whitespace(html.unescape(fragment))
    tree = LexborHTMLParser(fragment)
    tree.strip_tags(_NOISE)
    root = tree.body or tree.root
    return node_text(root) if root is not None else ""
