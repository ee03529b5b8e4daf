"""brandguard.toml loading: defaults, the shipped example, and one-line errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.commands.init import example_config_text
from monitor.config import Config, SourceConfig, config_from_dict, load_config, parse_duration
from monitor.errors import ConfigError

ENV = {"FORUM_TOKEN": "secret-token-value", "FORUM_SESSION": "s3ss10n"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "brandguard.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_none_gives_defaults() -> None:
    config = load_config(None)
    assert config.brands == () and config.sources == () and config.channels == []
    assert config.storage.url == ""
    assert config.daemon.timezone == "Asia/Shanghai"
    assert config.audit.retention_compliance_days == 1095


def test_shipped_example_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, example_config_text()), environ={})
    assert [b.name for b in config.brands] == ["星河手机", "云朵奶茶"]
    assert [s.kind for s in config.sources] == ["rss", "atom", "json", "html", "json", "json"]
    assert config.sources[0].interval == 15 * 60
    assert config.sources[2].json_mapping is not None
    assert config.sources[2].json_mapping.items == "data.list"
    assert config.brands_for(config.sources[0]) == (config.brands[0],)
    assert config.brands_for(config.sources[1]) == config.brands
    assert len(config.channels) == 1 and len(config.routes) == 1


def test_full_source_with_secrets_from_environment(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[brands]]
name = "星河手机"
query = "星河手机"
[[sources]]
name = "forum"
kind = "json"
url = "https://forum.example.com/api"
interval = "1h"
headers_env = { Authorization = "FORUM_TOKEN" }
cookies_env = { session = "FORUM_SESSION" }
json = { items = "data.list", title = "t" }
""",
    )
    source = load_config(path, environ=ENV).sources[0]
    assert source.interval == 3600
    assert source.brands is None
    assert source.request_headers(ENV) == {"Authorization": "secret-token-value", "Cookie": "session=s3ss10n"}
    # secrets are resolved only when asked, never kept in the model
    assert "secret-token-value" not in repr(source)


@pytest.mark.parametrize(
    ("value", "seconds"), [(900, 900), ("900", 900), ("15m", 900), ("2h", 7200), ("1d", 86400), ("90s", 90)]
)
def test_durations(value: int | str, seconds: int) -> None:
    assert parse_duration(value) == seconds


SOURCE = '[[sources]]\nname = "news"\nkind = "rss"\nurl = "https://example.com/rss"\n'
BRAND = '[[brands]]\nname = "星河手机"\nquery = "星河手机"\n'

