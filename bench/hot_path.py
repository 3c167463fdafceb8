"""The in-process hot path, measured against a bare httpx MockTransport in the same run.

The bar: an authenticated API call through the mock costs at most a quarter more than a bare
``httpx.MockTransport`` returning the same body. Both sides use the same ``httpx.Client``
machinery (request building, auth header, response decoding); the ratio isolates what the mock
adds: routing, the token lookup, the folder header, serialization and the journal.

The sides run back to back in each round; each ratio is the median of the rounds' ratios
(bench/_rounds.py says why). This prints; it never fails a build on timing.

    python bench/hot_path.py [--calls N] [--rounds R]
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable

import httpx
from _rounds import interleaved, median_ratio, seconds_per_call

from mock_orchestrator import MockCloud
from mock_orchestrator.core.errors import body_response


def _authenticated_call(cloud: MockCloud) -> tuple[str, dict[str, str], str]:
    """A URL, headers and a label of an authenticated API call the world can answer."""
    d = cloud.defaults
    with httpx.Client(transport=cloud.transport()) as client:
        token = client.post(
            f"{d.identity_url}/connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": d.client_id,
                "client_secret": d.client_secret,
                "scope": "OR.Jobs OR.Execution",
            },
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "X-UIPATH-FolderPath": d.folder}
        start = client.post(
            f"{d.url}/orchestrator_/odata/Jobs/UiPath.Server.Configuration.OData.StartJobs",
            json={
                "startInfo": {
                    "ReleaseKey": d.release_key,
                    "Strategy": "ModernJobsCount",
                    "JobsCount": 1,
                    "InputArguments": "{}",
                }
            },
            headers=headers,
        )
        if start.status_code == 201:
            job_id = start.json()["value"][0]["Id"]
            return f"{d.url}/orchestrator_/odata/Jobs({job_id})", headers, "GET odata/Jobs({id})"
    # Without Orchestrator routes, an authenticated identity call stands in.
    return f"{d.identity_url}/connect/userinfo", headers, "GET identity_/connect/userinfo"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=28)
    args = parser.parse_args()

    cloud = MockCloud("identity")
    url, headers, label = _authenticated_call(cloud)
    with httpx.Client(transport=cloud.transport()) as probe:
        body = probe.get(url, headers=headers)
    content, content_type = body.content, body.headers["content-type"]

    ctype = content_type.encode()

    def bare(request: httpx.Request) -> httpx.Response:
        # The baseline as anyone would write it.
        return httpx.Response(200, content=content, headers={"content-type": content_type})

    def bare_like_for_like(request: httpx.Request) -> httpx.Response:
        # The same response construction the mock uses: isolates the mock's own logic.
        return body_response(200, content, ctype)

    clients = {
        "bare": httpx.Client(transport=httpx.MockTransport(bare)),
        "like-for-like": httpx.Client(transport=httpx.MockTransport(bare_like_for_like)),
        "mock": httpx.Client(transport=cloud.transport()),
    }

    def timed(name: str) -> Callable[[], float]:
        def side() -> float:
            cloud.journal.clear()  # keep memory flat across rounds, as a test's world would be
            return seconds_per_call(clients[name], url, headers, args.calls)

        return side

    for client in clients.values():
        seconds_per_call(client, url, headers, 200)  # warm up
    times = interleaved({name: timed(name) for name in clients}, args.rounds)
    median = {name: statistics.median(values) for name, values in times.items()}
    ratio = median_ratio(times["mock"], times["bare"])
    logic = median_ratio(times["mock"], times["like-for-like"])
    print(f"hot path: {label}, {args.rounds} rounds of {args.calls} calls (medians)")
    print(f"  bare httpx.MockTransport           : {median['bare'] * 1e6:8.1f} us/call")
    print(f"  bare, mock's response construction : {median['like-for-like'] * 1e6:8.1f} us/call")
    print(f"  MockCloud.transport()              : {median['mock'] * 1e6:8.1f} us/call")
    print(f"  ratio vs bare                      : {ratio:8.3f}  (bar: <= 1.25)")
    print(f"  ratio vs like-for-like (logic only): {logic:8.3f}")
    print(f"  verdict                            : {'within' if ratio <= 1.25 else 'OVER'} the bar")


if __name__ == "__main__":
    main()
