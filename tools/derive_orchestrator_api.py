"""Derive Orchestrator's published operation list and DTO facts from ``uipath-orchestrator-rest``.

The swagger-generated ``uipath-orchestrator-rest`` 18.1 package on PyPI (UiPath.WebApi 18.0) holds
every operation of Orchestrator's REST API with its DTOs. This script reads the package's
sources with :mod:`ast` (it never imports or copies them) and writes two compact fact files::

    mock_orchestrator/orchestrator/data/operations.json   tag, name, method, path, parameters,
                                                          response DTO, OAuth scopes, summary
    mock_orchestrator/orchestrator/data/dtos.json         per DTO: JSON keys, types, required
                                                          keys, enum values, numeric/length bounds

Run it in a throw-away venv, never in the kit's own environment::

    python3 -m venv /tmp/orch-rest && /tmp/orch-rest/bin/pip install uipath-orchestrator-rest==18.1
    /tmp/orch-rest/bin/python tools/derive_orchestrator_api.py

(or pass the unpacked package directory: ``python tools/derive_orchestrator_api.py DIR``).
IMPLEMENTATION_COVERAGE.md is generated from operations.json, and the kit's strict-DTO checks
read dtos.json, so re-running this after a package upgrade updates both.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

PACKAGE = "uipath_orchestrator_rest"
VERSION = "18.1"
OUT = Path(__file__).resolve().parent.parent / "mock_orchestrator" / "orchestrator" / "data"

_SCOPES = re.compile(r"OAuth required scopes: (.*?)\.(?:\s|$)")
_PARAM_DOC = re.compile(r":param (\S+(?: \S+)?) (\w+):")


def _package_dir(argv: list[str]) -> Path:
    if len(argv) > 1:
        return Path(argv[1])
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise SystemExit(f"{PACKAGE} is not installed here; pass its directory")
    return Path(spec.origin).parent


def _tag(module: Path) -> str:
    """``folders_navigation_api.py`` -> ``FoldersNavigation`` (the swagger tag)."""
    stem = module.stem.removesuffix("_api")
    return "".join(part.capitalize() for part in stem.split("_"))


def _literal(node: ast.AST) -> Any:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def _operation(tag: str, func: ast.FunctionDef) -> dict[str, Any] | None:
    """One ``*_with_http_info`` method: its call_api arguments and its parameter lists."""
    call = next(
        (
            n
            for n in ast.walk(func)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "call_api"
        ),
        None,
    )
    if call is None:
        return None
    path, method = _literal(call.args[0]), _literal(call.args[1])
    response = next((_literal(k.value) for k in call.keywords if k.arg == "response_type"), None)
    all_params: list[str] = []
    where: dict[str, tuple[str, str]] = {}
    for node in ast.walk(func):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "all_params"
        ):
            all_params = list(_literal(node.value) or [])
        # path_params['key'] = params['key']; header_params['X-..'] = params['x_..']
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Subscript)
            and isinstance(node.targets[0].value, ast.Name)
            and node.targets[0].value.id in ("path_params", "header_params")
            and isinstance(node.value, ast.Subscript)
        ):
            wire = _literal(node.targets[0].slice)
            name = _literal(node.value.slice)
            if isinstance(name, str):
                kind = "path" if node.targets[0].value.id == "path_params" else "header"
                where[name] = (kind, wire)
        # query_params.append(('$filter', params['filter']))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "append"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "query_params"
        ):
            pair = node.args[0]
            if isinstance(pair, ast.Tuple) and isinstance(pair.elts[1], ast.Subscript):
                name = _literal(pair.elts[1].slice)
                if isinstance(name, str):
                    where[name] = ("query", _literal(pair.elts[0]))
    required = [a.arg for a in func.args.args[1:]]  # positional args are the required ones
    doc = ast.get_docstring(func) or ""
    types = {name: kind for kind, name in _PARAM_DOC.findall(doc)}
    params = []
    for name in all_params:
        kind, wire = where.get(name, ("body", "body"))
        params.append(
            {
                "name": wire,
                "in": kind,
                "type": types.get(name, ""),
                "required": name in required,
            }
        )
    scopes = _SCOPES.search(doc)
    return {
        "tag": tag,
        "operation": func.name.removesuffix("_with_http_info"),
        "method": method,
        "path": path,
        "summary": doc.splitlines()[0].removesuffix("# noqa: E501").strip() if doc else "",
        "scopes": scopes.group(1).split(" or ") if scopes else [],
        "parameters": params,
        "response": response,
    }


def operations(package: Path) -> list[dict[str, Any]]:
    found = []
    for module in sorted((package / "api").glob("*_api.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.endswith("_with_http_info"):
                op = _operation(_tag(module), node)
                if op is not None:
                    found.append(op)
    return sorted(found, key=lambda o: (o["tag"], o["path"], o["method"]))


def _class_dict(cls: ast.ClassDef, name: str) -> dict[str, str]:
    for node in cls.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == name
        ):
            value = _literal(node.value)
            return value if isinstance(value, dict) else {}
    return {}


def _setter_facts(func: ast.FunctionDef) -> dict[str, Any]:
    """Constraints a generated setter enforces: required, enum values, bounds, lengths."""
    facts: dict[str, Any] = {}
    source = ast.unparse(func)
    if "must not be `None`" in source:
        facts["required"] = True
    for node in ast.walk(func):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "allowed_values"
        ):
            facts["enum"] = _literal(node.value)
    for pattern, key in (
        (r"length must be less than or equal to `(\d+)`", "maxLength"),
        (r"length must be greater than or equal to `(\d+)`", "minLength"),
        (r"must be a value less than or equal to `(-?\d+)`", "maximum"),
        (r"must be a value greater than or equal to `(-?\d+)`", "minimum"),
    ):
        found = re.search(pattern, source)
        if found:
            facts[key] = int(found.group(1))
    found = re.search(r"must follow specification `(.+?)`", source)
    if found:
        facts["pattern"] = found.group(1)
    return facts


def dtos(package: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for module in sorted((package / "models").glob("*.py")):
        if module.name == "__init__.py":
            continue
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            types = _class_dict(cls, "swagger_types")
            names = _class_dict(cls, "attribute_map")
            setters = {
                f.name: _setter_facts(f)
                for f in cls.body
                if isinstance(f, ast.FunctionDef)
                and any(
                    isinstance(d, ast.Attribute) and d.attr == "setter" for d in f.decorator_list
                )
            }
            fields = {}
            for attr, kind in types.items():
                fields[names[attr]] = {"type": kind, **setters.get(attr, {})}
            found[cls.name] = fields
    return found


def main(argv: list[str]) -> int:
    package = _package_dir(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    source = f"uipath-orchestrator-rest {VERSION} (PyPI), derived by {Path(__file__).name}"
    header = {"source": source}
    ops = operations(package)
    (OUT / "operations.json").write_text(
        json.dumps({**header, "operations": ops}, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    models = dtos(package)
    (OUT / "dtos.json").write_text(
        json.dumps({**header, "dtos": models}, indent=None, sort_keys=True, separators=(",", ":"))
        + "\n",
        encoding="utf-8",
    )
    print(f"{len(ops)} operations, {len(models)} DTOs -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
