"""``[[alerts.holiday_years]]``: PRC holiday schedules for years chinese-calendar does not know yet.

Example (from the State Council notice; ranges are inclusive)::

    [[alerts.holiday_years]]
    year = 2027
    holidays = ["2027-01-01", "2027-02-06..2027-02-12", "2027-10-01..2027-10-07"]
    workdays = ["2027-02-14", "2027-10-09"]      # weekend days worked in exchange (调休)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from alerts.holidays import HolidayTable, HolidayYear, expand_days


class HolidayYearConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    year: int = Field(ge=2000, le=2200)
    holidays: list[str] = Field(default_factory=list)
    workdays: list[str] = Field(default_factory=list)

    @field_validator("holidays", "workdays")
    @classmethod
    def _days(cls, value: list[str]) -> list[str]:
        expand_days(value)  # raises ValueError naming the bad item
        return value

    @model_validator(mode="after")
    def _in_year(self) -> HolidayYearConfig:
        for key in ("holidays", "workdays"):
            stray = sorted(d for d in expand_days(getattr(self, key)) if d.year != self.year)
            if stray:
                raise ValueError(f"{key}: {stray[0].isoformat()} is not in year {self.year}")
        both = expand_days(self.holidays) & expand_days(self.workdays)
        if both:
            raise ValueError(f"{min(both).isoformat()} is listed both as a holiday and as a workday")
        return self

    def to_year(self) -> HolidayYear:
        return HolidayYear(self.year, expand_days(self.holidays), expand_days(self.workdays))


def holiday_table(years: list[HolidayYearConfig]) -> HolidayTable:
    return HolidayTable(tuple(y.to_year() for y in years))


def check_unique_years(years: list[HolidayYearConfig]) -> list[HolidayYearConfig]:
    seen = [y.year for y in years]
    dup = sorted({y for y in seen if seen.count(y) > 1})
    if dup:
        raise ValueError(f"year {dup[0]} is listed twice")
    return years
