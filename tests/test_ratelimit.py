"""The shared send-rate limiter: a token bucket in Redis, counted in segments."""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.queues import Queue

import pytest
import redis

from workers.ratelimit import RateLimiter


def test_a_full_bucket_goes_at_once_then_waits_one_interval_per_segment(r: redis.Redis) -> None:
    limiter = RateLimiter(r, rate=10, burst=3)
    assert [limiter.acquire(1) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.acquire(1)
    assert 0.05 < wait <= 0.1
    wait = limiter.acquire(2)
    assert 0.25 < wait <= 0.3  # reserved behind the one before


def test_a_wait_beyond_max_wait_reserves_nothing(r: redis.Redis) -> None:
    limiter = RateLimiter(r, rate=1, burst=3)
    assert limiter.acquire(3) == 0.0
    first = limiter.acquire(1, max_wait=0.5)
    assert 0.9 < first <= 1.0
    again = limiter.acquire(1, max_wait=0.5)
    assert again == pytest.approx(first, abs=0.05)  # the first ask took nothing
    assert limiter.acquire(1) == pytest.approx(first, abs=0.05)  # this one reserved...
    assert limiter.acquire(1) == pytest.approx(first + 1, abs=0.05)  # ...so the next waits more


def test_by_default_each_text_waits_for_the_one_before(r: redis.Redis) -> None:
    limiter = RateLimiter(r, rate=10)
    assert limiter.acquire(3) == 0.0  # idle: even the longest text goes at once
    assert 0.25 < limiter.acquire(1) <= 0.3  # behind its 3 segments: no burst on top
    assert 0.35 < limiter.acquire(1) <= 0.4
    other = RateLimiter(r, rate=10, key="another-bucket")
    assert [other.acquire(1) == 0.0 for _ in range(2)] == [True, False]


def _paced(url: str, rate: float, start: float, seconds: float, out: Queue) -> None:
    limiter = RateLimiter(redis.Redis.from_url(url), rate=rate)
    stamps = []
    time.sleep(max(0.0, start - time.time()))
    while time.time() < start + seconds:
        time.sleep(limiter.acquire(1))
        stamps.append(time.time())
    out.put(stamps)


def test_two_processes_paced_by_default_never_exceed_the_rate_in_any_second(
    redis_url: str,
) -> None:
    rate, seconds = 10.0, 2.5
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    start = time.time() + 1.0
    procs = [
        ctx.Process(target=_paced, args=(redis_url, rate, start, seconds, out)) for _ in range(2)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=30) for _ in procs]
    for p in procs:
        p.join(10)
    assert all(len(stamps) > 5 for stamps in results)
    stamps = sorted(t for result in results for t in result)
    # Grants are one interval apart, so `rate` of them span exactly a second: as measured
    # after each sleep, one more can fall inside a window when its sleep overshot less than
    # the first one's. A bucket of even 3 would show rate + 3 here.
    assert max(sum(1 for t in stamps if s <= t < s + 1.0) for s in stamps) <= rate + 1
    assert len(stamps) >= 0.9 * rate * seconds - 2


def test_bad_arguments_are_refused(r: redis.Redis) -> None:
    with pytest.raises(ValueError):
        RateLimiter(r, rate=0)
    with pytest.raises(ValueError):
        RateLimiter(r, rate=1).acquire(0)


def _worker(url: str, rate: float, burst: float, start: float, seconds: float, out: Queue) -> None:
    limiter = RateLimiter(redis.Redis.from_url(url), rate=rate, burst=burst)
    stamps = []
    time.sleep(max(0.0, start - time.time()))
    while time.time() < start + seconds:
        wait = limiter.acquire(1)
        time.sleep(wait)
        stamps.append(time.time())
    out.put(stamps)


def test_two_processes_share_one_rate(redis_url: str) -> None:
    # 0.1 s between grants: far more than any sleep overshoot, so the window count is exact.
    rate, burst, seconds = 10.0, 3.0, 2.5
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    start = time.time() + 1.0  # both begin together, after spawning
    procs = [
        ctx.Process(target=_worker, args=(redis_url, rate, burst, start, seconds, out))
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=30) for _ in procs]
    for p in procs:
        p.join(10)
    assert all(len(stamps) > 5 for stamps in results)  # both processes really sent
    stamps = sorted(t for result in results for t in result)
    busiest = max(sum(1 for t in stamps if s <= t < s + 1.0) for s in stamps)
    assert busiest <= rate + burst
    # ...and the limit is what slows them, not something else.
    assert len(stamps) >= 0.9 * (rate * seconds + burst) - 2
