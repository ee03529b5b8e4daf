from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from monitor.storage.mentions_repo import (
    find_by_key,
    fingerprint_from_db,
    fingerprint_to_db,
    get_mention,
    insert_mention,
    list_mentions,
    mark_policy_done,
    pending_policy,
    recent_fingerprints,
    stored_keys,
)

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def mention(key: str, **kw: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "brand": "茶语",
        "dedup_key": key,
        "story_key": f"story-{key}",
        "title": f"标题 {key}",
        "text": "茶语新品被曝光",
        "published_at": NOW,
        "fetched_at": NOW,
    }
    values.update(kw)
    return values


@pytest.mark.parametrize(
    ("unsigned", "signed"),
    [(0, 0), (1, 1), (2**63 - 1, 2**63 - 1), (2**63, -(2**63)), (2**64 - 1, -1), (None, None)],
)
def test_fingerprint_conversion(unsigned: int | None, signed: int | None) -> None:
    assert fingerprint_to_db(unsigned) == signed
    assert fingerprint_from_db(signed) == unsigned


@pytest.mark.parametrize("bad", [-1, 2**64])
def test_fingerprint_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError):
        fingerprint_to_db(bad)


def test_insert_is_idempotent_on_brand_and_dedup_key(engine: Engine) -> None:
    with engine.begin() as conn:
        first = insert_mention(conn, mention("k1"))
        again = insert_mention(conn, mention("k1", title="changed"))
        other_brand = insert_mention(conn, mention("k1", brand="果仓"))
        rows = list_mentions(conn, limit=10)
    assert first[1] is True and again == (first[0], False)
    assert other_brand[1] is True and other_brand[0] != first[0]
    assert len(rows) == 2
    assert {row.title for row in rows} == {"标题 k1"}


def test_round_trip_of_all_fields(engine: Engine) -> None:
    published = datetime(2026, 11, 23, 16, 0, tzinfo=UTC) - timedelta(hours=9)
    values = mention(
        "k2",
        fingerprint=2**64 - 5,
        url="https://example.com/a",
        author="用户",
        published_at=published,
        published_estimated=True,
        followers=12_000_000_000,
        likes=3,
        reposts=4,
        label="negative",
        p_negative=0.93,
        risk_terms=("曝光", "投诉"),
        baseline=True,
    )
    with engine.begin() as conn:
        mention_id, inserted = insert_mention(conn, values)
        row = get_mention(conn, mention_id)
    assert inserted and row is not None
    assert row.fingerprint == 2**64 - 5
    assert row.published_at == published and row.published_at.tzinfo == UTC
    assert row.risk_terms == ("曝光", "投诉")
    assert (row.followers, row.label, row.p_negative, row.baseline, row.policy_done) == (
        12_000_000_000,
        "negative",
        0.93,
        True,
        False,
    )
    assert row.published_estimated and row.incident_id is None and row.extra == {}


def test_insert_rejects_unknown_columns_and_naive_times(engine: Engine) -> None:
    with engine.begin() as conn:
        with pytest.raises(ValueError, match="unknown mention columns: nope"):
            insert_mention(conn, mention("k", nope=1))
        with pytest.raises(ValueError, match="naive"):
            insert_mention(conn, mention("k", published_at=datetime(2026, 1, 1)))


def test_recent_fingerprints_by_brand_and_time(engine: Engine) -> None:
    with engine.begin() as conn:
        insert_mention(conn, mention("old", fingerprint=1, published_at=NOW - timedelta(days=3)))
        insert_mention(conn, mention("new", fingerprint=2**64 - 1, published_at=NOW - timedelta(hours=1)))
        insert_mention(conn, mention("newest", fingerprint=7, published_at=NOW))
        insert_mention(conn, mention("nofp", published_at=NOW))
        insert_mention(conn, mention("other", brand="果仓", fingerprint=9, published_at=NOW))
        found = recent_fingerprints(conn, "茶语", since=NOW - timedelta(days=1))
    assert found == [(7, "story-newest"), (2**64 - 1, "story-new")]


def test_list_mentions_filters_newest_first(engine: Engine) -> None:
    with engine.begin() as conn:
        for i in range(5):
            insert_mention(
                conn,
                mention(
                    f"m{i}", published_at=NOW - timedelta(hours=i), label="negative" if i % 2 else "neutral"
                ),
            )
        insert_mention(conn, mention("x", brand="果仓", label="negative"))
        assert [r.dedup_key for r in list_mentions(conn, brand="茶语", limit=3)] == ["m0", "m1", "m2"]
        assert [r.dedup_key for r in list_mentions(conn, brand="茶语", negative_only=True)] == ["m1", "m3"]
        since = list_mentions(conn, since=NOW - timedelta(hours=1, minutes=30))
        assert {r.dedup_key for r in since} == {"m0", "m1", "x"}
        window = list_mentions(conn, since=NOW - timedelta(hours=3), until=NOW - timedelta(hours=1))
        assert [r.dedup_key for r in window] == ["m2", "m3"]  # until is exclusive: m1 is at NOW - 1h
        assert [r.dedup_key for r in list_mentions(conn, brand="茶语", label="neutral")] == ["m0", "m2", "m4"]
        assert list_mentions(conn, source_id=999_999) == []


def test_pending_policy_and_mark_done(engine: Engine) -> None:
    with engine.begin() as conn:
        a, _ = insert_mention(conn, mention("a"))
        insert_mention(conn, mention("baseline", baseline=True))
        b, _ = insert_mention(conn, mention("b"))
        c, _ = insert_mention(conn, mention("c"))
        assert [r.id for r in pending_policy(conn, 2)] == [a, b]
        assert mark_policy_done(conn, [a, b]) == 2
        assert mark_policy_done(conn, []) == 0
        assert [r.id for r in pending_policy(conn, 10)] == [c]


def test_find_by_key_and_stored_keys(engine: Engine) -> None:
    with engine.begin() as conn:
        first, _ = insert_mention(conn, mention("k1"))
        insert_mention(conn, mention("k2", brand="果仓"))
        assert find_by_key(conn, "茶语", "k1") == (first, "story-k1")
        assert find_by_key(conn, "果仓", "k1") is None
        # one query for a whole document's keys, every brand stored under them
        assert stored_keys(conn, {"k1", "k2", "k3"}) == {("茶语", "k1"), ("果仓", "k2")}
        assert stored_keys(conn, set()) == set()
