"""Every byte the mock puts on the wire for a fixed script: the simulation and some error paths.

A *transcript* is, for every exchange in order, the response's status, its headers exactly as
sent (names, values, order) and its body bytes. Two runs of the same script against two
versions of the mock produce the same transcript exactly when the mock's wire did not change,
which is what a speed-up of the mock must guarantee.

The script, per profile (the cases of ``bench/simulation.py``):

* ``days`` of one job an hour, polled to its end, on the fake clock, with the requests the
  reference client sends (written out, see :class:`_Poller`);
* then, through a plain ``httpx.Client``, the error paths a client meets: a bad refresh token,
  User Key or password, an unknown folder, no folder header, an expired and a revoked token,
  a token without the scope, a wrong tenant, StopJobs on a running job and the job read while
  it stops and after, GET Jobs with ``$filter``, GetByKey, a job that is not there, a bad
  StartJobs body, an injected 429.

``python -m tests.mock_orchestrator._wire_transcript [--days N] [--dump DIR] [--write]``
prints the sha256 of each profile's transcript (the values ``wire_golden.json`` stores);
``--dump`` writes every exchange readably, for a diff when the digests disagree; ``--write``
replaces ``wire_golden.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from mock_orchestrator import MockCloud

__all__ = ["CASES", "GOLDEN", "Entry", "digest", "transcript"]

#: (profile, credential) as ``bench/simulation.py`` runs them.
CASES = (
    ("identity", "refresh_token"),
    ("identity", "client_credentials"),
    ("legacy", "user_key"),
    ("onprem", "password"),
)
ACTION = "UiPath.Server.Configuration.OData."

#: Where the test keeps the digests of the two-day script.
GOLDEN = Path(__file__).with_name("wire_golden.json")
#: One exchange: what was asked (method and URL, to read a dump) and what went out.
Entry = tuple[str, str, int, list[tuple[bytes, bytes]], bytes]


@contextmanager
def _tapped(cloud: MockCloud) -> Iterator[tuple[httpx.MockTransport, list[Entry]]]:
    """A transport serving ``cloud`` that keeps a copy of every response as it left."""
    seen: list[Entry] = []

    def handle(request: httpx.Request) -> httpx.Response:
        response = cloud.handle(request)
        seen.append(
            (
                request.method,
                str(request.url),
                response.status_code,
                list(response.headers.raw),
                response.read(),
            )
        )
        return response

    yield httpx.MockTransport(handle), seen


class _Poller:
    """A fixed script with the reference client's request shapes (what it sends, how often).

    Written out here rather than run through ``client_under_test`` so that tuning the
    reference client (its poll schedule, its headers) never changes this transcript: only a
    change of the mock can.
    """

    #: Seconds after the start at which the job is read (the client's backoff: 5, 10, 20 ...).
    POLLS = (0, 5, 15, 35, 75, 155, 315)

    def __init__(self, cloud: MockCloud, credential: str, http: httpx.Client) -> None:
        self.cloud = cloud
        self.credential = credential
        self.http = http
        self.refresh_token = cloud.defaults.refresh_token
        self.token: str | None = None
        self.renew_at = 0.0
        self.references = random.Random(0)
        d = cloud.defaults
        self.base = d.url + ("/orchestrator_" if d.profile == "identity" else "")

    def _token_request(self) -> httpx.Response:
        d = self.cloud.defaults
        if self.credential == "refresh_token":
            return self.http.post(
                f"{d.identity_url}/connect/token",
                data={
                    "grant_type": "refresh_token",
                    "client_id": d.public_client_id,
                    "refresh_token": self.refresh_token,
                },
            )
        if self.credential == "client_credentials":
            return self.http.post(
                f"{d.identity_url}/connect/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": d.client_id,
                    "client_secret": d.client_secret,
                },
            )
        if self.credential == "user_key":
            assert d.legacy_token_url is not None
            return self.http.post(
                d.legacy_token_url,
                headers={"X-UIPATH-TenantName": d.tenant},
                json={
                    "grant_type": "refresh_token",
                    "client_id": d.legacy_client_id,
                    "refresh_token": d.user_key,
                },
            )
        return self.http.post(
            f"{d.url}/api/Account/Authenticate",
            json={
                "usernameOrEmailAddress": d.username,
                "password": d.password,
                "tenancyName": d.tenant,
            },
        )

    def headers(self) -> dict[str, str]:
        """Folder and bearer, renewing the token as the client does (a tenth before expiry)."""
        now = self.cloud.clock.time()
        if self.token is None or now >= self.renew_at:
            body = self._token_request().json()
            self.token = body.get("access_token") or body["result"]
            lifetime = body.get("expires_in", 1800)
            self.refresh_token = body.get("refresh_token", self.refresh_token)
            self.renew_at = now + lifetime - max(60, lifetime / 10)
        return {
            "X-UIPATH-FolderPath": self.cloud.defaults.folder,
            "Authorization": f"Bearer {self.token}",
        }

    def run_one_job(self, release_key: str) -> None:
        reference = str(uuid.UUID(int=self.references.getrandbits(128), version=4))
        started = self.http.post(
            f"{self.base}/odata/Jobs/{ACTION}StartJobs",
            headers=self.headers(),
            json={
                "startInfo": {
                    "ReleaseKey": release_key,
                    "Strategy": "ModernJobsCount",
                    "JobsCount": 1,
                    "InputArguments": "{}",
                    "Reference": reference,
                }
            },
        )
        job_id = started.json()["value"][0]["Id"]
        clock = self.cloud.clock
        began = clock.time()
        for offset in self.POLLS:
            clock.move_to(began + offset)
            state = self.http.get(
                f"{self.base}/odata/Jobs({job_id})", headers=self.headers()
            ).json()["State"]
            if state in ("Successful", "Faulted", "Stopped"):
                return


def _simulate(cloud: MockCloud, credential: str, days: int, transport: httpx.MockTransport) -> None:
    start = cloud.clock.time()
    with httpx.Client(transport=transport, headers={"Accept": "application/json"}) as http:
        poller = _Poller(cloud, credential, http)
        releases = http.get(
            f"{poller.base}/odata/Releases",
            headers=poller.headers(),
            params={"$filter": f"Name eq '{cloud.defaults.process}'"},
        )
        release_key = releases.json()["value"][0]["Key"]
        for hour in range(days * 24):
            cloud.clock.move_to(start + hour * 3600)
            poller.run_one_job(release_key)


def _bearer(cloud: MockCloud, http: httpx.Client, credential: str) -> str:
    """A fresh access token of the case's credential, asked for over the wire."""
    d = cloud.defaults
    if credential == "client_credentials":
        assert d.identity_url is not None
        response = http.post(
            f"{d.identity_url}/connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": d.client_id,
                "client_secret": d.client_secret,
                "scope": "OR.Jobs OR.Folders",
            },
        )
        token: str = response.json()["access_token"]
        return token
    # User credentials: the world's own PAT lever keeps the script independent of whether
    # the simulation has rotated the default refresh token away.
    user = cloud.identity.users[d.user_email.lower()]
    return cloud.identity.issue_personal_access_token(user)


