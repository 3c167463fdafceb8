"""What one exchange of the 30-day simulation costs inside ``MockCloud.handle``, per kind.

The requests are the reference client's own: one job is run through ``client_for`` and its
requests are copied (method, URL, headers in order, body), so the mock sees exactly what it
sees in ``bench/simulation.py``. Each timed call gets a fresh ``httpx.Request``, built before
the clock starts, as a client would send it:

* token requests: the identity refresh (a freshly issued refresh token per call, since each
  one rotates away), client credentials, the legacy User Key, the on-prem password;
* ``StartJobs``: one job per call;
* ``GET Jobs({id})``: each job read once right after its state changed (what a poller
  mostly sees: a new state on every poll), and read again in the same state.

Best of several rounds; the journal is cleared between rounds, as a test's world is fresh.
The cost of the RS256 signature alone (cryptography, 2048-bit) is printed for scale: a token
response cannot cost less than that. This prints; it never fails a build on timing.

    python bench/exchanges.py [--calls N] [--rounds R]
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from simulation import CASES, simulate  # bench/simulation.py: the same 30-day run

from client_under_test.testing import client_for
from mock_orchestrator import MockCloud
from mock_orchestrator.identity.models import UIPATH_CLI_CLIENT_ID
from mock_orchestrator.identity.tokens import load_issuer_key


@dataclass
class Template:
    """A request the reference client sent, to be rebuilt fresh for every call."""

    method: str
    url: str
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def build(self, url: str | None = None, body: bytes | None = None) -> httpx.Request:
        return httpx.Request(
            self.method,
            url or self.url,
            headers=self.headers,
            content=self.body if body is None else body,
        )


def _captured(cloud: MockCloud, credential: str) -> dict[str, Template]:
    """The first request of each route label of one job run by the reference client."""
    with client_for(cloud, credential) as client:
        client.wait_for_job(client.start_job(cloud.defaults.process, cloud.defaults.folder))
    found: dict[str, Template] = {}
    for exchange in cloud.journal:
        request = exchange.request
        if exchange.route is not None and exchange.route not in found:
            found[exchange.route] = Template(
                request.method, str(request.url), list(request.headers.raw), request.read()
            )
    cloud.journal.clear()
    return found


def _per_call(
    cloud: MockCloud, requests: list[httpx.Request]
) -> tuple[float, list[httpx.Response]]:
    """Seconds per ``cloud.handle`` call over ``requests``, and the responses."""
    handle = cloud.handle
    responses = []
    gc.collect()
    start = time.perf_counter()
    for request in requests:
        responses.append(handle(request))
    elapsed = time.perf_counter() - start
    return elapsed / len(requests), responses


def _expect(responses: list[httpx.Response], status: int) -> None:
    bad = [r for r in responses if r.status_code != status]
    assert not bad, f"{bad[0].status_code}: {bad[0].text[:200]}"


class Bench:
    """One round builds requests, times them, and keeps the best per exchange."""

    def __init__(self, calls: int) -> None:
        self.calls = calls
        self.best: dict[str, float] = {}

    def time(
        self, name: str, cloud: MockCloud, requests: list[httpx.Request], status: int
    ) -> list[httpx.Response]:
        seconds, responses = _per_call(cloud, requests)
        _expect(responses, status)
        self.best[name] = min(self.best.get(name, float("inf")), seconds)
        return responses

    def identity_refresh(self, cloud: MockCloud, token: Template) -> None:
        d = cloud.defaults
        assert d.refresh_token is not None
        user = cloud.identity.users[d.user_email.lower()]
        scopes = frozenset({"offline_access", "OrchestratorApiUserAccess"})
        requests = []
        for _ in range(self.calls // 4):
            fresh = cloud.identity.issue_refresh_token(UIPATH_CLI_CLIENT_ID, user, scopes)
            body = token.body.replace(d.refresh_token.encode(), fresh.encode())
            assert body != token.body, "the captured body must carry the default refresh token"
            requests.append(token.build(body=body))
        self.time("POST identity_/connect/token (refresh_token)", cloud, requests, 200)

    def replayed(
        self, name: str, cloud: MockCloud, template: Template, status: int, calls: int
    ) -> None:
        self.time(name, cloud, [template.build() for _ in range(calls)], status)

    def jobs(self, cloud: MockCloud, start: Template, get: Template) -> None:
        started = self.time(
            "POST odata/Jobs/...StartJobs", cloud, [start.build() for _ in range(self.calls)], 201
        )
        ids = [r.json()["value"][0]["Id"] for r in started]
        prefix = get.url[: get.url.rindex("Jobs(")]

        def reads() -> list[httpx.Request]:
            return [get.build(url=f"{prefix}Jobs({job_id})") for job_id in ids]

        cloud.clock.advance(10)  # every job is Running now: a new state for each first read
        self.time("GET odata/Jobs({id}) (state changed)", cloud, reads(), 200)
        self.time("GET odata/Jobs({id}) (same state)", cloud, reads(), 200)
        cloud.clock.advance(60)  # Successful
        self.time("GET odata/Jobs({id}) (state changed)", cloud, reads(), 200)


def _rsa_sign_seconds(rounds: int) -> float:
    key = load_issuer_key("identity")[0]
    message = b"x" * 700  # about a header and claims, base64url-encoded
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(200):
            key.sign(message, padding.PKCS1v15(), hashes.SHA256())
        best = min(best, (time.perf_counter() - start) / 200)
    return best


def _in_simulation(days: int) -> dict[str, list[float]]:
    """Seconds of every ``cloud.handle`` call per route label, during the real simulation.

    Interleaved with the client's own work, as in ``bench/simulation.py``: colder caches than
    the tight loops above, so the numbers are higher and closer to what the issue's wall time
    is made of.
    """
    spent: dict[str, list[float]] = {}
    for profile, credential in CASES:
        cloud = MockCloud(profile)  # type: ignore[arg-type]
        serve = cloud.handle

        def timed(
            request: httpx.Request,
            serve: Callable[..., httpx.Response] = serve,
            cloud: MockCloud = cloud,
        ) -> httpx.Response:
            start = time.perf_counter()
            response = serve(request)
            seconds = time.perf_counter() - start
            route = cloud.journal[-1].route or "?"
            spent.setdefault(f"{route} ({cloud.profile})", []).append(seconds)
            return response

        simulate(cloud, credential, days * 24, httpx.MockTransport(timed))
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--days", type=int, default=30, help="of the in-simulation measure")
    args = parser.parse_args()
    # First, while the heap holds nothing else: the tight loops below leave big worlds behind.
    spent = _in_simulation(args.days)

    worlds = {
        case: MockCloud(case[0])  # type: ignore[arg-type]
        for case in (
            ("identity", "refresh_token"),
            ("identity", "client_credentials"),
            ("legacy", "user_key"),
            ("onprem", "password"),
        )
    }
    templates = {case: _captured(cloud, case[1]) for case, cloud in worlds.items()}
    refresh_world = worlds["identity", "refresh_token"]
    refresh = templates["identity", "refresh_token"]
    token_calls = args.calls // 4
    bench = Bench(args.calls)
    steps: list[Callable[[], None]] = [
        lambda: bench.identity_refresh(refresh_world, refresh["identity.token"]),
        lambda: bench.replayed(
            "POST identity_/connect/token (client_credentials)",
            worlds["identity", "client_credentials"],
            templates["identity", "client_credentials"]["identity.token"],
            200,
            token_calls,
        ),
        lambda: bench.replayed(
            "POST account.uipath.com/oauth/token (User Key)",
            worlds["legacy", "user_key"],
            templates["legacy", "user_key"]["legacy.token"],
            200,
            token_calls,
        ),
        lambda: bench.replayed(
            "POST api/Account/Authenticate (on-prem)",
            worlds["onprem", "password"],
            templates["onprem", "password"]["onprem.authenticate"],
            200,
            token_calls,
        ),
        lambda: bench.jobs(
            refresh_world, refresh["orchestrator.start_jobs"], refresh["orchestrator.get_job"]
        ),
    ]
    for step in steps:  # warm up
        step()
    for _ in range(args.rounds):
        for cloud in worlds.values():
            cloud.journal.clear()
        for step in steps:
            step()
    print(
        f"exchanges: us per MockCloud.handle call, best of {args.rounds} rounds "
        f"({args.calls} calls, {token_calls} for tokens)"
    )
    for name, seconds in bench.best.items():
        print(f"  {name:50}: {seconds * 1e6:7.1f} us")
    rsa = _rsa_sign_seconds(args.rounds)
    print(f"  {'(RS256 signature alone, 2048-bit)':50}: {rsa * 1e6:7.1f} us")
    print(f"in the {args.days}-day simulation: us per MockCloud.handle call (median, mean)")
    for name, samples in sorted(spent.items()):
        if len(samples) >= 20:
            ordered = sorted(samples)
            median, mean = ordered[len(ordered) // 2], sum(ordered) / len(ordered)
            print(f"  {name:50}: {median * 1e6:7.1f} {mean * 1e6:7.1f} us  x{len(samples)}")
    for profile in ("identity", "legacy", "onprem"):
        total = sum(sum(s) for name, s in spent.items() if name.endswith(f"({profile})"))
        runs = 2 if profile == "identity" else 1  # identity runs both of its credentials
        print(
            f"  all of MockCloud.handle, {profile:8} (per run)           : "
            f"{total / runs * 1e3:7.1f} ms"
        )


if __name__ == "__main__":
    main()
