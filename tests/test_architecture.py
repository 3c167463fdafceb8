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
PACKAGES = (
    "mock_orchestrator",
    "client_under_test",
    "conformance",
    "fixtures",
    "cassettes",
    "orchestrator_kit",
)


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
            # ``from pkg import mod`` depends on the module; ``from pkg import name`` on pkg
            names = [
                f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in known else stem
                for alias in node.names
            ]
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


def test_a_name_from_the_package_depends_on_the_package(tmp_path: Path) -> None:
    """``from . import rule`` (a name of ``p/__init__``) is an edge to ``p``; ``from . import
    mod`` (a sub-module) is an edge to the module only."""
    (tmp_path / "a.py").write_text("from . import rule\nfrom . import mod\n")
    known = {"p": tmp_path, "p.a": tmp_path, "p.mod": tmp_path}
    assert _imports("p.a", tmp_path / "a.py", known) == {"p", "p.mod"}


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


def test_no_import_cycle_in_the_packages() -> None:
    """Type-only and function-level imports included: the packages form a directed graph.

    The mock's top layer included: its fronts and world documents know a world through the
    ``WorldSurface`` protocol, and only ``serve_command`` (above ``MockCloud``) builds one."""
    assert cycles(import_graph()) == []


# -- packages lean one way ----------------------------------------------------------------


def _imported_from(package: str) -> list[tuple[str, str, str]]:
    """``(module, imported module, name)`` of every ``from X import name`` in ``package``."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found += [(module, node.module, alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                found += [(module, alias.name, "") for alias in node.names]
    return found


def test_the_reference_client_imports_nothing_of_the_mock() -> None:
    """Teams copy client_under_test into their code: it must stand without the mock."""
    graph = import_graph()
    leaks = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if module.startswith("client_under_test")
        for target in targets
        if target.startswith("mock_orchestrator")
    )
    assert leaks == []
    absolute = [i for i in _imported_from("client_under_test") if i[1].startswith("mock_")]
    assert absolute == []


def test_the_mock_imports_neither_the_suite_nor_the_cassettes() -> None:
    graph = import_graph()
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if module.startswith("mock_orchestrator")
        for target in targets
        if target.split(".")[0] in ("conformance", "cassettes", "client_under_test")
    )
    assert wrong == []


#: The mock's internals: what its users must not reach into (the layers and private modules).
_INTERNAL = ("core", "identity", "orchestrator")


@pytest.mark.parametrize("package", ["conformance", "cassettes", "orchestrator_kit"])
def test_users_of_the_mock_use_only_its_exported_names(package: str) -> None:
    """``from mock_orchestrator import X`` with X in ``__all__``, or a name a public front module
    (``mock_orchestrator.served``) exports; never a layer or a private module inside it."""
    import importlib

    wrong = []
    for module, source, name in _imported_from(package):
        parts = source.split(".")
        if parts[0] != "mock_orchestrator":
            continue
        if len(parts) > 2 or (len(parts) == 2 and (parts[1] in _INTERNAL or parts[1][0] == "_")):
            wrong.append(f"{module}: from {source} import {name}")
            continue
        if name and name not in importlib.import_module(source).__all__:
            wrong.append(f"{module}: from {source} import {name}")
    assert sorted(wrong) == []


def private_names_imported(graph_modules: dict[str, Path]) -> list[str]:
    """``module: from other import _name`` where ``_name`` is not a module (a private name)."""
    found = []
    for module, path in graph_modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and f"{source}.{alias.name}" not in graph_modules:
                    found.append(f"{module}: from {source} import {alias.name}")
    return found


def test_the_private_name_scan_sees_one(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("from .b import _helper\nfrom . import _module\n")
    (tmp_path / "b.py").write_text("_helper = 1\n")
    (tmp_path / "_module.py").write_text("")
    modules = {
        "p.a": tmp_path / "a.py",
        "p.b": tmp_path / "b.py",
        "p._module": tmp_path / "_module.py",
    }
    assert private_names_imported(modules) == ["p.a: from p.b import _helper"]


def test_no_module_imports_a_private_name_of_another() -> None:
    """Private names stay in their module; what a neighbour needs is named publicly."""
    assert private_names_imported(_modules()) == []


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
