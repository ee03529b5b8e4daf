"""Configuration wing: ``brandguard.toml`` as frozen pydantic models, loaded and validated once.

It owns the file format (every key, its default and its check), the one-line errors that name a key,
and the rule that secrets stay in the environment: the models hold variable names, never values.
Modules: ``model`` (the top-level ``Config`` and small sections), ``sources`` (``[[sources]]``),
``alerting`` (``[alerts]``, ``[[channels]]``, ``[[routes]]``), ``fields`` (shared validators),
``loading`` (reading the file). Other wings import from this face only.
"""

from monitor.config.fields import SOURCE_KINDS, parse_duration
from monitor.config.loading import config_from_dict, format_validation_error, load_config
from monitor.config.sections import AuditConfig, BrandConfig, Config, DaemonConfig, StorageConfig
from monitor.config.sources import JsonMapping, SourceConfig

__all__ = [
    "SOURCE_KINDS",
    "AuditConfig",
    "BrandConfig",
    "Config",
    "DaemonConfig",
    "JsonMapping",
    "SourceConfig",
    "StorageConfig",
    "config_from_dict",
    "format_validation_error",
    "load_config",
    "parse_duration",
]
