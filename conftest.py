"""Root conftest: pytester for the plugin tests, and a fresh world per test."""

from __future__ import annotations

pytest_plugins = ["pytester"]
