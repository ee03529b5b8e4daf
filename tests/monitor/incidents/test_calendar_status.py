from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from monitor.config import config_from_dict
from monitor.incidents import calendar_status
from monitor.incidents.calendar_status import calendar_missing_years, log_calendar_warning


def test_missing_year_is_logged_once_a_day(caplog: pytest.LogCaptureFixture) -> None:
    calendar_status._logged_on.clear()
    config = config_from_dict({})
    now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    with caplog.at_level(logging.WARNING, logger="brandguard.calendar"):
        assert log_calendar_warning(config, now) is not None
        log_calendar_warning(config, now)
    assert len([r for r in caplog.records if "2027" in r.getMessage()]) == 1
    assert calendar_missing_years(config, now) == [2027]


def test_configured_year_silences_the_warning() -> None:
    config = config_from_dict(
        {"alerts": {"holiday_years": [{"year": 2027, "holidays": ["2027-01-01"], "workdays": []}]}}
    )
    assert calendar_missing_years(config, datetime(2026, 12, 2, tzinfo=UTC)) == []
    assert calendar_missing_years(config, datetime(2027, 12, 2, tzinfo=UTC)) == [2028]


@pytest.mark.parametrize(
    ("years", "fragment"),
    [
        ([{"year": 2027, "holidays": ["2028-01-01"]}], "not in year 2027"),
        ([{"year": 2027}, {"year": 2027}], "listed twice"),
        ([{"year": 2027, "holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}], "both"),
        ([{"year": 2027, "holidays": ["2027-1-1x"]}], "YYYY-MM-DD"),
    ],
)
def test_bad_holiday_years_name_the_key(years: list[dict[str, object]], fragment: str) -> None:
    from monitor.errors import ConfigError

    with pytest.raises(ConfigError, match=fragment) as info:
        config_from_dict({"alerts": {"holiday_years": years}})
    assert "holiday_years" in str(info.value)


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ({"name": "a", "hours": "9-18"}, "alerts.oncall[0].hours"),
        ({"name": "a", "mobile": "138-0000"}, "alerts.oncall[0].mobile"),
        ({"name": "a", "days": "weekends"}, "alerts.oncall[0].days"),
        ({"name": "a", "user_ids": {"slack": "x"}}, "alerts.oncall[0].user_ids"),
    ],
)
def test_bad_oncall_entries_name_the_key(entry: dict[str, object], fragment: str) -> None:
    from monitor.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        config_from_dict({"alerts": {"oncall": [entry]}})
    assert fragment in str(info.value)


def test_console_url_must_be_http() -> None:
    from monitor.errors import ConfigError

    with pytest.raises(ConfigError, match="console_url"):
        config_from_dict({"alerts": {"console_url": "bg.example.com"}})
    assert config_from_dict({"alerts": {"console_url": "https://bg.example.com/"}}).alerts.console_url == (
        "https://bg.example.com"
    )
