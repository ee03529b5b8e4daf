"""What every command gets: the global options, and lazily opened config and database.

Commands must stay cheap to start (``brandguard check`` may not import scikit-learn, jieba or
SQLAlchemy), so nothing here is opened until a command asks for it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from monitor.config import Config

DEFAULT_CONFIG_NAME = "brandguard.toml"
DEFAULT_DATA_DIR = ".brandguard"
DATABASE_URL_ENV = "BRANDGUARD_DATABASE_URL"


@dataclass
class Context:
    """Global options plus lazily created shared resources."""

    config_path: Path | None
    data_dir: Path
    actor: str = field(default_factory=lambda: os.environ.get("BRANDGUARD_ACTOR") or _login_name())
    _config: Config | None = None
    _engine: Engine | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    # False for read-only commands: channel and source secrets need not be in the environment.
    require_secrets: bool = True

    @classmethod
    def from_options(cls, config: str | None, data_dir: str | None) -> Context:
        if config is not None:
            config_path: Path | None = Path(config)
        else:
            default = Path(DEFAULT_CONFIG_NAME)
            config_path = default if default.is_file() else None
        return cls(config_path=config_path, data_dir=Path(data_dir or DEFAULT_DATA_DIR))

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_checked_config(self.config_path, require_secrets=self.require_secrets)
        return self._config

    def database_url(self) -> str:
        """Environment beats config beats the embedded SQLite file in the data directory."""
        env = os.environ.get(DATABASE_URL_ENV)
        if env:
            return env
        # Without a config file the defaults apply; skip loading (pydantic) so `check` stays fast.
        url = self.config.storage.url if self.config_path is not None or self._config is not None else None
        if url:
            return url
        return f"sqlite:///{(self.data_dir / 'brandguard.db').resolve()}"

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from monitor.storage.engine import open_database

            if self.database_url().startswith("sqlite"):
                from monitor.storage.files import ensure_private_dir

                ensure_private_dir(self.data_dir)  # 0700: the database holds personal information
            self._engine = open_database(self.database_url())
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _login_name() -> str:
    import getpass

    try:
        # getpass checks LOGNAME/USER/... and falls back to the password database (cron, CI, containers).
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def load_checked_config(path: Path | None, *, require_secrets: bool = True) -> Config:
    """``load_config`` plus the checks other wings own (brand queries): what every command sees."""
    from monitor.config import load_config
    from monitor.matching import check_brand_queries

    config = load_config(path, require_secrets=require_secrets)
    check_brand_queries(config.brands, label=str(path))
    check_channel_urls(config, label=str(path))
    return config


def check_channel_urls(config: Config, *, label: str) -> None:
    """Channel URLs get the sources' address guard (issue 11): an address-literal or localhost host must
    be public or allowed by daemon.allow_networks / allow_hosts. Names are checked at send time."""
    from monitor.errors import ConfigError
    from monitor.fetch.channel_guard import channel_policy, literal_problem

    policy = channel_policy(config.daemon.allow_hosts, config.daemon.allow_networks)
    for i, channel in enumerate(config.channels):
        problem = literal_problem(channel.url, policy) if channel.url else None
        if problem is not None:
            raise ConfigError(f"{label}: channels[{i}].url: {problem} (got {channel.url!r})")
