"""The kit's shape, checked: layers point one way, and rules name only routes that exist.

The import graph is read from the source (``ast``), every import counted: module level, inside
functions, and under ``if TYPE_CHECKING:`` alike, because a type-only import is still a
dependency a reader has to follow.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from mock_orchestrator import route_labels

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("mock_orchestrator", "client_under_test", "conformance", "fixtures", "cassettes")


def _modules(packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    found = {}
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The known modules ``module`` imports, anywhere in its source."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            names = [f"{stem}.{alias.name}" for alias in node.names] + [stem]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
    return targets


def import_graph(packages: tuple[str, ...] = PACKAGES) -> dict[str, set[str]]:
    known = _modules(packages)
    return {module: _imports(module, path, known) for module, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), i.e. the cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_type_only_imports_count(tmp_path: Path) -> None:
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import X\n"
    (tmp_path / "a.py").write_text(source)
    assert _imports("p.a", tmp_path / "a.py", {"p.a": tmp_path, "p.b": tmp_path}) == {"p.b"}


# The mock's layers, lowest first: each may import only from itself and the layers below.
_LAYERS = {
    "core": 0,
    "identity": 1,
    "orchestrator": 2,
}


def _layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in _LAYERS:
        return _LAYERS[parts[1]]
    return 3  # the world: _cloud.py, _routes.py, the fronts


def test_the_mock_is_a_chain_core_identity_orchestrator_world() -> None:
    graph = import_graph(("mock_orchestrator",))
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if target.startswith("mock_orchestrator.")
        and _layer(module) < 3
        and _layer(target) > _layer(module)
    )
    assert upward == []


def test_no_cycle_inside_the_layers_of_the_mock() -> None:
    graph = import_graph(("mock_orchestrator",))
    layered = {m: {t for t in ts if _layer(t) < 3} for m, ts in graph.items() if _layer(m) < 3}
    assert cycles(layered) == []


# -- rules name real routes ---------------------------------------------------------------

_LABEL = re.compile(r"(identity|legacy|onprem|orchestrator)\.[a-z_]+")


def labels_named_in(source: str) -> set[str]:
    """Every string literal of ``source`` shaped like a route label (``orchestrator.get_job``)."""
    return {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _LABEL.fullmatch(node.value)
    }


def test_the_label_scan_sees_a_label_the_table_lacks() -> None:
    source = 'ROUTES = frozenset({"orchestrator.get_job", "orchestrator.get_jobz"})\n'
    assert labels_named_in(source) - route_labels() == {"orchestrator.get_jobz"}


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "conformance").rglob("*.py")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_conformance_names_only_routes_the_table_has(path: Path) -> None:
    """A renamed route must not leave a rule judging nothing."""
    assert labels_named_in(path.read_text("utf-8")) - route_labels() == set()
