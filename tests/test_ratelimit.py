"""The shared send-rate limiter: a token bucket in Redis, counted in segments.

These tests hold on a loaded machine. The single-process ones use a slow rate (an interval
of 100 s), so a test process stalled for seconds between two calls still sees the waits the
claim is about. The two-process ones judge the limiter by its grants, the moments it lets a
text go (the time of the call plus the wait it returned), not by when a busy process
happened to wake up, and only by what a stalled process cannot fake: a grant whose whole
uncertainty (the call's round trip) lies inside a window certainly counts for it."""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

import pytest
import redis

from workers.ratelimit import RateLimiter

SLOW = 0.01  # segments per second: one interval is 100 s
INTERVAL = 1 / SLOW
STALL = 10.0  # seconds a loaded test process may lose between two calls, and still pass


def test_a_full_bucket_goes_at_once_then_waits_one_interval_per_segment(r: redis.Redis) -> None:
    limiter = RateLimiter(r, rate=SLOW, burst=3)
    assert [limiter.acquire(1) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.acquire(1)
    assert INTERVAL - STALL < wait <= INTERVAL
    wait = limiter.acquire(2)
    assert 3 * INTERVAL - STALL < wait <= 3 * INTERVAL  # reserved behind the one before


def test_a_wait_beyond_max_wait_reserves_nothing(r: redis.Redis) -> None:
    limiter = RateLimiter(r, rate=SLOW, burst=3)
    assert limiter.acquire(3) == 0.0
    first = limiter.acquire(1, max_wait=INTERVAL / 2)
    assert INTERVAL - STALL < first <= INTERVAL
    again = limiter.acquire(1, max_wait=INTERVAL / 2)
    assert first - STALL < again <= first  # the first ask took nothing
    reserved = limiter.acquire(1)
    assert first - 2 * STALL < reserved <= first  # this one reserved...
    assert (
        reserved + INTERVAL - STALL < limiter.acquire(1) <= reserved + INTERVAL
    )  # ...so the next waits more


def test_by_default_each_text_waits_for_the_one_before(r: redis.Redis) -> None:
    limiter = RateLimiter(r, rate=SLOW)
    assert limiter.acquire(3) == 0.0  # idle: even the longest text goes at once
    assert 3 * INTERVAL - STALL < limiter.acquire(1) <= 3 * INTERVAL  # no burst on top
    assert 4 * INTERVAL - STALL < limiter.acquire(1) <= 4 * INTERVAL
    other = RateLimiter(r, rate=SLOW, key="another-bucket")
    assert [other.acquire(1) == 0.0 for _ in range(2)] == [True, False]


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


def test_two_processes_paced_by_default_never_exceed_the_rate_in_any_second(
    redis_url: str,
) -> None:
    rate, n = 10.0, 12
    grants = _run_two(redis_url, rate, None, n)
    # Grants are one interval apart, so `rate` of them span 0.9 s: a second holds `rate`
    # (one more only if float rounding lands one on the window's edge). A bucket of even 3
    # would show rate + 3 here.
    assert busiest_second(grants) <= rate + 1
    # And the limiter really paced them: 2n grants one interval apart need (2n - 1) intervals.
    assert span(grants) >= (2 * n - 1) / rate


def test_two_processes_share_one_rate(redis_url: str) -> None:
    rate, burst, n = 10.0, 3.0, 12
    grants = _run_two(redis_url, rate, burst, n)
    assert busiest_second(grants) <= rate + burst
    # Beyond the burst, each grant waits an interval, whichever process asks.
    assert span(grants) >= (2 * n - burst) / rate
