"""A command client for the protocol tests: MiniClient (or a broken one) behind JSON lines.

``python -m tests.conformance.cmd_client [ClassName]`` is ``python -m conformance.speaker``
with one of the test clients of :mod:`tests.conformance.broken_clients` as the factory: it reads
the UIPATH_* environment, answers requests on threads (so pipelined requests run concurrently,
as the protocol allows), and logs at DEBUG to stderr. Its clock is the real one.
"""

from __future__ import annotations

import logging
import sys

from conformance.speaker import speak

from . import broken_clients


def main() -> None:
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    speak(getattr(broken_clients, sys.argv[1] if len(sys.argv) > 1 else "MiniClient"))


if __name__ == "__main__":
    main()
