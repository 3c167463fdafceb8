"""In-process interception, measured against a respx static route in the same run.

``with cloud.intercept():`` serves every httpx client to the UiPath hosts through respx. The
baseline is what a team would write without the kit: a respx route for the same URL returning
the same body. Both sides pay respx's own routing; the ratio is what the mock adds (the token
lookup, the folder header, serialization, the journal). The target is at most 1.2x.

The two sides run back to back in each round; the ratio is the median of the rounds' ratios
(bench/_rounds.py says why). This prints; it never fails a build on timing.

    python bench/intercept.py [--calls N] [--rounds R]
"""

from __future__ import annotations

import argparse
import statistics

import httpx
import respx
from _rounds import interleaved, median_ratio, seconds_per_call
from hot_path import _authenticated_call

from mock_orchestrator import MockCloud

TARGET = 1.2


def measure(calls: int = 500, rounds: int = 28) -> tuple[float, float, float, str]:
    """(median seconds per call through cloud.intercept(), through a static respx route, the
    median of the rounds' ratios, the call's label)."""
    cloud = MockCloud("identity")
    url, headers, label = _authenticated_call(cloud)
    with httpx.Client(transport=cloud.transport()) as probe:
        answer = probe.get(url, headers=headers)
    content, content_type = answer.content, answer.headers["content-type"]

    static = respx.mock(assert_all_called=False, assert_all_mocked=True)
    static.get(url).mock(
        return_value=httpx.Response(200, content=content, headers={"content-type": content_type})
    )
    with httpx.Client() as client:

        def through_mock() -> float:
            cloud.journal.clear()  # keep memory flat across rounds, as a test's world would be
            with cloud.intercept():
                return seconds_per_call(client, url, headers, calls)

        def through_respx() -> float:
            with static:
                return seconds_per_call(client, url, headers, calls)

        through_mock(), through_respx()  # warm up
        times = interleaved({"mock": through_mock, "respx": through_respx}, rounds)
    return (
        statistics.median(times["mock"]),
        statistics.median(times["respx"]),
        median_ratio(times["mock"], times["respx"]),
        label,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=28)
    args = parser.parse_args()
    mock, static, ratio, label = measure(args.calls, args.rounds)
    print(f"interception: {label}, {args.rounds} rounds of {args.calls} calls (medians)")
    print(f"  respx static route              : {static * 1e6:8.1f} us/call")
    print(f"  cloud.intercept()               : {mock * 1e6:8.1f} us/call")
    print(f"  ratio                           : {ratio:8.3f}  (target: <= {TARGET})")
    print(
        f"  verdict                         : {'within' if ratio <= TARGET else 'OVER'} the target"
    )


if __name__ == "__main__":
    main()