def _bad_credential(cloud: MockCloud, http: httpx.Client, credential: str) -> None:
    d = cloud.defaults
    if credential in ("refresh_token", "client_credentials"):
        assert d.identity_url is not None
        http.post(
            f"{d.identity_url}/connect/token",
            data={
                "grant_type": "refresh_token",
                "client_id": d.public_client_id,
                "refresh_token": "0" * 64,
            },
        )
        http.post(
            f"{d.identity_url}/connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": d.client_id,
                "client_secret": "wrong",
                "scope": "OR.Jobs",
            },
        )
    elif credential == "user_key":
        assert d.legacy_token_url is not None
        http.post(
            d.legacy_token_url,
            json={
                "grant_type": "refresh_token",
                "client_id": d.legacy_client_id,
                "refresh_token": "not-a-user-key",
            },
        )
    else:
        http.post(
            f"{d.url}/api/Account/Authenticate",
            json={
                "usernameOrEmailAddress": d.username,
                "password": "wrong",
                "tenancyName": d.tenant,
            },
        )


def _error_paths(cloud: MockCloud, credential: str, transport: httpx.MockTransport) -> None:
    d = cloud.defaults
    base = d.url if d.profile != "identity" else d.url + "/orchestrator_"
    with httpx.Client(transport=transport, follow_redirects=False) as http:
        _bad_credential(cloud, http, credential)
        token = _bearer(cloud, http, credential)
        auth = {"Authorization": f"Bearer {token}"}
        folder = {**auth, "X-UIPATH-FolderPath": d.folder}
        get: Callable[..., httpx.Response] = http.get
        get(f"{base}/odata/Jobs", headers={**auth, "X-UIPATH-FolderPath": "No/Such/Folder"})
        get(f"{base}/odata/Jobs", headers=auth)
        get(f"{base}/odata/Jobs(999999999)", headers=folder)
        http.post(
            f"{base}/odata/Jobs/{ACTION}StartJobs",
            content=b"{not json",
            headers={**folder, "Content-Type": "application/json"},
        )
        http.post(
            f"{base}/odata/Jobs/{ACTION}StartJobs",
            headers=folder,
            json={"startInfo": {"ReleaseName": "NoSuchProcess"}},
        )
        started = http.post(
            f"{base}/odata/Jobs/{ACTION}StartJobs",
            headers=folder,
            json={"startInfo": {"ReleaseKey": d.release_key, "JobsCount": 2}},
        )
        jobs = started.json()["value"]
        cloud.clock.advance(seconds=10)  # both are Running now
        http.post(
            f"{base}/odata/Jobs/{ACTION}StopJobs",
            headers=folder,
            json={"jobIds": [jobs[0]["Id"]], "strategy": "SoftStop"},
        )
        http.post(
            f"{base}/odata/Jobs({jobs[1]['Id']})/{ACTION}StopJob",
            headers=folder,
            json={"strategy": "Kill"},
        )
        get(f"{base}/odata/Jobs({jobs[0]['Id']})", headers=folder)
        get(f"{base}/odata/Jobs/{ACTION}GetByKey(identifier={jobs[1]['Key']})", headers=folder)
        cloud.clock.advance(seconds=120)
        get(f"{base}/odata/Jobs({jobs[0]['Id']})", headers=folder)
        get(f"{base}/odata/Jobs({jobs[1]['Id']})", headers=folder)
        get(
            f"{base}/odata/Jobs",
            headers=folder,
            params={"$filter": "State eq 'Stopped'", "$top": "3", "$orderby": "Id desc"},
        )
        get(f"{base}/odata/Jobs", headers=folder, params={"$filter": "Nonsense eq 1"})
        get(f"{base}/odata/Folders", headers=auth)
        cloud.faults.add(route="orchestrator.get_job", status=429, retry_after=7)
        get(f"{base}/odata/Jobs({jobs[0]['Id']})", headers=folder)
        if d.profile != "onprem":  # on-prem's bare /odata takes the tenant from the token
            wrong = base.replace(d.tenant, "NoSuchTenant")
            get(f"{wrong}/odata/Jobs({jobs[0]['Id']})", headers=folder)
        if credential == "client_credentials":
            narrow = http.post(
                f"{d.identity_url}/connect/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": d.client_id,
                    "client_secret": d.client_secret,
                    "scope": "OR.Folders",
                },
            ).json()["access_token"]
            get(f"{base}/odata/Jobs", headers={**folder, "Authorization": f"Bearer {narrow}"})
        cloud.identity.tokens.revoke(token)
        get(f"{base}/odata/Jobs({jobs[0]['Id']})", headers=folder)
        # An expired token: a fresh one, then the clock past its lifetime.
        expiring = _bearer(cloud, http, credential)
        cloud.clock.advance(days=31)
        get(
            f"{base}/odata/Jobs({jobs[0]['Id']})",
            headers={**folder, "Authorization": f"Bearer {expiring}"},
        )


