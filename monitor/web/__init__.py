"""Web console and HTTP API (FastAPI): ``monitor.web.app.create_app(ctx)``."""
