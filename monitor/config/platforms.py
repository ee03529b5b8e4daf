"""Platforms in brandguard.toml: ``[[platforms]]`` expands into one source per brand search, plus the
``[sources.selectors]`` of HTML list pages and the ``[operator]`` channels that hear about blind sources.

A platform entry names a platform (``weibo``, ``bilibili``, ``tieba`` ...) and the RSSHub instance the team
runs; BrandGuard fills the platform's route template with each brand's search terms and adds the resulting
feeds to ``sources`` before validation, so a generated source is checked exactly like a hand-written one.
Platform logins (Weibo cookies, Zhihu cookies ...) belong to the RSSHub deployment's own environment,
never to this file (an RSSHub in front of the team's network needs no key from BrandGuard).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from pydantic import Field, field_validator, model_validator

from monitor.config.fields import StrictModel


@dataclass(frozen=True)
class RouteTemplate:
    """An RSSHub route: ``{keyword}`` routes search; ``{account}`` routes follow listed accounts."""

    label: str  # Chinese name shown in messages ("微博 未覆盖 14:00–16:30")
    route: str
    # Set on RSSHub's side (its own environment), documented in docs/platforms.md
    rsshub_env: str = ""


# Out of the box. Account routes need ``accounts = [...]``; all may be overridden with ``route = "..."``.
ROUTES: Mapping[str, RouteTemplate] = {
    "weibo": RouteTemplate("微博", "/weibo/keyword/{keyword}", "WEIBO_COOKIES (optional, fewer login walls)"),
    "weibo_user": RouteTemplate("微博", "/weibo/user/{account}", "WEIBO_COOKIES (optional)"),
    "xiaohongshu": RouteTemplate("小红书", "/xiaohongshu/user/{account}/notes", "XIAOHONGSHU_COOKIE"),
    "douyin": RouteTemplate("抖音", "/douyin/user/{account}", "puppeteer (PUPPETEER_WS_ENDPOINT)"),
    "bilibili": RouteTemplate("B站", "/bilibili/vsearch/{keyword}", "BILIBILI_COOKIE_{uid} (optional)"),
    "zhihu": RouteTemplate("知乎", "/zhihu/topic/{account}", "ZHIHU_COOKIES"),
    "wechat": RouteTemplate("微信公众号", "/wechat/mp/{account}", "route-specific; check your RSSHub build"),
    "toutiao": RouteTemplate("今日头条", "/toutiao/user/token/{account}", ""),
    "tieba": RouteTemplate("百度贴吧", "/baidu/tieba/search/{keyword}", ""),
}

# Query words that are operators, not search terms.
_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})
_TOKEN = re.compile(r'"([^"]+)"|(\S+)')


class HtmlSelectors(StrictModel):
    """CSS selectors for an HTML list page (forum board, complaint list): one mention per ``item``."""

    item: str = Field(min_length=1)
    title: str | None = None
    link: str | None = None  # the element's href (or the item's own first <a>)
    time: str | None = None  # datetime attribute or text
    author: str | None = None
    text: str | None = None  # default: the item's whole text


class OperatorConfig(StrictModel):
    """Who hears about sources going blind (blocked, needs config, failing) and brands with no live source."""

    channels: tuple[str, ...] = ()


class PlatformConfig(StrictModel):
    name: str = Field(min_length=1)  # a key of ROUTES, or any name when ``route`` is given
    rsshub: str = "http://127.0.0.1:1200"  # the team's own RSSHub instance
    route: str | None = None  # overrides the built-in template; {keyword} or {account}
    brands: tuple[str, ...] | None = None  # None: every brand
    # Search terms per brand; default: the positive terms of the brand's query (first max_keywords).
    keywords: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    accounts: tuple[str, ...] = ()  # for {account} routes: user / topic / account ids
    max_keywords: int = Field(default=3, ge=1, le=20)
    interval: int | str = "15m"
    reach_weight: int | None = Field(default=None, ge=0)
    label: str | None = None

    @field_validator("rsshub")
    @classmethod
    def _base(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be the http(s) base URL of an RSSHub instance (got {value!r})")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _known(self) -> PlatformConfig:
        if self.route is None and self.name not in ROUTES:
            known = ", ".join(sorted(ROUTES))
            raise ValueError(f'unknown platform {self.name!r}: give route = "/..." or use one of {known}')
        template = self.template
        if "{account}" in template and not self.accounts:
            raise ValueError(f"route {template} follows accounts: list them in accounts = [...]")
        if "{keyword}" not in template and "{account}" not in template:
            raise ValueError("route must contain {keyword} or {account}")
        return self

    @property
    def template(self) -> str:
        return self.route or ROUTES[self.name].route

    @property
    def display(self) -> str:
        return self.label or (ROUTES[self.name].label if self.name in ROUTES else self.name)


def query_terms(query: str) -> list[str]:
    """Positive search terms of a brand query: words and quoted phrases not negated, operators dropped."""
    terms: list[str] = []
    negate = False
    for quoted, word in _TOKEN.findall(query.replace("(", " ( ").replace(")", " ) ")):
        token = quoted or word
        if not quoted and token.upper() in _OPERATORS:
            negate = token.upper() == "NOT"
            continue
        if not quoted and (token in "()" or token.startswith("-")):
            negate = negate and token == "("
            continue
        if not quoted and "/" in token and token.split("/")[0].upper() == "NEAR":
            continue
        if not negate and token not in terms:
            terms.append(token)
        negate = False
    return terms


def platform_source_dicts(
    platforms: Sequence[Mapping[str, Any]], brands: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The ``[[sources]]`` entries a list of raw ``[[platforms]]`` tables stands for.

    Raw dicts in, raw dicts out: this runs before validation so the generated sources are validated as
    if written by hand (a bad platform entry is reported by ``PlatformConfig`` under ``platforms[i]``).
    """
    out: list[dict[str, Any]] = []
    for raw in platforms:
        try:
            platform = PlatformConfig.model_validate(raw)
        except Exception:
            continue  # reported with its key path when the Config validates ``platforms``
        wanted = set(platform.brands) if platform.brands is not None else None
        common: dict[str, Any] = {
            "kind": "json",
            "interval": platform.interval,
            "platform": platform.name,
            "json": RSSHUB_JSON_FEED,
        }
        if platform.reach_weight is not None:
            common["reach_weight"] = platform.reach_weight
        if "{account}" in platform.template:
            for account in platform.accounts:
                url = _url(platform, "account", account)
                entry = {"name": f"{platform.name}:{account}", "url": url, **common}
                if platform.brands is not None:
                    entry["brands"] = list(platform.brands)
                out.append(entry)
            continue
        for brand in brands:
            name = str(brand.get("name", ""))
            if not name or (wanted is not None and name not in wanted):
                continue
            terms = platform.keywords.get(name) or tuple(query_terms(str(brand.get("query", ""))))
            for term in list(terms)[: platform.max_keywords]:
                out.append(
                    {
                        "name": f"{platform.name}:{name}:{term}",
                        "url": _url(platform, "keyword", term),
                        "brands": [name],
                        **common,
                    }
                )
    return out


def _url(platform: PlatformConfig, slot: str, value: str) -> str:
    path = platform.template.replace("{" + slot + "}", quote(value, safe=""))
    return f"{platform.rsshub}{path}{'&' if '?' in path else '?'}format=json"


# RSSHub's JSON Feed 1.1 output (``?format=json``): author in ``authors[0].name``; routes that know
# counts put them in the item's ``_extra`` (Weibo's own API names), which we read when present.
RSSHUB_JSON_FEED: dict[str, str] = {
    "items": "items",
    "guid": "id",
    "title": "title",
    "text": "content_html",
    "link": "url",
    "published": "date_published",
    "author": "authors.0.name",
    "followers": "_extra.followers_count",
    "likes": "_extra.attitudes_count",
    "reposts": "_extra.reposts_count",
    "comments": "_extra.comments_count",
}
