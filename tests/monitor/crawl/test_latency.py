"""Bucket arithmetic of the fetch-latency histogram (Prometheus ``le``: upper bounds are inclusive)."""

from __future__ import annotations

import math

import pytest

from monitor.crawl.latency import (
    BUCKETS,
    LatencyHistogram,
    bucket_index,
    from_state,
    le_label,
    observe,
    to_state,
)


def test_buckets_are_increasing_and_end_with_inf() -> None:
    assert list(BUCKETS) == sorted(set(BUCKETS))
    assert BUCKETS[-1] == math.inf


@pytest.mark.parametrize(
    ("seconds", "bound"),
    [
        (0.0, 0.05),
        (0.05, 0.05),  # exactly on an edge: in that bucket
        (0.0500001, 0.1),
        (0.1, 0.1),
        (0.2500001, 0.5),
        (1.0, 1.0),
        (2.5, 2.5),
        (29.999, 30.0),
        (30.0, 30.0),
        (30.000001, math.inf),
        (3600.0, math.inf),
    ],
)
def test_a_value_goes_into_the_first_bucket_whose_bound_is_not_below_it(seconds: float, bound: float) -> None:
    assert BUCKETS[bucket_index(seconds)] == bound


def test_observe_counts_sums_and_keeps_the_last_duration() -> None:
    histogram = observe(LatencyHistogram(), [0.05, 0.3, 40.0])
    histogram = observe(histogram, [])  # nothing fetched: unchanged
    histogram = observe(histogram, [0.05])
    assert dict(zip(BUCKETS, histogram.counts, strict=True)) == {
        0.05: 2,
        0.1: 0,
        0.25: 0,
        0.5: 1,
        1.0: 0,
        2.5: 0,
        5.0: 0,
        10.0: 0,
        30.0: 0,
        math.inf: 1,
    }
    assert histogram.count == 4
    assert histogram.sum_s == pytest.approx(40.4)
    assert histogram.last_s == 0.05


def test_cumulative_buckets_are_monotone_and_end_with_the_count() -> None:
    histogram = observe(LatencyHistogram(), [0.01, 0.07, 0.07, 3.0, 100.0])
    assert histogram.cumulative() == [
        (0.05, 1),
        (0.1, 3),
        (0.25, 3),
        (0.5, 3),
        (1.0, 3),
        (2.5, 3),
        (5.0, 4),
        (10.0, 4),
        (30.0, 4),
        (math.inf, 5),
    ]


def test_le_labels_match_prometheus_text() -> None:
    assert [le_label(b) for b in BUCKETS] == [
        "0.05",
        "0.1",
        "0.25",
        "0.5",
        "1.0",
        "2.5",
        "5.0",
        "10.0",
        "30.0",
        "+Inf",
    ]


def test_state_round_trips() -> None:
    histogram = observe(LatencyHistogram(), [0.05, 0.3, 40.0])
    state = to_state(histogram)
    assert state == {
        "count": 3,
        "sum_s": pytest.approx(40.35),
        "last_s": 40.0,
        "buckets": {
            "0.05": 1,
            "0.1": 0,
            "0.25": 0,
            "0.5": 1,
            "1.0": 0,
            "2.5": 0,
            "5.0": 0,
            "10.0": 0,
            "30.0": 0,
            "+Inf": 1,
        },
    }
    assert from_state(state) == histogram


@pytest.mark.parametrize("value", [None, {}, "garbage", []])
def test_no_row_reads_as_an_empty_histogram(value: object) -> None:
    assert from_state(value) == LatencyHistogram()
    assert from_state(value).count == 0


def test_a_row_from_before_buckets_puts_everything_in_inf() -> None:
    histogram = from_state({"count": 3, "sum_s": 2.25, "last_s": 0.25})
    assert histogram.counts == (0,) * (len(BUCKETS) - 1) + (3,)
    assert (histogram.sum_s, histogram.last_s) == (2.25, 0.25)
    # New observations then land in their buckets on top of it.
    assert observe(histogram, [0.05]).cumulative()[0] == (0.05, 1)
    assert observe(histogram, [0.05]).cumulative()[-1] == (math.inf, 4)


def test_a_count_above_the_buckets_sends_the_difference_to_inf() -> None:
    # An older daemon added 2 fetches to "count" without bucket data (rolling upgrade).
    histogram = from_state({"count": 5, "sum_s": 1.0, "last_s": 0.1, "buckets": {"0.05": 3}})
    assert histogram.counts[0] == 3
    assert histogram.counts[-1] == 2
    assert histogram.count == 5


def test_bounds_from_another_layout_fold_into_the_bucket_that_contains_them() -> None:
    histogram = from_state({"count": 4, "buckets": {"0.2": 1, "0.5": 1, "60.0": 1, "+Inf": 1}})
    assert dict(zip(BUCKETS, histogram.counts, strict=True))[0.25] == 1
    assert dict(zip(BUCKETS, histogram.counts, strict=True))[0.5] == 1
    assert dict(zip(BUCKETS, histogram.counts, strict=True))[math.inf] == 2
    assert histogram.count == 4
