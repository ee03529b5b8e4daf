"""Build the app from environment variables, for ``brandguard serve --workers N``.

uvicorn starts each worker process by importing an app factory by name; the parent passes the global
options through the environment (the factory cannot receive the parent's ``Context`` object).
"""

from __future__ import annotations

import os

from fastapi import FastAPI

CONFIG_ENV = "BRANDGUARD_WEB_CONFIG"
DATA_DIR_ENV = "BRANDGUARD_WEB_DATA_DIR"
INSECURE_ENV = "BRANDGUARD_WEB_INSECURE_COOKIES"


def app_from_env() -> FastAPI:
    from monitor.context import Context
    from monitor.web.app import create_app

    ctx = Context.from_options(os.environ.get(CONFIG_ENV) or None, os.environ.get(DATA_DIR_ENV) or None)
    return create_app(ctx, secure_cookies=os.environ.get(INSECURE_ENV) != "1")
