"""In-process interception, measured against a respx static route in the same run.

``with cloud.intercept():`` serves every httpx client to the UiPath hosts through respx. The
baseline is what a team would write without the kit: a respx route for the same URL returning
the same body. Both sides pay respx's own routing; the ratio is what the mock adds (the token
lookup, the folder header, serialization, the journal). The target is at most 1.2x.

Timings interleave the two sides over several rounds and keep each side's best round. This
prints; it never fails a build on timing.

    python bench/intercept.py [--calls N] [--rounds R]
"""

from __future__ import annotations

import argparse
import gc
import time

import httpx
import respx
from hot_path import _authenticated_call

from mock_orchestrator import MockCloud

TARGET = 1.2


def _time(client: httpx.Client, url: str, headers: dict[str, str], calls: int) -> float:
    gc.collect()
    start = time.perf_counter()
    for _ in range(calls):
        response = client.get(url, headers=headers)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.text
    return elapsed / calls


def measure(calls: int = 2000, rounds: int = 7) -> tuple[float, float, str]:
    """(seconds per call through cloud.intercept(), through a static respx route, label)."""
    cloud = MockCloud("identity")
    url, headers, label = _authenticated_call(cloud)
    with httpx.Client(transport=cloud.transport()) as probe:
        answer = probe.get(url, headers=headers)
    content, content_type = answer.content, answer.headers["content-type"]

    static = respx.mock(assert_all_called=False, assert_all_mocked=True)
    static.get(url).mock(
        return_value=httpx.Response(200, content=content, headers={"content-type": content_type})
    )
    best = {"mock": float("inf"), "respx": float("inf")}
    with httpx.Client() as client:
        for _ in range(rounds):
            cloud.journal.clear()  # keep memory flat across rounds, as a test's world would be
            with cloud.intercept():
                best["mock"] = min(best["mock"], _time(client, url, headers, calls))
            with static:
                best["respx"] = min(best["respx"], _time(client, url, headers, calls))
    return best["mock"], best["respx"], label


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    mock, static, label = measure(args.calls, args.rounds)
    ratio = mock / static
    print(f"interception: {label}, {args.calls} calls x {args.rounds} rounds (best round)")
    print(f"  respx static route              : {static * 1e6:8.1f} us/call")
    print(f"  cloud.intercept()               : {mock * 1e6:8.1f} us/call")
    print(f"  ratio                           : {ratio:8.3f}  (target: <= {TARGET})")
    print(
        f"  verdict                         : {'within' if ratio <= TARGET else 'OVER'} the target"
    )


if __name__ == "__main__":
    main()
