"""How the benchmarks compare sides on a noisy machine: back-to-back rounds, and the median of
the rounds' ratios.

A shared machine's speed drifts by a tenth or more within seconds (other tenants, frequency).
Each round runs every side once, back to back, so a slow spell lands on one round rather than
on one side; the order turns each round, so every side goes first equally often. The median of
the per-round ratios then ignores the rounds a burst of noise split. Keeping each side's best
round instead let one lucky round of one side decide the ratio: the same code measured 1.05x
and 1.21x in two runs, where the rounds' median stayed within 1.04x to 1.08x.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping

import httpx


def interleaved(sides: Mapping[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Each side's measurement once per round, ``rounds`` times, the order turned each round."""
    names = list(sides)
    values: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        turn = index % len(names)
        for name in names[turn:] + names[:turn]:
            values[name].append(sides[name]())
    return values


def median_ratio(top: list[float], bottom: list[float]) -> float:
    """The median over rounds of ``top[i] / bottom[i]``."""
    return statistics.median(t / b for t, b in zip(top, bottom, strict=True))


def seconds_per_call(client: httpx.Client, url: str, headers: dict[str, str], calls: int) -> float:
    """Mean seconds of ``calls`` sequential ``GET url`` (a fresh collection first)."""
    gc.collect()
    start = time.perf_counter()
    for _ in range(calls):
        response = client.get(url, headers=headers)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.text
    return elapsed / calls
