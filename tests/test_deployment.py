"""Dockerfile, compose.yaml and the systemd unit: valid, hardened, and their commands parse with our CLI.

``docker compose config`` (or docker-compose v1) validates the compose file when installed, and
``systemd-analyze verify`` the unit; without them those two tests skip and say so. The structural checks
always run.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "deploy" / "brandguard.service"


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _entrypoint() -> list[str]:
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    entry = next(line for line in lines if line.startswith("ENTRYPOINT "))
    return list(json.loads(entry.removeprefix("ENTRYPOINT ")))


def _parses(argv: list[str]) -> None:
    assert argv[0] == "brandguard", argv
    args = build_parser().parse_args(argv[1:])
    assert getattr(args, "handler", None) is not None, argv


def test_compose_has_database_migration_daemon_and_console() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "migrate", "daemon", "console"}
    assert services["postgres"]["healthcheck"]["test"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("daemon", "console"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
        assert services[name]["restart"] == "unless-stopped"
    for name in ("migrate", "daemon", "console"):
        service = services[name]
        assert "@postgres:5432/" in service["environment"]["BRANDGUARD_DATABASE_URL"]
        assert service["read_only"] is True and "no-new-privileges:true" in service["security_opt"]
        _parses(_entrypoint() + service["command"])
    # The console is published on the host's loopback only: TLS belongs to a proxy in front.
    assert all(port.startswith("127.0.0.1:") for port in services["console"]["ports"])


def test_dockerfile_runs_as_an_unprivileged_user_with_the_postgres_extra() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "USER brandguard" in text and "[postgres" in text
    cmd = next(line for line in text.splitlines() if line.startswith("CMD "))
    _parses(_entrypoint() + json.loads(cmd.removeprefix("CMD ")))


def _compose_cli() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed; structure checked above")
    env = {**os.environ, "POSTGRES_PASSWORD": "test-only"}
    result = subprocess.run(
        [*cli, "-f", str(ROOT / "compose.yaml"), "config", "--quiet"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    unset = {k: v for k, v in env.items() if k != "POSTGRES_PASSWORD"}
    missing = subprocess.run(
        [*cli, "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env=unset,
    )
    assert missing.returncode != 0 and "POSTGRES_PASSWORD" in missing.stderr


def _unit() -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def test_the_unit_is_hardened() -> None:
    unit = _unit()
    for key, value in {
        "DynamicUser": "yes",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "ReadWritePaths": "/var/lib/brandguard",
        "CapabilityBoundingSet": "",
    }.items():
        assert unit[key] == [value], key
    for key in ("ExecStartPre", "ExecStart"):
        argv = shlex.split(
            unit[key][0]
            .replace("${CONFIGURATION_DIRECTORY}", "/etc/brandguard")
            .replace("${STATE_DIRECTORY}", "/var/lib/brandguard")
        )
        _parses(["brandguard", *argv[1:]])


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_passes(tmp_path: Path) -> None:
    # verify checks that ExecStart's binary exists: point it at this checkout's entry point.
    brandguard = Path(sys.executable).parent / "brandguard"
    if not brandguard.exists():
        pytest.skip(f"{brandguard} is not installed (pip install -e .)")
    unit = tmp_path / "brandguard.service"
    unit.write_text(
        UNIT.read_text(encoding="utf-8").replace("/opt/brandguard/venv/bin/brandguard", str(brandguard))
    )
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
