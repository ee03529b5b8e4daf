"""The app factory that ``brandguard serve --workers N`` hands to uvicorn.

With several workers uvicorn starts fresh processes that import the app by name, so the options of
the ``serve`` command travel to them in the environment (set by the parent before it starts them).
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

CONFIG_ENV = "BRANDGUARD_SERVE_CONFIG"
DATA_DIR_ENV = "BRANDGUARD_SERVE_DATA_DIR"
INSECURE_ENV = "BRANDGUARD_SERVE_INSECURE_COOKIES"
FACTORY = "monitor.web.worker_app:create_worker_app"


def worker_environment(config_path: Path | None, data_dir: Path, *, insecure_cookies: bool) -> dict[str, str]:
    """What ``create_worker_app`` needs, as environment variables (absolute paths: workers may chdir)."""
    env = {DATA_DIR_ENV: str(data_dir.resolve()), INSECURE_ENV: "1" if insecure_cookies else ""}
    env[CONFIG_ENV] = str(config_path.resolve()) if config_path is not None else ""
    return env


def create_worker_app() -> FastAPI:
    from monitor.context import Context
    from monitor.web.app import create_app

    config = os.environ.get(CONFIG_ENV) or None
    ctx = Context(config_path=Path(config) if config else None, data_dir=Path(os.environ[DATA_DIR_ENV]))
    return create_app(ctx, secure_cookies=not os.environ.get(INSECURE_ENV))
