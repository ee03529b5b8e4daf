"""Record each source's coverage state after a crawl; one operator notice per source and state change.

A change is decided by ``outages_repo.transition`` inside the crawl's own transaction, and the notice is
an outbox row in that same transaction with an idempotency key naming the change: a crash loses both or
neither, and a poll that finds the same state again writes nothing (not one notice per poll).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from monitor.platforms.adapters import adapter_for
from monitor.storage import outages_repo, outbox_repo
from monitor.storage.outages_repo import Outage, Transition

NOTICE_KIND = "source_state"


def health_label(base: str, outage: Outage | None) -> str:
    """``blocked (login required)``, ``needs config (cookie expired)`` ... or the schedule's own health."""
    if outage is None:
        return base
    state = outage.state.replace("_", " ")
    return f"{state} ({outage.reason})" if outage.reason else state


def record_state(
    conn: Connection,
    *,
    source_id: int,
    source_name: str,
    platform: str | None,
    state: str,
    reason: str | None,
    now: datetime,
    operator_channels: Sequence[str] = (),
    display_tz: str = "Asia/Shanghai",
) -> Transition | None:
    """Write the state; on a change, queue one notice per operator channel. Returns the change."""
    change = outages_repo.transition(conn, source_id, state, reason, now)
    if change is None or not operator_channels:
        return change
    payload = notice_message(source_name, platform, change, now=now, display_tz=display_tz)
    key = f"source:{source_id}:{change.after}:{change.after_reason or ''}:{now.isoformat()}"[:100]
    rows: list[dict[str, Any]] = [
        {
            "idempotency_key": f"{key}:{channel}"[:128],
            "channel": channel,
            "incident_id": None,
            "severity": None,
            "kind": NOTICE_KIND,
            "payload": payload,
            "not_before": now,
            "created_at": now,
        }
        for channel in operator_channels
    ]
    _queue(conn, rows)
    return change


def check_brands(
    conn: Connection,
    brands: Sequence[str],
    *,
    now: datetime,
    operator_channels: Sequence[str] = (),
    display_tz: str = "Asia/Shanghai",
) -> list[str]:
    """A brand whose every source is blind is itself an operator alert (once; and once when it recovers).

    Returns the brands whose blind/seen state changed."""
    changed = []
    for brand in brands:
        total, live = outages_repo.live_source_count(conn, brand)
        since = outages_repo.brand_blind_since(conn, brand)
        blind = total > 0 and live == 0
        if blind == (since is not None):
            continue
        outages_repo.set_brand_blind(conn, brand, now if blind else None, now)
        changed.append(brand)
        at = now.astimezone(ZoneInfo(display_tz)).strftime("%m-%d %H:%M")
        if blind:
            title = f"【品牌失明】{brand} 没有任何可用数据源"
            body = f"{brand} 的 {total} 个数据源自 {at}（北京时间）起全部未覆盖：此时无负面不代表没有舆情"
        else:
            title = f"【品牌恢复】{brand} 数据源恢复"
            body = f"{brand} 已有 {live}/{total} 个数据源恢复覆盖（{at}，北京时间）"
        payload = {
            "kind": "brand_blind",
            "title": title,
            "text": f"{title}\n{body}",
            "markdown": f"### {title}\n> {body}",
            "link": None,
            "brand": brand,
            "severity": None,
            "incident_id": None,
        }
        key = f"brand:{brand}:{'blind' if blind else 'seen'}:{now.isoformat()}"[:100]
        _queue(
            conn,
            [
                {
                    "idempotency_key": f"{key}:{channel}"[:128],
                    "channel": channel,
                    "incident_id": None,
                    "severity": None,
                    "kind": "brand_blind",
                    "payload": payload,
                    "not_before": now,
                    "created_at": now,
                }
                for channel in operator_channels
            ],
        )
    return changed


def _queue(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    existing = outbox_repo.existing_keys(conn, [r["idempotency_key"] for r in rows])
    outbox_repo.insert_pending(conn, [r for r in rows if r["idempotency_key"] not in existing])


def notice_message(
    source_name: str, platform: str | None, change: Transition, *, now: datetime, display_tz: str
) -> dict[str, object]:
    adapter = adapter_for(platform)
    where = f"{adapter.label} · {source_name}" if adapter else source_name
    at = now.astimezone(ZoneInfo(display_tz)).strftime("%m-%d %H:%M")
    if change.after == "ok":
        since = change.since.astimezone(ZoneInfo(display_tz)).strftime("%m-%d %H:%M") if change.since else "?"
        title = f"【数据源恢复】{where}"
        body = f"{where} 已恢复覆盖（{at}，北京时间）；未覆盖时段 {since}–{at}（此前：{_shown(change)}）"
    else:
        shown = change.after.replace("_", " ") + (f" ({change.after_reason})" if change.after_reason else "")
        title = f"【数据源未覆盖】{where}"
        hint = "；需要运维处理（更新 Cookie / RSSHub 配置）" if change.after == "needs_config" else ""
        body = f"{where} 自 {at}（北京时间）起未覆盖：{shown}{hint}。见 brandguard sources list"
    return {
        "kind": NOTICE_KIND,
        "title": title,
        "text": f"{title}\n{body}",
        "markdown": f"### {title}\n> {body}",
        "link": None,
        "brand": None,
        "severity": None,
        "incident_id": None,
    }


def _shown(change: Transition) -> str:
    state = change.before.replace("_", " ")
    return f"{state} ({change.before_reason})" if change.before_reason else state


def note_daemon_gap(conn: Connection, now: datetime, *, tick_s: float) -> int:
    """Record ``daemon_down`` for the enabled sources a silence of every daemon left unwatched.

    A source only loses coverage when the gap is longer than twice its own interval (one late poll
    still sees what its feed kept) and longer than ``max(5 min, 4 ticks)``. Returns rows written.
    """
    from datetime import timedelta

    last = outages_repo.swap_heartbeat(conn, now)
    if last is None:
        return 0
    gap = now - last
    floor = max(timedelta(minutes=5), timedelta(seconds=4 * tick_s))
    missed = [
        sid
        for sid, interval in outages_repo.enabled_source_intervals(conn).items()
        if gap > max(floor, timedelta(seconds=2 * interval))
    ]
    return outages_repo.record_period(conn, missed, "daemon_down", "no daemon running", last, now)
