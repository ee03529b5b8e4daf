"""DESIGN.md's dependency rule: rules, models and alerts import nothing from monitor nor each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORES = ("rules", "models", "alerts")


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", CORES)
def test_core_packages_do_not_import_monitor_or_each_other(package: str) -> None:
    forbidden = {"monitor", *CORES} - {package}
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_packages(path) & forbidden)
        for path in (ROOT / package).rglob("*.py")
        if _imported_packages(path) & forbidden
    }
    assert offenders == {}


def test_the_check_can_see_an_offending_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from monitor.config import load_config\nimport rules.check\n", encoding="utf-8")
    assert _imported_packages(sample) == {"monitor", "rules"}
