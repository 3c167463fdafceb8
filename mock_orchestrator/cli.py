"""Kept so ``mock_orchestrator.cli:main`` (the entry point before 0.2) still works.

The command line moved to :mod:`orchestrator_kit.cli` so that the mock package does not import
the conformance suite. This shim imports it by name, at call time only.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    kit_cli = importlib.import_module("orchestrator_kit.cli")
    return int(kit_cli.main(argv))


if __name__ == "__main__":
    raise SystemExit(main())
