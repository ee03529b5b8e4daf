from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.audit.retention import RetentionPolicy, find_cut
from tests.monitor.audit.helpers import T0

POLICY = RetentionPolicy(compliance_days=1095, other_days=183)
NOW = T0 + timedelta(days=400)


@pytest.mark.parametrize(
    ("kind", "days"),
    [
        ("check", 1095),
        ("incident.ack", 1095),
        ("notify.sent", 1095),
        ("config.change", 1095),
        ("users.add", 1095),
        ("model.change", 1095),
        ("rules.change", 1095),
        ("daemon.start", 183),
    ],
)
def test_retention_per_kind(kind: str, days: int) -> None:
    assert POLICY.days_for(kind) == days


def test_cut_takes_only_an_expired_prefix() -> None:
    entries = [
        (1, T0, "daemon.start"),
        (2, T0 + timedelta(days=1), "daemon.tick"),
        (3, T0 + timedelta(days=2), "check"),
        (4, T0 + timedelta(days=3), "daemon.tick"),
    ]
    cut = find_cut(entries, base_seq=0, before=NOW, now=NOW, policy=POLICY)
    assert (cut.seq, cut.count) == (2, 2)
    assert cut.blocked_by is not None and cut.blocked_by[:2] == (3, "check")


def test_cut_respects_before() -> None:
    entries = [(5, T0, "daemon.start"), (6, T0 + timedelta(days=10), "daemon.tick")]
    cut = find_cut(entries, base_seq=4, before=T0 + timedelta(days=5), now=NOW, policy=POLICY)
    assert (cut.seq, cut.count, cut.blocked_by) == (5, 1, None)


def test_nothing_expired() -> None:
    cut = find_cut(
        [(1, NOW, "daemon.start")], base_seq=0, before=NOW + timedelta(days=1), now=NOW, policy=POLICY
    )
    assert cut.count == 0 and cut.seq == 0
