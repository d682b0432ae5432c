"""The shared send-rate limiter: a token bucket in Redis, counted in segments.

The arithmetic is checked on a fake clock, exactly: `decide` on its own, and the limiter in
Redis with "now" given, against the same numbers. One real-time smoke test runs two
processes against one bucket, judged with a wide margin: by the grants (the time of the call
plus the wait it returned), and only by what a stalled process cannot fake."""

from __future__ import annotations

import itertools
import multiprocessing
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

import pytest
import redis

from workers.ratelimit import Decision, RateLimiter, decide


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_decide_lets_a_full_bucket_go_then_spaces_by_the_interval() -> None:
    d1 = decide(now=100.0, tat=0.0, interval=2.0, burst=3.0, cost=1, max_wait=60)
    assert d1 == Decision(True, 0.0, 102.0)
    d2 = decide(100.0, d1.tat, 2.0, 3.0, 3, 60)
    assert d2 == Decision(True, 2.0, 108.0)  # 3 segments: 2 s behind a burst of 3
    assert decide(100.0, d2.tat, 2.0, 3.0, 1, max_wait=3.9) == Decision(False, 4.0, 108.0)


def test_decide_forgets_idle_time_beyond_a_full_bucket() -> None:
    assert decide(now=500.0, tat=108.0, interval=2.0, burst=1.0, cost=1, max_wait=0) == (
        Decision(True, 0.0, 502.0)
    )


def test_a_full_bucket_goes_at_once_then_waits_one_interval_per_segment(r: redis.Redis) -> None:
    clock = FakeClock()
    limiter = RateLimiter(r, rate=0.5, burst=3, clock=clock)  # an interval of 2 s
    assert [limiter.acquire(1) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire(1) == 2.0
    assert limiter.acquire(2) == 6.0  # reserved behind the one before
    clock.now += 6.0
    assert limiter.acquire(1) == 2.0


def test_a_wait_beyond_max_wait_reserves_nothing(r: redis.Redis) -> None:
    limiter = RateLimiter(r, rate=0.5, burst=3, clock=FakeClock())
    assert limiter.acquire(3) == 0.0
    assert limiter.acquire(1, max_wait=1.0) == 2.0
    assert limiter.acquire(1, max_wait=1.0) == 2.0  # the first ask took nothing
    assert limiter.acquire(1) == 2.0  # this one reserved...
    assert limiter.acquire(1) == 4.0  # ...so the next waits more


def test_by_default_each_text_waits_for_the_one_before(r: redis.Redis) -> None:
    clock = FakeClock()
    limiter = RateLimiter(r, rate=10, clock=clock)
    assert limiter.acquire(3) == 0.0  # idle: even the longest text goes at once
    assert limiter.acquire(1) == pytest.approx(0.3)  # no burst on top
    assert limiter.acquire(1) == pytest.approx(0.4)
    other = RateLimiter(r, rate=10, key="another-bucket", clock=clock)
    assert [other.acquire(1) == 0.0 for _ in range(2)] == [True, False]


def test_redis_runs_the_same_arithmetic_as_decide(r: redis.Redis) -> None:
    clock = FakeClock()
    tat = 0.0
    steps = itertools.product((0.0, 0.05, 1.7), (1, 3), (0.0, 0.25, float("inf")))
    for i, (advance, cost, max_wait) in enumerate(steps):
        clock.now += advance
        limiter = RateLimiter(r, rate=4, burst=2, clock=clock)
        expected = decide(clock.now, tat, 0.25, 2.0, cost, max_wait)
        got = limiter.acquire(cost, max_wait=max_wait)
        if expected.reserved:
            assert got == pytest.approx(expected.wait, abs=1e-5), i
            tat = expected.tat
        else:
            assert got > max_wait and got == pytest.approx(expected.wait, abs=1e-5), i


def test_bad_arguments_are_refused(r: redis.Redis) -> None:
    with pytest.raises(ValueError):
        RateLimiter(r, rate=0)
    with pytest.raises(ValueError):
        RateLimiter(r, rate=1).acquire(0)


# --- two processes, one rate ---

Grant = tuple[float, float]  # (earliest, latest) wall-clock moment the grant can be


def _sender(url: str, rate: float, burst: float | None, n: int, start: Barrier, out: Queue) -> None:
    """Send `n` one-segment texts as a worker does (ask, sleep the wait); report the grants."""
    limiter = RateLimiter(redis.Redis.from_url(url), rate=rate, burst=burst)
    grants: list[Grant] = []
    start.wait(60)
    for _ in range(n):
        # Redis takes "now" from the same clock, somewhere inside this round trip.
        before = time.time()
        wait = limiter.acquire(1)
        after = time.time()
        grants.append((before + wait, after + wait))
        time.sleep(wait)
    out.put(grants)


def _run_two(redis_url: str, rate: float, burst: float | None, n: int) -> list[Grant]:
    ctx = multiprocessing.get_context("spawn")
    out, start = ctx.Queue(), ctx.Barrier(2)  # both begin together, however slow the spawn
    procs = [ctx.Process(target=_sender, args=(redis_url, rate, burst, n, start, out))
             for _ in range(2)]  # fmt: skip
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(10)
    assert [len(r) for r in results] == [n, n]
    return sorted(g for r in results for g in r)


def busiest_second(grants: list[Grant]) -> int:
    """The most grants certainly inside one second [s, s + 1)."""
    return max(sum(1 for lo, hi in grants if s <= lo and hi < s + 1.0) for s, _ in grants)


def span(grants: list[Grant]) -> float:
    """The longest the grants may have spread over (an upper bound of the true span)."""
    return max(hi for _, hi in grants) - min(lo for lo, _ in grants)


def test_two_processes_share_one_rate(redis_url: str) -> None:
    """The one real-time smoke test: two processes, one bucket in Redis's own time. Both
    bounds hold however late a loaded process wakes: a grant counts for a second only if its
    whole round trip lies inside it, and the span is an upper bound of the true one."""
    rate, burst, n = 10.0, 3.0, 12
    grants = _run_two(redis_url, rate, burst, n)
    assert busiest_second(grants) <= rate + burst
    # Beyond the burst, each grant waits an interval, whichever process asks.
    assert span(grants) >= (2 * n - burst) / rate
