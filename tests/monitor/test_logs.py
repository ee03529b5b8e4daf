"""monitor.logs: one JSON object per line, times with the display zone's offset, quiet libraries."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.logs import setup_logging
from monitor.storage.engine import open_database


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    out = io.StringIO()
    yield out
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])


def test_an_event_is_one_json_line_with_its_fields(stream: io.StringIO) -> None:
    setup_logging(fmt="json", tz="Asia/Shanghai", stream=stream)
    extra = {"event": "source.fetched", "source_id": 7, "source": "新浪"}
    logging.getLogger("monitor.crawl.pipeline").info("source %s: ok", "新浪", extra=extra)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("monitor.crawl").exception("tick failed")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["event"] == "source.fetched" and first["source_id"] == 7 and first["source"] == "新浪"
    assert first["msg"] == "source 新浪: ok" and first["level"] == "info"
    assert first["ts"].endswith("+08:00")  # the zone is in every line
    assert second["event"] == "log" and "ValueError: boom" in second["exc"]


def test_text_lines_carry_the_offset_too(stream: io.StringIO) -> None:
    setup_logging(fmt="text", tz="Europe/Berlin", stream=stream)
    logging.getLogger("monitor").warning("hello")
    line = stream.getvalue().strip()
    assert line.endswith("WARNING monitor: hello") and ("+0100" in line or "+0200" in line)


def test_migrations_at_start_up_say_nothing(stream: io.StringIO, tmp_path: Path) -> None:
    setup_logging(fmt="json", stream=stream)
    open_database(f"sqlite:///{tmp_path}/bg.db").dispose()
    assert stream.getvalue() == ""  # Alembic used to print nine INFO lines here


def test_incident_and_notification_events_reach_the_log(stream: io.StringIO, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from monitor import audit

    setup_logging(fmt="json", stream=stream)
    engine = open_database(f"sqlite:///{tmp_path}/bg.db")
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with engine.begin() as conn:
        audit.append(
            conn, actor="system", kind="incident.open", subject="incident:3", data={"severity": "P1"}, now=now
        )
        audit.append(conn, actor="alice", kind="users.add", subject="user:bob", data={}, now=now)
    engine.dispose()
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(e["event"], e["subject"], e["data"]) for e in events] == [
        ("incident.open", "incident:3", {"severity": "P1"})
    ]
