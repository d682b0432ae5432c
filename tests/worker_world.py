"""A world for worker tests: the fake Twilio API, a controllable clock, the web app and an
in-process RQ worker (the real SimpleWorker), all on the private Redis."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import redis
from click.testing import CliRunner, Result
from flask import Flask

from hrw_sms.app import create_app
from hrw_sms.base.config import Settings
from hrw_sms.jobs.scheduling import release_due
from tests.conftest import PUBLIC_URL, TOKEN
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.webhook import Phone
from workers.runtime import Runtime
from workers.twilio_client import build_client
from workers.worker import build_worker

SENDER = "+14135550000"


class Clock:
    """A controllable clock; its sleep advances time instead of waiting."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def set(self, now: datetime) -> None:
        self.now = now

    def sleep(self, seconds: float) -> None:
        self.advance(seconds=seconds)


def env(redis_url: str, fake: FakeTwilio, **extra: str) -> dict[str, str]:
    """Environment variables for the web app and a worker subprocess."""
    return {
        "REDIS_URL": redis_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        # Webhooks and the fake API check different tokens on purpose: each side its own.
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_FROM_NUMBER": SENDER,
        "TWILIO_API_BASE": fake.base_url,
        "HRW_PUBLIC_URL": PUBLIC_URL,
        "HRW_SEND_RATE": "1000",
        "HRW_NUMBER_HASH_KEY": "test-number-hash-key",
        **extra,
    }


class World:
    def __init__(self, redis_url: str, fake: FakeTwilio, clock: Clock, **extra: str) -> None:
        self.fake, self.clock = fake, clock
        self.env = env(redis_url, fake, **extra)
        self.app: Flask = create_app({**self.env, "clock": clock})
        self.redis = redis.Redis.from_url(redis_url)
        settings = Settings.from_env({**self.env, "TWILIO_AUTH_TOKEN": AUTH_TOKEN})
        # What every worker of this world hands its jobs (workers/runtime.py).
        self.runtime = Runtime(
            settings, self.redis, clock=clock, twilio=build_client(settings, timeout=2),
            sleep=clock.sleep,
        )  # fmt: skip

    def phone(self, number: str) -> Phone:
        return Phone(self.app.test_client(), number, TOKEN, PUBLIC_URL)

    def work(self) -> int:
        """Release what is due by the clock, then run a real worker until the queues are empty."""
        ran = 0
        for _ in range(20):  # jobs may queue more jobs (fan-out, retries)
            released = release_due(self.redis, self.clock())
            worker = build_worker(self.runtime)
            worker.work(burst=True, logging_level="WARNING")
            ran += released
            if not released and not any(q.count for q in worker.queues):
                break
        return ran

    def cli(self, *args: str, input: str | None = None) -> Result:
        """Run an `hrw-sms` command on this world's Redis, settings and clock."""
        from hrw_sms.cli import main

        return CliRunner().invoke(
            main, list(args), env=self.env, input=input, obj={"clock": self.clock}
        )

    def texts_to(self, number: str) -> list[str]:
        return [r.body or "" for r in self.fake.sends(number) if 200 <= r.status < 300]


@contextmanager
def world_at(redis_url: str, now: datetime, **extra: str) -> Iterator[World]:
    """A World on the test feed (tests/feeds.py) at `now`; extra environment overrides."""
    from hrw_sms.meetings.directory import DirectoryStore
    from tests.feeds import feed_text

    clock = Clock(now)
    with FakeTwilio(clock=clock) as fake:
        world = World(redis_url, fake, clock, **extra)
        DirectoryStore(world.redis).import_feed(feed_text())
        yield world
