"""The ``orchestrator-kit`` command line: one entry point over the kit's packages.

It lives in a package of its own so that the layers point one way: ``mock_orchestrator`` never
imports ``conformance`` or ``cassettes``; this package, at the top, may import all of them.
"""

from __future__ import annotations

from .cli import main

__all__ = ["main"]
