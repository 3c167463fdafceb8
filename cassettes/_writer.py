"""One cassette being recorded by ``orchestrator-kit record``: scrubbed, timed, written often.

Every interaction is scrubbed by the cassette's own :class:`~cassettes._scrub.Scrubber` (the
request first, then its answer, so a token issued in an answer keeps its name when a later
request sends it back) and the file is rewritten after each one, atomically, so stopping the
recorder at any moment loses nothing and never leaves half a file.
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Sequence
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import vcr as vcrpy
from vcr.request import Request

from ._config import redact_response, scrub_request
from ._files import write_cassette
from ._replay import infer_profile
from ._scrub import Scrubber

__all__ = ["MAX_INTERACTIONS", "CassetteWriter", "kit_version"]

#: Interactions one cassette keeps; later ones are proxied but not recorded (``truncated``).
MAX_INTERACTIONS = 5_000

Headers = Sequence[tuple[str, str]]


def kit_version() -> str:
    try:
        return importlib.metadata.version("uipath-orchestrator-kit")
    except importlib.metadata.PackageNotFoundError:  # running from a bare checkout
        return "unknown"


def _headers(pairs: Headers) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def _stored_body(body: bytes) -> str | bytes:
    """Text when it is UTF-8 (readable YAML), else bytes (``!!binary``)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body


class CassetteWriter:
    """Records interactions into ``path``; ``add`` scrubs and writes.

    ``recorded_at`` is the date the recording started (ISO 8601, from the caller's clock);
    ``elapsed`` gives each interaction's time since the first, from the upstream's ``Date``
    header when it sends one (so a served mock's fake clock counts), else ``now()``.
    """

    def __init__(
        self,
        path: Path,
        upstream: str,
        *,
        recorded_at: str,
        now: Any,
        routes: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.path = path
        self.upstream = upstream
        self.routes = list(routes)
        self.recorded_at = recorded_at
        self._now = now
        self._scrubber = Scrubber()
        self.interactions: list[dict[str, Any]] = []
        self._times: list[float] = []
        self.truncated = False

    @property
    def scrubber(self) -> Scrubber:
        return self._scrubber

    def add(
        self,
        method: str,
        uri: str,
        request_headers: Headers,
        request_body: bytes,
        status: int,
        response_headers: Headers,
        response_body: bytes,
    ) -> None:
        """Scrub one exchange and append it; rewrite the file."""
        if len(self.interactions) >= MAX_INTERACTIONS:
            if not self.truncated:
                self.truncated = True
                self.write()
            return
        request = Request(method, uri, request_body or None, _headers(request_headers))
        request = scrub_request(request, self._scrubber)
        stored = request._to_dict()
        if isinstance(stored.get("body"), bytes):
            stored["body"] = _stored_body(stored["body"])
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        response = redact_response(
            {
                "status": {"code": status, "message": phrase},
                "headers": _headers(response_headers),
                "body": {"string": response_body},
            },
            self._scrubber,
        )
        raw = response["body"]["string"]
        response["body"]["string"] = _stored_body(raw) if isinstance(raw, bytes) else raw
        self.interactions.append({"request": stored, "response": response})
        self._times.append(self._time_of(response_headers))
        self.write()

    def _time_of(self, headers: Headers) -> float:
        for name, value in headers:
            if name.lower() == "date":
                try:
                    return parsedate_to_datetime(value).timestamp()
                except (TypeError, ValueError):
                    break
        return float(self._now())

    def provenance(self) -> dict[str, Any]:
        first = self._times[0] if self._times else 0.0
        upstream = urlsplit(self.upstream)
        return {
            "kind": "recording",
            "summary": f"Recorded through `orchestrator-kit record` from {upstream.netloc}; "
            "every secret scrubbed on both sides at record time (one placeholder per secret).",
            "recorded_at": self.recorded_at,
            "upstream": f"{upstream.scheme}://{upstream.netloc}",
            "upstream_host": upstream.hostname or "",
            "routes": {prefix: url for prefix, url in self.routes},
            "kit_version": kit_version(),
            "recorded_with": f"orchestrator-kit record (vcrpy {vcrpy.__version__} format)",
            "profile": infer_profile(self.interactions),
            # Nothing in a recording is reconstructed; a cassette that fills a gap by hand
            # lists each reconstructed interaction here with its reason.
            "reconstructed": [],
            "elapsed": [round(t - first, 3) for t in self._times],
            "truncated": self.truncated,
        }

    def write(self) -> Path:
        header = (
            f"Recorded by `orchestrator-kit record` from {urlsplit(self.upstream).netloc} "
            f"on {self.recorded_at}.\nScrubbed at record time; check with "
            "`orchestrator-kit audit-cassettes` before sharing."
        )
        partial = self.path.with_name(self.path.name + ".partial")
        write_cassette(partial, self.interactions, self.provenance(), header=header)
        os.replace(partial, self.path)
        return self.path
