#!/usr/bin/env python3
"""A job starter with the bug that costs teams their second day. Do not copy this one.

It is ``start_job.py`` with one line changed: it always presents the refresh token it was
configured with, and throws away the rotated one the identity server hands back. Day one works.
On day two the configured token has been consumed, so the identity server answers
``invalid_grant`` (and, with reuse detection, revokes the whole family): someone has to log in
again. ``orchestrator-kit soak --exec "python examples/cron/broken_start_job.py"`` fails it on
day two and names the rule: ``token-rotation-followed``.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import start_job  # the correct starter, next to this file


def load_refresh_token(configured: str) -> str:
    return configured  # THE BUG: the store is never read, so day two presents a spent token


def save_refresh_token(configured: str, newest: str) -> None:
    pass  # ... and the rotated token is thrown away


start_job.load_refresh_token = load_refresh_token
start_job.save_refresh_token = save_refresh_token

if __name__ == "__main__":
    sys.exit(start_job.main())