def transcript(profile: str, credential: str, days: int) -> list[Entry]:
    """Every exchange of the script for one case, in order, as it left the mock."""
    cloud = MockCloud(profile)  # type: ignore[arg-type]
    with _tapped(cloud) as (transport, seen):
        _simulate(cloud, credential, days, transport)
        _error_paths(cloud, credential, transport)
    return seen


def digest(entries: list[Entry]) -> str:
    """sha256 over (status, headers, body) of every exchange, each framed by its length."""
    hasher = hashlib.sha256()
    for _method, _url, status, headers, body in entries:
        hasher.update(repr((status, headers, len(body))).encode("ascii"))
        hasher.update(body)
    return hasher.hexdigest()


def _dump(entries: list[Entry], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for number, (method, url, status, headers, body) in enumerate(entries, 1):
            out.write(f"#{number} {method} {url}\n{status} {headers!r}\n")
            out.write(body.decode("utf-8", "backslashreplace") + "\n\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--dump", type=Path, default=None, help="write each transcript here")
    parser.add_argument("--write", action="store_true", help=f"write the digests to {GOLDEN}")
    args = parser.parse_args()
    digests = {}
    for profile, credential in CASES:
        entries = transcript(profile, credential, args.days)
        digests[f"{profile}/{credential}"] = {"exchanges": len(entries), "sha256": digest(entries)}
        if args.dump is not None:
            args.dump.mkdir(parents=True, exist_ok=True)
            _dump(entries, args.dump / f"{profile}-{credential}.txt")
    text = json.dumps({"days": args.days, "cases": digests}, indent=2) + "\n"
    if args.write:
        GOLDEN.write_text(text, encoding="utf-8")
    print(text, end="")


if __name__ == "__main__":
    main()
