"""One send-rate limiter in Redis, shared by every worker process, counted in SMS segments.

The arithmetic is `decide`, a pure function; the Lua script below is the same arithmetic run
inside Redis so that every process reads and moves one bucket atomically. Tests check both
on a fake clock (tests/test_ratelimit.py)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import redis

from hrw_sms.store import keys


@dataclass(frozen=True)
class Decision:
    """What one request for tokens gets: whether they are reserved, the seconds to wait
    before sending, and the bucket's new theoretical arrival time (seconds; unchanged when
    nothing was reserved)."""

    reserved: bool
    wait: float
    tat: float


def decide(
    now: float, tat: float, interval: float, burst: float, cost: int, max_wait: float
) -> Decision:
    """A token bucket written as GCRA (the "generic cell rate algorithm" of ATM networks).

    `tat` (seconds, the same clock as `now`) is the "theoretical arrival time", when the
    bucket would be full again; taking `cost` tokens moves it on by cost x `interval`
    (seconds per segment); the caller may go once tat - burst x interval <= now. Granted
    tokens are reserved: the caller sleeps the wait and sends without asking again, so
    nobody spins or starves. A wait over `max_wait` seconds reserves nothing."""
    tat = max(tat, now)
    new_tat = tat + cost * interval
    wait = max(0.0, new_tat - burst * interval - now)
    if wait > max_wait:
        return Decision(False, wait, tat)
    return Decision(True, wait, new_tat)


# `decide` in Lua. Time comes from Redis (TIME), never from a worker's clock, so processes on
# different machines agree; ARGV[5], when given, is "now" instead (tests' fake clock).
_ACQUIRE = """
local now
if ARGV[5] then
  now = tonumber(ARGV[5])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local max_wait = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + cost * interval
local wait = new_tat - burst * interval - now
if wait < 0 then wait = 0 end
if wait > max_wait then
  return {0, string.format('%.6f', wait)}
end
local ttl = math.ceil((new_tat - now) * 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.6f', new_tat), 'PX', ttl)
return {1, string.format('%.6f', wait)}
"""

_NO_LIMIT = 1e12  # what "wait as long as it takes" becomes for Lua (no inf in tonumber)


class RateLimiter:
    """`rate` segments per second across all processes, with a bucket of `burst` segments.

    In any one-second window at most burst + rate segments are granted. Without a `burst`
    the bucket holds just the text being sent: each text waits until the one before it has
    had its time, so sends are paced evenly and no second carries more than `rate`
    segments (plus, at most, the rest of one longer text that began in it).

    `clock` (seconds, for tests) replaces Redis's own time; production leaves it None.
    Raises ValueError for a rate or burst that is not positive."""

    def __init__(
        self,
        client: redis.Redis,
        rate: float,
        burst: float | None = None,
        key: str = keys.SEND_RATE_BUCKET,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if not rate > 0:
            raise ValueError(f"rate must be positive, got {rate!r}")
        self.rate = rate
        self.burst = float(burst) if burst is not None else None  # None: the text's own size
        if self.burst is not None and self.burst <= 0:
            raise ValueError(f"burst must be positive, got {burst!r}")
        self.key = key
        self.clock = clock
        self._script = client.register_script(_ACQUIRE)

    def acquire(self, segments: int, max_wait: float = math.inf) -> float:
        """Seconds to wait before sending `segments`. The tokens are reserved when the result
        is <= max_wait (sleep, then send); otherwise nothing is taken: try again that much
        later. Raises ValueError for fewer than 1 segment."""
        if segments < 1:
            raise ValueError(f"segments must be at least 1, got {segments!r}")
        limit = _NO_LIMIT if math.isinf(max_wait) else max(0.0, max_wait)
        burst = self.burst if self.burst is not None else float(segments)
        args = [repr(1.0 / self.rate), repr(burst), segments, repr(limit)]
        if self.clock is not None:
            args.append(repr(self.clock()))
        reserved, wait = self._script(keys=[self.key], args=args)
        wait = float(wait)
        if not reserved and wait <= max_wait:
            wait = math.nextafter(max_wait, math.inf)  # keep the "> max_wait: not reserved" rule
        return wait