BAD_CONFIGS = [
    # (file text, expected error after "brandguard.toml: ")
    (
        SOURCE + SOURCE + SOURCE.replace('"news"', '"n3"') + "interval = 5\n",
        "sources[2].interval: must be >= 60 (got 5)",
    ),
    (SOURCE + 'interval = "5 minutes"\n', "sources[0].interval: must be seconds or a duration such as '15m'"),
    (SOURCE.replace('"rss"', '"xml"'), "sources[0].kind: must be one of rss, atom, html or json (got 'xml')"),
    (SOURCE.replace("https://", "ftp://"), "sources[0].url: must be an http:// or https:// URL"),
    (SOURCE + "intervall = 900\n", "sources[0].intervall: unknown key"),
    ("[storag]\nurl = ''\n", "storag: unknown key"),
    ("[daemon]\nmax_concurency = 3\n", "daemon.max_concurency: unknown key"),
    ('[[sources]]\nname = "x"\nkind = "rss"\n', "sources[0].url: required key is missing"),
    (SOURCE + SOURCE, "sources[1].name: duplicate source name 'news' (also sources[0])"),
    (BRAND + BRAND, "brands[1].name: duplicate brand name '星河手机' (also brands[0])"),
    (BRAND + SOURCE + 'brands = ["星河手机", "银河"]\n', "sources[0].brands[1]: brand '银河' is not defined"),
    (
        SOURCE + 'headers_env = { Authorization = "NOT_SET_ANYWHERE" }\n',
        "sources[0].headers_env.Authorization: environment variable NOT_SET_ANYWHERE is not set",
    ),
    (
        SOURCE + 'cookies_env = { sid = "NOT_SET_COOKIE" }\n',
        "sources[0].cookies_env.sid: environment variable NOT_SET_COOKIE is not set",
    ),
    (
        SOURCE + 'headers_env = { Authorization = "Bearer abc" }\n',
        "sources[0].headers_env: Authorization: must name an environment variable",
    ),
    (SOURCE + 'timezone = "Mars/Olympus"\n', "sources[0].timezone: unknown time zone 'Mars/Olympus'"),
    (SOURCE.replace('"rss"', '"json"'), 'sources[0]: kind = "json" needs a [sources.json] mapping'),
    (
        "[daemon]\nallow_networks = ['10.0.0.0/33']\n",
        "daemon.allow_networks: not an IP network: '10.0.0.0/33'",
    ),
    ("[daemon]\nmax_concurrency = 0\n", "daemon.max_concurrency: must be >= 1 (got 0)"),
    (
        "[storage]\nurl = 'mysql://root:pw@db/x'\n",
        "storage.url: must be a sqlite:/// or postgresql+psycopg:// URL",
    ),
    (
        "[audit]\nretention_other_days = 'forever'\n",
        "audit.retention_other_days: input should be a valid integer",
    ),
    (
        '[[channels]]\nname = "hook"\nkind = "webhook"\nurl = "https://h.example"\n'
        'secret_env = "NO_SUCH_SECRET"\n',
        "channels[0].secret_env: environment variable NO_SUCH_SECRET is not set",
    ),
    ('[[routes]]\nchannels = ["nobody"]\n', "routes[0].channels: unknown channel 'nobody'"),
    ("[alerts]\nthreshhold = 0.5\n", "alerts.threshhold: unknown key"),
    (
        BRAND + '[alerts]\nbrand_thresholds = { "银河" = 0.8 }\n',
        "alerts.brand_thresholds.银河: brand is not defined in [[brands]]",
    ),
    (
        BRAND + '[[channels]]\nname = "c"\nkind = "webhook"\nurl = "https://h.example"\n'
        '[[routes]]\nbrands = ["星河手机", "银河"]\nchannels = ["c"]\n',
        "routes[0].brands[1]: brand '银河' is not defined in [[brands]]",
    ),
    ("[[brands]]\nname = ''\nquery = 'x'\n", "brands[0].name: must not be empty"),
    (
        "[brands]\nname = 'x'\nquery = 'x'\n",
        "brands: must be an array of tables: write [[brands]], not [brands]",
    ),
    (
        SOURCE + "brands = '星河手机'\n",
        'sources[0].brands: must be a list, e.g. ["a", "b"] (got \'星河手机\')',
    ),
    (SOURCE + "headers_env = 'TOKEN'\n", 'sources[0].headers_env: must be a table, e.g. { Name = "VALUE" }'),
    (
        "[alerts]\nrespond_by_hours = { P4 = 3 }\n",
        "alerts.respond_by_hours.P4: key must be one of P1, P2 or P3",
    ),
    (
        '[[channels]]\nname = "c"\nkind = "webhook"\nurl = "https://h.example"\nsecret = "s3cr3t"\n',
        "channels[0].secret: unknown key",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_CONFIGS)
def test_bad_config_names_the_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, environ={})
    message = str(info.value)
    assert message.startswith(f"{path}: {expected}"), message
    assert "\n" not in message
    assert "s3cr3t" not in message


BAD_QUERIES = [
    ('[[brands]]\nname = "a"\nquery = "(星河 OR 手机"\n', "brands[0].query: missing ')' at position 9"),
    (
        '[[brands]]\nname = "b"\nquery = "x"\n[[brands]]\nname = "a"\nquery = "NOT 星河"\n',
        "brands[1].query: query needs a term that must occur",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_QUERIES)
def test_bad_brand_query_names_the_key(tmp_path: Path, text: str, expected: str) -> None:
    """The config wing checks the file's shape; every command loads it through the context, which
    also asks the matching wing to compile each brand query."""
    from monitor.context import Context

    path = write(tmp_path, text)
    load_config(path, environ={})  # the shape is fine
    with pytest.raises(ConfigError) as info:
        _ = Context(config_path=path, data_dir=tmp_path).config
    assert str(info.value).startswith(f"{path}: {expected}")


def test_toml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, '[storage]\nurl = "x\n')
    with pytest.raises(ConfigError, match=r"invalid TOML: .*line 2, column \d+"):
        load_config(path)


def test_missing_file_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "absent.toml")
    path = tmp_path / "gbk.toml"
    path.write_bytes("[[brands]]\nname = '星河'\n".encode("gbk"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_secret_pasted_into_headers_env_is_never_echoed(tmp_path: Path) -> None:
    path = write(tmp_path, SOURCE + 'headers_env = { Authorization = "Bearer sk-live-123" }\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "sk-live-123" not in str(info.value)


def test_database_password_is_never_echoed(tmp_path: Path) -> None:
    path = write(tmp_path, "[storage]\nurl = 'mysql://root:hunter2@db/x'\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "hunter2" not in str(info.value)


def test_env_var_names_checked_against_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BG_TEST_TOKEN", "t")
    data = {
        "sources": [
            {
                "name": "a",
                "kind": "rss",
                "url": "https://a.example/",
                "headers_env": {"X-Key": "BG_TEST_TOKEN"},
            }
        ]
    }
    assert config_from_dict(data).sources[0].request_headers() == {"X-Key": "t"}


def test_models_are_immutable_and_constructible_in_code() -> None:
    config = Config(sources=(SourceConfig(name="a", kind="rss", url="https://a.example/"),))
    assert config.source("a").interval == 900
    with pytest.raises(ConfigError, match="unknown source"):
        config.source("b")
