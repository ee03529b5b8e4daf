"""Logging set-up shared by every wing: one JSON object per line, times in the display zone, quiet libraries.

Standard library only, at the bottom floor, so any wing may import it. Code logs events with the
standard ``logging`` calls and puts the machine-readable part in ``extra``::

    log.info("source %s fetched", name, extra={"event": "source.fetched", "source_id": 7, "items": 20})

With ``--log-format json`` (the default of ``brandguard run``) each record becomes one line::

    {"ts": "2026-12-02T10:15:03.120+08:00", "level": "info", "logger": "monitor.crawl.pipeline",
     "event": "source.fetched", "msg": "source feed7 fetched", "source_id": 7, "items": 20}

``ts`` carries its UTC offset so a line read on another machine is unambiguous (plain-text logs in UTC
without a zone were read as Beijing time, eight hours off).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

# Libraries that log every request or every job at INFO: raised to WARNING unless --verbose.
QUIET_LOGGERS = (
    "alembic",  # nine "Context impl SQLiteImpl" / "Will assume ..." lines at every start
    "httpx",
    "httpcore",
    "apscheduler",
    "uvicorn.access",
    "jieba",
)
# Attributes every LogRecord has; anything else came in through ``extra`` and belongs in the JSON.
_STANDARD = frozenset(vars(logging.LogRecord("x", 0, "x", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record; ``extra`` keys become fields, the exception becomes ``exc``."""

    def __init__(self, tz: str = "Asia/Shanghai") -> None:
        super().__init__()
        self.zone = ZoneInfo(tz)

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, self.zone).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", None) or "log",
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in out:
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Human-readable lines, still with the zone offset: ``2026-12-02 10:15:03+0800 INFO name: msg``."""

    def __init__(self, tz: str = "Asia/Shanghai") -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.zone = ZoneInfo(tz)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, self.zone).strftime("%Y-%m-%d %H:%M:%S%z")


def setup_logging(
    *,
    fmt: str = "json",
    level: int = logging.INFO,
    tz: str = "Asia/Shanghai",
    stream: IO[str] | None = None,
    verbose_libraries: bool = False,
) -> logging.Handler:
    """Replace the root handlers with one writing ``fmt`` ("json" or "text") to ``stream`` (stderr)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(tz) if fmt == "json" else TextFormatter(tz))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    quiet_libraries(verbose=verbose_libraries)
    return handler


def quiet_libraries(*, verbose: bool = False) -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
