"""REDIS_SENTINELS / REDIS_SENTINEL_MASTER: checked at start-up, and how each process connects.

The failover itself, with real Sentinels, is tests/test_failover.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis.sentinel import SentinelConnectionPool

from hrw_sms.app import create_app
from hrw_sms.base.config import ConfigError, Settings
from hrw_sms.base.connection import COMMAND_TIMEOUT, redis_for
from tests.conftest import PUBLIC_URL, TOKEN
from tests.test_failover import free_port
from tests.webhook import Phone

ROOT = Path(__file__).resolve().parents[1]
FALLBACK = "Sorry, our line is having trouble"


def settings(**env: str) -> Settings:
    return Settings.from_env(env)


def test_sentinels_and_master_name_are_read() -> None:
    s = settings(REDIS_SENTINELS=" s1.internal:26379, 10.0.0.2:26380,[::1]:26381,s1.internal:26379")
    assert s.redis_sentinels == (("s1.internal", 26379), ("10.0.0.2", 26380), ("::1", 26381))
    assert s.redis_sentinel_master == "mymaster"
    assert s.redis_configured and s.redis_url is None
    assert settings(REDIS_SENTINELS="h:1", REDIS_SENTINEL_MASTER="hrw-1").redis_sentinel_master == (
        "hrw-1"
    )
    assert not settings().redis_configured and settings().redis_sentinels == ()


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"REDIS_SENTINELS": "sentinel-1"}, "REDIS_SENTINELS"),
        ({"REDIS_SENTINELS": "h:26379,"}, "REDIS_SENTINELS"),
        ({"REDIS_SENTINELS": "h:0"}, "REDIS_SENTINELS"),
        ({"REDIS_SENTINELS": "h:65536"}, "REDIS_SENTINELS"),
        ({"REDIS_SENTINELS": "h:port"}, "REDIS_SENTINELS"),
        ({"REDIS_SENTINELS": "redis://h:26379"}, "REDIS_SENTINELS"),
        ({"REDIS_SENTINELS": "h:1 h:2"}, "REDIS_SENTINELS"),
        ({"REDIS_SENTINEL_MASTER": "mymaster"}, "REDIS_SENTINEL_MASTER"),
        ({"REDIS_SENTINELS": "h:1", "REDIS_SENTINEL_MASTER": "my master"}, "REDIS_SENTINEL_MASTER"),
        ({"REDIS_SENTINELS": "h:1", "REDIS_URL": "unix:///tmp/r.sock"}, "REDIS_URL"),
    ],
)
def test_bad_values_stop_start_up_with_one_line(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(env)
    line = str(raised.value.code)
    assert raised.value.variable == variable and variable in line and "\n" not in line


def test_worker_with_a_bad_value_exits_with_one_line() -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "HRW_", "REDIS_"))}
    done = subprocess.run(
        [sys.executable, "-c", "from hrw_sms.cli import main; main()", "worker"],
        env={**clean, "PYTHONPATH": str(ROOT), "REDIS_SENTINELS": "localhost"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "REDIS_SENTINELS" in lines[0], done.stderr


def test_the_master_is_found_through_sentinel_with_redis_url_db_and_password() -> None:
    s = settings(
        REDIS_URL="redis://:s3cret@ignored.example:6390/4",
        REDIS_SENTINELS="127.0.0.1:26379,127.0.0.1:26380",
        REDIS_SENTINEL_MASTER="hrw",
    )
    web = redis_for(s)
    pool = web.connection_pool
    assert isinstance(pool, SentinelConnectionPool) and pool.service_name == "hrw"
    kwargs = pool.connection_kwargs
    assert kwargs["db"] == 4 and kwargs["password"] == "s3cret"
    assert "ignored.example" not in repr(kwargs) and kwargs.get("port") != 6390
    assert kwargs["socket_timeout"] == COMMAND_TIMEOUT
    assert [(c.get_connection_kwargs()["port"]) for c in pool.sentinel_manager.sentinels] == [
        26379,
        26380,
    ]
    worker = redis_for(s, timeouts=False)
    assert worker.connection_pool.connection_kwargs.get("socket_timeout") is None  # RQ blocks
    assert isinstance(worker.connection_pool, SentinelConnectionPool)


def test_without_sentinels_redis_url_is_used(redis_url: str) -> None:
    client = redis_for(settings(REDIS_URL=redis_url))
    assert not isinstance(client.connection_pool, SentinelConnectionPool)
    assert client.ping()


@pytest.mark.parametrize("where", ["REDIS_URL", "REDIS_SENTINELS"])
def test_a_text_gets_the_fallback_at_once_when_redis_is_gone(where: str) -> None:
    """Nothing listens where Redis (or every Sentinel) should be: a 200 with the fallback reply,
    quickly (redis-py's default retries would take seconds per command)."""
    port = free_port()
    env = {"TWILIO_AUTH_TOKEN": TOKEN, "HRW_PUBLIC_URL": PUBLIC_URL,
           "HRW_NUMBER_HASH_KEY": "k" * 32}  # fmt: skip
    if where == "REDIS_URL":
        env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    else:
        env["REDIS_SENTINELS"] = f"127.0.0.1:{port},127.0.0.1:{free_port()}"
    app = create_app(env)
    phone = Phone(app.test_client(), "+14135550123", TOKEN, PUBLIC_URL)
    phone.text("HELP")  # warm-up: imports and first use
    start = time.monotonic()
    response = phone.post("MEETINGS")
    took = time.monotonic() - start
    assert response.status_code == 200
    assert FALLBACK in response.get_data(as_text=True)
    # The design says within a second; 3 s leaves room for a loaded machine. With redis-py's
    # default retries on the Sentinel clients this took 16 s (2026-11-30).
    assert took < 3, took


def test_the_cli_names_the_sentinels_it_cannot_reach() -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "HRW_", "REDIS_"))}
    done = subprocess.run(
        [sys.executable, "-c", "from hrw_sms.cli import main; main()", "group", "list"],
        env={**clean, "PYTHONPATH": str(ROOT), "REDIS_SENTINELS": f"127.0.0.1:{free_port()}"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert "cannot reach Redis" in done.stderr and "No master found" in done.stderr, done.stderr


def test_a_lost_tick_is_booked_again_by_a_running_worker(redis_url: str) -> None:
    """A failover can lose the tick a tick booked for the next minute (replication is
    asynchronous): the running worker's maintenance books it again, once."""
    from datetime import datetime

    from rq.registry import ScheduledJobRegistry

    from hrw_sms.jobs import queues
    from tests.worker_world import world_at
    from workers.periodic import book_tick
    from workers.worker import build_worker

    now = datetime.fromisoformat("2026-11-24T09:00:30-05:00")
    with world_at(redis_url, now, HRW_QUIET_HOURS="off") as world:
        world.redis.flushdb()
        registry = ScheduledJobRegistry(queues.REPLIES, connection=world.redis)
        assert book_tick(world.redis, now)
        ticks = registry.get_job_ids()
        assert len(ticks) == 1
        registry.remove(ticks[0], delete_job=True)  # what the failover lost
        worker = build_worker(world.runtime)
        worker.rebook_tick = True  # as `hrw-sms worker` runs it
        worker.run_maintenance_tasks()
        worker.run_maintenance_tasks()
        assert registry.get_job_ids() == ticks
