"""``python -m orchestrator_kit``: the same as the ``orchestrator-kit`` command."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
