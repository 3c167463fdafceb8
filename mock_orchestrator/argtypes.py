"""Option values for the kit's commands: numbers parsed and range-checked by argparse.

Every command of the kit (``serve``, ``check``, ``soak``) reports a bad number the same way,
as argparse's one usage line and exit status 2::

    orchestrator-kit serve: error: argument --port: 99999 is out of range: a port from 0 to 65535
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import TypeVar

__all__ = ["ranged"]

N = TypeVar("N", int, float)


def ranged(kind: Callable[[str], N], low: float, high: float, what: str) -> Callable[[str], N]:
    """An argparse ``type`` that parses with ``kind`` and insists on ``low <= value <= high``
    (NaN and infinities are out of range); ``what`` names the values allowed."""

    def parse(text: str) -> N:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        # Compared as they are: a 400-digit integer has no float (math.isfinite would raise).
        finite = not isinstance(value, float) or math.isfinite(value)
        if not (finite and low <= value <= high):
            raise argparse.ArgumentTypeError(f"{text} is out of range: {what}")
        return value

    return parse
