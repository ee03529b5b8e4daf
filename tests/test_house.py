"""The shape of the house (issue 18, docs/ARCHITECTURE.md): wings, floors, sizes and names.

Read from the source as text (``ast``), so the test sees lazy and ``TYPE_CHECKING`` imports too: a
function-level import is still an arrow a reader has to follow.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("monitor", "rules", "models", "alerts")
MAX_MODULE_LINES = 400
MAX_TOP_LEVEL_MODULES = 6  # monitor/*.py besides __init__ and __main__

# Floors of monitor/ (DESIGN.md): a wing imports only wings on lower floors. ``context`` is the
# composition root's loader (config + database) that commands and web share; ``errors`` and the
# package face (``__version__``) sit under everything.
FLOORS: dict[str, int] = {
    "__main__": 7,
    "cli": 6,
    "commands": 5,
    "web": 4,
    "demo": 4,
    "context": 3,
    "crawl": 2,
    "incidents": 2,
    "reports": 2,
    "matching": 1,
    "platforms": 1,
    "audit": 1,
    "storage": 0,
    "fetch": 0,
    "parse": 0,
    "config": 0,
    "errors": -1,
    "logs": -1,  # monitor/logs.py: logging set-up, standard library only
    "monitor": -1,  # monitor/__init__.py: the version string
}
# Within storage, fetch and parse the bottom floor is split once more: config and the repositories
# may not import each other, and neither may fetch/parse (they take plain values).
BOTTOM = ("storage", "fetch", "parse", "config")


def _modules() -> Iterator[tuple[str, Path]]:
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            # ``from monitor.web import accounts`` imports the module monitor.web.accounts
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


MODULES = dict(_modules())


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        graph[name] = {target for target in _imports(path) if target in MODULES and target != name}
    return graph


def _wing(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_no_import_cycles() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    # A package face that re-exports its modules is imported by them only for its docstring's sake:
    # a face importing its own children is not a cycle a reader has to untangle.
    real = [c for c in cycles if not _face_and_children(c)]
    assert real == []


def _face_and_children(component: list[str]) -> bool:
    faces = [m for m in component if MODULES[m].name == "__init__.py"]
    return len(faces) == 1 and all(m == faces[0] or m.startswith(faces[0] + ".") for m in component)


def _upward_imports(graph: dict[str, set[str]]) -> list[str]:
    offenders = []
    for name, targets in graph.items():
        if not name.startswith("monitor"):
            continue
        here = _wing(name)
        for target in targets:
            if not target.startswith("monitor"):
                continue
            there = _wing(target)
            if there == here:
                continue
            if FLOORS[there] >= FLOORS[here]:
                offenders.append(
                    f"{name} -> {target} ({here} floor {FLOORS[here]}, {there} floor {FLOORS[there]})"
                )
    return sorted(offenders)


def test_wings_import_downward_only() -> None:
    assert _upward_imports(_graph()) == []


def test_every_wing_has_a_floor_and_a_docstring() -> None:
    wings = {p.name for p in (ROOT / "monitor").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert wings <= set(FLOORS), f"give these wings a floor: {sorted(wings - set(FLOORS))}"
    undocumented = sorted(
        wing
        for wing in wings
        if not ast.get_docstring(ast.parse((ROOT / "monitor" / wing / "__init__.py").read_text()))
    )
    assert undocumented == []


def test_monitor_top_level_keeps_only_the_composition_root() -> None:
    loose = sorted(
        p.name for p in (ROOT / "monitor").glob("*.py") if p.name not in ("__init__.py", "__main__.py")
    )
    assert len(loose) <= MAX_TOP_LEVEL_MODULES, loose


def test_no_product_module_over_400_lines() -> None:
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()}
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}


def test_no_module_name_means_two_things_in_two_wings() -> None:
    """``commands/<name>.py`` is the CLI command <name> and ``errors.py`` is each wing's errors module:
    those names may repeat. Any other module name lives in one wing only (there were two query.py)."""
    wings_by_name: dict[str, set[str]] = defaultdict(set)
    for name, path in MODULES.items():
        if not name.startswith("monitor.") or path.name in ("__init__.py", "errors.py"):
            continue
        wing = _wing(name)
        if wing != "commands":
            wings_by_name[path.stem].add(wing)
    assert {stem: sorted(w) for stem, w in wings_by_name.items() if len(w) > 1} == {}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from monitor.crawl import daemon\n", {"monitor.crawl", "monitor.crawl.daemon"}),
        ("def f():\n    import monitor.web.app\n", {"monitor.web.app"}),
    ],
)
def test_the_reader_sees_lazy_and_from_imports(tmp_path: Path, source: str, expected: set[str]) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(source, encoding="utf-8")
    assert _imports(sample) == expected


def test_the_floor_check_can_see_an_upward_import() -> None:
    graph = _graph()
    graph["monitor.storage.schema"].add("monitor.web.app")
    assert "monitor.storage.schema -> monitor.web.app (storage floor 0, web floor 4)" in _upward_imports(
        graph
    )


def test_the_cycle_check_tells_a_face_from_a_cycle() -> None:
    assert _face_and_children(["monitor.incidents", "monitor.incidents.intake"])
    assert not _face_and_children(["monitor.storage.engine", "monitor.storage.migrate"])
