"""Reading the structure of a social-media post: repost layers, hashtags, emoticons, emoji, @names.

A Weibo repost reads ``newest comment//@B: B's comment//@A: original``; each layer is its own voice and
the newest one is what the person posting now says. ``parse`` splits the layers, takes hashtags (the
topic, not the sentiment), bracket emoticon codes and emoji out of the text as separate tokens, and
picks the *voice*: the newest layer, unless it only passes the post on (转发微博, 蹲后续, [吃瓜]), in
which case the layer it passes on speaks. Input must already be ``models.text.prepare``-d (NFKC turns
the full-width colon of ``//@name：`` into ``:``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_REPOST = re.compile(r"//\s?@[^:/\s]{1,30}:")
_HASHTAG = re.compile(r"#([^#\n]{1,40})#")
_CODE = re.compile(r"\[[^\[\]\s]{1,10}\]")
# Emoji blocks (pictographs, symbols, dingbats, arrows/misc technical used as emoji); modifiers (skin
# tone, variation selector, zero-width joiner) are dropped so that 👍🏻 and 👍 are the same token.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\u2190-\u21ff]")
_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f\u200d]")
_MENTION = re.compile(r"@[^\s:@,，。!！?？]{1,20}(?=[\s:,，。!！?？]|$)")
_SPACES = re.compile(r"\s+")
# A newest layer made only of these (after emoticons and hashtags are taken out) passes the post on.
PASS_ON = frozenset(
    {
        "转发微博",
        "转发",
        "转",
        "已转",
        "扩散",
        "repost",
        "蹲后续",
        "蹲",
        "蹲一个",
        "mark",
        "马住",
        "码住",
        "吃瓜",
        "围观",
        "+1",
    }
)
_PASS_STRIP = " ,，.。!！~～、:"


@dataclass(frozen=True, slots=True)
class Layer:
    text: str  # words only: emoticons, emoji, hashtags and @names taken out
    emoticons: tuple[str, ...]  # bracket codes and bare emoji, in order
    hashtags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Post:
    voice: Layer
    older: tuple[Layer, ...] = field(default=())  # layers behind the voice, newest first
    passed_on: bool = False  # the newest layer only passed the post on
    reposts: int = 0  # number of //@ layers


def _layer(raw: str) -> Layer:
    tags = tuple(_HASHTAG.findall(raw)) if "#" in raw else ()
    text = _HASHTAG.sub(" ", raw) if tags else raw
    icons: list[str] = []
    if "[" in text:
        icons.extend(_CODE.findall(text))
        text = _CODE.sub(" ", text)
    if _EMOJI.search(text):
        text = _MODIFIERS.sub("", text)
        icons.extend(_EMOJI.findall(text))
        text = _EMOJI.sub(" ", text)
    if "@" in text:
        text = _MENTION.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    if not text and tags:
        # A post that is nothing but a hashtag still says something: keep the topic words.
        text = " ".join(tags)
    return Layer(text, tuple(icons), tags)


def _only_passes_on(layer: Layer) -> bool:
    return layer.text.strip(_PASS_STRIP) in PASS_ON or not layer.text.strip(_PASS_STRIP)


def parse(text: str) -> Post:
    """Split a prepared post into its voice and older layers."""
    raw_layers = _REPOST.split(text) if "//" in text else [text]
    layers = [_layer(raw) for raw in raw_layers]
    newest = layers[0]
    if len(layers) > 1 and _only_passes_on(newest):
        # Emoticons of a bare "转发 [吃瓜]" still belong to the person reposting: keep them on the voice.
        spoken = next((i for i in range(1, len(layers)) if layers[i].text), 1)
        voice = layers[spoken]
        voice = Layer(voice.text, newest.emoticons + voice.emoticons, newest.hashtags + voice.hashtags)
        return Post(voice, tuple(layers[spoken + 1 :]), True, len(layers) - 1)
    return Post(newest, tuple(layers[1:]), False, len(layers) - 1)
