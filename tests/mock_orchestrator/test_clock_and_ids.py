from __future__ import annotations

import random
import uuid
from datetime import datetime, timezone

import pytest

from mock_orchestrator.core import clock as clock_module
from mock_orchestrator.core.clock import DEFAULT_START, FakeClock, format_odata_time
from mock_orchestrator.core.ids import IdGenerator


def test_fake_clock_is_frozen_until_told() -> None:
    clock = FakeClock()
    assert clock.now() == DEFAULT_START
    assert clock.time() == DEFAULT_START.timestamp()
    assert clock.time() == clock.time()


def test_advance_in_every_unit_adds_up() -> None:
    clock = FakeClock()
    start = clock.time()
    clock.advance(30)
    clock.advance(minutes=2)
    clock.advance(hours=1)
    clock.advance(days=1)
    assert clock.time() - start == 30 + 120 + 3600 + 86400


def test_time_only_moves_forward_by_advance_and_move_to_jumps() -> None:
    clock = FakeClock()
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)
    target = datetime(2027, 3, 1, tzinfo=timezone.utc)
    assert clock.move_to(target) == target
    clock.sleep(2.5)
    assert clock.time() == target.timestamp() + 2.5


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        FakeClock(datetime(2026, 1, 1))


def test_ticking_clock_follows_real_time_plus_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(clock_module, "_monotonic", lambda: now[0])
    clock = FakeClock(ticking=True)  # origin read: 100.0
    now[0] = 107.0
    assert clock.time() == DEFAULT_START.timestamp() + 7
    clock.advance(hours=24)
    assert clock.time() == DEFAULT_START.timestamp() + 7 + 86400


def test_odata_time_format() -> None:
    assert format_odata_time(DEFAULT_START.timestamp() + 0.25) == "2026-01-05T09:00:00.250Z"


@pytest.mark.parametrize(
    "epoch",
    [
        0.0,
        0.0005,
        0.9995,
        1767603605.25,
        1767603605.999999,
        253402300799.999,
        -1.5,
        -30610224000.0,
        -50000000000.0,
        -62135596800.0,
    ],
)
def test_odata_time_is_what_strftime_writes(epoch: float) -> None:
    """The fast path (isoformat) must write strftime's bytes, years below 1000 included."""
    dt = datetime.fromtimestamp(epoch, tz=timezone.utc)
    expected = dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
    assert format_odata_time.__wrapped__(epoch) == expected


def test_ids_are_reproducible_per_seed() -> None:
    first, second, other = IdGenerator(7), IdGenerator(7), IdGenerator(8)
    assert [first.guid() for _ in range(3)] == [second.guid() for _ in range(3)]
    assert first.token() == second.token()
    assert IdGenerator(7).guid() != other.guid()


def test_guids_are_version_4_and_sequences_count_per_kind() -> None:
    ids = IdGenerator()
    guid = ids.guid()
    assert guid[14] == "4"
    assert len(guid) == 36
    assert [ids.sequence("Jobs", start=10) for _ in range(3)] == [10, 11, 12]
    assert ids.sequence("QueueItems") == 1
    trace = ids.trace_id()
    assert trace.startswith("00-")
    assert trace.endswith("-00")
    assert len(trace) == 55


@pytest.mark.parametrize("seed", [0, 1, 7, 2**40])
def test_guids_are_what_the_uuid_module_writes_for_the_same_bits(seed: int) -> None:
    """guid() formats the bits itself (faster); the bytes must stay uuid.UUID's."""
    ids, bits = IdGenerator(seed), random.Random(seed)
    for _ in range(2000):
        assert ids.guid() == str(uuid.UUID(int=bits.getrandbits(128), version=4))


def test_one_step_of_the_clock_is_bounded() -> None:
    from mock_orchestrator.core.clock import MAX_STEP_SECONDS

    clock = FakeClock()
    clock.advance(MAX_STEP_SECONDS)
    with pytest.raises(ValueError, match="at most"):
        clock.advance(1e308)
