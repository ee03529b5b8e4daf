"""One table from platform name to adapter: what BrandGuard knows about each platform.

Adding a platform touches this table (and, for an RSSHub route, ``monitor.config.platforms.ROUTES``).
``empty_is_suspect``: a keyword search on a platform where the brand is always talked about does not go
quiet for real; an empty result after results is read as ``blocked (empty results)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.config.platforms import ROUTES


@dataclass(frozen=True)
class PlatformAdapter:
    name: str
    label: str  # 微博, 小红书 ... as messages show it
    via: str  # how BrandGuard reads it
    needs: str  # what the gateway (or vendor) must be given, documented in docs/platforms.md
    empty_is_suspect: bool = True


def _rsshub(name: str, empty_is_suspect: bool = True) -> PlatformAdapter:
    route = ROUTES[name]
    return PlatformAdapter(
        name,
        route.label,
        f"RSSHub {route.route}",
        route.rsshub_env or "nothing",
        empty_is_suspect,
    )


ADAPTERS: dict[str, PlatformAdapter] = {
    name: _rsshub(name, empty_is_suspect=name not in ("weibo_user", "zhihu", "toutiao", "wechat"))
    for name in ROUTES
}
# No maintained RSSHub route: an HTML list page with selectors, or the vendor / own-crawler ingest.
ADAPTERS["heimao"] = PlatformAdapter(
    "heimao",
    "黑猫投诉",
    "HTML list page ([sources.selectors]) or ingest",
    "a logged-in crawler (Weibo login)",
)
ADAPTERS["vendor"] = PlatformAdapter(
    "vendor", "数据供应商", "POST /api/v1/mentions", "an API token (role pr or admin)"
)


def adapter_for(name: str | None) -> PlatformAdapter | None:
    if name is None:
        return None
    return ADAPTERS.get(name) or PlatformAdapter(name, name, "custom route", "see your gateway", False)
