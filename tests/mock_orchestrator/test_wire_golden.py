"""The mock's wire is pinned: a speed-up (or any refactor) must not change one byte it sends.

``wire_golden.json`` holds, per profile and credential, the number of exchanges and the sha256
of the transcript (status, headers in order, body bytes of every response) of a fixed script:
two days of one job an hour polled to its end, then the error paths a client meets (see
``_wire_transcript.py`` for the script). A world is seeded, so the transcript is the same on
every run, every machine and every Python; only a change of what the mock sends moves it.

After a *deliberate* wire change (a new field in JobDto, a corrected error text), regenerate
the file and commit it with the change that explains it::

    python -m tests.mock_orchestrator._wire_transcript --days 2 --write

To see what moved, dump both sides and diff them (``--dump DIR`` writes one readable file per
case): once on the commit before the change, once after.
"""

from __future__ import annotations

import json

import pytest

from ._wire_transcript import CASES, GOLDEN, digest, transcript

_GOLDEN = json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("profile", "credential"), CASES, ids=[f"{p}-{c}" for p, c in CASES])
def test_the_wire_is_byte_identical_to_the_golden_transcript(profile: str, credential: str) -> None:
    entries = transcript(profile, credential, _GOLDEN["days"])
    want = _GOLDEN["cases"][f"{profile}/{credential}"]
    assert len(entries) == want["exchanges"]
    assert digest(entries) == want["sha256"], (
        f"the mock's wire changed for {profile}/{credential}; if that is deliberate, regenerate "
        "wire_golden.json (see this module's docstring)"
    )


def test_the_transcript_sees_every_byte() -> None:
    """The digest covers status, each header and the body: a one-byte change moves it."""
    entries = transcript("identity", "client_credentials", 0)
    method, url, status, headers, body = entries[-1]
    base = digest(entries)
    for changed in (
        (method, url, status + 1, headers, body),
        (method, url, status, [*headers[:-1], (headers[-1][0], headers[-1][1] + b" ")], body),
        (method, url, status, list(reversed(headers)), body),
        (method, url, status, headers, body + b" "),
    ):
        assert digest([*entries[:-1], changed]) != base
