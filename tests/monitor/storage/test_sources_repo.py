from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from monitor.storage.sources_repo import (
    REMOVED_FROM_CONFIG,
    SourceSpec,
    claim_due_sources,
    get_source,
    list_schedules,
    list_sources,
    release_claims,
    release_source,
    reschedule,
    source_names,
    sync_sources,
)

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def spec(name: str, url: str | None = None, **kw: object) -> SourceSpec:
    values: dict[str, object] = {
        "kind": "rss",
        "url": url or f"https://example.com/{name}.xml",
        "brands": ("茶语",),
        "interval_s": 900,
    }
    values.update(kw)
    return SourceSpec(name=name, **values)  # type: ignore[arg-type]


def sync(engine: Engine, specs: list[SourceSpec], now: datetime = NOW) -> None:
    with engine.begin() as conn:
        sync_sources(conn, specs, now=now)


def sources_by_name(engine: Engine) -> dict[str, object]:
    with engine.begin() as conn:
        return {row.name: row for row in list_sources(conn)}


def test_sync_inserts_new_sources_due_now(engine: Engine) -> None:
    sync(engine, [spec("b"), spec("a", brands=("茶语", "果仓"), tz="UTC", interval_s=60)])
    with engine.begin() as conn:
        rows = list_sources(conn)
    assert [row.name for row in rows] == ["a", "b"]
    a = rows[0]
    assert a.brands == ("茶语", "果仓")
    assert (a.tz, a.interval_s, a.kind) == ("UTC", 60, "rss")
    assert a.next_check_at == NOW and a.created_at == NOW and a.next_check_at.tzinfo == UTC
    assert (a.consecutive_errors, a.fetch_count, a.baseline_done, a.disabled_at) == (0, 0, False, None)


def test_sync_updates_config_and_keeps_state(engine: Engine) -> None:
    sync(engine, [spec("a")])
    later = NOW + timedelta(hours=1)
    with engine.begin() as conn:
        src = list_sources(conn)[0]
    claimed = claim_due_sources(engine, worker_id="w", now=NOW, limit=5, lease_s=60)
    with engine.begin() as conn:
        assert release_source(
            conn, src.id, worker_id="w", etag='"v1"', next_check_at=later, baseline_done=True
        )
    sync(engine, [spec("a", interval_s=300, brands=("果仓",))], now=later)
    row = sources_by_name(engine)["a"]
    assert len(claimed) == 1
    assert row.interval_s == 300 and row.brands == ("果仓",)  # type: ignore[attr-defined]
    assert row.etag == '"v1"' and row.baseline_done and row.next_check_at == later  # type: ignore[attr-defined]


def test_removed_source_is_disabled_and_comes_back(engine: Engine) -> None:
    sync(engine, [spec("a"), spec("b")])
    sync(engine, [spec("a")], now=NOW + timedelta(minutes=1))
    b = sources_by_name(engine)["b"]
    assert b.disabled_reason == REMOVED_FROM_CONFIG  # type: ignore[attr-defined]
    assert b.disabled_at == NOW + timedelta(minutes=1)  # type: ignore[attr-defined]
    assert (
        claim_due_sources(engine, worker_id="w", now=NOW + timedelta(hours=1), limit=10, lease_s=60)[0].name
        == "a"
    )
    back = NOW + timedelta(hours=2)
    sync(engine, [spec("a"), spec("b")], now=back)
    b = sources_by_name(engine)["b"]
    assert b.disabled_reason is None and b.disabled_at is None and b.next_check_at == back  # type: ignore[attr-defined]


def test_url_change_reenables_a_source_disabled_for_errors(engine: Engine) -> None:
    sync(engine, [spec("a")])
    [src] = claim_due_sources(engine, worker_id="w", now=NOW, limit=1, lease_s=60)
    with engine.begin() as conn:
        release_source(
            conn,
            src.id,
            worker_id="w",
            next_check_at=NOW + timedelta(days=1),
            consecutive_errors=9,
            disabled_at=NOW,
            disabled_reason="HTTP 410 Gone",
            etag="x",
        )
    sync(engine, [spec("a", url="https://example.com/new.xml")], now=NOW + timedelta(hours=1))
    a = sources_by_name(engine)["a"]
    assert a.disabled_at is None and a.consecutive_errors == 0 and a.etag is None  # type: ignore[attr-defined]
    assert a.next_check_at == NOW + timedelta(hours=1)  # type: ignore[attr-defined]


def test_sync_rejects_duplicate_names(engine: Engine) -> None:
    with pytest.raises(ValueError, match="unique"), engine.begin() as conn:
        sync_sources(conn, [spec("a"), spec("a")], now=NOW)


def test_claim_takes_only_due_unclaimed_enabled_sources_oldest_first(engine: Engine) -> None:
    sync(engine, [spec("due-early"), spec("due-late"), spec("future"), spec("gone")])
    sync(engine, [spec("due-early"), spec("due-late"), spec("future")])
    schedule = {
        "due-early": NOW - timedelta(minutes=10),
        "due-late": NOW,
        "future": NOW + timedelta(seconds=121),
    }
    first = claim_due_sources(engine, worker_id="w0", now=NOW, limit=10, lease_s=1)
    with engine.begin() as conn:
        for row in first:
            release_source(conn, row.id, worker_id="w0", next_check_at=schedule[row.name])
    claimed = claim_due_sources(engine, worker_id="w1", now=NOW, limit=10, lease_s=120)
    assert [row.name for row in claimed] == ["due-early", "due-late"]
    assert all(
        row.claimed_by == "w1" and row.claimed_until == NOW + timedelta(seconds=120) for row in claimed
    )
    # Claimed rows are invisible to other workers until the lease expires ...
    assert (
        claim_due_sources(engine, worker_id="w2", now=NOW + timedelta(seconds=119), limit=10, lease_s=60)
        == []
    )
    # ... then a crashed worker's sources are picked up again ("future" is not due yet).
    again = claim_due_sources(engine, worker_id="w2", now=NOW + timedelta(seconds=120), limit=10, lease_s=60)
    assert [row.name for row in again] == ["due-early", "due-late"]


