"""How a team runs incidents: ``[[alerts.oncall]]`` (who is on call when), ``[alerts.spike]`` (brand-level
volume spikes) and the console address that signed deep links in bot cards point to.

Example::

    [alerts]
    console_url = "https://brandguard.example.com"   # buttons in cards open the incident here
    link_ttl_hours = 72

    [[alerts.oncall]]
    name = "张三"
    mobile = "13800000000"                  # DingTalk and WeCom @ by mobile
    user_ids = { feishu = "ou_123", wecom = "zhangsan", dingtalk = "zhangsan" }
    days = "workdays"                       # workdays | offdays | all (PRC calendar)
    hours = "09:00-18:00"                   # local time; "22:00-09:00" wraps midnight

    [alerts.spike]
    window_minutes = 60
    baseline_weeks = 4
    min_count = 10
    ratio = 3.0
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
_MOBILE = re.compile(r"^\+?\d{6,15}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OnCallConfig(_Strict):
    name: str = Field(min_length=1)
    mobile: str | None = None
    user_ids: dict[Literal["wecom", "dingtalk", "feishu"], str] = Field(default_factory=dict)
    days: Literal["workdays", "offdays", "all"] = "all"
    hours: str = "00:00-24:00"
    tz: str = "Asia/Shanghai"

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        if not _HOURS.match(value):
            raise ValueError(f"expected HH:MM-HH:MM, got {value!r}")
        return value

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, value: str | None) -> str | None:
        if value is not None and not _MOBILE.match(value):
            raise ValueError(f"expected digits (optionally +country code), got {value!r}")
        return value


class SpikeConfig(_Strict):
    """A brand's volume in the last window against the same hour of day and weekday in past weeks."""

    enabled: bool = True
    window_minutes: int = Field(default=60, ge=10, le=1440)
    baseline_weeks: int = Field(default=4, ge=1, le=12)
    min_count: int = Field(default=10, ge=1)  # fewer mentions than this are never a spike
    ratio: float = Field(default=3.0, gt=1.0)  # current / baseline mean at or above this ...
    negative_ratio: float = Field(default=3.0, gt=1.0)  # ... or the same for negative mentions
