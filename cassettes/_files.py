"""Cassette files: where they live, how they are read (safely) and how provenance is kept.

Layout (pytest-recording's ``vcr_cassette_dir`` convention, rooted at this package)::

    cassettes/<test_module>/<test_name>.yaml

Each file is a vcrpy cassette (``version: 1``, ``interactions``) with one more top-level
key, ``provenance``, and a comment header saying the same in words. vcrpy ignores unknown
top-level keys when it loads a cassette. vcrpy's own ``metadata`` key is not used, because
pytest-recording 0.14.1 unpacks exactly two lists per cassette and fails on a third.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from vcr.serializers import yamlserializer

__all__ = [
    "CASSETTE_ROOT",
    "CassetteFile",
    "add_provenance",
    "cassette_path",
    "iter_cassettes",
    "read_cassette",
    "write_cassette",
]

#: The directory holding every cassette of the kit.
CASSETTE_ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class CassetteFile:
    """A cassette as read from disk: its interactions and its provenance."""

    path: Path
    interactions: list[dict[str, Any]]
    provenance: Mapping[str, Any]
    text: str

    @property
    def kind(self) -> str:
        """``reference`` (built from recorded UiPath payloads) or ``mock`` (recorded)."""
        return str(self.provenance.get("kind", ""))


def cassette_path(test_module: str, test_name: str, root: Path | None = None) -> Path:
    """``<root>/<test_module>/<test_name>.yaml``."""
    return (root or CASSETTE_ROOT) / test_module / f"{test_name}.yaml"


def iter_cassettes(root: Path | None = None) -> Iterator[Path]:
    """Every cassette under the root, sorted: ``*.yaml`` files but the known-deviations list."""
    yield from sorted(
        path
        for path in (root or CASSETTE_ROOT).rglob("*.yaml")
        if path.name != "known_deviations.yaml"
    )


def read_cassette(path: Path) -> CassetteFile:
    """Load with vcrpy's safe YAML loader (no Python tags); ``ValueError`` if malformed."""
    text = path.read_text(encoding="utf-8")
    data = yamlserializer.deserialize(text)
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ValueError(f"{path}: not a version-1 vcrpy cassette")
    interactions = data.get("interactions")
    if not isinstance(interactions, list):
        raise ValueError(f"{path}: no interactions list")
    provenance = data.get("provenance")
    return CassetteFile(
        path, interactions, provenance if isinstance(provenance, dict) else {}, text
    )


def write_cassette(
    path: Path,
    interactions: list[dict[str, Any]],
    provenance: Mapping[str, Any],
    *,
    header: str,
) -> Path:
    """Write a cassette with its provenance and a ``#`` comment header, as safe YAML."""
    data = {"provenance": dict(provenance), "version": 1, "interactions": interactions}
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.strip().splitlines())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(comment + body, encoding="utf-8")
    return path


def add_provenance(path: Path, provenance: Mapping[str, Any], *, header: str) -> Path:
    """Put provenance into a cassette vcrpy has just saved (vcrpy writes none of its own)."""
    text = path.read_text(encoding="utf-8")
    data = yamlserializer.deserialize(text)
    interactions = [_plain(i) for i in data["interactions"]]
    return write_cassette(path, interactions, provenance, header=header)


def _plain(value: Any) -> Any:
    # vcrpy keeps bodies that are not UTF-8 as bytes; safe_dump writes them as !!binary,
    # which the safe loader reads back. Everything else is plain data already.
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