def test_claim_respects_limit(engine: Engine) -> None:
    sync(engine, [spec(f"s{i}") for i in range(5)])
    assert len(claim_due_sources(engine, worker_id="w", now=NOW, limit=3, lease_s=60)) == 3
    assert len(claim_due_sources(engine, worker_id="v", now=NOW, limit=3, lease_s=60)) == 2
    assert claim_due_sources(engine, worker_id="u", now=NOW, limit=0, lease_s=60) == []


def test_release_writes_state_and_clears_claim(engine: Engine) -> None:
    sync(engine, [spec("a")])
    [src] = claim_due_sources(engine, worker_id="w", now=NOW, limit=1, lease_s=60)
    nxt = NOW + timedelta(minutes=15)
    with engine.begin() as conn:
        ok = release_source(
            conn,
            src.id,
            worker_id="w",
            next_check_at=nxt,
            last_checked_at=NOW,
            last_success_at=NOW,
            etag='"abc"',
            last_modified="Mon, 23 Nov 2026 07:59:00 GMT",
            body_sha256="0" * 64,
            consecutive_errors=0,
            baseline_done=True,
        )
        row = get_source(conn, src.id)
    assert ok and row is not None
    assert (row.claimed_by, row.claimed_until, row.fetch_count) == (None, None, 1)
    assert (row.next_check_at, row.last_success_at, row.etag, row.baseline_done) == (nxt, NOW, '"abc"', True)


def test_release_by_a_worker_that_lost_its_claim_changes_nothing(engine: Engine) -> None:
    sync(engine, [spec("a")])
    [src] = claim_due_sources(engine, worker_id="slow", now=NOW, limit=1, lease_s=60)
    [stolen] = claim_due_sources(
        engine, worker_id="fast", now=NOW + timedelta(seconds=61), limit=1, lease_s=60
    )
    with engine.begin() as conn:
        assert not release_source(conn, src.id, worker_id="slow", next_check_at=NOW, last_error="late")
        row = get_source(conn, src.id)
    assert stolen.id == src.id
    assert row is not None and row.claimed_by == "fast" and row.last_error is None and row.fetch_count == 0


def test_release_rejects_unknown_fields_and_naive_times(engine: Engine) -> None:
    sync(engine, [spec("a")])
    [src] = claim_due_sources(engine, worker_id="w", now=NOW, limit=1, lease_s=60)
    with engine.begin() as conn:
        with pytest.raises(TypeError, match="claimed_by"):
            release_source(conn, src.id, worker_id="w", claimed_by="me")
        with pytest.raises(ValueError, match="naive"):
            release_source(conn, src.id, worker_id="w", next_check_at=datetime(2026, 1, 1))


def test_release_claims_frees_only_the_workers_own(engine: Engine) -> None:
    sync(engine, [spec("a"), spec("b"), spec("c")])
    claim_due_sources(engine, worker_id="w1", now=NOW, limit=2, lease_s=60)
    claim_due_sources(engine, worker_id="w2", now=NOW, limit=5, lease_s=60)
    with engine.begin() as conn:
        assert release_claims(conn, worker_id="w1") == 2
        assert release_claims(conn, worker_id="w1") == 0
    rows = sources_by_name(engine)
    assert sorted(r.claimed_by or "-" for r in rows.values()) == ["-", "-", "w2"]  # type: ignore[attr-defined]
    assert all(r.next_check_at == NOW for r in rows.values())  # type: ignore[attr-defined]


def test_schedules_list_unclaimed_enabled_and_reschedule_is_conditional(engine: Engine) -> None:
    sync(engine, [spec("a"), spec("b", interval_s=60), spec("gone")])
    sync(engine, [spec("a"), spec("b", interval_s=60)])  # "gone" is disabled
    claim_due_sources(engine, worker_id="w", now=NOW, limit=1, lease_s=60)  # claims "a" (lowest id)
    names = sources_by_name(engine)
    with engine.begin() as conn:
        schedules = list_schedules(conn)
        assert [(s.id, s.next_check_at, s.interval_s) for s in schedules] == [
            (names["b"].id, NOW, 60)  # type: ignore[attr-defined]
        ]
        later = NOW + timedelta(minutes=5)
        b = schedules[0]
        assert reschedule(conn, b.id, expected=NOW - timedelta(seconds=1), next_check_at=later) is False
        assert reschedule(conn, b.id, expected=b.next_check_at, next_check_at=later) is True
        # another daemon moved it meanwhile: the stale expectation changes nothing
        assert reschedule(conn, b.id, expected=b.next_check_at, next_check_at=NOW) is False
        # a claimed source is never moved under its worker
        a_id = names["a"].id  # type: ignore[attr-defined]
        assert reschedule(conn, a_id, expected=NOW, next_check_at=later) is False
    assert sources_by_name(engine)["b"].next_check_at == NOW + timedelta(minutes=5)  # type: ignore[attr-defined]


def test_source_names_map_ids(engine: Engine) -> None:
    sync(engine, [spec("a"), spec("b")])
    with engine.begin() as conn:
        names = source_names(conn)
        assert names == {row.id: row.name for row in list_sources(conn)}
    assert sorted(names.values()) == ["a", "b"]
