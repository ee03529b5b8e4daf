"""The demo tells the whole story: baseline, an incident, the three reminders and the breach.

Scored by a keyword stand-in so the story does not depend on the shipped model's exact probabilities.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pytest

from monitor.crawl.pipeline import Score
from monitor.demo.scenario import run_scenario

pytestmark = pytest.mark.integration

NEGATIVE = ("自燃", "起火", "投诉", "可怕", "失望", "糟糕", "拒绝", "担心")


def _keywords(texts: Sequence[str]) -> list[Score]:
    return [
        Score("negative", 0.9, ("自燃",)) if any(w in t for w in NEGATIVE) else Score("neutral", 0.1, ())
        for t in texts
    ]


def test_demo_story_opens_an_incident_reminds_and_breaches(tmp_path: Path) -> None:
    out = io.StringIO()
    summary = run_scenario(tmp_path, out=out, scorer=_keywords)
    story = out.getvalue()
    assert "baseline:" in story
    assert "INCIDENT #1 opened" in story and "云帆汽车" in story
    for reminder in ("reminder, 120 min", "reminder, 60 min", "reminder, 30 min"):
        assert reminder in story
    assert "BREACH" in story
    assert story.index("INCIDENT #1") < story.index("reminder, 120 min") < story.index("BREACH")
    figures = summary.as_json()
    assert figures["sources"] == 8  # six feeds + two platform searches through the local RSSHub
    # 百度贴吧 shows its captcha page from 1:30 to 3:00 into the story: a blind window, noticed once
    assert story.count("BLIND: tieba:云帆汽车:云帆汽车 blocked (captcha)") == 1
    # ...and its problem is told once while it lasts, not every round
    assert story.count("source problem: tieba:云帆汽车:云帆汽车: blocked (captcha)") == 1
    assert "covered again: tieba:云帆汽车:云帆汽车 未覆盖" in story
    assert figures["alerts"] >= 1
    # opened + 3 reminders + breach for the first incident at least, all received by the webhook
    assert figures["notifications"] >= 5
    assert figures["negative"] >= 5
